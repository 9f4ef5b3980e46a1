"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'operators_virtualenv'.

Source: samples/dags/operators_virtualenv.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes operators_virtualenv.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here


@dsl.component(base_image=BASE_IMAGE, packages_to_install=['inflection==0.5.1'])
def titles(words: list) -> str:
    """Airflow task 'titles' (PythonVirtualenvOperator) from samples/dags/operators_virtualenv.py:15:14."""
    import json

    # The task callable (samples/dags/operators_virtualenv.py:8:1).
    def titles(words):
        import inflection

        return [inflection.titleize(word) for word in words]
    return json.dumps(titles(words), default=str)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=['inflection==0.5.1'])
def plural(word: str) -> str:
    """Airflow task 'plural' (@task.virtualenv) from samples/dags/operators_virtualenv.py:30:29."""
    # The task callable (samples/dags/operators_virtualenv.py:21:5).
    def plural(word: str) -> str:
        import inflection

        return inflection.pluralize(word)
    return plural(word)


@dsl.component(base_image=BASE_IMAGE)
def sentence(names: str, many: str) -> str:
    """Airflow task 'sentence' (@task) from samples/dags/operators_virtualenv.py:30:5."""
    import json

    # The task callable (samples/dags/operators_virtualenv.py:27:5).
    def sentence(names: list, many: str) -> str:
        return f"{' and '.join(names)} make {many}"
    return sentence(json.loads(names), many)


@dsl.pipeline(name='operators-virtualenv', description='Converted from Airflow DAG operators_virtualenv')
def operators_virtualenv_pipeline(logical_date: str = '', run_id: str = ''):
    # titles: PythonVirtualenvOperator -> Python lightweight component with packages_to_install (native)
    titles_task = titles(words=['data_pipeline', 'kube_flow'])
    titles_task.set_display_name('titles')
    # plural: @task.virtualenv -> Python lightweight component with packages_to_install (native)
    plural_task = plural(word='pipeline')
    plural_task.set_display_name('plural')
    # sentence: @task -> Python lightweight component (native)
    sentence_task = sentence(names=titles_task.outputs['Output'], many=plural_task.outputs['Output'])
    sentence_task.set_display_name('sentence')


if __name__ == "__main__":
    target = Path(__file__).with_name('operators_virtualenv.yaml')
    compiler.Compiler().compile(operators_virtualenv_pipeline, str(target))
