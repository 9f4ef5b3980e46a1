"""`kfmigrate convert --image`: the project image's build context, and proof that its contents suffice.

The proof builds the same environment as the image, from the same requirement files, as a fresh venv
(no container engine needed) and runs converted sample pipelines on kfp.local INSIDE it: kfp.local runs
every component with that venv's interpreter, where nothing of kfmigrate or this machine is installed.
"""
from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ["hello_world", "etl_classic_airflow2", "operators_shim"]  # plain, bash+templates, Airflow operator shim
REF = "registry.example/kfmigrate-test/project:1"
RUN_IN_VENV = '''
import sys, tempfile
from kfp import components, local
local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=tempfile.mkdtemp(), raise_on_error=True)
components.load_component_from_file(sys.argv[1])()
print("PIPELINE SUCCEEDED in", sys.executable)
'''


def kfmigrate(*args, env=None, cwd=None):
    environ = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "kfmigrate", *map(str, args)], capture_output=True, text=True,
                          env=environ, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    out = tmp_path_factory.mktemp("image") / "out"
    done = kfmigrate("convert", *[ROOT / "samples" / "dags" / f"{name}.py" for name in SAMPLES], "-o", out, "--image", REF, "-q")
    assert done.returncode == 0, done.stderr
    assert "image build context written to" in done.stdout
    return out


def test_every_component_runs_in_the_image_and_installs_nothing(converted):
    for name in SAMPLES:
        source = (converted / f"{name}_pipeline.py").read_text()
        assert f"BASE_IMAGE = {REF!r}" in source
        assert "packages_to_install" not in source
        decorators = re.findall(r"@dsl\.component\(([^)]*)\)", source)
        assert decorators and all("install_kfp_package=False" in d for d in decorators)
        spec = next(yaml.safe_load_all((converted / f"{name}.yaml").read_text()))  # then a platform spec
        for executor in spec["deploymentSpec"]["executors"].values():
            assert executor["container"]["image"] == REF
            assert "pip install" not in " ".join(executor["container"]["command"])


def test_requirements_are_exact_pins_with_their_source(converted):
    context = converted / "image"
    lines = [line for line in (context / "requirements.txt").read_text().splitlines() if line and not line.startswith("#")]
    pins = [line.split("  #")[0] for line in lines]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\[\],-]+==[\w.+!-]+", pin) for pin in pins), pins
    assert all("  # " in line for line in lines)  # where each version came from
    for distribution in ("kfp", "apache-airflow", "apache-airflow-providers-standard", "jinja2"):
        assert f"{distribution}=={importlib.metadata.version(distribution)}" in pins, distribution
    dockerfile = (context / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile and "pip install --no-cache-dir -r requirements.txt" in dockerfile
    airflow = importlib.metadata.version("apache-airflow")
    assert f"constraints-{airflow}/constraints-3.11.txt" in dockerfile  # a shim needs Airflow
    manifest = json.loads((context / "image.json").read_text())
    assert manifest["image"] == REF and manifest["python"] == "3.11"


@pytest.mark.slow
def test_a_venv_built_from_the_context_runs_the_pipelines(converted, tmp_path):
    context = converted / "image"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    install = [str(python), "-m", "pip", "install", "-q", "-r", str(context / "requirements.txt")]
    if (context / "runtime").is_dir():
        install.append(str(context / "runtime"))
    done = subprocess.run(install, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, "pip could not install the image's requirements:\n" + done.stderr[-3000:]
    isolated = subprocess.run([str(python), "-c", "from kfmigrate import migrate"], capture_output=True, text=True, cwd=tmp_path,
                              env={"PATH": os.environ["PATH"]})
    assert isolated.returncode != 0  # kfmigrate itself is not in the image: only what the context declares
    script = tmp_path / "run_in_venv.py"
    script.write_text(textwrap.dedent(RUN_IN_VENV))
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    if (context / "project").is_dir():
        env["PYTHONPATH"] = str(context / "project")  # the Dockerfile's ENV PYTHONPATH
    for name in SAMPLES:
        run = subprocess.run([str(python), str(script), str(converted / f"{name}.yaml")], capture_output=True,
                             text=True, cwd=tmp_path, env=env, timeout=600)
        assert run.returncode == 0 and "PIPELINE SUCCEEDED in " + str(python) in run.stdout, (name, run.stdout[-3000:], run.stderr[-3000:])


def test_image_build_says_when_no_container_builder_works(converted, tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    done = kfmigrate("image", "build", converted / "image", env={"PATH": str(empty)})
    assert done.returncode == 2
    assert "no container builder works here" in done.stderr and "docker: not installed" in done.stderr
    assert f"docker build -t {REF}" in done.stderr


def test_an_existing_context_is_not_overwritten_without_force(converted):
    before = (converted / "image" / "requirements.txt").read_text()
    done = kfmigrate("convert", ROOT / "samples" / "dags" / "hello_world.py", "-o", converted, "--image", "other:2")
    assert done.returncode == 2 and "KFM302" in done.stderr
    assert (converted / "image" / "requirements.txt").read_text() == before
    assert f"BASE_IMAGE = {REF!r}" in (converted / "hello_world_pipeline.py").read_text()  # nothing written


def test_without_image_every_package_is_pinned(tmp_path):
    done = kfmigrate("convert", ROOT / "samples" / "dags", "-o", tmp_path / "out", "-q", "--no-compile")
    assert done.returncode == 0, done.stderr
    found = []
    for path in (tmp_path / "out").glob("*_pipeline.py"):
        text = path.read_text()
        for listed in re.findall(r"packages_to_install=(?:RUNTIME_PACKAGES \+ )?(\[[^\]]*\])", text):
            found += eval(listed)  # a list literal of strings
        found += eval(re.search(r"^RUNTIME_PACKAGES = (\[[^\]]*\])", text, re.M).group(1)) if "RUNTIME_PACKAGES =" in text else []
    assert found and all("==" in package for package in found), found
    assert not (tmp_path / "out" / "image").exists()


def test_run_warns_about_imports_the_image_does_not_declare(tmp_path):
    dag = tmp_path / "dags" / "fetcher.py"
    dag.parent.mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    dag.write_text(textwrap.dedent('''
        from airflow.sdk import dag, task

        @dag(schedule=None)
        def fetcher():
            @task
            def fetch():
                import requests
                return requests.__name__

            fetch()

        fetcher()
    '''))
    assert kfmigrate("convert", dag, "-o", tmp_path / "out", "-q").returncode == 0
    run = kfmigrate("run", tmp_path / "out" / "fetcher.yaml", "--pipeline-root", tmp_path / "root", cwd=tmp_path)
    # requests is installed here, so the local run passes; the warning says the cluster will not
    assert run.returncode == 0, run.stderr
    assert "KFM403 component 'fetch' imports requests" in run.stderr


def test_kfm403_reads_what_the_project_image_declares(converted, tmp_path):
    from kfmigrate.migrate.environment import uncovered_messages

    pipeline = converted / "etl_classic_airflow2.yaml"
    spec = next(yaml.safe_load_all(pipeline.read_text()))
    assert uncovered_messages(spec, pipeline) == []  # image.json beside it declares everything
    # the same pipeline next to an image.json that lacks jinja2: the components that render templates are named
    copy = tmp_path / "etl_classic_airflow2.yaml"
    copy.write_text(pipeline.read_text())
    manifest = json.loads((converted / "image" / "image.json").read_text())
    manifest["requirements"] = [r for r in manifest["requirements"] if not r.startswith(("jinja2", "apache-airflow", "kfmigrate-runtime"))]
    (tmp_path / "image").mkdir()
    (tmp_path / "image" / "image.json").write_text(json.dumps(manifest))
    lines = uncovered_messages(spec, copy)
    assert lines and all("KFM403" in line for line in lines)
    # without any image.json, a custom image is named once as not checked
    alone = tmp_path / "alone" / "etl.yaml"
    alone.parent.mkdir()
    alone.write_text(pipeline.read_text())
    assert uncovered_messages(spec, alone) == [f"{alone}: KFM403 image {REF!r}: its contents are unknown here (no image.json "
                                               "beside the pipeline), so imports were not checked against it"]
