"""Render compare results: report.md, a self-contained report.html (plots inline as PNG), results.json.

The report is built once as a list of blocks (headings, paragraphs, tables, images) and written
twice, as Markdown and as HTML, so both always say the same. The PNG plots are drawn with
matplotlib (Agg) and embedded in the HTML as base64 data URIs; report.md refers to the same PNG
files written beside it. matplotlib is imported lazily.
"""
from __future__ import annotations

import base64
import html
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

ENGINE_COLORS = {"airflow": "#017cee", "airflow-scheduler": "#7b1fa2", "kfp": "#e8710a", "kfp-cluster": "#34a853"}
STATE_COLORS = {"succeeded": None, "failed": "#d93025", "skipped": "#9aa0a6", "not_run": "#dadce0"}


# ---------------------------------------------------------------- a tiny document model

@dataclass
class Heading:
    text: str
    level: int = 2


@dataclass
class Para:
    text: str


@dataclass
class Table:
    headers: list
    rows: list
    caption: str = ""


@dataclass
class Image:
    name: str  # file name of the PNG beside the report
    title: str
    png: bytes = field(repr=False, default=b"")


def to_markdown(blocks: list) -> str:
    lines = []
    for block in blocks:
        if isinstance(block, Heading):
            lines += ["#" * block.level + " " + block.text, ""]
        elif isinstance(block, Para):
            lines += [block.text, ""]
        elif isinstance(block, Table):
            if block.caption:
                lines += [f"*{block.caption}*", ""]
            lines.append("| " + " | ".join(_md_cell(h) for h in block.headers) + " |")
            lines.append("|" + "|".join("---" for _ in block.headers) + "|")
            for row in block.rows:
                lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
            lines.append("")
        elif isinstance(block, Image):
            lines += [f"![{block.title}]({block.name})", ""]
    return "\n".join(lines).rstrip() + "\n"


def _md_cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", "<br>")


CSS = """
body{font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#202124;line-height:1.45}
h1{border-bottom:3px solid #017cee;padding-bottom:.3em}h2{margin-top:2em;border-bottom:1px solid #dadce0}
table{border-collapse:collapse;margin:1em 0;font-size:.9em;width:100%}
th,td{border:1px solid #dadce0;padding:.35em .6em;text-align:left;vertical-align:top}
th{background:#f1f3f4}tr:nth-child(even) td{background:#fafafa}
caption{caption-side:top;text-align:left;font-style:italic;padding:.3em 0}
figure{margin:1.5em 0}figure img{max-width:100%;border:1px solid #dadce0}figcaption{color:#5f6368;font-size:.9em}
code{background:#f1f3f4;padding:0 .25em;border-radius:3px}
.ok{color:#188038;font-weight:600}.bad{color:#d93025;font-weight:600}
"""


def to_html(blocks: list, title: str) -> str:
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{html.escape(title)}</title>", f"<style>{CSS}</style></head><body>"]
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            parts.append(f"<p>{_inline(block.text)}</p>")
        elif isinstance(block, Table):
            parts.append("<table>")
            if block.caption:
                parts.append(f"<caption>{_inline(block.caption)}</caption>")
            parts.append("<tr>" + "".join(f"<th>{_inline(h)}</th>" for h in block.headers) + "</tr>")
            for row in block.rows:
                parts.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>")
            parts.append("</table>")
        elif isinstance(block, Image):
            data = base64.b64encode(block.png).decode("ascii")
            parts.append(f'<figure><img alt="{html.escape(block.title)}" src="data:image/png;base64,{data}">'
                         f"<figcaption>{html.escape(block.title)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _inline(value) -> str:
    """Escape, then honour the two bits of Markdown the blocks use: **bold** and `code`."""
    import re

    text = html.escape(str(value)).replace("\n", "<br>")
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"`(.+?)`", r"<code>\1</code>", text)
    text = text.replace("✔", '<span class="ok">✔</span>').replace("✘", '<span class="bad">✘</span>')
    return text


# ---------------------------------------------------------------- formatting helpers

def seconds(value) -> str:
    if value is None:
        return "-"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def megabytes(value) -> str:
    return "-" if value is None else f"{value / 1e6:.0f} MB"


def spread(stats: dict, fmt=seconds) -> str:
    """'1.23 s (1.10 - 1.40 s, n=3)' from a measure.summarize dict; 'n=1' alone when there is one value."""
    if not stats or stats.get("median") is None:
        return "-"
    if stats["n"] == 1:
        return f"{fmt(stats['median'])} (n=1)"
    return f"{fmt(stats['median'])} ({fmt(stats['min'])} - {fmt(stats['max'])}, n={stats['n']})"


def median_basis(results: dict) -> str:
    """What the medians of this report are over: warm runs, or with one repeat the one (cold) run."""
    return "warm runs" if results["settings"]["repeats"] > 1 else "one run per engine (cold: no warm figures)"


def is_single(results: dict) -> bool:
    return results["settings"]["repeats"] == 1


def ratio(a, b) -> str:
    if not a or not b:
        return "-"
    return f"{a / b:.2f}x"


# ---------------------------------------------------------------- plots

def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    _pyplot().close(fig)
    return buffer.getvalue()


def representative_run(point: dict, engine: str) -> Optional[dict]:
    """The successful warm run with the median wall time (the cold one if it is the only one)."""
    runs = [r for r in point["runs"] if r["engine"] == engine and r["ok"] and r["timings"]]
    warm = [r for r in runs if not r["cold"]] or runs
    if not warm:
        return None
    ordered = sorted(warm, key=lambda r: r["timings"]["wall_seconds"])
    return ordered[(len(ordered) - 1) // 2]


def plot_timeline(point: dict, engines: list, titles: dict) -> Optional[bytes]:
    chosen = [(e, representative_run(point, e)) for e in engines]
    chosen = [(e, r) for e, r in chosen if r]
    if not chosen:
        return None
    plt = _pyplot()
    heights = [max(2.0, 0.28 * len(r["timings"]["tasks"]) + 1.0) for _, r in chosen]
    fig, axes = plt.subplots(len(chosen), 1, figsize=(10, sum(heights) + 0.6), sharex=True,
                             gridspec_kw={"height_ratios": heights}, squeeze=False, layout="constrained")
    for ax, (engine, run) in zip(axes[:, 0], chosen):
        tasks = sorted(run["timings"]["tasks"].items(), key=lambda kv: kv[1]["start_offset"])
        for row, (key, task) in enumerate(tasks):
            color = STATE_COLORS.get(task["state"]) or ENGINE_COLORS.get(engine, "#555")
            ax.barh(row, task["run_seconds"], left=task["start_offset"], color=color, height=0.7)
        ax.set_yticks(range(len(tasks)))
        ax.set_yticklabels([k for k, _ in tasks], fontsize=8)
        ax.invert_yaxis()
        wall = run["timings"]["wall_seconds"]
        ax.axvline(wall, color="#5f6368", linestyle="--", linewidth=1)
        ax.set_title(f"{titles.get(engine, engine)}: wall {wall:.2f} s, no task running for "
                     f"{run['timings']['overhead_seconds']:.2f} s (repeat {run['repeat'] + 1})", fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel("seconds since the engine was called")
    axes[-1, 0].set_xlim(left=0)
    fig.suptitle(f"Task timeline: {point['label']}", fontsize=12)
    return _png(fig)


SECTION_PANELS = (
    ("chain", "chain_seconds", "chain length N (tasks in a row)", "the chain"),
    ("fan_out", "fan_out_seconds", "fan-out W (parallel tasks)", "the fan-out"),
    ("payload_kb", "payload_seconds", "payload S (KB passed between two tasks)", "the payload hop"),
)


def series_groups(points: list, engine: str) -> list:
    """(label suffix, points) per line to draw for an engine: KFP's XCom transports apart (the
    transport changes only the KFP side; Airflow runs the same DAG at every point)."""
    if not engine.startswith("kfp"):
        return [("", points)]
    groups = []
    for transport in ("parameter", "artifact"):
        mine = [p for p in points if p.get("transport", "parameter") == transport]
        if mine:
            groups.append(("" if transport == "parameter" else ", XCom as artifacts", mine))
    if len(groups) == 2:
        groups[0] = (", XCom as parameters", groups[0][1])
    return groups


def _sweep_series(points: list, knob: str, engine: str, figure: str):
    """(x, median) pairs of a section figure (or a run figure) against one knob, plus failed xs."""
    xs, ys, failed = [], [], []
    for point in points:
        knobs = point.get("knobs") or {}
        if knob not in knobs:
            continue
        summary = point["summary"].get(engine, {})
        stats = summary.get("sections", {}).get(figure) or summary.get(figure) or {}
        if stats.get("median") is not None:
            xs.append(knobs[knob])
            ys.append(stats["median"])
        elif any(r["engine"] == engine for r in point["runs"]):
            failed.append(knobs[knob])
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    return [xs[i] for i in order], [ys[i] for i in order], sorted(failed)


def fitted_slope(xs: list, ys: list) -> Optional[float]:
    """Least-squares slope of ys against xs (None with fewer than two distinct xs)."""
    if len(set(xs)) < 2:
        return None
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    return (sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
            / sum((x - mean_x) ** 2 for x in xs))


def plot_scaling(points: list, engines: list, titles: dict) -> Optional[bytes]:
    scaling = [p for p in points if p["workload"] == "scaling"]
    if not scaling:
        return None
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for ax, (knob, figure, label, what) in zip(axes, SECTION_PANELS):
        for engine, suffix, group in [(e, suffix, g) for e in engines for suffix, g in series_groups(scaling, e)]:
            color = ENGINE_COLORS.get(engine, "#555")
            xs, ys, failed = _sweep_series(group, knob, engine, figure)
            if xs:
                ax.plot(xs, ys, marker="o", color=color, label=titles.get(engine, engine) + suffix,
                        linestyle="--" if "artifacts" in suffix else "-")
            for x in failed:
                ax.scatter([x], [0], marker="x", s=80, color=color, zorder=5)
                ax.annotate("failed", (x, 0), textcoords="offset points", xytext=(0, 8), ha="center",
                            fontsize=8, color=color)
        ax.set_xlabel(label)
        if knob == "payload_kb":  # 1 KB to MBs
            ax.set_xscale("symlog", linthresh=10)
        ax.set_ylabel(f"seconds for {what} (median)")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle("Scaling: time each section of the run took, against its size", fontsize=12)
    fig.tight_layout()
    return _png(fig)


def plot_resources(points: list, engines: list, titles: dict, basis: str = "warm runs") -> Optional[bytes]:
    labelled = [p for p in points if any(p["summary"].get(e, {}).get("cpu_seconds", {}).get("median")
                                         for e in engines)]
    if not labelled:
        return None
    labelled = labelled[:8]
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.5 * len(labelled) + 2.5))
    width = 0.8 / max(1, len(engines))
    for ax, figure, unit, scale in ((axes[0], "cpu_seconds", "CPU seconds (user + system)", 1),
                                    (axes[1], "peak_rss_bytes", "peak memory of the process tree (MB)", 1e6)):
        for index, engine in enumerate(engines):
            values = [(p["summary"].get(engine, {}).get(figure, {}) or {}).get("median") or 0 for p in labelled]
            positions = [i + index * width for i in range(len(labelled))]
            ax.barh(positions, [v / scale for v in values], height=width,
                    color=ENGINE_COLORS.get(engine, "#555"), label=titles.get(engine, engine))
        ax.set_yticks([i + width * (len(engines) - 1) / 2 for i in range(len(labelled))])
        ax.set_yticklabels([p["label"] for p in labelled], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(unit)
        ax.grid(axis="x", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Resources per run (median over {basis})", fontsize=12)
    fig.tight_layout()
    return _png(fig)


# ---------------------------------------------------------------- the report

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
    from compare.costs import cost_model_blocks, footprint_blocks, overhead_blocks

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
                     f"{bad[0]['label']}: {first['verdict']} ({_short_error(detail)}).")
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
        failed = [_short_error(text, last=True) for text in agreement["failed_runs"]]
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
            blocks.append(Image(f"timeline-{_slug(point['label'])}.png", f"Task timeline per engine: {point['label']}", png))
    return blocks


def dag_point_blocks(point: dict) -> list:
    """What a user DAG's point ran with, and its per-task verdict when engines disagreed."""
    conversion = (point.get("conversion") or {}).get("summary") or {}
    fidelity = ", ".join(f"{conversion[k]} {k}" for k in ("native", "shim", "placeholder") if conversion.get(k))
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
            rows.append([name, "-", "-", "-", "-", _short_error(facts["error"])])
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
                    else _short_error(failures[0]["error"])
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
            blocks.append(Image(f"timeline-{_slug(largest['label'])}.png", f"Task timeline per engine: {largest['label']}", png))
    return blocks


def slope_blocks(points: list, engines: list, titles: dict) -> list:
    """Marginal cost per extra task (chain and fan-out) and per extra KB, fitted over the sweep."""
    rows = []
    for engine, suffix, group in [(e, suffix, g) for e in engines for suffix, g in series_groups(points, e)]:
        row = [titles.get(engine, engine) + suffix]
        for knob, figure, _, _ in SECTION_PANELS:
            xs, ys, _ = _sweep_series(group, knob, engine, figure)
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
    first task's excess over the median of the others is that one-time cost.
    """
    import statistics

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


def _short_error(text: str, last: bool = False) -> str:
    """One line of an error: its first line, or with last=True the first and the last (a traceback's
    exception) joined."""
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()] or ["failed"]
    short = lines[0] if not last or len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"
    return short if len(short) < 200 else short[:197] + "..."


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
        conversion = point.get("conversion", {}).get("summary", {})
        fidelity = ", ".join(f"{conversion[k]} {k}" for k in ("native", "shim", "placeholder") if conversion.get(k))
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


# ---------------------------------------------------------------- architecture evaluation

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


def architecture_blocks(results: dict) -> list:
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
                   f"(converted automatically: {_fidelity_text(ml)}).")
    engine_obs = "; ".join(filter(None, [
        both("ml", "time_to_first_task", label="time to first task (ml-training)"),
        both("ml", "median_start_latency", label="median start latency"),
        both("ml", "overhead_seconds", label="time with no task running")])) or "-"
    wall_label = "ml-training wall (1 run, cold)" if is_single(results) else "ml-training wall (warm)"
    local_obs = "; ".join(filter(None, [both("ml", "wall_seconds", label=wall_label),
                                        both("ml", "cpu_seconds", lambda v: f"{v:.1f} CPU s", label="CPU"),
                                        both("ml", "peak_rss_bytes", megabytes, label="peak memory")])) or "-"
    scale_obs = _fan_out_observation(results, titles) or "-"

    rows = [
        ["UI for experiments and runs",
         "Two UIs: Airflow's grid/graph of DAG runs and task logs; MLflow's experiment tracking UI (compare runs, "
         "metric charts, model registry). Linked only by convention (run names, tags).",
         "One UI: runs, experiments, the pipeline graph with each task's inputs/outputs, artifact previews, "
         "Metrics visualisations, run comparison. Experiment tracking is weaker than MLflow's (no rich metric history).",
         tracking_obs],
        ["Engine and scheduling",
         "A long-running scheduler + executors (Local, Celery, Kubernetes); cron, timetables, data-aware (asset) "
         "schedules, catchup/backfill, pools, SLAs gone in 3.x.",
         "Each run is an Argo Workflow on Kubernetes; recurring runs take a 6-field cron or an interval, optional "
         "catch-up, max concurrency. No asset triggers; event triggers need external glue.",
         engine_obs],
        ["SDK and components",
         "Operators and TaskFlow functions; a huge provider ecosystem (connections, hooks). Tasks share the "
         "worker's Python environment.",
         "Components: containers or lightweight Python functions with typed inputs/outputs, each its own image "
         "and dependencies; pipelines compile to a portable YAML IR.",
         sdk_obs],
        ["Notebooks",
         "No notebook integration; DAGs are files deployed to the scheduler. MLflow logs from notebooks easily.",
         "Kubeflow Notebooks run in-cluster; with the access PodDefault a notebook submits pipelines with "
         "kfp.Client and no extra credentials (`kfmigrate kubeflow` sets that up).",
         "not measured here (no cluster)"],
        ["Tracking",
         "MLflow: params, metrics with history, tags, models with signatures; needs its own server and store.",
         "Metrics / ClassificationMetrics artifacts and ML Metadata (MLMD) record every execution's inputs and "
         "outputs automatically; no separate service, less expressive than MLflow.",
         tracking_obs],
        ["Artifacts and lineage",
         "XCom for small values; files in object storage by convention; lineage via Airflow assets/OpenLineage "
         "if configured; MLflow keeps model artifacts and a registry.",
         "Typed artifacts (Dataset, Model, Metrics) in the pipeline root, each execution linked to its inputs and "
         "outputs in MLMD: lineage by construction. Parameters are capped small (one command-line argument: "
         "128 KiB on Linux).",
         artifacts_obs],
        ["Caching",
         "None at task level: a re-run re-executes (clear/backfill choose what to redo).",
         "Step caching on by default on a cluster: a task with the same component and inputs reuses its outputs; "
         "kfp.local can cache too (local.init(enable_caching=True)).",
         _caching_observation(results, titles)],
        ["Multi-tenancy",
         "One deployment per team is common; RBAC roles and DAG-level permissions; MLflow OSS has basic auth at "
         "most, no per-team isolation.",
         "Profiles map users to Kubernetes namespaces with Istio authorisation; runs, experiments and artifacts "
         "are per namespace.",
         "not measured here (no cluster)"],
        ["Local development",
         "`dag.test()` runs a DAG in one process against SQLite: quick to iterate, the same code as production.",
         "kfp.local runs lightweight components as subprocesses (or containers with Docker); container "
         "components need Docker; no UI locally.",
         local_obs],
        ["Scaling out",
         "Executors scale workers (Celery, Kubernetes); parallelism, pools and max_active_tasks bound "
         "concurrency; the scheduler and metadata DB are the shared bottleneck.",
         "Every task is a pod: per-task start-up costs seconds on a cluster, but capacity is the cluster's; "
         "ParallelFor parallelism is configurable.",
         scale_obs],
    ]
    return [Heading("Architecture evaluation"),
            Para("Each row: what the design offers on each side, and what this run observed where it could. "
                 "Observations come from the engines this run used (" + ", ".join(titles.get(e, e) for e in engines)
                 + "); a Kubeflow cluster adds scheduling and pod start-up costs that local runs do not show."),
            Table(["aspect", "Airflow + MLflow", "Kubeflow Pipelines", "observed in this run"], rows)]


def _caching_observation(results: dict, titles: dict) -> str:
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


def _fidelity_text(point: dict) -> str:
    summary = (point.get("conversion") or {}).get("summary") or {}
    parts = [f"{summary[k]} {k}" for k in ("native", "shim", "placeholder") if summary.get(k)]
    return ", ".join(parts) or "-"


def _fan_out_observation(results: dict, titles: dict) -> str:
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
        xs, ys, _ = _sweep_series(scaling, "fan_out", engine, "fan_out_seconds")
        if len(xs) >= 2:
            parts.append(f"{titles.get(engine, engine)}: {xs[0]} -> {xs[-1]} parallel tasks took "
                         f"{ys[0]:.2f} -> {ys[-1]:.2f} s ({ys[-1] / xs[-1] * 1000:.0f} ms per task at W={xs[-1]})")
    return "; ".join(parts)


def max_concurrency(intervals: list) -> int:
    """The most intervals open at one moment (an end and a start at the same instant do not overlap)."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals],
                    key=lambda e: (e[0], e[1]))
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return peak


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# ---------------------------------------------------------------- writing

def write_report(results: dict, out_dir: Path, with_plots: bool = True) -> dict:
    """Write results.json, report.md (+ PNGs) and report.html into out_dir; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    blocks = build_blocks(results, with_plots)
    written = {}
    for block in blocks:
        if isinstance(block, Image):
            written[block.name] = _atomic_write(out_dir / block.name, block.png)
    written["results.json"] = _atomic_write(out_dir / "results.json",
                                            json.dumps(results, indent=1, default=str).encode())
    written["report.md"] = _atomic_write(out_dir / "report.md", to_markdown(blocks).encode())
    written["report.html"] = _atomic_write(out_dir / "report.html",
                                           to_html(blocks, "kfmigrate compare: Airflow + MLflow vs KFP").encode())
    return written


def _atomic_write(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path
