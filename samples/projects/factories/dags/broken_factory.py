"""A DAG whose factory lives in a package this project does not have: the converter says so."""
from acme_platform.dags import make_dag
from airflow.operators.bash import BashOperator

with make_dag("platform_dag") as dag:
    BashOperator(task_id="hello", bash_command="echo hello")
