"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'control_flow_trigger_rules'.

Source: samples/dags/control_flow_trigger_rules.py
Schedule in Airflow: none (runs when triggered)
Tags: sample, control-flow

Compile with `python {this file}` (writes control_flow_trigger_rules.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def source(
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'source' (@task) from samples/dags/control_flow_trigger_rules.py:61:29."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='source', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:39:5).
        def source() -> int:
            return 1
        results, skipped = _airflow_call_python(_airflow, source, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def breaks(
    param_fail: str,
    airflow_retry_index: str,
    airflow_attempts: dsl.OutputPath(str),
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'breaks' (@task) from samples/dags/control_flow_trigger_rules.py:61:39."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_attempt,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='breaks', logical_date='', run_id='',
            params={'fail': param_fail}, xcom=xcom,
        )
        _airflow.context['ti'].try_number = _airflow_attempt(airflow_retry_index, airflow_attempts)
        _op_args = []
        _op_kwargs = {}
        # From the DAG file: imports, constants and helpers the callable uses.
        def failing(params, name):
            if params["fail"] in ("all", name):
                raise ValueError(f"{name} fails (fail={params['fail']})")
        # The task callable (samples/dags/control_flow_trigger_rules.py:43:5).
        def breaks(params=None) -> int:
            failing(params, "breaks")
            return 2
        results, skipped = _airflow_call_python(_airflow, breaks, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 1, _airflow.context['ti'].try_number):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def flaky(
    logical_date: str,
    run_id: str,
    airflow_retry_index: str,
    airflow_attempts: dsl.OutputPath(str),
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'flaky' (@task) from samples/dags/control_flow_trigger_rules.py:61:49."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_attempt,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='flaky', logical_date=logical_date, run_id=run_id,
            params={}, xcom=xcom,
        )
        _airflow.context['ti'].try_number = _airflow_attempt(airflow_retry_index, airflow_attempts)
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:48:5).
        def flaky(ti=None) -> int:
            if ti.try_number < 2:
                raise RuntimeError(f"try {ti.try_number} fails")
            return ti.try_number
        results, skipped = _airflow_call_python(_airflow, flaky, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 2, _airflow.context['ti'].try_number):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_breaks(
    breaks__return_value: int,
    breaks_state: str,
    breaks_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_breaks' (@task) from samples/dags/control_flow_trigger_rules.py:62:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [breaks_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {('breaks', 'return_value'): None if breaks_skipped else breaks__return_value}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='after_breaks', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('breaks', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:54:5).
        def after_breaks(value: int) -> int:
            return value + 1
        results, skipped = _airflow_call_python(_airflow, after_breaks, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_flaky(
    flaky__return_value: int,
    flaky_state: str,
    flaky_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_flaky' (@task) from samples/dags/control_flow_trigger_rules.py:63:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [flaky_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {('flaky', 'return_value'): None if flaky_skipped else flaky__return_value}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='after_flaky', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('flaky', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:58:5).
        def after_flaky(value: int) -> int:
            return value * 10
        results, skipped = _airflow_call_python(_airflow, after_flaky, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def on_all_done(
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_all_done' (@task) from samples/dags/control_flow_trigger_rules.py:100:17."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='on_all_done', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:66:5).
        def on_all_done() -> str:
            return "all_done ran"
        results, skipped = _airflow_call_python(_airflow, on_all_done, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_on_all_done(
    on_all_done__return_value: str,
    on_all_done_state: str,
    on_all_done_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_all_done' (@task) from samples/dags/control_flow_trigger_rules.py:102:9."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [on_all_done_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {
            ('on_all_done', 'return_value'): None if on_all_done_skipped else on_all_done__return_value,
        }
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='after_on_all_done', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('on_all_done', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:94:5).
        def after_rule(value: str) -> str:
            return value + ", and so did the task after it"
        results, skipped = _airflow_call_python(_airflow, after_rule, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def on_one_failed(
    source_state: str,
    breaks_state: str,
    flaky_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_one_failed' (@task) from samples/dags/control_flow_trigger_rules.py:100:17."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('one_failed', [source_state, breaks_state, flaky_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='on_one_failed', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:70:5).
        def on_one_failed() -> str:
            return "one_failed ran"
        results, skipped = _airflow_call_python(_airflow, on_one_failed, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_on_one_failed(
    on_one_failed__return_value: str,
    on_one_failed_state: str,
    on_one_failed_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_one_failed' (@task) from samples/dags/control_flow_trigger_rules.py:102:9."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [on_one_failed_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {
            ('on_one_failed', 'return_value'): None if on_one_failed_skipped else on_one_failed__return_value,
        }
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='after_on_one_failed', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('on_one_failed', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:94:5).
        def after_rule(value: str) -> str:
            return value + ", and so did the task after it"
        results, skipped = _airflow_call_python(_airflow, after_rule, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def on_one_done(
    source_state: str,
    breaks_state: str,
    flaky_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_one_done' (@task) from samples/dags/control_flow_trigger_rules.py:100:17."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('one_done', [source_state, breaks_state, flaky_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='on_one_done', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:74:5).
        def on_one_done() -> str:
            return "one_done ran"
        results, skipped = _airflow_call_python(_airflow, on_one_done, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_on_one_done(
    on_one_done__return_value: str,
    on_one_done_state: str,
    on_one_done_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_one_done' (@task) from samples/dags/control_flow_trigger_rules.py:102:9."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [on_one_done_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {
            ('on_one_done', 'return_value'): None if on_one_done_skipped else on_one_done__return_value,
        }
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='after_on_one_done', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('on_one_done', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:94:5).
        def after_rule(value: str) -> str:
            return value + ", and so did the task after it"
        results, skipped = _airflow_call_python(_airflow, after_rule, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def on_none_failed(
    source_state: str,
    breaks_state: str,
    flaky_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_none_failed' (@task) from samples/dags/control_flow_trigger_rules.py:100:17."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('none_failed', [source_state, breaks_state, flaky_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='on_none_failed', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:78:5).
        def on_none_failed() -> str:
            return "none_failed ran"
        results, skipped = _airflow_call_python(_airflow, on_none_failed, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_on_none_failed(
    on_none_failed__return_value: str,
    on_none_failed_state: str,
    on_none_failed_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_none_failed' (@task) from samples/dags/control_flow_trigger_rules.py:102:9."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [on_none_failed_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {
            ('on_none_failed', 'return_value'): None if on_none_failed_skipped else on_none_failed__return_value,
        }
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='after_on_none_failed', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('on_none_failed', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:94:5).
        def after_rule(value: str) -> str:
            return value + ", and so did the task after it"
        results, skipped = _airflow_call_python(_airflow, after_rule, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def on_none_failed_min_one_success(
    source_state: str,
    breaks_state: str,
    flaky_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_none_failed_min_one_success' (@task) from samples/dags/control_flow_trigger_rules.py:100:17."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('none_failed_min_one_success', [source_state, breaks_state, flaky_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='on_none_failed_min_one_success', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:82:5).
        def on_none_failed_min_one_success() -> str:
            return "none_failed_min_one_success ran"
        results, skipped = _airflow_call_python(
            _airflow, on_none_failed_min_one_success, _op_args, _op_kwargs,
        )
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_on_none_failed_min_one_success(
    on_none_failed_min_one_success__return_value: str,
    on_none_failed_min_one_success_state: str,
    on_none_failed_min_one_success_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_none_failed_min_one_success' (@task) from samples/dags/control_flow_trigger_rules.py:102:9."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [on_none_failed_min_one_success_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {
            ('on_none_failed_min_one_success', 'return_value'): None if on_none_failed_min_one_success_skipped else on_none_failed_min_one_success__return_value,
        }
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='after_on_none_failed_min_one_success', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('on_none_failed_min_one_success', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:94:5).
        def after_rule(value: str) -> str:
            return value + ", and so did the task after it"
        results, skipped = _airflow_call_python(_airflow, after_rule, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def on_always(
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_always' (@task) from samples/dags/control_flow_trigger_rules.py:100:17."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='on_always', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:86:5).
        def on_always() -> str:
            return "always ran"
        results, skipped = _airflow_call_python(_airflow, on_always, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_on_always(
    on_always__return_value: str,
    on_always_state: str,
    on_always_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_always' (@task) from samples/dags/control_flow_trigger_rules.py:102:9."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [on_always_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {
            ('on_always', 'return_value'): None if on_always_skipped else on_always__return_value,
        }
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='after_on_always', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('on_always', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:94:5).
        def after_rule(value: str) -> str:
            return value + ", and so did the task after it"
        results, skipped = _airflow_call_python(_airflow, after_rule, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def on_all_failed(
    breaks_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_all_failed' (@task) from samples/dags/control_flow_trigger_rules.py:103:18."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_failed', [breaks_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='on_all_failed', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:90:5).
        def on_all_failed() -> str:
            return "all_failed ran"
        results, skipped = _airflow_call_python(_airflow, on_all_failed, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_on_all_failed(
    on_all_failed__return_value: str,
    on_all_failed_state: str,
    on_all_failed_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_all_failed' (@task) from samples/dags/control_flow_trigger_rules.py:105:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [on_all_failed_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {
            ('on_all_failed', 'return_value'): None if on_all_failed_skipped else on_all_failed__return_value,
        }
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='after_on_all_failed', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('on_all_failed', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:94:5).
        def after_rule(value: str) -> str:
            return value + ", and so did the task after it"
        results, skipped = _airflow_call_python(_airflow, after_rule, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def setup_resource(
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'setup_resource' (@setup) from samples/dags/control_flow_trigger_rules.py:124:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='setup_resource', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:108:5).
        def setup_resource() -> str:
            return "resource"
        results, skipped = _airflow_call_python(_airflow, setup_resource, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def use_resource(
    param_fail: str,
    setup_resource_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'use_resource' (@task) from samples/dags/control_flow_trigger_rules.py:124:25."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [setup_resource_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='use_resource', logical_date='', run_id='',
            params={'fail': param_fail}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # From the DAG file: imports, constants and helpers the callable uses.
        def failing(params, name):
            if params["fail"] in ("all", name):
                raise ValueError(f"{name} fails (fail={params['fail']})")
        # The task callable (samples/dags/control_flow_trigger_rules.py:112:5).
        def use_resource(params=None) -> str:
            failing(params, "use_resource")
            return "used"
        results, skipped = _airflow_call_python(_airflow, use_resource, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def teardown_resource(
    use_resource_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'teardown_resource' (@teardown) from samples/dags/control_flow_trigger_rules.py:124:43."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_done_setup_success', [use_resource_state], [])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='teardown_resource', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:117:5).
        def teardown_resource() -> str:
            return "released"
        results, skipped = _airflow_call_python(_airflow, teardown_resource, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def report_teardown(
    teardown_resource_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'report_teardown' (@task) from samples/dags/control_flow_trigger_rules.py:124:66."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [teardown_resource_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='report_teardown', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:121:5).
        def report_teardown() -> str:
            return "reported"
        results, skipped = _airflow_call_python(_airflow, report_teardown, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def pick(
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_follow', list), ('airflow_skips_in_branch_breaks', bool), ('airflow_skips_not_taken', bool), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'pick' (@task.branch) from samples/dags/control_flow_trigger_rules.py:148:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_branch_ids,
        _airflow_not_followed,
        _kfp_outputs,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_follow', 'list'), ('airflow_skips:in_branch_breaks', 'bool'), ('airflow_skips:not_taken', 'bool'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='pick', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:127:5).
        def pick() -> str:
            return "in_branch_breaks"
        results, skipped = _airflow_call_python(_airflow, pick, _op_args, _op_kwargs)
        # A branch: the task ids (or task group ids) to follow; its other direct downstream tasks are skipped.
        follow = [] if skipped else _airflow_branch_ids(results.get('return_value'))
        if not skipped and any(_airflow_not_followed(task_id, follow) for task_id in ['in_branch_breaks', 'not_taken']):
            results.pop('return_value', None)  # Airflow 3 raised DownstreamTasksSkipped: no return value
        results['airflow_follow'] = follow
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    # For the dsl.If around the tasks it skips: True when Airflow would skip them
    results['airflow_skips:in_branch_breaks'] = not skipped and _airflow_not_followed('in_branch_breaks', results.get('airflow_follow'))
    results['airflow_skips:not_taken'] = not skipped and _airflow_not_followed('not_taken', results.get('airflow_follow'))
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def in_branch_breaks(
    param_fail: str,
    pick_state: str,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'in_branch_breaks' (@task) from samples/dags/control_flow_trigger_rules.py:147:13."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [pick_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='in_branch_breaks', logical_date='', run_id='',
            params={'fail': param_fail}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # From the DAG file: imports, constants and helpers the callable uses.
        def failing(params, name):
            if params["fail"] in ("all", name):
                raise ValueError(f"{name} fails (fail={params['fail']})")
        # The task callable (samples/dags/control_flow_trigger_rules.py:131:5).
        def in_branch_breaks(params=None) -> int:
            failing(params, "in_branch_breaks")
            return 3
        results, skipped = _airflow_call_python(_airflow, in_branch_breaks, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def not_taken(
    pick_state: str,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'not_taken' (@task) from samples/dags/control_flow_trigger_rules.py:148:23."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [pick_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='not_taken', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:136:5).
        def not_taken() -> int:
            return 4
        results, skipped = _airflow_call_python(_airflow, not_taken, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def in_branch_cleanup(
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'in_branch_cleanup' (@task) from samples/dags/control_flow_trigger_rules.py:149:15."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='in_branch_cleanup', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:140:5).
        def in_branch_cleanup() -> str:
            return "branch cleaned"
        results, skipped = _airflow_call_python(_airflow, in_branch_cleanup, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def in_branch_after(
    in_branch_cleanup__return_value: str,
    in_branch_cleanup_state: str,
    in_branch_cleanup_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'in_branch_after' (@task) from samples/dags/control_flow_trigger_rules.py:151:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [in_branch_cleanup_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {
            ('in_branch_cleanup', 'return_value'): None if in_branch_cleanup_skipped else in_branch_cleanup__return_value,
        }
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='in_branch_after', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('in_branch_cleanup', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:144:5).
        def in_branch_after(value: str) -> str:
            return value + " and reported"
        results, skipped = _airflow_call_python(_airflow, in_branch_after, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def per_item_item_work(
    param_fail: str,
    map_item: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'per_item.item_work' (@task) from samples/dags/control_flow_trigger_rules.py:170:9."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _from_json,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        x = _from_json(map_item)  # the mapped argument
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='per_item.item_work', logical_date='', run_id='',
            params={'fail': param_fail}, xcom=xcom,
        )
        _op_args = [x]
        _op_kwargs = {}
        # From the DAG file: imports, constants and helpers the callable uses.
        def failing(params, name):
            if params["fail"] in ("all", name):
                raise ValueError(f"{name} fails (fail={params['fail']})")
        # The task callable (samples/dags/control_flow_trigger_rules.py:156:9).
        def item_work(x: int, params=None) -> int:
            if x == 2:
                failing(params, "item_work")
            return x * 100
        results, skipped = _airflow_call_python(_airflow, item_work, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def per_item_item_done(
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'per_item.item_done' (@task) from samples/dags/control_flow_trigger_rules.py:169:16."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='per_item.item_done', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:162:9).
        def item_done() -> str:
            return "item done"
        results, skipped = _airflow_call_python(_airflow, item_done, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def per_item_item_after(
    per_item_item_done__return_value: str,
    per_item_item_done_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'per_item.item_after' (@task) from samples/dags/control_flow_trigger_rules.py:171:9."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _from_json,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [per_item_item_done_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {
            ('per_item.item_done', 'return_value'): _from_json(per_item_item_done__return_value),
        }
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='per_item.item_after', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('per_item.item_done', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:166:9).
        def item_after(value: str) -> str:
            return value + " and after"
        results, skipped = _airflow_call_python(_airflow, item_after, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def double(
    param_fail: str,
    map_item: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'double' (@task) from samples/dags/control_flow_trigger_rules.py:190:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _from_json,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        x = _from_json(map_item)  # the mapped argument
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='double', logical_date='', run_id='',
            params={'fail': param_fail}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {'x': x}
        # From the DAG file: imports, constants and helpers the callable uses.
        def failing(params, name):
            if params["fail"] in ("all", name):
                raise ValueError(f"{name} fails (fail={params['fail']})")
        # The task callable (samples/dags/control_flow_trigger_rules.py:176:5).
        def double(x: int, params=None) -> int:
            if x == 2:
                failing(params, "double")
            return 2 * x
        results, skipped = _airflow_call_python(_airflow, double, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def doubled_done(
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'doubled_done' (@task) from samples/dags/control_flow_trigger_rules.py:189:14."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='doubled_done', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:182:5).
        def doubled_done() -> str:
            return "fan-in ran"
        results, skipped = _airflow_call_python(_airflow, doubled_done, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_doubled(
    doubled_done__return_value: str,
    doubled_done_state: str,
    doubled_done_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_doubled' (@task) from samples/dags/control_flow_trigger_rules.py:191:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_trigger,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # What would Airflow do, given its upstream tasks' states? (trigger rule, branches, short circuits)
    _state = _airflow_trigger('all_success', [doubled_done_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {
            ('doubled_done', 'return_value'): None if doubled_done_skipped else doubled_done__return_value,
        }
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='after_doubled', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('doubled_done', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:186:5).
        def after_doubled(value: str) -> str:
            return value + " and after"
        results, skipped = _airflow_call_python(_airflow, after_doubled, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def absorbed(
    param_fail: str,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'absorbed' (@task) from samples/dags/control_flow_trigger_rules.py:202:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='absorbed', logical_date='', run_id='',
            params={'fail': param_fail}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # From the DAG file: imports, constants and helpers the callable uses.
        def failing(params, name):
            if params["fail"] in ("all", name):
                raise ValueError(f"{name} fails (fail={params['fail']})")
        # The task callable (samples/dags/control_flow_trigger_rules.py:194:5).
        def absorbed(params=None) -> int:
            failing(params, "absorbed")
            return 5
        results, skipped = _airflow_call_python(_airflow, absorbed, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def absorbed_cleanup(
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'absorbed_cleanup' (@task) from samples/dags/control_flow_trigger_rules.py:202:19."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='absorbed_cleanup', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_trigger_rules.py:199:5).
        def absorbed_cleanup() -> str:
            return "absorbed"
        results, skipped = _airflow_call_python(_airflow, absorbed_cleanup, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def dag_run_state(
    after_breaks_state: str,
    after_flaky_state: str,
    after_on_all_done_state: str,
    after_on_one_failed_state: str,
    after_on_one_done_state: str,
    after_on_none_failed_state: str,
    after_on_none_failed_min_one_success_state: str,
    after_on_always_state: str,
    after_on_all_failed_state: str,
    use_resource_state: str,
    report_teardown_state: str,
    not_taken_state: str,
    in_branch_after_state: str,
    per_item_item_after_state: list,
    after_doubled_state: str,
    absorbed_cleanup_state: str,
):
    """The DAG run's state (kfmigrate): Fails the pipeline when Airflow would fail the DAG run: a leaf task failed or upstream_failed."""
    from kfmigrate_runtime import _airflow_dag_run_state
    _airflow_dag_run_state({'after_breaks': [after_breaks_state], 'after_flaky': [after_flaky_state], 'after_on_all_done': [after_on_all_done_state], 'after_on_one_failed': [after_on_one_failed_state], 'after_on_one_done': [after_on_one_done_state], 'after_on_none_failed': [after_on_none_failed_state], 'after_on_none_failed_min_one_success': [after_on_none_failed_min_one_success_state], 'after_on_always': [after_on_always_state], 'after_on_all_failed': [after_on_all_failed_state], 'use_resource': [use_resource_state], 'report_teardown': [report_teardown_state], 'not_taken': [not_taken_state], 'in_branch_after': [in_branch_after_state], 'per_item.item_after': [*(per_item_item_after_state or ['skipped'])], 'after_doubled': [after_doubled_state], 'absorbed_cleanup': [absorbed_cleanup_state]})


@dsl.component(base_image=BASE_IMAGE)
def in_branch_breaks_not_run():
    """Stands in for the tasks that run only when pick follows in_branch_breaks, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.component(base_image=BASE_IMAGE)
def not_taken_not_run() -> NamedTuple("Outputs", [('not_taken__airflow_state', str)]):
    """Stands in for the tasks that run only when pick follows not_taken, when they do not (the dsl.Else)."""
    return ('skipped',)


@dsl.pipeline(name='control-flow-trigger-rules', description='Converted from Airflow DAG control_flow_trigger_rules')
def control_flow_trigger_rules_pipeline(
    fail: str = 'none',
    logical_date: str = '',
    run_id: str = '',
):
    # source: @task -> Python lightweight component (native)
    source_task = source()
    source_task.set_display_name('source')
    # breaks: @task -> Python lightweight component (native)
    breaks_task = breaks(param_fail=fail, airflow_retry_index='{{retries}}')
    breaks_task.set_display_name('breaks')
    breaks_task.set_retry(num_retries=1, backoff_duration="0s", backoff_factor=1.0)
    # flaky: @task -> Python lightweight component (native)
    flaky_task = flaky(logical_date=logical_date, run_id=run_id, airflow_retry_index='{{retries}}')
    flaky_task.set_display_name('flaky')
    flaky_task.set_retry(num_retries=2, backoff_duration="0s", backoff_factor=1.0)
    # after_breaks: @task -> Python lightweight component (native)
    after_breaks_task = after_breaks(
        breaks__return_value=breaks_task.outputs['return_value'],
        breaks_state=breaks_task.outputs['airflow_state'],
        breaks_skipped=breaks_task.outputs['airflow_skipped'],
    )
    after_breaks_task.set_display_name('after_breaks')
    # after_flaky: @task -> Python lightweight component (native)
    after_flaky_task = after_flaky(
        flaky__return_value=flaky_task.outputs['return_value'],
        flaky_state=flaky_task.outputs['airflow_state'],
        flaky_skipped=flaky_task.outputs['airflow_skipped'],
    )
    after_flaky_task.set_display_name('after_flaky')
    # on_all_done: @task -> Python lightweight component (native)
    on_all_done_task = on_all_done()
    on_all_done_task.set_display_name('on_all_done')
    on_all_done_task.after(source_task, breaks_task, flaky_task)
    # after_on_all_done: @task -> Python lightweight component (native)
    after_on_all_done_task = after_on_all_done(
        on_all_done__return_value=on_all_done_task.outputs['return_value'],
        on_all_done_state=on_all_done_task.outputs['airflow_state'],
        on_all_done_skipped=on_all_done_task.outputs['airflow_skipped'],
    )
    after_on_all_done_task.set_display_name('after_on_all_done')
    # on_one_failed: @task -> Python lightweight component (native)
    on_one_failed_task = on_one_failed(
        source_state=source_task.outputs['airflow_state'],
        breaks_state=breaks_task.outputs['airflow_state'],
        flaky_state=flaky_task.outputs['airflow_state'],
    )
    on_one_failed_task.set_display_name('on_one_failed')
    # after_on_one_failed: @task -> Python lightweight component (native)
    after_on_one_failed_task = after_on_one_failed(
        on_one_failed__return_value=on_one_failed_task.outputs['return_value'],
        on_one_failed_state=on_one_failed_task.outputs['airflow_state'],
        on_one_failed_skipped=on_one_failed_task.outputs['airflow_skipped'],
    )
    after_on_one_failed_task.set_display_name('after_on_one_failed')
    # on_one_done: @task -> Python lightweight component (native)
    on_one_done_task = on_one_done(
        source_state=source_task.outputs['airflow_state'],
        breaks_state=breaks_task.outputs['airflow_state'],
        flaky_state=flaky_task.outputs['airflow_state'],
    )
    on_one_done_task.set_display_name('on_one_done')
    # after_on_one_done: @task -> Python lightweight component (native)
    after_on_one_done_task = after_on_one_done(
        on_one_done__return_value=on_one_done_task.outputs['return_value'],
        on_one_done_state=on_one_done_task.outputs['airflow_state'],
        on_one_done_skipped=on_one_done_task.outputs['airflow_skipped'],
    )
    after_on_one_done_task.set_display_name('after_on_one_done')
    # on_none_failed: @task -> Python lightweight component (native)
    on_none_failed_task = on_none_failed(
        source_state=source_task.outputs['airflow_state'],
        breaks_state=breaks_task.outputs['airflow_state'],
        flaky_state=flaky_task.outputs['airflow_state'],
    )
    on_none_failed_task.set_display_name('on_none_failed')
    # after_on_none_failed: @task -> Python lightweight component (native)
    after_on_none_failed_task = after_on_none_failed(
        on_none_failed__return_value=on_none_failed_task.outputs['return_value'],
        on_none_failed_state=on_none_failed_task.outputs['airflow_state'],
        on_none_failed_skipped=on_none_failed_task.outputs['airflow_skipped'],
    )
    after_on_none_failed_task.set_display_name('after_on_none_failed')
    # on_none_failed_min_one_success: @task -> Python lightweight component (native)
    on_none_failed_min_one_success_task = on_none_failed_min_one_success(
        source_state=source_task.outputs['airflow_state'],
        breaks_state=breaks_task.outputs['airflow_state'],
        flaky_state=flaky_task.outputs['airflow_state'],
    )
    on_none_failed_min_one_success_task.set_display_name('on_none_failed_min_one_success')
    # after_on_none_failed_min_one_success: @task -> Python lightweight component (native)
    after_on_none_failed_min_one_success_task = after_on_none_failed_min_one_success(
        on_none_failed_min_one_success__return_value=on_none_failed_min_one_success_task.outputs['return_value'],
        on_none_failed_min_one_success_state=on_none_failed_min_one_success_task.outputs['airflow_state'],
        on_none_failed_min_one_success_skipped=on_none_failed_min_one_success_task.outputs['airflow_skipped'],
    )
    after_on_none_failed_min_one_success_task.set_display_name('after_on_none_failed_min_one_success')
    # on_always: @task -> Python lightweight component (native)
    on_always_task = on_always()
    on_always_task.set_display_name('on_always')
    on_always_task.after(source_task, breaks_task, flaky_task)
    # after_on_always: @task -> Python lightweight component (native)
    after_on_always_task = after_on_always(
        on_always__return_value=on_always_task.outputs['return_value'],
        on_always_state=on_always_task.outputs['airflow_state'],
        on_always_skipped=on_always_task.outputs['airflow_skipped'],
    )
    after_on_always_task.set_display_name('after_on_always')
    # on_all_failed: @task -> Python lightweight component (native)
    on_all_failed_task = on_all_failed(breaks_state=breaks_task.outputs['airflow_state'])
    on_all_failed_task.set_display_name('on_all_failed')
    # after_on_all_failed: @task -> Python lightweight component (native)
    after_on_all_failed_task = after_on_all_failed(
        on_all_failed__return_value=on_all_failed_task.outputs['return_value'],
        on_all_failed_state=on_all_failed_task.outputs['airflow_state'],
        on_all_failed_skipped=on_all_failed_task.outputs['airflow_skipped'],
    )
    after_on_all_failed_task.set_display_name('after_on_all_failed')
    # setup_resource: @setup -> Python lightweight component (native)
    setup_resource_task = setup_resource()
    setup_resource_task.set_display_name('setup_resource')
    # use_resource: @task -> Python lightweight component (native)
    use_resource_task = use_resource(
        param_fail=fail,
        setup_resource_state=setup_resource_task.outputs['airflow_state'],
    )
    use_resource_task.set_display_name('use_resource')
    # teardown_resource: @teardown -> Python lightweight component (native)
    teardown_resource_task = teardown_resource(
        use_resource_state=use_resource_task.outputs['airflow_state'],
    )
    teardown_resource_task.set_display_name('teardown_resource')
    # report_teardown: @task -> Python lightweight component (native)
    report_teardown_task = report_teardown(
        teardown_resource_state=teardown_resource_task.outputs['airflow_state'],
    )
    report_teardown_task.set_display_name('report_teardown')
    # pick: @task.branch -> Python lightweight component choosing the branch (native)
    pick_task = pick()
    pick_task.set_display_name('pick')
    # Airflow runs these tasks only when pick follows in_branch_breaks: otherwise they do not start
    with dsl.If(pick_task.outputs['airflow_skips_in_branch_breaks'] == False):
        # in_branch_breaks: @task -> Python lightweight component (native)
        in_branch_breaks_task = in_branch_breaks(
            param_fail=fail,
            pick_state=pick_task.outputs['airflow_state'],
        )
        in_branch_breaks_task.set_display_name('in_branch_breaks')
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        in_branch_breaks_not_run_task = in_branch_breaks_not_run()
        in_branch_breaks_not_run_task.set_display_name('in_branch_breaks: skipped by pick')
    # Airflow runs these tasks only when pick follows not_taken: otherwise they do not start
    with dsl.If(pick_task.outputs['airflow_skips_not_taken'] == False):
        # not_taken: @task -> Python lightweight component (native)
        not_taken_task = not_taken(pick_state=pick_task.outputs['airflow_state'])
        not_taken_task.set_display_name('not_taken')
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        not_taken_not_run_task = not_taken_not_run()
        not_taken_not_run_task.set_display_name('not_taken: skipped by pick')
    # in_branch_cleanup: @task -> Python lightweight component (native)
    in_branch_cleanup_task = in_branch_cleanup()
    in_branch_cleanup_task.set_display_name('in_branch_cleanup')
    in_branch_cleanup_task.after(in_branch_breaks_task)
    # in_branch_after: @task -> Python lightweight component (native)
    in_branch_after_task = in_branch_after(
        in_branch_cleanup__return_value=in_branch_cleanup_task.outputs['return_value'],
        in_branch_cleanup_state=in_branch_cleanup_task.outputs['airflow_state'],
        in_branch_cleanup_skipped=in_branch_cleanup_task.outputs['airflow_skipped'],
    )
    in_branch_after_task.set_display_name('in_branch_after')
    # mapped task group 'per_item': one dsl.ParallelFor iteration per Airflow map index
    with dsl.ParallelFor(items=['1', '2', '3']) as per_item_item:
        # per_item.item_work: @task -> Python lightweight component, in a dsl.ParallelFor (mapped task group 'per_item') (native)
        per_item_item_work_task = per_item_item_work(param_fail=fail, map_item=per_item_item)
        per_item_item_work_task.set_display_name('per_item.item_work')
        # per_item.item_done: @task -> Python lightweight component, in a dsl.ParallelFor (mapped task group 'per_item') (native)
        per_item_item_done_task = per_item_item_done()
        per_item_item_done_task.set_display_name('per_item.item_done')
        per_item_item_done_task.after(per_item_item_work_task)
        # per_item.item_after: @task -> Python lightweight component, in a dsl.ParallelFor (mapped task group 'per_item') (native)
        per_item_item_after_task = per_item_item_after(
            per_item_item_done__return_value=per_item_item_done_task.outputs['return_value'],
            per_item_item_done_state=per_item_item_done_task.outputs['airflow_state'],
        )
        per_item_item_after_task.set_display_name('per_item.item_after')
    # mapped task 'double': one dsl.ParallelFor iteration per Airflow map index
    with dsl.ParallelFor(items=['1', '2', '3']) as double_item:
        # double: @task -> Python lightweight component, in a dsl.ParallelFor (dynamic task mapping) (native)
        double_task = double(param_fail=fail, map_item=double_item)
        double_task.set_display_name('double')
    # doubled_done: @task -> Python lightweight component (native)
    doubled_done_task = doubled_done()
    doubled_done_task.set_display_name('doubled_done')
    doubled_done_task.after(double_task)
    # after_doubled: @task -> Python lightweight component (native)
    after_doubled_task = after_doubled(
        doubled_done__return_value=doubled_done_task.outputs['return_value'],
        doubled_done_state=doubled_done_task.outputs['airflow_state'],
        doubled_done_skipped=doubled_done_task.outputs['airflow_skipped'],
    )
    after_doubled_task.set_display_name('after_doubled')
    # absorbed: @task -> Python lightweight component (native)
    absorbed_task = absorbed(param_fail=fail)
    absorbed_task.set_display_name('absorbed')
    # absorbed_cleanup: @task -> Python lightweight component (native)
    absorbed_cleanup_task = absorbed_cleanup()
    absorbed_cleanup_task.set_display_name('absorbed_cleanup')
    absorbed_cleanup_task.after(absorbed_task)
    # <DAG run state>: the Airflow DAG run's state (native)
    dag_run_state_task = dag_run_state(
        after_breaks_state=after_breaks_task.outputs['airflow_state'],
        after_flaky_state=after_flaky_task.outputs['airflow_state'],
        after_on_all_done_state=after_on_all_done_task.outputs['airflow_state'],
        after_on_one_failed_state=after_on_one_failed_task.outputs['airflow_state'],
        after_on_one_done_state=after_on_one_done_task.outputs['airflow_state'],
        after_on_none_failed_state=after_on_none_failed_task.outputs['airflow_state'],
        after_on_none_failed_min_one_success_state=after_on_none_failed_min_one_success_task.outputs['airflow_state'],
        after_on_always_state=after_on_always_task.outputs['airflow_state'],
        after_on_all_failed_state=after_on_all_failed_task.outputs['airflow_state'],
        use_resource_state=use_resource_task.outputs['airflow_state'],
        report_teardown_state=report_teardown_task.outputs['airflow_state'],
        not_taken_state=dsl.OneOf(not_taken_task.outputs['airflow_state'], not_taken_not_run_task.outputs['not_taken__airflow_state']),
        in_branch_after_state=in_branch_after_task.outputs['airflow_state'],
        per_item_item_after_state=dsl.Collected(per_item_item_after_task.outputs['airflow_state']),
        after_doubled_state=after_doubled_task.outputs['airflow_state'],
        absorbed_cleanup_state=absorbed_cleanup_task.outputs['airflow_state'],
    )
    dag_run_state_task.set_display_name("DAG run state (fails when Airflow's run would)")


if __name__ == "__main__":
    target = Path(__file__).with_name('control_flow_trigger_rules.yaml')
    compiler.Compiler().compile(control_flow_trigger_rules_pipeline, str(target))
