"""Tasks: operators (Airflow's and the project's own subclasses), TaskFlow calls, their arguments merged
with default_args, the data edges their XComArgs make, and their callables lifted with what they need.
The Interpreter's Tasks part (migrate/parse/interpreter.py).
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import INFO
from kfmigrate.migrate.parse import imports as names
from kfmigrate.migrate.parse.builds import DagBuild, Scope, TaskBuild
from kfmigrate.migrate.parse.callables import lift_callable, lift_lambda, names_read
from kfmigrate.migrate.parse.imports import dotted_name
from kfmigrate.migrate.parse.symbols import (
    Airflow1Missing, Imported, LambdaValue, LocalClass, LocalFunction, Partial, StaticError, SuperCall, TaskFlowDef,
    TaskRef,
)
from kfmigrate.migrate.parse.values import ir_outputs_in, task_outputs_in, to_value


AIRFLOW_KEY = re.compile(r"^[\w.-]+$")  # airflow's own rule for dag, task and group ids
AIRFLOW_KEY_MAX = 250
OPERATOR_META_ARGS = {"task_id", "dag", "task_group", "python_callable"}


class Tasks:
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
        name, module = (cls.name, cls.module) if isinstance(cls, Imported) else (cls.name, ir.LOCAL_MODULE)
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
        if not isinstance(base, Imported) or not names.is_airflow(base.qualname) and not isinstance(base, Airflow1Missing):
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
        sink = SuperCall()
        function = LocalFunction(init, {}, cls.home or self)
        meta = {k: v for k, v in kwargs.items() if k in ("task_id", "dag", "task_group")}
        self.follow(function, [sink], dict(kwargs), node, Scope((cls.home or self).module_scope))
        if sink.kwargs is None:
            return None
        return {**meta, **sink.kwargs}

    def add_data_edges(self, dag: DagBuild, task_id: str, values: List[Any], mapping: Optional[ir.Mapping_]) -> None:
        """XComArgs passed to a task make it depend on their producers, as in Airflow."""
        upstream = [ref.task_id for value in values for ref in task_outputs_in(value)]
        if mapping is not None:
            sources = list(mapping.over.values()) + ([mapping.kwargs_source] if mapping.kwargs_source else [])
            upstream += [v.task_id for source in sources for v in ir_outputs_in(source)]
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
        return dataclasses.replace(lifted, prelude=tuple(lines) + lifted.prelude)

    def absolute_imports(self, lifted: ir.CallableSource) -> ir.CallableSource:
        """A callable from a project module keeps its relative imports (`from .utils import x`) working
        where it is carried: they are made absolute (`from common.utils import x`)."""
        if not self.module_name or not any(line.lstrip().startswith("from .") for line in lifted.prelude):
            return lifted
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


# methods a subclass may define without changing what the task does
_HARMLESS_METHODS = {"__repr__", "__str__", "__init_subclass__"}


def _returns_dict(func: cst.FunctionDef) -> bool:
    if func.returns is None:
        return False
    annotation = func.returns.annotation
    if isinstance(annotation, cst.Subscript):
        annotation = annotation.value
    text = dotted_name(annotation) or ""
    return text.split(".")[-1] in ("dict", "Dict")
