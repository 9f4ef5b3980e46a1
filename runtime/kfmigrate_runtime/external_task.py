"""ExternalTaskSensor on KFP: the state of another pipeline's run.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_external_task_poke(airflow, api, dag_id, dates, task_ids=None, task_group_id=None, allowed_states=None,
                                skipped_states=None, failed_states=None, soft_fail=False, check_existence=False):
    """One poke of ExternalTaskSensor on KFP: is the run of DAG `dag_id`'s pipeline with each logical date done?

    The other DAG is the pipeline kfmigrate made from it; its runs carry their logical date in the
    `logical_date` run parameter (the newest run per date counts, as Airflow has one run per date).
    Without task ids the run state is compared; with task ids (or a task group: ids starting with
    "<group>.") the states of those tasks in the run (run_details.task_details, by display name,
    which kfmigrate sets to the Airflow task id). States are Airflow's names; KFP states map to them.
    As in Airflow: any failed state fails the sensor (skips it with soft_fail), any skipped state
    skips it, and it is done when every task of every date is in an allowed state.
    """
    import datetime as dt
    import re

    allowed = {str(s).lower() for s in (allowed_states or ["success"])}
    skipped_on = {str(s).lower() for s in (skipped_states or [])}
    failed_on = {str(s).lower() for s in (failed_states or [])}
    airflow_state = {"SUCCEEDED": "success", "FAILED": "failed", "SKIPPED": "skipped", "RUNNING": "running",
                     "PENDING": "queued", "CANCELING": "failed", "CANCELED": "failed", "PAUSED": "running"}

    def moment(value):
        if not value:
            return None
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            return None
        return parsed.replace(tzinfo=dt.timezone.utc) if parsed.tzinfo is None else parsed.astimezone(dt.timezone.utc)

    wanted = [moment(d) if not isinstance(d, dt.datetime) else (d if d.tzinfo else d.replace(tzinfo=dt.timezone.utc)) for d in dates]
    name = api.pipeline_name(dag_id)
    pipeline = api.by_name("pipelines", "pipelines", name)
    what = f"tasks {list(task_ids)}" if task_ids else f"task group {task_group_id!r}" if task_group_id else "the run"
    print(f"Poking for {what} of DAG {dag_id!r} (pipeline {name!r}) on {', '.join(str(w) for w in wanted)} ...")
    if pipeline is None:
        if check_existence:
            raise airflow.AirflowFailException(f"The external DAG {dag_id} does not exist: no pipeline {name!r} on {api.host}")
        print(f"No pipeline named {name!r} on {api.host} yet")
        return False

    def of_pipeline(run):
        reference = run.get("pipeline_version_reference") or {}
        if reference.get("pipeline_id"):
            return reference["pipeline_id"] == pipeline["pipeline_id"]
        spec = run.get("pipeline_spec") or {}
        spec = spec.get("pipeline_spec", spec)
        return (spec.get("pipelineInfo") or {}).get("name") == name

    runs, token = {}, ""
    for _page in range(50):  # newest first; stop once every date has its run
        query = {"sort_by": "created_at desc", "page_size": 100}
        if token:
            query["page_token"] = token
        if api.namespace:
            query["namespace"] = api.namespace
        page = api.call("GET", "runs", query)
        for run in page.get("runs") or []:
            date = moment(((run.get("runtime_config") or {}).get("parameters") or {}).get("logical_date"))
            if date in wanted and date not in runs and of_pipeline(run):
                runs[date] = run
        token = page.get("next_page_token") or ""
        if not token or len(runs) == len(set(wanted)):
            break

    def norm(text):  # the display name is the Airflow task id; the KFP task name is its dashed form
        return re.sub("[^0-9a-z]+", "-", str(text or "").lower()).strip("-")

    wanted_tasks = {norm(task): task for task in (task_ids or [])}

    def states_of(run):
        """Airflow state per watched task (None: not in the run yet)."""
        run = api.call("GET", f"runs/{run['run_id']}")  # the current state, with the task details
        if not task_ids and not task_group_id:
            return {None: airflow_state.get(str(run.get("state") or ""), "none")}
        details = run.get("run_details") or {}
        found = {}
        for detail in details.get("task_details") or []:
            label = norm(detail.get("display_name"))
            if (task_ids and label in wanted_tasks) or (task_group_id and label.startswith(norm(task_group_id) + "-")):
                found[wanted_tasks.get(label, label)] = airflow_state.get(str(detail.get("state") or ""), "none")
        if task_ids:
            return {task: found.get(task) for task in task_ids}
        return found

    per_date = [states_of(runs[date]) if date in runs else None for date in wanted]
    for date, states in zip(wanted, per_date):
        print(f"  {date}: " + ("no run yet" if states is None else ", ".join(f"{k or 'run'}={v}" for k, v in states.items()) or "no task of the group yet"))

    def count(accepted):
        if task_group_id and not task_ids:  # a run counts when every task of the group is in the states
            return sum(1 for states in per_date if states and all(s in accepted for s in states.values()))
        total = sum(1 for states in per_date if states for s in states.values() if s in accepted)
        return total / len(task_ids) if task_ids else total

    target = f"external tasks {list(task_ids)}" if task_ids else f"external task group {task_group_id!r}" if task_group_id else "external DAG"
    if failed_on and count(failed_on) > 0:
        if soft_fail:
            raise airflow.AirflowSkipException(f"The {target} of {dag_id} failed. Skipping due to soft_fail.")
        raise airflow.AirflowFailException(f"The {target} of {dag_id} failed.")
    if skipped_on and count(skipped_on) > 0:
        raise airflow.AirflowSkipException(f"The {target} of {dag_id} reached a state in our states-to-skip-on list. Skipping.")
    return count(allowed) == len(wanted)
