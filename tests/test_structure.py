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


def imported_packages(path: Path):
    """(line, top-level package) of every import in one module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


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


def project_imports(path: Path):
    """(line, dotted module, whether made inside a function) of every import of a project package in one
    module; `from migrate import emit` counts as migrate.emit."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    nested = {id(node) for func in ast.walk(tree) if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
              for node in ast.walk(func)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] if "." in node.module else [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            if name.split(".")[0] in ("migrate", "compare", "kubeflow_ops", "kfmigrate"):
                yield node.lineno, name, id(node) in nested


# parse -> IR: the static parser reads the IR's contract and the project's files, never the mappers, the
# emitter or the layers above them (migrate.local_modules finds a project's modules for both sides)
PARSER_MAY_IMPORT = ("migrate.ir", "migrate.diagnostics", "migrate.schedule", "migrate.local_modules", "migrate.parse")


def test_the_static_parser_imports_only_what_is_below_it():
    wrong = [f"{path.relative_to(ROOT)}:{line}: imports {module}"
             for path in sorted((ROOT / "migrate/parse").rglob("*.py"))
             for line, module, _ in project_imports(path)
             if not any(module == ok or module.startswith(ok + ".") for ok in PARSER_MAY_IMPORT)]
    assert not wrong, "\n".join(wrong)


def test_the_front_ends_import_the_project_at_the_top():
    """An import made inside a function to dodge a cycle hides an arrow that runs the wrong way. The two
    front ends (migrate/parse, migrate/load) and the modules below the mappers import project modules
    at the top only. (migrate/api.py keeps its lazy imports: they keep libcst and kfp out of the start-up
    of commands that only need its records.)"""
    area = sorted((ROOT / "migrate/parse").rglob("*.py")) + sorted((ROOT / "migrate/load").rglob("*.py")) + \
        [ROOT / "migrate" / name for name in ("ir.py", "diagnostics.py", "schedule.py", "params.py", "version.py",
                                              "environment.py", "local_modules.py", "naming.py") if (ROOT / "migrate" / name).exists()]
    wrong = [f"{path.relative_to(ROOT)}:{line}: imports {module} inside a function"
             for path in area for line, module, nested in project_imports(path) if nested]
    assert not wrong, "\n".join(wrong)


MAX_MODULE_LINES = 900  # issue 16: a module a newcomer can read; split by responsibility past this


def test_no_module_in_migrate_is_over_900_lines():
    """Every module of migrate/ stays under MAX_MODULE_LINES lines (issue 16)."""
    long = [f"{path.relative_to(ROOT)}: {count} lines" for path in sorted((ROOT / "migrate").rglob("*.py"))
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not long, "\n".join(long)


def test_no_private_name_is_imported_across_modules():
    """A helper another module needs is public, defined in one place (`from x import _helper` hides a
    dependency). Checked for the front ends and the modules at migrate/'s top level."""
    area = sorted((ROOT / "migrate/parse").rglob("*.py")) + sorted((ROOT / "migrate/load").rglob("*.py")) + \
        sorted((ROOT / "migrate").glob("*.py"))
    wrong = [f"{path.relative_to(ROOT)}:{node.lineno}: imports {alias.name} from {node.module}"
             for path in area for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path)))
             if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "migrate"
             for alias in node.names if alias.name.startswith("_")]
    assert not wrong, "\n".join(wrong)
