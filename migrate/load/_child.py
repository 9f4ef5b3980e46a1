"""Child process of `--load`: import DAG files with Airflow's own DagBag and describe the live DAGs.

Usage (internal): python -m kfmigrate.migrate.load._child REQUEST.json
REQUEST holds {"files": [...], "sys_path": [...], "result": PATH}. The parent has set a clean
AIRFLOW_HOME and the environment. For each file this appends one JSON line to PATH:
{"file", "dags": [...], "import_errors": {path: traceback}} or {"file", "fatal": text}.
Lines `[kfmigrate] file N start` on stdout let the parent tell which file hangs.

This runs the user's DAG files: it never runs inside the kfmigrate process. It imports nothing of
kfmigrate beyond this file, so the project's code sees a plain Airflow DAG processor. Values are
encoded as JSON with tagged objects ({"$": "xcom" | "param" | "td" | "dt" | "func" | "call" |
"repr" | "tuple" | "dict" | "zip" ...}); migrate/load/build.py turns them into IR values.
"""
from __future__ import annotations

import datetime as _dt
import enum
import inspect
import json
import os
import sys
import traceback

FILE_MARKER = "[kfmigrate] file"
MAX_DEPTH = 30  # deeper values are described by repr: a DAG argument is not a data structure


def main(request_path: str) -> int:
    with open(request_path) as handle:
        request = json.load(handle)
    here = os.path.dirname(os.path.abspath(__file__))  # run as a script: its folder is no project folder
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    for entry in reversed(request["sys_path"]):  # as Airflow adds the DAG folder, plugins/ and config
        if entry not in sys.path:
            sys.path.insert(0, entry)
    _record_task_lines()
    try:
        from airflow.dag_processing.dagbag import DagBag  # Airflow 3
    except ImportError:
        from airflow.models.dagbag import DagBag  # Airflow 2 (KFMIGRATE_LOAD_PYTHON names its interpreter)

    skipped = _skipped_by_airflow(request["files"])
    with open(request["result"], "a") as out:
        for number, path in enumerate(request["files"]):
            print(f"{FILE_MARKER} {number} start", flush=True)
            if path in skipped:
                out.write(json.dumps({"file": path, "dags": [], "skipped": skipped[path]}) + "\n")
                out.flush()
                continue
            try:
                _LINES.clear()
                _GIVEN.clear()
                bag = DagBag(dag_folder=path, include_examples=False) if _takes_examples(DagBag) else DagBag(dag_folder=path)
                # one DagBag per file: every DAG in it came from this file, even when a factory in another
                # module created it (its fileloc then names the factory's file)
                record = {"file": path, "dags": [_safe_dag(dag, path) for dag in bag.dags.values()],
                          "import_errors": {str(k): str(v) for k, v in bag.import_errors.items()}}
            except BaseException as exc:  # noqa: BLE001 - one file's failure is its own result
                if isinstance(exc, KeyboardInterrupt):
                    raise
                record = {"file": path, "fatal": f"{type(exc).__name__}: {exc}\n" + traceback.format_exc(limit=8)}
            out.write(json.dumps(record, allow_nan=True) + "\n")
            out.flush()
    return 0


def _skipped_by_airflow(files) -> dict:
    """{file: why} for the files Airflow's DAG processor would not parse: .airflowignore in the DAG
    folder, and the dag_discovery_safe_mode heuristic (a file must mention "airflow" and "dag")."""
    from airflow.configuration import conf
    from airflow.utils.file import might_contain_dag

    try:
        from airflow.utils.file import find_dag_file_paths
    except ImportError:  # older Airflow 2: the same walk, through list_py_file_paths
        from airflow.utils.file import list_py_file_paths

        def find_dag_file_paths(directory, safe_mode):
            return list_py_file_paths(directory, safe_mode=safe_mode, include_examples=False)

    safe_mode = conf.getboolean("core", "DAG_DISCOVERY_SAFE_MODE", fallback=True)
    folder = os.environ.get("AIRFLOW__CORE__DAGS_FOLDER", "")
    discovered = None
    if folder and os.path.isdir(folder) and any(os.path.abspath(f).startswith(os.path.abspath(folder) + os.sep) for f in files):
        discovered = {os.path.abspath(p) for p in find_dag_file_paths(folder, safe_mode)}
    skipped = {}
    for path in files:
        if not might_contain_dag(path, safe_mode):
            skipped[path] = "safe_mode"
        elif discovered is not None and os.path.abspath(path).startswith(os.path.abspath(folder) + os.sep) \
                and os.path.abspath(path) not in discovered:
            skipped[path] = "airflowignore"
    return skipped


def _takes_examples(cls) -> bool:
    return "include_examples" in inspect.signature(cls.__init__).parameters


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


# ------------------------------------------------------------------ where each task was created
CONSTRUCTION = {"__init__", "__new__", "__call__", "apply_defaults", "add_task", "__setattr__", "dag"}
_LINES: dict = {}
_GIVEN: dict = {}  # id(task) -> the keyword arguments the outermost operator class was called with  # id(task) -> [(file, line) of the frames that created it, innermost first]


def _record_task_lines() -> None:
    """Note the call stack when a task joins its DAG: BaseOperator keeps no source line of its own.

    DAG.add_task is what every operator, mapped operator and decorated call goes through; the
    wrapper only looks at the stack and then calls Airflow's own method unchanged.
    """
    try:
        from airflow.sdk.definitions.dag import DAG  # Airflow 3
    except ImportError:
        from airflow.models.dag import DAG  # Airflow 2

    original = DAG.add_task

    def add_task(self, task):
        frames, frame, given = [], sys._getframe(1), None
        while frame is not None and len(frames) < 40:
            if frame.f_code.co_name == "apply_defaults" and isinstance(frame.f_locals.get("kwargs"), dict):
                given = set(frame.f_locals["kwargs"])  # the outermost class's call: what the DAG file passed
            elif frame.f_code.co_name not in CONSTRUCTION:  # a subclass's __init__ is not where the task is made
                frames.append((frame.f_code.co_filename, frame.f_lineno))
            frame = frame.f_back
        _LINES[id(task)] = frames
        if given is not None:
            _GIVEN[id(task)] = given
        return original(self, task)

    DAG.add_task = add_task


def _task_line(task, path: str):
    """The innermost line of the DAG file in the stack that created the task; else of any project file."""
    frames = _LINES.get(id(task), [])
    for filename, line in frames:
        if _same_file(filename, path) if os.path.exists(filename) else False:
            return {"file": path, "line": line}
    for filename, line in frames:
        if "site-packages" not in filename and not filename.startswith("<") and os.path.exists(filename) \
                and not filename.startswith(os.path.dirname(os.__file__)):
            return {"file": filename, "line": line}
    return None


# ------------------------------------------------------------------ DAGs
DAG_CALLBACKS = ("on_failure_callback", "on_success_callback")
TASK_CALLBACKS = ("on_failure_callback", "on_success_callback", "on_retry_callback", "on_execute_callback",
                  "on_skipped_callback")
# set by Airflow itself, or carried in the record on their own (is_setup, is_teardown)
DROPPED_KWARGS = {"dag", "task_group", "task_id", "kwargs_to_upstream", "default_args", "is_setup", "is_teardown",
                  "on_failure_fail_dagrun"}


def _safe_dag(dag, path: str) -> dict:
    try:
        return _dag(dag, path)
    except Exception as exc:  # noqa: BLE001 - one DAG kfmigrate cannot describe must not hide the others
        return {"dag_id": dag.dag_id, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(limit=4)}


def _dag(dag, path: str) -> dict:
    groups, mapped_groups = {}, {}
    _walk_groups(dag.task_group, groups, mapped_groups)
    dag_params = _params(dag.params)
    return {
        "dag_id": dag.dag_id,
        "fileloc": dag.fileloc,
        "description": dag.description,
        "doc_md": dag.doc_md,
        "tags": sorted(str(t) for t in (dag.tags or ())),
        "params": dag_params,
        "schedule": _schedule(dag),
        "catchup": bool(getattr(dag, "catchup", False)),
        "start_date": _iso(getattr(dag, "start_date", None)),
        "end_date": _iso(getattr(dag, "end_date", None)),
        "default_args": _encode(dict(dag.default_args or {})),
        "callbacks": _callbacks(dag, DAG_CALLBACKS),
        "groups": groups,
        "mapped_groups": mapped_groups,
        "tasks": [_task(task, path, dag_params) for task in dag.task_dict.values()],
    }


_MAPPED_GROUPS: dict = {}  # id(expand input) -> the mapped task group's id, for MappedArgument values


def _walk_groups(group, groups: dict, mapped: dict) -> None:
    for child in getattr(group, "children", {}).values():
        if hasattr(child, "children"):
            groups[child.group_id] = getattr(child, "tooltip", None) or None
            expand = getattr(child, "_expand_input", None)
            if expand is not None:
                _MAPPED_GROUPS[id(expand)] = child.group_id
                mapped[child.group_id] = _expand(expand)
            _walk_groups(child, groups, mapped)


def _params(params) -> dict:
    out = {}
    for name in params or {}:
        param = params.get_param(name) if hasattr(params, "get_param") else params[name]
        schema = getattr(param, "schema", {}) or {}
        value = getattr(param, "value", param)
        out[name] = {"default": _encode(None if _is_notset(value) else value), "type": schema.get("type"),
                     "description": getattr(param, "description", None)}
    return out


def _is_notset(value) -> bool:
    return type(value).__name__ in ("ArgNotSet", "NOTSET", "_NotSet")


def _schedule(dag) -> dict:
    # Airflow 3 keeps the schedule as written; Airflow 2 as schedule_interval (a Timetable for assets)
    raw = getattr(dag, "schedule", None) if hasattr(dag, "schedule") else getattr(dag, "schedule_interval", None)
    timetable = getattr(dag, "timetable", None)
    if raw is None:
        return {"kind": "none"}
    if isinstance(raw, str):
        return {"kind": "text", "value": raw}
    if isinstance(raw, _dt.timedelta):
        return {"kind": "timedelta", "value": raw.total_seconds()}
    expression = getattr(timetable, "_expression", None)
    source = f"{type(raw).__name__}(...)"
    try:
        source = repr(raw)
    except Exception:  # noqa: BLE001 - a repr that fails is no reason to lose the DAG
        pass
    return {"kind": "object", "type": f"{type(raw).__module__}.{type(raw).__qualname__}",
            "cron": expression if isinstance(expression, str) else None, "source": source}


def _iso(value):
    return value.isoformat() if isinstance(value, (_dt.datetime, _dt.date)) else None


# ------------------------------------------------------------------ tasks
def _given(task, name: str):
    """An attribute the DAG file set (or default_args gave); Airflow's own defaults (retry_delay is
    300 s on every task) count as not given, as for the static parser."""
    given = getattr(task, "partial_kwargs", None) if _is_mapped(task) else getattr(task, "_BaseOperator__init_kwargs", None)
    return getattr(task, name, None) if name in (given or {}) else None


def _task(task, path: str, dag_params: dict) -> dict:
    cls = getattr(task, "operator_class", None) if _is_mapped(task) else type(task)
    if not isinstance(cls, type):  # a mapped operator keeps the class, or its serialized form
        cls = type(task)
    record = {
        "task_id": task.task_id,
        "class": _qualname(cls),
        "mro": [dict(_qualname(c), execute="execute" in c.__dict__) for c in cls.__mro__ if c is not object],
        "custom_operator_name": getattr(cls, "custom_operator_name", None) or getattr(task, "custom_operator_name", None),
        "group": _group_path(task),
        "upstream": [t for t in task.dag.task_dict if t in task.upstream_task_ids],  # in definition order
        "trigger_rule": str(getattr(task.trigger_rule, "value", task.trigger_rule)),
        "retries": _int(getattr(task, "retries", 0)),
        "retry_delay": _seconds(_given(task, "retry_delay")),
        "retry_exponential_backoff": bool(getattr(task, "retry_exponential_backoff", False)),
        "max_retry_delay": _seconds(_given(task, "max_retry_delay")),
        "execution_timeout": _seconds(getattr(task, "execution_timeout", None)),
        "is_setup": bool(getattr(task, "is_setup", False)),
        "is_teardown": bool(getattr(task, "is_teardown", False)),
        "multiple_outputs": bool(getattr(task, "multiple_outputs", False)),
        "template_fields": [str(f) for f in getattr(task, "template_fields", ())],
        "callbacks": _callbacks(task, TASK_CALLBACKS),
        "doc": next((getattr(task, k) for k in ("doc_md", "doc", "doc_rst", "doc_json", "doc_yaml")
                     if isinstance(getattr(task, k, None), str)), None),
        "where": _task_line(task, path),
    }
    if _is_mapped(task):
        kwargs = {k: v for k, v in task.partial_kwargs.items() if not _is_default(cls, k, v)}
        expand = getattr(task, "op_kwargs_expand_input", None) or task.expand_input
        record["mapping"] = _expand(expand)
        record["mapping"]["decorated"] = hasattr(task, "op_kwargs_expand_input")
        if hasattr(task, "python_callable"):
            kwargs["python_callable"] = task.python_callable
    else:
        # every class in the MRO records its kwargs, so what a subclass passes to its base shows up
        # too: keep what the DAG file passed, and default_args (merged by the base classes)
        recorded = getattr(task, "_BaseOperator__init_kwargs", {}) or {}
        given = _GIVEN.get(id(task))
        if given is None:
            kwargs = {k: v for k, v in recorded.items() if not _is_default(cls, k, v)}
        else:
            defaults = set(getattr(task.dag, "default_args", None) or {}) if getattr(task, "dag", None) else set()
            group = getattr(task, "task_group", None)
            while group is not None:  # a TaskGroup's default_args merge like the DAG's
                defaults |= set(getattr(group, "default_args", None) or {})
                group = getattr(group, "parent_group", None)
            kwargs = {k: v for k, v in recorded.items() if k in given or k in defaults}
        if not kwargs:  # an operator built outside apply_defaults: read its templated attributes
            kwargs = {f: getattr(task, f) for f in getattr(task, "template_fields", ()) if hasattr(task, f)}
    kwargs = {k: v for k, v in kwargs.items() if k not in DROPPED_KWARGS and k not in TASK_CALLBACKS}
    own_params = kwargs.pop("params", None)
    if own_params:  # the DAG's params are merged into every task's: keep what the task adds or changes
        task_params = _params(own_params)
        kept = {k: v for k, v in task_params.items() if dag_params.get(k) != v}
        if kept:
            kwargs["params"] = {k: v["default"] for k, v in kept.items()}
    record["python_callable"] = _encode(kwargs.pop("python_callable", None))
    record["kwargs"] = {str(k): _encode(v) for k, v in kwargs.items()}
    return record


def _is_default(cls, name: str, value) -> bool:
    """partial_kwargs holds every BaseOperator default too; keep only what the DAG file set."""
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            parameter = inspect.signature(init).parameters.get(name)
        except (TypeError, ValueError):
            continue
        if parameter is not None and parameter.default is not inspect.Parameter.empty:
            try:
                # only "nothing" defaults: an explicit retries=0 from default_args stays, as written
                return (value is None or isinstance(value, bool) or value in ({}, [], ())) and (
                    type(parameter.default) is type(value) and bool(parameter.default == value)
                    or parameter.default is None)
            except Exception:  # noqa: BLE001 - a value that cannot be compared is kept
                return False
    return name in ("op_args", "op_kwargs") and value in ((), [], {})


def _is_mapped(task) -> bool:
    return hasattr(task, "partial_kwargs") and hasattr(task, "expand_input")


def _expand(expand) -> dict:
    value = getattr(expand, "value", None)
    if type(expand).__name__ == "ListOfDictsExpandInput":
        return {"over": {}, "kwargs_source": _encode(value)}
    return {"over": {str(k): _encode(v) for k, v in (value or {}).items()}, "kwargs_source": None}


def _group_path(task) -> list:
    path, group = [], getattr(task, "task_group", None)
    while group is not None and getattr(group, "group_id", None):
        path.append(group.group_id)
        group = getattr(group, "parent_group", None)
    return list(reversed(path))


def _callbacks(owner, names) -> dict:
    out = {}
    for name in names:
        value = getattr(owner, name, None)
        if value:
            functions = value if isinstance(value, (list, tuple)) else [value]
            out[name] = [_encode(f) for f in functions]
    return out


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _seconds(value):
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _qualname(cls) -> dict:
    return {"module": cls.__module__, "qualname": cls.__qualname__}


# ------------------------------------------------------------------ values
def _encode(value, depth: int = 0):
    """A live value as JSON: plain data stays plain, Airflow and Python objects become tagged."""
    if depth > MAX_DEPTH:
        return _repr(value)
    if isinstance(value, enum.Enum):  # TriggerRule.ALL_DONE is its text; WeekDay.SATURDAY stays a member
        if not isinstance(value, str):
            return {"$": "repr", "type": f"{type(value).__module__}.{type(value).__qualname__}",
                    "text": f"{type(value).__name__}.{value.name}"}
        value = value.value
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, _dt.timedelta):
        return {"$": "td", "seconds": value.total_seconds()}
    if isinstance(value, (_dt.datetime, _dt.date)):
        return {"$": "dt", "iso": value.isoformat()}
    if isinstance(value, _dt.time):  # as the DAG file writes it: datetime.time(15, 0, 0)
        parts = [value.hour, value.minute, value.second] + ([value.microsecond] if value.microsecond else [])
        return {"$": "repr", "type": "datetime.time", "text": f"datetime.time({', '.join(map(str, parts))})"}
    if isinstance(value, list):
        return [_encode(v, depth + 1) for v in value]
    if isinstance(value, (tuple, set, frozenset)):
        return {"$": "tuple", "items": [_encode(v, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"$": "dict", "items": [[_encode(k, depth + 1), _encode(v, depth + 1)] for k, v in value.items()]}
    kind = type(value).__name__
    if kind == "PlainXComArg":
        return {"$": "xcom", "task_id": value.operator.task_id, "key": value.key}
    if kind == "ZipXComArg":
        return {"$": "zip", "items": [_encode(a, depth + 1) for a in value.args]}
    if kind == "MappedArgument":  # inside a mapped task group: the current item's value
        return {"$": "grouparg", "group_id": _MAPPED_GROUPS.get(id(value._input), ""), "name": value._key}
    if kind == "DagParam":
        return {"$": "param", "name": value._name}
    if kind == "Param":
        return _encode(getattr(value, "value", None), depth + 1)
    if inspect.isfunction(value) or inspect.ismethod(value) or type(value).__name__ == "partial":
        return _function(value, depth)
    if hasattr(value, "openapi_types") and hasattr(value, "attribute_map"):  # kubernetes client models
        fields = {k: getattr(value, k) for k in value.openapi_types if getattr(value, k, None) is not None}
        return {"$": "call", "name": f"k8s.{kind}", "kwargs": {k: _encode(v, depth + 1) for k, v in fields.items()}}
    if kind == "Secret" and hasattr(value, "deploy_type"):
        return {"$": "call", "name": "Secret", "kwargs": {k: _encode(getattr(value, k, None), depth + 1)
                                                         for k in ("deploy_type", "deploy_target", "secret", "key")}}
    return _repr(value)


def _repr(value) -> dict:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001
        text = f"<{type(value).__name__}>"
    return {"$": "repr", "type": f"{type(value).__module__}.{type(value).__qualname__}", "text": text[:2000]}


def _function(func, depth: int) -> dict:
    if type(func).__name__ == "partial":
        inner = _function(func.func, depth + 1)
        return {"$": "partial", "func": inner, "args": [_encode(a, depth + 1) for a in func.args],
                "kwargs": {str(k): _encode(v, depth + 1) for k, v in (func.keywords or {}).items()}}
    func = inspect.unwrap(getattr(func, "__func__", func))
    code = getattr(func, "__code__", None)
    record = {"$": "func", "name": func.__name__, "module": getattr(func, "__module__", None),
              "qualname": getattr(func, "__qualname__", func.__name__),
              "file": None, "line": code.co_firstlineno if code else None, "params": [], "var_keyword": None,
              "closure": {}}
    try:
        record["file"] = inspect.getsourcefile(func)
    except TypeError:
        pass
    try:
        signature = inspect.signature(func)
        record["params"] = [p.name for p in signature.parameters.values()
                            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        record["var_keyword"] = next((p.name for p in signature.parameters.values() if p.kind == p.VAR_KEYWORD), None)
    except (TypeError, ValueError):
        pass
    if code is not None and func.__closure__:  # names from an enclosing function, when plain data
        for name, cell in zip(code.co_freevars, func.__closure__):
            try:
                encoded = _encode(cell.cell_contents, depth + 1)
            except ValueError:  # an empty cell
                continue
            if not _opaque(encoded):
                record["closure"][name] = encoded
    return record


def _opaque(encoded) -> bool:
    if isinstance(encoded, dict):
        if encoded.get("$") in ("repr", "func", "partial", "xcom", "zip", "param", "call"):
            return True
        return any(_opaque(v) for pair in encoded.get("items", []) for v in (pair if isinstance(pair, list) else [pair]))
    if isinstance(encoded, list):
        return any(_opaque(v) for v in encoded)
    return False


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
