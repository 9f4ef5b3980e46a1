"""The converter's library face: DAG file -> parse -> IR -> emit -> (compile) -> report.

    from kfmigrate.migrate.api import convert_file
    result = convert_file(Path("dags/etl.py"))                            # XComs as KFP parameters
    result = convert_file(Path("dags/etl.py"), xcom_transport="artifact")  # XComs as JSON artifact files
    for conversion in result.conversions:
        conversion.emitted.python_source, conversion.yaml_text, conversion.report

Nothing here writes files; see kfmigrate.migrate.output for that.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import ERROR, ConversionError, Diagnostic

if TYPE_CHECKING:
    from kfmigrate.migrate.parse.project import ProjectOptions
    from kfmigrate.migrate.report import MigrationReport


@dataclass
class Conversion:
    workflow: ir.Workflow
    emitted: "object"  # kfmigrate.migrate.emit.EmitResult
    yaml_text: Optional[str]
    report: "MigrationReport"
    diagnostics: List[Diagnostic]

    @property
    def dag_id(self) -> str:
        return self.workflow.dag_id

    @property
    def not_native(self) -> List[str]:
        return self.report.not_native


@dataclass
class FileResult:
    path: Path
    conversions: List[Conversion] = field(default_factory=list)
    diagnostics: List[Diagnostic] = field(default_factory=list)  # file-level (parse) diagnostics
    error: Optional[Diagnostic] = None  # set when the file could not be read or parsed

    @property
    def has_dag(self) -> bool:
        return bool(self.conversions)


XCOM_TRANSPORTS = ("parameter", "artifact", "auto")  # see migrate/emit/artifacts.py and docs/convert.md


def convert_source(text: str, path: str = "<string>", compile: bool = True, xcom_transport: str = "parameter",
                   environment=None, project: "Optional[ProjectOptions]" = None) -> FileResult:
    """xcom_transport: "parameter" (XComs are KFP parameters, at most 128 KiB each), "artifact" (JSON
    files in KFP artifacts, any size) or "auto" (artifacts except int/float/bool values).
    environment: a kfmigrate.migrate.emit.environment.Environment (runtime mode, package index); None: the default
    (components import the kfmigrate-runtime package).
    project: --path folders and --env values (kfmigrate.migrate.parse.project.ProjectOptions)."""
    from kfmigrate.migrate.parse import parse_source

    _check_transport(xcom_transport)
    try:
        parsed = parse_source(text, path, project)
        return _convert_parsed(parsed, Path(path), compile, xcom_transport, environment)
    except ConversionError as err:
        return FileResult(Path(path), error=err.diagnostic)
    except Exception as exc:  # noqa: BLE001 - reported as KFM199, like convert_file
        return FileResult(Path(path), error=_internal_error(Path(path), exc))


def convert_file(path: Path, compile: bool = True, xcom_transport: str = "parameter", environment=None,
                 project: "Optional[ProjectOptions]" = None) -> FileResult:
    """xcom_transport, environment, project: as for convert_source."""
    from kfmigrate.migrate.parse import parse_file

    _check_transport(xcom_transport)
    path = Path(path)
    try:
        parsed = parse_file(path, project)
        return _convert_parsed(parsed, path, compile, xcom_transport, environment)
    except ConversionError as err:
        return FileResult(path, error=err.diagnostic)
    except Exception as exc:  # noqa: BLE001 - one file's bug must not stop a batch; it is reported
        return FileResult(path, error=_internal_error(path, exc))


def convert_parsed(parsed, compile: bool = True, xcom_transport: str = "parameter", environment=None) -> FileResult:
    """A ParseResult built by another front-end (kfmigrate.migrate.load) -> emitted (and compiled) pipelines."""
    _check_transport(xcom_transport)
    path = Path(parsed.path)
    try:
        return _convert_parsed(parsed, path, compile, xcom_transport, environment)
    except ConversionError as err:
        return FileResult(path, error=err.diagnostic)
    except Exception as exc:  # noqa: BLE001 - as in convert_file
        return FileResult(path, error=_internal_error(path, exc))


def _check_transport(xcom_transport: str) -> None:
    if xcom_transport not in XCOM_TRANSPORTS:
        raise ValueError(f"xcom_transport must be one of {', '.join(XCOM_TRANSPORTS)}, not {xcom_transport!r}")


def _internal_error(path: Path, exc: Exception) -> Diagnostic:
    import traceback

    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    return Diagnostic("KFM199", f"internal error: {type(exc).__name__}: {exc}{where} (please report it)", ERROR,
                      ir.SourceSpan(str(path), 1, 1))


def _convert_parsed(parsed, path: Path, compile: bool, xcom_transport: str = "parameter", environment=None) -> FileResult:
    from kfmigrate.migrate.emit import EmitError, compile_yaml
    from kfmigrate.migrate.emit.builder import build  # what kfmigrate.migrate.emit.emit runs, with the build options
    from kfmigrate.migrate.emit.environment import Environment
    from kfmigrate.migrate.report import build_report

    result = FileResult(path)
    per_dag = {}
    for diagnostic in parsed.diagnostics:
        # a diagnostic belongs to the DAG whose task it names, else to the file
        owner = diagnostic.dag_id if any(w.dag_id == diagnostic.dag_id for w in parsed.workflows) else None
        per_dag.setdefault(owner, []).append(diagnostic)
    result.diagnostics = per_dag.pop(None, [])
    for workflow in parsed.workflows:
        emitted = build(workflow, xcom_transport=xcom_transport, environment=environment or Environment())
        diagnostics = per_dag.get(workflow.dag_id, []) + list(emitted.all_diagnostics())
        yaml_text = None
        if compile:
            try:
                yaml_text = compile_yaml(emitted)
            except EmitError as err:
                diagnostics.append(err.diagnostic)
        report = build_report(workflow, emitted, diagnostics + result.diagnostics, compiled=yaml_text is not None, compile_requested=compile)
        result.conversions.append(Conversion(workflow, emitted, yaml_text, report, diagnostics))
    if not parsed.workflows and result.error is None:
        result.diagnostics.append(Diagnostic("KFM103", "no Airflow DAG found in this file", "info", ir.SourceSpan(str(path), 1, 1)))
    return result


def compile_failed(conversion: Conversion) -> bool:
    return any(d.code == "KFM300" and d.severity == ERROR for d in conversion.diagnostics)
