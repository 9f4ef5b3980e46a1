"""Skip decisions: when would Airflow skip a task, given its upstream tasks' skip flags (or states),
branches and short circuits, and its trigger rule? And the trigger-rule notes of the report.

Each dependant receives its direct upstreams' flags as inputs and applies its trigger rule (runtime
`_airflow_should_skip`). The flags propagate through any graph shape. On top of them, the tasks a
branch or short circuit decides on directly sit inside a dsl.If on the decision (regions.py), so
they do not start at all when Airflow would skip them.

Failures: where a trigger rule must see a failed upstream task (all_done, one_failed, teardowns ...),
failures travel as data too: the tasks around it output `airflow_state` and decide from their
upstream tasks' states, and a last task fails the pipeline as Airflow fails the DAG run
(migrate/emit/trigger_rules.py).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import Diagnostic
from kfmigrate.migrate.emit import regions as dsl_ifs
from kfmigrate.migrate.emit import trigger_rules
from kfmigrate.migrate.emit.graph import Dag
from kfmigrate.migrate.emit.nodes import (ALWAYS_CHECKED_RULES, FAILURE_RULES, IGNORES_FAILURES, SHORT_CIRCUIT_SKIPS, SKIP_OUTPUT,
                                SKIPS_PREFIX, ControlInput, Node, crosses_loop, publishes, trigger_rule)
from kfmigrate.migrate.naming import BODY_NAMES, identifier, unique
from kfmigrate.migrate.operators.branching import CONDITION_KEY, FOLLOW_KEY, control_kind


def decide(workflow: ir.Workflow, nodes: Dict[str, Node], order: List[str]) -> None:
    """Skip decisions, dsl.If regions and the controllers' outputs for them, exit-task facts and the
    trigger-rule notes; order: the task ids in topological order."""
    graph = ControlGraph(workflow, nodes)
    regions = dsl_ifs.candidate_regions(nodes, graph)
    while True:  # skip decisions depend on the regions; regions KFP cannot express are dropped, then again
        dsl_ifs.assign_regions(regions, nodes)
        for task_id in order:
            if nodes[task_id].plan.component:
                _decide(nodes[task_id], nodes, graph)
        if not dsl_ifs.settle_regions(regions, nodes):
            break
    dsl_ifs.controller_outputs(regions, nodes)
    used = {p for n in nodes.values() for p in [*n.upstream, *(x.producer for x in n.xcom_inputs),
                                                 *(c.producer for c in n.control_inputs)]}
    for task_id, node in nodes.items():  # an exit task (ignore_upstream_failure) must have none
        node.has_downstream = task_id in used or any(e.upstream == task_id for e in workflow.edges)
    for task_id in order:
        if nodes[task_id].plan.component and task_id != trigger_rules.FINAL_ID:
            rule_notes(nodes[task_id], nodes)


class ControlGraph:
    """The Airflow graph as written (removed tasks included) and who skips whom directly."""

    def __init__(self, workflow: ir.Workflow, nodes: Dict[str, Node]):
        self.edges = Dag.of_edges(nodes, workflow.edges)
        self.up: Dict[str, List[str]] = self.edges.up
        self.branches: Set[str] = set()
        self.short_circuits: Dict[str, List[str]] = {t: [] for t in nodes}  # task -> short circuits skipping it
        for task_id, node in nodes.items():
            kind = control_kind(node.task)
            if kind is None or not publishes(node) or node.loop is not None:
                continue
            if kind[0] == "branch" and FOLLOW_KEY in node.outputs:
                self.branches.add(task_id)
            elif kind[0] == "short_circuit" and CONDITION_KEY in node.outputs:
                targets = self.edges.descendants(task_id) if kind[1] else self.edges.down[task_id]
                for target in targets:
                    if not nodes[target].task.is_teardown and target != trigger_rules.FINAL_ID:  # Airflow never short-circuits teardowns
                        self.short_circuits[target].append(task_id)


def _decide(node: Node, nodes: Dict[str, Node], graph: ControlGraph) -> None:
    node.control_inputs, node.skip_lines, node.skip_expr = [], [], None
    _skip_decision(node, nodes, graph)
    node.skip_check = node.skip_expr is not None
    _xcom_skip_flags(node, nodes)
    # a task in a region always has the flag: readers outside get it (or the stand-in's True) via dsl.OneOf
    node.skip_output = node.plan.may_skip or node.skip_check or bool(node.regions) or node.carries_state
    node.gate_function = None
    if node.container is not None:
        # A plain container cannot read skip flags: a gate task decides and the container runs
        # inside dsl.If (its dependants read the gate's flag); it never skips itself.
        node.skip_output = node.skip_check
        node.gate_function = "" if node.skip_check else None  # named by builder._name_gates


def _never_skipped_for(reader: Node, source: Node) -> bool:
    """Can `reader` see `source` skipped? Not when it has no flag, nor when it sits in the same dsl.If
    groups as the reader and cannot skip itself (it runs whenever the reader does)."""
    if source.carries_state:
        return False  # it may have failed: no XCom either (its failure is recorded as data)
    alone = not (source.plan.may_skip or source.skip_check) and all(r in reader.regions for r in source.regions)
    return not source.skip_output or alone


def _xcom_skip_flags(node: Node, nodes: Dict[str, Node]) -> None:
    """A skipped task pushed no XCom: Airflow's pull gives None. Typed outputs of a skipped task carry
    "" / 0 / false, so a reader of one also gets the producer's flag and reads None when it is set."""
    node.xcom_skip_flags = {}
    if node.container is not None:
        return
    flags = {c.producer: c.param for c in node.control_inputs if c.output == SKIP_OUTPUT}
    taken = ({i.name for i in node.plan.inputs} | {x.param for x in node.xcom_inputs} | {c.param for c in node.control_inputs}
             | BODY_NAMES)
    for xcom in node.xcom_inputs:
        producer, source = xcom.producer, nodes[xcom.producer]
        if xcom.kind == "json" or _never_skipped_for(node, source) or node.collected(producer):
            continue  # JSON already says null; a mapped producer's values come as a list
        if producer not in flags:
            flags[producer] = unique(f"{source.function}_skipped", taken)
            node.control_inputs.append(ControlInput(flags[producer], producer, SKIP_OUTPUT, "bool"))
        node.xcom_skip_flags[xcom.param] = flags[producer]


def _decided_by_region(node: Node, controller: str, key: str) -> bool:
    """Is `node` inside the dsl.If that runs only when `controller` does not skip (key)? Then that skip is no question."""
    return any(r.controller == controller and r.key == key for r in node.regions)


def _skip_decision(node: Node, nodes: Dict[str, Node], graph: ControlGraph) -> None:
    """Build the expression that tells, inside the component, whether Airflow would skip the task.

    Inputs: the `airflow_skipped` flags of upstream components, the task ids a branch upstream
    follows and a short circuit's condition. Removed (empty) tasks in between keep their trigger
    rules: their skip states become local variables computed from their own upstreams.

    A task that reads states (node.reads_states, migrate/emit/trigger_rules.py) gets an expression
    giving 'run', 'skipped' or 'upstream_failed' instead, from the `airflow_state` outputs of the
    upstream tasks that carry one (the others are 'success' or, by their flag, 'skipped').
    """
    taken = {i.name for i in node.plan.inputs} | {x.param for x in node.xcom_inputs} | BODY_NAMES
    refs: Dict[Tuple[str, str], str] = {}
    removed_states: Dict[str, Optional[str]] = {}
    states_mode = node.reads_states

    def ref(producer: str, key: str, type_: str) -> str:
        if crosses_loop(nodes[producer], node):
            type_ = "list"  # dsl.Collected: one value per map index
        if (producer, key) not in refs:
            suffix = {SKIP_OUTPUT: "skipped", FOLLOW_KEY: "follow", CONDITION_KEY: "condition", trigger_rules.STATE_OUTPUT: "state"}[key]
            param = unique(f"{nodes[producer].function}_{suffix}", taken)
            refs[(producer, key)] = param
            output = key if key in (SKIP_OUTPUT, trigger_rules.STATE_OUTPUT) else nodes[producer].outputs[key].name
            node.control_inputs.append(ControlInput(param, producer, output, type_))
            if crosses_loop(nodes[producer], node):
                node.collected_from.add(producer)
        return refs[(producer, key)]

    def state(upstream: str) -> Optional[str]:
        """Expression for "upstream was skipped", None when it never is; its state in states_mode."""
        source = nodes[upstream]
        if source.plan.component:
            crosses = crosses_loop(source, node)
            if states_mode and source.carries_state:
                found = ref(upstream, trigger_rules.STATE_OUTPUT, "str")
                return f"*({found} or ['skipped'])" if crosses else found
            if _never_skipped_for(node, source):
                return "'success'" if states_mode else None
            flag = ref(upstream, SKIP_OUTPUT, "bool")
            if states_mode:
                return (f"*[('skipped' if f else 'success') for f in ({flag} or [True])]" if crosses
                        else f"('skipped' if {flag} else 'success')")
            # every map index counts as an upstream task; no index at all means the mapped task was skipped
            return f"*({flag} or [True])" if crosses else flag
        if upstream not in removed_states:
            removed_states[upstream] = None  # cycles (bad input) end here
            expr = decision(upstream)
            if expr is not None and expr not in ("True", "False", "'run'"):
                prefix = "_state" if states_mode else "_skipped"
                variable = unique(f"{prefix}_{identifier(upstream, 'task')}", taken)
                node.skip_lines.append(f"{variable} = {expr}  # the removed task {upstream!r}")
                expr = variable
            removed_states[upstream] = expr
        if states_mode and removed_states[upstream] is None:
            return "'run'"  # a removed task that always runs
        return removed_states[upstream]

    def ran(upstream: str) -> Optional[str]:
        """Expression for "the branch / short circuit ran" (it decides only then); None: always."""
        found = state(upstream)
        if not states_mode:
            return f"not {found}" if found else None
        return None if found == "'success'" else f"{found} == 'success'"

    def decision(task_id: str) -> Optional[str]:
        terms: List[str] = []
        for up in graph.up[task_id]:
            if up in graph.branches and not _decided_by_region(node, up, SKIPS_PREFIX + task_id):
                test = f"_airflow_not_followed({task_id!r}, {ref(up, FOLLOW_KEY, 'list')})"
                condition = ran(up)
                terms.append(f"({condition} and {test})" if condition else test)
        for circuit in graph.short_circuits[task_id]:
            if _decided_by_region(node, circuit, SHORT_CIRCUIT_SKIPS):
                continue
            test = f"{ref(circuit, CONDITION_KEY, 'bool')} is False"
            condition = ran(circuit)
            terms.append(f"({condition} and {test})" if condition else test)
        task = nodes[task_id].task
        rule = trigger_rule(task)
        if states_mode:
            rule = trigger_rules.rule_for_states(task, rule)
            if rule in trigger_rules.RUNS_ANYWAY:  # no upstream state to read
                return trigger_rules.decision(rule, [], [], terms)
            setups = [up for up in graph.up[task_id] if nodes[up].task.is_setup and task.is_teardown]
            return trigger_rules.decision(rule, [state(up) for up in graph.up[task_id]], [state(up) for up in setups], terms)
        if rule in IGNORES_FAILURES:  # runs whatever its upstream tasks did
            return " or ".join(terms) or None
        states = [state(up) or "False" for up in graph.up[task_id]]
        # rules like one_failed decide even when no upstream can skip; tasks without upstreams just run
        if any(flag != "False" for flag in states) or (rule in ALWAYS_CHECKED_RULES and states):
            terms.append(f"_airflow_should_skip({rule!r}, [{', '.join(states)}])")
        return " or ".join(terms) or None

    if node.task.task_id == trigger_rules.FINAL_ID:  # the DAG run state: the leaves' states
        leaf_states = {leaf: state(leaf) for leaf in graph.up[node.task.task_id]}
        node.plan.body = trigger_rules.final_body(node.skip_lines, leaf_states)
        node.skip_lines, node.skip_expr = [], None
        return
    node.skip_expr = decision(node.task.task_id)
    if node.skip_expr == "'run'":
        node.skip_expr = None


def ignores_failures(node: Node) -> bool:
    """all_done / always outside the state domain (its upstream tasks cannot record failures: container
    components): ignore_upstream_failure(), so it runs after failed upstream tasks.

    KFP makes such a task an exit hook of its upstream tasks, which the backend accepts only for a true
    leaf: nothing after it nor reading it, in no dsl.If or ParallelFor (a group of exit tasks alone is
    rejected). And only without inputs from other tasks: kfp.local cannot run a task whose upstream
    output is missing (measured: it stops the whole run)."""
    return (trigger_rule(node.task) in IGNORES_FAILURES and bool(node.upstream) and node.loop is None and not node.regions
            and not node.has_downstream and not node.reads_states and node.container is None
            and not node.xcom_inputs and not node.control_inputs)


def rule_notes(node: Node, nodes: Dict[str, Node]) -> None:
    rule = trigger_rule(node.task)
    if node.carries_state:
        node.differences.append("Failure as data: on its last attempt a failure is recorded (output airflow_state='failed') and "
                                "the KFP task succeeds, so the trigger rules downstream see it; the DAG run state task "
                                "fails the pipeline when Airflow would fail the run.")
    if node.task.is_teardown and node.reads_states:
        node.differences.append("Teardown: runs after its work whatever happened, as Airflow's all_done_setup_success; its own "
                                "failure is recorded as data, so it does not fail the run unless a leaf task failed.")
    elif node.task.is_teardown:
        node.differences.append("Teardown: runs after its work even when that failed (all_done); unlike Airflow it also runs when "
                                "its setup failed, and its own failure fails the KFP run.")
    if node.reads_states:
        if rule in trigger_rules.FAILURE_AWARE or rule in ("none_failed", "none_failed_min_one_success"):
            node.differences.append(f"Trigger rule {rule!r}: decided from the states of its upstream tasks (outputs airflow_state), "
                                    "failed ones included, as Airflow decides.")
        if node.container is not None and rule in trigger_rules.FAILURE_AWARE:
            node.diagnostics.append(Diagnostic("KFM205", f"trigger rule {rule!r} on a container task: its gate decides from the upstream states, "
                                               "but the container's own failure fails the KFP run", "info", node.task.span, node.task.task_id))
        unrecorded = [up for up in node.upstream if nodes[up].container is not None]
        if unrecorded and rule in trigger_rules.FAILURE_AWARE:
            node.diagnostics.append(Diagnostic("KFM205", f"trigger rule {rule!r} after container task(s) {', '.join(unrecorded)}: a container cannot "
                                               "record its failure as data, so its failure stops this task on KFP", "warning", node.task.span, node.task.task_id))
    elif rule in FAILURE_RULES:
        node.diagnostics.append(Diagnostic("KFM205", f"trigger rule {rule!r}: on KFP a failed upstream task stops this task", "warning", node.task.span, node.task.task_id))
        node.differences.append(f"Trigger rule {rule!r}: its reaction to skipped upstream tasks is kept; a failed upstream task stops this one on KFP"
                                + (" (Airflow would run it)." if rule in ("one_failed", "all_failed", "one_done", "one_success", "all_done_min_one_success") else "."))
    elif rule in IGNORES_FAILURES and ignores_failures(node):
        node.differences.append(f"Trigger rule {rule!r}: ignore_upstream_failure() (a leaf task), so it runs after failed upstream tasks as in Airflow.")
    elif rule in IGNORES_FAILURES and node.upstream:
        node.diagnostics.append(Diagnostic("KFM205", f"trigger rule {rule!r} after container tasks: on KFP a failed upstream task stops this task", "warning", node.task.span, node.task.task_id))
        node.differences.append(f"Trigger rule {rule!r}: its upstream tasks cannot record a failure as data (container tasks), so a failed one stops it on KFP (Airflow would run it).")
    elif rule in ("none_failed", "none_failed_min_one_success"):
        node.differences.append(f"Trigger rule {rule!r}: a failed upstream task stops this one on KFP, as in Airflow (upstream_failed).")
    elif rule not in ("all_success", "none_skipped", *IGNORES_FAILURES):
        node.diagnostics.append(Diagnostic("KFM205", f"trigger rule {rule!r} has no KFP form; treated as all_success", "warning", node.task.span, node.task.task_id))
