"""DAGs, task groups and the dependencies between tasks (`>>`, chain(), set_downstream ...). The
Interpreter's Dags part (migrate/parse/interpreter.py).
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

import libcst as cst

from kfmigrate.migrate import ir
from kfmigrate.migrate.parse.builds import DagBuild, GroupFrame, group_ends
from kfmigrate.migrate.parse.symbols import (
    ContextDag, DagDef, GroupArgValue, GroupDef, GroupRef, GroupStart, LabelValue, Opaque, ParamValue, StaticError,
    TaskRef,
)
from kfmigrate.migrate.parse.values import task_outputs_in, to_value


class Dags:
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

    def dag_named(self, dag_id: str) -> Optional[DagBuild]:
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
            call_values[name] = ParamValue(name)
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
    def open_group(self, start: "GroupStart", node: cst.CSTNode) -> GroupFrame:
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
        frame = self.open_group(GroupStart(group_id, settings), node)
        if expand is not None:  # a mapped task group: its tasks see the current item through GroupArg
            dag = self.current_dag(node)
            dag.mapped_groups[frame.group_id] = ir.Mapping_(over={k: to_value(v) for k, v in expand.items()})
            kwargs = {**kwargs, **{name: GroupArgValue(frame.group_id, name) for name in expand}}
            self.mapped_sources[frame.group_id] = [ref.task_id for v in expand.values() for ref in task_outputs_in(v)]
        try:
            result = self.call_function(definition.func, definition.env, args, kwargs)
        finally:
            self.group_stack.pop()
        if expand is not None:
            dag = self.current_dag(node)
            for source in self.mapped_sources.pop(frame.group_id, []):
                for root in group_ends(dag, frame.group_id, "down"):
                    dag.add_edge(source, root, "data")
        if isinstance(result, (TaskRef, list, tuple)) and result:
            return result
        return GroupRef(frame.group_id)

    def current_dag(self, node: cst.CSTNode, explicit: Any = None) -> DagBuild:
        if isinstance(explicit, ContextDag):
            dag = self.dag_named(explicit.dag_id)
            if dag is not None:
                return dag
        if self.dag_stack:
            return self.dag_stack[-1]
        raise StaticError("KFM116", "task created outside any DAG: ignored", node)


    # ---- dependencies
    def task_ids(self, value: Any, side: str, node: cst.CSTNode) -> List[str]:
        """Tasks a dependency operand stands for; groups give their roots (downstream side) or leaves."""
        if isinstance(value, TaskRef):
            return [value.task_id]
        if isinstance(value, GroupRef):
            dag = self.current_dag(node) if self.dag_stack else self.dag_with_group(value.group_id)
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

    def dag_with_group(self, group_id: str) -> DagBuild:
        for dag in reversed(self.dags):
            if group_id in dag.groups:
                return dag
        raise StaticError("KFM113", f"unknown task group {group_id!r}", None)

    def dag_of(self, task_ids: Iterable[str], node: cst.CSTNode) -> DagBuild:
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
        dag = self.dag_of(ups + downs, node)
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
