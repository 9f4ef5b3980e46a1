"""upload / experiment / run against the loopback KFP server, through the real kfp.Client.

Every request the client sends is checked against the published v2beta1 swagger by the server; the
fixture fails the test on any contract violation.
"""
import json

import pytest
from kfp_loopback import Auth, Fault


def versions_of(server, name):
    pipeline = next(p for p in server.pipelines.values() if p["name"] == name)
    return [v for v in server.versions.values() if v["pipeline_id"] == pipeline["pipeline_id"]]


# ---------------------------------------------------------------- upload
def test_upload_compiles_py_and_is_safe_to_repeat(cli, kfp_server, hello_py):
    first = cli("kubeflow", "upload", hello_py, "--host", kfp_server.url)
    assert first.exit_code == 0, first.output
    assert "created pipeline hello-pipeline" in first.stdout
    again = cli("kubeflow", "upload", hello_py, "--host", kfp_server.url)
    assert again.exit_code == 0
    assert "already uploaded" in again.stdout
    assert len(kfp_server.pipelines) == 1 and len(versions_of(kfp_server, "hello-pipeline")) == 1
    # the server received a real compiled PipelineSpec (it parses it with the published proto)
    (version,) = versions_of(kfp_server, "hello-pipeline")
    assert set(version["pipeline_spec"]["root"]["dag"]["tasks"]) == {"say-hello", "shout"}


def test_upload_to_an_existing_name_adds_a_version(cli, kfp_server, hello_yaml, tmp_path):
    assert cli("kubeflow", "upload", hello_yaml, "--host", kfp_server.url).exit_code == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text(hello_yaml.read_text().replace("Kubeflow", "Pipelines"))
    result = cli("kubeflow", "upload", changed, "--name", "hello-pipeline", "--host", kfp_server.url, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["created_pipeline"] is False and data["created_version"] is True
    assert data["version_name"].startswith("hello-pipeline-")
    assert len(kfp_server.pipelines) == 1 and len(versions_of(kfp_server, "hello-pipeline")) == 2
    upload_calls = kfp_server.calls("UploadPipelineVersion")
    assert upload_calls[0]["query"]["pipelineid"] == [data["pipeline_id"]]


def test_upload_refuses_a_named_version_with_other_content(cli, kfp_server, hello_yaml, tmp_path):
    # a new pipeline gets KFP's first version (named like the pipeline) and the version asked for
    assert cli("kubeflow", "upload", hello_yaml, "--host", kfp_server.url, "--version", "v1").exit_code == 0
    assert sorted(v["name"] for v in versions_of(kfp_server, "hello-pipeline")) == ["hello-pipeline", "v1"]
    changed = tmp_path / "changed.yaml"
    changed.write_text(hello_yaml.read_text().replace("Kubeflow", "Other"))
    result = cli("kubeflow", "upload", changed, "--name", "hello-pipeline", "--version", "v1", "--host", kfp_server.url)
    assert result.exit_code == 1
    assert "already has a version 'v1' with other content" in result.stderr
    assert cli("kubeflow", "upload", changed, "--name", "hello-pipeline", "--version", "v2",
               "--host", kfp_server.url).exit_code == 0
    assert len(versions_of(kfp_server, "hello-pipeline")) == 3


@pytest.mark.parametrize("archive", ["zip", "tar.gz"])
def test_upload_accepts_archives(cli, kfp_server, hello_yaml, tmp_path, archive):
    import tarfile
    import zipfile

    path = tmp_path / f"hello.{archive}"
    if archive == "zip":
        with zipfile.ZipFile(path, "w") as z:
            z.write(hello_yaml, "pipeline.yaml")
    else:
        with tarfile.open(path, "w:gz") as t:
            t.add(hello_yaml, "pipeline.yaml")
    result = cli("kubeflow", "upload", path, "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    assert kfp_server.calls("UploadPipeline")[0]["headers"]["content-type"].startswith("multipart/form-data")


def test_upload_of_a_broken_package_is_a_clear_error(cli, kfp_server, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("just: text\n")
    result = cli("kubeflow", "upload", broken, "--host", kfp_server.url)
    assert result.exit_code == 1
    assert "not a compiled KFP pipeline" in result.stderr
    assert "Traceback" not in result.output
    assert kfp_server.requests == []  # refused before anything was sent


# ---------------------------------------------------------------- experiments and runs
def test_experiment_create_is_idempotent_and_listed(cli, kfp_server):
    assert "created experiment demo" in cli("kubeflow", "experiment", "create", "demo", "--host", kfp_server.url).stdout
    assert "exists: experiment demo" in cli("kubeflow", "experiment", "create", "demo", "--host", kfp_server.url).stdout
    assert len(kfp_server.experiments) == 1
    listed = json.loads(cli("kubeflow", "experiment", "list", "--json", "--host", kfp_server.url).stdout)
    assert [e["name"] for e in listed] == ["demo"]


def test_run_create_from_uploaded_pipeline_waits_and_shows_tasks(cli, kfp_server, hello_py):
    cli("kubeflow", "upload", hello_py, "--host", kfp_server.url)
    result = cli("kubeflow", "run", "create", "--experiment", "exp", "--pipeline", "hello-pipeline",
                 "--param", "name=World", "--wait", "--poll", "0", "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    assert "SUCCEEDED" in result.stdout
    assert "say-hello" in result.stdout and "shout" in result.stdout and "out=artifact" in result.stdout
    (entry,) = kfp_server.runs.values()
    assert entry["run"]["runtime_config"]["parameters"] == {"name": "World"}
    assert entry["run"]["pipeline_version_reference"]["pipeline_id"] in kfp_server.pipelines
    assert f"#/runs/details/{entry['run']['run_id']}" in result.stdout


def test_run_create_from_a_package_sends_the_spec_inline(cli, kfp_server, hello_yaml):
    result = cli("kubeflow", "run", "create", hello_yaml, "--experiment", "exp", "--name", "inline",
                 "--host", kfp_server.url, "--json")
    assert result.exit_code == 0, result.output
    (entry,) = kfp_server.runs.values()
    assert entry["run"]["pipeline_spec"]["pipelineInfo"]["name"] == "hello-pipeline"
    assert json.loads(result.stdout)["name"] == "inline"


def test_run_get_list_and_wait(cli, kfp_server, hello_yaml):
    created = json.loads(cli("kubeflow", "run", "create", hello_yaml, "--experiment", "exp", "--json",
                             "--host", kfp_server.url).stdout)
    run_id = created["run_id"]
    listed = json.loads(cli("kubeflow", "run", "list", "--experiment", "exp", "--json", "--host", kfp_server.url).stdout)
    assert [r["run_id"] for r in listed] == [run_id]
    waited = cli("kubeflow", "run", "wait", run_id, "--poll", "0", "--host", kfp_server.url)
    assert waited.exit_code == 0 and "SUCCEEDED" in waited.stdout
    got = json.loads(cli("kubeflow", "run", "get", run_id, "--json", "--host", kfp_server.url).stdout)
    assert got["state"] == "SUCCEEDED"
    assert {t["task"]: t["state"] for t in got["tasks"]} == {"say-hello": "SUCCEEDED", "shout": "SUCCEEDED"}


def test_a_failed_run_exits_1_with_the_failing_task(cli, kfp_server, hello_yaml):
    kfp_server.run_outcomes["doomed"] = "FAILED"
    result = cli("kubeflow", "run", "create", hello_yaml, "--experiment", "exp", "--name", "doomed", "--wait",
                 "--poll", "0", "--host", kfp_server.url)
    assert result.exit_code == 1
    assert "FAILED" in result.stdout and "exited with code 1" in result.stdout


def test_unknown_parameter_is_refused_before_sending(cli, kfp_server, hello_yaml):
    result = cli("kubeflow", "run", "create", hello_yaml, "--experiment", "exp", "--param", "nme=x",
                 "--host", kfp_server.url)
    assert result.exit_code == 2 and "unknown pipeline parameter(s) nme" in result.stderr
    assert kfp_server.calls("RunService_CreateRun") == []


def test_run_of_a_missing_pipeline_is_explained(cli, kfp_server):
    result = cli("kubeflow", "run", "create", "--experiment", "e", "--pipeline", "nope", "--host", kfp_server.url)
    assert result.exit_code == 1 and "no pipeline named 'nope'" in result.stderr


def test_missing_host_is_explained(cli):
    result = cli("kubeflow", "experiment", "list")
    assert result.exit_code == 1 and "no KFP host" in result.stderr


def test_multi_user_namespace_goes_with_every_request(cli, kfp_server, hello_yaml):
    kfp_server.multi_user = True
    without = cli("kubeflow", "experiment", "list", "--host", kfp_server.url)
    assert without.exit_code == 1 and "requires a namespace" in without.stderr
    assert "pass --namespace or set KFP_NAMESPACE" in without.stderr
    result = cli("kubeflow", "run", "create", hello_yaml, "--experiment", "team", "--namespace", "team-a",
                 "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    (experiment,) = kfp_server.experiments.values()
    assert experiment["namespace"] == "team-a"
    kfp_server.violations.clear()  # the namespace-less call above was refused on purpose


# ---------------------------------------------------------------- transient faults
def test_5xx_and_connection_resets_are_retried(cli, kfp_server):
    kfp_server.inject(Fault("ExperimentService_ListExperiments", "status", status=503, times=2),
                      Fault("ExperimentService_CreateExperiment", "reset"))
    result = cli("kubeflow", "experiment", "create", "retried", "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    assert len(kfp_server.calls("ExperimentService_ListExperiments")) >= 3
    assert len(kfp_server.experiments) == 1
    assert "retrying" in result.stderr


def test_create_that_succeeded_before_a_timeout_is_not_repeated(cli, kfp_server, hello_yaml):
    # the server creates the run, then answers too late: the client times out and must not create it twice
    kfp_server.inject(Fault("RunService_CreateRun", "slow", seconds=10))  # the client gives up long before
    result = cli("kubeflow", "run", "create", hello_yaml, "--experiment", "exp", "--name", "once",
                 "--timeout", "1", "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    assert len(kfp_server.runs) == 1
    assert "had succeeded before the fault" in result.stderr


def test_upload_answered_with_a_reset_after_the_work_is_not_duplicated(cli, kfp_server, hello_yaml):
    kfp_server.inject(Fault("UploadPipeline", "reset", after=True))
    result = cli("kubeflow", "upload", hello_yaml, "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    assert len(kfp_server.pipelines) == 1 and len(kfp_server.versions) == 1


def test_persistent_5xx_gives_up_with_a_count(cli, kfp_server):
    kfp_server.inject(Fault("*", "status", status=500, times=100))
    result = cli("kubeflow", "experiment", "list", "--retries", "2", "--host", kfp_server.url)
    assert result.exit_code == 1
    assert "KFM500" in result.stderr and "after 3 attempts" in result.stderr
    assert "Traceback" not in result.output


def test_unreachable_host_is_explained(cli):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = cli("kubeflow", "experiment", "list", "--retries", "1", "--host", f"http://127.0.0.1:{port}")
    assert result.exit_code == 1
    assert "cannot reach KFP" in result.stderr and "after 2 attempts" in result.stderr


# ---------------------------------------------------------------- auth
SECRET = "s3cr3t-token-value-123"


def test_bearer_token_from_env_is_sent_and_never_printed(cli, kfp_server):
    kfp_server.auth = Auth(bearer=SECRET)
    result = cli("kubeflow", "experiment", "create", "authed", "--host", kfp_server.url, env={"KFP_TOKEN": SECRET})
    assert result.exit_code == 0, result.output
    assert all(r["headers"]["authorization"] == f"Bearer {SECRET}" for r in kfp_server.requests)
    assert SECRET not in result.output


@pytest.mark.parametrize("status, words", [(401, "401 Unauthorized"), (403, "403 Forbidden")])
def test_rejected_token_is_explained_without_showing_it(cli, kfp_server, status, words):
    kfp_server.auth = Auth(bearer="the-right-one", denied_status=status)
    result = cli("kubeflow", "experiment", "list", "--host", kfp_server.url, env={"KFP_TOKEN": SECRET})
    assert result.exit_code == 1
    assert "KFM501" in result.stderr and words in result.stderr
    assert "bearer token from $KFP_TOKEN" in result.stderr
    assert SECRET not in result.output
    assert len(kfp_server.requests) == 1  # auth failures are not retried


def test_service_account_token_file_is_used_and_hint_names_the_poddefault(cli, kfp_server, tmp_path):
    token = tmp_path / "token"
    token.write_text("projected-sa-token-abc")
    kfp_server.auth = Auth(token_file_contents="projected-sa-token-abc")
    ok = cli("kubeflow", "experiment", "list", "--host", kfp_server.url,
             env={"KF_PIPELINES_SA_TOKEN_PATH": str(token)})
    assert ok.exit_code == 0, ok.output
    token.write_text("expired-token-xyz")
    denied = cli("kubeflow", "experiment", "list", "--host", kfp_server.url,
                 env={"KF_PIPELINES_SA_TOKEN_PATH": str(token)})
    assert denied.exit_code == 1
    assert f"service-account token file {token}" in denied.stderr
    assert "access-ml-pipeline" in denied.stderr and "AuthorizationPolicy" in denied.stderr
    assert "expired-token-xyz" not in denied.output


def test_dex_session_cookie(cli, kfp_server):
    kfp_server.auth = Auth(cookie="authservice_session=cookie-secret-42")
    ok = cli("kubeflow", "experiment", "list", "--host", kfp_server.url,
             env={"KFP_COOKIE": "authservice_session=cookie-secret-42"})
    assert ok.exit_code == 0, ok.output
    denied = cli("kubeflow", "experiment", "list", "--host", kfp_server.url,
                 env={"KFP_COOKIE": "authservice_session=stale-cookie-99"})
    assert denied.exit_code == 1
    assert "session cookie 'authservice_session'" in denied.stderr and "log in again" in denied.stderr
    assert "stale-cookie-99" not in denied.output


def test_no_credential_is_explained(cli, kfp_server):
    kfp_server.auth = Auth(bearer="x" * 10)
    result = cli("kubeflow", "experiment", "list", "--host", kfp_server.url)
    assert result.exit_code == 1
    assert "no credential was sent" in result.stderr


def test_explicit_auth_kind_without_its_secret_is_a_usage_error(cli, kfp_server):
    result = cli("kubeflow", "experiment", "list", "--auth", "token", "--host", kfp_server.url)
    assert result.exit_code == 2 and "$KFP_TOKEN" in result.stderr
    assert kfp_server.requests == []


def test_tls_verification_is_on_unless_insecure(monkeypatch):
    from kfmigrate.kubeflow_ops.auth import Credential
    from kfmigrate.kubeflow_ops.client import KfpSession

    secure = KfpSession("https://kubeflow.invalid", Credential("none"), namespace="ns")
    insecure = KfpSession("https://kubeflow.invalid", Credential("none"), namespace="ns", verify_tls=False)
    assert secure.client._run_api.api_client.configuration.verify_ssl is True
    assert insecure.client._run_api.api_client.configuration.verify_ssl is False


def self_signed(tmp_path):
    """A certificate for 127.0.0.1 and its key, written as PEM files."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "loopback-kfp")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_tls_is_verified_unless_insecure(cli, tmp_path):
    from kfp_loopback import KfpServer

    cert_file, key_file = self_signed(tmp_path)
    server = KfpServer()
    server.use_tls(str(cert_file), str(key_file))
    server.start()
    try:
        unknown_ca = cli("kubeflow", "experiment", "list", "--retries", "0", "--host", server.url)
        with_ca = cli("kubeflow", "experiment", "list", "--ca-cert", cert_file, "--host", server.url)
        insecure = cli("kubeflow", "experiment", "list", "--insecure", "--host", server.url)
    finally:
        server.stop()
    assert unknown_ca.exit_code == 1
    assert "TLS problem" in unknown_ca.stderr and "--ca-cert" in unknown_ca.stderr
    assert with_ca.exit_code == 0, with_ca.output
    assert insecure.exit_code == 0, insecure.output
    assert server.violations == []


def test_an_echoed_token_is_scrubbed_from_messages_and_logs(cli, kfp_server):
    import io
    import logging

    log_text = io.StringIO()
    handler = logging.StreamHandler(log_text)
    root = logging.getLogger()
    root.addHandler(handler)
    kfp_server.auth = Auth(bearer=SECRET)
    kfp_server.inject(Fault("ExperimentService_ListExperiments", "status", status=400,
                            message=f"bad request from Bearer {SECRET}"))
    try:
        result = cli("kubeflow", "experiment", "list", "--host", kfp_server.url, env={"KFP_TOKEN": SECRET})
        # whatever a library logs through the root handlers while the session lives is scrubbed too
        logging.getLogger("kfp_server_api.rest").error("response body: %s", f"Bearer {SECRET}")
    finally:
        root.removeHandler(handler)
    assert result.exit_code == 1
    assert "bad request from Bearer ***" in result.stderr and SECRET not in result.output
    assert "response body: Bearer ***" in log_text.getvalue() and SECRET not in log_text.getvalue()


def test_credential_precedence_and_description(tmp_path):
    from kfmigrate.kubeflow_ops.auth import CredentialError, resolve_credential

    token_file = tmp_path / "token"
    token_file.write_text("file-token")
    env = {"KF_PIPELINES_SA_TOKEN_PATH": str(token_file)}
    assert resolve_credential(environ=env).kind == "sa-token"
    assert resolve_credential(environ={**env, "KFP_COOKIE": "oauth2_proxy_kubeflow=abc123"}).kind == "cookie"
    both = resolve_credential(environ={**env, "KFP_COOKIE": "a=b", "KFP_TOKEN": "tok-123456"})
    assert both.kind == "token" and "tok-123456" not in repr(both) and "tok-123456" not in both.describe()
    import os

    assert not os.path.exists("/var/run/secrets/kubeflow/pipelines/token")  # not inside a notebook pod here
    assert resolve_credential(environ={}).kind == "none"
    with pytest.raises(CredentialError):
        resolve_credential("cookie", environ={"KFP_COOKIE": "no-equals-sign"})
    with pytest.raises(CredentialError):
        resolve_credential("sa-token", token_file=str(tmp_path / "missing"), environ={})
    cookie = resolve_credential(environ={"KFP_COOKIE": "authservice_session=value-999; other=x-777"})
    scrubbed = cookie.redact("sent authservice_session=value-999; other=x-777 and value-999 alone")
    assert "value-999" not in scrubbed and "x-777" not in scrubbed and scrubbed.startswith("sent ***")


def test_a_login_redirect_is_reported_not_followed(cli, kfp_server):
    kfp_server.auth = Auth(cookie="authservice_session=fresh", login_redirect=True)
    result = cli("kubeflow", "experiment", "list", "--host", kfp_server.url,
                 env={"KFP_COOKIE": "authservice_session=expired-cookie-1"})
    assert result.exit_code == 1
    assert "redirected" in result.stderr and "login page" in result.stderr and "log in again" in result.stderr
    assert len(kfp_server.requests) == 1  # the login page was not fetched
    assert "expired-cookie-1" not in result.output


def test_a_web_page_instead_of_the_api_is_not_read_as_empty(cli, kfp_server):
    kfp_server.inject(Fault("ExperimentService_ListExperiments", "html"))
    result = cli("kubeflow", "experiment", "list", "--host", kfp_server.url)
    assert result.exit_code == 1
    assert "with a web page, not the KFP API" in result.stderr and "/pipeline" in result.stderr


def test_parameters_of_an_uploaded_pipeline_are_checked(cli, kfp_server, hello_yaml):
    assert cli("kubeflow", "upload", hello_yaml, "--host", kfp_server.url).exit_code == 0
    result = cli("kubeflow", "run", "create", "--experiment", "e", "--pipeline", "hello-pipeline",
                 "--param", "nmae=x", "--host", kfp_server.url)
    assert result.exit_code == 2 and "unknown pipeline parameter(s) nmae; the pipeline takes name" in result.stderr
    assert kfp_server.calls("RunService_CreateRun") == []


def test_inside_a_pod_the_in_cluster_service_is_the_default_host(cli):
    # the in-cluster name does not resolve here: the point is which host was chosen and said
    result = cli("kubeflow", "experiment", "list", "--retries", "0", "--timeout", "2",
                 env={"KUBERNETES_SERVICE_HOST": "10.0.0.1"})
    assert "using the in-cluster KFP service http://ml-pipeline.kubeflow.svc.cluster.local:8888" in result.stderr
    assert result.exit_code == 1 and "cannot reach KFP at http://ml-pipeline.kubeflow.svc.cluster.local:8888" \
        in result.stderr


def test_parameter_values_of_an_uploaded_pipeline_are_typed(cli, kfp_server, tmp_path):
    from pathlib import Path

    from kfmigrate.migrate.api import convert_file

    dag = Path(__file__).resolve().parents[2] / "samples" / "dags" / "etl_classic_airflow2.py"
    (conversion,) = convert_file(dag, compile=True).conversions
    package = tmp_path / "etl.yaml"
    package.write_text(conversion.yaml_text)
    assert cli("kubeflow", "upload", package, "--name", "etl", "--host", kfp_server.url).exit_code == 0
    for source in (["--pipeline", "etl"], [package]):
        result = cli("kubeflow", "run", "create", *source, "--experiment", "e", "--param", "limit=x",
                     "--host", kfp_server.url)
        assert result.exit_code == 2 and "parameter limit: 'x' is not a valid integer" in result.stderr
    assert kfp_server.calls("RunService_CreateRun") == []
    result = cli("kubeflow", "run", "create", "--pipeline", "etl", "--experiment", "e", "--param", "limit=3",
                 "--host", kfp_server.url)
    assert result.exit_code == 0, result.output
    (entry,) = kfp_server.runs.values()
    assert entry["run"]["runtime_config"]["parameters"] == {"limit": 3}
