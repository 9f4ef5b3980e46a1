"""The company's DAG and task factories: six-line wrappers around Airflow's classes."""
import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator

from .defaults import default_args


def create_dag(dag_id, schedule=None, **kwargs):
    return DAG(
        dag_id=dag_id,
        schedule=schedule,
        start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
        catchup=False,
        default_args=default_args(retries=kwargs.pop("retries", 1)),
        **kwargs,
    )


def create_bash_task(name, command, dag=None):
    return BashOperator(task_id=name, bash_command=command, dag=dag)


def create_python_task(name, python_callable, **op_kwargs):
    return PythonOperator(task_id=name, python_callable=python_callable, op_kwargs=op_kwargs)


def create_steps(names):
    """One echo task per name, in a list."""
    return [BashOperator(task_id=f"step_{name}", bash_command=f"echo {name}") for name in names]
