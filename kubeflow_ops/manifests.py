"""Notebook access to Kubeflow Pipelines: the four objects a profile namespace needs.

1. AuthorizationPolicy (Istio, in the KFP namespace): lets the profile's default-editor service
   account reach the ml-pipeline API server. Older installs need one per profile; it is harmless on
   newer ones.
2. PodDefault `access-ml-pipeline` (profile namespace): the admission webhook adds a projected,
   audience-bound service-account token and KF_PIPELINES_SA_TOKEN_PATH to pods carrying the label
   access-ml-pipeline: "true"; kfp.Client picks the token up from there.
3. PersistentVolumeClaim: the notebook's workspace volume (/home/jovyan).
4. Notebook (kubeflow.org/v1): the notebook server; the controller copies its labels to the pod, so
   the access label here is what triggers the PodDefault.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

import yaml

ACCESS_LABEL = "access-ml-pipeline"
PODDEFAULT_NAME = "access-ml-pipeline"
TOKEN_DIR = "/var/run/secrets/kubeflow/pipelines"
TOKEN_AUDIENCE = "pipelines.kubeflow.org"
DEFAULT_IMAGE = "kubeflownotebookswg/jupyter-scipy:v1.9.0"
MANAGED_BY = {"app.kubernetes.io/managed-by": "kfmigrate"}

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_QUANTITY = re.compile(r"^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")


class ManifestError(ValueError):
    pass


@dataclass(frozen=True)
class NotebookSetup:
    namespace: str
    kfp_namespace: str = "kubeflow"
    name: str = "kfp-notebook"
    image: str = DEFAULT_IMAGE
    cpu: str = "1"
    memory: str = "2Gi"
    volume_size: str = "10Gi"
    service_account: str = "default-editor"
    storage_class: str = ""

    def validate(self) -> None:
        for label, value in (("--namespace", self.namespace), ("--kfp-namespace", self.kfp_namespace),
                             ("--name", self.name), ("--service-account", self.service_account)):
            if not value or len(value) > 63 or not _DNS_LABEL.match(value):
                raise ManifestError(f"{label} {value!r} is not a valid Kubernetes name "
                                    "(lower-case letters, digits and '-', at most 63 characters)")
        if len(self.name) > 52:
            # the controller derives a StatefulSet and pod name (<name>-0) and a Service from it
            raise ManifestError(f"--name {self.name!r} is too long for a notebook (at most 52 characters)")
        for label, value in (("--cpu", self.cpu), ("--memory", self.memory), ("--volume-size", self.volume_size)):
            if not _QUANTITY.match(str(value)):
                raise ManifestError(f"{label} {value!r} is not a Kubernetes quantity (e.g. 500m, 2, 4Gi)")
        if not self.image or any(c.isspace() for c in self.image):
            raise ManifestError(f"--image {self.image!r} is not an image reference")

    @property
    def workspace_claim(self) -> str:
        return f"{self.name}-workspace"


ISTIO_SECURITY = "security.istio.io"
# Istio serves security.istio.io/v1 since 1.22 (v1beta1 is deprecated); --apply picks what the cluster serves
ISTIO_VERSIONS = ("v1", "v1beta1")


def authorization_policy(setup: NotebookSetup, istio_version: str = ISTIO_VERSIONS[0]) -> dict:
    return {
        "apiVersion": f"{ISTIO_SECURITY}/{istio_version}",
        "kind": "AuthorizationPolicy",
        "metadata": {"name": f"bind-ml-pipeline-nb-{setup.namespace}", "namespace": setup.kfp_namespace,
                     "labels": dict(MANAGED_BY)},
        "spec": {
            "selector": {"matchLabels": {"app": "ml-pipeline"}},
            "rules": [{"from": [{"source": {"principals": [
                f"cluster.local/ns/{setup.namespace}/sa/{setup.service_account}"]}}]}],
        },
    }


def pod_default(setup: NotebookSetup) -> dict:
    return {
        "apiVersion": "kubeflow.org/v1alpha1",
        "kind": "PodDefault",
        "metadata": {"name": PODDEFAULT_NAME, "namespace": setup.namespace, "labels": dict(MANAGED_BY)},
        "spec": {
            "desc": "Allow access to Kubeflow Pipelines",
            "selector": {"matchLabels": {ACCESS_LABEL: "true"}},
            "env": [{"name": "KF_PIPELINES_SA_TOKEN_PATH", "value": f"{TOKEN_DIR}/token"}],
            "volumes": [{"name": "volume-kf-pipeline-token", "projected": {"sources": [
                {"serviceAccountToken": {"path": "token", "expirationSeconds": 7200, "audience": TOKEN_AUDIENCE}}]}}],
            "volumeMounts": [{"mountPath": TOKEN_DIR, "name": "volume-kf-pipeline-token", "readOnly": True}],
        },
    }


def workspace_pvc(setup: NotebookSetup) -> dict:
    spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": setup.volume_size}}}
    if setup.storage_class:
        spec["storageClassName"] = setup.storage_class
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": setup.workspace_claim, "namespace": setup.namespace, "labels": dict(MANAGED_BY)},
        "spec": spec,
    }


def notebook(setup: NotebookSetup) -> dict:
    resources = {"cpu": str(setup.cpu), "memory": str(setup.memory)}
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": "Notebook",
        "metadata": {
            "name": setup.name,
            "namespace": setup.namespace,
            "labels": {"app": setup.name, ACCESS_LABEL: "true", **MANAGED_BY},
            "annotations": {"notebooks.kubeflow.org/server-type": "jupyter"},
        },
        "spec": {"template": {"spec": {
            "serviceAccountName": setup.service_account,
            "containers": [{
                "name": setup.name,
                "image": setup.image,
                "resources": {"requests": dict(resources), "limits": dict(resources)},
                "volumeMounts": [{"mountPath": "/home/jovyan", "name": "workspace"},
                                 {"mountPath": "/dev/shm", "name": "dshm"}],
            }],
            "volumes": [{"name": "workspace", "persistentVolumeClaim": {"claimName": setup.workspace_claim}},
                        {"name": "dshm", "emptyDir": {"medium": "Memory"}}],
        }}},
    }


def notebook_setup_objects(setup: NotebookSetup) -> List[dict]:
    """The objects in apply order: the PodDefault must exist before the notebook pod is created."""
    setup.validate()
    return [authorization_policy(setup), pod_default(setup), workspace_pvc(setup), notebook(setup)]


def render_yaml(objects: List[dict]) -> str:
    return yaml.safe_dump_all(objects, sort_keys=False, default_flow_style=False)
