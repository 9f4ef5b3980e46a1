"""kfmigrate installed as users install it: a built wheel in a fresh venv, `kfmigrate compare` from outside
the repository.

The wheel is built from a copy of the source tree (so no stale build/ folder can leak into it) and
installed with --no-deps into a new venv: kfmigrate itself comes from the wheel, never from the
repository. Its dependencies come from the environment running the tests, put on the new venv's path
with a .pth line (the brief's "dependencies may come from an existing environment"); that
environment's own kfmigrate is an editable install whose finder is never activated this way, and the
test checks that every kfmigrate module is imported from the venv.
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from compare_helpers import ROOT

IGNORED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                 "compare-out", "out", "demo-out", "mlruns", "mlflow.db")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    dist = root / "dist"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(dist), "-q"],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("kfmigrate-*.whl")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # dependencies from the environment running the tests, after the venv's own site-packages
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed_ok = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                                   str(wheel)], capture_output=True, text=True, timeout=600)
    assert installed_ok.returncode == 0, installed_ok.stdout + installed_ok.stderr
    return root, env_dir, wheel


def clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


def test_the_wheel_carries_the_builtin_workloads_and_the_report_data(installed):
    import zipfile

    _, _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("compare/dags/ml_training.py", "compare/dags/scaling.py", "compare/footprint.yaml",
                 "compare/cluster_model.yaml", "compare/architecture.yaml", "compare/report/sections.py"):
        assert name in names, name


def test_compare_runs_from_the_installed_wheel_outside_the_repository(installed):
    root, env_dir, _ = installed
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    python = env_dir / "bin" / "python"
    where = subprocess.run([str(python), "-c", "import kfmigrate, compare, migrate; "
                            "print(kfmigrate.__file__, compare.__file__, migrate.__file__)"],
                           capture_output=True, text=True, cwd=elsewhere, env=clean_env())
    assert where.returncode == 0, where.stderr
    assert all(path.startswith(str(env_dir)) for path in where.stdout.split()), where.stdout
    result = subprocess.run([str(env_dir / "bin" / "kfmigrate"), "compare", "--repeats", "1", "--no-cache-check",
                             "-o", "report"], capture_output=True, text=True, cwd=elsewhere, env=clean_env(),
                            timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = elsewhere / "report"
    for name in ("report.html", "report.md", "results.json"):
        assert (out / name).is_file(), name
    results = json.loads((out / "results.json").read_text())
    (point,) = results["points"]
    assert point["label"] == "ml-training" and point["dag_file"].startswith(str(env_dir))
    runs = {r["engine"]: r for r in point["runs"]}
    assert set(runs) == {"airflow", "kfp"} and all(r["ok"] for r in runs.values()), \
        {e: r["error"] for e, r in runs.items()}
    assert point["agreement"]["ok"], point["agreement"]
    # the probes ran from the installed package too (the pip install into an empty folder may lack a network)
    assert results["probes"]["python_start"]["wall"]["n"] == 5
    assert results["probes"]["kfp_executor_import"]["wall"]["median"] > 0
    assert "## Where per-task overhead comes from" in (out / "report.md").read_text()
