"""kfmigrate installed as users install it: a built wheel in a fresh venv, `kfmigrate compare` from outside
the repository.

The wheel and its venv are the session's (tests/wheel_helpers.py): kfmigrate comes from the wheel, its
dependencies from the environment running the tests (the brief's "dependencies may come from an
existing environment"), and the test checks that every kfmigrate module is imported from the venv.
"""
import json
import subprocess

import pytest

from wheel_helpers import clean_env


@pytest.fixture(scope="module")
def installed(installed_kfmigrate):
    """The session's wheel and venv (tests/conftest.py)."""
    return installed_kfmigrate.root, installed_kfmigrate.env_dir, installed_kfmigrate.wheel


def test_the_wheel_carries_the_builtin_workloads_and_the_report_data(installed):
    import zipfile

    _, _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("compare/dags/ml_training.py", "compare/dags/scaling.py", "compare/footprint.yaml",
                 "compare/cluster_model.yaml", "compare/architecture.yaml", "compare/report/sections.py"):
        assert "kfmigrate/" + name in names, name


def test_compare_runs_from_the_installed_wheel_outside_the_repository(installed):
    root, env_dir, _ = installed
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    python = env_dir / "bin" / "python"
    where = subprocess.run([str(python), "-c", "import kfmigrate.compare, kfmigrate.migrate as m; "
                            "print(kfmigrate.__file__, kfmigrate.compare.__file__, m.__file__)"],
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
