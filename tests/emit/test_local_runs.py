"""Generated pipelines on real kfp.local, checked against real Airflow where the text must match.

Kept to a few runs: each kfp.local task costs about half a second.
"""
from __future__ import annotations

import pytest

from kfmigrate.migrate.emit import emit
from kfmigrate.migrate.parse import parse_file
from emit_ir import bash, empty, workflow

pytestmark = pytest.mark.slow

TEMPLATES = ("{{ ds }}|{{ ds_nodash }}|{{ ts }}|{{ ts_nodash }}|{{ ts_nodash_with_tz }}|{{ logical_date }}|"
             "{{ data_interval_start }}|{{ data_interval_end }}|{{ params.who }}|{{ params.count + 1 }}|"
             "{{ dag.dag_id }}|{{ task.task_id }}|{{ macros.ds_add(ds, 3) }}|{{ macros.ds_format(ds, '%Y-%m-%d', '%d/%m/%Y') }}|"
             "{{ logical_date | ds_nodash }}")

EQUIVALENCE_DAG = f'''
from datetime import datetime
from airflow.sdk import DAG, task
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.providers.standard.operators.empty import EmptyOperator

SCALE = 10

def scaled(value):
    return value * SCALE

def push_rows(**context):
    context["ti"].xcom_push(key="rows", value=[1, 2, 3])
    return None

def pull_rows(ti, ds):
    rows = ti.xcom_pull(task_ids="push_rows", key="rows")
    nothing = ti.xcom_pull(task_ids="push_rows")
    return {{"total": scaled(sum(rows)), "ds": ds, "nothing": nothing}}

with DAG("equivalence", start_date=datetime(2024, 1, 1), schedule=None, params={{"who": "kfp", "count": 4, "sizes": [4, 5]}}):
    render = BashOperator(task_id="render", bash_command="echo '{TEMPLATES}'")
    start = EmptyOperator(task_id="start")
    push = PythonOperator(task_id="push_rows", python_callable=push_rows)
    pull = PythonOperator(task_id="pull_rows", python_callable=pull_rows)

    @task
    def describe(summary: dict, greeting: str) -> str:
        from airflow.sdk import get_current_context
        context = get_current_context()
        return f"{{greeting}} {{summary['total']}} on {{context['ds']}} for {{context['params']['who']}}"

    @task
    def numbers() -> list:
        return [1, 2, 3]

    @task
    def summarize(values: list, **context) -> str:
        return f"{{values}} {{context['params']['sizes']}} {{sum(values)}}"

    maybe = BashOperator(task_id="maybe", bash_command="echo skipping; exit 99")
    after_skip = BashOperator(task_id="after_skip", bash_command="echo never")
    join = EmptyOperator(task_id="join")
    after_join = BashOperator(task_id="after_join", bash_command="echo never either")
    cleanup = BashOperator(task_id="cleanup", bash_command="echo cleanup", trigger_rule="all_done")

    start >> render >> push >> pull
    describe(pull.output, "{{{{ params.who }}}} says")
    summarize(numbers())
    maybe >> after_skip >> join >> after_join
    maybe >> cleanup
'''


def test_same_results_as_airflow_for_the_same_logical_date(tmp_path, run_local):
    """Templated bash, XCom push/pull, None, return values, get_current_context, skips: same results."""
    from kfmigrate.compare.engines.airflow import run_dag

    dag_file = tmp_path / "equivalence_dag.py"
    dag_file.write_text(EQUIVALENCE_DAG)
    airflow_run = run_dag(dag_file, "equivalence", logical_date="2024-03-05")
    assert airflow_run.state == "success", airflow_run

    workflow_ = parse_file(dag_file).workflows[0]
    result = emit(workflow_)
    kfp_run = run_local(result, logical_date="2024-03-05")
    names = {t.task_id: t.kfp_task for t in result.tasks}
    assert names["start"] is None

    render = kfp_run.outputs[names["render"]]["return_value"]
    assert render == airflow_run.tasks["render"].xcom_return
    assert render.startswith("2024-03-05|20240305|2024-03-05T00:00:00+00:00|20240305T000000|")  # a fixed, known value too
    import json

    pulled = json.loads(kfp_run.outputs[names["pull_rows"]]["return_value"])
    assert pulled == airflow_run.tasks["pull_rows"].xcom_return == {"total": 60, "ds": "2024-03-05", "nothing": None}
    assert json.loads(kfp_run.outputs[names["push_rows"]]["rows"]) == [1, 2, 3]
    assert kfp_run.outputs[names["describe"]]["return_value"] == airflow_run.tasks["describe"].xcom_return == "kfp says 60 on 2024-03-05 for kfp"
    # the same tasks are skipped (KFP: they run as no-ops and say so in airflow_skipped)
    for report in result.tasks:
        if report.kfp_task:
            skipped = kfp_run.outputs[report.kfp_task].get("airflow_skipped", False)
            assert skipped == (airflow_run.tasks[report.task_id].state == "skipped"), report.task_id
    assert kfp_run.outputs[names["after_join"]]["airflow_skipped"] is True
    assert kfp_run.outputs[names["cleanup"]]["return_value"] == airflow_run.tasks["cleanup"].xcom_return == "cleanup"
    # ints inside lists stay ints (KFP's typed list/dict parameters would make them floats)
    assert kfp_run.outputs[names["summarize"]]["return_value"] == airflow_run.tasks["summarize"].xcom_return == "[1, 2, 3] [4, 5] 6"


def test_bash_exit_99_skips_downstream_and_exit_1_fails(run_local):
    skip_dag = workflow("skips", [
        bash("maybe", "echo checking; exit 99"),
        bash("after_skip", "echo should not run; exit 1"),
        empty("join"),
        bash("later", "echo should not run either; exit 1"),
        bash("cleanup", "echo cleanup", trigger_rule="all_done"),
        bash("independent", "echo fine"),
    ], [("maybe", "after_skip"), ("after_skip", "join"), ("join", "later"), ("maybe", "cleanup")])
    result = emit(skip_dag)
    run = run_local(result)
    outputs = {t.task_id: run.outputs.get(t.kfp_task) for t in result.tasks}  # the bash tasks share components
    assert outputs["maybe"]["airflow_skipped"] is True
    assert outputs["after_skip"]["airflow_skipped"] is True  # skipped, so its exit 1 never ran
    assert outputs["later"]["airflow_skipped"] is True  # through the removed empty task
    # all_done runs, and sees its upstream's state as data (failures too: docs/mapping.md)
    assert outputs["cleanup"] == {"return_value": "cleanup", "airflow_skipped": False, "airflow_state": "success"}
    assert outputs["independent"]["return_value"] == "fine"

    failing = workflow("fails", [bash("boom", "echo before; exit 1"), bash("never", "echo never")], [("boom", "never")])
    with pytest.raises(RuntimeError, match="boom"):
        run_local(emit(failing))
