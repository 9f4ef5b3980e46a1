"""`kfmigrate compare`'s engine room: convert each workload, run it on every engine, measure, check.

For every point (a workload DAG) the KFP side is produced by kfmigrate's own converter from the
Airflow DAG; then, repeat by repeat, each engine runs the point once in its own measured process
tree (kfmigrate.compare.runner under kfmigrate.compare.measure.run_measured). Repeats interleave engines so a slow
moment of the machine does not land on one engine only. The first repeat of each engine and point
is the cold run (fresh MLflow store, first DAG parse, first import of the task's libraries); the
others are warm, and medians are taken over the warm runs when there are any.

Everything is collected in one JSON-able dict (results.json); kfmigrate.compare.report renders it.
"""
from __future__ import annotations

import dataclasses
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from kfmigrate.compare import measure
from kfmigrate.compare.workloads import DEFAULT_LOGICAL_DATE as LOGICAL_DATE
from kfmigrate.compare.workloads import (DEFAULT_SWEEP, USER_WORKLOAD, Point, build_points, comparable, diff_values,
                               engine_params, decode_json_text, expected_failure, headline, matches_expected,
                               scaling_sections)
from kfmigrate.migrate.report import MigrationReport

RESULTS_VERSION = 1
ENGINES = ("airflow", "kfp")
ENGINE_TITLES = {"airflow": "Airflow + MLflow", "airflow-scheduler": "Airflow scheduler + MLflow",
                 "kfp": "KFP (kfp.local)", "kfp-cluster": "KFP (cluster)"}
# when no point tracks to MLflow (the user's DAGs that do not import it), the Airflow side is Airflow alone
ENGINE_TITLES_WITHOUT_MLFLOW = {"airflow": "Airflow (dag.test)", "airflow-scheduler": "Airflow scheduler"}

# Figures summarised over repeats, per engine and point: name -> where it is in a run record.
SUMMARY_FIGURES = {
    "wall_seconds": ("timings", "wall_seconds"),
    "engine_run_seconds": ("timings", "engine_run_seconds"),
    "overhead_seconds": ("timings", "overhead_seconds"),
    "task_work_seconds": ("timings", "task_work_seconds"),
    "time_to_first_task": ("timings", "time_to_first_task"),
    "median_start_latency": ("timings", "median_start_latency"),
    "process_wall_seconds": ("process", "wall_seconds"),
    "cpu_seconds": ("process", "cpu_seconds"),
    "peak_rss_bytes": ("process", "peak_rss_bytes"),
}


class BenchError(Exception):
    pass


@dataclass
class Settings:
    out_dir: Path
    workloads: list
    repeats: int = 3
    engines: tuple = ENGINES
    sweep: tuple = DEFAULT_SWEEP
    mlflow_uri: Optional[str] = None  # None: a SQLite store in out_dir, reused across repeats
    kfp_mlflow: bool = False  # also log to MLflow from the KFP side
    kfp_host: Optional[str] = None
    kfp_namespace: Optional[str] = None
    kfp_experiment: str = "kfmigrate-compare"
    timeout: float = 900.0  # per run
    logical_date: str = LOGICAL_DATE
    cache_check: bool = True  # after the repeats: kfp.local twice with its cache on, Airflow once more
    user_points: tuple = ()  # points made from the user's DAG files (kfmigrate.compare.workloads.user_points)
    probes: bool = True  # measure the parts of per-task overhead (kfmigrate.compare.probes) after the runs
    notes: tuple = ()  # what the input left out (DAGs past --max-dags), for the report


@dataclass
class Prepared:
    point: Point
    pipeline_py: Optional[Path] = None
    pipeline_yaml: Optional[Path] = None
    conversion: Optional[MigrationReport] = None  # the converter's report
    error: str = ""
    kfp_names: dict = field(default_factory=dict)  # kfp task name -> Airflow task id
    upstream: dict = field(default_factory=dict)  # Airflow task id -> upstream task ids
    definition: dict = field(default_factory=dict)


class Reporter:
    """What bench tells the outside while it works (the CLI puts a rich progress bar on it)."""

    def begin(self, total_runs: int) -> None: ...
    def run_started(self, label: str, engine: str, repeat: int) -> None: ...
    def event(self, message: dict) -> None: ...
    def run_finished(self, record: dict) -> None: ...
    def note(self, text: str) -> None: ...


# ---------------------------------------------------------------- preparing

def prepare(point: Point, folder: Path) -> Prepared:
    """Convert the point's DAG with kfmigrate's converter and write the pipeline beside the results."""
    from kfmigrate.migrate.api import convert_file

    prepared = Prepared(point)
    source = point.dag_file.read_text()
    prepared.definition["airflow"] = measure.definition_size(source, "airflow")
    conversion = point.conversion  # a user's DAG was converted when the input was checked
    if conversion is None:
        result = convert_file(point.dag_file, xcom_transport=point.transport)
        if result.error is not None:
            prepared.error = f"conversion failed: {result.error}"
            return prepared
        matching = [c for c in result.conversions if c.dag_id == point.dag_id]
        if not matching:
            prepared.error = f"conversion found no DAG {point.dag_id!r} in {point.dag_file}"
            return prepared
        conversion = matching[0]
    prepared.conversion = conversion.report
    for task in conversion.report.tasks:
        prepared.upstream[task.task_id] = tuple(task.upstream)
        if task.kfp_task:
            prepared.kfp_names[task.kfp_task] = task.task_id
    folder.mkdir(parents=True, exist_ok=True)
    prepared.pipeline_py = folder / f"{point.dag_id}_pipeline.py"
    _write(prepared.pipeline_py, conversion.emitted.python_source)
    prepared.definition["kfp"] = measure.definition_size(conversion.emitted.python_source, "kfp")
    if not conversion.yaml_text:
        errors = "; ".join(str(d) for d in conversion.diagnostics if d.severity == "error")
        prepared.error = "the converted pipeline did not compile" + (f": {errors}" if errors else "")
        return prepared
    prepared.pipeline_yaml = folder / f"{point.dag_id}.yaml"
    _write(prepared.pipeline_yaml, conversion.yaml_text)
    prepared.definition["kfp_yaml"] = {"lines": len(conversion.yaml_text.splitlines())}
    return prepared


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


# ---------------------------------------------------------------- running

def run_one(prepared: Prepared, engine: str, repeat: int, settings: Settings, run_dir: Path,
            mlflow_uri: str, reporter: Reporter, deployment: Optional[dict] = None,
            cache_root: Optional[Path] = None, params_dir: Optional[Path] = None, run_id: str = "") -> dict:
    """One measured run of one point on one engine; returns its record for results.json.

    deployment: the running Airflow deployment (airflow-scheduler engine), or {"error": why not}.
    cache_root: run kfp.local with its task cache there. params_dir: take the run's work dir from
    there instead of run_dir (runs with exactly the same inputs). run_id: the Airflow run id a user
    DAG's pipeline gets (as `kfmigrate verify` passes it), when the pipeline declares one.
    """
    point = prepared.point
    run_dir.mkdir(parents=True, exist_ok=True)
    side = "airflow" if engine.startswith("airflow") else "kfp"
    params = engine_params(point, side, params_dir or run_dir, mlflow_uri, settings.kfp_mlflow)
    logical_date = point.logical_date or settings.logical_date
    request = {"engine": engine, "params": params, "logical_date": logical_date,
               "timeout": settings.timeout, "env": user_dag_env(point, side, params_dir or run_dir, mlflow_uri,
                                                                 settings.kfp_mlflow)}
    if point.workload == USER_WORKLOAD and engine in ("airflow", "kfp"):
        # the engine's whole run, for the per-task check `kfmigrate verify` makes
        request["raw_path"] = str(run_dir / "raw.json")
    if engine == "airflow":
        request.update(dag_file=str(point.dag_file), dag_id=point.dag_id, log_path=str(run_dir / "airflow.log"))
    elif engine == "airflow-scheduler":
        if not deployment or deployment.get("error"):
            return _error_record(point, engine, repeat, (deployment or {}).get("error") or "no Airflow deployment")
        # one deployment serves every run: each gets its own logical date (Airflow keeps them unique)
        request.update(dag_id=point.dag_id, deployment=deployment,
                       logical_date=_iso_date(logical_date, offset_seconds=repeat))
    else:
        if prepared.error:
            return _error_record(point, engine, repeat, prepared.error)
        declared = {p.name for p in prepared.conversion.pipeline.parameters} if prepared.conversion else set()
        if "logical_date" in declared:  # the same logical date Airflow's run gets
            params["logical_date"] = _iso_date(logical_date)
        if "run_id" in declared and run_id:
            params["run_id"] = run_id
        request.update(package=str(prepared.pipeline_yaml), pipeline_root=str(run_dir / "pipeline_root"),
                       host=settings.kfp_host, namespace=settings.kfp_namespace,
                       experiment=settings.kfp_experiment, run_name=f"{point.dag_id}-{repeat + 1}",
                       task_names=sorted(prepared.kfp_names),
                       cache_root=str(cache_root) if cache_root else None)
    request_path = run_dir / "request.json"
    result_path = run_dir / "result.json"
    request_path.write_text(json.dumps(request, indent=1))

    def on_line(line: str) -> None:
        try:
            message = json.loads(line)
        except ValueError:
            return
        if isinstance(message, dict):
            reporter.event(message)

    process = measure.run_measured(
        [sys.executable, "-m", "kfmigrate.compare.runner", str(request_path), str(result_path)],
        on_line=on_line, stderr_path=str(run_dir / "runner.stderr"), timeout=settings.timeout + 60,
    )
    if not result_path.exists():
        tail = _tail(run_dir / "runner.stderr")
        return _error_record(point, engine, repeat, f"the run process ended without a result (exit "
                             f"{process.returncode}){': ' + tail if tail else ''}", process)
    result = json.loads(result_path.read_text())
    process_figures = process.to_json()
    deployment_share = result.get("extra", {}).get("deployment")
    if deployment_share:  # the long-running deployment's processes worked for this run too
        process_figures.update(
            client_cpu_seconds=process_figures["cpu_seconds"], client_peak_rss_bytes=process_figures["peak_rss_bytes"],
            deployment_cpu_seconds=deployment_share["cpu_seconds"],
            deployment_peak_pss_bytes=deployment_share["peak_pss_bytes"],
            deployment_processes=deployment_share["processes"],
            cpu_seconds=process_figures["cpu_seconds"] + deployment_share["cpu_seconds"],
            peak_rss_bytes=process_figures["peak_rss_bytes"] + deployment_share["peak_pss_bytes"])
    tasks = {}
    for key, task in result.get("tasks", {}).items():
        tasks[_airflow_key(key, engine, prepared)] = task
    known = set(prepared.upstream)
    timings = measure.task_timings(
        [measure.TaskTiming(key, t["state"], t.get("started"), t.get("finished"),
                            prepared.upstream.get(measure.base_key(key), None if known else ()))
         for key, t in tasks.items()],
        run_started=result["call_started"], run_finished=result["call_finished"],
    )
    # the engine's own run inside the call: dag.test() / kfp.local's pipeline run (or the cluster run)
    timings["engine_run_seconds"] = result.get("engine_wall_seconds")
    # tasks the converter added (loop-item producers and the like) have no Airflow twin to compare with
    extra_tasks = sorted(k for k in tasks if known and measure.base_key(k) not in known)
    outputs = {key: decode_json_text(t.get("output")) for key, t in tasks.items()
               if t.get("has_output") and key not in extra_tasks}
    record = {
        "point": point.label,
        "engine": engine,
        "repeat": repeat,
        "cold": repeat == 0,
        "state": result["state"],
        "error": result.get("error", ""),
        "ok": result["state"] == "succeeded",
        "process": process_figures,
        "timings": timings,
        "engine_wall_seconds": result.get("engine_wall_seconds"),
        "task_states": {key: t["state"] for key, t in tasks.items() if key not in extra_tasks},
        "cached_tasks": sorted(key for key, t in tasks.items() if t.get("cached")),
        "extra_tasks": extra_tasks,
        "outputs": comparable(point, outputs),
        "headline": headline(point, outputs),
        "sections": scaling_sections(timings["tasks"]) if point.workload == "scaling" else {},
        "recorded": _recorded(engine, tasks, result.get("extra", {})),
        "kfp_metrics": kfp_metrics(tasks),
        "extra": result.get("extra", {}),
        "run_dir": str(run_dir),
        "raw_path": request.get("raw_path") if result.get("raw_written") else None,
    }
    limit = expected_failure(point, engine)
    record["expected_failure"] = limit if (limit and not record["ok"] and matches_expected(record["error"])) else ""
    return record


def user_dag_env(point: Point, side: str, run_dir: Path, mlflow_uri: str, kfp_mlflow: bool) -> dict:
    """Environment for a user DAG that imports MLflow: the Airflow side tracks into compare's store,
    the KFP side into a private file store (or the shared one with --kfp-mlflow). Others get none."""
    if point.workload != USER_WORKLOAD or not point.uses_mlflow:
        return {}
    shared = side == "airflow" or kfp_mlflow
    return {"MLFLOW_TRACKING_URI": mlflow_uri if shared else (Path(run_dir) / "kfp-mlruns").resolve().as_uri()}


def _iso_date(text: str, offset_seconds: int = 0) -> str:
    import datetime as dt

    value = dt.datetime.fromisoformat(text)
    value = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    return (value + dt.timedelta(seconds=offset_seconds)).isoformat()


def _airflow_key(key: str, engine: str, prepared: Prepared) -> str:
    """A KFP task name ('train-candidate[2]') as the Airflow task key ('train_candidate[2]')."""
    if engine == "airflow":
        return key
    base, _, rest = key.partition("[")
    task_id = prepared.kfp_names.get(base)
    if task_id is None:  # fall back on the display-name convention: dashes for underscores
        by_loose = {name.replace("-", "_"): tid for name, tid in prepared.kfp_names.items()}
        task_id = by_loose.get(base.replace("-", "_"), base)
    return task_id + ("[" + rest if rest else "")


def _recorded(engine: str, tasks: dict, extra: dict) -> dict:
    """What the run left behind that a person could look at later, counted."""
    values = sum(1 for t in tasks.values() if t.get("has_output"))
    recorded = {"task_results": values}
    if engine.startswith("airflow"):
        recorded["where"] = "XCom rows in the Airflow metadata DB"
    else:
        recorded["where"] = "output parameters and artifacts under the pipeline root"
        recorded.update({"artifact_files": extra.get("artifacts", {}).get("files"),
                         "artifact_bytes": extra.get("artifacts", {}).get("bytes")})
        artifacts = [a for t in tasks.values() for a in (t.get("artifacts") or {}).values()]
        if artifacts or engine == "kfp":
            metrics = [a for a in artifacts if a["type"] == "system.Metrics"]
            models = [a for a in artifacts if a["type"] == "system.Model"]
            recorded.update({
                "metrics_artifacts": len(metrics), "metrics_values": sum(len(a["metadata"]) for a in metrics),
                "model_artifacts": len([a for a in models if a["bytes"]]),
                "model_bytes": sum(a["bytes"] for a in models),
                "xcom_artifacts": len([a for a in artifacts if "xcom_key" in a["metadata"]]),
            })
    return recorded


def kfp_metrics(tasks: dict) -> dict:
    """The metrics a KFP run recorded as Metrics artifacts: {task key: {metric: value}}."""
    found = {}
    for key, task in tasks.items():
        for artifact in (task.get("artifacts") or {}).values():
            if artifact["type"] == "system.Metrics" and artifact["metadata"]:
                found.setdefault(key, {}).update(artifact["metadata"])
    return found


def _error_record(point: Point, engine: str, repeat: int, error: str, process=None) -> dict:
    return {"point": point.label, "engine": engine, "repeat": repeat, "cold": repeat == 0, "state": "error",
            "expected_failure": "",
            "error": error, "ok": False, "process": process.to_json() if process else None, "timings": None,
            "task_states": {}, "outputs": {}, "headline": {}, "sections": {}, "recorded": {}, "extra": {},
            "run_dir": "", "raw_path": None}


def _tail(path: Path, lines: int = 8) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


# ---------------------------------------------------------------- summaries and agreement

def summarize_runs(runs: list) -> dict:
    """Per engine: medians and spread over warm runs (all runs when there is only a cold one)."""
    summary = {}
    for engine in dict.fromkeys(r["engine"] for r in runs):
        mine = [r for r in runs if r["engine"] == engine and r["ok"]]
        warm = [r for r in mine if not r["cold"]] or mine
        cold = [r for r in mine if r["cold"]]
        figures = {}
        for name, (section, key) in SUMMARY_FIGURES.items():
            figures[name] = measure.summarize((r[section] or {}).get(key) for r in warm)
        figures["cold"] = {name: (cold[0][section] or {}).get(key) if cold else None
                           for name, (section, key) in SUMMARY_FIGURES.items()}
        section_names = sorted({name for r in warm for name in r.get("sections", {})})
        figures["sections"] = {name: measure.summarize(r["sections"].get(name) for r in warm)
                               for name in section_names}
        figures["runs"] = len([r for r in runs if r["engine"] == engine])
        figures["ok_runs"] = len(mine)
        figures["warm_runs"] = len([r for r in mine if not r["cold"]])
        # what the medians are over: warm runs, or (one repeat) the cold run alone; the report says which
        figures["median_over"] = "warm" if figures["warm_runs"] else ("cold" if mine else "none")
        summary[engine] = figures
    return summary


def check_dag_agreement(prepared: Prepared, runs: list) -> dict:
    """A user DAG: `kfmigrate verify`'s check, repeat by repeat.

    Each kfp.local run is compared task by task with the Airflow (dag.test) run of the same repeat,
    which got the same params, logical date and run id: outcome (ran, skipped, failed), XCom return
    values and the other XComs the conversion carries, rendered templated fields where KFP reports
    them. Runs of other engines (the scheduler, a cluster) must have ended; their values are not
    compared here.
    """
    from kfmigrate.compare.engines.airflow import DagRun, TaskRun
    from kfmigrate.compare.engines.kfp_local import _run_from_json
    from kfmigrate.compare.verify import compare_runs

    conversion = prepared.point.conversion
    report = conversion.report if conversion else MigrationReport(dag_id=prepared.point.dag_id)  # no tasks known
    differences, not_local, not_compared, failed, pairs = [], set(), set(), [], 0
    by_repeat: dict = {}
    for run in runs:
        if run.get("cache_role") == "reuse":
            continue
        by_repeat.setdefault(run["repeat"], {})[run["engine"]] = run
        # dag.test / kfp.local runs are compared whatever their state; a run that did not happen cannot be
        could_not_run = not run.get("raw_path") if run["engine"] in ("airflow", "kfp") else not run["ok"]
        if could_not_run:
            failed.append(f"{run['engine']} repeat {run['repeat'] + 1}: {run['state']}: {run['error'] or 'failed'}")
    for repeat, engines in sorted(by_repeat.items()):
        airflow, kfp = engines.get("airflow"), engines.get("kfp")
        if not (airflow and kfp and airflow.get("raw_path") and kfp.get("raw_path")):
            continue
        a_data = json.loads(Path(airflow["raw_path"]).read_text())
        a_run = DagRun(tasks={n: TaskRun(**t) for n, t in a_data.pop("tasks").items()}, **a_data)
        k_run = _run_from_json(json.loads(Path(kfp["raw_path"]).read_text()))
        if k_run.crash:
            failed.append(f"kfp repeat {repeat + 1}: kfp.local could not run the pipeline: {k_run.crash}")
            continue
        rows, found = compare_runs(report, a_run, k_run)
        pairs += 1
        differences += [f"repeat {repeat + 1}: {d}" for d in found]
        not_local |= {r.task for r in rows if r.status == "not_run_locally"}
        not_compared |= {r.task for r in rows if r.status == "not_compared"}
    if differences:
        verdict = f"different: {len(differences)} difference(s) between Airflow and KFP"
    elif failed or not pairs:
        verdict = f"incomplete: {len(failed)} run(s) could not run" if failed else "incomplete: no pair of runs to compare"
    elif not_local or not_compared:
        verdict = (f"incomplete: {len(not_local)} task(s) not run locally" if not_local else
                   f"incomplete: {len(not_compared)} task(s) not reached on KFP after a failure elsewhere")
    else:
        verdict = f"equivalent in {pairs} pair(s) of runs (the check of `kfmigrate verify`)"
    return {"ok": verdict.startswith("equivalent"), "compared_runs": 2 * pairs, "engines": sorted({r["engine"] for r in runs}),
            "differences": differences[:50], "failed_runs": failed, "expected_failures": [],
            "not_run_locally": sorted(not_local), "not_compared": sorted(not_compared), "verdict": verdict,
            "method": "verify"}


def check_agreement(runs: list) -> dict:
    """Every successful run of every engine must give the same task results as the first one."""
    good = [r for r in runs if r["ok"]]
    failed = [f"{r['engine']} repeat {r['repeat'] + 1}: {r['state']}: {r['error'] or 'failed'}"
              for r in runs if not r["ok"] and not r.get("expected_failure")]
    expected = sorted({f"{r['engine']}: failed as expected: {r['expected_failure']}"
                       for r in runs if r.get("expected_failure")})
    if not good:
        return {"ok": not failed and bool(expected), "compared_runs": 0, "differences": [], "failed_runs": failed,
                "expected_failures": expected, "engines": [],
                "verdict": "every engine failed as expected" if expected and not failed else "no successful run to compare"}
    with_values = [r for r in good if r["extra"].get("outputs_available", True)]
    reference = with_values[0] if with_values else good[0]
    differences = []
    for run in good:
        if run is reference:
            continue
        if run["extra"].get("outputs_available", True):
            found = diff_values(reference["outputs"], run["outputs"])
        else:  # a cluster run gives back states only: compare which tasks succeeded
            found = diff_values(reference["task_states"], run["task_states"])
        for diff in found:
            differences.append(f"{run['engine']} repeat {run['repeat'] + 1} vs {reference['engine']} "
                               f"repeat {reference['repeat'] + 1}: {diff}")
    engines = sorted({r["engine"] for r in good})
    all_engines = sorted({r["engine"] for r in runs if not r.get("expected_failure")})
    ok = not differences and not failed and engines == all_engines
    if ok and expected:
        verdict = (f"identical task results across {len(good)} runs on {', '.join(engines)}; "
                   f"{len({r['engine'] for r in runs if r.get('expected_failure')})} engine(s) failed as expected")
    elif ok:
        verdict = f"identical task results across {len(good)} runs on {', '.join(engines)}"
    elif differences:
        verdict = f"{len(differences)} difference(s) between runs"
    else:
        verdict = f"{len(failed)} run(s) did not succeed"
    return {"ok": ok, "compared_runs": len(good), "engines": engines, "differences": differences[:50],
            "failed_runs": failed, "expected_failures": expected, "verdict": verdict}


# ---------------------------------------------------------------- tracking store

def mlflow_run_metrics(uri: str, run_id: str) -> dict:
    """A run's metrics from the MLflow store, its nested runs' as '<run name>/<key>' (as the converter
    names them in a KFP Metrics artifact)."""
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    parent = client.get_run(run_id)
    metrics = dict(parent.data.metrics)
    for child in client.search_runs([parent.info.experiment_id], f"tags.mlflow.parentRunId = '{run_id}'"):
        name = child.data.tags.get("mlflow.runName") or child.info.run_name
        metrics.update({f"{name}/{key}": value for key, value in child.data.metrics.items()})
    return metrics


def check_metrics(point_runs: list, mlflow_uri: str) -> dict:
    """Do the KFP runs' Metrics artifacts hold exactly the metrics the Airflow run logged to MLflow?"""
    tracked = [r for r in point_runs if r["engine"].startswith("airflow") and r["ok"]
               and (r["headline"] or {}).get("mlflow_run_id")]
    recorded = [r for r in point_runs if r["engine"].startswith("kfp") and r["ok"] and r.get("kfp_metrics")]
    if not tracked or not recorded:
        return {"checked": False, "ok": True,
                "why": "no Airflow run tracked in MLflow" if not tracked else "no KFP Metrics artifact recorded"}
    reference_run = tracked[-1]
    try:
        reference = mlflow_run_metrics(mlflow_uri, reference_run["headline"]["mlflow_run_id"])
    except Exception as exc:  # the store went away: a finding, not a crash
        return {"checked": False, "ok": False, "why": f"MLflow store: {type(exc).__name__}: {exc}"}
    differences, counts = [], []
    for run in recorded:
        metrics = {}
        for values in run["kfp_metrics"].values():
            metrics.update(values)
        counts.append(len(metrics))
        differences += [f"{run['engine']} repeat {run['repeat'] + 1} Metrics artifact vs MLflow: {d}"
                        for d in diff_values(reference, metrics)]
    return {"checked": True, "ok": not differences, "mlflow_metrics": len(reference), "kfp_metrics": max(counts),
            "kfp_runs": len(recorded), "reference": f"{reference_run['engine']} repeat {reference_run['repeat'] + 1}",
            "differences": differences[:20]}


def mlflow_observed(uri: str) -> dict:
    """What the MLflow store holds after the runs: experiments, runs, metrics, registered versions."""
    import logging

    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        return {"error": "mlflow is not installed"}
    logging.getLogger("mlflow").setLevel(logging.WARNING)  # no store chatter over the progress bar
    try:
        client = MlflowClient(tracking_uri=uri, registry_uri=uri)
        experiments = client.search_experiments()
        runs = []
        for experiment in experiments:
            runs.extend(client.search_runs([experiment.experiment_id], max_results=1000))
        versions = []
        for model in client.search_registered_models():
            versions.extend(client.search_model_versions(f"name='{model.name}'"))
        return {
            "experiments": len([e for e in experiments if e.name != "Default"]),
            "runs": len(runs),
            "parent_runs": len([r for r in runs if "mlflow.parentRunId" not in r.data.tags]),
            "metrics_logged": sum(len(r.data.metrics) for r in runs),
            "params_logged": sum(len(r.data.params) for r in runs),
            "registered_model_versions": len(versions),
        }
    except Exception as exc:  # the store is unreachable or not a store: say so in the report
        return {"error": f"{type(exc).__name__}: {exc}"}


# ---------------------------------------------------------------- the whole benchmark

def run_benchmark(settings: Settings, reporter: Optional[Reporter] = None) -> dict:
    reporter = reporter or Reporter()
    out = Path(settings.out_dir).resolve()
    work = out / "work"
    work.mkdir(parents=True, exist_ok=True)
    mlflow_uri = settings.mlflow_uri
    if not mlflow_uri:
        (out / "mlflow").mkdir(exist_ok=True)
        mlflow_uri = f"sqlite:///{out / 'mlflow' / 'mlflow.db'}"
    started = time.time()

    points = build_points(settings.workloads, work, settings.sweep) + list(settings.user_points)
    prepared = []
    for point in points:
        reporter.note(f"converting {point.label}")
        try:
            prepared.append(prepare(point, out / "pipelines" / point.slug))
        except Exception as exc:  # a converter crash is a finding for the report, not the end of it
            prepared.append(Prepared(point, error=f"converter crashed: {type(exc).__name__}: {exc}"))

    runs: dict = {p.point.label: [] for p in prepared}
    check = cache_check_plan(prepared, settings)
    reporter.begin(len(prepared) * len(settings.engines) * settings.repeats + len(check))
    caching, deployment_facts = {}, {}
    airflow_run_ids: dict = {}  # a user DAG's pipeline gets the run id of the Airflow run before it
    with airflow_deployment(prepared, settings, reporter) as deployment:
        if deployment:
            deployment_facts = {k: deployment.get(k) for k in ("start_seconds", "error", "root")}
        for repeat in range(settings.repeats):
            for item in prepared:
                for engine in settings.engines:
                    reporter.run_started(item.point.label, engine, repeat)
                    run_dir = work / "runs" / item.point.slug / f"{engine}-{repeat + 1}"
                    # the cache check's first run is the last kfp.local repeat, with the cache on but empty
                    fills = bool(check) and item is check[0][0] and engine == "kfp" and repeat == settings.repeats - 1
                    record = run_one(item, engine, repeat, settings, run_dir, mlflow_uri, reporter, deployment,
                                     params_dir=inputs_dir(work, item.point, engine),
                                     cache_root=cache_dir_of(work, item.point) if fills else None,
                                     run_id=airflow_run_ids.get(item.point.label, ""))
                    if engine == "airflow" and record["extra"].get("run_id"):
                        airflow_run_ids[item.point.label] = record["extra"]["run_id"]
                    if fills:
                        record["cache_role"] = "fill"
                    runs[item.point.label].append(record)
                    reporter.run_finished(record)
        if check:
            caching = run_cache_check(check, runs, settings, work, mlflow_uri, reporter,
                                      run_id=airflow_run_ids.get(check[0][0].point.label, ""))
        elif settings.cache_check:  # Airflow's repeats alone show it executes identical inputs again
            caching = {"point": prepared[0].point.label, "runs": [],
                       "summary": summarize_cache_check([], runs[prepared[0].point.label])} if prepared else {}

    results = {
        "results_version": RESULTS_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "duration_seconds": None,
        "machine": measure.machine_info(),
        "settings": {
            "workloads": list(settings.workloads), "repeats": settings.repeats, "engines": list(settings.engines),
            "dags": [{"dag_id": p.dag_id, "file": str(p.dag_file), "params": p.params, "uses_mlflow": p.uses_mlflow,
                      "logical_date": p.logical_date} for p in settings.user_points],
            "notes": list(settings.notes),
            "sweep": [dict(p) for p in settings.sweep] if "scaling" in settings.workloads else [],
            "mlflow_uri": _redact(mlflow_uri), "kfp_mlflow": settings.kfp_mlflow,
            "kfp_host": _redact(settings.kfp_host) if settings.kfp_host else None,
            "logical_date": settings.logical_date, "cache_check": settings.cache_check,
        },
        "engine_titles": engine_titles(settings),
        "points": [],
    }
    for item in prepared:
        point_runs = runs[item.point.label]
        results["points"].append({
            "workload": item.point.workload,
            "label": item.point.label,
            "dag_id": item.point.dag_id,
            "knobs": item.point.knobs,
            "transport": item.point.transport,
            "dag_file": str(item.point.dag_file),
            "pipeline_py": str(item.pipeline_py) if item.pipeline_py else None,
            "pipeline_yaml": str(item.pipeline_yaml) if item.pipeline_yaml else None,
            "conversion_error": item.error,
            "conversion": _conversion_summary(item.conversion),
            "definition": item.definition,
            "runs": point_runs,
            "summary": summarize_runs(point_runs),
            "agreement": (check_dag_agreement(item, point_runs) if item.point.workload == USER_WORKLOAD
                          else check_agreement(point_runs)),
        })
    results["caching"] = caching
    for point in results["points"]:
        if point["workload"] != "ml-training":
            continue
        point["metrics_check"] = check_metrics(point["runs"], mlflow_uri)
        if not point["metrics_check"]["ok"]:  # recorded metrics that differ are a disagreement too
            agreement = point["agreement"]
            agreement["differences"] += point["metrics_check"]["differences"] or [point["metrics_check"]["why"]]
            agreement["ok"] = False
            agreement["verdict"] = f"{len(agreement['differences'])} difference(s) between runs"
    results["airflow_deployment"] = deployment_facts
    tracked = any(e.startswith("airflow") for e in settings.engines) or settings.kfp_mlflow
    if ("ml-training" in settings.workloads or any(p.uses_mlflow for p in settings.user_points)) and tracked:
        reporter.note("reading the MLflow store")
        results["mlflow"] = mlflow_observed(mlflow_uri)
    if settings.probes:
        from kfmigrate.compare.probes import run_probes

        reporter.note("measuring the parts of per-task overhead (probes)")
        results["probes"] = run_probes(work / "probes")
    results["duration_seconds"] = time.time() - started
    return results


def engine_titles(settings: Settings) -> dict:
    tracked = "ml-training" in settings.workloads or any(p.uses_mlflow for p in settings.user_points)
    titles = dict(ENGINE_TITLES) if tracked else {**ENGINE_TITLES, **ENGINE_TITLES_WITHOUT_MLFLOW}
    return {e: titles.get(e, e) for e in settings.engines}


class airflow_deployment:
    """The Airflow deployment (scheduler, LocalExecutor, PostgreSQL) for the airflow-scheduler engine.

    Started once before the runs with every point's DAG file, stopped (processes ended, files
    removed) when the runs are over, on Ctrl-C and on failure. Yields what kfmigrate.compare.runner needs to
    use it, or {"error": why it could not start}: those runs then fail with that reason.
    """

    def __init__(self, prepared: list, settings: Settings, reporter: Reporter):
        self.wanted = "airflow-scheduler" in settings.engines
        self.dag_files = list(dict.fromkeys(item.point.dag_file for item in prepared))
        self.reporter = reporter
        self.deployment = None

    def __enter__(self) -> Optional[dict]:
        if not self.wanted:
            return None
        from kfmigrate.compare.engines.airflow_scheduler import Deployment, SchedulerError

        self.deployment = Deployment(self.dag_files, log=lambda text: self.reporter.note(f"Airflow deployment: {text}"))
        started = time.time()
        try:
            self.deployment.start()
        except SchedulerError as exc:
            self.deployment = None
            return {"error": f"the Airflow deployment did not start: {exc}"}
        return {**self.deployment.describe(), "start_seconds": time.time() - started}

    def __exit__(self, *exc) -> bool:
        if self.deployment is not None:
            self.reporter.note("stopping the Airflow deployment")
            self.deployment.stop()
        return False


# ---------------------------------------------------------------- caching

def inputs_dir(work: Path, point: Point, engine: str) -> Path:
    """Where an engine's runs of a point keep their work dir and, for KFP, its private MLflow store.

    The same folder for every repeat and for the cache check, so all of them get identical inputs:
    that is what lets a cache answer, and what shows that Airflow has none.
    """
    return work / "runs" / point.slug / f"{engine}-inputs"


def cache_dir_of(work: Path, point: Point) -> Path:
    return work / "runs" / point.slug / "cache-check" / "kfp-cache"


def cache_check_plan(prepared: list, settings: Settings) -> list:
    """The kfp.local run that shows its task cache, on the first point that converted.

    The last kfp.local repeat runs with the cache on, into an empty cache, so it executes every
    task as the other repeats do ("fill"); one more run with the same inputs follows ("reuse").
    """
    if not settings.cache_check or "kfp" not in settings.engines:
        return []
    item = next((p for p in prepared if not p.error), None)
    return [(item, "kfp", "reuse")] if item else []


def run_cache_check(plan: list, runs: dict, settings: Settings, work: Path, mlflow_uri: str,
                    reporter: Reporter, run_id: str = "") -> dict:
    item = plan[0][0]
    records = [r for r in runs[item.point.label] if r.get("cache_role") == "fill"]
    for _, engine, role in plan:
        reporter.run_started(f"{item.point.label} (cache check: {role})", engine, settings.repeats)
        record = run_one(item, engine, settings.repeats, settings, cache_dir_of(work, item.point).parent / role,
                         mlflow_uri, reporter, cache_root=cache_dir_of(work, item.point),
                         params_dir=inputs_dir(work, item.point, engine), run_id=run_id)
        record["cache_role"] = role
        record["cold"] = False
        records.append(record)
        reporter.run_finished(record)
    return {"point": item.point.label, "runs": [r for r in records if r["cache_role"] == "reuse"],
            "fill_run": f"kfp repeat {records[0]['repeat'] + 1}" if records[0]["cache_role"] == "fill" else None,
            "summary": summarize_cache_check(records, runs[item.point.label])}


def summarize_cache_check(records: list, point_runs: list) -> dict:
    """Per engine: what a run with exactly the inputs of an earlier one executed again.

    kfp.local: the cache check's fill and reuse runs. Airflow: its last two repeats, which get
    identical inputs too (Airflow has no task cache to switch on).
    """
    summary = {}
    by_role = {r["cache_role"]: r for r in records}
    fill, reuse = by_role.get("fill"), by_role.get("reuse")
    if fill and reuse and fill["ok"] and reuse["ok"]:
        tasks = sorted(reuse["task_states"])
        summary["kfp"] = {
            "tasks": len(tasks), "served_from_cache": len([t for t in reuse["cached_tasks"] if t in tasks]),
            "executed_again": len([t for t in tasks if t not in reuse["cached_tasks"]]),
            "first_wall_seconds": fill["timings"]["wall_seconds"], "again_wall_seconds": reuse["timings"]["wall_seconds"],
            "first_task_work_seconds": fill["timings"]["task_work_seconds"],
            "again_task_work_seconds": reuse["timings"]["task_work_seconds"],
            "first_cpu_seconds": (fill["process"] or {}).get("cpu_seconds"),
            "again_cpu_seconds": (reuse["process"] or {}).get("cpu_seconds"),
            "same_results": not diff_values(fill["outputs"], reuse["outputs"]),
        }
    elif fill or reuse:
        failed = [r for r in (fill, reuse) if r and not r["ok"]]
        summary["kfp"] = {"error": failed[0]["error"] if failed else "incomplete"}
    for engine in dict.fromkeys(r["engine"] for r in point_runs if r["engine"].startswith("airflow")):
        good = [r for r in point_runs if r["engine"] == engine and r["ok"]]
        if len(good) < 2:
            continue  # one repeat: nothing ran twice
        first, again = good[-2], good[-1]
        tasks = again["timings"]["tasks"]
        summary[engine] = {
            "tasks": len(again["task_states"]), "served_from_cache": 0,
            "executed_again": len([k for k, t in tasks.items() if t["state"] == "succeeded" and t["run_seconds"] > 0]),
            "repeats": [first["repeat"] + 1, again["repeat"] + 1],
            "first_wall_seconds": first["timings"]["wall_seconds"], "again_wall_seconds": again["timings"]["wall_seconds"],
            "first_task_work_seconds": first["timings"]["task_work_seconds"],
            "again_task_work_seconds": again["timings"]["task_work_seconds"],
            "same_results": not diff_values(first["outputs"], again["outputs"]),
        }
    return summary


def _conversion_summary(report: Optional[MigrationReport]) -> dict:
    if report is None:
        return {}
    return {"summary": dataclasses.asdict(report.summary),
            "tasks": [{"task_id": t.task_id, "operator": t.operator, "kfp_task": t.kfp_task, "fidelity": t.fidelity,
                       "mapping": t.mapping, "differences": t.differences} for t in report.tasks],
            "diagnostics": [f"{d.code} {d.message}" for d in report.diagnostics]}


def _redact(uri: Optional[str]) -> Optional[str]:
    """Never write credentials into a report: drop user:password@ from a URI."""
    if not uri:
        return uri
    import re

    return re.sub(r"//[^/@]+@", "//***@", uri)
