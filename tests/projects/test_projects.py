"""Project-shaped repositories (samples/projects/): DAGs built by factories in local packages, operator
subclasses in plugins/, config files driving loops, guarded DAGs, Airflow 1 plugin imports. Each DAG file
converts to the pipeline kept in tests/projects/expected/ (regenerate with KFMIGRATE_UPDATE_GOLDEN=1 and
read the diff), and the tests below pin what is found, the fidelity and the diagnostics with positions."""
import os
import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from kfmigrate.cli import main
from kfmigrate.migrate import ir
from kfmigrate.migrate.api import convert_file
from kfmigrate.migrate.output import file_stem
from kfmigrate.migrate.parse import parse_file
from kfmigrate.migrate.parse.project import ProjectOptions

ROOT = Path(__file__).resolve().parents[2]
PROJECTS = ROOT / "samples" / "projects"
GOLDEN = Path(__file__).parent / "expected"
UPDATE = os.environ.get("KFMIGRATE_UPDATE_GOLDEN") == "1"
DAG_FILES = ["factories/dags/team_dag.py", "factories/dags/config_dags.py", "factories/dags/guarded_dag.py",
             "factories/dags/venv_guarded.py", "plugins_repo/dags/pods.py", "plugins_repo/dags/legacy.py"]


@pytest.fixture(autouse=True)
def in_repository(monkeypatch):
    monkeypatch.chdir(ROOT)  # paths in the output are relative to the repository, as users run it
    for name in ("ACME_SETTINGS", "ACME_FEATURE_NIGHTLY"):
        monkeypatch.delenv(name, raising=False)


def parse(relative, **options):
    return parse_file(Path("samples/projects") / relative, ProjectOptions(**options) if options else None)


def where(result, code):
    return [(d.span.path, d.span.line, d.span.col) for d in result.diagnostics if d.code == code]


@pytest.mark.parametrize("relative", DAG_FILES)
def test_project_dag_files_match_their_golden_pipelines(relative):
    result = convert_file(Path("samples/projects") / relative)
    assert result.error is None and result.conversions, [d.render() for d in result.diagnostics]
    for conversion in result.conversions:
        assert conversion.yaml_text is not None, [d.render() for d in conversion.diagnostics]
        path = GOLDEN / f"{file_stem(conversion.dag_id)}_pipeline.py"
        if UPDATE:
            GOLDEN.mkdir(exist_ok=True)
            path.write_text(conversion.emitted.python_source)
        # third-party pins follow what is installed here (as tests/golden/test_golden.py compares them)
        pin = re.compile(r"(['\"])((?!kfmigrate-runtime)[A-Za-z0-9_.-]+)==[0-9][^'\"\s]*")
        assert pin.sub(r"\1\2==", conversion.emitted.python_source) == pin.sub(r"\1\2==", path.read_text()), \
            f"{path.name} differs from its golden file"


def test_factories_in_a_package_build_the_dag_and_its_tasks():
    result = parse("factories/dags/team_dag.py")
    [wf] = result.workflows
    assert wf.dag_id == "team_dag" and wf.schedule.value == "@daily" and wf.tags == ("team",)
    assert [t.task_id for t in wf.tasks] == ["start", "hello", "letters", "step_a", "step_b", "finish"]
    edges = {(e.upstream, e.downstream) for e in wf.edges}
    assert {("start", "hello"), ("hello", "step_a"), ("hello", "step_b"), ("start", "letters"),
            ("step_a", "finish"), ("step_b", "finish"), ("letters", "finish")} <= edges
    # default_args built by a helper function of another module (relative import), merged into every task
    assert wf.task("start").retry.retries == 1 and wf.task("start").retry.delay_seconds == 300
    # the task is built in common/factory.py: its span says so
    assert wf.task("start").span.path.endswith("common/factory.py")
    hello = wf.task("hello")
    assert hello.callable.name == "greet" and "from common.text import shout" in hello.callable.prelude
    assert hello.bound_kwargs == {"name": ir.Literal("team")}
    assert hello.args["op_kwargs"] == ir.Literal({"punctuation": "?"})
    # a local decorator that applies @task(retries=2)
    assert wf.task("finish").operator == "@task" and wf.task("finish").retry.retries == 2
    assert {"KFM127", "KFM128"} <= {d.code for d in result.diagnostics}
    assert not [d for d in result.diagnostics if d.code in ("KFM113", "KFM120", "KFM121")]


def test_config_files_drive_the_loops_and_env_values_come_from_the_command_line(tmp_path):
    result = parse("factories/dags/config_dags.py")
    assert [w.dag_id for w in result.workflows] == ["load_orders", "load_customers"]
    orders = result.workflows[0]
    assert [t.task_id for t in orders.tasks] == ["load_orders", "load_order_items"]
    assert orders.task("load_orders").args["bash_command"] == ir.Literal("echo gs://acme-raw/orders")
    assert orders.task("load_orders").retry.retries == 3 and orders.schedule.value == "@hourly"
    assert ("samples/projects/factories/dags/config_dags.py", 10, 17) in where(result, "KFM124")  # ACME_SETTINGS default
    assert len(where(result, "KFM123")) == 2  # each config file read is reported
    # --env wins over the default; a file outside the project is not read
    inside = PROJECTS / "factories" / "dags" / "config" / "settings.json"
    other = parse("factories/dags/config_dags.py", env=(("ACME_SETTINGS", str(inside)),))
    assert not where(other, "KFM124")
    outside = tmp_path / "settings.json"
    outside.write_text('{"bucket": "elsewhere", "retries": 0}')
    refused = parse("factories/dags/config_dags.py", env=(("ACME_SETTINGS", str(outside)),))
    assert any("outside the project" in d.message for d in refused.diagnostics if d.code == "KFM123")


def test_guarded_dag_takes_the_branch_that_defines_it():
    result = parse("factories/dags/guarded_dag.py")
    assert [w.dag_id for w in result.workflows] == ["guarded_nightly"]
    assert where(result, "KFM122") == [("samples/projects/factories/dags/guarded_dag.py", 18, 4)]


def test_dags_guarded_by_is_venv_installed_as_in_airflow_2_10_examples():
    result = parse("factories/dags/venv_guarded.py")
    assert [w.dag_id for w in result.workflows] == ["venv_branch", "venv_tutorial"]
    assert where(result, "KFM122") == [("samples/projects/factories/dags/venv_guarded.py", 15, 4),
                                       ("samples/projects/factories/dags/venv_guarded.py", 24, 4)]
    assert [t.task_id for t in result.workflows[1].tasks] == ["extract", "total"]


def test_a_factory_that_cannot_be_followed_is_named_at_the_call():
    result = parse("factories/dags/broken_factory.py")
    assert result.workflows == []
    [diagnostic] = [d for d in result.diagnostics if d.code in ("KFM120", "KFM121")]
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.col) == ("KFM121", 5, 6)
    assert diagnostic.message.startswith("DAG is created by make_dag: acme_platform.dags.make_dag is imported from acme_platform.dags")


def test_path_option_adds_a_folder_to_find_modules_in(tmp_path):
    company = tmp_path / "company"
    (company / "acme").mkdir(parents=True)
    (company / "acme" / "__init__.py").write_text("")
    (company / "acme" / "dags.py").write_text(textwrap.dedent('''
        from airflow import DAG

        def make_dag(dag_id, **kwargs):
            kwargs.setdefault("schedule", "@weekly")
            return DAG(dag_id, **kwargs)
    '''))
    dags = tmp_path / "repo" / "dags"
    dags.mkdir(parents=True)
    (dags / "uses_company.py").write_text(textwrap.dedent('''
        from acme.dags import make_dag
        from airflow.operators.bash import BashOperator

        with make_dag("company_dag", tags=["x"]) as dag:
            BashOperator(task_id="hello", bash_command="echo hello")
    '''))
    without = parse_file(dags / "uses_company.py")
    assert without.workflows == [] and [d.code for d in without.diagnostics if d.code.startswith("KFM12")] == ["KFM121"]
    with_path = parse_file(dags / "uses_company.py", ProjectOptions(paths=(str(company),)))
    [wf] = with_path.workflows
    assert (wf.dag_id, wf.schedule.value, wf.tags, [t.task_id for t in wf.tasks]) == ("company_dag", "@weekly", ("x",), ["hello"])


def test_kubernetes_pod_operator_subclasses_in_plugins_are_native_container_tasks():
    result = convert_file(Path("samples/projects/plugins_repo/dags/pods.py"), compile=False)
    [conversion] = result.conversions
    fidelity = {t["task_id"]: t["fidelity"] for t in conversion.report.to_json()["tasks"]}
    assert fidelity == {"extract": "native", "aggregate": "native", "run_publish": "native", "audit": "shim"}
    source = conversion.emitted.python_source
    assert "image='registry.acme.example/jobs/extract_orders:1.0'" in source
    assert "image='registry.acme.example/jobs/aggregate_orders:2.3'" in source  # BatchPodOperator over AcmePodOperator
    assert "command=['python', '-m', 'publish']" in source  # built by the pod_task helper
    wf = conversion.workflow
    assert wf.task("extract").operator == "KubernetesPodOperator"
    assert wf.task("aggregate").args["labels"] == ir.Literal({"tier": "batch"})
    audit = wf.task("audit")  # overrides execute(): runs as itself, its class carried from plugins/
    assert audit.operator == "AuditOperator" and audit.operator_file.endswith("plugins/acme_operators/audit.py")
    assert "class AuditOperator(BaseOperator):" in source
    assert "'acme_operators/formatting.py': _module_acme_operators__formatting()" in source  # the module its file imports
    assert not [d for d in conversion.diagnostics if d.code in ("KFM210", "KFM214")]
    positions = [(d.code, d.span.line, d.span.col) for d in conversion.diagnostics if d.code == "KFM125"]
    assert ("KFM125", 9, 15) in positions and ("KFM125", 12, 13) in positions


def test_airflow1_plugin_imports_resolve_to_plugins_or_say_why_not():
    result = convert_file(Path("samples/projects/plugins_repo/dags/legacy.py"), compile=False)
    [conversion] = result.conversions
    fidelity = {t["task_id"]: t["fidelity"] for t in conversion.report.to_json()["tasks"]}
    assert fidelity == {"copy": "shim", "alert": "placeholder"}
    assert conversion.workflow.task("copy").operator_file.endswith("plugins/github_plugin.py")
    [missing] = [d for d in conversion.diagnostics if d.code == "KFM126"]
    assert (missing.span.line, missing.span.col) == (10, 13) and "SlackAlertOperator" in missing.message


def test_convert_and_analyze_take_path_and_env(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(main, ["convert", "samples/projects/factories/dags/guarded_dag.py", "-o", str(out),
                                  "--no-compile", "--env", "ACME_FEATURE_NIGHTLY=1", "--path", "samples/projects/factories/dags"])
    assert result.exit_code == 0, result.output
    assert (out / "guarded_nightly_pipeline.py").exists()
    bad = runner.invoke(main, ["convert", "samples/projects/factories/dags/guarded_dag.py", "-o", str(out), "--env", "NOEQUALS"])
    assert bad.exit_code == 2 and "KEY=VALUE" in bad.output
    analyzed = runner.invoke(main, ["analyze", "samples/projects/plugins_repo/dags", "-f", "json", "--path",
                                    "samples/projects/plugins_repo/plugins", "--env", "X=1"])
    assert analyzed.exit_code == 0, analyzed.output
    assert re.search(r'"dags": 2', analyzed.output)


def test_project_dag_runs_equivalently_on_airflow_and_kfp_local(tmp_path):
    """End to end: the factory-built DAG on real Airflow (dag.test, the dags folder on sys.path) and its
    conversion on kfp.local (the callable's sibling module embedded) give the same results."""
    result = CliRunner().invoke(main, ["verify", "samples/projects/factories/dags/team_dag.py", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "team_dag: equivalent" in result.output
