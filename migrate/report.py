"""The migration report: task by task and line by line, what is native, shimmed, or needs a person.

`build_report` gives a JSON-able dict (written as <dag_id>.migration.json); `render_markdown` turns it
into the human page (<dag_id>.migration.md).
"""
from __future__ import annotations

from collections import Counter
from typing import List

from migrate import ir
from migrate.diagnostics import Diagnostic

REPORT_VERSION = 1
FIDELITY_ORDER = ("native", "shim", "placeholder", "removed")


def _schedule_section(workflow: ir.Workflow) -> dict:
    from migrate.schedule import to_recurring

    schedule = workflow.schedule
    spec, notes = to_recurring(schedule)
    return {
        "airflow": {
            "kind": schedule.kind,
            "value": schedule.value,
            "catchup": schedule.catchup,
            "start_date": schedule.start_date,
            "end_date": schedule.end_date,
            "source": schedule.source,
        },
        "kfp": None if spec is None else {
            "cron": spec.cron, "interval_second": spec.interval_second, "no_catchup": spec.no_catchup,
            "start_time": spec.start_time, "end_time": spec.end_time, "describe": spec.describe(),
        },
        "notes": [n.message for n in notes],
    }


def build_report(workflow: ir.Workflow, emitted, diagnostics: List[Diagnostic], compiled: bool, compile_requested: bool) -> dict:
    from kfmigrate import __version__

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
        tasks.append({
            "task_id": task.task_id,
            "operator": task.operator,
            "operator_module": task.module,
            "path": task.span.path,
            "line": task.span.line,
            "col": task.span.col,
            "source_line": task.source.splitlines()[0] if task.source else "",
            "group": list(task.group),
            "mapping": task_report.mapping,
            "fidelity": task_report.fidelity,
            "kfp_task": task_report.kfp_task,
            "component": task_report.component,
            "outputs": dict(task_report.outputs),
            "trigger_rule": task.trigger_rule,
            "retries": task.retry.retries,
            "mapped": task.mapping is not None,
            "upstream": list(upstream.get(task.task_id, ())),
            "differences": list(task_report.differences),
            "diagnostics": [d.to_json() for d in task_diags],
        })
    fidelity = Counter(t["fidelity"] for t in tasks)
    severities = Counter(d.severity for d in diagnostics)
    return {
        "report_version": REPORT_VERSION,
        "kfmigrate_version": __version__,
        "dag_id": workflow.dag_id,
        "source": {"path": workflow.path, "line": workflow.span.line, "col": workflow.span.col},
        "pipeline": {
            "name": emitted.pipeline_name,
            "function": emitted.function_name,
            "parameters": list(emitted.parameters),
            "compiled": compiled,
            "compile_requested": compile_requested,
        },
        "description": workflow.description,
        "tags": list(workflow.tags),
        "schedule": _schedule_section(workflow),
        "summary": {
            "tasks": len(tasks),
            **{level: fidelity.get(level, 0) for level in FIDELITY_ORDER},
            "errors": severities.get("error", 0),
            "warnings": severities.get("warning", 0),
            "ready": fidelity.get("placeholder", 0) == 0 and severities.get("error", 0) == 0,
        },
        "tasks": tasks,
        "edges": [{"upstream": e.upstream, "downstream": e.downstream, "kind": e.kind} for e in workflow.edges],
        "names": {t["task_id"]: t["component"] for t in tasks if t["component"]},
        "diagnostics": [d.to_json() for d in diagnostics],
    }


def _cell(text) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def render_markdown(report: dict) -> str:
    s = report["summary"]
    lines = [
        f"# Migration report: `{report['dag_id']}`",
        "",
        f"Source: `{report['source']['path']}:{report['source']['line']}` - pipeline `{report['pipeline']['name']}` "
        f"(function `{report['pipeline']['function']}`), compiled: {'yes' if report['pipeline']['compiled'] else 'no'}.",
        "",
        f"**{s['tasks']} tasks: {s['native']} native, {s['shim']} shim, {s['placeholder']} placeholder, "
        f"{s['removed']} removed** (EmptyOperator: ordering kept). {s['errors']} errors, {s['warnings']} warnings. "
        + ("Ready to run." if s["ready"] else "**Needs a person before it runs as on Airflow.**"),
        "",
    ]
    if report.get("description"):
        lines += [f"Description: {report['description']}", ""]
    sched = report["schedule"]
    lines += ["## Schedule", ""]
    airflow = sched["airflow"]
    lines.append(f"- Airflow: {airflow['kind']} `{_cell(airflow['value'])}`, catchup={airflow['catchup']}, "
                 f"start_date={airflow['start_date']}, end_date={airflow['end_date']}")
    lines.append(f"- KFP recurring run: {sched['kfp']['describe'] if sched['kfp'] else 'none'}")
    for note in sched["notes"]:
        lines.append(f"- Note: {note}")
    lines += ["", "## Tasks", "", "| task | operator | line | fidelity | KFP task | mapping | differences |",
              "|---|---|---|---|---|---|---|"]
    for task in report["tasks"]:
        lines.append(
            f"| `{_cell(task['task_id'])}` | {_cell(task['operator'])} | {task['line']}:{task['col']} | {task['fidelity']} | "
            f"{_cell(task['kfp_task'] or '-')} | {_cell(task['mapping'])} | {_cell('; '.join(task['differences']) or '-')} |"
        )
    attention = [t for t in report["tasks"] if t["fidelity"] in ("shim", "placeholder") or t["diagnostics"]]
    file_level = [d for d in report["diagnostics"] if not d.get("task_id")]
    if attention or file_level:
        lines += ["", "## Needs attention", ""]
        for task in attention:
            lines.append(f"### `{task['task_id']}` ({task['fidelity']})")
            lines.append("")
            lines.append(f"`{task['path']}:{task['line']}:{task['col']}`: `{_cell(task['source_line'])}`")
            lines.append("")
            for d in task["diagnostics"]:
                where = f"{d['path']}:{d['line']}:{d['col']}: " if "path" in d else ""
                lines.append(f"- {where}{d['code']} {d['message']}")
            lines.append("")
        for d in file_level:
            where = f"{d['path']}:{d['line']}:{d['col']}: " if "path" in d else ""
            lines.append(f"- {where}{d['code']} {d['message']}")
    if report["names"]:
        renamed = {k: v for k, v in report["names"].items() if k != v}
        if renamed:
            lines += ["", "## Names", "", "| Airflow task id | KFP component function |", "|---|---|"]
            lines += [f"| `{_cell(k)}` | `{_cell(v)}` |" for k, v in renamed.items()]
    params = report["pipeline"]["parameters"]
    if params:
        lines += ["", "## Pipeline parameters", "", "| name | type | default |", "|---|---|---|"]
        lines += [f"| `{_cell(p.get('name'))}` | {_cell(p.get('type'))} | `{_cell(repr(p.get('default')))}` |" for p in params]
    return "\n".join(lines) + "\n"
