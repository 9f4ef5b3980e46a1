"""Pass rate of `kfmigrate verify` over the sample DAGs and the Airflow 3 example DAGs.

    python benchmarks/verify_corpus.py [--workers 2] [--timeout 120] [--json out.json] [--markdown out.md]
                                       [--only NAME ...]

The corpus: samples/dags, and the example DAGs shipped in the Airflow 3 wheels
(airflow/example_dags from apache-airflow-core, airflow/providers/standard/example_dags from
apache-airflow-providers-standard), read in place. Files are verified in chunks by a process pool
(each chunk shares one Airflow process, whose start-up costs seconds); every DAG's verdict and its
first reason are printed as a table per set, and optionally written as JSON and Markdown.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VERDICTS = ("equivalent", "different", "incomplete")
CHUNK_FILES = 6  # files per worker job: Airflow start-up shared, still balanced across workers


def corpus() -> dict:
    """{set name: [DAG files]}: the samples and the two example folders of the installed Airflow."""
    import importlib.util

    spec = importlib.util.find_spec("airflow")
    airflow_dir = Path(next(iter(spec.submodule_search_locations)))
    sets = {
        "samples": ROOT / "samples" / "dags",
        "standard provider examples": airflow_dir / "providers" / "standard" / "example_dags",
        "core examples": airflow_dir / "example_dags",
    }
    return {name: sorted(p for p in folder.glob("*.py") if not p.name.startswith("__")) for name, folder in sets.items()}


def first_reason(result: dict) -> str:
    reasons = result["differences"] or result["problems"]
    if not reasons:
        return ""
    more = f" (+{len(reasons) - 1} more)" if len(reasons) > 1 else ""
    text = reasons[0].replace("\n", " ").replace("|", "\\|")
    return (text if len(text) <= 160 else text[:159] + "…") + more


def verify_chunk(files: list, timeout: float, logical_date: str | None) -> list:
    from kfmigrate.compare.verify import verify_files

    results = verify_files([Path(f) for f in files], logical_date=logical_date, timeout=timeout)
    return [r.to_json() for r in results]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="parallel verify processes (default 2)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per DAG and engine (default 120)")
    parser.add_argument("--logical-date", help="logical date for every DAG (default: now, like a manual run)")
    parser.add_argument("--only", nargs="*", default=[], help="only files whose name contains one of these")
    parser.add_argument("--json", type=Path, help="write every result as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the tables as Markdown here")
    args = parser.parse_args(argv)

    sets = corpus()
    set_of = {str(f): name for name, files in sets.items() for f in files}
    files = [f for fs in sets.values() for f in fs if not args.only or any(o in f.name for o in args.only)]
    chunks = [files[i:i + CHUNK_FILES] for i in range(0, len(files), CHUNK_FILES)]
    started = time.time()
    results = []
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(verify_chunk, [str(f) for f in chunk], args.timeout, args.logical_date)
                   for chunk in chunks]
        for future in as_completed(futures):
            for result in future.result():
                results.append(result)
                print(f"{result['verdict']:>10}  {result['dag_id']}  {first_reason(result)}", flush=True)
    seconds = time.time() - started

    lines = [f"{len(results)} DAGs from {len(files)} files in {seconds / 60:.1f} min, {args.workers} workers, "
             f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", "",
             "| set | DAGs | equivalent | different | incomplete |", "|---|---:|---:|---:|---:|"]
    by_set = {name: [r for r in results if set_of.get(r["dag_file"]) == name] for name in sets}
    for name, rows in [*by_set.items(), ("all", results)]:
        counts = [sum(r["verdict"] == v for r in rows) for v in VERDICTS]
        lines.append(f"| {name} | {len(rows)} | " + " | ".join(map(str, counts)) + " |")
    for name, rows in by_set.items():
        exceptions = sorted((r for r in rows if r["verdict"] != "equivalent"), key=lambda r: r["dag_id"])
        if not exceptions:
            continue
        lines += ["", f"### {name}: exceptions", "", "| DAG (file) | verdict | first reason (of n) |", "|---|---|---|"]
        for r in exceptions:
            lines.append(f"| `{r['dag_id']}` ({Path(r['dag_file']).name}) | {r['verdict']} | {first_reason(r)} |")
    text = "\n".join(lines)
    print()
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    if args.json:
        args.json.write_text(json.dumps({"seconds": seconds, "results": results}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
