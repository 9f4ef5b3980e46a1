"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'guarded_nightly'.

Source: samples/projects/factories/dags/guarded_dag.py
Schedule in Airflow: preset '@daily'
  (not part of the pipeline: create a KFP recurring run for it)

Compile with `python {this file}` (writes guarded_nightly.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""


from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl


BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here


# ---------------------------------------------------------------- kfmigrate run-time helpers
# Copied into the components that use them (additional_funcs). They rebuild what an Airflow task
# sees: its context, XCom, Jinja rendering, the bash runner and trigger rules on skips.


def _airflow_runtime(dag_id, task_id, logical_date, run_id, params, xcom, try_number=1):
    """What an Airflow task sees: its context, XCom and a few Airflow names. logical_date: ISO 8601, empty
    for now (a manual run); xcom: (task_id, key) -> value wired in from upstream tasks."""
    import datetime as dt
    import json
    import types

    # The optional parts (_airflow_xcom, _pendulum, _macros, _variables) are embedded where the code needs them
    optional = globals()
    if "_airflow_pendulum" in optional:
        DateTime = _airflow_pendulum()
    else:
        class DateTime(dt.datetime):
            """A datetime (this task uses none of pendulum's methods)."""

    utc = dt.timezone.utc
    now = DateTime.now(utc)
    if logical_date:
        date = DateTime.fromisoformat(logical_date.replace("Z", "+00:00"))
        date = date.replace(tzinfo=utc) if date.tzinfo is None else date.astimezone(utc)
    else:
        date = now
    run_id = run_id or f"manual__{now.isoformat()}"  # Airflow 3 names manual runs after the trigger time

    class AirflowException(Exception):
        """airflow.exceptions.AirflowException"""

    class AirflowSkipException(AirflowException):
        """Marks the task skipped"""

    class AirflowFailException(AirflowException):
        """Fails the task (KFP may still retry it)"""

    pushed = {}

    xcom_methods = [_airflow_xcom(xcom, pushed, AirflowException)] if "_airflow_xcom" in optional else []

    class TaskInstance(*xcom_methods):
        """What a converted callable can use of Airflow's TaskInstance"""

        def __init__(self):
            self.dag_id, self.task_id, self.run_id = dag_id, task_id, run_id
            self.try_number, self.map_index, self.logical_date = try_number, -1, date

    missing = object()
    macros = _airflow_macros() if "_airflow_macros" in optional else missing
    access = _airflow_variables() if "_airflow_variables" in optional else None
    ti = TaskInstance()
    ds = date.strftime("%Y-%m-%d")
    ts = date.isoformat()
    dag = types.SimpleNamespace(dag_id=dag_id)
    context = {
        "dag": dag,
        "task": types.SimpleNamespace(task_id=task_id, dag_id=dag_id, dag=dag),
        "ti": ti,
        "task_instance": ti,
        "run_id": run_id,
        "params": dict(params),
        "macros": macros,
        "var": access.var if access else missing,
        "conn": access.conn if access else missing,
        "dag_run": types.SimpleNamespace(
            dag_id=dag_id, run_id=run_id, logical_date=date, conf={}, run_type="manual",
            data_interval_start=date, data_interval_end=date,
        ),
        "logical_date": date,
        "ds": ds,
        "ds_nodash": ds.replace("-", ""),
        "ts": ts,
        "ts_nodash": date.strftime("%Y%m%dT%H%M%S"),
        "ts_nodash_with_tz": ts.replace("-", "").replace(":", ""),
        "data_interval_start": date,
        "data_interval_end": date,
        "task_instance_key_str": f"{dag_id}__{task_id}__{ds.replace('-', '')}",
        "inlets": [],
        "outlets": [],
    }
    context = {key: value for key, value in context.items() if value is not missing}

    def report_rendered(fields):
        """Log the rendered templated fields for `kfmigrate verify`, secret-looking keys masked as Airflow does."""
        secret = ("password", "passwd", "passphrase", "secret", "token", "api_key", "apikey", "access_key",
                  "private_key", "authorization", "bearer", "credential")

        def masked(value, key=""):
            if any(word in str(key).lower() for word in secret):
                return "***"
            if isinstance(value, dict):
                return {k: masked(v, k) for k, v in value.items()}
            return [masked(v) for v in value] if isinstance(value, (list, tuple)) else value

        print("[kfmigrate] rendered " + json.dumps({k: masked(v, k) for k, v in fields.items()}, default=str), flush=True)

    return types.SimpleNamespace(
        context=context,
        pushed=pushed,
        report_rendered=report_rendered,
        get_current_context=lambda: context,
        **({"Variable": access.Variable} if access else {}),
        AirflowException=AirflowException,
        AirflowSkipException=AirflowSkipException,
        AirflowFailException=AirflowFailException,
    )


def _airflow_run_bash(airflow, bash_command, env=None, append_env=False, cwd=None, skip_on_exit_code=99,
                      output_encoding="utf-8"):
    """Run a rendered command like BashOperator: output to the log, its last line the return value; exit
    code in skip_on_exit_code means skipped, other non-zero codes fail. Return (XCom values, skipped)."""
    import os
    import shutil
    import subprocess
    import tempfile

    airflow.report_rendered({"bash_command": bash_command, "env": env, "cwd": cwd})
    context = airflow.context
    run_env = dict(os.environ) if env is None or append_env else {}
    run_env.update(env or {})
    run_env.update(
        AIRFLOW_CTX_DAG_ID=context["dag"].dag_id, AIRFLOW_CTX_TASK_ID=context["task"].task_id,
        AIRFLOW_CTX_LOGICAL_DATE=context["ts"], AIRFLOW_CTX_DAG_RUN_ID=context["run_id"],
        AIRFLOW_CTX_TRY_NUMBER=str(context["ti"].try_number),
    )
    if skip_on_exit_code is None:
        skip_codes = []
    elif isinstance(skip_on_exit_code, int):
        skip_codes = [skip_on_exit_code]
    else:
        skip_codes = list(skip_on_exit_code)
    if cwd is not None and not os.path.isdir(cwd):
        raise airflow.AirflowException(f"Can not find the cwd: {cwd}")
    with tempfile.TemporaryDirectory(prefix="airflowtmp") as scratch:
        process = subprocess.Popen(
            [shutil.which("bash") or "bash", "-c", bash_command], cwd=cwd or scratch, env=run_env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        last_line = ""
        for raw_line in process.stdout:
            last_line = raw_line.decode(output_encoding, errors="backslashreplace").rstrip()
            print(last_line, flush=True)
        exit_code = process.wait()
    if exit_code in skip_codes:
        print(f"Bash command returned exit code {exit_code}. Skipping.")
        return {}, True
    if exit_code != 0:
        raise airflow.AirflowException(
            f"Bash command failed. The command returned a non-zero exit code {exit_code}.")
    return dict(airflow.pushed, return_value=last_line), False


def _kfp_outputs(results, skipped, spec):
    """XCom values as the component's outputs, in the order of spec: (key, kind) pairs, kind 'json' (JSON
    text), a Python type name, or 'skipped' (the flag). A skipped task's outputs are empty values."""
    import json

    empty = {"json": "null", "str": "", "int": 0, "float": 0.0, "bool": False, "list": [], "dict": {}}
    types = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}
    values = []
    for key, kind in spec:
        if kind == "skipped":
            values.append(bool(skipped))
        elif skipped or key not in results:
            values.append(empty[kind])
        elif kind == "json":
            values.append(json.dumps(results[key], default=str))
        else:
            value = results[key]
            if kind == "list" and isinstance(value, tuple):
                value = list(value)
            if kind == "int" and isinstance(value, float) and value.is_integer():
                value = int(value)  # lossless; Airflow does not check annotations at all
            if not isinstance(value, types[kind]) or (kind in ("int", "float") and isinstance(value, bool)):
                raise TypeError(f"XCom {key!r} is {type(value).__name__}, "
                                f"but the task declares {kind} (its return annotation)")
            values.append(value)
    return tuple(values)


# ---------------------------------------------------------------- components (one per Airflow task)


@dsl.component(base_image=BASE_IMAGE, additional_funcs=[_airflow_runtime, _airflow_run_bash, _kfp_outputs])
def nightly(
    logical_date: str,
    run_id: str,
    bash_command: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'nightly' (BashOperator) from samples/projects/factories/dags/guarded_dag.py:20:9."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='guarded_nightly', task_id='nightly', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='guarded-nightly', description='Converted from Airflow DAG guarded_nightly')
def guarded_nightly_pipeline(
    logical_date: str = '',
    run_id: str = '',
):
    # nightly: BashOperator -> bash lightweight component (native)
    nightly_task = nightly(logical_date=logical_date, run_id=run_id, bash_command='echo nightly')
    nightly_task.set_display_name('nightly')


if __name__ == "__main__":
    target = Path(__file__).with_name('guarded_nightly.yaml')
    compiler.Compiler().compile(guarded_nightly_pipeline, str(target))
