"""Airflow DAG file -> IR, statically. The file is read and parsed with libcst; it is never imported.

`parse_file(path)` / `parse_source(text, path)` return a ParseResult: the DAGs found (ir.Workflow) and
the diagnostics. A file that cannot be read or parsed raises ConversionError with a KFM1xx diagnostic.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import libcst as cst

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import ERROR, INFO, Diagnostic, ConversionError
from kfmigrate.migrate.parse.builds import DOC_ARGS, PARAM_TYPES, DagBuild, TaskBuild
from kfmigrate.migrate.parse.interpreter import Interpreter
from kfmigrate.migrate.parse.project import ProjectOptions, project_for
from kfmigrate.migrate.parse.symbols import DateTime, Duration, Imported, Opaque, ParamSpec
from kfmigrate.migrate.parse.values import to_value
from kfmigrate.migrate.schedule import PRESET_NAMES

MAX_FILE_BYTES = 5 * 1024 * 1024  # larger "DAG files" are generated data, not DAGs
# Deepest syntax tree we analyse. All of Airflow's own source stays under 70 levels; far deeper trees
# would exhaust the recursion of libcst and of the interpreter (measured: ~150 levels of dicts).
MAX_NESTING = 100


@dataclass
class ParseResult:
    path: str
    workflows: List[ir.Workflow] = field(default_factory=list)
    diagnostics: List[Diagnostic] = field(default_factory=list)


def read_source(path: Path) -> str:
    """Read a DAG file as text, or raise ConversionError (KFM100/101/104/105)."""
    import os
    import stat

    shown = str(path)

    def fail(code: str, message: str, line: int = 1, col: int = 1) -> ConversionError:
        return ConversionError(Diagnostic(code, message, ERROR, ir.SourceSpan(shown, line, col)))

    try:
        info = os.stat(path)
        # only regular files: opening a FIFO would block forever, a device could be endless
        if stat.S_ISDIR(info.st_mode):
            raise fail("KFM100", "cannot read file: it is a folder")
        if not stat.S_ISREG(info.st_mode):
            raise fail("KFM100", "cannot read file: not a regular file (a FIFO, socket or device)")
        if info.st_size > MAX_FILE_BYTES:
            raise fail("KFM105", f"file is {info.st_size // 1024} KiB, over the {MAX_FILE_BYTES // 1024} KiB limit for a DAG file")
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat()
    except OSError as exc:
        raise fail("KFM100", f"cannot read file: {exc.strerror or exc}")
    if len(data) > MAX_FILE_BYTES:
        raise fail("KFM105", f"file is over the {MAX_FILE_BYTES // 1024} KiB limit for a DAG file")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise fail("KFM101", "file is binary (it contains NUL bytes), not Python source", line)
    encoding = "utf-8-sig"
    try:  # a PEP 263 coding cookie (`# -*- coding: latin-1 -*-`) names the encoding, as for Python
        import io
        import tokenize

        declared, _lines = tokenize.detect_encoding(io.BytesIO(data).readline)
        if declared not in ("utf-8", "utf-8-sig"):
            encoding = declared
    except SyntaxError as exc:
        if "unknown encoding" in str(exc) or "encoding problem" in str(exc):  # a bad cookie, or one contradicting a BOM
            raise fail("KFM101", f"cannot read file: {exc.msg if hasattr(exc, 'msg') else exc}", exc.lineno or 1)
        # otherwise the first lines are not UTF-8 and declare nothing: the UTF-8 decode says where
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        if encoding == "utf-8-sig":
            raise fail("KFM101", f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8", line, col)
        raise fail("KFM101", f"file is not valid {encoding} as its coding declaration says (byte 0x{data[exc.start]:02x})", line, col)
    return text


def parse_file(path: Path | str, project: Optional[ProjectOptions] = None) -> ParseResult:
    """project: the --path folders and --env values; the project itself (module roots, repository
    root) is found from the file's location (migrate/parse/project.py)."""
    path = Path(path)
    return parse_source(read_source(path), str(path), project)


def parse_source(text: str, path: str = "<string>", project: Optional[ProjectOptions] = None) -> ParseResult:
    if not text.strip():  # an empty __init__.py is part of every package: no DAG, not a failure
        result = ParseResult(path)
        result.diagnostics.append(Diagnostic("KFM104", "file is empty", INFO, ir.SourceSpan(path, 1, 1)))
        return result
    _check_with_cpython(text, path)
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise ConversionError(_syntax_error(text, path, exc))
    except RecursionError:
        raise ConversionError(Diagnostic("KFM105", "expressions are nested too deeply to parse", ERROR, ir.SourceSpan(path, 1, 1)))
    interp = Interpreter(module, path, text, project_for(path, project) if path != "<string>" or project else None)
    try:
        interp.run()
    except RecursionError:
        raise ConversionError(Diagnostic("KFM105", "expressions are nested too deeply to analyse", ERROR, ir.SourceSpan(path, 1, 1)))
    result = ParseResult(path)
    seen: Dict[str, int] = {}
    for dag in interp.dags:
        if dag.dag_id in seen:
            result.diagnostics.append(Diagnostic("KFM115", f"DAG id {dag.dag_id!r} defined twice in this file; the later one is kept", "warning", interp.span(dag.node)))
            result.workflows.pop(seen[dag.dag_id])
            seen = {w.dag_id: i for i, w in enumerate(result.workflows)}
        workflow = build_workflow(dag, interp)
        seen[dag.dag_id] = len(result.workflows)
        result.workflows.append(workflow)
    if not interp.dags:  # never a silent "no DAG": what could not be followed is said
        for node, code, message in interp.unfollowed:
            interp.diag(code, message, node)
    result.diagnostics = list(interp.diagnostics) + result.diagnostics
    return result


def _check_with_cpython(text: str, path: str) -> None:
    """Let CPython's parser (C, fast, compiles nothing) vet the text before libcst sees it.

    It gives the exact syntax error Python would give, and it refuses absurd nesting (100k
    parentheses, a+a+...+a) quickly, where libcst's native parser can overflow its stack and crash
    the process. Then a depth check keeps libcst and the interpreter inside their recursion limits.
    """
    import ast

    span = lambda line=1, col=1: ir.SourceSpan(path, line or 1, col or 1)  # noqa: E731
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as err:
        message = err.msg or "invalid syntax"
        if "null bytes" in message:
            raise ConversionError(Diagnostic("KFM101", "file is binary (it contains NUL bytes), not Python source", ERROR, span()))
        if "too many nested" in message or "too many levels" in message:
            raise ConversionError(Diagnostic("KFM105", f"nested too deeply: {message}", ERROR, span(err.lineno, err.offset)))
        raise ConversionError(Diagnostic("KFM102", f"syntax error: {message}", ERROR, span(err.lineno, err.offset)))
    except ValueError as err:  # NUL bytes on older Pythons
        raise ConversionError(Diagnostic("KFM101", f"not Python source: {err}", ERROR, span()))
    except (RecursionError, MemoryError):
        raise ConversionError(Diagnostic("KFM105", "expressions are nested too deeply for Python's own parser", ERROR, span()))
    deepest, node = _deepest(tree)
    if deepest > MAX_NESTING:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        source_line = text.splitlines()[line - 1] if line - 1 < len(text.splitlines()) else ""
        col = len(source_line.encode("utf-8")[:col].decode("utf-8", "replace")) + 1  # ast counts bytes
        raise ConversionError(Diagnostic(
            "KFM105", f"syntax tree is {deepest} levels deep here, over the limit of {MAX_NESTING} for a DAG file",
            ERROR, span(line, col)))


def _deepest(tree) -> tuple:
    """(depth, nearest node with a position) of the deepest node, walked level by level without recursion
    (ast.iter_child_nodes inlined: this walk sees every node of every file)."""
    import ast

    AST = ast.AST
    level = [(tree, tree)]
    depth = 0
    while True:
        below = []
        for node, positioned in level:
            if hasattr(node, "lineno"):
                positioned = node
            for name in node._fields:
                child = getattr(node, name, None)
                if isinstance(child, AST):
                    below.append((child, positioned))
                elif isinstance(child, list):
                    below += [(item, positioned) for item in child if isinstance(item, AST)]
        depth += 1
        if not below:
            node, positioned = level[0]
            return depth, node if hasattr(node, "lineno") else positioned
        level = below


def _syntax_error(text: str, path: str, exc: cst.ParserSyntaxError) -> Diagnostic:
    """Prefer CPython's own position and wording (compiling to an AST runs nothing)."""
    import ast

    try:
        ast.parse(text, filename=path)
    except SyntaxError as err:
        return Diagnostic("KFM102", f"syntax error: {err.msg}", ERROR, ir.SourceSpan(path, err.lineno or 1, err.offset or 1))
    except (ValueError, RecursionError, MemoryError):
        pass
    return Diagnostic("KFM102", f"syntax error: {exc.message}", ERROR, ir.SourceSpan(path, exc.raw_line, exc.raw_column + 1))


# ------------------------------------------------------------------ DagBuild -> ir.Workflow
def build_workflow(dag: DagBuild, interp: Interpreter) -> ir.Workflow:
    interp.dag_stack.append(dag)  # diagnostics raised while building belong to this DAG
    try:
        return _build_workflow(dag, interp)
    finally:
        interp.dag_stack.pop()


def _build_workflow(dag: DagBuild, interp: Interpreter) -> ir.Workflow:
    kwargs = dag.kwargs
    tasks = tuple(build_task(task, interp) for task in dag.tasks.values())
    known = {t.task_id for t in tasks}
    edges = tuple(e for e in dag.edges if e.upstream in known and e.downstream in known)
    description = kwargs.get("description")
    doc = next((kwargs[k] for k in ("doc_md",) if isinstance(kwargs.get(k), str)), None)
    tags = kwargs.get("tags")
    default_args = kwargs.get("default_args") if isinstance(kwargs.get("default_args"), dict) else {}
    tooltips = kwargs.get("__group_tooltips__", {})
    return ir.Workflow(
        dag_id=dag.dag_id,
        path=interp.path,
        span=interp.span(dag.node),
        tasks=tasks,
        edges=edges,
        params=build_params(kwargs.get("params"), interp, dag.node),
        schedule=build_schedule(kwargs, interp, dag.node, dag.kwarg_sources),
        description=description if isinstance(description, str) else None,
        doc=doc,
        tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, (list, tuple)) else (),
        default_args={str(k): to_value(v) for k, v in default_args.items()},
        groups=dict(tooltips),
        mapped_groups=dict(dag.mapped_groups),
        callbacks=lift_callbacks(kwargs, interp, dag.node),
        project_roots=tuple(str(root) for root in interp.project.roots) if interp.project is not None else (),
    )


def build_task(task: TaskBuild, interp: Interpreter) -> ir.Task:
    args = dict(task.args)
    retry = ir.Retry(
        retries=_int(args.get("retries"), 0),
        delay_seconds=_seconds(args.get("retry_delay")),
        exponential_backoff=args.get("retry_exponential_backoff") is True,
        max_delay_seconds=_seconds(args.get("max_retry_delay")),
    )
    trigger = args.get("trigger_rule", "all_success")
    if isinstance(trigger, Imported):
        trigger = trigger.name.lower()
    if not isinstance(trigger, str):
        interp.diag("KFM110", f"trigger rule cannot be resolved statically: {getattr(trigger, 'source', trigger)}", task.node, task_id=task.task_id)
        trigger = "all_success"
    doc = next((args[k] for k in DOC_ARGS if isinstance(args.get(k), str)), None)
    if doc is None and task.callable is not None:
        doc = task.callable.doc
    callbacks = lift_callbacks(args, interp, task.node)
    values = {str(k): to_value(v) for k, v in args.items() if not k.startswith("__") and k not in callbacks}
    # Dynamic argument values are kept as ir.Dynamic with their source: the operator's mapper knows
    # whether it can use them (a k8s.V1... call it reads) or not (KFM110 on the task).
    return ir.Task(
        task_id=task.task_id,
        operator=task.operator,
        module=task.module,
        args=values,
        span=interp.span(task.node),
        source=interp.code(task.node).strip(),
        callable=task.callable,
        call_args=tuple(to_value(v) for v in task.call_args),
        call_kwargs={k: to_value(v) for k, v in task.call_kwargs.items()},
        group=task.group,
        retry=retry,
        timeout_seconds=_seconds(args.get("execution_timeout")),
        trigger_rule=trigger,
        doc=doc,
        mapping=task.mapping,
        multiple_outputs=task.multiple_outputs,
        is_setup=task.is_setup,
        is_teardown=task.is_teardown,
        callbacks=callbacks,
        operator_file=task.operator_file,
        bound_args=tuple(to_value(v) for v in task.bound.args) if task.bound else (),
        bound_kwargs={k: to_value(v) for k, v in task.bound.kwargs.items()} if task.bound else {},
    )


CALLBACK_ARGS = ("on_failure_callback", "on_success_callback", "on_retry_callback", "on_execute_callback",
                 "on_skipped_callback", "sla_miss_callback")


def lift_callbacks(args: Dict[str, Any], interp: Interpreter, node) -> Dict[str, tuple]:
    """Callback arguments -> the callables' sources; callbacks we cannot find are reported."""
    lifted: Dict[str, tuple] = {}
    for name in CALLBACK_ARGS:
        if name not in args or args[name] is None:
            continue
        value = args[name]
        functions = value if isinstance(value, (list, tuple)) else [value]
        sources = []
        for function in functions:
            source = interp.lift(function, node) if not isinstance(function, Imported) else None
            if source is None:
                interp.diag("KFM208", f"{name} {getattr(function, 'qualname', '')} is not defined in this file and is not carried over", node)
            else:
                sources.append(source)
        lifted[name] = tuple(sources)
    return lifted


def build_params(params: Any, interp: Interpreter, node) -> tuple:
    if params is None:
        return ()
    if not isinstance(params, dict):
        interp.diag("KFM110", "DAG params cannot be resolved statically", node)
        return ()
    out = []
    for name, spec in params.items():
        if not isinstance(name, str):
            continue
        description = None
        if isinstance(spec, ParamSpec):
            default, declared, description = spec.default, spec.type, spec.description
        else:
            default, declared = spec, None
        if isinstance(default, (Opaque, Imported)):
            interp.diag("KFM110", f"default of param {name!r} cannot be resolved statically", node)
            default = None
        if isinstance(default, Duration):
            default = default.seconds
        if isinstance(default, DateTime):
            default = default.iso
        if isinstance(default, tuple):
            default = list(default)
        type_ = PARAM_TYPES.get(declared or "", None) or _python_type(default)
        out.append(ir.Param(name=name, default=default, type=type_, description=description, span=interp.span(node)))
    return tuple(out)


def build_schedule(kwargs: Dict[str, Any], interp: Interpreter, node, sources: Dict[str, str]) -> ir.Schedule:
    raw_key = "schedule" if "schedule" in kwargs else ("schedule_interval" if "schedule_interval" in kwargs else None)
    value = kwargs.get(raw_key) if raw_key else None
    written = sources.get(raw_key or "", "")
    catchup = kwargs.get("catchup") is True
    start = kwargs.get("start_date", (kwargs.get("default_args") or {}).get("start_date") if isinstance(kwargs.get("default_args"), dict) else None)
    end = kwargs.get("end_date")
    common = dict(catchup=catchup, start_date=start.iso if isinstance(start, DateTime) else None,
                  end_date=end.iso if isinstance(end, DateTime) else None)
    if raw_key == "schedule_interval":
        interp.diag("KFM210", "schedule_interval was removed in Airflow 3; read as schedule", node)
    if value is None:
        return ir.Schedule("none", None, **common)
    if isinstance(value, str):
        kind = "preset" if value in PRESET_NAMES else "cron"
        return ir.Schedule(kind, value, source=written or repr(value), **common)
    if isinstance(value, Duration):
        return ir.Schedule("timedelta", value.seconds, source=written or f"timedelta(seconds={value.seconds:g})", **common)
    if isinstance(value, Opaque):
        text = written or value.source
        if "CronTriggerTimetable" in text or "CronDataIntervalTimetable" in text:
            cron = _first_string(text)
            if cron:
                return ir.Schedule("cron", cron, source=text, **common)
        kind = "asset" if any(w in text for w in ("Asset", "Dataset")) else ("timetable" if "Timetable" in text or "timetable" in text else "dynamic")
        return ir.Schedule(kind, text, source=text, **common)
    if isinstance(value, (list, tuple)):
        return ir.Schedule("asset", written or repr(value), source=written or repr(value), **common)
    return ir.Schedule("dynamic", written or repr(value), source=written or repr(value), **common)


def _first_string(text: str) -> Optional[str]:
    import re

    match = re.search(r"""(['"])(.+?)\1""", text)
    return match.group(2) if match else None


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _seconds(value: Any) -> Optional[float]:
    if isinstance(value, Duration):
        return value.seconds
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _python_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    return "str"
