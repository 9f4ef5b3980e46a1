"""Server-side apply of manifests with the kubernetes Python client.

A PATCH with Content-Type application/apply-patch+yaml and a fieldManager: the API server merges
our fields and records us as their manager, so applying the same objects again changes nothing
(idempotent) and `--dry-run` (dryRun=All) has the server validate and default without storing.
The typed client's patch helpers cannot send apply patches for custom resources, so the request goes
through the same ApiClient.call_api they use.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Callable, List, Optional

from kfmigrate.kubeflow_ops.errors import AuthError, KubeflowError

FIELD_MANAGER = "kfmigrate"

# (apiVersion, kind) -> (plural, what to tell the user when the API is missing)
KNOWN = {
    ("v1", "PersistentVolumeClaim"): ("persistentvolumeclaims", "core API"),
    ("kubeflow.org/v1alpha1", "PodDefault"): (
        "poddefaults", "the PodDefault CRD comes with Kubeflow's admission-webhook: is Kubeflow installed?"),
    ("kubeflow.org/v1", "Notebook"): (
        "notebooks", "the Notebook CRD comes with Kubeflow Notebooks (notebook-controller)"),
}
for _version in ("v1", "v1beta1"):
    KNOWN[(f"security.istio.io/{_version}", "AuthorizationPolicy")] = (
        "authorizationpolicies", "AuthorizationPolicy is Istio's: install Istio, or skip it on clusters without "
                                 "Istio (--skip-authorization-policy)")


@dataclass
class Applied:
    kind: str
    namespace: str
    name: str
    action: str  # created | configured | unchanged
    dry_run: bool


def resource_path(obj: dict) -> str:
    api_version, kind = obj["apiVersion"], obj["kind"]
    if (api_version, kind) not in KNOWN:
        raise KubeflowError(f"kfmigrate does not know how to apply {kind} ({api_version})")
    plural = KNOWN[(api_version, kind)][0]
    prefix = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    meta = obj["metadata"]
    return f"{prefix}/namespaces/{meta['namespace']}/{plural}/{meta['name']}"


def load_api_client(kubeconfig: Optional[str] = None, context: Optional[str] = None, timeout: float = 30.0):
    """A kubernetes ApiClient from a kubeconfig (or the pod's service account when inside a cluster)."""
    import os

    from kubernetes import client, config

    configuration = client.Configuration()
    try:
        if not kubeconfig and not context and os.environ.get("KUBERNETES_SERVICE_HOST") \
                and not os.environ.get("KUBECONFIG"):
            config.load_incluster_config(client_configuration=configuration)
        else:
            config.load_kube_config(config_file=kubeconfig, context=context, client_configuration=configuration)
    except Exception as exc:  # kubeconfig missing or broken: say so plainly
        raise KubeflowError(f"cannot load Kubernetes credentials: {exc}",
                            hint="pass --kubeconfig/--context, or run inside the cluster") from None
    configuration.retries = False  # we retry ourselves, visibly
    api = client.ApiClient(configuration)
    api.kfmigrate_timeout = timeout
    return api


class Applier:
    def __init__(self, api_client, field_manager: str = FIELD_MANAGER, attempts: int = 4,
                 backoff: float = 0.5, sleep: Callable[[float], None] = time.sleep,
                 notify: Optional[Callable[[str], None]] = None):
        self.api = api_client
        self.field_manager = field_manager
        self.attempts = attempts
        self.backoff = backoff
        self.sleep = sleep
        self.notify = notify or (lambda message: None)

    def _request(self, method: str, path: str, body=None, query=None, content_type="application/json"):
        from kubernetes.client.exceptions import ApiException
        import urllib3

        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                return self.api.call_api(
                    path, method, {}, query or [], {"Accept": "application/json", "Content-Type": content_type},
                    body=body, auth_settings=["BearerToken"], response_type="object",
                    _return_http_data_only=True, _preload_content=True,
                    _request_timeout=getattr(self.api, "kfmigrate_timeout", 30.0))
            except ApiException as exc:
                if exc.status not in (429, 500, 502, 503, 504) or attempt == self.attempts:
                    raise
                reason = f"HTTP {exc.status}"
            except (urllib3.exceptions.HTTPError, ConnectionError, TimeoutError) as exc:
                if attempt == self.attempts:
                    raise KubeflowError(f"cannot reach the Kubernetes API at {self.api.configuration.host}: "
                                        f"{type(exc).__name__} after {attempt} attempts") from None
                reason = type(exc).__name__
            self.notify(f"{method} {path}: {reason}; retrying in {delay:.1f} s (attempt {attempt + 1} of "
                        f"{self.attempts})")
            self.sleep(delay)
            delay = min(delay * 2, 8.0)

    def _get(self, path: str) -> Optional[dict]:
        from kubernetes.client.exceptions import ApiException

        try:
            return self._request("GET", path)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def served_versions(self, group: str) -> List[str]:
        """The versions of an API group the cluster serves (GET /apis/<group>), [] when it serves none."""
        from kubernetes.client.exceptions import ApiException

        try:
            found = self._request("GET", f"/apis/{group}") or {}
        except ApiException:
            return []  # not served, or refused: applying the object then says why
        return [entry.get("version") for entry in found.get("versions", ()) if entry.get("version")]

    def apply(self, obj: dict, dry_run: bool = False, force: bool = False) -> Applied:
        from kubernetes.client.exceptions import ApiException

        path = resource_path(obj)
        meta = obj["metadata"]
        query = [("fieldManager", self.field_manager)]
        if force:
            query.append(("force", "true"))
        if dry_run:
            query.append(("dryRun", "All"))
        try:
            before = self._get(path)
            after = self._request("PATCH", path, body=obj, query=query, content_type="application/apply-patch+yaml")
        except ApiException as exc:
            raise self._explain(obj, exc) from None
        if before is None:
            action = "created"
        elif (after or {}).get("metadata", {}).get("resourceVersion") == before["metadata"].get("resourceVersion") \
                or (dry_run and _same_fields(before, obj)):
            action = "unchanged"
        else:
            action = "configured"
        return Applied(obj["kind"], meta["namespace"], meta["name"], action, dry_run)

    def apply_all(self, objects: List[dict], dry_run: bool = False, force: bool = False) -> List[Applied]:
        return [self.apply(obj, dry_run=dry_run, force=force) for obj in objects]

    def _explain(self, obj: dict, exc) -> KubeflowError:
        kind, meta = obj["kind"], obj["metadata"]
        where = f"{kind} {meta['namespace']}/{meta['name']}"
        message = _status_message(exc.body) or exc.reason or ""
        if exc.status == 404:
            return KubeflowError(f"cannot apply {where}: the cluster has no {obj['apiVersion']} {kind} API "
                                 f"({message})", hint=KNOWN[(obj["apiVersion"], kind)][1])
        if exc.status == 401:
            return AuthError(f"the Kubernetes API rejected the credentials of your kubeconfig applying {where}",
                             hint="refresh your cluster login (kubectl get ns should work)")
        if exc.status == 403:
            return AuthError(f"not allowed to apply {where}: {message}",
                             hint=f"your account needs patch/create on {KNOWN[(obj['apiVersion'], kind)][0]} "
                                  f"in namespace {meta['namespace']}")
        if exc.status == 409:
            return KubeflowError(f"conflict applying {where}: another field manager owns fields we set: {message}",
                                 hint="re-run with --force-conflicts to take them over")
        return KubeflowError(f"cannot apply {where}: HTTP {exc.status} {message}")


def _same_fields(live: dict, desired: dict) -> bool:
    """True when every field we set already has our value on the live object."""
    if isinstance(desired, dict):
        return isinstance(live, dict) and all(_same_fields(live.get(k), v) for k, v in desired.items())
    return live == desired


def _status_message(body) -> str:
    try:
        return json.loads(body).get("message", "")
    except (TypeError, ValueError, AttributeError):
        return ""
