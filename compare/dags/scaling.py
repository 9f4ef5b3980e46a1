"""scaling: how orchestration cost grows with the shape of the work.

Three knobs, set by the module constants below (`kfmigrate compare scaling` writes one copy of this
file per sweep point with the constants replaced, and converts each copy):

- CHAIN_LENGTH: a chain of N trivial tasks, each waiting for the previous one (per-task overhead);
- FAN_OUT: W trivial tasks that all depend on the chain's end and run side by side (parallelism);
- PAYLOAD_KB: one task returns S KB of text that the next task receives (cost of passing data).
  Airflow keeps it in its metadata database (XCom); KFP passes a parameter to the next task as one
  command-line argument, and Linux caps one argument at 128 KiB, so larger payloads need artifacts.

Tasks do almost nothing on purpose, so what is measured is the engine, not the work.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import DAG, chain, task
from airflow.providers.standard.operators.python import PythonOperator

CHAIN_LENGTH = 3
FAN_OUT = 2
PAYLOAD_KB = 1


def step(position):
    """One link of the chain."""
    return position


def branch(index):
    """One of the parallel tasks after the chain."""
    return index


def join():
    """Runs once the whole fan-out is done."""
    return "joined"


@task
def produce_payload(kilobytes: int) -> str:
    """Returns a text payload of the given size (1 KB = 1,000 characters)."""
    return "x" * (kilobytes * 1000)


@task
def consume_payload(payload: str) -> int:
    """Receives the payload and reports how many characters arrived."""
    return len(payload)


with DAG(
    dag_id="scaling",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["kfmigrate", "workload"],
    description="A chain of N tasks, a fan-out of W tasks and an S KB payload between two tasks.",
):
    steps = [PythonOperator(task_id=f"step_{i}", python_callable=step, op_args=[i]) for i in range(CHAIN_LENGTH)]
    branches = [PythonOperator(task_id=f"branch_{i}", python_callable=branch, op_args=[i]) for i in range(FAN_OUT)]
    fanned_in = PythonOperator(task_id="join", python_callable=join)
    payload = produce_payload(PAYLOAD_KB)
    chain(*steps, branches, fanned_in, payload)
    consume_payload(payload)
