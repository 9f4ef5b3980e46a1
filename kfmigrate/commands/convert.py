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
def command(paths, outdir, no_compile, strict, force, jobs, quiet):
    """Convert Airflow DAG files (or folders of them, recursively) to Kubeflow Pipelines v2.

    The DAG files are read statically with libcst and never imported or run. For each DAG found this
    writes OUTDIR/<dag_id>_pipeline.py (readable KFP Python; `python` it to compile),
    OUTDIR/<dag_id>.yaml (the compiled PipelineSpec) and OUTDIR/<dag_id>.migration.json/.md (what is
    native, shimmed, or needs a person, task by task, with source lines).

    \b
    Exit codes:
      0  every DAG converted
      1  --strict and some task is not native
      2  an input could not be read or parsed, an output exists (without --force), or no DAG was found
    """
    from migrate.batch import collect_inputs, convert_many
    from migrate.output import assign_stems, existing, output_paths, write_conversion

    files, input_problems = collect_inputs(paths)
    for problem in input_problems:
        print_diagnostic(problem)
    results = convert_many(files, compile=not no_compile, jobs=jobs or os.cpu_count() or 1)

    failed, skipped, written, not_native, conflicts = [], [], 0, [], []
    stems = assign_stems(c.dag_id for r in results for c in r.conversions)
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
            for diagnostic in conversion.diagnostics:
                print_diagnostic(diagnostic)
            stem = stems[conversion.dag_id]
            clash = existing(output_paths(outdir, stem, conversion.yaml_text is not None))
            if clash and not force:
                for path in clash:
                    err_console.print(f"{path}: KFM302 output file exists (use --force to overwrite)", markup=False, highlight=False)
                conflicts.append(conversion.dag_id)
                continue
            paths_written = write_conversion(conversion, outdir, stem)
            written += 1
            summary = conversion.report["summary"]
            if conversion.not_native:
                not_native.append(conversion.dag_id)
            if not quiet:
                out_console.print(
                    f"[green]converted[/] {conversion.dag_id} ({result.path}) -> {paths_written['python']}"
                    + (f", {paths_written['yaml'].name}" if "yaml" in paths_written else "")
                    + f"  [dim]{summary['tasks']} tasks: {summary['native']} native, {summary['shim']} shim, "
                    f"{summary['placeholder']} placeholder, {summary['removed']} removed[/]",
                    highlight=False,
                )
    if skipped:
        out_console.print(f"skipped {len(skipped)} file(s) with no DAG:", highlight=False)
        for path in skipped:
            out_console.print(f"  {path}", markup=False, highlight=False)
    if failed:
        err_console.print(f"[red]{len(failed)} file(s) could not be converted:[/]", highlight=False)
        for path in failed:
            err_console.print(f"  {path}", markup=False, highlight=False)
    out_console.print(f"{written} pipeline(s) written to {outdir}", highlight=False)
    if failed or conflicts or input_problems or written == 0 and not conflicts:
        sys.exit(2)
    if strict and not_native:
        err_console.print(f"--strict: not every task is native in: {', '.join(not_native)}", highlight=False)
        sys.exit(1)
