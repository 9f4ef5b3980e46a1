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
    from kfmigrate.migrate.version import source_version, version

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert source_version() == declared
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", version())


def test_the_cli_and_the_package_state_that_version_too():
    from click.testing import CliRunner

    import kfmigrate
    from kfmigrate.cli import main
    from kfmigrate.migrate.version import version

    assert kfmigrate.__version__ == version()
    assert CliRunner().invoke(main, ["--version"]).output == f"kfmigrate, version {version()}\n"


# ---------------------------------------------------------------- inside migrate/
MIGRATE = ROOT / "migrate"


def module_name(path: Path) -> str:
    """The module's installed name: the libraries live inside kfmigrate (migrate/x.py -> kfmigrate.migrate.x)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return "kfmigrate." + ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_imports(path: Path):
    """(line, imported module, imported names, inside a function) of every `migrate` import of a module;
    `from migrate.x import y` also counts as importing migrate.x.y when that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    nested = {id(inner) for function in functions for inner in ast.walk(function) if inner is not function}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [(node.module, tuple(alias.name for alias in node.names))]
        else:
            continue
        for module, imported in names:
            if module.split(".")[:2] == ["kfmigrate", "migrate"]:
                yield node.lineno, module, imported, id(node) in nested


def import_graph():
    """module -> the migrate modules it imports (at the top or inside functions)."""
    modules = {module_name(path): path for path in MIGRATE.rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        targets = set()
        for _line, module, imported, _inside in project_imports(path):
            targets.add(module)
            targets |= {f"{module}.{item}" for item in imported if f"{module}.{item}" in modules}
        graph[name] = {target for target in targets if target in modules and target != name}
    return graph


def reachable(graph, start):
    seen, stack = set(), [start]
    while stack:
        for target in graph.get(stack.pop(), ()):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def test_no_module_imports_another_modules_private_names():
    found = {(module_name(path), module, name)
             for path in sorted(MIGRATE.rglob("*.py"))
             for _line, module, imported, _inside in project_imports(path)
             for name in imported if name.startswith("_") and not name.startswith("__") and module != module_name(path)}
    assert not found, "\n".join(f"{who} imports {name} from {module}" for who, module, name in sorted(found))


def test_the_operators_never_reach_the_readiness_inventory():
    """analyze.py reads the operator registry; nothing the operators import leads back to it."""
    graph = import_graph()
    assert "kfmigrate.migrate.operators" in graph["kfmigrate.migrate.analyze"]
    back = sorted(module for module in graph if module.startswith("kfmigrate.migrate.operators")
                  and "kfmigrate.migrate.analyze" in reachable(graph, module))
    assert not back, back


def test_mapper_modules_import_the_project_at_the_top():
    """Imports inside functions only for heavy third-party packages (kfp, airflow ...), never to dodge
    a cycle inside the project."""
    late = {(module_name(path), module)
            for path in sorted((MIGRATE / "operators").glob("*.py"))
            for _line, module, _imported, inside in project_imports(path) if inside}
    assert not late, sorted(late)


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
             for line, module in imported_modules(path) if module == "kfmigrate.migrate.emit" or module.startswith("kfmigrate.migrate.emit.")]
    assert not wrong, "\n".join(wrong)


def dotted_imports(path: Path):
    """(line, dotted module, inside a function) of every migrate import; `from kfmigrate.migrate import ir` as kfmigrate.migrate.ir."""
    for line, module, imported, inside in project_imports(path):
        for name in ([f"{module}.{item}" for item in imported] if module == "kfmigrate.migrate" else [module]):
            yield line, name, inside


# parse -> IR: the static parser reads the IR's contract and the project's files, never the mappers, the
# emitter or the layers above them (kfmigrate.migrate.local_modules finds a project's modules for both sides)
PARSER_MAY_IMPORT = ("kfmigrate.migrate.ir", "kfmigrate.migrate.diagnostics", "kfmigrate.migrate.schedule", "kfmigrate.migrate.local_modules", "kfmigrate.migrate.parse")


def test_the_static_parser_imports_only_what_is_below_it():
    wrong = [f"{path.relative_to(ROOT)}:{line}: imports {module}"
             for path in sorted((ROOT / "migrate/parse").rglob("*.py"))
             for line, module, _ in dotted_imports(path)
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
             for path in area for line, module, nested in dotted_imports(path) if nested]
    assert not wrong, "\n".join(wrong)


MAX_MODULE_LINES = 900  # issue 16: a module a newcomer can read; split by responsibility past this


def test_no_module_in_migrate_is_over_900_lines():
    """Every module of migrate/ stays under MAX_MODULE_LINES lines (issue 16)."""
    long = [f"{path.relative_to(ROOT)}: {count} lines" for path in sorted((ROOT / "migrate").rglob("*.py"))
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES]
    assert not long, "\n".join(long)

