"""The `kfmigrate` command line: a thin click face over migrate/, compare/ and kubeflow_ops/.

Each command lives in its own module under kfmigrate/commands and imports heavy packages
(kfp, airflow, mlflow, kubernetes) only inside the function that runs it, so --help stays fast.
"""
import atexit
import gc
import importlib

import click

from kfmigrate.migrate.version import version

# A batch leaves hundreds of thousands of objects behind, and Python's last cycle collection at exit took
# 50 ms of a 1.2 s conversion. Nothing left then needs collecting: this hook, registered first, runs last,
# after the exit hooks that close files and remove temporary folders.
atexit.register(gc.freeze)

# command name -> module under kfmigrate.commands that defines a click command called `command`
COMMANDS = {
    "convert": "convert",
    "analyze": "analyze",
    "run": "run",
    "verify": "verify",
    "compare": "compare",
    "kubeflow": "kubeflow",
    "image": "image",
}


class LazyGroup(click.Group):
    """Loads a command's module only when that command is used or listed."""

    def list_commands(self, ctx):
        return sorted(COMMANDS)

    def get_command(self, ctx, name):
        module = COMMANDS.get(name)
        if module is None:
            return None
        try:
            return importlib.import_module(f"kfmigrate.commands.{module}").command
        except ModuleNotFoundError as exc:
            if exc.name == f"kfmigrate.commands.{module}":
                return None
            raise


def _show_version(ctx, _param, value) -> None:
    # looked up only when asked: reading the distribution's metadata costs every command ~40 ms at start-up
    if value and not ctx.resilient_parsing:
        click.echo(f"kfmigrate, version {version()}")
        ctx.exit()


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Show the version and exit.")
def main():
    """Move Airflow DAGs to Kubeflow Pipelines v2, prove the result, and compare the engines."""
