"""`kfmigrate run`: signals clean up like Ctrl-C (issue 14, item 7); retries are visible and can be
limited (item 8). Real kfp.local runs; the signal test runs the real CLI in a subprocess."""
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
from click.testing import CliRunner

from kfmigrate.cli import main

FLAKY = '''
from kfp import dsl

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def fetch(url: str) -> str:
    raise ConnectionError(f"cannot reach {url}")

@dsl.pipeline(name="flaky")
def flaky(url: str = "http://warehouse.invalid"):
    fetch(url=url).set_retry(num_retries=3, backoff_duration="300s", backoff_factor=1.0)
'''

SLOW = '''
from kfp import dsl

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def wait_forever() -> str:
    import time
    time.sleep(3600)
    return "never"

@dsl.pipeline(name="slow")
def slow():
    wait_forever().set_retry(num_retries=5, backoff_duration="60s")
'''


def test_each_failed_attempt_is_printed_with_its_error_and_the_wait(tmp_path, compile_pipeline):
    package = compile_pipeline(tmp_path, FLAKY)
    result = CliRunner().invoke(main, ["run", str(package), "--max-retry-delay", "0",
                                       "--pipeline-root", str(tmp_path / "root")])
    assert result.exit_code == 1, result.output
    for attempt in (1, 2, 3):
        assert (f"attempt {attempt}/4 failed: ConnectionError: cannot reach http://warehouse.invalid; "
                "retrying in 0 s") in result.output, result.output
    assert "attempt 4/4" not in result.output  # the last failure is the task's failure, not a retry
    assert "failed after 4 attempts" in result.output


def test_no_retries_runs_each_task_once(tmp_path, compile_pipeline):
    package = compile_pipeline(tmp_path, FLAKY)
    result = CliRunner().invoke(main, ["run", str(package), "--no-retries", "--pipeline-root", str(tmp_path / "root")])
    assert result.exit_code == 1, result.output
    assert "retrying" not in result.output and "after" not in result.output
    assert "ConnectionError: cannot reach" in result.output


def test_the_wait_printed_is_the_wait_kfp_local_applies(tmp_path, compile_pipeline):
    package = compile_pipeline(tmp_path, FLAKY)
    result = CliRunner().invoke(main, ["run", str(package), "--max-retry-delay", "1",
                                       "--pipeline-root", str(tmp_path / "root")])
    assert result.exit_code == 1
    assert result.output.count("; retrying in 1 s") == 3, result.output


def descendants(pid):
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def alive(processes):
    found = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGINT, 130)])
def test_a_signal_stops_the_run_and_everything_it_started(tmp_path, compile_pipeline, signum, code):
    package = compile_pipeline(tmp_path, SLOW)
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    proc = subprocess.Popen([sys.executable, "-m", "kfmigrate", "run", str(package),
                             "--pipeline-root", str(tmp_path / "root")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    started = []
    deadline = time.monotonic() + 120
    # the task runs once a process forked by the fork server is alive (child -> fork server -> task)
    while not any("_fork_server" in " ".join(p.cmdline()) and p.children() for p in alive(descendants(proc.pid))):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the task never started"
        time.sleep(0.05)
    started = descendants(proc.pid)
    assert list(private_tmp.glob("kfmigrate-kfp-req-*"))
    proc.send_signal(signum)  # to kfmigrate alone, as `kill` or a CI runner does
    try:
        stdout, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        for process in [*alive(started), psutil.Process(proc.pid)]:
            process.kill()
        raise AssertionError("kfmigrate run did not stop")
    left = alive(started)
    for process in left:
        process.kill()
    assert left == [], f"left running: {[' '.join(p.cmdline()) for p in left]}"
    assert proc.returncode == code, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr, stderr
    assert list(private_tmp.glob("kfmigrate-kfp-req-*")) == []
