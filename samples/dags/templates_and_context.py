"""Templates and the task context: every Jinja value kfmigrate renders at run time, templates_dict,
get_current_context(), @task.python, BashOperator cwd and exit code 99 (skip) with its downstream."""
from datetime import datetime, timedelta

from airflow.sdk import DAG, get_current_context, task
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.python import PythonOperator

STAMP = "{{ ds }}|{{ ds_nodash }}|{{ ts }}|{{ logical_date }}|{{ data_interval_start }}|{{ data_interval_end }}"


def describe(templates_dict=None, **context):
    rendered = templates_dict["stamp"]
    return f"{context['dag'].dag_id}/{context['task'].task_id}: {rendered}"


with DAG(
    dag_id="templates_and_context",
    schedule=timedelta(hours=6),
    start_date=datetime(2024, 1, 1),
    params={"team": "data", "days": 3},
    tags=["sample", "templates"],
    doc_md="Shows what kfmigrate renders inside components at run time.",
) as dag:
    stamps = PythonOperator(
        task_id="stamps",
        python_callable=describe,
        templates_dict={"stamp": STAMP},
        retries=3,
        retry_delay=timedelta(seconds=5),
        retry_exponential_backoff=True,
        max_retry_delay=timedelta(minutes=1),
    )

    names = BashOperator(
        task_id="names",
        bash_command=(
            "echo run={{ run_id }} dag={{ dag.dag_id }} task={{ task.task_id }} "
            "team={{ params.team }} later={{ macros.ds_add(ds, params.days) }} "
            "region={{ var.value.get('region_name', 'nowhere') }} pulled=\"{{ ti.xcom_pull(task_ids='stamps') }}\""
        ),
        cwd="/tmp",
    )

    @task.python
    def context_reader(upstream: str) -> str:
        context = get_current_context()
        return f"{context['ds']} {context['params']['team']} {len(upstream)}"

    skip_me = BashOperator(task_id="skip_me", bash_command="echo deciding; exit 99")
    after_skip = BashOperator(task_id="after_skip", bash_command="echo should not run")

    stamps >> names
    context_reader(stamps.output) >> skip_me >> after_skip
