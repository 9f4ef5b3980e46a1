"""`--path DIR` and `--env K=V`, shared by convert and analyze: the project folders and the environment
a conversion reads DAG files with (migrate/parse/project.py)."""
from __future__ import annotations

import click


def project_options(command):
    command = click.option(
        "--env", "env", multiple=True, metavar="KEY=VALUE",
        help="Environment variable the DAG files read at parse time (os.environ.get, os.getenv, os.environ[...]); "
             "repeatable. Without it the converting process's environment, then the code's default, is used.")(command)
    return click.option(
        "--path", "project_paths", multiple=True, type=click.Path(file_okay=False, exists=True),
        help="Folder to find the project's modules in (as on Airflow's sys.path), searched before the DAG folder, "
             "plugins/, the config folder, the repository root and include/; repeatable.")(command)


def to_project(project_paths, env):
    """The options as migrate.parse.project.ProjectOptions; a malformed --env is a usage error."""
    from migrate.parse.project import ProjectOptions, parse_env

    try:
        pairs = parse_env(env)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--env")
    return ProjectOptions(paths=tuple(str(p) for p in project_paths), env=pairs)
