"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'partitioned_load'.

Source: samples/dags/assign_style_multi.py
Schedule in Airflow: preset '@hourly', start_date 2024-01-01T00:00:00+00:00
  (not part of the pipeline: create a KFP recurring run for it)

Compile with `python {this file}` (writes partitioned_load.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def load_users(
    task_id: str,
    logical_date: str,
    run_id: str,
    bash_command: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow tasks 'load_users', 'load_orders', 'load_items' (BashOperator), the first from
    samples/dags/assign_style_multi.py:24:12.
    """
    from kfmigrate_runtime import _airflow_runtime, _airflow_run_bash, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='partitioned_load', task_id=task_id, logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def check_a_1(
    task_id: str,
    logical_date: str,
    run_id: str,
    bash_command: str,
    load_users_skipped: bool,
    load_orders_skipped: bool,
    load_items_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow tasks 'check_a_1', 'check_b_2' (BashOperator), the first from
    samples/dags/assign_style_multi.py:29:5.
    """
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_run_bash,
        _airflow_should_skip,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    _skipped_finish = _airflow_should_skip('all_success', [load_users_skipped, load_orders_skipped, load_items_skipped])  # the removed task 'finish'
    if _airflow_should_skip('all_success', [_skipped_finish]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='partitioned_load', task_id=task_id, logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='partitioned-load', description='Converted from Airflow DAG partitioned_load')
def partitioned_load_pipeline(logical_date: str = '', run_id: str = ''):
    # load_users: BashOperator -> bash lightweight component (native)
    load_users_task = load_users(
        task_id='load_users',
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo loading users',
    )
    load_users_task.set_display_name('load_users')
    # load_orders: BashOperator -> bash lightweight component (native)
    load_orders_task = load_users(
        task_id='load_orders',
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo loading orders',
    )
    load_orders_task.set_display_name('load_orders')
    # load_items: BashOperator -> bash lightweight component (native)
    load_items_task = load_users(
        task_id='load_items',
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo loading items',
    )
    load_items_task.set_display_name('load_items')
    # check_a_1: BashOperator -> bash lightweight component (native)
    check_a_1_task = check_a_1(
        task_id='check_a_1',
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo shard a 1',
        load_users_skipped=load_users_task.outputs['airflow_skipped'],
        load_orders_skipped=load_orders_task.outputs['airflow_skipped'],
        load_items_skipped=load_items_task.outputs['airflow_skipped'],
    )
    check_a_1_task.set_display_name('check_a_1')
    # check_b_2: BashOperator -> bash lightweight component (native)
    check_b_2_task = check_a_1(
        task_id='check_b_2',
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo shard b 2',
        load_users_skipped=load_users_task.outputs['airflow_skipped'],
        load_orders_skipped=load_orders_task.outputs['airflow_skipped'],
        load_items_skipped=load_items_task.outputs['airflow_skipped'],
    )
    check_b_2_task.set_display_name('check_b_2')


if __name__ == "__main__":
    target = Path(__file__).with_name('partitioned_load.yaml')
    compiler.Compiler().compile(partitioned_load_pipeline, str(target))
