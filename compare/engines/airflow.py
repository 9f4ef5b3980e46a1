"""Run an Airflow DAG with real Airflow (`dag.test()`) and report every task instance.

Each run happens in a child process (`kfmigrate.compare.engines._airflow_child`) with a temporary
AIRFLOW_HOME holding a SQLite database copied from a cached, already migrated template (`airflow db
migrate` costs seconds, a copy costs milliseconds) and the DAG file copied into its dags folder
(dag.test() needs the DAG serialized from a bundle). The child reads task instances, XComs and
rendered template fields back from the database and returns them as JSON.

The user's AIRFLOW_HOME and Airflow configuration are never used: AIRFLOW__* settings from the
environment are dropped (they could point at a real metadata database), while AIRFLOW_CONN_* and
AIRFLOW_VAR_* are kept so a DAG can still find connections and variables the user provides.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional

from kfmigrate.compare.engines.packages import cache_dir

# DAGs per Airflow process in run_dags: start-up (~5 s) against re-parsing the bundle per DAG
BATCH_SIZE = 20
# files next to a DAG that it may read as templates (bash scripts, SQL) are copied with it
_TEMPLATE_SUFFIXES = {".sql", ".sh", ".json", ".yaml", ".yml", ".txt", ".j2", ".jinja", ".jinja2", ".md", ".csv"}
_MAX_SIBLING_BYTES = 1_000_000


class AirflowEngineError(Exception):
    """Airflow could not run the DAG at all (no Airflow, DAG import error, unknown dag id...)."""


@dataclass
class TaskRun:
    name: str  # task_id, or "task_id[i]" for map index i
    task_id: str
    map_index: int
    state: str  # success | failed | skipped | upstream_failed | up_for_retry | ... | none
    try_number: int = 0
    duration: Optional[float] = None
    started: Optional[str] = None
    finished: Optional[str] = None
    operator: str = ""
    xcom_return: object = None
    has_xcom_return: bool = False
    xcoms: dict = field(default_factory=dict)  # other XCom keys
    rendered_fields: dict = field(default_factory=dict)
    log_tail: list = field(default_factory=list)


@dataclass
class DagRun:
    dag_id: str
    state: str  # success | failed
    wall_seconds: float  # dag.test() itself
    total_seconds: float = 0.0  # run_dag: including child start-up, DB copy, DAG parsing; run_dags: its share
    logical_date: Optional[str] = None
    run_id: str = ""
    tasks: dict = field(default_factory=dict)
    error: str = ""
    log_path: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def parse_logical_date(text: str | None) -> Optional[str]:
    """YYYY-MM-DD or an ISO timestamp -> ISO timestamp in UTC (naive values are UTC)."""
    if text is None or text == "":
        return None
    try:
        value = _dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise AirflowEngineError(f"logical date {text!r} is not YYYY-MM-DD or an ISO timestamp") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value.astimezone(_dt.timezone.utc).isoformat()


def _clean_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__") and k != "AIRFLOW_HOME"}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "plugins"),
        "PYTHONUNBUFFERED": "1",
    })
    return env


def template_database() -> Path:
    """A migrated Airflow SQLite database, created once per Airflow version and cached."""
    try:
        from importlib.metadata import version

        airflow_version = version("apache-airflow-core")
    except Exception:
        airflow_version = "unknown"
    root = cache_dir() / "airflow-db"
    key = f"{airflow_version}-py{sys.version_info.major}{sys.version_info.minor}"
    target = root / key / "airflow.db"
    if target.exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    import fcntl

    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel first runs migrate once
        if target.exists():
            return target
        staging = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=root))
        try:
            (staging / "dags").mkdir()
            result = subprocess.run(
                [sys.executable, "-m", "airflow", "db", "migrate"],
                env=_clean_env(staging), capture_output=True, text=True, timeout=600,
            )
            if result.returncode != 0:
                tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
                raise AirflowEngineError(f"`airflow db migrate` failed:\n{tail}")
            final = root / key
            final.mkdir(exist_ok=True)
            os.replace(staging / "airflow.db", target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _copy_dag(dag_file: Path, dags_dir: Path) -> Path:
    dags_dir.mkdir(parents=True, exist_ok=True)
    copied = dags_dir / dag_file.name
    shutil.copy2(dag_file, copied)
    # template files next to it and in sub-folders (templates_dict={"query": "sql/q.sql"})
    budget = _MAX_SIBLING_BYTES * 10
    for folder, subfolders, files in os.walk(dag_file.parent):
        depth = len(Path(folder).relative_to(dag_file.parent).parts)
        subfolders[:] = [d for d in subfolders if not d.startswith((".", "__")) and depth < 2]
        for name in files:
            source = Path(folder, name)
            size = source.stat().st_size
            if source.suffix in _TEMPLATE_SUFFIXES and size <= _MAX_SIBLING_BYTES and size <= budget:
                target = dags_dir / source.relative_to(dag_file.parent)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                budget -= size
    return copied


@dataclass
class DagJob:
    """One DAG to run: for run_dags."""

    dag_file: Path | str
    dag_id: str
    params: Optional[dict] = None
    logical_date: Optional[str] = None


def run_dag(
    dag_file: Path | str,
    dag_id: str,
    params: dict | None = None,
    logical_date: str | None = None,
    on_event: Callable[[dict], object] | None = None,
    timeout: float | None = 600,
    keep_log: Path | str | None = None,
) -> DagRun:
    """Run one DAG from dag_file with dag.test() in a throwaway AIRFLOW_HOME.

    params become the run's conf (they override DAG params, as a manual trigger does).
    on_event receives {"event": "task_started"|"task_ended", "task": ...} as the run goes.
    keep_log: copy the child's full log there (it is otherwise removed with the temporary home).
    """
    start = time.time()
    [outcome] = run_dags([DagJob(dag_file, dag_id, params, logical_date)], on_event, timeout, keep_log)
    if isinstance(outcome, AirflowEngineError):
        raise outcome
    outcome.total_seconds = time.time() - start  # alone, the run owns its child's start-up too
    return outcome


def run_dags(
    jobs: list[DagJob],
    on_event: Callable[[dict], object] | None = None,
    timeout: float | None = 600,
    keep_log: Path | str | None = None,
) -> list:
    """Run several DAGs, in as few Airflow processes as possible; one DagRun or AirflowEngineError each.

    The DAGs share one temporary AIRFLOW_HOME and one child process, so Airflow's start-up (seconds)
    is paid once. timeout applies to each DAG: a DAG that exceeds it is stopped (its whole process
    tree killed) and the remaining DAGs go on in a fresh child. DAGs with the same dag_id run in
    separate homes (one bundle cannot hold two).
    """
    outcomes: list = [None] * len(jobs)
    prepared = []
    for index, job in enumerate(jobs):
        dag_file = Path(job.dag_file).resolve()
        try:
            if not dag_file.is_file():
                raise AirflowEngineError(f"{dag_file}: no such file")
            prepared.append((index, job, dag_file, parse_logical_date(job.logical_date)))
        except AirflowEngineError as exc:
            outcomes[index] = exc
    # split into batches with unique dag ids, of at most BATCH_SIZE DAGs: each dag.test() parses
    # every file of its bundle again, so a very large batch would cost more than a new process
    batches: list[list] = []
    for item in prepared:
        batch = next((b for b in batches if len(b) < BATCH_SIZE
                      and all(other[1].dag_id != item[1].dag_id for other in b)), None)
        if batch is None:
            batches.append([item])
        else:
            batch.append(item)
    if batches:
        template = template_database()
    for batch in batches:
        _run_batch(batch, template, outcomes, on_event, timeout, keep_log)
    return outcomes


def _run_batch(batch: list, template: Path, outcomes: list, on_event, timeout, keep_log) -> None:
    home = Path(tempfile.mkdtemp(prefix="kfmigrate-airflow-"))
    try:
        shutil.copy2(template, home / "airflow.db")
        (home / "tmp").mkdir()
        env = _clean_env(home)
        env["TMPDIR"] = str(home / "tmp")  # task scratch files go where we remove them, even after a kill
        # sibling modules of the original DAG files stay importable, as they were for the scheduler, and so do
        # the modules it imports from parent or plugins folders (the folders the conversion embeds them from)
        from kfmigrate.migrate.local_modules import import_roots

        folders = list(dict.fromkeys(str(folder) for _, _, dag_file, _ in batch
                                     for folder in (dag_file.parent, *import_roots(str(dag_file)))))
        env["PYTHONPATH"] = os.pathsep.join(p for p in (*folders, env.get("PYTHONPATH", "")) if p)
        jobs = {}
        (home / "dags").mkdir()
        for index, job, dag_file, iso_date in batch:
            # staged outside the dags folder; the child moves it in for its own run only
            stage = home / "stage" / f"{index:04d}"
            folder = home / "dags" / f"{index:04d}"
            _copy_dag(dag_file, stage)
            jobs[index] = {"index": index, "dag_file": str(folder / dag_file.name), "stage": str(stage),
                           "folder": str(folder), "dag_id": job.dag_id, "params": job.params or {},
                           "logical_date": iso_date, "result": str(home / f"result-{index}.json"),
                           "template_db": str(template)}
        pending = list(jobs)
        attempt = 0
        while pending:
            attempt += 1
            for leftover in (home / "dags").iterdir():  # a DAG stopped mid-run stays out of the bundle
                shutil.rmtree(leftover, ignore_errors=True)
            request = home / f"request-{attempt}.json"
            request.write_text(json.dumps({"jobs": [jobs[i] for i in pending]}, default=str))
            log_path = home / f"child-{attempt}.log"
            finished, timed_out = _run_child(request, env, home, log_path, on_event, timeout)
            segments = _job_segments(log_path)
            for index in list(pending):
                job = jobs[index]
                result_path = Path(job["result"])
                if index in finished and result_path.exists():
                    data = json.loads(result_path.read_text())
                    if data.get("fatal"):
                        outcomes[index] = AirflowEngineError(data["fatal"])
                    else:
                        _attach_log_tails(data, segments.get(index, []))
                        tasks = {name: TaskRun(**task) for name, task in data.pop("tasks").items()}
                        outcomes[index] = DagRun(tasks=tasks, **data)
                        outcomes[index].total_seconds = finished[index]  # this DAG's share of the child
                        outcomes[index].log_path = str(keep_log or "")
                elif index == timed_out:
                    outcomes[index] = AirflowEngineError(f"the Airflow run exceeded {timeout:.0f} s and was stopped")
                elif index in segments:  # started but the child died under it
                    tail = "\n".join(segments[index][-25:])
                    outcomes[index] = AirflowEngineError(f"Airflow child process ended without a result:\n{tail}")
                else:
                    continue  # not reached: goes to the next child
                pending.remove(index)
            if keep_log:
                with open(keep_log, "a") as out:
                    out.write(log_path.read_text(errors="replace"))
            if pending and not segments and timed_out is None:
                # the child died before starting any job: it will not do better next time
                tail = "\n".join(log_path.read_text(errors="replace").strip().splitlines()[-25:])
                for index in pending:
                    outcomes[index] = AirflowEngineError(f"Airflow child process failed to start:\n{tail}")
                pending = []
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _run_child(request: Path, env: dict, home: Path, log_path: Path, on_event, timeout):
    """Run one child over its jobs; return ({job index: seconds} finished, index of a timed-out job)."""
    import re
    import threading

    from kfmigrate.compare.engines._airflow_child import JOB_MARKER

    marker = re.compile(r"\[DAG TEST\] (starting|end task) task_id=(\S+) map_index=(-?\d+)")
    job_marker = re.compile(re.escape(JOB_MARKER) + r" (\d+) (start|end)$")
    current = {"index": None, "since": time.time()}
    finished: dict[int, float] = {}
    timed_out = []
    done = threading.Event()

    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kfmigrate.compare.engines._airflow_child", str(request)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
            env=env, cwd=str(home), start_new_session=True,
        )

        def watch() -> None:
            # a watchdog, not a check between lines: a sensor waiting for days may print nothing
            from kfmigrate.compare.engines.processes import kill_tree

            while not done.wait(0.5):
                if current["index"] is not None and timeout and time.time() - current["since"] > timeout:
                    timed_out.append(current["index"])
                    kill_tree(proc.pid)
                    return

        watchdog = threading.Thread(target=watch, daemon=True)
        watchdog.start()
        try:
            for line in proc.stdout:
                log.write(line)
                found = job_marker.search(line.rstrip())
                if found:
                    index, kind = int(found.group(1)), found.group(2)
                    if kind == "start":
                        current.update(index=index, since=time.time())
                    else:
                        finished[index] = time.time() - current["since"]
                        current["index"] = None
                    if on_event:
                        on_event({"event": f"dag_{'started' if kind == 'start' else 'ended'}", "job": index})
                    continue
                found = marker.search(line) if on_event else None
                if found:
                    kind, task_id, map_index = found.groups()
                    name = task_id if map_index == "-1" else f"{task_id}[{map_index}]"
                    on_event({"event": "task_started" if kind == "starting" else "task_ended", "task": name,
                              "job": current["index"]})
            proc.wait()
        finally:
            done.set()
            if proc.poll() is None:  # interrupted: take the whole child tree down
                from kfmigrate.compare.engines.processes import kill_tree

                kill_tree(proc.pid)
                proc.wait()
    return finished, (timed_out[0] if timed_out else None)


def _job_segments(log_path: Path) -> dict:
    """The child's log split by job: {job index: [lines]}."""
    import re

    from kfmigrate.compare.engines._airflow_child import JOB_MARKER

    job_marker = re.compile(re.escape(JOB_MARKER) + r" (\d+) (start|end)$")
    segments, current = {}, None
    for line in log_path.read_text(errors="replace").splitlines():
        found = job_marker.search(line)
        if found:
            current = int(found.group(1)) if found.group(2) == "start" else None
            if current is not None:
                segments[current] = []
            continue
        if current is not None:
            segments[current].append(line)
    return segments


def _attach_log_tails(data: dict, lines_of_job: list, lines: int = 30) -> None:
    """Split one DAG's dag.test() output at its per-task markers and keep each task's last lines."""
    import re

    start = re.compile(r"\[DAG TEST\] starting task_id=(\S+) map_index=(-?\d+)")
    end = re.compile(r"\[DAG TEST\] end task task_id=(\S+) map_index=(-?\d+)")
    current, buffers = None, {}
    for line in lines_of_job:
        found = start.search(line)
        if found:
            task_id, index = found.groups()
            current = task_id if index == "-1" else f"{task_id}[{index}]"
            buffers[current] = []
            continue
        if end.search(line):
            current = None
            continue
        if current is not None and "::group::" not in line and "::endgroup::" not in line:
            buffers[current].append(line)
    for name, task in data.get("tasks", {}).items():
        task["log_tail"] = buffers.get(name, [])[-lines:]
