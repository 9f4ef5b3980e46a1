"""The package arrows of ../ARCHITECTURE.md hold in the code: kfmigrate -> migrate, compare, kubeflow_ops;
compare -> migrate, kubeflow_ops; migrate imports none of them; kubeflow_ops does not import compare.
Every import counts, also the ones made inside functions."""
import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# package -> the project packages it must not import
FORBIDDEN = {"migrate": {"kfmigrate", "compare", "kubeflow_ops"},
             "kubeflow_ops": {"kfmigrate", "compare"},
             "compare": {"kfmigrate"}}


def project_package(module: str) -> str:
    """The package an import reaches: the libraries install inside kfmigrate (kfmigrate.migrate.x -> migrate)."""
    parts = module.split(".")
    return parts[1] if parts[0] == "kfmigrate" and len(parts) > 1 and parts[1] in FORBIDDEN else parts[0]


def imported_packages(path: Path):
    """(line, project package) of every import in one module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, project_package(alias.name)) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names] if node.module == "kfmigrate" else [node.module]
            yield from ((node.lineno, project_package(name)) for name in names)


def test_no_import_runs_against_the_arrows():
    wrong = [f"{path.relative_to(ROOT)}:{line}: imports {package}"
             for owner, forbidden in FORBIDDEN.items()
             for path in sorted((ROOT / owner).rglob("*.py"))
             for line, package in imported_packages(path) if package in forbidden]
    assert not wrong, "\n".join(wrong)


def test_the_reports_state_the_distribution_version():
    from migrate.version import source_version, version

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert source_version() == declared
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", version())
