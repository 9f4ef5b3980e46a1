"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'venv_tutorial'.

Source: samples/projects/factories/dags/venv_guarded.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes venv_tutorial.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""


from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl


BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


# ---------------------------------------------------------------- components (one per Airflow task)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['colorama==0.4.6'])
def extract(logical_date: str, run_id: str) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'extract' (@task.virtualenv) from samples/projects/factories/dags/venv_guarded.py:38:15."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='venv_tutorial', task_id='extract', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/projects/factories/dags/venv_guarded.py:31:9).
    def extract():
        return {"a": 1, "b": 2}
    results, skipped = _airflow_call_python(_airflow, extract, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def total(
    logical_date: str,
    run_id: str,
    extract__return_value: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'total' (@task) from samples/projects/factories/dags/venv_guarded.py:38:9."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {('extract', 'return_value'): _from_json(extract__return_value)}
    _airflow = _airflow_runtime(
        dag_id='venv_tutorial', task_id='total', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('extract', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/projects/factories/dags/venv_guarded.py:35:9).
    def total(values: dict):
        return sum(values.values())
    results, skipped = _airflow_call_python(_airflow, total, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='venv-tutorial', description='Converted from Airflow DAG venv_tutorial')
def venv_tutorial_pipeline(
    logical_date: str = '',
    run_id: str = '',
):
    # extract: @task.virtualenv -> Python lightweight component with packages_to_install (native)
    extract_task = extract(logical_date=logical_date, run_id=run_id)
    extract_task.set_display_name('extract')
    # total: @task -> Python lightweight component (native)
    total_task = total(
        logical_date=logical_date,
        run_id=run_id,
        extract__return_value=extract_task.outputs['return_value'],
    )
    total_task.set_display_name('total')


if __name__ == "__main__":
    target = Path(__file__).with_name('venv_tutorial.yaml')
    compiler.Compiler().compile(venv_tutorial_pipeline, str(target))
