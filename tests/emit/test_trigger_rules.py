"""Trigger rules that see failed upstream tasks: failures carried as data (airflow_state).

The sample DAG control_flow_trigger_rules runs on real Airflow (dag.test) and its conversion on real
kfp.local: every task must end in the same state (failed and upstream_failed included) and the run
in the same final state. The compiled pipelines must be accepted by the KFP backend's own compiler
(tests/kfp_backend), which rejects a task depending on an ignore_upstream_failure() task.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kfmigrate.migrate.emit import compile_yaml, emit, runtime
from kfmigrate.migrate.parse import parse_source

from test_control_flow import SAMPLES, run_both

SAMPLE = SAMPLES / "control_flow_trigger_rules.py"


def backend_verdicts(binary: str, tmp_path: Path, yaml_texts: dict) -> dict:
    """name -> "OK" or the KFP backend's rejection, from the backend conformance check (the backend_check
    fixture of tests/conftest.py)."""
    paths = []
    for name, text in yaml_texts.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        paths.append(str(path))
    done = subprocess.run([binary, *paths], capture_output=True, text=True, timeout=300)
    verdicts = {}
    for line in done.stdout.splitlines():
        verdict, _, rest = line.partition(" ")
        path, _, message = rest.partition(": ")
        verdicts[Path(path).stem] = "OK" if verdict == "OK" else message
    return verdicts


def convert(text: str):
    parsed = parse_source(text, path="dags/rules.py")
    assert len(parsed.workflows) == 1, [d.render() for d in parsed.diagnostics]
    return emit(parsed.workflows[0])


# ---------------------------------------------------------------- Airflow's rules on states
@pytest.mark.parametrize("rule,states,expected", [
    ("all_success", ["success", "failed"], "upstream_failed"),
    ("all_success", ["success", "upstream_failed"], "upstream_failed"),
    ("all_success", ["success", "skipped"], "skipped"),
    ("all_failed", ["failed", "upstream_failed"], "run"),
    ("all_failed", ["failed", "success"], "skipped"),
    ("one_success", ["failed", "success"], "run"),
    ("one_success", ["failed", "skipped"], "upstream_failed"),
    ("one_success", ["skipped", "skipped"], "skipped"),
    ("one_failed", ["success", "upstream_failed"], "run"),
    ("one_failed", ["success", "skipped"], "skipped"),
    ("one_done", ["upstream_failed", "skipped"], "skipped"),  # upstream_failed is not "done" for one_done
    ("one_done", ["failed", "skipped"], "run"),
    ("none_failed", ["skipped", "success"], "run"),
    ("none_failed", ["skipped", "upstream_failed"], "upstream_failed"),
    ("none_failed_min_one_success", ["skipped", "skipped"], "skipped"),
    ("none_failed_min_one_success", ["skipped", "run"], "run"),  # a removed task that ran
    ("none_skipped", ["failed", "success"], "run"),
    ("all_skipped", ["skipped", "failed"], "skipped"),
    ("all_done_min_one_success", ["failed", "upstream_failed"], "upstream_failed"),
    ("all_done", ["failed", "upstream_failed"], "run"),
    ("always", ["failed"], "run"),
])
def test_trigger_rules_decide_on_states_as_airflow(rule, states, expected):
    assert runtime._airflow_trigger(rule, states) == expected


def test_teardown_rule_looks_at_its_setups():
    assert runtime._airflow_trigger("all_done_setup_success", ["failed", "success"], ["success"]) == "run"
    assert runtime._airflow_trigger("all_done_setup_success", ["failed", "failed"], ["failed"]) == "upstream_failed"
    assert runtime._airflow_trigger("all_done_setup_success", ["skipped", "skipped"], ["skipped"]) == "skipped"
    assert runtime._airflow_trigger("all_done_setup_success", ["failed"], []) == "run"


def test_only_the_last_attempt_records_a_failure():
    error = ValueError("boom")
    assert not runtime._airflow_failed_for_good(error, 2, 1)
    assert not runtime._airflow_failed_for_good(error, 2, 2)
    assert runtime._airflow_failed_for_good(error, 2, 3)
    fail_now = type("AirflowFailException", (Exception,), {})()  # Airflow does not retry it
    assert runtime._airflow_failed_for_good(fail_now, 2, 1)


def test_dag_run_state_fails_on_a_failed_or_upstream_failed_leaf():
    runtime._airflow_dag_run_state({"a": ["success"], "m": ["skipped", "success"]})
    with pytest.raises(RuntimeError, match=r"m \(success/upstream_failed\)"):
        runtime._airflow_dag_run_state({"a": ["success"], "m": ["success", "upstream_failed"]})


# ---------------------------------------------------------------- emitted shape
def test_the_sample_needs_no_exit_task_and_reads_states(tmp_path, backend_check):
    result = convert(SAMPLE.read_text())
    source = result.python_source
    assert ".ignore_upstream_failure()" not in source
    assert "_airflow_trigger('all_failed', [breaks_state])" in source
    assert "_airflow_dag_run_state({" in source
    # a retried task counts its attempts: only its last one records a failure
    assert "_airflow_failed_for_good(_error, 1, _airflow.context['ti'].try_number)" in source
    rows = {t.task_id: t for t in result.tasks}
    assert not [d for t in result.tasks for d in t.diagnostics if d.code == "KFM205"]
    assert any("Failure as data" in d for d in rows["breaks"].differences)
    verdicts = backend_verdicts(backend_check, tmp_path, {"sample": compile_yaml(result)})
    assert verdicts == {"sample": "OK"}


CONTAINER_LEAF = '''
from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.standard.operators.python import BranchPythonOperator
from airflow.providers.standard.operators.bash import BashOperator

with DAG("container_leaf", schedule=None):
    pick = BranchPythonOperator(task_id="pick", python_callable=lambda: "pod")
    pod = KubernetesPodOperator(task_id="pod", image="busybox", cmds=["true"])
    cleanup = BashOperator(task_id="cleanup", bash_command="echo done", trigger_rule="all_done")
    other = KubernetesPodOperator(task_id="other", image="busybox", cmds=["true"])
    last = BashOperator(task_id="last", bash_command="echo last", trigger_rule="all_done")
    pick >> pod >> cleanup
    other >> last
'''


def test_exit_tasks_only_on_true_leaves_outside_groups(tmp_path, backend_check):
    """Container tasks cannot record a failure: an all_done task after one keeps ignore_upstream_failure()
    only where KFP's exit-task semantics hold (a leaf, in no dsl.If), never in a group of its own."""
    result = convert(CONTAINER_LEAF)
    source = result.python_source
    assert "last_task.ignore_upstream_failure()" in source
    assert "cleanup_task.ignore_upstream_failure()" not in source  # inside pick's dsl.If
    rows = {t.task_id: t for t in result.tasks}
    assert "KFM205" in {d.code for d in rows["cleanup"].diagnostics}
    verdicts = backend_verdicts(backend_check, tmp_path, {"container_leaf": compile_yaml(result)})
    assert verdicts == {"container_leaf": "OK"}


# ---------------------------------------------------------------- against real Airflow
@pytest.mark.parametrize("fail,run_state", [("all", "failed"), ("absorbed", "success"), ("none", "success")])
def test_trigger_rules_after_failures_match_airflow(fail, run_state):
    """Every task ends as in Airflow (failed, upstream_failed, skipped, ran) and so does the run."""
    report, airflow_run, kfp_run, rows, differences = run_both(SAMPLE, {"fail": fail})
    assert differences == []
    assert airflow_run.state == run_state
    assert kfp_run.state == {"success": "succeeded", "failed": "failed"}[run_state]
    states = {row.task: row.kfp_state for row in rows}
    assert states["flaky"] == "ran" and kfp_run.tasks["flaky"].attempts == 2  # retried, not recorded on try 1
    if fail == "all":
        assert states["breaks"] == "failed" and kfp_run.tasks["breaks"].attempts == 2
        assert states["after_on_none_failed"] == states["after_breaks"] == "upstream_failed"
        assert states["on_one_failed"] == states["in_branch_cleanup"] == states["doubled_done"] == "ran"
        assert states["per_item.item_work[1]"] == "failed" and states["per_item.item_after[1]"] == "ran"
    elif fail == "absorbed":
        assert states["absorbed"] == "failed" and states["absorbed_cleanup"] == "ran"
    else:
        assert states["on_one_failed"] == "skipped" and states["on_all_failed"] == "skipped"
