"""A loopback Kubernetes API server for ConfigMaps (core/v1), as the HITL component uses them.

What it holds to (the published API contract): `GET/POST /api/v1/namespaces/{ns}/configmaps[/{name}]`,
`DELETE .../configmaps/{name}`, `GET .../configmaps?labelSelector=k=v`; bearer-token authentication
(401 Status otherwise); JSON bodies of kind ConfigMap / apiVersion v1; names are DNS subdomains of at
most 253 characters, label names/values as the API server checks them, data keys match
`[-._a-zA-Z0-9]+` and data values are strings (422 Invalid otherwise); 409 AlreadyExists on a second
create; 404 NotFound Status for a missing object. Anything else is refused and recorded in
`violations`. Binds 127.0.0.1 only.
"""
from __future__ import annotations

import json
import re
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Tuple
from urllib.parse import parse_qs, urlsplit

_PATH = re.compile(r"^/api/v1/namespaces/(?P<ns>[^/]+)/configmaps(?:/(?P<name>[^/]+))?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_NAME = re.compile(r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_DATA_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def status(code: int, reason: str, message: str) -> dict:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}


class ConfigMapServer:
    def __init__(self, token: str = "hitl-test-token"):
        self.token = token
        self.objects: Dict[Tuple[str, str], dict] = {}
        self.requests: List[dict] = []
        self.violations: List[str] = []
        self.lock = threading.RLock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> "ConfigMapServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def get(self, namespace: str, name: str):
        with self.lock:
            return self.objects.get((namespace, name))

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.handle(self)

            do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

        return Handler

    def handle(self, handler) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        self.requests.append({"method": handler.command, "path": split.path})
        try:
            code, body = self.route(handler, split, raw)
        except ValueError as exc:
            code, body = 400, status(400, "BadRequest", str(exc))
        data = json.dumps(body).encode()
        handler.send_response(code)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def refuse(self, code: int, reason: str, message: str) -> Tuple[int, dict]:
        self.violations.append(message)
        return code, status(code, reason, message)

    def route(self, handler, split, raw) -> Tuple[int, dict]:
        if handler.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, status(401, "Unauthorized", "Unauthorized")
        match = _PATH.match(split.path)
        if not match:
            return self.refuse(404, "NotFound", f"unknown path {split.path}")
        namespace, name = match.group("ns"), match.group("name")
        method = handler.command
        with self.lock:
            if method == "GET" and name:
                found = self.objects.get((namespace, name))
                if found is None:
                    return 404, status(404, "NotFound", f'configmaps "{name}" not found')
                return 200, found
            if method == "GET":
                selector = parse_qs(split.query).get("labelSelector", [""])[0]
                wanted = dict(part.split("=", 1) for part in selector.split(",") if part)
                items = [o for (ns, _n), o in sorted(self.objects.items()) if ns == namespace
                         and all(o["metadata"].get("labels", {}).get(k) == v for k, v in wanted.items())]
                return 200, {"kind": "ConfigMapList", "apiVersion": "v1", "metadata": {}, "items": items}
            if method == "DELETE" and name:
                if self.objects.pop((namespace, name), None) is None:
                    return 404, status(404, "NotFound", f'configmaps "{name}" not found')
                return 200, status(200, "", "deleted") | {"status": "Success"}
            if method == "POST" and not name:
                if not handler.headers.get("Content-Type", "").startswith("application/json"):
                    return self.refuse(415, "UnsupportedMediaType", f"content type {handler.headers.get('Content-Type')}")
                body = json.loads(raw or b"{}")
                problems = self.invalid(body)
                if problems:
                    return self.refuse(422, "Invalid", "; ".join(problems))
                key = (namespace, body["metadata"]["name"])
                if key in self.objects:
                    return 409, status(409, "AlreadyExists", f'configmaps "{key[1]}" already exists')
                stored = {**body, "kind": "ConfigMap", "apiVersion": "v1", "metadata": {**body["metadata"], "namespace": namespace, "uid": str(uuid.uuid4()),
                                               "resourceVersion": str(len(self.requests)),
                                               "creationTimestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}}
                self.objects[key] = stored
                return 201, stored
        return self.refuse(405, "MethodNotAllowed", f"{method} {split.path}")

    @staticmethod
    def invalid(body: dict) -> List[str]:
        problems = []
        if body.get("kind", "ConfigMap") != "ConfigMap" or body.get("apiVersion", "v1") != "v1":  # omitted: taken from the URL
            problems.append(f"kind/apiVersion {body.get('kind')}/{body.get('apiVersion')}")
        meta = body.get("metadata") or {}
        name = meta.get("name", "")
        if not (isinstance(name, str) and len(name) <= 253 and _DNS_SUBDOMAIN.match(name)):
            problems.append(f"metadata.name {name!r} is not a DNS subdomain")
        for label, value in (meta.get("labels") or {}).items():
            if not (_LABEL_NAME.match(label) and len(label.split("/")[-1]) <= 63):
                problems.append(f"label name {label!r}")
            if not (isinstance(value, str) and len(value) <= 63 and _LABEL_VALUE.match(value)):
                problems.append(f"label value {value!r}")
        for key, value in (body.get("data") or {}).items():
            if not _DATA_KEY.match(key):
                problems.append(f"data key {key!r}")
            if not isinstance(value, str):
                problems.append(f"data value of {key!r} is not a string")
        unknown = set(body) - {"apiVersion", "kind", "metadata", "data", "binaryData", "immutable"}
        if unknown:
            problems.append(f"unknown fields {sorted(unknown)}")
        return problems
