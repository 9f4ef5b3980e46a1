"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'connections_variables'.

Source: samples/dags/connections_variables.py
Schedule in Airflow: preset '@daily', start_date 2024-01-01T00:00:00+00:00
  (not part of the pipeline: create a KFP recurring run for it)

Compile with `python {this file}` (writes connections_variables.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""


from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl
from kfp import kubernetes


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


def _airflow_xcom(xcom, pushed, AirflowException):
    """ti.xcom_push and ti.xcom_pull (of the values wired in at conversion time): a TaskInstance base."""

    class XComMethods:
        def xcom_push(self, key, value):
            pushed[key] = value

        def xcom_pull(self, task_ids=None, dag_id=None, key="return_value", **_ignored):
            if isinstance(task_ids, str):
                return self._pull_one(task_ids, key)
            if task_ids is None:
                raise AirflowException("xcom_pull() without task_ids is not supported on KFP "
                                       "(kfmigrate wires literal task_ids only)")
            return [self._pull_one(one, key) for one in task_ids]

        def _pull_one(self, upstream_id, key):
            if (upstream_id, key) not in xcom:
                raise AirflowException(
                    f"xcom_pull(task_ids={upstream_id!r}, key={key!r}) was not wired at conversion time; "
                    "kfmigrate wires xcom_pull calls whose task_ids and key are literals"
                )
            return xcom[(upstream_id, key)]

    return XComMethods


def _airflow_pendulum():
    """The class of the dates in the context: a datetime with the pendulum methods DAGs use most."""
    import datetime as dt

    class DateTime(dt.datetime):
        """A datetime with the pendulum methods DAGs use most (Airflow's dates are pendulum's)."""

        def add(self, years=0, months=0, weeks=0, days=0, hours=0, minutes=0, seconds=0, microseconds=0):
            import calendar

            months_total = self.month - 1 + months + 12 * years
            year, month = self.year + months_total // 12, months_total % 12 + 1
            last_day = calendar.monthrange(year, month)[1]
            moved = self.replace(year=year, month=month, day=min(self.day, last_day))
            return moved + dt.timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds,
                                        microseconds=microseconds)

        def subtract(self, **units):
            return self.add(**{unit: -amount for unit, amount in units.items()})

        def in_timezone(self, name):
            import zoneinfo

            return self.astimezone(zoneinfo.ZoneInfo(name))

        in_tz = in_timezone

        def start_of(self, unit):
            units = ("year", "month", "day", "hour", "minute", "second")
            if unit == "week":
                return self.start_of("day").subtract(days=self.weekday())
            keep = units.index(unit) + 1
            fields = dict(zip(units, (self.year, self.month, self.day, self.hour, self.minute, self.second)))
            defaults = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0}
            kept = {u: fields[u] for u in units[1:keep]}
            return self.replace(microsecond=0, **{u: defaults[u] for u in units[keep:]}, **kept)

        def end_of(self, unit):
            steps = {"year": {"years": 1}, "month": {"months": 1}, "week": {"weeks": 1}, "day": {"days": 1},
                     "hour": {"hours": 1}, "minute": {"minutes": 1}, "second": {"seconds": 1}}
            return self.start_of(unit).add(**steps[unit]) - dt.timedelta(microseconds=1)

        def to_date_string(self):
            return self.strftime("%Y-%m-%d")

        def to_datetime_string(self):
            return self.strftime("%Y-%m-%d %H:%M:%S")

        def to_iso8601_string(self):
            text = self.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        def format(self, fmt):
            import re

            tokens = {"YYYY": "%Y", "YY": "%y", "MMMM": "%B", "MMM": "%b", "MM": "%m", "DD": "%d", "dddd": "%A",
                      "ddd": "%a", "HH": "%H", "hh": "%I", "mm": "%M", "ss": "%S", "A": "%p", "ZZ": "%z"}
            pattern = "|".join(sorted(tokens, key=len, reverse=True))
            return self.strftime(re.sub(pattern, lambda m: tokens[m.group(0)], fmt.replace("%", "%%")))

        @property
        def int_timestamp(self):
            return int(self.timestamp())

        @property
        def day_of_week(self):
            return self.weekday()

        @property
        def day_of_year(self):
            return self.timetuple().tm_yday

    return DateTime


def _airflow_macros():
    """{{ macros.* }}: ds_add, ds_format and the modules Airflow puts there."""
    import datetime as dt
    import json
    import types

    def ds_add(ds, days):
        if not days:
            return str(ds)
        return (dt.datetime.strptime(str(ds), "%Y-%m-%d") + dt.timedelta(days=days)).strftime("%Y-%m-%d")

    def ds_format(ds, input_format, output_format):
        return dt.datetime.strptime(str(ds), input_format).strftime(output_format)

    class Macros(types.SimpleNamespace):
        """{{ macros.* }}; time, uuid and random are imported on first use (uuid alone costs ms per task)."""

        def __getattr__(self, name):
            import importlib

            if name in ("time", "uuid", "random"):
                module = importlib.import_module(name)
                return module.random if name == "random" else module
            raise AttributeError(name)

    return Macros(ds_add=ds_add, ds_format=ds_format, datetime=dt.datetime, timedelta=dt.timedelta, json=json)


def _airflow_variables():
    """Variable.get, {{ var.value.x }} / {{ var.json.x }} and {{ conn.x }}: read from AIRFLOW_VAR_<KEY> and
    AIRFLOW_CONN_<ID> environment variables, as Airflow looks them up first."""
    import json
    import os
    import types

    def variable(key, default=None, deserialize_json=False, has_default=False):
        env_name = "AIRFLOW_VAR_" + key.upper()
        if env_name not in os.environ:
            if has_default:
                return default
            raise KeyError(f"Variable {key} does not exist (set environment variable {env_name})")
        value = os.environ[env_name]
        return json.loads(value) if deserialize_json else value

    missing = object()

    class Variable:
        """airflow Variable.get reading AIRFLOW_VAR_<KEY> environment variables, as Airflow does first."""

        @staticmethod
        def get(key, default_var=missing, deserialize_json=False, default=missing, **_ignored):
            fallback = default if default is not missing else default_var
            return variable(key, fallback, deserialize_json, has_default=fallback is not missing)

    class VariableAccessor:
        """{{ var.value.x }} and {{ var.json.x }} in templates."""

        def __init__(self, deserialize_json):
            self._json = deserialize_json

        def __getattr__(self, key):
            if key.startswith("__"):
                raise AttributeError(key)
            return variable(key, deserialize_json=self._json)

        def get(self, key, default=None):
            return variable(key, default, self._json, has_default=True)

    class ConnectionAccessor:
        """{{ conn.my_id.host }}: a connection from AIRFLOW_CONN_<ID> (URI or JSON), as Airflow reads it."""

        def __getattr__(self, conn_id):
            import urllib.parse

            if conn_id.startswith("__"):
                raise AttributeError(conn_id)
            env_name = "AIRFLOW_CONN_" + conn_id.upper()
            if env_name not in os.environ:
                raise KeyError(f"The conn_id `{conn_id}` isn't defined (set environment variable {env_name})")
            text = os.environ[env_name]
            if text.lstrip().startswith("{"):
                data = json.loads(text)
                extra = data.get("extra") or {}
                extra = json.loads(extra) if isinstance(extra, str) else extra
                return types.SimpleNamespace(
                    conn_id=conn_id, conn_type=data.get("conn_type"), host=data.get("host"), login=data.get("login"),
                    password=data.get("password"), port=data.get("port"), schema=data.get("schema"), extra_dejson=extra)
            parts = urllib.parse.urlsplit(text)
            unquote = urllib.parse.unquote
            return types.SimpleNamespace(
                conn_id=conn_id, conn_type=parts.scheme.replace("-", "_"), host=unquote(parts.hostname or ""),
                login=unquote(parts.username) if parts.username else None,
                password=unquote(parts.password) if parts.password else None, port=parts.port,
                schema=unquote(parts.path.lstrip("/")), extra_dejson=dict(urllib.parse.parse_qsl(parts.query)))

    return types.SimpleNamespace(Variable=Variable, conn=ConnectionAccessor(),
                                 var={"value": VariableAccessor(False), "json": VariableAccessor(True)})


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


def _airflow_should_skip(trigger_rule, upstream_skipped):
    """Whether the trigger rule skips a task, given which direct upstream tasks were skipped (on KFP a
    failed upstream stops its dependants: only the skip half of each rule applies)."""
    flags = [bool(flag) for flag in upstream_skipped]
    if trigger_rule in ("all_success", "none_skipped", "all_done_min_one_success"):
        return any(flags)
    if trigger_rule in ("one_success", "none_failed_min_one_success", "one_done"):
        return bool(flags) and all(flags)
    if trigger_rule == "all_skipped":
        return not (flags and all(flags))
    if trigger_rule in ("one_failed", "all_failed"):
        return True  # no upstream failed (a failure would have stopped the run): Airflow skips
    return False  # none_failed, all_done, always: skipped upstreams do not matter


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


def _airflow_run_operator(airflow, module_name, class_name, kwargs, module_code=None, dynamic_kwargs=None):
    """Run an Airflow operator inside the KFP task (the operator shim); return (XCom values, skipped).

    The operator is built with the DAG's arguments, its templated fields are rendered by Airflow
    itself against the kfmigrate context, and `execute(context)` runs as in a worker. module_code:
    the DAG file's code for an operator class defined there (and for arguments that are Python
    expressions: dynamic_kwargs, name -> expression evaluated in that code's namespace).
    Connections come from AIRFLOW_CONN_<ID> environment variables (Airflow's own lookup order).
    """
    import importlib
    import os
    import tempfile
    import textwrap

    # A private Airflow home: never read or write the user's airflow.cfg or metadata database.
    os.environ["AIRFLOW_HOME"] = tempfile.mkdtemp(prefix="kfmigrate-airflow-home-")
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
    namespace = {"__name__": "kfmigrate_dag_module"}
    if module_code:
        # dedent: the code sits indented inside the component function
        exec(compile(textwrap.dedent(module_code), "<code from the DAG file>", "exec"), namespace)
    operator_class = namespace[class_name] if class_name in namespace else getattr(importlib.import_module(module_name), class_name)
    arguments = dict(kwargs)
    for name, expression in (dynamic_kwargs or {}).items():
        arguments[name] = eval(expression, namespace)  # the DAG file's own expression, as Airflow evaluates it
    try:
        from airflow.exceptions import AirflowSkipException
    except ImportError:
        AirflowSkipException = airflow.AirflowSkipException
    operator = operator_class(**arguments)
    context = dict(airflow.context, task=operator)
    try:
        operator.render_template_fields(context)
        airflow.report_rendered({name: getattr(operator, name, None) for name in operator.template_fields})
        value = operator.execute(context)
    except (AirflowSkipException, airflow.AirflowSkipException) as skip:
        print(f"Task skipped: {skip}")
        return {}, True
    results = dict(airflow.pushed)
    if getattr(operator, "do_xcom_push", True):
        results["return_value"] = value
    return results, False


# ---------------------------------------------------------------- components (one per Airflow task)


@dsl.component(
    base_image=BASE_IMAGE,
    packages_to_install=['apache-airflow==3.3.2', 'apache-airflow-providers-common-sql==2.4.0'],
    additional_funcs=[_airflow_runtime, _airflow_xcom, _airflow_pendulum, _airflow_macros, _airflow_variables, _kfp_outputs, _airflow_run_operator],
)
def load_events(
    logical_date: str,
    run_id: str,
    conn_id: str,
    sql: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'load_events' (SQLExecuteQueryOperator) from samples/dags/connections_variables.py:15:12."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='connections_variables', task_id='load_events', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _kwargs = {'task_id': 'load_events', 'conn_id': conn_id, 'sql': sql}
    results, skipped = _airflow_run_operator(_airflow, 'airflow.providers.common.sql.operators.sql', 'SQLExecuteQueryOperator', _kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_xcom, _airflow_pendulum, _airflow_macros, _airflow_variables, _airflow_call_python, _airflow_should_skip, _kfp_outputs],
)
def count_reports(
    logical_date: str,
    run_id: str,
    load_events_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool)]):
    """Airflow task 'count_reports' (@task) from samples/dags/connections_variables.py:42:13."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [load_events_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='connections_variables', task_id='count_reports', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # Airflow names the callable uses, provided by the kfmigrate run-time shim.
    Variable = _airflow.Variable
    # The task callable (samples/dags/connections_variables.py:22:5).
    def count_reports() -> int:
        # a hook in a Python callable and a Variable read in code
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        limit = int(Variable.get("report_limit", default=100))
        hook = PostgresHook(postgres_conn_id="reporting_db")
        return min(limit, hook.get_first("SELECT count(*) FROM reports")[0])
    results, skipped = _airflow_call_python(_airflow, count_reports, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_xcom, _airflow_pendulum, _airflow_macros, _airflow_variables, _airflow_call_python, _airflow_should_skip, _kfp_outputs],
)
def api_host(
    logical_date: str,
    run_id: str,
    count_reports_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'api_host' (@task) from samples/dags/connections_variables.py:42:32."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [count_reports_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='connections_variables', task_id='api_host', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/connections_variables.py:31:5).
    def api_host() -> str:
        from airflow.sdk.bases.hook import BaseHook

        return BaseHook.get_connection("partner_api").host
    results, skipped = _airflow_call_python(_airflow, api_host, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    packages_to_install=['jinja2==3.1.6'],
    additional_funcs=[_airflow_runtime, _airflow_variables, _airflow_render, _airflow_run_bash, _airflow_should_skip, _kfp_outputs],
)
def notify(
    logical_date: str,
    run_id: str,
    bash_command: str,
    api_host_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'notify' (BashOperator) from samples/dags/connections_variables.py:37:14."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [api_host_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='connections_variables', task_id='notify', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = _airflow_render(bash_command, _airflow.context)
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='connections-variables', description='Converted from Airflow DAG connections_variables')
def connections_variables_pipeline(
    logical_date: str = '',
    run_id: str = '',
):
    # load_events: SQLExecuteQueryOperator -> operator shim (the Airflow operator runs inside a lightweight component) (shim)
    load_events_task = load_events(
        logical_date=logical_date,
        run_id=run_id,
        conn_id='warehouse',
        sql="INSERT INTO {{ var.value.schema }}.events SELECT * FROM staging.events WHERE day = '{{ ds }}'",
    )
    load_events_task.set_display_name('load_events')
    kubernetes.use_secret_as_env(load_events_task, secret_name='airflow-conn-warehouse', secret_key_to_env={'uri': 'AIRFLOW_CONN_WAREHOUSE'})
    kubernetes.use_config_map_as_env(load_events_task, config_map_name='airflow-var-schema', config_map_key_to_env={'value': 'AIRFLOW_VAR_SCHEMA'})
    # count_reports: @task -> Python lightweight component (imports airflow.providers.postgres.hooks.postgres: not in its image) (placeholder)
    count_reports_task = count_reports(
        logical_date=logical_date,
        run_id=run_id,
        load_events_skipped=load_events_task.outputs['airflow_skipped'],
    )
    count_reports_task.set_display_name('count_reports')
    kubernetes.use_secret_as_env(count_reports_task, secret_name='airflow-conn-reporting-db', secret_key_to_env={'uri': 'AIRFLOW_CONN_REPORTING_DB'})
    kubernetes.use_config_map_as_env(count_reports_task, config_map_name='airflow-var-report-limit', config_map_key_to_env={'value': 'AIRFLOW_VAR_REPORT_LIMIT'})
    # api_host: @task -> Python lightweight component (imports airflow.sdk.bases.hook: not in its image) (placeholder)
    api_host_task = api_host(
        logical_date=logical_date,
        run_id=run_id,
        count_reports_skipped=count_reports_task.outputs['airflow_skipped'],
    )
    api_host_task.set_display_name('api_host')
    kubernetes.use_secret_as_env(api_host_task, secret_name='airflow-conn-partner-api', secret_key_to_env={'uri': 'AIRFLOW_CONN_PARTNER_API'})
    # notify: BashOperator -> bash lightweight component (native)
    notify_task = notify(
        logical_date=logical_date,
        run_id=run_id,
        bash_command='curl -s https://{{ conn.partner_api.host }}/notify?team={{ var.json.alerting.team }}',
        api_host_skipped=api_host_task.outputs['airflow_skipped'],
    )
    notify_task.set_display_name('notify')
    kubernetes.use_secret_as_env(notify_task, secret_name='airflow-conn-partner-api', secret_key_to_env={'uri': 'AIRFLOW_CONN_PARTNER_API'})
    kubernetes.use_config_map_as_env(notify_task, config_map_name='airflow-var-alerting', config_map_key_to_env={'value': 'AIRFLOW_VAR_ALERTING'})


if __name__ == "__main__":
    target = Path(__file__).with_name('connections_variables.yaml')
    compiler.Compiler().compile(connections_variables_pipeline, str(target))
