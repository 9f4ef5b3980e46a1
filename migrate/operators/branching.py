"""Branching and short-circuiting: BranchPythonOperator, @task.branch (and their virtualenv /
external-python variants), BranchDateTimeOperator, BranchDayOfWeekOperator, ShortCircuitOperator
and @task.short_circuit.

Each becomes a lightweight component that decides like the operator and publishes its decision as
an extra output: `airflow_follow` (the task ids a branch follows) or `airflow_condition` (a short
circuit's truth value). The emitter (migrate/emit/skips.py, regions.py) reads `control_kind()` and applies
that decision the way Airflow's skip logic does: a branch skips its direct downstream tasks it did
not choose; a false short circuit skips every task downstream of it
(`ignore_downstream_trigger_rules=True`, the default) or only its direct downstream tasks, the
rest following their trigger rules. It adds one bool output per decision (`airflow_skips_<task>`,
`airflow_skips`) and puts the tasks skipped that way inside a dsl.If on it, so they do not start.
"""
from __future__ import annotations

import dataclasses
import re
from typing import List, Optional, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.operators import PLACEHOLDER, ArgTable, Case, ComponentPlan, MapContext, handled, mapper
from kfmigrate.migrate.operators.common import ArgBuilder, context_part
from kfmigrate.migrate.operators.placeholder import placeholder_plan
from kfmigrate.migrate.operators.python import ARGS as PYTHON_ARGS, map_python
from kfmigrate.migrate.plan import CONDITION_KEY, FOLLOW_KEY, DecideByTime, FollowBranch, ShortCircuit, TimeBound
CONTROL_KEYS = (FOLLOW_KEY, CONDITION_KEY)

PYTHON_BRANCHES = ("BranchPythonOperator", "@task.branch")
ENV_BRANCHES = ("BranchPythonVirtualenvOperator", "BranchExternalPythonOperator", "@task.branch_virtualenv",
                "@task.branch_external_python")
SHORT_CIRCUITS = ("ShortCircuitOperator", "@task.short_circuit")
# Arguments of the virtualenv / external python variants: the callable runs in the component image.
ENV_ARGS = ("requirements", "python_version", "system_site_packages", "python", "venv_cache_path", "pip_install_options",
            "index_urls", "serializer", "use_dill", "expect_airflow", "expect_pendulum", "string_args",
            "use_airflow_context", "inherit_env", "env_vars", "index_urls_from_connection_ids")


def control_kind(task: ir.Task) -> Optional[Tuple[str, bool]]:
    """('branch', False) for branch operators, ('short_circuit', ignore_downstream_trigger_rules), else None."""
    # LatestOnlyOperator (latest_only.py) publishes its decision the same way
    if task.operator in PYTHON_BRANCHES + ENV_BRANCHES + ("BranchDateTimeOperator", "BranchDayOfWeekOperator", "LatestOnlyOperator"):
        return ("branch", False)
    if task.operator in SHORT_CIRCUITS:
        value = task.args.get("ignore_downstream_trigger_rules")
        ignore = not (isinstance(value, ir.Literal) and value.value is False)
        return ("short_circuit", ignore)
    if task.operator == "HITLBranchOperator":  # hitl.py: the person's choice is the branch
        return ("branch", False)
    if task.operator == "ApprovalOperator":  # hitl.py: Reject acts as a false short circuit (default: direct downstream only)
        value = task.args.get("ignore_downstream_trigger_rules")
        return ("short_circuit", isinstance(value, ir.Literal) and value.value is True)
    return None


def _python_plan(task: ir.Task, ctx: MapContext, drop: Tuple[str, ...]) -> ComponentPlan:
    """The PythonOperator / @task plan for the task's callable, without the branch-only arguments."""
    plain = dataclasses.replace(task, args={k: v for k, v in task.args.items() if k not in drop},
                                operator="@task" if task.operator.startswith("@") else "PythonOperator")
    plan = map_python(plain, ctx)
    plan.diagnostics = [dataclasses.replace(d, span=task.span) for d in plan.diagnostics]
    return plan


def _placeholder(plan: ComponentPlan) -> bool:
    """The callable's plan is (or becomes, when finished) a placeholder: nothing to add to it."""
    return plan.fidelity == PLACEHOLDER or bool(plan.unresolved) or plan.finished


@mapper(*PYTHON_BRANCHES, *ENV_BRANCHES, args=PYTHON_ARGS.extended(handled(*ENV_ARGS)))
def map_branch_python(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = _python_plan(task, ctx, ENV_ARGS)
    plan.mapping = f"{task.operator} -> Python lightweight component choosing the branch"
    if _placeholder(plan):
        return plan
    plan.parts.append(follow_part(task, ctx, "returned"))
    plan.outputs[FOLLOW_KEY] = "list"
    plan.outputs["return_value"] = "json"  # None when the branch skips (no XCom in Airflow 3)
    if task.operator in ENV_BRANCHES:
        _environment(task, plan, ctx)
    return plan


@mapper(*SHORT_CIRCUITS, args=PYTHON_ARGS.extended(handled("ignore_downstream_trigger_rules")))
def map_short_circuit(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = _python_plan(task, ctx, ("ignore_downstream_trigger_rules",))
    plan.mapping = f"{task.operator} -> Python lightweight component deciding whether downstream tasks run"
    if _placeholder(plan):
        return plan
    direct = [d for d in ctx.workflow.downstream(task.task_id) if not _is_teardown(ctx, d)]
    plan.parts.append(ShortCircuit(bool(direct)))
    plan.outputs[CONDITION_KEY] = "bool"
    plan.outputs["return_value"] = "json"
    if control_kind(task)[1]:
        plan.differences.append("A falsy result skips every downstream task (ignore_downstream_trigger_rules=True), as in Airflow.")
    return plan


def _is_teardown(ctx: MapContext, task_id: str) -> bool:
    try:
        return ctx.workflow.task(task_id).is_teardown
    except KeyError:
        return False


def follow_part(task: ir.Task, ctx: MapContext, chosen: str) -> FollowBranch:
    """The part turning the branch's choice into the task ids to follow, as Airflow's skip_all_except
    (chosen: see plan.FollowBranch). A direct downstream task that is downstream of a chosen task
    too is followed (Airflow adds the chosen tasks' relatives)."""
    direct = list(ctx.workflow.downstream(task.task_id))
    down: dict = {}
    for edge in ctx.workflow.edges:
        down.setdefault(edge.upstream, []).append(edge.downstream)
    relatives = []
    for start in direct:
        seen, stack = set(), list(down.get(start, ()))
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(down.get(current, ()))
        found = [d for d in direct if d in seen and d != start]
        if found:
            relatives.append((start, tuple(found)))
    return FollowBranch(chosen, tuple(direct), tuple(relatives))


def _environment(task: ir.Task, plan: ComponentPlan, ctx: MapContext) -> None:
    requirements = task.args.get("requirements")
    if isinstance(requirements, ir.Literal):
        value = requirements.value
        items = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else []
        plan.packages += [str(item) for item in items if str(item).strip() and not str(item).startswith("-")]
    elif requirements is not None:
        plan.diagnostics.append(ctx.diagnostic(task, "KFM202", "requirements are not a literal list: not installed"))
    plan.differences.append("The callable runs in the component image (packages_to_install), not in a separate "
                            "virtualenv or Python interpreter.")


# ---------------------------------------------------------------- date and weekday branches
_TIME_CALL = re.compile(r"^(?:[\w.]*\.)?time\(\s*([\d\s,]*)\)$")


def _time_or_datetime(value) -> Tuple[Optional[TimeBound], Optional[str]]:
    """(the bound, problem) for a target_lower/target_upper value; no bound: TimeBound()."""
    if value is None or (isinstance(value, ir.Literal) and value.value is None):
        return TimeBound(), None
    if isinstance(value, ir.Literal) and isinstance(value.value, str) and "T" in value.value:
        return TimeBound(iso=value.value), None
    if isinstance(value, ir.Dynamic):
        match = _TIME_CALL.match(value.source.replace(" ", ""))
        if match:
            return TimeBound(time=tuple(int(n) for n in match.group(1).split(",") if n.strip())), None
    source = getattr(value, "source", None) or repr(getattr(value, "value", value))
    return None, f"target {source} is neither a datetime nor a time written in the DAG file"


def _follow_ids(value) -> Optional[List[str]]:
    if isinstance(value, ir.Literal):
        if isinstance(value.value, str):
            return [value.value]
        if isinstance(value.value, (list, tuple)) and all(isinstance(v, str) for v in value.value):
            return list(value.value)
    return None


def _base_plan(task: ir.Task, ctx: MapContext, mapping: str):
    args = ArgBuilder(ctx)
    true_ids, false_ids = _follow_ids(task.args.get("follow_task_ids_if_true")), _follow_ids(task.args.get("follow_task_ids_if_false"))
    if true_ids is None or false_ids is None:
        return None, placeholder_plan(task, ctx, "follow_task_ids_if_true/false are not literal task ids")
    use_logical = task.args.get("use_task_logical_date")
    use_logical = isinstance(use_logical, ir.Literal) and bool(use_logical.value)
    plan = ComponentPlan(mapping=mapping, description=task.doc)
    context = context_part(task, ctx, args)
    plan.inputs = args.inputs
    plan.outputs = {"return_value": "json", FOLLOW_KEY: "list"}
    plan.helpers = ["_airflow_runtime", "_airflow_branch_ids", "_airflow_not_followed"]
    plan.differences.append("Times are compared in UTC (Airflow uses the DAG's time zone, UTC unless its start_date says otherwise).")
    if not use_logical:
        plan.differences.append("Compares the wall-clock time of the run, as Airflow does: two runs at different times may choose differently.")
    return (plan, context, true_ids, false_ids, use_logical), None


@mapper("BranchDateTimeOperator", args=ArgTable.of(handled(
    "follow_task_ids_if_true", "follow_task_ids_if_false", "target_lower", "target_upper", "use_task_logical_date")))
def map_branch_datetime(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    made, failed = _base_plan(task, ctx, "BranchDateTimeOperator -> component comparing the time and choosing the branch")
    if failed:
        return failed
    plan, context, true_ids, false_ids, use_logical = made
    lower, problem_lower = _time_or_datetime(task.args.get("target_lower"))
    upper, problem_upper = _time_or_datetime(task.args.get("target_upper"))
    if problem_lower or problem_upper:
        return placeholder_plan(task, ctx, problem_lower or problem_upper)
    decide = DecideByTime(tuple(true_ids), tuple(false_ids), use_logical, lower=lower, upper=upper)
    plan.parts = [context, decide, follow_part(task, ctx, "decided")]
    return plan


@mapper("BranchDayOfWeekOperator", args=ArgTable.of(handled(
    "follow_task_ids_if_true", "follow_task_ids_if_false", "week_day", "use_task_logical_date")))
def map_branch_weekday(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    made, failed = _base_plan(task, ctx, "BranchDayOfWeekOperator -> component checking the week day and choosing the branch")
    if failed:
        return failed
    plan, context, true_ids, false_ids, use_logical = made
    days = _week_days(task.args.get("week_day"))
    if days is None:
        return placeholder_plan(task, ctx, "week_day is not a literal day name (or WeekDay member), nor a list of them")
    decide = DecideByTime(tuple(true_ids), tuple(false_ids), use_logical, week_days=tuple(sorted(days)))
    plan.parts = [context, decide, follow_part(task, ctx, "decided")]
    return plan


DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def _week_days(value) -> Optional[set]:
    items = []
    if isinstance(value, ir.Literal):
        items = [value.value] if isinstance(value.value, str) else list(value.value) if isinstance(value.value, (list, tuple, set)) else [None]
        items = [ir.Literal(v) for v in items]
    elif isinstance(value, ir.Composite) and value.kind in ("list", "tuple"):
        items = list(value.items)
    elif isinstance(value, ir.Dynamic):
        items = [value]
    found = set()
    for item in items:
        name = item.value if isinstance(item, ir.Literal) else item.source.rsplit(".", 1)[-1] if isinstance(item, ir.Dynamic) else None
        if not isinstance(name, str) or name.upper() not in DAYS:
            return None
        found.add(DAYS.index(name.upper()) + 1)
    return found or None


CASES = [
    Case(
        name="@task.branch returns the task id to follow",
        dag='''
from airflow.sdk import dag, task
from airflow.providers.standard.operators.empty import EmptyOperator

@dag(schedule=None)
def pick():
    @task.branch
    def choose():
        return "left"

    @task
    def left():
        return 1

    @task
    def right():
        return 2

    choose() >> [left(), right()]

pick()
''',
        task_id="choose",
        fragments=("follow = [] if skipped else _airflow_branch_ids(results.get('return_value'))",
                   "_airflow_not_followed('right'"),
        body='''\
results, skipped = _airflow_call_python(_airflow, choose, _op_args, _op_kwargs)
# A branch: the task ids (or task group ids) to follow; its other direct downstream tasks are skipped.
follow = [] if skipped else _airflow_branch_ids(results.get('return_value'))
if not skipped and any(_airflow_not_followed(task_id, follow) for task_id in ['left', 'right']):
    results.pop('return_value', None)  # Airflow 3 raised DownstreamTasksSkipped: no return value
results['airflow_follow'] = follow
''',
    ),
    Case(
        name="ShortCircuitOperator skips everything downstream by default",
        dag='''
from airflow import DAG
from airflow.providers.standard.operators.python import PythonOperator, ShortCircuitOperator

with DAG("sc", schedule=None):
    check = ShortCircuitOperator(task_id="check", python_callable=lambda: False)
    a = PythonOperator(task_id="a", python_callable=lambda: 1)
    b = PythonOperator(task_id="b", python_callable=lambda: 2, trigger_rule="all_done")
    check >> a >> b
''',
        task_id="check",
        fragments=("results['airflow_condition'] = False if skipped else bool(results.get('return_value'))",),
        body='''\
results['airflow_condition'] = False if skipped else bool(results.get('return_value'))
if not skipped and not results['airflow_condition'] and True:
    results.pop('return_value', None)
''',
    ),
    Case(
        name="BranchDayOfWeekOperator with WeekDay members",
        dag='''
from airflow import DAG
from airflow.providers.standard.operators.weekday import BranchDayOfWeekOperator
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.utils.weekday import WeekDay

with DAG("weekday", schedule=None):
    pick = BranchDayOfWeekOperator(task_id="pick", follow_task_ids_if_true="weekend",
                                   follow_task_ids_if_false="weekday", week_day={WeekDay.SATURDAY, WeekDay.SUNDAY},
                                   use_task_logical_date=True)
    pick >> [BashOperator(task_id="weekend", bash_command="echo we"), BashOperator(task_id="weekday", bash_command="echo wd")]
''',
        task_id="pick",
        fragments=("week_days = [6, 7]", "now = _airflow.context['logical_date']"),
        body='''\
import datetime
now = _airflow.context['logical_date']
week_days = [6, 7]  # ISO numbers, Monday = 1
chosen = ['weekend'] if now.isoweekday() in week_days else ['weekday']
results, skipped = {'return_value': chosen}, False
''',
    ),
    Case(
        name="BranchDateTimeOperator with pendulum times",
        dag='''
import pendulum
from airflow import DAG
from airflow.providers.standard.operators.datetime import BranchDateTimeOperator
from airflow.providers.standard.operators.bash import BashOperator

with DAG("dt", schedule=None):
    pick = BranchDateTimeOperator(task_id="pick", follow_task_ids_if_true=["inside"], follow_task_ids_if_false=["outside"],
                                  target_lower=pendulum.time(15, 0, 0), target_upper=pendulum.time(0, 0, 0))
    pick >> [BashOperator(task_id="inside", bash_command="echo in"), BashOperator(task_id="outside", bash_command="echo out")]
''',
        task_id="pick",
        fragments=("lower, upper = datetime.time(15, 0, 0), datetime.time(0, 0, 0)",),
        body='''\
now = datetime.datetime.now(datetime.timezone.utc)
lower, upper = datetime.time(15, 0, 0), datetime.time(0, 0, 0)
''',
    ),
]
