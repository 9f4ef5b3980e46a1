"""Sensors that poll inside the task: file, Python check, bash probe, delays, soft_fail.

Needs the `fs_default` connection for the FileSensor, e.g.
AIRFLOW_CONN_FS_DEFAULT='{"conn_type": "fs", "extra": {"path": ""}}' (Airflow and the KFP task alike).
"""
from datetime import datetime, timedelta

from airflow.sdk import DAG, PokeReturnValue, task
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.sensors.bash import BashSensor
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.providers.standard.sensors.python import PythonSensor
from airflow.providers.standard.sensors.time_delta import TimeDeltaSensor


def file_has_content(path):
    import os

    return os.path.exists(path) and os.path.getsize(path) > 0


with DAG(
    "operators_sensors",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    params={"path": "/tmp/kfmigrate-sensor-ready.txt"},
):
    wait_file = FileSensor(task_id="wait_for_file", filepath="{{ params.path }}", poke_interval=1, timeout=30)
    has_content = PythonSensor(
        task_id="has_content", python_callable=file_has_content, op_kwargs={"path": "{{ params.path }}"},
        poke_interval=1, timeout=30,
    )
    probe = BashSensor(task_id="probe", bash_command="test -s {{ params.path }}", poke_interval=1, timeout=30)
    pause = TimeDeltaSensor(task_id="short_pause", delta=timedelta(seconds=1), poke_interval=1, timeout=30)
    never = PythonSensor(task_id="never_ready", python_callable=lambda: False, poke_interval=1, timeout=2, soft_fail=True)
    after_never = BashOperator(task_id="after_never_ready", bash_command="echo never runs")

    @task.sensor(poke_interval=1, timeout=30)
    def line_count(path: str) -> PokeReturnValue:
        with open(path) as handle:
            lines = handle.read().splitlines()
        return PokeReturnValue(is_done=len(lines) > 0, xcom_value=len(lines))

    @task
    def report(count: int) -> str:
        return f"{count} line(s) ready"

    wait_file >> has_content >> probe >> pause
    pause >> report(line_count("{{ params.path }}"))
    never >> after_never
