"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'control_flow_callbacks'.

Source: samples/dags/control_flow_callbacks.py
Schedule in Airflow: none (runs when triggered)
Tags: sample, control-flow

Compile with `python {this file}` (writes control_flow_callbacks.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def work(
    logical_date: str,
    run_id: str,
    param_fail: bool,
) -> NamedTuple("Outputs", [('return_value', int)]):
    """Airflow task 'work' (@task) from samples/dags/control_flow_callbacks.py:94:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_task_callbacks,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_callbacks', task_id='work', logical_date=logical_date, run_id=run_id,
        params={'fail': param_fail}, xcom=xcom,
    )
    # Task callbacks: Airflow 3 runs them in the task's process, around its work
    import os
    def record(context, kind):
        path = os.environ.get("CALLBACK_LOG")
        ti = context["ti"]
        line = f"{ti.task_id} {kind} {ti.try_number}"
        if "exception" in context:
            line += f" {type(context['exception']).__name__}"
        print("callback:", line)
        if path:
            with open(path, "a") as handle:
                handle.write(line + "\n")
    def on_failure(context):
        record(context, "failure")
    def on_success(context):
        record(context, "success")
    def on_retry(context):
        record(context, "retry")
    def on_execute(context):
        record(context, "execute")
    _callbacks = {'on_failure_callback': [on_failure], 'on_success_callback': [on_success], 'on_retry_callback': [on_retry], 'on_execute_callback': [on_execute]}
    _airflow_task_callbacks(_callbacks, 'on_execute_callback', _airflow.context)
    try:
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_callbacks.py:63:5).
        def work() -> int:
            return 1
        results, skipped = _airflow_call_python(_airflow, work, _op_args, _op_kwargs)
    except Exception as _error:
        _airflow_task_callbacks(_callbacks, 'on_failure_callback', dict(_airflow.context, exception=_error))
        raise
    _airflow_task_callbacks(_callbacks, 'on_skipped_callback' if skipped else 'on_success_callback',
                            dict(_airflow.context, exception=None))  # Airflow's finalize sets it, None here
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def flaky(
    logical_date: str,
    run_id: str,
    param_fail: bool,
    airflow_retry_index: str,
    airflow_attempts: dsl.OutputPath(str),
) -> NamedTuple("Outputs", [('return_value', int)]):
    """Airflow task 'flaky' (@task) from samples/dags/control_flow_callbacks.py:94:15."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_task_callbacks,
        _airflow_attempt,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_callbacks', task_id='flaky', logical_date=logical_date, run_id=run_id,
        params={'fail': param_fail}, xcom=xcom,
    )
    # Task callbacks: Airflow 3 runs them in the task's process, around its work
    import os
    def record(context, kind):
        path = os.environ.get("CALLBACK_LOG")
        ti = context["ti"]
        line = f"{ti.task_id} {kind} {ti.try_number}"
        if "exception" in context:
            line += f" {type(context['exception']).__name__}"
        print("callback:", line)
        if path:
            with open(path, "a") as handle:
                handle.write(line + "\n")
    def on_failure(context):
        record(context, "failure")
    def on_success(context):
        record(context, "success")
    def on_retry(context):
        record(context, "retry")
    _callbacks = {'on_failure_callback': [on_failure], 'on_success_callback': [on_success], 'on_retry_callback': [on_retry]}
    _airflow.context['ti'].try_number = _airflow_attempt(airflow_retry_index, airflow_attempts)
    _airflow_task_callbacks(_callbacks, 'on_execute_callback', _airflow.context)
    try:
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_callbacks.py:67:5).
        def flaky(ti=None) -> int:
            if ti.try_number < 3:
                raise ValueError(f"try {ti.try_number} fails")
            return ti.try_number
        results, skipped = _airflow_call_python(_airflow, flaky, _op_args, _op_kwargs)
    except Exception as _error:
        _airflow_task_callbacks(_callbacks, 'on_retry_callback' if _airflow.context['ti'].try_number <= 2 and not isinstance(_error, _airflow.AirflowFailException) else 'on_failure_callback', dict(_airflow.context, exception=_error))
        raise
    _airflow_task_callbacks(_callbacks, 'on_skipped_callback' if skipped else 'on_success_callback',
                            dict(_airflow.context, exception=None))  # Airflow's finalize sets it, None here
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def doomed(
    logical_date: str,
    run_id: str,
    param_fail: bool,
    airflow_retry_index: str,
    airflow_attempts: dsl.OutputPath(str),
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'doomed' (@task) from samples/dags/control_flow_callbacks.py:95:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_task_callbacks,
        _airflow_attempt,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_callbacks', task_id='doomed', logical_date=logical_date, run_id=run_id,
        params={'fail': param_fail}, xcom=xcom,
    )
    # Task callbacks: Airflow 3 runs them in the task's process, around its work
    import os
    def record(context, kind):
        path = os.environ.get("CALLBACK_LOG")
        ti = context["ti"]
        line = f"{ti.task_id} {kind} {ti.try_number}"
        if "exception" in context:
            line += f" {type(context['exception']).__name__}"
        print("callback:", line)
        if path:
            with open(path, "a") as handle:
                handle.write(line + "\n")
    def on_failure(context):
        record(context, "failure")
    def on_retry(context):
        record(context, "retry")
    _callbacks = {'on_failure_callback': [on_failure], 'on_retry_callback': [on_retry]}
    _airflow.context['ti'].try_number = _airflow_attempt(airflow_retry_index, airflow_attempts)
    _airflow_task_callbacks(_callbacks, 'on_execute_callback', _airflow.context)
    try:
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_callbacks.py:73:5).
        def doomed(params=None) -> str:
            if params["fail"]:
                raise RuntimeError("asked to fail")
            return "fine"
        results, skipped = _airflow_call_python(_airflow, doomed, _op_args, _op_kwargs)
    except Exception as _error:
        _airflow_task_callbacks(_callbacks, 'on_retry_callback' if _airflow.context['ti'].try_number <= 1 and not isinstance(_error, _airflow.AirflowFailException) else 'on_failure_callback', dict(_airflow.context, exception=_error))
        raise
    _airflow_task_callbacks(_callbacks, 'on_skipped_callback' if skipped else 'on_success_callback',
                            dict(_airflow.context, exception=None))  # Airflow's finalize sets it, None here
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def skipper(
    logical_date: str,
    run_id: str,
    param_fail: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'skipper' (@task) from samples/dags/control_flow_callbacks.py:96:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_task_callbacks,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_callbacks', task_id='skipper', logical_date=logical_date, run_id=run_id,
        params={'fail': param_fail}, xcom=xcom,
    )
    # Task callbacks: Airflow 3 runs them in the task's process, around its work
    import os
    def record(context, kind):
        path = os.environ.get("CALLBACK_LOG")
        ti = context["ti"]
        line = f"{ti.task_id} {kind} {ti.try_number}"
        if "exception" in context:
            line += f" {type(context['exception']).__name__}"
        print("callback:", line)
        if path:
            with open(path, "a") as handle:
                handle.write(line + "\n")
    def on_failure(context):
        record(context, "failure")
    def on_success(context):
        record(context, "success")
    def on_retry(context):
        record(context, "retry")
    def on_skipped(context):
        record(context, "skipped")
    _callbacks = {'on_failure_callback': [on_failure], 'on_success_callback': [on_success], 'on_retry_callback': [on_retry], 'on_skipped_callback': [on_skipped]}
    _airflow_task_callbacks(_callbacks, 'on_execute_callback', _airflow.context)
    try:
        _op_args = []
        _op_kwargs = {}
        # Airflow names the callable uses, provided by the kfmigrate run-time shim.
        AirflowSkipException = _airflow.AirflowSkipException
        # The task callable (samples/dags/control_flow_callbacks.py:79:5).
        def skipper():
            raise AirflowSkipException("nothing to do")
        results, skipped = _airflow_call_python(_airflow, skipper, _op_args, _op_kwargs)
    except Exception as _error:
        _airflow_task_callbacks(_callbacks, 'on_failure_callback', dict(_airflow.context, exception=_error))
        raise
    _airflow_task_callbacks(_callbacks, 'on_skipped_callback' if skipped else 'on_success_callback',
                            dict(_airflow.context, exception=None))  # Airflow's finalize sets it, None here
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def pick(
    logical_date: str,
    run_id: str,
    param_fail: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_follow', list), ('airflow_skips_taken', bool), ('airflow_skips_not_taken', bool)]):
    """Airflow task 'pick' (@task.branch) from samples/dags/control_flow_callbacks.py:97:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_branch_ids,
        _airflow_not_followed,
        _kfp_outputs,
        _airflow_task_callbacks,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_follow', 'list'), ('airflow_skips:taken', 'bool'), ('airflow_skips:not_taken', 'bool')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_callbacks', task_id='pick', logical_date=logical_date, run_id=run_id,
        params={'fail': param_fail}, xcom=xcom,
    )
    # Task callbacks: Airflow 3 runs them in the task's process, around its work
    import os
    def record(context, kind):
        path = os.environ.get("CALLBACK_LOG")
        ti = context["ti"]
        line = f"{ti.task_id} {kind} {ti.try_number}"
        if "exception" in context:
            line += f" {type(context['exception']).__name__}"
        print("callback:", line)
        if path:
            with open(path, "a") as handle:
                handle.write(line + "\n")
    def on_failure(context):
        record(context, "failure")
    def on_retry(context):
        record(context, "retry")
    _callbacks = {'on_failure_callback': [on_failure], 'on_retry_callback': [on_retry]}
    _airflow_task_callbacks(_callbacks, 'on_execute_callback', _airflow.context)
    try:
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_callbacks.py:83:5).
        def pick() -> str:
            return "taken"
        results, skipped = _airflow_call_python(_airflow, pick, _op_args, _op_kwargs)
        # A branch: the task ids (or task group ids) to follow; its other direct downstream tasks are skipped.
        follow = [] if skipped else _airflow_branch_ids(results.get('return_value'))
        if not skipped and any(_airflow_not_followed(task_id, follow) for task_id in ['taken', 'not_taken']):
            results.pop('return_value', None)  # Airflow 3 raised DownstreamTasksSkipped: no return value
        results['airflow_follow'] = follow
    except Exception as _error:
        _airflow_task_callbacks(_callbacks, 'on_failure_callback', dict(_airflow.context, exception=_error))
        raise
    _airflow_task_callbacks(_callbacks, 'on_skipped_callback' if skipped else 'on_success_callback',
                            dict(_airflow.context, exception=None))  # Airflow's finalize sets it, None here
    # For the dsl.If around the tasks it skips: True when Airflow would skip them
    results['airflow_skips:taken'] = not skipped and _airflow_not_followed('taken', results.get('airflow_follow'))
    results['airflow_skips:not_taken'] = not skipped and _airflow_not_followed('not_taken', results.get('airflow_follow'))
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def taken(
    logical_date: str,
    run_id: str,
    param_fail: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'taken' (@task) from samples/dags/control_flow_callbacks.py:97:16."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_task_callbacks,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_callbacks', task_id='taken', logical_date=logical_date, run_id=run_id,
        params={'fail': param_fail}, xcom=xcom,
    )
    # Task callbacks: Airflow 3 runs them in the task's process, around its work
    import os
    def record(context, kind):
        path = os.environ.get("CALLBACK_LOG")
        ti = context["ti"]
        line = f"{ti.task_id} {kind} {ti.try_number}"
        if "exception" in context:
            line += f" {type(context['exception']).__name__}"
        print("callback:", line)
        if path:
            with open(path, "a") as handle:
                handle.write(line + "\n")
    def on_failure(context):
        record(context, "failure")
    def on_success(context):
        record(context, "success")
    def on_retry(context):
        record(context, "retry")
    _callbacks = {'on_failure_callback': [on_failure], 'on_success_callback': [on_success], 'on_retry_callback': [on_retry]}
    _airflow_task_callbacks(_callbacks, 'on_execute_callback', _airflow.context)
    try:
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_callbacks.py:87:5).
        def taken() -> str:
            return "taken"
        results, skipped = _airflow_call_python(_airflow, taken, _op_args, _op_kwargs)
    except Exception as _error:
        _airflow_task_callbacks(_callbacks, 'on_failure_callback', dict(_airflow.context, exception=_error))
        raise
    _airflow_task_callbacks(_callbacks, 'on_skipped_callback' if skipped else 'on_success_callback',
                            dict(_airflow.context, exception=None))  # Airflow's finalize sets it, None here
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def not_taken(
    logical_date: str,
    run_id: str,
    param_fail: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'not_taken' (@task) from samples/dags/control_flow_callbacks.py:97:25."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_task_callbacks,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_callbacks', task_id='not_taken', logical_date=logical_date, run_id=run_id,
        params={'fail': param_fail}, xcom=xcom,
    )
    # Task callbacks: Airflow 3 runs them in the task's process, around its work
    import os
    def record(context, kind):
        path = os.environ.get("CALLBACK_LOG")
        ti = context["ti"]
        line = f"{ti.task_id} {kind} {ti.try_number}"
        if "exception" in context:
            line += f" {type(context['exception']).__name__}"
        print("callback:", line)
        if path:
            with open(path, "a") as handle:
                handle.write(line + "\n")
    def on_failure(context):
        record(context, "failure")
    def on_retry(context):
        record(context, "retry")
    def on_execute(context):
        record(context, "execute")
    def on_skipped(context):
        record(context, "skipped")
    _callbacks = {'on_failure_callback': [on_failure], 'on_retry_callback': [on_retry], 'on_execute_callback': [on_execute], 'on_skipped_callback': [on_skipped]}
    _airflow_task_callbacks(_callbacks, 'on_execute_callback', _airflow.context)
    try:
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_callbacks.py:91:5).
        def not_taken() -> str:
            return "never"
        results, skipped = _airflow_call_python(_airflow, not_taken, _op_args, _op_kwargs)
    except Exception as _error:
        _airflow_task_callbacks(_callbacks, 'on_failure_callback', dict(_airflow.context, exception=_error))
        raise
    _airflow_task_callbacks(_callbacks, 'on_skipped_callback' if skipped else 'on_success_callback',
                            dict(_airflow.context, exception=None))  # Airflow's finalize sets it, None here
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE)
def taken_not_run():
    """Stands in for the tasks that run only when pick follows taken, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.component(base_image=BASE_IMAGE)
def not_taken_not_run():
    """Stands in for the tasks that run only when pick follows not_taken, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.pipeline(name='control-flow-callbacks', description='Converted from Airflow DAG control_flow_callbacks')
def control_flow_callbacks_pipeline(fail: bool = False, logical_date: str = '', run_id: str = ''):
    # work: @task -> Python lightweight component (native)
    work_task = work(logical_date=logical_date, run_id=run_id, param_fail=fail)
    work_task.set_display_name('work')
    # flaky: @task -> Python lightweight component (native)
    flaky_task = flaky(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        airflow_retry_index='{{retries}}',
    )
    flaky_task.set_display_name('flaky')
    flaky_task.after(work_task)
    flaky_task.set_retry(num_retries=2, backoff_duration="0s", backoff_factor=1.0)
    # doomed: @task -> Python lightweight component (native)
    doomed_task = doomed(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        airflow_retry_index='{{retries}}',
    )
    doomed_task.set_display_name('doomed')
    doomed_task.set_retry(num_retries=1, backoff_duration="0s", backoff_factor=1.0)
    # skipper: @task -> Python lightweight component (native)
    skipper_task = skipper(logical_date=logical_date, run_id=run_id, param_fail=fail)
    skipper_task.set_display_name('skipper')
    # pick: @task.branch -> Python lightweight component choosing the branch (native)
    pick_task = pick(logical_date=logical_date, run_id=run_id, param_fail=fail)
    pick_task.set_display_name('pick')
    # Airflow runs these tasks only when pick follows taken: otherwise they do not start
    with dsl.If(pick_task.outputs['airflow_skips_taken'] == False):
        # taken: @task -> Python lightweight component (native)
        taken_task = taken(logical_date=logical_date, run_id=run_id, param_fail=fail)
        taken_task.set_display_name('taken')
        taken_task.after(pick_task)
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        taken_not_run_task = taken_not_run()
        taken_not_run_task.set_display_name('taken: skipped by pick')
    # Airflow runs these tasks only when pick follows not_taken: otherwise they do not start
    with dsl.If(pick_task.outputs['airflow_skips_not_taken'] == False):
        # not_taken: @task -> Python lightweight component (native)
        not_taken_task = not_taken(logical_date=logical_date, run_id=run_id, param_fail=fail)
        not_taken_task.set_display_name('not_taken')
        not_taken_task.after(pick_task)
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        not_taken_not_run_task = not_taken_not_run()
        not_taken_not_run_task.set_display_name('not_taken: skipped by pick')


if __name__ == "__main__":
    target = Path(__file__).with_name('control_flow_callbacks.yaml')
    compiler.Compiler().compile(control_flow_callbacks_pipeline, str(target))
