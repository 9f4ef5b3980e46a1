"""A small static interpreter for DAG files, over the libcst tree.

It walks statements the way Python would run them (module body, `with DAG(...)` blocks, @dag function
bodies, TaskGroups, loops over literal iterables), but evaluates only what can be known without running
anything: literals, module constants, f-strings, and the Airflow calls that build tasks and edges.
Whatever it cannot know becomes an Opaque value and, where it matters, a diagnostic.

The Interpreter is one object whose parts live in their own modules, each a class it inherits:
this module runs statements; expressions.py evaluates expressions; calls.py decides what a call
stands for; modules.py follows the project's other files; dags.py builds DAGs, task groups and
dependencies; tasks.py builds tasks; data.py reads config files and the environment. What they
build is in builds.py, the values they pass around in symbols.py and values.py.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import INFO, WARNING, Diagnostic
from kfmigrate.migrate.parse import imports as names
from kfmigrate.migrate.parse.builds import MAX_UNROLL, Scope, State
from kfmigrate.migrate.parse.callables import ModuleIndex
from kfmigrate.migrate.parse.calls import Calls
from kfmigrate.migrate.parse.dags import Dags
from kfmigrate.migrate.parse.data import ConfigData
from kfmigrate.migrate.parse.expressions import Expressions
from kfmigrate.migrate.parse.imports import ImportTable, dotted_name
from kfmigrate.migrate.parse.modules import ProjectModules
from kfmigrate.migrate.parse.positions import Positions
from kfmigrate.migrate.parse.symbols import (
    ContextDag, DagDef, GroupDef, GroupRef, GroupStart, LocalClass, LocalFunction, ModuleRef, Opaque, Return,
    StaticError, TaskFlowDef, TaskRef,
)
from kfmigrate.migrate.parse.tasks import Tasks


def _shared(name: str) -> property:
    return property(lambda self: getattr(self.state, name), lambda self, value: setattr(self.state, name, value))


class Interpreter(Expressions, Calls, ProjectModules, Dags, Tasks, ConfigData):
    """Walks one file (the DAG file, or a project module whose code it calls); the parts it inherits call
    each other's methods through self."""

    diagnostics = _shared("diagnostics")
    dags = _shared("dags")
    dag_stack = _shared("dag_stack")
    group_stack = _shared("group_stack")
    unrolled = _shared("unrolled")
    mapped_sources = _shared("mapped_sources")
    unfollowed = _shared("unfollowed")

    def __init__(self, module: cst.Module, path: str, source: Optional[str] = None, project: Any = None,
                 module_name: str = ""):
        self.path = path
        self.module = module
        self.module_name = module_name  # dotted, for a project module ("" for the DAG file)
        self.is_package = False  # a project module that is a package's __init__.py
        self.project = project  # kfmigrate.migrate.parse.project.Project, or None (a lone file)
        self.positions = Positions(module, source)
        self.imports = ImportTable()
        self.state = State()
        self.state.modules.append(self)
        self.index = ModuleIndex(self.module, code=self.positions.source_of)
        self.module_scope = Scope()
        self._top_level = {id(stmt) for stmt in module.body}

    # ---- positions and diagnostics
    def span(self, node: cst.CSTNode) -> ir.SourceSpan:
        owner = self.owner(node)
        try:
            line, col, end_line, end_col = owner.positions[node]
        except KeyError:
            return ir.SourceSpan(self.path, 1, 1)
        return ir.SourceSpan(owner.path, line, col + 1, end_line, end_col + 1)

    def owner(self, node: cst.CSTNode) -> "Interpreter":
        """The interpreter whose file holds `node`: this one, or a project module's whose function
        built it (a task created inside common/factory.py)."""
        if node in self.positions:
            return self
        for other in self.state.modules:
            if node in other.positions:
                return other
        return self

    def code(self, node: cst.CSTNode) -> str:
        text = self.owner(node).positions.code(node)
        return text if text is not None else self.module.code_for_node(node)

    def diag(self, code: str, message: str, node: Optional[cst.CSTNode], severity: str = WARNING,
             task_id: Optional[str] = None) -> None:
        dag_id = self.dag_stack[-1].dag_id if self.dag_stack else None
        self.diagnostics.append(Diagnostic(code, message, severity, self.span(node) if node is not None else None, task_id, dag_id))

    # ---- entry point
    def run(self) -> None:
        self.exec_block(self.module.body, self.module_scope)

    # ---- statements
    def exec_block(self, body: Sequence[cst.CSTNode], scope: Scope) -> Any:
        for stmt in body:
            try:
                result = self.exec_stmt(stmt, scope)
            except StaticError as err:
                self.diag(err.code, err.message, err.node or stmt, WARNING if self.dag_stack else INFO)
                continue
            if isinstance(result, Return):
                return result
        return None

    def exec_stmt(self, stmt: cst.CSTNode, scope: Scope) -> Any:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                result = self.exec_small(small, scope, stmt)
                if isinstance(result, Return):
                    return result
            return None
        if isinstance(stmt, cst.FunctionDef):
            scope.vars[stmt.name.value] = self.define_function(stmt, scope)
            return None
        if isinstance(stmt, cst.ClassDef):
            bases = tuple(filter(None, (dotted_name(arg.value) for arg in stmt.bases)))
            scope.vars[stmt.name.value] = LocalClass(stmt.name.value, bases, stmt, self)
            return None
        if isinstance(stmt, cst.With):
            return self.exec_with(stmt, scope)
        if isinstance(stmt, cst.For):
            return self.exec_for(stmt, scope)
        if isinstance(stmt, cst.If):
            return self.exec_if(stmt, scope)
        if isinstance(stmt, cst.Try):
            return self.exec_try(stmt, scope)
        if self.dag_stack:
            raise StaticError("KFM116", f"statement not understood inside a DAG and ignored: {self.code(stmt).strip().splitlines()[0]}", stmt)
        return None

    def exec_small(self, small: cst.BaseSmallStatement, scope: Scope, line: cst.SimpleStatementLine) -> Any:
        if isinstance(small, (cst.Import, cst.ImportFrom)):
            self.imports.add(small)
            return None
        if isinstance(small, cst.Assign):
            value = self.eval_guarded(small.value, scope)
            for target in small.targets:
                self.bind(target.target, value, scope, line)
            return None
        if isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self.bind(small.target, self.eval_guarded(small.value, scope), scope, line)
            return None
        if isinstance(small, cst.AugAssign):
            if isinstance(small.target, cst.Name):
                try:
                    current = scope.lookup(small.target.value)
                    value = self.binary(small.operator, current, self.eval(small.value, scope), small)
                except (KeyError, StaticError):
                    value = Opaque(self.code(small))
                scope.vars[small.target.value] = value
            return None
        if isinstance(small, cst.Expr):
            if isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                return None  # a docstring
            self.eval(small.value, scope)
            return None
        if isinstance(small, cst.Return):
            return Return(self.eval_guarded(small.value, scope) if small.value else None)
        if isinstance(small, (cst.Pass, cst.Global, cst.Nonlocal, cst.Assert, cst.Del)):
            return None
        if self.dag_stack:
            raise StaticError("KFM116", f"statement not understood inside a DAG and ignored: {self.code(small)}", small)
        return None

    def bind(self, target: cst.BaseExpression, value: Any, scope: Scope, line: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            scope.vars[target.value] = value
            if isinstance(line, cst.SimpleStatementLine):
                scope.sources[target.value] = self.code(line).strip()
            if scope is self.module_scope:
                if id(line) in self._top_level:
                    scope.nested.discard(target.value)
                else:
                    scope.nested.add(target.value)
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            elements = [e.value for e in target.elements]
            if isinstance(value, (list, tuple)) and len(value) == len(elements):
                for element, item in zip(elements, value):
                    self.bind(element, item, scope, line)
            else:
                for element in elements:
                    self.bind(element, Opaque(self.code(target)), scope, line)
            return
        if isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name):
            try:
                container = scope.lookup(target.value.value)
                key = self.eval(target.slice[0].slice.value, scope)
                if isinstance(container, dict):
                    container[key] = value
                elif isinstance(container, list) and isinstance(key, int):
                    container[key] = value
            except (KeyError, StaticError, IndexError, TypeError, AttributeError):
                pass
            return
        # attribute targets (e.g. `task.doc_md = ...`) set documentation on tasks
        if isinstance(target, cst.Attribute):
            try:
                owner = self.eval(target.value, scope)
            except StaticError:
                return
            if isinstance(owner, TaskRef) and self.dag_stack and owner.task_id in self.dag_stack[-1].tasks:
                self.dag_stack[-1].tasks[owner.task_id].args[target.attr.value] = value
            elif isinstance(owner, ContextDag):
                dag = self.dag_named(owner.dag_id)
                if dag is not None:
                    dag.kwargs[target.attr.value] = value

    def exec_with(self, stmt: cst.With, scope: Scope) -> Any:
        entered: List[str] = []
        for item in stmt.items:
            value = self.eval(item.item, scope)
            if isinstance(value, ContextDag):
                dag = self.dag_named(value.dag_id)
                if dag is None:
                    raise StaticError("KFM116", "with-block on an unknown DAG", item.item)
                self.dag_stack.append(dag)
                entered.append("dag")
            elif isinstance(value, GroupStart):
                frame = self.open_group(value, item.item)
                entered.append("group")
                value = GroupRef(frame.group_id)
            else:
                entered.append("other")
                if isinstance(value, Opaque) and isinstance(item.item, cst.Call) and self.followed_call(item.item, scope) \
                        and self.defines(stmt.body):
                    self.diag("KFM121", f"DAG is created by {self.code(item.item.func)}: {value.reason or 'not known statically'}; "
                              "the tasks of this with-block have no DAG", item.item, WARNING)
                    self.unfollowed[:] = [entry for entry in self.unfollowed if entry[0] is not item.item]
            if item.asname is not None:
                self.bind(item.asname.name, value, scope, stmt)
        try:
            return self.exec_block(stmt.body.body, scope)
        finally:
            for kind in reversed(entered):
                if kind == "dag":
                    self.dag_stack.pop()
                elif kind == "group":
                    self.group_stack.pop()

    def exec_for(self, stmt: cst.For, scope: Scope) -> Any:
        try:
            iterable = self.eval(stmt.iter, scope)
            items = self.iterate(iterable, stmt.iter)
        except StaticError as err:
            if self.dag_stack:
                raise StaticError("KFM112", f"loop over a value that cannot be resolved statically: {self.code(stmt.iter)} ({err.message})", stmt.iter)
            return None
        for item in items:
            self.bind(stmt.target, item, scope, stmt)
            result = self.exec_block(stmt.body.body, scope)
            if isinstance(result, Return):
                return result
        return None

    def exec_try(self, stmt: cst.Try, scope: Scope) -> Any:
        """The try body runs as if nothing fails (imports succeed); a handler runs instead only when it alone
        defines DAGs or tasks (`except ImportError:` with a fallback DAG)."""
        import_guard = any(h.type is not None and any(n in self.code(h.type) for n in ("ImportError", "ModuleNotFoundError"))
                           for h in stmt.handlers)
        body_defines = self.defines(stmt.body) or (stmt.orelse is not None and self.defines(stmt.orelse.body))
        if body_defines and import_guard:
            self.diag("KFM122", "DAGs or tasks are defined under try/except ImportError: converted as if the imports succeed",
                      stmt, INFO)
        result = self.exec_block(stmt.body.body, scope)
        if not isinstance(result, Return) and stmt.orelse is not None:
            result = self.exec_block(stmt.orelse.body.body, scope)
        if not isinstance(result, Return) and not body_defines:
            handler = next((h for h in stmt.handlers if self.defines(h.body)), None)
            if handler is not None:
                self.diag("KFM122", f"only the handler `except {self.code(handler.type) if handler.type else ''}:` defines DAGs "
                          "or tasks: it is converted as if the try body failed", handler, WARNING)
                result = self.exec_block(handler.body.body, scope)
        if not isinstance(result, Return) and stmt.finalbody is not None:
            final = self.exec_block(stmt.finalbody.body.body, scope)
            result = final if isinstance(final, Return) else result
        return result

    def followed_call(self, call: cst.Call, scope: Scope) -> bool:
        """A call of a local function, or of a name imported from a module the project does not have."""
        if any(node is call for node, _, _ in self.unfollowed):
            return True
        try:
            return isinstance(self.eval(call.func, scope), LocalFunction)
        except StaticError:
            return False

    def defines(self, block: cst.CSTNode) -> bool:
        """Whether a block defines DAGs or tasks (syntactically: DAG(...)/@dag/@task, task_id= or dag_id=
        arguments, `>>` links, or calls of local functions and classes that may build them). Read from
        the block's source text: a libcst visitor over a whole DAG body costs milliseconds."""
        owner = self.owner(block)
        text = owner.positions.full_text(block)
        if text is None:
            text = owner.module.code_for_node(block)
        if _DEFINES.search(text):
            return True
        for dotted in _CALLED.findall(text):
            head = dotted.split(".")[0]
            value = owner.module_scope.vars.get(head)
            if isinstance(value, (LocalFunction, DagDef, TaskFlowDef, GroupDef, LocalClass, ModuleRef)):
                return True
            qual = owner.imports.qualify(dotted)
            if qual and names.last(qual) in names.DAG_CLASSES | names.DAG_DECORATORS | names.TASK_DECORATORS:
                return True
            if qual and owner.project is not None and not names.is_airflow(qual) and \
                    owner.project.find_module(qual.rpartition(".")[0] or qual) is not None:
                return True  # a function of a project module (a DAG factory, usually)
        return False

    def guard_branch(self, stmt: cst.If) -> Optional[Tuple[Sequence[cst.CSTNode], str]]:
        """For `if <not known statically>:`, the branch that defines DAGs or tasks (the first one)."""
        branches: List[Tuple[Any, str]] = [(stmt.body, "if")]
        current = stmt.orelse
        while current is not None:
            if isinstance(current, cst.If):
                branches.append((current.body, f"elif {self.code(current.test)}"))
                current = current.orelse
            else:
                branches.append((current.body, "else"))
                current = None
        defining = [(body, which) for body, which in branches if self.defines(body)]
        if not defining:
            return None
        return defining[0][0].body, defining[0][1] + ("" if len(defining) == 1 else f" (of {len(defining)} that do)")

    def exec_if(self, stmt: cst.If, scope: Scope) -> Any:
        test = stmt.test
        if isinstance(test, cst.Comparison) and self.code(test.left) == "__name__":
            return None  # `if __name__ == "__main__": dag.test()`
        try:
            cond = self.eval(test, scope)
            if isinstance(cond, Opaque):
                raise StaticError("KFM110", cond.reason, test)
        except StaticError:
            branch = self.guard_branch(stmt)
            if branch is not None:
                body, which = branch
                self.diag("KFM122", f"condition not known statically ({self.code(test)}): the {which} branch, which "
                          "defines DAGs or tasks, is converted", test, INFO if " (of " not in which else WARNING)
                return self.exec_block(body, scope)
            if self.dag_stack:
                raise StaticError("KFM110", f"condition cannot be resolved statically; both branches ignored: {self.code(test)}", test)
            return None
        if cond:
            return self.exec_block(stmt.body.body, scope)
        if isinstance(stmt.orelse, cst.If):
            return self.exec_if(stmt.orelse, scope)
        if isinstance(stmt.orelse, cst.Else):
            return self.exec_block(stmt.orelse.body.body, scope)
        return None

    def iterate(self, value: Any, node: cst.CSTNode) -> List[Any]:
        if isinstance(value, dict):
            items = list(value)
        elif isinstance(value, (list, tuple, range, str)):
            items = list(value)
        else:
            why = f" ({value.reason})" if isinstance(value, Opaque) and value.reason else ""
            raise StaticError("KFM112", f"not a literal iterable: {self.code(node)}{why}", node)
        self.unrolled += len(items)
        if self.unrolled > MAX_UNROLL:
            raise StaticError("KFM112", f"more than {MAX_UNROLL} loop iterations: not unrolled", node)
        return items


    def call_function(self, func: cst.FunctionDef, parent: Scope, args: List[Any], kwargs: Dict[str, Any]) -> Any:
        scope = Scope(parent)
        params = func.params
        positional = list(params.posonly_params) + list(params.params)
        for param, value in zip(positional, args):
            scope.vars[param.name.value] = value
        named = {p.name.value for p in positional + list(params.kwonly_params)}
        for param in positional[len(args):] + list(params.kwonly_params):
            name = param.name.value
            if name in kwargs:
                scope.vars[name] = kwargs[name]
            elif param.default is not None:
                scope.vars[name] = self.eval_guarded(param.default, parent)
            else:
                scope.vars[name] = Opaque(name, "missing argument")
        if isinstance(params.star_arg, cst.Param):  # *args and **kwargs pass through (create_dag(dag_id, **kwargs))
            scope.vars[params.star_arg.name.value] = tuple(args[len(positional):])
        if isinstance(params.star_kwarg, cst.Param):
            scope.vars[params.star_kwarg.name.value] = {k: v for k, v in kwargs.items() if k not in named}
        result = self.exec_block(func.body.body, scope)
        return result.value if isinstance(result, Return) else None


# what marks a block that defines DAGs or tasks, in its source text (Interpreter.defines)
_DEFINES = re.compile(r"\b(?:task_id|dag_id)\s*=|>>|<<|@(?:\w+\.)*(?:dag|task|task_group)\b|\bDAG\s*\(")
_CALLED = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)\s*\(")


__all__ = ["Interpreter"]
