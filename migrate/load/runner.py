"""Run the `--load` child: Airflow's DagBag over the DAG files, in a subprocess with a clean home.

The user's AIRFLOW_HOME and AIRFLOW__* settings are never used (they could point at a real metadata
database); the rest of the environment is kept, plus --env. The DAG folder, plugins/ and the --path
folders go on sys.path as Airflow puts them. Airflow's own dagbag_import_timeout is set to
--load-timeout; a child that still stops answering (a hang in native code) is killed, its file is
reported, and a new child goes on with the files after it.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import ERROR, Diagnostic

CHILD = Path(__file__).with_name("_child.py")
START_SECONDS = 60.0  # importing Airflow itself, before the first file: slow on a busy machine


@dataclass
class LoadOptions:
    paths: Sequence[Path] = ()  # --path folders
    env: Mapping[str, str] = field(default_factory=dict)  # --env K=V
    timeout: float = 30.0  # --load-timeout, seconds per file
    dag_folders: Sequence[Path] = ()  # the folders given on the command line (Airflow's DAG folder)


@dataclass
class Loaded:
    """One file as Airflow loaded it: the child's record, or the diagnostic saying why not."""
    path: Path
    record: Optional[dict] = None
    error: Optional[Diagnostic] = None


def load_files(files: Sequence[Path], options: LoadOptions) -> Dict[Path, Loaded]:
    if not files:
        return {}
    python = _airflow_python()
    if python is None:
        error = ("Airflow is not installed in this Python: --load needs apache-airflow (pip install apache-airflow), "
                 "or KFMIGRATE_LOAD_PYTHON naming a Python that has it")
        if os.environ.get("KFMIGRATE_LOAD_PYTHON"):
            error = f"KFMIGRATE_LOAD_PYTHON={os.environ['KFMIGRATE_LOAD_PYTHON']} is not an executable file"
        return {f: Loaded(f, error=_diag("KFM132", error, f)) for f in files}
    results: Dict[Path, Loaded] = {}
    home = Path(tempfile.mkdtemp(prefix="kfmigrate-load-"))
    try:
        for folder, group in _by_dag_folder(files, options.dag_folders).items():
            pending = list(group)
            while pending:
                done = _run_child(python, pending, folder, options, home)
                results.update(done)
                pending = [f for f in pending if f not in results]
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return results


def _airflow_python() -> Optional[str]:
    """The interpreter that loads the DAGs: KFMIGRATE_LOAD_PYTHON (an Airflow 2 or 3 installation of its
    own, e.g. the one the DAGs run on), else this one when it has Airflow."""
    from importlib.util import find_spec

    chosen = os.environ.get("KFMIGRATE_LOAD_PYTHON")
    if chosen:
        return chosen if os.path.isfile(chosen) and os.access(chosen, os.X_OK) else None
    return sys.executable if find_spec("airflow") is not None else None


def _by_dag_folder(files: Sequence[Path], dag_folders: Sequence[Path]) -> Dict[Path, List[Path]]:
    """Files grouped under the folder given on the command line that holds them (else their parent)."""
    folders = sorted({Path(os.path.abspath(f)) for f in dag_folders if Path(f).is_dir()}, key=lambda p: -len(p.parts))
    groups: Dict[Path, List[Path]] = {}
    for file in files:
        absolute = Path(os.path.abspath(file))
        folder = next((d for d in folders if d in absolute.parents), absolute.parent)
        groups.setdefault(folder, []).append(file)
    return groups


def project_sys_path(folder: Path, extra: Sequence[Path]) -> List[str]:
    """What Airflow puts on sys.path for a DAG folder (itself, plugins/ and config/ next to it or in
    it), then the --path folders."""
    entries = [folder]
    for base in (folder, folder.parent):
        entries += [base / name for name in ("plugins", "config") if (base / name).is_dir()]
    entries += [Path(p) for p in extra]
    return list(dict.fromkeys(os.path.abspath(p) for p in entries))


def child_env(home: Path, folder: Path, options: LoadOptions) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__") and k != "AIRFLOW_HOME"}
    env.update(options.env)
    plugins = next((p for p in (folder / "plugins", folder.parent / "plugins") if p.is_dir()), home / "plugins")
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(folder),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(plugins),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": str(options.timeout),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "ERROR",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",  # no __pycache__ folders left in the user's project
    })
    return env


def _run_child(python: str, files: List[Path], folder: Path, options: LoadOptions, home: Path) -> Dict[Path, Loaded]:
    """Load as many of `files` as one child manages; a file that hangs or kills it gets its error."""
    work = Path(tempfile.mkdtemp(prefix="run-", dir=home))
    request, result, log = work / "request.json", work / "result.jsonl", work / "child.log"
    request.write_text(json.dumps({"files": [os.path.abspath(f) for f in files],
                                   "sys_path": project_sys_path(folder, options.paths), "result": str(result)}))
    by_absolute = {os.path.abspath(f): f for f in files}
    done: Dict[Path, Loaded] = {}
    with open(log, "w") as log_handle:
        process = subprocess.Popen([python, str(CHILD), str(request)], env=child_env(home, folder, options),
                                   stdout=log_handle, stderr=subprocess.STDOUT, cwd=str(work))
        last_progress, started, killed = time.monotonic(), 0, False
        limit = START_SECONDS + options.timeout
        while process.poll() is None:
            time.sleep(0.05)
            count = _count_lines(result)
            if count != started:
                started, last_progress, limit = count, time.monotonic(), options.timeout + 10
            if time.monotonic() - last_progress > limit:
                process.kill()
                process.wait()
                killed = True
                break
    for line in result.read_text().splitlines() if result.exists() else []:
        record = json.loads(line)
        path = by_absolute.get(record["file"], Path(record["file"]))
        done[path] = _loaded(path, record)
    if len(done) < len(files):
        stuck = files[len(done)]
        if killed:
            message = (f"Airflow did not finish loading this file within {options.timeout:g} s (--load-timeout); "
                       "it was stopped")
            done[stuck] = Loaded(stuck, error=_diag("KFM131", message, stuck))
        else:
            tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
            done[stuck] = Loaded(stuck, error=_diag("KFM132", f"the Airflow process loading this file "
                                                              f"exited with code {process.returncode}: {tail}", stuck))
    return done


def _count_lines(path: Path) -> int:
    try:
        with open(path, "rb") as handle:
            return handle.read().count(b"\n")
    except OSError:
        return 0


def _loaded(path: Path, record: dict) -> Loaded:
    if record.get("skipped") == "safe_mode" and _mentions_dags(path):
        # Airflow's DAG processor would not parse it either; say so where a DAG may be hiding
        note = Diagnostic("KFM134", "Airflow skips this file: it does not contain both 'airflow' and 'dag' "
                                    "(dag_discovery_safe_mode); --env AIRFLOW__CORE__DAG_DISCOVERY_SAFE_MODE=False loads it",
                          "info", ir.SourceSpan(str(path), 1, 1))
        return Loaded(path, dict(record, notes=[note]))
    if "fatal" in record:
        return Loaded(path, error=_diag("KFM132", f"Airflow failed while loading this file: {_last_line(record['fatal'])}", path))
    errors = record.get("import_errors") or {}
    if errors and not record.get("dags"):
        text = next(iter(errors.values()))
        return Loaded(path, record, error=import_error(path, text))
    return Loaded(path, record)


def _mentions_dags(path: Path) -> bool:
    """A call of something named like a DAG (DAG(, create_dag(, @dag): a file that may build one."""
    import re

    try:
        return re.search(rb"(?i)(\b\w*dag\w*\s*\(|@dag\b)", Path(path).read_bytes()) is not None
    except OSError:
        return False


def import_error(path: Path, text: str) -> Diagnostic:
    """Airflow's import error (a traceback) -> KFM130/KFM131 at the deepest line of this file in it."""
    import re

    line = 1
    target = os.path.abspath(path)
    for match in re.finditer(r'File "([^"]+)", line (\d+)', text):
        if os.path.abspath(match.group(1)) == target:
            line = int(match.group(2))
    if "DagBag import timeout" in text or "AirflowTaskTimeout" in text:
        return _diag("KFM131", f"Airflow stopped loading this file: {_last_line(text)} (--load-timeout)", path, line)
    return _diag("KFM130", f"Airflow could not import this file: {_last_line(text)}", path, line)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in str(text).strip().splitlines() if line.strip()]
    return lines[-1] if lines else "unknown error"


def _diag(code: str, message: str, path: Path, line: int = 1) -> Diagnostic:
    return Diagnostic(code, message, ERROR, ir.SourceSpan(str(path), line, 1))
