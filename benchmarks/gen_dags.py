"""Generators of Airflow DAG files with random structure, and the graph each one must give.

One generator, two sources of randomness:

- `RandomChooser(random.Random(seed))` for benchmarks and the fuzz script (fast, reproducible);
- `HypothesisChooser(draw)` for property-based tests (tests/reliability/strategies.py), so
  hypothesis can shrink a failing DAG to a small one.

`build_file(chooser, ...)` returns a `FileSpec`; `render(spec)` gives the Python source and
`spec.expected()` gives, per dag id, the task ids and edges Airflow itself builds from that source
(tests/reliability/test_airflow_referee.py checks this model against a real Airflow DagBag).

The DAGs mix classic operators (BashOperator, PythonOperator, EmptyOperator) and TaskFlow (@task,
@task.bash), nested TaskGroups, dynamic mapping (.expand), dependencies written as >>, <<, lists,
chain() and set_downstream(), and data dependencies (a TaskFlow result passed to another task).
Ids are valid for Airflow ([\\w.-]+, unicode letters included) but hostile for a converter: Python
keywords, leading digits, dashes and dots, unicode, and families that collide once sanitised
(load-data / load_data / load.data / Load_Data).

Run it as a script to write files for the scale benchmarks:

    python benchmarks/gen_dags.py --tasks 1000 -o /tmp/big        # one DAG with 1,000 tasks
    python benchmarks/gen_dags.py --files 500 -o /tmp/folder       # 500 DAG files
"""
from __future__ import annotations

import argparse
import keyword
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

# ------------------------------------------------------------------ hostile material
KEYWORDS = sorted(set(keyword.kwlist) | {"print", "list", "dict", "type", "id", "dsl", "kfp", "pipeline"})
WORDS = ["load", "extract", "transform", "train", "report", "task", "step", "clean", "merge", "x"]
UNICODE_WORDS = ["données", "数据", "задача", "ñandú", "Größe", "café", "ǅemal", "δ", "naïve", "٣٤"]
# fragments of string arguments: quotes, escapes, newlines, Jinja, unicode, things that break naive quoting
STRING_PIECES = [
    "'", '"', "\\", "\\n", "\n", "\t", "'''", '"""', "{{ ds }}", "{{ params.x }}", "{{ ti.xcom_pull('a') }}",
    "{% if true %}y{% endif %}", "{", "}", "%s", "$HOME", "`id`", "é", "数据", "\u2028", "\x00", "\r\n",
    "#", "# comment", "\\'", "echo hi", " ", "\ud800",
]
KINDS = ("bash", "python", "empty", "taskflow", "taskflow_bash")
MAPPABLE = ("bash", "python", "taskflow")  # kinds drawn with .expand sometimes
DEP_FORMS = ("shift", "shift_list", "lshift", "chain", "set_downstream", "list_shift")


class RandomChooser:
    """Draws from random.Random: reproducible, fast; for benchmarks and the fuzz script."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def choice(self, options: Sequence):
        return options[self.rng.randrange(len(options))]

    def boolean(self, p: float = 0.5) -> bool:
        return self.rng.random() < p

    def raw_text(self, max_size: int) -> str:
        size = self.rng.randint(0, max_size)
        return "".join(chr(self.rng.choice((self.rng.randint(32, 126), self.rng.randint(0xA0, 0x2FFF)))) for _ in range(size))


class HypothesisChooser:
    """Draws through hypothesis, so failing examples shrink to the smallest DAG."""

    def __init__(self, draw):
        from hypothesis import strategies as st

        self.draw, self.st = draw, st

    def integer(self, low: int, high: int) -> int:
        return self.draw(self.st.integers(low, high))

    def choice(self, options: Sequence):
        return self.draw(self.st.sampled_from(list(options)))

    def boolean(self, p: float = 0.5) -> bool:
        return self.draw(self.st.booleans())

    def raw_text(self, max_size: int) -> str:
        return self.draw(self.st.text(max_size=max_size))


# ------------------------------------------------------------------ the model
@dataclass
class TaskSpec:
    index: int
    task_id: str  # as written in the file (task_id= / override(task_id=))
    kind: str  # one of KINDS
    group: Tuple[str, ...]  # enclosing TaskGroup ids as written, outermost first
    text: str  # the string argument: bash command, op_kwargs value or TaskFlow argument
    mapped: bool = False  # .expand over a literal list (or over an upstream TaskFlow result)
    data_from: Optional[int] = None  # index of an upstream TaskFlow task whose result is passed in

    @property
    def full_id(self) -> str:
        """The task id Airflow shows: group ids prefixed (prefix_group_id=True, the default)."""
        return ".".join(self.group + (self.task_id,))

    @property
    def var(self) -> str:
        return f"t{self.index}"


@dataclass
class DepSpec:
    form: str  # one of DEP_FORMS
    up: List[int]
    down: List[int]


@dataclass
class DagSpec:
    dag_id: str
    style: str  # 'with' (with DAG(...)) or 'decorator' (@dag def ...; called)
    tasks: List[TaskSpec]
    deps: List[DepSpec]
    func_name: str = "build"

    def edges(self) -> Set[Tuple[str, str]]:
        by_index = {t.index: t.full_id for t in self.tasks}
        out = set()
        for dep in self.deps:
            pairs = zip(dep.up, dep.down) if dep.form == "chain" else ((u, d) for u in dep.up for d in dep.down)
            out |= {(by_index[u], by_index[d]) for u, d in pairs}
        out |= {(by_index[t.data_from], t.full_id) for t in self.tasks if t.data_from is not None}
        return out


@dataclass
class FileSpec:
    dags: List[DagSpec]
    airflow2_imports: bool = False  # airflow.operators.* shims instead of providers.standard

    def expected(self) -> Dict[str, dict]:
        """dag id -> {"tasks": [full task ids in creation order], "edges": {(up, down)}}."""
        return {d.dag_id: {"tasks": [t.full_id for t in d.tasks], "edges": d.edges(),
                           "kinds": {t.full_id: t.kind for t in d.tasks}} for d in self.dags}


# ------------------------------------------------------------------ drawing a spec
def draw_id(chooser, taken: Sequence[str], allow_dots: bool = True) -> str:
    """A task/group/dag id Airflow accepts ([\\w.-]+), often nasty for a converter."""
    kind = chooser.choice(("word", "keyword", "unicode", "collide", "digit", "dashdot", "upper", "long"))
    if kind == "collide" and taken:
        base = chooser.choice(list(taken)).replace(".", "_")
        sep = chooser.choice(("-", "_", ".", "__") if allow_dots else ("-", "_", "__"))
        name = sep.join(base.split("_")) if "_" in base else base + sep + "x"
        if chooser.boolean():
            name = name.upper() if name.lower() == name else name.lower()
    elif kind == "keyword":
        name = chooser.choice(KEYWORDS)
    elif kind == "unicode":
        name = chooser.choice(UNICODE_WORDS) + chooser.choice(("", "_1", "-x"))
    elif kind == "digit":
        name = f"{chooser.integer(0, 99)}{chooser.choice(WORDS)}"
    elif kind == "dashdot":
        seps = ("-", ".") if allow_dots else ("-",)
        name = chooser.choice(WORDS) + chooser.choice(seps) + chooser.choice(WORDS)
    elif kind == "upper":
        name = chooser.choice(WORDS).upper()
    elif kind == "long":
        name = "_".join([chooser.choice(WORDS)] * chooser.integer(10, 20))[:60]  # Airflow caps full ids at 250
    else:
        name = chooser.choice(WORDS) + (f"_{chooser.integer(0, 9)}" if chooser.boolean() else "")
    if not allow_dots:
        name = name.replace(".", "_")
    return name or "t"


def draw_text(chooser, max_pieces: int = 5) -> str:
    parts = [chooser.choice(STRING_PIECES) if chooser.boolean(0.7) else chooser.raw_text(6)
             for _ in range(chooser.integer(0, max_pieces))]
    return "".join(parts)


def build_dag(chooser, dag_id: str, max_tasks: int = 12, max_depth: int = 2, style: Optional[str] = None) -> DagSpec:
    """A random DAG: groups drawn as a tree, tasks placed in it, edges only forward (acyclic)."""
    style = style or chooser.choice(("with", "decorator"))
    n_tasks = chooser.integer(1, max_tasks)
    tasks: List[TaskSpec] = []
    used_full: Set[str] = set()
    used_local: List[str] = []
    group_stack: List[str] = []
    group_children: Dict[Tuple[str, ...], Set[str]] = {}
    for index in range(n_tasks):
        # walk the group tree: maybe close a group, maybe open a new one (creation order = render order)
        if group_stack and chooser.boolean(0.3):
            group_stack.pop()
        if len(group_stack) < max_depth and chooser.boolean(0.25):
            siblings = group_children.setdefault(tuple(group_stack), set())
            group_id = draw_id(chooser, used_local, allow_dots=False)
            while group_id in siblings or ".".join(group_stack + [group_id]) in used_full:
                group_id += "_g"
            siblings.add(group_id)
            group_stack.append(group_id)
        kind = chooser.choice(KINDS)
        task_id = draw_id(chooser, used_local)
        full = ".".join(group_stack + [task_id])
        while full in used_full or any(u.startswith(full + ".") for u in used_full) or _is_group_prefix(full, group_children):
            task_id += "_"
            full = ".".join(group_stack + [task_id])
        used_full.add(full)
        used_local.append(task_id)
        spec = TaskSpec(index, task_id, kind, tuple(group_stack), draw_text(chooser))
        spec.mapped = kind in MAPPABLE and chooser.boolean(0.2)
        earlier_taskflow = [t.index for t in tasks if t.kind == "taskflow" and not t.mapped]
        if kind == "taskflow" and earlier_taskflow and chooser.boolean(0.4):
            spec.data_from = chooser.choice(earlier_taskflow)  # a data edge (mapped: expand over it)
        tasks.append(spec)
    deps = []
    for _ in range(chooser.integer(0, n_tasks + 2)) if n_tasks > 1 else ():
        form = chooser.choice(DEP_FORMS)
        if form == "chain" and n_tasks >= 3:
            picked = sorted({chooser.integer(0, n_tasks - 1) for _ in range(chooser.integer(2, 4))})
            if len(picked) >= 2:
                deps.append(DepSpec("chain", picked[:-1], picked[1:]))
            continue
        up = chooser.integer(0, n_tasks - 2)
        downs = sorted({chooser.integer(up + 1, n_tasks - 1) for _ in range(2 if form in ("shift_list", "list_shift") else 1)})
        if form == "list_shift" and up > 0:
            # [a, b] >> c: two upstreams, one downstream
            other = chooser.integer(0, up - 1)
            deps.append(DepSpec(form, sorted({other, up}), [downs[-1]]))
        else:
            deps.append(DepSpec(form if form != "list_shift" else "shift", [up], downs))
    return DagSpec(dag_id, style, tasks, deps)


def _is_group_prefix(full: str, group_children: Dict[Tuple[str, ...], Set[str]]) -> bool:
    """A task id equal to an existing group's full id would clash in Airflow's namespace."""
    return any(".".join(path + (child,)) == full for path, children in group_children.items() for child in children)


def build_file(chooser, max_dags: int = 2, max_tasks: int = 12, max_depth: int = 2) -> FileSpec:
    dags = []
    used: List[str] = []
    for _ in range(chooser.integer(1, max_dags)):
        dag_id = draw_id(chooser, used)
        while dag_id in used:
            dag_id += "_d"
        used.append(dag_id)
        dags.append(build_dag(chooser, dag_id, max_tasks, max_depth))
    for number, dag in enumerate(dags):
        dag.func_name = f"build_{number}"
    return FileSpec(dags, airflow2_imports=chooser.boolean(0.3))


# ------------------------------------------------------------------ rendering
def render(spec: FileSpec) -> str:
    if spec.airflow2_imports:
        ops = ("from airflow.operators.bash import BashOperator\n"
               "from airflow.operators.python import PythonOperator\n"
               "from airflow.operators.empty import EmptyOperator\n")
    else:
        ops = ("from airflow.providers.standard.operators.bash import BashOperator\n"
               "from airflow.providers.standard.operators.python import PythonOperator\n"
               "from airflow.providers.standard.operators.empty import EmptyOperator\n")
    lines = ["# Generated by benchmarks/gen_dags.py", "from datetime import datetime", "",
             "from airflow.sdk import DAG, TaskGroup, chain, dag, task", ops]
    for number, dag in enumerate(spec.dags):
        lines += _render_helpers(dag, number)
    for number, dag in enumerate(spec.dags):
        lines += _render_dag(dag, number)
    return "\n".join(lines) + "\n"


def _render_helpers(dag: DagSpec, number: int) -> List[str]:
    out = []
    for task in dag.tasks:
        name = f"fn_{number}_{task.index}"
        if task.kind == "python":
            out += [f"def {name}(value):", f"    return [value, {task.index}]", ""]
        elif task.kind == "taskflow":
            out += ["@task", f"def {name}(value):", f"    return [value, {task.index}]", ""]
        elif task.kind == "taskflow_bash":
            out += ["@task.bash", f"def {name}(value):", "    return 'echo ' + repr(value)", ""]
    return out


def _task_expr(task: TaskSpec, number: int) -> str:
    text = repr(task.text)
    name = f"fn_{number}_{task.index}"
    tid = repr(task.task_id)
    if task.kind == "empty":
        return f"EmptyOperator(task_id={tid})"
    if task.kind == "bash":
        if task.mapped:
            return f"BashOperator.partial(task_id={tid}).expand(bash_command=[{text}, 'echo 2'])"
        return f"BashOperator(task_id={tid}, bash_command={text})"
    if task.kind == "python":
        if task.mapped:
            return f"PythonOperator.partial(task_id={tid}, python_callable={name}).expand(op_args=[[{text}], [2]])"
        return f"PythonOperator(task_id={tid}, python_callable={name}, op_kwargs={{'value': {text}}})"
    argument = f"t{task.data_from}" if task.data_from is not None else text
    if task.kind == "taskflow" and task.mapped:
        over = f"t{task.data_from}" if task.data_from is not None else f"[{text}, 2]"
        return f"{name}.override(task_id={tid}).expand(value={over})"
    return f"{name}.override(task_id={tid})({argument})"


def _render_dag(dag: DagSpec, number: int) -> List[str]:
    header_args = f"dag_id={dag.dag_id!r}, schedule=None, start_date=datetime(2024, 1, 1), catchup=False"
    if dag.style == "decorator":
        out = [f"@dag({header_args})", f"def {dag.func_name}():"]
    else:
        out = [f"with DAG({header_args}) as dag_{number}:"]
    body: List[str] = []
    open_groups: List[str] = []
    group_counter = 0
    for task in dag.tasks:
        # close groups until the open ones are a prefix of this task's group path, then open the rest
        common = 0
        while common < len(open_groups) and common < len(task.group) and open_groups[common] == task.group[common]:
            common += 1
        # a group that was closed and reopened with the same id would be a second group: the model
        # never does that because groups are only opened for new tasks below the current path
        del open_groups[common:]
        for group_id in task.group[common:]:
            indent = "    " * (1 + len(open_groups))
            body.append(f"{indent}with TaskGroup({group_id!r}) as g{number}_{group_counter}:")
            group_counter += 1
            open_groups.append(group_id)
        indent = "    " * (1 + len(open_groups))
        body.append(f"{indent}{task.var} = {_task_expr(task, number)}")
    for dep in dag.deps:
        up = [f"t{i}" for i in dep.up]
        down = [f"t{i}" for i in dep.down]
        if dep.form == "chain":
            body.append(f"    chain({', '.join(up + down[-1:])})")
        elif dep.form == "shift_list":
            body.append(f"    {up[0]} >> [{', '.join(down)}]")
        elif dep.form == "lshift":
            body.append(f"    {down[0]} << {up[0]}" if len(down) == 1 else f"    [{', '.join(down)}] << {up[0]}")
        elif dep.form == "set_downstream":
            body.append(f"    {up[0]}.set_downstream([{', '.join(down)}])")
        elif len(up) > 1:
            body.append(f"    [{', '.join(up)}] >> {down[0]}")
        else:
            body.append(f"    {up[0]} >> {down[0]}" if len(down) == 1 else f"    {up[0]} >> [{', '.join(down)}]")
    out += body or ["    pass"]
    if dag.style == "decorator":
        out.append(f"{dag.func_name}()")
    out.append("")
    return out


# ------------------------------------------------------------------ fixed shapes for the scale benchmarks
def wide_dag_source(n_tasks: int, dag_id: str = "scale", seed: int = 0) -> str:
    """One DAG with n_tasks tasks (mixed operators, groups of 50, a chain plus cross edges).

    The shape is drawn with a fixed seed and grows linearly: twice the tasks, twice the edges.
    """
    rng = random.Random(seed)
    chooser = RandomChooser(rng)
    tasks = []
    for index in range(n_tasks):
        group = (f"block_{index // 50}",)
        kind = KINDS[index % len(KINDS)]
        tasks.append(TaskSpec(index, f"task_{index}", kind, group, f"echo {index} {{{{ ds }}}}",
                              mapped=(kind == "bash" and index % 7 == 0)))
    deps = [DepSpec("shift", [i - 1], [i]) for i in range(1, n_tasks)]
    deps += [DepSpec("shift", [i], [min(n_tasks - 1, i + chooser.integer(2, 20))]) for i in range(0, n_tasks - 2, 3)]
    return render(FileSpec([DagSpec(dag_id, "with", tasks, deps)]))


def chain_dag_source(n_tasks: int, dag_id: str = "chain") -> str:
    """One DAG of n_tasks PythonOperators in a chain, each calling a one-line function (no templates):
    the plainest shape, for spec size per task (its edges are one statement each, not one deep `>>`)."""
    lines = ["from datetime import datetime", "", "from airflow import DAG",
             "from airflow.providers.standard.operators.python import PythonOperator", "", "",
             "def step(i):", "    return i + 1", "", "",
             f"with DAG({dag_id!r}, start_date=datetime(2024, 1, 1), schedule=None) as dag:"]
    lines += [f"    t{i} = PythonOperator(task_id='step_{i}', python_callable=step, op_kwargs={{'i': {i}}})" for i in range(n_tasks)]
    lines += [f"    t{i - 1} >> t{i}" for i in range(1, n_tasks)]
    return "\n".join(lines) + "\n"


def folder_sources(n_files: int, tasks_per_dag: int = 12, seed: int = 0) -> Dict[str, str]:
    """n_files DAG files (file name -> source) of random structure, reproducible from the seed."""
    out = {}
    for number in range(n_files):
        chooser = RandomChooser(random.Random(seed * 1_000_003 + number))
        dag = build_dag(chooser, f"dag_{number:04d}", max_tasks=tasks_per_dag)
        dag.tasks = dag.tasks or []
        out[f"dag_{number:04d}.py"] = render(FileSpec([dag]))
    return out


def airflow_graphs(folder: Path) -> dict:
    """Load every DAG file under folder with Airflow's own DagBag: the referee for expected().

    Imports Airflow: run it in a child process with a throw-away AIRFLOW_HOME
    (`python benchmarks/gen_dags.py --airflow-graphs FOLDER -o OUT.json`; Airflow logs to stdout).
    """
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(folder), safe_mode=False)
    dags = {}
    for dag_id, dag in bag.dags.items():
        dags[dag_id] = {
            "file": Path(dag.fileloc).name,
            "tasks": list(dag.task_ids),
            "edges": sorted([up, task.task_id] for task in dag.tasks for up in task.upstream_task_ids),
        }
    return {"dags": dags, "import_errors": {Path(k).name: v for k, v in bag.import_errors.items()}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", type=Path, help="folder to write into (created)")
    parser.add_argument("--airflow-graphs", type=Path, metavar="FOLDER",
                        help="write to -o, as JSON, the tasks and edges Airflow's DagBag loads from FOLDER")
    parser.add_argument("--tasks", type=int, help="write one DAG with this many tasks (scale.py)")
    parser.add_argument("--files", type=int, help="write this many random DAG files")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.output is None:
        parser.print_help()  # `make bench` runs every script here: without options, only explain
        return 0
    if args.airflow_graphs:
        import json

        args.output.write_text(json.dumps(airflow_graphs(args.airflow_graphs)), encoding="utf-8")
        return 0
    args.output.mkdir(parents=True, exist_ok=True)
    if args.tasks:
        (args.output / "scale.py").write_text(wide_dag_source(args.tasks, seed=args.seed), encoding="utf-8")
    if args.files:
        for name, text in folder_sources(args.files, seed=args.seed).items():
            (args.output / name).write_text(text, encoding="utf-8")
    return 0


def replace_doc_block(doc: Path, name: str, title: str, heading: str, text: str) -> Path:
    """Replace the `<!-- name:start -->` ... `<!-- name:end -->` block of a docs page (the rest of the
    page belongs to others), or append it under `heading`; written to a temporary file, then renamed."""
    import os

    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    current = doc.read_text(encoding="utf-8") if doc.exists() else f"# {title}\n"
    block = f"{start}\n{text}{end}"
    if start in current and end in current:
        head, rest = current.split(start, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = current.rstrip("\n") + f"\n\n## {heading}\n\n" + block + "\n"
    tmp = doc.with_suffix(".md.tmp")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, doc)
    return doc


if __name__ == "__main__":
    raise SystemExit(main())
