"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'operators_shim'.

Source: samples/dags/operators_shim.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes operators_shim.yaml next to it), or run it with
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
    packages_to_install=['apache-airflow==3.3.2'],
    additional_funcs=[_airflow_runtime, _airflow_xcom, _airflow_pendulum, _airflow_macros, _airflow_variables, _kfp_outputs, _airflow_run_operator],
)
def greet(
    logical_date: str,
    run_id: str,
    param_who: str,
    name: str,
    times: int,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'greet' (GreetOperator) from samples/dags/operators_shim.py:31:13."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_shim', task_id='greet', logical_date=logical_date, run_id=run_id,
        params={'who': param_who}, xcom=xcom,
    )
    _kwargs = {'task_id': 'greet', 'name': name, 'times': times}
    _dag_file_code = r'''
from airflow.sdk import DAG, BaseOperator
GREETING = "hello"
def shout(text):
    return text.upper()
class GreetOperator(BaseOperator):
    """A custom operator: renders `name`, pushes an extra XCom and returns a greeting."""

    template_fields = ("name",)

    def __init__(self, name, times=1, **kwargs):
        super().__init__(**kwargs)
        self.name = name
        self.times = times

    def execute(self, context):
        context["ti"].xcom_push(key="length", value=len(self.name))
        return " ".join([shout(f"{GREETING} {self.name}")] * self.times)
'''  # the DAG file's code: imports, helpers, the operator class
    results, skipped = _airflow_run_operator(_airflow, '', 'GreetOperator', _kwargs, module_code=_dag_file_code)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    packages_to_install=['apache-airflow==3.3.2', 'apache-airflow-providers-standard==1.21.0'],
    additional_funcs=[_airflow_runtime, _airflow_xcom, _airflow_pendulum, _airflow_macros, _airflow_variables, _airflow_should_skip, _kfp_outputs, _airflow_run_operator],
)
def smooth(
    logical_date: str,
    run_id: str,
    param_who: str,
    greet_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'smooth' (SmoothOperator) from samples/dags/operators_shim.py:32:14."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [greet_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_shim', task_id='smooth', logical_date=logical_date, run_id=run_id,
        params={'who': param_who}, xcom=xcom,
    )
    _kwargs = {'task_id': 'smooth'}
    results, skipped = _airflow_run_operator(_airflow, 'airflow.providers.standard.operators.smooth', 'SmoothOperator', _kwargs)
    return _kfp_outputs(results, skipped, _outputs)


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='operators-shim', description='Converted from Airflow DAG operators_shim')
def operators_shim_pipeline(
    who: str = 'kfp',
    logical_date: str = '',
    run_id: str = '',
):
    # greet: GreetOperator -> operator shim (the Airflow operator runs inside a lightweight component) (shim)
    greet_task = greet(
        logical_date=logical_date,
        run_id=run_id,
        param_who=who,
        name='{{ params.who }} on {{ ds }}',
        times=2,
    )
    greet_task.set_display_name('greet')
    # smooth: SmoothOperator -> operator shim (the Airflow operator runs inside a lightweight component) (shim)
    smooth_task = smooth(
        logical_date=logical_date,
        run_id=run_id,
        param_who=who,
        greet_skipped=greet_task.outputs['airflow_skipped'],
    )
    smooth_task.set_display_name('smooth')


if __name__ == "__main__":
    target = Path(__file__).with_name('operators_shim.yaml')
    compiler.Compiler().compile(operators_shim_pipeline, str(target))
