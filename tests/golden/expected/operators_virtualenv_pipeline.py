"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'operators_virtualenv'.

Source: samples/dags/operators_virtualenv.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes operators_virtualenv.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""


from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl


BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


# ---------------------------------------------------------------- components (one per Airflow task)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['inflection==0.5.1'])
def titles(
    logical_date: str,
    run_id: str,
    op_args_0: list,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'titles' (PythonVirtualenvOperator) from samples/dags/operators_virtualenv.py:15:14."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_virtualenv', task_id='titles', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = [op_args_0]
    _op_kwargs = {}
    # The task callable (samples/dags/operators_virtualenv.py:8:1).
    def titles(words):
        import inflection

        return [inflection.titleize(word) for word in words]
    results, skipped = _airflow_call_python(_airflow, titles, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['inflection==0.5.1'])
def plural(
    logical_date: str,
    run_id: str,
    word: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'plural' (@task.virtualenv) from samples/dags/operators_virtualenv.py:30:29."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_virtualenv', task_id='plural', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = [word]
    _op_kwargs = {}
    # The task callable (samples/dags/operators_virtualenv.py:21:5).
    def plural(word: str) -> str:
        import inflection

        return inflection.pluralize(word)
    results, skipped = _airflow_call_python(_airflow, plural, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def sentence(
    logical_date: str,
    run_id: str,
    titles__return_value: str,
    plural__return_value: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'sentence' (@task) from samples/dags/operators_virtualenv.py:30:5."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str')]
    xcom = {
        ('titles', 'return_value'): _from_json(titles__return_value),
        ('plural', 'return_value'): plural__return_value,
    }
    _airflow = _airflow_runtime(
        dag_id='operators_virtualenv', task_id='sentence', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('titles', 'return_value')], xcom[('plural', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/operators_virtualenv.py:27:5).
    def sentence(names: list, many: str) -> str:
        return f"{' and '.join(names)} make {many}"
    results, skipped = _airflow_call_python(_airflow, sentence, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='operators-virtualenv', description='Converted from Airflow DAG operators_virtualenv')
def operators_virtualenv_pipeline(
    logical_date: str = '',
    run_id: str = '',
):
    # titles: PythonVirtualenvOperator -> Python lightweight component with packages_to_install (native)
    titles_task = titles(
        logical_date=logical_date,
        run_id=run_id,
        op_args_0=['data_pipeline', 'kube_flow'],
    )
    titles_task.set_display_name('titles')
    # plural: @task.virtualenv -> Python lightweight component with packages_to_install (native)
    plural_task = plural(logical_date=logical_date, run_id=run_id, word='pipeline')
    plural_task.set_display_name('plural')
    # sentence: @task -> Python lightweight component (native)
    sentence_task = sentence(
        logical_date=logical_date,
        run_id=run_id,
        titles__return_value=titles_task.outputs['return_value'],
        plural__return_value=plural_task.outputs['return_value'],
    )
    sentence_task.set_display_name('sentence')


if __name__ == "__main__":
    target = Path(__file__).with_name('operators_virtualenv.yaml')
    compiler.Compiler().compile(operators_virtualenv_pipeline, str(target))
