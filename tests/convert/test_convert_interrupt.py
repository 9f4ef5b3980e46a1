"""Interrupting a parallel folder convert, then running it again (issue 14, item 6).

A real `kfmigrate convert` subprocess over 200 DAG files on a worker pool gets SIGINT (to its whole
process group, as a terminal's Ctrl-C does) or SIGTERM (to the main process only, as CI runners and
Kubernetes do). The only time bound is a generous one on the exit; what is asserted is that no
process is left, the written count is printed, and the re-run finishes the job.
"""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

DAG = '''\
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("batch_{n:03d}", schedule=None):
    BashOperator(task_id="say", bash_command="echo {n}")
'''
FILES = 200


def start(dags: Path, out: Path):
    return subprocess.Popen([sys.executable, "-m", "kfmigrate", "convert", str(dags), "-o", str(out), "-j", "2",
                             "--no-compile"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def wait_for_first_pipeline(proc, out: Path) -> None:
    deadline = time.monotonic() + 120
    while not list(out.glob("*_pipeline.py")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no pipeline written in 120 s"
        time.sleep(0.01)


def session_processes(sid: int):
    found = []
    for process in psutil.process_iter(["pid"]):
        try:
            if os.getsid(process.pid) == sid:
                found.append(process)
        except (ProcessLookupError, PermissionError):
            pass
    return found


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupt_stops_at_once_and_a_rerun_finishes(tmp_path, how):
    dags, out = tmp_path / "dags", tmp_path / "out"
    dags.mkdir()
    for n in range(FILES):
        (dags / f"dag_{n:03d}.py").write_text(DAG.format(n=n))
    proc = start(dags, out)
    wait_for_first_pipeline(proc, out)
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGTERM)
    try:
        stdout, stderr = proc.communicate(timeout=30)  # generous: the requirement is 2 s
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError(f"convert still running 30 s after {how}")
    leftovers = session_processes(proc.pid)
    for process in leftovers:
        process.kill()
    assert leftovers == [], f"processes left behind: {leftovers}"
    assert proc.returncode == (130 if how == "ctrl-c" else 143), stderr
    assert "Traceback" not in stderr, stderr
    match = re.search(r"interrupted: (\d+) pipeline\(s\) written to", stderr)
    assert match, stderr
    written = len(list(out.glob("*_pipeline.py")))
    assert int(match.group(1)) == written and written < FILES
    assert not list(out.glob(".*.tmp")), "a half-written output was left"

    rerun = subprocess.run([sys.executable, "-m", "kfmigrate", "convert", str(dags), "-o", str(out), "-j", "2",
                            "--no-compile"], capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert "KFM302" not in rerun.stderr
    assert f"{FILES - written} pipeline(s) written to {out}, {written} up to date" in rerun.stdout
    assert len(list(out.glob("*_pipeline.py"))) == FILES


def test_rerun_still_refuses_outputs_with_other_content(tmp_path):
    dags, out = tmp_path / "dags", tmp_path / "out"
    dags.mkdir()
    (dags / "one.py").write_text(DAG.format(n=1))
    (dags / "two.py").write_text(DAG.format(n=2))
    first = subprocess.run([sys.executable, "-m", "kfmigrate", "convert", str(dags), "-o", str(out), "--no-compile"],
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    edited = out / "batch_002_pipeline.py"
    edited.write_text(edited.read_text() + "# my edit\n")
    (out / "batch_001.migration.md").unlink()
    again = subprocess.run([sys.executable, "-m", "kfmigrate", "convert", str(dags), "-o", str(out), "--no-compile"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 2
    assert f"{edited}: KFM302" in again.stderr and again.stderr.count("KFM302") == 1
    assert (out / "batch_001.migration.md").exists()  # the missing output of an unchanged DAG is written
    assert edited.read_text().endswith("# my edit\n")
