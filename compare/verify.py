"""Equivalence check: run the original DAG on Airflow and its conversion on kfp.local, compare per task.

    from kfmigrate.compare.verify import verify_file
    for result in verify_file(Path("dags/etl.py"), params={"region": "us"}, logical_date="2024-03-05"):
        result.verdict        # "equivalent" | "different" | "incomplete"
        result.differences    # every difference, one line each

Both sides get the same parameters, the same logical date and the same run id (Airflow's, passed to
the pipeline's `run_id` parameter). Per Airflow task (per map index for mapped tasks) we compare:
- the outcome: ran / skipped / failed / not run because an upstream failed;
- the XCom return value (and the other XCom keys the conversion carries) against the component's
  outputs, after JSON normalisation;
- rendered templated fields, where the KFP side reports them in its log (a line
  `[kfmigrate] rendered {"field": value, ...}`); otherwise they are listed as not observable.
Tasks that cannot run locally (container components without Docker) are "not run locally" and
make the verdict incomplete: they are never counted as equivalent.
"""
from __future__ import annotations

import json
import math
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional

from kfmigrate.compare.engines.normalise import normalise
from kfmigrate.migrate.contracts import ATTEMPT_MARKER, RENDERED_MARKER, RETURN_KEY, SKIP_OUTPUT, STATE_OUTPUT
from kfmigrate.migrate.report import MigrationReport, TaskEntry

EQUIVALENT, DIFFERENT, INCOMPLETE = "equivalent", "different", "incomplete"
EXIT_CODES = {EQUIVALENT: 0, DIFFERENT: 1, INCOMPLETE: 2}
# XCom keys that are Airflow's own bookkeeping, not task results
INTERNAL_XCOM_KEYS = ("skipmixin_key", "_link_", "__")


@dataclass
class TaskComparison:
    task: str  # Airflow task id, "task_id[i]" for map index i
    kfp_task: Optional[str]
    fidelity: str
    airflow_state: str
    kfp_state: str
    status: str  # same | different | not_run_locally | removed | not_compared
    airflow_return: object = None
    kfp_return: object = None
    differences: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    kfp_reason: str = ""  # why kfp.local did not run the task, when it did not


@dataclass
class VerifyResult:
    dag_id: str
    dag_file: str
    verdict: str
    logical_date: Optional[str] = None
    run_id: str = ""
    params: dict = field(default_factory=dict)
    airflow_state: str = ""
    kfp_state: str = ""
    airflow_seconds: float = 0.0
    kfp_seconds: float = 0.0
    tasks: list = field(default_factory=list)  # TaskComparison
    differences: list = field(default_factory=list)  # every difference, "task: what"
    problems: list = field(default_factory=list)  # why a side could not run / what is incomplete
    bad_input: bool = False  # nothing could run because of the user's input (unparsable file, unknown param, ...)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("bad_input")  # never in verify.json: the CLI writes none for bad input
        return data


# ---------------------------------------------------------------- the verify report file and the exit code
def report_file(outdir: Path, results: list) -> Path:
    """verify-<dag_id>.json for one DAG (verifying another DAG in the same folder keeps this one),
    verify.json for several."""
    from kfmigrate.migrate.output import file_stem

    if len(results) == 1:
        return outdir / f"verify-{file_stem(results[0].dag_id)}.json"
    return outdir / "verify.json"


def is_verify_report(path: Path) -> bool:
    """A report an earlier `kfmigrate verify` wrote (replaced without --force); anything else is kept."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(data, dict):
        return False
    tool = data.get("tool")
    if isinstance(tool, dict):
        return tool.get("name") == "kfmigrate" and tool.get("command") == "verify"
    return {"summary", "logical_date", "params", "results"} <= set(data)  # written before the tool field


def verdict_counts(results: list) -> dict:
    return {verdict: sum(r.verdict == verdict for r in results) for verdict in (EQUIVALENT, DIFFERENT, INCOMPLETE)}


def report_document(results: list, logical_date: Optional[str], params: dict) -> dict:
    """The verify report file's content."""
    from kfmigrate.migrate.version import version

    return {
        "tool": {"name": "kfmigrate", "command": "verify", "version": version()},
        "summary": {"dags": len(results), **verdict_counts(results)},
        "logical_date": logical_date, "params": params,
        "results": [r.to_json() for r in results],
    }


def exit_code(results: list) -> int:
    """1 when some DAG is different, else 2 when some is incomplete, else 0."""
    counts = verdict_counts(results)
    return EXIT_CODES[DIFFERENT] if counts[DIFFERENT] else EXIT_CODES[INCOMPLETE] if counts[INCOMPLETE] else 0


# ---------------------------------------------------------------- value comparison

def same_value(a, b) -> bool:
    """Deep equality of JSON-normalised values; ints and floats compare by value, bools do not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b or (isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-12))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    return a == b


def kfp_matches(airflow_value, kfp_value) -> bool:
    """Does a component output carry the Airflow XCom value?

    The converter sends most XComs as JSON text (so None and nested values survive) and some typed
    (str, int, ...). The migration report does not say which, so a string output matches when it
    equals the Airflow value as is, or after JSON decoding.
    """
    airflow_value, kfp_value = normalise(airflow_value), normalise(kfp_value)
    if same_value(airflow_value, kfp_value):
        return True
    if isinstance(kfp_value, str):
        try:
            decoded = json.loads(kfp_value)
        except ValueError:
            return False
        return same_value(airflow_value, normalise(decoded))
    return False


def decoded(kfp_value):
    """A component output for display: JSON text decoded when it is JSON."""
    if isinstance(kfp_value, str):
        try:
            return json.loads(kfp_value)
        except ValueError:
            return kfp_value
    return kfp_value


# ---------------------------------------------------------------- outcomes

def airflow_outcome(state: str) -> str:
    return {"success": "ran", "skipped": "skipped", "failed": "failed", "upstream_failed": "upstream_failed",
            "up_for_retry": "failed", "removed": "not_run"}.get(state, state or "none")


def kfp_outcome(task) -> str:
    if task.state == "succeeded":
        recorded = task.outputs.get(STATE_OUTPUT)  # a failure carried as data (trigger rules downstream see it)
        if recorded in ("failed", "upstream_failed", "skipped"):
            return recorded
        return "skipped" if task.outputs.get(SKIP_OUTPUT) is True else "ran"
    if task.state == "not_run":
        return "not_run_locally" if "container component" in task.reason else "upstream_failed"
    return task.state  # failed | skipped


def rendered_from_log(task) -> Optional[dict]:
    """Rendered templated fields a KFP component reported in its log (last attempt), if it did.

    A task may report in several lines (a @task.bash reports its arguments, then its command):
    they are merged.
    """
    lines = task.log_tail
    if task.log_path and Path(task.log_path).exists():
        lines = Path(task.log_path).read_text(errors="replace").splitlines()
    found = None
    for line in lines:
        if line.startswith(ATTEMPT_MARKER):  # the run's own marker between attempts (retries)
            found = None
        elif line.startswith(RENDERED_MARKER):
            try:
                fields = json.loads(line[len(RENDERED_MARKER):])
            except ValueError:
                continue
            found = {**(found or {}), **fields}
    return found


def compare_task(task_name: str, info: TaskEntry, airflow_task, kfp_task) -> TaskComparison:
    """One Airflow task instance against its KFP task (either may be missing)."""
    a_out = airflow_outcome(airflow_task.state) if airflow_task else "missing"
    k_out = kfp_outcome(kfp_task) if kfp_task else "missing"
    row = TaskComparison(task=task_name, kfp_task=info.kfp_task, fidelity=info.fidelity,
                         airflow_state=airflow_task.state if airflow_task else "missing",
                         kfp_state=(k_out if kfp_task else "missing"), status="same",
                         kfp_reason=kfp_task.reason if kfp_task is not None and kfp_task.state == "not_run" else "")
    if airflow_task is not None and airflow_task.has_xcom_return:
        row.airflow_return = normalise(airflow_task.xcom_return)
    if kfp_task is not None and RETURN_KEY in info.outputs:
        row.kfp_return = normalise(decoded(kfp_task.outputs.get(info.outputs[RETURN_KEY])))

    if k_out == "not_run_locally":
        row.status = "not_run_locally"
        row.notes.append(kfp_task.reason)
        return row
    needs = cluster_need(info)
    if k_out == "failed" and needs:
        # the KFP side of this task talks to a Kubeflow cluster, which kfp.local does not have
        row.status = "not_run_locally"
        row.notes.append(f"{info.operator} {needs}; kfp.local has none"
                         + (f" ({failure_line(kfp_task)})" if failure_line(kfp_task) else ""))
        return row
    if a_out == k_out == "failed" and (info.fidelity == "placeholder" or info.operator.endswith("Sensor")):
        # both failing proves nothing here: a placeholder fails by design, and a sensor failing on
        # both sides is waiting for an external system neither run can reach
        why = ("placeholder component (no KFP mapping): it fails by design" if info.fidelity == "placeholder"
               else f"{info.operator} waits for an external system")
        row.status = "not_run_locally"
        row.notes.append(f"failed on both sides: {why}")
        return row
    if a_out != k_out:
        row.differences.append(f"outcome: Airflow {a_out} ({row.airflow_state}), KFP {k_out}")
        for side, task, outcome in (("Airflow", airflow_task, a_out), ("KFP", kfp_task, k_out)):
            why = failure_line(task) if outcome == "failed" else ""
            if why:
                row.notes.append(f"{side} failure: {why}")
    if a_out == "ran" and k_out == "ran":
        compare_xcoms(info, airflow_task, kfp_task, row)
        compare_rendered(airflow_task, kfp_task, row)
    if row.differences:
        row.status = "different"
    return row


# What the KFP form of a task needs from a Kubeflow cluster, by the diagnostic the converter gives it
CLUSTER_NEEDS = {
    "KFM212": "waits for a person's answer in a Kubernetes ConfigMap",
    "KFM213": "polls the KFP API server for another pipeline's runs",
}
CLUSTER_OPERATORS = {"TriggerDagRunOperator": "starts a run of another pipeline through the KFP API server"}


def cluster_need(info: TaskEntry) -> str:
    """Why a task's KFP form needs a Kubeflow cluster (empty when it does not)."""
    codes = {diagnostic.code for diagnostic in info.diagnostics}
    found = [why for code, why in CLUSTER_NEEDS.items() if code in codes]
    found += [why for operator, why in CLUSTER_OPERATORS.items() if info.operator == operator]
    return found[0] if found else ""


def failure_line(task) -> str:
    """The line of a failed task's log that says why (its last exception line), if any."""
    import re

    for line in reversed(task.log_tail if task is not None else []):
        found = re.search(r"\b(\w+(Error|Exception|Exit)\b.*)", line)
        if found and "Traceback" not in line:
            return found.group(1)[:300]
    return ""


def compare_xcoms(info: TaskEntry, airflow_task, kfp_task, row: TaskComparison) -> None:
    outputs = info.outputs
    airflow_values = dict(airflow_task.xcoms)
    if airflow_task.has_xcom_return:
        airflow_values[RETURN_KEY] = airflow_task.xcom_return
    for key, output in outputs.items():
        if output not in kfp_task.outputs:
            row.differences.append(f"XCom {key!r}: the component has no output {output!r}")
            continue
        expected = airflow_values.get(key)  # Airflow pushes nothing for None: compare with None
        if not kfp_matches(expected, kfp_task.outputs[output]):
            row.differences.append(
                f"XCom {key!r}: Airflow {short(normalise(expected))}, KFP {short(normalise(decoded(kfp_task.outputs[output])))}")
    for key in airflow_values:
        if key not in outputs and not key.startswith(INTERNAL_XCOM_KEYS):
            row.notes.append(f"XCom {key!r} is not carried by the conversion (nothing reads it downstream)")


def compare_rendered(airflow_task, kfp_task, row: TaskComparison) -> None:
    """Airflow's rendered templated fields against those the component logged.

    Fields the component does not report are listed as not observable. Where Airflow stored less
    than the value (a secret masked as `***`, a value truncated past max_templated_field_length),
    only the part it kept is compared, and a note says so.
    """
    if not airflow_task.rendered_fields:
        return
    reported = rendered_from_log(kfp_task) or {}
    unobserved = []
    for name, value in sorted(airflow_task.rendered_fields.items()):
        found, kfp_value = reported_field(reported, name)
        if not found:
            if value not in (None, "", [], {}):
                unobserved.append(name)
            continue
        verdict = rendered_match(normalise(value), normalise(kfp_value))
        if verdict is False:
            row.differences.append(f"rendered {name}: Airflow {short(value)}, KFP {short(kfp_value)}")
        elif verdict != "same":
            row.notes.append(f"rendered {name}: {verdict}")
    if unobserved:
        row.notes.append("rendered fields not observable on KFP: " + ", ".join(unobserved))


def reported_field(reported: dict, name: str) -> tuple[bool, object]:
    """A reported field by Airflow's name; "field.key.key" (template_fields_renderers) reaches inside."""
    if name in reported:
        return True, reported[name]
    base, _, rest = name.partition(".")
    if not rest or base not in reported:
        return False, None
    value = reported[base]
    for key in rest.split("."):
        if not isinstance(value, dict) or key not in value:
            return False, None
        value = value[key]
    return True, value


MASK = "***"
LAZY_SEQUENCE = "LazyXComSequence("
TRUNCATED = "Truncated. You can change this behaviour in [core]max_templated_field_length. "


def rendered_match(airflow_value, kfp_value):
    """"same", False, or a note when Airflow kept only part of the value and that part matches."""
    import re

    if same_value(airflow_value, kfp_value):
        return "same"
    if isinstance(airflow_value, str) and airflow_value.startswith(TRUNCATED):
        kept = airflow_value[len(TRUNCATED):].removesuffix("...")  # the start of str(value)
        text = kfp_value if isinstance(kfp_value, str) else str(kfp_value)
        return "truncated by Airflow; the part it kept matches" if text.startswith(kept) else False
    if airflow_value == MASK or kfp_value == MASK:
        return "masked as a secret; not compared"
    if isinstance(airflow_value, str) and airflow_value.startswith(LAZY_SEQUENCE) and isinstance(kfp_value, list):
        # the values of mapped tasks collected downstream: Airflow keeps only the lazy proxy's text
        return "Airflow stores a lazy sequence of mapped outputs, not its values; not compared"
    if isinstance(airflow_value, str) and MASK in airflow_value and isinstance(kfp_value, str):
        pattern = ".*".join(map(re.escape, airflow_value.split(MASK)))
        return "secrets masked by Airflow; the rest matches" if re.fullmatch(pattern, kfp_value, re.S) else False
    if isinstance(airflow_value, dict) and isinstance(kfp_value, dict) and airflow_value.keys() == kfp_value.keys():
        parts = [rendered_match(airflow_value[k], kfp_value[k]) for k in airflow_value]
    elif isinstance(airflow_value, list) and isinstance(kfp_value, list) and len(airflow_value) == len(kfp_value):
        parts = [rendered_match(a, k) for a, k in zip(airflow_value, kfp_value)]
    else:
        return False
    if any(part is False for part in parts):
        return False
    return next((part for part in parts if part != "same"), "same")


def short(value, limit: int = 120) -> str:
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- whole runs

def split_instances(tasks: dict) -> dict:
    """{"t": run, "m[0]": run, ...} -> {"t": {None: run}, "m": {0: run, ...}}."""
    grouped: dict = {}
    for name, task in tasks.items():
        base, _, rest = name.partition("[")
        index = int(rest.rstrip("]").split("][")[0]) if rest else None
        grouped.setdefault(base, {})[index] = task
    return grouped


def compare_runs(report: MigrationReport, airflow_run, kfp_run) -> tuple[list, list]:
    """Per-task comparisons and the flat list of differences."""
    rows, differences = [], []
    airflow_tasks = split_instances(airflow_run.tasks)
    kfp_tasks = split_instances(kfp_run.tasks)
    reported = {t.task_id: t for t in report.tasks}
    for task_id in sorted(set(airflow_tasks) | set(reported)):
        info = reported.get(task_id)
        instances = airflow_tasks.get(task_id, {})
        if info is None:
            for index, a_task in sorted(instances.items(), key=lambda kv: (kv[0] is not None, kv[0] or 0)):
                name = task_id if index is None else f"{task_id}[{index}]"
                rows.append(TaskComparison(task=name, kfp_task=None, fidelity="missing", airflow_state=a_task.state,
                                           kfp_state="missing", status="different",
                                           differences=["ran on Airflow but the conversion has no such task"]))
            continue
        if not info.kfp_task:
            # removed in the conversion (an EmptyOperator): nothing runs on KFP to compare with
            states = sorted({a.state for a in instances.values()}) or ["missing"]
            rows.append(TaskComparison(task=task_id, kfp_task=None, fidelity=info.fidelity or "removed",
                                       airflow_state="/".join(states), kfp_state="removed", status="removed",
                                       notes=["no KFP task (edges rewired around it)"]))
            continue
        k_instances = kfp_tasks.get(info.kfp_task, {})
        # a mapped task has one instance per index on each side; an unexpanded one (empty input,
        # upstream failure) shows as index None on either side
        if (set(k_instances) == {None} and set(instances) - {None} and _skipped_whole(k_instances, kfp_outcome)
                and _skipped_whole(instances, lambda t: airflow_outcome(t.state))):
            # a mapped task in a dsl.If that was not entered is one skipped instance on KFP, while
            # Airflow expands a literal list even for a skipped task: skipped on both sides
            instances, k_instances = {None: next(iter(instances.values()))}, {None: k_instances[None]}
        indices = set(instances) | set(k_instances)
        for index in sorted(indices, key=lambda i: -1 if i is None else i):
            name = task_id if index is None else f"{task_id}[{index}]"
            row = compare_task(name, info, instances.get(index), k_instances.get(index))
            rows.append(row)
    not_reached_because_not_local(rows, reported)
    not_reached_after_a_failure(rows, reported)
    for row in rows:
        differences.extend(f"{row.task}: {d}" for d in row.differences)
    return rows, differences


def _skipped_whole(instances: dict, outcome) -> bool:
    """True when every instance of a task was skipped (one unexpanded or several mapped ones)."""
    return bool(instances) and all(outcome(task) == "skipped" for task in instances.values())


def upstream_of(task_id: str, reported: dict) -> list:
    """The upstream task ids of a reported task (none for a task the report does not know)."""
    return reported[task_id].upstream if task_id in reported else []


def ancestors(task_id: str, reported: dict) -> set:
    found, todo = set(), list(upstream_of(task_id, reported))
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(upstream_of(name, reported))
    return found


def not_reached_after_a_failure(rows: list, reported: dict) -> None:
    """Tasks kfp.local never reached because the run stopped at a failure ELSEWHERE are not compared.

    KFP schedules no new task once one has failed (kfp.local stops; Argo's DAGs fail fast), while
    Airflow runs every task whose upstream allows it. A task downstream of the failure keeps its
    outcome comparison (its trigger rule decides there); an unrelated one cannot be compared, and
    the verdict is then incomplete, never equivalent.
    """
    failed = {row.task.split("[")[0] for row in rows if row.kfp_state == "failed"}
    for row in rows:
        if (row.status != "different" or not row.kfp_reason.startswith("not reached")
                or not all(d.startswith("outcome:") for d in row.differences)):
            continue
        if ancestors(row.task.split("[")[0], reported) & failed:
            continue
        row.status, row.differences = "not_compared", []
        row.notes.append("not reached on KFP: the run stopped at the failure of " + ", ".join(sorted(failed))
                         + " (KFP starts no new task after a failure)")


def not_reached_because_not_local(rows: list, reported: dict) -> None:
    """A KFP task left unrun only because an upstream task cannot run locally is not run locally too.

    Only the outcome is excused, and only when every failed upstream task (transitively) is one
    that cannot run locally: any other difference stands.
    """
    by_task = {row.task.split("[")[0]: row for row in rows}
    not_local = {name for name, row in by_task.items() if row.status == "not_run_locally"}
    changed = True
    while changed:
        changed = False
        for name, row in by_task.items():
            if name in not_local or row.kfp_state != "upstream_failed" or row.status != "different":
                continue
            upstream, seen = set(upstream_of(name, reported)), set()
            while any(u in by_task and by_task[u].status == "removed" and u not in seen for u in upstream):
                for u in [u for u in upstream if u in by_task and by_task[u].status == "removed"]:
                    seen.add(u)  # edges were rewired around a removed task: look through it
                    upstream |= set(upstream_of(u, reported))
            blocking = {u for u in upstream if u in by_task and by_task[u].kfp_state in ("failed", "upstream_failed",
                                                                                         "not_run_locally")}
            if blocking and blocking <= not_local and all(
                    d.startswith("outcome:") for d in row.differences):
                row.status, row.differences = "not_run_locally", []
                row.notes.append("not reached on KFP: upstream " + ", ".join(sorted(blocking)) + " cannot run locally")
                not_local.add(name)
                changed = True


def verify_conversion(
    dag_file: Path,
    dag_id: str,
    pipeline: Path | dict,
    report: MigrationReport,
    params: dict | None = None,
    logical_date: str | None = None,
    on_progress: Callable[[str], object] | None = None,
    airflow_run=None,
    timeout: float | None = 600,
) -> VerifyResult:
    """Run the DAG on Airflow and the converted pipeline on kfp.local, and compare.

    airflow_run: an Airflow DagRun of this DAG with these params and logical date, already made
    (by kfmigrate.compare.engines.airflow.run_dag), to compare several conversions against one Airflow run.
    """
    from kfmigrate.compare.engines import airflow as airflow_engine
    from kfmigrate.compare.engines import kfp_local

    params = dict(params or {})
    result = VerifyResult(dag_id=dag_id, dag_file=str(dag_file), verdict=INCOMPLETE)
    try:
        spec = without_retry_delays(pipeline if isinstance(pipeline, dict) else kfp_local.load_spec(pipeline))
        pipeline_params, airflow_conf = split_params(report, spec, params)
        iso_date = airflow_engine.parse_logical_date(logical_date) if logical_date else None
    except (kfp_local.EngineError, airflow_engine.AirflowEngineError) as exc:
        result.problems.append(str(exc))
        result.bad_input = True
        return result
    result.params = params

    progress = on_progress or (lambda message: None)
    if airflow_run is None:
        progress(f"{dag_id}: running the DAG on Airflow (dag.test)")
        try:
            airflow_run = airflow_engine.run_dag(dag_file, dag_id, airflow_conf, iso_date, timeout=timeout)
        except airflow_engine.AirflowEngineError as exc:
            result.problems.append(f"Airflow could not run the DAG: {exc}")
            return result
    result.airflow_state, result.airflow_seconds = airflow_run.state, airflow_run.total_seconds
    result.logical_date, result.run_id = airflow_run.logical_date, airflow_run.run_id
    if not airflow_run.tasks and any(t.kfp_task for t in report.tasks):
        # Airflow creates no task instance for a logical date before the DAG's start_date
        start = report.schedule.airflow.start_date
        hint = f"; the DAG's start_date is {start}" if start else ""
        result.problems.append(f"Airflow ran no task for logical date {airflow_run.logical_date}{hint}: "
                               "choose a logical date on or after the start date")
        return result

    declared = kfp_local.input_types(spec)
    if "logical_date" in declared:
        pipeline_params["logical_date"] = airflow_run.logical_date or ""
    if "run_id" in declared:
        pipeline_params["run_id"] = airflow_run.run_id
    from kfmigrate.migrate.environment import uncovered_messages

    for line in uncovered_messages(spec, pipeline if isinstance(pipeline, Path) else None):
        progress(f"{dag_id}: {line}")  # a local success must not hide a cluster failure
    progress(f"{dag_id}: running the conversion on kfp.local")
    with tempfile.TemporaryDirectory(prefix="kfmigrate-verify-") as root:
        try:
            kfp_run = kfp_local.run_pipeline(spec, pipeline_params, root, timeout=timeout)
        except kfp_local.EngineError as exc:
            result.problems.append(f"kfp.local could not run the pipeline: {exc}")
            return result
        result.kfp_state, result.kfp_seconds = kfp_run.state, kfp_run.total_seconds
        rows, differences = compare_runs(report, airflow_run, kfp_run)  # reads task logs: inside the root
    if kfp_run.crash:  # no task comparison means anything when kfp.local itself broke
        result.problems.append(f"kfp.local could not run the pipeline: {kfp_run.crash}")
        return result
    result.tasks, result.differences = rows, differences
    not_local = [r.task for r in rows if r.status == "not_run_locally"]
    not_compared = [r.task for r in rows if r.status == "not_compared"]
    if differences:
        result.verdict = DIFFERENT
    elif not_local or not_compared:
        result.verdict = INCOMPLETE
        if not_local:
            result.problems.append(f"{len(not_local)} task(s) not run locally: {', '.join(not_local)}")
        if not_compared:
            result.problems.append(f"{len(not_compared)} task(s) not reached on KFP after a failure elsewhere: "
                                   + ", ".join(not_compared))
    elif result.problems:
        result.verdict = INCOMPLETE
    else:
        result.verdict = EQUIVALENT
    return result


def without_retry_delays(spec: dict) -> dict:
    """Same retry counts, no waiting between attempts: a verify run should not sleep for minutes."""
    from kfmigrate.compare.engines.kfp_local import limit_retries

    return limit_retries(spec, max_delay=0)


def split_params(report: MigrationReport, spec: dict, params: dict) -> tuple[dict, dict]:
    """User params (DAG param names, or pipeline parameter names) -> (pipeline args, Airflow conf).

    Values are typed from the pipeline's declared inputs so both sides get the same typed value.
    """
    from kfmigrate.compare.engines.kfp_local import EngineError, coerce_params

    by_dag_param = {p.from_param: p.name for p in report.pipeline.parameters if p.from_param}
    to_dag_param = {v: k for k, v in by_dag_param.items()}
    pipeline_raw, unknown = {}, []
    for name, value in params.items():
        if name in by_dag_param:
            pipeline_raw[by_dag_param[name]] = value
        elif name in to_dag_param:
            pipeline_raw[name] = value
        else:
            unknown.append(name)
    if unknown:
        known = ", ".join(sorted(by_dag_param)) or "none"
        raise EngineError(f"unknown parameter(s) {', '.join(sorted(unknown))} (DAG params: {known})")
    typed = coerce_params(spec, pipeline_raw)
    conf = {to_dag_param[name]: value for name, value in typed.items()}
    return typed, conf


def verify_file(
    dag_file: Path,
    dag_id: str | None = None,
    params: dict | None = None,
    logical_date: str | None = None,
    on_progress: Callable[[str], object] | None = None,
    tamper: Callable[[str], str] | None = None,
    timeout: float | None = 600,
) -> list[VerifyResult]:
    """Convert a DAG file and verify each DAG in it (or only dag_id).

    tamper: optional function applied to the compiled pipeline YAML text before the run (tests use
    it to prove that a wrong conversion is caught).
    """
    return verify_files([dag_file], dag_id, params, logical_date, on_progress, tamper, timeout)


def verify_files(
    dag_files: list,
    dag_id: str | None = None,
    params: dict | None = None,
    logical_date: str | None = None,
    on_progress: Callable[[str], object] | None = None,
    tamper: Callable[[str], str] | None = None,
    timeout: float | None = 600,
    on_result: Callable[[VerifyResult], object] | None = None,
    refuse_bad_input: bool = False,
    environment=None,
) -> list[VerifyResult]:
    """Convert DAG files and verify every DAG in them (or only dag_id).

    All Airflow runs happen first, batched in one Airflow process (its start-up costs seconds per
    process); then each conversion runs on kfp.local and is compared. on_result gets each result as
    soon as it is known. Files without DAGs are left out when there are several files.

    Results that come from the user's input (an unparsable file, no such DAG, an unknown or
    mistyped param) have bad_input set. With refuse_bad_input, if there is any,
    only those are returned and nothing runs. environment: the conversion's runtime mode
    (kfmigrate.migrate.emit.environment.Environment; None: convert's default, the runtime package).
    """
    import yaml

    from kfmigrate.compare.engines import airflow as airflow_engine
    from kfmigrate.compare.engines import kfp_local
    from kfmigrate.migrate.api import convert_file

    progress = on_progress or (lambda message: None)
    results: list = []  # VerifyResult, or a pending (dag_file, dag_id, spec, report, job index)
    jobs = []
    for dag_file in map(Path, dag_files):
        progress(f"converting {dag_file}")
        converted = convert_file(dag_file, compile=True, environment=environment)
        if converted.error is not None:
            results.append(VerifyResult(dag_id=dag_id or dag_file.stem, dag_file=str(dag_file), verdict=INCOMPLETE,
                                        problems=[f"cannot convert: {converted.error.render()}"], bad_input=True))
            continue
        conversions = [c for c in converted.conversions if dag_id is None or c.dag_id == dag_id]
        if not conversions:
            if dag_id is None and len(dag_files) > 1:
                continue
            found = ", ".join(c.dag_id for c in converted.conversions) or "none"
            results.append(VerifyResult(dag_id=dag_id or dag_file.stem, dag_file=str(dag_file), verdict=INCOMPLETE,
                                        problems=[f"no DAG {dag_id!r} in {dag_file} (found: {found})" if dag_id
                                                  else f"no Airflow DAG found in {dag_file}"],
                                        bad_input=len(dag_files) == 1))
            continue
        for conversion in conversions:
            if conversion.yaml_text is None:
                why = "; ".join(d.render() for d in conversion.diagnostics if d.code == "KFM300") or "it did not compile"
                results.append(VerifyResult(dag_id=conversion.dag_id, dag_file=str(dag_file), verdict=INCOMPLETE,
                                            problems=[f"the conversion could not be compiled: {why}"]))
                continue
            text = tamper(conversion.yaml_text) if tamper else conversion.yaml_text
            spec = next(d for d in yaml.safe_load_all(text) if d)
            try:
                _, conf = split_params(conversion.report, spec, params or {})
            except kfp_local.EngineError as exc:
                results.append(VerifyResult(dag_id=conversion.dag_id, dag_file=str(dag_file), verdict=INCOMPLETE,
                                            problems=[str(exc)], bad_input=True))
                continue
            results.append((dag_file, conversion.dag_id, spec, conversion.report, len(jobs)))
            jobs.append(airflow_engine.DagJob(dag_file, conversion.dag_id, conf, logical_date))
    refused = [r for r in results if isinstance(r, VerifyResult) and r.bad_input]
    if refuse_bad_input and refused:
        return refused

    airflow_runs = []
    if jobs:
        progress(f"running {len(jobs)} DAG(s) on Airflow (dag.test)")
        names = [job.dag_id for job in jobs]

        def airflow_event(event):
            if event.get("event") == "dag_started":
                progress(f"{names[event['job']]}: running on Airflow")

        try:
            airflow_runs = airflow_engine.run_dags(jobs, on_event=airflow_event, timeout=timeout)
        except airflow_engine.AirflowEngineError as exc:  # e.g. `airflow db migrate` failed
            airflow_runs = [exc] * len(jobs)
    final = []
    for item in results:
        if isinstance(item, tuple):
            dag_file, found_id, spec, report, index = item
            outcome = airflow_runs[index]
            if isinstance(outcome, airflow_engine.AirflowEngineError):
                item = VerifyResult(dag_id=found_id, dag_file=str(dag_file), verdict=INCOMPLETE,
                                    problems=[f"Airflow could not run the DAG: {outcome}"])
            else:
                item = verify_conversion(dag_file, found_id, spec, report, params, logical_date, on_progress,
                                         airflow_run=outcome, timeout=timeout)
        if on_result:
            on_result(item)
        final.append(item)
    return final
