"""Sensors -> a polling lightweight component (poke mode), where the check can run inside a task.

FileSensor, PythonSensor, @task.sensor, BashSensor, DateTimeSensor(Async), TimeSensor(Async),
TimeDeltaSensor(Async), WaitSensor, DayOfWeekSensor and HttpSensor become a component whose body defines
`_poke()` (the sensor's check, rewritten from Airflow's code) and hands it to the run-time helper
`_airflow_sensor`, which loops like BaseSensorOperator.execute: poke_interval, timeout, soft_fail,
exponential_backoff, max_wait, silent_fail and never_fail keep their Airflow meaning. `mode` and
`deferrable` change nothing on KFP: the pod stays up while it waits.

HttpSensor sends the request HttpHook would send (with requests). Other sensors that talk to
outside systems (SqlSensor, S3KeySensor ...) run through the operator shim (shim.py): the real sensor's execute() polls inside the KFP task. ExternalTaskSensor
(external_task.py) uses `common.Sensor` too: its check reads the other pipeline's runs from the KFP API.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from typing import Any, List, Optional

from kfmigrate.migrate import ir
from kfmigrate.migrate.operators import ArgTable, Case, ComponentPlan, MapContext, handled, mapper
from kfmigrate.migrate.operators.common import (
    SENSOR_ARGS, SHIMMED_AIRFLOW_NAMES, Sensor, callable_part, mapping_values, module_constants, no_callable, param_name,
    pushes_in_code, sequence_values,
)
from kfmigrate.migrate.operators.shim import dag_file_code
from kfmigrate.migrate.operators.staticcalls import Call, Unresolved, connection_wiring, describe, to_python
from kfmigrate.migrate.plan import Code, Local, MappingOf, PyValue, SequenceOf

WEEKDAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def sensor_args(*names: str) -> ArgTable:
    """A sensor's table: BaseSensorOperator's arguments and its own."""
    return ArgTable.of(handled(*SENSOR_ARGS, *names))


# ---------------------------------------------------------------- file
@mapper("FileSensor", args=sensor_args("filepath", "fs_conn_id", "recursive"))
def map_file_sensor(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    sensor = Sensor(task, ctx, "glob on the file system")
    conn = to_python(task.args.get("fs_conn_id", ir.Literal("fs_default")))
    if not isinstance(conn, str):
        sensor.diagnostic("KFM110", f"fs_conn_id {describe(conn)} is not a literal: fs_default is used")
        conn = "fs_default"
    poke = Code('''\
# FileSensor.poke: the base path comes from the connection's extra "path" (FSHook).
import os as _os
_base_path = getattr({context}.context["conn"], {conn}).extra_dejson.get("path", "")
_full_path = _os.path.join(_base_path, {filepath})
def _poke():
    import glob
    import os
    print(f"Poking for file {_full_path}")
    for path in glob.glob(_full_path, recursive={recursive}):
        if os.path.isfile(path):
            print(f"Found File {path}")
            return True
        for _root, _dirs, files in os.walk(path):
            if files:
                return True
    return False''', (("conn", PyValue(conn)), ("filepath", sensor.value("filepath")),
                      ("recursive", sensor.value("recursive", rendered=False, default=False))))
    plan = sensor.finish([poke])
    entries, notes = connection_wiring([conn])
    plan.platform.secret_env += entries
    plan.differences += notes
    plan.differences.append("The path is looked up inside the KFP pod: mount the volume holding it (e.g. a PVC).")
    return plan


# ---------------------------------------------------------------- python
@mapper("PythonSensor", "@task.sensor",
        args=sensor_args("python_callable", "op_args", "op_kwargs", "templates_dict", "templates_exts"))
def map_python_sensor(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    sensor = Sensor(task, ctx, "the callable is the check")
    if task.callable is None:
        return no_callable(task, ctx, sensor.plan)
    args = sensor.args
    templates_dict = None
    if task.operator.startswith("@"):
        op_args = tuple(args.value(v, param_name(task, i)) for i, v in enumerate(task.call_args))
        op_kwargs = tuple((None if k == "**" else k, args.value(v, k)) for k, v in task.call_kwargs.items())
    else:
        op_args = sequence_values(task.args.get("op_args"), args, "op_args")
        op_kwargs = mapping_values(task.args.get("op_kwargs"), args, "op_kwargs")
        templates = task.args.get("templates_dict")
        templates_dict = args.value(templates, "templates_dict") if templates is not None else None
    arguments = Code("_op_args = {op_args}\n_op_kwargs = {op_kwargs}\n", (
        ("op_args", SequenceOf("list", op_args)),
        ("op_kwargs", MappingOf(tuple((None if key is None else PyValue(key), value) for key, value in op_kwargs)))))
    code, airflow_modules = callable_part(task.callable)
    code = dataclasses.replace(code, prelude=tuple(_without_poke_return_imports(p) for p in code.prelude),
                               source=_without_poke_return_imports(code.source))
    call = "_airflow_call_python({context}, {callable}, _op_args, _op_kwargs" + (", templates_dict={templates}" if templates_dict else "") + ")"
    poke = Code('''\
def _poke():
    returned, skip = ''' + call + '''
    if skip:
        raise {context}.AirflowSkipException("the check raised AirflowSkipException")
    return returned["return_value"]''', (("callable", Local(task.callable.name)),) + ((("templates", templates_dict),) if templates_dict else ()))
    plan = sensor.finish([arguments, Code(POKE_RETURN_VALUE), code, poke])
    all_code = "\n".join((task.callable.source, *task.callable.prelude))
    pushed, _dynamic = pushes_in_code(all_code, module_constants(task.callable.prelude))
    for key in pushed:
        plan.outputs.setdefault(key, "json")
    leftover = [m for m in airflow_modules if not _only_poke_return((*code.prelude, code.source), m)]
    if leftover:
        sensor.diagnostic("KFM210", f"the callable imports {', '.join(leftover)}: the component image needs apache-airflow for that")
    return plan


POKE_RETURN_VALUE = '''\
class PokeReturnValue:
    """airflow.sdk.PokeReturnValue, for the check: done or not, plus the XCom value."""

    def __init__(self, is_done, xcom_value=None):
        self.is_done, self.xcom_value = is_done, xcom_value

    def __bool__(self):
        return bool(self.is_done)'''

_POKE_IMPORT = re.compile(r"^(\s*)from airflow[.\w]* import PokeReturnValue\s*$", re.M)


def _without_poke_return_imports(code: str) -> str:
    return _POKE_IMPORT.sub(r"\1pass  # PokeReturnValue: the kfmigrate stand-in above", code)


def _only_poke_return(codes, module: str) -> bool:
    """Whether every import from `module` of a name the shim does not provide is a lone
    `from <module> import PokeReturnValue`, which the stand-in above replaces."""
    import ast

    for code in codes:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.ImportFrom) and node.module == module
                    and any(a.name not in SHIMMED_AIRFLOW_NAMES for a in node.names)
                    and (ast.get_source_segment(code, node) or "") != f"from {module} import PokeReturnValue"):
                return False
    return True


# ---------------------------------------------------------------- bash
@mapper("BashSensor", args=sensor_args("bash_command", "env", "output_encoding", "retry_exit_code"))
def map_bash_sensor(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    sensor = Sensor(task, ctx, "bash exit code")
    values = [("command", sensor.value("bash_command")), ("env", sensor.value("env")),
              ("script", PyValue(f"/{task.task_id.replace('/', '_')}.sh")),
              ("encoding", sensor.value("output_encoding", rendered=False, default="utf-8"))]
    retry_check = ""
    if task.args.get("retry_exit_code") is not None:
        values.append(("retry_code", sensor.value("retry_exit_code", rendered=False)))
        retry_check = ("    if process.returncode != {retry_code}:\n"
                       "        raise {context}.AirflowFailException(f\"Command exited with return code {process.returncode}\")\n")
    poke = Code('''\
_command, _env = {command}, {env}
def _poke():
    # BashSensor.poke: exit 0 means done; with retry_exit_code only that code means "not yet".
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory(prefix="airflowtmp") as tmp_dir:
        script = tmp_dir + {script}
        with open(script, "w") as handle:
            handle.write(_command)
        process = subprocess.run(["bash", script], cwd=tmp_dir, env=_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    print(process.stdout.decode({encoding}, errors="backslashreplace"))
    print(f"Command exited with return code {process.returncode}")
    if process.returncode == 0:
        return True
''' + retry_check + "    return False", tuple(values))
    plan = sensor.finish([poke])
    plan.differences.append("The command runs in the component's image: tools it calls must be installed there.")
    return plan


# ---------------------------------------------------------------- time
@mapper("DateTimeSensor", "DateTimeSensorAsync", args=sensor_args("target_time"))
def map_datetime_sensor(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    sensor = Sensor(task, ctx, "wait for a date and time")
    value = task.args.get("target_time")
    converted = to_python(value)
    if isinstance(converted, Call) and converted.name == "datetime":
        moment = _datetime_text(converted)
        if moment is None:
            sensor.diagnostic("KFM110", f"target_time {describe(converted)} is not a literal datetime", "error")
        target = PyValue(moment)
    else:
        target = sensor.value("target_time")
    poke = Code('''\
_target_time = {target}
def _poke():
    import datetime as dt
    moment = dt.datetime.fromisoformat(str(_target_time).strip().replace("Z", "+00:00").replace(" ", "T", 1))
    moment = moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment
    print(f"Checking if the time ({moment}) has come")
    return dt.datetime.now(dt.timezone.utc) > moment''', (("target", target),))
    plan = sensor.finish([poke])
    plan.differences.append("target_time text is read with datetime.fromisoformat (Airflow uses pendulum.parse, which accepts more formats).")
    return plan


@mapper("TimeSensor", "TimeSensorAsync", args=sensor_args("target_time"))
def map_time_sensor(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    sensor = Sensor(task, ctx, "wait for a time of day")
    converted = to_python(task.args.get("target_time"))
    clock = _time_text(converted)
    if clock is None:
        sensor.diagnostic("KFM110", f"target_time {describe(converted)} is not a literal time", "error")
    poke = Code('''\
# TimeSensor: today's date (UTC) at target_time, fixed when the task starts
import datetime as _dt
_moment = _dt.datetime.combine(_dt.datetime.now(_dt.timezone.utc).date(), _dt.time.fromisoformat({clock}), _dt.timezone.utc)
def _poke():
    import datetime as dt
    print(f"Checking if the time ({_moment}) has come")
    return dt.datetime.now(dt.timezone.utc) > _moment''', (("clock", PyValue(clock)),))
    plan = sensor.finish([poke])
    plan.differences.append("Today's date is taken when the task starts, in UTC (Airflow: when the DAG file is parsed, in the DAG's timezone).")
    return plan


@mapper("WaitSensor", args=sensor_args("time_to_wait"))
@mapper("TimeDeltaSensor", "TimeDeltaSensorAsync", args=sensor_args("delta"))
def map_time_delta_sensor(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    wait = task.operator == "WaitSensor"
    name = "time_to_wait" if wait else "delta"
    sensor = Sensor(task, ctx, "wait for a delay")
    delta = to_python(task.args.get(name))
    if isinstance(delta, bool) or not isinstance(delta, (int, float)):
        sensor.diagnostic("KFM110", f"{name} {describe(delta)} is not a literal timedelta", "error")
        seconds = 0.0
    else:
        # the parser gives timedelta(...) as float seconds; a plain int means minutes in Airflow
        seconds = float(delta) * 60 if isinstance(delta, int) else float(delta)
    if wait:
        start = '''\
# WaitSensor: wait time_to_wait from the start of the task
import datetime as _dt
_target = _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(seconds={seconds})
'''
    else:
        start = '''\
# TimeDeltaSensor: data_interval_end (the logical date of a manual run) + delta
import datetime as _dt
_target = {context}.context["data_interval_end"] + _dt.timedelta(seconds={seconds})
'''
    poke = start + '''\
def _poke():
    import datetime as dt
    print(f"Checking if the delta has elapsed: target {_target}")
    return dt.datetime.now(dt.timezone.utc) > _target'''
    if task.operator == "TimeDeltaSensorAsync" or to_python(task.args.get("deferrable")) is True:
        # deferrable: Airflow returns True when the target has passed already, else None once the
        # trigger fires
        poke += '''
_checks = []
_elapsed = _poke
def _poke():
    import types
    _checks.append(_elapsed())
    return types.SimpleNamespace(is_done=_checks[-1], xcom_value=True if len(_checks) == 1 else None)'''
    plan = sensor.finish([Code(poke, (("seconds", PyValue(seconds)),))])
    if not wait:
        plan.differences.append("data_interval_end is the logical_date pipeline parameter (empty: the time the task starts).")
    return plan


@mapper("DayOfWeekSensor", args=sensor_args("week_day", "use_task_logical_date"))
def map_day_of_week_sensor(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    sensor = Sensor(task, ctx, "wait for a weekday")
    days = _weekday_numbers(to_python(task.args.get("week_day")))
    if days is None:
        sensor.diagnostic("KFM110", f"week_day {describe(to_python(task.args.get('week_day')))} is not a literal weekday", "error")
        days = []
    use_logical = to_python(task.args.get("use_task_logical_date")) is True
    day = '{context}.context["logical_date"].isoweekday()' if use_logical else "dt.datetime.now(dt.timezone.utc).isoweekday()"
    poke = Code('''\
_week_days = {days}  # ISO weekday numbers, Monday = 1
def _poke():
    import datetime as dt
    print(f"Poking until weekday is in {_week_days}")
    return ''' + day + " in _week_days", (("days", PyValue(sorted(days))),))
    return sensor.finish([poke])


# ---------------------------------------------------------------- http
@mapper("HttpSensor", args=sensor_args(
    "http_conn_id", "endpoint", "method", "request_params", "headers", "extra_options", "response_check",
    "response_error_codes_allowlist", "tcp_keep_alive", "tcp_keep_alive_idle", "tcp_keep_alive_count",
    "tcp_keep_alive_interval"))
def map_http_sensor(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    """HttpSensor: the request HttpHook would send (requests), polled like the sensor."""
    sensor = Sensor(task, ctx, "HTTP request")
    conn = to_python(task.args.get("http_conn_id", ir.Literal("http_default")))
    if not isinstance(conn, str):
        sensor.diagnostic("KFM110", f"http_conn_id {describe(conn)} is not a literal: http_default is used")
        conn = "http_default"
    values = (("conn", PyValue(conn)), ("endpoint", sensor.value("endpoint", default="")),
              ("method", sensor.value("method", rendered=False, default="GET")),
              ("data", sensor.value("request_params", default=None)), ("headers", sensor.value("headers", default=None)),
              ("options", sensor.value("extra_options", rendered=False, default=None)),
              ("allowlist", sensor.value("response_error_codes_allowlist", rendered=False, default=["404"])))
    check = [Code("_response_check = None\n")]
    response_check = task.args.get("response_check")
    if response_check is not None:
        source = getattr(response_check, "source", None)
        code, expressions, problem = dag_file_code(task, set(), {"response_check": source or ""})
        if code is None or not expressions.get("response_check"):
            sensor.diagnostic("KFM110", f"response_check cannot be read from the DAG file ({problem}): the status code alone decides", "error")
            sensor.plan.differences.append("response_check is not applied.")
        else:
            check = [Code('''\
# response_check and what it needs, from the DAG file
_dag_namespace = {}
exec({code}, _dag_namespace)
_response_check = eval({expression}, _dag_namespace)
''', (("code", PyValue(code)), ("expression", PyValue(expressions["response_check"]))))]
    poke = Code('''\
_connection = getattr({context}.context["conn"], {conn})
_endpoint, _method, _data, _headers = {endpoint}, {method}, {data}, {headers}
def _poke():
    # HttpHook: base URL from the connection, basic auth from login/password, extra as headers
    import requests
    host = _connection.host or ""
    base = host if "://" in host else f"{_connection.schema or 'http'}://{host}" + (f":{_connection.port}" if _connection.port else "")
    url = f"{base}/{_endpoint}" if base and not base.endswith("/") and _endpoint and not _endpoint.startswith("/") else base + (_endpoint or "")
    session = requests.Session()
    if _connection.login:
        session.auth = (_connection.login, _connection.password)
    session.headers.update({str(k): str(v) for k, v in (_connection.extra_dejson or {}).items()})
    session.headers.update(_headers or {})
    options = dict({options} or {})
    request = {"params" if _method.upper() in ("GET", "HEAD") else "data": _data}
    print(f"Poking: {_method} {url}")
    response = session.request(_method, url, timeout=options.get("timeout"), verify=options.get("verify", True),
                               allow_redirects=options.get("allow_redirects", True), **request)
    if not response.ok:
        code = f"{response.status_code}:{response.reason}"
        if code.startswith(tuple({allowlist})):
            print(f"HTTP error {code}: not yet")
            return False
        raise {context}.AirflowException(code)
    if _response_check is not None:
        returned, skip = _airflow_call_python({context}, _response_check, [response], {})
        if skip:
            raise {context}.AirflowSkipException("response_check raised AirflowSkipException")
        return returned["return_value"]
    return True''', values)
    plan = sensor.finish(check + [poke], packages=["requests"])
    entries, notes = connection_wiring([conn])
    plan.platform.secret_env += entries
    plan.differences += notes
    plan.differences.append("The request is sent with requests as HttpHook sends it (base URL, basic auth, headers); "
                            "other auth types and TCP keep-alive settings of the hook are not reproduced.")
    return plan


# ---------------------------------------------------------------- static values
def _datetime_text(call: Call) -> Optional[str]:
    values = [call.get(name, i, default) for i, (name, default) in enumerate(
        (("year", None), ("month", None), ("day", None), ("hour", 0), ("minute", 0), ("second", 0), ("microsecond", 0)))]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return None
    try:
        return _dt.datetime(*values, tzinfo=_dt.timezone.utc).isoformat()
    except ValueError:
        return None


def _time_text(value: Any) -> Optional[str]:
    if isinstance(value, str):
        try:
            return _dt.time.fromisoformat(value).isoformat()
        except ValueError:
            return None
    if isinstance(value, Call) and value.name == "time":
        parts = [value.get(name, i, 0) for i, name in enumerate(("hour", "minute", "second", "microsecond"))]
        if all(isinstance(v, int) and not isinstance(v, bool) for v in parts):
            try:
                return _dt.time(*parts).isoformat()
            except ValueError:
                return None
    return None


def _weekday_numbers(value: Any) -> Optional[List[int]]:
    items = value if isinstance(value, list) else [value]
    found = set()
    for item in items:
        if isinstance(item, Unresolved):
            item = item.source.rsplit(".", 1)[-1]  # WeekDay.SATURDAY
        if not isinstance(item, str) or item.upper() not in WEEKDAYS:
            return None
        found.add(WEEKDAYS.index(item.upper()) + 1)
    return sorted(found) or None


CASES = [
    Case(
        name="http sensor requests like HttpHook",
        dag='''
from airflow import DAG
from airflow.providers.http.sensors.http import HttpSensor

with DAG("http_wait", schedule=None):
    HttpSensor(task_id="wait_api", http_conn_id="api", endpoint="status", poke_interval=10, timeout=120)
''',
        task_id="wait_api",
        fragments=("packages_to_install=RUNTIME_PACKAGES + ['requests==", "secret_name='airflow-conn-api'", "poke_interval=10.0, timeout=120.0"),
    ),
    Case(
        name="file sensor polls with the connection's base path",
        dag='''
from airflow import DAG
from airflow.providers.standard.sensors.filesystem import FileSensor

with DAG("file_wait", schedule=None):
    FileSensor(task_id="wait", filepath="incoming/{{ ds }}.csv", fs_conn_id="landing", poke_interval=5, timeout=60, soft_fail=True)
''',
        task_id="wait",
        fragments=("_airflow_sensor(_airflow, _poke, poke_interval=5.0, timeout=60.0, soft_fail=True)",
                   "kubernetes.use_secret_as_env(wait_task, secret_name='airflow-conn-landing', secret_key_to_env={'uri': 'AIRFLOW_CONN_LANDING'})"),
        body='''\
_base_path = getattr(_airflow.context["conn"], 'landing').extra_dejson.get("path", "")
_full_path = _os.path.join(_base_path, _airflow_render(filepath, _airflow.context))
''',
    ),
    Case(
        name="python sensor with PokeReturnValue",
        dag='''
from airflow.sdk import DAG, PokeReturnValue
from airflow.providers.standard.sensors.python import PythonSensor

def ready(threshold):
    return PokeReturnValue(is_done=True, xcom_value=threshold * 2)

with DAG("py_wait", schedule=None):
    PythonSensor(task_id="ready", python_callable=ready, op_kwargs={"threshold": 3}, exponential_backoff=True)
''',
        task_id="ready",
        fragments=("class PokeReturnValue:", "exponential_backoff=True", "def _poke():"),
        body='''\
def _poke():
    returned, skip = _airflow_call_python(_airflow, ready, _op_args, _op_kwargs)
    if skip:
        raise _airflow.AirflowSkipException("the check raised AirflowSkipException")
    return returned["return_value"]
results, skipped = _airflow_sensor(
    _airflow, _poke, poke_interval=60.0, timeout=604800.0, exponential_backoff=True,
)
''',
    ),
    Case(
        name="task.sensor decorator",
        dag='''
from airflow.sdk import dag, task

@dag(schedule=None)
def deco_sensor():
    @task.sensor(poke_interval=1, timeout=10, mode="reschedule")
    def check() -> bool:
        return True
    check()

deco_sensor()
''',
        task_id="check",
        fragments=("poke_interval=1.0, timeout=10.0",),
    ),
    Case(
        name="bash sensor",
        dag='''
from airflow import DAG
from airflow.providers.standard.sensors.bash import BashSensor

with DAG("bash_wait", schedule=None):
    BashSensor(task_id="probe", bash_command="test -e /tmp/ready", retry_exit_code=1, poke_interval=2)
''',
        task_id="probe",
        fragments=("raise _airflow.AirflowFailException",),
    ),
    Case(
        name="time-based sensors",
        dag='''
from datetime import datetime, time, timedelta
from airflow import DAG
from airflow.providers.standard.sensors.date_time import DateTimeSensor
from airflow.providers.standard.sensors.time import TimeSensor
from airflow.providers.standard.sensors.time_delta import TimeDeltaSensor
from airflow.providers.standard.sensors.weekday import DayOfWeekSensor
from airflow.utils.weekday import WeekDay

with DAG("time_wait", schedule=None):
    a = TimeDeltaSensor(task_id="delta", delta=timedelta(minutes=2))
    b = TimeSensor(task_id="clock", target_time=time(6, 30))
    c = DateTimeSensor(task_id="moment", target_time=datetime(2024, 5, 1, 12))
    d = DayOfWeekSensor(task_id="weekend", week_day={WeekDay.SATURDAY, "Sunday"}, use_task_logical_date=True)
    a >> b >> c >> d
''',
        task_id="weekend",
        fragments=("_airflow.context[\"data_interval_end\"] + _dt.timedelta(seconds=120.0)",
                   "_dt.time.fromisoformat('06:30:00')", "'2024-05-01T12:00:00+00:00'", "_week_days = [6, 7]"),
    ),
]
