"""The workloads `kfmigrate compare` runs, and how their results are checked for agreement.

A built-in workload is an Airflow DAG file shipped in compare/dags/ (package data, so an installed
kfmigrate finds it). Each becomes one or more *points*: the DAG file to run on Airflow (as is) and to
convert for KFP (with kfmigrate's own converter), plus the params both engines get. The scaling
workload is a template: one copy of the DAG is written per sweep point with its CHAIN_LENGTH /
FAN_OUT / PAYLOAD_KB constants replaced.

The user's own DAG files (or folders of them) become points too (`user_points`): one per DAG, converted
before anything runs, so bad input is refused with nothing written.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from kfmigrate.migrate.report import MigrationReport

SAMPLES = Path(__file__).resolve().parent / "dags"
WORKLOADS = ("ml-training", "scaling")
USER_WORKLOAD = "dag"  # a point made from one of the user's DAGs
# ml-training alone by default: with the scaling sweep a 3-repeat run needs about 4.2 CPU minutes on
# the 2-core reference machine, too close to the 5-minute budget; `all` adds the sweep.
DEFAULT_WORKLOADS = ("ml-training",)

# Default scaling sweep: the three sizes grow together; each run is cut into its sections by task
# timestamps (the chain, the fan-out, the payload hop), so one run measures all three knobs and a
# sweep of two points already gives three slopes (kept small: each Airflow run costs ~12 CPU seconds).
# 120 KB stays under the 128 KiB per-argument cap of KFP parameters; the 1 MB point shows the cap
# (an expected failure on KFP), and the same payload, then 4 MB, pass as artifact files when the
# converter is asked for its artifact XCom transport (the 4th field).
DEFAULT_SWEEP = (
    {"chain": 5, "fan_out": 2, "payload_kb": 1},
    {"chain": 20, "fan_out": 8, "payload_kb": 120},
    {"chain": 2, "fan_out": 1, "payload_kb": 1000},
    {"chain": 2, "fan_out": 1, "payload_kb": 1000, "transport": "artifact"},
    {"chain": 2, "fan_out": 1, "payload_kb": 4000, "transport": "artifact"},
)
KNOBS = ("chain", "fan_out", "payload_kb")
# the logical date every run gets (a user DAG starting later gets its start_date)
DEFAULT_LOGICAL_DATE = "2026-01-02"
# how the converted pipeline passes XComs (kfmigrate.migrate.api.convert_file's xcom_transport)
TRANSPORTS = ("parameter", "artifact")


@dataclass
class Point:
    """One DAG to run on every engine."""

    workload: str  # "ml-training" | "scaling" | USER_WORKLOAD
    label: str  # shown in the report and progress bar
    dag_file: Path
    dag_id: str
    params: dict = field(default_factory=dict)  # params both engines get (a user DAG: Airflow's run conf)
    knobs: dict = field(default_factory=dict)  # scaling: chain / fan_out / payload_kb
    transport: str = "parameter"  # how the KFP side passes XComs: KFP parameters or artifact files
    kfp_params: Optional[dict] = None  # a user DAG: the same params as typed pipeline arguments
    logical_date: Optional[str] = None  # a user DAG: on or after its start_date (None: the run's default)
    uses_mlflow: bool = False  # the DAG imports MLflow: its Airflow side tracks into compare's store
    conversion: object = field(default=None, repr=False, compare=False)  # kfmigrate.migrate.api conversion, when made

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.label.lower()).strip("-")


class WorkloadError(Exception):
    pass


def parse_workloads(text: Optional[str], default: tuple = DEFAULT_WORKLOADS) -> list:
    """'ml-training', 'scaling', 'all' or a comma list -> workload names (in canonical order)."""
    if not text:
        return list(default)
    names = [n.strip().replace("_", "-") for n in text.split(",") if n.strip()]
    if "all" in names:
        return list(WORKLOADS)
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        raise WorkloadError(f"unknown workload {', '.join(unknown)} (choose from {', '.join(WORKLOADS)}, all, "
                            "or give DAG files or folders)")
    return [n for n in WORKLOADS if n in names]


def looks_like_path(text: str) -> bool:
    """An argument meant as a DAG file or folder rather than a workload name."""
    return text.endswith(".py") or "/" in text or "\\" in text or Path(text).exists()


def split_arguments(arguments: tuple) -> tuple:
    """WORKLOAD arguments -> (workload names text, [paths]). A path that does not exist is an error,
    never an unknown workload."""
    names, paths = [], []
    for argument in arguments:
        parts = [n.strip().replace("_", "-") for n in argument.split(",") if n.strip()]
        if parts and all(n in WORKLOADS or n == "all" for n in parts):
            names.append(argument)  # a built-in workload, even when a folder of that name is here
        elif looks_like_path(argument):
            path = Path(argument)
            if not path.exists():
                raise WorkloadError(f"{argument}: no such file or folder")
            paths.append(path)
        else:
            names.append(argument)
    return ",".join(names), paths


# ---------------------------------------------------------------- the user's own DAGs

# `import mlflow` / `from mlflow... import`: the DAG tracks to MLflow, so its Airflow side gets a store
MLFLOW_IMPORT = re.compile(r"^\s*(import\s+mlflow\b|from\s+mlflow[.\s])", re.M)


def user_points(paths: list, params: Optional[dict] = None, max_dags: int = 10,
                logical_date: Optional[str] = None) -> tuple:
    """DAG files and folders -> (points, notes): one point per DAG, converted now.

    Raises WorkloadError listing every problem of the input itself (a file that does not parse, no DAG
    found, a param no DAG declares or one of the wrong type); nothing has been written then. A
    conversion that does not compile is not bad input: its point carries the error for the report.
    notes: what was left out (DAGs past max_dags).
    """
    import yaml

    from kfmigrate.compare.verify import split_params
    from kfmigrate.compare.engines.kfp_local import EngineError
    from kfmigrate.migrate.api import convert_file
    from kfmigrate.migrate.batch import collect_inputs

    params = dict(params or {})
    files, problems = collect_inputs(paths)
    problems = [d.render() for d in problems]
    if not files and not problems:
        problems.append(f"{', '.join(map(str, paths))}: KFM407 no Python file to read")
    found, used = [], set()
    for dag_file in files:
        converted = convert_file(dag_file, compile=True)
        if converted.error is not None:
            problems.append(converted.error.render())
            continue
        if not converted.conversions and len(files) == 1:
            problems.append(f"{dag_file}:1:1: KFM407 no Airflow DAG found in this file")
        source = Path(dag_file).read_text(errors="replace")
        for conversion in converted.conversions:
            found.append((Path(dag_file), conversion, bool(MLFLOW_IMPORT.search(source))))
    if files and not found and not problems:
        problems.append(f"{', '.join(map(str, paths))}: KFM407 no Airflow DAG found")
    points = []
    for dag_file, conversion, uses_mlflow in found[:max_dags]:
        report = conversion.report
        declared = report.pipeline.parameters
        names = {p.name for p in declared} | {p.from_param for p in declared if p.from_param}
        mine = {k: v for k, v in params.items() if k in names}
        used |= set(mine)
        airflow_conf, kfp_params = dict(mine), None
        if conversion.yaml_text:
            spec = next(d for d in yaml.safe_load_all(conversion.yaml_text) if d)
            try:
                kfp_params, airflow_conf = split_params(report, spec, mine)
            except EngineError as exc:
                problems.append(f"{dag_file}:1:1: KFM408 {conversion.dag_id}: {exc}")
                continue
        points.append(Point(USER_WORKLOAD, conversion.dag_id, dag_file, conversion.dag_id, params=airflow_conf,
                            kfp_params=kfp_params, uses_mlflow=uses_mlflow, conversion=conversion,
                            logical_date=run_date(report, logical_date)))
    unknown = sorted(set(params) - used)
    if unknown and found:
        known = sorted({p.from_param for _, c, _ in found[:max_dags] for p in c.report.pipeline.parameters
                        if p.from_param})
        problems.append(f"KFM408 unknown parameter(s) {', '.join(unknown)}: no DAG declares them "
                        f"(DAG params: {', '.join(known) or 'none'})")
    if problems:
        raise WorkloadError("\n".join(problems))
    labels = [p.label for p in points]
    for point in points:  # two files may define the same dag_id: keep labels (and folders) apart
        if labels.count(point.label) > 1:
            point.label = f"{point.dag_id} ({point.dag_file.name})"
    notes = []
    if len(found) > max_dags:
        left = [c.dag_id for _, c, _ in found[max_dags:]]
        notes.append(f"KFM409 {len(left)} DAG(s) left out by --max-dags {max_dags}: {', '.join(left)}")
    return points, notes


def run_date(report: MigrationReport, wanted: Optional[str] = None) -> Optional[str]:
    """The logical date for a user DAG's runs: the wanted one, else the default moved to the DAG's
    start_date when it starts later (Airflow runs no task before a DAG's start_date)."""
    import datetime as dt

    if wanted:
        return wanted
    start = report.schedule.airflow.start_date
    if not start:
        return None
    try:
        start_at = dt.datetime.fromisoformat(str(start).replace("Z", "+00:00"))
    except ValueError:
        return None
    default = dt.datetime.fromisoformat(DEFAULT_LOGICAL_DATE).replace(tzinfo=dt.timezone.utc)
    start_at = start_at if start_at.tzinfo else start_at.replace(tzinfo=dt.timezone.utc)
    return start_at.isoformat() if start_at > default else None


def parse_sweep(text: Optional[str]) -> tuple:
    """'5:2:1,20:8:120,2:1:4000:artifact' (N:W:S[:T] per point: chain length, fan-out, payload KB, and
    how the KFP side passes XComs: parameter (default) or artifact) -> sweep points."""
    if not text:
        return DEFAULT_SWEEP
    points = []
    for part in text.split(","):
        if not part.strip():
            continue
        fields = part.strip().split(":")
        if len(fields) not in (3, 4):
            raise WorkloadError(f"sweep point {part.strip()!r}: expected N:W:S or N:W:S:T (chain length, fan-out, "
                                "payload KB, XCom transport)")
        transport = fields.pop() if len(fields) == 4 else "parameter"
        if transport not in TRANSPORTS:
            raise WorkloadError(f"sweep point {part.strip()!r}: transport must be {' or '.join(TRANSPORTS)}")
        try:
            chain, fan_out, payload_kb = (int(f) for f in fields)
        except ValueError:
            raise WorkloadError(f"sweep point {part.strip()!r}: N, W and S must be whole numbers") from None
        if chain < 1 or fan_out < 1 or payload_kb < 0:
            raise WorkloadError(f"sweep point {part.strip()!r}: N and W must be at least 1, S at least 0")
        point = {"chain": chain, "fan_out": fan_out, "payload_kb": payload_kb}
        if transport != "parameter":
            point["transport"] = transport
        if point not in points:
            points.append(point)
    if not points:
        raise WorkloadError("empty sweep")
    return tuple(points)


def scaling_source(template: str, chain: int, fan_out: int, payload_kb: int, transport: str = "parameter") -> str:
    """The scaling DAG with its knobs set and a dag_id naming the point."""
    replaced = template
    for constant, value in (("CHAIN_LENGTH", chain), ("FAN_OUT", fan_out), ("PAYLOAD_KB", payload_kb)):
        replaced, count = re.subn(rf"(?m)^{constant} = \d+$", f"{constant} = {value}", replaced)
        if count != 1:
            raise WorkloadError(f"scaling template: expected one `{constant} = <int>` line")
    dag_id = scaling_dag_id(chain, fan_out, payload_kb, transport)
    replaced, count = re.subn(r'dag_id="scaling"', f'dag_id="{dag_id}"', replaced)
    if count != 1:
        raise WorkloadError('scaling template: expected one dag_id="scaling"')
    return replaced


def scaling_dag_id(chain: int, fan_out: int, payload_kb: int, transport: str = "parameter") -> str:
    # the transport only changes the KFP side, but one Airflow deployment holds every point's DAG
    return f"scaling_n{chain}_w{fan_out}_s{payload_kb}kb" + ("" if transport == "parameter" else f"_{transport}")


def build_points(workloads: list, work_dir: Path, sweep: tuple = DEFAULT_SWEEP) -> list:
    """The points to run, writing generated DAG files under work_dir/dags."""
    points = []
    for name in workloads:
        if name == "ml-training":
            points.append(Point("ml-training", "ml-training", SAMPLES / "ml_training.py", "ml_training"))
        elif name == "scaling":
            template = (SAMPLES / "scaling.py").read_text()
            folder = Path(work_dir) / "dags"
            folder.mkdir(parents=True, exist_ok=True)
            for knobs in sweep:
                dag_id = scaling_dag_id(**knobs)
                path = folder / f"{dag_id}.py"
                path.write_text(scaling_source(template, **knobs))
                transport = knobs.get("transport", "parameter")
                label = f"scaling N={knobs['chain']} W={knobs['fan_out']} S={knobs['payload_kb']}KB"
                label += " (XCom as artifacts)" if transport == "artifact" else ""
                numbers = {k: knobs[k] for k in KNOBS}
                points.append(Point("scaling", label, path, dag_id, knobs=numbers, transport=transport))
    return points


def engine_params(point: Point, engine: str, run_dir: Path, mlflow_uri: str, kfp_mlflow: bool) -> dict:
    """Params for one run: a work dir; MLflow tracking into the shared store on Airflow (and on KFP if
    asked). Otherwise the KFP side's MLflow calls go to a private file store beside the work dir:
    the converter turns them into KFP Metrics and Model artifacts, which is what KFP keeps."""
    if point.workload == USER_WORKLOAD:
        return dict(point.params if engine == "airflow" else (point.kfp_params or {}))
    params = dict(point.params)
    if point.workload == "ml-training":
        params["work_dir"] = str(Path(run_dir) / "work")
        shared = engine == "airflow" or kfp_mlflow
        params["mlflow_tracking_uri"] = mlflow_uri if shared else (Path(run_dir) / "kfp-mlruns").resolve().as_uri()
    return params


# ---------------------------------------------------------------- known limits

# Linux MAX_ARG_STRLEN: the longest single command-line argument. KFP hands a task its inputs as one
# argument (the executor input JSON), so a parameter this large cannot reach the next task.
KFP_ARGUMENT_LIMIT = 131072


def expected_failure(point: Point, engine: str) -> str:
    """Why a run is expected to fail (a documented engine limit), or ''."""
    payload = point.knobs.get("payload_kb", 0) * 1000
    if engine.startswith("kfp") and point.transport == "parameter" and payload > KFP_ARGUMENT_LIMIT:
        return (f"a {payload // 1000} KB parameter is over the {KFP_ARGUMENT_LIMIT // 1024} KiB limit of one "
                "command-line argument, which is how KFP passes parameters to a task")
    return ""


def matches_expected(error: str) -> bool:
    return "Argument list too long" in (error or "")


# ---------------------------------------------------------------- agreement

# Fields that differ between engines by design (where files went, MLflow ids): left out of the check.
VOLATILE_KEYS = {"path", "model_path", "tracking_uri", "mlflow_run_id", "model_uri", "registered_version"}


def decode_json_text(value):
    """A JSON object or array carried as text (the converter's KFP outputs) -> the value itself.

    Scalars are left alone: "0" may be a real string; diff_values accepts their JSON text instead.
    """
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def comparable(point: Point, outputs: dict) -> dict:
    """The task results that must be identical on every engine, keyed by task.

    outputs: task key -> the task's return value (Airflow XCom / KFP output parameter).
    """
    cleaned = {}
    for key, value in outputs.items():
        cleaned[key] = _digest_long(_drop_volatile(_json_normal(value)))
    return cleaned


LONG_TEXT = 4096


def _digest_long(value):
    """Long strings (MB payloads) are compared by length and SHA-256, not kept whole in results.json."""
    import hashlib

    if isinstance(value, str) and len(value) > LONG_TEXT:
        return f"<{len(value)} chars, sha256 {hashlib.sha256(value.encode()).hexdigest()[:16]}>"
    if isinstance(value, dict):
        return {k: _digest_long(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_digest_long(v) for v in value]
    return value


def _drop_volatile(value):
    if isinstance(value, dict):
        return {k: _drop_volatile(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_drop_volatile(v) for v in value]
    return value


def _json_normal(value):
    """JSON round trip, with whole floats as ints (kfp.local hands collected ints back as floats)."""
    value = json.loads(json.dumps(value, default=str))
    return _ints(value)


def _ints(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_ints(v) for v in value]
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    return value


def diff_values(left, right, path: str = "") -> list:
    """Human-readable differences between two JSON values (empty when equal)."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = []
        for key in sorted(set(left) | set(right), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in left:
                found.append(f"{where}: only in the second")
            elif key not in right:
                found.append(f"{where}: only in the first")
            else:
                found.extend(diff_values(left[key], right[key], where))
        return found
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        found = []
        for index, (a, b) in enumerate(zip(left, right)):
            found.extend(diff_values(a, b, f"{path}[{index}]"))
        return found
    if left != right and not _same_json_text(left, right):
        return [f"{path or 'value'}: {_short(left)} != {_short(right)}"]
    return []


def _same_json_text(left, right) -> bool:
    """True when one side is the JSON text of the other.

    The converter passes untyped return values (PythonOperator) between KFP tasks as JSON text, so
    Airflow's 0 arrives as "0" and "joined" as '"joined"': the same value, encoded once more.
    """
    for text, value in ((left, right), (right, left)):
        if isinstance(text, str):
            try:
                if _ints(json.loads(text)) == value:
                    return True
            except ValueError:
                pass
    return False


def _short(value) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def scaling_sections(tasks: dict) -> dict:
    """Cut a scaling run into its three sections using task timings (kfmigrate.compare.measure.task_timings).

    chain: first step's end to last step's end, and per chained task after the first; fan_out: first branch's start
    to last branch's end, and per parallel task; payload: produce_payload's start to
    consume_payload's end (the hop the S KB make), with the gap between the two.
    """
    def group(prefix):
        return [t for key, t in tasks.items() if key.startswith(prefix)]

    sections = {}
    steps = sorted(group("step_"), key=lambda t: t["start_offset"])
    if len(steps) >= 2:
        # measured from the first step's end: the first task of a run carries one-time engine
        # start-up (Airflow's in-process execution API), which is not a per-task cost
        span = steps[-1]["end_offset"] - steps[0]["end_offset"]
        sections["chain_seconds"] = span
        sections["chain_per_task"] = span / (len(steps) - 1)
        latencies = sorted(t["start_latency"] for t in steps[1:])
        sections["chain_start_latency"] = latencies[len(latencies) // 2]
    branches = group("branch_")
    if branches:
        span = max(t["end_offset"] for t in branches) - min(t["start_offset"] for t in branches)
        sections["fan_out_seconds"] = span
        sections["fan_out_per_task"] = span / len(branches)
    produce, consume = tasks.get("produce_payload"), tasks.get("consume_payload")
    if produce and consume and consume.get("state") == "succeeded":
        sections["payload_seconds"] = consume["end_offset"] - produce["start_offset"]
        sections["payload_gap"] = consume["start_offset"] - produce["end_offset"]
    return sections


def headline(point: Point, outputs: dict) -> dict:
    """The few figures the report shows for a run's result (chosen model and metrics...)."""
    if point.workload == "ml-training":
        best = outputs.get("register") or outputs.get("pick_best") or {}
        if not isinstance(best, dict):
            return {}
        return {"model_name": best.get("model_name"), "metrics": best.get("metrics"),
                "model_sha256": best.get("model_sha256"),
                "mlflow_run_id": best.get("mlflow_run_id"), "registered_version": best.get("registered_version")}
    if point.workload == "scaling":
        return {"payload_chars_received": outputs.get("consume_payload")}
    return {}
