"""A small static interpreter for DAG files, over the libcst tree.

It walks statements the way Python would run them (module body, `with DAG(...)` blocks, @dag function
bodies, TaskGroups, loops over literal iterables), but evaluates only what can be known without running
anything: literals, module constants, f-strings, and the Airflow calls that build tasks and edges.
Whatever it cannot know becomes an Opaque value and, where it matters, a diagnostic.
"""
from __future__ import annotations

import datetime as _dt
import os as _os
import re
import sys as _sys
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst

from migrate import ir
from migrate.diagnostics import INFO, WARNING, Diagnostic
from migrate.parse import imports as names
from migrate.parse.callables import ModuleIndex, lift_callable, lift_lambda
from migrate.parse.imports import ImportTable, dotted_name
from migrate.parse.positions import Positions
from migrate.parse.symbols import (
    ContextDag, DagDef, DateTime, Duration, GroupDef, GroupRef, Imported, LabelValue, LocalClass,
    LocalFunction, ModuleRef, Opaque, Override, ParamSpec, Partial, StaticError, TaskDecorator, TaskFlowDef, TaskRef,
)

AIRFLOW_KEY = re.compile(r"^[\w.-]+$")  # airflow's own rule for dag, task and group ids
AIRFLOW_KEY_MAX = 250
MAX_UNROLL = 10_000  # loop iterations unrolled per file before we give up (a runaway range())
OPERATOR_META_ARGS = {"task_id", "dag", "task_group", "python_callable"}
DOC_ARGS = ("doc_md", "doc", "doc_rst", "doc_json", "doc_yaml")
PARAM_TYPES = {
    "string": "str", "integer": "int", "number": "float", "boolean": "bool", "array": "list",
    "object": "dict", "null": "str",
}
SCHEDULE_PRESETS = {"@once", "@continuous", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly",
                    "@yearly", "@annually", "@midnight"}


# ------------------------------------------------------------------ building blocks
@dataclass
class TaskBuild:
    task_id: str
    operator: str
    module: str
    args: Dict[str, Any]
    node: cst.CSTNode
    callable: Optional[ir.CallableSource] = None
    call_args: Tuple[Any, ...] = ()
    call_kwargs: Dict[str, Any] = field(default_factory=dict)
    group: Tuple[str, ...] = ()
    mapping: Optional[ir.Mapping_] = None
    multiple_outputs: bool = False
    is_setup: bool = False
    is_teardown: bool = False
    operator_file: Optional[str] = None  # the project file defining a local operator class the task runs as itself
    bound: Optional[Partial] = None  # python_callable=functools.partial(f, ...): its bound arguments


@dataclass
class GroupFrame:
    group_id: str  # full id ("outer.inner")
    prefix: bool
    default_args: Dict[str, Any]
    members: List[str] = field(default_factory=list)  # task ids, nested groups' tasks included


@dataclass
class DagBuild:
    dag_id: str
    kwargs: Dict[str, Any]
    node: cst.CSTNode
    tasks: Dict[str, TaskBuild] = field(default_factory=dict)
    edges: List[ir.Edge] = field(default_factory=list)
    groups: Dict[str, GroupFrame] = field(default_factory=dict)
    mapped_groups: Dict[str, ir.Mapping_] = field(default_factory=dict)
    taskflow_counts: Dict[str, int] = field(default_factory=dict)
    kwarg_sources: Dict[str, str] = field(default_factory=dict)  # DAG keyword -> its source text
    _edge_set: set = field(default_factory=set)

    def add_edge(self, up: str, down: str, kind: str = "order") -> None:
        if up == down:
            return
        edge = ir.Edge(up, down, kind)
        if edge not in self._edge_set:  # a set: big generated DAGs add edges by the thousand
            self._edge_set.add(edge)
            self.edges.append(edge)


class Scope:
    def __init__(self, parent: Optional["Scope"] = None):
        self.vars: Dict[str, Any] = {}
        self.parent = parent
        self.sources: Dict[str, str] = {}  # name -> source of the simple statement that bound it
        # module scope only: names bound inside a block (e.g. `with DAG(...)`), which the module
        # index of top-level statements does not see
        self.nested: Set[str] = set()

    def lookup(self, name: str) -> Any:
        scope = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        raise KeyError(name)

    def enclosing_sources(self) -> Dict[str, str]:
        out: Dict[str, str] = {}
        scope = self
        while scope is not None:
            for name, src in scope.sources.items():
                if scope.parent is not None or name in scope.nested:
                    out.setdefault(name, src)
            scope = scope.parent
        return out

    def closure_values(self) -> Dict[str, Any]:
        """Names bound in enclosing function scopes without a statement of their own (parameters, loop
        variables): a function defined there reads them from its closure."""
        out: Dict[str, Any] = {}
        scope = self
        while scope is not None and scope.parent is not None:
            for name, value in scope.vars.items():
                if name not in scope.sources:
                    out.setdefault(name, value)
            scope = scope.parent
        return out


# ------------------------------------------------------------------ the interpreter
class _State:
    """What a conversion builds, shared by the DAG file's interpreter and those of the project modules
    whose functions it calls (a factory in common/factory.py adds its DAG and tasks here)."""

    def __init__(self) -> None:
        self.diagnostics: List[Diagnostic] = []
        self.dags: List[DagBuild] = []
        self.dag_stack: List[DagBuild] = []
        self.group_stack: List[GroupFrame] = []
        self.unrolled = 0
        self.mapped_sources: Dict[str, List[str]] = {}
        self.calls: List[str] = []  # local functions being followed, innermost last (recursion guard)
        self.read_files: Set[str] = set()  # config files read (reported once each)
        self.unfollowed: List[Tuple[cst.CSTNode, str, str]] = []  # (node, code, message): reported when no DAG is found
        self.modules: List["Interpreter"] = []  # project modules whose code built part of this file's DAGs


def _shared(name: str) -> property:
    return property(lambda self: getattr(self.state, name), lambda self, value: setattr(self.state, name, value))


MAX_CALL_DEPTH = 24  # nested calls of local functions followed; deeper is recursion we do not unroll


class Interpreter:
    diagnostics = _shared("diagnostics")
    dags = _shared("dags")
    dag_stack = _shared("dag_stack")
    group_stack = _shared("group_stack")
    unrolled = _shared("unrolled")
    _mapped_sources = _shared("mapped_sources")
    unfollowed = _shared("unfollowed")

    def __init__(self, module: cst.Module, path: str, source: Optional[str] = None, project: Any = None,
                 module_name: str = ""):
        self.path = path
        self.module = module
        self.module_name = module_name  # dotted, for a project module ("" for the DAG file)
        self.is_package = False  # a project module that is a package's __init__.py
        self.project = project  # migrate.parse.project.Project, or None (a lone file)
        self.positions = Positions(module, source)
        self.imports = ImportTable()
        self.state = _State()
        self.state.modules.append(self)
        self.index = ModuleIndex(self.module)
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
        if node in self.positions._spans:
            return self
        for other in self.state.modules:
            if node in other.positions._spans:
                return other
        return self

    def code(self, node: cst.CSTNode) -> str:
        if isinstance(node, cst.BaseExpression):
            text = self.owner(node).positions.expression_code(node)
            if text is not None:
                return text
        return self.module.code_for_node(node)

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
            if isinstance(result, _Return):
                return result
        return None

    def exec_stmt(self, stmt: cst.CSTNode, scope: Scope) -> Any:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                result = self.exec_small(small, scope, stmt)
                if isinstance(result, _Return):
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
            return _Return(self.eval_guarded(small.value, scope) if small.value else None)
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
                dag = self._dag_named(owner.dag_id)
                if dag is not None:
                    dag.kwargs[target.attr.value] = value

    def exec_with(self, stmt: cst.With, scope: Scope) -> Any:
        entered: List[str] = []
        for item in stmt.items:
            value = self.eval(item.item, scope)
            if isinstance(value, ContextDag):
                dag = self._dag_named(value.dag_id)
                if dag is None:
                    raise StaticError("KFM116", "with-block on an unknown DAG", item.item)
                self.dag_stack.append(dag)
                entered.append("dag")
            elif isinstance(value, _GroupStart):
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
            if isinstance(result, _Return):
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
        if not isinstance(result, _Return) and stmt.orelse is not None:
            result = self.exec_block(stmt.orelse.body.body, scope)
        if not isinstance(result, _Return) and not body_defines:
            handler = next((h for h in stmt.handlers if self.defines(h.body)), None)
            if handler is not None:
                self.diag("KFM122", f"only the handler `except {self.code(handler.type) if handler.type else ''}:` defines DAGs "
                          "or tasks: it is converted as if the try body failed", handler, WARNING)
                result = self.exec_block(handler.body.body, scope)
        if not isinstance(result, _Return) and stmt.finalbody is not None:
            final = self.exec_block(stmt.finalbody.body.body, scope)
            result = final if isinstance(final, _Return) else result
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
        span = owner.positions._full_spans.get(block)
        text = owner.positions._text[span[0]:span[1]] if span else owner.module.code_for_node(block)
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
        except StaticError as err:
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
        elif isinstance(value, _DictView):
            items = list(value.items)
        else:
            why = f" ({value.reason})" if isinstance(value, Opaque) and value.reason else ""
            raise StaticError("KFM112", f"not a literal iterable: {self.code(node)}{why}", node)
        self.unrolled += len(items)
        if self.unrolled > MAX_UNROLL:
            raise StaticError("KFM112", f"more than {MAX_UNROLL} loop iterations: not unrolled", node)
        return items

    # ---- functions
    def define_function(self, func: cst.FunctionDef, scope: Scope) -> Any:
        for decorator in func.decorators:
            kind, module, kwargs = self.decorator_kind(decorator.decorator, scope)
            if kind == "dag":
                return DagDef(func, kwargs, scope, self)
            if kind == "task_group":
                return GroupDef(func, kwargs, scope, self)
            if kind and kind.startswith("@"):
                return TaskFlowDef(func, kind, kwargs, module, scope.enclosing_sources(),
                                   is_setup=kind == "@setup", is_teardown=kind == "@teardown", home=self)
        plain = LocalFunction(func, scope.enclosing_sources(), self, scope.closure_values())
        for decorator in reversed(func.decorators):  # a local decorator that wraps @task (`@company_task(retries=2)`)
            wrapped = self.local_decorator(decorator.decorator, plain, scope)
            if wrapped is not None:
                return wrapped
        return plain

    def local_decorator(self, node: cst.BaseExpression, function: LocalFunction, scope: Scope) -> Any:
        """A decorator that is not Airflow's own: followed when it is a local function (or the result
        of calling one) that applies Airflow's @task; None otherwise."""
        try:
            decorator = self.eval(node, scope)
        except StaticError:
            return None
        if isinstance(decorator, TaskDecorator):
            result = self.apply_task_decorator(decorator, function)
        elif isinstance(decorator, LocalFunction):
            try:
                result = self.apply(decorator, [function], {}, node, scope)
            except StaticError:
                return None
        else:
            return None
        if isinstance(result, TaskFlowDef):
            result.func, result.home = function.func, function.home or self  # the body that runs is the user's
            self.diag("KFM128", f"@{self.code(node)} is a local decorator that applies Airflow's {result.kind}: "
                      f"{function.func.name.value} is converted as a {result.kind} task", node, INFO)
            return result
        return None

    def apply_task_decorator(self, decorator: TaskDecorator, function: Any) -> Any:
        if isinstance(function, LocalFunction):
            return TaskFlowDef(function.func, decorator.kind, dict(decorator.kwargs), decorator.module, function.enclosing,
                               is_setup=decorator.kind == "@setup", is_teardown=decorator.kind == "@teardown",
                               home=function.home or self)
        return Opaque(f"{decorator.kind}(...)", "decorator applied to something that is not a function")

    def decorator_kind(self, node: cst.BaseExpression, scope: Scope) -> Tuple[Optional[str], str, Dict[str, Any]]:
        """Classify a decorator: ('dag' | 'task_group' | '@task' | '@task.bash' | '@setup' ..., module, kwargs)."""
        kwargs: Dict[str, Any] = {}
        target = node
        if isinstance(node, cst.Call):
            target = node.func
            kwargs = self.eval_kwargs(node.args, scope)
        dotted = dotted_name(target)
        if not dotted:
            return None, "", kwargs
        qual = self.imports.qualify(dotted) or dotted
        head = dotted.split(".")[0]
        head_qual = self.imports.qualify(head) or head
        head_last = names.last(head_qual)
        if names.last(qual) in names.DAG_DECORATORS and "." not in dotted:
            return "dag", qual, kwargs
        if names.last(qual) in names.GROUP_DECORATORS and "." not in dotted:
            return "task_group", qual, kwargs
        if head_last in names.TASK_DECORATORS and names.is_airflow(head_qual):
            rest = dotted.split(".", 1)[1] if "." in dotted else ""
            return ("@task" + (f".{rest}" if rest else "")), head_qual, kwargs
        if head_last in names.SETUP_TEARDOWN and "." not in dotted and names.is_airflow(head_qual):
            return f"@{head_last}", head_qual, kwargs
        return None, "", kwargs

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
        return result.value if isinstance(result, _Return) else None

    # ---- the project: modules, functions and classes from other files
    def in_home(self, home: Optional["Interpreter"], run) -> Any:
        """run(interpreter) in the interpreter of the file that defines what is being called, sharing
        this file's DAGs, stacks and diagnostics."""
        if home is None or home is self:
            return run(self)
        saved = home.state
        home.state = self.state
        if home not in self.state.modules:
            self.state.modules.append(home)
        try:
            return run(home)
        finally:
            home.state = saved

    def project_module(self, name: str) -> Optional["Interpreter"]:
        """The interpreter of project module `name`, its module body run once (definitions and
        constants; DAGs it would build at import are not this file's)."""
        if self.project is None:
            return None
        cache = self.project.interpreters
        source = self.project.find_module(name)
        if source is None:
            return None
        cached = cache.get(name)
        if cached is not None and cached.module is source.tree:  # the same parse: the file has not changed
            return cached
        interp = Interpreter(source.tree, source.shown, source.text, self.project, name)
        interp.is_package = source.is_package
        cache[name] = interp  # before running it: modules that import each other
        try:
            interp.run()
        except RecursionError:
            pass
        return interp

    def absolute(self, qual: str) -> str:
        """A relative import's name (".utils.x" inside common.factory) made absolute."""
        level = len(qual) - len(qual.lstrip("."))
        package = self.module_name if self.is_package else self.module_name.rpartition(".")[0]
        parts = package.split(".") if package else []
        if level - 1 > len(parts):
            return qual.lstrip(".")
        base = parts[: len(parts) - (level - 1)]
        return ".".join(base + [qual.lstrip(".")])

    def imported(self, qual: str) -> Any:
        """What an imported name stands for: a function, class or constant of a project module, the
        module itself, an Airflow 1 plugin class from plugins/, or else Imported(qual)."""
        if qual.startswith("."):
            qual = self.absolute(qual)
        if self.project is None:
            return Imported(qual)
        if names.is_airflow(qual):
            return self.airflow1_plugin(qual) or Imported(qual)
        parts = qual.split(".")
        for cut in range(len(parts), 0, -1):
            home = self.project_module(".".join(parts[:cut]))
            if home is None:
                if ".".join(parts[:cut]) in self.project.broken:
                    return _Unreadable(qual, f"{qual}: {self.project.broken['.'.join(parts[:cut])]}")
                continue
            value: Any = ModuleRef(home.module_name, home)
            for attr in parts[cut:]:
                value = self.module_attribute(value, attr)
            return value
        return Imported(qual)

    def module_attribute(self, module: Any, attr: str) -> Any:
        if not isinstance(module, ModuleRef):
            return Opaque(attr, "attribute of a value that is not a module")
        home = module.home
        if attr in home.module_scope.vars:
            return home.module_scope.vars[attr]
        qual = home.imports.qualify(attr)
        if qual:
            return home.imported(qual)
        sub = self.project_module(f"{module.name}.{attr}")
        if sub is not None:
            return ModuleRef(sub.module_name, sub)
        return Opaque(f"{module.name}.{attr}", f"{module.name} ({home.path}) defines no {attr!r} statically")

    def where(self, definition: Any) -> str:
        """"common/factory.py:26" for a function or class from any file of the project."""
        node = getattr(definition, "func", None) or getattr(definition, "node", None)
        home = getattr(definition, "home", None) or self
        if node is None:
            return home.path
        span = home.span(node)
        return f"{span.path}:{span.line}"

    def follow(self, callee: LocalFunction, args: List[Any], kwargs: Dict[str, Any], node: cst.CSTNode, scope: Scope) -> Any:
        """Call a local function (of this file or of a project module) statically."""
        key = f"{id(callee.func)}"
        name = callee.func.name.value
        if key in self.state.calls or len(self.state.calls) >= MAX_CALL_DEPTH:
            return Opaque(self.code(node), f"{name} ({self.where(callee)}) is recursive or nested too deeply: not followed")
        home = callee.home or self
        before = len(self.diagnostics)
        self.state.calls.append(key)
        try:
            result = self.in_home(home, lambda h: h.call_function(callee.func, scope if h is self else h.module_scope, args, kwargs))
        finally:
            self.state.calls.pop()
        failed_dag = next((d for d in self.diagnostics[before:] if d.code == "KFM115"), None)
        if failed_dag is not None and home is not self:  # the factory's DAG(...) could not be built: say so at the call
            self.diag("KFM121", f"DAG is created by {name} ({self.where(callee)}): {failed_dag.message}", node)
        elif isinstance(result, Opaque) and home is not self:
            inner = next((d.message for d in self.diagnostics[before:] if d.severity != INFO), None) or result.reason or result.source
            why = f"{name} ({self.where(callee)}) returns a value that is not known statically: {inner}"
            self.unfollowed.append((node, "KFM121", why))  # said if the file ends up with no DAG
            return Opaque(self.code(node), why)
        return result

    def airflow1_plugin(self, qual: str) -> Any:
        """`from airflow.operators import GithubToS3Operator` / `airflow.operators.x_plugin.X`: Airflow 1's
        plugin manager made plugins' classes importable there; Airflow 2 removed it. The class is looked
        for in the project's plugins/ folder."""
        parts = qual.split(".")
        if len(parts) < 3 or parts[1] not in ("operators", "sensors", "hooks") or not parts[-1][:1].isupper():
            return None
        if len(parts) == 4 and not parts[2].endswith("_plugin"):
            return None
        if len(parts) > 4:
            return None
        cache = self.project.interpreters.setdefault("__airflow1_plugins__", {})
        if qual in cache:
            return cache[qual]
        found = None
        for module in self.project.plugin_modules():
            home = self.project_module(module)
            value = home.module_scope.vars.get(parts[-1]) if home is not None else None
            if isinstance(value, LocalClass) and value.home is home:
                found = value
                break
        if found is None:
            where = ", ".join(self.project.plugin_roots()) or "no plugins/ folder in the project"
            found = _Airflow1Missing(qual, looked_in=where)
        cache[qual] = found
        return found

    # ---- DAGs
    def open_dag(self, dag_id: Any, kwargs: Dict[str, Any], node: cst.CSTNode) -> DagBuild:
        if not isinstance(dag_id, str):
            raise StaticError("KFM115", f"dag id cannot be resolved statically: {self.code(node)}", node)
        dag = DagBuild(dag_id, kwargs, node)
        dag.kwarg_sources = self.keyword_sources(node)
        self.dags.append(dag)
        self.dag_stack.append(dag)  # so the diagnostic belongs to this DAG
        try:
            self.check_key("dag", dag_id, node)
        finally:
            self.dag_stack.pop()
        return dag

    def keyword_sources(self, node: cst.CSTNode) -> Dict[str, str]:
        """The source text of each keyword argument of a DAG(...) or @dag(...) call."""
        calls: List[cst.Call] = []
        if isinstance(node, cst.Call):
            calls.append(node)
        if isinstance(node, cst.FunctionDef):
            calls += [d.decorator for d in node.decorators if isinstance(d.decorator, cst.Call)]
        return {arg.keyword.value: self.code(arg.value) for call in calls for arg in call.args if arg.keyword is not None}

    def _dag_named(self, dag_id: str) -> Optional[DagBuild]:
        for dag in reversed(self.dags):
            if dag.dag_id == dag_id:
                return dag
        return None

    def run_dag_function(self, definition: DagDef, args: List[Any], kwargs: Dict[str, Any], node: cst.CSTNode) -> ContextDag:
        deco = dict(definition.decorator_kwargs)
        positional = deco.pop("__positional__", [])
        if positional and "dag_id" not in deco:  # @dag("my-id", ...): dag_id is the decorator's first parameter
            deco["dag_id"] = positional[0]
        dag_id = deco.pop("dag_id", definition.func.name.value)
        params = dict(deco.get("params") or {}) if isinstance(deco.get("params"), dict) else {}
        # @dag function arguments are DAG params (Airflow's DagParam)
        func_params = list(definition.func.params.params) + list(definition.func.params.kwonly_params)
        call_values: Dict[str, Any] = {}
        for param in func_params:
            name = param.name.value
            if param.default is not None:
                default = self.eval_guarded(param.default, definition.env)
                params.setdefault(name, default)
            call_values[name] = _ParamValue(name)
        if params:
            deco["params"] = params
        dag = self.open_dag(dag_id, deco, node)
        dag.kwarg_sources = {**self.keyword_sources(definition.func), **dag.kwarg_sources}
        self.dag_stack.append(dag)
        saved_groups, self.group_stack = self.group_stack, []
        try:
            self.call_function(definition.func, definition.env, [], call_values)
        finally:
            self.dag_stack.pop()
            self.group_stack = saved_groups
        return ContextDag(dag.dag_id)

    # ---- groups
    def open_group(self, start: "_GroupStart", node: cst.CSTNode) -> GroupFrame:
        if not isinstance(start.group_id, str):
            raise StaticError("KFM111", f"task group id cannot be resolved statically: {self.code(node)}", node)
        self.check_key("task group", start.group_id, node)
        parent = self.group_stack[-1] if self.group_stack else None
        prefix = start.kwargs.get("prefix_group_id", True) is not False
        full = f"{parent.group_id}.{start.group_id}" if parent and parent.prefix else start.group_id
        default_args = dict(parent.default_args) if parent else {}
        if isinstance(start.kwargs.get("default_args"), dict):
            default_args.update(start.kwargs["default_args"])
        frame = GroupFrame(full, prefix, default_args)
        dag = self.current_dag(node)
        dag.groups[full] = frame
        tooltip = start.kwargs.get("tooltip")
        frame_tooltip = tooltip if isinstance(tooltip, str) else None
        dag.kwargs.setdefault("__group_tooltips__", {})[full] = frame_tooltip
        self.group_stack.append(frame)
        return frame

    def run_group_function(self, definition: GroupDef, args: List[Any], kwargs: Dict[str, Any],
                           overrides: Dict[str, Any], node: cst.CSTNode, expand: Optional[Dict[str, Any]] = None) -> Any:
        settings = {**definition.decorator_kwargs, **overrides}
        group_id = settings.pop("group_id", definition.func.name.value)
        if isinstance(group_id, str) and self.dag_stack:  # called again: Airflow names it group__1, group__2
            parent = self.group_stack[-1] if self.group_stack else None
            full = lambda gid: f"{parent.group_id}.{gid}" if parent and parent.prefix else gid  # noqa: E731
            base, count = group_id, 0
            while full(group_id) in self.dag_stack[-1].groups:
                count += 1
                group_id = f"{base}__{count}"
        frame = self.open_group(_GroupStart(group_id, settings), node)
        if expand is not None:  # a mapped task group: its tasks see the current item through GroupArg
            dag = self.current_dag(node)
            dag.mapped_groups[frame.group_id] = ir.Mapping_(over={k: to_value(v) for k, v in expand.items()})
            kwargs = {**kwargs, **{name: _GroupArgValue(frame.group_id, name) for name in expand}}
            self._mapped_sources[frame.group_id] = [ref.task_id for v in expand.values() for ref in _task_outputs_in(v)]
        try:
            result = self.call_function(definition.func, definition.env, args, kwargs)
        finally:
            self.group_stack.pop()
        if expand is not None:
            dag = self.current_dag(node)
            for source in self._mapped_sources.pop(frame.group_id, []):
                for root in group_ends(dag, frame.group_id, "down"):
                    dag.add_edge(source, root, "data")
        if isinstance(result, (TaskRef, list, tuple)) and result:
            return result
        return GroupRef(frame.group_id)

    def current_dag(self, node: cst.CSTNode, explicit: Any = None) -> DagBuild:
        if isinstance(explicit, ContextDag):
            dag = self._dag_named(explicit.dag_id)
            if dag is not None:
                return dag
        if self.dag_stack:
            return self.dag_stack[-1]
        raise StaticError("KFM116", "task created outside any DAG: ignored", node)

    # ---- tasks
    def full_task_id(self, task_id: str) -> str:
        for frame in reversed(self.group_stack):
            if frame.prefix:
                return f"{frame.group_id}.{task_id}"
        return task_id

    def check_key(self, kind: str, key: str, node: cst.CSTNode, task_id: Optional[str] = None) -> None:
        """Airflow refuses such ids when it loads the DAG; we convert anyway but say so."""
        if not AIRFLOW_KEY.match(key) or len(key) > AIRFLOW_KEY_MAX:
            self.diag("KFM119", f"Airflow rejects {kind} id {key!r}: only letters, digits, '_', '.', '-' and at most "
                      f"{AIRFLOW_KEY_MAX} characters; the DAG would not load in Airflow", node, task_id=task_id)

    def add_task(self, build: TaskBuild, dag: DagBuild, node: cst.CSTNode) -> TaskRef:
        self.check_key("task", build.task_id, node, build.task_id)
        if build.task_id in dag.tasks:
            raise StaticError("KFM114", f"duplicate task id {build.task_id!r} in DAG {dag.dag_id!r}: second definition ignored", node)
        build.group = tuple(frame.group_id for frame in self.group_stack)
        dag.tasks[build.task_id] = build
        for frame in self.group_stack:
            frame.members.append(build.task_id)
        return TaskRef(build.task_id)

    def merged_args(self, dag: DagBuild, kwargs: Dict[str, Any]) -> Dict[str, Any]:
        merged: Dict[str, Any] = {}
        dag_defaults = dag.kwargs.get("default_args")
        if isinstance(dag_defaults, dict):
            merged.update(dag_defaults)
        if self.group_stack:
            merged.update(self.group_stack[-1].default_args)
        if isinstance(kwargs.get("default_args"), dict):
            merged.update(kwargs["default_args"])
        merged.update({k: v for k, v in kwargs.items() if k != "default_args"})
        return merged

    def create_operator(self, cls: Any, kwargs: Dict[str, Any], node: cst.CSTNode,
                        mapping: Optional[ir.Mapping_] = None) -> TaskRef:
        dag = self.current_dag(node, kwargs.get("dag"))
        task_id = kwargs.get("task_id")
        if not isinstance(task_id, str):
            raise StaticError("KFM111", f"task id cannot be resolved statically: {self.code(node)}", node)
        operator_file = None
        if isinstance(cls, LocalClass):
            cls, kwargs, operator_file = self.local_operator(cls, kwargs, node, task_id)
        name, module = (cls.name, cls.module) if isinstance(cls, Imported) else (cls.name, "<this file>")
        if isinstance(cls, LocalClass) and cls.home is not None and cls.home.module_name:
            module = cls.home.module_name
        fn, bound = kwargs.get("python_callable"), None
        if isinstance(fn, Partial):  # functools.partial(f, x=1): bound to the callable as in Airflow, not op_kwargs
            bound = self.flatten_partial(fn, node, task_id)
            fn = bound.func
        args = self.merged_args(dag, {k: v for k, v in kwargs.items() if k not in OPERATOR_META_ARGS})
        callable_source = None
        if fn is not None:
            callable_source = self.lift(fn, node)
        build = TaskBuild(self.full_task_id(task_id), name, module, args, node, callable=callable_source, mapping=mapping,
                          operator_file=operator_file, bound=bound)
        ref = self.add_task(build, dag, node)
        self.add_data_edges(dag, ref.task_id, list(kwargs.values()), mapping)
        return ref

    def flatten_partial(self, bound: Partial, node: cst.CSTNode, task_id: str) -> Partial:
        """partial(partial(f, a), b=1) -> partial(f, a, b=1), reported once."""
        while isinstance(bound.func, Partial):
            inner = bound.func
            bound = Partial(inner.func, inner.args + bound.args, {**inner.kwargs, **bound.kwargs})
        name = bound.func.func.name.value if isinstance(bound.func, (LocalFunction, TaskFlowDef)) else self.code(node)
        self.diag("KFM127", f"python_callable is functools.partial({name}, ...): the component binds the same arguments "
                  "to the callable", node, INFO, task_id=task_id)
        return bound

    def local_operator(self, cls: LocalClass, kwargs: Dict[str, Any], node: cst.CSTNode, task_id: str) -> Tuple[Any, Dict[str, Any], Optional[str]]:
        """(class, arguments, file) a task of a local operator class is built as. A subclass of a known operator
        whose execute() is its base's converts through the base's mapping with the arguments its __init__
        passes on (`super().__init__(image=..., **kwargs)`); one that overrides execute() runs as itself."""
        chain: List[LocalClass] = []
        base: Any = cls
        while isinstance(base, LocalClass) and base.node is not None and len(chain) < 16:
            chain.append(base)
            home = base.home or self
            bases = [home.eval_guarded(arg.value, home.module_scope) for arg in base.node.bases if arg.keyword is None]
            base = next((b for b in bases if isinstance(b, (LocalClass, Imported))), None)
        home = cls.home or self
        file = home.path if home is not self.state.modules[0] else None
        methods = [stmt.name.value for c in chain for stmt in c.node.body.body if isinstance(stmt, cst.FunctionDef)]
        where = self.where(cls)
        if not isinstance(base, Imported) or not names.is_airflow(base.qualname) and not isinstance(base, _Airflow1Missing):
            return cls, kwargs, file
        if "execute" in methods:
            if file is None:
                return cls, kwargs, None  # a class of the DAG file itself: the shim carries it as before
            self.diag("KFM125", f"{cls.name} ({where}) overrides execute() of {base.name}: it runs as itself through the "
                      "operator shim, with its code from that file", node, INFO, task_id=task_id)
            return cls, kwargs, file
        for local in chain:
            init = next((s for s in local.node.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
            if init is None:
                continue
            passed = self.run_init(local, init, kwargs, node)
            if passed is None:
                self.diag("KFM125", f"{local.name}.__init__ ({self.where(local)}) passes no keyword arguments to "
                          f"super().__init__() that can be read statically: the task's own arguments are used", node, task_id=task_id)
                break
            kwargs = passed
        other = sorted(set(methods) - {"__init__"} - _HARMLESS_METHODS)
        message = (f"{cls.name} ({where}) is a local subclass of {base.name}: converted through {base.name}'s mapping "
                   "with the arguments its __init__ passes on")
        if other:
            self.diag("KFM125", message + f"; its {', '.join(m + '()' for m in other)} are not carried over", node, task_id=task_id)
        else:
            self.diag("KFM125", message, node, INFO, task_id=task_id)
        return base, kwargs, None

    def run_init(self, cls: LocalClass, init: cst.FunctionDef, kwargs: Dict[str, Any], node: cst.CSTNode) -> Optional[Dict[str, Any]]:
        """The keyword arguments `cls.__init__(self, **kwargs)` passes to super().__init__, or None."""
        sink = _SuperCall()
        function = LocalFunction(init, {}, cls.home or self)
        meta = {k: v for k, v in kwargs.items() if k in ("task_id", "dag", "task_group")}
        self.follow(function, [sink], dict(kwargs), node, Scope((cls.home or self).module_scope))
        if sink.kwargs is None:
            return None
        return {**meta, **sink.kwargs}

    def add_data_edges(self, dag: DagBuild, task_id: str, values: List[Any], mapping: Optional[ir.Mapping_]) -> None:
        """XComArgs passed to a task make it depend on their producers, as in Airflow."""
        upstream = [ref.task_id for value in values for ref in _task_outputs_in(value)]
        if mapping is not None:
            sources = list(mapping.over.values()) + ([mapping.kwargs_source] if mapping.kwargs_source else [])
            upstream += [v.task_id for source in sources for v in _ir_outputs_in(source)]
        for up in upstream:
            if up in dag.tasks:
                dag.add_edge(up, task_id, "data")

    def lift(self, fn: Any, node: cst.CSTNode) -> Optional[ir.CallableSource]:
        if isinstance(fn, Partial):
            return self.lift(fn.func, node)
        if isinstance(fn, LambdaValue):
            home = self.owner(fn.node)
            return home.absolute_imports(lift_lambda(fn.node, home.module, home.index, self.span(fn.node), dict(fn.enclosing)))
        if isinstance(fn, (LocalFunction, TaskFlowDef)):
            home = fn.home or self
            lifted = home.absolute_imports(lift_callable(fn.func, home.module, home.index, home.span(fn.func), fn.enclosing))
            return self.with_closure(lifted, getattr(fn, "closure", None) or {}, node)
        return None  # the mapper reports the missing callable on its task (KFM117)

    def with_closure(self, lifted: ir.CallableSource, closure: Dict[str, Any], node: cst.CSTNode) -> Optional[ir.CallableSource]:
        """A function built by a helper (`def make(x): def run(): return x; return run`) reads `x` from its
        closure: literal values travel as assignments; anything else cannot be carried (None: KFM117)."""
        if not closure:
            return lifted
        from migrate.parse.callables import names_read

        used = (names_read(lifted.source) or set()) - set(lifted.params) - {lifted.var_keyword, lifted.name}
        lines = []
        for name in sorted(used & set(closure)):
            value = to_value(closure[name])
            if not isinstance(value, ir.Literal):
                self.diag("KFM117", f"{lifted.name} reads {name!r} from the function that built it, and its value is not "
                          "known statically: the callable cannot be carried", node)
                return None
            lines.append(f"{name} = {value.value!r}")
        if not lines:
            return lifted
        import dataclasses

        return dataclasses.replace(lifted, prelude=tuple(lines) + lifted.prelude)

    def absolute_imports(self, lifted: ir.CallableSource) -> ir.CallableSource:
        """A callable from a project module keeps its relative imports (`from .utils import x`) working
        where it is carried: they are made absolute (`from common.utils import x`)."""
        if not self.module_name or not any(line.lstrip().startswith("from .") for line in lifted.prelude):
            return lifted
        import dataclasses

        def fix(line: str) -> str:
            match = re.match(r"(\s*)from\s+(\.+[\w.]*)\s+import\s", line)
            if not match:
                return line
            return line[: match.start(2)] + self.absolute(match.group(2)) + line[match.end(2):]

        return dataclasses.replace(lifted, prelude=tuple(fix(line) for line in lifted.prelude))

    def call_taskflow(self, definition: TaskFlowDef, overrides: Dict[str, Any], args: List[Any],
                      kwargs: Dict[str, Any], node: cst.CSTNode, mapping: Optional[ir.Mapping_] = None) -> TaskRef:
        dag = self.current_dag(node)
        settings = {**definition.decorator_kwargs, **overrides}
        base_id = settings.pop("task_id", None) or definition.func.name.value
        if not isinstance(base_id, str):
            raise StaticError("KFM111", f"task id cannot be resolved statically: {self.code(node)}", node)
        task_id = self.full_task_id(base_id)
        if task_id in dag.tasks:  # Airflow suffixes repeated TaskFlow calls: f, f__1, f__2
            count = dag.taskflow_counts.get(task_id, 0) + 1
            while f"{task_id}__{count}" in dag.tasks:
                count += 1
            dag.taskflow_counts[task_id] = count
            task_id = f"{task_id}__{count}"
        multiple = settings.pop("multiple_outputs", None)
        if multiple is None:
            multiple = _returns_dict(definition.func)
        args_merged = self.merged_args(dag, settings)
        build = TaskBuild(
            task_id, definition.kind, definition.module, args_merged, node,
            callable=self.lift(definition, node),
            call_args=tuple(args), call_kwargs=dict(kwargs), mapping=mapping, multiple_outputs=bool(multiple),
            is_setup=definition.is_setup or bool(settings.get("__setup__")),
            is_teardown=definition.is_teardown or bool(settings.get("__teardown__")),
        )
        ref = self.add_task(build, dag, node)
        self.add_data_edges(dag, ref.task_id, list(args) + list(kwargs.values()) + list(settings.values()), mapping)
        return ref

    # ---- dependencies
    def task_ids(self, value: Any, side: str, node: cst.CSTNode) -> List[str]:
        """Tasks a dependency operand stands for; groups give their roots (downstream side) or leaves."""
        if isinstance(value, TaskRef):
            return [value.task_id]
        if isinstance(value, GroupRef):
            dag = self.current_dag(node) if self.dag_stack else self._dag_with_group(value.group_id)
            return group_ends(dag, value.group_id, side)
        if isinstance(value, (list, tuple, set)):
            out: List[str] = []
            for item in value:
                out.extend(self.task_ids(item, side, node))
            return out
        if isinstance(value, LabelValue):
            return []
        if isinstance(value, Opaque):  # e.g. a task built by a helper that could not be followed: say why
            raise StaticError("KFM113", f"dependency on a value that is not known statically: {value.source}"
                              + (f" ({value.reason})" if value.reason else ""), node)
        raise StaticError("KFM113", f"dependency on something that is not a task: {self.code(node)}", node)

    def _dag_with_group(self, group_id: str) -> DagBuild:
        for dag in reversed(self.dags):
            if group_id in dag.groups:
                return dag
        raise StaticError("KFM113", f"unknown task group {group_id!r}", None)

    def _dag_of(self, task_ids: Iterable[str], node: cst.CSTNode) -> DagBuild:
        ids = list(task_ids)
        for dag in reversed(self.dags):
            if ids and all(t in dag.tasks for t in ids):
                return dag
        return self.current_dag(node)

    def link(self, upstream: Any, downstream: Any, node: cst.CSTNode) -> None:
        ups = self.task_ids(upstream, "up", node)
        downs = self.task_ids(downstream, "down", node)
        if not ups or not downs:
            return
        dag = self._dag_of(ups + downs, node)
        for up in ups:
            for down in downs:
                dag.add_edge(up, down)

    def chain(self, items: List[Any], node: cst.CSTNode) -> None:
        """airflow chain(): consecutive items linked; two lists of equal length are linked pairwise."""
        items = [item for item in items if not isinstance(item, LabelValue)]
        for left, right in zip(items, items[1:]):
            if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
                if len(left) != len(right):
                    raise StaticError("KFM113", "chain() of two lists of different lengths", node)
                for a, b in zip(left, right):
                    self.link(a, b, node)
            else:
                self.link(left, right, node)

    # ---- expressions
    def eval_guarded(self, node: cst.BaseExpression, scope: Scope) -> Any:
        try:
            return self.eval(node, scope)
        except StaticError as err:
            if err.code in ("KFM111", "KFM113", "KFM114", "KFM115", "KFM116", "KFM112"):
                raise
            return Opaque(self.code(node), err.message)

    def eval(self, node: cst.BaseExpression, scope: Scope) -> Any:
        method = getattr(self, f"eval_{type(node).__name__}", None)
        if method is None:
            return Opaque(self.code(node), f"{type(node).__name__} is not evaluated statically")
        return method(node, scope)

    def eval_Integer(self, node, scope):
        return int(node.value.replace("_", ""), 0) if not node.value.startswith("0") or node.value == "0" or node.value[:2].lower() in ("0x", "0o", "0b") else int(node.value.replace("_", ""))

    def eval_Float(self, node, scope):
        return float(node.value.replace("_", ""))

    def eval_Imaginary(self, node, scope):
        return Opaque(self.code(node), "complex number")

    def eval_SimpleString(self, node, scope):
        value = node.evaluated_value
        return value if isinstance(value, str) else Opaque(self.code(node), "bytes literal")

    def eval_ConcatenatedString(self, node, scope):
        left, right = self.eval(node.left, scope), self.eval(node.right, scope)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return Opaque(self.code(node), "string with unknown parts")

    def xcom_template(self, ref: TaskRef) -> str:
        """`str(xcom_arg)` or an XComArg in an f-string: Airflow's XComArg.__str__, a Jinja xcom_pull
        rendered when the task runs."""
        dag_id = self.dag_stack[-1].dag_id if self.dag_stack else ""
        return f"{{{{ task_instance.xcom_pull(task_ids='{ref.task_id}', dag_id='{dag_id}', key='{ref.key}') }}}}"

    def eval_FormattedString(self, node, scope):
        out = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value
                # f-string text keeps doubled braces; Python collapses them at run time
                out.append(text.replace("{{", "{").replace("}}", "}"))
                continue
            value = self.eval(part.expression, scope)
            if _is_unknown(value):
                return Opaque(self.code(node), f"f-string part {self.code(part.expression)} is not static")
            spec = ""
            if part.format_spec:
                spec_parts = []
                for sp in part.format_spec:
                    if isinstance(sp, cst.FormattedStringText):
                        spec_parts.append(sp.value)
                    else:
                        inner = self.eval(sp.expression, scope)
                        if _is_unknown(inner):
                            return Opaque(self.code(node), "f-string format spec is not static")
                        spec_parts.append(str(inner))
                spec = "".join(spec_parts)
            if isinstance(value, TaskRef) and part.conversion in (None, "s"):
                value = self.xcom_template(value)
            if part.conversion == "r":
                value = repr(value)
            elif part.conversion == "a":
                value = ascii(value)
            elif part.conversion == "s":
                value = str(value)
            try:
                out.append(format(value, spec))
            except (ValueError, TypeError):
                return Opaque(self.code(node), "f-string format not understood")
        return "".join(out)

    def eval_Name(self, node, scope):
        name = node.value
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        try:
            return scope.lookup(name)
        except KeyError:
            pass
        qual = self.imports.qualify(name)
        if qual:
            return self.imported(qual)
        if name in _BUILTINS:
            return _Builtin(name)
        if name == "__file__":
            return self.path
        if name == "super":
            return _BoundMethod(scope, "super")
        return Opaque(name, f"name {name!r} is not defined statically")

    def eval_Attribute(self, node, scope):
        attr = node.attr.value
        base = self.eval(node.value, scope)
        if isinstance(base, Imported):
            if names.is_airflow(base.qualname) and base.name in _STR_ENUMS:
                return attr.lower()
            if attr == "partial" and base.name[:1].isupper():  # Operator.partial(...).expand(...)
                return _BoundMethod(base, attr)
            return Imported(f"{base.qualname}.{attr}")
        if isinstance(base, ModuleRef):
            return self.module_attribute(base, attr)
        if isinstance(base, _PathValue):
            return base.attribute(attr, self.code(node))
        if isinstance(base, _SuperCall) and attr == "__init__":
            return _BoundMethod(base, attr)
        if isinstance(base, _FileValue) and attr in ("read", "readlines"):
            return _BoundMethod(base, attr)
        if isinstance(base, TaskRef):
            if attr == "output":
                return TaskRef(base.task_id)
            if attr == "task_id":  # e.g. ExternalTaskSensor(external_task_id=other_dag_task.task_id)
                return base.task_id
            return _BoundMethod(base, attr)
        if isinstance(base, (TaskFlowDef, GroupDef, Override, LocalClass)):
            return _BoundMethod(base, attr)
        if isinstance(base, GroupRef):
            return _BoundMethod(base, attr)
        if isinstance(base, ContextDag):
            if attr == "dag_id":
                return base.dag_id
            return _BoundMethod(base, attr)
        if isinstance(base, (dict, list, str)) and attr in _CONTAINER_METHODS:
            return _BoundMethod(base, attr)
        if isinstance(base, Duration) and attr == "total_seconds":
            return _BoundMethod(base, attr)
        if isinstance(base, Opaque) and base.reason:
            return Opaque(self.code(node), base.reason)
        return Opaque(self.code(node), f"attribute {attr!r} is not evaluated statically")

    def eval_Subscript(self, node, scope):
        base = self.eval(node.value, scope)
        if isinstance(base, Opaque) and base.reason:  # keep saying why (an unset variable, a missing file)
            return Opaque(self.code(node), base.reason)
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Slice) and isinstance(base, (list, tuple, str)):
                sl = node.slice[0].slice
                bounds = [self.eval(x, scope) if x is not None else None for x in (sl.lower, sl.upper, sl.step)]
                if all(b is None or isinstance(b, int) for b in bounds):
                    return base[slice(*bounds)]
            return Opaque(self.code(node), "subscript not evaluated statically")
        key = self.eval(node.slice[0].slice.value, scope)
        if isinstance(base, Imported) and base.qualname == "os.environ":
            return self.environment(key, node)
        if isinstance(base, TaskRef) and isinstance(key, str):
            return TaskRef(base.task_id, key)
        if isinstance(base, (dict, list, tuple, str)) and not _is_unknown(key):
            try:
                return base[key]
            except (KeyError, IndexError, TypeError):
                return Opaque(self.code(node), "subscript out of range")
        return Opaque(self.code(node), "subscript not evaluated statically")

    def eval_List(self, node, scope):
        return self._elements(node.elements, scope)

    def eval_Tuple(self, node, scope):
        return tuple(self._elements(node.elements, scope))

    def eval_Set(self, node, scope):
        return self._elements(node.elements, scope)

    def _elements(self, elements, scope) -> list:
        out = []
        for element in elements:
            value = self.eval(element.value, scope)
            if isinstance(element, cst.StarredElement):
                if isinstance(value, (list, tuple, range, dict, str)):
                    out.extend(value)
                else:
                    out.append(Opaque(self.code(element), "starred value not static"))
            else:
                out.append(value)
        return out

    def eval_Dict(self, node, scope):
        out = {}
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                value = self.eval(element.value, scope)
                if isinstance(value, dict):
                    out.update(value)
                else:
                    out[f"**{self.code(element.value)}"] = Opaque(self.code(element.value))
                continue
            key = self.eval(element.key, scope)
            if _is_unknown(key) or isinstance(key, (list, dict)):
                key = Opaque(self.code(element.key))
            out[key] = self.eval(element.value, scope)
        return out

    def eval_UnaryOperation(self, node, scope):
        value = self.eval(node.expression, scope)
        if _is_unknown(value):
            return Opaque(self.code(node))
        op = type(node.operator).__name__
        try:
            if op == "Minus":
                return -value
            if op == "Plus":
                return +value
            if op == "Not":
                return not value
            if op == "BitInvert":
                return ~value
        except TypeError:
            pass
        return Opaque(self.code(node))

    def eval_BooleanOperation(self, node, scope):
        left = self.eval(node.left, scope)
        if _is_unknown(left):
            return Opaque(self.code(node))
        if isinstance(node.operator, cst.And):
            return self.eval(node.right, scope) if left else left
        return left if left else self.eval(node.right, scope)

    def eval_Comparison(self, node, scope):
        left = self.eval(node.left, scope)
        for target in node.comparisons:
            right = self.eval(target.comparator, scope)
            if _is_unknown(left) or _is_unknown(right):
                return Opaque(self.code(node))
            op = type(target.operator).__name__
            try:
                ok = {
                    "Equal": lambda a, b: a == b, "NotEqual": lambda a, b: a != b,
                    "LessThan": lambda a, b: a < b, "LessThanEqual": lambda a, b: a <= b,
                    "GreaterThan": lambda a, b: a > b, "GreaterThanEqual": lambda a, b: a >= b,
                    "In": lambda a, b: a in b, "NotIn": lambda a, b: a not in b,
                    "Is": lambda a, b: a is b, "IsNot": lambda a, b: a is not b,
                }[op](left, right)
            except (TypeError, KeyError):
                return Opaque(self.code(node))
            if not ok:
                return False
            left = right
        return True

    def eval_IfExp(self, node, scope):
        test = self.eval(node.test, scope)
        if _is_unknown(test):
            return Opaque(self.code(node))
        return self.eval(node.body if test else node.orelse, scope)

    def eval_BinaryOperation(self, node, scope):
        op = node.operator
        if isinstance(op, (cst.RightShift, cst.LeftShift)):
            left = self.eval(node.left, scope)
            right = self.eval(node.right, scope)
            if isinstance(left, (int, bool)) and isinstance(right, int):
                return left >> right if isinstance(op, cst.RightShift) else left << right
            # an edge Label passes through: `a >> Label("x") >> b` links a to b
            if isinstance(left, _Labelled):
                left = left.tasks
            if isinstance(right, LabelValue):
                return _Labelled(left)
            if isinstance(op, cst.RightShift):
                self.link(left, right, node)
            else:
                self.link(right, left, node)
            return right
        left = self.eval(node.left, scope)
        right = self.eval(node.right, scope)
        return self.binary(op, left, right, node)

    def binary(self, op, left, right, node):
        if isinstance(left, _PathValue) and isinstance(right, (str, _PathValue)) and type(op).__name__ == "Divide":
            import posixpath

            return _PathValue(posixpath.join(left.path, right.path if isinstance(right, _PathValue) else right))
        if _is_unknown(left) or _is_unknown(right):
            return Opaque(self.code(node))
        if isinstance(left, Duration) or isinstance(right, Duration):
            return _duration_arith(op, left, right) or Opaque(self.code(node))
        try:
            name = type(op).__name__
            if name in ("Add", "AddAssign"):
                return left + right
            if name in ("Subtract", "SubtractAssign"):
                return left - right
            if name in ("Multiply", "MultiplyAssign"):
                if isinstance(left, (list, str)) and isinstance(right, int) and len(left) * right > 1_000_000:
                    return Opaque(self.code(node), "too large")
                return left * right
            if name in ("Divide", "DivideAssign"):
                return left / right
            if name in ("FloorDivide", "FloorDivideAssign"):
                return left // right
            if name in ("Modulo", "ModuloAssign"):
                return left % right
            if name in ("Power", "PowerAssign"):
                if isinstance(right, int) and right > 64:
                    return Opaque(self.code(node), "too large")
                return left ** right
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            pass
        return Opaque(self.code(node))

    def eval_ListComp(self, node, scope):
        return self._comprehension(node, scope, lambda s: self.eval(node.elt, s), list)

    def eval_GeneratorExp(self, node, scope):
        return self._comprehension(node, scope, lambda s: self.eval(node.elt, s), list)

    def eval_SetComp(self, node, scope):
        return self._comprehension(node, scope, lambda s: self.eval(node.elt, s), list)

    def eval_DictComp(self, node, scope):
        pairs = self._comprehension(node, scope, lambda s: (self.eval(node.key, s), self.eval(node.value, s)), list)
        if isinstance(pairs, Opaque):
            return pairs
        return {k: v for k, v in pairs if not isinstance(k, (list, dict))}

    def _comprehension(self, node, scope, element, kind):
        results: List[Any] = []
        inner = Scope(scope)

        def walk(clause: Optional[cst.CompFor]) -> None:
            if clause is None:
                results.append(element(inner))
                return
            iterable = self.eval(clause.iter, inner)
            for item in self.iterate(iterable, clause.iter):
                self.bind(clause.target, item, inner, clause)
                if all(self._truthy(cond.test, inner) for cond in clause.ifs):
                    walk(clause.inner_for_in)

        try:
            walk(node.for_in)
        except StaticError as err:
            if self.dag_stack:
                raise StaticError("KFM112", f"comprehension over a value that cannot be resolved statically: {self.code(node)}", node) from err
            return Opaque(self.code(node), err.message)
        return kind(results)

    def _truthy(self, test, scope) -> bool:
        value = self.eval(test, scope)
        if _is_unknown(value):
            raise StaticError("KFM112", f"comprehension condition is not static: {self.code(test)}", test)
        return bool(value)

    def eval_Lambda(self, node, scope):
        return LambdaValue(node, self.code(node), tuple(scope.enclosing_sources().items()))

    def eval_NamedExpr(self, node, scope):
        value = self.eval(node.value, scope)
        self.bind(node.target, value, scope, node)
        return value

    # ---- calls
    def eval_args(self, args: Sequence[cst.Arg], scope: Scope) -> Tuple[List[Any], Dict[str, Any]]:
        positional: List[Any] = []
        keywords: Dict[str, Any] = {}
        for arg in args:
            value = self.eval(arg.value, scope)
            if arg.keyword is not None:
                keywords[arg.keyword.value] = value
            elif arg.star == "*":
                if isinstance(value, (list, tuple, range)):
                    positional.extend(value)
                else:
                    raise StaticError("KFM110", f"*args not static: {self.code(arg.value)}", arg)
            elif arg.star == "**":
                if isinstance(value, dict):
                    keywords.update({str(k): v for k, v in value.items()})
                else:
                    raise StaticError("KFM110", f"**kwargs not static: {self.code(arg.value)}", arg)
            else:
                positional.append(value)
        return positional, keywords

    def eval_kwargs(self, args: Sequence[cst.Arg], scope: Scope) -> Dict[str, Any]:
        positional, keywords = self.eval_args(args, scope)
        if positional:
            keywords["__positional__"] = positional
        return keywords

    def eval_Call(self, node: cst.Call, scope: Scope) -> Any:
        callee = self.eval(node.func, scope)
        args, kwargs = self.eval_args(node.args, scope)
        return self.apply(callee, args, kwargs, node, scope)

    def apply(self, callee: Any, args: List[Any], kwargs: Dict[str, Any], node: cst.Call, scope: Scope) -> Any:
        home = getattr(callee, "home", None)
        if isinstance(callee, Override):
            home = getattr(callee.target, "home", None)
        if home is not None and home is not self and isinstance(callee, (TaskFlowDef, GroupDef, DagDef, Override)):
            return self.in_home(home, lambda h: h.apply(callee, args, kwargs, node, h.module_scope))
        if isinstance(callee, TaskDecorator):
            if args and not kwargs:
                return self.apply_task_decorator(callee, args[0])
            return TaskDecorator(callee.kind, {**callee.kwargs, **kwargs}, callee.module)
        if isinstance(callee, Partial):
            return self.apply(callee.func, list(callee.args) + list(args), {**callee.kwargs, **kwargs}, node, scope)
        if isinstance(callee, TaskFlowDef):
            return self.call_taskflow(callee, {}, args, kwargs, node)
        if isinstance(callee, Override):
            return self.apply_override(callee, args, kwargs, node, scope)
        if isinstance(callee, GroupDef):
            return self.run_group_function(callee, args, kwargs, {}, node)
        if isinstance(callee, DagDef):
            return self.run_dag_function(callee, args, kwargs, node)
        if isinstance(callee, _BoundMethod):
            return self.call_method(callee, args, kwargs, node, scope)
        if isinstance(callee, _Builtin):
            return callee.call(self, args, kwargs, node)
        if isinstance(callee, LocalFunction):
            return self.follow(callee, args, kwargs, node, scope)
        if isinstance(callee, Imported):
            return self.call_imported(callee, args, kwargs, node, scope)
        if isinstance(callee, LocalClass):
            if "task_id" in kwargs:
                return self.create_operator(callee, kwargs, node)
            return Opaque(self.code(node), "instance of a class defined in this project")
        if isinstance(callee, ModuleRef):
            return Opaque(self.code(node), f"module {callee.name} is not callable")
        if isinstance(callee, _Unreadable):
            self.unfollowed.append((node, "KFM120", callee.reason))
            return Opaque(self.code(node), callee.reason)
        return Opaque(self.code(node), "result of a call that is not evaluated statically")

    def call_imported(self, callee: Imported, args, kwargs, node, scope) -> Any:
        name, qual = callee.name, callee.qualname
        airflow = names.is_airflow(qual)
        if name in names.DAG_CLASSES and airflow:
            dag_id = kwargs.pop("dag_id", args[0] if args else None)
            return ContextDag(self.open_dag(dag_id, kwargs, node).dag_id)
        if name in names.GROUP_CLASSES and airflow:
            group_id = kwargs.pop("group_id", args[0] if args else None)
            return _GroupStart(group_id, kwargs)
        if name in names.CHAIN_FUNCS and airflow:
            if name == "chain_linear":  # every element of one step precedes every element of the next
                for left, right in zip(args, args[1:]):
                    self.link(left, right, node)
            else:
                self.chain(list(args), node)
            return None
        if name in names.CROSS_FUNCS and airflow:
            from_tasks = kwargs.get("from_tasks", args[0] if args else [])
            to_tasks = kwargs.get("to_tasks", args[1] if len(args) > 1 else [])
            self.link(list(from_tasks), list(to_tasks), node)
            return None
        if name in names.PARAM_CLASSES and airflow:
            default = kwargs.get("default", args[0] if args else None)
            type_ = kwargs.get("type")
            if isinstance(type_, list):
                type_ = next((t for t in type_ if t != "null"), None)
            return ParamSpec(default, type_ if isinstance(type_, str) else None, kwargs.get("description") if isinstance(kwargs.get("description"), str) else None)
        if name in names.LABEL_CLASSES and airflow:
            return LabelValue(str(args[0]) if args else "")
        if name in names.XCOMARG_CLASSES and airflow and args and isinstance(args[0], TaskRef):
            key = kwargs.get("key", args[1] if len(args) > 1 else "return_value")
            return TaskRef(args[0].task_id, key if isinstance(key, str) else "return_value")
        decorator = _task_decorator_kind(qual) if airflow else None
        if decorator is not None:  # task(fn), task(retries=2), task.virtualenv(...): decorators used as values
            kind, module = decorator
            if args and isinstance(args[0], LocalFunction) and kind in ("@task", "@setup", "@teardown"):
                return self.apply_task_decorator(TaskDecorator(kind, kwargs, module), args[0])
            if not args:
                return TaskDecorator(kind, kwargs, module)
        if qual == "functools.partial" and args:
            return Partial(args[0], tuple(args[1:]), dict(kwargs))
        data = self.project_data_call(qual, args, kwargs, node)
        if data is not _NOT_DATA:
            return data
        if qual in ("textwrap.dedent", "inspect.cleandoc") and len(args) == 1 and isinstance(args[0], str):
            import inspect
            import textwrap

            return textwrap.dedent(args[0]) if name == "dedent" else inspect.cleandoc(args[0])
        if qual in ("pathlib.Path", "pathlib.PurePath") and args and isinstance(args[0], str):
            return _PathValue(args[0].replace("\\", "/"))
        if qual in ("os.path.basename", "os.path.dirname", "os.path.splitext") and args and isinstance(args[0], str):
            import posixpath

            result = getattr(posixpath, name)(args[0])
            return list(result) if isinstance(result, tuple) else result
        if qual in ("datetime.timedelta", "pendulum.duration") or (name == "timedelta" and qual.startswith("datetime")):
            return _make_duration(kwargs, args) or Opaque(self.code(node))
        if name in ("datetime", "DateTime") and qual.split(".")[0] in ("datetime", "pendulum") or qual == "pendulum.datetime":
            return _make_datetime(args, kwargs) or Opaque(self.code(node))
        if qual in ("pendulum.today", "pendulum.now", "pendulum.yesterday", "airflow.utils.dates.days_ago",
                    "datetime.datetime.now", "datetime.datetime.today", "datetime.datetime.utcnow"):
            return Opaque(self.code(node), "time-dependent value")
        if "task_id" in kwargs and (self.dag_stack or isinstance(kwargs.get("dag"), ContextDag)):
            if isinstance(callee, _Airflow1Missing):
                self.diag("KFM126", f"{callee.name} is imported from {callee.module} (Airflow 1's plugin manager, removed in "
                          f"Airflow 2) and no class {callee.name} is defined in the project's plugins ({callee.looked_in}): "
                          f"the task cannot be built; add the plugin's folder with --path or import the class from its module",
                          node, task_id=kwargs.get("task_id") if isinstance(kwargs.get("task_id"), str) else None)
            return self.create_operator(callee, kwargs, node)
        if name.endswith(("Operator", "Sensor")) and self.dag_stack:
            raise StaticError("KFM111", f"operator without a static task_id: {self.code(node)}", node)
        return Opaque(self.call_code(node, args, kwargs), self.unknown_call(qual, node))

    def call_code(self, node: cst.Call, args: List[Any], kwargs: Dict[str, Any]) -> str:
        """The call's source with its arguments as evaluated where the call runs: a name bound to a
        literal (a module constant, even one assigned several times) is written as that literal, a
        nested call as its own resolved source. Mappers read this text (Secret(secret=name, ...))."""
        if any(arg.star for arg in node.args):
            return self.code(node)
        parts, changed, position = [], False, 0
        for arg in node.args:
            if arg.keyword is None:
                value, position = (args[position] if position < len(args) else None), position + 1
            else:
                value = kwargs.get(arg.keyword.value)
            text = self.code(arg.value)
            if isinstance(arg.value, (cst.Name, cst.Attribute)) and text not in ("True", "False", "None") \
                    and _is_literal(value):
                text, changed = repr(value), True
            elif isinstance(value, Opaque) and value.source != text:
                text, changed = value.source, True
            parts.append(text if arg.keyword is None else f"{arg.keyword.value}={text}")
        return f"{self.code(node.func)}({', '.join(parts)})" if changed else self.code(node)

    # ---- config files and the environment, read as data (never executed)
    def project_data_call(self, qual: str, args: List[Any], kwargs: Dict[str, Any], node: cst.CSTNode) -> Any:
        """json.load(f), yaml.safe_load(f), tomllib.load(f), os.environ.get(K, default), os.path.join(...),
        glob.glob(...): what DAG files use to read their configuration. _NOT_DATA for any other call."""
        if any(_is_unknown(a) for a in args):
            if qual in _DATA_CALLS:
                unknown = next(a for a in args if _is_unknown(a))
                return Opaque(self.code(node), unknown.reason or unknown.source)
            return _NOT_DATA
        if qual in ("os.environ.get", "os.getenv"):
            key = args[0] if args else kwargs.get("key")
            has_default = len(args) > 1 or "default" in kwargs
            default = args[1] if len(args) > 1 else kwargs.get("default")
            return self.environment(key, node, default, has_default)
        if qual in ("os.path.join", "posixpath.join") and args and all(isinstance(a, (str, _PathValue)) for a in args):
            import posixpath

            return posixpath.join(*(a.path if isinstance(a, _PathValue) else a for a in args))
        if qual in ("os.path.abspath", "os.path.realpath", "os.path.normpath") and args and isinstance(args[0], (str, _PathValue)):
            path = args[0].path if isinstance(args[0], _PathValue) else args[0]
            return _os.path.normpath(path) if qual.endswith("normpath") else _os.path.abspath(path)
        if qual in ("os.path.exists", "os.path.isfile", "os.path.isdir") and args and isinstance(args[0], str):
            return getattr(_os.path, qual.rsplit(".", 1)[1])(args[0])
        if qual in ("glob.glob", "os.listdir") and (args and isinstance(args[0], str) or qual == "os.listdir" and not args):
            return self.list_files(qual, args[0] if args else ".", node)
        loader = _LOADERS.get(qual)
        if loader is None:
            return _NOT_DATA
        kind, from_text = loader
        source = args[0] if args else next(iter(kwargs.values()), None)
        if isinstance(source, str) and from_text:
            return self.parse_data(source, kind, node)
        if isinstance(source, _PathValue) and qual in ("toml.load",):
            source = _FileValue(source.path)
        if isinstance(source, _FileValue):
            return self.read_data(source.path, kind, node)
        return Opaque(self.code(node), f"{qual}() of a value that is not a project file")

    def environment(self, key: Any, node: cst.CSTNode, default: Any = None, has_default: bool = False) -> Any:
        if not isinstance(key, str):
            return Opaque(self.code(node), "environment variable with a name that is not known statically")
        value = self.project.getenv(key) if self.project is not None else _os.environ.get(key)
        if value is not None:
            return value
        if has_default:
            self.diag("KFM124", f"environment variable {key} is not set here: its default {default!r} is used "
                      f"(pass --env {key}=... for the value your Airflow deployment has)", node, INFO)
            return default
        # no diagnostic here: wherever the value matters (a loop, an open(), a task argument) its reason names the variable
        return Opaque(self.code(node), f"environment variable {key} is not set (pass --env {key}=...)")

    def open_file(self, args: List[Any], kwargs: Dict[str, Any], node: cst.CSTNode) -> Any:
        path = args[0] if args else kwargs.get("file")
        mode = args[1] if len(args) > 1 else kwargs.get("mode", "r")
        if isinstance(path, _PathValue):
            path = path.path
        if not isinstance(path, str) or not isinstance(mode, str) or any(c in mode for c in "wax+"):
            reason = path.reason if isinstance(path, Opaque) and path.reason else "a file that is not known statically"
            return Opaque(self.code(node), f"open() of {reason}")
        return _FileValue(path)

    def checked_path(self, path: str, node: cst.CSTNode) -> Optional[str]:
        """The path when it is a file of the project that may be read as data, else a diagnostic and None."""
        if self.project is not None and not self.project.inside(path):
            self.diag("KFM123", f"{path} is outside the project: not read (add its folder with --path)", node)
            return None
        return path

    def read_data(self, path: str, kind: str, node: cst.CSTNode) -> Any:
        from migrate.parse.project import ConfigError, read_config

        if self.checked_path(path, node) is None:
            return Opaque(self.code(node), f"{path} is outside the project")
        try:
            data = read_config(path, kind)
        except ConfigError as err:
            self.diag("KFM123", f"config file {path} cannot be read as {kind.upper()}: {err}", node)
            return Opaque(self.code(node), f"config file {path}: {err}")
        if path not in self.state.read_files:
            self.state.read_files.add(path)
            self.diag("KFM123", f"config file {path} is read as data at conversion time: a change to it needs a new conversion", node, INFO)
        return _from_data(data)

    def parse_data(self, text: str, kind: str, node: cst.CSTNode) -> Any:
        try:
            if kind == "json":
                import json

                return _from_data(json.loads(text))
            if kind == "yaml":
                import yaml

                return _from_data(yaml.safe_load(text))
            import tomllib

            return _from_data(tomllib.loads(text))
        except Exception as exc:  # noqa: BLE001 - not valid data: unknown, as Airflow would fail to load it
            return Opaque(self.code(node), f"not valid {kind.upper()}: {exc}")

    def list_files(self, qual: str, pattern: str, node: cst.CSTNode) -> Any:
        """glob.glob(pattern) / os.listdir(folder) inside the project, sorted (Airflow's order is the file
        system's; sorting makes the conversion repeatable)."""
        import glob

        folder = pattern if qual == "os.listdir" else _os.path.dirname(pattern) or "."
        if self.checked_path(folder, node) is None:
            return Opaque(self.code(node), f"{folder} is outside the project")
        try:
            found = sorted(_os.listdir(folder)) if qual == "os.listdir" else sorted(glob.glob(pattern))
        except (OSError, ValueError) as exc:
            return Opaque(self.code(node), f"{qual}({pattern!r}): {getattr(exc, 'strerror', None) or exc}")
        return found

    def unknown_call(self, qual: str, node: cst.CSTNode) -> str:
        """Why a call's result is unknown; a call into a module that is neither installed nor in the project is
        noted, so that a file where no DAG is found says why."""
        top = qual.split(".")[0]
        if self.project is None or not top or names.is_airflow(qual) or top in _sys.stdlib_module_names:
            return f"call to {qual}"
        import importlib.util

        try:
            installed = importlib.util.find_spec(top) is not None  # looks the name up, imports nothing
        except (ImportError, ValueError):
            installed = False
        if installed:
            return f"call to {qual}"
        roots = ", ".join(self.project.shown_roots()[:4]) + (" ..." if len(self.project.roots) > 4 else "")
        why = f"{qual} is imported from {qual.rpartition('.')[0] or qual}, which is neither in the project ({roots}) nor installed (add its folder with --path)"
        self.unfollowed.append((node, "KFM120", why))
        return why

    def apply_override(self, callee: Override, args, kwargs, node, scope) -> Any:
        target = callee.target
        if callee.partial:
            raise StaticError("KFM113", f"partial() must be followed by expand(): {self.code(node)}", node)
        if isinstance(target, TaskFlowDef):
            return self.call_taskflow(target, callee.kwargs, args, kwargs, node)
        if isinstance(target, GroupDef):
            return self.run_group_function(target, args, kwargs, callee.kwargs, node)
        return Opaque(self.code(node))

    def call_method(self, method: "_BoundMethod", args, kwargs, node, scope) -> Any:
        owner, name = method.owner, method.name
        if isinstance(owner, Scope) and name == "super":  # super() / super(Cls, self) inside a local operator's __init__
            try:
                return args[1] if len(args) > 1 else owner.lookup("self")
            except KeyError:
                return Opaque(self.code(node), "super() outside a method")
        if isinstance(owner, _SuperCall):
            owner.kwargs = dict(kwargs)
            return None
        home = getattr(owner.target if isinstance(owner, Override) else owner, "home", None)
        if home is not None and home is not self and isinstance(owner, (TaskFlowDef, GroupDef, Override)):
            return self.in_home(home, lambda h: h.call_method(method, args, kwargs, node, h.module_scope))
        if isinstance(owner, _PathValue):
            return owner.call(self, name, args, kwargs, node)
        if isinstance(owner, _FileValue):
            if name == "read":
                return self.read_data(owner.path, "text", node)
            if name == "readlines":
                text = self.read_data(owner.path, "text", node)
                return text.splitlines(keepends=True) if isinstance(text, str) else text
            return Opaque(self.code(node), f"file.{name}()")
        if isinstance(owner, (dict, list, str, Duration)):
            return _container_call(owner, name, args, kwargs) if not any(map(_is_unknown, args)) else Opaque(self.code(node))
        if isinstance(owner, TaskRef):
            if name in ("set_downstream", "set_upstream"):
                other = args[0] if args else kwargs.get("task_or_task_list")
                if name == "set_downstream":
                    self.link(owner, other, node)
                else:
                    self.link(other, owner, node)
                return None
            if name in ("as_setup", "as_teardown"):
                dag = self._dag_of([owner.task_id], node)
                build = dag.tasks[owner.task_id]
                if name == "as_setup":
                    build.is_setup = True
                else:
                    build.is_teardown = True
                    setups = kwargs.get("setups")
                    if setups is not None:
                        for setup_id in self.task_ids(setups, "up", node):
                            dag.add_edge(setup_id, owner.task_id)
                            if setup_id in dag.tasks:
                                dag.tasks[setup_id].is_setup = True
                return owner
            if name == "zip":
                return _ZipValue((owner, *args))
            if name in ("map", "concat"):
                raise StaticError("KFM110", f"XComArg.{name}() is not converted yet: {self.code(node)}", node)
            if name == "resolve":
                return Opaque(self.code(node))
            return Opaque(self.code(node), f"method {name} on a task")
        if isinstance(owner, GroupRef):
            if name in ("set_downstream", "set_upstream"):
                other = args[0] if args else None
                self.link(owner, other, node) if name == "set_downstream" else self.link(other, owner, node)
                return None
            return Opaque(self.code(node))
        if isinstance(owner, (TaskFlowDef, GroupDef)):
            if name == "override":
                return Override(owner, kwargs)
            if name == "partial":
                return Override(owner, kwargs, partial=True)
            if name == "expand" and isinstance(owner, GroupDef):
                return self.run_group_function(owner, [], {}, {}, node, expand=kwargs)
            if name in ("expand", "expand_kwargs") and isinstance(owner, TaskFlowDef):
                return self.call_taskflow(owner, {}, [], {}, node, mapping=self.mapping(name, args, kwargs, node))
        if isinstance(owner, Override) and name == "expand" and isinstance(owner.target, GroupDef):
            return self.run_group_function(owner.target, [], dict(owner.kwargs), {}, node, expand=kwargs)
        if isinstance(owner, Override) and name in ("expand", "expand_kwargs"):
            mapping = self.mapping(name, args, kwargs, node)
            target = owner.target
            if isinstance(target, TaskFlowDef):
                return self.call_taskflow(target, {k: v for k, v in owner.kwargs.items() if k in ("task_id",) or k not in _callable_params(target.func)},
                                          [], {k: v for k, v in owner.kwargs.items() if k in _callable_params(target.func)}, node, mapping=mapping)
            if isinstance(target, (Imported, LocalClass)):
                return self.create_operator(target, dict(owner.kwargs), node, mapping=mapping)
        if isinstance(owner, Override) and name == "override":
            return Override(owner.target, {**owner.kwargs, **kwargs}, owner.partial)
        if isinstance(owner, Override) and name == "partial":  # fn.override(task_id=...).partial(...)
            return Override(owner.target, {**owner.kwargs, **kwargs}, partial=True)
        if isinstance(owner, (Imported, LocalClass)) and name == "partial":
            return Override(owner, kwargs, partial=True)
        if isinstance(owner, ContextDag):
            return Opaque(self.code(node), f"DAG.{name}()")
        return Opaque(self.code(node))

    def mapping(self, name: str, args, kwargs, node) -> ir.Mapping_:
        if name == "expand_kwargs":
            source = args[0] if args else kwargs.get("kwargs")
            return ir.Mapping_(over={}, kwargs_source=to_value(source))
        if not kwargs:
            raise StaticError("KFM110", f"expand() without keyword arguments: {self.code(node)}", node)
        return ir.Mapping_(over={k: to_value(v) for k, v in kwargs.items()})


# ------------------------------------------------------------------ helpers
@dataclass
class _Return:
    value: Any


@dataclass
class _GroupStart:
    group_id: Any
    kwargs: Dict[str, Any]


@dataclass(frozen=True)
class LambdaValue:
    node: cst.Lambda
    source: str = "lambda"
    enclosing: Tuple[Tuple[str, str], ...] = ()  # names bound in enclosing functions -> their statements


@dataclass(frozen=True)
class _Labelled:
    """The left side of `tasks >> Label(...)`, waiting for the right side of the next shift."""
    tasks: Any


@dataclass(frozen=True)
class _ZipValue:
    """`xcomarg.zip(other, ...)`: mapped over element-wise tuples of its sources."""
    sources: Tuple[Any, ...]


@dataclass(frozen=True)
class _GroupArgValue:
    group_id: str
    name: str


@dataclass(frozen=True)
class _ParamValue:
    name: str


@dataclass
class _BoundMethod:
    owner: Any
    name: str


class _NotData:
    pass


class _SuperCall:
    """`self` inside a local operator's __init__: `super().__init__(**kwargs)` records what it passes on."""

    def __init__(self) -> None:
        self.kwargs: Optional[Dict[str, Any]] = None


# methods a subclass may define without changing what the task does
_HARMLESS_METHODS = {"__repr__", "__str__", "__init_subclass__"}


_NOT_DATA = _NotData()
# loader -> (format, whether it takes text rather than a file)
_LOADERS = {
    "json.load": ("json", False), "json.loads": ("json", True),
    "yaml.safe_load": ("yaml", True), "yaml.load": ("yaml", True), "yaml.full_load": ("yaml", True),
    "yaml.safe_load_all": ("yaml", True),
    "tomllib.load": ("toml", False), "tomllib.loads": ("toml", True), "toml.load": ("toml", False),
    "toml.loads": ("toml", True), "tomli.load": ("toml", False), "tomli.loads": ("toml", True),
}
_DATA_CALLS = set(_LOADERS) | {"os.path.join", "glob.glob", "os.listdir"}


@dataclass(frozen=True)
class _FileValue:
    """`open(path)` of a project file: read only when a loader (json.load ...) or .read() asks."""
    path: str


def _from_data(data: Any) -> Any:
    """Config data as interpreter values: tuples stay lists, dates become DateTime."""
    if isinstance(data, dict):
        return {k: _from_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_from_data(v) for v in data]
    if isinstance(data, _dt.datetime):
        return DateTime(data.isoformat())
    if isinstance(data, _dt.date):
        return DateTime(_dt.datetime(data.year, data.month, data.day).isoformat() + "+00:00")
    return data


def _task_decorator_kind(qual: str) -> Optional[Tuple[str, str]]:
    """("@task.virtualenv", "airflow.decorators.task") for airflow.decorators.task.virtualenv, and so on."""
    parts = qual.split(".")
    for index in (len(parts) - 1, len(parts) - 2):
        if index > 0 and parts[index] in names.TASK_DECORATORS:
            rest = parts[index + 1:]
            return "@task" + ("." + ".".join(rest) if rest else ""), ".".join(parts[: index + 1])
    if parts[-1] in names.SETUP_TEARDOWN:
        return f"@{parts[-1]}", qual
    return None


@dataclass(frozen=True)
class _Unreadable(Opaque):
    """A name from a project module whose file cannot be read or parsed."""


@dataclass(frozen=True)
class _Airflow1Missing(Imported):
    """An Airflow 1 plugin import whose class is not in the project's plugins/ folder."""
    looked_in: str = ""


@dataclass(frozen=True)
class _DictView:
    items: Tuple[Any, ...]


_STR_ENUMS = {"TriggerRule", "WeightRule", "DagRunState", "TaskInstanceState", "State"}


@dataclass(frozen=True)
class _PathValue:
    """`Path(__file__)` and friends: file names are known statically."""
    path: str

    def attribute(self, attr: str, source: str) -> Any:
        import posixpath

        if attr == "stem":
            return posixpath.splitext(posixpath.basename(self.path))[0]
        if attr == "name":
            return posixpath.basename(self.path)
        if attr == "suffix":
            return posixpath.splitext(self.path)[1]
        if attr == "parent":
            return _PathValue(posixpath.dirname(self.path))
        if attr in _PATH_METHODS:
            return _BoundMethod(self, attr)
        return Opaque(source, f"Path.{attr}")

    def call(self, interp: "Interpreter", name: str, args, kwargs, node) -> Any:
        import posixpath

        if name in ("resolve", "absolute", "expanduser"):
            return _PathValue(_os.path.abspath(self.path))
        if name == "joinpath" and all(isinstance(a, str) for a in args):
            return _PathValue(posixpath.join(self.path, *args))
        if name == "with_suffix" and args and isinstance(args[0], str):
            return _PathValue(posixpath.splitext(self.path)[0] + args[0])
        if name in ("exists", "is_file", "is_dir"):
            return {"exists": _os.path.exists, "is_file": _os.path.isfile, "is_dir": _os.path.isdir}[name](self.path)
        if name == "open":
            return interp.open_file([self.path, *args], kwargs, node)
        if name == "read_text":
            return interp.read_data(self.path, "text", node)
        if name in ("glob", "rglob") and args and isinstance(args[0], str):
            pattern = posixpath.join(self.path, "**", args[0]) if name == "rglob" else posixpath.join(self.path, args[0])
            found = interp.list_files("glob.glob", pattern, node)
            return [_PathValue(p) for p in found] if isinstance(found, list) else found
        if name == "iterdir":
            found = interp.list_files("os.listdir", self.path, node)
            return [_PathValue(posixpath.join(self.path, p)) for p in found] if isinstance(found, list) else found
        return Opaque(interp.code(node), f"Path.{name}()")


_PATH_METHODS = {"resolve", "absolute", "expanduser", "joinpath", "with_suffix", "exists", "is_file", "is_dir",
                 "open", "read_text", "glob", "rglob", "iterdir"}


_CONTAINER_METHODS = {"items", "keys", "values", "get", "format", "upper", "lower", "replace", "join",
                      "split", "strip", "title", "capitalize", "startswith", "endswith", "copy",
                      "setdefault", "update", "pop", "append", "extend"}


def _container_call(owner, name, args, kwargs):
    if isinstance(owner, Duration):
        return owner.seconds
    try:
        result = getattr(owner, name)(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a literal method that fails statically is simply unknown
        return Opaque(f"{name}()")
    if name in ("items", "keys", "values"):
        return list(result)
    return result


class _Builtin:
    def __init__(self, name: str):
        self.name = name

    def call(self, interp: Interpreter, args, kwargs, node):
        if self.name == "open":
            return interp.open_file(args, kwargs, node)
        if any(_is_unknown(a) for a in args):
            return Opaque(interp.code(node))
        try:
            if self.name == "range":
                r = range(*args)
                if len(r) > MAX_UNROLL:
                    return Opaque(interp.code(node), "range too large")
                return list(r)
            if self.name == "enumerate":
                return list(enumerate(*args, **kwargs))
            if self.name == "zip":
                return [tuple(x) for x in zip(*args)]
            if self.name in ("list", "tuple", "sorted", "reversed", "set"):
                return list({"list": list, "tuple": tuple, "sorted": sorted, "reversed": reversed, "set": lambda x: list(dict.fromkeys(x))}[self.name](*args, **kwargs))
            if self.name == "dict":
                return dict(*args, **kwargs)
            if self.name == "str" and len(args) == 1 and isinstance(args[0], _PathValue):
                return args[0].path
            if self.name == "str" and len(args) == 1 and isinstance(args[0], TaskRef):
                return interp.xcom_template(args[0])
            return {"str": str, "int": int, "float": float, "bool": bool, "len": len, "min": min,
                    "max": max, "sum": sum, "abs": abs, "round": round}[self.name](*args, **kwargs)
        except Exception:  # noqa: BLE001 - the same call would fail at import time; unknown here
            return Opaque(interp.code(node), f"{self.name}() not evaluated")


_BUILTINS = {"range", "enumerate", "zip", "list", "tuple", "sorted", "reversed", "set", "dict", "str",
             "int", "float", "bool", "len", "min", "max", "sum", "abs", "round", "open"}


def _is_unknown(value: Any) -> bool:
    return isinstance(value, Opaque)


def _make_duration(kwargs, args) -> Optional[Duration]:
    units = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1,
             "milliseconds": 0.001, "microseconds": 0.000001}
    total = 0.0
    positional = ["days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"]
    for unit, value in list(zip(positional, args)) + list(kwargs.items()):
        if unit not in units or not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        total += value * units[unit]
    return Duration(total)


def _make_datetime(args, kwargs) -> Optional[DateTime]:
    fields = ["year", "month", "day", "hour", "minute", "second"]
    values = dict(zip(fields, args))
    values.update({k: v for k, v in kwargs.items() if k in fields})
    if not all(isinstance(values.get(f, 0), int) for f in fields) or "year" not in values:
        return None
    try:
        moment = _dt.datetime(values["year"], values.get("month", 1), values.get("day", 1),
                              values.get("hour", 0), values.get("minute", 0), values.get("second", 0))
    except (ValueError, TypeError):
        return None
    tz = kwargs.get("tz", kwargs.get("tzinfo", "UTC"))
    return DateTime(moment.isoformat() + ("+00:00" if tz in ("UTC", None) or isinstance(tz, Opaque) else f"[{tz}]"))


def _duration_arith(op, left, right) -> Optional[Duration]:
    name = type(op).__name__
    if isinstance(left, Duration) and isinstance(right, Duration):
        if name == "Add":
            return Duration(left.seconds + right.seconds)
        if name == "Subtract":
            return Duration(left.seconds - right.seconds)
    if name == "Multiply":
        if isinstance(left, Duration) and isinstance(right, (int, float)):
            return Duration(left.seconds * right)
        if isinstance(right, Duration) and isinstance(left, (int, float)):
            return Duration(right.seconds * left)
    return None


def _returns_dict(func: cst.FunctionDef) -> bool:
    if func.returns is None:
        return False
    annotation = func.returns.annotation
    if isinstance(annotation, cst.Subscript):
        annotation = annotation.value
    text = dotted_name(annotation) or ""
    return text.split(".")[-1] in ("dict", "Dict")


def _callable_params(func: cst.FunctionDef) -> set:
    params = func.params
    return {p.name.value for p in list(params.posonly_params) + list(params.params) + list(params.kwonly_params)}


# what marks a block that defines DAGs or tasks, in its source text (Interpreter.defines)
_DEFINES = re.compile(r"\b(?:task_id|dag_id)\s*=|>>|<<|@(?:\w+\.)*(?:dag|task|task_group)\b|\bDAG\s*\(")
_CALLED = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)\s*\(")


def _task_outputs_in(value: Any) -> List[TaskRef]:
    if isinstance(value, TaskRef):
        return [value]
    if isinstance(value, _ZipValue):
        return [ref for item in value.sources for ref in _task_outputs_in(item)]
    if isinstance(value, (list, tuple)):
        return [ref for item in value for ref in _task_outputs_in(item)]
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in _task_outputs_in(item)]
    return []


def _ir_outputs_in(value: ir.Value) -> List[ir.TaskOutput]:
    if isinstance(value, ir.TaskOutput):
        return [value]
    if isinstance(value, ir.Composite):
        found = []
        for item in value.items:
            for part in (item if isinstance(item, tuple) else (item,)):
                found += _ir_outputs_in(part)
        return found
    return []


def group_ends(dag: DagBuild, group_id: str, side: str) -> List[str]:
    """A group's roots ('down': tasks with no upstream inside the group) or leaves ('up')."""
    frame = dag.groups.get(group_id)
    if frame is None:
        return []
    members = set(frame.members)
    if side == "down":  # members that some other member points at are not roots
        linked = {e.downstream for e in dag.edges if e.upstream in members and e.downstream in members}
    else:
        linked = {e.upstream for e in dag.edges if e.upstream in members and e.downstream in members}
    return [task_id for task_id in frame.members if task_id not in linked]


# ------------------------------------------------------------------ to IR values
def _is_literal(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(map(_is_literal, value))
    if isinstance(value, dict):
        return all(_is_literal(k) and _is_literal(v) for k, v in value.items())
    return value is None or isinstance(value, (str, int, float, bool))


def to_value(value: Any) -> ir.Value:
    """An interpreter value -> an IR Value."""
    if isinstance(value, TaskRef):
        return ir.TaskOutput(value.task_id, value.key)
    if isinstance(value, _ParamValue):
        return ir.ParamRef(value.name)
    if isinstance(value, _GroupArgValue):
        return ir.GroupArg(value.group_id, value.name)
    if isinstance(value, _ZipValue):
        return ir.Composite("zip", tuple(to_value(v) for v in value.sources))
    if isinstance(value, str):
        return ir.Template(value) if ("{{" in value or "{%" in value) else ir.Literal(value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return ir.Literal(value)
    if isinstance(value, Duration):
        return ir.Literal(value.seconds)
    if isinstance(value, DateTime):
        return ir.Literal(value.iso)
    if isinstance(value, ParamSpec):
        return to_value(value.default)
    if isinstance(value, (list, tuple)):
        items = tuple(to_value(v) for v in value)
        if all(isinstance(i, ir.Literal) for i in items):
            return ir.Literal([i.value for i in items])
        return ir.Composite("tuple" if isinstance(value, tuple) else "list", items)
    if isinstance(value, dict):
        pairs = tuple((to_value(k), to_value(v)) for k, v in value.items())
        if all(isinstance(k, ir.Literal) and isinstance(v, ir.Literal) for k, v in pairs):
            return ir.Literal({k.value: v.value for k, v in pairs})
        return ir.Composite("dict", pairs)
    if isinstance(value, Opaque):
        return ir.Dynamic(value.source, value.reason)
    if isinstance(value, Imported):
        return ir.Dynamic(value.qualname, "imported object")
    if isinstance(value, (LocalFunction, TaskFlowDef)):
        return ir.Dynamic(value.func.name.value, "function")
    if isinstance(value, LambdaValue):
        return ir.Dynamic(value.source, "function")
    if isinstance(value, _PathValue):
        return ir.Literal(value.path)
    if isinstance(value, ContextDag):
        return ir.Dynamic("dag", "DAG object")
    if isinstance(value, GroupRef):
        return ir.Dynamic(value.group_id, "task group")
    return ir.Dynamic(repr(value), "not a literal")


__all__ = ["Interpreter", "DagBuild", "TaskBuild", "to_value", "group_ends", "StaticError"]
