"""`kfmigrate convert`: Airflow DAG files or folders -> KFP v2 pipelines (.py, .yaml) and reports."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kfmigrate.console import err_console, interrupt_on_signals, out_console, print_diagnostic, print_diagnostics
from kfmigrate.project_options import load_options, project_options, to_load, to_project


@click.command("convert", short_help="Convert Airflow DAG files or folders to KFP v2 pipelines.")
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
@click.option("--runtime", "runtime_mode", type=click.Choice(["package", "inline"]), default="package", show_default=True,
              help="How components get kfmigrate's Airflow runtime: import the kfmigrate-runtime package (installed "
                   "pinned when a component starts), or inline (its helpers copied into the pipeline file; "
                   "self-contained).")
@click.option("--pip-index-url", "pip_index_urls", multiple=True, metavar="URL",
              help="The package index components install from (pip_index_urls; repeatable, the first is the main "
                   "index).")
@click.option("--image", "image", metavar="REF",
              help="Project image reference (e.g. registry.example.com/team/etl:1.0): every component runs in it and "
                   "installs nothing at run time; writes its build context to OUTDIR/image (Dockerfile, pinned "
                   "requirements.txt, runtime and project modules). Build it with `kfmigrate image build`.")
@project_options
@load_options
def command(paths, outdir, no_compile, strict, force, jobs, quiet, xcom_transport, runtime_mode, pip_index_urls,
            image, project_paths, env, load, load_timeout):
    """Convert Airflow DAG files (or folders of them, recursively) to Kubeflow Pipelines v2.

    The DAG files are read statically with libcst and never imported or run, unless --load is given:
    then Airflow's DagBag imports (executes) them in a subprocess, as Airflow's DAG processor does,
    and the live DAGs are converted. For each DAG found this
    writes OUTDIR/<dag_id>_pipeline.py (readable KFP Python; `python` it to compile),
    OUTDIR/<dag_id>.yaml (the compiled PipelineSpec) and OUTDIR/<dag_id>.migration.json/.md (what is
    native, shimmed, or needs a person, task by task, with source lines).

    Modules the DAG files import from their project (the DAG folder, plugins/, the config folder, the
    repository root, include/ and each --path) are read the same way: factories, operator subclasses
    and config files are followed statically, never imported.

    \b
    Exit codes:
      0  every DAG converted (or its outputs already on disk, identical: "up to date")
      1  --strict and some task is not native
      2  an input could not be read or parsed, a pipeline failed to compile, an output exists
         with other content (without --force) or could not be written, or no DAG was found
      130/143  interrupted by Ctrl-C / SIGTERM: the pipelines written so far are kept; the same
         command again writes the rest
    """
    from kfmigrate.migrate import outcome
    from kfmigrate.migrate.batch import collect_inputs, iter_convert
    from kfmigrate.migrate.emit.environment import Environment

    files, input_problems = collect_inputs(paths, skip_dirs=[outdir])  # a re-run must not read its own output
    for problem in input_problems:
        print_diagnostic(problem)
    environment = Environment(runtime=runtime_mode, pip_index_urls=tuple(pip_index_urls), image=image)
    batch = outcome.ConvertBatch(outdir, files, input_problems, force=force, image=image)
    refused = batch.other_image_context()  # a context for another image: refuse before anything is written
    if refused:
        err_console.print(refused, markup=False, highlight=False)
        sys.exit(outcome.EXIT_FAILED)
    project = to_project(project_paths, env)
    if load:  # Airflow loads every file first (one subprocess); then the same emitter runs on the live DAGs
        from kfmigrate.migrate.load import loaded_items

        files = loaded_items(files, to_load(project, load_timeout, paths))
    results = iter_convert(files, compile=not no_compile, jobs=jobs or os.cpu_count() or 1, xcom_transport=xcom_transport,
                           environment=environment, project=project)
    with interrupt_on_signals() as signals:
        try:
            for event in batch.write(results):  # each file's outputs are written as soon as it is converted
                _print_event(event, quiet)
        except KeyboardInterrupt:
            _stop(results)
            err_console.print(f"interrupted: {batch.written} pipeline(s) written to {outdir}"
                              + (f", {batch.up_to_date} up to date" if batch.up_to_date else "")
                              + "; run the same command again (without --force) to write the rest",
                              markup=False, highlight=False)
            sys.exit(signals.exit_code)
    if batch.skipped:
        out_console.print(f"skipped {len(batch.skipped)} file(s) with no DAG:", highlight=False)
        for path in batch.skipped:
            out_console.print(f"  {path}", markup=False, highlight=False)
    if batch.failed:
        err_console.print(f"[red]{len(batch.failed_files)} file(s) could not be converted:[/]", highlight=False)
        for path in batch.failed_files:
            err_console.print(f"  {path}", markup=False, highlight=False)
    out_console.print(f"{batch.written} pipeline(s) written to {outdir}"
                      + (f", {batch.up_to_date} up to date" if batch.up_to_date else ""), markup=False, highlight=False)
    _print_image_context(batch.write_image_context())
    nothing = batch.nothing_found(paths)
    if nothing:
        err_console.print(f"error: {nothing}", markup=False, highlight=False)
    code = batch.exit_code(strict)
    if code == outcome.EXIT_NOT_NATIVE:
        err_console.print(f"--strict: not every task is native in: {', '.join(batch.not_native)}", highlight=False)
    if code:
        sys.exit(code)


def _print_event(event, quiet: bool) -> None:
    from rich.markup import escape

    from kfmigrate.migrate import outcome

    if isinstance(event, outcome.Diagnostics):
        print_diagnostics(event.diagnostics)
    elif isinstance(event, outcome.FileFailed):
        print_diagnostic(event.error)
    elif isinstance(event, outcome.DuplicateDag):
        err_console.print(f"{event.path}: dag id {event.dag_id!r} is also defined in {event.earlier} "
                          f"(Airflow loads only one of them); written as {event.stem}", markup=False, highlight=False)
    elif isinstance(event, outcome.Conflict):
        for path in event.paths:
            err_console.print(f"{path}: KFM302 output file exists with other content (use --force to overwrite)",
                              markup=False, highlight=False)
    elif isinstance(event, outcome.WriteFailed):
        err_console.print(f"error: {event.message}", style="red", markup=False, highlight=False)
    elif isinstance(event, outcome.CompileFailed):
        # the .py and the report are kept to show why; the DAG does not count as converted
        err_console.print(f"compile failed: {event.conversion.dag_id} ({event.path}); see {event.written['python']} "
                          f"and {event.written['report_md'].name}", style="red", markup=False, highlight=False)
    elif quiet:
        return
    elif isinstance(event, outcome.UpToDate):
        out_console.print(f"up to date {event.conversion.dag_id} ({event.path})", markup=False, highlight=False)
    elif isinstance(event, outcome.Written):
        summary, written = event.conversion.report.summary, event.written
        out_console.print(
            f"[green]converted[/] {escape(event.conversion.dag_id)} ({escape(str(event.path))}) -> "
            f"{escape(str(written['python']))}"
            + (f", {escape(written['yaml'].name)}" if "yaml" in written else "")
            + f"  [dim]{summary.tasks} task{'' if summary.tasks == 1 else 's'}: {summary.native} native, "
            f"{summary.shim} shim, {summary.placeholder} placeholder, {summary.removed} removed[/]",
            highlight=False,
        )


def _print_image_context(context) -> None:
    if context is None:
        return
    for line in context.warnings:
        err_console.print(line, markup=False, highlight=False)
    if context.error:
        err_console.print(f"error: {context.error}", style="red", markup=False, highlight=False)
        return
    out_console.print(f"image build context {'up to date in' if context.state == 'up to date' else 'written to'} "
                      f"{context.folder} ({context.requirements} pinned requirements); build and push it: "
                      f"kfmigrate image build {context.folder} && docker push {context.image}", markup=False, highlight=False)


def _stop(results) -> None:
    """Close the conversion generator (its pool's workers are killed); a second Ctrl-C meanwhile is ignored."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        results.close()
    finally:
        signal.signal(signal.SIGINT, previous)
