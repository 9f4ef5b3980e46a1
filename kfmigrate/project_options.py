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
    """The options as kfmigrate.migrate.parse.project.ProjectOptions; a malformed --env is a usage error."""
    from kfmigrate.migrate.parse.project import ProjectOptions, parse_env

    try:
        pairs = parse_env(env)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--env")
    return ProjectOptions(paths=tuple(str(p) for p in project_paths), env=pairs)


def load_options(command):
    """`--load` and `--load-timeout`: build the IR from the DAGs Airflow's own DagBag loads (kfmigrate.migrate.load)."""
    command = click.option(
        "--load-timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
        help="With --load: seconds Airflow may spend importing one DAG file (its dagbag_import_timeout).")(command)
    return click.option(
        "--load", "load", is_flag=True,
        help="EXECUTE the DAG files with Airflow's own DagBag (in a subprocess, as Airflow's DAG processor does) and "
             "convert the live DAGs instead of reading them statically. Needs Airflow installed; runs the files' code.")(command)


def to_load(project, load_timeout, inputs):
    """kfmigrate.migrate.load.LoadOptions from the project options and the command's input paths (the DAG folders)."""
    from kfmigrate.migrate.load import LoadOptions

    return LoadOptions(paths=tuple(project.paths), env=dict(project.env), timeout=load_timeout, dag_folders=tuple(inputs))
