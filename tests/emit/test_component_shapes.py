"""Components a KFP engineer keeps: the direct tier, one component per configuration, the runtime modes."""
from __future__ import annotations

import ast
import re

import pytest
import yaml

from kfmigrate.migrate.api import convert_source
from kfmigrate.migrate.emit import compile_yaml
from kfmigrate.migrate.emit.environment import Environment

LOOP_DAG = '''
from datetime import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.operators.python import PythonOperator

ENDPOINTS = ["users", "orders", "items"]

def fetch(endpoint, retries: int = 1) -> str:
    return f"{endpoint}:{retries}"

def count(rows: str, params=None) -> int:
    return len(rows) * params["factor"]

def when(ds):
    return ds

with DAG("loop", start_date=datetime(2024, 1, 1), schedule=None, params={"factor": 2, "unused": "x"}):
    for name in ENDPOINTS:
        fetched = PythonOperator(task_id=f"fetch_{name}", python_callable=fetch, op_kwargs={"endpoint": name})
        counted = PythonOperator(task_id=f"count_{name}", python_callable=count, op_args=[fetched.output])
        noted = BashOperator(task_id=f"note_{name}", bash_command="echo {{ params.factor }}")
        fetched >> counted >> noted
    PythonOperator(task_id="when", python_callable=when)
'''


def convert(text, **options):
    result = convert_source(text, "dags/loop.py", **options)
    assert result.error is None, result.error
    return result.conversions[0]


def tasks(conversion):
    return {t["task_id"]: t for t in conversion.report.to_json()["tasks"]}


def component_source(source: str, function: str) -> str:
    tree = ast.parse(source)
    return next(ast.get_source_segment(source, node) for node in tree.body
                if isinstance(node, ast.FunctionDef) and node.name == function)


def test_a_loop_gives_one_component_per_configuration_and_the_direct_tier_its_own_signature():
    conversion = convert(LOOP_DAG)
    source = conversion.emitted.python_source
    report = tasks(conversion)
    # three fetch tasks, one component: the differing literal is an input; no Airflow runtime, typed inputs
    assert {report[f"fetch_{n}"]["component"] for n in ("users", "orders", "items")} == {"fetch_users"}
    assert "def fetch_users(endpoint: str) -> str:" in source
    assert "return fetch(endpoint=endpoint)" in source
    assert source.count("def fetch_users(") == 1 and "def fetch_orders(" not in source
    # params['factor'] read: that param alone is an input; the upstream value keeps its KFP type
    # each count task reads its own fetch task: the value takes the callable's parameter name, so they share
    assert "def count_users(factor: int, rows: str) -> int:" in source
    assert "return count(rows, params={'factor': factor})" in source
    assert {report[f"count_{n}"]["component"] for n in ("users", "orders", "items")} == {"count_users"}
    assert "count_orders_task = count_users(factor=factor, rows=fetch_orders_task.outputs['Output'])" in source
    # the bash tasks read the context (a template): one runtime component, the task id as its input
    assert "_airflow_run_bash" in component_source(source, "note_users") and "def note_orders(" not in source
    assert "note_orders_task = note_users(\n        task_id='note_orders'," in source or \
        "note_orders_task = note_users(task_id='note_orders'," in source
    assert "task_id=task_id, logical_date=" in component_source(source, "note_users")
    # tiers in the report; `ds` needs the Airflow context: runtime tier, with logical_date
    assert {report[t]["tier"] for t in ("fetch_users", "count_orders")} == {"direct"}
    assert report["note_items"]["tier"] == report["when"]["tier"] == "runtime"
    assert "logical_date: str" in component_source(source, "when")
    direct = component_source(source, "fetch_users")
    assert "kfmigrate_runtime" not in direct and "logical_date" not in direct and "packages_to_install" not in \
        source[source.rindex("@dsl.component", 0, source.index("def fetch_users(")):source.index("def fetch_users(")]
    # the report's KFP task names are the compiled spec's keys
    spec = yaml.safe_load(compile_yaml(conversion.emitted))
    assert {t["kfp_task"] for t in report.values()} <= set(spec["root"]["dag"]["tasks"])
    assert report["fetch_orders"]["kfp_task"] == "fetch-users-2" and report["fetch_items"]["kfp_task"] == "fetch-users-3"


@pytest.mark.slow
def test_shared_and_direct_components_run_on_kfp_local_with_each_tasks_values(run_local):
    conversion = convert(LOOP_DAG)
    run = run_local(conversion.emitted, logical_date="2024-03-05")
    report = tasks(conversion)
    for name in ("users", "orders", "items"):
        assert run.outputs[report[f"fetch_{name}"]["kfp_task"]]["Output"] == f"{name}:1"  # annotated: a str
        assert run.outputs[report[f"count_{name}"]["kfp_task"]]["Output"] == len(f"{name}:1") * 2
        assert run.outputs[report[f"note_{name}"]["kfp_task"]]["return_value"] == "2"
    assert run.outputs[report["when"]["kfp_task"]]["return_value"] == '"2024-03-05"'


def test_package_mode_imports_the_runtime_and_inline_mode_carries_it():
    package = convert(LOOP_DAG).emitted.python_source
    inline = convert(LOOP_DAG, environment=Environment("inline")).emitted.python_source
    assert "RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']" in package
    assert "from kfmigrate_runtime import _airflow_runtime, _airflow_render, _airflow_run_bash, _kfp_outputs" in package
    assert not re.search(r"^def _airflow", package, re.M)
    assert "kfmigrate_runtime" not in inline and "RUNTIME_PACKAGES" not in inline
    assert re.search(r"^def _airflow_run_bash\(", inline, re.M) and "additional_funcs=[_airflow_runtime" in inline
    # the direct tier is the same in both modes
    assert component_source(package, "fetch_users") == component_source(inline, "fetch_users")


def test_no_compiled_component_carries_a_runtime_body_in_package_mode():
    conversion = convert(LOOP_DAG)
    text = compile_yaml(conversion.emitted)
    assert "def _airflow_runtime(" not in text and "kfmigrate-runtime==0.1.0" in text
    with_index = convert(LOOP_DAG, environment=Environment(pip_index_urls=("https://pypi.example/simple",)))
    source = with_index.emitted.python_source
    assert "PIP_INDEX_URLS = ['https://pypi.example/simple']" in source
    assert "pip_index_urls=PIP_INDEX_URLS" in component_source(source, "note_users") or \
        "pip_index_urls=PIP_INDEX_URLS" in source[:source.index("def note_users(")].rsplit("@dsl.component", 1)[1]
    assert "--index-url https://pypi.example/simple" in compile_yaml(with_index.emitted)
