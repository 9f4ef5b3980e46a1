"""One installed namespace (issue 16, item 5): the folders migrate/, compare/ and kubeflow_ops/ install as
kfmigrate.migrate, kfmigrate.compare and kfmigrate.kubeflow_ops, so the wheel puts nothing but kfmigrate and
kfmigrate_runtime at the top of site-packages; a source checkout resolves the same names without installing.

The wheel and its venv are the session's (tests/conftest.py, tests/wheel_helpers.py).
"""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from wheel_helpers import ROOT, clean_env

LIBRARIES = ("migrate", "compare", "kubeflow_ops")
VERSION = "0.1.0"
NOT_SOURCE = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", ".hypothesis"}
LIB = "|".join(LIBRARIES)
# in a string: a module path (given to -m, importlib, monkeypatch) or an import statement (-c code)
MODULE_STRING = re.compile(rf"^({LIB})\.[a-z_]|(?<![\w.])from\s+({LIB})\b|(?:^|[;\n])\s*import\s+(?:[\w.]+\s*,\s*)*({LIB})\b")


def _python_files():
    """The repository's Python files, relative to it (never walking into a venv or a build)."""
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in NOT_SOURCE and not d.endswith(".egg-info"))
        yield from (Path(folder, name).relative_to(ROOT) for name in sorted(files) if name.endswith(".py"))


def _top_level_references(tree: ast.AST):
    """(line, text) of imports of a library as a top-level package and of module paths in strings."""
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, f"import {a.name}") for a in node.names if a.name.split(".")[0] in LIBRARIES)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in LIBRARIES:
                yield node.lineno, f"from {node.module} import"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if MODULE_STRING.search(node.value):
                yield node.lineno, repr(node.value[:80])


def test_nothing_imports_the_libraries_as_top_level_packages():
    """Installed, `migrate` is somebody else's package (sqlalchemy-migrate's) or none: every import and
    every module path in a string (subprocess `-m`, importlib, monkeypatch) names kfmigrate.<library>."""
    wrong = [f"{relative}:{line}: {text}" for relative in _python_files()
             for line, text in _top_level_references(ast.parse((ROOT / relative).read_text(encoding="utf-8")))]
    assert not wrong, "\n".join(wrong)


def test_a_checkout_resolves_the_namespace_without_installing(tmp_path):
    """PYTHONPATH=<checkout> alone, no site-packages (-S: no installed kfmigrate, editable or not): the
    documented `python -m kfmigrate.migrate.diagnostics > docs/diagnostics.md` writes that page as it is."""
    env = clean_env(PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-S", "-m", "kfmigrate.migrate.diagnostics"], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    probe = ("import json, kfmigrate.migrate.ir, kfmigrate.compare, kfmigrate.kubeflow_ops, sys; "
             "print(json.dumps({m: getattr(sys.modules.get(m), '__file__', None) for m in "
             "('kfmigrate.migrate', 'kfmigrate.compare', 'kfmigrate.kubeflow_ops', 'migrate', 'compare', 'kubeflow_ops')}))")
    done = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    # the checkout's folders, each imported once: never also as a top-level `migrate`
    assert json.loads(done.stdout) == {**{f"kfmigrate.{name}": str(ROOT / name / "__init__.py") for name in LIBRARIES},
                                       **dict.fromkeys(LIBRARIES)}


def test_the_wheel_holds_only_kfmigrate_and_its_runtime_at_the_top_level(installed_kfmigrate):
    names = zipfile.ZipFile(installed_kfmigrate.wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"kfmigrate", "kfmigrate_runtime", f"kfmigrate-{VERSION}.dist-info"}
    record = next(n for n in names if n.endswith(".dist-info/RECORD"))
    listed = {line.split(",")[0] for line in zipfile.ZipFile(installed_kfmigrate.wheel).read(record).decode().splitlines()}
    assert listed == set(names)
    # every module and data file of the libraries, subfolders included, under kfmigrate/
    missing = [f"kfmigrate/{path.relative_to(ROOT).as_posix()}" for library in LIBRARIES
               for path in (ROOT / library).rglob("*") if path.suffix in (".py", ".json", ".yaml", ".j2")
               and "__pycache__" not in path.parts and f"kfmigrate/{path.relative_to(ROOT).as_posix()}" not in names]
    assert not missing, missing


def test_the_installed_namespace_imports_and_runs_outside_the_repository(installed_kfmigrate, tmp_path):
    python = installed_kfmigrate.python
    probe = ("import importlib.util, json, kfmigrate.migrate.parse, kfmigrate.compare.verify, kfmigrate.kubeflow_ops.packages, sys; "
             "print(json.dumps({'files': {m: sys.modules[m].__file__ for m in ('kfmigrate.migrate.parse', "
             "'kfmigrate.compare.verify', 'kfmigrate.kubeflow_ops.packages')}, 'top': {n: getattr(importlib.util.find_spec(n), "
             "'origin', None) for n in ('migrate', 'compare', 'kubeflow_ops')}}))")
    done = subprocess.run([python, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=clean_env(), timeout=300)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    env_dir = str(installed_kfmigrate.env_dir)
    assert all(path.startswith(env_dir) for path in found["files"].values()), found
    assert not [origin for origin in found["top"].values() if origin and origin.startswith(env_dir)], found
    done = subprocess.run([python, "-m", "kfmigrate.migrate.diagnostics"], capture_output=True, text=True, cwd=tmp_path,
                          env=clean_env(), timeout=300)
    assert done.returncode == 0 and done.stdout == (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8"), done.stderr
