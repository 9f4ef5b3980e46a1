"""kfmigrate-runtime as a distribution: it builds, installs into a fresh venv, imports without Airflow,
keeps kfmigrate's version, ships inside kfmigrate's wheel, and kfp.local runs take it from there."""
from __future__ import annotations

import ast
import builtins
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import kfmigrate_runtime
from kfmigrate.migrate.emit import runtime

ROOT = Path(__file__).resolve().parents[2]


def test_helpers_are_self_contained():
    """Each helper must run from its own source alone: `--runtime inline` copies it into components."""
    for name in runtime.HELPERS:
        func = ast.parse(runtime.helper_source(name)).body[0]
        assigned = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        assigned |= {a.arg for a in ast.walk(func) if isinstance(a, ast.arg)}
        assigned |= {n.name for n in ast.walk(func) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        assigned |= {(a.asname or a.name).split(".")[0] for n in ast.walk(func) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        assigned |= {n.name for n in ast.walk(func) if isinstance(n, ast.ExceptHandler) and n.name}
        used = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        free = used - assigned - set(dir(builtins)) - set(runtime.HELPERS)
        assert not free, (name, free)


def test_the_package_exports_every_helper_the_emitter_knows():
    assert set(kfmigrate_runtime.__all__) == set(runtime.HELPERS)
    assert all(callable(getattr(kfmigrate_runtime, name)) for name in runtime.HELPERS)


def test_its_version_is_kfmigrates():
    import re

    def field(path, name):  # a top-level [project] string (kfmigrate-runtime supports Python 3.9: no tomllib)
        return re.search(rf'^{name} = "([^"]*)"', (ROOT / path).read_text(), re.M).group(1)

    own = (ROOT / "runtime" / "pyproject.toml").read_text()
    assert field("runtime/pyproject.toml", "name") == "kfmigrate-runtime" and "\ndependencies = []\n" in own
    assert kfmigrate_runtime.__version__ == field("runtime/pyproject.toml", "version") == field("pyproject.toml", "version")


def test_importing_it_loads_no_airflow_kfp_or_jinja():
    code = ("import sys, kfmigrate_runtime; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'airflow', 'kfp', 'jinja2', 'mlflow', 'pendulum'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT / "runtime")})
    assert out.stdout.strip() == "[]"


def _build_wheel(source: Path, work: Path) -> Path:
    """pip wheel of a copy of `source` (the build writes build/ and *.egg-info next to the sources)."""
    dist = work / "dist"
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(source)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = dist.glob("*.whl")
    return wheel


def test_its_wheel_installs_into_a_fresh_venv_and_runs_a_task(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(ROOT / "runtime", source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    wheel = _build_wheel(source, tmp_path)
    assert wheel.name == f"kfmigrate_runtime-{kfmigrate_runtime.__version__}-py3-none-any.whl"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-index", str(wheel)], check=True)
    task = (
        "from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs\n"
        "airflow = _airflow_runtime('d', 't', '2024-03-05', 'r1', {'n': 2}, {('up', 'return_value'): 3})\n"
        "def work(params, ti, ds):\n"
        "    ti.xcom_push('day', ds)\n"
        "    return params['n'] * ti.xcom_pull(task_ids='up')\n"
        "results, skipped = _airflow_call_python(airflow, work, [], {})\n"
        "print(_kfp_outputs(results, skipped, [('return_value', 'int'), ('day', 'json'), ('airflow_skipped', 'skipped')]))\n"
    )
    out = subprocess.run([str(python), "-c", task], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "(6, '\"2024-03-05\"', False)"


def test_kfmigrates_wheel_ships_the_runtime_source(installed_kfmigrate):
    names = zipfile.ZipFile(installed_kfmigrate.wheel).namelist()
    assert {f"kfmigrate_runtime/{p.name}" for p in runtime.source_dir().glob("*.py")} <= set(names)
    assert "kfmigrate/migrate/emit/runtime.py" in names


def test_local_runs_take_the_runtime_from_this_kfmigrate(tmp_path, monkeypatch):
    """kfp.local: kfmigrate-runtime==<version> is never pip-installed; the task's PYTHONPATH gets a cached
    copy of the bundled source. Another version is refused (no index is asked)."""
    from kfmigrate.compare.engines.kfp_local import prepare_spec_for_subprocess
    from kfmigrate.compare.engines.packages import PackageInstallError, bundled_runtime

    monkeypatch.setenv("KFMIGRATE_CACHE", str(tmp_path / "cache"))
    script = ("\nif ! [ -x \"$(command -v pip)\" ]; then\n    python3 -m ensurepip\nfi\n\n"
              "PIP_DISABLE_PIP_VERSION_CHECK=1 python3 -m pip install --quiet --no-warn-script-location "
              f"'kfmigrate-runtime=={kfmigrate_runtime.__version__}' && \"$0\" \"$@\"\n")
    program = ["sh", "-ec", "python3 -m kfp.dsl.executor_main --component_module_path ephemeral_component.py", "src"]
    spec = {"deploymentSpec": {"executors": {"exec-t": {"container": {"command": ["sh", "-c", script, *program]}}}}}
    container = prepare_spec_for_subprocess(spec)["deploymentSpec"]["executors"]["exec-t"]["container"]
    assert container["command"] == program
    (path,) = [e["value"] for e in container["env"] if e["name"] == "PYTHONPATH"]
    assert (Path(path) / "kfmigrate_runtime" / "context.py").read_text() == (runtime.source_dir() / "context.py").read_text()
    assert bundled_runtime(f"kfmigrate-runtime=={kfmigrate_runtime.__version__}") == Path(path)  # copied once
    with pytest.raises(PackageInstallError, match="convert the DAG again"):
        bundled_runtime("kfmigrate-runtime==0.0.1")
