"""Live DAGs described by the `--load` child (JSON) -> the same IR the static parser builds.

Values come back tagged (see _child.py) and become IR values the way the static parser's to_value
makes them: Jinja strings are Templates, XComArgs TaskOutputs, DagParams ParamRefs, and objects
that are not data become ir.Dynamic with a source text the mappers can read (k8s.V1EnvVar(...)).
Callables are lifted from their source file with kfmigrate.migrate.parse.callables, as the static path does.
"""
from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import ERROR, WARNING, Diagnostic
from kfmigrate.migrate.operators import find_mapper
from kfmigrate.migrate.parse import ParseResult, read_source
from kfmigrate.migrate.parse.builds import DOC_ARGS, PARAM_TYPES
from kfmigrate.migrate.parse.callables import ModuleIndex, lift_callable, lift_lambda
from kfmigrate.migrate.schedule import PRESET_NAMES

# what a TaskFlow operator keeps in its init kwargs that the IR holds elsewhere (callable, call args)
DECORATED_INTERNAL = ("python_callable", "op_args", "op_kwargs", "multiple_outputs")


def build_file(path: str, record: dict) -> ParseResult:
    """One file's record from the child -> a ParseResult like parse_file's."""
    result = ParseResult(path)
    builder = _Builder(path)
    for dag in record.get("dags", []):
        if "error" in dag:
            builder.diag("KFM134", f"Airflow loaded DAG {dag['dag_id']!r} but kfmigrate could not read it: {dag['error']}",
                         ir.SourceSpan(path, _dag_line(path, dag["dag_id"]), 1), severity=ERROR)
            continue
        result.workflows.append(builder.workflow(dag))
    result.diagnostics = builder.diagnostics
    return result


class _Builder:
    def __init__(self, path: str):
        self.path = path
        self.diagnostics: List[Diagnostic] = []
        self.dag_id: Optional[str] = None

    def diag(self, code: str, message: str, span: ir.SourceSpan, task_id: Optional[str] = None,
             severity: str = WARNING) -> None:
        self.diagnostics.append(Diagnostic(code, message, severity, span, task_id, self.dag_id))

    # ------------------------------------------------------------ DAG
    def workflow(self, dag: dict) -> ir.Workflow:
        self.dag_id = dag["dag_id"]
        span = ir.SourceSpan(self.path, _dag_line(self.path, dag["dag_id"]), 1)
        tasks = tuple(self.task(record, span) for record in dag["tasks"])
        edges = []
        for task, record in zip(tasks, dag["tasks"]):
            reads = _task_outputs(task)
            for upstream in record["upstream"]:
                edges.append(ir.Edge(upstream, task.task_id, "data" if upstream in reads else "order"))
        start, end = dag.get("start_date"), dag.get("end_date")
        default_args = _decode_pairs(dag.get("default_args"))
        if start is None and isinstance(default_args.get("start_date"), ir.Literal):
            start = default_args["start_date"].value
        return ir.Workflow(
            dag_id=dag["dag_id"],
            path=self.path,
            span=span,
            tasks=tasks,
            edges=tuple(edges),
            params=tuple(self.param(name, spec, span) for name, spec in (dag.get("params") or {}).items()),
            schedule=_schedule(dag["schedule"], bool(dag.get("catchup")), start, end),
            description=dag.get("description") if isinstance(dag.get("description"), str) else None,
            doc=dag.get("doc_md") if isinstance(dag.get("doc_md"), str) else None,
            tags=_in_file_order(self.path, dag.get("tags") or ()),
            default_args=default_args,
            groups=dict(dag.get("groups") or {}),
            mapped_groups={g: self.mapping(m) for g, m in (dag.get("mapped_groups") or {}).items()},
            callbacks=self.callbacks(dag.get("callbacks") or {}, span),
        )

    def param(self, name: str, spec: dict, span: ir.SourceSpan) -> ir.Param:
        default = _plain(spec.get("default"))
        declared = spec.get("type")
        if isinstance(declared, list):  # ["null", "string"]: the first real type
            declared = next((t for t in declared if t != "null"), None)
        type_ = PARAM_TYPES.get(declared or "", None) or _python_type(default)
        return ir.Param(name=name, default=default, type=type_, description=spec.get("description"), span=span)

    # ------------------------------------------------------------ tasks
    def task(self, record: dict, dag_span: ir.SourceSpan) -> ir.Task:
        task_id = record["task_id"]
        function = record.get("python_callable")
        hints = {record["class"]["qualname"].rsplit(".", 1)[-1], task_id.rsplit(".", 1)[-1]}
        if isinstance(function, dict):
            hints.add(function.get("name") or (function.get("func") or {}).get("name"))
        span, source = _task_span(self.path, record.get("where"), dag_span, hints)
        operator, module = _operator(record)
        decorated = operator.startswith("@")
        kwargs = dict(record["kwargs"])
        call_args: Tuple[ir.Value, ...] = ()
        call_kwargs: Dict[str, ir.Value] = {}
        if decorated:
            call_args = tuple(_decode(v) for v in _items(kwargs.get("op_args")))
            call_kwargs = _decode_pairs(kwargs.get("op_kwargs"))
            for name in DECORATED_INTERNAL:
                kwargs.pop(name, None)
        if function is not None and function.get("$") == "partial":
            # functools.partial(f, x=1): the bound arguments become op_kwargs, as Airflow passes them
            bound = _decode_pairs({"$": "dict", "items": [[k, v] for k, v in function["kwargs"].items()]})
            if decorated:
                call_kwargs = {**bound, **call_kwargs}
            else:
                merged = {**bound, **_decode_pairs(kwargs.get("op_kwargs"))}
                kwargs["op_kwargs"] = _encode_back(merged)
            function = function["func"]
        callable_ = self.callable(function, span, task_id) if function else None
        mapping = None
        if record.get("mapping"):
            mapping = self.mapping(record["mapping"])
        if record.get("is_teardown") and kwargs.get("trigger_rule") == "all_done_setup_success":
            kwargs.pop("trigger_rule")  # what @teardown itself passes: Airflow's, not the DAG file's
        args = {name: _decode(value) for name, value in kwargs.items()}
        doc = record.get("doc") or next((a.value for k, a in args.items() if k in DOC_ARGS and isinstance(a, ir.Literal)
                                         and isinstance(a.value, str)), None)
        if doc is None and callable_ is not None:
            doc = callable_.doc
        return ir.Task(
            task_id=task_id,
            operator=operator,
            module=module,
            args=args,
            span=span,
            source=source,
            callable=callable_,
            call_args=call_args,
            call_kwargs=call_kwargs,
            group=tuple(record.get("group") or ()),
            retry=ir.Retry(retries=record.get("retries") or 0, delay_seconds=record.get("retry_delay"),
                           exponential_backoff=bool(record.get("retry_exponential_backoff")),
                           max_delay_seconds=record.get("max_retry_delay")),
            timeout_seconds=record.get("execution_timeout"),
            trigger_rule=record.get("trigger_rule") or "all_success",
            doc=doc,
            mapping=mapping,
            multiple_outputs=bool(record.get("multiple_outputs")),
            is_setup=bool(record.get("is_setup")),
            is_teardown=bool(record.get("is_teardown")),
            callbacks=self.callbacks(record.get("callbacks") or {}, span, task_id),
        )

    def mapping(self, record: dict) -> ir.Mapping_:
        source = record.get("kwargs_source")
        return ir.Mapping_(over={k: _decode(v) for k, v in (record.get("over") or {}).items()},
                           kwargs_source=_decode(source) if source is not None else None)

    def callbacks(self, record: dict, span: ir.SourceSpan, task_id: Optional[str] = None) -> Dict[str, tuple]:
        out = {}
        for name, functions in record.items():
            lifted = [self.callable(f, span, task_id) for f in functions if isinstance(f, dict)]
            out[name] = tuple(c for c in lifted if c is not None)
        return out

    # ------------------------------------------------------------ callables
    def callable(self, function: dict, span: ir.SourceSpan, task_id: Optional[str]) -> Optional[ir.CallableSource]:
        if function.get("$") == "partial":
            function = function["func"]
        if function.get("$") != "func":
            what = (function.get("type") or "value").rsplit(".", 1)[-1]
            self.diag("KFM133", f"a {what} object stands where a function is expected; not carried over", span, task_id)
            return None
        lifted = lift_from_file(function, self.path)
        if lifted is not None:
            return lifted
        module, qualname = function.get("module"), function.get("qualname") or ""
        if not module or "<" in qualname or module.startswith("unusual_prefix_"):
            self.diag("KFM133", f"callable {qualname or function.get('name')} has no source kfmigrate can read "
                                f"({function.get('file') or 'no file'}); not carried over", span, task_id)
            return None
        self.diag("KFM133", f"callable {module}.{qualname} is carried by import path: the component imports it, "
                            f"so {module} must be importable in the component's image", span, task_id, "info")
        return _import_wrapper(function)


def _operator(record: dict) -> Tuple[str, str]:
    """(operator name, module) as the static parser names them. A class from the DAG file itself is
    LOCAL_MODULE; a project subclass that only fixes arguments of a class with a mapper (a company
    GKEPodOperator over KubernetesPodOperator) converts as that class: its execute() is the base's."""
    if record.get("custom_operator_name"):
        name = record["custom_operator_name"]
        if name == "@task" and (record.get("is_setup") or record.get("is_teardown")):
            name = "@setup" if record.get("is_setup") else "@teardown"  # as @setup/@teardown write it (same mapper)
        return name, "airflow.sdk.task"
    name, module = record["class"]["qualname"].rsplit(".", 1)[-1], record["class"]["module"]
    if find_mapper(name) is None:
        for base in record.get("mro") or ():
            base_name = base["qualname"].rsplit(".", 1)[-1]
            if base is not record["mro"][0] and find_mapper(base_name) is not None and _is_airflow(base["module"]):
                return base_name, base["module"]
            if base.get("execute"):
                break
    return name, (ir.LOCAL_MODULE if module.startswith("unusual_prefix_") else module)


def _is_airflow(module: str) -> bool:
    return module == "airflow" or module.startswith("airflow.")


# ------------------------------------------------------------------ callables from source files
@lru_cache(maxsize=256)
def _module_of(path: str):
    """(module, index, {line: FunctionDef}, [(line, Lambda)]) of a Python file, or None."""
    try:
        wrapper = MetadataWrapper(cst.parse_module(read_source(Path(path))))
    except Exception:  # noqa: BLE001 - not readable as source: callers fall back to the import path
        return None
    positions = wrapper.resolve(PositionProvider)
    functions: Dict[int, Any] = {}
    lambdas: List[Tuple[int, Any]] = []
    for node, where in positions.items():
        if isinstance(node, cst.FunctionDef):
            functions.setdefault(where.start.line, node)
            if node.decorators:  # a decorated function's co_firstlineno is its first decorator's line
                functions.setdefault(positions[node.decorators[0]].start.line, node)
        elif isinstance(node, cst.Lambda):
            lambdas.append((where.start.line, node))
    module = wrapper.module
    return module, ModuleIndex(module), functions, sorted(lambdas, key=lambda item: item[0]), positions


def lift_from_file(function: dict, dag_file: str) -> Optional[ir.CallableSource]:
    path, line = function.get("file"), function.get("line")
    if not path or not line or not Path(path).is_file():
        return None
    shown = shown_path(path, dag_file)
    if shown != dag_file and _installed(path):  # an installed library's function: imported, not copied
        return None
    found = _module_of(path)
    if found is None:
        return None
    module, index, functions, lambdas, positions = found
    enclosing = {name: f"{name} = {_python_source(value)}" for name, value in (function.get("closure") or {}).items()}
    if function.get("name") == "<lambda>":
        node = next((n for start, n in lambdas if start == line), None)
        if node is None:
            return None
        where = positions[node].start
        return lift_lambda(node, module, index, ir.SourceSpan(shown, where.line, where.column + 1), enclosing)
    node = functions.get(line)
    if node is None or node.name.value != function.get("name"):
        return None
    where = positions[node].start
    return lift_callable(node, module, index, ir.SourceSpan(shown, where.line, where.column + 1), enclosing)


def _installed(path: str) -> bool:
    import sysconfig

    folders = {sysconfig.get_paths()[k] for k in ("purelib", "platlib", "stdlib")}
    return "site-packages" in Path(path).parts or "dist-packages" in Path(path).parts or any(path.startswith(f) for f in folders)


def _import_wrapper(function: dict) -> ir.CallableSource:
    params = list(function.get("params") or [])
    var_keyword = function.get("var_keyword")
    signature = ", ".join(params + ([f"**{var_keyword}"] if var_keyword else []))
    call = ", ".join([f"{p}={p}" for p in params] + ([f"**{var_keyword}"] if var_keyword else []))
    head, _, rest = function["qualname"].partition(".")
    target = f"_imported.{rest}" if rest else "_imported"
    source = (f"def {function['name']}({signature}):\n"
              f"    from {function['module']} import {head} as _imported\n"
              f"    return {target}({call})\n")
    return ir.CallableSource(name=function["name"], source=source, params=tuple(params), var_keyword=var_keyword)


# ------------------------------------------------------------------ values
def _items(encoded) -> list:
    if isinstance(encoded, dict) and encoded.get("$") == "tuple":
        return encoded["items"]
    return encoded if isinstance(encoded, list) else []


def _decode_pairs(encoded) -> Dict[str, ir.Value]:
    if not isinstance(encoded, dict) or encoded.get("$") != "dict":
        return {}
    return {str(k): _decode(v) for k, v in encoded["items"]}


def _encode_back(values: Dict[str, ir.Value]) -> dict:
    """Decoded IR values for op_kwargs, wrapped so _decode gives them back unchanged."""
    return {"$": "ir", "value": ir.Composite("dict", tuple((ir.Literal(k), v) for k, v in values.items()))}


def _decode(encoded) -> ir.Value:
    """A tagged JSON value -> an IR value (as kfmigrate.migrate.parse.values.to_value would make it)."""
    if isinstance(encoded, str):
        return ir.Template(encoded) if ("{{" in encoded or "{%" in encoded) else ir.Literal(encoded)
    if encoded is None or isinstance(encoded, (bool, int, float)):
        return ir.Literal(encoded)
    if isinstance(encoded, list):
        return _sequence([_decode(v) for v in encoded], "list")
    tag = encoded.get("$")
    if tag == "ir":
        value = encoded["value"]
        if all(isinstance(k, ir.Literal) and isinstance(v, ir.Literal) for k, v in value.items):
            return ir.Literal({k.value: v.value for k, v in value.items})
        return value
    if tag == "tuple":
        return _sequence([_decode(v) for v in encoded["items"]], "tuple")
    if tag == "dict":
        pairs = tuple((_decode(k), _decode(v)) for k, v in encoded["items"])
        if all(isinstance(k, ir.Literal) and isinstance(v, ir.Literal) for k, v in pairs):
            return ir.Literal({k.value: v.value for k, v in pairs})
        return ir.Composite("dict", pairs)
    if tag == "td":
        return ir.Literal(encoded["seconds"])
    if tag == "dt":
        return ir.Literal(encoded["iso"])
    if tag == "xcom":
        return ir.TaskOutput(encoded["task_id"], encoded.get("key") or "return_value")
    if tag == "zip":
        return ir.Composite("zip", tuple(_decode(v) for v in encoded["items"]))
    if tag == "grouparg":
        return ir.GroupArg(encoded["group_id"], encoded["name"])
    if tag == "param":
        return ir.ParamRef(encoded["name"])
    if tag == "func":
        return ir.Dynamic(encoded.get("qualname") or encoded.get("name") or "?", "function")
    if tag == "partial":
        return ir.Dynamic(f"functools.partial({encoded['func'].get('qualname')}, ...)", "function")
    if tag == "call":
        return ir.Dynamic(_python_source(encoded), f"call to {encoded['name']}")
    return ir.Dynamic(encoded.get("text", "?"), "not a literal")


def _sequence(items: list, kind: str) -> ir.Value:
    if all(isinstance(i, ir.Literal) for i in items):
        return ir.Literal([i.value for i in items])
    return ir.Composite(kind, tuple(items))


def _python_source(encoded) -> str:
    """A tagged value as Python source text (for k8s.V1EnvVar(...) calls and closure constants)."""
    if isinstance(encoded, list):
        return "[" + ", ".join(_python_source(v) for v in encoded) + "]"
    if not isinstance(encoded, dict):
        return repr(encoded)
    tag = encoded.get("$")
    if tag == "call":
        return f"{encoded['name']}(" + ", ".join(f"{k}={_python_source(v)}" for k, v in encoded["kwargs"].items()) + ")"
    if tag == "tuple":
        inner = ", ".join(_python_source(v) for v in encoded["items"])
        return f"({inner},)" if len(encoded["items"]) == 1 else f"({inner})"
    if tag == "dict":
        return "{" + ", ".join(f"{_python_source(k)}: {_python_source(v)}" for k, v in encoded["items"]) + "}"
    if tag == "td":
        return f"datetime.timedelta(seconds={encoded['seconds']!r})"
    if tag == "dt":
        return repr(encoded["iso"])
    return encoded.get("text") or encoded.get("qualname") or "None"


def _plain(encoded) -> Any:
    """A tagged value as plain JSON-able Python (for param defaults)."""
    if isinstance(encoded, list):
        return [_plain(v) for v in encoded]
    if not isinstance(encoded, dict):
        return encoded
    tag = encoded.get("$")
    if tag == "tuple":
        return [_plain(v) for v in encoded["items"]]
    if tag == "dict":
        return {_plain(k) if isinstance(_plain(k), (str, int, float, bool)) else str(k): _plain(v) for k, v in encoded["items"]}
    if tag == "td":
        return encoded["seconds"]
    if tag == "dt":
        return encoded["iso"]
    return None


def _python_type(value: Any) -> str:
    for kind, name in ((bool, "bool"), (int, "int"), (float, "float"), (list, "list"), (dict, "dict")):
        if isinstance(value, kind):
            return name
    return "str"


def _task_outputs(task: ir.Task) -> set:
    """Task ids whose outputs a task reads (so the edge is a data edge)."""
    found = set()

    def walk(value) -> None:
        if isinstance(value, ir.TaskOutput):
            found.add(value.task_id)
        elif isinstance(value, ir.Composite):
            for item in value.items:
                for part in (item if value.kind == "dict" else (item,)):
                    walk(part)

    for value in list(task.args.values()) + list(task.call_args) + list(task.call_kwargs.values()):
        walk(value)
    if task.mapping is not None:
        for value in list(task.mapping.over.values()) + [task.mapping.kwargs_source]:
            walk(value)
    return found


# ------------------------------------------------------------------ schedule
def _schedule(record: dict, catchup: bool, start: Optional[str], end: Optional[str]) -> ir.Schedule:
    common = dict(catchup=catchup, start_date=start, end_date=end)
    kind = record.get("kind")
    if kind == "none":
        return ir.Schedule("none", None, **common)
    if kind == "text":
        value = record["value"]
        return ir.Schedule("preset" if value in PRESET_NAMES else "cron", value, source=repr(value), **common)
    if kind == "timedelta":
        return ir.Schedule("timedelta", record["value"], source=f"timedelta(seconds={record['value']:g})", **common)
    text, type_name = record.get("source") or "", record.get("type") or ""
    if record.get("cron") and "Cron" in type_name:
        return ir.Schedule("cron", record["cron"], source=text, **common)
    written = f"{type_name} {text}"
    what = "asset" if any(w in written for w in ("Asset", "Dataset")) else ("timetable" if "imetable" in written else "dynamic")
    return ir.Schedule(what, text, source=text, **common)


# ------------------------------------------------------------------ source positions
@lru_cache(maxsize=256)
def _file_text(path: str) -> Tuple[str, Optional[ast.Module]]:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        return text, ast.parse(text)
    except (OSError, SyntaxError, ValueError):
        return "", None


def _in_file_order(path: str, words) -> Tuple[str, ...]:
    """Airflow keeps tags in a set: put them back in the order the file writes them."""
    text, _tree = _file_text(path)
    at = {w: min((i for i in (text.find(f'"{w}"'), text.find(f"'{w}'")) if i >= 0), default=len(text)) for w in words}
    return tuple(sorted(words, key=lambda w: (at[w], w)))


def _dag_line(path: str, dag_id: str) -> int:
    """Airflow keeps no line for a DAG: the line naming its id, else of the function called like it."""
    text, tree = _file_text(path)
    for quote in ('"', "'"):
        at = text.find(f"{quote}{dag_id}{quote}")
        if at >= 0:
            return text.count("\n", 0, at) + 1
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == dag_id:
                return node.lineno
    return 1


def shown_path(file: str, given: str) -> str:
    """A file as the user named it: the DAG file's own spelling, else relative to the working folder."""
    import os

    try:
        if os.path.samefile(file, given):
            return given
    except OSError:
        pass
    relative = os.path.relpath(file)
    return file if relative.startswith("..") else relative


def _task_span(path: str, where: Optional[dict], dag_span: ir.SourceSpan, hints=frozenset()) -> Tuple[ir.SourceSpan, str]:
    """Where the task was created and the statement there, for reports and placeholders.

    The child records the line of the DAG file in the stack that added the task to its DAG (a
    subclass's __init__ skipped); the span is the outermost call of the innermost simple statement
    on that line, which is the operator or TaskFlow call in the usual `t = Op(...)` / `f()` forms;
    with several calls there (`pick() >> [left(), right()]`), the one calling the class, the callable
    or the task id by name.
    """
    if not where:
        return dag_span, ""
    file, line = where["file"], where["line"]
    text, tree = _file_text(file)
    shown = shown_path(file, path)
    statement = None
    if tree is not None:
        for node in ast.walk(tree):
            if isinstance(node, ast.stmt) and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef,
                                                                     ast.With, ast.For, ast.If, ast.Try, ast.While)):
                if node.lineno <= line <= (node.end_lineno or node.lineno):
                    if statement is None or node.lineno >= statement.lineno:
                        statement = node
    if statement is None:
        return ir.SourceSpan(shown, line, 1), ""
    target = statement
    calls = [n for n in ast.walk(statement) if isinstance(n, ast.Call) and n.lineno <= line <= (n.end_lineno or n.lineno)]
    if calls:
        named = [c for c in calls if _called_name(c) in hints]
        target = (named or calls)[0]  # ast.walk is breadth-first: the outermost call first
    lines = text.splitlines()
    return ir.SourceSpan(shown, target.lineno, _column(lines, target.lineno, target.col_offset),
                         target.end_lineno or 0, _column(lines, target.end_lineno or target.lineno, target.end_col_offset or 0)), \
        ast.get_source_segment(text, statement) or ""


def _called_name(call: ast.Call) -> Optional[str]:
    func = call.func
    if isinstance(func, ast.Call):  # f.override(task_id=...)()
        func = func.func
    if isinstance(func, ast.Attribute) and func.attr in ("override", "partial", "expand", "expand_kwargs"):
        func = func.value
        if isinstance(func, ast.Call):
            func = func.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _column(lines: List[str], line: int, byte_offset: int) -> int:
    """ast counts UTF-8 bytes; editors count characters (1-based)."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1
