"""Calls: what a call stands for (a TaskFlow function, an operator class, a DAG or group function, a
local function to follow, a method of a task or of a literal, a decorator), and functions defined by
`def` with their decorators. The Interpreter's Calls part (migrate/parse/interpreter.py).
"""
from __future__ import annotations

import sys as _sys
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import INFO
from kfmigrate.migrate.parse import imports as names
from kfmigrate.migrate.parse.builds import Scope
from kfmigrate.migrate.parse.data import NOT_DATA
from kfmigrate.migrate.parse.expressions import Builtin
from kfmigrate.migrate.parse.imports import dotted_name
from kfmigrate.migrate.parse.symbols import (
    Airflow1Missing, BoundMethod, ContextDag, DagDef, Duration, FileValue, GroupDef, GroupRef, GroupStart, Imported,
    LabelValue, LocalClass, LocalFunction, ModuleRef, Opaque, Override, ParamSpec, Partial, PathValue, StaticError,
    SuperCall, TaskDecorator, TaskFlowDef, TaskRef, Unreadable, ZipValue,
)
from kfmigrate.migrate.parse.values import container_call, is_literal, is_unknown, make_datetime, make_duration, to_value


class Calls:
    # ---- functions and decorators
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

    # ---- calls
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
        if isinstance(callee, BoundMethod):
            return self.call_method(callee, args, kwargs, node, scope)
        if isinstance(callee, Builtin):
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
        if isinstance(callee, Unreadable):
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
            return GroupStart(group_id, kwargs)
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
        if data is not NOT_DATA:
            return data
        if qual in ("textwrap.dedent", "inspect.cleandoc") and len(args) == 1 and isinstance(args[0], str):
            import inspect
            import textwrap

            return textwrap.dedent(args[0]) if name == "dedent" else inspect.cleandoc(args[0])
        if qual in ("pathlib.Path", "pathlib.PurePath") and args and isinstance(args[0], str):
            return PathValue(args[0].replace("\\", "/"))
        if qual in ("os.path.basename", "os.path.dirname", "os.path.splitext") and args and isinstance(args[0], str):
            import posixpath

            result = getattr(posixpath, name)(args[0])
            return list(result) if isinstance(result, tuple) else result
        if qual in ("datetime.timedelta", "pendulum.duration") or (name == "timedelta" and qual.startswith("datetime")):
            return make_duration(kwargs, args) or Opaque(self.code(node))
        if name in ("datetime", "DateTime") and qual.split(".")[0] in ("datetime", "pendulum") or qual == "pendulum.datetime":
            return make_datetime(args, kwargs) or Opaque(self.code(node))
        if qual in ("pendulum.today", "pendulum.now", "pendulum.yesterday", "airflow.utils.dates.days_ago",
                    "datetime.datetime.now", "datetime.datetime.today", "datetime.datetime.utcnow"):
            return Opaque(self.code(node), "time-dependent value")
        if "task_id" in kwargs and (self.dag_stack or isinstance(kwargs.get("dag"), ContextDag)):
            if isinstance(callee, Airflow1Missing):
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
                    and is_literal(value):
                text, changed = repr(value), True
            elif isinstance(value, Opaque) and value.source != text:
                text, changed = value.source, True
            parts.append(text if arg.keyword is None else f"{arg.keyword.value}={text}")
        return f"{self.code(node.func)}({', '.join(parts)})" if changed else self.code(node)

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

    def call_method(self, method: "BoundMethod", args, kwargs, node, scope) -> Any:
        owner, name = method.owner, method.name
        if isinstance(owner, Scope) and name == "super":  # super() / super(Cls, self) inside a local operator's __init__
            try:
                return args[1] if len(args) > 1 else owner.lookup("self")
            except KeyError:
                return Opaque(self.code(node), "super() outside a method")
        if isinstance(owner, SuperCall):
            owner.kwargs = dict(kwargs)
            return None
        home = getattr(owner.target if isinstance(owner, Override) else owner, "home", None)
        if home is not None and home is not self and isinstance(owner, (TaskFlowDef, GroupDef, Override)):
            return self.in_home(home, lambda h: h.call_method(method, args, kwargs, node, h.module_scope))
        if isinstance(owner, PathValue):
            return owner.call(self, name, args, kwargs, node)
        if isinstance(owner, FileValue):
            if name == "read":
                return self.read_data(owner.path, "text", node)
            if name == "readlines":
                text = self.read_data(owner.path, "text", node)
                return text.splitlines(keepends=True) if isinstance(text, str) else text
            return Opaque(self.code(node), f"file.{name}()")
        if isinstance(owner, (dict, list, str, Duration)):
            return container_call(owner, name, args, kwargs) if not any(map(is_unknown, args)) else Opaque(self.code(node))
        if isinstance(owner, TaskRef):
            if name in ("set_downstream", "set_upstream"):
                other = args[0] if args else kwargs.get("task_or_task_list")
                if name == "set_downstream":
                    self.link(owner, other, node)
                else:
                    self.link(other, owner, node)
                return None
            if name in ("as_setup", "as_teardown"):
                dag = self.dag_of([owner.task_id], node)
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
                return ZipValue((owner, *args))
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


def _callable_params(func: cst.FunctionDef) -> set:
    params = func.params
    return {p.name.value for p in list(params.posonly_params) + list(params.params) + list(params.kwonly_params)}
