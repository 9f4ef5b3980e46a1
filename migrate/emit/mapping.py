"""Dynamic task mapping (.expand / .partial / .expand_kwargs / zip) and mapped task groups.

A mapped task becomes a component inside `dsl.ParallelFor`; each iteration gets one item as JSON
text (input `map_item`) and the body decodes the mapped arguments from it, so every value keeps its
exact type (kfp would hand ints over as floats otherwise). Tasks downstream of the loop read the
results with `dsl.Collected` (the list of all map indexes' values, as Airflow's lazy XCom list).

Items: literal lists are expanded here, at conversion time. Items that come from other tasks
(XCom) or pipeline parameters are expanded by a small extra component, `<task>_items`, because
kfp.local iterates only over a task's single output, and because the expansion (dict pairs, zip,
cross product, expand_kwargs) must follow Airflow's rules (runtime `_airflow_map_items`).

The mapper of the task's operator is reused: mapped arguments are handed to it as pipeline-input
placeholders, then replaced with the decoded item.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.emit import component_body
from kfmigrate.migrate.emit import environment as environments
from kfmigrate.migrate.emit import runtime
from kfmigrate.migrate.operators import ComponentPlan, Input, MapContext, PipelineInput
from kfmigrate.migrate.operators.placeholder import placeholder_plan

ITEM_PARAM = "map_item"
MARK = "__kfmigrate_map__"  # prefix of the placeholder pipeline inputs standing for mapped arguments


class OuterValue(NamedTuple):
    """A value from a task outside a loop that its members read: it rides in each item under `key`."""
    key: str
    producer: str  # task id
    output: str  # the producer's KFP output name
    type: str  # its Python type


@dataclass(eq=False)  # compared and hashed by identity: one object per loop
class Loop:
    """One dsl.ParallelFor: a mapped task, or a mapped task group with all its tasks."""
    key: str  # task id or group id
    mode: str  # single | zip | product | kwargs (see runtime._airflow_map_items)
    names: List[str]  # mapped argument names
    sources: List[Any]  # ir Values the items come from
    group: Optional[str] = None
    literal_items: Optional[List[str]] = None  # JSON texts, when every source is a literal
    members: List[str] = field(default_factory=list)  # task ids inside the loop
    items_function: Optional[str] = None  # the `<task>_items` component, when needed
    variable: str = ""  # the loop item variable in the pipeline function
    params: Dict[str, Tuple[str, str]] = field(default_factory=dict)  # DAG param -> (pipeline parameter, type)
    # values from tasks outside the loop that members read. They travel inside each item, because
    # kfp.local hands a loop's tasks the loop item in place of any other task output (measured with
    # kfp 2.17); a cluster would not need this.
    outer: List[OuterValue] = field(default_factory=list)


def loop_for(mapping: ir.Mapping_, key: str, group: Optional[str] = None) -> Tuple[Optional[Loop], str]:
    """The loop a mapping needs, or (None, why it cannot be converted)."""
    if mapping.kwargs_source is not None:
        source = mapping.kwargs_source
        if isinstance(source, ir.Literal) and isinstance(source.value, (list, tuple)) and all(isinstance(v, dict) for v in source.value):
            names = list(dict.fromkeys(str(k) for item in source.value for k in item))
            loop = Loop(key, "kwargs", names, [source], group)
        else:
            return None, "expand_kwargs over values known only at run time (the argument names are not known statically)"
    elif len(mapping.over) == 1:
        name, value = next(iter(mapping.over.items()))
        if isinstance(value, ir.Composite) and value.kind == "zip":
            loop = Loop(key, "zip", [name], list(value.items), group)
        else:
            loop = Loop(key, "single", [name], [value], group)
    elif mapping.over:
        loop = Loop(key, "product", list(mapping.over), list(mapping.over.values()), group)
    else:
        return None, "mapping without expanded arguments"
    for source in loop.sources:
        if isinstance(source, ir.Literal):
            if not isinstance(source.value, (list, tuple, dict)):
                return None, f"cannot map over {source.value!r}: not a list or dict"
        elif not isinstance(source, (ir.TaskOutput, ir.ParamRef)):
            text = getattr(source, "source", None) or type(source).__name__
            return None, f"cannot map over {text}: only literal lists, task outputs and DAG params are supported"
    if all(isinstance(s, ir.Literal) for s in loop.sources):
        loop.literal_items = runtime._airflow_map_items(loop.mode, loop.names, [s.value for s in loop.sources])
    return loop, ""


def item_expression(loop: Loop, name: str) -> str:
    """Body expression for one mapped argument, decoded from the item."""
    if loop.mode == "single":
        return f"_from_json({ITEM_PARAM})"
    if loop.mode == "zip":
        return f"tuple(_from_json({ITEM_PARAM}))"
    if loop.mode == "kwargs":
        return f"_from_json({ITEM_PARAM}).get({name!r})"
    return f"_from_json({ITEM_PARAM})[{name!r}]"


def _substitute(value: Any, replace: Callable[[Any], Optional[Any]]) -> Any:
    found = replace(value)
    if found is not None:
        return found
    if isinstance(value, ir.Composite):
        if value.kind == "dict":
            return dataclasses.replace(value, items=tuple((k, _substitute(v, replace)) for k, v in value.items))
        return dataclasses.replace(value, items=tuple(_substitute(v, replace) for v in value.items))
    return value


def _nested_group_args(value: Any, group: str) -> bool:
    if isinstance(value, ir.Composite):
        parts = [v for _k, v in value.items] if value.kind == "dict" else list(value.items)
        return any(isinstance(p, ir.GroupArg) and p.group_id == group or _nested_group_args(p, group) for p in parts)
    return False


def mapped_plan(task: ir.Task, ctx: MapContext, loop: Loop, plan_for: Callable[[ir.Task, MapContext], ComponentPlan]) -> ComponentPlan:
    """The task's own plan, its mapped arguments read from the loop item."""
    marks = {name: MARK + name for name in loop.names}
    taskflow = task.operator.startswith("@")
    if loop.group is None:
        # .expand(name=...) arguments are not in the call: add them as placeholders
        extra = {name: ir.ParamRef(marks[name]) for name in loop.names}
        if taskflow:
            task = dataclasses.replace(task, call_kwargs={**task.call_kwargs, **extra}, mapping=None)
        else:
            task = dataclasses.replace(task, args={**task.args, **extra}, mapping=None)
    else:
        values = [*task.call_args, *task.call_kwargs.values(), *task.args.values()]
        if any(_nested_group_args(v, loop.group) for v in values):
            return placeholder_plan(task, ctx, "a mapped task group's argument is used inside a list or dict")

        def replace(value):
            if isinstance(value, ir.GroupArg) and value.group_id == loop.group:
                return ir.ParamRef(marks.get(value.name, MARK + value.name))
            return None

        task = dataclasses.replace(
            task, call_args=tuple(_substitute(v, replace) for v in task.call_args),
            call_kwargs={k: _substitute(v, replace) for k, v in task.call_kwargs.items()},
            args={k: _substitute(v, replace) for k, v in task.args.items()})
    param_inputs = dict(ctx.param_inputs)
    param_inputs.update({mark: mark for mark in marks.values()})
    plan = plan_for(task, dataclasses.replace(ctx, param_inputs=param_inputs))
    if not plan.component or plan.container is not None:
        return placeholder_plan(task, ctx, "a mapped container or empty task has no KFP mapping yet") if plan.component else plan
    decode: List[str] = []
    kept: List[Input] = []
    for item in plan.inputs:
        value = item.value
        if isinstance(value, PipelineInput) and value.name.startswith(MARK):
            decode.append(f"{item.name} = {item_expression(loop, value.name[len(MARK):])}  # the mapped argument")
        else:
            kept.append(item)
    if not decode and loop.group is None:
        return placeholder_plan(task, ctx, f"the {task.operator} mapping does not read the mapped argument(s) {', '.join(loop.names)}")
    if decode:  # tasks of a mapped group that do not use the group's arguments need no item
        component_body.fill(plan)
        plan.inputs = kept + [Input(ITEM_PARAM, "str", PipelineInput(ITEM_PARAM))]
        plan.body = "\n".join(decode) + "\n" + plan.body
    plan.outputs = {key: "json" for key in plan.outputs}  # exact values through dsl.Collected
    where = f"mapped task group {loop.group!r}" if loop.group else "dynamic task mapping"
    plan.mapping += f", in a dsl.ParallelFor ({where})"
    plan.differences.append("Each map index runs as one dsl.ParallelFor iteration; downstream tasks get the list of "
                            "results (dsl.Collected). kfp.local runs at most 2 iterations at once.")
    return plan


def items_component(loop: Loop, function: str, inputs: List[Tuple[str, str]], sources_code: List[str], environment) -> str:
    """The `<task>_items` component: the loop's items from upstream values, as JSON texts."""
    params = ", ".join([f"{name}: {type_}" for name, type_ in inputs] + [f"outer_{o.key}: {o.type}" for o in loop.outer])
    what = f"mapped task group {loop.group!r}" if loop.group else f"mapped task {loop.key!r}"
    expand = f"_airflow_map_items({loop.mode!r}, {loop.names!r}, [{', '.join(sources_code)}])"
    helpers = ["_airflow_map_items", "_from_json", "_ints_back"]
    lines = [
        environments.decorator(environment, helpers),
        f"def {function}({params}) -> list:",
        f'    """The items of the {what}: one JSON text per Airflow map index (kfp.local iterates one task output)."""',
    ]
    lines += ["    " + line for line in [environments.runtime_import(environment, helpers)] if line]
    if not loop.outer:
        return "\n".join(lines + [f"    return {expand}"])
    outer = "{" + ", ".join(f"{o.key!r}: outer_{o.key}" for o in loop.outer) + "}"
    return "\n".join(lines + [
        "    import json",
        "",
        "    # values of tasks outside the loop ride along in each item (kfp.local would replace them by the item)",
        f"    outer = {outer}",
        f"    return [json.dumps({{'item': json.loads(item), 'outer': outer}}) for item in {expand}]",
    ])
