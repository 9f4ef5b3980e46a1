"""`kfmigrate compare --airflow-mode scheduler`: a real Airflow deployment (PostgreSQL, scheduler with
LocalExecutor, dag-processor, api-server) started, used and stopped by the tool.

PostgreSQL is a system package (`make system-deps` installs Debian's `postgresql` as root); without
it these tests fail with the install instruction, they do not skip.
"""
import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from kfmigrate.compare.bench import check_agreement
from compare_helpers import ROOT, run_compare


def _require_postgres():
    from kfmigrate.compare.engines.airflow_scheduler import SchedulerError, postgres_bindir

    try:
        postgres_bindir()
    except SchedulerError as exc:
        pytest.fail(str(exc))


def _processes_using(path: str) -> list:
    """Live processes whose command line or working directory lies under path."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "cwd"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
            cwd = proc.info["cwd"] or ""
        except psutil.Error:
            continue
        if path in cmdline or cwd.startswith(path):
            found.append(f"{proc.info['pid']}: {cmdline[:120]}")
    return found


def test_scheduler_runs_the_dag_and_leaves_nothing_behind(tmp_path, scaling_run):
    _require_postgres()
    # the same point as the shared dag.test/kfp.local run, so the two can be compared
    result = run_compare("scaling", "-o", str(tmp_path), "--engines", "airflow", "--airflow-mode", "scheduler",
                         "--repeats", "1", "--sweep", "3:2:1", "--no-cache-check", "--no-probes")
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["settings"]["engines"] == ["airflow-scheduler"]
    (point,) = results["points"]
    (scheduler,) = point["runs"]
    assert scheduler["ok"], scheduler["error"]
    # the same task results as dag.test() and kfp.local, read back over the deployment's REST API
    (reference,) = scaling_run[1]["points"]
    assert point["label"] == reference["label"]
    verdict = check_agreement(reference["runs"] + [scheduler])
    assert verdict["ok"] and verdict["engines"] == ["airflow", "airflow-scheduler", "kfp"], verdict
    assert scheduler["outputs"]["consume_payload"] == 1000
    timings = scheduler["timings"]
    assert timings["task_count"] == 8 and 0 < timings["time_to_first_task"] < timings["wall_seconds"]
    # the run as the deployment recorded it (queued -> end) fits inside the client's trigger -> seen-ended
    assert 0 < scheduler["engine_wall_seconds"] <= timings["wall_seconds"] + 1
    # a scheduler loop sits between a task's end and the next one's start; dag.test() has none
    dag_test = [r for r in reference["runs"] if r["engine"] == "airflow"]
    assert timings["median_start_latency"] > max(r["timings"]["median_start_latency"] for r in dag_test)
    process = scheduler["process"]
    assert process["deployment_cpu_seconds"] > 0.5 and process["deployment_peak_pss_bytes"] > 100e6
    assert process["deployment_processes"] >= 4  # postgres, scheduler, dag-processor, api-server at least
    assert process["cpu_seconds"] == pytest.approx(process["client_cpu_seconds"] + process["deployment_cpu_seconds"])
    report = (tmp_path / "report.md").read_text()
    # scaling does not track with MLflow: the engine is titled without it (compare/bench.py engine_titles)
    assert "Airflow scheduler" in report and "Under the scheduler (LocalExecutor on PostgreSQL)" in report
    # stopped: no process of the deployment is left, and its folder is gone
    deployment = results["airflow_deployment"]
    assert deployment["start_seconds"] > 0 and not deployment["error"]
    assert deployment["root"] and not os.path.exists(deployment["root"])
    assert _processes_using(deployment["root"]) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_start_stops_everything_it_started(tmp_path, sig):
    _require_postgres()
    dag = tmp_path / "tiny.py"
    dag.write_text((ROOT / "compare" / "dags" / "scaling.py").read_text())
    script = ("import sys\nfrom kfmigrate.compare.engines.airflow_scheduler import Deployment\n"
              "deployment = Deployment([sys.argv[1]], log=lambda t: print(t, flush=True))\n"
              "deployment.start()\nprint('READY', flush=True)\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(dag)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in proc.stdout:  # wait until every process has been launched, then interrupt
        lines.append(line)
        if "starting airflow scheduler" in line:
            break
    time.sleep(1.0)
    children = psutil.Process(proc.pid).children(recursive=True)
    launched = [p.pid for p in children]
    assert len(launched) >= 4, lines  # postgres and the three Airflow components
    # the deployment's folder, from PostgreSQL's command line (postgres -D ROOT/pgdata)
    postgres = [p.cmdline() for p in children if "-D" in p.cmdline()][0]
    root = os.path.dirname(postgres[postgres.index("-D") + 1])
    assert os.path.isdir(root)
    proc.send_signal(sig)
    rest, _ = proc.communicate(timeout=60)
    assert "READY" not in rest, "the deployment finished starting before the signal"
    assert proc.returncode != 0
    assert not [pid for pid in launched if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    assert _processes_using(root) == []
    assert not os.path.exists(root)
