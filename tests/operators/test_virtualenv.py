"""Virtualenv tasks on real kfp.local: requirements are installed for the task only, never into
the interpreter running kfmigrate (kfmigrate.compare.engines.packages installs them into a cached folder)."""
from __future__ import annotations

import importlib.metadata
import json

import pytest

from operator_helpers import SAMPLES, convert, report_of


def test_requirements_and_python_version_in_the_plan():
    result = convert('''
from airflow.sdk import dag, task

@dag(schedule=None)
def versions():
    @task.virtualenv(requirements=["inflection==0.5.1", "tabulate>=0.9"], python_version="3.12", pip_install_options=["--no-deps"])
    def run() -> str:
        return "ok"
    run()

versions()
''')
    assert "packages_to_install=['inflection==0.5.1', 'tabulate==" in result.python_source  # direct tier: no runtime  # pinned within >=0.9
    report = report_of(result, "run")
    text = " ".join(report.differences) + result.python_source
    assert "python:3.12-slim" in text
    assert any("pip_install_options" in d for d in report.differences)
    assert not [d for d in report.diagnostics if d.code == "KFM202"]  # virtualenv arguments are understood


@pytest.mark.slow
def test_virtualenv_sample_runs_on_kfp_local_without_touching_the_interpreter(run_kfp):
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.version("inflection")  # the premise: not installed here
    result = convert(SAMPLES / "operators_virtualenv.py")
    assert {t.fidelity for t in result.tasks} == {"native"}
    run = run_kfp(result)
    assert run.state == "succeeded", run.error
    assert json.loads(run.returned["titles"]) == ["Data Pipeline", "Kube Flow"]
    assert run.returned["sentence"] == "Data Pipeline and Kube Flow make pipelines"
    with pytest.raises(importlib.metadata.PackageNotFoundError):
        importlib.metadata.version("inflection")


def test_requirements_file_next_to_the_dag_is_read(tmp_path):
    (tmp_path / "requirements.txt").write_text("# pinned\ninflection==0.5.1  # titles\n\n--index-url https://example.invalid/simple\ntabulate\n")
    dag = tmp_path / "venv_file.py"
    dag.write_text('''
from airflow import DAG
from airflow.providers.standard.operators.python import PythonVirtualenvOperator

def run():
    return 1

with DAG("venv_file", schedule=None):
    PythonVirtualenvOperator(task_id="run", python_callable=run, requirements="requirements.txt")
''')
    result = convert(dag)
    assert "packages_to_install=['inflection==0.5.1', 'tabulate==" in result.python_source  # direct tier: no runtime
    report = report_of(result, "run")
    assert any(d.code == "KFM202" and "--index-url" in d.message for d in report.diagnostics)
