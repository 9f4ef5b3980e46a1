"""upload/deploy refuse known-broken pipelines and clashing versions (issue 14, items 12 and 13):
the real converter, the real kfp.Client and the loopback KFP server."""
import json
import textwrap

from click.testing import CliRunner

from kfmigrate.cli import main

PLACEHOLDER_DAG = '''
from airflow.sdk import dag, task

@dag(schedule=None)
def half_broken():
    @task
    def first() -> int:
        return 1

    @task.pyspark(conn_id="spark")
    def count(spark=None, sc=None):
        return spark.range(10).count()

    first() >> count()

half_broken()
'''

MISSING_MODULE_DAG = '''
from airflow.sdk import dag, task

@dag(schedule=None)
def needs_module():
    @task
    def score() -> int:
        import company_scoring_lib_that_is_nowhere
        return company_scoring_lib_that_is_nowhere.score()

    score()

needs_module()
'''

OTHER_PIPELINE = '''
from kfp import dsl


@dsl.component(base_image="python:3.11", install_kfp_package=False)
def add(a: int, b: int) -> int:
    return a + b


@dsl.pipeline(name="adder")
def adder(a: int = 1, b: int = 2):
    add(a=a, b=b)
'''


def convert(tmp_path, source, name):
    dag = tmp_path / f"{name}.py"
    dag.write_text(textwrap.dedent(source))
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["convert", str(dag), "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    return dag, out


def test_upload_refuses_placeholders_and_names_them(cli, kfp_server, tmp_path):
    _, out = convert(tmp_path, PLACEHOLDER_DAG, "half_broken")
    package = out / "half_broken.yaml"
    refused = cli("kubeflow", "upload", package, "--host", kfp_server.url)
    assert refused.exit_code == 2, refused.output
    assert "half-broken: 2 tasks: 1 native, 0 shim, 1 placeholder" in refused.stderr
    assert "half_broken.migration.json" in refused.stderr  # where the line was read
    assert "count: placeholder" in refused.stderr and "KFM502" in refused.stderr
    assert "--allow-placeholders" in refused.stderr
    assert kfp_server.pipelines == {}
    allowed = cli("kubeflow", "upload", package, "--allow-placeholders", "--host", kfp_server.url)
    assert allowed.exit_code == 0, allowed.output
    assert len(kfp_server.pipelines) == 1


def test_without_a_report_the_yaml_still_shows_the_placeholder(cli, kfp_server, tmp_path):
    _, out = convert(tmp_path, PLACEHOLDER_DAG, "half_broken")
    (out / "half_broken.migration.json").unlink()
    refused = cli("kubeflow", "upload", out / "half_broken.yaml", "--host", kfp_server.url)
    assert refused.exit_code == 2
    assert "half-broken: 2 tasks: 1 placeholder" in refused.stderr and "count: placeholder" in refused.stderr
    assert kfp_server.pipelines == {}


def test_deploy_refuses_placeholders_and_shims_missing_a_module(cli, kfp_server, tmp_path):
    dag, _ = convert(tmp_path, PLACEHOLDER_DAG, "half_broken")
    refused = cli("kubeflow", "deploy", dag, "--experiment", "e", "--host", kfp_server.url)
    assert refused.exit_code == 2 and "KFM502" in refused.stderr
    missing, _ = convert(tmp_path, MISSING_MODULE_DAG, "needs_module")
    refused = cli("kubeflow", "deploy", missing, "--experiment", "e", "--host", kfp_server.url)
    assert refused.exit_code == 2 and "KFM214" in refused.stderr and "company_scoring_lib_that_is_nowhere" in refused.stderr
    assert kfp_server.pipelines == {} and kfp_server.runs == {}


def test_a_clean_pipeline_prints_its_fidelity_line(cli, kfp_server, tmp_path):
    from pathlib import Path

    sample = Path(__file__).resolve().parents[2] / "samples" / "dags" / "hello_world.py"
    result = cli("kubeflow", "deploy", sample, "--experiment", "e", "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    assert "hello-world: 1 task: 1 native, 0 shim, 0 placeholder" in result.stderr


def test_upload_refuses_another_pipeline_under_an_existing_name(cli, kfp_server, hello_yaml, tmp_path):
    assert cli("kubeflow", "upload", hello_yaml, "--host", kfp_server.url).exit_code == 0
    other = tmp_path / "adder.py"
    other.write_text(textwrap.dedent(OTHER_PIPELINE))
    refused = cli("kubeflow", "upload", other, "--name", "hello-pipeline", "--host", kfp_server.url)
    assert refused.exit_code == 2, refused.output
    assert "KFM503" in refused.stderr and "pipelineInfo.name is 'adder'" in refused.stderr
    assert "parameters are (a: NUMBER_INTEGER, b: NUMBER_INTEGER)" in refused.stderr and "--force" in refused.stderr
    (pipeline,) = kfp_server.pipelines.values()
    assert len([v for v in kfp_server.versions.values() if v["pipeline_id"] == pipeline["pipeline_id"]]) == 1
    forced = cli("kubeflow", "upload", other, "--name", "hello-pipeline", "--force", "--host", kfp_server.url)
    assert forced.exit_code == 0, forced.output
    assert len([v for v in kfp_server.versions.values() if v["pipeline_id"] == pipeline["pipeline_id"]]) == 2
