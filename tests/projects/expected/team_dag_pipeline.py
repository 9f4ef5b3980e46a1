"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'team_dag'.

Source: samples/projects/factories/dags/team_dag.py
Schedule in Airflow: preset '@daily', start_date 2024-01-01T00:00:00+00:00
  (not part of the pipeline: create a KFP recurring run for it)
Tags: team

Compile with `python {this file}` (writes team_dag.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


# ---------------------------------------------------------------- modules from next to the DAG file
# A component sees only its own source and its additional_funcs (module-level constants are not
# visible inside it), so each module's text is returned by a function listed in the additional_funcs
# of the components that import it; _kfp_local_modules writes them into a folder on sys.path.


def _module_common():
    """dags/common/__init__.py"""
    return r'''"""The company's shared DAG code."""
'''


def _module_common__text():
    """dags/common/text.py"""
    return r'''def shout(text):
    return text.upper()
'''


# ---------------------------------------------------------------- components


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def start(
    logical_date: str,
    run_id: str,
    bash_command: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'start' (BashOperator) from samples/projects/factories/dags/common/factory.py:22:12."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_run_bash, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='team_dag', task_id='start', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    packages_to_install=RUNTIME_PACKAGES,
    additional_funcs=[_module_common, _module_common__text],
)
def hello(
    logical_date: str,
    run_id: str,
    punctuation: str,
    name: str,
    start_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'hello' (PythonOperator) from samples/projects/factories/dags/common/factory.py:26:12."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_should_skip,
        _kfp_outputs,
        _kfp_local_modules,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [start_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _kfp_local_modules({
        'common/__init__.py': _module_common(),
        'common/text.py': _module_common__text(),
    })
    _airflow = _airflow_runtime(
        dag_id='team_dag', task_id='hello', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {'punctuation': punctuation}
    # From the DAG file: imports, constants and helpers the callable uses.
    from common.text import shout
    # The task callable (samples/projects/factories/dags/common/callables.py:5:1).
    def greet(name, punctuation="!"):
        message = shout(f"hello {name}") + punctuation
        print(message)
        return message
    import functools as _functools
    _callable = _functools.partial(greet, name=name)
    results, skipped = _airflow_call_python(_airflow, _callable, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def letters(
    word: str,
    start_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'letters' (PythonOperator) from samples/projects/factories/dags/common/factory.py:26:12."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_should_skip,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [start_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='team_dag', task_id='letters', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {'word': word}
    # The task callable (samples/projects/factories/dags/common/callables.py:11:1).
    def count_letters(word):
        return len(word)
    results, skipped = _airflow_call_python(_airflow, count_letters, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def step_a(
    task_id: str,
    logical_date: str,
    run_id: str,
    bash_command: str,
    hello_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow tasks 'step_a', 'step_b' (BashOperator), the first from
    samples/projects/factories/dags/common/factory.py:31:13.
    """
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_run_bash,
        _airflow_should_skip,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [hello_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='team_dag', task_id=task_id, logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def finish(
    letters__return_value: str,
    letters_skipped: bool,
    step_a_skipped: bool,
    step_b_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'finish' (@task) from samples/projects/factories/dags/team_dag.py:20:14."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_should_skip,
        _kfp_outputs,
        _from_json,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [letters_skipped, step_a_skipped, step_b_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {('letters', 'return_value'): _from_json(letters__return_value)}
    _airflow = _airflow_runtime(
        dag_id='team_dag', task_id='finish', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('letters', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/projects/factories/dags/team_dag.py:15:5).
    def finish(value):
        return f"finished with {value}"
    results, skipped = _airflow_call_python(_airflow, finish, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='team-dag', description='Converted from Airflow DAG team_dag')
def team_dag_pipeline(logical_date: str = '', run_id: str = ''):
    # start: BashOperator -> bash lightweight component (native)
    start_task = start(logical_date=logical_date, run_id=run_id, bash_command='echo start')
    start_task.set_display_name('start')
    start_task.set_retry(num_retries=1, backoff_duration="300s", backoff_factor=1.0)
    # hello: PythonOperator -> Python lightweight component (native)
    hello_task = hello(
        logical_date=logical_date,
        run_id=run_id,
        punctuation='?',
        name='team',
        start_skipped=start_task.outputs['airflow_skipped'],
    )
    hello_task.set_display_name('hello')
    hello_task.set_retry(num_retries=1, backoff_duration="300s", backoff_factor=1.0)
    # letters: PythonOperator -> Python lightweight component (native)
    letters_task = letters(word='kubeflow', start_skipped=start_task.outputs['airflow_skipped'])
    letters_task.set_display_name('letters')
    letters_task.set_retry(num_retries=1, backoff_duration="300s", backoff_factor=1.0)
    # step_a: BashOperator -> bash lightweight component (native)
    step_a_task = step_a(
        task_id='step_a',
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo a',
        hello_skipped=hello_task.outputs['airflow_skipped'],
    )
    step_a_task.set_display_name('step_a')
    step_a_task.set_retry(num_retries=1, backoff_duration="300s", backoff_factor=1.0)
    # step_b: BashOperator -> bash lightweight component (native)
    step_b_task = step_a(
        task_id='step_b',
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo b',
        hello_skipped=hello_task.outputs['airflow_skipped'],
    )
    step_b_task.set_display_name('step_b')
    step_b_task.set_retry(num_retries=1, backoff_duration="300s", backoff_factor=1.0)
    # finish: @task -> Python lightweight component (native)
    finish_task = finish(
        letters__return_value=letters_task.outputs['return_value'],
        letters_skipped=letters_task.outputs['airflow_skipped'],
        step_a_skipped=step_a_task.outputs['airflow_skipped'],
        step_b_skipped=step_b_task.outputs['airflow_skipped'],
    )
    finish_task.set_display_name('finish')
    finish_task.set_retry(num_retries=2, backoff_duration="300s", backoff_factor=1.0)


if __name__ == "__main__":
    target = Path(__file__).with_name('team_dag.yaml')
    compiler.Compiler().compile(team_dag_pipeline, str(target))
