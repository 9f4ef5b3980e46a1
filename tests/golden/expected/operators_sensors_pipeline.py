"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'operators_sensors'.

Source: samples/dags/operators_sensors.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes operators_sensors.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl
from kfp import kubernetes

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def wait_for_file(
    logical_date: str,
    run_id: str,
    param_path: str,
    filepath: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'wait_for_file' (FileSensor) from samples/dags/operators_sensors.py:28:17."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_render, _kfp_outputs, _airflow_sensor
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_sensors', task_id='wait_for_file', logical_date=logical_date, run_id=run_id,
        params={'path': param_path}, xcom=xcom,
    )
    # FileSensor.poke: the base path comes from the connection's extra "path" (FSHook).
    import os as _os
    _base_path = getattr(_airflow.context["conn"], 'fs_default').extra_dejson.get("path", "")
    _full_path = _os.path.join(_base_path, _airflow_render(filepath, _airflow.context))
    def _poke():
        import glob
        import os
        print(f"Poking for file {_full_path}")
        for path in glob.glob(_full_path, recursive=False):
            if os.path.isfile(path):
                print(f"Found File {path}")
                return True
            for _root, _dirs, files in os.walk(path):
                if files:
                    return True
        return False
    results, skipped = _airflow_sensor(_airflow, _poke, poke_interval=1.0, timeout=30.0)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def has_content(
    logical_date: str,
    run_id: str,
    param_path: str,
    path: str,
    wait_for_file_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'has_content' (PythonSensor) from samples/dags/operators_sensors.py:29:19."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_render,
        _airflow_call_python,
        _airflow_should_skip,
        _kfp_outputs,
        _airflow_sensor,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [wait_for_file_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_sensors', task_id='has_content', logical_date=logical_date, run_id=run_id,
        params={'path': param_path}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {'path': _airflow_render(path, _airflow.context)}
    class PokeReturnValue:
        """airflow.sdk.PokeReturnValue, for the check: done or not, plus the XCom value."""

        def __init__(self, is_done, xcom_value=None):
            self.is_done, self.xcom_value = is_done, xcom_value

        def __bool__(self):
            return bool(self.is_done)
    # The task callable (samples/dags/operators_sensors.py:16:1).
    def file_has_content(path):
        import os

        return os.path.exists(path) and os.path.getsize(path) > 0
    def _poke():
        returned, skip = _airflow_call_python(_airflow, file_has_content, _op_args, _op_kwargs)
        if skip:
            raise _airflow.AirflowSkipException("the check raised AirflowSkipException")
        return returned["return_value"]
    results, skipped = _airflow_sensor(_airflow, _poke, poke_interval=1.0, timeout=30.0)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def probe(
    logical_date: str,
    run_id: str,
    param_path: str,
    bash_command: str,
    has_content_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'probe' (BashSensor) from samples/dags/operators_sensors.py:33:13."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_render,
        _airflow_should_skip,
        _kfp_outputs,
        _airflow_sensor,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [has_content_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_sensors', task_id='probe', logical_date=logical_date, run_id=run_id,
        params={'path': param_path}, xcom=xcom,
    )
    _command, _env = _airflow_render(bash_command, _airflow.context), None
    def _poke():
        # BashSensor.poke: exit 0 means done; with retry_exit_code only that code means "not yet".
        import subprocess
        import tempfile
        with tempfile.TemporaryDirectory(prefix="airflowtmp") as tmp_dir:
            script = tmp_dir + '/probe.sh'
            with open(script, "w") as handle:
                handle.write(_command)
            process = subprocess.run(["bash", script], cwd=tmp_dir, env=_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        print(process.stdout.decode('utf-8', errors="backslashreplace"))
        print(f"Command exited with return code {process.returncode}")
        if process.returncode == 0:
            return True
        return False
    results, skipped = _airflow_sensor(_airflow, _poke, poke_interval=1.0, timeout=30.0)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def short_pause(
    logical_date: str,
    run_id: str,
    probe_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'short_pause' (TimeDeltaSensor) from samples/dags/operators_sensors.py:34:13."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_should_skip, _kfp_outputs, _airflow_sensor
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [probe_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_sensors', task_id='short_pause', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    # TimeDeltaSensor: data_interval_end (the logical date of a manual run) + delta
    import datetime as _dt
    _target = _airflow.context["data_interval_end"] + _dt.timedelta(seconds=1.0)
    def _poke():
        import datetime as dt
        print(f"Checking if the delta has elapsed: target {_target}")
        return dt.datetime.now(dt.timezone.utc) > _target
    results, skipped = _airflow_sensor(_airflow, _poke, poke_interval=1.0, timeout=30.0)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def never_ready(
    logical_date: str,
    run_id: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'never_ready' (PythonSensor) from samples/dags/operators_sensors.py:35:13."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_sensor
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_sensors', task_id='never_ready', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    class PokeReturnValue:
        """airflow.sdk.PokeReturnValue, for the check: done or not, plus the XCom value."""

        def __init__(self, is_done, xcom_value=None):
            self.is_done, self.xcom_value = is_done, xcom_value

        def __bool__(self):
            return bool(self.is_done)
    # The task callable (samples/dags/operators_sensors.py:35:65).
    def _lambda():
        return False
    def _poke():
        returned, skip = _airflow_call_python(_airflow, _lambda, _op_args, _op_kwargs)
        if skip:
            raise _airflow.AirflowSkipException("the check raised AirflowSkipException")
        return returned["return_value"]
    results, skipped = _airflow_sensor(_airflow, _poke, poke_interval=1.0, timeout=2.0, soft_fail=True)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def after_never_ready(
    logical_date: str,
    run_id: str,
    bash_command: str,
    never_ready_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'after_never_ready' (BashOperator) from samples/dags/operators_sensors.py:36:19."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_run_bash,
        _airflow_should_skip,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [never_ready_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_sensors', task_id='after_never_ready', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def line_count(
    logical_date: str,
    run_id: str,
    param_path: str,
    path: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'line_count' (@task.sensor) from samples/dags/operators_sensors.py:49:21."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_render,
        _airflow_call_python,
        _kfp_outputs,
        _airflow_sensor,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_sensors', task_id='line_count', logical_date=logical_date, run_id=run_id,
        params={'path': param_path}, xcom=xcom,
    )
    _op_args = [_airflow_render(path, _airflow.context)]
    _op_kwargs = {}
    class PokeReturnValue:
        """airflow.sdk.PokeReturnValue, for the check: done or not, plus the XCom value."""

        def __init__(self, is_done, xcom_value=None):
            self.is_done, self.xcom_value = is_done, xcom_value

        def __bool__(self):
            return bool(self.is_done)
    # The task callable (samples/dags/operators_sensors.py:39:5).
    def line_count(path: str) -> PokeReturnValue:
        with open(path) as handle:
            lines = handle.read().splitlines()
        return PokeReturnValue(is_done=len(lines) > 0, xcom_value=len(lines))
    def _poke():
        returned, skip = _airflow_call_python(_airflow, line_count, _op_args, _op_kwargs)
        if skip:
            raise _airflow.AirflowSkipException("the check raised AirflowSkipException")
        return returned["return_value"]
    results, skipped = _airflow_sensor(_airflow, _poke, poke_interval=1.0, timeout=30.0)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def report(
    line_count__return_value: str,
    line_count_skipped: bool,
    short_pause_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'report' (@task) from samples/dags/operators_sensors.py:49:14."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_should_skip,
        _kfp_outputs,
        _from_json,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [line_count_skipped, short_pause_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {('line_count', 'return_value'): _from_json(line_count__return_value)}
    _airflow = _airflow_runtime(
        dag_id='operators_sensors', task_id='report', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('line_count', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/operators_sensors.py:45:5).
    def report(count: int) -> str:
        return f"{count} line(s) ready"
    results, skipped = _airflow_call_python(_airflow, report, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='operators-sensors', description='Converted from Airflow DAG operators_sensors')
def operators_sensors_pipeline(
    path: str = '/tmp/kfmigrate-sensor-ready.txt',
    logical_date: str = '',
    run_id: str = '',
):
    # wait_for_file: FileSensor -> polling lightweight component (glob on the file system) (native)
    wait_for_file_task = wait_for_file(
        logical_date=logical_date,
        run_id=run_id,
        param_path=path,
        filepath='{{ params.path }}',
    )
    wait_for_file_task.set_display_name('wait_for_file')
    kubernetes.use_secret_as_env(wait_for_file_task, secret_name='airflow-conn-fs-default', secret_key_to_env={'uri': 'AIRFLOW_CONN_FS_DEFAULT'})
    # has_content: PythonSensor -> polling lightweight component (the callable is the check) (native)
    has_content_task = has_content(
        logical_date=logical_date,
        run_id=run_id,
        param_path=path,
        path='{{ params.path }}',
        wait_for_file_skipped=wait_for_file_task.outputs['airflow_skipped'],
    )
    has_content_task.set_display_name('has_content')
    # probe: BashSensor -> polling lightweight component (bash exit code) (native)
    probe_task = probe(
        logical_date=logical_date,
        run_id=run_id,
        param_path=path,
        bash_command='test -s {{ params.path }}',
        has_content_skipped=has_content_task.outputs['airflow_skipped'],
    )
    probe_task.set_display_name('probe')
    # short_pause: TimeDeltaSensor -> polling lightweight component (wait for a delay) (native)
    short_pause_task = short_pause(
        logical_date=logical_date,
        run_id=run_id,
        probe_skipped=probe_task.outputs['airflow_skipped'],
    )
    short_pause_task.set_display_name('short_pause')
    # never_ready: PythonSensor -> polling lightweight component (the callable is the check) (native)
    never_ready_task = never_ready(logical_date=logical_date, run_id=run_id)
    never_ready_task.set_display_name('never_ready')
    # after_never_ready: BashOperator -> bash lightweight component (native)
    after_never_ready_task = after_never_ready(
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo never runs',
        never_ready_skipped=never_ready_task.outputs['airflow_skipped'],
    )
    after_never_ready_task.set_display_name('after_never_ready')
    # line_count: @task.sensor -> polling lightweight component (the callable is the check) (native)
    line_count_task = line_count(
        logical_date=logical_date,
        run_id=run_id,
        param_path=path,
        path='{{ params.path }}',
    )
    line_count_task.set_display_name('line_count')
    # report: @task -> Python lightweight component (native)
    report_task = report(
        line_count__return_value=line_count_task.outputs['return_value'],
        line_count_skipped=line_count_task.outputs['airflow_skipped'],
        short_pause_skipped=short_pause_task.outputs['airflow_skipped'],
    )
    report_task.set_display_name('report')


if __name__ == "__main__":
    target = Path(__file__).with_name('operators_sensors.yaml')
    compiler.Compiler().compile(operators_sensors_pipeline, str(target))
