"""`kfmigrate analyze`: a Kubeflow readiness inventory of DAG files and folders; writes no pipelines."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from kfmigrate.console import err_console, out_console
from kfmigrate.project_options import load_options, project_options, to_load, to_project

PROGRESS_MIN_FILES = 16  # below this a run is short; a bar would only flicker


@click.command("analyze", short_help="Readiness inventory of DAG files: fidelity mix, blockers, score.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "md", "sarif", "csv"]), default="table",
              show_default=True, help="table: for people; json: the full inventory (schema: migrate/schemas/analyze.schema.json); "
              "md: Markdown page; sarif: SARIF 2.1.0 for code-scanning upload; csv: one row per DAG and per problem file.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of stdout (atomically; see --force).")
@click.option("--force", is_flag=True, help="Overwrite the --output file if it exists.")
@click.option("--fail-on", type=click.Choice(["shim", "placeholder"]),
              help="Exit 1 when any task is a shim or placeholder (shim), or any task is a placeholder (placeholder).")
@click.option("--root", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".", show_default="current folder",
              help="Folder that reported paths and SARIF URIs are relative to (your repository root).")
@click.option("-j", "--jobs", type=int, default=0, show_default="all cores", help="Files analysed in parallel.")
@project_options
@load_options
def command(paths, fmt, output, force, fail_on, root, jobs, project_paths, env, load, load_timeout):
    """Inventory what converting Airflow DAG files (or folders of them) to Kubeflow Pipelines would give.

    Nothing is written except the report. Per DAG and in total: operators by family, the fidelity
    mix (native / shim / placeholder / removed tasks), blockers with path:line:col, a readiness score,
    the connections and variables the tasks need, files that failed to parse and files with no DAG.

    Readiness score = 100 x (native + removed + shim/2) / tasks, rounded down; each unread file
    (it imports Airflow and builds DAGs in a way static reading cannot follow) counts as one task
    scoring nothing; "n/a" when there is nothing to count. A DAG is ready when it has tasks and no
    blocker: no placeholder task, no error, no tasks dropped by an unresolved condition or loop.

    \b
    Exit codes:
      0  inventory written
      1  --fail-on tripped (a shim/placeholder task, or a placeholder task; an unread file trips both)
      2  an input could not be read or parsed, no .py file was found, or the output file exists
         (without --force)
    """
    from kfmigrate.migrate.analyze import render, shown_score, trips

    if output is not None and output.exists() and not force:
        err_console.print(f"{output}: KFM302 output file exists (use --force to overwrite)", markup=False)
        sys.exit(2)
    jobs = jobs if jobs > 0 else os.cpu_count() or 1
    project = to_project(project_paths, env)
    inventory = _run(paths, jobs, root, project, to_load(project, load_timeout, paths) if load else None)
    if inventory["summary"]["files"] == 0:  # as convert: an empty folder is a mistake, not a perfect estate
        err_console.print(f"error: no .py file found in {', '.join(map(str, paths))}", markup=False)
        sys.exit(2)
    if output is None:
        text = render(inventory, fmt, width=out_console.width if out_console.is_terminal else 120, color=out_console.is_terminal and fmt == "table")
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        _write_atomically(output, render(inventory, fmt))
        s = inventory["summary"]
        err_console.print(f"wrote {output}: {s['dags']} DAGs, {s['tasks']} tasks, score {shown_score(s['score'])}, "
                          f"{s['blockers']} blockers, {s['files_failed']} failed files", markup=False)
    if inventory["failed_files"]:
        for failed in inventory["failed_files"]:
            d = failed["diagnostic"]
            where = f"{d['path']}:{d['line']}:{d['col']}" if "path" in d else failed["path"]
            err_console.print(f"{where}: {d['code']} {d['message']}", style="red", markup=False)
        sys.exit(2)
    if trips(inventory, fail_on):
        fidelity = inventory["summary"]["fidelity"]
        err_console.print(f"--fail-on {fail_on}: {fidelity['shim']} shim and {fidelity['placeholder']} placeholder task(s), "
                          f"{inventory['summary']['files_unread']} unread file(s)", markup=False)
        sys.exit(1)


def _run(paths, jobs, root, project=None, load=None):
    from kfmigrate.migrate.analyze import analyze_files
    from kfmigrate.migrate.batch import collect_inputs

    files, problems = collect_inputs(paths)
    # a bar only on a terminal and only when the run is long enough to need one
    if not err_console.is_terminal or len(files) < PROGRESS_MIN_FILES:
        return analyze_files(files, problems, jobs=jobs, root=root, inputs=paths, project=project, load=load)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("analyzing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        bar = progress.add_task("analyze", total=len(files))
        return analyze_files(files, problems, jobs=jobs, root=root, inputs=paths, project=project, load=load,
                             on_progress=lambda done, total: progress.update(bar, completed=done, total=total))


def _write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file next to `path` and rename it into place: no half-written report."""
    folder = path.parent if str(path.parent) else Path(".")
    if folder.exists() and not folder.is_dir():
        err_console.print(f"{path}: cannot write: {folder} is not a folder", markup=False)
        sys.exit(2)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        err_console.print(f"{path}: cannot write: {exc.strerror or exc}", markup=False)
        sys.exit(2)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; a report is an ordinary file
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            err_console.print(f"{path}: cannot write: {exc.strerror or exc}", markup=False)
            sys.exit(2)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
