"""Small probes that measure the parts of per-task overhead, on this machine, during the compare run.

Why a trivial task costs what it costs on each side is not asserted in the report: it is taken apart
here. Each probe starts a fresh process the way the engine starts one for a task and times it
(wall, and CPU from the kernel's rusage of the waited child):

- python_start: `python -c pass`, the floor of any new task process;
- kfp_executor_import: `import kfp.dsl.executor_main`, what every KFP lightweight component's
  process imports before the task's function runs (kfp.local and a pod alike);
- airflow_task_import: the Task SDK and PythonOperator imports a task process pays under a scheduler
  (LocalExecutor or a KubernetesExecutor pod; dag.test() runs tasks in its own process instead);
- pip_check_kfp: `pip install kfp==<installed>` when kfp is already there (a dry run, so nothing
  changes): what stock kfp.local runs before every task;
- pip_install_kfp: `pip install kfp==<installed>` into an empty folder, from this machine's pip
  cache and index: what a pod from a plain Python image runs before every task (no project image).

Nothing is installed into this interpreter: the install goes to a folder under the run's work dir,
removed afterwards. A probe that cannot run (no network for pip) records why instead of a figure.
"""
from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from kfmigrate.compare import measure

AIRFLOW_TASK_IMPORTS = ("import airflow.sdk; "
                        "from airflow.providers.standard.operators.python import PythonOperator")


def probe_plan(folder: Path) -> list:
    """(name, what it measures, argv, repeats) for each probe."""
    from importlib.metadata import version

    kfp = f"kfp=={version('kfp')}"
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input"]
    return [
        ("python_start", "start a Python process and exit", [sys.executable, "-c", "pass"], 5),
        ("kfp_executor_import", "a new process importing kfp's executor (kfp.dsl.executor_main)",
         [sys.executable, "-c", "import kfp.dsl.executor_main"], 3),
        ("airflow_task_import", "a new process importing the Airflow Task SDK and PythonOperator",
         [sys.executable, "-c", AIRFLOW_TASK_IMPORTS], 2),
        ("pip_check_kfp", f"`pip install {kfp}` with kfp present (dry run: what stock kfp.local runs per task)",
         pip + ["--dry-run", kfp], 2),
        ("pip_install_kfp", f"`pip install {kfp}` into an empty folder (what a pod without kfp in its image "
                            "runs per task)", pip + ["--no-warn-conflicts", "--target", str(folder / "target"), kfp], 1),
    ]


def run_probes(folder: Path, timeout: float = 300) -> dict:
    """Run every probe; {name: {"what", "command", "wall": summarize(...), "cpu": summarize(...), "error"}}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    found = {}
    for name, what, argv, repeats in probe_plan(folder):
        walls, cpus, error = [], [], ""
        for _ in range(repeats):
            shutil.rmtree(folder / "target", ignore_errors=True)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            try:
                done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=folder)
            except subprocess.TimeoutExpired:
                error = f"did not finish in {timeout:.0f} s"
                break
            wall = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                lines = (done.stderr or done.stdout).strip().splitlines()
                error = f"exit {done.returncode}: {lines[-1] if lines else 'no output'}"[:300]
                break
            walls.append(wall)
            cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        found[name] = {"what": what, "command": " ".join(Path(a).name if a == sys.executable else a for a in argv),
                       "wall": measure.summarize(walls), "cpu": measure.summarize(cpus), "error": error}
    shutil.rmtree(folder / "target", ignore_errors=True)
    return found


def median(probes: dict, name: str, figure: str = "wall"):
    """A probe's median (None when it did not run)."""
    return ((probes or {}).get(name, {}).get(figure) or {}).get("median")
