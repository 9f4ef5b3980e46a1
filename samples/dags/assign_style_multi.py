"""`dag = DAG(...)` with dag=dag, several DAGs in one file, loops and comprehensions that make tasks,
set_upstream/set_downstream, chain() and cross_downstream()."""
import pendulum

from airflow.models.baseoperator import chain, cross_downstream
from airflow.models.dag import DAG
from airflow.operators.bash import BashOperator as Bash
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import PythonOperator

TABLES = ["users", "orders", "items"]
SHARDS = {"a": 1, "b": 2}

partitions = DAG(
    "partitioned_load",
    schedule="@hourly",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
)

begin = EmptyOperator(task_id="begin", dag=partitions)
finish = EmptyOperator(task_id="finish", dag=partitions)
for table in TABLES:
    load = Bash(task_id=f"load_{table}", bash_command=f"echo loading {table}", dag=partitions)
    load.set_upstream(begin)
    load.set_downstream(finish)

checks = [
    Bash(task_id=f"check_{name}_{number}", bash_command=f"echo shard {name} {number}", dag=partitions)
    for name, number in SHARDS.items()
]
finish >> checks


def shout(word):
    print(word.upper())
    return word.upper()


with DAG(dag_id="chained_tasks", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC")) as chained:
    steps = [PythonOperator(task_id=f"step_{i}", python_callable=shout, op_args=[f"word{i}"]) for i in range(4)]
    left = [EmptyOperator(task_id=f"left_{i}") for i in range(2)]
    right = [Bash(task_id=f"right_{i}", bash_command="echo right") for i in range(2)]
    chain(*steps)
    steps[-1] >> left
    cross_downstream(left, right)
