"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'venv_branch'.

Source: samples/projects/factories/dags/venv_guarded.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes venv_branch.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def pick() -> NamedTuple("Outputs", [('return_value', str), ('airflow_follow', list)]):
    """Airflow task 'pick' (@task.branch) from samples/projects/factories/dags/venv_guarded.py:22:9."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_branch_ids,
        _airflow_not_followed,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_follow', 'list')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='venv_branch', task_id='pick', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/projects/factories/dags/venv_guarded.py:19:9).
    def pick():
        return "left"
    results, skipped = _airflow_call_python(_airflow, pick, _op_args, _op_kwargs)
    # A branch: the task ids (or task group ids) to follow; its other direct downstream tasks are skipped.
    follow = [] if skipped else _airflow_branch_ids(results.get('return_value'))
    if not skipped and any(_airflow_not_followed(task_id, follow) for task_id in ['left', 'right']):
        results.pop('return_value', None)  # Airflow 3 raised DownstreamTasksSkipped: no return value
    results['airflow_follow'] = follow
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='venv-branch', description='Converted from Airflow DAG venv_branch')
def venv_branch_pipeline(logical_date: str = '', run_id: str = ''):
    # pick: @task.branch -> Python lightweight component choosing the branch (native)
    pick_task = pick()
    pick_task.set_display_name('pick')


if __name__ == "__main__":
    target = Path(__file__).with_name('venv_branch.yaml')
    compiler.Compiler().compile(venv_branch_pipeline, str(target))
