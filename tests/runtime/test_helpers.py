"""kfmigrate_runtime's helpers exercised directly, as components call them (fast, no kfp.local)."""
from __future__ import annotations

import json

import pytest

from kfmigrate_runtime import (
    _airflow_call_python, _airflow_render, _airflow_run_bash, _airflow_runtime, _airflow_should_skip, _kfp_outputs,
)


def make(logical_date="2024-03-05", params=None, xcom=None, task_id="t"):
    return _airflow_runtime("dag", task_id, logical_date, "", params or {}, xcom or {})


def test_context_dates_match_airflow_for_a_manual_run():
    airflow = make("2024-03-05T10:20:30+02:00")
    context = airflow.context
    assert context["ds"] == "2024-03-05" and context["ds_nodash"] == "20240305"
    assert context["ts"] == "2024-03-05T08:20:30+00:00"  # Airflow keeps dates in UTC
    assert context["ts_nodash_with_tz"] == "20240305T082030+0000"
    assert context["data_interval_start"] == context["data_interval_end"] == context["logical_date"]
    assert context["run_id"].startswith("manual__")
    assert _airflow_runtime("d", "t", "", "given", {}, {}).context["run_id"] == "given"


def test_context_dates_behave_like_pendulum():
    import pendulum

    ours = make("2024-01-31T10:20:30.000005").context["logical_date"]
    theirs = pendulum.datetime(2024, 1, 31, 10, 20, 30, 5, tz="UTC")
    checks = [
        lambda d: str(d), lambda d: str(d.add(months=1)), lambda d: str(d.subtract(days=31, hours=2)),
        lambda d: str(d.add(years=1, months=-13)), lambda d: d.to_date_string(), lambda d: d.to_datetime_string(),
        lambda d: d.int_timestamp, lambda d: str(d.start_of("month")), lambda d: str(d.start_of("week")),
        lambda d: str(d.end_of("day")), lambda d: str(d.in_timezone("Europe/Paris")),
        lambda d: d.format("YYYY-MM-DD HH:mm:ss"), lambda d: d.format("YYYYMMDD"), lambda d: d.day_of_week,
        lambda d: str(d + __import__("datetime").timedelta(days=1)), lambda d: d.isoformat(),
    ]
    for check in checks:
        assert check(ours) == check(theirs)


def test_render_follows_airflow_jinja_rules(monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_TARGET", "prod")
    monkeypatch.setenv("AIRFLOW_VAR_CONFIG", '{"a": 1}')
    context = make(params={"n": 2}, xcom={("up", "return_value"): {"k": "v"}}).context
    assert _airflow_render("plain\n", context) == "plain"  # Jinja drops one trailing newline
    assert _airflow_render({"{{ ds }}": ["{{ params.n * 2 }}", 3]}, context) == {"{{ ds }}": ["4", 3]}
    assert _airflow_render("{{ var.value.target }} {{ var.json.config.a }}", context) == "prod 1"
    assert _airflow_render("{{ ti.xcom_pull(task_ids='up')['k'] }}", context) == "v"
    assert _airflow_render("{{ macros.ds_add(ds, -5) }}", context) == "2024-02-29"
    with pytest.raises(Exception, match="undefined"):
        _airflow_render("{{ not_defined }}", context)
    with pytest.raises(KeyError, match="AIRFLOW_VAR_MISSING"):
        _airflow_render("{{ var.value.missing }}", context)
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE", "postgres://user:p%40ss@db.example:5432/sales?sslmode=require")
    monkeypatch.setenv("AIRFLOW_CONN_API", '{"conn_type": "http", "host": "api.example", "extra": {"token_env": "T"}}')
    rendered = _airflow_render("{{ conn.warehouse.login }}:{{ conn.warehouse.password }}@{{ conn.warehouse.host }}:"
                               "{{ conn.warehouse.port }}/{{ conn.warehouse.schema }} {{ conn.warehouse.extra_dejson.sslmode }} "
                               "{{ conn.api.host }} {{ conn.api.extra_dejson.token_env }}", context)
    assert rendered == "user:p@ss@db.example:5432/sales require api.example T"


def test_call_python_passes_context_args_and_collects_pushes():
    airflow = make(params={"p": 1})

    def callable_(a, b=0, ds=None, ti=None):
        ti.xcom_push(key="extra", value=[a, b])
        return f"{a}-{b}-{ds}"

    results, skipped = _airflow_call_python(airflow, callable_, [1], {"b": 2})
    assert (results, skipped) == ({"extra": [1, 2], "return_value": "1-2-2024-03-05"}, False)

    def skipper(**context):
        raise airflow.AirflowSkipException("not today")

    assert _airflow_call_python(airflow, skipper, [], {}) == ({}, True)
    results, _ = _airflow_call_python(make(), lambda: {"x": 1, "y": None}, [], {}, multiple_outputs=True)
    assert results == {"return_value": {"x": 1, "y": None}, "x": 1, "y": None}


def test_variable_get_reads_the_environment(monkeypatch):
    monkeypatch.setenv("AIRFLOW_VAR_LIMITS", '{"rows": 5}')
    variable = make().Variable
    assert variable.get("limits", deserialize_json=True) == {"rows": 5}
    assert variable.get("absent", default_var=None) is None  # Airflow 2 style default
    assert variable.get("absent", default="d") == "d"  # Airflow 3 (airflow.sdk) style default
    with pytest.raises(KeyError, match="AIRFLOW_VAR_ABSENT"):
        variable.get("absent")


def test_unwired_xcom_pull_fails_loudly():
    ti = make().context["ti"]
    with pytest.raises(Exception, match="not wired"):
        ti.xcom_pull(task_ids="elsewhere")


def test_bash_runner_env_cwd_exit_codes(tmp_path, monkeypatch):
    monkeypatch.setenv("OUTER", "outer")
    airflow = make()
    assert _airflow_run_bash(airflow, "echo $OUTER; echo last  ") == ({"return_value": "last"}, False)
    only_env = _airflow_run_bash(airflow, 'echo "${OUTER:-unset} $MINE $AIRFLOW_CTX_DAG_ID"', env={"MINE": "m"})
    assert only_env[0]["return_value"] == "unset m dag"  # env replaces the environment unless append_env
    appended = _airflow_run_bash(airflow, 'echo "$OUTER $MINE"', env={"MINE": "m"}, append_env=True)
    assert appended[0]["return_value"] == "outer m"
    assert _airflow_run_bash(airflow, "pwd", cwd=str(tmp_path))[0]["return_value"] == str(tmp_path)
    assert _airflow_run_bash(airflow, "echo x >&2")[0]["return_value"] == "x"  # stderr is merged, as in Airflow
    assert _airflow_run_bash(airflow, "exit 99") == ({}, True)
    assert _airflow_run_bash(airflow, "exit 3", skip_on_exit_code=[3, 4]) == ({}, True)
    with pytest.raises(Exception, match="non-zero exit code 99"):
        _airflow_run_bash(airflow, "exit 99", skip_on_exit_code=None)
    with pytest.raises(Exception, match="non-zero exit code 1"):
        _airflow_run_bash(airflow, "exit 1")


@pytest.mark.parametrize("rule,flags,expected", [
    ("all_success", [False, True], True), ("all_success", [False, False], False), ("all_success", [], False),
    ("none_skipped", [True], True), ("one_success", [True, False], False), ("one_success", [True, True], True),
    ("none_failed_min_one_success", [True, True], True), ("none_failed_min_one_success", [True, False], False),
    ("all_done", [True, True], False), ("none_failed", [True], False), ("always", [True], False),
    ("all_skipped", [True, True], False), ("all_skipped", [True, False], True), ("one_failed", [], True),
])
def test_trigger_rules_on_skipped_upstreams(rule, flags, expected):
    assert _airflow_should_skip(rule, flags) is expected


def test_outputs_encode_json_and_typed_values():
    spec = [("return_value", "json"), ("n", "int"), ("names", "list"), ("airflow_skipped", "skipped")]
    assert _kfp_outputs({"return_value": None, "n": 3, "names": ("a",)}, False, spec) == ("null", 3, ["a"], False)
    assert json.loads(_kfp_outputs({"return_value": {"a": [1, None]}}, False, spec[:1])[0]) == {"a": [1, None]}
    assert _kfp_outputs({}, True, spec) == ("null", 0, [], True)
    with pytest.raises(TypeError, match="declares int"):
        _kfp_outputs({"n": "3"}, False, [("n", "int")])
    with pytest.raises(TypeError):
        _kfp_outputs({"n": True}, False, [("n", "int")])
