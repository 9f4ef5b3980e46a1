"""Connections and Variables a DAG's tasks use, and how the converted components get them.

Every connection is read by Airflow from AIRFLOW_CONN_<ID>, every Variable from AIRFLOW_VAR_<KEY>:
the converted tasks get them from the Kubernetes secret `airflow-conn-<id>` (key `uri`) and the
config map `airflow-var-<key>` (key `value`); the migration report lists each with its manifest.
"""
from datetime import datetime

from airflow.sdk import DAG, Variable, task
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.standard.operators.bash import BashOperator

with DAG("connections_variables", start_date=datetime(2024, 1, 1), schedule="@daily", catchup=False):
    # a provider operator (operator shim): its conn_id and the Variable in its SQL template
    load = SQLExecuteQueryOperator(
        task_id="load_events",
        conn_id="warehouse",
        sql="INSERT INTO {{ var.value.schema }}.events SELECT * FROM staging.events WHERE day = '{{ ds }}'",
    )

    @task
    def count_reports() -> int:
        # a hook in a Python callable and a Variable read in code
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        limit = int(Variable.get("report_limit", default=100))
        hook = PostgresHook(postgres_conn_id="reporting_db")
        return min(limit, hook.get_first("SELECT count(*) FROM reports")[0])

    @task
    def api_host() -> str:
        from airflow.sdk.bases.hook import BaseHook

        return BaseHook.get_connection("partner_api").host

    # templates: {{ conn.<id> }} and {{ var.json.<key> }}
    notify = BashOperator(
        task_id="notify",
        bash_command="curl -s https://{{ conn.partner_api.host }}/notify?team={{ var.json.alerting.team }}",
    )

    load >> count_reports() >> api_host() >> notify
