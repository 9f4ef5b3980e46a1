"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'templates_and_context'.

Source: samples/dags/templates_and_context.py
Schedule in Airflow: timedelta 21600.0, start_date 2024-01-01T00:00:00+00:00
  (not part of the pipeline: create a KFP recurring run for it)
Tags: sample, templates

Compile with `python {this file}` (writes templates_and_context.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl
from kfp import kubernetes

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def stamps(
    logical_date: str,
    run_id: str,
    param_team: str,
    param_days: int,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'stamps' (PythonOperator) from samples/dags/templates_and_context.py:25:14."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_render, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='templates_and_context', task_id='stamps', logical_date=logical_date, run_id=run_id,
        params={'team': param_team, 'days': param_days}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/templates_and_context.py:12:1).
    def describe(templates_dict=None, **context):
        rendered = templates_dict["stamp"]
        return f"{context['dag'].dag_id}/{context['task'].task_id}: {rendered}"
    results, skipped = _airflow_call_python(
        _airflow, describe, _op_args, _op_kwargs, templates_dict={'stamp': _airflow_render('{{ ds }}|{{ ds_nodash }}|{{ ts }}|{{ logical_date }}|{{ data_interval_start }}|{{ data_interval_end }}', _airflow.context)},
    )
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def names(
    logical_date: str,
    run_id: str,
    param_team: str,
    param_days: int,
    bash_command: str,
    cwd: str,
    stamps__return_value: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'names' (BashOperator) from samples/dags/templates_and_context.py:35:13."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_render,
        _airflow_run_bash,
        _kfp_outputs,
        _from_json,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {('stamps', 'return_value'): _from_json(stamps__return_value)}
    _airflow = _airflow_runtime(
        dag_id='templates_and_context', task_id='names', logical_date=logical_date, run_id=run_id,
        params={'team': param_team, 'days': param_days}, xcom=xcom,
    )
    command = _airflow_render(bash_command, _airflow.context)
    results, skipped = _airflow_run_bash(_airflow, command, cwd=cwd)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def context_reader(
    logical_date: str,
    run_id: str,
    param_team: str,
    param_days: int,
    stamps__return_value: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'context_reader' (@task.python) from samples/dags/templates_and_context.py:54:5."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str')]
    xcom = {('stamps', 'return_value'): _from_json(stamps__return_value)}
    _airflow = _airflow_runtime(
        dag_id='templates_and_context', task_id='context_reader', logical_date=logical_date, run_id=run_id,
        params={'team': param_team, 'days': param_days}, xcom=xcom,
    )
    _op_args = [xcom[('stamps', 'return_value')]]
    _op_kwargs = {}
    # Airflow names the callable uses, provided by the kfmigrate run-time shim.
    get_current_context = _airflow.get_current_context
    # The task callable (samples/dags/templates_and_context.py:46:5).
    def context_reader(upstream: str) -> str:
        context = get_current_context()
        return f"{context['ds']} {context['params']['team']} {len(upstream)}"
    results, skipped = _airflow_call_python(_airflow, context_reader, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def skip_me(
    logical_date: str,
    run_id: str,
    bash_command: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'skip_me' (BashOperator) from samples/dags/templates_and_context.py:50:15."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_run_bash, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='templates_and_context', task_id='skip_me', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_skip(
    logical_date: str,
    run_id: str,
    bash_command: str,
    skip_me_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'after_skip' (BashOperator) from samples/dags/templates_and_context.py:51:18."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_run_bash,
        _airflow_should_skip,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [skip_me_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='templates_and_context', task_id='after_skip', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='templates-and-context', description='Shows what kfmigrate renders inside components at run time.')
def templates_and_context_pipeline(
    team: str = 'data',
    days: int = 3,
    logical_date: str = '',
    run_id: str = '',
):
    """Shows what kfmigrate renders inside components at run time."""
    # stamps: PythonOperator -> Python lightweight component (native)
    stamps_task = stamps(logical_date=logical_date, run_id=run_id, param_team=team, param_days=days)
    stamps_task.set_display_name('stamps')
    stamps_task.set_retry(num_retries=3, backoff_duration="5s", backoff_factor=2.0, backoff_max_duration="60s")
    # names: BashOperator -> bash lightweight component (native)
    names_task = names(
        logical_date=logical_date,
        run_id=run_id,
        param_team=team,
        param_days=days,
        bash_command='echo run={{ run_id }} dag={{ dag.dag_id }} task={{ task.task_id }} team={{ params.team }} later={{ macros.ds_add(ds, params.days) }} region={{ var.value.get(\'region_name\', \'nowhere\') }} pulled="{{ ti.xcom_pull(task_ids=\'stamps\') }}"',
        cwd='/tmp',
        stamps__return_value=stamps_task.outputs['return_value'],
    )
    names_task.set_display_name('names')
    kubernetes.use_config_map_as_env(names_task, config_map_name='airflow-var-region-name', config_map_key_to_env={'value': 'AIRFLOW_VAR_REGION_NAME'})
    # context_reader: @task.python -> Python lightweight component (native)
    context_reader_task = context_reader(
        logical_date=logical_date,
        run_id=run_id,
        param_team=team,
        param_days=days,
        stamps__return_value=stamps_task.outputs['return_value'],
    )
    context_reader_task.set_display_name('context_reader')
    # skip_me: BashOperator -> bash lightweight component (native)
    skip_me_task = skip_me(
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo deciding; exit 99',
    )
    skip_me_task.set_display_name('skip_me')
    skip_me_task.after(context_reader_task)
    # after_skip: BashOperator -> bash lightweight component (native)
    after_skip_task = after_skip(
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo should not run',
        skip_me_skipped=skip_me_task.outputs['airflow_skipped'],
    )
    after_skip_task.set_display_name('after_skip')


if __name__ == "__main__":
    target = Path(__file__).with_name('templates_and_context.yaml')
    compiler.Compiler().compile(templates_and_context_pipeline, str(target))
