"""Wiring between tasks: effective upstream tasks (looking through removed ones), the outputs each
producer publishes, XCom inputs, the failure-as-data plan (trigger_rules.py) and the values a
dsl.ParallelFor's tasks read from outside it."""
from __future__ import annotations

import dataclasses
from typing import Dict, List, Set, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import Diagnostic
from kfmigrate.migrate.emit import callbacks as dag_callbacks
from kfmigrate.migrate.emit import mapping as mappings
from kfmigrate.migrate.emit import trigger_rules
from kfmigrate.migrate.emit.graph import Dag
from kfmigrate.migrate.emit.nodes import SKIP_OUTPUT, ControlInput, Node, Output, XcomInput, crosses_loop, publishes, python_type, trigger_rule
from kfmigrate.migrate.naming import BODY_NAMES, identifier, k8s_name, unique
from kfmigrate.migrate.operators import ComponentPlan, Input, PipelineInput


def plan_states(workflow: ir.Workflow, nodes: Dict[str, Node], taken: Set[str], k8s_taken: Set[str]) -> ir.Workflow:
    """Failure as data (migrate/emit/trigger_rules.py): mark the state domain, give its recorders the
    attempt number (only the last attempt records), add the DAG run state task. Returns the workflow
    to wire: the DAG's edges plus the leaves -> DAG run state edges."""
    states = trigger_rules.plan(workflow, nodes, trigger_rule)
    for task_id in states.readers:
        nodes[task_id].reads_states = True
    for task_id in states.domain:
        node = nodes[task_id]
        node.carries_state = True
        if node.task.retry.retries and not node.attempts_output:  # only the last attempt records: count them
            node.plan.inputs = list(node.plan.inputs) + [Input(dag_callbacks.RETRY_INDEX_PARAM, "str", ir.Literal("{{retries}}"))]
            node.attempts_output = True
            node.plan.body = dag_callbacks.with_try_number(node.plan.body) or node.plan.body  # ti.try_number too
    if not states.leaves:
        return workflow
    final = Node(trigger_rules.final_task(workflow), ComponentPlan(mapping="the Airflow DAG run's state"))
    final.reads_states = True
    name = unique("dag_run_state", taken)
    while f"{name}_task" in taken or k8s_name(name) in k8s_taken:
        name = unique("dag_run_state", taken)
    taken.add(f"{name}_task")
    k8s_taken.add(k8s_name(name))
    final.function, final.variable = name, f"{name}_task"
    nodes[trigger_rules.FINAL_ID] = final
    return dataclasses.replace(workflow, edges=workflow.edges + trigger_rules.final_edges(states))


def wire(workflow: ir.Workflow, nodes: Dict[str, Node]) -> List[str]:
    """Fill upstreams, outputs and XCom inputs; return task ids in topological order."""
    direct = Dag(nodes)  # the DAG's edges as written, removed tasks included
    for edge in workflow.edges:
        direct.link(edge.upstream, edge.downstream)

    resolved: Dict[str, List[str]] = {}

    def effective(task_id: str, seen: Tuple[str, ...] = ()) -> List[str]:
        """Component upstreams, looking through removed tasks."""
        if task_id in resolved:
            return resolved[task_id]
        found: List[str] = []
        for up in direct.up[task_id]:
            if up in seen:
                continue
            for item in ([up] if nodes[up].plan.component else effective(up, seen + (task_id,))):
                if item not in found:
                    found.append(item)
        resolved[task_id] = found
        return found

    runs_after = Dag(nodes)  # the KFP dependencies: upstream tasks and the producers of values read
    for task_id, node in nodes.items():
        if node.plan.component:
            node.upstream = list(effective(task_id))
            for up in node.upstream:
                runs_after.link(up, task_id)

    def depend(node: Node, producer: str) -> None:
        if producer not in node.upstream:
            node.upstream.append(producer)
            runs_after.link(producer, node.task.task_id)

    _publish(nodes)
    # XCom inputs: a data dependency unless it would close a cycle.
    for task_id, node in nodes.items():
        if not node.plan.component:
            continue
        taken = {i.name for i in node.plan.inputs} | BODY_NAMES
        for producer, key in node.plan.xcom_refs:
            source = nodes.get(producer)
            if source is None or not publishes(source):
                node.xcom_none.append((producer, key))
                if source is None:
                    node.diagnostics.append(Diagnostic("KFM204", f"reads XCom of unknown task {producer!r}: the value is None", "warning", node.task.span, task_id))
                elif source.plan.component:
                    node.diagnostics.append(Diagnostic("KFM204", f"reads XCom of container task {producer!r}, which has no KFP outputs: the value is None", "warning", node.task.span, task_id))
                    depend(node, producer)
                continue
            if producer == task_id or runs_after.reaches(task_id, producer):
                node.xcom_none.append((producer, key))
                node.diagnostics.append(Diagnostic("KFM204", f"reads XCom of {producer!r}, which runs after it: the value is None", "warning", node.task.span, task_id))
                continue
            param = unique(f"{source.function}__{identifier(key, 'value')}", taken)
            output = source.outputs[key]
            node.xcom_inputs.append(XcomInput(param, producer, key, output.name, output.kind))
            if crosses_loop(source, node):
                node.collected_from.add(producer)
            depend(node, producer)
    return runs_after.order()


def _publish(nodes: Dict[str, Node]) -> None:
    """The outputs of every task with KFP outputs: its own XCom keys plus the ones others read."""
    wanted: Dict[str, List[str]] = {t: [] for t in nodes}
    for node in nodes.values():
        if node.plan.component:
            for producer, key in node.plan.xcom_refs:
                if producer in nodes and publishes(nodes[producer]) and key not in wanted[producer]:
                    wanted[producer].append(key)
    for node in nodes.values():
        for source in (node.loop.sources if node.loop is not None else ()):
            if isinstance(source, ir.TaskOutput) and source.task_id in nodes and publishes(nodes[source.task_id]):
                if source.key not in wanted[source.task_id]:
                    wanted[source.task_id].append(source.key)
    for task_id, node in nodes.items():
        if not publishes(node):
            continue
        kinds = dict(node.plan.outputs)
        for key in wanted[task_id]:
            kinds.setdefault(key, "json")
        taken = {SKIP_OUTPUT}
        node.outputs = {key: Output(unique(identifier(key, "output"), taken), kind) for key, kind in kinds.items()}


def route_outer_values(components: List[Node], nodes: Dict[str, Node], taken: Set[str]) -> None:
    """Values from tasks outside a loop that its tasks read travel inside the loop items.

    kfp.local (2.17) gives a loop's tasks the loop item in place of any other task's output, so
    such inputs are packed into every item by the `<task>_items` component instead."""
    for node in components:
        loop = node.loop
        if loop is None:
            continue
        keys = {(outer.producer, outer.output): outer.key for outer in loop.outer}
        # (param, producer, output, type): the same fields for XCom values and skip decision inputs
        refs = [ControlInput(x.param, x.producer, x.output, "list" if node.collected(x.producer) else python_type(x.kind))
                for x in node.xcom_inputs]
        refs += node.control_inputs
        for ref in refs:
            if nodes[ref.producer].loop is loop:
                continue
            if (ref.producer, ref.output) not in keys:
                keys[(ref.producer, ref.output)] = f"o{len(loop.outer) + 1}"
                loop.outer.append(mappings.OuterValue(keys[(ref.producer, ref.output)], ref.producer, ref.output, ref.type))
            node.via_item[ref.param] = keys[(ref.producer, ref.output)]
        if node.via_item and not any(i.name == mappings.ITEM_PARAM for i in node.plan.inputs):
            node.plan.inputs = list(node.plan.inputs) + [Input(mappings.ITEM_PARAM, "str", PipelineInput(mappings.ITEM_PARAM))]
        if loop.outer and loop.items_function is None:
            loop.items_function = unique(f"{identifier(loop.key, 'task')}_items", taken)
            taken.add(f"{loop.items_function}_task")
