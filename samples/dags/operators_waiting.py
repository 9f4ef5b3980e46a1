"""Tasks that wait for something outside the pipeline: another DAG's run and a person's answer.

On KFP the ExternalTaskSensor watches the runs of the `operators_upstream` pipeline (uploaded to the
same KFP server, runs started with the `logical_date` parameter) through the KFP API; the
human-in-the-loop tasks publish their request as a Kubernetes ConfigMap and wait for the response
ConfigMap a person creates (`kubectl create configmap <request>-response --from-literal=chosen=...`,
the migration report lists the commands).
"""
from datetime import datetime, timedelta

from airflow.providers.standard.operators.hitl import ApprovalOperator, HITLBranchOperator, HITLEntryOperator
from airflow.providers.standard.sensors.external_task import ExternalTaskSensor
from airflow.sdk import DAG, Param, task

with DAG("operators_waiting", start_date=datetime(2024, 1, 1), schedule="@daily", catchup=False):
    upstream_loaded = ExternalTaskSensor(
        task_id="upstream_loaded",
        external_dag_id="operators_upstream",
        external_task_id="load",
        execution_delta=timedelta(hours=1),
        failed_states=["failed"],
        poke_interval=60,
        timeout=3600,
        mode="reschedule",
    )
    details = HITLEntryOperator(
        task_id="release_notes",
        subject="Release notes for {{ ds }}?",
        params={"notes": Param("", type="string")},
        response_timeout=timedelta(hours=4),
    )
    approve = ApprovalOperator(
        task_id="approve_release",
        subject="Release {{ ds }}?",
        body="Notes: {{ ti.xcom_pull(task_ids='release_notes')['params_input']['notes'] }}",
        defaults="Reject",
        response_timeout=timedelta(hours=8),
    )
    channel = HITLBranchOperator(
        task_id="choose_channel",
        subject="Where to publish?",
        options=["Stable", "Beta"],
        options_mapping={"Stable": "publish_stable", "Beta": "publish_beta"},
    )

    @task
    def publish_stable():
        return "stable"

    @task
    def publish_beta():
        return "beta"

    upstream_loaded >> details >> approve >> channel >> [publish_stable(), publish_beta()]
