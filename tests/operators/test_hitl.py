"""Human-in-the-loop operators: the waiting helper against a loopback Kubernetes API (ConfigMaps), with
the answer created by the real kubernetes client as kubectl would, and the converted example DAG's
approval and branch on kfp.local."""
from __future__ import annotations

import json
import threading
import time
import types

import pytest

from k8s_configmaps import ConfigMapServer
from operator_helpers import AIRFLOW_EXAMPLES, convert, report_of
from kfmigrate.migrate.emit import runtime

NAMESPACE = "team-a"


class FakeAirflow:
    class AirflowException(Exception):
        pass

    class AirflowSkipException(AirflowException):
        pass

    class AirflowFailException(AirflowException):
        pass

    def __init__(self, task_id="ask", run_id="manual__2024-03-05"):
        self.pushed = {}
        self.context = {"dag": types.SimpleNamespace(dag_id="Review_DAG"), "task": types.SimpleNamespace(task_id=task_id),
                        "run_id": run_id}


@pytest.fixture
def kube(tmp_path, monkeypatch):
    server = ConfigMapServer().start()
    token = tmp_path / "token"
    token.write_text(server.token + "\n")
    monkeypatch.setenv("KFMIGRATE_KUBE_API", server.url)
    monkeypatch.setenv("KFMIGRATE_KUBE_TOKEN_PATH", str(token))
    monkeypatch.setenv("KFP_NAMESPACE", NAMESPACE)
    yield server
    server.stop()
    assert server.violations == [], server.violations


def answer(server, task, wait=120.0, **data):
    """A person: wait for the task's request ConfigMap, then create its response with the kubernetes client."""
    from kubernetes import client

    def run():
        deadline = time.monotonic() + wait  # a loaded machine may take a while to reach the task
        while True:
            requests = [o for (ns, _name), o in list(server.objects.items()) if ns == NAMESPACE
                        and o["metadata"].get("labels", {}).get("kfmigrate.io/task") == task]
            if requests:
                break
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)
        configuration = client.Configuration(host=server.url, api_key={"authorization": server.token},
                                             api_key_prefix={"authorization": "Bearer"})
        api = client.CoreV1Api(client.ApiClient(configuration))
        name = requests[0]["metadata"]["name"] + "-response"
        api.create_namespaced_config_map(NAMESPACE, client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), data=data))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_answer_from_the_response_config_map(kube, capsys):
    person = answer(kube, "ask", chosen="option 2", count="7", note="looks fine", responded_by="ana")
    value = runtime._airflow_hitl_wait(
        FakeAirflow(), "Pick one for {{ ds }}", ["option 1", "option 2"], body="details",
        params={"count": {"default": 3, "type": None}, "note": {"default": "", "type": None}}, timeout=10, poke_interval=0.01)
    person.join()
    assert value["chosen_options"] == ["option 2"]
    assert value["params_input"] == {"count": 7, "note": "looks fine"}  # int param decoded, text kept
    assert value["responded_by_user"] == {"id": "ana", "name": "ana"}
    (request,) = [o for o in kube.objects.values() if o["metadata"].get("labels", {}).get("kfmigrate.io/hitl-request") == "true"]
    assert request["metadata"]["name"].startswith("airflow-hitl-review-dag-ask-")
    assert json.loads(request["data"]["options"]) == ["option 1", "option 2"] and request["data"]["body"] == "details"
    assert f"kubectl -n {NAMESPACE} create configmap {request['metadata']['name']}-response" in capsys.readouterr().out


def test_multiple_options_as_a_json_list_and_a_single_default(kube):
    answer(kube, "ask", chosen='["b", "c"]')
    value = runtime._airflow_hitl_wait(FakeAirflow(), "Pick", ["a", "b", "c"], multiple=True, timeout=10, poke_interval=0.01)
    assert value["chosen_options"] == ["b", "c"]


def test_timeout_takes_the_defaults_or_fails(kube):
    value = runtime._airflow_hitl_wait(FakeAirflow(run_id="r1"), "Pick", ["a", "b"], defaults=["b"],
                                       params={"n": {"default": 1, "type": None}}, timeout=0.05, poke_interval=0.01)
    assert value["chosen_options"] == ["b"] and value["params_input"] == {"n": 1} and value["responded_by_user"] is None
    airflow = FakeAirflow(run_id="r2")
    with pytest.raises(airflow.AirflowFailException, match="timeout has passed"):
        runtime._airflow_hitl_wait(airflow, "Pick", ["a", "b"], timeout=0.05, poke_interval=0.01)


def test_answers_outside_the_options_fail(kube):
    answer(kube, "ask", chosen="maybe")
    airflow = FakeAirflow()
    with pytest.raises(airflow.AirflowFailException, match=r"Responses \{'maybe'\} not in \['yes', 'no'\]"):
        runtime._airflow_hitl_wait(airflow, "Ok?", ["yes", "no"], timeout=10, poke_interval=0.01)


def test_each_run_has_its_own_request(kube):
    runtime._airflow_hitl_wait(FakeAirflow(run_id="first"), "Pick", ["a"], defaults=["a"], timeout=0.01, poke_interval=0.01)
    runtime._airflow_hitl_wait(FakeAirflow(run_id="second"), "Pick", ["a"], defaults=["a"], timeout=0.01, poke_interval=0.01)
    assert len(kube.objects) == 2


def test_example_dag_converts_without_placeholders():
    result = convert(AIRFLOW_EXAMPLES.parent / "providers" / "standard" / "example_dags" / "example_hitl_operator.py")
    fidelity = {t.task_id: t.fidelity for t in result.tasks}
    assert fidelity["wait_for_input"] == fidelity["choose_a_branch_to_run"] == fidelity["valid_input_and_options"] == "native"
    report = report_of(result, "wait_for_default_option")
    assert any(d.code == "KFM212" for d in report.diagnostics)
    assert "timeout=1.0" in result.python_source and "defaults=['option 7']" in result.python_source


@pytest.mark.slow
def test_approval_and_branch_on_kfp_local(kube, run_kfp):
    result = convert('''
from datetime import timedelta
from airflow.sdk import DAG, task
from airflow.providers.standard.operators.hitl import ApprovalOperator, HITLBranchOperator

with DAG("review", schedule=None):
    approve = ApprovalOperator(task_id="approve", subject="Ship?", response_timeout=timedelta(seconds=60))
    pick = HITLBranchOperator(task_id="pick", subject="Which?", options=["Fast", "Safe"],
                              options_mapping={"Fast": "fast"}, response_timeout=timedelta(seconds=60))

    @task
    def fast():
        return "fast"

    @task
    def Safe():
        return "safe"

    approve >> pick >> [fast(), Safe()]
''')
    answer(kube, "approve", chosen="Approve")
    answer(kube, "pick", chosen="Fast")
    run = run_kfp(result, run_id="review-1")
    assert run.state == "succeeded", "\n".join(run.by_task["pick"].log_tail[-8:])
    assert json.loads(run.returned["approve"])["chosen_options"] == ["Approve"]
    assert json.loads(run.returned["fast"]) == "fast"
    # the branch not chosen: skipped (flag) or not started at all (dsl.If), never run
    safe = run.by_task.get("Safe")
    assert safe is None or safe.outputs.get("airflow_skipped") is True or "return_value" not in safe.outputs, safe


def test_report_tells_how_to_answer():
    from kfmigrate.migrate.api import convert_file
    from kfmigrate.migrate.report import render_markdown

    example = AIRFLOW_EXAMPLES.parent / "providers" / "standard" / "example_dags" / "example_hitl_operator.py"
    (converted,) = convert_file(example, compile=False).conversions
    items = {item["task_id"]: item for item in converted.report.to_json()["human_input"]}
    assert set(items) == {"wait_for_input", "wait_for_option", "wait_for_multiple_options", "wait_for_default_option",
                          "valid_input_and_options", "choose_a_branch_to_run"}
    assert items["wait_for_input"]["answer"] == ("kubectl create configmap airflow-hitl-example-hitl-operator-wait-for-input-"
                                                 "<run hash>-response --from-literal=chosen='OK' --from-literal=information=<value>")
    assert items["wait_for_multiple_options"]["answer"].endswith("--from-literal=chosen='[\"option 4\"]'")
    assert items["valid_input_and_options"]["options"] == ["Approve", "Reject"]
    assert "kubectl get configmaps -l kfmigrate.io/dag=example-hitl-operator,kfmigrate.io/task=choose-a-branch-to-run" in \
        render_markdown(converted.report)


@pytest.mark.slow
def test_reject_skips_the_direct_downstream_task_on_kfp_local(kube, run_kfp):
    result = convert('''
from airflow.sdk import DAG, task
from airflow.providers.standard.operators.hitl import ApprovalOperator

with DAG("gate", schedule=None):
    approve = ApprovalOperator(task_id="approve", subject="Ship?")

    @task
    def ship():
        return "shipped"

    @task(trigger_rule="none_failed")
    def report():
        return "reported"

    approve >> ship() >> report()
''')
    answer(kube, "approve", chosen="Reject", responded_by="ana")
    run = run_kfp(result, run_id="gate-1")
    assert run.state == "succeeded", "\n".join(run.by_task["approve"].log_tail[-8:])
    decision = json.loads(run.returned["approve"])
    assert decision["chosen_options"] == ["Reject"] and decision["responded_by_user"]["name"] == "ana"
    ship = run.by_task.get("ship")
    assert ship is None or ship.outputs.get("airflow_skipped") is True or "return_value" not in ship.outputs, ship
    # Airflow: only the direct downstream task is skipped; none_failed still runs after a skipped upstream
    assert json.loads(run.returned["report"]) == "reported"
