"""Modules next to the DAG file that a task's callable imports, embedded into its component.

Airflow puts the dags folder (and the plugins and config folders) on sys.path, so DAG files often
import shared code that lives next to them (`dags/common/util.py`, `from common.util import double`).
That code is not in the component image. Here we find it STATICALLY (the files are read as text and
parsed, never imported or executed), closed under their own imports (absolute and relative), so the
emitter can carry their sources into the component and write them to a temporary folder appended to
sys.path before the callable runs (runtime._kfp_local_modules).

Where a module is looked for (first match wins), see `search_roots`:
1. the DAG file's folder, then each parent folder up to the dags folder: $AIRFLOW__CORE__DAGS_FOLDER
   when the DAG file is inside it, else the nearest parent holding a project marker (.git,
   pyproject.toml, setup.py, setup.cfg, airflow.cfg), else the DAG file's folder alone;
2. the `plugins` and `config` folders inside those folders (Airflow's $AIRFLOW_HOME layout) and
   $AIRFLOW__CORE__PLUGINS_FOLDER when set.
Standard library modules are never looked for. Airflow's own modules outside the shimmed names are
embedded when they are small, pure Python and import nothing of Airflow that is not embeddable
itself (e.g. airflow.providers.standard.utils.weekday); they are written without their packages'
__init__.py files, so nothing of Airflow is initialised, and where Airflow is installed in the image
its regular package wins over those namespace portions: the same code runs either way.
"""
from __future__ import annotations

import ast
import functools
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

# Embedded sources above this (per component) are not embedded: a custom base image is the way then.
MAX_EMBEDDED_BYTES = 256 * 1024
PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg", "airflow.cfg")
# An Airflow module larger than this is not copied (the examples worth it are a few KiB).
MAX_AIRFLOW_MODULE_BYTES = 32 * 1024


@dataclass(frozen=True)
class ModuleFile:
    """One embedded file: `relative` is its path in the temporary folder (posix), `shown` where it was found."""
    module: str  # dotted name ("common.util", "common" for common/__init__.py)
    relative: str
    text: str
    shown: str

    @property
    def function(self) -> str:
        """The generated module-level function returning the file's text."""
        stem = self.relative[:-3] if self.relative.endswith(".py") else self.relative
        if stem.endswith("/__init__"):
            stem = stem[: -len("/__init__")]  # a package: named after it
        parts = ["".join(c if c.isalnum() else "_" for c in part).lower() for part in stem.split("/")]
        return "_module_" + "__".join(parts)  # common/util.py -> _module_common__util


@dataclass
class Embedding:
    files: List[ModuleFile] = field(default_factory=list)
    imports: List[str] = field(default_factory=list)  # airflow imports of the DAG file the callable needs
    unresolved: List[str] = field(default_factory=list)  # imported modules found nowhere
    needs_airflow: List[str] = field(default_factory=list)  # embedded files importing Airflow itself
    too_large: int = 0  # bytes, when over MAX_EMBEDDED_BYTES (then nothing is embedded)

    @property
    def size(self) -> int:
        return sum(len(f.text.encode()) for f in self.files)


# ---------------------------------------------------------------- where modules are looked for
def search_roots(dag_file: str) -> List[Path]:
    """The folders local modules are looked for in, first match wins (see the module docstring)."""
    folder = os.path.dirname(os.path.abspath(dag_file))
    env = (os.environ.get("AIRFLOW__CORE__DAGS_FOLDER"), os.environ.get("AIRFLOW__CORE__PLUGINS_FOLDER"))
    return list(_search_roots(folder, env))


@functools.lru_cache(maxsize=256)
def _search_roots(folder_text: str, _env: tuple) -> Tuple[Path, ...]:
    """search_roots, cached per folder and configuration (every task of a DAG asks)."""
    folder = Path(folder_text)
    top = _top_folder(folder)
    roots: List[Path] = []
    current = folder
    while not installed_location(current):  # a DAG shipped inside a distribution: its package folders only
        roots.append(current)
        if current == top or current.parent == current:
            break
        current = current.parent
    extra = [root / name for root in roots for name in ("plugins", "config")]
    configured = os.environ.get("AIRFLOW__CORE__PLUGINS_FOLDER")
    if configured:
        extra.append(Path(configured))
    return tuple(roots + [path for path in extra if path.is_dir() and path not in roots])


def installed_location(folder: Path) -> bool:
    """site-packages and the standard library's folder: what is there is installed, not a module next to
    a DAG (the example DAGs shipped inside Airflow's distribution)."""
    return folder.name in ("site-packages", "dist-packages") or str(folder) in _install_folders()


@functools.lru_cache(maxsize=1)
def _install_folders() -> frozenset:
    import sysconfig

    paths = sysconfig.get_paths()
    return frozenset(os.path.abspath(paths[key]) for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths)


def _top_folder(folder: Path) -> Path:
    dags_folder = os.environ.get("AIRFLOW__CORE__DAGS_FOLDER")
    if dags_folder:
        configured = Path(os.path.abspath(dags_folder))
        if folder == configured or configured in folder.parents:
            return configured
    for candidate in (folder, *folder.parents):
        if any((candidate / marker).exists() for marker in PROJECT_MARKERS):
            return candidate
    return folder


@functools.lru_cache(maxsize=1024)
def known_distribution(top: str) -> bool:
    """A top-level module an installed distribution provides (found without importing it).

    find_spec alone: what it cannot find cannot be imported here either. (Reading every installed
    distribution's metadata as well, importlib.metadata.packages_distributions, cost 0.2 s of CPU in
    each worker that met one missing module, a tenth of converting Airflow's example corpus.)"""
    import importlib.util

    try:
        return importlib.util.find_spec(top) is not None  # top-level: looks the name up, imports nothing
    except (ImportError, ValueError):
        return False


@functools.lru_cache(maxsize=1)
def _airflow_folders() -> Tuple[Path, ...]:
    """The folders holding the installed `airflow` package's parts (found without importing it)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("airflow")
    except (ImportError, ValueError):
        return ()
    if spec is None or not spec.submodule_search_locations:
        return ()
    return tuple(Path(p).parent for p in spec.submodule_search_locations)


# ---------------------------------------------------------------- finding one module
def _module_file(module: str, roots: Sequence[Path]) -> Optional[Tuple[Path, Path]]:
    """(root, file) of `module` (dotted) under the first root holding it: a.py or a/__init__.py."""
    parts = module.split(".")
    for root in roots:
        base = root.joinpath(*parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return root, candidate
        if base.is_dir():  # a namespace package (a folder without __init__.py)
            return root, base
    return None


def find_local_module(module: str, dag_file: str, roots: Sequence[str] = ()) -> Optional[Path]:
    """The file (or package folder) of `module` among the project's roots (ir.Workflow.project_roots, else
    those of the DAG file's project), or None."""
    found = _module_file(module, [Path(root) for root in roots] or _project_roots(dag_file) or search_roots(dag_file))
    return found[1] if found else None


def _read(path: Path) -> Optional[str]:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _imports(text: str, package: str) -> List[Tuple[str, Tuple[str, ...]]]:
    """(absolute module, names imported from it) of every import in the code; `package` resolves
    relative imports (the dotted package the code's file belongs to)."""
    if "import" not in text:
        return []  # most callables and constants: no need to parse them
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parents = package.split(".") if package else []
                if node.level - 1 > len(parents):
                    continue
                parents = parents[: len(parents) - (node.level - 1)]
                base = ".".join(parents + ([base] if base else []))
            if base:
                found.append((base, tuple(alias.name for alias in node.names if alias.name != "*")))
    return found


class _Collector:
    """Walks imports from the callable's code through the files they reach."""

    def __init__(self, dag_file: str, shimmed: Iterable[str], roots: Sequence[str] = ()) -> None:
        # the conversion's project roots (--path folders included) when given, else the DAG file's project
        self.roots = [Path(root) for root in roots] or _project_roots(dag_file)
        self.shown_base = Path(os.path.abspath(dag_file)).parent
        self.shimmed = set(shimmed)
        self.files: Dict[str, ModuleFile] = {}
        self.size = 0
        self.unresolved: List[str] = []
        self.airflow_blocked: Set[str] = set()  # airflow modules that cannot be embedded
        self.needs_airflow: List[str] = []  # "file imports module" for embedded files importing Airflow
        self._seen: Set[str] = set()

    def code(self, text: str, package: str = "", origin: str = "") -> None:
        for module, names in _imports(text, package):
            if origin and module.split(".")[0] == "airflow":
                names = ()  # the shim binds names in the callable's code only, not inside embedded files
                if not self.module(module, names):
                    self.needs_airflow.append(f"{origin} imports {module}")
            else:
                self.module(module, names)

    def module(self, module: str, names: Tuple[str, ...] = ()) -> bool:
        """Embed `module` if it is local (or embeddable airflow); False when it cannot be."""
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top == "__future__":
            return True
        if top == "airflow":
            return self._airflow(module, names)
        key = module + ":" + ",".join(names)
        if key in self._seen:
            return True
        self._seen.add(key)
        found = _module_file(module, self.roots)
        if found is None:
            if not known_distribution(top) and top not in self.unresolved:
                self.unresolved.append(top)
            return False
        root, path = found
        parts = module.split(".")
        for index in range(1, len(parts) + 1):  # the packages along the way: their __init__.py run first
            init = root.joinpath(*parts[:index], "__init__.py")
            if init.is_file():
                self._add(".".join(parts[:index]), root, init, package=".".join(parts[:index]))
        if path.is_file() and path.name != "__init__.py":
            self._add(module, root, path, package=".".join(parts[:-1]))
        for name in names:  # `from package import submodule`
            if _module_file(f"{module}.{name}", [root]) is not None:
                self.module(f"{module}.{name}")
        return True

    def _add(self, module: str, root: Path, path: Path, package: str) -> None:
        relative = path.relative_to(root).as_posix()
        if relative in self.files:
            return
        text = _read(path) or ""
        try:
            shown = os.path.relpath(path, self.shown_base.parent)
        except ValueError:
            shown = str(path)
        self.files[relative] = ModuleFile(module, relative, text, shown)
        self.size += len(text.encode())
        if self.size <= MAX_EMBEDDED_BYTES:  # over it nothing is embedded: no need to read further
            self.code(text, package, origin=relative)

    def _airflow(self, module: str, names: Tuple[str, ...]) -> bool:
        """airflow.* beyond the shimmed names: embeddable when a small pure-Python file whose own
        airflow imports are embeddable too."""
        if names and set(names) <= self.shimmed:
            return True  # the run-time shim provides them
        if module in self.airflow_blocked:
            return False
        if module in ("airflow", "airflow.sdk", "airflow.decorators", "airflow.models") or not _airflow_folders():
            self.airflow_blocked.add(module)
            return False
        found = _module_file(module, _airflow_folders())
        if found is None or not found[1].is_file() or found[1].name == "__init__.py":
            self.airflow_blocked.add(module)  # packages would run Airflow's __init__ code
            return False
        root, path = found
        relative = path.relative_to(root).as_posix()
        if relative in self.files:
            return True
        text = _read(path)
        if text is None or len(text.encode()) > MAX_AIRFLOW_MODULE_BYTES:
            self.airflow_blocked.add(module)
            return False
        self.files[relative] = ModuleFile(module, relative, text, f"{module} (installed Airflow)")
        for imported, imported_names in _imports(text, module.rsplit(".", 1)[0]):
            if imported.split(".")[0] not in sys.stdlib_module_names and imported != "__future__":
                if imported.split(".")[0] != "airflow" or not self._airflow(imported, imported_names):
                    del self.files[relative]
                    self.airflow_blocked.add(module)
                    return False
        return True


def project_imports(path: str) -> str:
    """The absolute, non-Airflow imports of a project file (an operator class's module), as code."""
    try:
        tree = ast.parse(_read(Path(path)) or "")
    except (SyntaxError, ValueError):
        return ""
    lines = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            lines += [f"import {a.name}" for a in node.names if a.name.split(".")[0] != "airflow"]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level and node.module.split(".")[0] != "airflow":
            lines.append(f"from {node.module} import {', '.join(a.name for a in node.names)}")
    return "\n".join(lines)


def airflow_import_lines(dag_text: str, names: Set[str]) -> List[Tuple[str, str]]:
    """(module, statement) of the DAG file's module-level `from airflow... import name` that bind
    `names` (the parser leaves airflow imports out of a callable's prelude)."""
    try:
        tree = ast.parse(dag_text)
    except (SyntaxError, ValueError):
        return []
    found = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "airflow" and not node.level:
            wanted = [a for a in node.names if (a.asname or a.name) in names]
            if wanted:
                text = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in wanted)
                found.append((node.module, f"from {node.module} import {text}"))
    return found


def _project_roots(dag_file: str) -> List[Path]:
    from migrate.parse.project import project_for

    return list(project_for(dag_file).roots) if dag_file != os.devnull else []


def embedding_for(codes: Sequence[str], dag_file: str, unbound: Iterable[str] = (),
                  shimmed: Iterable[str] = (), roots: Sequence[str] = ()) -> Embedding:
    """What to embed for a component running `codes` (a callable's source and prelude): local
    modules they import (transitively), and for `unbound` names bound by airflow imports of the DAG
    file, those imports and their modules when embeddable. roots: the project's module folders
    (ir.Workflow.project_roots), else those of the DAG file's project."""
    collector = _Collector(dag_file, shimmed, roots)
    for code in codes:
        collector.code(code)
    embedding = Embedding()
    unbound = set(unbound)
    if unbound:
        dag_text = _read(Path(dag_file)) or ""
        for module, statement in airflow_import_lines(dag_text, unbound):
            if collector.module(module, ()):
                embedding.imports.append(statement)
    embedding.files = list(collector.files.values())
    embedding.unresolved = list(collector.unresolved)
    embedding.needs_airflow = list(dict.fromkeys(collector.needs_airflow))
    if embedding.size > MAX_EMBEDDED_BYTES:
        embedding.too_large, embedding.files = embedding.size, []
    return embedding


def embedded_airflow_names(dag_file: str, names: Iterable[str]) -> Set[str]:
    """Which of `names` (unbound in a callable) the DAG file imports from embeddable airflow modules."""
    names = set(names)
    if not names:
        return set()
    found: Set[str] = set()
    for module, statement in airflow_import_lines(_read(Path(dag_file)) or "", names):
        if embeddable_airflow(module):
            found |= {part.split(" as ")[-1].strip() for part in statement.split(" import ", 1)[1].split(",")}
    return found & names


def embeddable_airflow(module: str) -> bool:
    """An airflow module (from an import inside a callable) that can be embedded: see _Collector._airflow."""
    return _Collector(os.devnull, ()).module(module)


def import_roots(dag_file: str, roots: Sequence[str] = ()) -> List[Path]:
    """The search roots holding local modules the DAG file imports, at module level or in its tasks
    (Airflow imports them when it parses the file): for engines running a copy of the DAG elsewhere."""
    collector = _Collector(dag_file, (), roots)
    collector.code(_read(Path(dag_file)) or "")
    used = []
    for relative, module_file in collector.files.items():
        if module_file.module.split(".")[0] != "airflow":
            used += [root for root in collector.roots if root.joinpath(relative).is_file()][:1]
    return list(dict.fromkeys(used))
