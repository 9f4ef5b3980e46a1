"""Run a compiled KFP pipeline on kfp.local and report every task's state, outputs and logs.

The pipeline runs in a child process (`kfmigrate.compare.engines._kfp_child`): kfp.local keeps global state
(its config singleton, the pip-install manager) and prints task logs to stdout, so a child gives a
clean slate per run, per-task log capture and live events streamed back as JSON lines.

Before the run the spec is rewritten for the subprocess runner (see packages.py): no per-task kfp
install, component requirements checked against this interpreter or installed into a cached
directory, never into the interpreter itself; kfmigrate-runtime is the copy this kfmigrate ships.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

from kfmigrate.migrate.params import coerce_value

RUNNERS = ("subprocess", "docker")


class EngineError(Exception):
    """The engine could not run the pipeline at all (bad package, no Docker, child crashed)."""


@dataclass
class TaskRun:
    name: str  # spec task name; "name[i]" for the i-th iteration of a ParallelFor
    display_name: str
    state: str  # succeeded | failed | skipped | not_run
    outputs: dict = field(default_factory=dict)
    started: Optional[float] = None  # unix time
    finished: Optional[float] = None
    duration: Optional[float] = None
    attempts: int = 0
    log_tail: list = field(default_factory=list)
    reason: str = ""  # why skipped / not run
    log_path: str = ""


@dataclass
class PipelineRun:
    pipeline_name: str
    state: str  # succeeded | failed
    wall_seconds: float  # the pipeline itself, inside the child
    total_seconds: float = 0.0  # including child start-up and package preparation
    tasks: dict = field(default_factory=dict)  # name -> TaskRun
    run_dir: str = ""
    error: str = ""
    params: dict = field(default_factory=dict)
    crash: str = ""  # kfp.local itself raised (e.g. it refused the pipeline's topology)

    def failed_tasks(self) -> list:
        return [t for t in self.tasks.values() if t.state == "failed"]

    def to_json(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- loading and parameters

def load_spec(package: Path | str) -> dict:
    """PipelineSpec as a dict from a pipeline .py (compiled now) or compiled .yaml/.json."""
    import yaml

    from kfmigrate.migrate.package import PackageError, load_yaml_text

    try:
        text = load_yaml_text(Path(package))
    except PackageError as exc:
        raise EngineError(str(exc)) from exc
    try:
        documents = [d for d in yaml.safe_load_all(text) if d]
    except yaml.YAMLError as exc:
        raise EngineError(f"{package}: not valid YAML: {exc}") from exc
    # a kfp-kubernetes pipeline carries a second document (platform spec); the first is the pipeline
    if not documents or not isinstance(documents[0], dict) or "root" not in documents[0]:
        raise EngineError(f"{package}: not a compiled KFP pipeline (no 'root' DAG)")
    return documents[0]


def input_types(spec: dict) -> dict:
    """Pipeline parameter name -> (KFP parameter type, default or None)."""
    params = spec.get("root", {}).get("inputDefinitions", {}).get("parameters", {}) or {}
    return {name: (d.get("parameterType", "STRING"), d.get("defaultValue")) for name, d in params.items()}


def coerce_params(spec: dict, raw: dict) -> dict:
    """Turn `--param k=v` strings into values of the pipeline's declared input types."""
    declared = input_types(spec)
    values = {}
    for name, text in raw.items():
        if name not in declared:
            known = ", ".join(sorted(declared)) or "none"
            raise EngineError(f"unknown parameter {name!r} (pipeline parameters: {known})")
        try:
            values[name] = coerce_value(name, declared[name][0], text)
        except ValueError as exc:
            raise EngineError(str(exc)) from None
    return values


# ---------------------------------------------------------------- spec rewrite for local runs

def is_lightweight(container: dict) -> bool:
    """True for a Python function component that the subprocess runner can execute."""
    full = list(container.get("command", [])) + list(container.get("args", []))
    runs_executor = any("kfp.dsl.executor_main" in part for part in full)
    ephemeral = any("ephemeral_component.py" in part for part in full)
    return runs_executor and ephemeral


def prepare_spec_for_subprocess(spec: dict, on_event: Callable | None = None) -> dict:
    """Copy of the spec whose components install nothing into this interpreter."""
    from kfmigrate.compare.engines.packages import bundled_runtime, ensure_installed, parse_install_script, runtime_requirement, unsatisfied

    spec = copy.deepcopy(spec)
    for label, executor in spec.get("deploymentSpec", {}).get("executors", {}).items():
        container = executor.get("container")
        if not container or not is_lightweight(container):
            continue
        command = list(container.get("command", []))
        # shape: sh -c "<pip installs> && "$0" "$@"" sh -ec "<run program>" <source>
        if len(command) >= 4 and command[:2] == ["sh", "-c"] and "pip install" in command[2]:
            wanted = parse_install_script(command[2])
            container["command"] = command[3:]
            runtime, others = runtime_requirement(wanted.requirements)
            missing = unsatisfied(others)
            paths = []
            if missing:
                if on_event:
                    on_event({"event": "installing", "executor": label, "requirements": missing})
                paths.append(ensure_installed(missing, wanted.pip_options))
            if runtime:  # kfmigrate-runtime comes from this kfmigrate's own copy, never from an index
                paths.append(bundled_runtime(runtime))
            if paths:
                env = [e for e in container.get("env", []) if e.get("name") != "PYTHONPATH"]
                env.append({"name": "PYTHONPATH", "value": os.pathsep.join(str(path) for path in paths)})
                container["env"] = env
    return spec


def limit_retries(spec: dict, retries: bool = True, max_delay: float | None = None) -> dict:
    """Copy of the spec with no retries (retries=False), or with every wait between attempts capped
    at max_delay seconds (0: retry at once). For local smoke runs: a DAG's 5-minute retry delay
    would otherwise hold a failing run for many minutes."""
    spec = copy.deepcopy(spec)
    dags = [spec.get("root", {}).get("dag", {})]
    dags += [c.get("dag", {}) for c in spec.get("components", {}).values()]
    for dag in dags:
        for task in (dag.get("tasks") or {}).values():
            policy = task.get("retryPolicy")
            if not policy:
                continue
            if not retries:
                del task["retryPolicy"]
            elif max_delay is not None:
                cap = int(max_delay)
                policy["backoffMaxDuration"] = f"{min(cap, _seconds(policy.get('backoffMaxDuration'), cap))}s"
                policy["backoffDuration"] = f"{min(cap, _seconds(policy.get('backoffDuration'), 0))}s"
    return spec


def _seconds(duration: str | None, default: float) -> int:
    """A protobuf JSON Duration ("300s", "1.5s") in whole seconds, as kfp.local reads it."""
    try:
        return int(float(str(duration).rstrip("s")))
    except (TypeError, ValueError):
        return int(default)


def docker_available() -> tuple[bool, str]:
    try:
        import docker
    except ImportError:
        return False, "the 'docker' Python package is not installed (pip install docker)"
    try:
        docker.from_env().ping()
    except Exception as exc:  # no daemon, no socket, no permission
        return False, f"no Docker engine is reachable ({type(exc).__name__}: {exc})"
    return True, ""


# ---------------------------------------------------------------- running

def run_pipeline(
    package: Path | str | dict,
    params: dict | None = None,
    pipeline_root: Path | str | None = None,
    runner: str = "subprocess",
    on_event: Callable[[dict], Any] | None = None,
    timeout: float | None = None,
    cache_root: Path | str | None = None,
    retries: bool = True,
    max_retry_delay: float | None = None,
) -> PipelineRun:
    """Run a pipeline package (.py, .yaml, or an already loaded spec dict) on kfp.local.

    cache_root: turn kfp.local's task cache on, keeping its entries there (off by default).
    retries=False runs every task once; max_retry_delay caps the wait between attempts (seconds).

    pipeline_root: where outputs, artifacts and task logs go; None means a temporary folder removed
    after the run (parameter outputs and log tails are in the result; artifact files are not kept).
    on_event receives dicts as the run goes: {"event": "task_started", "task", "display_name"},
    {"event": "task_finished", "task", "state", "outputs", "duration"}, {"event": "installing", ...},
    {"event": "task_retry", "task", "display_name", "attempt", "attempts", "error", "delay"} before
    each wait between a failed attempt and the next.
    """
    start = time.time()
    if runner not in RUNNERS:
        raise EngineError(f"unknown runner {runner!r} (choose from {', '.join(RUNNERS)})")
    spec = package if isinstance(package, dict) else load_spec(package)
    if not retries or max_retry_delay is not None:
        spec = limit_retries(spec, retries=retries, max_delay=max_retry_delay)
    values = coerce_params(spec, dict(params or {}))
    if runner == "docker":
        ok, why = docker_available()
        if not ok:
            raise EngineError(f"--runner docker: {why}")
    else:
        from kfmigrate.compare.engines.packages import PackageInstallError

        try:
            spec = prepare_spec_for_subprocess(spec, on_event)
        except PackageInstallError as exc:
            raise EngineError(str(exc)) from exc

    with tempfile.TemporaryDirectory(prefix="kfmigrate-kfp-req-") as tmp:
        # without a pipeline root, outputs go to a temporary one that is removed with the rest:
        # parameter outputs are in the result, artifact files are gone
        root = (Path(pipeline_root) if pipeline_root else Path(tmp) / "outputs").resolve()
        root.mkdir(parents=True, exist_ok=True)
        request = Path(tmp) / "request.json"
        request.write_text(json.dumps({
            "spec": spec, "params": values, "pipeline_root": str(root), "runner": runner,
            "cache_root": str(Path(cache_root).resolve()) if cache_root else None,
        }))
        stderr_path = Path(tmp) / "child.stderr"
        result = _run_child(request, stderr_path, on_event, timeout)
    run = _run_from_json(result)
    run.params = values
    run.total_seconds = time.time() - start
    return run


def _run_child(request: Path, stderr_path: Path, on_event, timeout) -> dict:
    import threading

    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    # everything the child and its tasks put in temp dirs lands in our request dir, which we remove
    # even when the child is killed
    child_tmp = request.parent / "tmp"
    child_tmp.mkdir()
    env["TMPDIR"] = str(child_tmp)
    result = None
    with open(stderr_path, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kfmigrate.compare.engines._kfp_child", str(request)],
            stdout=subprocess.PIPE, stderr=err, text=True, env=env,
            cwd=str(request.parent), start_new_session=True,
        )
        # a watchdog, not a check between lines: a hung task prints nothing
        timed_out = threading.Event()
        watchdog = None
        if timeout:
            watchdog = threading.Timer(timeout, lambda: (timed_out.set(), _kill_group(proc)))
            watchdog.daemon = True
            watchdog.start()
        try:
            for line in proc.stdout:
                try:
                    message = json.loads(line)
                except ValueError:
                    continue
                if message.get("event") == "result":
                    result = message["run"]
                elif on_event:
                    on_event(message)
            proc.wait()
        finally:
            if watchdog:
                watchdog.cancel()
            if proc.poll() is None:
                _kill_group(proc)
    if timed_out.is_set():
        raise EngineError(f"kfp.local run exceeded {timeout:.0f} s and was stopped")
    if result is None:
        tail = "\n".join(stderr_path.read_text(errors="replace").strip().splitlines()[-20:])
        raise EngineError(f"kfp.local child process ended without a result (exit {proc.returncode}):\n{tail}")
    return result


def _kill_group(proc: subprocess.Popen) -> None:
    from kfmigrate.compare.engines.processes import kill_tree

    kill_tree(proc.pid)
    proc.wait()


def _run_from_json(data: dict) -> PipelineRun:
    import dataclasses

    known_task = {f.name for f in dataclasses.fields(TaskRun)}
    known_run = {f.name for f in dataclasses.fields(PipelineRun)}
    tasks = {name: TaskRun(**{k: v for k, v in task.items() if k in known_task})
             for name, task in data.pop("tasks", {}).items()}
    return PipelineRun(tasks=tasks, **{k: v for k, v in data.items() if k in known_run})
