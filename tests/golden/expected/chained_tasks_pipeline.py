"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'chained_tasks'.

Source: samples/dags/assign_style_multi.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes chained_tasks.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE)
def step_0(word: str) -> str:
    """Airflow tasks 'step_0', 'step_1', 'step_2', 'step_3' (PythonOperator), the first from
    samples/dags/assign_style_multi.py:41:14.
    """
    import json

    # The task callable (samples/dags/assign_style_multi.py:35:1).
    def shout(word):
        print(word.upper())
        return word.upper()
    return json.dumps(shout(word), default=str)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def right_0(
    task_id: str,
    logical_date: str,
    run_id: str,
    bash_command: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow tasks 'right_0', 'right_1' (BashOperator), the first from
    samples/dags/assign_style_multi.py:43:14.
    """
    from kfmigrate_runtime import _airflow_runtime, _airflow_run_bash, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='chained_tasks', task_id=task_id, logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='chained-tasks', description='Converted from Airflow DAG chained_tasks')
def chained_tasks_pipeline(logical_date: str = '', run_id: str = ''):
    # step_0: PythonOperator -> Python lightweight component (native)
    step_0_task = step_0(word='word0')
    step_0_task.set_display_name('step_0')
    # step_1: PythonOperator -> Python lightweight component (native)
    step_1_task = step_0(word='word1')
    step_1_task.set_display_name('step_1')
    step_1_task.after(step_0_task)
    # step_2: PythonOperator -> Python lightweight component (native)
    step_2_task = step_0(word='word2')
    step_2_task.set_display_name('step_2')
    step_2_task.after(step_1_task)
    # step_3: PythonOperator -> Python lightweight component (native)
    step_3_task = step_0(word='word3')
    step_3_task.set_display_name('step_3')
    step_3_task.after(step_2_task)
    # right_0: BashOperator -> bash lightweight component (native)
    right_0_task = right_0(
        task_id='right_0',
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo right',
    )
    right_0_task.set_display_name('right_0')
    right_0_task.after(step_3_task)
    # right_1: BashOperator -> bash lightweight component (native)
    right_1_task = right_0(
        task_id='right_1',
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo right',
    )
    right_1_task.set_display_name('right_1')
    right_1_task.after(step_3_task)


if __name__ == "__main__":
    target = Path(__file__).with_name('chained_tasks.yaml')
    compiler.Compiler().compile(chained_tasks_pipeline, str(target))
