"""`pip install kfmigrate` (no extras) holds every package convert, analyze, run and kubeflow import.

The test environment has far more installed (Airflow pulls in most of PyPI), so a missing declaration
never shows in a run here: this reads the imports of the modules those commands use and checks each
against the distributions that kfmigrate's own dependencies install (their closure, from installed
metadata).
"""
import ast
import importlib.metadata
import re
import sys
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
BASE_COMMANDS = [*(ROOT / "migrate").rglob("*.py"), *(ROOT / "kfmigrate").rglob("*.py"), *(ROOT / "kubeflow_ops").rglob("*.py"),
                 ROOT / "compare" / "engines" / "packages.py", ROOT / "compare" / "engines" / "kfp_local.py"]
FIRST_PARTY = {"migrate", "kfmigrate", "kubeflow_ops", "compare", "kfmigrate_runtime"}
OPTIONAL = {
    "airflow": "convert --load runs Airflow's DagBag in a subprocess: the airflow extra",
    "docker": "run --runner docker: kfp's own Docker runner needs the docker SDK too",
}


def imported_modules(path: Path) -> set:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def installed_by(requirements: list) -> set:
    """Normalised names of the distributions pip installs for `requirements` (no extras), transitively."""
    seen, todo = set(), [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        name = re.sub(r"[-_.]+", "-", requirement.name).lower()
        if name in seen or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        todo += [Requirement(r) for r in importlib.metadata.requires(requirement.name) or ()]
    return seen


def test_every_module_the_base_commands_import_is_installed_by_the_base_dependencies():
    # [project] dependencies, read with a few lines of text parsing (no tomllib needed)
    block = re.search(r"^dependencies = \[(.*?)^\]", (ROOT / "pyproject.toml").read_text(), re.M | re.S).group(1)
    dependencies = re.findall(r'^\s*"([^"]+)"', block, re.M)
    assert "kfp>=2.14,<3" in dependencies, dependencies
    installed = installed_by(dependencies)
    providers = importlib.metadata.packages_distributions()
    missing = {}
    for path in BASE_COMMANDS:
        for module in imported_modules(path) - FIRST_PARTY - set(sys.stdlib_module_names) - set(OPTIONAL):
            distributions = {re.sub(r"[-_.]+", "-", d).lower() for d in providers.get(module, ())}
            if not distributions & installed:
                missing.setdefault(module, path.relative_to(ROOT).as_posix())
    assert not missing, f"imported but not installed by pyproject's dependencies: {missing}"
