"""Task-level callbacks run inside the task's component, around its work, as Airflow 3 runs them.

The sample DAG's callbacks write "<task> <kind> <try number> [<exception>]" lines to the file named
by CALLBACK_LOG; real Airflow and kfp.local must write the same lines.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from kfmigrate.migrate.emit import runtime
from kfmigrate.migrate.parse import parse_source

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "dags" / "control_flow_callbacks.py"

DAG = '''
from airflow.sdk import dag, task

def alert(context):
    print("failed", context["exception"])

def started(context):
    print("starting", context["ti"].task_id)

@dag(schedule=None, default_args={"on_failure_callback": alert})
def with_callbacks():
    @task(on_execute_callback=[started], retries=1)
    def work():
        return 1

    @task
    def plain():
        return 2

    work() >> plain()

with_callbacks()
'''


def convert(text: str):
    from kfmigrate.migrate.emit import emit

    [workflow] = parse_source(text, path="dags/callbacks.py").workflows
    return emit(workflow)


def report(result, task_id):
    return next(t for t in result.tasks if t.task_id == task_id)


def test_callbacks_wrap_the_work_and_are_no_longer_reported_as_dropped():
    result = convert(DAG)
    source = result.python_source
    work = source[source.index("def work("):source.index("@dsl.component", source.index("def work("))]
    # on_execute before the work; failure callbacks in an except around it, then the error goes on
    assert work.index("_airflow_task_callbacks(_callbacks, 'on_execute_callback'") < work.index("results, skipped = _airflow_call_python")
    assert "except Exception as _error:" in work and "        raise" in work
    assert "_callbacks = {'on_failure_callback': [alert], 'on_execute_callback': [started]}" in work
    # retries=1 with a failure callback: the attempt decides retry or failure
    assert "airflow_attempts: dsl.OutputPath(str)" in work
    assert "airflow_retry_index='{{retries}}'" in source
    assert not [d for d in report(result, "work").diagnostics if d.code == "KFM208"]
    assert any("on_failure_callback, on_execute_callback run inside" in d for d in report(result, "work").differences)
    # default_args reach every task; without retries no attempt counter is needed
    plain = source[source.index("def plain("):]
    assert "'on_failure_callback': [alert]" in plain and "airflow_attempts" not in plain.split("def ")[1]


def test_attempt_comes_from_argo_or_from_the_counter_file(tmp_path):
    counter = tmp_path / "task" / "airflow_attempts"
    assert runtime._airflow_attempt("2", str(counter)) == 3  # Argo's {{retries}} is 0-based
    counter.unlink()
    assert [runtime._airflow_attempt("{{retries}}", str(counter)) for _ in range(3)] == [1, 2, 3]  # kfp.local


def test_a_failing_callback_is_logged_and_changes_nothing(capsys):
    seen = []

    def broken(context):
        raise RuntimeError("callback bug")

    runtime._airflow_task_callbacks({"on_success_callback": [broken, seen.append]}, "on_success_callback", {"k": 1})
    assert seen == [{"k": 1}]
    assert "callback bug" in capsys.readouterr().err


def test_container_tasks_keep_the_diagnostic():
    result = convert('''
from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

def alert(context):
    print("failed")

with DAG("pods", schedule=None):
    KubernetesPodOperator(task_id="pod", image="busybox", cmds=["true"], on_failure_callback=alert)
''')
    assert [d.code for d in report(result, "pod").diagnostics if d.code == "KFM208"] == ["KFM208"]


def test_callbacks_match_airflow_on_kfp_local(tmp_path, monkeypatch):
    """Retries, a final failure, success, AirflowSkipException and a branch skip (no callback) on both sides."""
    from kfmigrate.compare.engines import airflow as airflow_engine
    from kfmigrate.compare.verify import verify_conversion
    from kfmigrate.migrate.api import convert_file

    log = tmp_path / "callbacks.log"
    monkeypatch.setenv("CALLBACK_LOG", str(log))
    airflow_run = airflow_engine.run_dag(SAMPLE, "control_flow_callbacks", {"fail": True})
    airflow_lines = sorted(log.read_text().splitlines())
    log.unlink()
    [conversion] = convert_file(SAMPLE).conversions
    result = verify_conversion(SAMPLE, conversion.dag_id, yaml.safe_load(conversion.yaml_text), conversion.report,
                               params={"fail": True}, airflow_run=airflow_run)
    # doomed fails on both sides (and the run with it): the same outcome is no difference
    assert result.verdict == "equivalent", result.differences + result.problems
    kfp_lines = sorted(log.read_text().splitlines())
    assert kfp_lines == airflow_lines
    assert "flaky retry 1 ValueError" in kfp_lines and "doomed failure 2 RuntimeError" in kfp_lines
    assert "skipper skipped 1 NoneType" in kfp_lines and not [line for line in kfp_lines if line.startswith("not_taken")]
