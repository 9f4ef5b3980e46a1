"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'venv_tutorial'.

Source: samples/projects/factories/dags/venv_guarded.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes venv_tutorial.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here


@dsl.component(base_image=BASE_IMAGE, packages_to_install=['colorama==0.4.6'])
def extract() -> str:
    """Airflow task 'extract' (@task.virtualenv) from samples/projects/factories/dags/venv_guarded.py:38:15."""
    import json

    # The task callable (samples/projects/factories/dags/venv_guarded.py:31:9).
    def extract():
        return {"a": 1, "b": 2}
    return json.dumps(extract(), default=str)


@dsl.component(base_image=BASE_IMAGE)
def total(values: str) -> str:
    """Airflow task 'total' (@task) from samples/projects/factories/dags/venv_guarded.py:38:9."""
    import json

    # The task callable (samples/projects/factories/dags/venv_guarded.py:35:9).
    def total(values: dict):
        return sum(values.values())
    return json.dumps(total(json.loads(values)), default=str)


@dsl.pipeline(name='venv-tutorial', description='Converted from Airflow DAG venv_tutorial')
def venv_tutorial_pipeline(logical_date: str = '', run_id: str = ''):
    # extract: @task.virtualenv -> Python lightweight component with packages_to_install (native)
    extract_task = extract()
    extract_task.set_display_name('extract')
    # total: @task -> Python lightweight component (native)
    total_task = total(values=extract_task.outputs['Output'])
    total_task.set_display_name('total')


if __name__ == "__main__":
    target = Path(__file__).with_name('venv_tutorial.yaml')
    compiler.Compiler().compile(venv_tutorial_pipeline, str(target))
