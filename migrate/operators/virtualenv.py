"""PythonVirtualenvOperator, @task.virtualenv, ExternalPythonOperator, @task.external_python.

The callable becomes the same Python lightweight component as for @task (python.py). A virtualenv
task's `requirements` (a list, or a requirements file next to the DAG, read at conversion time)
become the component's packages_to_install (a KFP task always runs in its
own fresh container, which is what the virtualenv gave in Airflow); `python_version` picks the
`python:<version>-slim` base image. An external Python interpreter (a path on the Airflow worker)
has no meaning in a pod: the component runs in the base image, and the report says to build an
image holding that environment.
"""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import List

from kfmigrate.migrate import ir
from kfmigrate.migrate.operators import Case, ComponentPlan, MapContext, handled, mapper, no_effect
from kfmigrate.migrate.operators.python import ARGS as PYTHON_ARGS, map_python
from kfmigrate.migrate.operators.staticcalls import Templated, describe, to_python

ARGS = PYTHON_ARGS.extended(
    handled("requirements", "python_version", "system_site_packages", "string_args", "expect_airflow", "expect_pendulum",
            "skip_on_exit_code", "env_vars", "inherit_env", "python", "use_airflow_context"),
    no_effect("set pip options on the component by hand (kfp: pip_index_urls, pip_trusted_hosts)", "pip_install_options"),
    no_effect("use the component's pip_index_urls by hand", "index_urls", "index_urls_from_connection_ids"),
    no_effect("each KFP task installs its packages afresh", "venv_cache_path"),
    no_effect("arguments and results cross as KFP parameters, not pickles", "use_dill", "serializer"),
)
VENV_ARGS = frozenset(ARGS.entries) - frozenset(PYTHON_ARGS.entries)  # what the @task plan must not see


@mapper("PythonVirtualenvOperator", "@task.virtualenv", args=ARGS)
def map_virtualenv(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = _python_plan(task, ctx)
    plan.mapping = f"{task.operator} -> Python lightweight component with packages_to_install"
    requirements = to_python(task.args.get("requirements"))
    packages: List[str] = []
    if isinstance(requirements, str) and requirements.endswith(".txt"):
        packages = _requirements_file(task, ctx, plan, requirements)
    elif isinstance(requirements, str):
        packages = [requirements]
    elif isinstance(requirements, list):
        for item in requirements:
            if isinstance(item, str):
                packages.append(item)
            else:
                _diagnose(plan, ctx, task, "KFM110", f"requirement {describe(item)} is not a literal and is not installed")
    elif requirements is not None:
        _diagnose(plan, ctx, task, "KFM110", f"requirements {describe(requirements)} cannot be read statically; nothing is installed")
    if any(isinstance(item, Templated) for item in (requirements if isinstance(requirements, list) else [requirements])):
        plan.differences.append("Templated requirements are not rendered.")
    plan.packages = list(dict.fromkeys(packages + plan.packages))

    version = to_python(task.args.get("python_version"))
    if version is not None:
        text = str(version)
        if re.fullmatch(r"3(\.\d+)?", text):
            plan.base_image = f"python:{text}-slim"
        else:
            _diagnose(plan, ctx, task, "KFM110", f"python_version {describe(version)} is not a literal version: BASE_IMAGE is used")
    system = to_python(task.args.get("system_site_packages"))
    if system is False:
        plan.differences.append("system_site_packages=False: the component still sees the packages of its image (kfp and its dependencies).")
    else:
        plan.differences.append("The virtualenv's system site packages are the component image's, not the Airflow worker's.")
    _common_notes(plan, task)
    return plan


@mapper("ExternalPythonOperator", "@task.external_python", args=ARGS)
def map_external_python(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = _python_plan(task, ctx)
    plan.mapping = f"{task.operator} -> Python lightweight component (build an image with that environment)"
    python = to_python(task.args.get("python"))
    where = python if isinstance(python, str) else describe(python) if python is not None else "(not given)"
    _diagnose(plan, ctx, task, "KFM210", f"the external interpreter {where} exists on the Airflow worker only: "
              "the component runs in BASE_IMAGE; build an image with that environment and use it as the base image")
    plan.differences.append(f"Runs in the component's base image, not with the interpreter {where}: the packages of that environment must be in the image.")
    _common_notes(plan, task)
    return plan


def _requirements_file(task: ir.Task, ctx: MapContext, plan: ComponentPlan, name: str) -> List[str]:
    """Airflow renders a `.txt` requirements value as a template file from the DAG folder: read it now."""
    path = Path(task.span.path).parent / name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        _diagnose(plan, ctx, task, "KFM210", f"requirements file {name!r} is not next to the DAG file: nothing is installed; "
                  "list its packages in the DAG or install them into the component image")
        plan.differences.append(f"The requirements file {name!r} is not installed.")
        return []
    packages, skipped = [], []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        (skipped if line.startswith("-") or "{{" in line or "{%" in line else packages).append(line)
    plan.differences.append(f"The requirements file {name!r} was read at conversion time: changes to it need a new conversion.")
    if skipped:
        _diagnose(plan, ctx, task, "KFM202", f"lines of {name!r} that are pip options or templates are not carried over: {', '.join(skipped)}")
    return packages


def _python_plan(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    """The @task plan for the callable, without the virtualenv arguments."""
    stripped = dataclasses.replace(task, args={k: v for k, v in task.args.items() if k not in VENV_ARGS})
    if task.operator.startswith("@"):
        stripped = dataclasses.replace(stripped, operator="@task")
    plan = map_python(stripped, ctx)
    env_vars = to_python(task.args.get("env_vars"))
    if isinstance(env_vars, dict):
        for key, value in env_vars.items():
            plan.platform.env[str(key)] = ir.Template(value.text) if isinstance(value, Templated) else ir.Literal(value)
    elif env_vars is not None:
        _diagnose(plan, ctx, task, "KFM202", f"env_vars {describe(env_vars)} is not a literal dict and is not set")
    return plan


def _common_notes(plan: ComponentPlan, task: ir.Task) -> None:
    skip = to_python(task.args.get("skip_on_exit_code"))
    if skip is not None:
        plan.differences.append("skip_on_exit_code: the callable runs in the component's own process, so only AirflowSkipException skips it.")
    if to_python(task.args.get("string_args")) is not None:
        plan.differences.append("string_args (the virtualenv's sys.argv) are not passed.")


def _diagnose(plan: ComponentPlan, ctx: MapContext, task: ir.Task, code: str, message: str) -> None:
    plan.diagnostics.append(ctx.diagnostic(task, code, message))


CASES = [
    Case(
        name="virtualenv operator installs its requirements",
        dag='''
from airflow import DAG
from airflow.providers.standard.operators.python import PythonVirtualenvOperator

def count_words(text):
    import six
    return len(text.split())

with DAG("venv_op", schedule=None):
    PythonVirtualenvOperator(task_id="count", python_callable=count_words, op_args=["a b c"],
                             requirements=["six==1.16.0"], system_site_packages=False)
''',
        task_id="count",
        fragments=("packages_to_install=['six==1.16.0']", "def count_words(text):"),
    ),
    Case(
        name="task.virtualenv with a python version",
        dag='''
from airflow.sdk import dag, task

@dag(schedule=None)
def venv_deco():
    @task.virtualenv(requirements=["tabulate"], python_version="3.10")
    def table() -> str:
        from tabulate import tabulate
        return tabulate([[1, 2]])
    table()

venv_deco()
''',
        task_id="table",
        fragments=("'tabulate==",),
    ),
    Case(
        name="requirements file is reported",
        dag='''
from airflow import DAG
from airflow.providers.standard.operators.python import PythonVirtualenvOperator

def run():
    return 1

with DAG("venv_file", schedule=None):
    PythonVirtualenvOperator(task_id="run", python_callable=run, requirements="requirements.txt")
''',
        task_id="run",
        codes=("KFM210",),
    ),
    Case(
        name="external python",
        dag='''
from airflow.sdk import dag, task

@dag(schedule=None)
def ext_py():
    @task.external_python(python="/opt/venvs/ml/bin/python")
    def fit() -> float:
        return 0.5
    fit()

ext_py()
''',
        task_id="fit",
        codes=("KFM210",),
        fragments=("def fit() -> float:",),
    ),
]
