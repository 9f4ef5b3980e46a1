"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'hello_world'.

Source: samples/dags/hello_world.py
Schedule in Airflow: none (runs when triggered)
Tags: sample, hello

Compile with `python {this file}` (writes hello_world.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here


@dsl.component(base_image=BASE_IMAGE)
def say_hello(name: str) -> str:
    """Airflow task 'say_hello' (@task) from samples/dags/hello_world.py:20:5."""
    # The task callable (samples/dags/hello_world.py:15:5).
    def say_hello(params=None) -> str:
        greeting = f"Hello, {params['name']}!"
        print(greeting)
        return greeting
    return say_hello(params={'name': name})


@dsl.pipeline(name='hello-world', description='Converted from Airflow DAG hello_world')
def hello_world_pipeline(name: str = 'Kubeflow', logical_date: str = '', run_id: str = ''):
    # say_hello: @task -> Python lightweight component (native)
    say_hello_task = say_hello(name=name)
    say_hello_task.set_display_name('say_hello')


if __name__ == "__main__":
    target = Path(__file__).with_name('hello_world.yaml')
    compiler.Compiler().compile(hello_world_pipeline, str(target))
