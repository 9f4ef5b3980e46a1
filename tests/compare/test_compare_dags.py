"""`kfmigrate compare DAG.py | FOLDER`: the user's own DAGs as workloads, real Airflow and real kfp.local."""
import json
import shutil

import pytest

from compare_helpers import ROOT, run_compare

SAMPLES = ROOT / "samples" / "dags"

# A DAG that tracks to MLflow: its Airflow side must get compare's store, and only such a DAG does.
TRACKED_DAG = '''
import mlflow
import pendulum
from airflow.sdk import dag, task


@dag(dag_id="tracked", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
def tracked():
    @task
    def train():
        with mlflow.start_run(run_name="train"):
            mlflow.log_param("alpha", 0.5)
            mlflow.log_metric("score", 0.75)
        return {"score": 0.75}

    train()


tracked()
'''


@pytest.fixture(scope="module")
def dags_run(tmp_path_factory):
    """A folder of three DAGs, capped at two: the ETL sample with a param, and one that uses MLflow."""
    root = tmp_path_factory.mktemp("compare-dags")
    folder = root / "dags"
    folder.mkdir()
    shutil.copy(SAMPLES / "etl_classic_airflow2.py", folder / "a_etl.py")
    (folder / "b_tracked.py").write_text(TRACKED_DAG)
    shutil.copy(SAMPLES / "hello_world.py", folder / "c_hello.py")
    out = root / "out"
    result = run_compare(str(folder), "--max-dags", "2", "--param", "limit=3", "-o", str(out), "--repeats", "1",
                         "--no-cache-check", "--no-probes")
    results = json.loads((out / "results.json").read_text()) if (out / "results.json").exists() else None
    return out, results, result


def test_each_dag_of_a_folder_is_a_workload_up_to_max_dags(dags_run):
    out, results, result = dags_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert results["settings"]["workloads"] == []  # the built-in samples are not added to the user's DAGs
    assert [p["label"] for p in results["points"]] == ["etl_classic_airflow2", "tracked"]
    assert all(p["workload"] == "dag" for p in results["points"])
    (note,) = results["settings"]["notes"]
    assert "KFM409" in note and "hello_world" in note and "--max-dags 2" in note
    assert "left out by --max-dags 2" in result.stderr
    for point in results["points"]:
        runs = {r["engine"]: r for r in point["runs"]}
        assert set(runs) == {"airflow", "kfp"}
        assert runs["airflow"]["ok"] and runs["kfp"]["ok"], (runs["airflow"]["error"], runs["kfp"]["error"])
        # the check of `kfmigrate verify`, task by task, on the pair of runs
        agreement = point["agreement"]
        assert agreement["method"] == "verify" and agreement["ok"], agreement
        assert agreement["verdict"].startswith("equivalent in 1 pair")


def test_params_and_run_id_reach_both_engines(dags_run):
    out, results, _ = dags_run
    etl = results["points"][0]
    (dag,) = [d for d in results["settings"]["dags"] if d["dag_id"] == "etl_classic_airflow2"]
    assert dag["params"] == {"limit": 3}  # typed from the pipeline's declared input
    runs = {r["engine"]: r for r in etl["runs"]}
    kfp_request = json.loads((out / "work" / "runs" / "etl-classic-airflow2" / "kfp-1" / "request.json").read_text())
    assert kfp_request["params"]["limit"] == 3
    # the pipeline gets the Airflow run's id, as verify passes it
    assert kfp_request["params"]["run_id"] == runs["airflow"]["extra"]["run_id"]
    airflow_request = json.loads(
        (out / "work" / "runs" / "etl-classic-airflow2" / "airflow-1" / "request.json").read_text())
    assert airflow_request["params"] == {"limit": 3}


def test_mlflow_is_used_on_the_airflow_side_only_where_the_dag_uses_it(dags_run):
    out, results, _ = dags_run
    by_id = {d["dag_id"]: d for d in results["settings"]["dags"]}
    assert by_id["tracked"]["uses_mlflow"] and not by_id["etl_classic_airflow2"]["uses_mlflow"]
    etl_request = json.loads((out / "work" / "runs" / "etl-classic-airflow2" / "airflow-1" / "request.json").read_text())
    assert etl_request["env"] == {}
    from mlflow.tracking import MlflowClient

    uri = f"sqlite:///{out / 'mlflow' / 'mlflow.db'}"
    runs = MlflowClient(tracking_uri=uri).search_runs(
        [e.experiment_id for e in MlflowClient(tracking_uri=uri).search_experiments()])
    # one run, the Airflow side's; the KFP side's MLflow calls went to its private store
    assert [r.data.metrics for r in runs] == [{"score": 0.75}]
    assert results["mlflow"]["runs"] == 1
    assert results["engine_titles"]["airflow"] == "Airflow + MLflow"


def test_report_has_the_summary_spreads_and_honest_one_repeat_labels(dags_run):
    out, _, result = dags_run
    report = (out / "report.md").read_text()
    summary = report.split("## Summary", 1)[1].split("\n\n", 2)[1].splitlines()
    assert len(summary) == 5 and all(line.startswith("- ") for line in summary), summary
    assert summary[0].startswith("- Faster end to end on Airflow + MLflow") and "one cold run each" in summary[0]
    assert summary[3].startswith("- Results: the engines agree on all 2")
    assert summary[4].startswith("- Not measured:") and "warm runs (one repeat" in summary[4]
    assert "KFM409" in summary[4]
    # one repeat: no warm figures anywhere, and every figure says its n
    assert "(warm)" not in report and "warm runs)" not in report and "median over warm" not in report
    assert "| wall (1 run, cold) |" in report and "(n=1)" in report
    assert "(your DAG: `" in report
    for section in ("## Where per-task overhead comes from", "## Cluster cost model (a model, not a measurement)",
                    "## Operational footprint of each stack"):
        assert section in report
    assert "- Results: the engines agree" in result.stdout


def test_bad_input_exits_2_and_writes_nothing(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("from airflow.sdk import DAG\nwith DAG(dag_id='x' as dag:\n    pass\n")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "util.py").write_text("X = 1\n")
    out = tmp_path / "out"
    cases = [
        ([str(tmp_path / "path" / "etl_sales_af2.py")], "no such file or folder"),
        ([str(broken)], f"{broken}:2:"),
        ([str(empty)], "KFM407"),
        ([str(SAMPLES / "etl_classic_airflow2.py"), "--param", "nope=1"], "KFM408 unknown parameter(s) nope"),
        ([str(SAMPLES / "etl_classic_airflow2.py"), "--param", "limit=many"], "KFM408"),
        (["ml-training", "--param", "limit=3"], "--param sets parameters of your DAGs"),
        (["scaling", "--engines", "airflow,spark"], "--engines: unknown engine spark"),
        (["ml-training", "--sweep", "3:2:1"], "--sweep sets the points of the scaling workload"),
        (["scaling", "--engines", "airflow", "--kfp-host", "http://kfp.example"], "--kfp-host needs the kfp engine"),
    ]
    for args, expected in cases:
        result = run_compare(*args, "-o", str(out))
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert expected in result.stderr, (args, result.stderr)
        assert "unknown workload" not in result.stderr and "Traceback" not in result.stderr
        assert not out.exists(), args
