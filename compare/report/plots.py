"""The report's PNG plots, drawn with matplotlib (Agg; imported only when a plot is drawn)."""
from __future__ import annotations

import io
from typing import Optional

from kfmigrate.compare.report.figures import SECTION_PANELS, representative_run, series_groups, sweep_series

ENGINE_COLORS = {"airflow": "#017cee", "airflow-scheduler": "#7b1fa2", "kfp": "#e8710a", "kfp-cluster": "#34a853"}
STATE_COLORS = {"succeeded": None, "failed": "#d93025", "skipped": "#9aa0a6", "not_run": "#dadce0"}


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


def plot_scaling(points: list, engines: list, titles: dict) -> Optional[bytes]:
    scaling = [p for p in points if p["workload"] == "scaling"]
    if not scaling:
        return None
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for ax, (knob, figure, label, what) in zip(axes, SECTION_PANELS):
        for engine, suffix, group in [(e, suffix, g) for e in engines for suffix, g in series_groups(scaling, e)]:
            color = ENGINE_COLORS.get(engine, "#555")
            xs, ys, failed = sweep_series(group, knob, engine, figure)
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
