"""Child process for the airflow engine: dag.test() DAGs one after another, reading each result
back from the database.

Usage (internal): python -m kfmigrate.compare.engines._airflow_child REQUEST.json
REQUEST holds {"jobs": [{dag_file, dag_id, params, logical_date, result}, ...]}. The environment
(AIRFLOW_HOME, SQLite connection, dags folder) is set by the parent. Each job's result goes to its
own JSON file; {"fatal": ...} when that DAG could not be run at all. Lines `[kfmigrate] job N
start|end` on stdout let the parent tell the jobs' logs apart and time each one out on its own.
Several jobs in one process share Airflow's start-up (its in-process execution API takes seconds
to build on the first task).
"""
from __future__ import annotations

import json
import sys
import time
import traceback

JOB_MARKER = "[kfmigrate] job"


def _write(path: str, data: dict) -> None:
    from kfmigrate.compare.engines.normalise import normalise

    with open(path + ".tmp", "w") as handle:
        json.dump(normalise(data), handle)
    import os

    os.replace(path + ".tmp", path)


def main(request_path: str) -> int:
    with open(request_path) as handle:
        request = json.load(handle)
    for number, job in enumerate(request["jobs"]):
        print(f"{JOB_MARKER} {job['index']} start", flush=True)
        try:
            if number and job.get("template_db"):
                _fresh_database(job["template_db"])
            with _only_in_bundle(job):
                _run(job)
        except Exception as exc:  # report, never leave the parent without a result
            _write(job["result"], {"fatal": f"Airflow could not run the DAG: {type(exc).__name__}: {exc}\n"
                                            + traceback.format_exc(limit=5)})
        print(f"{JOB_MARKER} {job['index']} end", flush=True)
    return 0


def _fresh_database(template: str) -> None:
    """Give the next job the migrated template database again.

    DAGs of one batch must not see each other: Airflow resolves assets across every DAG its
    database knows (two files naming one URI differently make the asset inactive for both), and
    keeps their runs and XComs. The engines are disposed first, so no connection holds the old file.
    """
    import shutil

    from airflow import settings

    if settings.Session is not None:
        settings.Session.remove()
    for engine in (settings.engine, getattr(settings.async_engine, "sync_engine", None)):
        if engine is not None:
            engine.dispose()
    shutil.copyfile(template, settings.engine.url.database)


class _only_in_bundle:
    """Put the job's DAG folder (staged by the parent) into the dags folder for its run only.

    dag.test() syncs and serializes every DAG of its bundle: one broken file there (a DAG needing
    a missing plugin) would fail every other job's run. So the bundle holds one job at a time.
    """

    def __init__(self, job: dict):
        self.job = job

    def __enter__(self):
        import os

        if self.job.get("stage"):
            os.replace(self.job["stage"], self.job["folder"])
        return self

    def __exit__(self, *exc):
        import os

        if self.job.get("stage"):
            os.replace(self.job["folder"], self.job["stage"])
        return False


def _run(request: dict) -> int:
    import datetime as dt

    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=request["dag_file"])
    dag = bag.get_dag(request["dag_id"])
    if dag is None:
        errors = "; ".join(f"{path}: {err.strip().splitlines()[-1]}" for path, err in bag.import_errors.items())
        found = ", ".join(sorted(bag.dag_ids)) or "none"
        why = f" (import errors: {errors})" if errors else ""
        _write(request["result"], {"fatal": f"DAG {request['dag_id']!r} not found in {request['dag_file']} "
                                            f"(found: {found}){why}"})
        return 1

    kwargs = {"run_conf": request["params"] or None}
    if request["logical_date"]:
        kwargs["logical_date"] = dt.datetime.fromisoformat(request["logical_date"])
    started = time.time()
    error = ""
    dag_run = None
    try:
        dag_run = dag.test(**kwargs)
    except Exception as exc:  # dag.test raises for some setup problems; the run itself records states
        error = f"{type(exc).__name__}: {exc}"
    wall = time.time() - started
    if dag_run is None:
        _write(request["result"], {"fatal": f"dag.test() failed: {error}"})
        return 1
    _write(request["result"], _collect(dag, dag_run, wall, error))
    return 0


def _decode(value):
    """XComs pushed through the task SDK keep Airflow's serde envelopes ({"__classname__": ...})."""
    if not isinstance(value, (dict, list)) or "__classname__" not in json.dumps(value, default=str):
        return value
    try:
        from airflow.sdk.serde import deserialize

        return deserialize(value)
    except Exception:  # a class we cannot rebuild here: compare the envelope as is
        return value


def _collect(dag, dag_run, wall: float, error: str) -> dict:
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    def name(task_id, map_index):
        return task_id if map_index is None or map_index < 0 else f"{task_id}[{map_index}]"

    tasks = {}
    with create_session() as session:
        filters = {"dag_id": dag.dag_id, "run_id": dag_run.run_id}
        for ti in session.query(TaskInstance).filter_by(**filters):
            operator = ""
            if dag.has_task(ti.task_id):
                operator = type(dag.get_task(ti.task_id)).__name__
            tasks[name(ti.task_id, ti.map_index)] = {
                "name": name(ti.task_id, ti.map_index), "task_id": ti.task_id, "map_index": ti.map_index,
                "state": str(ti.state.value if hasattr(ti.state, "value") else ti.state or "none"),
                "try_number": ti.try_number or 0, "duration": ti.duration,
                "started": ti.start_date.isoformat() if ti.start_date else None,
                "finished": ti.end_date.isoformat() if ti.end_date else None,
                "operator": operator, "xcoms": {}, "rendered_fields": {},
                "xcom_return": None, "has_xcom_return": False,
            }
        for row in session.query(XComModel).filter_by(**filters):
            entry = tasks.get(name(row.task_id, row.map_index))
            if entry is None:
                continue
            # row.value is what the task SDK stored (serde form). XComModel.deserialize_value would
            # json.loads it once more, turning a returned JSON *string* into a list or dict.
            value = _decode(row.value)
            if row.key == "return_value":
                entry["xcom_return"], entry["has_xcom_return"] = value, True
            else:
                entry["xcoms"][row.key] = value
        for row in session.query(RenderedTaskInstanceFields).filter_by(**filters):
            entry = tasks.get(name(row.task_id, row.map_index))
            if entry is not None:
                entry["rendered_fields"] = row.rendered_fields or {}
    state = dag_run.state.value if hasattr(dag_run.state, "value") else str(dag_run.state)
    return {
        "dag_id": dag.dag_id, "state": state, "wall_seconds": wall,
        "logical_date": dag_run.logical_date.isoformat() if dag_run.logical_date else None,
        "run_id": dag_run.run_id, "tasks": tasks, "error": error,
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
