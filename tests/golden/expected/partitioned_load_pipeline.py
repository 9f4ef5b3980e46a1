"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'partitioned_load'.

Source: samples/dags/assign_style_multi.py
Schedule in Airflow: preset '@hourly', start_date 2024-01-01T00:00:00+00:00
  (not part of the pipeline: create a KFP recurring run for it)

Compile with `python {this file}` (writes partitioned_load.yaml next to it), or run it with
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
    """Build what an Airflow task sees at run time: its context, XCom access and a few Airflow names.

    logical_date is ISO 8601 text; empty means now (UTC), like a manual Airflow run, for which
    data_interval_start == data_interval_end == logical_date. run_id empty means
    "manual__<now>", as Airflow 3 names a manual run. xcom maps (task_id, key) to the values wired
    in from upstream tasks.
    """
    import datetime as dt
    import json
    import os
    import types

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

    utc = dt.timezone.utc
    now = DateTime.now(utc)
    if logical_date:
        date = DateTime.fromisoformat(logical_date.replace("Z", "+00:00"))
        date = date.replace(tzinfo=utc) if date.tzinfo is None else date.astimezone(utc)
    else:
        date = now
    run_id = run_id or f"manual__{now.isoformat()}"  # Airflow 3 names manual runs after the trigger time

    class AirflowException(Exception):
        """Stands in for airflow.exceptions.AirflowException."""

    class AirflowSkipException(AirflowException):
        """Raise it to mark the task skipped, as in Airflow."""

    class AirflowFailException(AirflowException):
        """Raise it to fail the task (KFP may still retry it)."""

    pushed = {}

    class TaskInstance:
        """The part of Airflow's TaskInstance a converted callable can use."""

        def __init__(self):
            self.dag_id, self.task_id, self.run_id = dag_id, task_id, run_id
            self.try_number, self.map_index, self.logical_date = try_number, -1, date

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

    macros = Macros(ds_add=ds_add, ds_format=ds_format, datetime=dt.datetime, timedelta=dt.timedelta, json=json)
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
        "var": {"value": VariableAccessor(False), "json": VariableAccessor(True)},
        "conn": ConnectionAccessor(),
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

    def report_rendered(fields):
        """Log the task's rendered templated fields (`kfmigrate verify` compares them with Airflow's).

        Values under secret-looking keys are masked, as Airflow masks them in its rendered fields.
        """
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
        Variable=Variable,
        AirflowException=AirflowException,
        AirflowSkipException=AirflowSkipException,
        AirflowFailException=AirflowFailException,
    )


def _airflow_run_bash(airflow, bash_command, env=None, append_env=False, cwd=None, skip_on_exit_code=99,
                      output_encoding="utf-8"):
    """Run a rendered bash command like BashOperator; return (XCom values, skipped).

    stdout and stderr are streamed to the log; the last line is the return value; an exit code in
    skip_on_exit_code (99 by default) means skipped, any other non-zero code fails the task.
    """
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
    """Whether a task is skipped given its trigger rule and which direct upstream tasks were skipped.

    On KFP a failed upstream stops its dependants, so only the skip half of each rule applies here.
    """
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
    """Turn XCom values into the component's return tuple, in the order of `spec`.

    spec: (key, kind) pairs; kind 'json' sends the value as JSON text (None and nested values
    survive), 'str'/'int'/'float'/'bool'/'list'/'dict' sends it typed, 'skipped' sends the flag.
    Outputs of a skipped task carry empty values; Airflow would have pushed nothing.
    """
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
def load_users(
    logical_date: str,
    run_id: str,
    bash_command: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'load_users' (BashOperator) from samples/dags/assign_style_multi.py:24:12."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='partitioned_load', task_id='load_users', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, additional_funcs=[_airflow_runtime, _airflow_run_bash, _kfp_outputs])
def load_orders(
    logical_date: str,
    run_id: str,
    bash_command: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'load_orders' (BashOperator) from samples/dags/assign_style_multi.py:24:12."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='partitioned_load', task_id='load_orders', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, additional_funcs=[_airflow_runtime, _airflow_run_bash, _kfp_outputs])
def load_items(
    logical_date: str,
    run_id: str,
    bash_command: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'load_items' (BashOperator) from samples/dags/assign_style_multi.py:24:12."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='partitioned_load', task_id='load_items', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_run_bash, _airflow_should_skip, _kfp_outputs],
)
def check_a_1(
    logical_date: str,
    run_id: str,
    bash_command: str,
    load_users_skipped: bool,
    load_orders_skipped: bool,
    load_items_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'check_a_1' (BashOperator) from samples/dags/assign_style_multi.py:29:5."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    _skipped_finish = _airflow_should_skip('all_success', [load_users_skipped, load_orders_skipped, load_items_skipped])  # the removed task 'finish'
    if _airflow_should_skip('all_success', [_skipped_finish]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='partitioned_load', task_id='check_a_1', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_run_bash, _airflow_should_skip, _kfp_outputs],
)
def check_b_2(
    logical_date: str,
    run_id: str,
    bash_command: str,
    load_users_skipped: bool,
    load_orders_skipped: bool,
    load_items_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'check_b_2' (BashOperator) from samples/dags/assign_style_multi.py:29:5."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    _skipped_finish = _airflow_should_skip('all_success', [load_users_skipped, load_orders_skipped, load_items_skipped])  # the removed task 'finish'
    if _airflow_should_skip('all_success', [_skipped_finish]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='partitioned_load', task_id='check_b_2', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='partitioned-load', description='Converted from Airflow DAG partitioned_load')
def partitioned_load_pipeline(
    logical_date: str = '',
    run_id: str = '',
):
    # load_users: BashOperator -> bash lightweight component (native)
    load_users_task = load_users(
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo loading users',
    )
    load_users_task.set_display_name('load_users')
    # load_orders: BashOperator -> bash lightweight component (native)
    load_orders_task = load_orders(
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo loading orders',
    )
    load_orders_task.set_display_name('load_orders')
    # load_items: BashOperator -> bash lightweight component (native)
    load_items_task = load_items(
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo loading items',
    )
    load_items_task.set_display_name('load_items')
    # check_a_1: BashOperator -> bash lightweight component (native)
    check_a_1_task = check_a_1(
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo shard a 1',
        load_users_skipped=load_users_task.outputs['airflow_skipped'],
        load_orders_skipped=load_orders_task.outputs['airflow_skipped'],
        load_items_skipped=load_items_task.outputs['airflow_skipped'],
    )
    check_a_1_task.set_display_name('check_a_1')
    # check_b_2: BashOperator -> bash lightweight component (native)
    check_b_2_task = check_b_2(
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo shard b 2',
        load_users_skipped=load_users_task.outputs['airflow_skipped'],
        load_orders_skipped=load_orders_task.outputs['airflow_skipped'],
        load_items_skipped=load_items_task.outputs['airflow_skipped'],
    )
    check_b_2_task.set_display_name('check_b_2')


if __name__ == "__main__":
    target = Path(__file__).with_name('partitioned_load.yaml')
    compiler.Compiler().compile(partitioned_load_pipeline, str(target))
