"""Container tasks: KubernetesPodOperator, DockerOperator, @task.kubernetes and @task.docker with the
Kubernetes settings kfmigrate carries over (secrets, config maps, volumes, resources, scheduling).

Needs a Kubernetes cluster (Airflow: the cncf.kubernetes and docker providers; KFP: a cluster or the
Docker runner), so it is converted and compiled in tests but not run here.
"""
from datetime import datetime, timedelta

from airflow.sdk import DAG, task
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.secret import Secret
from airflow.providers.docker.operators.docker import DockerOperator
from kubernetes.client import models as k8s

db_password = Secret("env", "DB_PASSWORD", "warehouse-credentials", "password")
tls_certs = Secret("volume", "/etc/tls", "warehouse-tls")
data_volume = k8s.V1Volume(
    name="data", persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name="training-data"),
)
data_mount = k8s.V1VolumeMount(name="data", mount_path="/data")

with DAG("operators_kubernetes", start_date=datetime(2024, 1, 1), schedule=None, params={"epochs": 3}):
    extract = KubernetesPodOperator(
        task_id="extract",
        image="ghcr.io/example/extract:1.4",
        cmds=["python", "-m", "extract"],
        arguments=["--epochs", "{{ params.epochs }}", "--dag", "{{ dag.dag_id }}"],
        env_vars=[
            k8s.V1EnvVar(name="LOG_LEVEL", value="info"),
            k8s.V1EnvVar(name="REGION", value_from=k8s.V1EnvVarSource(
                config_map_key_ref=k8s.V1ConfigMapKeySelector(name="site-settings", key="region"))),
        ],
        secrets=[db_password, tls_certs],
        volumes=[data_volume],
        volume_mounts=[data_mount],
        container_resources=k8s.V1ResourceRequirements(
            requests={"cpu": "500m", "memory": "1Gi"}, limits={"cpu": "2", "memory": "4Gi"},
        ),
        node_selector={"workload": "batch"},
        tolerations=[k8s.V1Toleration(key="dedicated", operator="Equal", value="batch", effect="NoSchedule")],
        affinity=k8s.V1Affinity(node_affinity=k8s.V1NodeAffinity(
            required_during_scheduling_ignored_during_execution=k8s.V1NodeSelector(node_selector_terms=[
                k8s.V1NodeSelectorTerm(match_expressions=[
                    k8s.V1NodeSelectorRequirement(key="topology.kubernetes.io/zone", operator="In", values=["eu-west-1a"]),
                ]),
            ]),
        )),
        image_pull_secrets=[k8s.V1LocalObjectReference(name="ghcr-pull")],
        labels={"team": "ml"},
        annotations={"example.com/owner": "data-platform"},
        execution_timeout=timedelta(hours=1),
    )

    report = DockerOperator(
        task_id="report",
        image="python:3.12-slim",
        command="python -c 'print(\"report ready\")'",
        environment={"REPORT_FORMAT": "html"},
        cpus=1.0,
        mem_limit="512m",
    )

    @task.kubernetes(image="python:3.12-slim", node_selector={"workload": "batch"},
                     container_resources=k8s.V1ResourceRequirements(limits={"memory": "512Mi"}))
    def score(epochs: int) -> float:
        return round(1 - 1 / (epochs + 1), 3)

    @task.docker(image="python:3.12-slim", environment={"MODE": "summary"})
    def summarize(value: float) -> str:
        import os

        return f"{os.environ.get('MODE', '?')}: {value}"

    extract >> report
    summarize(score("{{ params.epochs }}")).set_upstream(report)
