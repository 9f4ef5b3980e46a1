"""A throwaway Airflow 3 deployment: LocalExecutor on PostgreSQL, started and stopped by kfmigrate.

`kfmigrate compare --airflow-mode scheduler` runs the workload DAGs the way a deployment does, not
with dag.test(): a PostgreSQL server, `airflow scheduler` (LocalExecutor), `airflow dag-processor`
(Airflow 3 parses DAG files only there) and `airflow api-server` (it serves the Execution API that
every LocalExecutor task talks to, and the REST API we trigger runs and read results with). Runs are
triggered over REST (`POST /api/v2/dags/{dag_id}/dagRuns`) and read back from the same API.

Everything lives in one temporary folder (AIRFLOW_HOME, the PostgreSQL data directory and its
socket); `stop()` ends every process it started and removes the folder, also on Ctrl-C, on a
failure while starting, and, for the processes, when the parent dies without cleaning up (each
child gets PR_SET_PDEATHSIG). PostgreSQL comes from the machine (Debian's `postgresql` package:
`make system-deps` installs it as root); it refuses to run as root, so as root it runs as the
unprivileged `postgres` (or `nobody`) user. An `initdb` + `airflow db migrate`d data directory is
cached per Airflow and PostgreSQL version (like the SQLite template of the dag.test engine), so a
deployment starts from a copy in a second instead of migrating for half a minute.

The user's Airflow settings are never used (AIRFLOW__* from the environment are dropped).
"""
from __future__ import annotations

import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Optional

from kfmigrate.compare.engines.airflow import _clean_env
from kfmigrate.compare.engines.packages import cache_dir
from kfmigrate.compare.engines.processes import signal_group

# the Airflow processes of a deployment, in start order; stopped in reverse
COMPONENTS = ("api-server", "dag-processor", "scheduler")
FINAL_RUN_STATES = {"success", "failed"}
STOP_GRACE_SECONDS = 3  # for the Airflow processes to exit after SIGTERM; then they are killed


class SchedulerError(Exception):
    """The deployment could not be started, or a run could not be triggered or read back."""


# ---------------------------------------------------------------- PostgreSQL

def postgres_bindir() -> Path:
    """The folder holding initdb and postgres: $KFMIGRATE_PG_BINDIR, PATH, or Debian's layout."""
    candidates = []
    if os.environ.get("KFMIGRATE_PG_BINDIR"):
        candidates.append(Path(os.environ["KFMIGRATE_PG_BINDIR"]))
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(os.path.realpath(found)).parent)
    # Debian keeps the server binaries off PATH; take the newest major version
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                    if Path(p).parent.name.isdigit() else 0, reverse=True)
    candidates += [Path(p) for p in debian]
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    raise SchedulerError(
        "the scheduler mode needs a PostgreSQL server (initdb and postgres were not found): install it, "
        "e.g. `apt-get install postgresql` on Debian (`make system-deps` does that as root), or point "
        "KFMIGRATE_PG_BINDIR at the folder holding initdb and postgres")


def _server_user() -> Optional[tuple]:
    """(uid, gid) to run PostgreSQL as when we are root (it refuses to run as root), else None."""
    if os.geteuid() != 0:
        return None
    import pwd

    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
            return entry.pw_uid, entry.pw_gid
        except KeyError:
            continue
    raise SchedulerError("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as")


def _child_setup(user: Optional[tuple] = None):
    """preexec_fn: drop to `user` if given, and die with the parent (PR_SET_PDEATHSIG).

    Everything it needs is loaded here, in the parent: a forked child must not import.
    """
    try:
        import ctypes

        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        prctl = None

    def setup():
        if user:
            os.setgroups([])
            os.setgid(user[1])
            os.setuid(user[0])
        if prctl is not None:
            prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG; after setuid, which would clear it
    return setup


def _chown_tree(path: Path, user: Optional[tuple]) -> None:
    if not user:
        return
    for folder, dirs, files in os.walk(path):
        os.chown(folder, *user)
        for name in files:
            os.lchown(os.path.join(folder, name), *user)


def _versions() -> str:
    from importlib.metadata import version

    try:
        airflow = version("apache-airflow-core")
    except Exception:
        airflow = "unknown"
    return f"airflow{airflow}-pg{postgres_bindir().parent.name}-py{sys.version_info.major}{sys.version_info.minor}"


# ---------------------------------------------------------------- the deployment

class Deployment:
    """Start with `with Deployment(dag_files) as deployment:`; `deployment.trigger(...)` runs a DAG."""

    def __init__(self, dag_files: list, log: Callable[[str], None] | None = None, start_timeout: float = 180):
        self.dag_files = [Path(f).resolve() for f in dag_files]
        self.log = log or (lambda text: None)
        self.start_timeout = start_timeout
        self.root: Optional[Path] = None
        self.processes: dict = {}  # name -> Popen
        self.api_url = ""
        self.env: dict = {}
        self.user = None
        self._previous_sigterm = None

    # -- life cycle
    def __enter__(self) -> "Deployment":
        self.start()
        return self

    def __exit__(self, *exc) -> bool:
        self.stop()
        return False

    def start(self) -> None:
        try:
            # a SIGTERM while the deployment is up must still run stop(): turn it into an exception
            if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
                self._previous_sigterm = signal.signal(signal.SIGTERM, _raise_interrupt)
        except ValueError:  # not the main thread: the caller handles signals
            pass
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        bindir = postgres_bindir()
        self.user = _server_user()
        template = template_data_dir(bindir, self.user, self.log)
        self.root = Path(tempfile.mkdtemp(prefix="kfmigrate-airflow-scheduler-"))
        os.chmod(self.root, 0o711)  # PostgreSQL's user must reach its data directory inside
        home = self.root / "home"
        (home / "dags").mkdir(parents=True)
        (self.root / "tmp").mkdir()
        for dag_file in self.dag_files:
            shutil.copy2(dag_file, home / "dags" / dag_file.name)
        self.log("starting PostgreSQL")
        data = self.root / "pgdata"
        shutil.copytree(template, data, symlinks=True)
        socket_dir = self.root / "pgsocket"
        socket_dir.mkdir()
        _chown_tree(data, self.user)
        _chown_tree(socket_dir, self.user)
        self.processes["postgres"] = _start_postgres(bindir, data, socket_dir, self.user,
                                                     self.root / "postgres.log")
        _wait_for_postgres(socket_dir, self.processes["postgres"], self.root / "postgres.log")

        port = _free_port()
        self.api_url = f"http://127.0.0.1:{port}"
        self.env = deployment_env(home, socket_dir, port)
        self.env["TMPDIR"] = str(self.root / "tmp")
        folders = list(dict.fromkeys(str(f.parent) for f in self.dag_files))
        self.env["PYTHONPATH"] = os.pathsep.join(p for p in (*folders, os.environ.get("PYTHONPATH", "")) if p)
        for name in COMPONENTS:
            self.log(f"starting airflow {name}")
            with open(self.root / f"{name}.log", "w") as out:
                self.processes[name] = subprocess.Popen(
                    [sys.executable, "-m", "airflow", name], stdout=out, stderr=subprocess.STDOUT,
                    env=self.env, cwd=str(home), start_new_session=True, preexec_fn=_child_setup())
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.time() + self.start_timeout
        api_up = False
        while time.time() < deadline:
            self._check_alive()
            try:
                health = self.api("GET", "/api/v2/monitor/health")
            except SchedulerError:  # the api-server is still importing
                time.sleep(0.5)
                continue
            if not api_up:
                self.log("waiting for the scheduler and the parsed DAGs")
                api_up = True
            scheduler = (health.get("scheduler") or {}).get("status")
            processor = (health.get("dag_processor") or {}).get("status")
            if scheduler == "healthy" and processor == "healthy" and self._dags_parsed():
                return
            time.sleep(0.5)
        raise SchedulerError(f"the Airflow deployment was not ready after {self.start_timeout:.0f} s"
                             + self._log_tails())

    def _dags_parsed(self) -> bool:
        errors = self.api("GET", "/api/v2/importErrors").get("import_errors") or []
        if errors:
            first = errors[0]
            raise SchedulerError(f"DAG import error in {first.get('filename')}: "
                                 f"{(first.get('stack_trace') or '').strip().splitlines()[-1:]}")
        found = self.api("GET", "/api/v2/dags?limit=1000").get("dags") or []
        files = {Path(d.get("fileloc") or "").name for d in found}
        return all(f.name in files for f in self.dag_files)

    def _check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise SchedulerError(f"{name} exited with code {proc.returncode} while starting"
                                     + self._log_tails(name))

    def _log_tails(self, only: str = "", lines: int = 15) -> str:
        parts = []
        for name in ([only] if only else ["postgres", *COMPONENTS]):
            path = (self.root / f"{name}.log") if self.root else None
            if path and path.exists():
                tail = path.read_text(errors="replace").strip().splitlines()[-lines:]
                parts.append(f"\n--- {name} log (last lines):\n" + "\n".join(tail))
        return "".join(parts)

    def pids(self) -> list:
        """The deployment's root processes (their trees hold every process it runs)."""
        return [p.pid for p in self.processes.values() if p.poll() is None]

    def stop(self) -> None:
        """End every process (Airflow first, PostgreSQL last) and remove the temporary folder."""
        from kfmigrate.compare.engines.processes import kill_tree

        for name in reversed(COMPONENTS):
            proc = self.processes.get(name)
            if proc is not None and proc.poll() is None:
                signal_group(proc.pid, signal.SIGTERM)
        deadline = time.time() + STOP_GRACE_SECONDS
        for name in reversed(COMPONENTS):
            proc = self.processes.get(name)
            if proc is None:
                continue
            try:
                proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                pass  # a throwaway deployment: nothing to keep, so no long wait for a clean exit
            kill_tree(proc.pid)  # whatever it left behind (task processes, executor and uvicorn workers)
            proc.wait()
        postgres = self.processes.get("postgres")
        if postgres is not None:
            if postgres.poll() is None:
                postgres.send_signal(signal.SIGINT)  # fast shutdown: disconnect clients, stop cleanly
                try:
                    postgres.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    pass
            kill_tree(postgres.pid)
            postgres.wait()
        self.processes = {}
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None
        if self._previous_sigterm is not None:
            signal.signal(signal.SIGTERM, self._previous_sigterm)
            self._previous_sigterm = None

    # -- using it
    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 30) -> dict:
        return api_call(self.api_url, method, path, body, timeout)

    def describe(self) -> dict:
        """What a run process needs to use this deployment (kfmigrate.compare.runner gets it as JSON)."""
        return {"api_url": self.api_url, "pids": self.pids(), "root": str(self.root)}


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def deployment_env(home: Path, socket_dir: Path, port: int) -> dict:
    """Environment of the Airflow processes: nothing from the user's Airflow configuration."""
    env = _clean_env(home)  # the dag.test engine's: home, dags, logs and plugins folders, no examples
    database = f"postgresql+psycopg2://postgres@/postgres?host={socket_dir}"
    env.update({
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": database,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": database.replace("+psycopg2", "+asyncpg"),
        # the api-server on loopback only; every component signs and checks the same task tokens
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        # a throwaway deployment on loopback: every REST caller is admin, no password to handle
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
    })
    return env


def api_call(base_url: str, method: str, path: str, body: dict | None = None, timeout: float = 30) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base_url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:500]
        raise SchedulerError(f"{method} {path}: HTTP {exc.code}: {detail}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise SchedulerError(f"{method} {path}: {exc}") from None


# ---------------------------------------------------------------- PostgreSQL processes

def _start_postgres(bindir: Path, data: Path, socket_dir: Path, user, log_path: Path) -> subprocess.Popen:
    # unix socket only (no TCP port to collide with); durability off: a throwaway database
    command = [str(bindir / "postgres"), "-D", str(data), "-k", str(socket_dir), "-c", "listen_addresses=",
               "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
               "-c", "max_connections=200"]
    with open(log_path, "w") as out:
        if user:
            os.chown(log_path, *user)
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                cwd=str(data), preexec_fn=_child_setup(user))


def _wait_for_postgres(socket_dir: Path, proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            tail = "\n".join(log_path.read_text(errors="replace").strip().splitlines()[-15:])
            raise SchedulerError(f"PostgreSQL exited with code {proc.returncode}:\n{tail}")
        if list(socket_dir.glob(".s.PGSQL.*")) and _postgres_accepts(socket_dir):
            return
        time.sleep(0.1)
    raise SchedulerError(f"PostgreSQL did not accept connections within {timeout:.0f} s")


def _postgres_accepts(socket_dir: Path) -> bool:
    try:
        import psycopg2
    except ImportError:
        raise SchedulerError("the scheduler mode needs psycopg2 and asyncpg "
                             "(pip install 'kfmigrate[scheduler]')") from None
    try:
        psycopg2.connect(host=str(socket_dir), user="postgres", dbname="postgres", connect_timeout=2).close()
        return True
    except psycopg2.OperationalError:
        return False


def template_data_dir(bindir: Path, user, log: Callable[[str], None]) -> Path:
    """A PostgreSQL data directory with Airflow's schema migrated, made once per version and cached."""
    root = cache_dir() / "airflow-pg"
    key = _versions()
    target = root / key / "pgdata"
    if (root / key / "ready").exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    import fcntl

    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel first runs migrate once
        if (root / key / "ready").exists():
            return target
        log("preparing the PostgreSQL template (initdb + airflow db migrate, once per version)")
        # built under the system temp folder: the cache may sit in root's home, which PostgreSQL's
        # unprivileged user cannot enter; the finished data directory is copied into the cache
        staging = Path(tempfile.mkdtemp(prefix="kfmigrate-pg-template-"))
        os.chmod(staging, 0o711)
        proc = None
        try:
            data, socket_dir = staging / "pgdata", staging / "pgsocket"
            data.mkdir()
            socket_dir.mkdir()
            _chown_tree(data, user)
            _chown_tree(socket_dir, user)
            result = subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                     "-E", "UTF8", "--no-sync"], capture_output=True, text=True,
                                    preexec_fn=_child_setup(user), cwd=str(data), timeout=120)
            if result.returncode != 0:
                raise SchedulerError(f"initdb failed:\n{(result.stdout + result.stderr)[-1500:]}")
            proc = _start_postgres(bindir, data, socket_dir, user, staging / "postgres.log")
            _wait_for_postgres(socket_dir, proc, staging / "postgres.log")
            home = staging / "home"
            (home / "dags").mkdir(parents=True)
            env = deployment_env(home, socket_dir, _free_port())
            result = subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env,
                                    capture_output=True, text=True, timeout=600, cwd=str(home))
            if result.returncode != 0:
                tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
                raise SchedulerError(f"`airflow db migrate` on PostgreSQL failed:\n{tail}")
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
            proc = None
            final = root / key
            if final.exists():
                shutil.rmtree(final)
            final.mkdir()
            shutil.copytree(data, target, symlinks=True)
            (final / "ready").write_text("")
        finally:
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
            shutil.rmtree(staging, ignore_errors=True)
    return target


# ---------------------------------------------------------------- one DAG run (used by kfmigrate.compare.runner)

def run_dag(api_url: str, dag_id: str, conf: dict, logical_date: str, timeout: float = 600,
            on_event: Callable[[dict], object] | None = None, poll_seconds: float = 0.2) -> dict:
    """Trigger dag_id over REST, wait for it to end, and read its task instances and XComs.

    Returns {"state", "run_id", "triggered", "queued_at", "start_date", "end_date", "tasks": {key: {...}}}
    with task keys as the dag.test engine names them ("task_id[i]" for map index i).
    """
    run_id = f"kfmigrate__{time.strftime('%Y%m%dT%H%M%S')}_{secrets.token_hex(3)}"
    triggered = time.time()
    created = api_call(api_url, "POST", f"/api/v2/dags/{dag_id}/dagRuns",
                       {"dag_run_id": run_id, "logical_date": logical_date, "conf": conf or {}})
    run_id = created.get("dag_run_id", run_id)
    deadline = triggered + timeout
    seen: dict = {}
    while True:
        run = api_call(api_url, "GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
        instances = _task_instances(api_url, dag_id, run_id)
        for key, ti in instances.items():
            state = ti.get("state")
            if on_event and state != seen.get(key):
                if state == "running":
                    on_event({"event": "task_started", "task": key})
                elif state in ("success", "failed", "skipped", "upstream_failed"):
                    on_event({"event": "task_ended", "task": key, "state": state})
            seen[key] = state
        if run.get("state") in FINAL_RUN_STATES:
            break
        if time.time() > deadline:
            raise SchedulerError(f"the DAG run {run_id} did not finish within {timeout:.0f} s")
        time.sleep(poll_seconds)
    tasks = {}
    for key, ti in instances.items():
        has, value = _return_value(api_url, dag_id, run_id, ti["task_id"], ti.get("map_index", -1))
        tasks[key] = {"task_id": ti["task_id"], "map_index": ti.get("map_index", -1), "state": ti.get("state"),
                      "started": ti.get("start_date"), "finished": ti.get("end_date"),
                      "queued": ti.get("queued_when"), "scheduled": ti.get("scheduled_when"),
                      "try_number": ti.get("try_number"), "output": value, "has_output": has}
    return {"state": run.get("state"), "run_id": run_id, "triggered": triggered,
            "queued_at": run.get("queued_at"), "start_date": run.get("start_date"),
            "end_date": run.get("end_date"), "tasks": tasks}


def _task_instances(api_url: str, dag_id: str, run_id: str) -> dict:
    data = api_call(api_url, "GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances?limit=1000")
    found = {}
    for ti in data.get("task_instances") or []:
        index = ti.get("map_index", -1)
        found[ti["task_id"] if index is None or index < 0 else f"{ti['task_id']}[{index}]"] = ti
    return found


def _return_value(api_url: str, dag_id: str, run_id: str, task_id: str, map_index: int) -> tuple:
    path = (f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
            f"?map_index={map_index}")
    try:
        entry = api_call(api_url, "GET", path)
    except SchedulerError as exc:
        if "HTTP 404" in str(exc):
            return False, None
        raise
    from kfmigrate.compare.engines._airflow_child import _decode  # serde envelopes, as the dag.test engine reads them

    return True, _decode(entry.get("value"))  # the stored value, as the task SDK serialised it

