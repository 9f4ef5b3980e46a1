"""kfmigrate verify with real Airflow (dag.test) and real kfp.local, including conversions that are
deliberately made wrong and must be caught."""
import json
import textwrap

import psutil
import pytest
import yaml
from click.testing import CliRunner

from kfmigrate.compare.verify import kfp_matches, same_value, verify_conversion
from kfmigrate.cli import main

PROBE = '''
from datetime import datetime

from airflow import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import PythonOperator

OFFSET = 10


def make_rows(**context):
    n = int(context["params"]["n"])
    context["ti"].xcom_push(key="size", value=n)
    return [{"i": i, "sq": i * i} for i in range(n)]


def total(ti):
    rows = ti.xcom_pull(task_ids="make_rows")
    return sum(row["sq"] for row in rows) + OFFSET


with DAG("verify_probe", start_date=datetime(2024, 1, 1), schedule=None, params={"n": 4}) as dag:
    start = EmptyOperator(task_id="start")
    rows = PythonOperator(task_id="make_rows", python_callable=make_rows)
    summed = PythonOperator(task_id="total", python_callable=total)
    report = BashOperator(task_id="report", bash_command="echo day={{ ds }} n={{ params.n }} run={{ run_id }}")
    stamp = BashOperator(task_id="stamp", bash_command="echo stamped", env={"DAY": "day {{ ds }}", "N": "{{ params.n }}"})
    start >> rows >> summed >> report >> stamp
'''


def write_probe(tmp_path):
    dag_file = tmp_path / "probe.py"
    dag_file.write_text(textwrap.dedent(PROBE))
    return dag_file


def test_value_comparison_rules():
    assert same_value([1, 2], [1.0, 2.0])  # kfp.local hands numbers back as floats
    assert not same_value(True, 1) and not same_value([1], [1, 1])
    assert kfp_matches({"a": [1, 2]}, '{"a": [1, 2]}')  # JSON-text output
    assert kfp_matches("plain text", "plain text")
    assert kfp_matches(None, "null")
    assert not kfp_matches(24, "25") and not kfp_matches("x", '"y"')
    assert kfp_matches((1, 2), [1, 2])  # tuples are lists once normalised


@pytest.fixture(scope="module")
def airflow_runs(tmp_path_factory):
    """ONE Airflow process running the probe DAG (n=3, 2024-03-05) and the container probe DAG;
    several conversions (the faithful one and deliberately broken ones) are compared against them."""
    from kfmigrate.compare.engines.airflow import DagJob, run_dags

    folder = tmp_path_factory.mktemp("dags")
    dag_file = write_probe(folder)
    container_dag = folder / "container_probe.py"
    container_dag.write_text(textwrap.dedent(CONTAINER_DAG))
    assets_dag = folder / "assets_probe.py"
    assets_dag.write_text(textwrap.dedent(ASSETS_DAG))
    (folder / "sql").mkdir()
    (folder / "sql" / "report.sql").write_text("select * from t where day = '{{ ds }}'\n")
    probe_run, container_run, assets_run = run_dags([DagJob(dag_file, "verify_probe", {"n": 3}, "2024-03-05"),
                                                     DagJob(container_dag, "container_probe"),
                                                     DagJob(assets_dag, "assets_probe", None, "2024-03-05")])
    return {"probe": (dag_file, probe_run), "container": (container_dag, container_run),
            "assets": (assets_dag, assets_run)}


@pytest.fixture(scope="module")
def probe(airflow_runs):
    """The probe DAG, its conversion, and its Airflow run."""
    from kfmigrate.migrate.api import convert_file

    dag_file, airflow_run = airflow_runs["probe"]
    [conversion] = convert_file(dag_file).conversions
    return dag_file, conversion, airflow_run


def verify_probe(probe, yaml_text=None):
    dag_file, conversion, airflow_run = probe
    spec = yaml.safe_load(yaml_text or conversion.yaml_text)
    return verify_conversion(dag_file, "verify_probe", spec, conversion.report, {"n": "3"}, "2024-03-05",
                             airflow_run=airflow_run)


def test_equivalent_conversion_with_params_and_logical_date(probe):
    result = verify_probe(probe)
    assert result.verdict == "equivalent", (result.differences, result.problems)
    assert result.exit_code == 0
    rows = {row.task: row for row in result.tasks}
    assert rows["make_rows"].status == "same"
    assert rows["make_rows"].airflow_return == [{"i": 0, "sq": 0}, {"i": 1, "sq": 1}, {"i": 2, "sq": 4}]
    assert rows["total"].airflow_return == rows["total"].kfp_return == 15
    # same logical date and run id on both sides: the rendered bash output matches exactly
    assert rows["report"].kfp_return == f"day=2024-03-05 n=3 run={result.run_id}"
    assert rows["start"].status == "removed"
    # rendered templated fields are compared, not just listed as not observable
    assert all(not note.startswith("rendered") for row in result.tasks for note in row.notes), result.tasks
    assert rows["stamp"].status == "same"
    assert result.logical_date == "2024-03-05T00:00:00+00:00"
    assert psutil.Process().children(recursive=True) == []


def test_changed_value_is_caught(probe):
    text = probe[1].yaml_text
    assert "+ OFFSET" in text
    result = verify_probe(probe, text.replace("+ OFFSET", "- OFFSET"))
    assert result.verdict == "different" and result.exit_code == 1
    assert result.differences == ["total: XCom 'return_value': Airflow 15, KFP -5"]


def test_wrongly_rendered_field_is_caught(probe):
    """A template rendered differently where no return value shows it: only the rendered env does."""
    spec = yaml.safe_load(probe[1].yaml_text)
    container = spec["deploymentSpec"]["executors"]["exec-stamp"]["container"]
    assert sum(part.count("day {{ ds }}") for part in container["command"]) == 1
    container["command"] = [part.replace("day {{ ds }}", "day {{ ds_nodash }}") for part in container["command"]]
    result = verify_probe(probe, yaml.safe_dump(spec))
    assert result.verdict == "different"
    assert result.differences == ['stamp: rendered env: Airflow {"DAY": "day 2024-03-05", "N": "3"}, '
                                  'KFP {"DAY": "day 20240305", "N": "3"}'], result.differences


def test_dropped_task_is_caught(probe):
    """A conversion that silently loses a task (here: the last task removed from the spec)."""
    spec = yaml.safe_load(probe[1].yaml_text)
    del spec["root"]["dag"]["tasks"]["stamp"]
    result = verify_probe(probe, yaml.safe_dump(spec))
    assert result.verdict == "different"
    assert result.differences == ["stamp: outcome: Airflow ran (success), KFP missing"], result.differences


def test_failing_component_is_caught(probe):
    text = probe[1].yaml_text.replace("+ OFFSET", "+ OFFSET / 0")
    result = verify_probe(probe, text)
    assert result.verdict == "different"
    assert "total: outcome: Airflow ran (success), KFP failed" in result.differences
    assert "report: outcome: Airflow ran (success), KFP upstream_failed" in result.differences


def test_tampered_conversion_is_caught_by_the_cli(tmp_path):
    """Convert, then hand-edit the generated pipeline: the CLI must list the difference and exit 1."""
    dag_file = write_probe(tmp_path)
    out = tmp_path / "out"
    converted = CliRunner().invoke(main, ["convert", str(dag_file), "-o", str(out)])
    assert converted.exit_code == 0, converted.output
    pipeline = out / "verify_probe.yaml"
    pipeline.write_text(pipeline.read_text().replace("+ OFFSET", "+ OFFSET + 1"))

    result = CliRunner().invoke(main, ["verify", str(dag_file), "--pipeline", str(pipeline), "-o", str(tmp_path),
                                       "--logical-date", "2024-03-05"])
    assert result.exit_code == 1, result.output
    assert "total: XCom 'return_value': Airflow 24, KFP 25" in result.output
    report = json.loads((tmp_path / "verify-verify_probe.json").read_text())
    assert report["summary"] == {"dags": 1, "equivalent": 0, "different": 1, "incomplete": 0}
    assert report["tool"]["name"] == "kfmigrate" and report["tool"]["command"] == "verify"
    [entry] = report["results"]
    assert entry["differences"] == ["total: XCom 'return_value': Airflow 24, KFP 25"]
    # the documented sequence works twice: kfmigrate's own report is replaced (issue 14, item 10)
    again = CliRunner().invoke(main, ["verify", str(dag_file), "-o", str(tmp_path), "--logical-date", "2024-03-05"])
    assert again.exit_code == 0, again.output
    assert json.loads((tmp_path / "verify-verify_probe.json").read_text())["summary"]["equivalent"] == 1
    # a file that is not kfmigrate's is kept without --force
    mine = tmp_path / "verify-verify_probe.json"
    mine.write_text('{"my": "notes"}')
    refused = CliRunner().invoke(main, ["verify", str(dag_file), "-o", str(tmp_path), "--logical-date", "2024-03-05"])
    assert refused.exit_code == 2 and "KFM302" in refused.output and "use --force" in refused.output
    assert mine.read_text() == '{"my": "notes"}'


CONTAINER_DAG = '''
from datetime import datetime

from airflow import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("container_probe", start_date=datetime(2024, 1, 1), schedule=None) as dag:
    first = BashOperator(task_id="first", bash_command="echo one")
    shell = BashOperator(task_id="shell", bash_command="echo hello")
    first >> shell
'''

CONTAINER_PIPELINE = '''
from kfp import dsl

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def first() -> str:
    return "one"

@dsl.container_component
def shell():
    return dsl.ContainerSpec(image="alpine:3", command=["echo", "hello"])

@dsl.pipeline(name="container-probe")
def container_probe(logical_date: str = "", run_id: str = ""):
    a = first()
    shell().after(a)
'''


ASSETS_DAG = '''
from datetime import datetime

from airflow.sdk import DAG, Asset, AssetAlias, Metadata, task

orders = Asset(uri="s3://bucket/orders.csv", name="orders")

with DAG("assets_probe", start_date=datetime(2024, 1, 1), schedule=None):

    @task(outlets=[orders, AssetAlias("daily")])
    def publish(*, outlet_events=None, dag_run=None):
        outlet_events[orders].extra = {"rows": 3}
        outlet_events[AssetAlias("daily")].add(Asset("s3://bucket/day.csv"), extra={"day": 1})
        return {"partition": dag_run.partition_key, "extra": outlet_events[orders].extra}

    @task(outlets=[orders])
    def annotate():
        yield Metadata(orders, {"checked": True})
        return "annotated"

    # events of an asset no task of this run updates: none on either side (KFP never sees events of
    # earlier tasks of the run: that would differ, see docs/verify.md)
    @task(inlets=[Asset("s3://bucket/other.csv")])
    def read(*, inlet_events=None):
        return len(inlet_events[Asset("s3://bucket/other.csv")])

    @task(templates_exts=[".sql"])
    def query(sql):
        return sql

    publish() >> annotate() >> read() >> query(sql="sql/report.sql")
'''


def test_asset_events_generators_and_template_files_are_equivalent(airflow_runs):
    """Tasks using Airflow 3 assets (events, aliases, yielded Metadata, partition_key) and a template
    file named with templates_exts: verified against real Airflow, values and rendered fields."""
    from kfmigrate.migrate.api import convert_file

    dag_file, airflow_run = airflow_runs["assets"]
    [conversion] = convert_file(dag_file).conversions
    result = verify_conversion(dag_file, "assets_probe", yaml.safe_load(conversion.yaml_text), conversion.report,
                               None, "2024-03-05", airflow_run=airflow_run)
    assert result.verdict == "equivalent", (result.differences, result.problems)
    rows = {row.task: row for row in result.tasks}
    assert rows["publish"].kfp_return == {"partition": None, "extra": {"rows": 3}}
    assert rows["annotate"].kfp_return == "annotated" and rows["read"].kfp_return == 0
    assert rows["query"].kfp_return == "select * from t where day = '2024-03-05'"
    assert not [note for note in rows["query"].notes if note.startswith("rendered")]  # op_kwargs compared


def test_container_task_is_not_run_locally_never_equivalent(tmp_path, airflow_runs):
    from kfmigrate.migrate.package import compile_python
    from kfmigrate.migrate.report import MigrationReport

    dag_file, airflow_run = airflow_runs["container"]
    (tmp_path / "p.py").write_text(textwrap.dedent(CONTAINER_PIPELINE))
    spec = yaml.safe_load(compile_python(tmp_path / "p.py"))
    report = MigrationReport.from_json({"dag_id": "container_probe", "pipeline": {"parameters": []}, "tasks": [
        {"task_id": "first", "kfp_task": "first", "fidelity": "native", "outputs": {"return_value": "Output"}},
        {"task_id": "shell", "kfp_task": "shell", "fidelity": "native", "outputs": {}},
    ]})
    result = verify_conversion(dag_file, "container_probe", spec, report, airflow_run=airflow_run)
    rows = {row.task: row for row in result.tasks}
    assert rows["first"].status == "same"
    assert rows["shell"].status == "not_run_locally" and "container component" in rows["shell"].notes[0]
    assert result.verdict == "incomplete" and result.exit_code == 2
    assert "not run locally: shell" in result.problems[-1]


def test_folder_of_dags_one_airflow_process_and_a_side_that_cannot_run(tmp_path):
    """A folder: every DAG runs on Airflow in one batch; one DAG cannot import there -> exit 2."""
    folder = tmp_path / "dags"
    folder.mkdir()
    write_probe(folder)
    broken = folder / "needs_module.py"
    broken.write_text(textwrap.dedent(PROBE).replace('"verify_probe"', '"needs_module"').replace(
        "OFFSET = 10", "import module_that_is_not_installed\nOFFSET = 10"))
    (folder / "notes.py").write_text("x = 1\n")  # no DAG: left out quietly in a folder
    result = CliRunner().invoke(main, ["verify", str(folder), "-o", str(tmp_path), "--logical-date", "2024-03-05"])
    assert result.exit_code == 2, result.output
    assert "Airflow could not run the DAG" in result.output and "module_that_is_not_installed" in result.output
    assert "verify_probe: equivalent" in result.output
    data = json.loads((tmp_path / "verify.json").read_text())
    assert data["summary"] == {"dags": 2, "equivalent": 1, "different": 0, "incomplete": 1}
    assert psutil.Process().children(recursive=True) == []


def test_an_unparsable_dag_is_reported_once_at_its_position(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("from airflow import DAG\n\nwith DAG('broken') as dag:\n    x = (1,\n")
    result = CliRunner().invoke(main, ["verify", str(broken), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{broken}:4:9: KFM102 syntax error" in result.output
    assert "cannot convert" not in result.output and "Traceback" not in result.output


def test_bad_input_is_refused_before_anything_runs_and_writes_nothing(tmp_path):
    dag_file = write_probe(tmp_path)
    out = tmp_path / "out"
    for params, expected in ((["-p", "nme=x"], "unknown parameter(s) nme (DAG params: n)"),
                             (["-p", "n=abc"], "is not a valid integer")):
        result = CliRunner().invoke(main, ["verify", str(dag_file), "-o", str(out), *params])
        assert result.exit_code == 2, result.output
        assert expected in result.output and "dag.test" not in result.output
        assert "Traceback" not in result.output and not out.exists()

    broken = tmp_path / "broken.py"
    broken.write_text("from airflow import DAG\n\nwith DAG('broken') as dag:\n    x = (1,\n")
    result = CliRunner().invoke(main, ["verify", str(broken), "-o", str(out)])
    assert result.exit_code == 2 and f"{broken}:4:9: KFM102 syntax error" in result.output
    assert not out.exists()
