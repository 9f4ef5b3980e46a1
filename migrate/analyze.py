"""Readiness inventory of a DAG folder: what converting it would give, without writing pipelines.

`build_inventory(results, ...)` turns converter results (kfmigrate.migrate.api.FileResult) into one JSON-able
dict (validated by schemas/analyze.schema.json); `render(inventory, fmt)` writes it as a table,
JSON, Markdown, SARIF 2.1.0 or CSV. `analyze_paths` runs the converter over files and folders.

Readiness score (per DAG and in total, an integer 0..100, rounded down):

    score = 100 * (native + removed + shim / 2) / tasks

native and removed tasks count fully, shim tasks half (they run, but need the provider package and
the connections on the cluster), placeholders nothing. The total is the same formula over all tasks
of all DAGs, where each *unread* file (it imports Airflow and looks like a DAG file, but no DAG could
be read from it statically) counts as one more task that scores nothing. With nothing to count (no
task, no unread file) the score is None, shown as "n/a": an estate that could not be read never
scores 100. A DAG is *ready* when it has tasks and no blocker; blockers are its placeholder tasks,
its error diagnostics and the statements whose tasks were dropped (a condition or a loop that could
not be resolved statically), plus, for the estate, the unread files.
"""
from __future__ import annotations

import csv
import io
import json
import ast
import math
import os
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple
from urllib.parse import quote

from kfmigrate.migrate import ir
from kfmigrate.migrate.contracts import FIDELITY_LEVELS
from kfmigrate.migrate.connections import (  # noqa: F401 - scan_task_usages: the usages every report lists
    connection_env, connection_secret, scan_task_usages, variable_config_map, variable_env,
)
from kfmigrate.migrate.diagnostics import CODES, ERROR, INFO, NO_DAG_CODES, WARNING, Diagnostic
from kfmigrate.migrate.operators import discover, find_mapper
from kfmigrate.migrate.version import version

INVENTORY_VERSION = 1
FORMATS = ("table", "json", "md", "sarif", "csv")
UNMAPPED = "unmapped"
PLACEHOLDER_CODE = "KFM200"
UNREAD_CODE = "KFM103"  # a file that should hold a DAG but yields none: the no-DAG code, as an error
DUPLICATE_CODE = "KFM115"  # as the parser's "DAG id defined twice in this file"
DROPPED_LOOP_CODE = "KFM112"  # loop or comprehension over a non-literal: its body (and tasks) skipped
DROPPED_BRANCHES = ("KFM110", "both branches ignored")  # the interpreter's unresolved `if` inside a DAG
DROPPED_GUARD = ("KFM122", " (of ")  # a guard whose other branch also defines tasks: those are not converted
NOT_AVAILABLE = "n/a"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {ERROR: "error", WARNING: "warning", INFO: "note"}
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


def schema() -> dict:
    """The JSON schema of the inventory (shipped as package data)."""
    return json.loads(Path(__file__).with_name("schemas").joinpath("analyze.schema.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ score
def readiness_score(fidelity: Dict[str, int], unread_files: int = 0) -> Optional[int]:
    """100 * (native + removed + shim/2) / (tasks + unread files), rounded down; None (n/a) for nothing."""
    tasks = sum(fidelity.get(level, 0) for level in FIDELITY_LEVELS) + unread_files
    if tasks == 0:
        return None
    half_points = 2 * (fidelity.get("native", 0) + fidelity.get("removed", 0)) + fidelity.get("shim", 0)
    return math.floor(100 * half_points / (2 * tasks))


def shown_score(score: Optional[int]) -> str:
    return NOT_AVAILABLE if score is None else str(score)


# ------------------------------------------------------------------ unread files
def unread_reason(path) -> Optional[Tuple[int, int, str]]:
    """(line, col, reason) when a file imports Airflow, mentions "dag" (Airflow's own DAG-discovery
    test) and runs code at module level, yet no DAG was read from it; None for libraries and other
    files. The position is the statement that most likely builds the DAGs."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        tree = ast.parse(text)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    imports_airflow = any(
        isinstance(node, ast.Import) and any(a.name.split(".")[0] == "airflow" for a in node.names)
        or isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "airflow" and not node.level
        for node in ast.walk(tree))
    if not imports_airflow or "dag" not in text.lower():
        return None

    def calls(node) -> List[ast.Call]:
        return [n for n in ast.walk(node) if isinstance(n, ast.Call)]

    def at(node, reason):
        return node.lineno, node.col_offset + 1, f"imports Airflow but no DAG could be read statically: {reason}"

    for node in tree.body:  # module level: what runs when Airflow imports the file
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)) and calls(node):
            return at(node, "DAGs built in a loop over values known only when the file runs")
        if isinstance(node, ast.If) and calls(node):
            return at(node, f"DAGs defined under a condition known only when the file runs ({ast.unparse(node.test)[:60]})")
        for call in calls(node):
            name = ast.unparse(call.func)
            if "dag" in name.lower() or name == "globals":
                return at(call, f"DAG built by {name}(), a function kfmigrate cannot follow")
    return None  # imports, definitions, constants and plain calls: a helper module or plugin, not a DAG file


# ------------------------------------------------------------------ paths
class PathStyle:
    """Shows paths relative to a root folder (posix), absolute when outside it."""

    def __init__(self, root: Path):
        self.root = Path(os.path.abspath(root))

    def show(self, path) -> str:
        absolute = Path(os.path.abspath(path))
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            return absolute.as_posix()


# ------------------------------------------------------------------ families
def operator_family(operator: str) -> str:
    """The mapper module that handles the operator ("bash", "python" ...), or "unmapped"."""
    found = find_mapper(operator)
    return found.__module__.rsplit(".", 1)[-1] if found is not None else UNMAPPED


# ------------------------------------------------------------------ building the inventory
def _diagnostic_json(diagnostic: Diagnostic, paths: PathStyle, dag_id: Optional[str] = None) -> dict:
    data = {"code": diagnostic.code, "severity": diagnostic.severity, "message": diagnostic.message}
    if diagnostic.span is not None:
        data.update(path=paths.show(diagnostic.span.path), line=max(1, diagnostic.span.line), col=max(1, diagnostic.span.col))
    if dag_id is not None:
        data["dag_id"] = dag_id
    if diagnostic.task_id:
        data["task_id"] = diagnostic.task_id
    return data


def _unique(diagnostics: Iterable[Diagnostic]) -> List[Diagnostic]:
    """Drop repeats, as their JSON says (a span's end does not make two diagnostics different)."""
    seen = {}
    for diagnostic in diagnostics:
        seen.setdefault(json.dumps(diagnostic.to_json(), sort_keys=True), diagnostic)
    return list(seen.values())


def _sort_diagnostics(items: List[dict]) -> List[dict]:
    return sorted(items, key=lambda d: (d.get("path", ""), d.get("line", 0), d.get("col", 0), SEVERITY_ORDER.get(d["severity"], 3), d["code"]))


def _operator_rows(tasks: List[dict]) -> List[dict]:
    rows: Dict[Tuple[str, str], dict] = {}
    for task in tasks:
        row = rows.setdefault((task["operator"], task["module"]), {
            "operator": task["operator"], "module": task["module"], "family": task["family"], "count": 0,
            "fidelity": {level: 0 for level in FIDELITY_LEVELS}})
        row["count"] += 1
        row["fidelity"][task["fidelity"]] += 1
    return sorted(rows.values(), key=lambda r: (-r["count"], r["operator"], r["module"]))


def _dag_entry(conversion, paths: PathStyle) -> Tuple[dict, List[dict]]:
    """One DAG's inventory entry and its connection/variable usages."""
    workflow: ir.Workflow = conversion.workflow
    report = conversion.report
    dag_id = workflow.dag_id
    diagnostics = list(conversion.diagnostics)
    tasks = []
    for task_report in report.tasks:
        task = workflow.task(task_report.task_id)
        fidelity = task_report.fidelity
        if fidelity not in FIDELITY_LEVELS:
            raise ValueError(f"{dag_id}.{task.task_id}: unknown fidelity {fidelity!r}")
        diagnostics += task_report.diagnostics
        tasks.append({
            "task_id": task.task_id, "operator": task.operator, "module": task.module,
            "family": operator_family(task.operator), "fidelity": fidelity,
            "path": paths.show(task.span.path), "line": task.span.line, "col": task.span.col,
        })
    diagnostics = _unique(diagnostics)
    # a placeholder always surfaces as a blocker with its position, even if no mapper said why
    explained = {d.task_id for d in diagnostics if d.code == PLACEHOLDER_CODE}
    for task in tasks:
        if task["fidelity"] == "placeholder" and task["task_id"] not in explained:
            span = workflow.task(task["task_id"]).span
            diagnostics.append(Diagnostic(PLACEHOLDER_CODE, f"{task['operator']} becomes a placeholder component that fails when run",
                                          ERROR, span, task["task_id"]))
    diagnostic_rows = _sort_diagnostics([_diagnostic_json(d, paths) for d in diagnostics])
    placeholder_ids = {t["task_id"] for t in tasks if t["fidelity"] == "placeholder"}
    blockers = []
    for row in diagnostic_rows:
        placeholder = row["code"] == PLACEHOLDER_CODE and row.get("task_id") in placeholder_ids
        if row["severity"] == ERROR or placeholder:
            blockers.append({**row, "kind": "placeholder" if placeholder else "error"})
        elif drops_tasks(row):
            blockers.append({**row, "kind": "dropped"})
    fidelity = Counter(t["fidelity"] for t in tasks)
    fidelity_counts = {level: fidelity.get(level, 0) for level in FIDELITY_LEVELS}
    severities = Counter(d["severity"] for d in diagnostic_rows)
    usages = []
    for task in workflow.tasks:
        usages += scan_task_usages(task, workflow)
    for usage in usages:
        usage.update(dag_id=dag_id, path=paths.show(workflow.path))
    entry = {
        "dag_id": dag_id,
        "path": paths.show(workflow.path),
        "line": workflow.span.line,
        "col": workflow.span.col,
        "task_count": len(tasks),
        "fidelity": fidelity_counts,
        "families": dict(sorted(Counter(t["family"] for t in tasks).items())),
        "operators": _operator_rows(tasks),
        "score": readiness_score(fidelity_counts),
        "ready": bool(tasks) and not blockers,
        "errors": severities.get(ERROR, 0),
        "warnings": severities.get(WARNING, 0),
        "blockers": blockers,
        "connections": sorted({u["name"] for u in usages if u["kind"] == "connection"}),
        "variables": sorted({u["name"] for u in usages if u["kind"] == "variable"}),
        "tasks": tasks,
        "diagnostics": diagnostic_rows,
    }
    return entry, usages


def drops_tasks(diagnostic: dict) -> bool:
    """A statement inside a DAG that the interpreter skipped: whatever tasks it makes are missing."""
    return diagnostic["code"] == DROPPED_LOOP_CODE or any(
        diagnostic["code"] == code and words in diagnostic["message"] for code, words in (DROPPED_BRANCHES, DROPPED_GUARD))


def _duplicates(dags: List[dict]) -> List[dict]:
    """DAG ids defined in more than one place: Airflow loads only one of them."""
    where: Dict[str, List[dict]] = defaultdict(list)
    for dag in dags:
        where[dag["dag_id"]].append({k: dag[k] for k in ("path", "line", "col")})
    return [{"dag_id": dag_id, "definitions": found} for dag_id, found in where.items() if len(found) > 1]


def _needs(usages: List[dict], kind: str) -> List[dict]:
    grouped: Dict[Tuple[str, bool], List[dict]] = defaultdict(list)
    for usage in usages:
        if usage["kind"] == kind:
            grouped[(usage["name"], usage["resolved"])].append(
                {k: usage[k] for k in ("dag_id", "task_id", "path", "line", "col", "via")})
    needs = []
    for (name, resolved), used_by in sorted(grouped.items(), key=lambda item: (not item[0][1], item[0][0])):
        unique = list({json.dumps(u, sort_keys=True): u for u in used_by}.values())
        need = {"name": name, "resolved": resolved}
        if resolved:
            need["kubernetes"] = kubernetes_source(kind, name)
        need["used_by"] = sorted(unique, key=lambda u: (u["path"], u["line"], u["col"], u["via"]))
        needs.append(need)
    return needs


def kubernetes_source(kind: str, name: str) -> dict:
    """The Secret / ConfigMap a converted task reads a connection / variable from (kfmigrate.migrate.connections naming)."""
    if kind == "connection":
        return {"kind": "Secret", "name": connection_secret(name), "key": "uri", "env": connection_env(name)}
    return {"kind": "ConfigMap", "name": variable_config_map(name), "key": "value", "env": variable_env(name)}


def build_inventory(results: Sequence, input_problems: Sequence[Diagnostic] = (), root: Path = Path("."),
                    inputs: Sequence = ()) -> dict:
    """The readiness inventory (a JSON-able dict) of converter FileResults, in input order."""
    paths = PathStyle(root)
    dags, usages, failed, without_dag, file_diagnostics, unread = [], [], [], [], [], []
    for problem in input_problems:
        failed.append({"path": paths.show(problem.span.path) if problem.span else "", "diagnostic": _diagnostic_json(problem, paths)})
    for result in results:
        shown = paths.show(result.path)
        if result.error is not None:
            failed.append({"path": shown, "diagnostic": _diagnostic_json(result.error, paths)})
            continue
        extra = [d for d in result.diagnostics if d.code not in NO_DAG_CODES]
        file_diagnostics += [_diagnostic_json(d, paths) for d in extra]
        if not result.conversions:
            found = unread_reason(result.path)
            if found is None:
                without_dag.append(shown)
            else:
                line, col, reason = found
                unread.append({"path": shown, "diagnostic": _diagnostic_json(
                    Diagnostic(UNREAD_CODE, reason, ERROR, ir.SourceSpan(str(result.path), line, col)), paths)})
            continue
        for conversion in result.conversions:
            entry, dag_usages = _dag_entry(conversion, paths)
            dags.append(entry)
            usages += dag_usages
    totals = Counter()
    for dag in dags:
        totals.update(dag["fidelity"])
    fidelity = {level: totals.get(level, 0) for level in FIDELITY_LEVELS}
    all_tasks = [task for dag in dags for task in dag["tasks"]]
    operators = _operator_rows(all_tasks)
    for row in operators:
        row["dags"] = sum(1 for dag in dags if any(o["operator"] == row["operator"] and o["module"] == row["module"] for o in dag["operators"]))
    connections, variables = _needs(usages, "connection"), _needs(usages, "variable")
    file_errors = sum(1 for d in file_diagnostics if d["severity"] == ERROR)
    duplicates = _duplicates(dags)
    summary = {
        "files": len(results) + len(input_problems),
        "files_with_dags": sum(1 for r in results if r.error is None and r.conversions),
        "files_without_dag": len(without_dag),
        "files_unread": len(unread),
        "files_failed": len(failed),
        "dags": len(dags),
        "ready_dags": sum(1 for dag in dags if dag["ready"]),
        "duplicate_dag_ids": len(duplicates),
        "tasks": len(all_tasks),
        "fidelity": fidelity,
        "families": dict(sorted(Counter(t["family"] for t in all_tasks).items())),
        "score": readiness_score(fidelity, unread_files=len(unread)),
        "blockers": sum(len(dag["blockers"]) for dag in dags) + len(unread),
        "errors": sum(dag["errors"] for dag in dags) + file_errors + len(failed) + len(unread),
        "warnings": sum(dag["warnings"] for dag in dags) + sum(1 for d in file_diagnostics if d["severity"] == WARNING),
        "connections": len(connections),
        "variables": len(variables),
    }
    return {
        "inventory_version": INVENTORY_VERSION,
        "tool": {"name": "kfmigrate", "version": version()},
        "root": paths.root.as_posix(),
        "inputs": [str(p) for p in inputs],
        "summary": summary,
        "operators": operators,
        "dags": dags,
        "connections": connections,
        "variables": variables,
        "failed_files": failed,
        "unread_files": unread,
        "duplicate_dag_ids": duplicates,
        "files_without_dag": without_dag,
        "file_diagnostics": _sort_diagnostics(file_diagnostics),
    }


# ------------------------------------------------------------------ running the converter
def analyze_paths(paths: Sequence[Path], jobs: int = 1, root: Path = Path("."),
                  on_progress: Optional[Callable[[int, int], None]] = None) -> dict:
    """Convert (without compiling) every DAG file under `paths` and build the inventory."""
    from kfmigrate.migrate.batch import collect_inputs

    files, problems = collect_inputs(paths)
    return analyze_files(files, problems, jobs=jobs, root=root, inputs=paths, on_progress=on_progress)


def analyze_files(files: Sequence[Path], problems: Sequence[Diagnostic] = (), jobs: int = 1, root: Path = Path("."),
                  inputs: Sequence = (), on_progress: Optional[Callable[[int, int], None]] = None, project=None,
                  load=None) -> dict:
    """The inventory of these files, converted (not compiled) on `jobs` processes.

    `on_progress(done, total)` is called as files finish, in input order. project: --path folders and
    --env values (kfmigrate.migrate.parse.project.ProjectOptions). load: a kfmigrate.migrate.load.LoadOptions to inventory
    the DAGs Airflow's own DagBag loads (it executes the files) instead of reading them statically.
    """
    from kfmigrate.migrate.batch import convert_many, iter_convert

    files = list(files)
    if load is not None:
        from kfmigrate.migrate.load import loaded_items

        files = loaded_items(files, load)
    if jobs > 1:
        # load the converter once here: forked workers inherit it instead of importing it again
        import kfmigrate.migrate.emit  # noqa: F401
        import kfmigrate.migrate.parse  # noqa: F401

        discover()
    if on_progress is None:
        results = convert_many(files, compile=False, jobs=jobs, project=project)
    else:
        results = []
        on_progress(0, len(files))
        # small chunks: progress moves steadily and no worker waits on a long tail
        chunksize = max(1, min(8, len(files) // (max(jobs, 1) * 8)))
        for result in iter_convert(files, compile=False, jobs=jobs, chunksize=chunksize, project=project):
            results.append(result)
            on_progress(len(results), len(files))
    return build_inventory(results, problems, root=root, inputs=inputs)


def trips(inventory: dict, fail_on: Optional[str]) -> bool:
    """--fail-on: 'shim' trips on any shim or placeholder task, 'placeholder' on any placeholder; both
    on an unread file (what it holds is unknown, so nothing says it would pass)."""
    fidelity = inventory["summary"]["fidelity"]
    unread = inventory["summary"].get("files_unread", 0)
    if fail_on == "shim":
        return fidelity["shim"] + fidelity["placeholder"] + unread > 0
    if fail_on == "placeholder":
        return fidelity["placeholder"] + unread > 0
    return False


# ------------------------------------------------------------------ formats
def render(inventory: dict, fmt: str, width: int = 120, color: bool = False) -> str:
    if fmt == "json":
        return json.dumps(inventory, indent=2) + "\n"
    if fmt == "md":
        return render_markdown(inventory)
    if fmt == "sarif":
        return json.dumps(to_sarif(inventory), indent=2) + "\n"
    if fmt == "csv":
        return render_csv(inventory)
    if fmt == "table":
        return render_table(inventory, width=width, color=color)
    raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")


def _mix(fidelity: Dict[str, int]) -> str:
    return ", ".join(f"{fidelity[level]} {level}" for level in FIDELITY_LEVELS)


def _families(families: Dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(families.items(), key=lambda kv: (-kv[1], kv[0])))


def _where(item: dict) -> str:
    return f"{item['path']}:{item['line']}:{item['col']}" if "path" in item else ""


SCORE_TEXT = ("Readiness score = 100 x (native + removed + shim/2) / tasks, rounded down; an unread file counts as "
              "one task that scores nothing; n/a when there is nothing to count. A DAG is ready when it has tasks "
              "and no blocker (placeholder, error, or tasks dropped by an unresolved condition or loop).")


def _dags_table(dags: list, width: int):
    """The DAGs table. The counts keep their natural width, and a `path:line` is never cut in the
    middle: it gets a column as wide as the longest one while DAG ids fold in what is left. When
    the width does not allow that, each DAG is a few lines instead, its location on a line of its own."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    counts = []
    for dag in dags:
        f = dag["fidelity"]
        counts.append([str(dag["task_count"]), "/".join(str(f[level]) for level in FIDELITY_LEVELS), shown_score(dag["score"]),
                       "yes" if dag["ready"] else "no", str(len(dag["blockers"]))])
    headers = ("tasks", "n/s/p/r", "score", "ready", "blockers")
    counts_width = sum(max([len(h)] + [len(r[i]) for r in counts]) + 2 for i, h in enumerate(headers))
    locations = [f"{dag['path']}:{dag['line']}" for dag in dags]
    location_width = max(len("file"), *map(len, locations)) + 2
    if counts_width + location_width + 12 + 2 + 2 > width:  # 12 for DAG ids, 2 each for padding and edges
        lines = [Text("DAGs", style="italic")]
        for dag, location, cells in zip(dags, locations, counts):
            lines += [Text(f"  {dag['dag_id']}", style="bold"), Text(f"    {location}"),
                      Text("    " + ", ".join(f"{h} {c}" for h, c in zip(headers, cells)))]
        return Group(*lines, Text(""))

    table = Table(title="DAGs", box=box.SIMPLE_HEAD, title_justify="left", expand=True)
    table.add_column("DAG", overflow="fold", ratio=1)
    table.add_column("file", no_wrap=True)
    for header in headers:
        table.add_column(header, justify="left" if header == "ready" else "right", no_wrap=True)
    for dag, location, cells in zip(dags, locations, counts):
        table.add_row(Text(dag["dag_id"]), Text(location), *map(Text, cells))
    return table


def render_table(inventory: dict, width: int = 120, color: bool = False) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    def row(*cells):  # Text cells: a "[" in a DAG id or path is not rich markup
        return [Text(str(cell)) for cell in cells]

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=color, no_color=not color, highlight=False, soft_wrap=False,
                      emoji=False)
    s = inventory["summary"]
    if inventory["dags"]:
        console.print(_dags_table(inventory["dags"], width))
    if inventory["operators"]:
        ops = Table(title="Operators", box=box.SIMPLE_HEAD, title_justify="left")
        for name, justify in (("operator", "left"), ("family", "left"), ("tasks", "right"), ("DAGs", "right"), ("fidelity", "left")):
            ops.add_column(name, justify=justify, overflow="fold")
        for operator in inventory["operators"]:
            mix = ", ".join(f"{n} {level}" for level, n in operator["fidelity"].items() if n)
            ops.add_row(*row(operator["operator"], operator["family"], operator["count"], operator["dags"], mix))
        console.print(ops)
    blockers = [(dag["dag_id"], b) for dag in inventory["dags"] for b in dag["blockers"]]
    if blockers:
        console.print("Blockers", style="bold")
        for dag_id, b in blockers:
            task = f" [{dag_id}.{b['task_id']}]" if b.get("task_id") else f" [{dag_id}]"
            console.print(f"  {_where(b)}: {b['code']} {b['message']}{task}", markup=False)
        console.print()
    if inventory["unread_files"]:
        console.print(f"Unread files ({len(inventory['unread_files'])}): blockers, counted in the score", style="bold")
        for unread in inventory["unread_files"]:
            d = unread["diagnostic"]
            console.print(f"  {_where(d)}: {d['code']} {d['message']}", markup=False)
        console.print()
    if inventory["duplicate_dag_ids"]:
        console.print("Duplicate DAG ids (Airflow loads only one of each)", style="bold")
        for duplicate in inventory["duplicate_dag_ids"]:
            console.print(f"  {duplicate['dag_id']}: {', '.join(map(_where, duplicate['definitions']))}", markup=False)
        console.print()
    for title, needs in (("Connections needed", inventory["connections"]), ("Variables needed", inventory["variables"])):
        if needs:
            console.print(title, style="bold")
            for need in needs:
                users = sorted({f"{u['dag_id']}.{u['task_id']}" if u["task_id"] else u["dag_id"] for u in need["used_by"]})
                name = need["name"] if need["resolved"] else f"{need['name']} (not static)"
                console.print(f"  {name}: {', '.join(users)}", markup=False)
            console.print()
    if inventory["failed_files"]:
        console.print("Files that could not be read or parsed", style="bold")
        for failed in inventory["failed_files"]:
            d = failed["diagnostic"]
            console.print(f"  {_where(d) or failed['path']}: {d['code']} {d['message']}", markup=False)
        console.print()
    if inventory["files_without_dag"]:
        console.print(f"Files with no DAG ({len(inventory['files_without_dag'])})", style="bold")
        for path in inventory["files_without_dag"]:
            console.print(f"  {path}", markup=False)
        console.print()
    console.print(
        f"Total: {s['files']} files ({s['files_with_dags']} with DAGs, {s['files_without_dag']} without, "
        f"{s['files_unread']} unread, {s['files_failed']} failed), "
        f"{s['dags']} DAGs ({s['ready_dags']} ready), {s['tasks']} tasks: {_mix(s['fidelity'])}. "
        f"Score {shown_score(s['score'])}. {s['blockers']} blockers, {s['connections']} connections, {s['variables']} variables.",
        markup=False)
    console.print("n/s/p/r: native/shim/placeholder/removed tasks. " + SCORE_TEXT, style="dim", markup=False)
    return buffer.getvalue()


def _cell(text) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def render_markdown(inventory: dict) -> str:
    s = inventory["summary"]
    lines = [
        "# Kubeflow readiness inventory",
        "",
        f"**{s['dags']} DAGs ({s['ready_dags']} ready) in {s['files']} files, {s['tasks']} tasks: {_mix(s['fidelity'])}. "
        f"Readiness score {shown_score(s['score'])}{'/100' if s['score'] is not None else ''}.** {s['blockers']} blockers, "
        f"{s['errors']} errors, {s['warnings']} warnings; {s['files_unread']} files unread, "
        f"{s['files_failed']} files failed to parse, {s['files_without_dag']} have no DAG.",
        "",
        f"_{SCORE_TEXT}_",
        "",
    ]
    if inventory["dags"]:
        lines += ["## DAGs", "", "| DAG | file | tasks | native | shim | placeholder | removed | score | ready | blockers | families |",
                  "|---|---|--:|--:|--:|--:|--:|--:|---|--:|---|"]
        for dag in inventory["dags"]:
            f = dag["fidelity"]
            lines.append(f"| `{_cell(dag['dag_id'])}` | `{_cell(dag['path'])}:{dag['line']}` | {dag['task_count']} | {f['native']} | {f['shim']} | "
                         f"{f['placeholder']} | {f['removed']} | {shown_score(dag['score'])} | {'yes' if dag['ready'] else 'no'} | {len(dag['blockers'])} | "
                         f"{_cell(_families(dag['families']))} |")
        lines.append("")
    if inventory["operators"]:
        lines += ["## Operators", "", "| operator | module | family | tasks | DAGs | native | shim | placeholder | removed |",
                  "|---|---|---|--:|--:|--:|--:|--:|--:|"]
        for row in inventory["operators"]:
            f = row["fidelity"]
            lines.append(f"| `{_cell(row['operator'])}` | `{_cell(row['module'])}` | {_cell(row['family'])} | {row['count']} | {row['dags']} | "
                         f"{f['native']} | {f['shim']} | {f['placeholder']} | {f['removed']} |")
        lines.append("")
    blockers = [(dag["dag_id"], b) for dag in inventory["dags"] for b in dag["blockers"]]
    if blockers:
        lines += ["## Blockers", ""]
        for dag_id, b in blockers:
            task = f"`{_cell(dag_id)}.{_cell(b['task_id'])}`" if b.get("task_id") else f"`{_cell(dag_id)}`"
            lines.append(f"- `{_cell(_where(b))}` {b['code']} ({b['kind']}) {task}: {_cell(b['message'])}")
        lines.append("")
    if inventory["unread_files"]:
        lines += ["## Unread files", "", "Files that import Airflow and look like DAG files, but yield no DAG read statically. "
                  "Each is a blocker and counts as one task that scores nothing.", ""]
        for unread in inventory["unread_files"]:
            d = unread["diagnostic"]
            lines.append(f"- `{_cell(_where(d))}` {d['code']} {_cell(d['message'])}")
        lines.append("")
    if inventory["duplicate_dag_ids"]:
        lines += ["## Duplicate DAG ids", "", "Airflow loads only one DAG per id.", ""]
        for duplicate in inventory["duplicate_dag_ids"]:
            lines.append(f"- `{_cell(duplicate['dag_id'])}`: " + ", ".join(f"`{_cell(_where(d))}`" for d in duplicate["definitions"]))
        lines.append("")
    lines += _markdown_warnings(inventory)
    for title, needs in (("Connections needed", inventory["connections"]), ("Variables needed", inventory["variables"])):
        if needs:
            lines += [f"## {title}", "", "| name | static | Kubernetes object | used by |", "|---|---|---|---|"]
            for need in needs:
                users = ", ".join(f"`{_cell(u['dag_id'])}{'.' + _cell(u['task_id']) if u['task_id'] else ''}` ({_cell(u['via'])}, line {u['line']})"
                                  for u in need["used_by"])
                source = f"{need['kubernetes']['kind']} `{need['kubernetes']['name']}`" if "kubernetes" in need else "-"
                lines.append(f"| `{_cell(need['name'])}` | {'yes' if need['resolved'] else 'no'} | {source} | {users} |")
            lines.append("")
    if inventory["failed_files"]:
        lines += ["## Files that could not be read or parsed", ""]
        for failed in inventory["failed_files"]:
            d = failed["diagnostic"]
            lines.append(f"- `{_cell(_where(d) or failed['path'])}` {d['code']} {_cell(d['message'])}")
        lines.append("")
    if inventory["files_without_dag"]:
        lines += ["## Files with no DAG", ""] + [f"- `{_cell(p)}`" for p in inventory["files_without_dag"]] + [""]
    return "\n".join(lines)


def _markdown_warnings(inventory: dict) -> List[str]:
    """Warnings grouped by code, each with its position, DAG and task."""
    by_code: Dict[str, List[dict]] = defaultdict(list)
    for dag in inventory["dags"]:
        for diagnostic in dag["diagnostics"]:
            if diagnostic["severity"] == WARNING:
                by_code[diagnostic["code"]].append({**diagnostic, "dag_id": dag["dag_id"]})
    for diagnostic in inventory["file_diagnostics"]:
        if diagnostic["severity"] == WARNING:
            by_code[diagnostic["code"]].append(diagnostic)
    if not by_code:
        return []
    lines = ["## Warnings", ""]
    for code in sorted(by_code):
        found = by_code[code]
        lines += [f"### {code} {CODES.get(code, '')} ({len(found)})", ""]
        for d in found:
            owner = ".".join(_cell(part) for part in (d.get("dag_id"), d.get("task_id")) if part)
            lines.append(f"- `{_cell(_where(d))}`" + (f" `{owner}`" if owner else "") + f": {_cell(d['message'])}")
        lines.append("")
    return lines


CSV_COLUMNS = ("status", "path", "line", "dag_id", "tasks", "native", "shim", "placeholder", "removed", "score", "ready",
               "blockers", "errors", "warnings", "families", "connections", "variables", "message")


def render_csv(inventory: dict) -> str:
    """One row per DAG (status "dag"), then one per failed file and per file without a DAG."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for dag in inventory["dags"]:
        writer.writerow({
            "status": "dag", "path": dag["path"], "line": dag["line"], "dag_id": dag["dag_id"], "tasks": dag["task_count"],
            **dag["fidelity"], "score": shown_score(dag["score"]), "ready": str(dag["ready"]).lower(), "blockers": len(dag["blockers"]),
            "errors": dag["errors"], "warnings": dag["warnings"],
            "families": ";".join(f"{k}:{v}" for k, v in dag["families"].items()),
            "connections": ";".join(dag["connections"]), "variables": ";".join(dag["variables"]), "message": "",
        })
    for failed in inventory["failed_files"]:
        d = failed["diagnostic"]
        writer.writerow({"status": "failed", "path": failed["path"], "line": d.get("line", ""), "message": f"{d['code']} {d['message']}"})
    for unread in inventory["unread_files"]:
        d = unread["diagnostic"]
        writer.writerow({"status": "unread", "path": unread["path"], "line": d["line"], "message": f"{d['code']} {d['message']}"})
    for duplicate in inventory["duplicate_dag_ids"]:
        for d in duplicate["definitions"]:
            writer.writerow({"status": "duplicate", "path": d["path"], "line": d["line"], "dag_id": duplicate["dag_id"],
                             "message": f"{DUPLICATE_CODE} dag id defined {len(duplicate['definitions'])} times"})
    for path in inventory["files_without_dag"]:
        writer.writerow({"status": "no_dag", "path": path})
    return buffer.getvalue()


# ------------------------------------------------------------------ SARIF 2.1.0
def _rule_name(code: str) -> str:
    """A PascalCase rule name from the code's description ("Python syntax error" -> "PythonSyntaxError")."""
    words = re.findall(r"[A-Za-z0-9]+", CODES.get(code, code))
    return "".join(w[:1].upper() + w[1:] for w in words) or code


def _artifact_uri(path: str) -> Tuple[str, bool]:
    """(uri, relative): relative paths become percent-encoded relative URIs under %SRCROOT%."""
    if path.startswith("/"):
        return Path(path).as_uri(), False
    return quote(path, safe="/-._~"), True


def to_sarif(inventory: dict) -> dict:
    """SARIF 2.1.0: rules are the KFM codes, one result per diagnostic with its file position."""
    rule_ids = sorted(CODES)
    rule_index = {code: i for i, code in enumerate(rule_ids)}
    rules = [{
        "id": code,
        "name": _rule_name(code),
        "shortDescription": {"text": CODES[code]},
        "fullDescription": {"text": f"{code}: {CODES[code]}"},
        "properties": {"category": {"1": "parse", "2": "mapping", "3": "emit", "4": "verify", "5": "kubeflow"}.get(code[3], "other")},
    } for code in rule_ids]
    results = []

    def add(diagnostic: dict, dag_id: Optional[str] = None) -> None:
        code = diagnostic["code"]
        if code not in rule_index:  # a code missing from CODES still gets a rule, never a dangling id
            rule_index[code] = len(rules)
            rules.append({"id": code, "name": code, "shortDescription": {"text": code}})
        context = ""
        if dag_id is not None:
            context = f" (DAG {dag_id}" + (f", task {diagnostic['task_id']})" if diagnostic.get("task_id") else ")")
        result = {
            "ruleId": code,
            "ruleIndex": rule_index[code],
            "level": SARIF_LEVELS.get(diagnostic["severity"], "warning"),
            "message": {"text": f"{diagnostic['message']}{context}"},
        }
        if "path" in diagnostic:
            uri, relative = _artifact_uri(diagnostic["path"])
            location = {"uri": uri, "uriBaseId": "%SRCROOT%"} if relative else {"uri": uri}
            result["locations"] = [{"physicalLocation": {
                "artifactLocation": location,
                "region": {"startLine": diagnostic["line"], "startColumn": diagnostic["col"]},
            }}]
        properties = {k: v for k, v in (("dag_id", dag_id), ("task_id", diagnostic.get("task_id"))) if v}
        if properties:
            result["properties"] = properties
        results.append(result)

    for failed in inventory["failed_files"] + inventory["unread_files"]:
        add(failed["diagnostic"])
    for duplicate in inventory["duplicate_dag_ids"]:
        others = ", ".join(map(_where, duplicate["definitions"]))
        for d in duplicate["definitions"]:
            add({"code": DUPLICATE_CODE, "severity": WARNING, **d,
                 "message": f"DAG id {duplicate['dag_id']!r} is defined {len(duplicate['definitions'])} times ({others}); "
                            "Airflow loads only one of them"})
    for diagnostic in inventory["file_diagnostics"]:
        add(diagnostic)
    for dag in inventory["dags"]:
        for diagnostic in dag["diagnostics"]:
            add(diagnostic, dag["dag_id"])
    root_uri = Path(inventory["root"]).as_uri().rstrip("/") + "/"
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kfmigrate",
                "version": inventory["tool"]["version"],
                "semanticVersion": inventory["tool"]["version"],
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"summary": inventory["summary"]},
        }],
    }
