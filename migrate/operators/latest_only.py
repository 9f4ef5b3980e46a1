"""LatestOnlyOperator -> a component that decides, like the operator, whether downstream tasks run.

Airflow 3 (providers/standard/operators/latest_only.py): a manual run never skips; a scheduled run
skips its direct downstream tasks unless "now" falls in the window after its logical date and up to
the next scheduled time (for the default cron/delta trigger timetables: logical_date < now <= next
run). On KFP a run counts as scheduled when its run_id parameter starts with "scheduled__", the way
Airflow names scheduled runs (a recurring run must pass run_id and logical_date for that); any other
run is manual and runs everything, as in Airflow.

The decision is published like a branch's (`airflow_follow`: the direct downstream task ids to
follow, all or none); branching.control_kind names LatestOnlyOperator a branch, so the emitter skips
exactly the tasks Airflow skips.
"""
from __future__ import annotations

from migrate import ir
from migrate.operators import Case, ComponentPlan, MapContext, mapper
from migrate.operators.branching import control_kind
from migrate.operators.common import FOLLOW_KEY, ArgBuilder, context_inputs
from migrate.schedule import PRESETS


@mapper("LatestOnlyOperator")  # no arguments of its own: any other is reported as ignored
def map_latest_only(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = ComponentPlan(mapping="LatestOnlyOperator -> component deciding like the operator (a branch following all or nothing)",
                         description=task.doc)
    args = ArgBuilder(ctx)
    lines = [context_inputs(task, ctx, args)]
    direct = list(ctx.workflow.downstream(task.task_id))
    schedule = ctx.workflow.schedule
    next_time = None
    if schedule.kind in ("cron", "preset") and isinstance(schedule.value, str):
        cron = PRESETS.get(schedule.value, schedule.value)
        if cron.startswith("@"):
            next_time = None  # @once / @continuous: no next interval, Airflow lets the run proceed
        else:
            next_time = f"croniter.croniter({cron!r}, logical_date).get_next(dt.datetime)"
            plan.packages = ["croniter"]
    elif schedule.kind == "timedelta" and isinstance(schedule.value, (int, float)):
        next_time = f"logical_date + dt.timedelta(seconds={float(schedule.value)!r})"
    elif schedule.kind not in ("none",):
        plan.diagnostics.append(ctx.diagnostic(
            task, "KFM210", f"schedule {schedule.kind} {schedule.value!r}: the next run time is not computed; scheduled runs are treated as the latest"))
        plan.differences.append("With this schedule every run counts as the latest one.")
    lines.append("# LatestOnlyOperator: a manual run proceeds; a scheduled run proceeds only while it is the latest.")
    lines.append('run_id = _airflow.context["run_id"]')
    lines.append("latest = True")
    if next_time:
        lines += [
            'if run_id.startswith("scheduled__"):',
            "    import datetime as dt",
            *(["    import croniter"] if "croniter" in next_time else []),
            '    logical_date = _airflow.context["logical_date"]',
            f"    next_run = {next_time}",
            "    now = dt.datetime.now(dt.timezone.utc)",
            '    print(f"Checking latest only: window ({logical_date}, {next_run}], now {now}")',
            "    latest = logical_date < now <= next_run",
        ]
    lines += [
        'print("Latest, allowing execution to proceed." if latest else "Not latest execution, skipping downstream.")',
        "# Airflow pushes the followed task ids; when it skips, it ends with DownstreamTasksSkipped and pushes nothing",
        f"results = {{{FOLLOW_KEY!r}: {direct!r}, 'return_value': {direct!r}}} if latest else {{{FOLLOW_KEY!r}: []}}",
        "skipped = False",
    ]
    plan.body = "\n".join(lines)
    plan.inputs = args.inputs
    plan.outputs = {FOLLOW_KEY: "list", "return_value": "json"}
    plan.differences.append('A run counts as scheduled when its run_id starts with "scheduled__" (Airflow\'s naming); '
                            "recurring runs must pass run_id and logical_date for the check to apply.")
    if control_kind(task) is None:  # the emitter acts on branch decisions it knows of
        plan.diagnostics.append(ctx.diagnostic(
            task, "KFM210", "the decision is computed but the emitter does not apply it yet: downstream tasks run "
            "even when Airflow would skip them (a non-latest scheduled run)"))
        plan.differences.append("Downstream tasks are not skipped on KFP for a non-latest scheduled run (decision published only).")
    return plan


CASES = [
    Case(
        name="latest only on a daily schedule",
        dag='''
from datetime import datetime
from airflow import DAG
from airflow.providers.standard.operators.latest_only import LatestOnlyOperator
from airflow.providers.standard.operators.bash import BashOperator

with DAG("latest", start_date=datetime(2024, 1, 1), schedule="@daily"):
    latest = LatestOnlyOperator(task_id="latest_only")
    publish = BashOperator(task_id="publish", bash_command="echo publish")
    latest >> publish
''',
        task_id="latest_only",
        fragments=("croniter.croniter('0 0 * * *', logical_date).get_next(dt.datetime)", "{'airflow_follow': ['publish'], 'return_value': ['publish']} if latest else {'airflow_follow': []}",
                   "packages_to_install=RUNTIME_PACKAGES + ['croniter=="),
    ),
]
