"""`kfmigrate convert`: Airflow DAG files or folders -> KFP v2 pipelines (.py, .yaml) and reports."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kfmigrate.console import err_console, out_console, print_diagnostic


@click.command("convert")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for <dag_id>_pipeline.py, <dag_id>.yaml and the <dag_id>.migration.json/.md reports.")
@click.option("--no-compile", is_flag=True, help="Write the KFP Python and reports only; skip compiling to YAML.")
@click.option("--strict", is_flag=True, help="Exit 1 when any task is not native (shim or placeholder).")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
@click.option("-j", "--jobs", type=int, default=0, show_default="all cores",
              help="Files converted in parallel in a folder batch.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and the final summary.")
@click.option("--xcom-transport", type=click.Choice(["parameter", "artifact", "auto"]), default="parameter",
              show_default=True,
              help="How XCom values pass between tasks: KFP parameters (at most 128 KiB each), JSON files in KFP "
                   "artifacts (any size), or auto (artifacts except int/float/bool values).")
@click.option("--path", "project_paths", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A project folder whose modules the DAG files import (repeatable); with --load it goes on sys.path.")
@click.option("--env", "env_items", multiple=True, metavar="K=V",
              help="An environment variable the DAG files read while they are loaded or interpreted (repeatable).")
@click.option("--load", "load", is_flag=True,
              help="EXECUTE the DAG files with Airflow's own DagBag (in a subprocess) and convert the live DAGs, "
                   "instead of reading them statically. Needs Airflow installed; runs the files' code.")
@click.option("--load-timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              help="With --load: seconds Airflow may spend importing one DAG file (its dagbag_import_timeout).")
def command(paths, outdir, no_compile, strict, force, jobs, quiet, xcom_transport, project_paths, env_items, load, load_timeout):
    """Convert Airflow DAG files (or folders of them, recursively) to Kubeflow Pipelines v2.

    The DAG files are read statically with libcst and never imported or run, unless --load is given:
    then Airflow's DagBag imports (executes) them in a subprocess, as Airflow's DAG processor does,
    and the live DAGs are converted. For each DAG found this
    writes OUTDIR/<dag_id>_pipeline.py (readable KFP Python; `python` it to compile),
    OUTDIR/<dag_id>.yaml (the compiled PipelineSpec) and OUTDIR/<dag_id>.migration.json/.md (what is
    native, shimmed, or needs a person, task by task, with source lines).

    \b
    Exit codes:
      0  every DAG converted
      1  --strict and some task is not native
      2  an input could not be read or parsed, a pipeline failed to compile, an output exists
         (without --force) or could not be written, or no DAG was found
    """
    from rich.markup import escape

    from migrate.api import compile_failed
    from migrate.batch import collect_inputs, convert_many
    from migrate.output import OutputError, existing, output_paths, stem_list, write_conversion

    env = _parse_env(env_items)
    files, input_problems = collect_inputs(paths, skip_dirs=[outdir])  # a re-run must not read its own output
    for problem in input_problems:
        print_diagnostic(problem)
    if load:
        from migrate.load import LoadOptions, convert_loaded

        options = LoadOptions(paths=project_paths, env=env, timeout=load_timeout, dag_folders=paths)
        results = convert_loaded(files, options, compile=not no_compile, jobs=jobs or os.cpu_count() or 1,
                                 xcom_transport=xcom_transport)
    else:
        results = convert_many(files, compile=not no_compile, jobs=jobs or os.cpu_count() or 1, xcom_transport=xcom_transport)

    failed, skipped, written, not_native, conflicts = [], [], 0, [], []
    failed += [problem.span.path if problem.span else "?" for problem in input_problems]  # listed at the end too
    stems = iter(stem_list(c.dag_id for r in results for c in r.conversions))
    first_file = {}  # dag id -> the file that defined it first (Airflow ignores later duplicates)
    for result in results:
        for diagnostic in result.diagnostics:
            if diagnostic.code == "KFM103":
                continue
            print_diagnostic(diagnostic)
        if result.error is not None:
            print_diagnostic(result.error)
            failed.append(result.path)
            continue
        if not result.conversions:
            skipped.append(result.path)
            continue
        for conversion in result.conversions:
            stem = next(stems)
            for diagnostic in conversion.diagnostics:
                print_diagnostic(diagnostic)
            earlier = first_file.setdefault(conversion.dag_id, result.path)
            if earlier != result.path:
                err_console.print(f"{result.path}: dag id {conversion.dag_id!r} is also defined in {earlier} "
                                  f"(Airflow loads only one of them); written as {stem}", markup=False, highlight=False)
            clash = existing(output_paths(outdir, stem, conversion.yaml_text is not None))
            if clash and not force:
                for path in clash:
                    err_console.print(f"{path}: KFM302 output file exists (use --force to overwrite)", markup=False, highlight=False)
                conflicts.append(conversion.dag_id)
                continue
            try:
                paths_written = write_conversion(conversion, outdir, stem)
            except OutputError as exc:
                err_console.print(f"error: {exc}", style="red", markup=False, highlight=False)
                failed.append(result.path)
                continue
            if compile_failed(conversion):
                # the .py and the report are kept to show why; the DAG does not count as converted
                err_console.print(f"compile failed: {conversion.dag_id} ({result.path}); see {paths_written['python']} "
                                  f"and {paths_written['report_md'].name}", style="red", markup=False, highlight=False)
                failed.append(result.path)
                continue
            written += 1
            summary = conversion.report["summary"]
            if conversion.not_native:
                not_native.append(conversion.dag_id)
            if not quiet:
                out_console.print(
                    f"[green]converted[/] {escape(conversion.dag_id)} ({escape(str(result.path))}) -> "
                    f"{escape(str(paths_written['python']))}"
                    + (f", {escape(paths_written['yaml'].name)}" if "yaml" in paths_written else "")
                    + f"  [dim]{summary['tasks']} task{'' if summary['tasks'] == 1 else 's'}: {summary['native']} native, {summary['shim']} shim, "
                    f"{summary['placeholder']} placeholder, {summary['removed']} removed[/]",
                    highlight=False,
                )
    if skipped:
        out_console.print(f"skipped {len(skipped)} file(s) with no DAG:", highlight=False)
        for path in skipped:
            out_console.print(f"  {path}", markup=False, highlight=False)
    if failed:
        err_console.print(f"[red]{len(set(failed))} file(s) could not be converted:[/]", highlight=False)
        for path in dict.fromkeys(failed):
            err_console.print(f"  {path}", markup=False, highlight=False)
    out_console.print(f"{written} pipeline(s) written to {outdir}", markup=False, highlight=False)
    if written == 0 and not failed and not conflicts:
        what = "no .py file" if not files else "no Airflow DAG"
        err_console.print(f"error: {what} found in {', '.join(map(str, paths))}", markup=False, highlight=False)
    if failed or conflicts or input_problems or written == 0 and not conflicts:
        sys.exit(2)
    if strict and not_native:
        err_console.print(f"--strict: not every task is native in: {', '.join(not_native)}", highlight=False)
        sys.exit(1)


def _parse_env(items) -> dict:
    env = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r}: expected KEY=VALUE", param_hint="--env")
        env[key.strip()] = value
    return env
