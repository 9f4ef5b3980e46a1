"""KubernetesPodOperator / DockerOperator / @task.kubernetes: plans and the compiled platform spec."""
from __future__ import annotations

import yaml

from operator_helpers import convert, report_of

KPO_DAG = '''
from datetime import datetime
from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.secret import Secret
from kubernetes.client import models as k8s

volumes = [
    k8s.V1Volume(name="data", persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name="shared")),
    k8s.V1Volume(name="settings", config_map=k8s.V1ConfigMapVolumeSource(name="app-settings")),
    k8s.V1Volume(name="keys", secret=k8s.V1SecretVolumeSource(secret_name="ssh-keys")),
    k8s.V1Volume(name="scratch", empty_dir=k8s.V1EmptyDirVolumeSource()),
    k8s.V1Volume(name="host", host_path=k8s.V1HostPathVolumeSource(path="/var/log")),
]
mounts = [
    k8s.V1VolumeMount(name="data", mount_path="/data", sub_path="in"),
    k8s.V1VolumeMount(name="settings", mount_path="/etc/app"),
    k8s.V1VolumeMount(name="keys", mount_path="/keys", read_only=True),
    k8s.V1VolumeMount(name="scratch", mount_path="/scratch"),
    k8s.V1VolumeMount(name="host", mount_path="/host-logs"),
]

with DAG("kpo_full", start_date=datetime(2024, 1, 1), schedule=None, params={"size": "big"}):
    KubernetesPodOperator(
        task_id="job",
        image="registry.example.com/job:{{ params.size }}",
        cmds=["run"],
        arguments=["--size", "{{ params.size }}", "--dag", "{{ dag.dag_id }}"],
        env_vars={"PLAIN": "1"},
        secrets=[Secret("env", None, "all-keys"), Secret("env", "TOKEN", "api", "token")],
        env_from=[k8s.V1EnvFromSource(config_map_ref=k8s.V1ConfigMapEnvSource(name="env-cm"))],
        configmaps=["legacy-cm"],
        volumes=volumes,
        volume_mounts=mounts,
        container_resources=k8s.V1ResourceRequirements(limits={"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": "1"}),
        affinity={"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 10, "preference": {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}}]}},
        tolerations=[{"key": "spot", "operator": "Exists"}],
        image_pull_secrets="cred-a, cred-b",
        image_pull_policy="Always",
        namespace="team",
        service_account_name="runner",
        get_logs=True,
        is_delete_operator_pod=True,
    )
'''


def test_pod_settings_reach_the_plan_and_the_compiled_spec():
    result = convert(KPO_DAG)
    report = report_of(result, "job")
    assert report.fidelity == "native"
    codes = [d.code for d in report.diagnostics]
    assert "KFM211" in codes
    messages = " | ".join(d.message for d in report.diagnostics)
    # what cannot be carried is named, never silently dropped
    for expected in ("'all-keys' as environment", "env-cm", "legacy-cm", "host_path", "nvidia.com/gpu", "namespace", "service_account_name"):
        assert expected in messages, expected
    assert "get_logs" not in messages and "is_delete_operator_pod" not in messages  # no effect on KFP: not noise
    assert any("sub_path 'in'" in d for d in report.differences)

    documents = [d for d in yaml.safe_load_all(_compiled(result)) if d]
    assert len(documents) == 2, "kfp-kubernetes settings live in the platform spec document"
    executor = next(iter(documents[1]["platforms"]["kubernetes"]["deploymentSpec"]["executors"].values()))
    assert executor["pvcMount"][0]["mountPath"] == "/data" and executor["pvcMount"][0]["constant"] == "shared"
    assert executor["configMapAsVolume"][0]["mountPath"] == "/etc/app"
    assert executor["secretAsVolume"][0]["mountPath"] == "/keys"
    assert executor["secretAsEnv"][0]["keyToEnv"] == [{"secretKey": "token", "envVar": "TOKEN"}]
    assert executor["emptyDirMounts"][0]["mountPath"] == "/scratch"
    assert executor["tolerations"] == [{"key": "spot", "operator": "Exists"}]
    assert executor["imagePullSecret"] == [{"secretName": "cred-a"}, {"secretName": "cred-b"}] or \
        [s.get("secretName") or s.get("secretNameParameter", {}).get("runtimeValue", {}).get("constant") for s in executor["imagePullSecret"]] == ["cred-a", "cred-b"]
    assert executor["imagePullPolicy"] == "Always"
    assert executor["nodeAffinity"][0]["weight"] == 10
    assert executor["nodeAffinity"][0]["matchExpressions"] == [{"key": "disk", "operator": "In", "values": ["ssd"]}]

    container = next(iter(documents[0]["deploymentSpec"]["executors"].values()))["container"]
    assert container["command"] == ["run"]
    assert container["resources"]["cpuLimit"] == 2.0 and container["resources"]["memoryLimit"] == 4.294967296
    assert container["env"] == [{"name": "PLAIN", "value": "1"}]
    # {{ params.size }} becomes the pipeline parameter; {{ dag.dag_id }} its text
    assert "{{$.inputs.parameters['size']}}" in container["args"]
    assert "kpo_full" in container["args"]


def test_env_var_sources_and_docker_settings():
    result = convert('''
from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.docker.operators.docker import DockerOperator
from docker.types import Mount
from kubernetes.client import models as k8s

with DAG("env_sources", schedule=None):
    KubernetesPodOperator(task_id="pod", image="busybox", env_vars=[
        k8s.V1EnvVar(name="LEVEL", value_from=k8s.V1EnvVarSource(
            config_map_key_ref=k8s.V1ConfigMapKeySelector(name="settings", key="level"))),
        k8s.V1EnvVar(name="NODE", value_from=k8s.V1EnvVarSource(field_ref=k8s.V1ObjectFieldSelector(field_path="spec.nodeName"))),
    ])
    DockerOperator(task_id="box", image="alpine", entrypoint="sh -c", command='["echo", "hi there"]', mem_limit="2g", cpus=1.5,
                   shm_size="1g", mounts=[Mount(target="/cache", source="cache-vol", type="volume"),
                                          Mount(target="/tmp/x", source=None, type="tmpfs"),
                                          Mount(target="/src", source="/home/me/src", type="bind")],
                   working_dir="/work", docker_url="unix://var/run/docker.sock")
''')
    source = result.python_source
    assert "use_config_map_as_env(pod_task, config_map_name='settings', config_map_key_to_env={'level': 'LEVEL'})" in source
    pod = report_of(result, "pod")
    assert any("field path" in d.message for d in pod.diagnostics)

    assert "command=['sh', '-c']" in source and "args=['echo', 'hi there']" in source
    assert "box_task.set_memory_limit('2Gi')" in source and "box_task.set_cpu_limit('1500m')" in source
    assert "mount_pvc(box_task, pvc_name='cache-vol', mount_path='/cache')" in source
    assert "empty_dir_mount(box_task, volume_name='tmp-x', mount_path='/tmp/x')" in source
    assert "empty_dir_mount(box_task, volume_name='dshm', mount_path='/dev/shm')" in source
    box = report_of(result, "box")
    messages = " | ".join(d.message for d in box.diagnostics)
    assert "bind mount '/home/me/src'" in messages and "working_dir" in messages
    assert "docker_url" not in messages
    _compiled(result)


def test_decorated_kubernetes_task_keeps_its_python_and_settings():
    result = convert('''
from airflow.sdk import dag, task
from kubernetes.client import models as k8s

@dag(schedule=None)
def deco():
    @task.kubernetes(image="python:3.12-slim", container_resources=k8s.V1ResourceRequirements(requests={"memory": "256Mi"}),
                     tolerations=[k8s.V1Toleration(key="gpu", operator="Exists", effect="NoSchedule")])
    def double(x: int) -> int:
        return 2 * x
    double(21)

deco()
''')
    report = report_of(result, "double")
    assert report.fidelity == "native"
    assert "return 2 * x" in result.python_source
    assert "double_task.set_memory_request('256Mi')" in result.python_source
    assert "add_toleration(double_task, key='gpu', operator='Exists', effect='NoSchedule')" in result.python_source
    assert any("python:3.12-slim" in d for d in report.differences) or "python:3.12-slim" in result.python_source
    _compiled(result)


def test_unreadable_values_are_reported_not_guessed():
    result = convert('''
from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s
from mylib import make_resources, TOLERATIONS

with DAG("dynamic_k8s", schedule=None):
    KubernetesPodOperator(task_id="pod", image="busybox", container_resources=make_resources("small"),
                          tolerations=TOLERATIONS, node_selector={"pool": "{{ params.pool }}"})
''')
    report = report_of(result, "pod")
    messages = " | ".join(d.message for d in report.diagnostics)
    assert "make_resources" in messages and "TOLERATIONS" in messages and "node_selector['pool']" in messages
    assert "add_node_selector" not in result.python_source and "set_cpu" not in result.python_source


def _compiled(result) -> str:
    from kfmigrate.migrate.emit import compile_yaml

    return compile_yaml(result)


def test_container_sample_compiles_with_its_platform_settings():
    from operator_helpers import SAMPLES

    result = convert(SAMPLES / "operators_kubernetes.py")
    assert {t.task_id: t.fidelity for t in result.tasks} == {
        "extract": "native", "report": "native", "score": "native", "summarize": "native"}
    documents = [d for d in yaml.safe_load_all(_compiled(result)) if d]
    executors = documents[1]["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    extract = next(e for name, e in executors.items() if "extract" in name)
    assert extract["secretAsEnv"][0]["keyToEnv"] == [{"secretKey": "password", "envVar": "DB_PASSWORD"}]
    assert extract["configMapAsEnv"][0]["keyToEnv"] == [{"configMapKey": "region", "envVar": "REGION"}]
    assert extract["pvcMount"][0]["mountPath"] == "/data"
    assert extract["nodeSelector"]["labels"] == {"workload": "batch"}
    assert extract["podMetadata"]["labels"] == {"team": "ml"}
    assert extract["activeDeadlineSeconds"] == "3600"
    score = next(e for name, e in executors.items() if "score" in name)
    assert score["nodeSelector"]["labels"] == {"workload": "batch"}
    images = {c["container"]["image"] for c in documents[0]["deploymentSpec"]["executors"].values()}
    assert {"ghcr.io/example/extract:1.4", "python:3.12-slim"} <= images
