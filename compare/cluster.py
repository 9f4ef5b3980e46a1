"""The KFP side on a real Kubeflow Pipelines cluster (`kfmigrate compare --kfp-host URL`).

Submits the converted pipeline with kfp.Client (caching off, so every repeat executes), polls the
run until it ends, and reads each task's state and timestamps from the run's task details. The
result has the same shape as kfmigrate.compare.runner's other engines.

What a cluster run cannot give back here: output parameter values (the v2beta1 run API does not
return them), so agreement on a cluster covers task states only; and CPU/memory, which are spent in
the cluster's pods, not on this machine (the measured process tree is only the client).
Credentials are whatever kfp.Client finds (KF_PIPELINES_* environment, kube config, a service
account token in a notebook pod); they are never printed or written.
"""
from __future__ import annotations

import datetime as _dt
import time

FINAL_STATES = {"SUCCEEDED": "succeeded", "FAILED": "failed", "SKIPPED": "skipped", "CANCELED": "failed",
                "CANCELLED": "failed"}
TASK_STATES = {"SUCCEEDED": "succeeded", "FAILED": "failed", "SKIPPED": "skipped", "CACHED": "succeeded",
               "CANCELED": "failed", "RUNNING": "running", "PENDING": "running"}


def _unix(value):
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)
        return None if stamp.year < 1971 else stamp.timestamp()  # unset times come back as 1970
    text = str(value)
    if not text or text.startswith("1970-01-01"):
        return None
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def run_on_cluster(request: dict, on_event=None, poll_seconds: float = 1.0) -> dict:
    import warnings

    import kfp

    warnings.filterwarnings("ignore", category=FutureWarning, module="kfp")
    client = kfp.Client(host=request["host"], namespace=request.get("namespace") or "kubeflow")
    submitted = client.create_run_from_pipeline_package(
        request["package"], arguments=request.get("params") or {}, run_name=request.get("run_name"),
        experiment_name=request.get("experiment") or "kfmigrate-compare", namespace=request.get("namespace"),
        enable_caching=False,
    )
    run_id = submitted.run_id
    deadline = time.time() + float(request.get("timeout") or 900)
    seen: dict = {}
    wanted = set(request.get("task_names") or ())
    while True:
        run = client.get_run(run_id)
        tasks = _tasks(run, wanted)
        for name, task in tasks.items():
            previous = seen.get(name)
            if previous != task["state"] and on_event:
                kind = "task_started" if task["state"] == "running" else "task_finished"
                on_event({"event": kind, "task": name, "state": task["state"]})
            seen[name] = task["state"]
        state = str(getattr(run, "state", "") or "").upper()
        if state in FINAL_STATES:
            break
        if time.time() > deadline:
            return {"state": "failed", "error": f"the cluster run {run_id} did not finish in time",
                    "tasks": tasks, "extra": {"run_id": run_id}}
        time.sleep(poll_seconds)
    created = _unix(getattr(run, "created_at", None))
    finished = _unix(getattr(run, "finished_at", None))
    error = ""
    if getattr(run, "error", None) is not None:
        error = str(getattr(run.error, "message", "") or run.error)
    return {
        "state": FINAL_STATES[state],
        "error": error,
        "engine_wall_seconds": (finished - created) if created and finished else None,
        "tasks": tasks,
        "extra": {"run_id": run_id, "outputs_available": False},
    }


def _tasks(run, wanted: set) -> dict:
    """Leaf tasks of the run, by KFP task name; ParallelFor iterations get [i] in start order."""
    details = getattr(getattr(run, "run_details", None), "task_details", None) or []
    found: dict = {}
    counts: dict = {}
    rows = sorted(details, key=lambda d: (_unix(getattr(d, "start_time", None)) or 0.0))
    for detail in rows:
        name = getattr(detail, "display_name", None) or ""
        if not name or name == "root" or name.endswith("-driver") or (wanted and name not in wanted):
            continue
        index = counts.get(name, 0)
        counts[name] = index + 1
        key = name if index == 0 else f"{name}[{index}]"
        if index == 1 and name in found:  # a second one: the first was iteration 0 after all
            found[f"{name}[0]"] = found.pop(name)
        state = TASK_STATES.get(str(getattr(detail, "state", "") or "").upper(), "not_run")
        found[key] = {"state": state, "started": _unix(getattr(detail, "start_time", None)),
                      "finished": _unix(getattr(detail, "end_time", None)), "output": None, "has_output": False}
    return found
