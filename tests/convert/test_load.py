"""`convert --load`: the live DAGs from Airflow's own DagBag (real Airflow, in a subprocess) give the
same pipelines as static reading, every DAG Airflow loads converts, and load failures are diagnostics."""
import glob
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from kfmigrate.migrate.batch import collect_inputs, convert_many
from kfmigrate.migrate.load import LoadOptions, convert_loaded, load_parsed

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "dags"
# project-shaped samples (factories, plugins, config files) when they are there
PROJECTS = sorted(Path(p) for p in glob.glob(str(ROOT / "samples" / "projects" / "*")) if Path(p).is_dir())


def _example_folders():
    import airflow

    core = Path(airflow.__file__).parent / "example_dags"
    standard = Path(airflow.__file__).parent / "providers" / "standard" / "example_dags"
    return [folder for folder in (core, standard) if folder.is_dir()]


def _by_dag(results):
    return {c.dag_id: c for r in results for c in r.conversions}


def _same_task(static, loaded):
    """What the component is made of: operator, arguments, callable code, mapping, retries, group."""
    assert static.operator.replace("@task.python", "@task") == loaded.operator.replace("@task.python", "@task")
    assert static.args == loaded.args, static.task_id
    assert static.call_args == loaded.call_args and static.call_kwargs == loaded.call_kwargs, static.task_id
    # a teardown's rule is all_done_setup_success in Airflow; static reading leaves it at the default,
    # and the emitter treats both alike for a teardown
    rule = lambda task: "all_success" if task.is_teardown and task.trigger_rule == "all_done_setup_success" else task.trigger_rule  # noqa: E731
    assert static.group == loaded.group and rule(static) == rule(loaded)
    assert static.retry == loaded.retry and static.timeout_seconds == loaded.timeout_seconds
    assert static.mapping == loaded.mapping
    assert (static.callable is None) == (loaded.callable is None), static.task_id
    if static.callable is not None:
        assert static.callable.source == loaded.callable.source
        assert static.callable.prelude == loaded.callable.prelude
    assert static.span.line == loaded.span.line, static.task_id  # the line of the operator / TaskFlow call


def _compare(folder: Path, files):
    static = convert_many(files, compile=False)
    loaded = convert_loaded(files, LoadOptions(dag_folders=[folder]), compile=False)
    compared = 0
    for s, l in zip(static, loaded):
        if l.error is not None:  # Airflow itself cannot load it here (a provider missing): nothing to compare
            assert l.error.code in ("KFM130",), l.error.render()
            continue
        found_static, found_loaded = _by_dag([s]), _by_dag([l])
        # everything static reading finds, Airflow finds too (Airflow may find more: @asset DAGs)
        assert set(found_static) <= set(found_loaded), s.path
        for dag_id, a in found_static.items():
            b = found_loaded[dag_id]
            assert [t.task_id for t in a.workflow.tasks] == [t.task_id for t in b.workflow.tasks], dag_id
            assert {(e.upstream, e.downstream) for e in a.workflow.edges} == {(e.upstream, e.downstream) for e in b.workflow.edges}, dag_id
            assert a.workflow.params == tuple(p.__class__(**{**p.__dict__, "span": q.span}) for p, q in zip(b.workflow.params, a.workflow.params))
            assert a.workflow.schedule.kind == b.workflow.schedule.kind and a.workflow.schedule.value == b.workflow.schedule.value
            assert a.workflow.groups == b.workflow.groups and a.workflow.mapped_groups == b.workflow.mapped_groups
            fidelity = {t["task_id"]: (t["fidelity"], t["mapping"]) for t in a.report.to_json()["tasks"]}
            assert fidelity == {t["task_id"]: (t["fidelity"], t["mapping"].replace("@task ", "@task.python ") if
                                                fidelity.get(t["task_id"], ("", ""))[1].startswith("@task.python") else t["mapping"])
                                for t in b.report.to_json()["tasks"]}, dag_id
            for task in a.workflow.tasks:
                _same_task(task, b.workflow.task(task.task_id))
            compared += 1
    return compared


def test_samples_convert_the_same_both_ways():
    files = sorted(SAMPLES.glob("*.py"))
    assert _compare(SAMPLES, files) >= 14


def test_project_samples_convert_the_same_both_ways():
    """samples/projects/* (factories in local modules, plugins, config files): every DAG static reading
    finds, Airflow finds with the same tasks, dependencies and fidelity; and every DAG Airflow loads converts."""
    for project in PROJECTS:
        dag_folder = project / "dags" if (project / "dags").is_dir() else project
        files, problems = collect_inputs([dag_folder])
        assert not problems
        static_results = convert_many(files, compile=False)
        # the factories' DAG files never name airflow: Airflow's DAG processor parses them only without
        # safe mode; the guarded DAG exists when its feature flag is on (static reading takes that branch)
        env = {"AIRFLOW__CORE__DAG_DISCOVERY_SAFE_MODE": "False", "ACME_FEATURE_NIGHTLY": "1"}
        options = LoadOptions(paths=[project], dag_folders=[dag_folder], env=env)
        results = convert_loaded(files, options, compile=False)
        loaded = _by_dag(results)
        # files Airflow cannot import here (a provider not installed, an Airflow 1 plugin import) are
        # KFM130 with Airflow's own error; every other DAG static reading finds, Airflow finds too
        unloadable = {r.path for r in results if r.error is not None}
        assert all(r.error.code == "KFM130" for r in results if r.error is not None)
        static = _by_dag(r for r in static_results if r.path not in unloadable)
        assert set(static) <= set(loaded), project
        for dag_id, a in static.items():
            b = loaded[dag_id]
            assert {t.task_id for t in a.workflow.tasks} == {t.task_id for t in b.workflow.tasks}, dag_id
            assert {(e.upstream, e.downstream) for e in a.workflow.edges} == {(e.upstream, e.downstream) for e in b.workflow.edges}
            assert {t["task_id"]: t["fidelity"] for t in a.report.to_json()["tasks"]} == {t["task_id"]: t["fidelity"] for t in b.report.to_json()["tasks"]}


def test_every_example_dag_airflow_loads_converts_and_compiles():
    """The Airflow 3 example corpus in site-packages: DAGs Airflow's DagBag loads == pipelines compiled."""
    for folder in _example_folders():
        files, _ = collect_inputs([folder])
        parsed = load_parsed(files, LoadOptions(dag_folders=[folder]))
        airflow_dags = sum(len(p.workflows) for p in parsed.values() if hasattr(p, "workflows"))
        assert airflow_dags >= 20, folder
        results = convert_loaded(files, LoadOptions(dag_folders=[folder]), compile=True, jobs=2)
        compiled = [c for r in results for c in r.conversions if c.yaml_text is not None]
        assert len(compiled) == airflow_dags, folder
        assert not [r.error.render() for r in results if r.error is not None]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_cli_reports_import_errors_and_timeouts_and_goes_on(tmp_path):
    dags = tmp_path / "dags"
    _write(dags / "good.py", (SAMPLES / "hello_world.py").read_text())
    _write(dags / "broken.py", """\
        from airflow.sdk import DAG
        import kfmigrate_no_such_module_here
        with DAG("broken"):
            pass
    """)
    _write(dags / "slow.py", """\
        import time
        from airflow.sdk import DAG
        time.sleep(60)
        with DAG("slow"):
            pass
    """)
    # a helper module in the project, found through --path, and a value from --env
    _write(tmp_path / "lib" / "company_helpers.py", "def command():\n    return 'echo helped'\n")
    _write(dags / "helped.py", """\
        import os
        from airflow.sdk import DAG
        from airflow.providers.standard.operators.bash import BashOperator
        from company_helpers import command
        with DAG(os.environ["HELPED_DAG_ID"], schedule=None):
            BashOperator(task_id="run", bash_command=command())
    """)
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "kfmigrate", "convert", "--load", "--load-timeout", "3", "--path", str(tmp_path / "lib"),
         "--env", "HELPED_DAG_ID=helped_dag", str(dags), "-o", str(out), "--no-compile"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{dags / 'broken.py'}:2:1: KFM130 Airflow could not import this file: ModuleNotFoundError" in result.stderr
    assert f"{dags / 'slow.py'}:3:1: KFM131" in result.stderr
    assert "converted hello_world" in result.stdout and "converted helped_dag" in result.stdout
    assert "echo helped" in (out / "helped_dag_pipeline.py").read_text()
    assert not list(dags.rglob("__pycache__"))  # loading leaves nothing in the user's project


def test_load_python_that_is_not_there_is_a_diagnostic_per_file(tmp_path):
    dags = tmp_path / "dags"
    _write(dags / "hello.py", (SAMPLES / "hello_world.py").read_text())
    result = subprocess.run(
        [sys.executable, "-m", "kfmigrate", "convert", "--load", str(dags), "-o", str(tmp_path / "out"), "--no-compile"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "KFMIGRATE_LOAD_PYTHON": str(tmp_path / "no-python")})
    assert result.returncode == 2
    assert f"{dags / 'hello.py'}:1:1: KFM132 KFMIGRATE_LOAD_PYTHON={tmp_path / 'no-python'} is not an executable file" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
