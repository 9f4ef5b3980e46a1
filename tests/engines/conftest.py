"""Shared fixtures for the engine tests: one kfmigrate cache per test session (the migrated Airflow
template database is built once), and pipelines compiled from small hand-written KFP code."""
import os
import textwrap
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory):
    cache = tmp_path_factory.mktemp("kfmigrate-cache")
    previous = os.environ.get("KFMIGRATE_CACHE")
    os.environ["KFMIGRATE_CACHE"] = str(cache)
    yield cache
    if previous is None:
        os.environ.pop("KFMIGRATE_CACHE", None)
    else:
        os.environ["KFMIGRATE_CACHE"] = previous


@pytest.fixture
def compile_pipeline():
    """Write KFP pipeline code to a .py file and compile it to .yaml next to it."""
    from kfmigrate.migrate.package import compile_python

    def compile_(directory: Path, source: str, name: str = "pipeline") -> Path:
        py = directory / f"{name}.py"
        py.write_text(textwrap.dedent(source))
        yaml_path = directory / f"{name}.yaml"
        yaml_path.write_text(compile_python(py))
        return yaml_path

    return compile_
