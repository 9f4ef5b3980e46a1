"""Pod tasks built with the company's KubernetesPodOperator subclasses and helper."""
import pendulum
from airflow import DAG

from acme_operators.audit import AuditOperator
from acme_operators.pods import AcmePodOperator, BatchPodOperator, pod_task

with DAG("pods", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False):
    extract = AcmePodOperator(task_id="extract", job="extract_orders", env_vars={"DAY": "{{ ds }}"})
    aggregate = BatchPodOperator(task_id="aggregate", job="aggregate_orders")
    publish = pod_task("publish", get_logs=True)
    audit = AuditOperator(task_id="audit", message="orders published for {{ ds }}")
    extract >> aggregate >> publish >> audit
