"""The comparison rules of verify on engine results built directly (no engines run here)."""
from kfmigrate.compare.engines.airflow import DagRun, TaskRun as AirflowTask
from kfmigrate.compare.engines.kfp_local import PipelineRun, TaskRun as KfpTask
from kfmigrate.compare.verify import compare_runs
from kfmigrate.migrate.report import MigrationReport


def airflow(name, state, value=None, pushed=True, **extra):
    task_id, _, rest = name.partition("[")
    return AirflowTask(name=name, task_id=task_id, map_index=int(rest[:-1]) if rest else -1, state=state,
                       xcom_return=value, has_xcom_return=pushed and value is not None, **extra)


def kfp(name, state, outputs=None, reason=""):
    return KfpTask(name=name, display_name=name.split("[")[0], state=state, outputs=outputs or {}, reason=reason)


def runs(airflow_tasks, kfp_tasks):
    return (DagRun(dag_id="d", state="success", wall_seconds=1.0, tasks={t.name: t for t in airflow_tasks}),
            PipelineRun(pipeline_name="d", state="succeeded", wall_seconds=1.0, tasks={t.name: t for t in kfp_tasks}))


def report(*tasks):
    return MigrationReport.from_json(
        {"dag_id": "d", "tasks": [dict(task_id=t, kfp_task=k, fidelity=f, outputs=o, operator=op) for t, k, f, o, op in tasks]})


def test_mapped_tasks_compare_per_index_and_skip_flags_count_as_skipped():
    rep = report(("m", "m-task", "native", {"return_value": "return_value"}, "PythonOperator"),
                 ("later", "later", "native", {}, "BashOperator"))
    a, k = runs([airflow("m[0]", "success", 1), airflow("m[1]", "success", 2), airflow("later", "skipped")],
                [kfp("m-task[0]", "succeeded", {"return_value": "1"}), kfp("m-task[1]", "succeeded", {"return_value": "3"}),
                 kfp("later", "succeeded", {"airflow_skipped": True})])
    rows, differences = compare_runs(rep, a, k)
    status = {r.task: r.status for r in rows}
    assert status == {"m[0]": "same", "m[1]": "different", "later": "same"}
    assert differences == ["m[1]: XCom 'return_value': Airflow 2, KFP 3"]


def test_mapped_task_in_a_dsl_if_not_entered_is_skipped_like_airflows_expanded_instances():
    """Airflow expands a literal .expand(x=[1, 2]) even for a task a branch skips; KFP does not enter
    the dsl.If and shows one unexpanded skipped instance: the same outcome."""
    rep = report(("work", "work", "native", {"return_value": "return_value"}, "@task"))
    a, k = runs([airflow("work[0]", "skipped"), airflow("work[1]", "skipped")],
                [kfp("work", "skipped", reason="condition evaluated to false")])
    rows, differences = compare_runs(rep, a, k)
    assert [(r.task, r.status) for r in rows] == [("work", "same")] and differences == []
    # one index that ran on Airflow is a real difference
    a, _ = runs([airflow("work[0]", "skipped"), airflow("work[1]", "success", 2)], [])
    rows, differences = compare_runs(rep, a, k)
    assert {r.task: r.status for r in rows} == {"work": "different", "work[0]": "different", "work[1]": "different"}


def test_removed_missing_and_placeholder_tasks():
    rep = report(("start", None, "removed", {}, "EmptyOperator"),
                 ("wait", "wait", "placeholder", {}, "SqlSensor"),
                 ("gone", "gone", "native", {}, "PythonOperator"))
    a, k = runs([airflow("start", "success"), airflow("wait", "failed"), airflow("gone", "success"),
                 airflow("extra", "success")],
                [kfp("wait", "failed")])
    rows, differences = compare_runs(rep, a, k)
    status = {r.task: r.status for r in rows}
    assert status == {"start": "removed", "wait": "not_run_locally", "gone": "different", "extra": "different"}
    assert "gone: outcome: Airflow ran (success), KFP missing" in differences
    assert "extra: ran on Airflow but the conversion has no such task" in differences


def test_none_return_and_unpushed_xcoms():
    rep = report(("t", "t", "native", {"return_value": "return_value", "count": "count"}, "PythonOperator"))
    a, k = runs([airflow("t", "success", None, xcoms={"count": 3, "other": 1, "skipmixin_key": {}})],
                [kfp("t", "succeeded", {"return_value": "null", "count": "3"})])
    rows, differences = compare_runs(rep, a, k)
    assert differences == []
    assert rows[0].notes == ["XCom 'other' is not carried by the conversion (nothing reads it downstream)"]


def test_airflow_running_no_task_is_incomplete_not_a_difference(tmp_path):
    from kfmigrate.compare.verify import verify_conversion

    rep = report(("t", "t", "native", {}, "PythonOperator"))
    rep.schedule.airflow.start_date = "2026-01-01T00:00:00+00:00"
    a, _ = runs([], [])
    a.logical_date = "2024-03-05T00:00:00+00:00"
    spec = {"root": {"dag": {"tasks": {}}, "inputDefinitions": {"parameters": {}}}}
    result = verify_conversion(tmp_path / "d.py", "d", spec, rep, airflow_run=a)
    assert result.verdict == "incomplete" and result.differences == []
    assert "start_date is 2026-01-01" in result.problems[0]


def test_a_failure_says_why():
    rep = report(("t", "t", "native", {}, "PythonOperator"))
    failed = kfp("t", "failed")
    failed.log_tail = ["Traceback (most recent call last):", "  File \"c.py\", line 3", "KeyError: 'outlet_events'", ""]
    a, k = runs([airflow("t", "success")], [failed])
    rows, differences = compare_runs(rep, a, k)
    assert differences == ["t: outcome: Airflow ran (success), KFP failed"]
    assert rows[0].notes == ["KFP failure: KeyError: 'outlet_events'"]


def test_rendered_fields_compared_with_what_airflow_kept():
    """Rendered fields: merged log lines of the last attempt; masked and truncated values compared
    for the part Airflow kept; dotted renderer paths reach inside; unreported fields are notes."""
    rep = report(("t", "t", "native", {}, "BashOperator"))
    truncated = "Truncated. You can change this behaviour in [core]max_templated_field_length. echo aaa..."
    rendered = {"bash_command": truncated, "env": {"TOKEN": "***", "URL": "http://u:***@h"},
                "op_kwargs.x": 1, "cwd": None, "sql": "select 1", "op_args": ["LazyXComSequence(<unevaluated length>)"]}
    task = kfp("t", "succeeded")
    task.log_tail = ['[kfmigrate] rendered {"bash_command": "wrong"}', "--- attempt 2",
                     '[kfmigrate] rendered {"bash_command": "echo aaaa bbb", "cwd": null}',
                     '[kfmigrate] rendered {"env": {"TOKEN": "t0k3n", "URL": "http://u:pw@h"}, "op_kwargs": {"x": 1}, '
                     '"op_args": [[1, 2]]}']
    a, k = runs([airflow("t", "success", rendered_fields=rendered)], [task])
    rows, differences = compare_runs(rep, a, k)
    assert differences == []
    assert rows[0].notes == ["rendered bash_command: truncated by Airflow; the part it kept matches",
                             "rendered env: masked as a secret; not compared",
                             "rendered op_args: Airflow stores a lazy sequence of mapped outputs, not its values; not compared",
                             "rendered fields not observable on KFP: sql"]
    task.log_tail[-1] = '[kfmigrate] rendered {"env": {"TOKEN": "x", "URL": "http://v:pw@h"}, "op_kwargs": {"x": 2}, "op_args": [[1]]}'
    rows, differences = compare_runs(rep, a, k)
    assert differences == ['t: rendered env: Airflow {"TOKEN": "***", "URL": "http://u:***@h"}, '
                           'KFP {"TOKEN": "x", "URL": "http://v:pw@h"}', "t: rendered op_kwargs.x: Airflow 1, KFP 2"]


def test_tasks_needing_a_cluster_and_what_they_block_are_not_run_locally():
    rep = report(("trigger", "trigger", "native", {}, "TriggerDagRunOperator"),
                 ("gate", None, "removed", {}, "EmptyOperator"),
                 ("after", "after", "native", {}, "BashOperator"),
                 ("other", "other", "native", {}, "BashOperator"))
    rep.tasks[1].upstream, rep.tasks[2].upstream = ["trigger"], ["gate"]
    a, k = runs([airflow("trigger", "success"), airflow("gate", "success"), airflow("after", "success"),
                 airflow("other", "success")],
                [kfp("trigger", "failed"), kfp("after", "not_run"), kfp("other", "not_run")])
    rows, differences = compare_runs(rep, a, k)
    status = {r.task: r.status for r in rows}
    assert status == {"trigger": "not_run_locally", "gate": "removed", "after": "not_run_locally",
                      "other": "different"}  # nothing upstream of 'other' excuses it
    assert differences == ["other: outcome: Airflow ran (success), KFP upstream_failed"]


def test_tasks_not_reached_after_an_unrelated_failure_are_not_compared():
    """KFP starts nothing after a failure: an unrelated task it never reached is not compared (the
    verdict cannot be equivalent), while the failed task's own downstream keeps its comparison."""
    rep = report(("bad", "bad", "native", {}, "BashOperator"), ("child", "child", "native", {}, "BashOperator"),
                 ("unrelated", "unrelated", "native", {}, "BashOperator"))
    rep.tasks[1].upstream = ["bad"]
    unreached = "not reached: the run failed first"
    a, k = runs([airflow("bad", "success"), airflow("child", "success"), airflow("unrelated", "success")],
                [kfp("bad", "failed"), kfp("child", "not_run", reason=unreached),
                 kfp("unrelated", "not_run", reason=unreached)])
    rows, differences = compare_runs(rep, a, k)
    assert {r.task: r.status for r in rows} == {"bad": "different", "child": "different", "unrelated": "not_compared"}
    assert differences == ["bad: outcome: Airflow ran (success), KFP failed",
                           "child: outcome: Airflow ran (success), KFP upstream_failed"]
