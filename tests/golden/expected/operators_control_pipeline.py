"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'operators_control'.

Source: samples/dags/operators_control.py
Schedule in Airflow: preset '@daily', start_date 2024-01-01T00:00:00+00:00
  (not part of the pipeline: create a KFP recurring run for it)

Compile with `python {this file}` (writes operators_control.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['croniter==7.0.0'])
def latest_only(
    logical_date: str,
    run_id: str,
) -> NamedTuple("Outputs", [('airflow_follow', list), ('return_value', str), ('airflow_skips_publish', bool)]):
    """Airflow task 'latest_only' (LatestOnlyOperator) from samples/dags/operators_control.py:19:14."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_not_followed, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('airflow_follow', 'list'), ('return_value', 'json'), ('airflow_skips:publish', 'bool')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_control', task_id='latest_only', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    # LatestOnlyOperator: a manual run proceeds; a scheduled run proceeds only while it is the latest.
    run_id = _airflow.context["run_id"]
    latest = True
    if run_id.startswith("scheduled__"):
        import datetime as dt
        import croniter
        logical_date = _airflow.context["logical_date"]
        next_run = croniter.croniter('0 0 * * *', logical_date).get_next(dt.datetime)
        now = dt.datetime.now(dt.timezone.utc)
        print(f"Checking latest only: window ({logical_date}, {next_run}], now {now}")
        latest = logical_date < now <= next_run
    print("Latest, allowing execution to proceed." if latest else "Not latest execution, skipping downstream.")
    # Airflow pushes the followed task ids; when it skips, it ends with DownstreamTasksSkipped and pushes nothing
    results = {'airflow_follow': ['publish'], 'return_value': ['publish']} if latest else {'airflow_follow': []}
    skipped = False
    # For the dsl.If around the tasks it skips: True when Airflow would skip them
    results['airflow_skips:publish'] = not skipped and _airflow_not_followed('publish', results.get('airflow_follow'))
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def publish(
    logical_date: str,
    run_id: str,
    bash_command: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'publish' (BashOperator) from samples/dags/operators_control.py:20:15."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_render, _airflow_run_bash, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_control', task_id='publish', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = _airflow_render(bash_command, _airflow.context)
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def start_report(
    logical_date: str,
    run_id: str,
    trigger_dag_id: str,
    publish_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('trigger_run_id', str), ('airflow_skipped', bool)]):
    """Airflow task 'start_report' (TriggerDagRunOperator) from samples/dags/operators_control.py:21:20."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_render,
        _airflow_should_skip,
        _kfp_outputs,
        _airflow_trigger_pipeline,
        _airflow_kfp_api,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('trigger_run_id', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [publish_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_control', task_id='start_report', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    results, skipped = _airflow_trigger_pipeline(_airflow, dag_id=trigger_dag_id, conf={'message': _airflow_render('published {{ ds }}', _airflow.context)}, api=_airflow_kfp_api())
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE)
def publish_not_run():
    """Stands in for the tasks that run only when latest_only follows publish, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.pipeline(name='operators-control', description='Converted from Airflow DAG operators_control')
def operators_control_pipeline(logical_date: str = '', run_id: str = ''):
    # latest_only: LatestOnlyOperator -> component deciding like the operator (a branch following all or nothing) (native)
    latest_only_task = latest_only(logical_date=logical_date, run_id=run_id)
    latest_only_task.set_display_name('latest_only')
    # Airflow runs these tasks only when latest_only follows publish: otherwise they do not start
    with dsl.If(latest_only_task.outputs['airflow_skips_publish'] == False):
        # publish: BashOperator -> bash lightweight component (native)
        publish_task = publish(
            logical_date=logical_date,
            run_id=run_id,
            bash_command='echo publishing {{ ds }}',
        )
        publish_task.set_display_name('publish')
        publish_task.after(latest_only_task)
        # start_report: TriggerDagRunOperator -> component that starts the target pipeline with the KFP API (native)
        start_report_task = start_report(
            logical_date=logical_date,
            run_id=run_id,
            trigger_dag_id='operators_report',
            publish_skipped=publish_task.outputs['airflow_skipped'],
        )
        start_report_task.set_display_name('start_report')
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        publish_not_run_task = publish_not_run()
        publish_not_run_task.set_display_name('publish: skipped by latest_only')


if __name__ == "__main__":
    target = Path(__file__).with_name('operators_control.yaml')
    compiler.Compiler().compile(operators_control_pipeline, str(target))
