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


def imported_modules(path: Path):
    """(line, dotted module) of every absolute import in one module, `from a import b` as a.b too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
            yield from ((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)


def test_the_mappers_and_the_modules_below_them_do_not_import_the_emitter():
    """migrate/emit imports migrate/operators; naming and local modules sit below both."""
    below = sorted((ROOT / "migrate/operators").rglob("*.py")) + [ROOT / "migrate/naming.py", ROOT / "migrate/local_modules.py"]
    wrong = [f"{path.relative_to(ROOT)}:{line}: imports {module}" for path in below
             for line, module in imported_modules(path) if module == "migrate.emit" or module.startswith("migrate.emit.")]
    assert not wrong, "\n".join(wrong)


def test_no_emitter_module_is_over_900_lines():
    long = [f"{path.relative_to(ROOT)}: {count} lines" for path in sorted((ROOT / "migrate/emit").glob("*.py"))
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > 900]
    assert not long, "\n".join(long)
