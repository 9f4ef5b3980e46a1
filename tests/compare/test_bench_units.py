"""kfmigrate.compare.bench and kfmigrate.compare.report pieces that need no engine: names, summaries, redaction, rendering."""
from pathlib import Path

from kfmigrate.compare import bench, report
from kfmigrate.compare.workloads import Point, SAMPLES


def test_kfp_task_names_map_back_to_airflow_task_ids():
    prepared = bench.Prepared(Point("scaling", "s", SAMPLES / "scaling.py", "s"),
                              kfp_names={"train-svc": "train_svc", "step-0": "step_0"})
    assert bench._airflow_key("train-svc", "kfp", prepared) == "train_svc"
    assert bench._airflow_key("step-0[3]", "kfp", prepared) == "step_0[3]"
    assert bench._airflow_key("other-task", "kfp", prepared) == "other-task"  # unknown: kept as KFP named it
    assert bench._airflow_key("train_candidate[2]", "airflow", prepared) == "train_candidate[2]"


def test_credentials_never_reach_the_report():
    assert bench._redact("postgresql://user:s3cret@db:5432/mlflow") == "postgresql://***@db:5432/mlflow"
    assert bench._redact("https://token@kfp.example.org") == "https://***@kfp.example.org"
    assert bench._redact("sqlite:////tmp/x/mlflow.db") == "sqlite:////tmp/x/mlflow.db"


def _run(engine, repeat, wall, ok=True):
    return {"engine": engine, "repeat": repeat, "cold": repeat == 0, "ok": ok, "state": "succeeded" if ok else "failed",
            "error": "" if ok else "boom", "timings": {"wall_seconds": wall, "overhead_seconds": wall / 2,
                                                         "task_work_seconds": 1.0, "time_to_first_task": 0.5,
                                                         "median_start_latency": 0.1, "tasks": {}},
            "process": {"wall_seconds": wall + 1, "cpu_seconds": 2.0, "peak_rss_bytes": 1e8},
            "sections": {"chain_seconds": wall / 10}, "outputs": {}, "task_states": {}, "extra": {}}


def test_summaries_take_warm_runs_and_keep_the_cold_one_apart():
    runs = [_run("airflow", 0, 30.0), _run("airflow", 1, 10.0), _run("airflow", 2, 12.0), _run("airflow", 3, 0, ok=False)]
    summary = bench.summarize_runs(runs)["airflow"]
    assert summary["wall_seconds"]["median"] == 11.0 and summary["wall_seconds"]["n"] == 2
    assert summary["cold"]["wall_seconds"] == 30.0
    assert summary["runs"] == 4 and summary["ok_runs"] == 3 and summary["warm_runs"] == 2
    assert summary["sections"]["chain_seconds"]["median"] == 1.1
    only_cold = bench.summarize_runs([_run("kfp", 0, 5.0)])["kfp"]
    assert only_cold["wall_seconds"]["median"] == 5.0  # with one run, the cold run is all there is


def test_markdown_and_html_say_the_same_and_escape():
    blocks = [report.Heading("T <1>", 1), report.Para("**bold** and `code` <script>"),
              report.Table(["a", "b|c"], [["x\ny", "✔ ok"]], "cap"), report.Image("p.png", "plot", b"\x89PNG")]
    md = report.to_markdown(blocks)
    assert "# T <1>" in md and "| a | b\\|c |" in md and "x<br>y" in md and "![plot](p.png)" in md
    html = report.to_html(blocks, "title")
    assert "<h1>T &lt;1&gt;</h1>" in html and "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert 'src="data:image/png;base64,iVBORw==' in html
    assert '<span class="ok">✔</span>' in html


def test_fitted_slope():
    assert report.fitted_slope([1, 2, 3], [2.0, 4.0, 6.0]) == 2.0
    assert report.fitted_slope([5, 5], [1.0, 2.0]) is None


def test_max_concurrency():
    assert report.max_concurrency([(0, 1), (1, 2), (2, 3)]) == 1
    assert report.max_concurrency([(0, 2), (1, 3), (1.5, 4), (3.5, 5)]) == 3


def test_kfp_outputs_split_into_values_and_artifacts(tmp_path):
    from kfmigrate.compare.runner import split_outputs

    xcom = tmp_path / "return_value"
    xcom.write_text('{"rows": 569}')
    model = tmp_path / "model"
    model.mkdir()
    (model / "MLmodel").write_text("flavors: {}\n")
    values, artifacts = split_outputs({
        "Output": 3,
        "return_value": {"artifact": "system.Artifact", "uri": str(xcom), "path": str(xcom),
                         "metadata": {"xcom_key": "return_value"}},
        "metrics": {"artifact": "system.Metrics", "uri": "", "path": str(tmp_path / "metrics"),
                    "metadata": {"roc_auc": 0.99}},
        "model": {"artifact": "system.Model", "uri": str(model), "path": str(model), "metadata": {}},
    })
    # an XCom passed as an artifact file is read back as the value it holds
    assert values == {"Output": 3, "return_value": {"rows": 569}}
    assert artifacts["model"]["bytes"] == len("flavors: {}\n") and artifacts["metrics"]["bytes"] == 0
    assert artifacts["metrics"]["metadata"] == {"roc_auc": 0.99}
    recorded = bench._recorded("kfp", {"register": {"has_output": True, "artifacts": artifacts}}, {})
    assert recorded["metrics_artifacts"] == 1 and recorded["metrics_values"] == 1
    assert recorded["model_artifacts"] == 1 and recorded["xcom_artifacts"] == 1


def test_cache_summary_counts_what_ran_again():
    fill = _run("kfp", 1, 10.0)
    fill.update(cache_role="fill", cached_tasks=[], task_states={"a": "succeeded", "b": "succeeded"})
    reuse = _run("kfp", 2, 2.0)
    reuse.update(cache_role="reuse", cached_tasks=["a", "b"], task_states=fill["task_states"])
    first, again = _run("airflow", 0, 20.0), _run("airflow", 1, 18.0)
    for run in (first, again):
        run["task_states"] = {"a": "succeeded", "b": "succeeded"}
        run["timings"]["tasks"] = {k: {"state": "succeeded", "run_seconds": 0.5} for k in "ab"}
    again["outputs"] = {"a": 2}  # a result that changed between the two repeats is reported
    summary = bench.summarize_cache_check([fill, reuse], [first, again, fill])
    assert summary["kfp"]["served_from_cache"] == 2 and summary["kfp"]["executed_again"] == 0
    assert summary["kfp"]["first_wall_seconds"] == 10.0 and summary["kfp"]["again_wall_seconds"] == 2.0
    assert summary["airflow"]["executed_again"] == 2 and summary["airflow"]["repeats"] == [1, 2]
    assert summary["airflow"]["same_results"] is False
    text = report.to_markdown(report.caching_blocks({"caching": {"point": "p", "summary": summary}},
                                                     {"kfp": "KFP", "airflow": "Airflow"}))
    assert "2 of 2 tasks from kfp.local's cache" in text and "8.00 s (80%)" in text
    assert "2 of 2 tasks executed again (repeat 2 after repeat 1)" in text and "**different**" in text


def test_kfp_metrics_are_checked_against_the_mlflow_run(tmp_path, monkeypatch):
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # a file store is quick to make
    uri = (tmp_path / "mlruns").as_uri()
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment("e")
    parent = client.create_run(experiment, run_name="ml_training")
    client.log_metric(parent.info.run_id, "roc_auc", 0.99)
    child = client.create_run(experiment, run_name="svc", tags={"mlflow.parentRunId": parent.info.run_id})
    client.log_metric(child.info.run_id, "roc_auc", 0.97)
    airflow = _run("airflow", 0, 10.0)
    airflow["headline"] = {"mlflow_run_id": parent.info.run_id}
    kfp = _run("kfp", 0, 10.0)
    kfp["kfp_metrics"] = {"register": {"roc_auc": 0.99, "svc/roc_auc": 0.97}}
    check = bench.check_metrics([airflow, kfp], uri)
    assert check["checked"] and check["ok"] and check["mlflow_metrics"] == check["kfp_metrics"] == 2
    kfp["kfp_metrics"] = {"register": {"roc_auc": 0.99, "svc/roc_auc": 0.96}}
    check = bench.check_metrics([airflow, kfp], uri)
    assert not check["ok"] and "svc/roc_auc: 0.97 != 0.96" in check["differences"][0]
    kfp["kfp_metrics"] = {}
    assert bench.check_metrics([airflow, kfp], uri) == {"checked": False, "ok": True,
                                                        "why": "no KFP Metrics artifact recorded"}


def _probes(**medians):
    from kfmigrate.compare.measure import summarize

    return {name: {"what": name, "command": name, "wall": summarize([value]), "cpu": summarize([0.1]), "error": ""}
            for name, value in medians.items()}


def _point_with_tasks(engine, latency, run_seconds):
    run = _run(engine, 0, 10.0)
    run["timings"]["tasks"] = {"a": {"state": "succeeded", "start_latency": latency, "run_seconds": run_seconds,
                                     "start_offset": 0.0, "end_offset": run_seconds}}
    return run


def test_cost_model_keeps_measured_and_published_parts_apart_and_a_cluster_replaces_it():
    from kfmigrate.compare.report.costs import cost_model_blocks

    probes = _probes(python_start=0.05, kfp_executor_import=1.25, airflow_task_import=3.05, pip_check_kfp=1.0,
                     pip_install_kfp=14.0)
    results = {"settings": {"engines": ["airflow-scheduler", "kfp"], "repeats": 1}, "probes": probes,
               "engine_titles": {}, "points": [{"runs": [_point_with_tasks("airflow-scheduler", 1.2, 0.3),
                                                         _point_with_tasks("kfp", 0.01, 1.4)]}]}
    table = next(b for b in cost_model_blocks(results) if isinstance(b, report.Table))
    assert len(table.rows) == 4
    no_image = table.rows[0]
    # measured: process start + executor import (1.25 s) and pip (14 s); published: 2 pods of up to 5 s
    assert no_image[1] == "process + kfp executor import 1.25 s; pip install kfp 14.00 s"
    assert no_image[3] == "15.25 s + up to 10 s (+ 38 s when the image is not on the node)"
    assert table.rows[1][3].startswith("1.25 s + up to 10 s")
    # under a measured scheduler, its start latency (loop, process, imports) is the Airflow part
    assert "start latency under the scheduler 1.20 s" in table.rows[2][1] and table.rows[3][3] == "1.20 s"
    results["settings"]["engines"].append("kfp-cluster")
    results["points"][0]["runs"].append(_point_with_tasks("kfp-cluster", 6.5, 2.0))
    blocks = cost_model_blocks(results)
    table = next(b for b in blocks if isinstance(b, report.Table))
    assert [row[3] for row in table.rows[:2]] == ["replaced by the cluster measurement below"] * 2
    assert any(isinstance(b, report.Para) and "start latency 6.50 s (n=1)" in b.text for b in blocks)


def test_summary_is_five_lines_and_says_what_was_not_measured():
    from kfmigrate.compare.measure import summarize

    def point(label, airflow, kfp, ok=True):
        return {"label": label, "summary": {
            "airflow": {"wall_seconds": summarize([airflow]), "overhead_seconds": summarize([1.0]),
                        "median_start_latency": summarize([0.1])},
            "kfp": {"wall_seconds": summarize([kfp]), "overhead_seconds": summarize([0.5]),
                    "median_start_latency": summarize([0.01])}},
            "agreement": {"ok": ok, "verdict": "1 difference(s) between runs", "differences": ["x: 1 != 2"],
                          "failed_runs": []}}

    results = {"settings": {"engines": ["airflow", "kfp"], "repeats": 1, "notes": []}, "engine_titles": {},
               "points": [point("a", 10.0, 5.0), point("b", 2.0, 8.0, ok=False)]}
    lines = report.summary_lines(results)
    assert len(lines) == 5
    assert lines[0] == "- Faster end to end on airflow: b (4.0x: 2.00 s vs 8.00 s) (wall, one cold run each)."
    assert lines[1] == "- Faster end to end on kfp: a (2.0x: 5.00 s vs 10.00 s) (wall, one cold run each)."
    assert lines[3].startswith("- Results: 1 of 2 point(s) did not agree") and "x: 1 != 2" in lines[3]
    assert "warm runs (one repeat" in lines[4] and "pod start and image pull" in lines[4]
    assert "`--no-probes`" in lines[4]
