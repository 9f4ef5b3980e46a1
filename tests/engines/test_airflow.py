"""airflow engine: real Airflow 3 dag.test() in a throwaway AIRFLOW_HOME."""
import os
import tempfile
import textwrap

import psutil
import pytest

from kfmigrate.compare.engines.airflow import AirflowEngineError, DagJob, run_dag, run_dags, template_database

DAG = '''
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import BranchPythonOperator, PythonOperator
from airflow.sdk import DAG, task


def greet(name, **context):
    context["ti"].xcom_push(key="extra", value={"a": (1, 2)})
    return {"greeting": f"hello {name}", "n": 3}


with DAG("engine_probe", start_date=datetime(2024, 1, 1), schedule=None, params={"name": "world"}):
    hello = PythonOperator(task_id="hello", python_callable=greet, op_kwargs={"name": "{{ params.name }}"})
    bash = BashOperator(task_id="bash", bash_command="echo {{ ds }} {{ params.name }}")
    branch = BranchPythonOperator(task_id="branch", python_callable=lambda: "left")
    left = EmptyOperator(task_id="left")
    right = EmptyOperator(task_id="right")

    @task
    def double(x):
        return x * 2

    double.expand(x=[1, 2, 3])

    @task(retries=1, retry_delay=0)
    def bad():
        raise ValueError("this task always fails")

    after_bad = EmptyOperator(task_id="after_bad")
    hello >> bash >> branch >> [left, right]
    bad() >> after_bad
'''


def test_dag_run_states_xcoms_rendered_fields_and_isolation(tmp_path, monkeypatch):
    dag_file = tmp_path / "probe.py"
    dag_file.write_text(textwrap.dedent(DAG))
    # a user's Airflow setup that must stay untouched
    user_home = tmp_path / "user_airflow"
    user_home.mkdir()
    monkeypatch.setenv("AIRFLOW_HOME", str(user_home))
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{user_home / 'real.db'}")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    events = []

    run = run_dag(dag_file, "engine_probe", params={"name": "kf"}, logical_date="2024-03-05", on_event=events.append)

    assert run.state == "failed"  # bad() fails
    assert run.logical_date == "2024-03-05T00:00:00+00:00"
    tasks = run.tasks
    assert {n: t.state for n, t in tasks.items()} == {
        "hello": "success", "bash": "success", "branch": "success", "left": "success", "right": "skipped",
        "double[0]": "success", "double[1]": "success", "double[2]": "success",
        "bad": "failed", "after_bad": "upstream_failed",
    }
    assert tasks["hello"].xcom_return == {"greeting": "hello kf", "n": 3}
    assert tasks["hello"].xcoms == {"extra": {"a": [1, 2]}}  # tuple JSON-normalised
    assert tasks["hello"].rendered_fields["op_kwargs"] == {"name": "kf"}
    assert tasks["bash"].xcom_return == "2024-03-05 kf"
    assert tasks["bash"].rendered_fields["bash_command"] == "echo 2024-03-05 kf"
    assert [tasks[f"double[{i}]"].xcom_return for i in range(3)] == [2, 4, 6]
    assert tasks["left"].has_xcom_return is False
    assert tasks["bad"].try_number == 2
    assert any("this task always fails" in line for line in tasks["bad"].log_tail)
    assert tasks["bash"].operator == "BashOperator"
    assert {"event": "task_started", "task": "double[1]", "job": 0} in events
    # nothing left behind, nothing touched
    assert list(user_home.iterdir()) == []
    assert list(scratch.iterdir()) == []
    assert psutil.Process().children(recursive=True) == []


def test_template_database_is_built_once(tmp_path):
    first = template_database()
    mtime = first.stat().st_mtime_ns
    assert template_database() == first and first.stat().st_mtime_ns == mtime


SMALL = """
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG("{dag_id}", start_date=datetime(2024, 1, 1), schedule=None):
    BashOperator(task_id="only", bash_command="{command}")
"""


UNSERIALIZABLE = """
from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG
from airflow.task.priority_strategy import PriorityWeightStrategy


class NotAPlugin(PriorityWeightStrategy):
    def get_weight(self, ti):
        return 1


with DAG("unserializable", start_date=datetime(2024, 1, 1), schedule=None):
    BashOperator(task_id="only", bash_command="echo hi", weight_rule=NotAPlugin())
"""


def test_several_dags_share_one_airflow_process(tmp_path):
    alpha = tmp_path / "a" / "alpha.py"
    beta = tmp_path / "b" / "alpha.py"  # same file name in another folder
    for path, dag_id, command in ((alpha, "alpha", "echo {{ ds }}"), (beta, "beta", "exit 3")):
        path.parent.mkdir()
        path.write_text(SMALL.format(dag_id=dag_id, command=command))
    broken = tmp_path / "broken.py"
    broken.write_text("from airflow.sdk import DAG\nraise RuntimeError('broken on purpose')\n")
    # imports fine but cannot be serialized: it must not spoil the other DAGs of the batch
    unserializable = tmp_path / "unserializable.py"
    unserializable.write_text(UNSERIALIZABLE)
    events = []
    outcomes = run_dags([
        DagJob(unserializable, "unserializable"),
        DagJob(alpha, "alpha", logical_date="2024-03-05"),
        DagJob(beta, "beta"),
        DagJob(alpha, "nope"),
        DagJob(broken, "anything"),
        DagJob(tmp_path / "missing.py", "x"),
        DagJob(alpha, "alpha", logical_date="yesterday"),
    ], on_event=events.append)
    unserializable_outcome = outcomes.pop(0)
    assert isinstance(unserializable_outcome, AirflowEngineError) and "serializ" in str(unserializable_outcome).lower()
    assert outcomes[0].state == "success" and outcomes[0].tasks["only"].xcom_return == "2024-03-05"
    assert outcomes[1].state == "failed" and outcomes[1].tasks["only"].state == "failed"
    assert any("exit code 3" in line for line in outcomes[1].tasks["only"].log_tail)
    assert isinstance(outcomes[2], AirflowEngineError) and "'nope' not found" in str(outcomes[2])
    assert isinstance(outcomes[2], AirflowEngineError) and "found: alpha" in str(outcomes[2])
    assert isinstance(outcomes[3], AirflowEngineError) and "broken on purpose" in str(outcomes[3])
    assert isinstance(outcomes[4], AirflowEngineError) and "no such file" in str(outcomes[4])
    assert isinstance(outcomes[5], AirflowEngineError) and "not YYYY-MM-DD" in str(outcomes[5])
    assert [e["job"] for e in events if e["event"] == "dag_started"] == [0, 1, 2, 3, 4]
    assert psutil.Process().children(recursive=True) == []
