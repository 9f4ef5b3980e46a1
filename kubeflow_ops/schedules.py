"""Recurring runs: the trigger a DAG's Airflow schedule (or the user's override) becomes, and creating
one so that running `schedule` or `deploy` again never duplicates it (migrate/schedule.py translates)."""
from __future__ import annotations

from dataclasses import replace
from typing import List, Optional, Tuple

from kfmigrate.kubeflow_ops.errors import KubeflowError


class OptionError(ValueError):
    """An option value that cannot be used; option: the option to name (None: the combination is wrong)."""

    def __init__(self, message: str, option: Optional[str] = None):
        super().__init__(message)
        self.option = option


def recurring_spec(workflow, cron: Optional[str], interval: Optional[int], start: Optional[str], end: Optional[str],
                   catchup: Optional[bool]) -> Tuple[object, List[object]]:
    """The recurring-run spec (kfmigrate.migrate.schedule.RecurringSpec) and notes (Diagnostics): from --cron/--interval
    if given, else from the DAG's Airflow schedule (workflow: its ir.Workflow, None for a package)."""
    from kfmigrate.migrate.schedule import RecurringSpec, cron_option_to_kfp, to_recurring, to_rfc3339

    notes = []
    if cron or interval:
        if cron and interval:
            raise OptionError("give --cron or --interval, not both")
        try:
            spec = RecurringSpec(cron=cron_option_to_kfp(cron), origin=f"--cron {cron}") if cron else \
                RecurringSpec(interval_second=interval, origin=f"--interval {interval}")
        except ValueError as exc:
            raise OptionError(str(exc), "--cron") from None
        if workflow is not None:
            base = workflow.schedule
            spec = replace(spec, no_catchup=not base.catchup,
                           start_time=to_rfc3339(base.start_date)[0] if base.start_date else None,
                           end_time=to_rfc3339(base.end_date)[0] if base.end_date else None)
    elif workflow is not None:
        spec, notes = to_recurring(workflow.schedule)
        if spec is None:
            detail = "; ".join(n.message for n in notes) or "the DAG has no schedule (schedule=None)"
            raise KubeflowError(f"cannot schedule DAG '{workflow.dag_id}': {detail}", code="KFM207",
                                hint="pass --cron or --interval to choose a schedule")
    else:
        raise OptionError("a pipeline package has no Airflow schedule: pass --cron or --interval")
    for flag, value in (("--start", start), ("--end", end)):
        if value:
            converted, error, _ = to_rfc3339(value)
            if error:
                raise OptionError(error, flag)
            spec = replace(spec, **{"start_time" if flag == "--start" else "end_time": converted})
    if catchup is not None:
        spec = replace(spec, no_catchup=not catchup)
    return spec, notes


def ensure_recurring_run(session, experiment_id, name, spec, pipeline_id, version_id, params, max_concurrency,
                         replace_other: bool, follow_new_version: bool = False):
    """Create the recurring run, or keep an identical one; returns (recurring_run, action) with action
    "exists", "replaced" or "created".

    An existing one of that name with another trigger or version is replaced only with replace_other
    (--replace); follow_new_version (deploy): one with the same trigger moves to the new pipeline version.
    """
    existing = session.find_recurring_run(experiment_id, name)
    if existing is not None:
        trigger = existing.trigger
        same = (trigger is not None and
                ((spec.cron and trigger.cron_schedule and trigger.cron_schedule.cron == spec.cron) or
                 (spec.interval_second and trigger.periodic_schedule and
                  str(trigger.periodic_schedule.interval_second) == str(spec.interval_second))))
        same_version = (existing.pipeline_version_reference is not None and
                        existing.pipeline_version_reference.pipeline_version_id == version_id)
        if same and same_version:
            return existing, "exists"
        if not replace_other and not (same and follow_new_version):
            raise KubeflowError(f"a recurring run named '{name}' already exists with another trigger or version",
                                hint="pass --replace to replace it, or --name for another one")
        session.delete_recurring_run(existing.recurring_run_id)
    created = session.create_recurring_run(experiment_id, name, spec, pipeline_id, version_id, params=params,
                                           max_concurrency=max_concurrency, description=spec.describe())
    return created, "replaced" if existing is not None else "created"
