"""A retrying, explaining session around the real kfp.Client (KFP REST API v2beta1).

What it adds to kfp.Client:
- a request timeout (kfp.Client sets none) and retries with exponential backoff on transient faults
  (HTTP 5xx/429, connection refused/reset, timeouts), with urllib3's own silent retries turned off;
- 401/403 turned into an AuthError naming the credential that was tried and what to check;
- lookups by name so that re-running a deploy never duplicates a pipeline, version, experiment or
  run: a create that may have happened before a fault is looked up before it is retried;
- no stray prints: kfp.Client prints links and warnings; we return data and print our own.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from kfmigrate.kubeflow_ops.auth import Credential, RedactingFilter, auth_hint
from kfmigrate.kubeflow_ops.errors import AuthError, KubeflowError, RefusedError
from kfmigrate.kubeflow_ops.packages import parameter_types

log = logging.getLogger("kfmigrate.kubeflow")

FINAL_RUN_STATES = ("SUCCEEDED", "FAILED", "SKIPPED", "CANCELED", "ERROR")
RETRY_STATUSES = (429, 500, 502, 503, 504)
HASH_MARK = "kfmigrate sha256:"


@dataclass
class Uploaded:
    pipeline_id: str
    pipeline_name: str
    version_id: str
    version_name: str
    created_pipeline: bool
    created_version: bool


def package_hash(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


IN_CLUSTER_HOST = "http://ml-pipeline.kubeflow.svc.cluster.local:8888"
RERUN_STATES = ("FAILED", "ERROR", "CANCELED")  # deploy starts a new run when the last one of a version ended so


def default_host(host: Optional[str]) -> Optional[str]:
    """The host given; without one, inside a pod (a Kubeflow notebook), the in-cluster KFP service."""
    import os

    if not host and os.environ.get("KUBERNETES_SERVICE_HOST"):
        return IN_CLUSTER_HOST
    return host


def succeeded(run) -> bool:
    return str(run.state).upper() == "SUCCEEDED"


def deploy_run(session, experiment_id: str, uploaded, params: dict, new_run: bool) -> Tuple[Any, bool]:
    """(run, reused): the run of this exact version with these parameters, started earlier and not failed,
    or a new one (always with new_run; named with the time when the last one failed)."""
    def stamp() -> str:
        return time.strftime("%Y%m%d-%H%M%S", time.gmtime())

    run_name = deploy_run_name(uploaded.version_name, params) + (f" {stamp()}" if new_run else "")
    previous = None if new_run else session.find_run(experiment_id, run_name)
    if previous is not None and str(previous.state or "").upper() not in RERUN_STATES:
        return previous, True
    if previous is not None:  # the last run of this version failed: a fresh run, new name
        run_name = f"{run_name} {stamp()}"
    return session.create_run(experiment_id, run_name, params=params, pipeline_id=uploaded.pipeline_id,
                              version_id=uploaded.version_id), False


def deploy_run_name(version_name: str, params: Optional[dict] = None) -> str:
    """The name deploy gives (and looks up) the run of a version: the version, plus a digest of the
    parameters when there are any, so a run with other parameters is never taken for this one."""
    if not params:
        return version_name
    digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()
    return f"{version_name} params-{digest[:10]}"


def _name_filter(key: str, value: str) -> str:
    return json.dumps({"predicates": [{"operation": "EQUALS", "key": key, "string_value": value}]})


class KfpSession:
    def __init__(self, host: str, credential: Credential, namespace: Optional[str] = None,
                 verify_tls: bool = True, ca_cert: Optional[str] = None, timeout: float = 30.0,
                 attempts: int = 5, backoff: float = 0.5, sleep: Callable[[float], None] = time.sleep,
                 ui_host: Optional[str] = None, notify: Optional[Callable[[str], None]] = None):
        if not host:
            raise KubeflowError("no KFP host: pass --host or set KFP_HOST "
                                "(e.g. http://ml-pipeline-ui.kubeflow or https://<kubeflow>/pipeline)")
        self.host = host.rstrip("/")
        self.credential = credential
        self.namespace = namespace
        self.verify_tls = verify_tls
        self.ca_cert = ca_cert
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.sleep = sleep
        self.ui_host = (ui_host or self.host).rstrip("/")
        self._client = None
        self.notify = notify or log.warning  # where retry notices go (the CLI prints them to stderr)
        self._install_log_redaction()

    # ------------------------------------------------------------ plumbing
    def _install_log_redaction(self) -> None:
        redactor = RedactingFilter(self.credential)
        for handler in logging.getLogger().handlers:
            handler.addFilter(redactor)
        log.addFilter(redactor)

    @property
    def client(self):
        if self._client is None:
            self._client = self._make_client()
        return self._client

    def _make_client(self):
        import kfp
        from kfp.client.set_volume_credentials import ServiceAccountTokenVolumeCredentials

        kwargs: Dict[str, Any] = dict(host=self.host, verify_ssl=self.verify_tls, ssl_ca_cert=self.ca_cert)
        if self.namespace:
            kwargs["namespace"] = self.namespace
        if self.credential.kind == "sa-token":
            kwargs["credentials"] = ServiceAccountTokenVolumeCredentials(path=self.credential.token_path)
        elif self.credential.kind == "token":
            kwargs["existing_token"] = self.credential.token
        elif self.credential.kind == "cookie":
            kwargs["cookies"] = self.credential.cookie

        session = self

        def first_healthz(*_args, **_kwargs):
            # kfp.Client.__init__ probes healthz when no namespace is known, retrying 5 times 5 s apart
            # and logging tracebacks; answer it through our own timeout/retry/explain path instead.
            session._tune_transport(client)
            health = session.call("check the KFP API (healthz)", client._healthz_api.healthz_service_get_healthz)
            if getattr(health, "multi_user", False) and not session.namespace:
                # every namespaced call would fail with a 400 later; say why now
                session.notify("KFM505 this KFP server is multi-user (Kubeflow profiles) and no --namespace was "
                               "given: pass --namespace <your profile namespace> or set KFP_NAMESPACE")
            return health

        client = kfp.Client.__new__(kfp.Client)
        client.get_kfp_healthz = first_healthz  # instance attribute: used by __init__ only
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            kfp.Client.__init__(client, **kwargs)
        del client.get_kfp_healthz
        self._tune_transport(client)
        return client

    def _tune_transport(self, client) -> None:
        """Give every request a timeout and turn off urllib3's own (silent) retries."""
        import urllib3

        api_client = client._run_api.api_client
        rest = api_client.rest_client
        if getattr(rest, "_kfmigrate_tuned", False):
            return
        rest.pool_manager.connection_pool_kw["retries"] = urllib3.Retry(total=0, connect=0, read=0,
                                                                        redirect=0, raise_on_redirect=False)
        original = rest.request
        timeout = self.timeout
        host = self.host

        def request(method, url, *args, **kwargs):
            if not kwargs.get("_request_timeout"):
                kwargs["_request_timeout"] = (timeout, timeout)
            response = original(method, url, *args, **kwargs)
            # a gateway may answer with a web page (a login form, the dashboard); parsed as an API
            # response it would silently read as "nothing found"
            if "text/html" in (response.getheader("Content-Type") or ""):
                raise KubeflowError(f"{host} answered '{method} {url}' with a web page, not the KFP API",
                                    hint="check --host (behind the Kubeflow gateway it ends in /pipeline) and "
                                         "that your session cookie or token is still valid")
            return response

        rest.request = request
        # redirects (to a Dex login page, typically) are reported, not followed
        pool = rest.pool_manager
        original_urlopen = pool.urlopen

        def urlopen(method, url, redirect=True, **kw):
            return original_urlopen(method, url, redirect=False, **kw)

        pool.urlopen = urlopen
        rest._kfmigrate_tuned = True

    def _transient(self, exc: Exception) -> Optional[str]:
        """A short reason if the failure is worth retrying, else None (a name that does not resolve
        will not resolve a second later)."""
        from kfp_server_api.exceptions import ApiException

        if isinstance(exc, ApiException):
            if exc.status in RETRY_STATUSES:
                return f"HTTP {exc.status} {exc.reason or ''}".strip()
            return None
        kind = connection_failure(exc)
        return None if kind in (None, "DNS", "TLS") else CONNECTION_WORDS[kind]

    def _explain(self, what: str, exc: Exception, transient: Optional[str], tries: int) -> KubeflowError:
        from kfp_server_api.exceptions import ApiException

        if isinstance(exc, ApiException) and exc.status in (301, 302, 303, 307):
            return AuthError(f"KFP at {self.host} redirected '{what}' to a login page (HTTP {exc.status}): the "
                             f"request was not authenticated. Credential tried: {self.credential.describe()}.",
                             hint=auth_hint(self.credential, 401))
        if isinstance(exc, ApiException) and exc.status in (401, 403):
            label = "401 Unauthorized" if exc.status == 401 else "403 Forbidden"
            said = self.credential.redact(_error_message(exc.body))  # Istio's "RBAC: access denied", a profile's reason
            return AuthError(f"KFP at {self.host} answered {label} to '{what}'" + (f": {said}" if said else "")
                             + f". Credential tried: {self.credential.describe()}.",
                             hint=auth_hint(self.credential, exc.status))
        kind = "TLS" if isinstance(exc, ApiException) and exc.status == 0 else connection_failure(exc)
        if kind == "TLS":  # a certificate problem (kfp_server_api wraps some as ApiException with status 0)
            plain = self._answers_plain_http()
            if plain:
                return KubeflowError(f"{self.host} does not speak TLS for '{what}', but {plain} answers plain HTTP",
                                     code=CONNECTION_CODE, hint=f"did you mean --host {plain}?")
            text = str(exc.reason if isinstance(exc, ApiException) else _innermost(exc))
            return KubeflowError(f"TLS problem talking to {self.host} for '{what}': "
                                 f"{self.credential.redact(text)[:300]}", code=CONNECTION_CODE,
                                 hint="pass --ca-cert with your cluster's CA bundle, or --insecure to skip "
                                      "certificate verification (not recommended)")
        if kind == "DNS":
            return KubeflowError(f"cannot reach KFP at {self.host} for '{what}': the host name "
                                 f"'{_host_name(self.host)}' does not resolve (DNS); not retried",
                                 code=CONNECTION_CODE,
                                 hint="check the spelling of --host; inside the cluster the service is "
                                      "ml-pipeline.kubeflow.svc.cluster.local, from outside use a port-forward or the gateway")
        if isinstance(exc, ApiException):
            detail = self.credential.redact(_error_message(exc.body) or exc.reason or "")
            if transient:
                return KubeflowError(f"'{what}' failed after {tries} attempts: HTTP {exc.status} {detail}".strip())
            hint = None
            if "namespace" in detail.lower() and not self.namespace:
                hint = "multi-user Kubeflow needs your profile namespace: pass --namespace or set KFP_NAMESPACE"
            return KubeflowError(f"'{what}' failed: HTTP {exc.status} {detail}".strip(), hint=hint)
        if transient:
            timeouts = f", {self.timeout:g} s timeout each" if kind == "timeout" else ""
            hint = {"refused": "nothing listens there: check the port in --host and that the port-forward or "
                               "service is up"}.get(kind, "check --host, the network path (port-forward, ingress) "
                                                          "and --insecure/--ca-cert")
            return KubeflowError(f"cannot reach KFP at {self.host} for '{what}' ({transient} "
                                 f"after {tries} attempts{timeouts})", code=CONNECTION_CODE if kind else "KFM500",
                                 hint=hint)
        return KubeflowError(f"'{what}' failed: {type(exc).__name__}: {self.credential.redact(str(exc))}")

    def _answers_plain_http(self) -> Optional[str]:
        """http://<host> when the server behind a TLS failure answers plain HTTP (a scheme-less or
        https --host pointed at a port-forward), else None."""
        import urllib.error
        import urllib.request

        rest = self.host.split("://", 1)[1] if "://" in self.host else self.host
        if self.host.startswith("http://"):
            return None
        plain = f"http://{rest}"
        try:
            with urllib.request.urlopen(f"{plain}/apis/v2beta1/healthz", timeout=min(self.timeout, 5)):
                return plain
        except urllib.error.HTTPError:
            return plain  # an HTTP answer, even an error, is plain HTTP
        except (OSError, ValueError):
            return None

    def call(self, what: str, fn: Callable, *args, recover: Optional[Callable[[], Any]] = None, **kwargs):
        """Call a kfp.Client/kfp_server_api function with retries; `recover` finds a create that
        may have succeeded before a fault (so a retry does not create it twice)."""
        from kfp_server_api.exceptions import ApiException

        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                    warnings.simplefilter("ignore")
                    return fn(*args, **kwargs)
            except KubeflowError:
                raise
            except Exception as exc:  # classify below; nothing escapes unexplained
                transient = self._transient(exc)
                if isinstance(exc, ApiException) and exc.status == 409 and recover is not None:
                    found = recover()
                    if found is not None:
                        return found
                if transient is None or attempt == self.attempts:
                    raise self._explain(what, exc, transient, attempt) from None
                self.notify(f"{what}: {transient}; retrying in {delay:.1f} s "
                            f"(attempt {attempt + 1} of {self.attempts})")
                self.sleep(delay)
                delay = min(delay * 2, 8.0)
                if recover is not None:
                    found = self._quiet(recover)
                    if found is not None:
                        self.notify(f"{what}: it had succeeded before the fault; using it")
                        return found

    def _quiet(self, fn: Callable):
        try:
            return fn()
        except Exception:  # the retry itself will report the real problem
            return None

    def link(self, kind: str, *ids: str) -> str:
        paths = {"run": "#/runs/details/{}", "experiment": "#/experiments/details/{}",
                 "pipeline": "#/pipelines/details/{}/version/{}", "recurring": "#/recurringrun/details/{}"}
        return f"{self.ui_host}/{paths[kind].format(*ids)}"

    # ------------------------------------------------------------ health
    def healthz(self):
        return self.call("check the KFP API (healthz)", self.client._healthz_api.healthz_service_get_healthz)

    # ------------------------------------------------------------ pipelines
    def find_pipeline(self, name: str):
        response = self.call(f"find pipeline '{name}'", self.client.list_pipelines,
                             filter=_name_filter("display_name", name), page_size=100, namespace=self.namespace)
        matches = [p for p in (response.pipelines or []) if p.display_name == name]
        if len(matches) > 1:
            raise KubeflowError(f"several pipelines are named '{name}'; rename or delete the extra ones")
        return matches[0] if matches else None

    def list_versions(self, pipeline_id: str) -> list:
        versions, token = [], ""
        while True:
            response = self.call("list pipeline versions", self.client.list_pipeline_versions,
                                 pipeline_id=pipeline_id, page_token=token, page_size=100)
            versions += response.pipeline_versions or []
            token = response.next_page_token or ""
            if not token:
                return versions

    def upload(self, package_path: str, name: str, version: Optional[str] = None,
               description: str = "", spec: Optional[dict] = None, force: bool = False) -> Uploaded:
        """Upload a package as pipeline `name`; if it exists, add a version (or reuse an identical one).

        spec: the package's PipelineSpec. A new version whose pipelineInfo.name or parameters differ
        from the pipeline's newest version is refused (KFM503) unless force: it is most likely
        another pipeline uploaded under this name."""
        digest = package_hash(package_path)
        marked = f"{description} [{HASH_MARK}{digest}]".strip()

        def same_content(v) -> bool:
            return HASH_MARK + digest in (v.description or "")

        pipeline = self.find_pipeline(name)
        if pipeline is None:
            def recover_pipeline():
                return self.find_pipeline(name)

            pipeline = self.call(f"upload pipeline '{name}'", self.client.upload_pipeline,
                                 pipeline_package_path=package_path, pipeline_name=name,
                                 description=marked, namespace=self.namespace, recover=recover_pipeline)
            versions = self.list_versions(pipeline.pipeline_id)
            mine = [v for v in versions if same_content(v)]
            if mine and (version is None or mine[0].display_name == version):
                first = mine[0]
                return Uploaded(pipeline.pipeline_id, name, first.pipeline_version_id,
                                first.display_name or first.name, True, True)
            if not mine and versions and version is None:
                raise KubeflowError(f"pipeline '{name}' appeared while uploading it, with other content; "
                                    "run again to add a version")
            created_pipeline = True
        else:
            created_pipeline = False
            versions = self.list_versions(pipeline.pipeline_id)
            for v in versions:
                v_name = v.display_name or v.name
                if version and v_name == version:
                    if same_content(v):
                        return Uploaded(pipeline.pipeline_id, name, v.pipeline_version_id, v_name, False, False)
                    raise KubeflowError(f"pipeline '{name}' already has a version '{version}' with other "
                                        "content; choose another --version")
                if not version and same_content(v):
                    return Uploaded(pipeline.pipeline_id, name, v.pipeline_version_id, v_name, False, False)

        if not created_pipeline and spec is not None and not force:
            self._check_same_pipeline(pipeline, versions, spec)
        version_name = version or f"{name}-{digest[:12]}"

        def recover_version():
            for v in self.list_versions(pipeline.pipeline_id):
                if (v.display_name or v.name) == version_name and same_content(v):
                    return v
            return None

        created = self.call(f"upload version '{version_name}' of '{name}'", self.client.upload_pipeline_version,
                            pipeline_package_path=package_path, pipeline_version_name=version_name,
                            pipeline_id=pipeline.pipeline_id, description=marked, recover=recover_version)
        return Uploaded(pipeline.pipeline_id, name, created.pipeline_version_id, version_name,
                        created_pipeline, True)

    def _check_same_pipeline(self, pipeline, versions: list, spec: dict) -> None:
        if not versions:
            return
        newest = max(versions, key=lambda v: str(v.created_at or ""))
        existing = self.version_spec(pipeline.pipeline_id, newest.pipeline_version_id)
        if existing is None:
            return  # the server does not say: nothing to compare
        name = pipeline.display_name
        theirs, ours = existing.get("pipelineInfo", {}).get("name"), spec.get("pipelineInfo", {}).get("name")
        problems = []
        if theirs != ours:
            problems.append(f"its pipelineInfo.name is '{ours}', the existing versions' is '{theirs}'")
        their_params, our_params = parameter_types(existing), parameter_types(spec)
        if their_params != our_params:
            def show(params):
                return ", ".join(f"{k}: {v}" for k, v in params.items()) or "none"
            problems.append(f"its parameters are ({show(our_params)}), the existing versions' are ({show(their_params)})")
        if problems:
            raise RefusedError(f"pipeline '{name}' exists and this package is not a version of it: "
                               + "; ".join(problems), code="KFM503",
                               hint="upload it under its own name (--name / --pipeline-name), or pass --force to "
                                    "add it as a version anyway")

    def version_spec(self, pipeline_id: str, version_id: str) -> Optional[dict]:
        """The PipelineSpec of an uploaded version (None if the server does not say)."""
        version = self.call("get pipeline version", self.client.get_pipeline_version, pipeline_id, version_id)
        spec = version.pipeline_spec if isinstance(version.pipeline_spec, dict) else None
        if spec and "root" not in spec and isinstance(spec.get("pipeline_spec"), dict):
            spec = spec["pipeline_spec"]  # pipeline and platform spec uploaded together
        return spec if spec and "root" in spec else None

    def resolve_version(self, pipeline_name: str, version: Optional[str] = None) -> Tuple[str, str]:
        """(pipeline_id, version_id) for a pipeline by name; the newest version unless one is named."""
        pipeline = self.find_pipeline(pipeline_name)
        if pipeline is None:
            raise KubeflowError(f"no pipeline named '{pipeline_name}' (upload it first: kfmigrate kubeflow upload)")
        versions = self.list_versions(pipeline.pipeline_id)
        if version:
            for v in versions:
                if version in (v.display_name, v.name, v.pipeline_version_id):
                    return pipeline.pipeline_id, v.pipeline_version_id
            raise KubeflowError(f"pipeline '{pipeline_name}' has no version '{version}'")
        if not versions:
            raise KubeflowError(f"pipeline '{pipeline_name}' has no versions")
        newest = max(versions, key=lambda v: str(v.created_at or ""))
        return pipeline.pipeline_id, newest.pipeline_version_id

    def version_parameters(self, pipeline_id: str, version_id: str) -> Optional[Dict[str, str]]:
        """The pipeline parameters of an uploaded version, name -> KFP type (None if the server does not say)."""
        spec = self.version_spec(pipeline_id, version_id)
        return None if spec is None else parameter_types(spec)

    # ------------------------------------------------------------ experiments
    def find_experiment(self, name: str):
        response = self.call(f"find experiment '{name}'", self.client.list_experiments,
                             filter=_name_filter("display_name", name), page_size=100, namespace=self.namespace)
        matches = [e for e in (response.experiments or []) if e.display_name == name]
        if len(matches) > 1:
            raise KubeflowError(f"several experiments are named '{name}' in this namespace")
        return matches[0] if matches else None

    def ensure_experiment(self, name: str, description: Optional[str] = None):
        """(experiment, created): the experiment named `name`, created if missing."""
        found = self.find_experiment(name)
        if found is not None:
            return found, False
        from kfp_server_api import V2beta1Experiment

        body = V2beta1Experiment(display_name=name, description=description, namespace=self.namespace)
        created = self.call(f"create experiment '{name}'",
                            self.client._experiment_api.experiment_service_create_experiment,
                            experiment=body, recover=lambda: self.find_experiment(name))
        return created, True

    def list_experiments(self, limit: int = 100) -> list:
        response = self.call("list experiments", self.client.list_experiments, page_size=limit,
                             sort_by="created_at desc", namespace=self.namespace)
        return response.experiments or []

    # ------------------------------------------------------------ runs
    def find_run(self, experiment_id: str, display_name: str):
        response = self.call("find run", self.client.list_runs, experiment_id=experiment_id,
                             filter=_name_filter("display_name", display_name), page_size=100)
        matches = [r for r in (response.runs or []) if r.display_name == display_name]
        return max(matches, key=lambda r: str(r.created_at or "")) if matches else None

    def create_run(self, experiment_id: str, display_name: str, params: Optional[dict] = None,
                   pipeline_id: Optional[str] = None, version_id: Optional[str] = None,
                   package_path: Optional[str] = None, pipeline_root: Optional[str] = None,
                   service_account: Optional[str] = None):
        before = {r.run_id for r in [self._quiet(lambda: self.find_run(experiment_id, display_name))] if r}

        def recover():
            run = self.find_run(experiment_id, display_name)
            return run if run is not None and run.run_id not in before else None

        return self.call(f"start run '{display_name}'", self.client.run_pipeline, experiment_id=experiment_id,
                         job_name=display_name, params=params or {}, pipeline_id=pipeline_id,
                         version_id=version_id, pipeline_package_path=package_path,
                         pipeline_root=pipeline_root, service_account=service_account, recover=recover)

    def get_run(self, run_id: str):
        return self.call(f"get run {run_id}", self.client.get_run, run_id)

    def list_runs(self, experiment_id: Optional[str] = None, limit: int = 20) -> list:
        response = self.call("list runs", self.client.list_runs, experiment_id=experiment_id,
                             namespace=self.namespace, page_size=limit, sort_by="created_at desc")
        return response.runs or []

    def wait_run(self, run_id: str, timeout: float = 3600, poll: float = 5.0,
                 on_change: Optional[Callable[[Any], None]] = None, clock: Callable[[], float] = time.monotonic):
        """Poll a run until it reaches a final state; each poll goes through the retrying call()."""
        deadline = clock() + timeout
        last_state = None
        while True:
            run = self.get_run(run_id)
            state = str(run.state or "").upper()
            if on_change and state != last_state:
                on_change(run)
            last_state = state
            if state in FINAL_RUN_STATES:
                return run
            if clock() >= deadline:
                raise KubeflowError(f"run {run_id} is still {state or 'pending'} after {timeout:g} s "
                                    f"(it keeps running; follow it with `kfmigrate kubeflow run wait {run_id}`)")
            self.sleep(poll)

    # ------------------------------------------------------------ recurring runs
    def find_recurring_run(self, experiment_id: str, display_name: str):
        response = self.call("find recurring run", self.client.list_recurring_runs, experiment_id=experiment_id,
                             filter=_name_filter("display_name", display_name), page_size=100)
        matches = [r for r in (response.recurring_runs or []) if r.display_name == display_name]
        return matches[0] if matches else None

    def delete_recurring_run(self, recurring_run_id: str) -> None:
        self.call("delete recurring run", self.client.delete_recurring_run, recurring_run_id)

    def create_recurring_run(self, experiment_id: str, display_name: str, spec, pipeline_id: str,
                             version_id: str, params: Optional[dict] = None, max_concurrency: int = 1,
                             description: Optional[str] = None):
        def recover():
            return self.find_recurring_run(experiment_id, display_name)

        kwargs = {k: v for k, v in spec.client_kwargs().items() if v is not None}
        return self.call(f"create recurring run '{display_name}'", self.client.create_recurring_run,
                         experiment_id=experiment_id, job_name=display_name, description=description,
                         params=params or {}, pipeline_id=pipeline_id, version_id=version_id,
                         max_concurrency=max_concurrency, recover=recover, **kwargs)


CONNECTION_CODE = "KFM504"
CONNECTION_WORDS = {"refused": "connection refused", "timeout": "timed out", "reset": "connection failed",
                    "DNS": "name does not resolve", "TLS": "TLS failed"}


def _chain(exc: BaseException):
    """The exception, what urllib3 wrapped in it (MaxRetryError.reason) and its causes."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = getattr(exc, "reason", None) if isinstance(getattr(exc, "reason", None), BaseException) \
            else exc.__cause__ or exc.__context__


def _innermost(exc: BaseException) -> BaseException:
    return list(_chain(exc))[-1]


def connection_failure(exc: BaseException) -> Optional[str]:
    """DNS, refused, timeout, TLS or reset for a failure to talk to the server; None for anything else.

    urllib3's NewConnectionError (and its NameResolutionError) subclass ConnectTimeoutError: a name
    that does not resolve and a refused connection are not timeouts, so the causes decide first."""
    import socket
    import ssl

    import urllib3

    chain = list(_chain(exc))
    if any(isinstance(e, (urllib3.exceptions.NameResolutionError, socket.gaierror)) for e in chain):
        return "DNS"
    if any(isinstance(e, (urllib3.exceptions.SSLError, ssl.SSLError)) for e in chain):
        return "TLS"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "refused"
    if any(isinstance(e, urllib3.exceptions.NewConnectionError) for e in chain):
        return "refused" if "refused" in str(exc).lower() else "reset"
    if any(isinstance(e, (urllib3.exceptions.TimeoutError, TimeoutError, socket.timeout)) for e in chain):
        return "timeout"
    if any(isinstance(e, (urllib3.exceptions.ProtocolError, urllib3.exceptions.MaxRetryError, ConnectionError))
           for e in chain):
        return "reset"
    return None


def _host_name(host: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(host if "://" in host else f"//{host}").hostname or host


def _error_message(body) -> str:
    """The message inside a KFP error body (googleRpcStatus or the upload server's error_message)."""
    if not body:
        return ""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return str(body)[:300]
    if isinstance(data, dict):
        return str(data.get("message") or data.get("error_message") or data.get("error") or "")[:300]
    return str(data)[:300]


def task_rows(run) -> List[dict]:
    """Per-task state and outputs from a run's run_details (what the v2beta1 Run API reports)."""
    rows = []
    details = getattr(run, "run_details", None)
    for task in (getattr(details, "task_details", None) or []):
        outputs = {}
        for name, artifacts in (task.outputs or {}).items():
            ids = getattr(artifacts, "artifact_ids", None) or []
            outputs[name] = ",".join(str(i) for i in ids)
        rows.append({"task": task.display_name or task.task_id, "state": str(task.state or ""),
                     "started": str(task.start_time or ""), "finished": str(task.end_time or ""),
                     "outputs": outputs, "error": getattr(task.error, "message", None) if task.error else None})
    return rows
