"""`kfmigrate compare`: the same workload on Airflow + MLflow and on Kubeflow Pipelines, side by side."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from kfmigrate.compare.options import AIRFLOW_MODES
from kfmigrate.console import err_console, out_console

@click.command("compare", short_help="Benchmark a workload on Airflow + MLflow and on KFP; report.")
@click.argument("workloads", nargs=-1, metavar="[WORKLOAD | DAG_FILE | FOLDER]...")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Parameter for your DAGs, given to both engines (Airflow run conf and pipeline argument), typed "
                   "from the converted pipeline's inputs; each DAG gets the params it declares. Repeat for several.")
@click.option("--max-dags", type=click.IntRange(1), default=10, show_default=True,
              help="At most this many DAGs from the files and folders given (in path order); the rest are left "
                   "out and the report says which.")
@click.option("--probes/--no-probes", default=True, show_default=True,
              help="After the runs, measure the parts of per-task overhead with small probes (process start, kfp "
                   "executor import, Airflow task imports, pip per task; about 30 s).")
@click.option("-o", "--output", "out_dir", default="compare-out", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for report.html, report.md, results.json, the plots, the converted pipelines and "
                   "each run's files.")
@click.option("--repeats", type=click.IntRange(1, 50), default=3, show_default=True,
              help="Runs per engine and workload point. The first is the cold run; medians use the rest.")
@click.option("--engines", "engines_text", default="airflow,kfp", show_default=True,
              help="Comma list of engines: airflow (dag.test, SQLite, MLflow tracking), kfp (kfp.local, or a "
                   "cluster with --kfp-host).")
@click.option("--kfp-host", default=None, metavar="URL",
              help="Run the KFP side on a Kubeflow Pipelines cluster (its API endpoint) instead of kfp.local. "
                   "Credentials come from the environment as kfp.Client finds them.")
@click.option("--kfp-namespace", default=None, help="Kubeflow profile namespace for runs on a multi-user cluster.")
@click.option("--mlflow-uri", default=None, metavar="URI",
              help="MLflow tracking URI for the Airflow side. Default: a SQLite store in the output folder, "
                   "reused across repeats.")
@click.option("--kfp-mlflow", is_flag=True,
              help="Let the KFP side log to MLflow too (by default it records results only in KFP).")
@click.option("--sweep", default=None, metavar="SPEC",
              help="Points of the scaling workload as N:W:S[:T] (chain length, fan-out, payload KB, and T, how "
                   "the KFP side passes XComs: parameter or artifact), e.g. '5:2:1,10:4:50,2:1:1000:artifact' "
                   "(default: 5:2:1,20:8:120,2:1:1000,2:1:1000:artifact,2:1:4000:artifact).")
@click.option("--airflow-mode", type=click.Choice(sorted(AIRFLOW_MODES)), default="dag-test", show_default=True,
              help="How the airflow engine runs the DAG: dag-test (dag.test() on SQLite, a fresh process per run), "
                   "scheduler (a deployment kfmigrate starts and stops: PostgreSQL, scheduler with LocalExecutor, "
                   "dag-processor, api-server; runs triggered over REST), or both side by side.")
@click.option("--cache-check/--no-cache-check", default=True, show_default=True,
              help="After the repeats, run kfp.local twice with its task cache on (the saving of the warm, "
                   "cached run) and Airflow once more with the same inputs (it has no task cache).")
@click.option("--timeout", type=click.FloatRange(1), default=900, show_default=True,
              help="Seconds one run may take before it is stopped and reported as failed.")
@click.option("--force", is_flag=True, help="Overwrite an existing report in the output folder.")
def command(workloads, params, max_dags, probes, out_dir, repeats, engines_text, kfp_host, kfp_namespace, mlflow_uri,
            kfp_mlflow, sweep, airflow_mode, cache_check, timeout, force):
    """Run the same workload on Airflow + MLflow and on Kubeflow Pipelines, and compare them.

    A WORKLOAD is a built-in one: ml-training (the default), scaling, all, or a comma list; they
    ship inside kfmigrate. A DAG_FILE or FOLDER is your own: every DAG in it becomes a workload (up
    to --max-dags), converted and checked as `kfmigrate verify` does. The KFP side is always made
    from the same file by kfmigrate's converter. Every run is measured (wall time, per-task start
    latency and run time, time with no task running, CPU seconds and peak memory of the whole
    process tree) and the task results of the engines are checked to agree.

    Writes OUTPUT/report.html (self-contained, plots inline), OUTPUT/report.md, OUTPUT/results.json
    (every raw figure): a five-line summary, medians with n and range, where per-task overhead
    comes from (measured), the footprint of each stack, a cluster cost model, and an architecture
    evaluation backed by what was measured.

    \b
    Exit codes:
      0  every run succeeded and all engines agree
      1  a run failed or the engines disagree (the report says where)
      2  bad arguments or input (a missing file, a DAG that does not parse, an unknown --param),
         the output exists (without --force), or an engine cannot start; nothing is written
    """
    from kfmigrate.commands.run import parse_param_options
    from kfmigrate.compare import options
    from kfmigrate.compare.workloads import WorkloadError, parse_sweep, parse_workloads, split_arguments, user_points

    try:
        names, paths = split_arguments(workloads)
        workloads = parse_workloads(names) if (names or not paths) else []
        sweep_points = parse_sweep(sweep)
        engines = options.parse_engines(engines_text)
    except (WorkloadError, options.OptionError) as exc:
        err_console.print(f"error: {exc}", markup=False)
        sys.exit(2)
    raw_params = parse_param_options(params)
    problem = options.combination_problem(workloads, paths, raw_params, sweep, engines, kfp_host)
    if problem:
        err_console.print(f"error: {problem}", markup=False)
        sys.exit(2)
    clash = options.existing_reports(out_dir)
    if clash and not force:
        for path in clash:
            err_console.print(f"{path}: exists (use --force to overwrite)", markup=False)
        sys.exit(2)
    dags, notes = [], []
    if paths:
        err_console.print(f"[dim]converting {', '.join(map(str, paths))}[/]", highlight=False)
        try:
            dags, notes = user_points(paths, raw_params, max_dags)
        except WorkloadError as exc:
            for line in str(exc).splitlines():
                err_console.print(line, markup=False, highlight=False)
            sys.exit(2)
        for note in notes:
            err_console.print(f"note: {note}", markup=False, highlight=False)
    tracked = "ml-training" in workloads or any(p.uses_mlflow for p in dags)
    problem = options.missing_packages(engines, kfp_mlflow or ("airflow" in engines and tracked), airflow_mode,
                                       needs_sklearn="ml-training" in workloads)
    if problem:
        err_console.print(f"error: {problem}", markup=False)
        sys.exit(2)

    from kfmigrate.compare.bench import Settings, run_benchmark
    from kfmigrate.compare.report import write_report

    settings = Settings(out_dir=out_dir, workloads=workloads, repeats=repeats,
                        engines=options.run_engines(engines, airflow_mode, kfp_host),
                        sweep=sweep_points, mlflow_uri=mlflow_uri, kfp_mlflow=kfp_mlflow, kfp_host=kfp_host,
                        kfp_namespace=kfp_namespace, timeout=timeout, cache_check=cache_check,
                        user_points=tuple(dags), probes=probes, notes=tuple(notes))
    with ProgressReporter() as reporter:
        results = run_benchmark(settings, reporter)
    written = write_report(results, out_dir)
    _print_summary(results, written)
    sys.exit(options.exit_code(results))


class ProgressReporter:
    """A rich progress bar over all runs, showing the run and the task in flight."""

    ENGINE_NAMES = {"airflow": "Airflow", "airflow-scheduler": "Airflow scheduler", "kfp": "KFP local",
                    "kfp-cluster": "KFP cluster"}

    def __enter__(self):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=err_console, transient=False)
        self.progress.__enter__()
        self.bar = self.progress.add_task("converting workloads", total=None)
        self.current = ""
        return self

    def __exit__(self, *exc):
        self.progress.update(self.bar, description="done")
        self.progress.__exit__(*exc)
        return False

    def begin(self, total_runs: int) -> None:
        self.progress.update(self.bar, total=total_runs, description="starting")

    def note(self, text: str) -> None:
        self.progress.update(self.bar, description=text)

    def run_started(self, label: str, engine: str, repeat: int) -> None:
        self.current = f"{label} · {self.ENGINE_NAMES.get(engine, engine)} · repeat {repeat + 1}"
        self.progress.update(self.bar, description=self.current)

    def event(self, message: dict) -> None:
        if message.get("event") == "task_started" and message.get("task"):
            self.progress.update(self.bar, description=f"{self.current} · {message['task']}")

    def run_finished(self, record: dict) -> None:
        if not record["ok"]:
            error = (record.get("error") or record["state"]).strip().splitlines()
            self.progress.console.print(f"[yellow]{self.current}: {record['state']}[/] "
                                        f"{(error[0] if error else '')[:160]}", highlight=False)
        self.progress.advance(self.bar)


def _print_summary(results: dict, written: dict) -> None:
    from rich.table import Table

    from kfmigrate.compare.report import median_basis, megabytes, spread, summary_lines

    titles = results.get("engine_titles", {})
    for line in summary_lines(results):
        out_console.print(line, markup=False, highlight=False)
    table = Table(title=f"kfmigrate compare: median (min - max, n) over {median_basis(results)}")
    for header in ("point", "engine", "ok", "wall", "no task running", "CPU", "peak memory", "agree"):
        table.add_column(header, overflow="fold")
    for point in results["points"]:
        for engine, summary in point["summary"].items():
            table.add_row(point["label"], titles.get(engine, engine), f"{summary['ok_runs']}/{summary['runs']}",
                          spread(summary["wall_seconds"]), spread(summary["overhead_seconds"]),
                          spread(summary["cpu_seconds"], lambda v: f"{v:.1f} s"),
                          spread(summary["peak_rss_bytes"], megabytes),
                          "[green]yes[/]" if point["agreement"]["ok"] else "[red]no[/]")
    out_console.print(table)
    for point in results["points"]:
        if not point["agreement"]["ok"]:
            out_console.print(f"[red]{point['label']}[/]: {point['agreement']['verdict']}", highlight=False)
    out_console.print(f"report: {written['report.html']}  ({written['report.md'].name}, {written['results.json'].name})",
                      highlight=False)
