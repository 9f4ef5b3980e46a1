"""Fixtures for the Kubeflow half: loopback KFP and Kubernetes API servers, the CLI, a small pipeline."""
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))

from kfp_loopback import KfpServer  # noqa: E402

HELLO_PIPELINE = textwrap.dedent('''
    from kfp import dsl


    @dsl.component(base_image="python:3.11", install_kfp_package=False)
    def say_hello(name: str) -> str:
        return f"Hello, {name}!"


    @dsl.component(base_image="python:3.11", install_kfp_package=False)
    def shout(text: str, out: dsl.Output[dsl.Dataset]):
        with open(out.path, "w") as f:
            f.write(text.upper())


    @dsl.pipeline(name="hello-pipeline")
    def hello_pipeline(name: str = "Kubeflow"):
        hello = say_hello(name=name)
        shout(text=hello.output)
''')


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No real credentials or contexts leak in; kfp.Client's context file lands in a temp HOME."""
    for name in ("KFP_HOST", "KFP_NAMESPACE", "KFP_TOKEN", "KFP_COOKIE", "KF_PIPELINES_SA_TOKEN_PATH",
                 "KF_PIPELINES_ENDPOINT", "KF_PIPELINES_UI_ENDPOINT", "KUBECONFIG", "KUBERNETES_SERVICE_HOST"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KFMIGRATE_RETRY_BACKOFF", "0")
    import kfp.client.client as kfp_client_module

    monkeypatch.setattr(kfp_client_module.Client, "_LOCAL_KFP_CONTEXT", str(home / ".config/kfp/context.json"))


@pytest.fixture
def kfp_server():
    server = KfpServer().start()
    yield server
    server.stop()
    assert server.violations == [], server.violations


@pytest.fixture
def cli():
    """Run `kfmigrate ...` in-process; returns click's Result (stdout, stderr, exit_code)."""
    from kfmigrate.cli import main

    def run(*args, env=None):
        return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def hello_py(tmp_path_factory):
    path = tmp_path_factory.mktemp("pkg") / "hello_pipeline.py"
    path.write_text(HELLO_PIPELINE)
    return path


@pytest.fixture(scope="session")
def hello_yaml(hello_py):
    from kfmigrate.migrate.package import compile_python

    path = hello_py.with_suffix(".yaml")
    path.write_text(compile_python(hello_py))
    return path
