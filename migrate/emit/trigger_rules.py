"""Trigger rules that see failed upstream tasks: failure carried as data, as skips are.

KFP stops every dependant of a failed task, and a task it lets run after failures
(`ignore_upstream_failure()`) becomes an exit hook that no task may depend on: the KFP backend
rejects such a pipeline ("invalid dependency"), and a dsl.If or ParallelFor holding only such tasks
("must contain one or more non-exit tasks"). So where a trigger rule downstream must see a failure
(all_done, one_failed, teardowns ...), the failure travels as an output instead:

- the *state domain*: every Python component upstream of a task whose rule reacts to failures, and
  every Python component downstream of those. Each of them outputs `airflow_state` ('success',
  'skipped', 'failed', 'upstream_failed'). On its LAST attempt (Airflow's retries: KFP retries the
  earlier ones) a failure is caught and recorded as 'failed' instead of failing the KFP task;
- each task in the domain decides from its upstream tasks' states as Airflow's TriggerRuleDep does
  (runtime `_airflow_trigger`): run, skip, or record 'upstream_failed' without doing anything;
- Airflow fails a DAG run when a leaf task (no downstream task but teardowns) ends failed or
  upstream_failed. Recorded failures do not fail the pipeline, so one more task, the DAG run state
  (`_airflow_dag_run_state`), reads the states of the domain's leaves and fails the pipeline then.
  Nothing depends on it, and it depends on no exit task: the backend accepts it.

Container components cannot record their own failure (their command is the user's): they stay
outside the domain; a gate in front of one that reads states fails when Airflow would mark the
container upstream_failed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Set

from kfmigrate.migrate import ir
from kfmigrate.migrate.contracts import STATE_OUTPUT  # noqa: F401 (the emitter's modules read it from here)
from kfmigrate.migrate.emit.graph import Dag
from kfmigrate.migrate.emit.text import indent_code

FINAL_ID = "<DAG run state>"  # not a valid Airflow task id: never clashes with one
FINAL_DISPLAY = "DAG run state (fails when Airflow's run would)"
# Rules under which a task reacts to a failed upstream task otherwise than by upstream_failed
FAILURE_AWARE = ("all_done", "always", "dummy", "one_failed", "all_failed", "one_done", "one_success",
                 "all_done_min_one_success", "none_skipped", "all_skipped", "all_done_setup_success")
# Rules that run whatever the upstream tasks did (no decision to make)
RUNS_ANYWAY = ("all_done", "always", "dummy")


@dataclass
class StatePlan:
    domain: Set[str] = field(default_factory=set)  # Python components carrying airflow_state
    readers: Set[str] = field(default_factory=set)  # tasks (any kind) deciding from upstream states
    leaves: List[str] = field(default_factory=list)  # Airflow's leaves the DAG run state task reads


def plan(workflow: ir.Workflow, nodes: Dict[str, object], rule_of) -> StatePlan:
    """Which tasks carry their state as data. nodes: task id -> emit Node (nodes.py: plan, container);
    rule_of(task) -> its trigger rule as the emitter reads it (teardowns: all_done)."""
    dag = Dag.of_edges(nodes, workflow.edges)
    python = {t for t, n in nodes.items() if n.plan.component and n.plan.container is None}
    aware = [t for t, n in nodes.items() if rule_of(n.task) in FAILURE_AWARE and dag.up[t]]
    # tasks whose failure a rule downstream must see (an aware task too, when another one is after it)
    recorders = dag.reached(aware, upward=True) & python
    after = dag.reached(recorders)
    domain = (recorders | after) & python
    result = StatePlan(domain=domain, readers=domain | {t for t in after if nodes[t].plan.component})
    if not result.domain:
        return StatePlan()
    teardown = {t for t, n in nodes.items() if n.task.is_teardown}
    leaves = [t for t in nodes if t not in teardown and all(d in teardown for d in dag.down[t])]
    leaves = leaves or [t for t in nodes if not dag.down[t]]
    # the domain's leaves, and removed leaves whose state comes from it (an EmptyOperator `end`)
    result.leaves = [t for t in leaves if t in result.domain or (not nodes[t].plan.component and t in after)]
    return result


def final_task(workflow: ir.Workflow) -> ir.Task:
    return ir.Task(FINAL_ID, "kfmigrate", "", {}, workflow.span, "", trigger_rule="all_done",
                   doc="Fails the pipeline when Airflow would fail the DAG run: a leaf task failed or upstream_failed.")


def final_edges(state_plan: StatePlan) -> tuple:
    return tuple(ir.Edge(leaf, FINAL_ID) for leaf in state_plan.leaves)


def display_name(task: ir.Task) -> str:
    return FINAL_DISPLAY if task.task_id == FINAL_ID else task.task_id


def rule_for_states(task: ir.Task, rule: str) -> str:
    """The rule as Airflow applies it to states: a teardown is all_done_setup_success."""
    if task.is_teardown and task.trigger_rule in ("all_success", "all_done_setup_success"):
        return "all_done_setup_success"
    return rule


def decision(rule: str, states: List[str], setup_states: List[str], terms: List[str]) -> str:
    """The expression giving 'run', 'skipped' or 'upstream_failed' inside the component.
    terms: expressions true when a branch or short circuit skips the task directly."""
    if rule in RUNS_ANYWAY or not states:
        rule_code = "'run'"
    elif rule == "all_done_setup_success":
        rule_code = f"_airflow_trigger({rule!r}, [{', '.join(states)}], [{', '.join(setup_states)}])"
    else:
        rule_code = f"_airflow_trigger({rule!r}, [{', '.join(states)}])"
    if terms:
        return f"'skipped' if {' or '.join(terms)} else {rule_code}"
    return rule_code


def check_lines(skip_lines: List[str], expr: str, skip_outputs: List[str], spec_text: str) -> List[str]:
    """The top of a component in the state domain: decide, and stop there unless Airflow would run it."""
    return ["# What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)",
            *skip_lines,
            f"_state = {expr}",
            "if _state != 'run':",
            *[f"    {line}" for line in skip_outputs],
            f"    return _kfp_outputs({{}}, True, {spec_text}) + (_state,)"]


def recording_failure(work: str, retries: int, try_number: str, skip_outputs: List[str], spec_text: str) -> List[str]:
    """The task's work inside try: its last failure is recorded as airflow_state 'failed'."""
    return ["# A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream",
            "try:",
            indent_code(work, "    "),
            "except Exception as _error:",
            f"    if not _airflow_failed_for_good(_error, {retries}, {try_number}):",
            "        raise  # attempts are left: KFP retries the task, as Airflow would",
            *[f"    {line}" for line in skip_outputs],
            f"    return _kfp_outputs({{}}, True, {spec_text}) + ('failed',)"]


def final_body(skip_lines: List[str], leaf_states: Dict[str, str]) -> str:
    items = ", ".join(f"{task!r}: [{state}]" for task, state in leaf_states.items())
    return "\n".join([*skip_lines, f"_airflow_dag_run_state({{{items}}})"])


def gate_lines(skip_lines: List[str], expr: str, task_id: str) -> List[str]:
    """A container's gate deciding from states: Airflow would mark it upstream_failed -> the gate fails."""
    return [*skip_lines,
            f"_state = {expr}",
            "if _state == 'upstream_failed':",
            f"    raise RuntimeError({('Airflow would mark ' + task_id + ' upstream_failed: an upstream task failed')!r})",
            "return (_state != 'run',)"]
