"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'guarded_nightly'.

Source: samples/projects/factories/dags/guarded_dag.py
Schedule in Airflow: preset '@daily'
  (not part of the pipeline: create a KFP recurring run for it)

Compile with `python {this file}` (writes guarded_nightly.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def nightly(
    logical_date: str,
    run_id: str,
    bash_command: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'nightly' (BashOperator) from samples/projects/factories/dags/guarded_dag.py:20:9."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_run_bash, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='guarded_nightly', task_id='nightly', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='guarded-nightly', description='Converted from Airflow DAG guarded_nightly')
def guarded_nightly_pipeline(logical_date: str = '', run_id: str = ''):
    # nightly: BashOperator -> bash lightweight component (native)
    nightly_task = nightly(logical_date=logical_date, run_id=run_id, bash_command='echo nightly')
    nightly_task.set_display_name('nightly')


if __name__ == "__main__":
    target = Path(__file__).with_name('guarded_nightly.yaml')
    compiler.Compiler().compile(guarded_nightly_pipeline, str(target))
