"""What a conversion of a generated DAG file must satisfy, as a list of problems (empty = good).

Shared by the property tests (test_fuzz_properties.py) and the fuzz script (benchmarks/fuzz_convert.py).
The expected graph comes from benchmarks/gen_dags.py, whose model is refereed by a real Airflow
DagBag (test_airflow_referee.py).
"""
from __future__ import annotations

import ast
import keyword
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Set, Tuple

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))

import gen_dags  # noqa: E402  (benchmarks/gen_dags.py)

Edge = Tuple[str, str]


def closure(nodes: Iterable[str], edges: Iterable[Edge]) -> Set[Edge]:
    """All (a, b) with a path a -> ... -> b."""
    succ: Dict[str, Set[str]] = {n: set() for n in nodes}
    for a, b in edges:
        succ.setdefault(a, set()).add(b)
        succ.setdefault(b, set())
    out = set()
    for start in succ:
        stack, seen = list(succ[start]), set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(succ[node])
        out |= {(start, n) for n in seen}
    return out


def rewired(tasks: Iterable[str], edges: Set[Edge], removed: Set[str]) -> Set[Edge]:
    """Edges between kept tasks once removed tasks are bypassed: a -> (removed ...) -> b gives a -> b."""
    succ: Dict[str, Set[str]] = {}
    for a, b in edges:
        succ.setdefault(a, set()).add(b)
    out = set()
    for start in tasks:
        if start in removed:
            continue
        stack, seen = list(succ.get(start, ())), set()
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            if node in removed:
                stack.extend(succ.get(node, ()))
            else:
                out.add((start, node))
    return out


def spec_graph(yaml_text: str) -> Tuple[Dict[str, str], Set[Edge]]:
    """The executable tasks of a compiled PipelineSpec and their order, across nested DAGs.

    Returns {display name: task key} for tasks that run a container (not sub-DAG groups such as
    ParallelFor or condition groups) and the (upstream, downstream) display-name pairs implied by
    `dependentTasks`: a group's dependency applies to every task inside it.
    """
    import yaml

    spec = yaml.safe_load(yaml_text)
    components = spec.get("components", {})
    leaves: Dict[str, str] = {}  # display name -> task key
    # node path (tuple of keys from the root) -> display name for leaves
    leaf_paths: Dict[Tuple[str, ...], str] = {}
    sibling_edges: List[Tuple[Tuple[str, ...], Tuple[str, ...]]] = []

    def walk(dag: dict, prefix: Tuple[str, ...]) -> None:
        for key, task in (dag.get("tasks") or {}).items():
            path = prefix + (key,)
            for dep in task.get("dependentTasks") or ():
                sibling_edges.append((prefix + (dep,), path))
            component = components.get(task.get("componentRef", {}).get("name"), {})
            if "dag" in component:
                walk(component["dag"], path)
            else:
                name = task.get("taskInfo", {}).get("name", key)
                leaves[name] = key
                leaf_paths[path] = name

    walk(spec["root"]["dag"], ())
    edges = set()
    for up, down in sibling_edges:
        ups = [n for p, n in leaf_paths.items() if p[: len(up)] == up]
        downs = [n for p, n in leaf_paths.items() if p[: len(down)] == down]
        edges |= {(u, d) for u in ups for d in downs}
    return leaves, edges


def check_conversion(spec: "gen_dags.FileSpec", result, compiled_requested: bool) -> List[str]:
    """Problems with one FileResult of kfmigrate.migrate.api.convert_source(render(spec))."""
    problems: List[str] = []
    expected = spec.expected()
    if result.error is not None:
        return [f"file error on a valid DAG file: {result.error.render()}"]
    got = {c.dag_id: c for c in result.conversions}
    if set(got) != set(expected):
        problems.append(f"dag ids {sorted(got)} != expected {sorted(expected)}")
    for dag_id, want in expected.items():
        conversion = got.get(dag_id)
        if conversion is None:
            continue
        where = f"DAG {dag_id!r}"
        workflow = conversion.workflow
        task_ids = [t.task_id for t in workflow.tasks]
        if sorted(task_ids) != sorted(want["tasks"]):
            problems.append(f"{where}: tasks {sorted(set(task_ids) ^ set(want['tasks']))} differ from Airflow's")
        edges = {(e.upstream, e.downstream) for e in workflow.edges}
        if edges != want["edges"]:
            problems.append(f"{where}: edges missing {sorted(want['edges'] - edges)}, extra {sorted(edges - want['edges'])}")
        source = conversion.emitted.python_source
        try:
            compile(ast.parse(source), "<generated>", "exec")
        except (SyntaxError, ValueError) as exc:
            problems.append(f"{where}: generated Python does not compile: {exc}")
        try:
            source.encode("utf-8")
        except UnicodeEncodeError as exc:
            problems.append(f"{where}: generated Python is not encodable as UTF-8: {exc}")
        function = conversion.emitted.function_name
        # each DAG gets its own module, so two DAGs may share a function name; it must be valid
        if not function.isidentifier() or keyword.iskeyword(function):
            problems.append(f"{where}: pipeline function name {function!r} is not a Python identifier")
        problems += _check_report(where, conversion.report.to_json(), want)
        errors = [d for d in conversion.diagnostics if d.severity == "error"]
        if compiled_requested and conversion.yaml_text is None and not errors:
            problems.append(f"{where}: compile requested, no error reported, but no YAML")
        if conversion.yaml_text is not None:
            problems += _check_spec(where, conversion.yaml_text, conversion.report.to_json(), want)
    return problems


def _check_report(where: str, report: dict, want: dict) -> List[str]:
    problems = []
    rows = {t["task_id"]: t for t in report["tasks"]}
    if sorted(rows) != sorted(want["tasks"]):
        problems.append(f"{where}: report tasks {sorted(set(rows) ^ set(want['tasks']))} differ")
    kfp_tasks = set()  # component names may repeat: tasks differing only in their inputs share one
    for task_id, row in rows.items():
        removed = row["fidelity"] == "removed"
        if removed != (want["kinds"].get(task_id) == "empty"):
            problems.append(f"{where}: task {task_id!r} ({want['kinds'].get(task_id)}) has fidelity {row['fidelity']}")
        if removed:
            continue
        component, kfp_task = row["component"], row["kfp_task"]
        if not (isinstance(component, str) and component.isidentifier() and not keyword.iskeyword(component)):
            problems.append(f"{where}: component name {component!r} for {task_id!r} is not a Python identifier")
        elif not component.isascii():
            problems.append(f"{where}: component name {component!r} for {task_id!r} is not ASCII")
        if not kfp_task or kfp_task in kfp_tasks:
            problems.append(f"{where}: KFP task name {kfp_task!r} for {task_id!r} is missing or used twice")
        kfp_tasks.add(kfp_task)
        if report["names"].get(task_id) != component:
            problems.append(f"{where}: report names[{task_id!r}] = {report['names'].get(task_id)!r}, component is {component!r}")
    return problems


def _check_spec(where: str, yaml_text: str, report: dict, want: dict) -> List[str]:
    problems = []
    leaves, spec_edges = spec_graph(yaml_text)
    removed = {t for t, kind in want["kinds"].items() if kind == "empty"}
    kept = [t for t in want["tasks"] if t not in removed]
    missing = [t for t in kept if t not in leaves]
    # helper tasks the emitter adds for a task (e.g. "<task id> (map items)" feeding a ParallelFor)
    # are allowed when named after their Airflow task; anything else is an unexplained task
    extra = sorted(n for n in set(leaves) - set(kept) if not any(n.startswith(t + " (") for t in want["tasks"]))
    if not kept and len(extra) == 1:
        extra = []  # a pipeline needs one task: a DAG of EmptyOperators only gets a no-op stand-in
    if missing or extra:
        problems.append(f"{where}: compiled spec tasks missing {missing}, extra {extra}")
    rows = {t["task_id"]: t for t in report["tasks"]}
    for task_id in kept:
        if task_id in leaves and rows.get(task_id, {}).get("kfp_task") != leaves[task_id]:
            problems.append(f"{where}: report kfp_task {rows.get(task_id, {}).get('kfp_task')!r} for {task_id!r}, "
                            f"compiled spec key is {leaves[task_id]!r}")
    need = rewired(want["tasks"], want["edges"], removed)
    kept_set = set(kept)
    # order through any path, helper tasks included, restricted to the Airflow tasks kept
    order_kfp = {e for e in closure(leaves, spec_edges) if e[0] in kept_set and e[1] in kept_set}
    lost = sorted(need - order_kfp)
    if lost:
        problems.append(f"{where}: compiled spec lost edges {lost}")
    order_airflow = closure(kept, need)
    if order_kfp != order_airflow:
        problems.append(f"{where}: compiled spec orders tasks differently: extra {sorted(order_kfp - order_airflow)[:5]}, "
                        f"missing {sorted(order_airflow - order_kfp)[:5]}")
    return problems
