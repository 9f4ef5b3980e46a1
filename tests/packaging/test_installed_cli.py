"""The user's path from the installed wheel, run from a folder outside the repository: convert a DAG and a
project folder, run the result on kfp.local (kfmigrate-runtime from the installed kfmigrate, no index),
verify a DAG against Airflow, analyze a folder, and convert --image then `image build` without a builder.

The wheel and its venv are the session's (tests/conftest.py, tests/wheel_helpers.py); the DAG files are
copied next to the user's working folder, as a user's own repository would hold them.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from wheel_helpers import ROOT, clean_env

VERSION = "0.1.0"


@pytest.fixture(scope="module")
def user(installed_kfmigrate, tmp_path_factory):
    """A working folder with the user's DAGs; `kfmigrate` runs there from the installed wheel only."""
    home = tmp_path_factory.mktemp("user")
    shutil.copytree(ROOT / "samples" / "dags", home / "dags")
    shutil.copytree(ROOT / "samples" / "projects" / "factories", home / "factories")
    cache = home / "cache"
    # PIP_NO_INDEX: any attempt to install kfmigrate-runtime (or anything else) from an index fails
    env = clean_env(KFMIGRATE_CACHE=str(cache), PIP_NO_INDEX="1", PIP_INDEX_URL="http://127.0.0.1:9/")

    def kfmigrate(*args, timeout=600):
        return subprocess.run([installed_kfmigrate.kfmigrate, *map(str, args)], capture_output=True, text=True,
                              cwd=home, env=env, timeout=timeout)

    kfmigrate.home, kfmigrate.cache, kfmigrate.env_dir = home, cache, installed_kfmigrate.env_dir
    return kfmigrate


def ok(result):
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def test_convert_then_run_on_kfp_local_with_the_bundled_runtime(user):
    ok(user("convert", "dags/etl_classic_airflow2.py", "-o", "out"))
    out = user.home / "out"
    for name in ("etl_classic_airflow2_pipeline.py", "etl_classic_airflow2.yaml",
                 "etl_classic_airflow2.migration.json", "etl_classic_airflow2.migration.md"):
        assert (out / name).is_file(), name
    spec = (out / "etl_classic_airflow2.yaml").read_text()
    assert f"'kfmigrate-runtime=={VERSION}'" in spec  # --runtime package is the default, pinned
    report = json.loads((out / "etl_classic_airflow2.migration.json").read_text())
    assert report["kfmigrate_version"] == VERSION and report["summary"]["native"] == 4

    run = ok(user("run", "out/etl_classic_airflow2.yaml", "--param", "region=us", "--pipeline-root", "runs"))
    assert "etl-classic-airflow2 succeeded" in run.stdout and "region=us" in run.stdout
    (copied,) = (user.cache / "runtime").iterdir()
    where = (copied / ".complete").read_text()
    assert where.startswith(f"kfmigrate-runtime {VERSION} from {user.env_dir}"), where


def test_convert_a_project_folder(user):
    done = ok(user("convert", "factories/dags", "-o", "projects"))
    assert "6 pipeline(s) written to projects" in done.stdout
    # the factory module is the project's own (factories/dags/common), never on anyone's sys.path
    # its components embed the project's modules: the run needs nothing from the user's folder
    run = ok(user("run", "projects/team_dag.yaml", "--pipeline-root", "runs"))
    assert "team-dag succeeded" in run.stdout and "(6 succeeded)" in run.stdout
    assert "KFM121" in done.stderr and "broken_factory.py" in done.stderr  # the sample's deliberately broken file


def test_verify_a_dag_against_airflow(user):
    done = ok(user("verify", "dags/hello_world.py", "--param", "name=Airflow"))
    assert "hello_world: equivalent" in done.stdout
    report = json.loads((user.home / "verify-hello_world.json").read_text())
    assert report["summary"]["equivalent"] == 1 and report["results"][0]["params"] == {"name": "Airflow"}


def test_analyze_a_folder(user):
    done = ok(user("analyze", "dags", "--format", "json", "-o", "readiness.json"))
    readiness = json.loads((user.home / "readiness.json").read_text())
    assert "hello_world" in json.dumps(readiness), done.stdout


def test_convert_with_an_image_writes_its_context_and_build_says_when_no_builder_works(user, tmp_path):
    ref = "registry.example/team/project:1"
    ok(user("convert", "dags/hello_world.py", "-o", "imaged", "--image", ref))
    context = user.home / "imaged" / "image"
    assert (context / "Dockerfile").is_file() and (context / "requirements.txt").is_file()
    spec = yaml.safe_load((user.home / "imaged" / "hello_world.yaml").read_text())
    (executor,) = spec["deploymentSpec"]["executors"].values()
    assert executor["container"]["image"] == ref

    empty = tmp_path / "bin"
    empty.mkdir()
    env_dir = user.env_dir
    done = subprocess.run([str(env_dir / "bin" / "kfmigrate"), "image", "build", str(context)], capture_output=True,
                          text=True, cwd=user.home, env=clean_env(PATH=str(empty)), timeout=600)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no container builder works here" in done.stderr and f"docker build -t {ref}" in done.stderr


def test_every_command_has_help(user):
    top = ok(user("--help")).stdout
    for command in ("convert", "analyze", "run", "verify", "compare", "kubeflow", "image"):
        assert command in top, command
        assert "Usage: kfmigrate " + command in ok(user(command, "--help")).stdout
    for group in ([], ["kubeflow"], ["kubeflow", "run"], ["kubeflow", "experiment"], ["image"]):
        listed = ok(user(*group, "--help")).stdout.split("Commands:")[1]
        assert "..." not in listed, group  # every command's one-line summary is whole, not cut off
