"""One measured engine run, in its own process: `python -m kfmigrate.compare.runner REQUEST.json RESULT.json`.

bench.py starts this module under kfmigrate.compare.measure.run_measured, so the CPU time and memory of
everything the run needs (the engine's own child processes, every task process) belong to one
process tree that nothing else shares. Engine events (task started / finished) are printed as JSON
lines on stdout for the progress bar; the result is written to RESULT.json in one common shape:

    {"state": "succeeded" | "failed", "error": str, "call_started": t, "call_finished": t,
     "engine_wall_seconds": float, "tasks": {key: {"state", "started", "finished", "output",
     "has_output"}}, "extra": {...}}

Task keys are the engine's own names here ("task_id[2]" for Airflow map index 2, "kfp-task[2]"
for a ParallelFor iteration); bench.py maps KFP names back to Airflow task ids.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import sys
import time


def _emit(message: dict) -> None:
    sys.stdout.write(json.dumps(message, default=str) + "\n")
    sys.stdout.flush()


def _unix(value):
    """ISO timestamp / unix seconds / None -> unix seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return _dt.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def run_airflow(request: dict) -> dict:
    from kfmigrate.compare.engines.airflow import run_dag

    run = run_dag(request["dag_file"], request["dag_id"], params=request["params"],
                  logical_date=request.get("logical_date"), on_event=_emit,
                  timeout=request.get("timeout"), keep_log=request.get("log_path"))
    tasks = {}
    for name, task in run.tasks.items():
        state = {"success": "succeeded", "skipped": "skipped", "upstream_failed": "not_run"}.get(task.state, task.state)
        tasks[name] = {"state": state, "started": _unix(task.started), "finished": _unix(task.finished),
                       "output": task.xcom_return, "has_output": task.has_xcom_return}
    _keep_raw(request, run)
    return {"state": "succeeded" if run.state == "success" else "failed", "error": run.error,
            "engine_wall_seconds": run.wall_seconds, "tasks": tasks, "raw_written": bool(request.get("raw_path")),
            "extra": {"dag_test_seconds": run.wall_seconds, "total_seconds": run.total_seconds,
                      "run_id": run.run_id}}


def _keep_raw(request: dict, run) -> None:
    """The engine's whole run (every XCom, rendered field, log path) for the verify-style check."""
    if request.get("raw_path"):
        with open(request["raw_path"], "w") as handle:
            json.dump(run.to_json(), handle, default=str)


def run_airflow_scheduler(request: dict) -> dict:
    """One DAG run on the deployment compare started (kfmigrate.compare.engines.airflow_scheduler).

    The deployment's processes are not children of this one, so their share of the run is measured
    here: CPU seconds spent by their trees between trigger and end, and their summed RSS peak.
    """
    from kfmigrate.compare.engines.airflow_scheduler import run_dag
    from kfmigrate.compare.measure import TreeSampler, tree_cpu_seconds

    deployment = request["deployment"]
    pids = deployment["pids"]
    sampler = TreeSampler(pids, interval=0.2, keep_timeline=False, proportional=True)
    cpu_before = tree_cpu_seconds(pids)
    sampler.start()
    try:
        run = run_dag(deployment["api_url"], request["dag_id"], request["params"], request["logical_date"],
                      timeout=request.get("timeout") or 900, on_event=_emit)
    finally:
        sampler.stop()
    cpu = tree_cpu_seconds(pids) - cpu_before
    tasks = {}
    for name, task in run["tasks"].items():
        state = {"success": "succeeded", "skipped": "skipped", "upstream_failed": "not_run"}.get(
            task["state"], task["state"] or "none")
        tasks[name] = {"state": state, "started": _unix(task["started"]), "finished": _unix(task["finished"]),
                       "output": task["output"], "has_output": task["has_output"]}
    queued, ended = _unix(run["queued_at"]), _unix(run["end_date"])
    failed = [n for n, t in tasks.items() if t["state"] == "failed"]
    return {"state": "succeeded" if run["state"] == "success" else "failed",
            "error": f"task(s) failed: {', '.join(failed)}" if failed else "",
            # the run as the deployment saw it: from the trigger being queued to the run's end
            "engine_wall_seconds": (ended - queued) if queued and ended else None,
            "call_started": run["triggered"], "tasks": tasks,
            "extra": {"run_id": run["run_id"], "deployment": {
                "cpu_seconds": cpu, "peak_pss_bytes": sampler.peak_rss, "processes": sampler.peak_processes}}}


def run_kfp_local(request: dict) -> dict:
    from kfmigrate.compare.engines.kfp_local import run_pipeline

    # kfp.local as kfp ships it: a new `sh -c ... python -m kfp.dsl.executor_main` process per task,
    # as a pod per task on a cluster (with the same 128 KiB cap on one argument), not the fork
    # server `kfmigrate run` uses to start trivial tasks faster
    os.environ["KFMIGRATE_FORK_SERVER"] = "0"
    # the KFP side's own MLflow calls go to a private file store (workloads.engine_params): it starts in
    # 0.1 s where a new SQLite store takes seconds; MLflow 3 wants that choice made explicitly
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"

    run = run_pipeline(request["package"], params=request["params"], pipeline_root=request["pipeline_root"],
                       runner="subprocess", on_event=_emit, timeout=request.get("timeout"),
                       cache_root=request.get("cache_root"))
    tasks = {}
    for name, task in run.tasks.items():
        values, artifacts = split_outputs(task.outputs or {})
        # the task's return value: "return_value" (or a single-return component's one output); XComs
        # the converter passes as artifact files are read back from them
        output = values["return_value"] if "return_value" in values else (
            next(iter(values.values())) if len(values) == 1 else (values or None))
        tasks[name] = {"state": task.state, "started": _unix(task.started), "finished": _unix(task.finished),
                       "output": output, "has_output": bool(values), "reason": task.reason,
                       "artifacts": artifacts,
                       # succeeded without its process ever starting: kfp.local served it from its cache
                       "cached": task.state == "succeeded" and task.attempts == 0}
    _keep_raw(request, run)
    return {"state": run.state, "error": run.error, "engine_wall_seconds": run.wall_seconds, "tasks": tasks,
            "raw_written": bool(request.get("raw_path")),
            "extra": {"run_dir": run.run_dir, "total_seconds": getattr(run, "total_seconds", None),
                      "artifacts": _artifact_files(run.run_dir)}}


def split_outputs(outputs: dict) -> tuple:
    """A kfp.local task's outputs -> ({name: value}, {name: artifact facts}).

    Parameters are values. An artifact the converter made for an XCom (metadata "xcom_key") holds
    the value as JSON in its file, so it is read back as a value too. Every artifact is described
    by its type, size on disk and metadata (a Metrics artifact's metadata are the metrics).
    """
    values, artifacts = {}, {}
    for name, value in outputs.items():
        if not (isinstance(value, dict) and "artifact" in value):
            values[name] = value
            continue
        path = value.get("path") or ""
        metadata = value.get("metadata") or {}
        artifacts[name] = {"type": value["artifact"], "bytes": _size_on_disk(path), "path": path,
                           "metadata": metadata}
        if "xcom_key" in metadata and os.path.isfile(path):
            with open(path, encoding="utf-8") as handle:
                values[name] = json.load(handle)
    return values, artifacts


def _size_on_disk(path: str) -> int:
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for folder, _, files in os.walk(path) if os.path.isdir(path) else ():
        total += sum(os.path.getsize(os.path.join(folder, name)) for name in files)
    return total


def run_kfp_cluster(request: dict) -> dict:
    from kfmigrate.compare.cluster import run_on_cluster

    return run_on_cluster(request, on_event=_emit)


def _artifact_files(run_dir: str) -> dict:
    """What kfp.local left under the run's pipeline root: output files per task (not our logs)."""
    found = {"files": 0, "bytes": 0}
    if not run_dir or not os.path.isdir(run_dir):
        return found
    for folder, dirs, files in os.walk(run_dir):
        dirs[:] = [d for d in dirs if d != "_logs"]
        for name in files:
            found["files"] += 1
            found["bytes"] += os.path.getsize(os.path.join(folder, name))
    return found


ENGINES = {"airflow": run_airflow, "airflow-scheduler": run_airflow_scheduler, "kfp": run_kfp_local,
           "kfp-cluster": run_kfp_cluster}


def main(request_path: str, result_path: str) -> int:
    with open(request_path) as handle:
        request = json.load(handle)
    started = time.time()
    os.environ.update(request.get("env") or {})  # e.g. a user DAG's MLflow store
    try:
        result = ENGINES[request["engine"]](request)
    except Exception as exc:  # the engine could not run at all: a result saying why, not a traceback
        result = {"state": "error", "error": f"{type(exc).__name__}: {exc}", "tasks": {}, "extra": {}}
    result.setdefault("call_started", started)  # the scheduler engine starts its clock at the trigger
    result["call_finished"] = time.time()
    tmp = result_path + ".tmp"
    with open(tmp, "w") as handle:
        json.dump(result, handle, default=str)
    os.replace(tmp, result_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
