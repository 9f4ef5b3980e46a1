"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'operators_report'.

Source: samples/dags/operators_control.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes operators_report.yaml next to it), or run it with
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


def _airflow_render(value, context):
    """Render a templated field (str, or lists/tuples/dict values of them) like Airflow: sandboxed,
    StrictUndefined, the `do` extension, its date filters. jinja2 is imported only for Jinja."""
    if isinstance(value, str):
        if "{{" not in value and "{%" not in value and "{#" not in value:
            # Jinja drops one trailing newline even from plain text; Airflow shows the same.
            return value[:-1] if value.endswith("\n") else value
        import jinja2
        import jinja2.sandbox

        env = jinja2.sandbox.SandboxedEnvironment(
            undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"], cache_size=0,
        )
        env.filters.update(
            ds=lambda d: None if d is None else d.strftime("%Y-%m-%d"),
            ds_nodash=lambda d: None if d is None else d.strftime("%Y%m%d"),
            ts=lambda d: None if d is None else d.isoformat(),
            ts_nodash=lambda d: None if d is None else d.strftime("%Y%m%dT%H%M%S"),
            ts_nodash_with_tz=lambda d: None if d is None else d.isoformat().replace("-", "").replace(":", ""),
        )
        return env.from_string(value).render(**context)
    if isinstance(value, tuple):
        return tuple(_airflow_render(item, context) for item in value)
    if isinstance(value, list):
        return [_airflow_render(item, context) for item in value]
    if isinstance(value, dict):
        return {key: _airflow_render(item, context) for key, item in value.items()}
    return value


def _airflow_call_python(airflow, python_callable, op_args, op_kwargs, templates_dict=None,
                         multiple_outputs=False):
    """Call a task callable like PythonOperator / @task (context entries it names, or all for **kwargs);
    return (XCom values: pushed ones and return_value, skipped)."""
    import inspect

    airflow.report_rendered({"templates_dict": templates_dict, "op_args": op_args, "op_kwargs": op_kwargs})
    context = dict(airflow.context, templates_dict=templates_dict)
    merged = {**context, **op_kwargs}
    signature = inspect.signature(python_callable)
    for name in list(signature.parameters)[: len(op_args)]:
        if name in merged and name not in op_kwargs:
            merged.pop(name)  # filled positionally; Airflow forbids the clash, we let the argument win
    if not any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values()):
        merged = {key: merged[key] for key in signature.parameters if key in merged}
    try:
        value = python_callable(*op_args, **merged)
        if inspect.iscoroutine(value):  # async callables run to completion, as Airflow 3 does
            import asyncio

            value = asyncio.run(value)
        if inspect.isgenerator(value):  # Airflow consumes what it yields (asset Metadata); the XCom is its return
            generator = value
            try:
                while True:
                    next(generator)
            except StopIteration as stop:
                value = stop.value
    except airflow.AirflowSkipException as skip:
        print(f"Task skipped: {skip}")
        return {}, True
    results = dict(airflow.pushed, return_value=value)
    if multiple_outputs:
        if not isinstance(value, dict):
            raise TypeError(f"multiple_outputs is set but the callable returned {type(value).__name__}, not a dict")
        results.update({str(key): item for key, item in value.items()})
    return results, False


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


@dsl.component(
    base_image=BASE_IMAGE,
    packages_to_install=['jinja2==3.1.6'],
    additional_funcs=[_airflow_runtime, _airflow_render, _airflow_call_python, _kfp_outputs],
)
def show(
    logical_date: str,
    run_id: str,
    param_message: str,
    message: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'show' (@task) from samples/dags/operators_control.py:15:5."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_report', task_id='show', logical_date=logical_date, run_id=run_id,
        params={'message': param_message}, xcom=xcom,
    )
    _op_args = [_airflow_render(message, _airflow.context)]
    _op_kwargs = {}
    # The task callable (samples/dags/operators_control.py:12:5).
    def show(message: str) -> str:
        return f"report: {message}"
    results, skipped = _airflow_call_python(_airflow, show, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='operators-report', description='Converted from Airflow DAG operators_report')
def operators_report_pipeline(
    message: str = 'nothing',
    logical_date: str = '',
    run_id: str = '',
):
    # show: @task -> Python lightweight component (native)
    show_task = show(
        logical_date=logical_date,
        run_id=run_id,
        param_message=message,
        message='{{ params.message }}',
    )
    show_task.set_display_name('show')


if __name__ == "__main__":
    target = Path(__file__).with_name('operators_report.yaml')
    compiler.Compiler().compile(operators_report_pipeline, str(target))
