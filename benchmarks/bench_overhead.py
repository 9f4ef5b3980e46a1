"""Per-task overhead: a chain of trivial tasks on kfp.local against the same DAG under Airflow dag.test.

    python benchmarks/bench_overhead.py [--tasks 20] [--repeats 2] [--json out.json]

The DAG (N PythonOperators in a chain, each returning a small number) is written to a temporary
folder, converted with kfmigrate's converter, and run on both engines:
- Airflow: real `dag.test()` in a throwaway AIRFLOW_HOME (kfmigrate.compare.engines.airflow);
- KFP: the converted pipeline on kfp.local's subprocess runner (kfmigrate.compare.engines.kfp_local), with
  the per-task `pip install kfp` dropped as `kfmigrate run` does;
- KFP bare: the same chain hand-written as minimal components (no Airflow runtime helpers), the
  floor of kfp.local's own per-task cost.

Each engine runs the N-task chain. The per-task overhead is the steady-state cadence of the
chain: (start of task N - start of task 2) / (N - 2), each engine's own task start times. It
leaves out the first task, which carries each engine's warm-up (Airflow builds its in-process
execution API there); the fixed part is the time inside the engine minus N times the cadence. The
figures are medians over the repeats, measured inside the engine (dag.test() call, kfp.local
pipeline run) and end to end (including child process start-up, DAG parsing, database copy).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


ENGINES = ("airflow", "kfp", "kfp_minimal")
HEADINGS = {"airflow": "Airflow dag.test", "kfp": "kfp.local", "kfp_minimal": "kfp.local bare"}


def chain_dag_source(dag_id: str, tasks: int) -> str:
    lines = [
        "from datetime import datetime",
        "",
        "from airflow import DAG",
        "from airflow.providers.standard.operators.python import PythonOperator",
        "",
        "",
        "def step(i):",
        "    return i + 1",
        "",
        "",
        f'with DAG("{dag_id}", start_date=datetime(2024, 1, 1), schedule=None) as dag:',
    ]
    for i in range(tasks):
        lines.append(f'    t{i} = PythonOperator(task_id="step_{i:02d}", python_callable=step, op_kwargs={{"i": {i}}})')
    if tasks > 1:
        lines.append("    " + " >> ".join(f"t{i}" for i in range(tasks)))
    return "\n".join(lines) + "\n"


def minimal_pipeline_spec(folder: Path, tasks: int) -> dict:
    """The same chain written by hand as bare KFP components: the floor kfp.local can reach."""
    import yaml

    from kfmigrate.migrate.package import compile_python

    lines = ["from kfp import dsl", "", "",
             '@dsl.component(base_image="python:3.11-slim")', "def step(i: int) -> int:", "    return i + 1", "", "",
             f'@dsl.pipeline(name="minimal-chain-{tasks}")', "def chain():", "    previous = None"]
    for i in range(tasks):
        lines.append(f"    task = step(i={i}).set_display_name('step_{i:02d}')")
        lines.append("    if previous is not None:")
        lines.append("        task.after(previous)")
        lines.append("    previous = task")
    source = folder / f"minimal_chain_{tasks}.py"
    source.write_text("\n".join(lines) + "\n")
    return yaml.safe_load(compile_python(source))


def convert(dag_file: Path) -> tuple[dict, dict]:
    import yaml

    from kfmigrate.migrate.api import convert_file

    result = convert_file(dag_file)
    if result.error is not None or not result.conversions or result.conversions[0].yaml_text is None:
        problem = result.error.render() if result.error else "; ".join(
            d.render() for c in result.conversions for d in c.diagnostics) or "no DAG"
        raise SystemExit(f"conversion of {dag_file} failed: {problem}")
    conversion = result.conversions[0]
    return yaml.safe_load(conversion.yaml_text), conversion.report


def cadence(starts: list) -> float:
    """Steady-state seconds per task in a chain: from the 2nd task's start to the last one's, per
    task. The first task is left out: it carries each engine's warm-up (Airflow builds its
    execution API there)."""
    starts = sorted(starts)
    return (starts[-1] - starts[1]) / (len(starts) - 2)


def measure(folder: Path, tasks: int, repeats: int) -> dict:
    from kfmigrate.compare.engines.airflow import run_dag
    from kfmigrate.compare.engines.kfp_local import run_pipeline

    dag_id = f"chain_{tasks}"
    dag_file = folder / f"{dag_id}.py"
    dag_file.write_text(chain_dag_source(dag_id, tasks))
    spec, _ = convert(dag_file)
    minimal = minimal_pipeline_spec(folder, tasks)
    figures = {f"{engine}_{kind}": [] for engine in ENGINES for kind in ("engine", "total", "task", "cadence")}
    for _ in range(repeats):
        airflow = run_dag(dag_file, dag_id, logical_date="2024-03-05")
        if airflow.state != "success":
            raise SystemExit(f"Airflow run of {dag_id} ended {airflow.state}: {airflow.error}")
        figures["airflow_engine"].append(airflow.wall_seconds)
        figures["airflow_total"].append(airflow.total_seconds)
        figures["airflow_task"].append(statistics.mean(t.duration or 0.0 for t in airflow.tasks.values()))
        figures["airflow_cadence"].append(cadence([datetime.fromisoformat(t.started).timestamp()
                                                   for t in airflow.tasks.values()]))
        with tempfile.TemporaryDirectory() as root:
            kfp = run_pipeline(spec, {"logical_date": "2024-03-05T00:00:00+00:00"}, root)
        if kfp.state != "succeeded":
            raise SystemExit(f"kfp.local run of {dag_id} ended {kfp.state}: {kfp.error}")
        figures["kfp_engine"].append(kfp.wall_seconds)
        figures["kfp_total"].append(kfp.total_seconds)
        figures["kfp_task"].append(statistics.mean(t.duration or 0.0 for t in kfp.tasks.values()))
        figures["kfp_cadence"].append(cadence([t.started for t in kfp.tasks.values()]))
        with tempfile.TemporaryDirectory() as root:
            bare = run_pipeline(minimal, {}, root)
        if bare.state != "succeeded":
            raise SystemExit(f"kfp.local run of the minimal chain ended {bare.state}: {bare.error}")
        figures["kfp_minimal_engine"].append(bare.wall_seconds)
        figures["kfp_minimal_total"].append(bare.total_seconds)
        figures["kfp_minimal_task"].append(statistics.mean(t.duration or 0.0 for t in bare.tasks.values()))
        figures["kfp_minimal_cadence"].append(cadence([t.started for t in bare.tasks.values()]))
    return {name: statistics.median(values) for name, values in figures.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=20, help="length of the chain (default 20)")
    parser.add_argument("--repeats", type=int, default=2, help="runs per engine; medians (default 2)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if args.tasks < 3:
        parser.error("--tasks must be at least 3")

    started = time.time()
    with tempfile.TemporaryDirectory(prefix="kfmigrate-bench-") as tmp:
        chain = measure(Path(tmp), args.tasks, args.repeats)
    n = args.tasks
    result = {"tasks": n, "repeats": args.repeats, "cpus": os.cpu_count(),
              "load_average": os.getloadavg()[0], "seconds": round(time.time() - started, 1)}
    for engine in ENGINES:
        per_task = chain[f"{engine}_cadence"]
        result[engine] = {
            "per_task_overhead_s": per_task,
            "fixed_s": chain[f"{engine}_engine"] - n * per_task,
            "chain_engine_s": chain[f"{engine}_engine"],
            "chain_end_to_end_s": chain[f"{engine}_total"],
            "mean_task_duration_s": chain[f"{engine}_task"],
        }
    result["ratio_kfp_to_airflow_per_task"] = result["kfp"]["per_task_overhead_s"] / result["airflow"]["per_task_overhead_s"]

    print(f"{n}-task chain, medians of {args.repeats} run(s), {result['cpus']} CPUs, load {result['load_average']:.1f}")
    print(f"{'':34}" + "".join(f"{HEADINGS[e]:>18}" for e in ENGINES))
    rows = [("per-task overhead (steady state)", "per_task_overhead_s"), ("fixed start-up in the engine", "fixed_s"),
            (f"{n}-task chain, in the engine", "chain_engine_s"), (f"{n}-task chain, end to end", "chain_end_to_end_s"),
            ("mean task duration (engine's own)", "mean_task_duration_s")]
    for label, key in rows:
        print(f"{label:34}" + "".join(f"{result[e][key]:>17.3f}s" for e in ENGINES))
    ratio = result["ratio_kfp_to_airflow_per_task"]
    verdict = "no slower" if ratio <= 1.0 else "slower"
    print(f"ratio kfp.local / Airflow per-task overhead: {ratio:.2f} (KFP is {verdict}); "
          f"bare components: {result['kfp_minimal']['per_task_overhead_s'] / result['airflow']['per_task_overhead_s']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
