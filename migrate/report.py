"""The migration report: task by task and line by line, what is native, shimmed, or needs a person.

`build_report` gives a MigrationReport (written as <dag_id>.migration.json by kfmigrate.migrate.output, read back
with `MigrationReport.from_json`); `render_markdown` turns it into the human page (<dag_id>.migration.md).
compare, kubeflow_ops and the CLI read the typed report, never the JSON by string keys.

The JSON on disk is the dataclasses below, field by field in their order: a field added here is a key
added to every report (and REPORT_VERSION says when a key changes meaning or goes away).
"""
from __future__ import annotations

import dataclasses
import functools
import json
import re
import typing
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from kfmigrate.migrate import ir
from kfmigrate.migrate.contracts import CONNECTION_ENV_PREFIX, FIDELITY_LEVELS, RUNS_AS_AIRFLOW, VARIABLE_ENV_PREFIX
from kfmigrate.migrate.diagnostics import Diagnostic
from kfmigrate.migrate.version import version

REPORT_VERSION = 1


class ReportError(ValueError):
    """A migration report file that is not one (not JSON, not an object, a section of the wrong shape)."""


# ---------------------------------------------------------------- the report, as it is written
# kw_only: every record is built by name; defaults let a hand-trimmed or older report be read

@dataclass(kw_only=True)
class SourceRef:
    path: str = ""
    line: int = 0
    col: int = 0


@dataclass(kw_only=True)
class PipelineParameter:
    name: str
    type: str = "str"  # the KFP parameter type
    default: Any = None
    from_param: Optional[str] = None  # the DAG param it stands for; None for logical_date and run_id
    description: Optional[str] = None


@dataclass(kw_only=True)
class PipelineInfo:
    name: str = ""  # the KFP pipeline name (pipelineInfo.name)
    function: str = ""  # the @dsl.pipeline function's Python name
    parameters: List[PipelineParameter] = field(default_factory=list)
    compiled: bool = False
    compile_requested: bool = False


@dataclass(kw_only=True)
class AirflowSchedule:
    kind: str = "none"
    value: Any = None
    catchup: Optional[bool] = None
    start_date: Optional[str] = None
    end_date: Optional[str] = None
    source: Optional[str] = None


@dataclass(kw_only=True)
class KfpSchedule:
    cron: Optional[str] = None  # six fields, seconds first
    interval_second: Optional[int] = None
    no_catchup: bool = True
    start_time: Optional[str] = None
    end_time: Optional[str] = None
    describe: str = ""


@dataclass(kw_only=True)
class ScheduleSection:
    airflow: AirflowSchedule = field(default_factory=AirflowSchedule)
    kfp: Optional[KfpSchedule] = None  # None: no KFP recurring run expresses it (notes say why)
    notes: List[str] = field(default_factory=list)


@dataclass(kw_only=True)
class Usage:
    """Where a task reads a connection or variable."""
    task_id: Optional[str] = None
    via: str = ""
    line: int = 0
    col: int = 0


@dataclass(kw_only=True)
class ClusterObject:
    """A connection or Variable the tasks read, and the Secret / ConfigMap that provides it."""
    name: str
    env: str  # AIRFLOW_CONN_* / AIRFLOW_VAR_*
    kind: str  # Secret | ConfigMap
    object: str  # the Kubernetes object's name
    key: str
    tasks: List[str] = field(default_factory=list)
    used_by: List[Usage] = field(default_factory=list)
    manifest: Dict[str, Any] = field(default_factory=dict)
    kubectl: str = ""


@dataclass(kw_only=True)
class UnresolvedUse:
    """A connection or variable whose name is not known statically."""
    kind: str
    name: str
    task_id: Optional[str] = None
    via: str = ""
    line: int = 0
    col: int = 0


@dataclass(kw_only=True)
class ClusterNeeds:
    connections: List[ClusterObject] = field(default_factory=list)
    variables: List[ClusterObject] = field(default_factory=list)
    unresolved: List[UnresolvedUse] = field(default_factory=list)


@dataclass(kw_only=True)
class HumanInput:
    """How to answer a human-in-the-loop task (migrate/operators/hitl.py)."""
    task_id: str
    operator: str = ""
    request: str = ""
    find: str = ""
    options: List[Any] = field(default_factory=list)
    multiple: bool = False
    params: List[str] = field(default_factory=list)
    answer: str = ""


@dataclass(kw_only=True)
class Summary:
    tasks: int = 0
    native: int = 0
    shim: int = 0
    placeholder: int = 0
    removed: int = 0
    errors: int = 0
    warnings: int = 0
    ready: bool = False


@dataclass(kw_only=True)
class TaskEntry:
    """One Airflow task: where it is, what it became, and what differs."""
    task_id: str
    operator: str = ""
    operator_module: Optional[str] = None
    path: str = ""
    line: Optional[int] = None
    col: Optional[int] = None
    source_line: str = ""
    group: List[str] = field(default_factory=list)
    mapping: str = ""
    fidelity: str = ""  # one of contracts.FIDELITY_LEVELS
    tier: Optional[str] = None  # direct | runtime | container | None (no component)
    kfp_task: Optional[str] = None  # key in the compiled PipelineSpec; None when nothing runs on KFP
    component: Optional[str] = None  # the component's Python function name
    outputs: Dict[str, str] = field(default_factory=dict)  # XCom key -> KFP output name
    trigger_rule: str = "all_success"
    retries: int = 0
    mapped: bool = False
    upstream: List[str] = field(default_factory=list)
    differences: List[str] = field(default_factory=list)
    diagnostics: List[Diagnostic] = field(default_factory=list)


@dataclass(kw_only=True)
class EdgeEntry:
    upstream: str
    downstream: str
    kind: str = "explicit"


@dataclass(kw_only=True)
class MigrationReport:
    report_version: int = REPORT_VERSION
    kfmigrate_version: str = ""
    dag_id: str
    source: SourceRef = field(default_factory=SourceRef)
    pipeline: PipelineInfo = field(default_factory=PipelineInfo)
    description: Optional[str] = None
    tags: List[str] = field(default_factory=list)
    schedule: ScheduleSection = field(default_factory=ScheduleSection)
    cluster: ClusterNeeds = field(default_factory=ClusterNeeds)
    human_input: List[HumanInput] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)
    tasks: List[TaskEntry] = field(default_factory=list)
    edges: List[EdgeEntry] = field(default_factory=list)
    names: Dict[str, str] = field(default_factory=dict)  # Airflow task id -> KFP component function
    diagnostics: List[Diagnostic] = field(default_factory=list)
    # the files written for it (kind -> file name): set by kfmigrate.migrate.output, absent from a report not written
    outputs: Optional[Dict[str, str]] = field(default=None, metadata={"omit_if_none": True})

    def task(self, task_id: str) -> Optional[TaskEntry]:
        return next((task for task in self.tasks if task.task_id == task_id), None)

    @property
    def not_native(self) -> List[str]:
        """Tasks that do not run as on Airflow (shim or placeholder): what `convert --strict` refuses."""
        return [t.task_id for t in self.tasks if t.fidelity not in RUNS_AS_AIRFLOW]

    def to_json(self) -> dict:
        return _encode(self)

    @classmethod
    def from_json(cls, data) -> "MigrationReport":
        """The report a JSON object describes; ReportError when it is not one."""
        if not isinstance(data, dict):
            raise ReportError(f"a migration report is a JSON object, not {type(data).__name__}")
        try:
            return _decode(cls, data)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise ReportError(f"not a migration report: {exc}") from None


def read_report(path) -> MigrationReport:
    """A <stem>.migration.json file; OSError when it cannot be read, ReportError when it is no report."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ReportError(str(exc)) from None
    return MigrationReport.from_json(data)


def _encode(value):
    if isinstance(value, Diagnostic):
        return value.to_json()
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)
                if not (f.metadata.get("omit_if_none") and getattr(value, f.name) is None)}
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        return {key: _encode(item) for key, item in value.items()}
    return value


@functools.lru_cache(maxsize=None)
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def _decode(hint, value):
    """A JSON value -> the type the report's field declares (dataclasses and Diagnostics built, lists walked)."""
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin is typing.Union:  # Optional[X]
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
        origin = typing.get_origin(hint)
    if origin is list:
        if not isinstance(value, list):
            raise ReportError(f"expected a list, not {value!r:.80}")
        (item,) = typing.get_args(hint)
        return [_decode(item, element) for element in value]
    if hint is Diagnostic:
        return Diagnostic.from_json(value)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ReportError(f"{hint.__name__}: expected an object, not {value!r:.80}")
        hints = _hints(hint)
        return hint(**{f.name: _decode(hints[f.name], value[f.name]) for f in dataclasses.fields(hint) if f.name in value})
    return value


# ---------------------------------------------------------------- building it
def _schedule_section(workflow: ir.Workflow) -> ScheduleSection:
    from kfmigrate.migrate.schedule import to_recurring

    schedule = workflow.schedule
    spec, notes = to_recurring(schedule)
    return ScheduleSection(
        airflow=AirflowSchedule(kind=schedule.kind, value=schedule.value, catchup=schedule.catchup,
                                start_date=schedule.start_date, end_date=schedule.end_date, source=schedule.source),
        kfp=None if spec is None else KfpSchedule(
            cron=spec.cron, interval_second=spec.interval_second, no_catchup=spec.no_catchup,
            start_time=spec.start_time, end_time=spec.end_time, describe=spec.describe()),
        notes=[n.message for n in notes],
    )


# kubernetes.use_secret_as_env(x_task, secret_name='s', secret_key_to_env={...}) / use_config_map_as_env(...) in the pipeline
_WIRED = re.compile(r"kubernetes\.use_(secret|config_map)_as_env\((\w+), (?:secret|config_map)_name=('[^']*'), "
                    r"(?:secret|config_map)_key_to_env=(\{[^}]*\})\)")
_DISPLAY = re.compile(r"^\s*(\w+)\.set_display_name\(('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\)", re.M)


def _cluster_needs(workflow: ir.Workflow, emitted) -> ClusterNeeds:
    """Connections and Variables the pipeline's tasks read, with the Secret / ConfigMap to create for each.

    Taken from what the generated pipeline actually wires (kfp-kubernetes calls setting AIRFLOW_CONN_* /
    AIRFLOW_VAR_*), described with where the DAG uses them (kfmigrate.migrate.analyze.scan_task_usages). Values
    are placeholders: credentials never come from kfmigrate.
    """
    import ast

    from kfmigrate.migrate.analyze import scan_task_usages
    from kfmigrate.migrate.operators.staticcalls import connection_env, connection_type_hint, variable_env

    source = getattr(emitted, "python_source", "") or ""
    task_of = {variable: ast.literal_eval(text) for variable, text in _DISPLAY.findall(source)}
    usages = [u for task in workflow.tasks for u in scan_task_usages(task, workflow)]
    found = {"connection": {}, "variable": {}}
    for kind, variable, name_text, keys_text in _WIRED.findall(source):
        obj_name, keys = ast.literal_eval(name_text), ast.literal_eval(keys_text)
        for key, env in keys.items():
            if not env.startswith((CONNECTION_ENV_PREFIX, VARIABLE_ENV_PREFIX)):
                continue  # a Kubernetes secret of the DAG's own (KubernetesPodOperator), not an Airflow connection
            what = "connection" if env.startswith(CONNECTION_ENV_PREFIX) else "variable"
            entry = found[what].setdefault(env, {"env": env, "kind": "Secret" if kind == "secret" else "ConfigMap",
                                                 "object": obj_name, "key": key, "tasks": [], "used_by": []})
            task_id = task_of.get(variable, variable)
            if task_id not in entry["tasks"]:
                entry["tasks"].append(task_id)
    unresolved = []
    for usage in usages:
        if not usage["resolved"]:
            unresolved.append({k: usage[k] for k in ("kind", "name", "task_id", "via", "line", "col")})
            continue
        env = (connection_env if usage["kind"] == "connection" else variable_env)(usage["name"])
        entry = found[usage["kind"]].get(env)
        if entry is not None:
            entry.setdefault("name", usage["name"])
            entry["used_by"].append({k: usage[k] for k in ("task_id", "via", "line", "col")})
    connections, variables = [], []
    for env, entry in sorted(found["connection"].items()):
        name = entry.pop("name", None) or env[len(CONNECTION_ENV_PREFIX):].lower()
        hints = [connection_type_hint(u["via"].split()[-1] if u["via"].startswith("argument") else u["via"].split("=")[0])
                 for u in entry["used_by"] if "conn_id" in u["via"]]
        if name.endswith("_default"):
            hints.append(connection_type_hint(name[: -len("_default")] + "_conn_id"))
        conn_type = next((h for h in hints if not h.startswith("<")), "<conn-type>")
        uri = f"{conn_type}://<login>:<password>@<host>:<port>/<schema>"
        manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": entry["object"]}, "type": "Opaque",
                    "stringData": {entry["key"]: uri}}
        connections.append(_cluster_object(name, entry, manifest,
                                           f"kubectl create secret generic {entry['object']} --from-literal={entry['key']}='{uri}'"))
    for env, entry in sorted(found["variable"].items()):
        name = entry.pop("name", None) or env[len(VARIABLE_ENV_PREFIX):].lower()
        json_use = re.compile(rf"var\s*\.\s*json\s*\.\s*{re.escape(name)}\b|Variable\s*\.\s*get\(\s*['\"]{re.escape(name)}['\"][^)]*deserialize_json\s*=\s*True")
        as_json = any(json_use.search(text) for task in workflow.tasks if task.task_id in entry["tasks"]
                      for text in (task.source, task.callable.source if task.callable else ""))
        value = f"<JSON value of Variable {name}>" if as_json else f"<value of Variable {name}>"
        manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": entry["object"]}, "data": {entry["key"]: value}}
        variables.append(_cluster_object(name, entry, manifest,
                                         f"kubectl create configmap {entry['object']} --from-literal={entry['key']}='{value}'"))
    return ClusterNeeds(connections=connections, variables=variables, unresolved=[UnresolvedUse(**u) for u in unresolved])


def _cluster_object(name: str, entry: dict, manifest: dict, kubectl: str) -> ClusterObject:
    used_by = [Usage(**usage) for usage in entry.pop("used_by")]
    return ClusterObject(name=name, **entry, used_by=used_by, manifest=manifest, kubectl=kubectl)


def _human_input(workflow: ir.Workflow, tasks: List[TaskEntry]) -> List[HumanInput]:
    """How to answer each human-in-the-loop task (hitl.py): the request ConfigMap and the kubectl command."""
    from kfmigrate.migrate.operators.hitl import HITL, dns_label, request_name, request_options

    fidelity = {t.task_id: t.fidelity for t in tasks}
    found = []
    for task in workflow.tasks:
        if task.operator not in HITL or fidelity.get(task.task_id) != "native":
            continue
        name = request_name(workflow.dag_id, task.task_id)
        options, multiple, params = request_options(task)
        chosen = json.dumps(options[:1]) if multiple else options[0]
        command = f"kubectl create configmap {name}-<run hash>-response --from-literal=chosen='{chosen}'"
        command += "".join(f" --from-literal={key}=<value>" for key in params)
        found.append(HumanInput(
            task_id=task.task_id, operator=task.operator, request=f"{name}-<run hash>",
            find=f"kubectl get configmaps -l kfmigrate.io/dag={dns_label(workflow.dag_id, 63)},kfmigrate.io/task={dns_label(task.task_id, 63)}",
            options=options, multiple=multiple, params=list(params), answer=command))
    return found


def manifest_yaml(manifest: dict, indent: int = 0) -> str:
    """A manifest as YAML text (block style; strings quoted as JSON, which YAML reads as is)."""
    lines = []
    for key, value in manifest.items():
        if isinstance(value, dict):
            lines.append(" " * indent + f"{key}:")
            lines.append(manifest_yaml(value, indent + 2))
        else:
            lines.append(" " * indent + f"{key}: {json.dumps(value)}")
    return "\n".join(lines)


def build_report(workflow: ir.Workflow, emitted, diagnostics: List[Diagnostic], compiled: bool,
                 compile_requested: bool) -> MigrationReport:
    tasks = []
    upstream = {}
    for edge in workflow.edges:
        upstream.setdefault(edge.downstream, {})[edge.upstream] = None
    by_task = {}
    for diagnostic in diagnostics:
        if diagnostic.task_id:
            by_task.setdefault(diagnostic.task_id, []).append(diagnostic)
    tasks_by_id = {task.task_id: task for task in workflow.tasks}
    for task_report in emitted.tasks:
        task = tasks_by_id[task_report.task_id]
        task_diags = list(task_report.diagnostics) + [d for d in by_task.get(task.task_id, []) if d not in task_report.diagnostics]
        tasks.append(TaskEntry(
            task_id=task.task_id,
            operator=task.operator,
            operator_module=task.module,
            path=task.span.path,
            line=task.span.line,
            col=task.span.col,
            source_line=task.source.splitlines()[0] if task.source else "",
            group=list(task.group),
            mapping=task_report.mapping,
            fidelity=task_report.fidelity,
            tier=task_report.tier,
            kfp_task=task_report.kfp_task,
            component=task_report.component,
            outputs=dict(task_report.outputs),
            trigger_rule=task.trigger_rule,
            retries=task.retry.retries,
            mapped=task.mapping is not None,
            upstream=list(upstream.get(task.task_id, ())),
            differences=list(task_report.differences),
            diagnostics=task_diags,
        ))
    fidelity = Counter(t.fidelity for t in tasks)
    severities = Counter(d.severity for d in diagnostics)
    return MigrationReport(
        report_version=REPORT_VERSION,
        kfmigrate_version=version(),
        dag_id=workflow.dag_id,
        source=SourceRef(path=workflow.path, line=workflow.span.line, col=workflow.span.col),
        pipeline=PipelineInfo(
            name=emitted.pipeline_name,
            function=emitted.function_name,
            parameters=[PipelineParameter(**parameter) for parameter in emitted.parameters],
            compiled=compiled,
            compile_requested=compile_requested,
        ),
        description=workflow.description,
        tags=list(workflow.tags),
        schedule=_schedule_section(workflow),
        cluster=_cluster_needs(workflow, emitted),
        human_input=_human_input(workflow, tasks),
        summary=Summary(
            tasks=len(tasks),
            **{level: fidelity.get(level, 0) for level in FIDELITY_LEVELS},
            errors=severities.get("error", 0),
            warnings=severities.get("warning", 0),
            ready=fidelity.get("placeholder", 0) == 0 and severities.get("error", 0) == 0,
        ),
        tasks=tasks,
        edges=[EdgeEntry(upstream=e.upstream, downstream=e.downstream, kind=e.kind) for e in workflow.edges],
        names={t.task_id: t.component for t in tasks if t.component},
        diagnostics=list(diagnostics),
    )


# ---------------------------------------------------------------- the page for people
def _cell(text) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _diagnostic_line(d: Diagnostic) -> str:
    return f"- {d.span}: {d.code} {d.message}" if d.span else f"- {d.code} {d.message}"


def render_markdown(report: MigrationReport) -> str:
    s = report.summary
    pipeline = report.pipeline
    lines = [
        f"# Migration report: `{report.dag_id}`",
        "",
        f"Source: `{report.source.path}:{report.source.line}` - pipeline `{pipeline.name}` "
        f"(function `{pipeline.function}`), compiled: {'yes' if pipeline.compiled else 'no'}.",
        "",
        f"**{s.tasks} tasks: {s.native} native, {s.shim} shim, {s.placeholder} placeholder, "
        f"{s.removed} removed** (EmptyOperator: ordering kept). {s.errors} errors, {s.warnings} warnings. "
        + ("Ready to run." if s.ready else "**Needs a person before it runs as on Airflow.**"),
        "",
    ]
    if report.description:
        lines += [f"Description: {report.description}", ""]
    sched = report.schedule
    lines += ["## Schedule", ""]
    airflow = sched.airflow
    lines.append(f"- Airflow: {airflow.kind} `{_cell(airflow.value)}`, catchup={airflow.catchup}, "
                 f"start_date={airflow.start_date}, end_date={airflow.end_date}")
    lines.append(f"- KFP recurring run: {sched.kfp.describe if sched.kfp else 'none'}")
    for note in sched.notes:
        lines.append(f"- Note: {note}")
    lines += ["", "## Tasks", "", "| task | operator | line | fidelity | tier | KFP task | mapping | differences |",
              "|---|---|---|---|---|---|---|---|"]
    for task in report.tasks:
        lines.append(
            f"| `{_cell(task.task_id)}` | {_cell(task.operator)} | {task.line}:{task.col} | {task.fidelity} | "
            f"{task.tier or '-'} | {_cell(task.kfp_task or '-')} | {_cell(task.mapping)} | "
            f"{_cell('; '.join(task.differences) or '-')} |"
        )
    attention = [t for t in report.tasks if t.fidelity in ("shim", "placeholder") or t.diagnostics]
    file_level = [d for d in report.diagnostics if not d.task_id]
    if attention or file_level:
        lines += ["", "## Needs attention", ""]
        for task in attention:
            lines.append(f"### `{task.task_id}` ({task.fidelity})")
            lines.append("")
            lines.append(f"`{task.path}:{task.line}:{task.col}`: `{_cell(task.source_line)}`")
            lines.append("")
            lines += [_diagnostic_line(d) for d in task.diagnostics]
            lines.append("")
        lines += [_diagnostic_line(d) for d in file_level]
    if report.names:
        renamed = {k: v for k, v in report.names.items() if k != v}
        if renamed:
            lines += ["", "## Names", "", "| Airflow task id | KFP component function |", "|---|---|"]
            lines += [f"| `{_cell(k)}` | `{_cell(v)}` |" for k, v in renamed.items()]
    lines += _cluster_markdown(report.cluster)
    lines += _human_input_markdown(report.human_input)
    params = pipeline.parameters
    if params:
        lines += ["", "## Pipeline parameters", "", "| name | type | default |", "|---|---|---|"]
        lines += [f"| `{_cell(p.name)}` | {_cell(p.type)} | `{_cell(repr(p.default))}` |" for p in params]
    return "\n".join(lines) + "\n"


def _cluster_markdown(cluster: ClusterNeeds) -> List[str]:
    connections, variables, unresolved = cluster.connections, cluster.variables, cluster.unresolved
    if not (connections or variables or unresolved):
        return []
    lines = ["", "## Connections and Variables", "",
             "The tasks read them as Airflow does, from environment variables set from these Kubernetes objects "
             "(create them in the namespace where the pipeline runs; the values below are placeholders).", "",
             "| Airflow | environment variable | Kubernetes object | tasks | used as |", "|---|---|---|---|---|"]
    for what, items in (("connection", connections), ("variable", variables)):
        for item in items:
            uses = "; ".join(f"{u.via} (line {u.line})" for u in item.used_by) or "the operator's default connection"
            lines.append(f"| {what} `{_cell(item.name)}` | `{item.env}` | {item.kind} `{item.object}` key `{item.key}` | "
                         f"{_cell(', '.join(f'`{t}`' for t in item.tasks))} | {_cell(uses)} |")
    if connections or variables:
        lines += ["", "Manifests (`kubectl apply -n <namespace> -f -`):", "", "```yaml"]
        lines.append("\n---\n".join(manifest_yaml(item.manifest) for item in connections + variables))
        lines += ["```", "", "Or with kubectl:", "", "```sh"]
        lines += [item.kubectl for item in connections + variables]
        lines.append("```")
    if unresolved:
        lines += ["", "Not known statically (set the environment variable on the task by hand):", ""]
        lines += [f"- {u.kind} `{_cell(u.name)}` ({_cell(u.via)}, line {u.line}"
                  + (f", task `{_cell(u.task_id)}`" if u.task_id else "") + ")" for u in unresolved]
    return lines


def _human_input_markdown(items: List[HumanInput]) -> List[str]:
    if not items:
        return []
    lines = ["", "## Human input", "",
             "These tasks wait for a person (Airflow's human-in-the-loop operators). Each run publishes its request as a "
             "ConfigMap (subject, body, options, params, and the exact command in `answer_with`); answer by creating the "
             "response ConfigMap in the run's namespace. `chosen` is one option, or a JSON list when several may be chosen.", ""]
    for item in items:
        lines += [f"### `{_cell(item.task_id)}` ({item.operator})", "",
                  f"Options: {', '.join(f'`{_cell(o)}`' for o in item.options)}" + (" (several allowed)" if item.multiple else "")
                  + (f"; params: {', '.join(f'`{_cell(p)}`' for p in item.params)}" if item.params else ""), "",
                  "```sh", item.find, item.answer, "```", ""]
    return lines
