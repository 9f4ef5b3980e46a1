"""The architecture evaluation: what each stack's design offers (compare/architecture.yaml, a data file),
beside what this run observed where it could."""
from __future__ import annotations

import functools
from pathlib import Path

from kfmigrate.compare.report.document import Heading, Para, Table
from kfmigrate.compare.report.figures import (fidelity_mix, is_single, max_concurrency, megabytes, representative_run, seconds,
                                    spread, sweep_series)

TABLE = Path(__file__).resolve().parent.parent / "architecture.yaml"  # compare/, beside the other data files


@functools.lru_cache(maxsize=None)
def evaluation_rows() -> tuple:
    """The table's rows, as architecture.yaml holds them (aspect, airflow, kubeflow, observed)."""
    import yaml

    return tuple(yaml.safe_load(TABLE.read_text(encoding="utf-8"))["rows"])


def architecture_blocks(results: dict) -> list:
    engines = results["settings"]["engines"]
    titles = results.get("engine_titles", {})
    found = observations(results)
    rows = [[row["aspect"], row["airflow"], row["kubeflow"], row["observed"].format(**found)]
            for row in evaluation_rows()]
    return [Heading("Architecture evaluation"),
            Para("Each row: what the design offers on each side, and what this run observed where it could. "
                 "Observations come from the engines this run used (" + ", ".join(titles.get(e, e) for e in engines)
                 + "); a Kubeflow cluster adds scheduling and pod start-up costs that local runs do not show."),
            Table(["aspect", "Airflow + MLflow", "Kubeflow Pipelines", "observed in this run"], rows)]


def observed_facts(results: dict) -> dict:
    """Numbers from this run that back the architecture rows."""
    facts = {}
    ml = next((p for p in results["points"] if p["workload"] == "ml-training"), None)
    for engine in results["settings"]["engines"]:
        for point in ([ml] if ml else []) + [p for p in results["points"] if p["workload"] == "scaling"][:1]:
            summary = point["summary"].get(engine, {})
            key = "ml" if point is ml else "scaling"
            facts[(engine, key)] = summary
    facts["mlflow"] = results.get("mlflow") or {}
    facts["ml"] = ml
    return facts


def observations(results: dict) -> dict:
    """What this run observed for the table's `observed` column, by the names architecture.yaml uses."""
    facts = observed_facts(results)
    engines = results["settings"]["engines"]
    titles = results.get("engine_titles", {})
    ml = facts["ml"]

    def fig(engine, key, figure, fmt=seconds):
        stats = (facts.get((engine, key)) or {}).get(figure) or {}
        return spread(stats, fmt) if stats.get("median") is not None else None

    def both(key, figure, fmt=seconds, label=""):
        parts = [f"{titles.get(e, e)} {fig(e, key, figure, fmt)}" for e in engines if fig(e, key, figure, fmt)]
        return (label + ": " if label and parts else "") + "; ".join(parts)

    mlflow = facts["mlflow"]
    tracking_obs = "-"
    if mlflow and not mlflow.get("error"):
        tracking_obs = (f"MLflow store after the runs: {mlflow.get('parent_runs')} pipeline runs with "
                        f"{mlflow.get('runs', 0) - mlflow.get('parent_runs', 0)} nested candidate runs, "
                        f"{mlflow.get('metrics_logged')} metrics, {mlflow.get('params_logged')} params, "
                        f"{mlflow.get('registered_model_versions')} registered model versions.")
    elif mlflow.get("error"):
        tracking_obs = f"MLflow store could not be read: {mlflow['error']}"
    check = (ml or {}).get("metrics_check") or {}
    if check.get("checked"):
        tracking_obs = ("" if tracking_obs == "-" else tracking_obs + " ") + (f"KFP recorded {check['kfp_metrics']} metric values as Metrics artifacts, "
                         + ("identical to MLflow's." if check["ok"] else "**not** identical to MLflow's."))
    artifacts_obs = "-"
    if ml:
        kfp_run = representative_run(ml, "kfp")
        if kfp_run:
            recorded = kfp_run["recorded"]
            artifacts_obs = (f"kfp.local run kept {recorded.get('task_results')} output values and "
                             f"{recorded.get('artifact_files')} files ({megabytes(recorded.get('artifact_bytes'))}) "
                             f"under its pipeline root, among them {recorded.get('metrics_artifacts', 0)} Metrics "
                             f"artifact(s) with {recorded.get('metrics_values', 0)} values and "
                             f"{recorded.get('model_artifacts', 0)} Model artifact(s); Airflow kept XComs, and MLflow "
                             "the model (registered). Intermediate data files live in the work dir on both sides.")
    definition = (ml or {}).get("definition", {})
    sdk_obs = "-"
    if definition.get("airflow") and definition.get("kfp"):
        sdk_obs = (f"ml-training: Airflow DAG {definition['airflow']['code_lines']} lines / "
                   f"{definition['airflow']['concepts']} concepts; generated KFP "
                   f"{definition['kfp']['code_lines']} lines / {definition['kfp']['concepts']} concepts "
                   f"(converted automatically: {fidelity_mix(ml) or '-'}).")
    engine_obs = "; ".join(filter(None, [
        both("ml", "time_to_first_task", label="time to first task (ml-training)"),
        both("ml", "median_start_latency", label="median start latency"),
        both("ml", "overhead_seconds", label="time with no task running")])) or "-"
    wall_label = "ml-training wall (1 run, cold)" if is_single(results) else "ml-training wall (warm)"
    local_obs = "; ".join(filter(None, [both("ml", "wall_seconds", label=wall_label),
                                        both("ml", "cpu_seconds", lambda v: f"{v:.1f} CPU s", label="CPU"),
                                        both("ml", "peak_rss_bytes", megabytes, label="peak memory")])) or "-"
    scale_obs = fan_out_observation(results, titles) or "-"

    return {"tracking": tracking_obs, "engine": engine_obs, "sdk": sdk_obs, "artifacts": artifacts_obs,
            "caching": caching_observation(results, titles), "local": local_obs, "scaling": scale_obs}


def caching_observation(results: dict, titles: dict) -> str:
    summary = (results.get("caching") or {}).get("summary") or {}
    parts = []
    for engine, facts in summary.items():
        if facts.get("error"):
            continue
        change = f"{seconds(facts['first_wall_seconds'])} -> {seconds(facts['again_wall_seconds'])}"
        if engine.startswith("kfp"):
            parts.append(f"{titles.get(engine, engine)}: the same inputs again took {facts['served_from_cache']} "
                         f"of {facts['tasks']} tasks from the cache ({change})")
        else:
            parts.append(f"{titles.get(engine, engine)}: the same inputs again executed {facts['executed_again']} "
                         f"of {facts['tasks']} tasks ({change})")
    return "; ".join(parts) or "not measured (--no-cache-check, or one repeat); repeats run with caching off"


def fan_out_observation(results: dict, titles: dict) -> str:
    scaling = [p for p in results["points"] if p["workload"] == "scaling"]
    parts = []
    widest = max(scaling, key=lambda p: p["knobs"].get("fan_out", 0), default=None)
    for engine in results["settings"]["engines"]:
        run = representative_run(widest, engine) if widest else None
        if not run:
            continue
        branches = [(t["start_offset"], t["end_offset"]) for k, t in run["timings"]["tasks"].items()
                    if k.startswith("branch_")]
        if len(branches) >= 2:
            parts.append(f"{titles.get(engine, engine)} ran at most {max_concurrency(branches)} of the "
                         f"{len(branches)} parallel tasks at once")
    for engine in results["settings"]["engines"]:
        xs, ys, _ = sweep_series(scaling, "fan_out", engine, "fan_out_seconds")
        if len(xs) >= 2:
            parts.append(f"{titles.get(engine, engine)}: {xs[0]} -> {xs[-1]} parallel tasks took "
                         f"{ys[0]:.2f} -> {ys[-1]:.2f} s ({ys[-1] / xs[-1] * 1000:.0f} ms per task at W={xs[-1]})")
    return "; ".join(parts)
