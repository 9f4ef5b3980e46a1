"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'operators_report'.

Source: samples/dags/operators_control.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes operators_report.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def show(param_message: str, message: str) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'show' (@task) from samples/dags/operators_control.py:15:5."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_render, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_report', task_id='show', logical_date='', run_id='',
        params={'message': param_message}, xcom=xcom,
    )
    _op_args = [_airflow_render(message, _airflow.context)]
    _op_kwargs = {}
    # The task callable (samples/dags/operators_control.py:12:5).
    def show(message: str) -> str:
        return f"report: {message}"
    results, skipped = _airflow_call_python(_airflow, show, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='operators-report', description='Converted from Airflow DAG operators_report')
def operators_report_pipeline(message: str = 'nothing', logical_date: str = '', run_id: str = ''):
    # show: @task -> Python lightweight component (native)
    show_task = show(param_message=message, message='{{ params.message }}')
    show_task.set_display_name('show')


if __name__ == "__main__":
    target = Path(__file__).with_name('operators_report.yaml')
    compiler.Compiler().compile(operators_report_pipeline, str(target))
