"""MLflow tracking in a task -> KFP Metrics and Model artifacts (migrate/emit/artifacts.py, runtime _mlflow_to_kfp).

Detection is static; the run-time part is checked with real MLflow (file stores in tmp) and real
kfp.local.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from emit_ir import callable_source, component_code, convert_one
from kfmigrate.migrate.emit.artifacts import logs_model, mlflow_calls

REPO = Path(__file__).resolve().parents[2]

TRACKED_DAG = '''
import mlflow
from airflow.sdk import dag, task
from airflow.providers.standard.operators.python import PythonOperator


def log_training(params, accuracy):
    """A module helper: the tracking calls live here, not in the task."""
    mlflow.log_params(params)
    mlflow.log_metric("accuracy", accuracy)


def score_only(metrics):
    import mlflow as mf

    mf.log_metrics({"rows": float(len(metrics))})


@dag(schedule=None)
def tracked():
    @task
    def train(seed: int) -> dict:
        import mlflow.sklearn
        from sklearn.datasets import load_iris
        from sklearn.linear_model import LogisticRegression

        x, y = load_iris(return_X_y=True)
        model = LogisticRegression(max_iter=300, random_state=seed).fit(x, y)
        accuracy = float(model.score(x, y))
        with mlflow.start_run(run_name="training") as run:
            log_training({"seed": seed, "max_iter": 300}, accuracy)
            mlflow.log_text("trained on iris", "notes/data.txt")
            for fold in (1, 2):
                with mlflow.start_run(run_name=f"fold_{fold}", nested=True):
                    mlflow.log_metric("accuracy", accuracy - fold / 100)
            info = mlflow.sklearn.log_model(model, name="model", registered_model_name="kfm-test",
                                            pip_requirements=["scikit-learn"])  # no inference: faster
        return {"run_id": run.info.run_id, "accuracy": accuracy, "model_uri": info.model_uri}

    @task
    def plain(result: dict) -> float:
        return result["accuracy"]

    scored = PythonOperator(task_id="scored", python_callable=score_only, op_args=[[1, 2, 3]])
    plain(train(7)) >> scored

tracked()
'''


# The DAG's project declares what its tasks import (requirements.txt): undeclared, mlflow and sklearn
# would make the tasks placeholders (imports decide fidelity, migrate/environment.py).
PROJECT = Path(tempfile.mkdtemp(prefix="kfmigrate-tracked-"))
(PROJECT / "dags").mkdir()
(PROJECT / "requirements.txt").write_text("mlflow\nscikit-learn\n")


def convert(text, **options):
    return convert_one(text, str(PROJECT / "dags" / "tracked.py"), **options)


component = component_code


@pytest.mark.parametrize("code, expected", [
    ("def f():\n    import mlflow\n    mlflow.log_metric('a', 1)\n", ["mlflow.log_metric"]),
    ("def f():\n    import mlflow as mf\n    mf.sklearn.log_model(m, name='m')\n", ["mlflow.sklearn.log_model"]),
    ("def f():\n    from mlflow import log_params as lp\n    lp({})\n", ["mlflow.log_params"]),
    ("def f():\n    from mlflow.sklearn import autolog\n    autolog()\n", ["mlflow.sklearn.autolog"]),
    ("def f():\n    from mlflow import MlflowClient\n    MlflowClient().log_metric('r', 'a', 1)\n", []),  # client API: not fluent
    ("def f(log_metric):\n    log_metric('a', 1)\n    return 'mlflow.log_metric'\n", []),  # not mlflow's
    ("def f():\n    import mlflow\n    return mlflow.get_tracking_uri()\n", []),  # reads only
])
def test_detects_the_tracking_calls_of_a_callable(code, expected):
    assert mlflow_calls(callable_source(code)) == expected


def test_detects_calls_in_carried_module_helpers():
    helper = "import mlflow\n\ndef log_it(v):\n    mlflow.log_metric('v', v)\n"
    calls = mlflow_calls(callable_source("def f():\n    log_it(1)\n", prelude=(helper,)))
    assert calls == ["mlflow.log_metric"] and not logs_model(calls)
    module_import = callable_source("def f():\n    mlflow.log_param('a', 1)\n", prelude=("import mlflow",))
    assert mlflow_calls(module_import) == ["mlflow.log_param"]
    assert logs_model(["mlflow.pytorch.log_model"])


def test_tracking_tasks_get_metrics_and_model_outputs():
    conversion = convert(TRACKED_DAG)
    source = conversion.emitted.python_source
    train = component(source, "train")
    assert "    metrics: dsl.Output[dsl.Metrics],\n    model: dsl.Output[dsl.Model],\n" in train
    assert ("    with _mlflow_to_kfp(metrics, model):\n"
            "        results, skipped = _airflow_call_python(\n") in train
    # score_only's own parameter `metrics` lives inside its function: the component output keeps the name
    scored = component(source, "scored")
    assert "    op_args_0_json: str,\n    metrics: dsl.Output[dsl.Metrics],\n) -> NamedTuple" in scored
    assert "dsl.Model" not in scored and "with _mlflow_to_kfp(metrics):" in scored
    assert "_mlflow_to_kfp" not in component(source, "plain")
    tasks = {t["task_id"]: t for t in conversion.report.to_json()["tasks"]}
    assert tasks["train"]["mapping"] == "@task -> Python lightweight component + MLflow tracking -> KFP Metrics/Model artifacts"
    assert tasks["train"]["fidelity"] == "native"
    assert any(d["code"] == "KFM210" and "mlflow.sklearn.log_model" in d["message"] for d in tasks["train"]["diagnostics"])
    assert any("KFP Model artifact 'model'" in d for d in tasks["train"]["differences"])
    assert "MLflow" not in tasks["plain"]["mapping"]


def test_names_taken_by_the_task_are_not_reused():
    dag = TRACKED_DAG.replace("def train(seed: int) -> dict:", "def train(seed: int, metrics=None, model=None) -> dict:")
    dag = dag.replace("plain(train(7))", "plain(train(7, 'a', 'm'))")
    train = component(convert(dag).emitted.python_source, "train")
    assert "    metrics_2: dsl.Output[dsl.Metrics],\n    model_2: dsl.Output[dsl.Model],\n" in train
    assert "with _mlflow_to_kfp(metrics_2, model_2):" in train


def test_branches_sensors_and_mapped_tasks_are_wrapped_where_they_call_the_callable():
    dag = '''
import mlflow
from airflow.sdk import dag, task
from airflow.providers.standard.sensors.python import PythonSensor

def ready():
    mlflow.log_metric("pokes", 1.0)
    return True

@dag(schedule=None)
def flows():
    @task.branch
    def choose():
        mlflow.log_param("choice", "fit")
        return "fit"

    @task
    def fit(n):
        import mlflow.sklearn as mls
        mls.autolog()
        return n

    choose() >> fit.expand(n=[1, 2])
    PythonSensor(task_id="wait", python_callable=ready) >> fit

flows()
'''
    conversion = convert(dag)
    source = conversion.emitted.python_source
    assert "    with _mlflow_to_kfp(metrics):\n        results, skipped = _airflow_call_python(_airflow, choose," in source
    assert "    with _mlflow_to_kfp(metrics):\n        results, skipped = _airflow_sensor(_airflow, _poke," in source
    fit = component(source, "fit")
    assert "    map_item: str,\n    metrics: dsl.Output[dsl.Metrics],\n    model: dsl.Output[dsl.Model],\n" in fit
    mappings = {t["task_id"]: t["mapping"] for t in conversion.report.to_json()["tasks"]}
    assert all(m.endswith("+ MLflow tracking -> KFP Metrics/Model artifacts") for m in mappings.values()), mappings


@pytest.mark.slow
def test_tracking_reaches_mlflow_and_the_kfp_artifacts(tmp_path, monkeypatch):
    import yaml

    from kfmigrate.compare.engines.kfp_local import run_pipeline

    store = tmp_path / "mlruns"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"file://{store}")
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    spec = next(yaml.safe_load_all(convert(TRACKED_DAG).yaml_text))
    run = run_pipeline(spec, pipeline_root=tmp_path / "root", timeout=600)
    assert run.state == "succeeded", (run.error, [t.log_tail[-8:] for t in run.failed_tasks()])
    train = run.tasks["train"].outputs
    result = json.loads(run.tasks["train"].outputs["return_value"])
    accuracy, run_id = result["accuracy"], result["run_id"]

    # the KFP Metrics artifact: the outer run's metrics as they are, nested runs' under their names
    assert train["metrics"]["metadata"] == {
        "accuracy": accuracy, "fold_1/accuracy": pytest.approx(accuracy - 0.01), "fold_2/accuracy": pytest.approx(accuracy - 0.02)}
    summary = json.loads(Path(train["metrics"]["path"]).read_text())
    assert summary["tracking_uri"] == f"file://{store}"
    outer = [r for r in summary["runs"] if r["run_id"] == run_id][0]
    assert outer["params"] == {"seed": "7", "max_iter": "300"} and outer["run_name"] == "training"
    assert outer["artifacts"] == ["notes"]  # what log_artifact/log_text put in the run (top level)
    assert sorted(r["run_name"] for r in summary["runs"] if r["parent_run_id"] == run_id) == ["fold_1", "fold_2"]

    # the KFP Model artifact: the MLflow model directory, with where it came from
    model = train["model"]
    assert model["metadata"] == {"flavor": "sklearn", "mlflow_run_id": run_id, "mlflow_model_uri": result["model_uri"],
                                 "registered_model_name": "kfm-test", "registered_model_version": "1", "models_logged": 1}
    mlmodel = (Path(model["path"]) / "MLmodel").read_text()
    assert "sklearn:" in mlmodel and run_id in mlmodel

    # the MLflow calls still went to the configured store (file store layout: <experiment>/<run id>/...)
    assert (store / "0" / run_id / "metrics" / "accuracy").read_text().split()[1] == repr(accuracy)
    assert (store / "0" / run_id / "params" / "seed").read_text() == "7"

    # a helper-only tracking task without a model, and a task without tracking
    assert run.tasks["scored"].outputs["metrics"]["metadata"] == {"rows": 3.0}
    assert "model" not in run.tasks["scored"].outputs
    assert set(run.tasks["plain"].outputs) == {"Output"}  # a direct component: its one return value


DEFAULT_STORE_SCRIPT = '''
import os, sys, json
from kfp import dsl
from kfmigrate.migrate.emit.runtime import _mlflow_to_kfp

out = sys.argv[1]
metrics = dsl.Metrics(name="metrics", uri=os.path.join(out, "metrics"))
untouched = dsl.Metrics(name="untouched", uri=os.path.join(out, "untouched"))
with _mlflow_to_kfp(untouched):
    pass  # mlflow never imported: nothing to record, nothing imported
print(json.dumps({"mlflow_imported": "mlflow" in sys.modules}))
with _mlflow_to_kfp(metrics):
    import mlflow
    mlflow.log_metric("loss", 0.25)  # no start_run: MLflow starts a run itself
    mlflow.end_run()
print(json.dumps(metrics.metadata))
'''


def test_without_a_tracking_uri_runs_go_to_a_store_in_the_temp_dir(tmp_path):
    work, temp, out = tmp_path / "cwd", tmp_path / "tmp", tmp_path / "out"
    for folder in (work, temp, out):
        folder.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_")}
    env.update(TMPDIR=str(temp), PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", DEFAULT_STORE_SCRIPT, str(out)], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert json.loads(lines[0]) == {"mlflow_imported": False}
    assert json.loads(lines[1]) == {"loss": 0.25}
    assert json.loads((out / "untouched").read_text()) == {"runs": []}
    summary = json.loads((out / "metrics").read_text())
    assert summary["tracking_uri"].startswith(f"file://{temp}/kfmigrate-mlflow-")
    assert summary["runs"][0]["metrics"] == {"loss": 0.25}
    assert list(work.iterdir()) == []  # MLflow's default (./mlflow.db) was not used
