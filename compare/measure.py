"""Measuring one engine run, and summarising repeats.

What one run is measured with:
- `run_measured` starts the run in a child process and samples its whole process tree with psutil
  (every `interval` seconds: summed RSS, process count). CPU seconds come from the kernel: `os.wait4`
  returns the child's rusage including every descendant it waited for, so short-lived task
  processes that a sampler could miss between two samples are still counted.
- `task_timings` turns per-task start/finish times into start latency (how long a task waited after
  its last upstream task finished), run time, and orchestration overhead (wall time during which no
  task was running).
- `definition_size` counts lines and framework concepts of a DAG file or a pipeline file (read with
  `ast`, never imported).
- `summarize` gives median and spread over repeats; `machine_info` records where it ran.

psutil is imported lazily (it is an optional extra).
"""
from __future__ import annotations

import ast
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable, Optional

from kfmigrate.compare.engines.processes import signal_group


# ---------------------------------------------------------------- one measured process tree

@dataclass
class ProcessMeasure:
    wall_seconds: float
    cpu_user_seconds: float
    cpu_system_seconds: float
    peak_rss_bytes: int  # largest sum of RSS over the whole process tree at one sample
    max_single_rss_bytes: int  # largest single process (kernel ru_maxrss of the waited tree)
    peak_processes: int
    samples: int
    returncode: int
    rss_timeline: list = field(default_factory=list)  # [(seconds since start, tree RSS bytes)]

    @property
    def cpu_seconds(self) -> float:
        return self.cpu_user_seconds + self.cpu_system_seconds

    def to_json(self) -> dict:
        data = asdict(self)
        data["cpu_seconds"] = self.cpu_seconds
        return data


class TreeSampler(threading.Thread):
    """Samples RSS and process count of a process and all its descendants until stopped."""

    def __init__(self, pid, interval: float = 0.05, keep_timeline: bool = True, proportional: bool = False):
        super().__init__(daemon=True)
        self.pids = list(pid) if isinstance(pid, (list, tuple)) else [pid]  # one root or several
        # PSS instead of RSS: shared pages split between the processes sharing them. For trees of
        # forks (a scheduler's executor workers, PostgreSQL's backends) summed RSS counts the same
        # pages dozens of times.
        self.proportional = proportional
        self.interval = interval
        self.keep_timeline = keep_timeline
        self.peak_rss = 0
        self.peak_processes = 0
        self.samples = 0
        self.timeline: list = []
        self._stop_event = threading.Event()
        self._t0 = time.perf_counter()

    def sample_once(self) -> None:
        import psutil

        processes = []
        for pid in self.pids:
            try:
                root = psutil.Process(pid)
                processes += [root] + root.children(recursive=True)
            except psutil.Error:  # the root is gone (or a zombie we cannot read)
                continue
        if not processes:
            return
        total = 0
        alive = 0
        for proc in processes:
            try:
                total += proc.memory_full_info().pss if self.proportional else proc.memory_info().rss
                alive += 1
            except psutil.Error:  # ended between listing and reading
                continue
        self.samples += 1
        self.peak_rss = max(self.peak_rss, total)
        self.peak_processes = max(self.peak_processes, alive)
        if self.keep_timeline:
            self.timeline.append((round(time.perf_counter() - self._t0, 3), total))

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample_once()
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run_measured(
    command: list,
    env: Optional[dict] = None,
    cwd: Optional[str] = None,
    on_line: Optional[Callable[[str], None]] = None,
    interval: float = 0.05,
    timeout: Optional[float] = None,
    stderr_path: Optional[str] = None,
) -> ProcessMeasure:
    """Run `command` to completion while measuring its process tree.

    Lines it prints on stdout go to `on_line` as they come (the progress bar feeds on them);
    stderr goes to `stderr_path` (or is discarded). On timeout the whole process group is killed.
    """
    import signal

    err = open(stderr_path, "w") if stderr_path else subprocess.DEVNULL
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, env=env, cwd=cwd,
                                text=True, errors="replace", start_new_session=True)
        sampler = TreeSampler(proc.pid, interval)
        sampler.start()
        timer = None
        if timeout:
            timer = threading.Timer(timeout, lambda: signal_group(proc.pid, signal.SIGKILL))
            timer.start()
        try:
            for line in proc.stdout:
                if on_line:
                    on_line(line.rstrip("\n"))
            # wait4 reaps the child and returns rusage of it plus all descendants it waited for
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if timer:
                timer.cancel()
            if proc.returncode is None:
                signal_group(proc.pid, signal.SIGKILL)
                proc.wait()
            sampler.stop()
        wall = time.perf_counter() - started
    finally:
        if stderr_path:
            err.close()
    return ProcessMeasure(
        wall_seconds=wall,
        cpu_user_seconds=usage.ru_utime,
        cpu_system_seconds=usage.ru_stime,
        peak_rss_bytes=sampler.peak_rss,
        max_single_rss_bytes=usage.ru_maxrss * 1024,  # Linux reports KiB
        peak_processes=sampler.peak_processes,
        samples=sampler.samples,
        returncode=proc.returncode,
        rss_timeline=sampler.timeline,
    )


def tree_cpu_seconds(pids: list) -> float:
    """CPU seconds (user + system) spent so far by the process trees under `pids`.

    Each live process counts its own time and that of the children it has reaped, so a task
    process that ended between two readings is still in its parent's figure: the difference of two
    readings is what the trees spent in between (for a long-running deployment, not started by us).
    """
    import psutil

    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            processes = [root] + root.children(recursive=True)
        except psutil.Error:
            continue
        for proc in processes:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system + times.children_user + times.children_system
    return total


# ---------------------------------------------------------------- task timings

@dataclass
class TaskTiming:
    key: str  # common task key: Airflow task id, "task_id[i]" for the i-th mapped instance
    state: str
    started: Optional[float]  # unix seconds
    finished: Optional[float]
    upstream: Optional[tuple] = ()  # None: not known (a task only one engine has)


def task_timings(tasks: Iterable[TaskTiming], run_started: float, run_finished: float) -> dict:
    """Start latency and run time per task, and the run's orchestration overhead.

    - run time: finished - started of each task;
    - start latency: started - (latest finish among its upstream tasks, or the run start; for a
      task whose upstream is unknown, the latest finish of any task before it started);
    - task work: the sum of run times; busy time: the union of the task intervals;
    - overhead: wall time minus busy time, i.e. the time during which no task was running
      (engine start, scheduling gaps, state bookkeeping). With parallel tasks the sum of run
      times can exceed the wall time, which is why overhead uses the union.
    """
    tasks = [t for t in tasks if t.started is not None and t.finished is not None]
    finish_of: dict = {}
    for t in tasks:
        base = base_key(t.key)
        finish_of[base] = max(finish_of.get(base, 0.0), t.finished)
    per_task = {}
    for t in sorted(tasks, key=lambda t: t.started):
        if t.upstream is None:  # unknown upstream: the last task that finished before it started
            upstream_finishes = [o.finished for o in tasks if o.finished <= t.started]
        else:
            upstream_finishes = [finish_of[u] for u in t.upstream if u in finish_of]
        ready = max(upstream_finishes or [run_started])
        per_task[t.key] = {
            "state": t.state,
            "start_offset": t.started - run_started,
            "end_offset": t.finished - run_started,
            "run_seconds": t.finished - t.started,
            "start_latency": max(0.0, t.started - ready),
        }
    wall = run_finished - run_started
    busy = union_length([(t.started, t.finished) for t in tasks])
    work = sum(t.finished - t.started for t in tasks)
    latencies = [v["start_latency"] for v in per_task.values()]
    first_start = min((t.started for t in tasks), default=run_finished)
    return {
        "tasks": per_task,
        "wall_seconds": wall,
        "task_work_seconds": work,
        "busy_seconds": busy,
        "overhead_seconds": max(0.0, wall - busy),
        "time_to_first_task": first_start - run_started,
        "median_start_latency": statistics.median(latencies) if latencies else None,
        "task_count": len(tasks),
    }


def base_key(key: str) -> str:
    """'train[2]' -> 'train'."""
    return key.split("[", 1)[0]


def union_length(intervals: list) -> float:
    total = 0.0
    current_start = current_end = None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return total


# ---------------------------------------------------------------- repeats

def summarize(values: Iterable) -> dict:
    """Median and spread of the numbers given (None values are left out)."""
    numbers = sorted(v for v in values if v is not None)
    if not numbers:
        return {"n": 0, "median": None, "min": None, "max": None, "mean": None, "stdev": None, "iqr": None}
    if len(numbers) >= 4:
        quartiles = statistics.quantiles(numbers, n=4)
        iqr = quartiles[2] - quartiles[0]
    else:
        iqr = numbers[-1] - numbers[0]
    return {
        "n": len(numbers),
        "median": statistics.median(numbers),
        "min": numbers[0],
        "max": numbers[-1],
        "mean": statistics.fmean(numbers),
        "stdev": statistics.stdev(numbers) if len(numbers) > 1 else 0.0,
        "iqr": iqr,
    }


# ---------------------------------------------------------------- definition size

AIRFLOW_MODULES = ("airflow",)
KFP_MODULES = ("kfp",)


def definition_size(source: str, framework: str) -> dict:
    """Lines and framework concepts of a workflow definition, read with ast (never run).

    lines: non-blank, non-comment lines. concepts: the distinct framework API names the file uses,
    i.e. names imported from the framework's modules and attributes taken from them
    (`dsl.ParallelFor`, `@task`, `.expand`, `PythonOperator`...). Mapping methods called on
    TaskFlow objects (`.partial`, `.expand`, `.override`) count for Airflow; `.after`, `.set_*`
    and `.output(s)` count for KFP.
    """
    modules = AIRFLOW_MODULES if framework == "airflow" else KFP_MODULES
    method_concepts = ({"partial", "expand", "expand_kwargs", "override", "set_upstream", "set_downstream"}
                       if framework == "airflow" else
                       {"after", "set_retry", "set_caching_options", "set_cpu_limit", "set_memory_limit",
                        "set_display_name", "set_env_variable", "ignore_upstream_failure", "outputs",
                        "output", "set_timeout"})
    lines = [line.strip() for line in source.splitlines()]
    code_lines = sum(1 for line in lines if line and not line.startswith("#"))
    concepts: set = set()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {"lines": len(lines), "code_lines": code_lines, "concepts": None, "concept_names": []}
    aliases: dict = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in modules:
            for alias in node.names:
                concepts.add(alias.name)
                aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in modules:
                    aliases[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id in aliases:
                concepts.add(f"{aliases[node.value.id]}.{node.attr}".split(".")[-1])
            elif node.attr in method_concepts:
                concepts.add("." + node.attr)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.RShift, ast.LShift)) and framework == "airflow":
            concepts.add(">>")
    # module objects themselves (`dsl`, `kfp`) are namespaces, not concepts
    concepts -= {"dsl", "kfp", "compiler", "sdk", "airflow"}
    return {"lines": len(lines), "code_lines": code_lines, "concepts": len(concepts),
            "concept_names": sorted(concepts)}


# ---------------------------------------------------------------- machine and versions

VERSIONED_PACKAGES = ("kfmigrate", "kfp", "apache-airflow", "apache-airflow-core", "mlflow", "scikit-learn",
                      "numpy", "psutil", "matplotlib", "libcst")


def machine_info() -> dict:
    import importlib.metadata

    versions = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    info = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_bytes": _memory_total(),
        "versions": versions,
    }
    return info


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_total() -> Optional[int]:
    try:
        import psutil

        return psutil.virtual_memory().total
    except ImportError:
        return None
