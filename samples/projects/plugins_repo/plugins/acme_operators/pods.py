"""The company's pod operators: a provider KubernetesPodOperator with the house image and namespace."""
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

REGISTRY = "registry.acme.example/jobs"


class AcmePodOperator(KubernetesPodOperator):
    """Runs one of the company's job images."""

    def __init__(self, job, version="1.0", **kwargs):
        super().__init__(
            name=job.replace("_", "-"),
            namespace="jobs",
            image=f"{REGISTRY}/{job}:{version}",
            cmds=["python", "-m", job],
            **kwargs,
        )


class BatchPodOperator(AcmePodOperator):
    """A pod operator for batch jobs: more memory, same image scheme."""

    def __init__(self, job, **kwargs):
        kwargs.setdefault("labels", {"tier": "batch"})
        super().__init__(job=job, version="2.3", **kwargs)


def pod_task(job, **kwargs):
    """The helper most DAGs use instead of the class."""
    return AcmePodOperator(task_id=f"run_{job}", job=job, **kwargs)
