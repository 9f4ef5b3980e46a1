"""The project a DAG file belongs to: the folders its imports are found in, its config files, its environment.

Airflow runs a DAG file with the DAG folder, `plugins/` and the config folder on sys.path, and DAG
repositories build their DAGs with helpers from those folders (`from common.factory import make_dag`),
with operator subclasses from `plugins/`, and from config files read at parse time. A Project finds
those modules and files STATICALLY: modules are parsed with libcst and walked by the same interpreter,
config files are read as data (JSON, YAML, TOML); nothing is imported or executed.

Roots, first match wins: the `--path` folders, then the DAG file's folder and its parents up to the DAG
folder, then `plugins/` and `config/` (see kfmigrate.migrate.local_modules.search_roots), then the repository
root (the nearest folder with pyproject.toml, setup.py, setup.cfg, .git or airflow.cfg, else the parent
of a `dags/` folder) and its `include/` (kfmigrate.migrate.local_modules.project_roots: the emitter looks for
the modules to embed in the same folders). Parsed modules are cached per process, by file and mtime.
"""
from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

from kfmigrate.migrate.local_modules import module_file, project_roots

MAX_CONFIG_BYTES = 5 * 1024 * 1024  # a config file larger than this is data, not configuration
CONFIG_SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml"}


@dataclass(frozen=True)
class ProjectOptions:
    """What the command line adds to a project: `--path DIR` folders and `--env K=V` values (picklable,
    for the worker processes of a batch)."""
    paths: Tuple[str, ...] = ()
    env: Tuple[Tuple[str, str], ...] = ()


def parse_env(items: Iterable[str]) -> Tuple[Tuple[str, str], ...]:
    """`K=V` strings -> pairs; ValueError names the first malformed one."""
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"--env {item!r}: expected KEY=VALUE")
        pairs.append((key.strip(), value))
    return tuple(pairs)


@dataclass
class ModuleSource:
    """A parsed project module: its dotted name, file, text and libcst tree."""
    name: str
    path: Path
    text: str
    tree: Any  # libcst.Module
    is_package: bool = False

    @property
    def shown(self) -> str:
        return _shown(self.path)


@dataclass
class Project:
    roots: Tuple[Path, ...]
    repo_root: Optional[Path]
    env: Dict[str, str] = field(default_factory=dict)
    interpreters: Dict[str, Any] = field(default_factory=dict)  # module name -> its Interpreter (kfmigrate.migrate.parse)
    _missing: set = field(default_factory=set)
    _found: Dict[str, str] = field(default_factory=dict)  # module name -> its file
    broken: Dict[str, str] = field(default_factory=dict)  # module name -> why its file cannot be read

    # ---- modules
    def find_module(self, name: str) -> Optional[ModuleSource]:
        """The project module `name` (dotted), parsed; None for the standard library, Airflow,
        installed distributions and names no root holds."""
        if name in self._missing:
            return None
        top = name.split(".")[0]
        if not top or top in sys.stdlib_module_names or top in ("airflow", "__future__"):
            return None
        if name not in self._found:
            found = module_file(name, self.roots, namespaces=False)
            if found is None:
                self._missing.add(name)
                return None
            self._found[name] = str(found[1])
        source = _parse_module(name, self._found[name])
        if source is None:
            self.broken[name] = f"{_shown(Path(self._found[name]))} is in the project but cannot be read or parsed"
        return source

    def is_local(self, name: str) -> bool:
        return self.find_module(name) is not None

    def plugin_modules(self) -> List[str]:
        """Dotted names of the modules in the `plugins` roots (for Airflow 1 plugin imports)."""
        found = []
        for root in self.roots:
            if root.name != "plugins":
                continue
            for folder, subfolders, files in os.walk(root):
                subfolders[:] = sorted(d for d in subfolders if not d.startswith((".", "__")))
                relative = Path(folder).relative_to(root).parts
                for name in sorted(files):
                    if name.endswith(".py"):
                        stem = name[:-3]
                        parts = list(relative) + ([] if stem == "__init__" else [stem])
                        if parts:
                            found.append(".".join(parts))
        return found

    def shown_roots(self) -> List[str]:
        return [_shown(root) for root in self.roots]

    def plugin_roots(self) -> List[str]:
        return [_shown(root) for root in self.roots if root.name == "plugins"]

    # ---- files read as data
    def inside(self, path: str) -> bool:
        try:
            real = Path(os.path.realpath(path))
        except (OSError, ValueError):  # a NUL byte, a loop of symlinks
            return False
        bases = [r for r in (self.repo_root, *self.roots) if r is not None]
        return any(real == base or Path(os.path.realpath(base)) in real.parents for base in bases)

    def getenv(self, key: str) -> Optional[str]:
        return self.env.get(key, os.environ.get(key))


def project_for(dag_file: str, options: Optional[ProjectOptions] = None) -> Project:
    """The project of a DAG file; cached per process for the same folder and options."""
    options = options or ProjectOptions()
    folder = os.path.dirname(os.path.abspath(dag_file))
    env_key = (os.environ.get("AIRFLOW__CORE__DAGS_FOLDER"), os.environ.get("AIRFLOW__CORE__PLUGINS_FOLDER"))
    return _project(folder, options, env_key)


@functools.lru_cache(maxsize=64)
def _project(folder: str, options: ProjectOptions, _env_key: tuple) -> Project:
    unique, repo = project_roots(folder, options.paths)
    # DAG files in different folders of one project share its parsed modules
    interpreters = _INTERPRETERS.setdefault((unique, options.env), {})
    return Project(unique, repo, env=dict(options.env), interpreters=interpreters)


_INTERPRETERS: Dict[tuple, Dict[str, Any]] = {}  # (roots, --env) -> module name -> its Interpreter, per process


@functools.lru_cache(maxsize=1024)
def _parse_cached(path: str, _mtime: float, _size: int) -> Optional[Tuple[str, Any]]:
    import libcst as cst

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(MAX_CONFIG_BYTES + 1)
        if len(text) > MAX_CONFIG_BYTES:
            return None
        return text, cst.parse_module(text)
    except (OSError, UnicodeDecodeError, cst.ParserSyntaxError, RecursionError):
        return None


def _parse_module(name: str, path: str) -> Optional[ModuleSource]:
    try:
        info = os.stat(path)
    except OSError:
        return None
    parsed = _parse_cached(path, info.st_mtime, info.st_size)
    if parsed is None:
        return None
    return ModuleSource(name, Path(path), parsed[0], parsed[1], is_package=path.endswith("__init__.py"))


def _shown(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if not relative.startswith("..") else str(path)


# ---------------------------------------------------------------- config files
class ConfigError(Exception):
    pass


@functools.lru_cache(maxsize=256)
def _read_config_cached(path: str, kind: str, _mtime: float, _size: int) -> Any:
    with open(path, "rb") as handle:
        data = handle.read(MAX_CONFIG_BYTES + 1)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"over the {MAX_CONFIG_BYTES // 1024} KiB limit for a config file")
    text = data.decode("utf-8-sig")
    if kind == "text":
        return text
    if kind == "json":
        import json

        return json.loads(text)
    if kind == "yaml":
        import yaml

        return yaml.safe_load(text)  # safe_load: data only, never a Python object
    if kind == "toml":
        import tomllib

        return tomllib.loads(text)
    raise ConfigError(f"unknown format {kind!r}")


def read_config(path: str, kind: str) -> Any:
    """The file's data (kind: json, yaml, toml) or text (kind: text); ConfigError says why not."""
    try:
        info = os.stat(path)
        return _read_config_cached(os.path.realpath(path), kind, info.st_mtime, info.st_size)
    except FileNotFoundError:
        raise ConfigError("no such file")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(exc))
    except Exception as exc:  # noqa: BLE001 - a parser's error: the file is not valid data
        raise ConfigError(f"not valid {kind.upper()}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")


def kind_of(path: str) -> Optional[str]:
    return CONFIG_SUFFIXES.get(os.path.splitext(path)[1].lower())
