import importlib.util
from pathlib import Path

import pytest


def airflow_example_dirs():
    """The example DAG folders shipped inside the installed Airflow wheels (never copied here)."""
    dirs = []
    for package in ("airflow.example_dags", "airflow.providers.standard.example_dags"):
        spec = importlib.util.find_spec(package)
        if spec and spec.submodule_search_locations:
            dirs.append(Path(list(spec.submodule_search_locations)[0]))
    return dirs


@pytest.fixture(scope="session")
def example_files():
    dirs = airflow_example_dirs()
    assert len(dirs) == 2, "apache-airflow-core and apache-airflow-providers-standard must be installed"
    files = sorted(p for d in dirs for p in d.glob("*.py") if p.name != "__init__.py")
    assert len(files) > 50
    return files
