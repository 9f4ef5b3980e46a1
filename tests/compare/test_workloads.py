"""compare.workloads: the scaling generator, sweep parsing, agreement diffs and known limits."""
import ast

import pytest

from compare import workloads
from compare.workloads import Point, WorkloadError


def test_scaling_source_sets_the_knobs_and_names_the_dag():
    template = (workloads.SAMPLES / "scaling.py").read_text()
    source = workloads.scaling_source(template, chain=7, fan_out=3, payload_kb=50)
    ast.parse(source)
    assert "\nCHAIN_LENGTH = 7\n" in source and "\nFAN_OUT = 3\n" in source and "\nPAYLOAD_KB = 50\n" in source
    assert 'dag_id="scaling_n7_w3_s50kb"' in source
    with pytest.raises(WorkloadError):
        workloads.scaling_source("CHAIN_LENGTH = 1\n", 1, 1, 1)


def test_build_points_writes_one_dag_per_sweep_point(tmp_path):
    sweep = workloads.parse_sweep("chain=5;payload_kb=10")
    points = workloads.build_points(["ml-training", "scaling"], tmp_path, sweep)
    assert [p.label for p in points] == ["ml-training", "scaling N=1 W=1 S=0KB", "scaling N=5 W=1 S=0KB",
                                         "scaling N=1 W=1 S=10KB"]
    assert points[0].dag_file == workloads.SAMPLES / "ml_training.py"
    for point in points[1:]:
        assert point.dag_file.parent == tmp_path / "dags" and point.dag_file.is_file()
        assert point.dag_id in point.dag_file.read_text()


def test_parse_workloads_and_sweep_errors():
    assert workloads.parse_workloads(None) == list(workloads.DEFAULT_WORKLOADS)
    assert workloads.parse_workloads("scaling,ml_training") == ["ml-training", "scaling"]
    assert workloads.parse_workloads("all") == list(workloads.WORKLOADS)
    with pytest.raises(WorkloadError, match="unknown workload nope"):
        workloads.parse_workloads("nope")
    for bad in ("chain", "depth=3", "chain=x", "chain=0", "payload_kb=-1"):
        with pytest.raises(WorkloadError):
            workloads.parse_sweep(bad)
    assert workloads.parse_sweep("payload_kb=0,5") == ({"chain": 1, "fan_out": 1, "payload_kb": 0},
                                                       {"chain": 1, "fan_out": 1, "payload_kb": 5})


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
