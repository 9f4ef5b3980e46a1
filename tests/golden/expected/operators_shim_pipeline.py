"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'operators_shim'.

Source: samples/dags/operators_shim.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes operators_shim.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['apache-airflow==3.3.2'])
def greet(
    logical_date: str,
    run_id: str,
    param_who: str,
    name: str,
    times: int,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'greet' (GreetOperator) from samples/dags/operators_shim.py:31:13."""
    from kfmigrate_runtime import _airflow_runtime, _kfp_outputs, _airflow_run_operator
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_shim', task_id='greet', logical_date=logical_date, run_id=run_id,
        params={'who': param_who}, xcom=xcom,
    )
    _kwargs = {'task_id': 'greet', 'name': name, 'times': times}
    _dag_file_code = r'''
from airflow.sdk import DAG, BaseOperator
GREETING = "hello"
def shout(text):
    return text.upper()
class GreetOperator(BaseOperator):
    """A custom operator: renders `name`, pushes an extra XCom and returns a greeting."""

    template_fields = ("name",)

    def __init__(self, name, times=1, **kwargs):
        super().__init__(**kwargs)
        self.name = name
        self.times = times

    def execute(self, context):
        context["ti"].xcom_push(key="length", value=len(self.name))
        return " ".join([shout(f"{GREETING} {self.name}")] * self.times)
'''  # the DAG file's code: imports, helpers, the operator class
    results, skipped = _airflow_run_operator(_airflow, '', 'GreetOperator', _kwargs, module_code=_dag_file_code)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    packages_to_install=RUNTIME_PACKAGES + ['apache-airflow==3.3.2', 'apache-airflow-providers-standard==1.21.0'],
)
def smooth(
    logical_date: str,
    run_id: str,
    param_who: str,
    greet_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'smooth' (SmoothOperator) from samples/dags/operators_shim.py:32:14."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_should_skip,
        _kfp_outputs,
        _airflow_run_operator,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [greet_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_shim', task_id='smooth', logical_date=logical_date, run_id=run_id,
        params={'who': param_who}, xcom=xcom,
    )
    _kwargs = {'task_id': 'smooth'}
    results, skipped = _airflow_run_operator(_airflow, 'airflow.providers.standard.operators.smooth', 'SmoothOperator', _kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='operators-shim', description='Converted from Airflow DAG operators_shim')
def operators_shim_pipeline(who: str = 'kfp', logical_date: str = '', run_id: str = ''):
    # greet: GreetOperator -> operator shim (the Airflow operator runs inside a lightweight component) (shim)
    greet_task = greet(
        logical_date=logical_date,
        run_id=run_id,
        param_who=who,
        name='{{ params.who }} on {{ ds }}',
        times=2,
    )
    greet_task.set_display_name('greet')
    # smooth: SmoothOperator -> operator shim (the Airflow operator runs inside a lightweight component) (shim)
    smooth_task = smooth(
        logical_date=logical_date,
        run_id=run_id,
        param_who=who,
        greet_skipped=greet_task.outputs['airflow_skipped'],
    )
    smooth_task.set_display_name('smooth')


if __name__ == "__main__":
    target = Path(__file__).with_name('operators_shim.yaml')
    compiler.Compiler().compile(operators_shim_pipeline, str(target))
