"""A classic Airflow 2 style ETL DAG: `with DAG`, operators, templates, XCom through the context."""
import json
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator

SOURCE_ROWS = [
    {"city": "Lisbon", "temp": 21},
    {"city": "Oslo", "temp": 9},
    {"city": "Cairo", "temp": 33},
]
THRESHOLD = 20


def _fahrenheit(celsius):
    return round(celsius * 9 / 5 + 32, 1)


def extract(**context):
    rows = [dict(row) for row in SOURCE_ROWS]
    context["ti"].xcom_push(key="row_count", value=len(rows))
    return rows


def transform(ti, threshold):
    rows = ti.xcom_pull(task_ids="extract")
    warm = [dict(row, temp_f=_fahrenheit(row["temp"])) for row in rows if row["temp"] >= threshold]
    return json.dumps(warm, sort_keys=True)


def load(**kwargs):
    ti = kwargs["ti"]
    payload = json.loads(ti.xcom_pull(task_ids="transform"))
    count = ti.xcom_pull(task_ids="extract", key="row_count")
    summary = f"{len(payload)} of {count} rows loaded for {kwargs['ds']}"
    print(summary)
    return summary


default_args = {
    "owner": "data-eng",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
}

with DAG(
    dag_id="etl_classic_airflow2",
    description="Extract, transform and load city temperatures",
    schedule="@daily",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args=default_args,
    params={"region": "eu", "limit": 10},
    tags=["sample", "etl"],
) as dag:
    start = EmptyOperator(task_id="start")
    extract_task = PythonOperator(task_id="extract", python_callable=extract, doc_md="Read the source rows.")
    transform_task = PythonOperator(
        task_id="transform",
        python_callable=transform,
        op_kwargs={"threshold": THRESHOLD},
        retries=0,
    )
    load_task = PythonOperator(task_id="load", python_callable=load, execution_timeout=timedelta(minutes=5))
    report = BashOperator(
        task_id="report",
        bash_command='echo "region={{ params.region }} day={{ ds }} compact={{ ds_nodash }} next={{ macros.ds_add(ds, 1) }}"',
        env={"REPORT_LEVEL": "full"},
        append_env=True,
    )
    end = EmptyOperator(task_id="end")

    start >> extract_task >> transform_task >> load_task >> report >> end
