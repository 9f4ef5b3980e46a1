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
    from rich.markup import escape

    from migrate.api import compile_failed
    from migrate.batch import collect_inputs, iter_convert
    from migrate.diagnostics import NO_DAG_CODES
    from migrate.output import OutputError, Stems, interrupts_deferred, output_paths, up_to_date, write_conversion

    files, input_problems = collect_inputs(paths, skip_dirs=[outdir])  # a re-run must not read its own output
    for problem in input_problems:
        print_diagnostic(problem)
    from migrate.emit.environment import Environment

    environment = Environment(runtime=runtime_mode, pip_index_urls=tuple(pip_index_urls), image=image)
    context_dir = outdir / "image"
    if image and not force:  # a context for another image: refuse before anything is written
        from migrate.image import read_manifest

        other = (read_manifest(context_dir) or {}).get("image") if context_dir.exists() else None
        if context_dir.exists() and other != image:
            err_console.print(f"{context_dir}: KFM302 output file exists with other content (use --force to overwrite)",
                              markup=False, highlight=False)
            sys.exit(2)
    converted = []  # with --image: every conversion written or up to date, for the build context

    failed, skipped, written, current, not_native, conflicts = [], [], 0, 0, [], []
    failed += [problem.span.path if problem.span else "?" for problem in input_problems]  # listed at the end too
    stems = Stems()
    first_file = {}  # dag id -> the file that defined it first (Airflow ignores later duplicates)
    project = to_project(project_paths, env)
    if load:  # Airflow loads every file first (one subprocess); then the same emitter runs on the live DAGs
        from migrate.load import loaded_items

        files = loaded_items(files, to_load(project, load_timeout, paths))
    results = iter_convert(files, compile=not no_compile, jobs=jobs or os.cpu_count() or 1, xcom_transport=xcom_transport,
                           environment=environment, project=project)
    with interrupt_on_signals() as signals:
        try:
            for result in results:  # each file's outputs are written as soon as it is converted
                print_diagnostics(d for d in result.diagnostics if d.code not in NO_DAG_CODES)
                if result.error is not None:
                    print_diagnostic(result.error)
                    failed.append(result.path)
                    continue
                if not result.conversions:
                    skipped.append(result.path)
                    continue
                for conversion in result.conversions:
                    stem = stems.next(conversion.dag_id)
                    print_diagnostics(conversion.diagnostics)
                    earlier = first_file.setdefault(conversion.dag_id, result.path)
                    if earlier != result.path:
                        err_console.print(f"{result.path}: dag id {conversion.dag_id!r} is also defined in {earlier} "
                                          f"(Airflow loads only one of them); written as {stem}", markup=False, highlight=False)
                    try:
                        on_disk = {} if force else up_to_date(conversion, outdir, stem)
                        differ = [kind for kind, same in on_disk.items() if not same]
                        if differ:
                            paths_now = output_paths(outdir, stem, conversion.yaml_text is not None)
                            for kind in differ:
                                err_console.print(f"{paths_now[kind]}: KFM302 output file exists with other content "
                                                  "(use --force to overwrite)", markup=False, highlight=False)
                            conflicts.append(conversion.dag_id)
                            continue
                        if on_disk and len(on_disk) == len(output_paths(outdir, stem, conversion.yaml_text is not None)):
                            current += 1  # an earlier (interrupted) run wrote exactly this
                            converted.append(conversion)
                            not_native += [conversion.dag_id] if conversion.not_native else []
                            if not quiet:
                                out_console.print(f"up to date {conversion.dag_id} ({result.path})", markup=False, highlight=False)
                            continue
                        with interrupts_deferred():  # files on disk and the count written go together
                            paths_written = write_conversion(conversion, outdir, stem, skip=on_disk)
                            written += 0 if compile_failed(conversion) else 1
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
                    converted.append(conversion)
                    summary = conversion.report.summary
                    if conversion.not_native:
                        not_native.append(conversion.dag_id)
                    if not quiet:
                        out_console.print(
                            f"[green]converted[/] {escape(conversion.dag_id)} ({escape(str(result.path))}) -> "
                            f"{escape(str(paths_written['python']))}"
                            + (f", {escape(paths_written['yaml'].name)}" if "yaml" in paths_written else "")
                            + f"  [dim]{summary.tasks} task{'' if summary.tasks == 1 else 's'}: {summary.native} native, "
                            f"{summary.shim} shim, {summary.placeholder} placeholder, {summary.removed} removed[/]",
                            highlight=False,
                        )
        except KeyboardInterrupt:
            _stop(results)
            err_console.print(f"interrupted: {written} pipeline(s) written to {outdir}"
                              + (f", {current} up to date" if current else "")
                              + "; run the same command again (without --force) to write the rest",
                              markup=False, highlight=False)
            sys.exit(signals.exit_code)
    if skipped:
        out_console.print(f"skipped {len(skipped)} file(s) with no DAG:", highlight=False)
        for path in skipped:
            out_console.print(f"  {path}", markup=False, highlight=False)
    if failed:
        err_console.print(f"[red]{len(set(failed))} file(s) could not be converted:[/]", highlight=False)
        for path in dict.fromkeys(failed):
            err_console.print(f"  {path}", markup=False, highlight=False)
    out_console.print(f"{written} pipeline(s) written to {outdir}" + (f", {current} up to date" if current else ""),
                      markup=False, highlight=False)
    if image and converted and not _write_image_context(context_dir, image, converted, force):
        failed.append(context_dir)
    if written + current == 0 and not failed and not conflicts:
        what = "no .py file" if not files else "no Airflow DAG"
        err_console.print(f"error: {what} found in {', '.join(map(str, paths))}", markup=False, highlight=False)
    if failed or conflicts or input_problems or written + current == 0 and not conflicts:
        sys.exit(2)
    if strict and not_native:
        err_console.print(f"--strict: not every task is native in: {', '.join(not_native)}", highlight=False)
        sys.exit(1)


def _stop(results) -> None:
    """Close the conversion generator (its pool's workers are killed); a second Ctrl-C meanwhile is ignored."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        results.close()
    finally:
        signal.signal(signal.SIGINT, previous)


def _write_image_context(folder: Path, image: str, conversions, force: bool) -> bool:
    """The project image's build context next to the pipelines (migrate/image.py); False when it failed."""
    from migrate.image import ImageError, plan_context, write_context

    context = plan_context(folder, image, [r for c in conversions for r in c.emitted.requirements],
                           [(c.workflow.path, c.workflow.project_roots) for c in conversions], [f for c in conversions for f in c.emitted.image_files])
    for pinned in context.unpinned:
        err_console.print(f"{folder / 'requirements.txt'}: KFM222 {pinned.requirement!r} is not pinned: it is {pinned.source}",
                          markup=False, highlight=False)
    for note in context.notes:
        err_console.print(f"note: {note}", markup=False, highlight=False)
    try:
        state = write_context(context, force=force)
    except ImageError as exc:
        err_console.print(f"error: {exc}", style="red", markup=False, highlight=False)
        return False
    out_console.print(f"image build context {'up to date in' if state == 'up to date' else 'written to'} {folder} "
                      f"({len(context.requirements)} pinned requirements); build and push it: kfmigrate image build "
                      f"{folder} && docker push {image}", markup=False, highlight=False)
    return True
