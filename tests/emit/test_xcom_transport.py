"""--xcom-transport: XCom values as KFP parameters (default), JSON artifact files, or auto.

KFP hands every parameter to a task inside one command-line argument, capped at 128 KiB by Linux
(MAX_ARG_STRLEN): a 5 MB XCom must fail as a parameter and pass as an artifact (real kfp.local).
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from emit_ir import component_code, convert_one
from kfmigrate.migrate.api import convert_source

PAYLOAD_DAG = '''
from airflow.sdk import dag, task

@dag(schedule=None)
def payload():
    @task
    def produce() -> str:
        return "x" * 5_000_000

    @task
    def consume(text: str) -> int:
        return len(text)

    @task
    def square(n) -> dict:
        return {"n": n, "square": n * n}

    @task
    def total(results: list):
        return sum(r["square"] for r in results)

    consume(produce())
    total(square.expand(n=[1, 2, 3]))

payload()
'''

SMALL_DAG = '''
from airflow.sdk import dag, task

@dag(schedule=None)
def small():
    @task
    def count() -> int:
        return 3

    @task
    def names(n: int) -> list:
        return [f"item {i}" for i in range(n)]

    @task
    def show(value: list):
        print(value)

    show(names(count()))

small()
'''


def convert(text, **options):
    return convert_one(text, "dags/example.py", **options)


component = component_code


def test_parameter_is_the_default_and_unchanged():
    default = convert(SMALL_DAG)
    explicit = convert(SMALL_DAG, xcom_transport="parameter")
    assert explicit.emitted.python_source == default.emitted.python_source
    assert "dsl.Artifact" not in default.emitted.python_source


def test_artifact_transport_passes_every_xcom_as_a_json_file():
    source = convert(SMALL_DAG, xcom_transport="artifact").emitted.python_source
    assert "def count(return_value: dsl.Output[dsl.Artifact]):" in source  # it reads no date: no logical_date input
    assert "count__return_value: dsl.Input[dsl.Artifact]," in source
    assert "xcom = {('count', 'return_value'): _xcom_from_artifact(count__return_value)}" in source
    assert "_xcom_to_artifacts(results, skipped, {'return_value': return_value})" in source
    assert "NamedTuple(" not in source


def test_auto_keeps_numbers_as_parameters():
    conversion = convert(SMALL_DAG, xcom_transport="auto")
    source = conversion.emitted.python_source
    assert "def count() -> NamedTuple(\"Outputs\", [('return_value', int)]):" in source
    assert "count__return_value: int," in source
    assert "names__return_value: dsl.Input[dsl.Artifact]," in source  # a list may be large: artifact
    names = next(t for t in conversion.report.to_json()["tasks"] if t["task_id"] == "names")
    assert any("JSON files in KFP artifacts" in d for d in names["differences"])


def test_values_that_feed_a_parallel_for_and_branch_decisions_stay_parameters():
    dag = '''
from airflow.sdk import dag, task

@dag(schedule=None)
def loops():
    @task
    def numbers() -> list:
        return [1, 2]

    @task.branch
    def pick():
        return "double"

    @task
    def double(n):
        return n * 2

    double.expand(n=numbers())
    pick() >> double

loops()
'''
    source = convert(dag, xcom_transport="artifact").emitted.python_source
    assert "def numbers() -> NamedTuple(\"Outputs\", [('return_value', str)]):" in source
    assert "airflow_follow" in source and "airflow_follow: dsl.Output" not in source


def test_values_read_after_a_branch_through_dsl_one_of_stay_parameters():
    dag = '''
from airflow.sdk import dag, task

@dag(schedule=None)
def oneof():
    @task.branch
    def pick():
        return "left"

    @task
    def left() -> str:
        return "L" * 10

    @task
    def right() -> str:
        return "R"

    @task(trigger_rule="none_failed_min_one_success")
    def join(a, b):
        return [a, b]

    @task
    def after_left(a):
        return a

    p = pick()
    l, r = left(), right()
    p >> [l, r]
    join(l, r)
    after_left(l)

oneof()
'''
    source = convert(dag, xcom_transport="artifact").emitted.python_source
    assert "def left() -> NamedTuple(\"Outputs\", [('return_value', str)" in source
    assert "    left__return_value: str,\n" in component(source, "after_left")
    assert "dsl.OneOf(" in source
    assert "return_value: dsl.Output[dsl.Artifact]" in component(source, "join")  # its own output: an artifact


def test_unknown_transport_is_refused():
    with pytest.raises(ValueError, match="xcom_transport"):
        convert_source(SMALL_DAG, xcom_transport="pigeon")


def test_cli_option(tmp_path):
    from kfmigrate.cli import main

    dag_file = tmp_path / "small.py"
    dag_file.write_text(SMALL_DAG)
    runner = CliRunner()
    assert "--xcom-transport [parameter|artifact|auto]" in runner.invoke(main, ["convert", "--help"]).output
    result = runner.invoke(main, ["convert", str(dag_file), "-o", str(tmp_path / "out"), "--no-compile",
                                  "--xcom-transport", "artifact"])
    assert result.exit_code == 0, result.output
    assert "dsl.Input[dsl.Artifact]" in (tmp_path / "out" / "small_pipeline.py").read_text()
    bad = runner.invoke(main, ["convert", str(dag_file), "-o", str(tmp_path / "out2"), "--xcom-transport", "x"])
    assert bad.exit_code == 2 and "Invalid value for '--xcom-transport'" in bad.output


@pytest.mark.slow
def test_five_megabytes_pass_as_artifacts_and_fail_as_parameters(tmp_path):
    import yaml

    from kfmigrate.compare.engines.kfp_local import run_pipeline

    def run(transport):
        conversion = convert(PAYLOAD_DAG, xcom_transport=transport)
        spec = next(yaml.safe_load_all(conversion.yaml_text))
        return run_pipeline(spec, pipeline_root=tmp_path / transport, timeout=300)

    as_artifacts = run("artifact")
    assert as_artifacts.state == "succeeded", as_artifacts.error
    produced = as_artifacts.tasks["produce"].outputs["return_value"]
    assert produced["metadata"] == {"xcom_key": "return_value"}
    with open(produced["path"]) as handle:  # where the value lands: <root>/<run>/<task>/<output name>
        assert json.load(handle) == "x" * 5_000_000
    consumed = as_artifacts.tasks["consume"].outputs["return_value"]
    with open(consumed["path"]) as handle:
        assert json.load(handle) == 5_000_000
    with open(as_artifacts.tasks["total"].outputs["return_value"]["path"]) as handle:
        assert json.load(handle) == 14  # mapped results collected as a list of artifacts

    as_parameters = run("parameter")
    assert as_parameters.state == "failed"
    assert as_parameters.tasks["produce"].state == "succeeded"
    assert as_parameters.tasks["consume"].state == "failed"
    assert "Argument list too long" in as_parameters.error  # kfp.local cannot even start the consumer
