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
@click.option("--image", "image", metavar="REF",
              help="Project image reference (e.g. registry.example.com/team/etl:1.0): every component runs in it and "
                   "installs nothing at run time; writes its build context to OUTDIR/image (Dockerfile, pinned "
                   "requirements.txt, runtime and project modules). Build it with `kfmigrate image build`.")
def command(paths, outdir, no_compile, strict, force, jobs, quiet, xcom_transport, image):
    """Convert Airflow DAG files (or folders of them, recursively) to Kubeflow Pipelines v2.

    The DAG files are read statically with libcst and never imported or run. For each DAG found this
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

    context_dir = outdir / "image"
    if image and (context_dir.exists() or context_dir.is_symlink()) and not force:
        err_console.print(f"{context_dir}: KFM302 output file exists (use --force to overwrite)", markup=False, highlight=False)
        sys.exit(2)
    files, input_problems = collect_inputs(paths, skip_dirs=[outdir])  # a re-run must not read its own output
    for problem in input_problems:
        print_diagnostic(problem)
    results = convert_many(files, compile=not no_compile, jobs=jobs or os.cpu_count() or 1, xcom_transport=xcom_transport,
                           image=image)

    failed, skipped, written, not_native, conflicts, converted = [], [], 0, [], [], []
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
            converted.append(conversion)
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
    if image and converted and not _write_image_context(context_dir, image, converted, force):
        failed.append(context_dir)
    if written == 0 and not failed and not conflicts:
        what = "no .py file" if not files else "no Airflow DAG"
        err_console.print(f"error: {what} found in {', '.join(map(str, paths))}", markup=False, highlight=False)
    if failed or conflicts or input_problems or written == 0 and not conflicts:
        sys.exit(2)
    if strict and not_native:
        err_console.print(f"--strict: not every task is native in: {', '.join(not_native)}", highlight=False)
        sys.exit(1)


def _write_image_context(folder: Path, image: str, conversions, force: bool) -> bool:
    """The project image's build context next to the pipelines (migrate/image.py); False when it failed."""
    from migrate.image import ImageError, plan_context, write_context

    context = plan_context(folder, image, [r for c in conversions for r in c.emitted.requirements],
                           [c.workflow.path for c in conversions], [f for c in conversions for f in c.emitted.image_files])
    for pinned in context.unpinned:
        err_console.print(f"{folder / 'requirements.txt'}: KFM222 {pinned.requirement!r} is not pinned: it is {pinned.source}",
                          markup=False, highlight=False)
    for note in context.notes:
        err_console.print(f"note: {note}", markup=False, highlight=False)
    try:
        write_context(context, force=force)
    except ImageError as exc:
        err_console.print(f"error: {exc}", style="red", markup=False, highlight=False)
        return False
    out_console.print(f"image build context written to {folder} ({len(context.requirements)} pinned requirements); "
                      f"build and push it: kfmigrate image build {folder} && docker push {image}", markup=False, highlight=False)
    return True
