"""`kfmigrate compare ml-training`: real Airflow + real MLflow against the converted pipeline on kfp.local."""
import json

import pytest

from compare_helpers import run_compare


@pytest.fixture(scope="module")
def ml_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare-ml")
    # the cache check is covered on the (cheaper) scaling run
    result = run_compare("ml-training", "-o", str(out), "--repeats", "1", "--no-cache-check", "--no-probes")
    results = json.loads((out / "results.json").read_text()) if (out / "results.json").exists() else None
    return out, results, result


def test_both_engines_choose_the_same_model_with_the_same_metrics(ml_run):
    out, results, result = ml_run
    assert result.returncode == 0, result.stdout + result.stderr
    (point,) = results["points"]
    assert point["conversion"]["summary"]["placeholder"] == 0, point["conversion"]
    runs = {r["engine"]: r for r in point["runs"]}
    assert runs["airflow"]["ok"] and runs["kfp"]["ok"], (runs["airflow"]["error"], runs["kfp"]["error"])
    assert point["agreement"]["ok"], point["agreement"]
    airflow, kfp = runs["airflow"]["headline"], runs["kfp"]["headline"]
    assert airflow["model_name"] == kfp["model_name"]
    assert airflow["metrics"] == kfp["metrics"] and set(airflow["metrics"]) == {"roc_auc", "accuracy", "f1",
                                                                             "precision", "recall"}
    assert 0.9 < airflow["metrics"]["roc_auc"] <= 1.0
    assert airflow["model_sha256"] == kfp["model_sha256"] and len(airflow["model_sha256"]) == 64
    report = (out / "report.md").read_text()
    assert f"| Airflow + MLflow | {airflow['model_name']} |" in report
    assert f"| KFP (kfp.local) | {kfp['model_name']} |" in report


def test_airflow_side_tracked_params_metrics_and_model_in_mlflow(ml_run):
    out, results, result = ml_run
    assert results is not None, result.stderr
    from mlflow.tracking import MlflowClient

    airflow = [r for r in results["points"][0]["runs"] if r["engine"] == "airflow"][0]
    run_id = airflow["headline"]["mlflow_run_id"]
    assert run_id, airflow["headline"]
    uri = f"sqlite:///{out / 'mlflow' / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    parent = client.get_run(run_id)
    assert parent.data.params["dataset"] == "breast_cancer" and parent.data.params["seed"] == "42"
    assert parent.data.metrics == pytest.approx(airflow["headline"]["metrics"])
    assert parent.data.tags["best_model"] == airflow["headline"]["model_name"]
    children = client.search_runs([parent.info.experiment_id], f"tags.mlflow.parentRunId = '{run_id}'")
    assert sorted(c.data.tags["mlflow.runName"] for c in children) == sorted(
        ["logistic_regression", "random_forest", "gradient_boosting", "svc"])
    assert all("roc_auc" in c.data.metrics and "train_accuracy" in c.data.metrics for c in children)
    versions = client.search_model_versions("name='kfmigrate-ml-training-best'")
    assert [str(v.version) for v in versions] == [airflow["headline"]["registered_version"]]
    assert results["mlflow"]["registered_model_versions"] == 1 and results["mlflow"]["parent_runs"] == 1
    # artifacts live next to the SQLite store, not in whatever folder compare was started from
    assert (out / "mlflow" / "mlartifacts").is_dir()


def test_kfp_side_recorded_metrics_and_model_as_kfp_artifacts_identical_to_mlflow(ml_run):
    out, results, _ = ml_run
    (point,) = results["points"]
    kfp = [r for r in point["runs"] if r["engine"] == "kfp"][0]
    assert kfp["ok"], kfp["error"]
    recorded = kfp["recorded"]
    assert recorded["task_results"] >= 7 and recorded["artifact_files"] > 0
    # the converter turned register's MLflow calls into a Metrics and a Model artifact
    assert recorded["metrics_artifacts"] == 1 and recorded["model_artifacts"] == 1 and recorded["model_bytes"] > 1000
    metrics = kfp["kfp_metrics"]["register"]
    assert metrics["roc_auc"] == kfp["headline"]["metrics"]["roc_auc"]
    assert {f"{name}/train_accuracy" for name in ("logistic_regression", "random_forest", "gradient_boosting",
                                                   "svc")} <= set(metrics)
    # ... holding exactly what the Airflow run logged to MLflow (parent and nested runs)
    check = point["metrics_check"]
    assert check["checked"] and check["ok"], check
    assert check["kfp_metrics"] == check["mlflow_metrics"] == len(metrics) >= 25
    # the KFP side's MLflow calls went to a private store, not into the shared one
    assert results["mlflow"]["parent_runs"] == 1
    assert "KFP Metrics artifact (" in (out / "report.md").read_text()
    airflow = [r for r in results["points"][0]["runs"] if r["engine"] == "airflow"][0]
    # the same tasks ran on both sides: 4 mapped candidates, as train_candidate[0..3]
    expected = {"load_dataset", "split_data", "preprocess", "evaluate", "pick_best", "register"} | {
        f"train_candidate[{i}]" for i in range(4)}
    assert set(airflow["task_states"]) == expected
    assert set(kfp["task_states"]) == expected
    # anything the converter added on the KFP side is timed, but has no Airflow twin to compare with
    assert set(kfp["timings"]["tasks"]) == expected | set(kfp["extra_tasks"])
