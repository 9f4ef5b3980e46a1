"""`kfmigrate compare scaling` end to end: real Airflow dag.test and real kfp.local, measured."""
import copy
import json
import os

from kfmigrate.compare.bench import check_agreement
from compare_helpers import run_compare


def test_both_engines_ran_every_repeat_and_agree(scaling_run):
    out, results, result = scaling_run
    assert results["settings"]["engines"] == ["airflow", "kfp"]
    (point,) = results["points"]
    assert point["label"] == "scaling N=3 W=2 S=1KB"
    runs = point["runs"]
    assert [(r["engine"], r["repeat"], r["cold"]) for r in runs] == [
        ("airflow", 0, True), ("kfp", 0, True), ("airflow", 1, False), ("kfp", 1, False)]
    assert all(r["ok"] for r in runs), [r["error"] for r in runs]
    assert point["agreement"]["ok"], point["agreement"]
    assert point["agreement"]["compared_runs"] == 4
    for run in runs:
        # 3 chained + 2 parallel + join + producer + consumer, each with its real return value
        assert run["timings"]["task_count"] == 8
        assert set(run["task_states"].values()) == {"succeeded"}
        assert json.loads(json.dumps(run["outputs"]["consume_payload"])) in (1000, "1000")
    assert "identical task results" in (out / "report.md").read_text()
    assert f"report: {out / 'report.html'}" in result.stdout.replace("\n", "")


def test_each_run_is_measured(scaling_run):
    _, results, _ = scaling_run
    for run in results["points"][0]["runs"]:
        process, timings = run["process"], run["timings"]
        assert process["returncode"] == 0
        assert process["cpu_seconds"] > 0.2  # at least the Python start-ups of runner, engine and tasks
        assert process["peak_rss_bytes"] > 50e6
        assert process["peak_processes"] >= 2  # the runner and the engine's own child at least
        assert process["wall_seconds"] >= timings["wall_seconds"] > 0
        assert 0 < timings["time_to_first_task"] < timings["wall_seconds"]
        assert timings["busy_seconds"] <= timings["wall_seconds"]
        assert timings["overhead_seconds"] > 0
        offsets = [t["start_offset"] for t in timings["tasks"].values()]
        assert all(0 <= o <= timings["wall_seconds"] for o in offsets)
        sections = run["sections"]
        assert sections["chain_seconds"] > 0 and sections["fan_out_seconds"] > 0 and sections["payload_seconds"] > 0
    kfp = [r for r in results["points"][0]["runs"] if r["engine"] == "kfp"]
    assert all(r["recorded"]["artifact_files"] > 0 for r in kfp)


def test_summary_uses_warm_runs_and_keeps_the_cold_one(scaling_run):
    _, results, _ = scaling_run
    point = results["points"][0]
    for engine in ("airflow", "kfp"):
        summary = point["summary"][engine]
        assert summary["runs"] == 2 and summary["ok_runs"] == 2 and summary["warm_runs"] == 1
        warm = [r for r in point["runs"] if r["engine"] == engine and not r["cold"]][0]
        cold = [r for r in point["runs"] if r["engine"] == engine and r["cold"]][0]
        assert summary["wall_seconds"]["median"] == warm["timings"]["wall_seconds"]
        assert summary["cold"]["wall_seconds"] == cold["timings"]["wall_seconds"]
    machine = results["machine"]
    assert machine["cpu_count"] >= 1 and machine["versions"]["apache-airflow"] and machine["versions"]["kfp"]


def test_the_kfp_side_is_the_converters_output(scaling_run):
    _, results, _ = scaling_run
    point = results["points"][0]
    assert os.path.isfile(point["pipeline_py"]) and os.path.isfile(point["pipeline_yaml"])
    assert "converted by kfmigrate" in open(point["pipeline_py"]).read()
    assert point["conversion"]["summary"]["tasks"] == 8
    assert point["definition"]["airflow"]["concepts"] >= 3 and point["definition"]["kfp"]["concepts"] >= 3


def test_a_difference_between_engines_is_caught(scaling_run):
    _, results, _ = scaling_run
    runs = copy.deepcopy(results["points"][0]["runs"])
    runs[3]["outputs"]["consume_payload"] = 999  # the KFP warm run received one character less
    verdict = check_agreement(runs)
    assert not verdict["ok"]
    assert any("consume_payload" in d and "999" in d for d in verdict["differences"])
    runs = copy.deepcopy(results["points"][0]["runs"])
    runs[1].update(ok=False, state="failed", error="task exploded")
    verdict = check_agreement(runs)
    assert not verdict["ok"] and "task exploded" in verdict["failed_runs"][0]


def test_existing_report_is_not_overwritten_without_force(scaling_run):
    out, _, _ = scaling_run
    before = {name: (out / name).read_bytes() for name in ("results.json", "report.md", "report.html")}
    result = run_compare("scaling", "-o", str(out), "--repeats", "1", "--sweep", "1:1:0")
    assert result.returncode == 2
    assert "exists (use --force to overwrite)" in result.stderr
    assert "Traceback" not in result.stderr
    assert {name: (out / name).read_bytes() for name in before} == before


def test_kfp_parameter_limit_is_reported_as_an_expected_failure(tmp_path):
    result = run_compare("scaling", "-o", str(tmp_path), "--engines", "kfp", "--repeats", "1", "--sweep", "1:1:200", "--no-probes")
    assert result.returncode == 0, result.stdout + result.stderr
    (point,) = json.loads((tmp_path / "results.json").read_text())["points"]
    (run,) = point["runs"]
    assert not run["ok"] and "Argument list too long" in run["error"]
    assert "128 KiB" in run["expected_failure"]
    assert run["task_states"]["produce_payload"] == "succeeded"
    assert run["task_states"]["consume_payload"] == "failed"
    assert point["agreement"]["ok"] and "failed as expected" in point["agreement"]["verdict"]


def test_user_errors_exit_2_without_traceback(tmp_path):
    for args in (["nope"], ["--engines", "spark"], ["scaling", "--sweep", "3:x:1"], ["--sweep", "3:2:1"],
                 ["scaling", "--engines", "airflow", "--kfp-host", "http://127.0.0.1:1"]):
        result = run_compare(*args, "-o", str(tmp_path / "out"))
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr and result.stderr.strip()
    assert not (tmp_path / "out").exists()


def test_kfp_local_serves_identical_inputs_from_its_cache_and_airflow_runs_them_again(scaling_run):
    out, results, _ = scaling_run
    caching = results["caching"]
    assert caching["point"] == "scaling N=3 W=2 S=1KB"
    (reuse,) = caching["runs"]
    (point,) = results["points"]
    # the last kfp.local repeat filled the (empty) cache: it executed everything, like the other repeats
    fill = [r for r in point["runs"] if r["engine"] == "kfp"][-1]
    assert fill["cache_role"] == "fill" and caching["fill_run"] == "kfp repeat 2"
    assert fill["ok"] and fill["cached_tasks"] == []
    # the next run with the same inputs starts no task process at all
    assert reuse["ok"] and reuse["cache_role"] == "reuse", reuse["error"]
    assert reuse["cached_tasks"] == sorted(reuse["task_states"]) and len(reuse["cached_tasks"]) == 8
    assert reuse["outputs"] == fill["outputs"]
    kfp = caching["summary"]["kfp"]
    assert kfp["served_from_cache"] == kfp["tasks"] == 8 and kfp["executed_again"] == 0 and kfp["same_results"]
    assert kfp["again_task_work_seconds"] < kfp["first_task_work_seconds"]
    # Airflow has no task cache: its second repeat, with the same inputs, ran every task again
    airflow = caching["summary"]["airflow"]
    assert airflow["repeats"] == [1, 2] and airflow["served_from_cache"] == 0
    assert airflow["executed_again"] == airflow["tasks"] == 8 and airflow["same_results"]
    # the reuse run stays out of the medians
    assert all(r["repeat"] < 2 for r in point["runs"]) and point["summary"]["kfp"]["runs"] == 2
    report = (out / "report.md").read_text()
    assert "8 of 8 tasks from kfp.local's cache" in report and "8 of 8 tasks executed again" in report
