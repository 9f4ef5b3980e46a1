"""The report's sections, in order: build_blocks(results) is the whole document."""
from __future__ import annotations

import statistics
from typing import Optional

from kfmigrate.compare.report.architecture import architecture_blocks
from kfmigrate.compare.report.costs import cost_model_blocks, footprint_blocks, overhead_blocks
from kfmigrate.compare.report.document import Heading, Image, Para, Table
from kfmigrate.compare.report.figures import (SECTION_PANELS, fidelity_mix, fitted_slope, is_single, median_basis, megabytes,
                                    ratio, representative_run, seconds, series_groups, short_error, slug, spread,
                                    sweep_series)
from kfmigrate.compare.report.plots import plot_resources, plot_scaling, plot_timeline


def build_blocks(results: dict, with_plots: bool = True) -> list:
    engines = results["settings"]["engines"]
    titles = results.get("engine_titles", {})
    points = results["points"]
    stacks = "Airflow + MLflow" if any("MLflow" in t for t in titles.values()) else "Airflow"
    blocks = [Heading(f"{stacks} vs Kubeflow Pipelines: the same workload on both", 1)]
    settings = results["settings"]
    blocks += [Heading("Summary"), Para("\n".join(summary_lines(results)))]
    what = [w for w in settings["workloads"]] + [f"your DAG {d['dag_id']} (`{d['file']}`)" for d in settings.get("dags", [])]
    basis = ("The first repeat is the cold run; medians and ranges are over the warm runs, each with its n."
             if not is_single(results) else
             "One repeat: every figure is from that single run, the cold one (no warm figures; n=1).")
    blocks.append(Para(
        f"Workloads: **{', '.join(what) or '-'}**; engines: **{', '.join(titles.get(e, e) for e in engines)}**; "
        f"{settings['repeats']} repeat(s) each, engines interleaved. The KFP pipelines were produced by "
        f"`kfmigrate convert` from the same Airflow DAG files. {basis} "
        f"Created {results['created']}, took {seconds(results.get('duration_seconds'))}."))
    for note in settings.get("notes", []):
        blocks.append(Para(f"Left out: {note}."))

    blocks += agreement_blocks(points, titles)
    blocks += headline_blocks(points, engines, titles)
    for point in points:
        if point["workload"] in ("ml-training", "dag"):
            blocks += point_blocks(point, engines, titles, with_plots, results)
    scaling = [p for p in points if p["workload"] == "scaling"]
    if scaling:
        blocks += scaling_blocks(scaling, engines, titles, with_plots, results)
    elif not settings.get("dags"):
        blocks += [Heading("Workload: scaling"),
                   Para("Not run this time: `kfmigrate compare all` (or `scaling`) adds the sweep of chain "
                        "length, fan-out and payload size, with its plots.")]
    if with_plots:
        png = plot_resources(points, engines, titles, median_basis(results))
        if png:
            blocks += [Heading("Resources"), Image("resources.png", "CPU seconds and peak memory per run", png)]
    blocks += overhead_blocks(results)
    blocks += caching_blocks(results, titles)
    blocks += cost_model_blocks(results)
    blocks += footprint_blocks()
    blocks += definition_blocks(points)
    blocks += architecture_blocks(results)
    blocks += machine_blocks(results)
    return blocks


def _median(point: dict, engine: str, figure: str):
    return ((point["summary"].get(engine) or {}).get(figure) or {}).get("median")


def _faster_points(points: list, fast: str, slow: str, figure: str) -> list:
    """'label (1.8x: 2.10 s vs 3.80 s)' for each point where engine `fast` has the lower median."""
    found = []
    for point in points:
        a, b = _median(point, fast, figure), _median(point, slow, figure)
        if a and b and a < b:
            found.append(f"{point['label']} ({b / a:.1f}x: {seconds(a)} vs {seconds(b)})")
    if len(found) > 3:
        found = found[:3] + [f"{len(found) - 3} more"]
    return found


def summary_lines(results: dict) -> list:
    """The five lines at the top: where each engine is faster and by how much, what differed, what was not measured."""
    engines = results["settings"]["engines"]
    titles = results.get("engine_titles", {})
    points = results["points"]
    airflow = next((e for e in engines if e.startswith("airflow")), None)
    kfp = next((e for e in engines if e.startswith("kfp")), None)
    basis = "one cold run each" if is_single(results) else "median of the warm runs"
    lines = []
    if airflow and kfp:
        for fast, slow in ((airflow, kfp), (kfp, airflow)):
            wins = _faster_points(points, fast, slow, "wall_seconds")
            lines.append(f"- Faster end to end on {titles.get(fast, fast)}: " + ("; ".join(wins) or "no workload")
                         + f" (wall, {basis}).")
        overhead = [f"{titles.get(e, e)} {seconds(_median(p, e, 'overhead_seconds'))} / "
                    f"{seconds(_median(p, e, 'median_start_latency'))}"
                    for p in points[:1] for e in (airflow, kfp)]
        lines.append(f"- Orchestration on {points[0]['label'] if points else '-'}: no task running / start latency "
                     f"per task: {'; '.join(overhead)} (KFP's per-task process start and imports count as task "
                     "time: see where per-task overhead comes from).")
    else:
        only = airflow or kfp
        lines.append(f"- One engine only ({titles.get(only, only)}): nothing to compare speed against.")
        lines.append("- -")
        lines.append("- -")
    bad = [p for p in points if not p["agreement"]["ok"]]
    if not bad:
        lines.append(f"- Results: the engines agree on all {len(points)} workload point(s).")
    else:
        first = bad[0]["agreement"]
        detail = (first["differences"] or first["failed_runs"] or [first["verdict"]])[0]
        lines.append(f"- Results: {len(bad)} of {len(points)} point(s) did not agree or did not complete: "
                     f"{bad[0]['label']}: {first['verdict']} ({short_error(detail)}).")
    missing = []
    if "kfp-cluster" not in engines:
        missing.append("pod start and image pull on a cluster (modelled from published figures, not measured)")
    else:
        missing.append("CPU and memory inside the cluster's pods")
    if "airflow-scheduler" not in engines:
        missing.append("the Airflow scheduler loop (`--airflow-mode scheduler`)")
    if is_single(results):
        missing.append("warm runs (one repeat: every figure is a single cold run)")
    if not results.get("probes"):
        missing.append("the parts of per-task overhead (`--no-probes`)")
    missing += results["settings"].get("notes", [])
    lines.append("- Not measured: " + "; ".join(missing) + ".")
    return lines


def agreement_blocks(points: list, titles: dict) -> list:
    rows = []
    for point in points:
        agreement = point["agreement"]
        mark = "✔" if agreement["ok"] else "✘"
        failed = [short_error(text, last=True) for text in agreement["failed_runs"]]
        details = "; ".join((agreement["differences"] + failed + agreement.get("expected_failures", []))[:5])
        if point.get("conversion_error"):
            details = (details + "; " if details else "") + point["conversion_error"]
        rows.append([point["label"], f"{mark} {agreement['verdict']}", details or "-"])
    all_ok = all(p["agreement"]["ok"] for p in points)
    what = ("model choice, metrics, model file hash, every returned value" if any(p["workload"] == "ml-training"
                                                                                  for p in points)
            else "every task's outcome and returned values")
    lead = (f"All engines produced identical task results ({what}) on every run." if all_ok else
            "**Not every run agreed or succeeded**: see the details below.")
    return [Heading("Do the engines agree?"), Para(lead),
            Table(["point", "verdict", "details"], rows,
                  "Task results compared: every task's return value, JSON-normalised; file paths and "
                  "MLflow ids (which differ by design) left out.")]


def headline_blocks(points: list, engines: list, titles: dict) -> list:
    ml = [p for p in points if p["workload"] == "ml-training"]
    if not ml:
        return []
    point = ml[0]
    rows = []
    for engine in engines:
        runs = [r for r in point["runs"] if r["engine"] == engine and r["ok"]]
        if not runs:
            rows.append([titles.get(engine, engine), "-", "-", "-", "no successful run"])
            continue
        head = runs[-1]["headline"]
        metrics = head.get("metrics") or {}
        order = list((point["runs"][0]["headline"] or {}).get("metrics") or {})  # one order for every engine
        metrics = dict(sorted(metrics.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
        rows.append([titles.get(engine, engine), head.get("model_name") or "-",
                     ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()) or "-",
                     (head.get("model_sha256") or "-")[:16],
                     _tracking_note(engine, head, runs[-1].get("recorded") or {})])
    blocks = [Heading("ML training result"),
              Table(["engine", "chosen model", "test metrics", "model file sha256", "recorded in"], rows)]
    check = point.get("metrics_check") or {}
    if check.get("checked"):
        verdict = ("identical" if check["ok"] else f"**{len(check['differences'])} difference(s)**: "
                   + "; ".join(check["differences"][:3]))
        blocks.append(Para(f"Metrics recorded by KFP against MLflow: the Metrics artifacts of {check['kfp_runs']} "
                           f"KFP run(s) hold {check['kfp_metrics']} values; the MLflow run of {check['reference']} "
                           f"holds {check['mlflow_metrics']} (its nested runs' as `<run name>/<metric>`): {verdict}."))
    elif check:
        blocks.append(Para(f"Metrics recorded by KFP against MLflow: not compared ({check.get('why')})."))
    return blocks


def _tracking_note(engine: str, head: dict, recorded: dict) -> str:
    if engine.startswith("kfp") and recorded.get("metrics_artifacts"):
        return (f"KFP Metrics artifact ({recorded['metrics_values']} values) and Model artifact "
                f"({recorded['model_bytes'] / 1000:.0f} KB) under the pipeline root; the task's MLflow calls "
                "were turned into them by the converter")
    if head.get("mlflow_run_id"):
        version = head.get("registered_version")
        return (f"MLflow run {head['mlflow_run_id'][:8]} (params, metrics, model"
                + (f", registered version {version}" if version else "") + ")")
    if engine.startswith("airflow"):
        return "XCom only (no MLflow URI)"
    return "KFP output parameters (task results) and files under the pipeline root"


def point_blocks(point: dict, engines: list, titles: dict, with_plots: bool, results: Optional[dict] = None) -> list:
    single = is_single(results) if results else False
    title = point["label"] if point["workload"] != "dag" else f"{point['label']} (your DAG: `{point['dag_file']}`)"
    blocks = [Heading(f"Workload: {title}")]
    if point["workload"] == "dag":
        blocks += dag_point_blocks(point)
    rows = []
    for engine in engines:
        summary = point["summary"].get(engine)
        if not summary:
            continue
        cold = [] if single else [seconds(summary["cold"]["wall_seconds"])]
        rows.append([titles.get(engine, engine), f"{summary['ok_runs']}/{summary['runs']}",
                     spread(summary["wall_seconds"]), *cold,
                     spread(summary.get("engine_run_seconds", {})),
                     spread(summary["overhead_seconds"]), spread(summary["task_work_seconds"]),
                     spread(summary["time_to_first_task"]), spread(summary["median_start_latency"]),
                     spread(summary["cpu_seconds"], lambda v: f"{v:.1f} s"),
                     spread(summary["peak_rss_bytes"], megabytes)])
    walls = ["wall (1 run, cold)"] if single else ["wall (warm)", "wall (cold)"]
    blocks.append(Table(
        ["engine", "ok runs", *walls, "engine's own run", "no task running",
         "task work (sum)", "time to first task", "median start latency", "CPU", "peak memory"], rows,
        "Each figure: median (min - max, n runs). "
        "wall: from calling the engine to its return; engine's own run: dag.test() / kfp.local's pipeline "
        "run inside that (the rest is process start-up, DAG parsing, reading results back); "
        "no task running: wall minus the union of task "
        "intervals (engine start-up, scheduling, bookkeeping); start latency: a task's start minus its "
        "last upstream's finish. CPU and memory cover the whole process tree of the run."))
    blocks.append(Para(
        "Every run starts its engine from scratch (a fresh process, a fresh Airflow home, kfp.local's own "
        "child), which is what a developer pays locally. In production Airflow's scheduler and the KFP API "
        "server are long-running, so for the per-run cost of a deployment look at the engine's own run; "
        "the rest of the wall time is start-up a deployment pays once."))
    blocks += per_task_blocks(point, engines, titles, single)
    blocks += scheduler_blocks(point, engines, titles, single)
    recorded_rows = []
    for engine in engines:
        run = representative_run(point, engine)
        if run:
            recorded = run["recorded"]
            extra = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in recorded.items()
                              if k not in ("where", "task_results") and v is not None)
            recorded_rows.append([titles.get(engine, engine), recorded.get("task_results"), recorded.get("where"),
                                  extra or "-"])
    if recorded_rows:
        blocks.append(Table(["engine", "task results kept", "where", "also"], recorded_rows,
                            "What one run leaves for later inspection."))
    if with_plots:
        png = plot_timeline(point, engines, titles)
        if png:
            blocks.append(Image(f"timeline-{slug(point['label'])}.png", f"Task timeline per engine: {point['label']}", png))
    return blocks


def dag_point_blocks(point: dict) -> list:
    """What a user DAG's point ran with, and its per-task verdict when engines disagreed."""
    fidelity = fidelity_mix(point)
    agreement = point["agreement"]
    lines = [f"Converted by kfmigrate ({fidelity or 'no task'}); the agreement check is `kfmigrate verify`'s, "
             "repeat by repeat: every task's outcome, XCom values and rendered fields, Airflow against kfp.local."]
    if agreement.get("not_run_locally"):
        lines.append("Not run locally (not counted as agreeing): " + ", ".join(agreement["not_run_locally"]) + ".")
    return [Para(" ".join(lines))]


def per_task_blocks(point: dict, engines: list, titles: dict, single: bool = False) -> list:
    chosen = {e: representative_run(point, e) for e in engines}
    chosen = {e: r for e, r in chosen.items() if r}
    if not chosen:
        return []
    keys = []
    for run in chosen.values():
        for key, task in sorted(run["timings"]["tasks"].items(), key=lambda kv: kv[1]["start_offset"]):
            if key not in keys:
                keys.append(key)
    headers = ["task"] + [f"{titles.get(e, e)}: {what}" for e in chosen for what in ("start latency", "run time")]
    rows = []
    for key in keys:
        row = [key]
        for engine, run in chosen.items():
            task = run["timings"]["tasks"].get(key)
            row += [seconds(task["start_latency"]) if task else "-", seconds(task["run_seconds"]) if task else "-"]
        rows.append(row)
    which = "the one run of each engine (cold)" if single else "the representative (median wall) warm run of each engine"
    return [Table(headers, rows, f"Per task, from {which}.")]


def scheduler_blocks(point: dict, engines: list, titles: dict, single: bool = False) -> list:
    """Start latency under a real scheduler against dag.test(), when both ran."""
    if "airflow-scheduler" not in engines:
        return []
    figures, stats = {}, {}
    for engine in ("airflow", "airflow-scheduler"):
        summary = point["summary"].get(engine) or {}
        stats[engine] = summary.get("median_start_latency") or {}
        figures[engine] = stats[engine].get("median")
    text = ("Under the scheduler (LocalExecutor on PostgreSQL) a task starts when a scheduler loop has "
            "seen its upstream finish, queued it, and a LocalExecutor worker has started the task process, "
            "which then checks in with the api-server's Execution API; dag.test() runs the next task in "
            "its own loop at once. ")
    parts = [f"{titles.get(e, e)} {spread(stats[e])}" for e, v in figures.items() if v is not None]
    if parts:
        text += (f"Median start latency per task ({'the one, cold run' if single else 'warm runs'}): "
                 + "; ".join(parts) + ".")
    if all(v for v in figures.values()):
        text += f" The scheduler takes {ratio(figures['airflow-scheduler'], figures['airflow'])} as long."
    cold = point["summary"].get("airflow-scheduler", {}).get("cold", {})
    if cold.get("wall_seconds") is not None and not single:
        text += (f" The deployment's first run (cold: {seconds(cold['wall_seconds'])}) pays its workers' "
                 "and the Execution API's first use.")
    text += (" Its wall time runs from the trigger (REST) to the run's end as seen by polling; its CPU and "
             "memory are the client's plus what the deployment's processes (scheduler, dag-processor, "
             "api-server, PostgreSQL, task processes) spent during the run (their memory as PSS, shared "
             "pages split between the forks sharing them).")
    return [Para(text)]


def caching_blocks(results: dict, titles: dict) -> list:
    """What each engine did when a run got exactly the inputs of an earlier one."""
    caching = results.get("caching") or {}
    summary = caching.get("summary") or {}
    if not summary:
        return []
    rows = []
    for engine, facts in summary.items():
        name = titles.get(engine, engine)
        if facts.get("error"):
            rows.append([name, "-", "-", "-", "-", short_error(facts["error"])])
            continue
        first, again = facts["first_wall_seconds"], facts["again_wall_seconds"]
        saved = first - again
        if engine.startswith("kfp"):
            what = f"{facts['served_from_cache']} of {facts['tasks']} tasks from kfp.local's cache"
            saving = f"{seconds(saved)} ({saved / first:.0%})" if first else "-"
        else:
            what = (f"{facts['executed_again']} of {facts['tasks']} tasks executed again "
                    f"(repeat {facts['repeats'][1]} after repeat {facts['repeats'][0]})")
            saving = "none: no task cache"
        rows.append([name, what, f"{seconds(first)} -> {seconds(again)}", saving,
                     f"{seconds(facts['first_task_work_seconds'])} -> {seconds(facts['again_task_work_seconds'])}",
                     "identical" if facts["same_results"] else "**different**"])
    return [Heading("Caching"),
            Para(f"On {caching.get('point')}, runs with exactly the inputs of an earlier run. kfp.local's last "
                 "repeat ran with its task cache on (`local.init(enable_caching=True)`; kfp 2.17 keys each task by "
                 "component, image, command, input values and environment) into an empty cache, so it executed "
                 "every task like the other repeats; one more run with the same inputs followed, which is not "
                 "part of the medians. Airflow has no task cache to switch on: its repeats get identical inputs, "
                 "and the last one is compared with the one before."),
            Table(["engine", "with identical inputs", "wall: first -> again", "saved", "task work: first -> again",
                   "results"], rows)]


def scaling_blocks(points: list, engines: list, titles: dict, with_plots: bool, results: Optional[dict] = None) -> list:
    blocks = [Heading("Workload: scaling"), Para(
        "One DAG per sweep point: a chain of N trivial tasks, then W parallel tasks, then one task returning "
        "S KB of text to the next. Each run is cut into these sections by task timestamps, so every point "
        "measures all three: the chain's span (per-task overhead), the fan-out's span (parallelism) and the "
        "payload hop (data passing). Tasks do nothing, so the figures measure the engines.")]
    rows = []
    for point in points:
        knobs = point["knobs"]
        for engine in engines:
            summary = point["summary"].get(engine)
            if not summary:
                continue
            sections = summary.get("sections", {})
            failures = [r for r in point["runs"] if r["engine"] == engine and not r["ok"]]
            failure = "-"
            if failures:
                failure = ("expected: " + failures[0]["expected_failure"]) if failures[0].get("expected_failure") \
                    else short_error(failures[0]["error"])
            rows.append([knobs["chain"], knobs["fan_out"], knobs["payload_kb"], point.get("transport", "parameter"),
                         titles.get(engine, engine),
                         f"{summary['ok_runs']}/{summary['runs']}", spread(summary["wall_seconds"]),
                         spread(sections.get("chain_seconds", {})), spread(sections.get("chain_per_task") or {}),
                         spread(sections.get("fan_out_seconds", {})), spread(sections.get("payload_seconds", {})),
                         spread(summary["cpu_seconds"], lambda v: f"{v:.1f} s"), failure])
    blocks.append(Table(["N", "W", "S (KB)", "KFP XCom as", "engine", "ok", "wall", "chain", "per chained task",
                         "fan-out", "payload hop", "CPU", "failure"], rows,
                        "Each figure: median (min - max, n runs). "
                        "KFP XCom as: how the converted pipeline passes task results (`convert --xcom-transport`): "
                        "KFP parameters (one command-line argument each, 128 KiB at most) or JSON artifact files. "
                        "Airflow runs the same DAG either way (XCom in its metadata database)."))
    blocks += slope_blocks(points, engines, titles)
    blocks += scheduler_blocks(max(points, key=lambda p: sum(p["knobs"].values())), engines, titles,
                               is_single(results) if results else False)
    if with_plots:
        png = plot_scaling(points, engines, titles)
        if png:
            blocks.append(Image("scaling.png", "Time of the chain, the fan-out and the payload hop against N, W and S", png))
        largest = max(points, key=lambda p: sum(p["knobs"].values()))
        png = plot_timeline(largest, engines, titles)
        if png:
            blocks.append(Image(f"timeline-{slug(largest['label'])}.png", f"Task timeline per engine: {largest['label']}", png))
    return blocks


def slope_blocks(points: list, engines: list, titles: dict) -> list:
    """Marginal cost per extra task (chain and fan-out) and per extra KB, fitted over the sweep."""
    rows = []
    for engine, suffix, group in [(e, suffix, g) for e in engines for suffix, g in series_groups(points, e)]:
        row = [titles.get(engine, engine) + suffix]
        for knob, figure, _, _ in SECTION_PANELS:
            xs, ys, _ = sweep_series(group, knob, engine, figure)
            slope = fitted_slope(xs, ys)
            unit = "KB" if knob == "payload_kb" else "task"
            row.append("-" if slope is None else f"{slope * 1000:.2f} ms per {unit}")
        rows.append(row)
    return [Table(["engine", "each extra chained task", "each extra parallel task", "each extra KB of payload"],
                  rows, "Least-squares slope of each section's median time against its size over the sweep.")]


def first_task_warm_up(points: list) -> str:
    """How much longer the first trivial task runs than the others, per engine (one-time start-up).

    Airflow 3's dag.test() starts its in-process execution API when the first task runs, and that
    time lands inside the first task's recorded run time; the scaling tasks are all trivial, so the
    first task's excess over the median of the others is that one-time cost. Not in the report at
    present (docs/compare.md promises it; the scaling section stopped calling it in a9ec71c).
    """
    base = [p for p in points if (p.get("knobs") or {}).get("chain", 0) > 1] or points
    parts = []
    for engine in ("airflow", "airflow-scheduler", "kfp", "kfp-cluster"):
        excesses = []
        for point in base:
            run = representative_run(point, engine)
            if not run:
                continue
            tasks = sorted(run["timings"]["tasks"].values(), key=lambda t: t["start_offset"])
            if len(tasks) >= 3:
                excesses.append(tasks[0]["run_seconds"] - statistics.median(t["run_seconds"] for t in tasks[1:]))
        if excesses:
            parts.append((engine, statistics.median(excesses)))
    if not parts:
        return ""
    text = "; ".join(f"{engine}: {seconds(value)}" for engine, value in parts)
    return (f"First-task warm-up (the first trivial task's run time minus the median of the others): {text}. "
            "In Airflow 3, dag.test() starts its in-process execution API during the first task, so that "
            "one-time cost shows up as task run time rather than as time with no task running.")


def definition_blocks(points: list) -> list:
    rows = []
    seen = set()
    for point in points:
        key = point["label"] if point["workload"] == "dag" else point["workload"]
        if key in seen or not point["definition"]:
            continue
        seen.add(key)
        airflow = point["definition"].get("airflow", {})
        kfp = point["definition"].get("kfp", {})
        yaml_lines = point["definition"].get("kfp_yaml", {}).get("lines", "-")
        fidelity = fidelity_mix(point)
        rows.append([f"scaling (at {point['label'].split(' ', 1)[1]})" if key == "scaling" else point["label"],
                     f"{airflow.get('code_lines', '-')} lines, {airflow.get('concepts', '-')} concepts",
                     f"{kfp.get('code_lines', '-')} lines, {kfp.get('concepts', '-')} concepts",
                     yaml_lines, fidelity or "-"])
    if not rows:
        return []
    names = []
    for point in points:
        if point["definition"]:
            names.append(f"{point['label']}: Airflow uses {', '.join(point['definition'].get('airflow', {}).get('concept_names', []))}; "
                         f"KFP uses {', '.join(point['definition'].get('kfp', {}).get('concept_names', []))}.")
            break
    return [Heading("Definition size"),
            Para("The generated KFP Python is longer than the DAG because every component carries what the "
                 "Airflow callable needs at run time (its imports, helpers, and kfmigrate's small Airflow "
                 "context shim); the concepts a reader must know are about as many on both sides."),
            Table(["workload", "Airflow DAG", "KFP pipeline (generated Python)", "compiled YAML lines",
                   "conversion fidelity"], rows,
                  "Lines: non-blank, non-comment. Concepts: distinct framework API names a definition uses."),
            Para(" ".join(names))]


def machine_blocks(results: dict) -> list:
    machine = results["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items() if v)
    memory = machine.get("memory_bytes")
    return [Heading("Machine and versions"), Table(["", ""], [
        ["CPU", f"{machine['cpu_model']} ({machine['cpu_count']} cores)"],
        ["memory", f"{memory / 2**30:.1f} GiB" if memory else "-"],
        ["platform", machine["platform"]],
        ["Python", machine["python"]],
        ["packages", versions],
        ["MLflow store", results["settings"].get("mlflow_uri") or "-"],
    ])]
