"""Container components (ComponentPlan.container) and Kubernetes settings (ComponentPlan.platform).

A test-only mapper stands in for the container operator families; the compiled PipelineSpec (the
first YAML document) and its platform spec (the second) must carry what the plan says.
"""
from __future__ import annotations

import pytest
import yaml

from kfmigrate.migrate import ir, operators
from kfmigrate.migrate.emit import compile_yaml, emit
from kfmigrate.migrate.operators import ComponentPlan, ContainerSpec, PlatformConfig
from emit_ir import bash, callable_source, python, span, workflow


def pod(task_id, **args):
    values = {k: v if isinstance(v, (ir.Literal, ir.Template, ir.TaskOutput, ir.ParamRef)) else ir.Literal(v)
              for k, v in args.items()}
    return ir.Task(task_id, "TestPodOperator", "tests.pods", values, span(40), f"TestPodOperator(task_id={task_id!r})")


def map_test_pod(task, ctx):
    args = task.args
    platform = PlatformConfig(**args["platform"].value) if "platform" in args else PlatformConfig()
    return ComponentPlan(
        mapping="TestPodOperator -> container component",
        container=ContainerSpec(args["image"], [ir.Literal(c) for c in args["cmds"].value] if "cmds" in args else [],
                                [args[k] for k in sorted(args) if k.startswith("arg")]),
        platform=platform,
    )


@pytest.fixture(autouse=True)
def test_pod_mapper(monkeypatch):
    operators.discover()
    monkeypatch.setitem(operators._REGISTRY, "TestPodOperator", map_test_pod)


def documents(result):
    docs = list(yaml.safe_load_all(compile_yaml(result)))
    return docs[0], (docs[1] if len(docs) > 1 else None)


def executor(spec, result, task_id):
    kfp_task = next(t.kfp_task for t in result.tasks if t.task_id == task_id)
    component = spec["root"]["dag"]["tasks"][kfp_task]["componentRef"]["name"]
    label = spec["components"][component]["executorLabel"]
    return kfp_task, spec["deploymentSpec"]["executors"][label]


def test_container_component_resolves_params_and_reports_other_templates():
    wf = workflow("pods", [
        pod("run.pod", image="alpine:3.20", cmds=["sh", "-c"],
            arg1=ir.Template("echo {{ params.who }} in {{ dag.dag_id }}/{{ task.task_id }} {x}"),
            arg2=ir.Template("{{ ds }}"), arg3=ir.ParamRef("count"), arg4=7),
    ], params=[ir.Param("who", "world", "str"), ir.Param("count", 2, "int")])
    result = emit(wf)
    source = result.python_source
    assert "@dsl.container_component" in source
    assert "f'echo {who} in pods/run.pod {{x}}'" in source
    spec, _platform = documents(result)
    kfp_task, exe = executor(spec, result, "run.pod")
    container = exe["container"]
    assert container["image"] == "alpine:3.20"
    assert container["command"] == ["sh", "-c"]
    assert container["args"] == [
        "echo {{$.inputs.parameters['who']}} in pods/run.pod {x}", "{{ ds }}",
        "{{$.inputs.parameters['count']}}", "7"]
    inputs = spec["root"]["dag"]["tasks"][kfp_task]["inputs"]["parameters"]
    assert inputs["who"] == {"componentInputParameter": "who"}
    assert inputs["count"] == {"componentInputParameter": "count"}
    report = next(t for t in result.tasks if t.task_id == "run.pod")
    assert [d.code for d in report.diagnostics] == ["KFM203"]
    assert "{{ ds }}" in report.diagnostics[0].message
    assert any("kfp.local" in d for d in report.differences)


def test_xcom_into_a_container_and_container_outputs_read_as_none():
    produce = callable_source('''
        def produce():
            return "hello"
    ''')
    consume = callable_source('''
        def consume(ti):
            return ti.xcom_pull(task_ids="pod")
    ''')
    wf = workflow("xpods", [
        python("produce", produce),
        pod("pod", image="busybox", arg1=ir.TaskOutput("produce")),
        python("consume", consume),
    ], [("produce", "pod"), ("pod", "consume")])
    result = emit(wf)
    spec, _ = documents(result)
    kfp_task, exe = executor(spec, result, "pod")
    assert exe["container"]["args"] == ["{{$.inputs.parameters['produce__return_value']}}"]
    wired = spec["root"]["dag"]["tasks"][kfp_task]["inputs"]["parameters"]["produce__return_value"]
    assert wired["taskOutputParameter"]["producerTask"] == "produce"
    consumer = next(t for t in result.tasks if t.task_id == "consume")
    assert any(d.code == "KFM204" and "container task 'pod'" in d.message for d in consumer.diagnostics)
    assert spec["root"]["dag"]["tasks"]["consume"]["dependentTasks"] == ["pod"]


def test_platform_settings_reach_the_platform_spec():
    platform = dict(
        env={"MODE": ir.Literal("fast"), "DAG": ir.Template("{{ dag.dag_id }}"), "DAY": ir.Template("{{ ds }}")},
        secret_env=[("db-creds", {"password": "DB_PASSWORD"})],
        secret_volumes=[("tls", "/etc/tls")],
        config_map_env=[("settings", {"level": "LOG_LEVEL"})],
        config_map_volumes=[("files", "/etc/files")],
        pvc_mounts=[("data-claim", "/data")],
        empty_dirs=[("scratch", "/scratch")],
        node_selector={"pool": "gpu"},
        tolerations=[{"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}],
        node_affinity=[{"match_expressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}],
        image_pull_secrets=["regcred"],
        labels={"team": "ml"},
        annotations={"owner": "data"},
        cpu_request="500m", cpu_limit="2", memory_request="256Mi", memory_limit="1Gi",
        image_pull_policy="Always",
    )
    wf = workflow("k8s", [pod("pod", image="alpine", cmds=["true"], platform=platform)])
    result = emit(wf)
    assert "from kfp import kubernetes" in result.python_source
    spec, platform_spec = documents(result)
    _kfp_task, exe = executor(spec, result, "pod")
    container = exe["container"]
    assert {e["name"]: e["value"] for e in container["env"]} == {"MODE": "fast", "DAG": "k8s"}
    resources = container["resources"]
    assert (resources["resourceCpuRequest"], resources["resourceCpuLimit"]) == ("500m", "2")
    assert (resources["resourceMemoryRequest"], resources["resourceMemoryLimit"]) == ("256Mi", "1Gi")
    k8s = next(iter(platform_spec["platforms"]["kubernetes"]["deploymentSpec"]["executors"].values()))
    assert k8s["secretAsEnv"][0]["secretName"] == "db-creds"
    assert k8s["secretAsEnv"][0]["keyToEnv"] == [{"secretKey": "password", "envVar": "DB_PASSWORD"}]
    assert k8s["secretAsVolume"][0]["mountPath"] == "/etc/tls"
    assert k8s["configMapAsEnv"][0]["keyToEnv"] == [{"configMapKey": "level", "envVar": "LOG_LEVEL"}]
    assert k8s["configMapAsVolume"][0]["configMapName"] == "files"
    assert k8s["pvcMount"][0]["mountPath"] == "/data"
    assert k8s["emptyDirMounts"] == [{"volumeName": "scratch", "mountPath": "/scratch"}]
    assert k8s["nodeSelector"]["labels"] == {"pool": "gpu"}
    assert k8s["tolerations"] == [{"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}]
    assert k8s["nodeAffinity"][0]["matchExpressions"][0]["values"] == ["a", "b"]
    assert k8s["imagePullSecret"][0]["secretName"] == "regcred"
    assert k8s["podMetadata"] == {"labels": {"team": "ml"}, "annotations": {"owner": "data"}}
    assert k8s["imagePullPolicy"] == "Always"
    report = next(t for t in result.tasks if t.task_id == "pod")
    assert any(d.code == "KFM203" and "DAY" in d.message for d in report.diagnostics)


def test_platform_settings_apply_to_python_components_too(monkeypatch):
    from kfmigrate.migrate.operators import find_mapper

    bash_mapper = find_mapper("BashOperator")

    def with_label(task, ctx):
        plan = bash_mapper(task, ctx)
        plan.platform = PlatformConfig(labels={"kind": "bash"}, cpu_limit="1")
        return plan

    monkeypatch.setitem(operators._REGISTRY, "BashOperator", with_label)
    result = emit(workflow("labels", [bash("hi", "echo hi")]))
    spec, platform_spec = documents(result)
    _t, exe = executor(spec, result, "hi")
    assert exe["container"]["resources"]["resourceCpuLimit"] == "1"
    k8s = next(iter(platform_spec["platforms"]["kubernetes"]["deploymentSpec"]["executors"].values()))
    assert k8s["podMetadata"]["labels"] == {"kind": "bash"}


def test_container_after_a_branch_runs_behind_a_gate(run_local):
    """A container cannot read skip flags: a gate task decides and dsl.If/Else runs it or a no-op."""
    choose = callable_source('''
        def choose():
            return "other"
    ''')
    after = callable_source('''
        def after():
            return "after"
    ''')
    wf = workflow("gated", [
        python("pick", choose, operator="BranchPythonOperator"),
        pod("pod", image="alpine", cmds=["true"]),
        python("other", callable_source('''
            def other():
                return 1
        ''')),
        python("after_pod", after),
    ], [("pick", "pod"), ("pick", "other"), ("pod", "after_pod")])
    result = emit(wf)
    source = result.python_source
    assert "pod_gate_task = pod_gate(pick_follow=pick_task.outputs['airflow_follow'])" in source
    assert "with dsl.If(pod_gate_task.outputs['airflow_skipped'] == False):" in source
    assert "pod_skipped=pod_gate_task.outputs['airflow_skipped']" in source  # dependants read the gate's decision
    spec, _ = documents(result)
    assert any("condition-branches" in name for name in spec["root"]["dag"]["tasks"])
    run = run_local(result)  # the container is not chosen: kfp.local never has to start it
    assert run.outputs["pod-gate"]["airflow_skipped"] is True
    assert run.outputs["after-pod"]["airflow_skipped"] is True
    assert run.outputs["other"]["airflow_skipped"] is False
