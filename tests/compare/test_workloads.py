"""kfmigrate.compare.workloads: the scaling generator, sweep parsing, agreement diffs and known limits."""
import ast

import pytest

from kfmigrate.compare import workloads
from kfmigrate.compare.workloads import SAMPLES, Point, WorkloadError, expected_failure


def test_scaling_source_sets_the_knobs_and_names_the_dag():
    template = (workloads.SAMPLES / "scaling.py").read_text()
    source = workloads.scaling_source(template, chain=7, fan_out=3, payload_kb=50)
    ast.parse(source)
    assert "\nCHAIN_LENGTH = 7\n" in source and "\nFAN_OUT = 3\n" in source and "\nPAYLOAD_KB = 50\n" in source
    assert 'dag_id="scaling_n7_w3_s50kb"' in source
    with pytest.raises(WorkloadError):
        workloads.scaling_source("CHAIN_LENGTH = 1\n", 1, 1, 1)


def test_build_points_writes_one_dag_per_sweep_point(tmp_path):
    sweep = workloads.parse_sweep("1:1:0,5:2:10")
    points = workloads.build_points(["ml-training", "scaling"], tmp_path, sweep)
    assert [p.label for p in points] == ["ml-training", "scaling N=1 W=1 S=0KB", "scaling N=5 W=2 S=10KB"]
    assert points[0].dag_file == workloads.SAMPLES / "ml_training.py"
    for point in points[1:]:
        assert point.dag_file.parent == tmp_path / "dags" and point.dag_file.is_file()
        assert point.dag_id in point.dag_file.read_text()


def test_parse_workloads_and_sweep_errors():
    assert workloads.parse_workloads(None) == ["ml-training"]
    assert workloads.parse_workloads("scaling,ml_training") == ["ml-training", "scaling"]
    assert workloads.parse_workloads("all") == list(workloads.WORKLOADS)
    with pytest.raises(WorkloadError, match="unknown workload nope"):
        workloads.parse_workloads("nope")
    for bad in ("5", "5:2", "5:2:x", "0:1:1", "1:0:1", "1:1:-1", ","):
        with pytest.raises(WorkloadError):
            workloads.parse_sweep(bad)
    assert workloads.parse_sweep("5:2:1, 5:2:1,20:8:120") == ({"chain": 5, "fan_out": 2, "payload_kb": 1},
                                                              {"chain": 20, "fan_out": 8, "payload_kb": 120})
    assert workloads.parse_sweep(None) == workloads.DEFAULT_SWEEP


def test_scaling_sections_cut_a_run_by_task_timestamps():
    def task(start, end, latency=0.0, state="succeeded"):
        return {"start_offset": start, "end_offset": end, "start_latency": latency, "state": state,
                "run_seconds": end - start}

    tasks = {"step_0": task(1.0, 1.5, 1.0), "step_1": task(2.0, 2.5, 0.5), "step_2": task(3.0, 3.5, 0.5),
             "branch_0": task(4.0, 4.5), "branch_1": task(4.0, 5.0), "join": task(5.5, 6.0),
             "produce_payload": task(6.5, 7.0), "consume_payload": task(7.25, 8.0)}
    sections = workloads.scaling_sections(tasks)
    assert sections["chain_seconds"] == 2.0 and sections["chain_per_task"] == 1.0
    assert sections["chain_start_latency"] == 0.5
    assert sections["fan_out_seconds"] == 1.0 and sections["fan_out_per_task"] == 0.5
    assert sections["payload_seconds"] == 1.5 and sections["payload_gap"] == 0.25
    tasks["consume_payload"]["state"] = "failed"
    assert "payload_seconds" not in workloads.scaling_sections(tasks)


def test_diff_values_reports_paths_and_accepts_json_text():
    assert workloads.diff_values({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}) == ["a[1].b: 2 != 3"]
    assert workloads.diff_values({"x": 1}, {"y": 1}) == ["x: only in the first", "y: only in the second"]
    # the converter passes untyped returns as JSON text: 0 -> "0", "joined" -> '"joined"'
    assert workloads.diff_values({"n": 0, "s": "joined"}, {"n": "0", "s": '"joined"'}) == []
    assert workloads.diff_values({"n": 1}, {"n": "2"}) == ['n: 1 != "2"']


def test_comparable_drops_fields_that_differ_by_design():
    point = Point("ml-training", "ml-training", workloads.SAMPLES / "ml_training.py", "ml_training")
    cleaned = workloads.comparable(point, {"register": {"model_name": "svc", "mlflow_run_id": "abc",
                                                        "model_path": "/tmp/x", "metrics": {"f1": 1.0}}})
    assert cleaned == {"register": {"model_name": "svc", "metrics": {"f1": 1}}}


def test_expected_failure_only_for_kfp_parameters_over_the_argument_limit():
    big = Point("scaling", "s", workloads.SAMPLES / "scaling.py", "s", knobs={"chain": 1, "fan_out": 1, "payload_kb": 1000})
    small = Point("scaling", "s", workloads.SAMPLES / "scaling.py", "s", knobs={"chain": 1, "fan_out": 1, "payload_kb": 100})
    assert "128 KiB" in workloads.expected_failure(big, "kfp")
    assert workloads.expected_failure(big, "airflow") == ""
    assert workloads.expected_failure(small, "kfp") == ""
    assert workloads.matches_expected("OSError: [Errno 7] Argument list too long: 'sh'")


def test_decode_json_text_only_unwraps_objects_and_arrays():
    assert workloads.decode_json_text('{"a": [1, 2]}') == {"a": [1, 2]}
    assert workloads.decode_json_text("[1]") == [1]
    assert workloads.decode_json_text("0") == "0"
    assert workloads.decode_json_text("{not json") == "{not json"
    assert workloads.decode_json_text({"a": 1}) == {"a": 1}


def test_sweep_points_may_name_the_xcom_transport(tmp_path):
    from kfmigrate.compare.workloads import build_points, parse_sweep

    sweep = parse_sweep("2:1:1000,2:1:1000:artifact,2:1:1000:parameter")
    assert sweep == ({"chain": 2, "fan_out": 1, "payload_kb": 1000},
                     {"chain": 2, "fan_out": 1, "payload_kb": 1000, "transport": "artifact"})
    with pytest.raises(WorkloadError, match="transport must be parameter or artifact"):
        parse_sweep("2:1:1:files")
    parameter, artifact = build_points(["scaling"], tmp_path, sweep)
    assert (parameter.transport, artifact.transport) == ("parameter", "artifact")
    # one Airflow deployment holds every point's DAG: the ids must differ
    assert parameter.dag_id == "scaling_n2_w1_s1000kb" and artifact.dag_id == "scaling_n2_w1_s1000kb_artifact"
    assert 'dag_id="scaling_n2_w1_s1000kb_artifact"' in artifact.dag_file.read_text()
    assert artifact.knobs == parameter.knobs and artifact.label.endswith("(XCom as artifacts)")
    # only the parameter transport has KFP's argument cap
    assert expected_failure(parameter, "kfp") and not expected_failure(artifact, "kfp")


def test_long_payloads_are_compared_by_digest():
    from kfmigrate.compare.workloads import comparable

    point = Point("scaling", "s", SAMPLES / "scaling.py", "s")
    big = comparable(point, {"produce_payload": "x" * 5000, "other": {"nested": "y" * 5000}, "small": "z"})
    assert big["produce_payload"].startswith("<5000 chars, sha256 ") and big["small"] == "z"
    assert big["other"]["nested"].startswith("<5000 chars")
    assert comparable(point, {"produce_payload": "x" * 4999 + "y"}) != big


def test_arguments_that_look_like_paths_are_paths_never_workload_names(tmp_path, monkeypatch):
    from kfmigrate.compare.workloads import split_arguments

    monkeypatch.chdir(tmp_path)
    (tmp_path / "scaling").mkdir()  # a folder named like a built-in workload does not hide it
    assert split_arguments(("scaling",)) == ("scaling", [])

    dag = tmp_path / "etl.py"
    dag.write_text("")
    assert split_arguments(("ml-training", str(dag), str(tmp_path))) == ("ml-training", [dag, tmp_path])
    assert split_arguments(("scaling,ml_training",)) == ("scaling,ml_training", [])
    for missing in ("path/to/etl_sales_af2.py", "etl_sales_af2.py"):
        with pytest.raises(WorkloadError, match=f"{missing}: no such file or folder"):
            split_arguments((missing,))


def test_a_user_dag_runs_on_its_start_date_when_it_starts_later():
    from kfmigrate.compare.workloads import run_date
    from kfmigrate.migrate.report import MigrationReport

    def starting(date):
        return MigrationReport.from_json({"dag_id": "etl", "schedule": {"airflow": {"start_date": date}}})

    later = starting("2027-03-01T00:00:00+00:00")
    assert run_date(later) == "2027-03-01T00:00:00+00:00"
    assert run_date(starting("2024-01-01T00:00:00+00:00")) is None
    assert run_date(starting(None)) is None and run_date(later, "2028-01-01") == "2028-01-01"


def test_every_median_says_its_n_and_range():
    from kfmigrate.compare.measure import summarize
    from kfmigrate.compare.report import spread

    assert spread(summarize([1.5])) == "1.50 s (n=1)"
    assert spread(summarize([1.0, 2.0, 3.0])) == "2.00 s (1.00 s - 3.00 s, n=3)"
    assert spread(summarize([])) == "-"
