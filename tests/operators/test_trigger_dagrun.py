"""TriggerDagRunOperator: the run-time helper against a loopback KFP v2beta1 server (the published
contract, tests/kubeflow/kfp_loopback.py), and the generated component."""
from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest

from operator_helpers import convert, report_of
from kfmigrate.migrate.emit import runtime

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "kubeflow"))
from kfp_loopback import KfpServer  # noqa: E402

TARGET_DAG = '''
from airflow.sdk import dag, task

@dag(dag_id="Target_DAG", schedule=None, params={"message": "none", "count": 1})
def target():
    @task
    def show(message: str) -> str:
        return message
    show("{{ params.message }}")

target()
'''


class FakeAirflow:
    class AirflowException(Exception):
        pass

    pushed = {}
    context = {"dag": types.SimpleNamespace(dag_id="controller")}


@pytest.fixture
def kfp_server(tmp_path, monkeypatch):
    server = KfpServer(polls_to_finish=2).start()
    monkeypatch.setenv("KFP_HOST", server.url)
    monkeypatch.setenv("KF_PIPELINES_SA_TOKEN_PATH", str(tmp_path / "no-token"))
    yield server
    server.stop()
    assert server.violations == [], server.violations


def upload_target(tmp_path):
    import kfp

    from kfmigrate.migrate.emit import compile_yaml

    result = convert(TARGET_DAG)
    package = tmp_path / "target.yaml"
    package.write_text(compile_yaml(result))
    client = kfp.Client(host=os.environ["KFP_HOST"])
    client.upload_pipeline(str(package), pipeline_name=result.pipeline_name)
    return result.pipeline_name


def test_trigger_starts_the_converted_pipeline_with_conf_as_parameters(kfp_server, tmp_path, capsys):
    assert upload_target(tmp_path) == "target-dag"
    results, skipped = runtime._airflow_trigger_pipeline(
        FakeAirflow(), "Target_DAG", conf={"message": "hi", "unknown": 1}, logical_date="2024-03-05",
        wait_for_completion=True, poke_interval=0.01)
    assert not skipped and results["trigger_run_id"]
    created = kfp_server.calls("RunService_CreateRun")
    assert len(created) == 1
    run = kfp_server.runs[results["trigger_run_id"]]["run"]
    assert run["runtime_config"]["parameters"] == {"message": "hi", "logical_date": "2024-03-05"}
    assert run["pipeline_version_reference"]["pipeline_id"] == next(iter(kfp_server.pipelines))
    assert len(kfp_server.calls("RunService_GetRun")) >= 2  # waited until the run finished
    assert "'unknown' is not a parameter" in capsys.readouterr().out


def test_failed_target_run_fails_the_task(kfp_server, tmp_path):
    upload_target(tmp_path)
    kfp_server.run_outcomes["nightly"] = "FAILED"
    with pytest.raises(FakeAirflow.AirflowException, match="failed state FAILED"):
        runtime._airflow_trigger_pipeline(FakeAirflow(), "Target_DAG", run_id="nightly", wait_for_completion=True, poke_interval=0.01)


def test_unknown_target_is_a_clear_error(kfp_server):
    with pytest.raises(FakeAirflow.AirflowException, match="no pipeline named 'missing-dag'"):
        runtime._airflow_trigger_pipeline(FakeAirflow(), "missing_dag")


def test_generated_component_names_the_target():
    result = convert('''
from airflow import DAG
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator

with DAG("controller", schedule=None):
    TriggerDagRunOperator(task_id="go", trigger_dag_id="Target_DAG", trigger_run_id="from-{{ ds }}", reset_dag_run=True)
''')
    report = report_of(result, "go")
    assert report.fidelity == "native"
    assert any("pipeline 'target-dag' must be uploaded" in d.message for d in report.diagnostics)
    assert any("reset_dag_run" in d for d in report.differences)
    assert "run_id=_airflow_render(trigger_run_id, _airflow.context)" in result.python_source


@pytest.mark.slow
def test_converted_controller_triggers_on_kfp_local(kfp_server, tmp_path, run_kfp):
    upload_target(tmp_path)
    result = convert('''
from airflow import DAG
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.providers.standard.operators.bash import BashOperator

with DAG("controller", schedule=None, params={"note": "from controller"}):
    go = TriggerDagRunOperator(task_id="go", trigger_dag_id="Target_DAG", conf={"message": "{{ params.note }} {{ ds }}"},
                               wait_for_completion=True, poke_interval=1)
    echo = BashOperator(task_id="echo", bash_command="echo {{ ti.xcom_pull(task_ids='go', key='trigger_run_id') }}")
    go >> echo
''')
    run = run_kfp(result, logical_date="2024-03-05")
    assert run.state == "succeeded", "\n".join(run.by_task["go"].log_tail[-8:])
    (created,) = kfp_server.runs.values()
    assert created["run"]["runtime_config"]["parameters"] == {"message": "from controller 2024-03-05"}
    assert run.returned["echo"] == created["run"]["run_id"]
