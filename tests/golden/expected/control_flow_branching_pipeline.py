"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'control_flow_branching'.

Source: samples/dags/control_flow_branching.py
Schedule in Airflow: none (runs when triggered)
Tags: sample, control-flow

Compile with `python {this file}` (writes control_flow_branching.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def pick(
    param_path: str,
    param_open_gate: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_follow', list), ('airflow_skips_left', bool), ('airflow_skips_right', bool)]):
    """Airflow task 'pick' (@task.branch) from samples/dags/control_flow_branching.py:50:14."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_branch_ids,
        _airflow_not_followed,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_follow', 'list'), ('airflow_skips:left', 'bool'), ('airflow_skips:right', 'bool')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='pick', logical_date='', run_id='',
        params={'path': param_path, 'open_gate': param_open_gate}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:29:5).
    def pick(params=None):
        return "left" if params["path"] == "left" else "right"
    results, skipped = _airflow_call_python(_airflow, pick, _op_args, _op_kwargs)
    # A branch: the task ids (or task group ids) to follow; its other direct downstream tasks are skipped.
    follow = [] if skipped else _airflow_branch_ids(results.get('return_value'))
    if not skipped and any(_airflow_not_followed(task_id, follow) for task_id in ['left', 'right']):
        results.pop('return_value', None)  # Airflow 3 raised DownstreamTasksSkipped: no return value
    results['airflow_follow'] = follow
    # For the dsl.If around the tasks it skips: True when Airflow would skip them
    results['airflow_skips:left'] = not skipped and _airflow_not_followed('left', results.get('airflow_follow'))
    results['airflow_skips:right'] = not skipped and _airflow_not_followed('right', results.get('airflow_follow'))
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def left() -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'left' (@task) from samples/dags/control_flow_branching.py:51:29."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='left', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:33:5).
    def left() -> str:
        return "went left"
    results, skipped = _airflow_call_python(_airflow, left, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def right() -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'right' (@task) from samples/dags/control_flow_branching.py:51:37."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='right', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:37:5).
    def right() -> str:
        return "went right"
    results, skipped = _airflow_call_python(_airflow, right, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def left_only(
    left__return_value: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'left_only' (@task) from samples/dags/control_flow_branching.py:53:5."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {('left', 'return_value'): left__return_value}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='left_only', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('left', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:41:5).
    def left_only(value: str) -> str:
        return value.upper()
    results, skipped = _airflow_call_python(_airflow, left_only, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def report(
    left_skipped: bool,
    right_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'report' (@task) from samples/dags/control_flow_branching.py:54:40."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_should_skip,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    _skipped_join = _airflow_should_skip('none_failed_min_one_success', [left_skipped, right_skipped])  # the removed task 'join'
    if _airflow_should_skip('all_success', [_skipped_join]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='report', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:47:5).
    def report() -> str:
        return "joined"
    results, skipped = _airflow_call_python(_airflow, report, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def gate(
    param_path: str,
    param_open_gate: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_condition', bool), ('airflow_skips', bool), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'gate' (ShortCircuitOperator) from samples/dags/control_flow_branching.py:59:12."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_condition', 'bool'), ('airflow_skips:*', 'bool'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_branching', task_id='gate', logical_date='', run_id='',
            params={'path': param_path, 'open_gate': param_open_gate}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_branching.py:56:5).
        def gate_open(params=None):
            return params["open_gate"]
        results, skipped = _airflow_call_python(_airflow, gate_open, _op_args, _op_kwargs)
        # A short circuit: a falsy return value skips the tasks downstream. Airflow 3 then ends the
        # task with DownstreamTasksSkipped, so no return value is pushed.
        results['airflow_condition'] = False if skipped else bool(results.get('return_value'))
        if not skipped and not results['airflow_condition'] and True:
            results.pop('return_value', None)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    # For the dsl.If around the tasks it skips: True when Airflow would skip them
    results['airflow_skips:*'] = not skipped and results.get('airflow_condition') is False
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def behind_gate(
    gate_state: str,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'behind_gate' (@task) from samples/dags/control_flow_branching.py:73:14."""
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
    _state = _airflow_trigger('all_success', [gate_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_branching', task_id='behind_gate', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_branching.py:62:5).
        def behind_gate() -> int:
            return 1
        results, skipped = _airflow_call_python(_airflow, behind_gate, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def cleanup(
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'cleanup' (@task) from samples/dags/control_flow_branching.py:74:23."""
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
            dag_id='control_flow_branching', task_id='cleanup', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_branching.py:66:5).
        def cleanup() -> str:
            return "cleaned"
        results, skipped = _airflow_call_python(_airflow, cleanup, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_behind_gate(
    behind_gate__return_value: int,
    behind_gate_state: str,
    behind_gate_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_behind_gate' (@task) from samples/dags/control_flow_branching.py:75:5."""
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
    _state = _airflow_trigger('all_success', [behind_gate_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {
            ('behind_gate', 'return_value'): None if behind_gate_skipped else behind_gate__return_value,
        }
        _airflow = _airflow_runtime(
            dag_id='control_flow_branching', task_id='after_behind_gate', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = [xcom[('behind_gate', 'return_value')]]
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_branching.py:70:5).
        def after_behind_gate(value: int) -> int:
            return value + 1
        results, skipped = _airflow_call_python(_airflow, after_behind_gate, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def many(
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_follow', list), ('airflow_skips_first', bool), ('airflow_skips_second', bool), ('airflow_skips_third', bool), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'many' (BranchPythonOperator) from samples/dags/control_flow_branching.py:80:12."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_branch_ids,
        _airflow_not_followed,
        _kfp_outputs,
        _airflow_failed_for_good,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_follow', 'list'), ('airflow_skips:first', 'bool'), ('airflow_skips:second', 'bool'), ('airflow_skips:third', 'bool'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_branching', task_id='many', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_branching.py:77:5).
        def choose_two():
            return ["first", "third"]
        results, skipped = _airflow_call_python(_airflow, choose_two, _op_args, _op_kwargs)
        # A branch: the task ids (or task group ids) to follow; its other direct downstream tasks are skipped.
        follow = [] if skipped else _airflow_branch_ids(results.get('return_value'))
        if not skipped and any(_airflow_not_followed(task_id, follow) for task_id in ['first', 'second', 'third']):
            results.pop('return_value', None)  # Airflow 3 raised DownstreamTasksSkipped: no return value
        results['airflow_follow'] = follow
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    # For the dsl.If around the tasks it skips: True when Airflow would skip them
    results['airflow_skips:first'] = not skipped and _airflow_not_followed('first', results.get('airflow_follow'))
    results['airflow_skips:second'] = not skipped and _airflow_not_followed('second', results.get('airflow_follow'))
    results['airflow_skips:third'] = not skipped and _airflow_not_followed('third', results.get('airflow_follow'))
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def first(
    many_state: str,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'first' (@task) from samples/dags/control_flow_branching.py:98:20."""
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
    _state = _airflow_trigger('all_success', [many_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_branching', task_id='first', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_branching.py:83:5).
        def first() -> int:
            return 1
        results, skipped = _airflow_call_python(_airflow, first, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def second(
    many_state: str,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'second' (@task) from samples/dags/control_flow_branching.py:98:29."""
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
    _state = _airflow_trigger('all_success', [many_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_branching', task_id='second', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_branching.py:87:5).
        def second() -> int:
            return 2
        results, skipped = _airflow_call_python(_airflow, second, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def third(
    many_state: str,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'third' (@task) from samples/dags/control_flow_branching.py:98:39."""
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
    _state = _airflow_trigger('all_success', [many_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_branching', task_id='third', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_branching.py:91:5).
        def third() -> int:
            return 3
        results, skipped = _airflow_call_python(_airflow, third, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def any_of_them(
    first_state: str,
    second_state: str,
    third_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'any_of_them' (@task) from samples/dags/control_flow_branching.py:99:28."""
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
    _state = _airflow_trigger('one_success', [first_state, second_state, third_state])
    if _state != 'run':
        return _kfp_outputs({}, True, _outputs) + (_state,)
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_branching', task_id='any_of_them', logical_date='', run_id='',
            params={}, xcom=xcom,
        )
        _op_args = []
        _op_kwargs = {}
        # The task callable (samples/dags/control_flow_branching.py:95:5).
        def any_of_them() -> str:
            return "at least one ran"
        results, skipped = _airflow_call_python(_airflow, any_of_them, _op_args, _op_kwargs)
    except Exception as _error:
        if not _airflow_failed_for_good(_error, 0, 1):
            raise  # attempts are left: KFP retries the task, as Airflow would
        return _kfp_outputs({}, True, _outputs) + ('failed',)
    return _kfp_outputs(results, skipped, _outputs) + ('skipped' if skipped else 'success',)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def direct_join_branch(
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_follow', list), ('airflow_skips_direct_join', bool), ('airflow_skips_step', bool)]):
    """Airflow task 'direct_join_branch' (@task.branch) from samples/dags/control_flow_branching.py:113:32."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_branch_ids,
        _airflow_not_followed,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_follow', 'list'), ('airflow_skips:direct_join', 'bool'), ('airflow_skips:step', 'bool')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='direct_join_branch', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:102:5).
    def direct_join_branch():
        return "step"
    results, skipped = _airflow_call_python(_airflow, direct_join_branch, _op_args, _op_kwargs)
    # A branch: the task ids (or task group ids) to follow; its other direct downstream tasks are skipped.
    follow = [] if skipped else _airflow_branch_ids(results.get('return_value'))
    _relatives = {'step': ['direct_join']}  # direct downstream tasks that are downstream of others too
    follow += [task_id for chosen_id in follow for task_id in _relatives.get(chosen_id, [])]
    if not skipped and any(_airflow_not_followed(task_id, follow) for task_id in ['step', 'direct_join']):
        results.pop('return_value', None)  # Airflow 3 raised DownstreamTasksSkipped: no return value
    results['airflow_follow'] = follow
    # For the dsl.If around the tasks it skips: True when Airflow would skip them
    results['airflow_skips:direct_join'] = not skipped and _airflow_not_followed('direct_join', results.get('airflow_follow'))
    results['airflow_skips:step'] = not skipped and _airflow_not_followed('step', results.get('airflow_follow'))
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def step() -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'step' (@task) from samples/dags/control_flow_branching.py:114:25."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='step', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:106:5).
    def step() -> str:
        return "step ran"
    results, skipped = _airflow_call_python(_airflow, step, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def direct_join(
    step_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'direct_join' (@task) from samples/dags/control_flow_branching.py:113:54."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_should_skip,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [step_skipped, False]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='direct_join', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:110:5).
    def direct_join() -> str:
        return "not skipped: downstream of the chosen step"
    results, skipped = _airflow_call_python(_airflow, direct_join, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def route(
    param_path: str,
    param_open_gate: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_follow', list), ('airflow_skips_numbers', bool), ('airflow_skips_grouped_inner_pick', bool)]):
    """Airflow task 'route' (@task.branch) from samples/dags/control_flow_branching.py:150:5."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_branch_ids,
        _airflow_not_followed,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_follow', 'list'), ('airflow_skips:numbers', 'bool'), ('airflow_skips:grouped.inner_pick', 'bool')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='route', logical_date='', run_id='',
        params={'path': param_path, 'open_gate': param_open_gate}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:118:5).
    def route(params=None):
        return "grouped" if params["path"] == "left" else "numbers"
    results, skipped = _airflow_call_python(_airflow, route, _op_args, _op_kwargs)
    # A branch: the task ids (or task group ids) to follow; its other direct downstream tasks are skipped.
    follow = [] if skipped else _airflow_branch_ids(results.get('return_value'))
    if not skipped and any(_airflow_not_followed(task_id, follow) for task_id in ['grouped.inner_pick', 'numbers']):
        results.pop('return_value', None)  # Airflow 3 raised DownstreamTasksSkipped: no return value
    results['airflow_follow'] = follow
    # For the dsl.If around the tasks it skips: True when Airflow would skip them
    results['airflow_skips:numbers'] = not skipped and _airflow_not_followed('numbers', results.get('airflow_follow'))
    results['airflow_skips:grouped.inner_pick'] = not skipped and _airflow_not_followed('grouped.inner_pick', results.get('airflow_follow'))
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def numbers() -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'numbers' (@task) from samples/dags/control_flow_branching.py:149:22."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='numbers', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:138:5).
    def numbers() -> list:
        return [1, 2, 3]
    results, skipped = _airflow_call_python(_airflow, numbers, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def grouped_inner_pick(
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_follow', list), ('airflow_skips_grouped_inner_a', bool), ('airflow_skips_grouped_inner_b', bool), ('airflow_skipped', bool)]):
    """Airflow task 'grouped.inner_pick' (@task.branch) from samples/dags/control_flow_branching.py:135:9."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_branch_ids,
        _airflow_not_followed,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_follow', 'list'), ('airflow_skips:grouped.inner_a', 'bool'), ('airflow_skips:grouped.inner_b', 'bool'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='grouped.inner_pick', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:124:9).
    def inner_pick():
        return "grouped.inner_a"
    results, skipped = _airflow_call_python(_airflow, inner_pick, _op_args, _op_kwargs)
    # A branch: the task ids (or task group ids) to follow; its other direct downstream tasks are skipped.
    follow = [] if skipped else _airflow_branch_ids(results.get('return_value'))
    if not skipped and any(_airflow_not_followed(task_id, follow) for task_id in ['grouped.inner_a', 'grouped.inner_b']):
        results.pop('return_value', None)  # Airflow 3 raised DownstreamTasksSkipped: no return value
    results['airflow_follow'] = follow
    # For the dsl.If around the tasks it skips: True when Airflow would skip them
    results['airflow_skips:grouped.inner_a'] = not skipped and _airflow_not_followed('grouped.inner_a', results.get('airflow_follow'))
    results['airflow_skips:grouped.inner_b'] = not skipped and _airflow_not_followed('grouped.inner_b', results.get('airflow_follow'))
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def grouped_inner_a() -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool)]):
    """Airflow task 'grouped.inner_a' (@task) from samples/dags/control_flow_branching.py:135:26."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='grouped.inner_a', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:128:9).
    def inner_a() -> int:
        return 1
    results, skipped = _airflow_call_python(_airflow, inner_a, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def grouped_inner_b() -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool)]):
    """Airflow task 'grouped.inner_b' (@task) from samples/dags/control_flow_branching.py:135:37."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='grouped.inner_b', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:132:9).
    def inner_b() -> int:
        return 2
    results, skipped = _airflow_call_python(_airflow, inner_b, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def double(
    map_item: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'double' (@task) from samples/dags/control_flow_branching.py:151:11."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    x = _from_json(map_item)  # the mapped argument
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='double', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {'x': x}
    # The task callable (samples/dags/control_flow_branching.py:142:5).
    def double(x: int) -> int:
        return 2 * x
    results, skipped = _airflow_call_python(_airflow, double, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def total(
    double__return_value: list,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool)]):
    """Airflow task 'total' (@task) from samples/dags/control_flow_branching.py:151:5."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    xcom = {
        ('double', 'return_value'): [_from_json(value) for value in double__return_value],
    }
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='total', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('double', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:146:5).
    def total(values) -> int:
        return sum(values)
    results, skipped = _airflow_call_python(_airflow, total, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def stop(
    param_path: str,
    param_open_gate: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_condition', bool), ('airflow_skips', bool)]):
    """Airflow task 'stop' (ShortCircuitOperator) from samples/dags/control_flow_branching.py:156:12."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_condition', 'bool'), ('airflow_skips:*', 'bool')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='stop', logical_date='', run_id='',
        params={'path': param_path, 'open_gate': param_open_gate}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:153:5).
    def stop_unless_open(params=None):
        return params["open_gate"]
    results, skipped = _airflow_call_python(_airflow, stop_unless_open, _op_args, _op_kwargs)
    # A short circuit: a falsy return value skips the tasks downstream. Airflow 3 then ends the
    # task with DownstreamTasksSkipped, so no return value is pushed.
    results['airflow_condition'] = False if skipped else bool(results.get('return_value'))
    if not skipped and not results['airflow_condition'] and True:
        results.pop('return_value', None)
    # For the dsl.If around the tasks it skips: True when Airflow would skip them
    results['airflow_skips:*'] = not skipped and results.get('airflow_condition') is False
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def guarded() -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'guarded' (@task) from samples/dags/control_flow_branching.py:170:21."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='guarded', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:159:5).
    def guarded() -> str:
        return "guarded ran"
    results, skipped = _airflow_call_python(_airflow, guarded, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def guarded_next(
    guarded__return_value: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'guarded_next' (@task) from samples/dags/control_flow_branching.py:171:30."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {('guarded', 'return_value'): guarded__return_value}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='guarded_next', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('guarded', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:163:5).
    def guarded_next(value: str) -> str:
        return value + " twice"
    results, skipped = _airflow_call_python(_airflow, guarded_next, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_guard() -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'after_guard' (@task) from samples/dags/control_flow_branching.py:171:61."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_branching', task_id='after_guard', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_branching.py:167:5).
    def after_guard() -> str:
        return "runs either way"
    results, skipped = _airflow_call_python(_airflow, after_guard, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def dag_run_state(cleanup_state: str, after_behind_gate_state: str, any_of_them_state: str):
    """The DAG run's state (kfmigrate): Fails the pipeline when Airflow would fail the DAG run: a leaf task failed or upstream_failed."""
    from kfmigrate_runtime import _airflow_dag_run_state
    _airflow_dag_run_state({'cleanup': [cleanup_state], 'after_behind_gate': [after_behind_gate_state], 'any_of_them': [any_of_them_state]})


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def double_items(source_0: str) -> list:
    """The items of the mapped task 'double': one JSON text per Airflow map index (kfp.local iterates one task output)."""
    from kfmigrate_runtime import _airflow_map_items, _from_json, _ints_back
    return _airflow_map_items('single', ['x'], [_from_json(source_0)])


@dsl.component(base_image=BASE_IMAGE)
def left_not_run() -> NamedTuple("Outputs", [('left__airflow_skipped', bool)]):
    """Stands in for the tasks that run only when pick follows left, when they do not (the dsl.Else)."""
    return (True,)


@dsl.component(base_image=BASE_IMAGE)
def right_not_run() -> NamedTuple("Outputs", [('right__airflow_skipped', bool)]):
    """Stands in for the tasks that run only when pick follows right, when they do not (the dsl.Else)."""
    return (True,)


@dsl.component(base_image=BASE_IMAGE)
def gate_not_run() -> NamedTuple("Outputs", [('after_behind_gate__airflow_state', str)]):
    """Stands in for the tasks that run only when gate is true, when they do not (the dsl.Else)."""
    return ('skipped',)


@dsl.component(base_image=BASE_IMAGE)
def first_not_run() -> NamedTuple("Outputs", [('first__airflow_state', str)]):
    """Stands in for the tasks that run only when many follows first, when they do not (the dsl.Else)."""
    return ('skipped',)


@dsl.component(base_image=BASE_IMAGE)
def second_not_run() -> NamedTuple("Outputs", [('second__airflow_state', str)]):
    """Stands in for the tasks that run only when many follows second, when they do not (the dsl.Else)."""
    return ('skipped',)


@dsl.component(base_image=BASE_IMAGE)
def third_not_run() -> NamedTuple("Outputs", [('third__airflow_state', str)]):
    """Stands in for the tasks that run only when many follows third, when they do not (the dsl.Else)."""
    return ('skipped',)


@dsl.component(base_image=BASE_IMAGE)
def step_not_run() -> NamedTuple("Outputs", [('step__airflow_skipped', bool)]):
    """Stands in for the tasks that run only when direct_join_branch follows step, when they do not (the dsl.Else)."""
    return (True,)


@dsl.component(base_image=BASE_IMAGE)
def direct_join_not_run():
    """Stands in for the tasks that run only when direct_join_branch follows direct_join, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.component(base_image=BASE_IMAGE)
def numbers_not_run():
    """Stands in for the tasks that run only when route follows numbers, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.component(base_image=BASE_IMAGE)
def grouped_inner_pick_not_run():
    """Stands in for the tasks that run only when route follows grouped.inner_pick, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.component(base_image=BASE_IMAGE)
def grouped_inner_a_not_run():
    """Stands in for the tasks that run only when grouped.inner_pick follows grouped.inner_a, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.component(base_image=BASE_IMAGE)
def grouped_inner_b_not_run():
    """Stands in for the tasks that run only when grouped.inner_pick follows grouped.inner_b, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.component(base_image=BASE_IMAGE)
def stop_not_run():
    """Stands in for the tasks that run only when stop is true, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.pipeline(name='control-flow-branching', description='Converted from Airflow DAG control_flow_branching')
def control_flow_branching_pipeline(
    path: str = 'left',
    open_gate: bool = False,
    logical_date: str = '',
    run_id: str = '',
):
    # pick: @task.branch -> Python lightweight component choosing the branch (native)
    pick_task = pick(param_path=path, param_open_gate=open_gate)
    pick_task.set_display_name('pick')
    # Airflow runs these tasks only when pick follows left: otherwise they do not start
    with dsl.If(pick_task.outputs['airflow_skips_left'] == False):
        # left: @task -> Python lightweight component (native)
        left_task = left()
        left_task.set_display_name('left')
        left_task.after(pick_task)
        # left_only: @task -> Python lightweight component (native)
        left_only_task = left_only(left__return_value=left_task.outputs['return_value'])
        left_only_task.set_display_name('left_only')
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        left_not_run_task = left_not_run()
        left_not_run_task.set_display_name('left: skipped by pick')
    # Airflow runs these tasks only when pick follows right: otherwise they do not start
    with dsl.If(pick_task.outputs['airflow_skips_right'] == False):
        # right: @task -> Python lightweight component (native)
        right_task = right()
        right_task.set_display_name('right')
        right_task.after(pick_task)
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        right_not_run_task = right_not_run()
        right_not_run_task.set_display_name('right: skipped by pick')
    # report: @task -> Python lightweight component (native)
    report_task = report(
        left_skipped=dsl.OneOf(left_task.outputs['airflow_skipped'], left_not_run_task.outputs['left__airflow_skipped']),
        right_skipped=dsl.OneOf(right_task.outputs['airflow_skipped'], right_not_run_task.outputs['right__airflow_skipped']),
    )
    report_task.set_display_name('report')
    # gate: ShortCircuitOperator -> Python lightweight component deciding whether downstream tasks run (native)
    gate_task = gate(param_path=path, param_open_gate=open_gate)
    gate_task.set_display_name('gate')
    # Airflow runs these tasks only when gate is true: otherwise they do not start
    with dsl.If(gate_task.outputs['airflow_skips'] == False):
        # behind_gate: @task -> Python lightweight component (native)
        behind_gate_task = behind_gate(gate_state=gate_task.outputs['airflow_state'])
        behind_gate_task.set_display_name('behind_gate')
        # after_behind_gate: @task -> Python lightweight component (native)
        after_behind_gate_task = after_behind_gate(
            behind_gate__return_value=behind_gate_task.outputs['return_value'],
            behind_gate_state=behind_gate_task.outputs['airflow_state'],
            behind_gate_skipped=behind_gate_task.outputs['airflow_skipped'],
        )
        after_behind_gate_task.set_display_name('after_behind_gate')
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        gate_not_run_task = gate_not_run()
        gate_not_run_task.set_display_name('skipped by the short circuit gate')
    # cleanup: @task -> Python lightweight component (native)
    cleanup_task = cleanup()
    cleanup_task.set_display_name('cleanup')
    cleanup_task.after(behind_gate_task)
    # many: BranchPythonOperator -> Python lightweight component choosing the branch (native)
    many_task = many()
    many_task.set_display_name('many')
    # Airflow runs these tasks only when many follows first: otherwise they do not start
    with dsl.If(many_task.outputs['airflow_skips_first'] == False):
        # first: @task -> Python lightweight component (native)
        first_task = first(many_state=many_task.outputs['airflow_state'])
        first_task.set_display_name('first')
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        first_not_run_task = first_not_run()
        first_not_run_task.set_display_name('first: skipped by many')
    # Airflow runs these tasks only when many follows second: otherwise they do not start
    with dsl.If(many_task.outputs['airflow_skips_second'] == False):
        # second: @task -> Python lightweight component (native)
        second_task = second(many_state=many_task.outputs['airflow_state'])
        second_task.set_display_name('second')
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        second_not_run_task = second_not_run()
        second_not_run_task.set_display_name('second: skipped by many')
    # Airflow runs these tasks only when many follows third: otherwise they do not start
    with dsl.If(many_task.outputs['airflow_skips_third'] == False):
        # third: @task -> Python lightweight component (native)
        third_task = third(many_state=many_task.outputs['airflow_state'])
        third_task.set_display_name('third')
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        third_not_run_task = third_not_run()
        third_not_run_task.set_display_name('third: skipped by many')
    # any_of_them: @task -> Python lightweight component (native)
    any_of_them_task = any_of_them(
        first_state=dsl.OneOf(first_task.outputs['airflow_state'], first_not_run_task.outputs['first__airflow_state']),
        second_state=dsl.OneOf(second_task.outputs['airflow_state'], second_not_run_task.outputs['second__airflow_state']),
        third_state=dsl.OneOf(third_task.outputs['airflow_state'], third_not_run_task.outputs['third__airflow_state']),
    )
    any_of_them_task.set_display_name('any_of_them')
    # direct_join_branch: @task.branch -> Python lightweight component choosing the branch (native)
    direct_join_branch_task = direct_join_branch()
    direct_join_branch_task.set_display_name('direct_join_branch')
    # Airflow runs these tasks only when direct_join_branch follows step: otherwise they do not start
    with dsl.If(direct_join_branch_task.outputs['airflow_skips_step'] == False):
        # step: @task -> Python lightweight component (native)
        step_task = step()
        step_task.set_display_name('step')
        step_task.after(direct_join_branch_task)
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        step_not_run_task = step_not_run()
        step_not_run_task.set_display_name('step: skipped by direct_join_branch')
    # Airflow runs these tasks only when direct_join_branch follows direct_join: otherwise they do not start
    with dsl.If(direct_join_branch_task.outputs['airflow_skips_direct_join'] == False):
        # direct_join: @task -> Python lightweight component (native)
        direct_join_task = direct_join(
            step_skipped=dsl.OneOf(step_task.outputs['airflow_skipped'], step_not_run_task.outputs['step__airflow_skipped']),
        )
        direct_join_task.set_display_name('direct_join')
        direct_join_task.after(direct_join_branch_task)
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        direct_join_not_run_task = direct_join_not_run()
        direct_join_not_run_task.set_display_name('direct_join: skipped by direct_join_branch')
    # route: @task.branch -> Python lightweight component choosing the branch (native)
    route_task = route(param_path=path, param_open_gate=open_gate)
    route_task.set_display_name('route')
    # Airflow runs these tasks only when route follows numbers: otherwise they do not start
    with dsl.If(route_task.outputs['airflow_skips_numbers'] == False):
        # numbers: @task -> Python lightweight component (native)
        numbers_task = numbers()
        numbers_task.set_display_name('numbers')
        numbers_task.after(route_task)
        # mapped task 'double': one dsl.ParallelFor iteration per Airflow map index
        double_items_task = double_items(source_0=numbers_task.outputs['return_value'])
        double_items_task.set_display_name('double (map items)')
        with dsl.ParallelFor(items=double_items_task.output) as double_item:
            # double: @task -> Python lightweight component, in a dsl.ParallelFor (dynamic task mapping) (native)
            double_task = double(map_item=double_item)
            double_task.set_display_name('double')
            double_task.after(numbers_task)
        # total: @task -> Python lightweight component (native)
        total_task = total(double__return_value=dsl.Collected(double_task.outputs['return_value']))
        total_task.set_display_name('total')
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        numbers_not_run_task = numbers_not_run()
        numbers_not_run_task.set_display_name('numbers: skipped by route')
    # Airflow runs these tasks only when route follows grouped.inner_pick: otherwise they do not start
    with dsl.If(route_task.outputs['airflow_skips_grouped_inner_pick'] == False):
        # grouped.inner_pick: @task.branch -> Python lightweight component choosing the branch (native)
        grouped_inner_pick_task = grouped_inner_pick()
        grouped_inner_pick_task.set_display_name('grouped.inner_pick')
        grouped_inner_pick_task.after(route_task)
        # Airflow runs these tasks only when grouped.inner_pick follows grouped.inner_a: otherwise they do not start
        with dsl.If(grouped_inner_pick_task.outputs['airflow_skips_grouped_inner_a'] == False):
            # grouped.inner_a: @task -> Python lightweight component (native)
            grouped_inner_a_task = grouped_inner_a()
            grouped_inner_a_task.set_display_name('grouped.inner_a')
            grouped_inner_a_task.after(grouped_inner_pick_task)
        with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
            grouped_inner_a_not_run_task = grouped_inner_a_not_run()
            grouped_inner_a_not_run_task.set_display_name('grouped.inner_a: skipped by grouped.inner_pick')
        # Airflow runs these tasks only when grouped.inner_pick follows grouped.inner_b: otherwise they do not start
        with dsl.If(grouped_inner_pick_task.outputs['airflow_skips_grouped_inner_b'] == False):
            # grouped.inner_b: @task -> Python lightweight component (native)
            grouped_inner_b_task = grouped_inner_b()
            grouped_inner_b_task.set_display_name('grouped.inner_b')
            grouped_inner_b_task.after(grouped_inner_pick_task)
        with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
            grouped_inner_b_not_run_task = grouped_inner_b_not_run()
            grouped_inner_b_not_run_task.set_display_name('grouped.inner_b: skipped by grouped.inner_pick')
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        grouped_inner_pick_not_run_task = grouped_inner_pick_not_run()
        grouped_inner_pick_not_run_task.set_display_name('grouped.inner_pick: skipped by route')
    # stop: ShortCircuitOperator -> Python lightweight component deciding whether downstream tasks run (native)
    stop_task = stop(param_path=path, param_open_gate=open_gate)
    stop_task.set_display_name('stop')
    # Airflow runs these tasks only when stop is true: otherwise they do not start
    with dsl.If(stop_task.outputs['airflow_skips'] == False):
        # guarded: @task -> Python lightweight component (native)
        guarded_task = guarded()
        guarded_task.set_display_name('guarded')
        guarded_task.after(stop_task)
        # guarded_next: @task -> Python lightweight component (native)
        guarded_next_task = guarded_next(guarded__return_value=guarded_task.outputs['return_value'])
        guarded_next_task.set_display_name('guarded_next')
        # after_guard: @task -> Python lightweight component (native)
        after_guard_task = after_guard()
        after_guard_task.set_display_name('after_guard')
        after_guard_task.after(guarded_next_task)
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        stop_not_run_task = stop_not_run()
        stop_not_run_task.set_display_name('skipped by the short circuit stop')
    # <DAG run state>: the Airflow DAG run's state (native)
    dag_run_state_task = dag_run_state(
        cleanup_state=cleanup_task.outputs['airflow_state'],
        after_behind_gate_state=dsl.OneOf(after_behind_gate_task.outputs['airflow_state'], gate_not_run_task.outputs['after_behind_gate__airflow_state']),
        any_of_them_state=any_of_them_task.outputs['airflow_state'],
    )
    dag_run_state_task.set_display_name("DAG run state (fails when Airflow's run would)")


if __name__ == "__main__":
    target = Path(__file__).with_name('control_flow_branching.yaml')
    compiler.Compiler().compile(control_flow_branching_pipeline, str(target))
