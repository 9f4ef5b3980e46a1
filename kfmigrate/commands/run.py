"""`kfmigrate run`: run a converted pipeline (.py or compiled .yaml) locally on kfp.local."""
from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

import click

from kfmigrate.console import err_console, interrupt_on_signals, out_console

STATE_STYLE = {
    "pending": "dim", "running": "cyan", "succeeded": "green", "failed": "bold red",
    "skipped": "yellow", "not_run": "magenta",
}


def parse_param_options(values) -> dict:
    """`--param k=v` options -> {k: "v"} (typing happens against the pipeline's declared inputs)."""
    params = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        params[name.strip()] = value
    return params


def short(value, limit: int = 60) -> str:
    if isinstance(value, dict) and "artifact" in value:
        text = f"{value['artifact'].split('.')[-1]} {artifact_text(value.get('path') or '')}"
    else:
        text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def artifact_text(path: str) -> str:
    """A small text artifact (an XCom as JSON) shows its value; anything else its file name."""
    try:
        if os.path.getsize(path) <= 4096:
            with open(path, encoding="utf-8") as handle:
                return handle.read().strip()
    except (OSError, UnicodeDecodeError):
        pass
    return f".../{os.path.basename(path)}" if path else ""


def outputs_text(outputs: dict) -> str:
    return ", ".join(f"{k}={short(v)}" for k, v in outputs.items())


class LiveTasks:
    """Task table kept up to date from engine events; a live table on a terminal, lines otherwise."""

    def __init__(self, console):
        self.console = console
        self.rows: dict[str, dict] = {}
        self.installs: set[str] = set()
        self.live = None

    def table(self):
        from rich.table import Table

        table = Table(show_header=True, header_style="bold", expand=False)
        for column in ("task", "state", "time", "outputs"):
            table.add_column(column, overflow="fold")
        for row in self.rows.values():
            state = row["state"]
            duration = f"{row['duration']:.2f}s" if row.get("duration") else ""
            detail = outputs_text(row.get("outputs") or {}) or row.get("reason", "")
            table.add_row(row["label"], f"[{STATE_STYLE.get(state, '')}]{state}[/]", duration, detail)
        return table

    def __enter__(self):
        if self.console.is_terminal:
            from rich.live import Live

            self.live = Live(self.table(), console=self.console, refresh_per_second=8, transient=False)
            self.live.__enter__()
        return self

    def __exit__(self, *exc):
        if self.live:
            self.live.update(self.table())
            self.live.__exit__(*exc)

    def label(self, task: str, display: str | None) -> str:
        # a loop iteration keeps its index: shout[0], shout[1]
        return task if not display or display == task.split("[")[0] else f"{display} ({task})"

    def __call__(self, event: dict) -> None:
        kind = event.get("event")
        if kind == "installing":
            wanted = " ".join(event["requirements"])
            if wanted not in self.installs:  # several components often share one requirement set
                self.installs.add(wanted)
                self.console.print(f"[dim]{wanted}: not in this Python; taken from the kfmigrate cache "
                                   "(installed there once, never into this Python)[/]")
            return
        if kind == "task_retry":
            # a retry policy's wait can be minutes: say what failed and how long the wait is
            label = self.label(event["task"], event.get("display_name"))
            of = f"/{event['attempts']}" if event.get("attempts") else ""
            self.console.print(f"{label}: attempt {event['attempt']}{of} failed: {event.get('error') or 'see its log'}; "
                               f"retrying in {retry_wait(event['delay'])}", style="yellow", markup=False, highlight=False)
            return
        if kind == "run_started":
            for task in event["tasks"]:
                self.rows.setdefault(task["task"], {"label": self.label(task["task"], task["display_name"]),
                                                    "state": "pending"})
        elif kind in ("task_started", "task_finished"):
            base = event["task"].split("[")[0]
            if base != event["task"]:  # a loop iteration: one row per iteration replaces the plain row
                self.rows.pop(base, None)
            row = self.rows.setdefault(event["task"], {"label": self.label(event["task"], event.get("display_name"))})
            row["state"] = "running" if kind == "task_started" else event["state"]
            row.update({k: event[k] for k in ("outputs", "duration", "reason") if k in event})
            if kind == "task_finished" and not self.live:
                detail = outputs_text(event.get("outputs") or {}) or event.get("reason", "")
                duration = f"{event['duration']:.2f}s" if event.get("duration") else ""
                self.console.print(f"{row['label']}  [{STATE_STYLE.get(row['state'], '')}]{row['state']}[/]"
                                   f"  {duration}  {detail}".rstrip())
        if self.live:
            self.live.update(self.table())

    def finish(self, run) -> None:
        """Tasks whose state is only known at the end (not reached after a failure) get their row too."""
        for task in run.tasks.values():
            row = self.rows.get(task.name)
            if row is not None and row.get("state") == task.state:
                continue
            self({"event": "task_finished", "task": task.name, "display_name": task.display_name,
                  "state": task.state, "outputs": task.outputs, "duration": task.duration, "reason": task.reason})


def retry_wait(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds >= 1 or seconds == 0 else f"{seconds:.1f} s"


def _looks_like_a_dag(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "from airflow" in text or "import airflow" in text


def write_json_atomically(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2, default=str)
    os.replace(tmp, path)


@click.command("run", short_help="Run a converted pipeline locally on kfp.local.")
@click.argument("pipeline", type=click.Path(path_type=Path))
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Pipeline parameter; typed from the pipeline's declared inputs (int, float, bool, "
                   "JSON for lists/dicts). Repeat for several.")
@click.option("--runner", type=click.Choice(["subprocess", "docker"]), default="subprocess", show_default=True,
              help="kfp.local runner. subprocess runs lightweight Python components in this machine's "
                   "Python (nothing is installed into it); docker needs a running Docker engine.")
@click.option("--pipeline-root", type=click.Path(file_okay=False, path_type=Path), default=Path("local_outputs"),
              show_default=True, help="Where task outputs, artifacts and per-task logs are written.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the run's result (states, outputs, timings) as JSON to this file.")
@click.option("--force", is_flag=True, help="Overwrite the --json file if it exists.")
@click.option("--no-retries", is_flag=True,
              help="Run every task once, whatever its retry policy (a quick local smoke run).")
@click.option("--max-retry-delay", type=click.IntRange(min=0), metavar="SECONDS",
              help="Wait at most this long between a failed attempt and the next (the DAG's retry_delay "
                   "can be minutes); 0 retries at once.")
def command(pipeline, params, runner, pipeline_root, json_path, force, no_retries, max_retry_delay):
    """Run a converted pipeline (its .py or compiled .yaml) locally on kfp.local.

    Shows each task's state and outputs as it goes. Component packages are never installed into
    this Python: requirements already satisfied here are used as they are, missing ones are
    installed once into a cache (~/.cache/kfmigrate, or $KFMIGRATE_CACHE) and used from there; the
    per-task `pip install kfp` of compiled components is skipped because kfp is already present.
    Container components cannot run on the subprocess runner and are reported as not run.
    Tasks keep their retry policy: each failed attempt is printed with its error and the wait
    before the next (see --no-retries and --max-retry-delay).

    Ctrl-C, SIGTERM and SIGHUP stop the run and everything it started, and remove its temporary files.

    \b
    Exit codes:
      0  the pipeline succeeded
      1  the pipeline failed (the failing task's log tail is printed)
      2  the pipeline could not be run (bad file or parameter, Docker missing, ...)
      130/143/129  interrupted by Ctrl-C / SIGTERM / SIGHUP
    """
    from kfmigrate.compare.engines.kfp_local import EngineError, run_pipeline

    if json_path and json_path.exists() and not force:
        err_console.print(f"{json_path}: KFM302 output file exists (use --force to overwrite)", markup=False)
        sys.exit(2)
    raw_params = parse_param_options(params)
    _warn_uncovered_imports(pipeline)
    display = LiveTasks(out_console)
    try:
        # SIGTERM/SIGHUP take Ctrl-C's path: the child's process tree is killed, the request folder removed
        with interrupt_on_signals() as signals, display:
            run = run_pipeline(pipeline, raw_params, pipeline_root, runner=runner, on_event=display,
                               retries=not no_retries, max_retry_delay=max_retry_delay)
            display.finish(run)
    except KeyboardInterrupt:
        err_console.print(f"interrupted: the local run of {pipeline} was stopped", markup=False)
        sys.exit(signals.exit_code)
    except EngineError as exc:
        if re.match(r".+:\d+:\d+: KFM\d+ ", str(exc)):  # already path:line:col: KFMnnn (a syntax error)
            err_console.print(str(exc), markup=False, highlight=False)
            sys.exit(2)
        message = str(exc).removeprefix(f"{pipeline}: ")
        err_console.print(f"{pipeline}: KFM400 {message}", markup=False)
        if "no @dsl.pipeline" in message and _looks_like_a_dag(pipeline):
            err_console.print(f"hint: this is an Airflow DAG file: convert it first (kfmigrate convert {pipeline} -o OUT) "
                              "and run OUT/<dag_id>.yaml", markup=False)
        sys.exit(2)

    if json_path:
        write_json_atomically(json_path, run.to_json())
    style = "green" if run.state == "succeeded" else "bold red"
    counts = {}
    for task in run.tasks.values():
        counts[task.state] = counts.get(task.state, 0) + 1
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    out_console.print(f"[{style}]{run.pipeline_name} {run.state}[/] in {run.wall_seconds:.2f}s ({summary}); "
                      f"outputs in {run.run_dir or pipeline_root}")
    if run.state == "succeeded":
        return
    for task in run.tasks.values():
        if task.state == "failed":
            err_console.print(f"\n[bold red]task {task.display_name} ({task.name}) failed[/]"
                              + (f" after {task.attempts} attempts" if task.attempts > 1 else "")
                              + (f": {task.reason}" if task.reason else ""))
            for line in task.log_tail[-20:]:
                err_console.print("  " + line, markup=False, highlight=False)
            if task.log_path:
                err_console.print(f"  [dim]full log: {task.log_path}[/]")
        elif task.state == "not_run" and task.reason and not task.reason.startswith("not reached"):
            err_console.print(f"[magenta]task {task.display_name} ({task.name}) not run:[/] {task.reason}")
    if run.error and not run.failed_tasks():
        err_console.print(run.error, style="red", markup=False)
    sys.exit(1)


def _warn_uncovered_imports(pipeline: Path) -> None:
    """KFM403 before a local run: imports the components' images do not declare (issue: a local success
    must not hide a cluster failure). A pipeline that cannot be loaded is reported by the run itself."""
    from kfmigrate.compare.engines.kfp_local import EngineError, load_spec
    from kfmigrate.migrate.environment import uncovered_messages

    try:
        spec = load_spec(pipeline)
    except EngineError:
        return
    for line in uncovered_messages(spec, Path(pipeline)):
        err_console.print(line, style="yellow", markup=False, highlight=False)
