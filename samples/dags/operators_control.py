"""Run control: LatestOnlyOperator, and TriggerDagRunOperator starting another DAG (its pipeline on KFP)."""
from datetime import datetime

from airflow.sdk import DAG, task
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.latest_only import LatestOnlyOperator
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator

with DAG("operators_report", start_date=datetime(2024, 1, 1), schedule=None, params={"message": "nothing"}):

    @task
    def show(message: str) -> str:
        return f"report: {message}"

    show("{{ params.message }}")


with DAG("operators_control", start_date=datetime(2024, 1, 1), schedule="@daily", catchup=False):
    latest = LatestOnlyOperator(task_id="latest_only")
    publish = BashOperator(task_id="publish", bash_command="echo publishing {{ ds }}")
    start_report = TriggerDagRunOperator(
        task_id="start_report", trigger_dag_id="operators_report", conf={"message": "published {{ ds }}"},
    )
    latest >> publish >> start_report
