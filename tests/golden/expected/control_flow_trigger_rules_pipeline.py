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


def _airflow_branch_ids(chosen):
    """A branch callable's return value as a list of task ids (None: follow nothing), like Airflow."""
    if chosen is None:
        return []
    if isinstance(chosen, str):
        return [chosen]
    return [str(item) for item in chosen]


def _airflow_not_followed(task_id, follow):
    """Whether a branch that chose `follow` skips its direct downstream task `task_id`.

    Choosing a task group follows the tasks inside it ("group.task" ids), as Airflow does.
    """
    if follow is None:  # the branch failed (an all_done task runs anyway): no direct skip
        return False
    prefixes = [task_id[:index] for index, char in enumerate(task_id) if char == "."]
    return not (task_id in follow or any(prefix in follow for prefix in prefixes))


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


def _from_json(text):
    """Decode an XCom value that crossed from an upstream task as JSON text."""
    import json

    return json.loads(text)


def _airflow_attempt(retry_index, attempts_path):
    """This attempt's Airflow try number (1 for the first). On a KFP cluster Argo fills {{retries}} into
    retry_index; kfp.local leaves it as written but keeps the task's output folder between attempts,
    so a counter file there counts them."""
    import os

    attempt = 1
    if str(retry_index).isdigit():
        attempt = int(retry_index) + 1
    else:
        try:
            with open(attempts_path) as handle:
                attempt = int(handle.read().strip() or 0) + 1
        except (OSError, ValueError):
            pass
    os.makedirs(os.path.dirname(attempts_path) or ".", exist_ok=True)
    with open(attempts_path, "w") as handle:
        handle.write(str(attempt))
    return attempt


def _airflow_trigger(trigger_rule, upstream_states, setup_states=()):
    """What Airflow does with a task once its upstream tasks are done: 'run', 'skipped' or 'upstream_failed'.

    upstream_states: each direct upstream task's state ('success', 'skipped', 'failed', 'upstream_failed';
    'run' counts as 'success': a removed task that would have run); a mapped upstream counts once per
    map index. setup_states: the states of the upstream setup tasks (all_done_setup_success, teardowns).
    Mirrors Airflow 3's TriggerRuleDep with every upstream task finished."""
    states = ["success" if state == "run" else state for state in upstream_states]
    success, skipped = states.count("success"), states.count("skipped")
    failed, upstream_failed = states.count("failed"), states.count("upstream_failed")
    any_failed = failed + upstream_failed > 0
    rule = trigger_rule
    if rule == "all_success":
        return "upstream_failed" if any_failed else "skipped" if skipped else "run"
    if rule == "all_failed":
        return "skipped" if success or skipped else "run"
    if rule == "one_success":
        if states and skipped == len(states):
            return "skipped"
        return "run" if success else "upstream_failed"
    if rule == "one_failed":
        return "run" if any_failed else "skipped"
    if rule == "one_done":
        return "run" if failed or success else "skipped"
    if rule == "none_failed":
        return "upstream_failed" if any_failed else "run"
    if rule == "none_failed_min_one_success":
        if any_failed:
            return "upstream_failed"
        if skipped == len(states):
            return "skipped"
        return "run" if success else "upstream_failed"
    if rule == "none_skipped":
        return "skipped" if skipped else "run"
    if rule == "all_skipped":
        return "skipped" if success or any_failed else "run"
    if rule == "all_done_min_one_success":
        if skipped:
            return "skipped"
        return "run" if success else "upstream_failed"
    if rule == "all_done_setup_success":
        setups = ["success" if state == "run" else state for state in setup_states]
        if setups and setups.count("skipped") == len(setups):
            return "skipped"
        return "upstream_failed" if setups and not setups.count("success") else "run"
    return "run"  # all_done, always: whatever the upstream tasks did


def _airflow_failed_for_good(error, retries, try_number):
    """Is this failure the task's last one, as Airflow decides? Airflow retries a failed task while
    try_number <= retries, except AirflowFailException and a sensor's timeout. A last failure is
    recorded as the output airflow_state='failed' (for the trigger rules downstream); an earlier one
    fails the attempt, so KFP retries it."""
    import traceback

    final = try_number > retries or type(error).__name__ in ("AirflowFailException", "AirflowSensorTimeout")
    if final:
        traceback.print_exc()
        print(f"[kfmigrate] the task failed (try {try_number}): recorded as airflow_state 'failed' for the "
              "trigger rules downstream; the DAG run state task fails the run if Airflow's would fail", flush=True)
    return final


def _airflow_dag_run_state(leaves):
    """Fail the pipeline as Airflow fails the DAG run: when a leaf task (one with no downstream task but
    teardowns) ended failed or upstream_failed. leaves: task id -> its states (one per map index)."""
    failed = {task: states for task, states in leaves.items()
              if any(state in ("failed", "upstream_failed") for state in states)}
    for task, states in leaves.items():
        print(f"[kfmigrate] leaf {task}: {', '.join(states) or 'no map index'}")
    if failed:
        raise RuntimeError("Airflow would mark this DAG run failed: leaf task(s) "
                           + ", ".join(f"{task} ({'/'.join(sorted(set(states)))})" for task, states in failed.items()))
    print("[kfmigrate] no leaf task failed: Airflow would mark this DAG run successful")


# ---------------------------------------------------------------- components (one per Airflow task)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_failed_for_good],
)
def source(
    logical_date: str,
    run_id: str,
    param_fail: str,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'source' (@task) from samples/dags/control_flow_trigger_rules.py:61:29."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='source', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_xcom, _airflow_pendulum, _airflow_macros, _airflow_variables, _airflow_call_python, _kfp_outputs, _airflow_attempt, _airflow_failed_for_good],
)
def breaks(
    logical_date: str,
    run_id: str,
    param_fail: str,
    airflow_retry_index: str,
    airflow_attempts: dsl.OutputPath(str),
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'breaks' (@task) from samples/dags/control_flow_trigger_rules.py:61:39."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='breaks', logical_date=logical_date, run_id=run_id,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_xcom, _airflow_pendulum, _airflow_macros, _airflow_variables, _airflow_call_python, _kfp_outputs, _airflow_attempt, _airflow_failed_for_good],
)
def flaky(
    logical_date: str,
    run_id: str,
    param_fail: str,
    airflow_retry_index: str,
    airflow_attempts: dsl.OutputPath(str),
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'flaky' (@task) from samples/dags/control_flow_trigger_rules.py:61:49."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='flaky', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def after_breaks(
    logical_date: str,
    run_id: str,
    param_fail: str,
    breaks__return_value: int,
    breaks_state: str,
    breaks_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_breaks' (@task) from samples/dags/control_flow_trigger_rules.py:62:5."""
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
            dag_id='control_flow_trigger_rules', task_id='after_breaks', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def after_flaky(
    logical_date: str,
    run_id: str,
    param_fail: str,
    flaky__return_value: int,
    flaky_state: str,
    flaky_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_flaky' (@task) from samples/dags/control_flow_trigger_rules.py:63:5."""
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
            dag_id='control_flow_trigger_rules', task_id='after_flaky', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_failed_for_good],
)
def on_all_done(
    logical_date: str,
    run_id: str,
    param_fail: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_all_done' (@task) from samples/dags/control_flow_trigger_rules.py:100:17."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='on_all_done', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def after_on_all_done(
    logical_date: str,
    run_id: str,
    param_fail: str,
    on_all_done__return_value: str,
    on_all_done_state: str,
    on_all_done_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_all_done' (@task) from samples/dags/control_flow_trigger_rules.py:102:9."""
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
            dag_id='control_flow_trigger_rules', task_id='after_on_all_done', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def on_one_failed(
    logical_date: str,
    run_id: str,
    param_fail: str,
    source_state: str,
    breaks_state: str,
    flaky_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_one_failed' (@task) from samples/dags/control_flow_trigger_rules.py:100:17."""
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
            dag_id='control_flow_trigger_rules', task_id='on_one_failed', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def after_on_one_failed(
    logical_date: str,
    run_id: str,
    param_fail: str,
    on_one_failed__return_value: str,
    on_one_failed_state: str,
    on_one_failed_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_one_failed' (@task) from samples/dags/control_flow_trigger_rules.py:102:9."""
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
            dag_id='control_flow_trigger_rules', task_id='after_on_one_failed', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def on_one_done(
    logical_date: str,
    run_id: str,
    param_fail: str,
    source_state: str,
    breaks_state: str,
    flaky_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_one_done' (@task) from samples/dags/control_flow_trigger_rules.py:100:17."""
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
            dag_id='control_flow_trigger_rules', task_id='on_one_done', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def after_on_one_done(
    logical_date: str,
    run_id: str,
    param_fail: str,
    on_one_done__return_value: str,
    on_one_done_state: str,
    on_one_done_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_one_done' (@task) from samples/dags/control_flow_trigger_rules.py:102:9."""
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
            dag_id='control_flow_trigger_rules', task_id='after_on_one_done', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def on_none_failed(
    logical_date: str,
    run_id: str,
    param_fail: str,
    source_state: str,
    breaks_state: str,
    flaky_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_none_failed' (@task) from samples/dags/control_flow_trigger_rules.py:100:17."""
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
            dag_id='control_flow_trigger_rules', task_id='on_none_failed', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def after_on_none_failed(
    logical_date: str,
    run_id: str,
    param_fail: str,
    on_none_failed__return_value: str,
    on_none_failed_state: str,
    on_none_failed_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_none_failed' (@task) from samples/dags/control_flow_trigger_rules.py:102:9."""
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
            dag_id='control_flow_trigger_rules', task_id='after_on_none_failed', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def on_none_failed_min_one_success(
    logical_date: str,
    run_id: str,
    param_fail: str,
    source_state: str,
    breaks_state: str,
    flaky_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_none_failed_min_one_success' (@task) from samples/dags/control_flow_trigger_rules.py:100:17."""
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
            dag_id='control_flow_trigger_rules', task_id='on_none_failed_min_one_success', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def after_on_none_failed_min_one_success(
    logical_date: str,
    run_id: str,
    param_fail: str,
    on_none_failed_min_one_success__return_value: str,
    on_none_failed_min_one_success_state: str,
    on_none_failed_min_one_success_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_none_failed_min_one_success' (@task) from samples/dags/control_flow_trigger_rules.py:102:9."""
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
            dag_id='control_flow_trigger_rules', task_id='after_on_none_failed_min_one_success', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_failed_for_good],
)
def on_always(
    logical_date: str,
    run_id: str,
    param_fail: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_always' (@task) from samples/dags/control_flow_trigger_rules.py:100:17."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='on_always', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def after_on_always(
    logical_date: str,
    run_id: str,
    param_fail: str,
    on_always__return_value: str,
    on_always_state: str,
    on_always_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_always' (@task) from samples/dags/control_flow_trigger_rules.py:102:9."""
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
            dag_id='control_flow_trigger_rules', task_id='after_on_always', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def on_all_failed(
    logical_date: str,
    run_id: str,
    param_fail: str,
    breaks_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'on_all_failed' (@task) from samples/dags/control_flow_trigger_rules.py:103:18."""
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
            dag_id='control_flow_trigger_rules', task_id='on_all_failed', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def after_on_all_failed(
    logical_date: str,
    run_id: str,
    param_fail: str,
    on_all_failed__return_value: str,
    on_all_failed_state: str,
    on_all_failed_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_on_all_failed' (@task) from samples/dags/control_flow_trigger_rules.py:105:5."""
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
            dag_id='control_flow_trigger_rules', task_id='after_on_all_failed', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_failed_for_good],
)
def setup_resource(
    logical_date: str,
    run_id: str,
    param_fail: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'setup_resource' (@setup) from samples/dags/control_flow_trigger_rules.py:124:5."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='setup_resource', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def use_resource(
    logical_date: str,
    run_id: str,
    param_fail: str,
    setup_resource_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'use_resource' (@task) from samples/dags/control_flow_trigger_rules.py:124:25."""
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
            dag_id='control_flow_trigger_rules', task_id='use_resource', logical_date=logical_date, run_id=run_id,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def teardown_resource(
    logical_date: str,
    run_id: str,
    param_fail: str,
    use_resource_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'teardown_resource' (@teardown) from samples/dags/control_flow_trigger_rules.py:124:43."""
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
            dag_id='control_flow_trigger_rules', task_id='teardown_resource', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def report_teardown(
    logical_date: str,
    run_id: str,
    param_fail: str,
    teardown_resource_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'report_teardown' (@task) from samples/dags/control_flow_trigger_rules.py:124:66."""
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
            dag_id='control_flow_trigger_rules', task_id='report_teardown', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _airflow_branch_ids, _airflow_not_followed, _kfp_outputs, _airflow_failed_for_good],
)
def pick(
    logical_date: str,
    run_id: str,
    param_fail: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_follow', list), ('airflow_skips_in_branch_breaks', bool), ('airflow_skips_not_taken', bool), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'pick' (@task.branch) from samples/dags/control_flow_trigger_rules.py:148:5."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_follow', 'list'), ('airflow_skips:in_branch_breaks', 'bool'), ('airflow_skips:not_taken', 'bool'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='pick', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def in_branch_breaks(
    logical_date: str,
    run_id: str,
    param_fail: str,
    pick_state: str,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'in_branch_breaks' (@task) from samples/dags/control_flow_trigger_rules.py:147:13."""
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
            dag_id='control_flow_trigger_rules', task_id='in_branch_breaks', logical_date=logical_date, run_id=run_id,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def not_taken(
    logical_date: str,
    run_id: str,
    param_fail: str,
    pick_state: str,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'not_taken' (@task) from samples/dags/control_flow_trigger_rules.py:148:23."""
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
            dag_id='control_flow_trigger_rules', task_id='not_taken', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_failed_for_good],
)
def in_branch_cleanup(
    logical_date: str,
    run_id: str,
    param_fail: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'in_branch_cleanup' (@task) from samples/dags/control_flow_trigger_rules.py:149:15."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='in_branch_cleanup', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def in_branch_after(
    logical_date: str,
    run_id: str,
    param_fail: str,
    in_branch_cleanup__return_value: str,
    in_branch_cleanup_state: str,
    in_branch_cleanup_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'in_branch_after' (@task) from samples/dags/control_flow_trigger_rules.py:151:5."""
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
            dag_id='control_flow_trigger_rules', task_id='in_branch_after', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json, _airflow_failed_for_good],
)
def per_item_item_work(
    logical_date: str,
    run_id: str,
    param_fail: str,
    map_item: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'per_item.item_work' (@task) from samples/dags/control_flow_trigger_rules.py:170:9."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        x = _from_json(map_item)  # the mapped argument
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='per_item.item_work', logical_date=logical_date, run_id=run_id,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_failed_for_good],
)
def per_item_item_done(
    logical_date: str,
    run_id: str,
    param_fail: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'per_item.item_done' (@task) from samples/dags/control_flow_trigger_rules.py:169:16."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='per_item.item_done', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json, _airflow_trigger, _airflow_failed_for_good],
)
def per_item_item_after(
    logical_date: str,
    run_id: str,
    param_fail: str,
    per_item_item_done__return_value: str,
    per_item_item_done_state: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'per_item.item_after' (@task) from samples/dags/control_flow_trigger_rules.py:171:9."""
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
            dag_id='control_flow_trigger_rules', task_id='per_item.item_after', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json, _airflow_failed_for_good],
)
def double(
    logical_date: str,
    run_id: str,
    param_fail: str,
    map_item: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'double' (@task) from samples/dags/control_flow_trigger_rules.py:190:5."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        x = _from_json(map_item)  # the mapped argument
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='double', logical_date=logical_date, run_id=run_id,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_failed_for_good],
)
def doubled_done(
    logical_date: str,
    run_id: str,
    param_fail: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'doubled_done' (@task) from samples/dags/control_flow_trigger_rules.py:189:14."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='doubled_done', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_trigger, _airflow_failed_for_good],
)
def after_doubled(
    logical_date: str,
    run_id: str,
    param_fail: str,
    doubled_done__return_value: str,
    doubled_done_state: str,
    doubled_done_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'after_doubled' (@task) from samples/dags/control_flow_trigger_rules.py:191:5."""
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
            dag_id='control_flow_trigger_rules', task_id='after_doubled', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_failed_for_good],
)
def absorbed(
    logical_date: str,
    run_id: str,
    param_fail: str,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'absorbed' (@task) from samples/dags/control_flow_trigger_rules.py:202:5."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='absorbed', logical_date=logical_date, run_id=run_id,
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _airflow_failed_for_good],
)
def absorbed_cleanup(
    logical_date: str,
    run_id: str,
    param_fail: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool), ('airflow_state', str)]):
    """Airflow task 'absorbed_cleanup' (@task) from samples/dags/control_flow_trigger_rules.py:202:19."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # A failure on the last attempt is recorded (airflow_state 'failed') for the trigger rules downstream
    try:
        xcom = {}
        _airflow = _airflow_runtime(
            dag_id='control_flow_trigger_rules', task_id='absorbed_cleanup', logical_date=logical_date, run_id=run_id,
            params={'fail': param_fail}, xcom=xcom,
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


@dsl.component(base_image=BASE_IMAGE, additional_funcs=[_airflow_dag_run_state])
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
    _airflow_dag_run_state({'after_breaks': [after_breaks_state], 'after_flaky': [after_flaky_state], 'after_on_all_done': [after_on_all_done_state], 'after_on_one_failed': [after_on_one_failed_state], 'after_on_one_done': [after_on_one_done_state], 'after_on_none_failed': [after_on_none_failed_state], 'after_on_none_failed_min_one_success': [after_on_none_failed_min_one_success_state], 'after_on_always': [after_on_always_state], 'after_on_all_failed': [after_on_all_failed_state], 'use_resource': [use_resource_state], 'report_teardown': [report_teardown_state], 'not_taken': [not_taken_state], 'in_branch_after': [in_branch_after_state], 'per_item.item_after': [*(per_item_item_after_state or ['skipped'])], 'after_doubled': [after_doubled_state], 'absorbed_cleanup': [absorbed_cleanup_state]})


@dsl.component(base_image=BASE_IMAGE)
def in_branch_breaks_not_run():
    """Stands in for the tasks that run only when pick follows in_branch_breaks, when they do not (the dsl.Else)."""
    print("Skipped: Airflow would skip these tasks.")


@dsl.component(base_image=BASE_IMAGE)
def not_taken_not_run() -> NamedTuple("Outputs", [('not_taken__airflow_state', str)]):
    """Stands in for the tasks that run only when pick follows not_taken, when they do not (the dsl.Else)."""
    return ('skipped',)


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='control-flow-trigger-rules', description='Converted from Airflow DAG control_flow_trigger_rules')
def control_flow_trigger_rules_pipeline(
    fail: str = 'none',
    logical_date: str = '',
    run_id: str = '',
):
    # source: @task -> Python lightweight component (native)
    source_task = source(logical_date=logical_date, run_id=run_id, param_fail=fail)
    source_task.set_display_name('source')
    # breaks: @task -> Python lightweight component (native)
    breaks_task = breaks(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        airflow_retry_index='{{retries}}',
    )
    breaks_task.set_display_name('breaks')
    breaks_task.set_retry(num_retries=1, backoff_duration="0s", backoff_factor=1.0)
    # flaky: @task -> Python lightweight component (native)
    flaky_task = flaky(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        airflow_retry_index='{{retries}}',
    )
    flaky_task.set_display_name('flaky')
    flaky_task.set_retry(num_retries=2, backoff_duration="0s", backoff_factor=1.0)
    # after_breaks: @task -> Python lightweight component (native)
    after_breaks_task = after_breaks(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        breaks__return_value=breaks_task.outputs['return_value'],
        breaks_state=breaks_task.outputs['airflow_state'],
        breaks_skipped=breaks_task.outputs['airflow_skipped'],
    )
    after_breaks_task.set_display_name('after_breaks')
    # after_flaky: @task -> Python lightweight component (native)
    after_flaky_task = after_flaky(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        flaky__return_value=flaky_task.outputs['return_value'],
        flaky_state=flaky_task.outputs['airflow_state'],
        flaky_skipped=flaky_task.outputs['airflow_skipped'],
    )
    after_flaky_task.set_display_name('after_flaky')
    # on_all_done: @task -> Python lightweight component (native)
    on_all_done_task = on_all_done(logical_date=logical_date, run_id=run_id, param_fail=fail)
    on_all_done_task.set_display_name('on_all_done')
    on_all_done_task.after(source_task, breaks_task, flaky_task)
    # after_on_all_done: @task -> Python lightweight component (native)
    after_on_all_done_task = after_on_all_done(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        on_all_done__return_value=on_all_done_task.outputs['return_value'],
        on_all_done_state=on_all_done_task.outputs['airflow_state'],
        on_all_done_skipped=on_all_done_task.outputs['airflow_skipped'],
    )
    after_on_all_done_task.set_display_name('after_on_all_done')
    # on_one_failed: @task -> Python lightweight component (native)
    on_one_failed_task = on_one_failed(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        source_state=source_task.outputs['airflow_state'],
        breaks_state=breaks_task.outputs['airflow_state'],
        flaky_state=flaky_task.outputs['airflow_state'],
    )
    on_one_failed_task.set_display_name('on_one_failed')
    # after_on_one_failed: @task -> Python lightweight component (native)
    after_on_one_failed_task = after_on_one_failed(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        on_one_failed__return_value=on_one_failed_task.outputs['return_value'],
        on_one_failed_state=on_one_failed_task.outputs['airflow_state'],
        on_one_failed_skipped=on_one_failed_task.outputs['airflow_skipped'],
    )
    after_on_one_failed_task.set_display_name('after_on_one_failed')
    # on_one_done: @task -> Python lightweight component (native)
    on_one_done_task = on_one_done(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        source_state=source_task.outputs['airflow_state'],
        breaks_state=breaks_task.outputs['airflow_state'],
        flaky_state=flaky_task.outputs['airflow_state'],
    )
    on_one_done_task.set_display_name('on_one_done')
    # after_on_one_done: @task -> Python lightweight component (native)
    after_on_one_done_task = after_on_one_done(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        on_one_done__return_value=on_one_done_task.outputs['return_value'],
        on_one_done_state=on_one_done_task.outputs['airflow_state'],
        on_one_done_skipped=on_one_done_task.outputs['airflow_skipped'],
    )
    after_on_one_done_task.set_display_name('after_on_one_done')
    # on_none_failed: @task -> Python lightweight component (native)
    on_none_failed_task = on_none_failed(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        source_state=source_task.outputs['airflow_state'],
        breaks_state=breaks_task.outputs['airflow_state'],
        flaky_state=flaky_task.outputs['airflow_state'],
    )
    on_none_failed_task.set_display_name('on_none_failed')
    # after_on_none_failed: @task -> Python lightweight component (native)
    after_on_none_failed_task = after_on_none_failed(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        on_none_failed__return_value=on_none_failed_task.outputs['return_value'],
        on_none_failed_state=on_none_failed_task.outputs['airflow_state'],
        on_none_failed_skipped=on_none_failed_task.outputs['airflow_skipped'],
    )
    after_on_none_failed_task.set_display_name('after_on_none_failed')
    # on_none_failed_min_one_success: @task -> Python lightweight component (native)
    on_none_failed_min_one_success_task = on_none_failed_min_one_success(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        source_state=source_task.outputs['airflow_state'],
        breaks_state=breaks_task.outputs['airflow_state'],
        flaky_state=flaky_task.outputs['airflow_state'],
    )
    on_none_failed_min_one_success_task.set_display_name('on_none_failed_min_one_success')
    # after_on_none_failed_min_one_success: @task -> Python lightweight component (native)
    after_on_none_failed_min_one_success_task = after_on_none_failed_min_one_success(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        on_none_failed_min_one_success__return_value=on_none_failed_min_one_success_task.outputs['return_value'],
        on_none_failed_min_one_success_state=on_none_failed_min_one_success_task.outputs['airflow_state'],
        on_none_failed_min_one_success_skipped=on_none_failed_min_one_success_task.outputs['airflow_skipped'],
    )
    after_on_none_failed_min_one_success_task.set_display_name('after_on_none_failed_min_one_success')
    # on_always: @task -> Python lightweight component (native)
    on_always_task = on_always(logical_date=logical_date, run_id=run_id, param_fail=fail)
    on_always_task.set_display_name('on_always')
    on_always_task.after(source_task, breaks_task, flaky_task)
    # after_on_always: @task -> Python lightweight component (native)
    after_on_always_task = after_on_always(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        on_always__return_value=on_always_task.outputs['return_value'],
        on_always_state=on_always_task.outputs['airflow_state'],
        on_always_skipped=on_always_task.outputs['airflow_skipped'],
    )
    after_on_always_task.set_display_name('after_on_always')
    # on_all_failed: @task -> Python lightweight component (native)
    on_all_failed_task = on_all_failed(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        breaks_state=breaks_task.outputs['airflow_state'],
    )
    on_all_failed_task.set_display_name('on_all_failed')
    # after_on_all_failed: @task -> Python lightweight component (native)
    after_on_all_failed_task = after_on_all_failed(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        on_all_failed__return_value=on_all_failed_task.outputs['return_value'],
        on_all_failed_state=on_all_failed_task.outputs['airflow_state'],
        on_all_failed_skipped=on_all_failed_task.outputs['airflow_skipped'],
    )
    after_on_all_failed_task.set_display_name('after_on_all_failed')
    # setup_resource: @setup -> Python lightweight component (native)
    setup_resource_task = setup_resource(logical_date=logical_date, run_id=run_id, param_fail=fail)
    setup_resource_task.set_display_name('setup_resource')
    # use_resource: @task -> Python lightweight component (native)
    use_resource_task = use_resource(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        setup_resource_state=setup_resource_task.outputs['airflow_state'],
    )
    use_resource_task.set_display_name('use_resource')
    # teardown_resource: @teardown -> Python lightweight component (native)
    teardown_resource_task = teardown_resource(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        use_resource_state=use_resource_task.outputs['airflow_state'],
    )
    teardown_resource_task.set_display_name('teardown_resource')
    # report_teardown: @task -> Python lightweight component (native)
    report_teardown_task = report_teardown(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        teardown_resource_state=teardown_resource_task.outputs['airflow_state'],
    )
    report_teardown_task.set_display_name('report_teardown')
    # pick: @task.branch -> Python lightweight component choosing the branch (native)
    pick_task = pick(logical_date=logical_date, run_id=run_id, param_fail=fail)
    pick_task.set_display_name('pick')
    # Airflow runs these tasks only when pick follows in_branch_breaks: otherwise they do not start
    with dsl.If(pick_task.outputs['airflow_skips_in_branch_breaks'] == False):
        # in_branch_breaks: @task -> Python lightweight component (native)
        in_branch_breaks_task = in_branch_breaks(
            logical_date=logical_date,
            run_id=run_id,
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
        not_taken_task = not_taken(
            logical_date=logical_date,
            run_id=run_id,
            param_fail=fail,
            pick_state=pick_task.outputs['airflow_state'],
        )
        not_taken_task.set_display_name('not_taken')
    with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf
        not_taken_not_run_task = not_taken_not_run()
        not_taken_not_run_task.set_display_name('not_taken: skipped by pick')
    # in_branch_cleanup: @task -> Python lightweight component (native)
    in_branch_cleanup_task = in_branch_cleanup(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
    )
    in_branch_cleanup_task.set_display_name('in_branch_cleanup')
    in_branch_cleanup_task.after(in_branch_breaks_task)
    # in_branch_after: @task -> Python lightweight component (native)
    in_branch_after_task = in_branch_after(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        in_branch_cleanup__return_value=in_branch_cleanup_task.outputs['return_value'],
        in_branch_cleanup_state=in_branch_cleanup_task.outputs['airflow_state'],
        in_branch_cleanup_skipped=in_branch_cleanup_task.outputs['airflow_skipped'],
    )
    in_branch_after_task.set_display_name('in_branch_after')
    # mapped task group 'per_item': one dsl.ParallelFor iteration per Airflow map index
    with dsl.ParallelFor(items=['1', '2', '3']) as per_item_item:
        # per_item.item_work: @task -> Python lightweight component, in a dsl.ParallelFor (mapped task group 'per_item') (native)
        per_item_item_work_task = per_item_item_work(
            logical_date=logical_date,
            run_id=run_id,
            param_fail=fail,
            map_item=per_item_item,
        )
        per_item_item_work_task.set_display_name('per_item.item_work')
        # per_item.item_done: @task -> Python lightweight component, in a dsl.ParallelFor (mapped task group 'per_item') (native)
        per_item_item_done_task = per_item_item_done(
            logical_date=logical_date,
            run_id=run_id,
            param_fail=fail,
        )
        per_item_item_done_task.set_display_name('per_item.item_done')
        per_item_item_done_task.after(per_item_item_work_task)
        # per_item.item_after: @task -> Python lightweight component, in a dsl.ParallelFor (mapped task group 'per_item') (native)
        per_item_item_after_task = per_item_item_after(
            logical_date=logical_date,
            run_id=run_id,
            param_fail=fail,
            per_item_item_done__return_value=per_item_item_done_task.outputs['return_value'],
            per_item_item_done_state=per_item_item_done_task.outputs['airflow_state'],
        )
        per_item_item_after_task.set_display_name('per_item.item_after')
    # mapped task 'double': one dsl.ParallelFor iteration per Airflow map index
    with dsl.ParallelFor(items=['1', '2', '3']) as double_item:
        # double: @task -> Python lightweight component, in a dsl.ParallelFor (dynamic task mapping) (native)
        double_task = double(
            logical_date=logical_date,
            run_id=run_id,
            param_fail=fail,
            map_item=double_item,
        )
        double_task.set_display_name('double')
    # doubled_done: @task -> Python lightweight component (native)
    doubled_done_task = doubled_done(logical_date=logical_date, run_id=run_id, param_fail=fail)
    doubled_done_task.set_display_name('doubled_done')
    doubled_done_task.after(double_task)
    # after_doubled: @task -> Python lightweight component (native)
    after_doubled_task = after_doubled(
        logical_date=logical_date,
        run_id=run_id,
        param_fail=fail,
        doubled_done__return_value=doubled_done_task.outputs['return_value'],
        doubled_done_state=doubled_done_task.outputs['airflow_state'],
        doubled_done_skipped=doubled_done_task.outputs['airflow_skipped'],
    )
    after_doubled_task.set_display_name('after_doubled')
    # absorbed: @task -> Python lightweight component (native)
    absorbed_task = absorbed(logical_date=logical_date, run_id=run_id, param_fail=fail)
    absorbed_task.set_display_name('absorbed')
    # absorbed_cleanup: @task -> Python lightweight component (native)
    absorbed_cleanup_task = absorbed_cleanup(logical_date=logical_date, run_id=run_id, param_fail=fail)
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
