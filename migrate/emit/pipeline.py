"""The @dsl.pipeline function: one call per task, in an order KFP accepts, inside the dsl.ParallelFor
and dsl.If groups the tasks run in, with their retries, timeouts and Kubernetes settings."""
from __future__ import annotations

import textwrap
from typing import Dict, List, NamedTuple, Optional, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.emit import container as containers
from kfmigrate.migrate.emit import mapping as mappings
from kfmigrate.migrate.emit import sharing, trigger_rules
from kfmigrate.migrate.emit.graph import Dag
from kfmigrate.migrate.emit.nodes import SKIP_OUTPUT, ExitHandler, Node, Region, trigger_rule
from kfmigrate.migrate.emit.skips import ignores_failures
from kfmigrate.migrate.emit.text import one_line
from kfmigrate.migrate.naming import pipeline_name
from kfmigrate.migrate.operators import Input, PipelineInput


def pipeline_source(workflow: ir.Workflow, components: List[Node], parameters: List[dict], pipeline_fn: str,
                    exit_handler: Optional[ExitHandler] = None) -> str:
    by_id = {node.task.task_id: node for node in components}
    description = workflow.description or (workflow.doc.strip().splitlines()[0] if workflow.doc and workflow.doc.strip() else f"Converted from Airflow DAG {workflow.dag_id}")
    description = " ".join(description.split())  # one line: kfp writes it into a YAML comment header
    signature = [f"{p['name']}: {p['type']} = {p['default']!r}" for p in parameters]
    header = f"def {pipeline_fn}({', '.join(signature)}):"
    if len(header) > 100 or any("\n" in part for part in signature):
        header = f"def {pipeline_fn}(\n" + "\n".join(f"    {part}," for part in signature) + "\n):"
    lines = [f"@dsl.pipeline(name={pipeline_name(workflow.dag_id)!r}, description={description!r})", header]
    doc = (workflow.doc or "").strip()  # the DAG's doc_md; the description is already in the decorator
    if doc:
        doc = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        text = f'"""{doc}"""' if "\n" not in doc else f'"""{doc}\n"""'
        lines.append(textwrap.indent(text, "    ", lambda line: bool(line.strip())))
    indent = "    "
    if exit_handler is not None:
        function = exit_handler.function
        args = ", ".join(f"{i.name}={value_code(i)}" for i in exit_handler.inputs)
        lines += [f"    # the DAG's callbacks: {function} runs after every task, whatever happened",
                  f"    {function}_task = {function}({args})",
                  f"    {function}_task.set_display_name('DAG callbacks')",
                  f"    with dsl.ExitHandler({function}_task):"]
        indent = "        "
    if not components:
        lines.append(f"{indent}no_task_runs().set_display_name('no task runs')")
    lines += _render_units(workflow, components, by_id, indent, 0)
    return "\n".join(lines)


def _render_units(workflow: ir.Workflow, members: List[Node], by_id: Dict[str, Node], indent: str, depth: int) -> List[str]:
    lines = []
    for unit in _units(members, depth):
        if unit.kind == "task":
            lines.append(textwrap.indent(_task_call(workflow, unit.item, by_id), indent))
        elif unit.kind == "loop":
            lines.append(textwrap.indent(_loop_header(unit.item, by_id), indent))
            for node in unit.members:
                lines.append(textwrap.indent(_task_call(workflow, node, by_id), indent + "    "))
        else:
            region, controller = unit.item, by_id[unit.item.controller]
            output = controller.outputs[region.key].name
            lines.append(f"{indent}# Airflow runs these tasks only when {one_line(region.label)}: otherwise they do not start")
            lines.append(f"{indent}with dsl.If({controller.variable}.outputs[{output!r}] == False):")
            lines += _render_units(workflow, unit.members, by_id, indent + "    ", depth + 1)
            if region.stub_function:
                lines += [f"{indent}with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf",
                          f"{indent}    {region.stub_variable} = {region.stub_function}()",
                          f"{indent}    {region.stub_variable}.set_display_name({region.skipped_name!r})"]
    return lines


def _through_regions(reader_regions: List[Region], producer: Node, output: str, code: str) -> str:
    """A value from a task inside a dsl.If the reader is not in: dsl.OneOf with the dsl.Else's stand-in."""
    crossing = [r for r in producer.regions if r not in reader_regions]
    if not crossing or (producer.task.task_id, output) not in crossing[0].exposed:
        return code
    name = crossing[0].exposed[(producer.task.task_id, output)].name
    return f"dsl.OneOf({code}, {crossing[0].stub_variable}.outputs[{name!r}])"


class _Unit(NamedTuple):
    """What the pipeline function creates as one piece: a task, a dsl.ParallelFor or a dsl.If region."""
    kind: str  # task | loop | region
    item: object  # the Node, the mappings.Loop or the Region
    members: Optional[List[Node]]  # the tasks inside a loop or region


def _units(components: List[Node], depth: int = 0) -> List[_Unit]:
    """Tasks in an order the pipeline function can call them: each dsl.ParallelFor and each region
    (dsl.If) as one unit placed after everything its members need; otherwise the topological order."""

    def key(node: Node) -> Tuple[str, object]:
        if len(node.regions) > depth:
            return ("region", node.regions[depth].index)
        return ("loop", node.loop.key) if node.loop is not None else ("task", node.task.task_id)

    unit_of = {n.task.task_id: key(n) for n in components}
    units: Dict[Tuple[str, object], List[Node]] = {}
    for node in components:
        units.setdefault(unit_of[node.task.task_id], []).append(node)
    needs = Dag(units)
    for node in components:
        own = unit_of[node.task.task_id]
        producers = set(node.upstream) | {x.producer for x in node.xcom_inputs} | {c.producer for c in node.control_inputs}
        producers |= {r.controller for r in node.regions[depth:]}  # a dsl.If condition reads its controller
        if node.loop is not None:
            producers |= {s.task_id for s in node.loop.sources if isinstance(s, ir.TaskOutput)}
        for producer in producers:
            if producer in unit_of and unit_of[producer] != own:
                needs.link(unit_of[producer], own)
    result = []
    for unit in needs.order():  # a cycle through a loop (bad input): file order
        members = units[unit]
        if unit[0] == "region":
            result.append(_Unit("region", members[0].regions[depth], members))
        elif unit[0] == "loop":
            result.append(_Unit("loop", members[0].loop, members))
        else:
            result.append(_Unit("task", members[0], None))
    return result


def _loop_header(loop: mappings.Loop, by_id: Dict[str, Node]) -> str:
    what = f"mapped task group {loop.group!r}" if loop.group else f"mapped task {loop.key!r}"
    lines = [f"# {one_line(what)}: one dsl.ParallelFor iteration per Airflow map index"]
    if loop.items_function is None:
        items = repr(loop.literal_items)
    else:
        args = [f"{item.name}={item.code}" for item in items_inputs(loop, by_id)]
        for outer in loop.outer:
            producer, output = by_id[outer.producer], outer.output
            code = f"{producer.variable}.outputs[{output!r}]"
            if producer.gate_function and output == SKIP_OUTPUT:
                code = f"{producer.gate_function}_task.outputs[{output!r}]"
            code = _through_regions(by_id[loop.members[0]].regions, producer, output, code)
            args.append(f"outer_{outer.key}=dsl.Collected({code})" if producer.loop is not None else f"outer_{outer.key}={code}")
        variable = f"{loop.items_function}_task"
        lines.append(f"{variable} = {loop.items_function}({', '.join(args)})")
        lines.append(f"{variable}.set_display_name({(loop.key + ' (map items)')!r})")
        items = f"{variable}.output"
    lines.append(f"with dsl.ParallelFor(items={items}) as {loop.variable}:")
    return "\n".join(lines)


class ItemsInput(NamedTuple):
    """An input of a loop's items component: its name, type and the pipeline code passing it."""
    name: str
    type: str
    code: str


def items_inputs(loop: mappings.Loop, by_id: Dict[str, Node]) -> List[ItemsInput]:
    """The inputs of an items component, one per non-literal source."""
    found = []
    for index, source in enumerate(loop.sources):
        name = f"source_{index}"
        if isinstance(source, ir.TaskOutput) and source.task_id in by_id and source.key in by_id[source.task_id].outputs:
            producer = by_id[source.task_id]
            output = producer.outputs[source.key].name
            code = _through_regions(by_id[loop.members[0]].regions, producer, output, f"{producer.variable}.outputs[{output!r}]")
            if producer.loop is not None:
                found.append(ItemsInput(name, "list", f"dsl.Collected({code})"))
            else:
                found.append(ItemsInput(name, "str", code))
        elif isinstance(source, ir.ParamRef) and source.name in loop.params:
            pipeline_param, type_ = loop.params[source.name]
            found.append(ItemsInput(name, type_, pipeline_param))
    return found


def items_source_code(loop: mappings.Loop, by_id: Dict[str, Node]) -> List[str]:
    inputs = {item.name: item.type for item in items_inputs(loop, by_id)}
    codes = []
    for index, source in enumerate(loop.sources):
        name = f"source_{index}"
        if name in inputs:
            if inputs[name] == "list" and isinstance(source, ir.TaskOutput):
                codes.append(f"[_from_json(value) for value in {name}]")
            elif isinstance(source, ir.TaskOutput):
                codes.append(f"_from_json({name})")
            else:
                codes.append(f"_ints_back({name})")
        elif isinstance(source, ir.Literal):
            codes.append(repr(source.value))
        else:
            codes.append("None")  # no such output on KFP: nothing to map over
    return codes


def _task_call(workflow: ir.Workflow, node: Node, by_id: Dict[str, Node]) -> str:
    task = node.task
    args = []
    for item in node.plan.inputs:
        if node.loop is not None and item.name == mappings.ITEM_PARAM:
            args.append(f"{item.name}={node.loop.variable}")
        else:
            args.append(f"{item.name}={value_code(item)}")

    def output_code(producer: str, output: str) -> str:
        code = f"{by_id[producer].variable}.outputs[{output!r}]"
        if by_id[producer].gate_function and output == SKIP_OUTPUT:  # a gated container: its gate decided
            code = f"{by_id[producer].gate_function}_task.outputs[{output!r}]"
        code = _through_regions(node.regions, by_id[producer], output, code)
        return f"dsl.Collected({code})" if node.collected(producer) else code

    for xcom in node.xcom_inputs:
        if xcom.param not in node.via_item:
            args.append(f"{xcom.param}={output_code(xcom.producer, xcom.output)}")
    control_args = [f"{c.param}={output_code(c.producer, c.output)}" for c in node.control_inputs if c.param not in node.via_item]
    if not node.gate_function:
        args += control_args
    if node.task_id_input:
        args.insert(0, f"{sharing.TASK_ID}={task.task_id!r}")
    function = node.component or node.function
    call = f"{node.variable} = {function}(" + ", ".join(args) + ")"
    if len(call) > 100:
        call = f"{node.variable} = {function}(\n" + "".join(f"    {a},\n" for a in args) + ")"
    lines = [f"# {one_line(task.task_id)}: {node.plan.mapping} ({node.plan.fidelity})", call,
             f"{node.variable}.set_display_name({trigger_rules.display_name(task)!r})"]
    linked = {x.producer for x in node.xcom_inputs} | {c.producer for c in node.control_inputs}
    order_only = [by_id[up].variable for up in node.upstream if up not in linked and up in by_id]
    if order_only:
        lines.append(f"{node.variable}.after({', '.join(order_only)})")
    if ignores_failures(node):
        lines.append(f"{node.variable}.ignore_upstream_failure()  # trigger rule {trigger_rule(task)}")
    retry = task.retry
    if retry.retries and retry.retries > 0:
        lines.append(_retry_code(node))
    if task.timeout_seconds:
        lines.append(f"kubernetes.set_timeout({node.variable}, {max(1, int(round(task.timeout_seconds)))})")
    if not node.plan.platform.is_empty():
        platform, notes = containers.platform_lines(node.variable, node.plan.platform, task, workflow)
        lines += platform
        node.diagnostics += [d for d in notes if d not in node.diagnostics]
    if node.gate_function:
        gate = f"{node.gate_function}_task"
        call = f"{gate} = {node.gate_function}(" + ", ".join(control_args) + ")"
        if len(call) > 100:
            call = f"{gate} = {node.gate_function}(\n" + "".join(f"    {a},\n" for a in control_args) + ")"
        return "\n".join([
            f"# {one_line(task.task_id)}: would Airflow skip it? A container cannot decide itself: its gate does",
            call,
            f"{gate}.set_display_name({(task.task_id + ' (skip decision)')!r})",
            f"with dsl.If({gate}.outputs[{SKIP_OUTPUT!r}] == False):",
            textwrap.indent("\n".join(lines), "    "),
            "with dsl.Else():",
            f"    {node.stub_function}().set_display_name({(task.task_id + ' (skipped)')!r})",
        ])
    return "\n".join(lines)


def _retry_code(node: Node) -> str:
    retry = node.task.retry
    delay = 300.0 if retry.delay_seconds is None else retry.delay_seconds  # Airflow's default retry_delay
    parts = [f"num_retries={int(retry.retries)}", f'backoff_duration="{int(delay)}s"',
             f"backoff_factor={2.0 if retry.exponential_backoff else 1.0}"]
    if retry.max_delay_seconds is not None:
        parts.append(f'backoff_max_duration="{int(retry.max_delay_seconds)}s"')
    return f"{node.variable}.set_retry({', '.join(parts)})"


def value_code(item: Input) -> str:
    value = item.value
    if isinstance(value, PipelineInput):
        return value.name
    if isinstance(value, ir.Template):
        return repr(value.text)
    if isinstance(value, ir.Literal):
        return repr(value.value)
    raise TypeError(f"input {item.name}: unsupported value {value!r}")
