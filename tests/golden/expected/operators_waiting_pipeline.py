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


def _airflow_sensor(airflow, poke, poke_interval=60.0, timeout=604800.0, soft_fail=False, exponential_backoff=False,
                    max_wait=None, silent_fail=False, never_fail=False):
    """Poll `poke()` the way BaseSensorOperator.execute does (poke mode); return (XCom values, skipped).

    poke returns a truth value, or an object with is_done/xcom_value (PokeReturnValue). Past
    `timeout` seconds the sensor fails, or is skipped with soft_fail. Exponential backoff uses
    Airflow's formula (doubling from poke_interval, hash jitter, capped by max_wait and the timeout).
    """
    import hashlib
    import time
    import traceback

    class AirflowSensorTimeout(airflow.AirflowException):
        """The sensor ran out of time (Airflow does not retry it; KFP retries it if retries are set)."""

    started = time.monotonic()
    poke_count = 1
    while True:
        try:
            returned = poke()
        except airflow.AirflowSkipException as skip:
            print(f"Task skipped: {skip}")
            return {}, True
        except (AirflowSensorTimeout, airflow.AirflowFailException, TimeoutError):
            if soft_fail or never_fail:
                print("Skipping due to soft_fail/never_fail.")
                return {}, True
            raise
        except Exception:
            if silent_fail:
                print("Sensor poke failed:\n" + traceback.format_exc())
                returned = False
            elif never_fail:
                print("Skipping due to never_fail is set to True.")
                return {}, True
            else:
                raise
        if hasattr(returned, "is_done") and hasattr(returned, "xcom_value"):
            if returned.is_done:
                print("Success criteria met. Exiting.")
                return dict(airflow.pushed, return_value=returned.xcom_value), False
        elif returned:
            print("Success criteria met. Exiting.")
            return dict(airflow.pushed, return_value=None), False
        duration = time.monotonic() - started
        if duration > timeout:
            message = f"Sensor has timed out; run duration of {duration} seconds exceeds the specified timeout of {timeout}."
            if soft_fail:
                print(message + " Skipping (soft_fail).")
                return {}, True
            raise AirflowSensorTimeout(message)
        interval = poke_interval
        if exponential_backoff:
            context = airflow.context
            min_backoff = max(int(poke_interval * (2 ** (poke_count - 2))), 1)
            seed = f"{context['dag'].dag_id}#{context['task'].task_id}#{started}#{poke_count}".encode()
            run_hash = int(hashlib.sha1(seed).hexdigest(), 16)
            interval = min(timeout - int(time.monotonic() - started), min_backoff + run_hash % min_backoff)
            if max_wait:
                interval = min(max_wait, interval)
        print(f"Not met yet; poking again in {interval} s")
        time.sleep(max(interval, 0))
        poke_count += 1


def _airflow_kfp_api():
    """Access to the KFP REST API v2beta1 from inside a component (kfp.Client is not in the image).

    KFP_HOST (default: the in-cluster ml-pipeline service), the service account token at
    KF_PIPELINES_SA_TOKEN_PATH, the namespace from KFP_NAMESPACE or the pod's service account.
    Returns call(method, path, query, body), by_name(path, key, display_name) and
    pipeline_name(dag_id) (kfmigrate's naming: lowercase, dashes).
    """
    import json
    import os
    import re
    import types
    import urllib.error
    import urllib.parse
    import urllib.request

    host = (os.environ.get("KFP_HOST") or "http://ml-pipeline.kubeflow.svc.cluster.local:8888").rstrip("/")
    headers = {"Content-Type": "application/json"}
    token_path = os.environ.get("KF_PIPELINES_SA_TOKEN_PATH", "/var/run/secrets/kubeflow/pipelines/token")
    if os.path.exists(token_path):
        with open(token_path) as handle:
            headers["Authorization"] = "Bearer " + handle.read().strip()
    namespace = os.environ.get("KFP_NAMESPACE", "")
    namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
    if not namespace and os.path.exists(namespace_file):
        with open(namespace_file) as handle:
            namespace = handle.read().strip()

    def call(method, path, query=None, body=None):
        url = f"{host}/apis/v2beta1/{path}" + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"KFP API {method} {path}: HTTP {error.code} {error.read()[:300]!r}") from None

    def by_name(path, key, display_name):
        query = {"filter": json.dumps({"predicates": [{"key": "display_name", "operation": "EQUALS", "string_value": display_name}]})}
        if namespace and path == "experiments":
            query["namespace"] = namespace
        found = call("GET", path, query).get(key) or []
        return found[0] if found else None

    def pipeline_name(dag_id):
        return re.sub("-+", "-", re.sub("[^-0-9a-z]+", "-", str(dag_id).lower())).strip("-")[:128].strip("-") or "pipeline"

    return types.SimpleNamespace(host=host, namespace=namespace, call=call, by_name=by_name, pipeline_name=pipeline_name)


def _airflow_external_task_poke(airflow, api, dag_id, dates, task_ids=None, task_group_id=None, allowed_states=None,
                                skipped_states=None, failed_states=None, soft_fail=False, check_existence=False):
    """One poke of ExternalTaskSensor on KFP: is the run of DAG `dag_id`'s pipeline with each logical date done?

    The other DAG is the pipeline kfmigrate made from it; its runs carry their logical date in the
    `logical_date` run parameter (the newest run per date counts, as Airflow has one run per date).
    Without task ids the run state is compared; with task ids (or a task group: ids starting with
    "<group>.") the states of those tasks in the run (run_details.task_details, by display name,
    which kfmigrate sets to the Airflow task id). States are Airflow's names; KFP states map to them.
    As in Airflow: any failed state fails the sensor (skips it with soft_fail), any skipped state
    skips it, and it is done when every task of every date is in an allowed state.
    """
    import datetime as dt
    import re

    allowed = {str(s).lower() for s in (allowed_states or ["success"])}
    skipped_on = {str(s).lower() for s in (skipped_states or [])}
    failed_on = {str(s).lower() for s in (failed_states or [])}
    airflow_state = {"SUCCEEDED": "success", "FAILED": "failed", "SKIPPED": "skipped", "RUNNING": "running",
                     "PENDING": "queued", "CANCELING": "failed", "CANCELED": "failed", "PAUSED": "running"}

    def moment(value):
        if not value:
            return None
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            return None
        return parsed.replace(tzinfo=dt.timezone.utc) if parsed.tzinfo is None else parsed.astimezone(dt.timezone.utc)

    wanted = [moment(d) if not isinstance(d, dt.datetime) else (d if d.tzinfo else d.replace(tzinfo=dt.timezone.utc)) for d in dates]
    name = api.pipeline_name(dag_id)
    pipeline = api.by_name("pipelines", "pipelines", name)
    what = f"tasks {list(task_ids)}" if task_ids else f"task group {task_group_id!r}" if task_group_id else "the run"
    print(f"Poking for {what} of DAG {dag_id!r} (pipeline {name!r}) on {', '.join(str(w) for w in wanted)} ...")
    if pipeline is None:
        if check_existence:
            raise airflow.AirflowFailException(f"The external DAG {dag_id} does not exist: no pipeline {name!r} on {api.host}")
        print(f"No pipeline named {name!r} on {api.host} yet")
        return False

    def of_pipeline(run):
        reference = run.get("pipeline_version_reference") or {}
        if reference.get("pipeline_id"):
            return reference["pipeline_id"] == pipeline["pipeline_id"]
        spec = run.get("pipeline_spec") or {}
        spec = spec.get("pipeline_spec", spec)
        return (spec.get("pipelineInfo") or {}).get("name") == name

    runs, token = {}, ""
    for _page in range(50):  # newest first; stop once every date has its run
        query = {"sort_by": "created_at desc", "page_size": 100}
        if token:
            query["page_token"] = token
        if api.namespace:
            query["namespace"] = api.namespace
        page = api.call("GET", "runs", query)
        for run in page.get("runs") or []:
            date = moment(((run.get("runtime_config") or {}).get("parameters") or {}).get("logical_date"))
            if date in wanted and date not in runs and of_pipeline(run):
                runs[date] = run
        token = page.get("next_page_token") or ""
        if not token or len(runs) == len(set(wanted)):
            break

    def norm(text):  # the display name is the Airflow task id; the KFP task name is its dashed form
        return re.sub("[^0-9a-z]+", "-", str(text or "").lower()).strip("-")

    wanted_tasks = {norm(task): task for task in (task_ids or [])}

    def states_of(run):
        """Airflow state per watched task (None: not in the run yet)."""
        run = api.call("GET", f"runs/{run['run_id']}")  # the current state, with the task details
        if not task_ids and not task_group_id:
            return {None: airflow_state.get(str(run.get("state") or ""), "none")}
        details = run.get("run_details") or {}
        found = {}
        for detail in details.get("task_details") or []:
            label = norm(detail.get("display_name"))
            if (task_ids and label in wanted_tasks) or (task_group_id and label.startswith(norm(task_group_id) + "-")):
                found[wanted_tasks.get(label, label)] = airflow_state.get(str(detail.get("state") or ""), "none")
        if task_ids:
            return {task: found.get(task) for task in task_ids}
        return found

    per_date = [states_of(runs[date]) if date in runs else None for date in wanted]
    for date, states in zip(wanted, per_date):
        print(f"  {date}: " + ("no run yet" if states is None else ", ".join(f"{k or 'run'}={v}" for k, v in states.items()) or "no task of the group yet"))

    def count(accepted):
        if task_group_id and not task_ids:  # a run counts when every task of the group is in the states
            return sum(1 for states in per_date if states and all(s in accepted for s in states.values()))
        total = sum(1 for states in per_date if states for s in states.values() if s in accepted)
        return total / len(task_ids) if task_ids else total

    target = f"external tasks {list(task_ids)}" if task_ids else f"external task group {task_group_id!r}" if task_group_id else "external DAG"
    if failed_on and count(failed_on) > 0:
        if soft_fail:
            raise airflow.AirflowSkipException(f"The {target} of {dag_id} failed. Skipping due to soft_fail.")
        raise airflow.AirflowFailException(f"The {target} of {dag_id} failed.")
    if skipped_on and count(skipped_on) > 0:
        raise airflow.AirflowSkipException(f"The {target} of {dag_id} reached a state in our states-to-skip-on list. Skipping.")
    return count(allowed) == len(wanted)


def _airflow_hitl_wait(airflow, subject, options, body=None, defaults=None, multiple=False, params=None, timeout=None,
                       poke_interval=5.0):
    """Human-in-the-loop on KFP: publish the request as a Kubernetes ConfigMap and wait for the answer.

    The request ConfigMap `airflow-hitl-<dag>-<task>-<hash of the run id>` (label
    kfmigrate.io/hitl-request=true) holds subject, body, options, defaults and params; a person answers
    by creating `<request>-response` with key `chosen` (one option, or a JSON list when multiple) and
    one key per param (text; JSON for non-string params), e.g.
    `kubectl create configmap <request>-response --from-literal=chosen='Approve'`.
    Past `timeout` seconds the defaults are taken (params keep their defaults), or the task fails
    when there are none, as Airflow's HITL trigger does. Returns Airflow's XCom value: chosen_options,
    params_input, responded_at, responded_by_user. In-cluster API access with the pod's service account
    (KFMIGRATE_KUBE_API overrides the API URL); it needs get (and create, for the request) on configmaps.
    """
    import datetime as dt
    import hashlib
    import json
    import os
    import re
    import ssl
    import time
    import urllib.error
    import urllib.request

    account = "/var/run/secrets/kubernetes.io/serviceaccount"
    base = os.environ.get("KFMIGRATE_KUBE_API", "").rstrip("/")
    if not base:
        host = os.environ.get("KUBERNETES_SERVICE_HOST")
        if not host:
            raise airflow.AirflowException("human-in-the-loop needs the Kubernetes API: run on a cluster "
                                           "(or set KFMIGRATE_KUBE_API to the API server URL)")
        base = f"https://{'[' + host + ']' if ':' in host else host}:{os.environ.get('KUBERNETES_SERVICE_PORT', '443')}"
    tls = ssl.create_default_context(cafile=f"{account}/ca.crt") if os.path.exists(f"{account}/ca.crt") else None
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    token_path = os.environ.get("KFMIGRATE_KUBE_TOKEN_PATH", f"{account}/token")
    if os.path.exists(token_path):
        with open(token_path) as handle:
            headers["Authorization"] = "Bearer " + handle.read().strip()
    namespace = os.environ.get("KFP_NAMESPACE") or os.environ.get("POD_NAMESPACE") or ""
    if not namespace and os.path.exists(f"{account}/namespace"):
        with open(f"{account}/namespace") as handle:
            namespace = handle.read().strip()
    namespace = namespace or "default"

    def call(method, path, payload=None):
        url = f"{base}/api/v1/namespaces/{namespace}/{path}"
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30, context=tls if url.startswith("https") else None) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def dns(text, size):
        return re.sub("-+", "-", re.sub("[^a-z0-9-]+", "-", str(text).lower())).strip("-")[:size].strip("-") or "x"

    context = airflow.context
    dag_id, task_id = context["dag"].dag_id, context["task"].task_id
    run_key = hashlib.sha1(str(context["run_id"]).encode()).hexdigest()[:10]
    name = f"airflow-hitl-{dns(dag_id, 100)}-{dns(task_id, 100)}-{run_key}"
    answer = f"{name}-response"
    options = list(options)
    defaults = [defaults] if isinstance(defaults, str) else (list(defaults) if defaults is not None else None)
    params = dict(params or {})  # name -> {"default": ..., "type": ...}
    example = f"kubectl -n {namespace} create configmap {answer} --from-literal=chosen={json.dumps(options[0]) if not multiple else repr(json.dumps(options[:1]))}"
    example += "".join(f" --from-literal={key}=<value>" for key in params)
    request = {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "labels": {"kfmigrate.io/hitl-request": "true", "kfmigrate.io/dag": dns(dag_id, 63),
                                              "kfmigrate.io/task": dns(task_id, 63)}},
        "data": {"subject": str(subject), "body": str(body or ""), "options": json.dumps(options),
                 "multiple": json.dumps(bool(multiple)), "defaults": json.dumps(defaults),
                 "params": json.dumps(params, default=str), "dag_id": dag_id, "task_id": task_id,
                 "run_id": str(context["run_id"]), "answer_with": example},
    }
    status, created = call("POST", "configmaps", request)
    if status not in (200, 201, 409):
        print(f"Could not publish the request as ConfigMap {name} (HTTP {status}: {created.get('message', '')}); "
              "the answer is still read from the response ConfigMap")
    print(f"[HITL] {subject}\n{body or ''}\nOptions: {options} (multiple: {bool(multiple)}), defaults: {defaults}, params: {list(params)}")
    print(f"[HITL] Answer with: {example}")
    started = time.monotonic()
    while True:
        status, found = call("GET", f"configmaps/{answer}")
        if status == 200:
            break
        if status != 404:
            raise airflow.AirflowException(f"reading ConfigMap {answer}: HTTP {status} {found.get('message', '')}")
        if timeout is not None and time.monotonic() - started > timeout:
            if defaults is None:
                raise airflow.AirflowFailException("The timeout has passed, and the response has not yet been received.")
            print(f"[HITL] timeout reached before receiving response, fallback to default {defaults}")
            return {"chosen_options": defaults, "params_input": {k: p.get("default") for k, p in params.items()},
                    "responded_at": dt.datetime.now(dt.timezone.utc).isoformat(), "responded_by_user": None}
        time.sleep(poke_interval)

    data = dict(found.get("data") or {})
    responded_by = data.pop("responded_by", None)
    chosen_text = data.pop("chosen", None)
    if chosen_text is None:
        if len(options) != 1:
            raise airflow.AirflowFailException(f"ConfigMap {answer} has no key 'chosen' (one of {options})")
        chosen = list(options)
    else:
        try:
            decoded = json.loads(chosen_text)
        except ValueError:
            decoded = chosen_text
        chosen = [str(item) for item in decoded] if isinstance(decoded, list) else [chosen_text if not isinstance(decoded, str) else decoded]
    unknown = set(chosen) - set(options)
    if unknown:
        raise airflow.AirflowFailException(f"Responses {unknown} not in {options}")
    if not chosen or (len(chosen) > 1 and not multiple):
        raise airflow.AirflowFailException(f"choose exactly one of {options} (got {chosen})")
    extra = set(data) - set(params)
    if extra:
        raise airflow.AirflowFailException(f"ConfigMap {answer} has keys {sorted(extra)} that are not params of the task {sorted(params)}")
    params_input = {key: spec.get("default") for key, spec in params.items()}
    for key, text in data.items():
        value = text
        if params[key].get("type") not in (None, "string") or not isinstance(params[key].get("default"), (str, type(None))):
            try:
                value = json.loads(text)
            except ValueError:
                pass
        params_input[key] = value
    user = responded_by or "kubernetes"
    print(f"[HITL] answered by {user}: {chosen}, params {params_input}")
    return {"chosen_options": chosen, "params_input": params_input,
            "responded_at": dt.datetime.now(dt.timezone.utc).isoformat(), "responded_by_user": {"id": user, "name": user}}


# ---------------------------------------------------------------- components (one per Airflow task)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_xcom, _airflow_pendulum, _airflow_macros, _airflow_variables, _kfp_outputs, _airflow_sensor, _airflow_kfp_api, _airflow_external_task_poke],
)
def upstream_loaded(
    logical_date: str,
    run_id: str,
    external_dag_id: str,
    external_task_id: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'upstream_loaded' (ExternalTaskSensor) from samples/dags/operators_waiting.py:16:23."""
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


@dsl.component(
    base_image=BASE_IMAGE,
    packages_to_install=['jinja2==3.1.6'],
    additional_funcs=[_airflow_runtime, _airflow_xcom, _airflow_pendulum, _airflow_macros, _airflow_variables, _airflow_render, _airflow_should_skip, _kfp_outputs, _airflow_hitl_wait],
)
def release_notes(
    logical_date: str,
    run_id: str,
    subject: str,
    upstream_loaded_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'release_notes' (HITLEntryOperator) from samples/dags/operators_waiting.py:26:15."""
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


@dsl.component(
    base_image=BASE_IMAGE,
    packages_to_install=['jinja2==3.1.6'],
    additional_funcs=[_airflow_runtime, _airflow_xcom, _airflow_pendulum, _airflow_macros, _airflow_variables, _airflow_render, _airflow_should_skip, _kfp_outputs, _from_json, _airflow_hitl_wait],
)
def approve_release(
    logical_date: str,
    run_id: str,
    subject: str,
    body: str,
    release_notes__return_value: str,
    release_notes_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_condition', bool), ('airflow_skips', bool), ('airflow_skipped', bool)]):
    """Airflow task 'approve_release' (ApprovalOperator) from samples/dags/operators_waiting.py:32:15."""
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_xcom, _airflow_pendulum, _airflow_macros, _airflow_variables, _airflow_should_skip, _airflow_branch_ids, _airflow_not_followed, _kfp_outputs, _airflow_hitl_wait],
)
def choose_channel(
    logical_date: str,
    run_id: str,
    subject: str,
    approve_release_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_follow', list), ('airflow_skips_publish_stable', bool), ('airflow_skips_publish_beta', bool), ('airflow_skipped', bool)]):
    """Airflow task 'choose_channel' (HITLBranchOperator) from samples/dags/operators_waiting.py:39:15."""
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


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _airflow_should_skip, _kfp_outputs],
)
def publish_stable(
    logical_date: str,
    run_id: str,
    choose_channel_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'publish_stable' (@task) from samples/dags/operators_waiting.py:54:58."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [choose_channel_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_waiting', task_id='publish_stable', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/operators_waiting.py:47:5).
    def publish_stable():
        return "stable"
    results, skipped = _airflow_call_python(_airflow, publish_stable, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _airflow_should_skip, _kfp_outputs],
)
def publish_beta(
    logical_date: str,
    run_id: str,
    choose_channel_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'publish_beta' (@task) from samples/dags/operators_waiting.py:54:76."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [choose_channel_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_waiting', task_id='publish_beta', logical_date=logical_date, run_id=run_id,
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


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='operators-waiting', description='Converted from Airflow DAG operators_waiting')
def operators_waiting_pipeline(
    logical_date: str = '',
    run_id: str = '',
):
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
                logical_date=logical_date,
                run_id=run_id,
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
                logical_date=logical_date,
                run_id=run_id,
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
