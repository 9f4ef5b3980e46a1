"""A loopback Kubernetes API server for the four notebook-access kinds, with server-side apply.

What it holds to (the published contracts):
- schemas: the CRDs' openAPIV3Schema for PodDefault (kubeflow.org/v1alpha1), Notebook
  (kubeflow.org/v1) and AuthorizationPolicy (security.istio.io/v1 and v1beta1), and the Kubernetes OpenAPI
  definition of PersistentVolumeClaim (files in data/, see data/extract_schemas.py). Types, required
  fields and enums are checked with jsonschema; unknown fields are rejected as with
  fieldValidation=Strict (structural schemas prune them otherwise); ObjectMeta names and labels are
  checked as the API server does (RFC 1123).
- server-side apply: PATCH with Content-Type application/apply-patch+yaml and a required
  fieldManager; the object becomes the merge of every manager's applied configuration; a field set
  to a different value by another manager is a 409 conflict unless force=true; dryRun=All validates
  and answers without storing; resourceVersion changes only when the object changes (so applying
  the same configuration twice is a no-op); 201 on create, 200 otherwise.
- bearer-token authentication from the kubeconfig (401 otherwise); CRDs can be left "uninstalled"
  (404 for their API), as on a cluster without Kubeflow or Istio.
Anything else (other content types, unknown paths) is refused and recorded in `violations`.
"""
from __future__ import annotations

import copy
import json
import re
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import parse_qs, urlsplit

import jsonschema
import yaml

DATA = Path(__file__).parent / "data"
_PATH = re.compile(r"^/(?:api/v1|apis/(?P<group>[^/]+)/(?P<version>[^/]+))/namespaces/(?P<ns>[^/]+)/"
                   r"(?P<plural>[^/]+)/(?P<name>[^/]+)$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def _crd(file_name):
    data = json.loads((DATA / file_name).read_text())
    return data["schema"], data["plural"], data["kind"]


def _pvc():
    data = json.loads((DATA / "persistentvolumeclaim-v1.json").read_text())
    return {"$ref": f"#/definitions/{data['root']}", "definitions": data["definitions"]}, \
        "persistentvolumeclaims", "PersistentVolumeClaim"


KINDS = {
    "v1": _pvc(),
    "kubeflow.org/v1alpha1": _crd("poddefault-kubeflow.org-v1alpha1.json"),
    "kubeflow.org/v1": _crd("notebook-kubeflow.org-v1.json"),
    "security.istio.io/v1beta1": _crd("authorizationpolicy-security.istio.io-v1beta1.json"),
    # Istio's CRD serves v1 (since 1.22) with the same openAPIV3Schema as v1beta1
    "security.istio.io/v1": _crd("authorizationpolicy-security.istio.io-v1beta1.json"),
}


def status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}


class KubeError(Exception):
    def __init__(self, code: int, reason: str, message: str):
        super().__init__(message)
        self.body = status(code, reason, message)
        self.code = code


# ---------------------------------------------------------------- validation
def _resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        schema = root["definitions"][schema["$ref"].split("/")[-1]]
    return schema


def unknown_fields(value, schema: dict, root: dict, path: str = "") -> List[str]:
    """Fields the schema does not declare (what strict field validation reports)."""
    schema = _resolve(schema, root)
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return []
    found = []
    if isinstance(value, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if props is not None and key in props:
                found += unknown_fields(item, props[key], root, where)
            elif isinstance(extra, dict):
                found += unknown_fields(item, extra, root, where)
            elif props is not None and not extra:
                found.append(where)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found += unknown_fields(item, schema["items"], root, f"{path}[{index}]")
    return found


def check_metadata(meta: dict) -> List[str]:
    problems = []
    name = meta.get("name", "")
    if not name or len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
        problems.append(f"metadata.name: Invalid value: {name!r}: a lowercase RFC 1123 subdomain must consist of "
                        "lower case alphanumeric characters, '-' or '.'")
    for key, value in (meta.get("labels") or {}).items():
        label_name = key.split("/")[-1]
        if len(label_name) > 63 or not _LABEL_NAME.match(label_name):
            problems.append(f"metadata.labels: Invalid value: {key!r}")
        if not isinstance(value, str) or len(value) > 63 or not _LABEL_VALUE.match(value):
            problems.append(f"metadata.labels: Invalid value: {value!r}: a valid label must be 63 characters "
                            "or less and be an empty string or consist of alphanumeric characters")
    for key, value in (meta.get("annotations") or {}).items():
        if not isinstance(value, str):
            problems.append(f"metadata.annotations.{key}: must be a string")
    return problems


def leaves(obj, prefix=()) -> Dict[tuple, object]:
    """Field paths -> values; lists are atomic (replaced as a whole), as for these schemas' lists."""
    if isinstance(obj, dict) and obj:
        out = {}
        for key, value in obj.items():
            out.update(leaves(value, prefix + (key,)))
        return out
    return {prefix: obj}


def merge(base: dict, overlay: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


# ---------------------------------------------------------------- the server
class KubeServer:
    def __init__(self, token: str = "kube-test-token", installed=("v1", "kubeflow.org/v1alpha1", "kubeflow.org/v1",
                                                                   "security.istio.io/v1", "security.istio.io/v1beta1")):
        self.token = token
        self.installed = set(installed)
        self.lock = threading.RLock()
        self.objects: Dict[str, dict] = {}  # path -> {"managers": {name: applied config}, "live": object}
        self.violations: List[str] = []
        self.requests: List[dict] = []
        self.fail_next: List[int] = []  # statuses to answer the next requests with (injected faults)
        self.version = 100
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> "KubeServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def kubeconfig(self, path: Path, token: Optional[str] = None) -> Path:
        path.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "loopback",
            "clusters": [{"name": "loopback", "cluster": {"server": self.url}}],
            "users": [{"name": "tester", "user": {"token": token or self.token}}],
            "contexts": [{"name": "loopback", "context": {"cluster": "loopback", "user": "tester"}}],
        }))
        return path

    def get(self, api_version: str, plural: str, namespace: str, name: str) -> Optional[dict]:
        prefix = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
        entry = self.objects.get(f"{prefix}/namespaces/{namespace}/{plural}/{name}")
        return entry["live"] if entry else None

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.handle(self)

            do_PATCH = do_POST = do_PUT = do_DELETE = do_GET

        return Handler

    def handle(self, handler) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        record = {"method": handler.command, "path": split.path, "query": query,
                  "content_type": handler.headers.get("Content-Type", ""), "body": raw}
        with self.lock:
            self.requests.append(record)
        try:
            with self.lock:
                injected = self.fail_next.pop(0) if self.fail_next else None
            if injected:
                raise KubeError(injected, "ServiceUnavailable", "injected fault")
            if handler.headers.get("Authorization") != f"Bearer {self.token}":
                raise KubeError(401, "Unauthorized", "Unauthorized")
            code, body = self.route(handler.command, split.path, query, record)
        except KubeError as err:
            code, body = err.code, err.body
        data = json.dumps(body).encode()
        handler.send_response(code)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def violation(self, code: int, reason: str, message: str) -> KubeError:
        self.violations.append(message)
        return KubeError(code, reason, message)

    def route(self, method: str, path: str, query: dict, record: dict):
        group = re.fullmatch(r"/apis/([^/]+)", path)
        if group and method == "GET":  # API discovery: the APIGroup and the versions it serves
            versions = sorted(v.split("/")[1] for v in self.installed if v.startswith(group[1] + "/"))
            if not versions:
                raise KubeError(404, "NotFound", "the server could not find the requested resource")
            entries = [{"groupVersion": f"{group[1]}/{v}", "version": v} for v in versions]
            return 200, {"kind": "APIGroup", "apiVersion": "v1", "name": group[1], "versions": entries,
                         "preferredVersion": entries[0]}
        match = _PATH.match(path)
        if not match:
            raise self.violation(404, "NotFound", f"the loopback server does not serve {path}")
        api_version = f"{match['group']}/{match['version']}" if match["group"] else "v1"
        if api_version not in KINDS or api_version not in self.installed or KINDS[api_version][1] != match["plural"]:
            raise KubeError(404, "NotFound", "the server could not find the requested resource")
        with self.lock:
            if method == "GET":
                entry = self.objects.get(path)
                if entry is None:
                    raise KubeError(404, "NotFound", f'{match["plural"]} "{match["name"]}" not found')
                return 200, entry["live"]
            if method == "PATCH":
                return self.apply(path, api_version, match, query, record)
        raise self.violation(405, "MethodNotAllowed", f"{method} is not used by server-side apply")

    def apply(self, path, api_version, match, query, record):
        if record["content_type"] != "application/apply-patch+yaml":
            raise self.violation(415, "UnsupportedMediaType",
                                 f"expected application/apply-patch+yaml, got {record['content_type']!r}")
        manager = query.get("fieldManager", "")
        if not manager:
            raise KubeError(400, "BadRequest", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required '
                                               "value: is required for apply patch")
        for key in query:
            if key not in ("fieldManager", "dryRun", "force", "fieldValidation"):
                raise self.violation(400, "BadRequest", f"unknown query parameter {key}")
        if query.get("dryRun", "All") != "All":
            raise KubeError(400, "BadRequest", f"invalid dry run value {query['dryRun']!r}: only All is supported")
        force = query.get("force", "false") == "true"
        try:
            config = yaml.safe_load(record["body"].decode())
        except yaml.YAMLError as exc:
            raise KubeError(400, "BadRequest", f"error decoding YAML: {exc}")
        schema, plural, kind = KINDS[api_version]
        if not isinstance(config, dict):
            raise KubeError(400, "BadRequest", "apply patch must be an object")
        if config.get("apiVersion") != api_version or config.get("kind") != kind:
            raise KubeError(400, "BadRequest", f"apiVersion/kind {config.get('apiVersion')}/{config.get('kind')} "
                                               f"does not match {api_version}/{kind}")
        meta = config.get("metadata") or {}
        if meta.get("name") != match["name"]:
            raise KubeError(400, "BadRequest", "the name of the object does not match the name on the URL")
        if meta.get("namespace", match["ns"]) != match["ns"]:
            raise KubeError(400, "BadRequest", "the namespace of the provided object does not match the namespace "
                                               "sent on the request")
        problems = check_metadata(meta)
        body = {k: v for k, v in config.items() if k != "metadata"}
        root = schema if "definitions" in schema else {"definitions": {}}
        validator = jsonschema.Draft7Validator(schema)
        problems += [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(
            {**body, "metadata": {}} if kind != "PersistentVolumeClaim" else {**body, "metadata": meta})]
        # apiVersion, kind and metadata are the API server's own, whatever the CRD schema lists
        own = {k: v for k, v in body.items() if k not in ("apiVersion", "kind")}
        problems += [f'unknown field "{f}"' for f in unknown_fields(own, schema, root)]
        if problems:
            raise KubeError(422, "Invalid", f'{kind} "{match["name"]}" is invalid: {"; ".join(problems)}')

        entry = self.objects.get(path)
        managers = copy.deepcopy(entry["managers"]) if entry else {}
        ours = leaves({k: v for k, v in config.items() if k not in ("apiVersion", "kind")})
        for other, applied in managers.items():
            if other == manager:
                continue
            theirs = leaves({k: v for k, v in applied.items() if k not in ("apiVersion", "kind")})
            clashes = [p for p in ours if p in theirs and theirs[p] != ours[p] and p[:2] != ("metadata", "name")]
            if clashes and not force:
                fields = ", ".join("." + ".".join(map(str, p)) for p in clashes)
                raise KubeError(409, "Conflict", f'Apply failed with 1 conflict: conflict with "{other}": {fields}')
            if clashes:  # forced: the other manager loses those fields
                managers[other] = _without(applied, clashes)
        managers[manager] = config
        live = {}
        for applied in managers.values():
            live = merge(live, applied)
        old_live = entry["live"] if entry else None
        system = (old_live or {}).get("metadata", {})
        live["metadata"].update({k: system[k] for k in ("uid", "creationTimestamp", "resourceVersion") if k in system})
        if old_live is None:
            live["metadata"].update(uid=str(uuid.uuid4()),
                                    creationTimestamp=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
        changed = old_live is None or _strip(old_live) != _strip(live)
        if changed:
            self.version += 1
            live["metadata"]["resourceVersion"] = str(self.version)
        live["metadata"]["managedFields"] = [{"manager": m, "operation": "Apply", "apiVersion": api_version,
                                              "fieldsType": "FieldsV1"} for m in sorted(managers)]
        if "dryRun" not in query:
            self.objects[path] = {"managers": managers, "live": live}
        return (201 if old_live is None else 200), live


def _strip(obj: dict) -> dict:
    data = copy.deepcopy(obj)
    for key in ("resourceVersion", "managedFields"):
        data.get("metadata", {}).pop(key, None)
    return data


def _without(applied: dict, paths) -> dict:
    data = copy.deepcopy(applied)
    for path in paths:
        node = data
        for key in path[:-1]:
            node = node.get(key, {})
        node.pop(path[-1], None)
    return data
