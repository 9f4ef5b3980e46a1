"""Run-time helpers copied into every generated pipeline file (and from there into components).

These functions run INSIDE KFP lightweight components, not in kfmigrate. The emitter copies their
source verbatim (inspect.getsource) into the generated module and lists the ones a component needs
in `@dsl.component(additional_funcs=[...])`. So each function must be self-contained: it imports
what it uses inside its body and may only call the other helpers of this module by name.

They reproduce what an Airflow task sees: the template context (ds, ts, params, macros, var ...),
`ti.xcom_pull` / `ti.xcom_push`, Jinja rendering of templated fields, the way PythonOperator calls
its callable, the way BashOperator runs its command (exit 99 = skipped) and how trigger rules
react to skipped upstream tasks.
"""
# Keep this module free of top-level imports: the emitter copies function sources only.


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


def _airflow_map_items(mode, names, sources):
    """The items of a mapped task (one per Airflow map index, in map index order), as JSON texts.

    mode 'single': .expand(arg=seq) (a dict expands to [key, value] pairs); 'zip': .expand(arg=a.zip(b))
    (element-wise tuples, shortest wins); 'product': .expand(a=.., b=..) (the last argument varies
    fastest, as Airflow numbers map indexes; items are {name: value} dicts); 'kwargs':
    .expand_kwargs(seq of dicts). A source that is None (a skipped upstream) expands to nothing.
    """
    import itertools
    import json

    def sequence(value):
        if value is None:
            return []
        if isinstance(value, dict):
            return [[key, item] for key, item in value.items()]
        return list(value)

    seqs = [sequence(source) for source in sources]
    if mode == "single":
        items = seqs[0]
    elif mode == "zip":
        items = [list(group) for group in zip(*seqs)]
    elif mode == "product":
        items = [dict(zip(names, combo)) for combo in itertools.product(*seqs)]
    else:
        items = [dict(item) for item in seqs[0]]
    return [json.dumps(item, default=str) for item in items]


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


def _ints_back(value):
    """Turn whole floats back into ints inside a list/dict parameter.

    KFP carries list and dict parameters as protobuf Structs, where every number is a float;
    Airflow params keep ints, so `[1, 2]` must not arrive as `[1.0, 2.0]`.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_ints_back(item) for item in value]
    if isinstance(value, dict):
        return {key: _ints_back(item) for key, item in value.items()}
    return value


def _from_json(text):
    """Decode an XCom value that crossed from an upstream task as JSON text."""
    import json

    return json.loads(text)


# The helpers in copy order (a component gets the ones it uses).
HELPERS = ("_airflow_runtime", "_airflow_xcom", "_airflow_pendulum", "_airflow_macros", "_airflow_variables",
           "_airflow_render", "_airflow_call_python", "_airflow_run_bash", "_airflow_should_skip", "_airflow_branch_ids", "_airflow_not_followed", "_airflow_map_items", "_kfp_outputs", "_ints_back",
           "_from_json")


_SOURCES = {}


def helper_source(name: str) -> str:
    """The source text of one helper, as copied into generated files (read once per process)."""
    if name not in _SOURCES:
        import inspect

        _SOURCES[name] = inspect.getsource(globals()[name])
    return _SOURCES[name]


# The optional parts of _airflow_runtime's context and the words by which code reaches each. A
# component embeds one only when its code (or a constant it renders) says one of its words.
OPTIONAL_PARTS = {
    "_airflow_xcom": ("ti", "task_instance", "xcom_push", "xcom_pull"),
    "_airflow_pendulum": ("add", "subtract", "in_timezone", "in_tz", "start_of", "end_of", "to_date_string",
                          "to_datetime_string", "to_iso8601_string", "format", "int_timestamp", "day_of_week",
                          "day_of_year"),
    "_airflow_macros": ("macros",),
    "_airflow_variables": ("var", "conn", "Variable"),
}
# Code that can reach the whole context, or hand it to code the converter cannot read, gets them all:
# ** (a callable taking **kwargs gets every entry), the context itself, introspection.
WHOLE_CONTEXT = ("context", "kwargs", "get_current_context", "locals", "globals", "vars", "dir", "getattr",
                 "hasattr", "eval", "exec", "__dict__", "__class__", "__import__", "import_module")
# Helpers that pass the context to no code but the component's own (any other one gets them all).
CONTEXT_CONTAINED = ("_airflow_runtime", "_airflow_render", "_airflow_call_python", "_airflow_run_bash",
                     "_airflow_should_skip", "_airflow_branch_ids", "_airflow_not_followed", "_airflow_map_items",
                     "_kfp_outputs", "_ints_back", "_from_json", "_airflow_sensor", "_airflow_trigger",
                     "_airflow_failed_for_good", "_airflow_dag_run_state")


def optional_parts(code: str, constants: dict) -> list:
    """The optional parts a component whose body is `code` can reach (names of OPTIONAL_PARTS).

    constants: the component's inputs whose values are written into the pipeline (name -> text).
    All of them when the code reaches the whole context, imports a module outside the standard
    library (its code may get context values), calls a helper that hands the context on, or
    renders a value that is not a constant (a TaskFlow bash command, say), whose Jinja is unknown.
    """
    return list(_optional_parts(code, tuple(sorted(constants.items()))))


_OPTIONAL_PARTS_FOUND = {}  # (code, constants) -> parts: the emitter asks for the module and the component


def _optional_parts(code, constant_items):
    key = (code, constant_items)
    if key not in _OPTIONAL_PARTS_FOUND:
        if len(_OPTIONAL_PARTS_FOUND) > 4096:
            _OPTIONAL_PARTS_FOUND.clear()
        _OPTIONAL_PARTS_FOUND[key] = tuple(_find_optional_parts(code, dict(constant_items)))
    return _OPTIONAL_PARTS_FOUND[key]


def _find_optional_parts(code, constants):
    import ast
    import re
    import sys
    import textwrap

    def says(words, text):
        return re.search(r"(?<!\w)(%s)(?!\w)" % "|".join(map(re.escape, words)), text) is not None

    def constant(node):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_from_json" and node.args:
            node = node.args[0]
        if isinstance(node, ast.Name):
            return node.id in constants
        try:
            ast.literal_eval(node)
            return True
        except ValueError:
            return False

    every = list(OPTIONAL_PARTS)
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return every
    own_use = code.replace("_airflow.context", "_airflow")  # the emitter's: to render and call helpers
    if "**" in code or says(WHOLE_CONTEXT, own_use):
        return every
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if getattr(node, "level", 0) or any(m.split(".")[0] not in sys.stdlib_module_names for m in modules):
                return every
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in HELPERS:
            if node.func.id not in CONTEXT_CONTAINED:
                return every
            if node.func.id == "_airflow_render" and not (node.args and constant(node.args[0])):
                return every
    text = code + "\n" + "\n".join(constants.values())
    return [part for part, words in OPTIONAL_PARTS.items() if says(words, text)]


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


HELPERS = HELPERS + ("_airflow_sensor",)


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


HELPERS = HELPERS + ("_airflow_run_operator",)


def _airflow_trigger_pipeline(airflow, dag_id, conf=None, run_id="", logical_date="", wait_for_completion=False,
                              poke_interval=60.0, allowed_states=("success",), failed_states=("failed",), api=None):
    """TriggerDagRunOperator on KFP: start a run of the pipeline converted from `dag_id`; return (XCom values, skipped).

    Talks to the KFP REST API v2beta1 directly (kfp.Client cannot be imported inside a running
    component). The pipeline (named as kfmigrate names it: lowercase, dashes) must be uploaded on
    the server at KFP_HOST (default: the in-cluster ml-pipeline service); in a Kubeflow pod the
    service account token at KF_PIPELINES_SA_TOKEN_PATH authenticates. conf keys that are
    parameters of the pipeline become run parameters (Airflow's conf overrides params), with
    logical_date and run_id. The run starts in experiment KFP_EXPERIMENT (default "Default"). api: `_airflow_kfp_api()`.
    """
    import os
    import time

    api = api or _airflow_kfp_api()
    call, by_name, host, namespace = api.call, api.by_name, api.host, api.namespace
    name = api.pipeline_name(dag_id)

    pipeline = by_name("pipelines", "pipelines", name)
    if not pipeline:
        raise airflow.AirflowException(f"DAG {dag_id!r}: no pipeline named {name!r} on {host}; convert and upload it first")
    versions = call("GET", f"pipelines/{pipeline['pipeline_id']}/versions", {"sort_by": "created_at desc", "page_size": 1})
    version = (versions.get("pipeline_versions") or [None])[0]
    if not version:
        raise airflow.AirflowException(f"pipeline {name!r} has no version on {host}")
    spec = version.get("pipeline_spec") or {}
    spec = spec.get("pipeline_spec", spec)  # a spec with a platform spec comes wrapped
    accepted = set(((spec.get("root") or {}).get("inputDefinitions") or {}).get("parameters") or {})
    params = {}
    for key, value in (conf or {}).items():
        if key in accepted:
            params[key] = value
        else:
            print(f"conf key {key!r} is not a parameter of pipeline {name!r}: not passed (Airflow keeps it in dag_run.conf)")
    for key, value in (("logical_date", logical_date), ("run_id", run_id)):
        if value and key in accepted:
            params[key] = value
    experiment_name = os.environ.get("KFP_EXPERIMENT", "Default")
    experiment = by_name("experiments", "experiments", experiment_name)
    if not experiment:
        body = {"display_name": experiment_name, **({"namespace": namespace} if namespace else {})}
        experiment = call("POST", "experiments", body=body)
    run = call("POST", "runs", body={
        "display_name": run_id or f"{name} triggered by {airflow.context['dag'].dag_id}",
        "experiment_id": experiment["experiment_id"],
        "pipeline_version_reference": {"pipeline_id": pipeline["pipeline_id"], "pipeline_version_id": version["pipeline_version_id"]},
        "runtime_config": {"parameters": params},
    })
    print(f"Triggered pipeline {name!r}: run {run['run_id']}")
    results = dict(airflow.pushed, trigger_run_id=run["run_id"], return_value=None)
    if wait_for_completion:
        kfp_states = {"success": "SUCCEEDED", "failed": "FAILED", "running": "RUNNING", "queued": "PENDING"}
        allowed = {kfp_states.get(str(s).lower(), str(s).upper()) for s in allowed_states}
        failed = {kfp_states.get(str(s).lower(), str(s).upper()) for s in failed_states}
        while True:
            state = str(call("GET", f"runs/{run['run_id']}").get("state") or "")
            print(f"Run {run['run_id']} is {state}")
            if state in failed:
                raise airflow.AirflowException(f"{name} failed with failed state {state}")
            if state in allowed:
                break
            if state in ("SUCCEEDED", "FAILED", "SKIPPED", "CANCELED"):
                raise airflow.AirflowException(f"{name} ended in state {state}, which is not an allowed state")
            time.sleep(poke_interval)
    return results, False


HELPERS = HELPERS + ("_airflow_trigger_pipeline",)


def _airflow_assets(airflow):
    """Airflow 3's asset names and event accessors, for a task whose code uses them; return airflow.

    KFP has no assets: events the task emits (outlet_events, yielded Metadata) are accepted and
    logged, not published; the task sees no inlet events (Airflow would show it those that earlier
    tasks of the same run emitted) and no partition, as in a manual Airflow run.
    """

    class Asset:
        """Stands in for airflow.sdk.Asset: equal by name and URI, usable as an event key."""

        def __init__(self, name=None, uri=None, **_ignored):
            self.name, self.uri = name or uri, uri or name

        def __eq__(self, other):
            return type(self) is type(other) and (self.name, self.uri) == (other.name, other.uri)

        def __hash__(self):
            return hash((type(self).__name__, self.name, self.uri))

        def __repr__(self):
            return f"{type(self).__name__}(name={self.name!r}, uri={self.uri!r})"

    class AssetAlias(Asset):
        """Stands in for airflow.sdk.AssetAlias."""

    class Metadata:
        """Stands in for airflow.sdk.Metadata (what a task yields to attach extra to an asset event)."""

        def __init__(self, asset, extra, alias=None):
            self.asset, self.extra, self.alias = asset, extra, alias

    class OutletEvent:
        def __init__(self, key):
            self.key, self.extra = key, {}

        def add(self, asset, extra=None):
            print(f"asset event for {asset!r} through {self.key!r}: not published (KFP has no assets)")

        def add_partitions(self, *keys):
            print(f"asset partitions {list(keys)} of {self.key!r}: not published (KFP has no assets)")

    class OutletEvents(dict):
        def __missing__(self, key):
            self[key] = OutletEvent(key)
            return self[key]

    class InletEvents(dict):
        def __missing__(self, key):
            return []

        def for_asset(self, *args, **kwargs):
            return []

        def for_asset_alias(self, *args, **kwargs):
            return []

    context = airflow.context
    context.setdefault("outlet_events", OutletEvents())
    context.setdefault("inlet_events", InletEvents())
    context.setdefault("triggering_asset_events", {})
    context.setdefault("partition_key", None)
    for name in ("partition_key", "partition_date"):
        if not hasattr(context["dag_run"], name):
            setattr(context["dag_run"], name, None)
    airflow.Asset, airflow.AssetAlias, airflow.Metadata = Asset, AssetAlias, Metadata
    return airflow


HELPERS = HELPERS + ("_airflow_assets",)


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


HELPERS = HELPERS + ("_airflow_kfp_api", "_airflow_external_task_poke")


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


HELPERS = HELPERS + ("_airflow_hitl_wait",)


def _mlflow_to_kfp(metrics, model=None):
    """Record what the task logs to MLflow into its KFP artifacts: `with _mlflow_to_kfp(metrics, model): ...`.

    The MLflow calls still go to MLflow: to MLFLOW_TRACKING_URI when it is set (or to the URI the
    task sets itself); otherwise to a throw-away file store in the task's temp dir (set with
    mlflow.set_tracking_uri, the environment is left alone), so the KFP artifacts are the lasting record. When the block ends, the metrics of the runs the task
    started are logged into `metrics` (a nested run's as "<run name>/<key>"), its runs' params,
    metrics, tags and artifact paths are written to metrics.path as JSON, and the last model logged with
    mlflow.<flavor>.log_model is copied into model.path (an MLflow model directory) with its
    flavor, run id and model URI as metadata. mlflow is patched only if the task imports it
    (importing mlflow takes seconds).
    """
    import importlib.abc
    import json
    import os
    import sys
    import tempfile
    import urllib.parse

    started_runs = []  # run ids, in start order
    logged_models = []  # (flavor, ModelInfo, registered model name)

    def patch(module):
        """Wrap mlflow.start_run and mlflow.<flavor>.log_model so we know what the task logged."""
        name = module.__name__
        if name == "mlflow" and not hasattr(module.start_run, "kfmigrate_original"):
            if not os.environ.get("MLFLOW_TRACKING_URI"):
                # MLflow's own default is ./mlflow.db in whatever the cwd is; the KFP artifacts keep the results
                store = os.path.join(tempfile.mkdtemp(prefix="kfmigrate-mlflow-"), "mlruns")  # MLflow creates it
                os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")  # a file store starts in 0.1 s, SQLite in seconds
                module.set_tracking_uri("file://" + store)
            start_run = module.start_run

            def recorded_start_run(*args, **kwargs):
                active = start_run(*args, **kwargs)
                started_runs.append(active.info.run_id)
                return active

            recorded_start_run.kfmigrate_original = start_run
            module.start_run = recorded_start_run
        log_model = getattr(module, "log_model", None)
        if name.count(".") == 1 and callable(log_model) and not hasattr(log_model, "kfmigrate_original"):
            flavor = name.split(".", 1)[1]

            def recorded_log_model(*args, **kwargs):
                info = log_model(*args, **kwargs)
                logged_models.append((flavor, info, kwargs.get("registered_model_name")))
                return info

            recorded_log_model.kfmigrate_original = log_model
            module.log_model = recorded_log_model

    class PatchOnImport(importlib.abc.MetaPathFinder):
        """Patches mlflow and its flavor modules (mlflow.sklearn ...) right after they are imported."""

        def find_spec(self, fullname, path, target=None):
            if fullname != "mlflow" and not (fullname.startswith("mlflow.") and fullname.count(".") == 1):
                return None
            for finder in sys.meta_path:
                if finder is not self and hasattr(finder, "find_spec"):
                    spec = finder.find_spec(fullname, path, target)
                    if spec is not None:
                        break
            else:
                return None
            if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                run_module = spec.loader.exec_module

                def exec_module(module):
                    run_module(module)
                    patch(module)

                spec.loader.exec_module = exec_module
            return spec

    def without_credentials(uri):
        parts = urllib.parse.urlsplit(uri)
        if parts.password or parts.username:
            parts = parts._replace(netloc=parts.hostname + (f":{parts.port}" if parts.port else ""))
        return urllib.parse.urlunsplit(parts)

    def run_record(client, run_id):
        run = client.get_run(run_id)
        return {
            "run_id": run_id, "run_name": run.info.run_name, "experiment_id": run.info.experiment_id,
            "parent_run_id": run.data.tags.get("mlflow.parentRunId"), "status": run.info.status,
            "params": dict(run.data.params), "metrics": dict(run.data.metrics),
            "tags": {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")},
            "artifacts": [f.path for f in client.list_artifacts(run_id)],  # log_artifact(s), log_text ...
        }

    def record(mlflow):
        runs = list(dict.fromkeys(started_runs))
        last = mlflow.last_active_run()  # a run the fluent API started implicitly (log_metric without start_run)
        if last is not None and last.info.run_id not in runs:
            runs.append(last.info.run_id)
        client = mlflow.MlflowClient()
        records = [run_record(client, run_id) for run_id in runs]
        ids = {r["run_id"] for r in records}
        top = [r for r in records if r["parent_run_id"] not in ids]
        for r in records:
            prefix = "" if (len(top) == 1 and r is top[0]) else f"{r['run_name'] or r['run_id']}/"
            for key, value in sorted(r["metrics"].items()):
                metrics.log_metric(prefix + key, value)
        summary = {"tracking_uri": without_credentials(mlflow.get_tracking_uri()), "runs": records}
        if logged_models and model is not None:
            flavor, info, registered_name = logged_models[-1]
            import mlflow.artifacts

            os.makedirs(model.path, exist_ok=True)
            mlflow.artifacts.download_artifacts(artifact_uri=info.model_uri, dst_path=model.path)
            model.metadata.update({
                "flavor": flavor, "mlflow_run_id": info.run_id or "", "mlflow_model_uri": info.model_uri,
                "registered_model_name": registered_name or "",
                "registered_model_version": str(getattr(info, "registered_model_version", None) or ""),
                "models_logged": len(logged_models),
            })
            summary["models"] = [{"flavor": f, "model_uri": i.model_uri, "run_id": i.run_id} for f, i, _n in logged_models]
        return summary

    class Recording:
        def __enter__(self):
            self.finder = PatchOnImport()
            sys.meta_path.insert(0, self.finder)
            for module in [m for name, m in list(sys.modules.items()) if name == "mlflow" or name.startswith("mlflow.")]:
                patch(module)
            return self

        def __exit__(self, error_type, error, traceback):
            sys.meta_path.remove(self.finder)
            if error_type is not None:
                return False  # the task failed: its outputs do not count
            mlflow = sys.modules.get("mlflow")
            summary = record(mlflow) if mlflow is not None else {"runs": []}
            with open(metrics.path, "w") as handle:
                json.dump(summary, handle, indent=2, default=str)
            if summary["runs"]:
                print(f"MLflow: {len(summary['runs'])} run(s) recorded into the KFP artifacts "
                      f"({len(metrics.metadata)} metrics" + (", 1 model)" if summary.get("models") else ")"))
            return False

    return Recording()


def _xcom_to_artifacts(results, skipped, artifacts):
    """Write XCom values as JSON files of the task's output artifacts (xcom transport "artifact").

    artifacts maps an XCom key to its dsl.Output[dsl.Artifact]. A skipped task, or a key the task
    did not push, writes null (Airflow would have no XCom at all).
    """
    import json

    for key, artifact in artifacts.items():
        value = None if skipped else results.get(key)
        with open(artifact.path, "w", encoding="utf-8") as handle:
            json.dump(value, handle, ensure_ascii=False, default=str)
        artifact.metadata["xcom_key"] = key


def _xcom_from_artifact(artifact):
    """Read an XCom value that an upstream task wrote as a JSON artifact file."""
    import json

    with open(artifact.path, encoding="utf-8") as handle:
        return json.load(handle)


HELPERS = HELPERS + ("_mlflow_to_kfp", "_xcom_to_artifacts", "_xcom_from_artifact")


def _airflow_task_callbacks(callbacks, kind, context):
    """Call a task's callbacks of one kind like Airflow's task runner: each gets the context; a failing
    callback is logged and changes nothing."""
    import traceback

    for callback in callbacks.get(kind, []):
        print(f"[kfmigrate] {kind}: {getattr(callback, '__name__', callback)}")
        try:
            callback(context)
        except Exception:
            traceback.print_exc()


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


HELPERS = HELPERS + ("_airflow_task_callbacks", "_airflow_attempt")


def _kfp_local_modules(files):
    """Make the modules from next to the DAG file importable: write them (relative path -> text) into a
    temporary folder appended to sys.path, as Airflow appends the dags folder. The folder is
    removed when the task's process exits (kfp.local runs tasks as local processes)."""
    import atexit
    import os
    import shutil
    import sys
    import tempfile

    folder = tempfile.mkdtemp(prefix="kfmigrate-modules-")
    atexit.register(shutil.rmtree, folder, True)
    for relative, text in files.items():
        path = os.path.join(folder, *relative.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    sys.path.append(folder)  # an installed module of the same name wins, as under Airflow
    return folder


HELPERS = HELPERS + ("_kfp_local_modules",)


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


HELPERS = HELPERS + ("_airflow_trigger", "_airflow_failed_for_good", "_airflow_dag_run_state")
