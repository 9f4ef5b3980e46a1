"""The migration report: task by task and line by line, what is native, shimmed, or needs a person.

`build_report` gives a JSON-able dict (written as <dag_id>.migration.json); `render_markdown` turns it
into the human page (<dag_id>.migration.md).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from typing import List

from migrate import ir
from migrate.diagnostics import Diagnostic
from migrate.version import version

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


# kubernetes.use_secret_as_env(x_task, secret_name='s', secret_key_to_env={...}) / use_config_map_as_env(...) in the pipeline
_WIRED = re.compile(r"kubernetes\.use_(secret|config_map)_as_env\((\w+), (?:secret|config_map)_name=('[^']*'), "
                    r"(?:secret|config_map)_key_to_env=(\{[^}]*\})\)")
_DISPLAY = re.compile(r"^\s*(\w+)\.set_display_name\(('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\)", re.M)


def _cluster_needs(workflow: ir.Workflow, emitted) -> dict:
    """Connections and Variables the pipeline's tasks read, with the Secret / ConfigMap to create for each.

    Taken from what the generated pipeline actually wires (kfp-kubernetes calls setting AIRFLOW_CONN_* /
    AIRFLOW_VAR_*), described with where the DAG uses them (migrate.analyze.scan_task_usages). Values
    are placeholders: credentials never come from kfmigrate.
    """
    import ast

    from migrate.analyze import scan_task_usages
    from migrate.operators.staticcalls import connection_env, connection_type_hint, variable_env

    source = getattr(emitted, "python_source", "") or ""
    task_of = {variable: ast.literal_eval(text) for variable, text in _DISPLAY.findall(source)}
    usages = [u for task in workflow.tasks for u in scan_task_usages(task, workflow)]
    found = {"connection": {}, "variable": {}}
    for kind, variable, name_text, keys_text in _WIRED.findall(source):
        obj_name, keys = ast.literal_eval(name_text), ast.literal_eval(keys_text)
        for key, env in keys.items():
            if not env.startswith(("AIRFLOW_CONN_", "AIRFLOW_VAR_")):
                continue  # a Kubernetes secret of the DAG's own (KubernetesPodOperator), not an Airflow connection
            what = "connection" if env.startswith("AIRFLOW_CONN_") else "variable"
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
        name = entry.pop("name", None) or env[len("AIRFLOW_CONN_"):].lower()
        hints = [connection_type_hint(u["via"].split()[-1] if u["via"].startswith("argument") else u["via"].split("=")[0])
                 for u in entry["used_by"] if "conn_id" in u["via"]]
        if name.endswith("_default"):
            hints.append(connection_type_hint(name[: -len("_default")] + "_conn_id"))
        conn_type = next((h for h in hints if not h.startswith("<")), "<conn-type>")
        uri = f"{conn_type}://<login>:<password>@<host>:<port>/<schema>"
        manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": entry["object"]}, "type": "Opaque",
                    "stringData": {entry["key"]: uri}}
        connections.append({"name": name, **entry, "manifest": manifest,
                            "kubectl": f"kubectl create secret generic {entry['object']} --from-literal={entry['key']}='{uri}'"})
    for env, entry in sorted(found["variable"].items()):
        name = entry.pop("name", None) or env[len("AIRFLOW_VAR_"):].lower()
        json_use = re.compile(rf"var\s*\.\s*json\s*\.\s*{re.escape(name)}\b|Variable\s*\.\s*get\(\s*['\"]{re.escape(name)}['\"][^)]*deserialize_json\s*=\s*True")
        as_json = any(json_use.search(text) for task in workflow.tasks if task.task_id in entry["tasks"]
                      for text in (task.source, task.callable.source if task.callable else ""))
        value = f"<JSON value of Variable {name}>" if as_json else f"<value of Variable {name}>"
        manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": entry["object"]}, "data": {entry["key"]: value}}
        variables.append({"name": name, **entry, "manifest": manifest,
                          "kubectl": f"kubectl create configmap {entry['object']} --from-literal={entry['key']}='{value}'"})
    return {"connections": connections, "variables": variables, "unresolved": unresolved}


def _human_input(workflow: ir.Workflow, tasks: List[dict]) -> List[dict]:
    """How to answer each human-in-the-loop task (hitl.py): the request ConfigMap and the kubectl command."""
    from migrate.operators.hitl import HITL, dns_label, request_name, request_options

    fidelity = {t["task_id"]: t["fidelity"] for t in tasks}
    found = []
    for task in workflow.tasks:
        if task.operator not in HITL or fidelity.get(task.task_id) != "native":
            continue
        name = request_name(workflow.dag_id, task.task_id)
        options, multiple, params = request_options(task)
        chosen = json.dumps(options[:1]) if multiple else options[0]
        command = f"kubectl create configmap {name}-<run hash>-response --from-literal=chosen='{chosen}'"
        command += "".join(f" --from-literal={key}=<value>" for key in params)
        found.append({"task_id": task.task_id, "operator": task.operator, "request": f"{name}-<run hash>",
                      "find": f"kubectl get configmaps -l kfmigrate.io/dag={dns_label(workflow.dag_id, 63)},kfmigrate.io/task={dns_label(task.task_id, 63)}",
                      "options": options, "multiple": multiple, "params": list(params), "answer": command})
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


def build_report(workflow: ir.Workflow, emitted, diagnostics: List[Diagnostic], compiled: bool, compile_requested: bool) -> dict:
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
            "tier": task_report.tier,  # direct | runtime | container | None (no component)
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
        "kfmigrate_version": version(),
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
        "cluster": _cluster_needs(workflow, emitted),
        "human_input": _human_input(workflow, tasks),
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
    lines += ["", "## Tasks", "", "| task | operator | line | fidelity | tier | KFP task | mapping | differences |",
              "|---|---|---|---|---|---|---|---|"]
    for task in report["tasks"]:
        lines.append(
            f"| `{_cell(task['task_id'])}` | {_cell(task['operator'])} | {task['line']}:{task['col']} | {task['fidelity']} | "
            f"{task.get('tier') or '-'} | {_cell(task['kfp_task'] or '-')} | {_cell(task['mapping'])} | "
            f"{_cell('; '.join(task['differences']) or '-')} |"
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
    lines += _cluster_markdown(report.get("cluster") or {})
    lines += _human_input_markdown(report.get("human_input") or [])
    params = report["pipeline"]["parameters"]
    if params:
        lines += ["", "## Pipeline parameters", "", "| name | type | default |", "|---|---|---|"]
        lines += [f"| `{_cell(p.get('name'))}` | {_cell(p.get('type'))} | `{_cell(repr(p.get('default')))}` |" for p in params]
    return "\n".join(lines) + "\n"


def _cluster_markdown(cluster: dict) -> List[str]:
    connections, variables, unresolved = cluster.get("connections", []), cluster.get("variables", []), cluster.get("unresolved", [])
    if not (connections or variables or unresolved):
        return []
    lines = ["", "## Connections and Variables", "",
             "The tasks read them as Airflow does, from environment variables set from these Kubernetes objects "
             "(create them in the namespace where the pipeline runs; the values below are placeholders).", "",
             "| Airflow | environment variable | Kubernetes object | tasks | used as |", "|---|---|---|---|---|"]
    for what, items in (("connection", connections), ("variable", variables)):
        for item in items:
            uses = "; ".join(f"{u['via']} (line {u['line']})" for u in item["used_by"]) or "the operator's default connection"
            lines.append(f"| {what} `{_cell(item['name'])}` | `{item['env']}` | {item['kind']} `{item['object']}` key `{item['key']}` | "
                         f"{_cell(', '.join(f'`{t}`' for t in item['tasks']))} | {_cell(uses)} |")
    if connections or variables:
        lines += ["", "Manifests (`kubectl apply -n <namespace> -f -`):", "", "```yaml"]
        lines.append("\n---\n".join(manifest_yaml(item["manifest"]) for item in connections + variables))
        lines += ["```", "", "Or with kubectl:", "", "```sh"]
        lines += [item["kubectl"] for item in connections + variables]
        lines.append("```")
    if unresolved:
        lines += ["", "Not known statically (set the environment variable on the task by hand):", ""]
        lines += [f"- {u['kind']} `{_cell(u['name'])}` ({_cell(u['via'])}, line {u['line']}"
                  + (f", task `{_cell(u['task_id'])}`" if u.get("task_id") else "") + ")" for u in unresolved]
    return lines


def _human_input_markdown(items: List[dict]) -> List[str]:
    if not items:
        return []
    lines = ["", "## Human input", "",
             "These tasks wait for a person (Airflow's human-in-the-loop operators). Each run publishes its request as a "
             "ConfigMap (subject, body, options, params, and the exact command in `answer_with`); answer by creating the "
             "response ConfigMap in the run's namespace. `chosen` is one option, or a JSON list when several may be chosen.", ""]
    for item in items:
        lines += [f"### `{_cell(item['task_id'])}` ({item['operator']})", "",
                  f"Options: {', '.join(f'`{_cell(o)}`' for o in item['options'])}" + (" (several allowed)" if item["multiple"] else "")
                  + (f"; params: {', '.join(f'`{_cell(p)}`' for p in item['params'])}" if item["params"] else ""), "",
                  "```sh", item["find"], item["answer"], "```", ""]
    return lines
