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

from kfmigrate.migrate import ir
from kfmigrate.migrate.operators import Case, ComponentPlan, MapContext, mapper
from kfmigrate.migrate.operators.branching import control_kind
from kfmigrate.migrate.operators.common import ArgBuilder, context_part
from kfmigrate.migrate.plan import FOLLOW_KEY, LatestOnly
from kfmigrate.migrate.schedule import PRESETS


@mapper("LatestOnlyOperator")  # no arguments of its own: any other is reported as ignored
def map_latest_only(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = ComponentPlan(mapping="LatestOnlyOperator -> component deciding like the operator (a branch following all or nothing)",
                         description=task.doc)
    args = ArgBuilder(ctx)
    context = context_part(task, ctx, args)
    direct = tuple(ctx.workflow.downstream(task.task_id))
    schedule = ctx.workflow.schedule
    decision = LatestOnly(direct)
    if schedule.kind in ("cron", "preset") and isinstance(schedule.value, str):
        cron = PRESETS.get(schedule.value, schedule.value)
        if not cron.startswith("@"):  # @once / @continuous: no next interval, Airflow lets the run proceed
            decision = LatestOnly(direct, cron=cron)
            plan.packages = ["croniter"]
    elif schedule.kind == "timedelta" and isinstance(schedule.value, (int, float)):
        decision = LatestOnly(direct, every=float(schedule.value))
    elif schedule.kind not in ("none",):
        plan.diagnostics.append(ctx.diagnostic(
            task, "KFM210", f"schedule {schedule.kind} {schedule.value!r}: the next run time is not computed; scheduled runs are treated as the latest"))
        plan.differences.append("With this schedule every run counts as the latest one.")
    plan.parts = [context, decision]
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
        body='''\
if run_id.startswith("scheduled__"):
    import datetime as dt
    import croniter
    logical_date = _airflow.context["logical_date"]
    next_run = croniter.croniter('0 0 * * *', logical_date).get_next(dt.datetime)
''',
    ),
]
