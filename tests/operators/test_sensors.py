"""Sensors: the polling helper (Airflow's timeout/soft_fail/backoff rules) and real runs of the sample
DAG on kfp.local and on Airflow 3 with the same file and connection."""
from __future__ import annotations

import time
import types

import pytest

from operator_helpers import FS_CONNECTION, SAMPLES, convert, report_of
from kfmigrate.migrate.emit import runtime


class FakeAirflow:
    """What `_airflow_runtime` returns, reduced to what `_airflow_sensor` uses."""

    class AirflowException(Exception):
        pass

    class AirflowSkipException(AirflowException):
        pass

    class AirflowFailException(AirflowException):
        pass

    def __init__(self):
        self.pushed = {}
        self.context = {"dag": types.SimpleNamespace(dag_id="d"), "task": types.SimpleNamespace(task_id="t")}


def poke_after(count):
    calls = []

    def poke():
        calls.append(time.monotonic())
        return len(calls) >= count

    return poke, calls


def test_sensor_pokes_until_done_and_returns_the_xcom_value():
    airflow = FakeAirflow()
    poke, calls = poke_after(3)
    assert runtime._airflow_sensor(airflow, poke, poke_interval=0.01, timeout=5) == ({"return_value": None}, False)
    assert len(calls) == 3
    done = types.SimpleNamespace(is_done=True, xcom_value={"rows": 2})
    assert runtime._airflow_sensor(airflow, lambda: done, poke_interval=0.01)[0] == {"return_value": {"rows": 2}}


def test_timeout_fails_or_skips_with_soft_fail():
    airflow = FakeAirflow()
    with pytest.raises(airflow.AirflowException, match="timed out"):
        runtime._airflow_sensor(airflow, lambda: False, poke_interval=0.01, timeout=0.05)
    assert runtime._airflow_sensor(airflow, lambda: False, poke_interval=0.01, timeout=0.05, soft_fail=True) == ({}, True)


def test_poke_errors_follow_silent_fail_and_never_fail():
    airflow = FakeAirflow()

    def broken():
        raise ValueError("no connection")

    with pytest.raises(ValueError):
        runtime._airflow_sensor(airflow, broken, poke_interval=0.01, timeout=1)
    assert runtime._airflow_sensor(airflow, broken, poke_interval=0.01, timeout=1, never_fail=True) == ({}, True)
    with pytest.raises(airflow.AirflowException, match="timed out"):  # silent_fail: errors count as "not yet"
        runtime._airflow_sensor(airflow, broken, poke_interval=0.01, timeout=0.05, silent_fail=True)


def test_exponential_backoff_grows_and_respects_max_wait(monkeypatch):
    slept = []
    monkeypatch.setattr(time, "sleep", lambda seconds: slept.append(seconds))
    airflow = FakeAirflow()
    poke, _calls = poke_after(6)
    runtime._airflow_sensor(airflow, poke, poke_interval=2, timeout=1000, exponential_backoff=True)
    # Airflow: min_backoff = max(int(interval * 2 ** (n - 2)), 1), plus a hash jitter below min_backoff
    for count, seconds in enumerate(slept, start=1):
        low = max(int(2 * 2 ** (count - 2)), 1)
        assert low <= seconds < 2 * low
    slept.clear()
    poke, _calls = poke_after(6)
    runtime._airflow_sensor(airflow, poke, poke_interval=2, timeout=1000, exponential_backoff=True, max_wait=3)
    assert max(slept) <= 3


def test_sensor_arguments_reach_the_component():
    result = convert('''
from datetime import timedelta
from airflow import DAG
from airflow.providers.standard.sensors.python import PythonSensor

def ready():
    return False

with DAG("args", schedule=None):
    PythonSensor(task_id="s", python_callable=ready, poke_interval=timedelta(seconds=30), timeout=timedelta(hours=1),
                 mode="reschedule", exponential_backoff=True, max_wait=timedelta(minutes=5), soft_fail=True)
''')
    assert ("_airflow_sensor(\n        _airflow, _poke, poke_interval=30.0, timeout=3600.0, soft_fail=True, exponential_backoff=True, max_wait=300.0,"
            in result.python_source)
    report = report_of(result, "s")
    assert any("reschedule" in d for d in report.differences)


@pytest.mark.slow
def test_sensor_sample_runs_alike_on_kfp_local_and_airflow(sensor_file, monkeypatch, run_kfp, airflow_samples):
    monkeypatch.setenv("AIRFLOW_CONN_FS_DEFAULT", FS_CONNECTION)
    result = convert(SAMPLES / "operators_sensors.py")
    assert {t.fidelity for t in result.tasks} == {"native"}
    kfp = run_kfp(result, path=str(sensor_file), logical_date="2024-03-05")
    assert kfp.state == "succeeded", kfp.error
    airflow = airflow_samples["operators_sensors"]
    assert airflow.state == "success"

    for task_id, run in airflow.tasks.items():
        on_kfp = kfp.by_task[task_id]
        assert (run.state == "skipped") == on_kfp.outputs.get("airflow_skipped", False), task_id
    assert airflow.tasks["never_ready"].state == "skipped"  # soft_fail after its 2 s timeout
    assert kfp.returned["line_count"] == "3" and airflow.tasks["line_count"].xcom_return == 3
    assert kfp.returned["report"] == airflow.tasks["report"].xcom_return == "3 line(s) ready"


@pytest.mark.slow
def test_missing_file_times_out_and_fails_on_kfp(tmp_path, monkeypatch, run_kfp):
    monkeypatch.setenv("AIRFLOW_CONN_FS_DEFAULT", FS_CONNECTION)
    result = convert(f'''
from airflow import DAG
from airflow.providers.standard.sensors.filesystem import FileSensor

with DAG("no_file", schedule=None):
    FileSensor(task_id="wait", filepath="{tmp_path}/never-*.csv", poke_interval=0.2, timeout=1)
''')
    started = time.monotonic()
    run = run_kfp(result)
    assert run.state == "failed"
    assert any("Sensor has timed out" in line for line in run.by_task["wait"].log_tail)
    assert time.monotonic() - started < 60


@pytest.mark.slow
def test_time_sensors_on_kfp_local(run_kfp):
    result = convert('''
from datetime import datetime, time, timedelta
from airflow import DAG
from airflow.providers.standard.sensors.date_time import DateTimeSensor
from airflow.providers.standard.sensors.time import TimeSensor
from airflow.providers.standard.sensors.time_delta import WaitSensor
from airflow.providers.standard.sensors.weekday import DayOfWeekSensor

with DAG("clock", schedule=None):
    DateTimeSensor(task_id="past", target_time="{{ macros.ds_add(ds, -1) }}T08:00:00", poke_interval=1, timeout=10)
    TimeSensor(task_id="midnight", target_time=time(0, 0), poke_interval=1, timeout=10)
    WaitSensor(task_id="wait", time_to_wait=timedelta(seconds=1), poke_interval=0.5, timeout=10)
    DayOfWeekSensor(task_id="any_day", week_day=["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
                    poke_interval=1, timeout=10)
    DayOfWeekSensor(task_id="logical_monday", week_day="Monday", use_task_logical_date=True, poke_interval=0.5,
                    timeout=1, soft_fail=True)
''')
    run = run_kfp(result, logical_date="2024-03-05")  # a Tuesday
    assert run.state == "succeeded", run.error
    for task_id in ("past", "midnight", "wait", "any_day"):
        assert run.by_task[task_id].outputs["airflow_skipped"] is False, task_id
    assert run.by_task["logical_monday"].outputs["airflow_skipped"] is True  # timed out, soft_fail


@pytest.mark.slow
def test_http_sensor_polls_a_loopback_server(tmp_path, monkeypatch, run_kfp):
    """Ready on the third request; response_check (from the DAG file) reads the body and the context."""
    import http.server
    import threading

    requests_seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            requests_seen.append((self.path, self.headers.get("Authorization"), self.headers.get("X-Team")))
            ready = len(requests_seen) >= 3
            self.send_response(200 if ready else 404)
            self.end_headers()
            self.wfile.write(b"status: ready" if ready else b"not yet")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AIRFLOW_CONN_API", f"http://user:secret@127.0.0.1:{server.server_address[1]}")
    dag = tmp_path / "http_wait.py"
    dag.write_text('''
from airflow import DAG
from airflow.providers.http.sensors.http import HttpSensor


def is_ready(response, ds):
    return "ready" in response.text and ds == "2024-03-05"


with DAG("http_wait", schedule=None):
    HttpSensor(task_id="wait_api", http_conn_id="api", endpoint="health/{{ ds }}", request_params={"full": "1"},
               headers={"X-Team": "data"}, response_check=is_ready, poke_interval=0.2, timeout=30)
''')
    try:
        result = convert(dag)
        assert report_of(result, "wait_api").fidelity == "native"
        assert "secret_name='airflow-conn-api'" in result.python_source
        run = run_kfp(result, logical_date="2024-03-05")
    finally:
        server.shutdown()
        server.server_close()
    assert run.state == "succeeded", run.error
    assert run.by_task["wait_api"].outputs["airflow_skipped"] is False
    assert len(requests_seen) == 3  # 404 twice: "not yet", as in Airflow's allowlist
    path, auth, team = requests_seen[-1]
    assert path == "/health/2024-03-05?full=1" and auth.startswith("Basic ") and team == "data"
