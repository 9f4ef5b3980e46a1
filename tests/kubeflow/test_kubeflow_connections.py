"""Connection errors say what happened (issue 14, item 14): DNS, refused, timeout, TLS, plain HTTP
behind a scheme-less host, a 403's own message, a multi-user server without --namespace. Loopback
servers on 127.0.0.1 only; the unresolvable name is under .invalid (RFC 6761: never resolves)."""
import socket

from kfp_loopback import Auth


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_name_that_does_not_resolve_is_dns_and_not_retried(cli):
    result = cli("kubeflow", "experiment", "list", "--retries", "4", "--timeout", "5", "--host", "http://kfp.invalid:8888")
    assert result.exit_code == 1
    assert "KFM504" in result.stderr and "'kfp.invalid' does not resolve (DNS)" in result.stderr
    assert "retrying" not in result.stderr and "timed out" not in result.stderr


def test_a_refused_connection_is_called_refused(cli):
    result = cli("kubeflow", "experiment", "list", "--retries", "1", "--host", f"http://127.0.0.1:{free_port()}")
    assert result.exit_code == 1
    assert "connection refused after 2 attempts" in result.stderr and "timed out" not in result.stderr


def test_a_server_that_never_answers_times_out(cli):
    with socket.socket() as listener:  # the kernel accepts the connection; nobody ever answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        result = cli("kubeflow", "experiment", "list", "--retries", "0", "--timeout", "0.5",
                     "--host", f"http://127.0.0.1:{port}")
    assert result.exit_code == 1
    assert "timed out after 1 attempts, 0.5 s timeout each" in result.stderr


def test_a_scheme_less_host_answering_plain_http_gets_did_you_mean(cli, kfp_server):
    bare = kfp_server.url.removeprefix("http://")
    result = cli("kubeflow", "experiment", "list", "--host", bare)
    assert result.exit_code == 1
    assert f"did you mean --host http://{bare}?" in result.stderr
    assert "--ca-cert" not in result.stderr  # not a certificate problem


def test_a_403_shows_the_servers_message(cli, kfp_server):
    kfp_server.auth = Auth(bearer="the-right-one", denied_status=403)
    result = cli("kubeflow", "experiment", "list", "--host", kfp_server.url, env={"KFP_TOKEN": "wrong"})
    assert result.exit_code == 1
    assert "answered 403 Forbidden to 'check the KFP API (healthz)': RBAC: access denied." in result.stderr


def test_a_multi_user_server_without_namespace_gets_a_warning(cli, kfp_server):
    kfp_server.multi_user = True
    result = cli("kubeflow", "experiment", "list", "--host", kfp_server.url)
    assert "KFM505" in result.stderr and "multi-user" in result.stderr and "--namespace" in result.stderr
    with_namespace = cli("kubeflow", "experiment", "list", "--namespace", "team-a", "--host", kfp_server.url)
    assert with_namespace.exit_code == 0, with_namespace.output
    assert "KFM505" not in with_namespace.stderr
