"""Turn what the user names (a DAG, a pipeline .py, a compiled package) into a file kfp.Client uploads.

- an Airflow DAG file: converted with kfmigrate.migrate.api (static, never imported), compiled to YAML;
- a KFP pipeline .py: compiled with kfmigrate.migrate.package (that module IS meant to be executed);
- .yaml/.yml/.zip/.tar.gz/.tgz: used as is; .json (PipelineSpec as JSON) is re-written as YAML.
The temporary files live in a folder the caller removes (PreparedPackage.cleanup).
"""
from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from kfmigrate.kubeflow_ops.errors import KubeflowError, RefusedError
from kfmigrate.migrate.contracts import FIDELITY_LEVELS, PLACEHOLDER_MARK
from kfmigrate.migrate.params import coerce_value
from kfmigrate.migrate.report import MigrationReport, ReportError, read_report

ARCHIVES = (".zip", ".tar.gz", ".tgz")
# a task diagnosed with one of these imports a module its component will not have: it fails when run
UNRESOLVED_CODES = ("KFM214",)


@dataclass
class Fidelity:
    """What the tasks of a package are, from its migration report (or, without one, its YAML)."""
    counts: Dict[str, int]  # tasks and, when known, native/shim/placeholder/removed
    blocking: List[str]  # "task: why" for each task known to fail when run
    source: str  # where this was read: the conversion, a report file, or the package itself

    def line(self) -> str:
        """`4 tasks: 2 native, 1 shim, 1 placeholder` (removed only when there are some)."""
        levels = [level for level in FIDELITY_LEVELS if level in self.counts and (level != "removed" or self.counts[level])]
        tasks = self.counts["tasks"]
        return f"{tasks} task{'' if tasks == 1 else 's'}: " + ", ".join(f"{self.counts[level]} {level}" for level in levels)


def fidelity_of_report(report: MigrationReport, source: str) -> Fidelity:
    counts = {"tasks": len(report.tasks), **{level: 0 for level in FIDELITY_LEVELS}}
    blocking = []
    for task in report.tasks:
        level = task.fidelity
        if level in counts:
            counts[level] += 1
        where = f"line {task.line}" if task.line else ""
        if level == "placeholder":
            blocking.append(f"{task.task_id}: placeholder ({task.operator or '?'}, {where}): fails when run")
        for diagnostic in task.diagnostics:
            if diagnostic.code in UNRESOLVED_CODES and level != "placeholder":
                blocking.append(f"{task.task_id}: {level} ({where}): {diagnostic.code} {diagnostic.message}")
    return Fidelity(counts, blocking, source)


def refusal(prepared: "PreparedPackage") -> Optional[RefusedError]:
    """Why a package with tasks known to fail when run is refused (KFM502; --allow-placeholders overrides)."""
    fidelity = prepared.fidelity
    if fidelity is None or not fidelity.blocking:
        return None
    return RefusedError(f"{prepared.pipeline_name}: {len(fidelity.blocking)} task(s) would fail when run; "
                        "nothing was uploaded", code="KFM502",
                        hint="convert them first (see the migration report), or pass --allow-placeholders")


def fidelity_of_spec(spec: dict, source: str) -> Fidelity:
    """Without a report: each executor is a task; a placeholder is known by the error it raises."""
    executors = spec.get("deploymentSpec", {}).get("executors", {}) or {}
    blocking = []
    for label, executor in sorted(executors.items()):
        container = executor.get("container") or {}
        if any(PLACEHOLDER_MARK in part for part in list(container.get("command", [])) + list(container.get("args", []))):
            blocking.append(f"{label.removeprefix('exec-')}: placeholder: fails when run")
    return Fidelity({"tasks": len(executors), "placeholder": len(blocking)}, blocking, source)


def report_next_to(package: Path) -> Optional[Path]:
    """The migration report convert wrote next to a package, if it is there (kfmigrate.migrate.output.report_next_to)."""
    from kfmigrate.migrate.output import report_next_to as report_path

    found = report_path(package)
    return found if found.is_file() else None


def package_fidelity(path: Path, spec: dict) -> Fidelity:
    """From the migration report next to the package when it describes this pipeline, else the spec."""
    report_path = report_next_to(path)
    if report_path is not None:
        try:
            report = read_report(report_path)
        except (OSError, ReportError):
            report = None
        if report is not None and report.pipeline.name == spec["pipelineInfo"]["name"]:
            return fidelity_of_report(report, str(report_path))
    return fidelity_of_spec(spec, f"{path} (no migration report next to it: native/shim not known)")


@dataclass
class PreparedPackage:
    path: str  # what to upload
    pipeline_name: str  # pipelineInfo.name
    parameters: Dict[str, str] = field(default_factory=dict)  # name -> KFP parameter type
    workflow: Optional[object] = None  # the ir.Workflow when it came from a DAG
    notes: List[object] = field(default_factory=list)  # conversion diagnostics worth showing
    tmpdir: Optional[str] = None
    fidelity: Optional[Fidelity] = None
    spec: Optional[dict] = None  # the PipelineSpec (first YAML document)

    def cleanup(self) -> None:
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)


def is_airflow_dag(path: Path) -> bool:
    """A .py that imports Airflow is a DAG to convert; one that imports kfp is a pipeline."""
    if path.suffix != ".py":
        return False
    text = path.read_text(encoding="utf-8", errors="replace")
    return ("import airflow" in text or "from airflow" in text) and "from kfp" not in text


def _spec_of(yaml_text: str) -> dict:
    docs = [d for d in yaml.safe_load_all(yaml_text) if d]
    if not docs or "pipelineInfo" not in docs[0]:
        raise KubeflowError("not a compiled KFP pipeline (no pipelineInfo)")
    return docs[0]


def _archive_spec(path: Path) -> dict:
    name = path.name
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if m.endswith((".yaml", ".yml"))]
            if not members:
                raise KubeflowError(f"{path}: the archive holds no pipeline .yaml")
            return _spec_of(archive.read(members[0]).decode())
    with tarfile.open(path, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.isfile() and m.name.endswith((".yaml", ".yml"))]
        if not members:
            raise KubeflowError(f"{path}: the archive holds no pipeline .yaml")
        return _spec_of(archive.extractfile(members[0]).read().decode())


def parameter_types(spec: dict) -> Dict[str, str]:
    """Pipeline parameter name -> KFP parameter type (STRING, NUMBER_INTEGER, ...)."""
    declared = spec.get("root", {}).get("inputDefinitions", {}).get("parameters", {}) or {}
    return {name: d.get("parameterType", "STRING") for name, d in sorted(declared.items())}


def prepare(path: Path, dag_id: Optional[str] = None) -> PreparedPackage:
    path = Path(path)
    if not path.exists():
        raise KubeflowError(f"{path}: no such file")
    tmpdir = tempfile.mkdtemp(prefix="kfmigrate-")
    try:
        if is_airflow_dag(path):
            return _from_dag(path, tmpdir, dag_id)
        if path.suffix == ".py":
            from kfmigrate.migrate.package import PackageError, compile_python

            try:
                text = compile_python(path)
            except PackageError as exc:
                raise KubeflowError(str(exc)) from None
            prepared = _write_yaml(text, path.stem, tmpdir)
        elif path.suffix == ".json":
            prepared = _write_yaml(yaml.safe_dump(json.loads(path.read_text()), sort_keys=False), path.stem, tmpdir)
        elif path.suffix in (".yaml", ".yml") or path.name.endswith(ARCHIVES):
            spec = _spec_of(path.read_text()) if path.suffix in (".yaml", ".yml") else _archive_spec(path)
            shutil.rmtree(tmpdir)
            prepared = PreparedPackage(str(path), spec["pipelineInfo"]["name"], parameter_types(spec), spec=spec)
        else:
            raise KubeflowError(f"{path}: expected an Airflow DAG .py, a pipeline .py, .yaml, .json, .zip or .tar.gz")
        prepared.fidelity = package_fidelity(path, prepared.spec)
        return prepared
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise


def _write_yaml(text: str, stem: str, tmpdir: str, **extra) -> PreparedPackage:
    spec = _spec_of(text)
    out = Path(tmpdir) / f"{stem}.yaml"
    out.write_text(text)
    return PreparedPackage(str(out), spec["pipelineInfo"]["name"], parameter_types(spec), tmpdir=tmpdir, spec=spec, **extra)


def _from_dag(path: Path, tmpdir: str, dag_id: Optional[str]) -> PreparedPackage:
    from kfmigrate.migrate.api import convert_file
    from kfmigrate.migrate.diagnostics import ERROR

    result = convert_file(path)
    if result.error is not None:
        raise KubeflowError(f"cannot convert {path}: {result.error.render()}")
    conversions = result.conversions
    if not conversions:
        raise KubeflowError(f"{path}: no Airflow DAG found")
    if dag_id:
        conversions = [c for c in conversions if c.dag_id == dag_id]
        if not conversions:
            raise KubeflowError(f"{path}: no DAG '{dag_id}' (found {', '.join(c.dag_id for c in result.conversions)})")
    elif len(conversions) > 1:
        raise KubeflowError(f"{path} defines several DAGs ({', '.join(c.dag_id for c in conversions)}); pick one "
                            "with --dag-id")
    conversion = conversions[0]
    if conversion.yaml_text is None:
        problems = "; ".join(d.render() for d in conversion.diagnostics if d.severity == ERROR) or "compile failed"
        raise KubeflowError(f"{path}: the converted pipeline did not compile: {problems}")
    notes = [d for d in list(result.diagnostics) + list(conversion.diagnostics) if d.severity != "info"]
    return _write_yaml(conversion.yaml_text, conversion.dag_id, tmpdir, workflow=conversion.workflow, notes=notes,
                       fidelity=fidelity_of_report(conversion.report, f"the conversion of {path}"))


class ParamError(KubeflowError):
    """A --param the pipeline does not take, or a value not of its type: bad input (exit 2)."""


def parse_params(pairs) -> dict:
    """--param k=v -> {k: "v"}: the text is typed by check_params, from the pipeline's parameter types."""
    params = {}
    for pair in pairs or ():
        if "=" not in pair:
            raise ParamError(f"--param {pair!r} must look like name=value")
        key, value = pair.split("=", 1)
        params[key.strip()] = value
    return params


def check_params(params: dict, known) -> dict:
    """Refuse unknown names; return the values typed as `kfmigrate run` types them.

    known: the pipeline's parameters, {name: KFP parameter type} (or only the names when the server
    did not say, or None when it said nothing: then values are read as JSON when they parse, else text).
    A JSON string (`s='"3"'`) gives a STRING parameter its text without the quotes.
    """
    unknown = sorted(set(params) - set(known)) if known is not None else []
    if unknown:
        raise ParamError(f"unknown pipeline parameter(s) {', '.join(unknown)}; the pipeline takes "
                         f"{', '.join(sorted(known)) or 'no parameters'}")
    types = known if isinstance(known, dict) else {}
    typed = {}
    for name, text in params.items():
        kind = types.get(name)
        if kind is None or kind == "STRING":
            typed[name] = _json_or_text(text, keep_text=kind == "STRING")
            continue
        try:
            typed[name] = coerce_value(name, kind, text)
        except ValueError as exc:
            raise ParamError(str(exc)) from None
    return typed


def _json_or_text(text: str, keep_text: bool):
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if keep_text and not isinstance(value, str):
        return text  # `s=3` for a STRING parameter is the text "3"
    return value
