"""Names in generated code (migrate/naming.py), shared by the mappers and the emitter."""
from kfmigrate.migrate.naming import BODY_NAMES, identifier, k8s_name, pipeline_name, unique, yaml_name


def test_identifiers_from_any_text():
    assert identifier("Extract-Data.v2") == "extract_data_v2"
    assert identifier("2nd step", "task") == "task_2nd_step"
    assert identifier("class") == "class_" and identifier("match") == "match_"
    assert identifier("---", "param") == "param"


def test_unique_names_claim_the_first_free_one():
    taken = {"results", "value", "value_2"}
    assert unique("value", taken) == "value_3" and "value_3" in taken
    assert unique("other", taken) == "other"
    assert "results" in BODY_NAMES and "xcom" in BODY_NAMES


def test_kfp_and_file_names():
    assert pipeline_name("My DAG__v1!") == "my-dag-v1" and pipeline_name("___") == "pipeline"
    assert len(pipeline_name("x" * 300)) == 128
    assert k8s_name("extract_data_2") == "extract-data-2"
    assert yaml_name("etl/daily run") == "etl_daily_run.yaml"
