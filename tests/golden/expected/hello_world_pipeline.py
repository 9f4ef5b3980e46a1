"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'hello_world'.

Source: samples/dags/hello_world.py
Schedule in Airflow: none (runs when triggered)
Tags: sample, hello

Compile with `python {this file}` (writes hello_world.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""


from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl


BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


# ---------------------------------------------------------------- components (one per Airflow task)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def say_hello(
    logical_date: str,
    run_id: str,
    param_name: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'say_hello' (@task) from samples/dags/hello_world.py:20:5."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='hello_world', task_id='say_hello', logical_date=logical_date, run_id=run_id,
        params={'name': param_name}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/hello_world.py:15:5).
    def say_hello(params=None) -> str:
        greeting = f"Hello, {params['name']}!"
        print(greeting)
        return greeting
    results, skipped = _airflow_call_python(_airflow, say_hello, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='hello-world', description='Converted from Airflow DAG hello_world')
def hello_world_pipeline(
    name: str = 'Kubeflow',
    logical_date: str = '',
    run_id: str = '',
):
    # say_hello: @task -> Python lightweight component (native)
    say_hello_task = say_hello(logical_date=logical_date, run_id=run_id, param_name=name)
    say_hello_task.set_display_name('say_hello')


if __name__ == "__main__":
    target = Path(__file__).with_name('hello_world.yaml')
    compiler.Compiler().compile(hello_world_pipeline, str(target))
