"""Figures read from results.json and how the report writes them: durations, sizes, medians with
their spread, the representative run of a point, the scaling sweep's series and slopes."""
from __future__ import annotations

import re
from typing import Optional


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


def representative_run(point: dict, engine: str) -> Optional[dict]:
    """The successful warm run with the median wall time (the cold one if it is the only one)."""
    runs = [r for r in point["runs"] if r["engine"] == engine and r["ok"] and r["timings"]]
    warm = [r for r in runs if not r["cold"]] or runs
    if not warm:
        return None
    ordered = sorted(warm, key=lambda r: r["timings"]["wall_seconds"])
    return ordered[(len(ordered) - 1) // 2]


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


def sweep_series(points: list, knob: str, engine: str, figure: str):
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


def max_concurrency(intervals: list) -> int:
    """The most intervals open at one moment (an end and a start at the same instant do not overlap)."""
    events = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals],
                    key=lambda e: (e[0], e[1]))
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return peak


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def short_error(text: str, last: bool = False) -> str:
    """One line of an error: its first line, or with last=True the first and the last (a traceback's
    exception) joined."""
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()] or ["failed"]
    short = lines[0] if not last or len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"
    return short if len(short) < 200 else short[:197] + "..."


def fidelity_mix(point: dict) -> str:
    """'5 native, 2 shim' from a point's conversion summary ('' when it has none)."""
    summary = (point.get("conversion") or {}).get("summary") or {}
    return ", ".join(f"{summary[k]} {k}" for k in ("native", "shim", "placeholder") if summary.get(k))
