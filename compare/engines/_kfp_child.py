"""Child process for kfp_local.run_pipeline: runs one PipelineSpec on kfp.local and reports back.

Usage (internal): python -m kfmigrate.compare.engines._kfp_child REQUEST.json
Writes JSON lines on its original stdout: events while the run goes, then {"event": "result"}.
Everything else (kfp's own logging, stray prints) goes to stderr.

kfp.local has no hooks, so we wrap four of its module functions to observe the run:
- task_executor.execute_single_task: one call per leaf task (and per loop iteration), with the task
  name, its resource path (which carries loop iteration indices) and its final status/outputs;
- subprocess_task_handler.run_local_subprocess: the task's process, to keep its log per task,
  count attempts, and give it a private TMPDIR (the component script does `mktemp -d`);
- enhanced_dag_orchestrator.run_enhanced_dag + ConditionEvaluator.evaluate_condition: which
  condition groups were not entered, so their tasks are "skipped" rather than "not run".
And task_executor's `time` (it sleeps between a task's attempts, following the task's retry policy)
is wrapped so each retry is announced with the failed attempt's error and the wait before it.
"""
from __future__ import annotations

import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

from kfmigrate.migrate.contracts import ATTEMPT_MARKER

LOG_TAIL_LINES = 40


class Recorder:
    def __init__(self, spec_dict: dict, events):
        self.events = events
        self.lock = threading.Lock()
        self.tasks: dict[str, dict] = {}
        self.local = threading.local()
        self.run_dir = ""
        self.failure = ""
        self.tmp_root = tempfile.mkdtemp(prefix="kfmigrate-kfp-tmp-")
        self.spec_dict = spec_dict
        self.forks = None  # ForkPool: lightweight components start from a warm Python (see _fork_server)

    # -- helpers
    def emit(self, message: dict) -> None:
        with self.lock:
            self.events.write(json.dumps(message, default=str) + "\n")
            self.events.flush()

    @staticmethod
    def indices(pipeline_resource_name: str) -> list[int]:
        nested = pipeline_resource_name.split("/")[1:]
        return [int(m) for part in nested for m in re.findall(r"-iteration-(\d+)$", part)]

    @staticmethod
    def key(name: str, indices: list[int]) -> str:
        return name + "".join(f"[{i}]" for i in indices)

    def record(self, key: str, **fields) -> dict:
        with self.lock:
            entry = self.tasks.setdefault(key, {"name": key, "display_name": fields.get("display_name", key),
                                                "state": "not_run", "outputs": {}, "attempts": 0,
                                                "log_tail": [], "reason": ""})
            entry.update(fields)
            return entry

    def stack(self) -> list:
        if not hasattr(self.local, "stack"):
            self.local.stack = []
        return self.local.stack

    def log_path(self, key: str) -> str:
        safe = re.sub(r"[^A-Za-z0-9_.\-\[\]]", "_", key)
        directory = os.path.join(self.run_dir or self.tmp_root, "_logs")
        os.makedirs(directory, exist_ok=True)
        return os.path.join(directory, f"{safe}.log")


def serialise_output(value):
    """Parameter outputs stay as JSON values; artifacts become a small description."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, list):
        return [serialise_output(v) for v in value]
    if isinstance(value, dict):
        return {k: serialise_output(v) for k, v in value.items()}
    if hasattr(value, "uri") and hasattr(value, "schema_title"):
        return {"artifact": value.schema_title, "uri": value.uri, "path": getattr(value, "path", value.uri),
                "metadata": serialise_output(dict(value.metadata or {}))}
    return repr(value)


class RetryWaits:
    """Stands in for the `time` module inside kfp's task_executor, whose only use of it is the
    sleep between attempts: announce the failed attempt and the wait, then wait."""

    def __init__(self, rec: Recorder, real_time):
        self.rec = rec
        self.real = real_time

    def __getattr__(self, name):
        return getattr(self.real, name)

    def sleep(self, seconds: float) -> None:
        key = getattr(self.rec.local, "task_key", None) or "_unknown"
        entry = self.rec.record(key)
        error = next((line.strip() for line in reversed(entry["log_tail"]) if line.strip()), "")
        self.rec.emit({"event": "task_retry", "task": key, "display_name": entry["display_name"],
                       "attempt": entry["attempts"], "attempts": getattr(self.rec.local, "max_attempts", 0),
                       "error": error, "delay": seconds})
        self.real.sleep(seconds)


def install_hooks(rec: Recorder) -> None:
    from kfmigrate.compare.engines._fork_server import launch_of
    from kfp import local
    from kfp.local import pipeline_orchestrator, subprocess_task_handler
    from kfp.local.orchestrator import enhanced_dag_orchestrator, task_executor
    from kfp.local.status import Status

    original_execute = task_executor.execute_single_task
    original_enhanced = enhanced_dag_orchestrator.run_enhanced_dag
    original_evaluate = enhanced_dag_orchestrator.ConditionEvaluator.evaluate_condition
    original_failure_log = pipeline_orchestrator.log_and_maybe_raise_for_failure

    def execute_single_task(**kwargs):
        task_name = kwargs["task_name"]
        task_spec = kwargs["task_spec"]
        resource = kwargs["pipeline_resource_name"]
        if not rec.run_dir:
            rec.run_dir = os.path.join(kwargs["pipeline_root"], resource.split("/")[0])
        key = rec.key(task_name, rec.indices(resource))
        display = task_spec.task_info.name or task_name
        component = kwargs["components"][task_spec.component_ref.name]
        executor = kwargs["executors"].get(component.executor_label)
        if (executor is not None and executor.WhichOneof("spec") == "container"
                and isinstance(kwargs["runner"], local.SubprocessRunner)):
            full = list(executor.container.command) + list(executor.container.args)
            if not (any("kfp.dsl.executor_main" in p for p in full) and any("ephemeral_component.py" in p for p in full)):
                reason = (f"container component (image {executor.container.image}) cannot run on the "
                          "subprocess runner; use --runner docker where Docker is available")
                rec.record(key, display_name=display, state="not_run", reason=reason)
                rec.emit({"event": "task_finished", "task": key, "display_name": display,
                          "state": "not_run", "reason": reason, "outputs": {}, "duration": 0.0})
                return {}, Status.FAILURE

        started = time.time()
        rec.record(key, display_name=display, state="running", started=started, log_path=rec.log_path(key))
        rec.emit({"event": "task_started", "task": key, "display_name": display})
        rec.local.task_key = key
        rec.local.max_attempts = max(task_spec.retry_policy.max_retry_count, 0) + 1
        try:
            outputs, status = original_execute(**kwargs)
        except Exception as exc:  # kfp.local itself failed on this task
            finished = time.time()
            rec.record(key, state="failed", finished=finished, duration=finished - started,
                       reason=f"{type(exc).__name__}: {exc}")
            rec.emit({"event": "task_finished", "task": key, "display_name": display, "state": "failed",
                      "reason": f"{type(exc).__name__}: {exc}", "outputs": {}, "duration": finished - started})
            raise
        finally:
            rec.local.task_key = None
        finished = time.time()
        state = "succeeded" if status == Status.SUCCESS else "failed"
        serialised = {k: serialise_output(v) for k, v in (outputs or {}).items()}
        entry = rec.record(key, state=state, outputs=serialised, finished=finished, duration=finished - started)
        rec.emit({"event": "task_finished", "task": key, "display_name": display, "state": state,
                  "outputs": serialised, "duration": finished - started, "attempts": entry["attempts"],
                  "log_tail": entry["log_tail"] if state == "failed" else []})
        return outputs, status

    def run_local_subprocess(full_command, env_vars=None):
        key = getattr(rec.local, "task_key", None) or "_unknown"
        env = {**os.environ, **(env_vars or {})}
        if env_vars and "PYTHONPATH" in env_vars and os.environ.get("PYTHONPATH"):
            env["PYTHONPATH"] = env_vars["PYTHONPATH"] + os.pathsep + os.environ["PYTHONPATH"]
        env["TMPDIR"] = rec.tmp_root  # the component's `mktemp -d` lands here; removed after the run
        tail = collections.deque(maxlen=LOG_TAIL_LINES)
        entry = rec.record(key)
        with open(entry.get("log_path") or rec.log_path(key), "a") as log:
            log.write(f"{ATTEMPT_MARKER}{entry['attempts'] + 1}\n")

            def on_line(line):
                log.write(line)
                tail.append(line.rstrip("\n"))

            launch = launch_of(full_command) if rec.forks is not None else None
            code = rec.forks.run(*launch, env, os.getcwd(), on_line) if launch else None
            if code is None:  # not a standard lightweight component (or no fork server): a new process
                with subprocess.Popen(full_command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, errors="replace", env=env) as proc:
                    for line in proc.stdout:
                        on_line(line)
                    code = proc.wait()
        rec.record(key, attempts=entry["attempts"] + 1, log_tail=list(tail))
        return code

    def run_enhanced_dag(**kwargs):
        stack = rec.stack()
        stack.append((kwargs["pipeline_resource_name"], kwargs["dag_component_spec"], kwargs["components"]))
        try:
            return original_enhanced(**kwargs)
        finally:
            stack.pop()

    def evaluate_condition(condition, io_store):
        result = original_evaluate(condition, io_store)
        stack = rec.stack()
        if not result and stack:
            resource, dag_component, components = stack[-1]
            indices = rec.indices(resource)
            for name, task_spec in dag_component.dag.tasks.items():
                if task_spec.trigger_policy.condition == condition:
                    for leaf, display in leaves_of(name, task_spec, components):
                        key = rec.key(leaf, indices)
                        rec.record(key, display_name=display, state="skipped",
                                   reason="condition evaluated to false")
                        rec.emit({"event": "task_finished", "task": key, "display_name": display,
                                  "state": "skipped", "outputs": {}, "duration": 0.0})
        return result

    def log_and_maybe_raise_for_failure(pipeline_name, raise_on_error, fail_stack):
        rec.failure = "inner task failed: " + " inside ".join(fail_stack)
        return original_failure_log(pipeline_name=pipeline_name, raise_on_error=raise_on_error,
                                    fail_stack=fail_stack)

    task_executor.execute_single_task = execute_single_task
    task_executor.time = RetryWaits(rec, task_executor.time)
    subprocess_task_handler.run_local_subprocess = run_local_subprocess
    enhanced_dag_orchestrator.run_enhanced_dag = run_enhanced_dag
    enhanced_dag_orchestrator.ConditionEvaluator.evaluate_condition = staticmethod(evaluate_condition)
    pipeline_orchestrator.log_and_maybe_raise_for_failure = log_and_maybe_raise_for_failure


def leaves_of(name, task_spec, components):
    """Leaf (executor) tasks under a task: itself, or every task inside its sub-DAG(s)."""
    component = components[task_spec.component_ref.name]
    if component.WhichOneof("implementation") != "dag":
        return [(name, task_spec.task_info.name or name)]
    found = []
    for child_name, child in component.dag.tasks.items():
        found.extend(leaves_of(child_name, child, components))
    return found


def main(request_path: str) -> int:
    events = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything else printed to stdout must not corrupt the event stream
    with open(request_path) as handle:
        request = json.load(handle)

    from google.protobuf import json_format
    from kfp import local
    from kfp.local import pipeline_orchestrator
    from kfp.pipeline_spec import pipeline_spec_pb2

    spec = json_format.ParseDict(request["spec"], pipeline_spec_pb2.PipelineSpec(), ignore_unknown_fields=True)
    rec = Recorder(request["spec"], events)
    install_hooks(rec)
    components = dict(spec.components.items())
    all_leaves = []
    for name, task_spec in spec.root.dag.tasks.items():
        all_leaves.extend(leaves_of(name, task_spec, components))
    rec.emit({"event": "run_started", "pipeline": spec.pipeline_info.name,
              "tasks": [{"task": n, "display_name": d} for n, d in all_leaves]})

    runner = local.DockerRunner() if request["runner"] == "docker" else local.SubprocessRunner(use_venv=False)
    if request["runner"] != "docker" and os.environ.get("KFMIGRATE_FORK_SERVER", "1") != "0":
        from kfmigrate.compare.engines._fork_server import ForkPool

        rec.forks = ForkPool()
    local.init(runner=runner, pipeline_root=request["pipeline_root"], raise_on_error=False,
               enable_caching=bool(request.get("cache_root")), cache_root=request.get("cache_root"))
    error = ""
    started = time.time()
    try:
        pipeline_orchestrator.run_local_pipeline(pipeline_spec=spec, arguments=request["params"])
    except Exception as exc:  # kfp.local refused the pipeline or crashed: report it as the run's error
        error = f"{type(exc).__name__}: {exc}"
    wall = time.time() - started

    failed = bool(error or rec.failure)
    seen = {re.sub(r"(\[\d+\])+$", "", key) for key in rec.tasks}
    for name, display in all_leaves:
        if name in seen:
            continue
        if failed:
            rec.record(name, display_name=display, state="not_run", reason="not reached: the run failed first")
        else:
            rec.record(name, display_name=display, state="skipped", reason="not reached (untaken branch or empty loop)")
    for entry in rec.tasks.values():
        if entry["state"] == "running":  # the run crashed under it
            entry["state"] = "failed"
        entry.setdefault("log_path", "")
    if rec.forks is not None:
        rec.forks.close()
    import shutil

    shutil.rmtree(rec.tmp_root, ignore_errors=True)
    result = {
        "pipeline_name": spec.pipeline_info.name,
        "state": "failed" if failed else "succeeded",
        "wall_seconds": wall,
        "tasks": rec.tasks,
        "run_dir": rec.run_dir,
        "error": error or rec.failure,
        "crash": error,  # kfp.local itself raised (refused the pipeline, or broke): not a task failure
    }
    rec.emit({"event": "result", "run": result})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
