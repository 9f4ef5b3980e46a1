"""ExternalTaskSensor: the poke helper against a loopback KFP v2beta1 server (the published contract,
tests/kubeflow/kfp_loopback.py) holding real runs of a converted parent pipeline, and the generated
component on kfp.local."""
from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import pytest

from operator_helpers import AIRFLOW_EXAMPLES, convert, report_of
from kfmigrate.migrate.emit import runtime

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "kubeflow"))
from kfp_loopback import KfpServer  # noqa: E402

PARENT_DAG = '''
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("Parent_DAG", schedule="@daily"):
    BashOperator(task_id="extract", bash_command="echo e") >> BashOperator(task_id="load", bash_command="echo l")
'''


class FakeAirflow:
    class AirflowException(Exception):
        pass

    class AirflowSkipException(AirflowException):
        pass

    class AirflowFailException(AirflowException):
        pass

    def __init__(self):
        self.pushed = {}
        self.context = {"dag": types.SimpleNamespace(dag_id="child"), "task": types.SimpleNamespace(task_id="wait")}


@pytest.fixture
def kfp_server(tmp_path, monkeypatch):
    server = KfpServer(polls_to_finish=2).start()
    monkeypatch.setenv("KFP_HOST", server.url)
    monkeypatch.setenv("KF_PIPELINES_SA_TOKEN_PATH", str(tmp_path / "no-token"))
    yield server
    server.stop()
    assert server.violations == [], server.violations


@pytest.fixture
def parent(kfp_server, tmp_path):
    """start(name, logical_date) -> run id: a run of the uploaded parent pipeline, started with kfp.Client."""
    import kfp

    from kfmigrate.migrate.emit import compile_yaml

    result = convert(PARENT_DAG)
    package = tmp_path / "parent.yaml"
    package.write_text(compile_yaml(result))
    client = kfp.Client(host=os.environ["KFP_HOST"])
    pipeline = client.upload_pipeline(str(package), pipeline_name=result.pipeline_name)
    version = client.list_pipeline_versions(pipeline.pipeline_id).pipeline_versions[0]
    experiment = client.create_experiment("Default")

    def start(name, logical_date, pipeline_id=None):
        run = client.run_pipeline(experiment_id=experiment.experiment_id, job_name=name, params={"logical_date": logical_date},
                                  pipeline_id=pipeline_id or pipeline.pipeline_id, version_id=version.pipeline_version_id)
        return run.run_id

    return start


def sensor(airflow, timeout=5.0, soft_fail=False, **poke_options):
    api = runtime._airflow_kfp_api()
    poke_options.setdefault("soft_fail", soft_fail)

    def poke():
        return runtime._airflow_external_task_poke(airflow, api, "Parent_DAG", **poke_options)

    return runtime._airflow_sensor(airflow, poke, poke_interval=0.01, timeout=timeout, soft_fail=soft_fail)


def test_waits_until_the_task_of_the_run_with_the_same_logical_date_succeeds(kfp_server, parent, capsys):
    parent("other day", "2024-03-04T00:00:00+00:00")
    parent("nightly", "2024-03-05T00:00:00+00:00")
    airflow = FakeAirflow()
    assert sensor(airflow, dates=["2024-03-05T00:00:00Z"], task_ids=["load"]) == ({"return_value": None}, False)
    out = capsys.readouterr().out
    assert "load=running" in out and "load=success" in out  # polled while the run was still running
    assert {r["path"].rsplit("/", 1)[-1] for r in kfp_server.calls("RunService_GetRun")} == {
        next(i for i, e in kfp_server.runs.items() if e["run"]["display_name"] == "nightly")}


def test_whole_run_state_without_task_ids(kfp_server, parent):
    parent("nightly", "2024-03-05T00:00:00Z")
    assert sensor(FakeAirflow(), dates=["2024-03-05T00:00:00+00:00"])[1] is False


def test_failed_states_fail_or_skip_with_soft_fail(kfp_server, parent):
    kfp_server.run_outcomes["nightly"] = "FAILED"  # the loopback fails the first task and skips the rest
    parent("nightly", "2024-03-05T00:00:00Z")
    airflow = FakeAirflow()
    with pytest.raises(airflow.AirflowFailException, match=r"external tasks \['extract'\] of Parent_DAG failed"):
        sensor(airflow, dates=["2024-03-05T00:00:00Z"], task_ids=["extract"], failed_states=["failed"])
    assert sensor(airflow, soft_fail=True, dates=["2024-03-05T00:00:00Z"], task_ids=["extract"],
                  failed_states=["failed"]) == ({}, True)
    # skipped_states skip the sensor; a run in no listed state keeps it waiting until the timeout
    assert sensor(airflow, dates=["2024-03-05T00:00:00Z"], task_ids=["load"], skipped_states=["skipped"]) == ({}, True)
    with pytest.raises(airflow.AirflowException, match="timed out"):
        sensor(airflow, timeout=0.2, dates=["2024-03-05T00:00:00Z"], task_ids=["load"])


def test_no_run_for_the_date_times_out_or_skips(kfp_server, parent):
    parent("nightly", "2024-03-04T00:00:00Z")
    airflow = FakeAirflow()
    with pytest.raises(airflow.AirflowException, match="timed out"):
        sensor(airflow, timeout=0.1, dates=["2024-03-05T00:00:00Z"], task_ids=["load"])
    assert sensor(airflow, timeout=0.1, soft_fail=True, dates=["2024-03-05T00:00:00Z"], task_ids=["load"]) == ({}, True)


def test_missing_pipeline_waits_or_fails_with_check_existence(kfp_server):
    airflow = FakeAirflow()
    with pytest.raises(airflow.AirflowException, match="timed out"):
        sensor(airflow, timeout=0.05, dates=["2024-03-05T00:00:00Z"])
    with pytest.raises(airflow.AirflowFailException, match="does not exist: no pipeline 'parent-dag'"):
        sensor(airflow, dates=["2024-03-05T00:00:00Z"], check_existence=True)


def test_generated_component_reads_the_sensor_arguments(tmp_path):
    dag_file = tmp_path / "child.py"
    dag_file.write_text('''
from datetime import timedelta
from airflow import DAG
from airflow.providers.standard.sensors.external_task import ExternalTaskSensor

def day_before(logical_date, ds):
    return [logical_date - timedelta(days=1), logical_date]

with DAG("child", schedule="@daily"):
    ExternalTaskSensor(task_id="wait", external_dag_id="Parent_DAG", external_task_group_id="section",
                       execution_date_fn=day_before, poll_interval=7, timeout=70, mode="reschedule")
''')
    result = convert(dag_file)
    report = report_of(result, "wait")
    assert report.fidelity == "native", report.diagnostics
    assert "_date_fn = eval('day_before', _dag_namespace)" in result.python_source
    assert "task_group_id=external_task_group_id" in result.python_source
    assert "poke_interval=7.0, timeout=70.0" in result.python_source
    assert any("pipeline 'parent-dag'" in d.message and d.code == "KFM213" for d in report.diagnostics)


def test_airflow_examples_convert_to_polling_components():
    from kfmigrate.migrate.api import convert_file

    examples = AIRFLOW_EXAMPLES.parent / "providers" / "standard" / "example_dags"
    tasks = {}
    for name in ("example_external_task_marker_dag.py", "example_external_task_parent_deferrable.py"):
        for conversion in convert_file(examples / name, compile=False).conversions:
            source = conversion.emitted.python_source
            tasks.update({(conversion.dag_id, t.task_id): (t.fidelity, source) for t in conversion.emitted.tasks})
    fidelity, source = tasks[("example_external_task_marker_child", "child_task1")]
    assert fidelity == "native" and "task_ids=[external_task_id]" in source and "external_task_id='parent_task'" in source
    assert tasks[("example_external_task_marker_child", "child_task2")][0] == "native"
    assert tasks[("example_external_task", "parent_task_sensor")][0] == "native"
    assert tasks[("example_external_task_marker_parent", "parent_task")][0] == "removed"  # ExternalTaskMarker


@pytest.mark.slow
def test_converted_sensor_waits_for_the_parent_run_on_kfp_local(kfp_server, parent, run_kfp):
    parent("hourly", "2024-03-05T11:00:00Z")
    result = convert('''
from datetime import timedelta
from airflow import DAG
from airflow.providers.standard.sensors.external_task import ExternalTaskSensor
from airflow.providers.standard.operators.bash import BashOperator

with DAG("child", schedule="@hourly"):
    wait = ExternalTaskSensor(task_id="wait", external_dag_id="Parent_DAG", external_task_ids=["extract", "load"],
                              execution_delta=timedelta(hours=1), poke_interval=1, timeout=60)
    missing = ExternalTaskSensor(task_id="missing", external_dag_id="Parent_DAG", poke_interval=1, timeout=2, soft_fail=True)
    wait >> BashOperator(task_id="after", bash_command="echo done")
''')
    run = run_kfp(result, logical_date="2024-03-05T12:00:00+00:00")
    assert run.state == "succeeded", "\n".join(run.by_task["wait"].log_tail[-8:])
    assert run.by_task["wait"].outputs["airflow_skipped"] is False
    assert run.by_task["missing"].outputs["airflow_skipped"] is True  # no parent run at 12:00: soft_fail after 2 s
    assert run.returned["after"] == "done"
