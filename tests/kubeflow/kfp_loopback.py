"""A loopback Kubeflow Pipelines API server (v2beta1) that follows the published contract.

Routes come from the published swagger (tests/data/kfp_v2beta1/kfp_api_single_file.swagger.json);
every JSON request body is validated against the swagger definitions (proto3 JSON rules: int64 may be
a string or a number, lowerCamelCase aliases, unknown fields rejected), query parameters against the
operation's declared ones, uploaded packages and inline pipeline specs against the PipelineSpec proto,
recurring-run crons with robfig/cron v1 rules, and every response body against its response schema.
Anything off-contract is answered 400 and also recorded in `violations`, which the fixture asserts
empty, so a client bug cannot hide behind an error the client swallowed.

Also: auth like an Istio/oauth2-proxy front (401/403), and injectable faults (HTTP status, connection
reset, slow response after the work was done) to exercise retries and duplicate avoidance.
Binds 127.0.0.1 only.
"""
from __future__ import annotations

import email.parser
import email.policy
import io
import json
import re
import socket
import struct
import tarfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import parse_qs, unquote, urlsplit

import jsonschema
import yaml

import robfig_cron

SWAGGER = Path(__file__).resolve().parents[1] / "data" / "kfp_v2beta1" / "kfp_api_single_file.swagger.json"
GRPC_HTTP = {3: 400, 5: 404, 6: 409, 7: 403, 12: 501, 13: 500, 14: 503, 16: 401}
FINAL = ("SUCCEEDED", "FAILED", "SKIPPED", "CANCELED")
UPLOADS = ("UploadPipeline", "UploadPipelineVersion")


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


# ---------------------------------------------------------------- the contract
def _convert(schema):
    """Swagger 2 schema -> JSON Schema with proto3 JSON mapping rules applied."""
    if isinstance(schema, list):
        return [_convert(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _convert(v) for k, v in schema.items()
           if k not in ("readOnly", "title", "description", "properties", "additionalProperties")}
    if isinstance(schema.get("additionalProperties"), dict):
        out["additionalProperties"] = _convert(schema["additionalProperties"])
    if "properties" in schema:
        out["properties"] = {name: _convert(prop) for name, prop in schema["properties"].items()}
    if schema.get("type") == "string" and schema.get("format") in ("int64", "uint64"):
        out = {"anyOf": [{"type": "string", "pattern": r"^-?[0-9]+$"}, {"type": "integer"}]}
    elif schema.get("type") == "string" and "enum" in schema:
        # proto3 JSON: an enum is its value name, or its number
        out = {"anyOf": [{"type": "string", "enum": schema["enum"]},
                         {"type": "integer", "minimum": 0, "maximum": len(schema["enum"]) - 1}]}
    elif schema.get("type") == "string" and schema.get("format") == "date-time":
        out["pattern"] = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"
    if "properties" in schema:
        props = out["properties"]
        for name in list(props):
            if camel(name) != name:
                props[camel(name)] = props[name]  # protojson accepts lowerCamelCase field names too
        out.setdefault("additionalProperties", False)
    return out


class Contract:
    def __init__(self, path: Path = SWAGGER):
        self.doc = json.loads(path.read_text())
        self.definitions = {name: _convert(d) for name, d in self.doc["definitions"].items()}
        self.routes = []
        for template, ops in self.doc["paths"].items():
            pieces = re.split(r"\{([^}]+)\}", template)  # literal, param, literal, param, ...
            pattern = "".join(re.escape(piece) if i % 2 == 0 else f"(?P<{piece.replace('.', '__')}>[^/:]+)"
                              for i, piece in enumerate(pieces))
            for method, op in ops.items():
                self.routes.append((method.upper(), re.compile(f"^{pattern}$"), op))

    def route(self, method: str, path: str):
        for route_method, regex, op in self.routes:
            match = regex.match(path)
            if match and route_method == method:
                return op, {k.replace("__", "."): unquote(v) for k, v in match.groupdict().items()}
        return None, None

    def validator(self, schema: dict):
        return jsonschema.Draft4Validator({**_convert(schema), "definitions": self.definitions})

    def errors(self, schema: dict, value) -> List[str]:
        return [f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
                for e in self.validator(schema).iter_errors(value)]


def get(obj: dict, name: str, default=None):
    """Read a proto field by its proto name or its lowerCamelCase JSON name."""
    if not isinstance(obj, dict):
        return default
    if name in obj:
        return obj[name]
    return obj.get(camel(name), default)


class ApiError(Exception):
    def __init__(self, grpc_code: int, message: str):
        super().__init__(message)
        self.grpc_code = grpc_code
        self.message = message


# ---------------------------------------------------------------- faults and auth
@dataclass
class Fault:
    operation: str  # operationId ("RunService_CreateRun") or "*"
    kind: str  # "status" | "reset" | "slow" | "html"
    status: int = 503
    after: bool = False  # do the work first, then fail (the client cannot tell it happened)
    seconds: float = 2.0  # for "slow": answer this late (after the work is done)
    times: int = 1
    message: str = "injected fault"  # the error message in the body (a proxy may echo request details)


@dataclass
class Auth:
    bearer: Optional[str] = None  # accepted "Authorization: Bearer <token>"
    cookie: Optional[str] = None  # accepted cookie "name=value"
    token_file_contents: Optional[str] = None  # accepted token read from a projected token file
    denied_status: int = 401  # 401 (no identity) or 403 ("RBAC: access denied" from Istio)
    login_redirect: bool = False  # answer like oauth2-proxy/Dex in front of KFP: 302 to a login page


# ---------------------------------------------------------------- pipeline specs
def parse_pipeline_spec(doc) -> dict:
    """Check a PipelineSpec document with the published proto (as the backend unmarshals it)."""
    from google.protobuf import json_format
    from kfp.pipeline_spec import pipeline_spec_pb2

    if not isinstance(doc, dict):
        raise ApiError(3, "pipeline spec is not an object")
    spec = doc.get("pipeline_spec", doc) if "pipeline_spec" in doc and "platform_spec" in doc else doc
    try:
        json_format.ParseDict(spec, pipeline_spec_pb2.PipelineSpec())
    except json_format.ParseError as exc:
        raise ApiError(3, f"invalid pipeline spec: {exc}")
    if not spec.get("pipelineInfo", {}).get("name"):
        raise ApiError(3, "invalid pipeline spec: pipelineInfo.name is empty")
    if not spec.get("root"):
        raise ApiError(3, "invalid pipeline spec: root is empty")
    return spec


def read_package(filename: str, data: bytes) -> dict:
    """The upload server's ReadPipelineFile: .yaml/.yml/.json, .zip or .tar.gz holding one."""
    name = filename.lower()
    try:
        if name.endswith((".tar.gz", ".tgz")):
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
                members = [m for m in archive.getmembers() if m.isfile()]
                if len(members) != 1:
                    raise ApiError(3, "the archive must hold exactly one file")
                data = archive.extractfile(members[0]).read()
        elif name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                files = [n for n in archive.namelist() if not n.endswith("/")]
                if len(files) != 1:
                    raise ApiError(3, "the archive must hold exactly one file")
                data = archive.read(files[0])
        elif not name.endswith((".yaml", ".yml", ".json")):
            raise ApiError(3, f"unexpected pipeline file format {filename}")
        docs = [d for d in yaml.safe_load_all(data.decode()) if d]
    except (yaml.YAMLError, UnicodeDecodeError, tarfile.TarError, zipfile.BadZipFile) as exc:
        raise ApiError(3, f"Failed to read a pipeline spec file: {exc}")
    if not docs:
        raise ApiError(3, "empty pipeline file")
    return parse_pipeline_spec(docs[0])


# ---------------------------------------------------------------- the server
class KfpServer:
    def __init__(self, multi_user: bool = False, auth: Optional[Auth] = None, polls_to_finish: int = 2):
        self.contract = Contract()
        self.multi_user = multi_user
        self.auth = auth
        self.polls_to_finish = polls_to_finish
        self.lock = threading.RLock()
        self.pipelines: Dict[str, dict] = {}
        self.versions: Dict[str, dict] = {}  # version id -> version (with pipeline_spec)
        self.experiments: Dict[str, dict] = {}
        self.runs: Dict[str, dict] = {}
        self.recurring: Dict[str, dict] = {}
        self.run_outcomes: Dict[str, str] = {}  # run display name -> final state (default SUCCEEDED)
        self.faults: List[Fault] = []
        self.violations: List[str] = []
        self.requests: List[dict] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> "KfpServer":
        self.thread.start()
        return self

    def use_tls(self, cert_file: str, key_file: str) -> None:
        """Serve HTTPS with this certificate (call before start)."""
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.url = self.url.replace("http://", "https://")

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def inject(self, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend(faults)

    def calls(self, operation: str) -> List[dict]:
        return [r for r in self.requests if r["operation"] == operation]

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_GET(self):
                server.handle(self)

            do_POST = do_DELETE = do_PATCH = do_PUT = do_GET

        return Handler

    # ------------------------------------------------------------ request handling
    def handle(self, handler) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        op, path_params = self.contract.route(handler.command, split.path)
        operation = op["operationId"] if op else None
        record = {"method": handler.command, "path": split.path, "operation": operation,
                  "query": parse_qs(split.query, keep_blank_values=True),
                  "headers": {k.lower(): v for k, v in handler.headers.items()}, "body": raw}
        with self.lock:
            self.requests.append(record)
        if op is None:
            self.violations.append(f"{handler.command} {split.path}: no such operation in the swagger")
            return self.reply(handler, 404, {"code": 5, "message": "Not Found", "details": []}, None)
        denied = self.check_auth(handler)
        if denied:
            status, text = denied
            body = text.encode()
            handler.send_response(status)
            if status == 302:
                handler.send_header("Location", text)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        fault = self.take_fault(operation)
        if fault and not fault.after and fault.kind == "status":
            return self.reply(handler, fault.status, {"code": 14, "message": fault.message, "details": []}, op)
        if fault and not fault.after and fault.kind == "reset":
            return self.reset(handler)
        if fault and fault.kind == "html":  # a gateway answering with the dashboard page
            page = b"<!doctype html><html><body>Kubeflow Central Dashboard</body></html>"
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(page)))
            handler.end_headers()
            handler.wfile.write(page)
            return
        try:
            status, body = 200, self.dispatch(operation, op, path_params, record, handler)
        except ApiError as err:
            status = GRPC_HTTP.get(err.grpc_code, 500)
            if operation in UPLOADS:
                # the upload handlers write their own error shape (apiv1beta1.Error), not google.rpc.Status
                return self.send(handler, status, {"error_message": err.message, "error_details": err.message})
            body = {"code": err.grpc_code, "message": err.message, "details": []}
        if fault and fault.kind == "slow":
            time.sleep(fault.seconds)
        if fault and fault.after and fault.kind == "status":
            return self.reply(handler, fault.status, {"code": 14, "message": fault.message, "details": []}, op)
        if fault and fault.after and fault.kind == "reset":
            return self.reset(handler)
        self.reply(handler, status, body, op)

    def take_fault(self, operation: str) -> Optional[Fault]:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.operation in (operation, "*"):
                    fault.times -= 1
                    return fault
        return None

    def check_auth(self, handler):
        if self.auth is None:
            return None
        header = handler.headers.get("Authorization") or ""
        cookie = handler.headers.get("Cookie") or ""
        accepted = []
        if self.auth.bearer:
            accepted.append(header == f"Bearer {self.auth.bearer}")
        if self.auth.token_file_contents:
            accepted.append(header == f"Bearer {self.auth.token_file_contents}")
        if self.auth.cookie:
            accepted.append(self.auth.cookie in [c.strip() for c in cookie.split(";")])
        if any(accepted):
            return None
        if self.auth.login_redirect:
            return 302, "/dex/auth?client_id=kubeflow-oidc-authservice"
        if self.auth.denied_status == 403:
            return 403, "RBAC: access denied"
        return 401, "Jwt is missing" if not header else "Jwt verification fails"

    def reset(self, handler) -> None:
        # SO_LINGER 0: close with RST, the "connection reset by peer" a client sees from a dying proxy
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.close_connection = True

    def reply(self, handler, status: int, body, op) -> None:
        if op is not None:
            responses = op.get("responses", {})
            schema = (responses.get(str(status)) or responses.get("default") or {}).get("schema")
            if schema is not None:
                problems = self.contract.errors(schema, body)
                if problems:
                    self.violations.append(f"response of {op['operationId']} breaks the contract: {problems}")
        self.send(handler, status, body)

    def send(self, handler, status: int, body) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    # ------------------------------------------------------------ validation
    def check_request(self, op: dict, path_params: dict, record: dict, handler) -> dict:
        """Validate query, path and body against the operation; return the parsed body (or form)."""
        params = {p["name"]: p for p in op.get("parameters", [])}
        for name, values in record["query"].items():
            param = params.get(name)
            if param is None or param["in"] != "query":
                raise self.violation(f"{op['operationId']}: unknown query parameter {name!r}")
            if param.get("type") == "integer" or param.get("format") in ("int32", "int64"):
                if not re.fullmatch(r"-?[0-9]+", values[-1]):
                    raise self.violation(f"{op['operationId']}: query {name}={values[-1]!r} is not an integer")
            if "enum" in param and values[-1] not in param["enum"]:
                raise self.violation(f"{op['operationId']}: query {name}={values[-1]!r} not in {param['enum']}")
        for name, param in params.items():
            if param.get("required") and param["in"] == "query" and name not in record["query"]:
                raise self.violation(f"{op['operationId']}: missing required query parameter {name}")
        body_param = next((p for p in params.values() if p["in"] == "body"), None)
        form_params = [p for p in params.values() if p["in"] == "formData"]
        if body_param:
            if "json" not in record["headers"].get("content-type", ""):
                raise self.violation(f"{op['operationId']}: body is not application/json")
            try:
                body = json.loads(record["body"] or b"null")
            except ValueError:
                raise self.violation(f"{op['operationId']}: body is not JSON")
            problems = self.contract.errors(body_param["schema"], body)
            if problems:
                raise self.violation(f"{op['operationId']}: request body breaks the contract: {problems}")
            return body
        if form_params:
            return self.parse_form(op, record)
        if record["body"] and handler.command in ("GET", "DELETE"):
            raise self.violation(f"{op['operationId']}: unexpected request body")
        return {}

    def parse_form(self, op: dict, record: dict) -> dict:
        content_type = record["headers"].get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            raise self.violation(f"{op['operationId']}: expected multipart/form-data, got {content_type!r}")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + record["body"])
        form = {}
        for part in message.iter_parts():
            form[part.get_param("name", header="content-disposition")] = (
                part.get_filename(), part.get_payload(decode=True))
        if "uploadfile" not in form or not form["uploadfile"][0]:
            raise self.violation(f"{op['operationId']}: multipart field 'uploadfile' (a file) is missing")
        return form

    def violation(self, message: str) -> ApiError:
        self.violations.append(message)
        return ApiError(3, message)

    # ------------------------------------------------------------ operations
    def dispatch(self, operation, op, path_params, record, handler):
        body = self.check_request(op, path_params, record, handler)
        query = {k: v[-1] for k, v in record["query"].items()}
        method = getattr(self, "op_" + operation, None)
        if method is None:
            raise ApiError(12, f"{operation} is not implemented by the loopback server")
        with self.lock:
            return method(body=body, query=query, **{k.replace(".", "_"): v for k, v in path_params.items()})

    def op_HealthzService_GetHealthz(self, **_):
        return {"multi_user": self.multi_user, "pipeline_store": "database"}

    # experiments
    def _need_namespace(self, query, what):
        if self.multi_user and not query.get("namespace"):
            raise ApiError(3, f"Invalid input error: In multi-user mode, {what} requires a namespace")

    def op_ExperimentService_CreateExperiment(self, body, query, **_):
        name = get(body, "display_name")
        if not name:
            raise ApiError(3, "Invalid input error: Experiment name is empty")
        namespace = get(body, "namespace") or ""
        if self.multi_user and not namespace:
            raise ApiError(3, "Invalid input error: In multi-user mode, experiment namespace is required")
        if any(e["display_name"] == name and e.get("namespace", "") == namespace for e in self.experiments.values()):
            raise ApiError(6, f"Failed to create a new experiment: experiment {name} already exists")
        exp = {"experiment_id": str(uuid.uuid4()), "display_name": name, "created_at": now(),
               "namespace": namespace, "storage_state": "AVAILABLE"}
        if get(body, "description"):
            exp["description"] = get(body, "description")
        self.experiments[exp["experiment_id"]] = exp
        return exp

    def op_ExperimentService_GetExperiment(self, experiment_id, **_):
        if experiment_id not in self.experiments:
            raise ApiError(5, f"Experiment {experiment_id} not found")
        return self.experiments[experiment_id]

    def op_ExperimentService_ListExperiments(self, query, **_):
        self._need_namespace(query, "ListExperiments")
        items = [e for e in self.experiments.values()
                 if not self.multi_user or e.get("namespace") == query.get("namespace")]
        return self._page("experiments", items, query)

    # pipelines
    def op_PipelineService_ListPipelines(self, query, **_):
        return self._page("pipelines", list(self.pipelines.values()), query)

    def op_PipelineService_GetPipeline(self, pipeline_id, **_):
        if pipeline_id not in self.pipelines:
            raise ApiError(5, f"Pipeline {pipeline_id} not found")
        return self.pipelines[pipeline_id]

    def op_PipelineService_ListPipelineVersions(self, pipeline_id, query, **_):
        if pipeline_id not in self.pipelines:
            raise ApiError(5, f"Pipeline {pipeline_id} not found")
        items = [v for v in self.versions.values() if v["pipeline_id"] == pipeline_id]
        return self._page("pipeline_versions", items, query)

    def op_PipelineService_GetPipelineVersion(self, pipeline_id, pipeline_version_id, **_):
        version = self.versions.get(pipeline_version_id)
        if version is None or version["pipeline_id"] != pipeline_id:
            raise ApiError(5, f"Pipeline version {pipeline_version_id} not found")
        return version

    def op_PipelineService_DeletePipeline(self, pipeline_id, **_):
        self.pipelines.pop(pipeline_id, None)
        return {}

    def _new_version(self, pipeline_id, name, description, spec):
        version = {"pipeline_id": pipeline_id, "pipeline_version_id": str(uuid.uuid4()), "name": name,
                   "display_name": name, "created_at": now(), "pipeline_spec": spec}
        if description:
            version["description"] = description
        self.versions[version["pipeline_version_id"]] = version
        return version

    def op_UploadPipeline(self, body, query, **_):
        filename, data = body["uploadfile"]
        spec = read_package(filename, data)
        name = query.get("name") or query.get("display_name") or filename
        if self.multi_user and not query.get("namespace"):
            pass  # shared pipelines are allowed
        if any(p["name"] == name and p.get("namespace", "") == query.get("namespace", "")
               for p in self.pipelines.values()):
            raise ApiError(6, "Failed to create a pipeline and a pipeline version")
        pipeline = {"pipeline_id": str(uuid.uuid4()), "name": name, "display_name": query.get("display_name") or name,
                    "created_at": now(), "namespace": query.get("namespace", "")}
        if query.get("description"):
            pipeline["description"] = query["description"]
        self.pipelines[pipeline["pipeline_id"]] = pipeline
        self._new_version(pipeline["pipeline_id"], name, query.get("description"), spec)
        return pipeline

    def op_UploadPipelineVersion(self, body, query, **_):
        filename, data = body["uploadfile"]
        spec = read_package(filename, data)
        pipeline_id = query.get("pipelineid")
        if not pipeline_id or pipeline_id not in self.pipelines:
            raise ApiError(3, "Failed to create a pipeline version: pipeline id is missing or unknown")
        name = query.get("name") or query.get("display_name") or filename
        if any(v["pipeline_id"] == pipeline_id and v["name"] == name for v in self.versions.values()):
            raise ApiError(6, "Failed to create a pipeline version: the name is taken")
        return self._new_version(pipeline_id, name, query.get("description"), spec)

    # runs
    def _pipeline_of(self, body) -> dict:
        ref = get(body, "pipeline_version_reference")
        inline = get(body, "pipeline_spec")
        if bool(ref) == bool(inline):
            raise ApiError(3, "Invalid input error: exactly one of pipeline_spec and pipeline_version_reference")
        if inline:
            return parse_pipeline_spec(inline)
        pipeline_id = get(ref, "pipeline_id")
        if pipeline_id not in self.pipelines:
            raise ApiError(5, f"Pipeline {pipeline_id} not found")
        version_id = get(ref, "pipeline_version_id")
        if version_id:
            version = self.versions.get(version_id)
            if version is None or version["pipeline_id"] != pipeline_id:
                raise ApiError(5, f"Pipeline version {version_id} not found")
        else:
            version = max((v for v in self.versions.values() if v["pipeline_id"] == pipeline_id),
                          key=lambda v: v["created_at"])
        return version["pipeline_spec"]

    def _experiment_of(self, body) -> dict:
        experiment_id = get(body, "experiment_id")
        if not experiment_id:
            raise ApiError(3, "Invalid input error: experiment_id is required")
        if experiment_id not in self.experiments:
            raise ApiError(5, f"Experiment {experiment_id} not found")
        return self.experiments[experiment_id]

    def op_RunService_CreateRun(self, body, query, **_):
        if not get(body, "display_name"):
            raise ApiError(3, "Invalid input error: run name is empty")
        experiment = self._experiment_of(body)
        spec = self._pipeline_of(body)
        run = {"run_id": str(uuid.uuid4()), "experiment_id": experiment["experiment_id"],
               "display_name": get(body, "display_name"), "storage_state": "AVAILABLE", "created_at": now(),
               "scheduled_at": now(), "state": "PENDING", "runtime_config": get(body, "runtime_config") or {}}
        if get(body, "pipeline_version_reference"):
            run["pipeline_version_reference"] = get(body, "pipeline_version_reference")
        else:
            run["pipeline_spec"] = get(body, "pipeline_spec")
        self.runs[run["run_id"]] = {"run": run, "spec": spec, "polls": 0}
        return run

    def _advance(self, entry) -> dict:
        run = entry["run"]
        if run["state"] in FINAL:
            return run
        entry["polls"] += 1
        if entry["polls"] >= self.polls_to_finish:
            final = self.run_outcomes.get(run["display_name"], "SUCCEEDED")
            run["state"] = final
            run["finished_at"] = now()
            run["run_details"] = {"task_details": self._tasks(entry, final)}
            if final == "FAILED":
                run["error"] = {"code": 2, "message": "a task failed", "details": []}
        else:
            run["state"] = "RUNNING"
            run["run_details"] = {"task_details": self._tasks(entry, "RUNNING")}
        return run

    def _tasks(self, entry, state) -> list:
        tasks = entry["spec"].get("root", {}).get("dag", {}).get("tasks", {})
        details = []
        for index, (name, task) in enumerate(sorted(tasks.items())):
            task_state = state if not (state == "FAILED" and index) else "SKIPPED"
            component = entry["spec"].get("components", {}).get(task.get("componentRef", {}).get("name", ""), {})
            artifacts = component.get("outputDefinitions", {}).get("artifacts", {})
            detail = {"run_id": entry["run"]["run_id"], "task_id": f"{index + 1}", "display_name": name,
                      "create_time": entry["run"]["created_at"], "start_time": entry["run"]["created_at"],
                      "state": task_state}
            if task_state in FINAL:
                detail["end_time"] = now()
                detail["outputs"] = {out: {"artifact_ids": [str(100 + index)]} for out in sorted(artifacts)}
            if task_state == "FAILED":
                detail["error"] = {"code": 2, "message": f"{name} exited with code 1", "details": []}
            details.append(detail)
        return details

    def op_RunService_GetRun(self, run_id, **_):
        if run_id not in self.runs:
            raise ApiError(5, f"Run {run_id} not found")
        return self._advance(self.runs[run_id])

    def op_RunService_ListRuns(self, query, **_):
        items = [e["run"] for e in self.runs.values()
                 if not query.get("experiment_id") or e["run"]["experiment_id"] == query["experiment_id"]]
        if not query.get("experiment_id"):
            self._need_namespace(query, "ListRuns")
        return self._page("runs", items, query)

    # recurring runs
    def op_RecurringRunService_CreateRecurringRun(self, body, query, **_):
        if not get(body, "display_name"):
            raise ApiError(3, "Invalid input error: recurring run name is empty")
        experiment = self._experiment_of(body)
        self._pipeline_of(body)
        concurrency = int(get(body, "max_concurrency") or 0)
        if not 1 <= concurrency <= 10:
            raise ApiError(3, f"Max concurrency of a recurring run must be at least 1 and at most 10. "
                              f"Received {concurrency}")
        trigger = get(body, "trigger") or {}
        cron = get(get(trigger, "cron_schedule") or {}, "cron")
        periodic = get(trigger, "periodic_schedule")
        if bool(cron) == bool(periodic):
            raise ApiError(3, "Invalid input error: a trigger needs a cron or a periodic schedule")
        if cron:
            try:
                robfig_cron.parse(cron)
            except robfig_cron.CronError as exc:
                raise ApiError(3, f"Schedule cron is not a supported format(https://godoc.org/github.com/"
                                  f"robfig/cron). Error: {exc}")
        if periodic and int(get(periodic, "interval_second") or 0) < 1:
            raise ApiError(3, "Found invalid period schedule interval. Set at interval to least 1 second")
        mode = get(body, "mode") or "MODE_UNSPECIFIED"
        recurring = {**body, "recurring_run_id": str(uuid.uuid4()), "created_at": now(), "updated_at": now(),
                     "status": "ENABLED" if mode == "ENABLE" else "DISABLED",
                     "namespace": experiment.get("namespace", ""), "max_concurrency": str(concurrency)}
        self.recurring[recurring["recurring_run_id"]] = recurring
        return recurring

    def op_RecurringRunService_GetRecurringRun(self, recurring_run_id, **_):
        if recurring_run_id not in self.recurring:
            raise ApiError(5, f"Recurring run {recurring_run_id} not found")
        return self.recurring[recurring_run_id]

    def op_RecurringRunService_ListRecurringRuns(self, query, **_):
        items = [r for r in self.recurring.values()
                 if not query.get("experiment_id") or get(r, "experiment_id") == query["experiment_id"]]
        return self._page("recurringRuns", items, query)

    def op_RecurringRunService_DeleteRecurringRun(self, recurring_run_id, **_):
        if self.recurring.pop(recurring_run_id, None) is None:
            raise ApiError(5, f"Recurring run {recurring_run_id} not found")
        return {}

    # listing: filter, sort, page
    def _page(self, key: str, items: list, query: dict) -> dict:
        if query.get("filter"):
            try:
                flt = json.loads(query["filter"])
            except ValueError:
                raise self.violation(f"filter is not JSON: {query['filter']!r}")
            problems = self.contract.errors({"$ref": "#/definitions/v2beta1Filter"}, flt)
            if problems:
                raise self.violation(f"filter breaks the contract: {problems}")
            for predicate in flt.get("predicates", []):
                op, field_name = get(predicate, "operation"), get(predicate, "key")
                if isinstance(op, int):  # proto3 JSON: enum by number
                    op = self.contract.doc["definitions"]["v2beta1PredicateOperation"]["enum"][op]
                value = get(predicate, "string_value")
                if op == "EQUALS":
                    items = [i for i in items if str(get(i, field_name)) == value]
                elif op == "IS_SUBSTRING":
                    items = [i for i in items if value in str(get(i, field_name))]
                else:
                    raise ApiError(3, f"filter operation {op} is not supported by the loopback server")
        sort_by = query.get("sort_by", "")
        if sort_by:
            name, _, order = sort_by.partition(" ")
            items = sorted(items, key=lambda i: str(get(i, name) or ""), reverse=order == "desc")
        size = int(query.get("page_size") or 20)
        start = int(query.get("page_token") or 0)
        page = items[start:start + size]
        result = {key: page, "total_size": len(items)}
        if start + size < len(items):
            result["next_page_token"] = str(start + size)
        return result
