"""Human-in-the-loop operators on KFP: a request and its answer as Kubernetes ConfigMaps.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _airflow_hitl_wait(airflow, subject, options, body=None, defaults=None, multiple=False, params=None, timeout=None,
                       poke_interval=5.0):
    """Human-in-the-loop on KFP: publish the request as a Kubernetes ConfigMap and wait for the answer.

    The request ConfigMap `airflow-hitl-<dag>-<task>-<hash of the run id>` (label
    kfmigrate.io/hitl-request=true) holds subject, body, options, defaults and params; a person answers
    by creating `<request>-response` with key `chosen` (one option, or a JSON list when multiple) and
    one key per param (text; JSON for non-string params), e.g.
    `kubectl create configmap <request>-response --from-literal=chosen='Approve'`.
    Past `timeout` seconds the defaults are taken (params keep their defaults), or the task fails
    when there are none, as Airflow's HITL trigger does. Returns Airflow's XCom value: chosen_options,
    params_input, responded_at, responded_by_user. In-cluster API access with the pod's service account
    (KFMIGRATE_KUBE_API overrides the API URL); it needs get (and create, for the request) on configmaps.
    """
    import datetime as dt
    import hashlib
    import json
    import os
    import re
    import ssl
    import time
    import urllib.error
    import urllib.request

    account = "/var/run/secrets/kubernetes.io/serviceaccount"
    base = os.environ.get("KFMIGRATE_KUBE_API", "").rstrip("/")
    if not base:
        host = os.environ.get("KUBERNETES_SERVICE_HOST")
        if not host:
            raise airflow.AirflowException("human-in-the-loop needs the Kubernetes API: run on a cluster "
                                           "(or set KFMIGRATE_KUBE_API to the API server URL)")
        base = f"https://{'[' + host + ']' if ':' in host else host}:{os.environ.get('KUBERNETES_SERVICE_PORT', '443')}"
    tls = ssl.create_default_context(cafile=f"{account}/ca.crt") if os.path.exists(f"{account}/ca.crt") else None
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    token_path = os.environ.get("KFMIGRATE_KUBE_TOKEN_PATH", f"{account}/token")
    if os.path.exists(token_path):
        with open(token_path) as handle:
            headers["Authorization"] = "Bearer " + handle.read().strip()
    namespace = os.environ.get("KFP_NAMESPACE") or os.environ.get("POD_NAMESPACE") or ""
    if not namespace and os.path.exists(f"{account}/namespace"):
        with open(f"{account}/namespace") as handle:
            namespace = handle.read().strip()
    namespace = namespace or "default"

    def call(method, path, payload=None):
        url = f"{base}/api/v1/namespaces/{namespace}/{path}"
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30, context=tls if url.startswith("https") else None) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def dns(text, size):
        return re.sub("-+", "-", re.sub("[^a-z0-9-]+", "-", str(text).lower())).strip("-")[:size].strip("-") or "x"

    context = airflow.context
    dag_id, task_id = context["dag"].dag_id, context["task"].task_id
    run_key = hashlib.sha1(str(context["run_id"]).encode()).hexdigest()[:10]
    name = f"airflow-hitl-{dns(dag_id, 100)}-{dns(task_id, 100)}-{run_key}"
    answer = f"{name}-response"
    options = list(options)
    defaults = [defaults] if isinstance(defaults, str) else (list(defaults) if defaults is not None else None)
    params = dict(params or {})  # name -> {"default": ..., "type": ...}
    example = f"kubectl -n {namespace} create configmap {answer} --from-literal=chosen={json.dumps(options[0]) if not multiple else repr(json.dumps(options[:1]))}"
    example += "".join(f" --from-literal={key}=<value>" for key in params)
    request = {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "labels": {"kfmigrate.io/hitl-request": "true", "kfmigrate.io/dag": dns(dag_id, 63),
                                              "kfmigrate.io/task": dns(task_id, 63)}},
        "data": {"subject": str(subject), "body": str(body or ""), "options": json.dumps(options),
                 "multiple": json.dumps(bool(multiple)), "defaults": json.dumps(defaults),
                 "params": json.dumps(params, default=str), "dag_id": dag_id, "task_id": task_id,
                 "run_id": str(context["run_id"]), "answer_with": example},
    }
    status, created = call("POST", "configmaps", request)
    if status not in (200, 201, 409):
        print(f"Could not publish the request as ConfigMap {name} (HTTP {status}: {created.get('message', '')}); "
              "the answer is still read from the response ConfigMap")
    print(f"[HITL] {subject}\n{body or ''}\nOptions: {options} (multiple: {bool(multiple)}), defaults: {defaults}, params: {list(params)}")
    print(f"[HITL] Answer with: {example}")
    started = time.monotonic()
    while True:
        status, found = call("GET", f"configmaps/{answer}")
        if status == 200:
            break
        if status != 404:
            raise airflow.AirflowException(f"reading ConfigMap {answer}: HTTP {status} {found.get('message', '')}")
        if timeout is not None and time.monotonic() - started > timeout:
            if defaults is None:
                raise airflow.AirflowFailException("The timeout has passed, and the response has not yet been received.")
            print(f"[HITL] timeout reached before receiving response, fallback to default {defaults}")
            return {"chosen_options": defaults, "params_input": {k: p.get("default") for k, p in params.items()},
                    "responded_at": dt.datetime.now(dt.timezone.utc).isoformat(), "responded_by_user": None}
        time.sleep(poke_interval)

    data = dict(found.get("data") or {})
    responded_by = data.pop("responded_by", None)
    chosen_text = data.pop("chosen", None)
    if chosen_text is None:
        if len(options) != 1:
            raise airflow.AirflowFailException(f"ConfigMap {answer} has no key 'chosen' (one of {options})")
        chosen = list(options)
    else:
        try:
            decoded = json.loads(chosen_text)
        except ValueError:
            decoded = chosen_text
        chosen = [str(item) for item in decoded] if isinstance(decoded, list) else [chosen_text if not isinstance(decoded, str) else decoded]
    unknown = set(chosen) - set(options)
    if unknown:
        raise airflow.AirflowFailException(f"Responses {unknown} not in {options}")
    if not chosen or (len(chosen) > 1 and not multiple):
        raise airflow.AirflowFailException(f"choose exactly one of {options} (got {chosen})")
    extra = set(data) - set(params)
    if extra:
        raise airflow.AirflowFailException(f"ConfigMap {answer} has keys {sorted(extra)} that are not params of the task {sorted(params)}")
    params_input = {key: spec.get("default") for key, spec in params.items()}
    for key, text in data.items():
        value = text
        if params[key].get("type") not in (None, "string") or not isinstance(params[key].get("default"), (str, type(None))):
            try:
                value = json.loads(text)
            except ValueError:
                pass
        params_input[key] = value
    user = responded_by or "kubernetes"
    print(f"[HITL] answered by {user}: {chosen}, params {params_input}")
    return {"chosen_options": chosen, "params_input": params_input,
            "responded_at": dt.datetime.now(dt.timezone.utc).isoformat(), "responded_by_user": {"id": user, "name": user}}
