"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'taskflow_airflow3'.

Source: samples/dags/taskflow_airflow3.py
Description: TaskFlow API in Airflow 3 style
Schedule in Airflow: cron '0 6 * * 1-5', start_date 2024-01-01T00:00:00+00:00
  (not part of the pipeline: create a KFP recurring run for it)
Tags: sample, taskflow

Compile with `python {this file}` (writes taskflow_airflow3.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE)
def numbers() -> str:
    """Airflow task 'numbers' (@task) from samples/dags/taskflow_airflow3.py:32:14.

    Produce the input numbers.
    """
    import json

    # The task callable (samples/dags/taskflow_airflow3.py:16:5).
    def numbers() -> list:
        """Produce the input numbers."""
        return [1, 2, 3, 4]
    return json.dumps(numbers(), default=str)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def stats(
    numbers__return_value: str,
) -> NamedTuple("Outputs", [('return_value', str), ('total', str)]):
    """Airflow task 'stats' (@task) from samples/dags/taskflow_airflow3.py:33:15."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('total', 'json')]
    xcom = {('numbers', 'return_value'): _from_json(numbers__return_value)}
    _airflow = _airflow_runtime(
        dag_id='taskflow_airflow3', task_id='stats', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('numbers', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/taskflow_airflow3.py:21:5).
    def stats(values: list) -> dict:
        return {"total": sum(values), "count": len(values)}
    results, skipped = _airflow_call_python(
        _airflow, stats, _op_args, _op_kwargs, multiple_outputs=True,
    )
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE)
def scale(factor: int, total: str) -> int:
    """Airflow task 'scale' (@task) from samples/dags/taskflow_airflow3.py:34:14."""
    import json

    # The task callable (samples/dags/taskflow_airflow3.py:25:5).
    def scale(total: int, factor) -> int:
        return total * int(factor)
    return scale(json.loads(total), factor)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def announce(
    logical_date: str,
    run_id: str,
    param_multiplier: int,
    scale__return_value: int,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'announce' (@task.bash) from samples/dags/taskflow_airflow3.py:35:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_render,
        _airflow_call_python,
        _airflow_run_bash,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {('scale', 'return_value'): scale__return_value}
    _airflow = _airflow_runtime(
        dag_id='taskflow_airflow3', task_id='announce', logical_date=logical_date, run_id=run_id,
        params={'multiplier': param_multiplier}, xcom=xcom,
    )
    _op_args = [xcom[('scale', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/taskflow_airflow3.py:29:5).
    def announce(result: int) -> str:
        return f"echo scaled result is {result} on {{{{ ds }}}}"
    returned, skipped = _airflow_call_python(_airflow, announce, _op_args, _op_kwargs)
    if not skipped and (not isinstance(returned["return_value"], str) or not returned["return_value"].strip()):
        raise TypeError("The returned value from the TaskFlow callable must be a non-empty string.")
    command = "" if skipped else _airflow_render(returned["return_value"], _airflow.context)
    if not skipped:
        results, skipped = _airflow_run_bash(_airflow, command)
    else:
        results = {}
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='taskflow-airflow3', description='TaskFlow API in Airflow 3 style')
def taskflow_airflow3_pipeline(multiplier: int = 3, logical_date: str = '', run_id: str = ''):
    # numbers: @task -> Python lightweight component (native)
    numbers_task = numbers()
    numbers_task.set_display_name('numbers')
    # stats: @task -> Python lightweight component (native)
    stats_task = stats(numbers__return_value=numbers_task.outputs['Output'])
    stats_task.set_display_name('stats')
    # scale: @task -> Python lightweight component (native)
    scale_task = scale(factor=multiplier, total=stats_task.outputs['total'])
    scale_task.set_display_name('scale')
    scale_task.set_retry(num_retries=3, backoff_duration="10s", backoff_factor=2.0)
    # announce: @task.bash -> bash lightweight component (native)
    announce_task = announce(
        logical_date=logical_date,
        run_id=run_id,
        param_multiplier=multiplier,
        scale__return_value=scale_task.outputs['Output'],
    )
    announce_task.set_display_name('announce')


if __name__ == "__main__":
    target = Path(__file__).with_name('taskflow_airflow3.yaml')
    compiler.Compiler().compile(taskflow_airflow3_pipeline, str(target))
