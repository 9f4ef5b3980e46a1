"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'operators_waiting'.

Source: samples/dags/operators_waiting.py
Schedule in Airflow: preset '@daily', start_date 2024-01-01T00:00:00+00:00
  (not part of the pipeline: create a KFP recurring run for it)

Compile with `python {this file}` (writes operators_waiting.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def upstream_loaded(
    logical_date: str,
    run_id: str,
    external_dag_id: str,
    external_task_id: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'upstream_loaded' (ExternalTaskSensor) from samples/dags/operators_waiting.py:16:23."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _kfp_outputs,
        _airflow_sensor,
        _airflow_kfp_api,
        _airflow_external_task_poke,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_waiting', task_id='upstream_loaded', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _external_dag_id = external_dag_id
    import datetime as _dt
    _dates = [_airflow.context['logical_date'] - _dt.timedelta(seconds=3600.0)]
    _kfp = _airflow_kfp_api()
    def _poke():
        return _airflow_external_task_poke(_airflow, _kfp, _external_dag_id, _dates, task_ids=[external_task_id], failed_states=['failed'])
    results, skipped = _airflow_sensor(_airflow, _poke, poke_interval=60.0, timeout=3600.0)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def release_notes(
    logical_date: str,
    run_id: str,
    subject: str,
    upstream_loaded_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'release_notes' (HITLEntryOperator) from samples/dags/operators_waiting.py:26:15."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_render,
        _airflow_should_skip,
        _kfp_outputs,
        _airflow_hitl_wait,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [upstream_loaded_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_waiting', task_id='release_notes', logical_date=logical_date, run_id=run_id,
        params={**{'notes': ''}}, xcom=xcom,
    )
    _answer = _airflow_hitl_wait(
        _airflow,
        subject=_airflow_render(subject, _airflow.context),
        options=['OK'],
        defaults=['OK'],
        params={'notes': {'default': '', 'type': None}},
        timeout=14400.0,
        poke_interval=5.0,
    )
    results, skipped = {'return_value': _answer}, False
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def approve_release(
    logical_date: str,
    run_id: str,
    subject: str,
    body: str,
    release_notes__return_value: str,
    release_notes_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_condition', bool), ('airflow_skips', bool), ('airflow_skipped', bool)]):
    """Airflow task 'approve_release' (ApprovalOperator) from samples/dags/operators_waiting.py:32:15."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_render,
        _airflow_should_skip,
        _kfp_outputs,
        _from_json,
        _airflow_hitl_wait,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_condition', 'bool'), ('airflow_skips:*', 'bool'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [release_notes_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {('release_notes', 'return_value'): _from_json(release_notes__return_value)}
    _airflow = _airflow_runtime(
        dag_id='operators_waiting', task_id='approve_release', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _answer = _airflow_hitl_wait(
        _airflow,
        subject=_airflow_render(subject, _airflow.context),
        options=['Approve', 'Reject'],
        body=_airflow_render(body, _airflow.context),
        defaults=['Reject'],
        timeout=28800.0,
        poke_interval=5.0,
    )
    results, skipped = {'return_value': _answer}, False
    _approved = _answer['chosen_options'][0] == 'Approve'
    # Reject skips the tasks downstream (as a false short circuit); the answer is still the XCom value
    results['airflow_condition'] = _approved
    # For the dsl.If around the tasks it skips: True when Airflow would skip them
    results['airflow_skips:*'] = not skipped and results.get('airflow_condition') is False
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def choose_channel(
    logical_date: str,
    run_id: str,
    subject: str,
    approve_release_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_follow', list), ('airflow_skips_publish_stable', bool), ('airflow_skips_publish_beta', bool), ('airflow_skipped', bool)]):
    """Airflow task 'choose_channel' (HITLBranchOperator) from samples/dags/operators_waiting.py:39:15."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_should_skip,
        _airflow_branch_ids,
        _airflow_not_followed,
        _kfp_outputs,
        _airflow_hitl_wait,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_follow', 'list'), ('airflow_skips:publish_stable', 'bool'), ('airflow_skips:publish_beta', 'bool'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [approve_release_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_waiting', task_id='choose_channel', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _answer = _airflow_hitl_wait(
        _airflow,
        subject=subject,
        options=['Stable', 'Beta'],
        poke_interval=5.0,
    )
    results, skipped = {'return_value': _answer}, False
    _chosen = [{'Stable': 'publish_stable', 'Beta': 'publish_beta'}.get(option, option) for option in _answer['chosen_options']]
    results = {'return_value': _chosen}
    # A branch: the task ids (or task group ids) to follow; its other direct downstream tasks are skipped.
    follow = [] if skipped else _airflow_branch_ids(_chosen)
    if not skipped and any(_airflow_not_followed(task_id, follow) for task_id in ['publish_stable', 'publish_beta']):
        results.pop('return_value', None)  # Airflow 3 raised DownstreamTasksSkipped: no return value
    results['airflow_follow'] = follow
    # For the dsl.If around the tasks it skips: True when Airflow would skip them
    results['airflow_skips:publish_stable'] = not skipped and _airflow_not_followed('publish_stable', results.get('airflow_follow'))
    results['airflow_skips:publish_beta'] = not skipped and _airflow_not_followed('publish_beta', results.get('airflow_follow'))
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def publish_stable(
    choose_channel_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'publish_stable' (@task) from samples/dags/operators_waiting.py:54:58."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_should_skip,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [choose_channel_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_waiting', task_id='publish_stable', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/operators_waiting.py:47:5).
    def publish_stable():
        return "stable"
    results, skipped = _airflow_call_python(_airflow, publish_stable, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def publish_beta(
    choose_channel_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'publish_beta' (@task) from samples/dags/operators_waiting.py:54:76."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_should_skip,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [choose_channel_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_waiting', task_id='publish_beta', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/operators_waiting.py:51:5).
    def publish_beta():
        return "beta"
    results, skipped = _airflow_call_python(_airflow, publish_beta, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE)
def approve_release_not_run():
    """Stands in for the tasks that run only when approve_release is true, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.component(base_image=BASE_IMAGE)
def publish_stable_not_run():
    """Stands in for the tasks that run only when choose_channel follows publish_stable, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.component(base_image=BASE_IMAGE)
def publish_beta_not_run():
    """Stands in for the tasks that run only when choose_channel follows publish_beta, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.pipeline(name='operators-waiting', description='Converted from Airflow DAG operators_waiting')
def operators_waiting_pipeline(logical_date: str = '', run_id: str = ''):
    # upstream_loaded: ExternalTaskSensor -> polling component watching the runs of pipeline 'operators-upstream' through the KFP API (native)
    upstream_loaded_task = upstream_loaded(
        logical_date=logical_date,
        run_id=run_id,
        external_dag_id='operators_upstream',
        external_task_id='load',
    )
    upstream_loaded_task.set_display_name('upstream_loaded')
    # release_notes: HITLEntryOperator -> component waiting for an answer in a Kubernetes ConfigMap (native)
    release_notes_task = release_notes(
        logical_date=logical_date,
        run_id=run_id,
        subject='Release notes for {{ ds }}?',
        upstream_loaded_skipped=upstream_loaded_task.outputs['airflow_skipped'],
    )
    release_notes_task.set_display_name('release_notes')
    # approve_release: ApprovalOperator -> component waiting for an answer in a Kubernetes ConfigMap (native)
    approve_release_task = approve_release(
        logical_date=logical_date,
        run_id=run_id,
        subject='Release {{ ds }}?',
        body="Notes: {{ ti.xcom_pull(task_ids='release_notes')['params_input']['notes'] }}",
        release_notes__return_value=release_notes_task.outputs['return_value'],
        release_notes_skipped=release_notes_task.outputs['airflow_skipped'],
    )
    approve_release_task.set_display_name('approve_release')
    # Airflow runs these tasks only when approve_release is true: otherwise they do not start
    with dsl.If(approve_release_task.outputs['airflow_skips'] == False):
        # choose_channel: HITLBranchOperator -> component waiting for an answer in a Kubernetes ConfigMap (native)
        choose_channel_task = choose_channel(
            logical_date=logical_date,
            run_id=run_id,
            subject='Where to publish?',
            approve_release_skipped=approve_release_task.outputs['airflow_skipped'],
        )
        choose_channel_task.set_display_name('choose_channel')
        # Airflow runs these tasks only when choose_channel follows publish_stable: otherwise they do not start
        with dsl.If(choose_channel_task.outputs['airflow_skips_publish_stable'] == False):
            # publish_stable: @task -> Python lightweight component (native)
            publish_stable_task = publish_stable(
                choose_channel_skipped=choose_channel_task.outputs['airflow_skipped'],
            )
            publish_stable_task.set_display_name('publish_stable')
        with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
            publish_stable_not_run_task = publish_stable_not_run()
            publish_stable_not_run_task.set_display_name('publish_stable: skipped by choose_channel')
        # Airflow runs these tasks only when choose_channel follows publish_beta: otherwise they do not start
        with dsl.If(choose_channel_task.outputs['airflow_skips_publish_beta'] == False):
            # publish_beta: @task -> Python lightweight component (native)
            publish_beta_task = publish_beta(
                choose_channel_skipped=choose_channel_task.outputs['airflow_skipped'],
            )
            publish_beta_task.set_display_name('publish_beta')
        with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
            publish_beta_not_run_task = publish_beta_not_run()
            publish_beta_not_run_task.set_display_name('publish_beta: skipped by choose_channel')
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        approve_release_not_run_task = approve_release_not_run()
        approve_release_not_run_task.set_display_name('skipped by the short circuit approve_release')


if __name__ == "__main__":
    target = Path(__file__).with_name('operators_waiting.yaml')
    compiler.Compiler().compile(operators_waiting_pipeline, str(target))
