import importlib.util
import os
import subprocess
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


BACKEND_BUILD = Path(__file__).parent / "kfp_backend" / "build.sh"
NO_GO, NOT_SERVED = 3, 4  # build.sh's exit codes: Go is not installed; the Go proxy refuses KFP's modules


@pytest.fixture(scope="session")
def backend_check():
    """The KFP backend conformance check (tests/kfp_backend), built once per go.sum; the Makefile's test
    target builds it first. Without Go it skips, except under CI=true; where the Go module proxy refuses
    the KFP modules it skips and says so (a limit of the machine, not of the pipelines)."""
    built = subprocess.run(["sh", str(BACKEND_BUILD)], capture_output=True, text=True)
    if built.returncode == NO_GO and os.environ.get("CI") != "true":
        pytest.skip(built.stderr.strip())
    if built.returncode == NOT_SERVED:
        pytest.skip(built.stderr.strip().splitlines()[-1])
    assert built.returncode == 0, f"the KFP backend check did not build:\n{built.stderr}"
    return built.stdout.strip()
