"""`kfmigrate verify`: prove a conversion by running the DAG on Airflow and the pipeline on kfp.local."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kfmigrate.commands.run import parse_param_options, write_json_atomically
from kfmigrate.console import err_console, out_console

STATUS_STYLE = {"same": "green", "different": "bold red", "not_run_locally": "magenta", "removed": "dim",
                "not_compared": "yellow"}
VERDICT_STYLE = {"equivalent": "bold green", "different": "bold red", "incomplete": "bold yellow"}


def value_text(value, limit: int = 40) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def print_result(result) -> None:
    from rich.table import Table

    table = Table(title=f"{result.dag_id}  ({result.dag_file})", title_justify="left", header_style="bold")
    for column in ("task", "fidelity", "Airflow", "KFP", "Airflow return", "KFP return", "result"):
        table.add_column(column, overflow="fold")
    for row in result.tasks:
        style = STATUS_STYLE.get(row.status, "")
        table.add_row(row.task, row.fidelity, row.airflow_state, row.kfp_state, value_text(row.airflow_return),
                      value_text(row.kfp_return), f"[{style}]{row.status.replace('_', ' ')}[/]")
    if result.tasks:
        if out_console.is_terminal:
            out_console.print(table)
        else:  # piped output has no width: give the table room rather than folding every cell
            from rich.console import Console

            Console(file=out_console.file, width=160, highlight=False, emoji=False).print(table)
    for line in result.differences:
        out_console.print(f"  [red]KFM401[/] {line}", highlight=False)
    for row in result.tasks:
        for note in row.notes:
            if row.status == "not_run_locally":
                out_console.print(f"  [magenta]KFM402[/] {row.task}: not run locally: {note}", highlight=False)
            elif row.status != "removed":
                out_console.print(f"  [dim]note {row.task}: {note}[/]", highlight=False)
    print_problems(result)
    timing = ""
    if result.airflow_seconds or result.kfp_seconds:
        timing = f" (Airflow {result.airflow_seconds:.1f}s, kfp.local {result.kfp_seconds:.1f}s)"
    out_console.print(f"[{VERDICT_STYLE[result.verdict]}]{result.dag_id}: {result.verdict}[/]"
                      f"{' - ' + str(len(result.differences)) + ' difference(s)' if result.differences else ''}{timing}")


def print_problems(result) -> None:
    for problem in result.problems:
        if problem.startswith(f"cannot convert: {result.dag_file}:"):  # already path:line:col: KFMnnn ...
            err_console.print(problem.removeprefix("cannot convert: "), markup=False, highlight=False)
        else:
            err_console.print(f"{result.dag_file}: KFM400 {result.dag_id}: {problem}", markup=False, highlight=False)


def refuse(bad_input: list) -> None:
    """The input itself is wrong: say why and stop, with no verify.json."""
    for result in bad_input:
        print_problems(result)
    sys.exit(2)


@click.command("verify", short_help="Run DAGs on Airflow and their conversions on kfp.local; compare.")
@click.argument("dags", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dag-id", help="Verify only this DAG (when a file defines several).")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="DAG parameter given to both sides (Airflow run conf and pipeline argument), typed from "
                   "the converted pipeline's inputs. Repeat for several.")
@click.option("--logical-date", metavar="YYYY-MM-DD",
              help="Logical date for both runs (or an ISO timestamp). Default: now, as a manual run.")
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Folder for the report: verify-<dag_id>.json for one DAG, verify.json for several.")
@click.option("--force", is_flag=True, help="Overwrite a report file that is not an earlier kfmigrate verify report.")
@click.option("--pipeline", "pipeline_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Verify this existing conversion (.py or .yaml, e.g. hand-edited) instead of converting "
                   "the DAG now. Needs its migration report (found next to it, or --report).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The <dag_id>.migration.json of --pipeline.")
@click.option("--timeout", type=float, default=600, show_default=True,
              help="Seconds each engine may take for one DAG before the run is stopped.")
@click.option("--runtime", "runtime_mode", type=click.Choice(["package", "inline"]), default="package", show_default=True,
              help="Convert as `kfmigrate convert --runtime` does: components import kfmigrate-runtime (taken from this "
                   "kfmigrate for the local run) or carry its helpers inline.")
def command(dags, dag_id, params, logical_date, outdir, force, pipeline_path, report_path, timeout, runtime_mode):
    """Prove a conversion: run each DAG on Airflow and its conversion on kfp.local, and compare.

    DAGS are Airflow DAG files or folders of them. Each DAG is converted (as `kfmigrate convert`
    would), run with real Airflow (`dag.test()` in a temporary AIRFLOW_HOME with SQLite; your own
    AIRFLOW_HOME and Airflow settings are never used) and run on kfp.local, with the same
    parameters, logical date and run id. For every task (every map index of a mapped task) it
    compares whether it ran, was skipped or failed, its XCom return value against the component's
    output (JSON-normalised), the other XComs the conversion carries, and rendered templated fields
    where the KFP side reports them. Prints a side-by-side table and writes the report to
    OUTPUT/verify-<dag_id>.json (one DAG) or OUTPUT/verify.json (several). An earlier kfmigrate
    verify report of that name is replaced; any other file is kept unless --force.

    Tasks that cannot run locally (container tasks without Docker) are reported as not run
    locally, never as equivalent.

    \b
    Exit codes:
      0  every DAG is equivalent
      1  some DAG is not: every difference is listed
      2  a side could not run, or some task could not run locally (the reason is printed);
         or bad input (unparsable file, unknown or mistyped --param): refused, nothing written
    """
    from kfmigrate.compare.verify import (DIFFERENT, EQUIVALENT, INCOMPLETE, exit_code, is_verify_report, report_document, report_file,
                                verdict_counts, verify_conversion, verify_files)
    from kfmigrate.migrate.output import report_next_to
    from kfmigrate.migrate.report import ReportError, read_report

    raw_params = parse_param_options(params)
    import importlib.util

    if importlib.util.find_spec("airflow") is None:  # the Airflow side runs in this interpreter's subprocesses
        err_console.print("KFM400 verify runs each DAG on Apache Airflow 3, which is not installed here "
                          "(pip install 'kfmigrate[airflow]')", markup=False)
        sys.exit(2)
    from kfmigrate.compare.engines.airflow import AirflowEngineError, parse_logical_date

    try:
        parse_logical_date(logical_date)
    except AirflowEngineError as exc:
        raise click.BadParameter(str(exc), param_hint="--logical-date") from None

    def progress(message: str) -> None:
        err_console.print(f"[dim]{message}[/]", highlight=False)

    results = []
    if pipeline_path is not None:
        if len(dags) != 1 or not dags[0].is_file():
            raise click.UsageError("--pipeline verifies one conversion: give exactly one DAG file")
        report_path = report_path or report_next_to(pipeline_path)
        try:
            report = read_report(report_path)
        except (OSError, ReportError) as exc:
            err_console.print(f"{report_path}: KFM400 cannot read the migration report: {exc}", markup=False)
            sys.exit(2)
        if not pipeline_path.exists():
            err_console.print(f"{pipeline_path}: KFM400 no such file", markup=False)
            sys.exit(2)
        results.append(verify_conversion(dags[0], report.dag_id, pipeline_path, report, raw_params,
                                         logical_date, progress, timeout=timeout))
        if results[-1].bad_input:
            refuse(results)
        print_result(results[-1])
    else:
        from kfmigrate.migrate.batch import collect_inputs

        files, problems = collect_inputs(dags)
        for problem in problems:
            err_console.print(problem.render(), markup=False)
        if not files:
            sys.exit(2)
        # each result is shown as soon as known: a folder can take a while
        from kfmigrate.migrate.emit.environment import Environment

        results = verify_files(files, dag_id, raw_params, logical_date, progress, timeout=timeout,
                               on_result=print_result, refuse_bad_input=True, environment=Environment(runtime_mode))
        if any(r.bad_input for r in results):
            refuse(results)
        if not results:
            err_console.print("KFM400 no Airflow DAG found to verify", markup=False)
            sys.exit(2)

    counts = verdict_counts(results)
    if len(results) > 1:
        out_console.print(f"{len(results)} DAGs: {counts[EQUIVALENT]} equivalent, {counts[DIFFERENT]} different, "
                          f"{counts[INCOMPLETE]} incomplete")
    target = report_file(outdir, results)
    if target.exists() and not force and not is_verify_report(target):
        err_console.print(f"{target}: KFM302 output file exists and is not a kfmigrate verify report "
                          "(use --force to overwrite)", markup=False)
        sys.exit(2)
    write_json_atomically(target, report_document(results, logical_date, raw_params))
    out_console.print(f"[dim]wrote {target}[/]")
    if exit_code(results):
        sys.exit(exit_code(results))
