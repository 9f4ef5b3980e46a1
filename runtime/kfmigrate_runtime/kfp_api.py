"""The KFP REST API v2beta1, from inside a running component.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_kfp_api():
    """Access to the KFP REST API v2beta1 from inside a component (kfp.Client is not in the image).

    KFP_HOST (default: the in-cluster ml-pipeline service), the service account token at
    KF_PIPELINES_SA_TOKEN_PATH, the namespace from KFP_NAMESPACE or the pod's service account.
    Returns call(method, path, query, body), by_name(path, key, display_name) and
    pipeline_name(dag_id) (kfmigrate's naming: lowercase, dashes).
    """
    import json
    import os
    import re
    import types
    import urllib.error
    import urllib.parse
    import urllib.request

    host = (os.environ.get("KFP_HOST") or "http://ml-pipeline.kubeflow.svc.cluster.local:8888").rstrip("/")
    headers = {"Content-Type": "application/json"}
    token_path = os.environ.get("KF_PIPELINES_SA_TOKEN_PATH", "/var/run/secrets/kubeflow/pipelines/token")
    if os.path.exists(token_path):
        with open(token_path) as handle:
            headers["Authorization"] = "Bearer " + handle.read().strip()
    namespace = os.environ.get("KFP_NAMESPACE", "")
    namespace_file = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
    if not namespace and os.path.exists(namespace_file):
        with open(namespace_file) as handle:
            namespace = handle.read().strip()

    def call(method, path, query=None, body=None):
        url = f"{host}/apis/v2beta1/{path}" + ("?" + urllib.parse.urlencode(query) if query else "")
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"KFP API {method} {path}: HTTP {error.code} {error.read()[:300]!r}") from None

    def by_name(path, key, display_name):
        query = {"filter": json.dumps({"predicates": [{"key": "display_name", "operation": "EQUALS", "string_value": display_name}]})}
        if namespace and path == "experiments":
            query["namespace"] = namespace
        found = call("GET", path, query).get(key) or []
        return found[0] if found else None

    def pipeline_name(dag_id):
        return re.sub("-+", "-", re.sub("[^-0-9a-z]+", "-", str(dag_id).lower())).strip("-")[:128].strip("-") or "pipeline"

    return types.SimpleNamespace(host=host, namespace=namespace, call=call, by_name=by_name, pipeline_name=pipeline_name)
