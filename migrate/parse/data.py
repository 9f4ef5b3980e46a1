"""Config files and the environment, read as data while a DAG file is interpreted (never executed):
json/yaml/toml loaders over project files, open(), os.environ, os.path, glob. The Interpreter's
ConfigData part (migrate/parse/interpreter.py).
"""
from __future__ import annotations

import datetime as _dt
import os as _os
from typing import Any, Dict, List, Optional

import libcst as cst

from kfmigrate.migrate.diagnostics import INFO
from kfmigrate.migrate.parse.project import ConfigError, read_config
from kfmigrate.migrate.parse.symbols import DateTime, FileValue, Opaque, PathValue
from kfmigrate.migrate.parse.values import is_unknown


class NotData:
    pass


NOT_DATA = NotData()  # what project_data_call answers for a call that does not read data
# loader -> (format, whether it takes text rather than a file)
_LOADERS = {
    "json.load": ("json", False), "json.loads": ("json", True),
    "yaml.safe_load": ("yaml", True), "yaml.load": ("yaml", True), "yaml.full_load": ("yaml", True),
    "yaml.safe_load_all": ("yaml", True),
    "tomllib.load": ("toml", False), "tomllib.loads": ("toml", True), "toml.load": ("toml", False),
    "toml.loads": ("toml", True), "tomli.load": ("toml", False), "tomli.loads": ("toml", True),
}
_DATA_CALLS = set(_LOADERS) | {"os.path.join", "glob.glob", "os.listdir"}


def _from_data(data: Any) -> Any:
    """Config data as interpreter values: tuples stay lists, dates become DateTime."""
    if isinstance(data, dict):
        return {k: _from_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_from_data(v) for v in data]
    if isinstance(data, _dt.datetime):
        return DateTime(data.isoformat())
    if isinstance(data, _dt.date):
        return DateTime(_dt.datetime(data.year, data.month, data.day).isoformat() + "+00:00")
    return data


class ConfigData:
    def project_data_call(self, qual: str, args: List[Any], kwargs: Dict[str, Any], node: cst.CSTNode) -> Any:
        """json.load(f), yaml.safe_load(f), tomllib.load(f), os.environ.get(K, default), os.path.join(...),
        glob.glob(...): what DAG files use to read their configuration. NOT_DATA for any other call."""
        if any(is_unknown(a) for a in args):
            if qual in _DATA_CALLS:
                unknown = next(a for a in args if is_unknown(a))
                return Opaque(self.code(node), unknown.reason or unknown.source)
            return NOT_DATA
        if qual in ("os.environ.get", "os.getenv"):
            key = args[0] if args else kwargs.get("key")
            has_default = len(args) > 1 or "default" in kwargs
            default = args[1] if len(args) > 1 else kwargs.get("default")
            return self.environment(key, node, default, has_default)
        if qual in ("os.path.join", "posixpath.join") and args and all(isinstance(a, (str, PathValue)) for a in args):
            import posixpath

            return posixpath.join(*(a.path if isinstance(a, PathValue) else a for a in args))
        if qual in ("os.path.abspath", "os.path.realpath", "os.path.normpath") and args and isinstance(args[0], (str, PathValue)):
            path = args[0].path if isinstance(args[0], PathValue) else args[0]
            return _os.path.normpath(path) if qual.endswith("normpath") else _os.path.abspath(path)
        if qual in ("os.path.exists", "os.path.isfile", "os.path.isdir") and args and isinstance(args[0], str):
            return getattr(_os.path, qual.rsplit(".", 1)[1])(args[0])
        if qual in ("glob.glob", "os.listdir") and (args and isinstance(args[0], str) or qual == "os.listdir" and not args):
            return self.list_files(qual, args[0] if args else ".", node)
        loader = _LOADERS.get(qual)
        if loader is None:
            return NOT_DATA
        kind, from_text = loader
        source = args[0] if args else next(iter(kwargs.values()), None)
        if isinstance(source, str) and from_text:
            return self.parse_data(source, kind, node)
        if isinstance(source, PathValue) and qual in ("toml.load",):
            source = FileValue(source.path)
        if isinstance(source, FileValue):
            return self.read_data(source.path, kind, node)
        return Opaque(self.code(node), f"{qual}() of a value that is not a project file")

    def environment(self, key: Any, node: cst.CSTNode, default: Any = None, has_default: bool = False) -> Any:
        if not isinstance(key, str):
            return Opaque(self.code(node), "environment variable with a name that is not known statically")
        value = self.project.getenv(key) if self.project is not None else _os.environ.get(key)
        if value is not None:
            return value
        if has_default:
            self.diag("KFM124", f"environment variable {key} is not set here: its default {default!r} is used "
                      f"(pass --env {key}=... for the value your Airflow deployment has)", node, INFO)
            return default
        # no diagnostic here: wherever the value matters (a loop, an open(), a task argument) its reason names the variable
        return Opaque(self.code(node), f"environment variable {key} is not set (pass --env {key}=...)")

    def open_file(self, args: List[Any], kwargs: Dict[str, Any], node: cst.CSTNode) -> Any:
        path = args[0] if args else kwargs.get("file")
        mode = args[1] if len(args) > 1 else kwargs.get("mode", "r")
        if isinstance(path, PathValue):
            path = path.path
        if not isinstance(path, str) or not isinstance(mode, str) or any(c in mode for c in "wax+"):
            reason = path.reason if isinstance(path, Opaque) and path.reason else "a file that is not known statically"
            return Opaque(self.code(node), f"open() of {reason}")
        return FileValue(path)

    def checked_path(self, path: str, node: cst.CSTNode) -> Optional[str]:
        """The path when it is a file of the project that may be read as data, else a diagnostic and None."""
        if self.project is not None and not self.project.inside(path):
            self.diag("KFM123", f"{path} is outside the project: not read (add its folder with --path)", node)
            return None
        return path

    def read_data(self, path: str, kind: str, node: cst.CSTNode) -> Any:
        if self.checked_path(path, node) is None:
            return Opaque(self.code(node), f"{path} is outside the project")
        try:
            data = read_config(path, kind)
        except ConfigError as err:
            self.diag("KFM123", f"config file {path} cannot be read as {kind.upper()}: {err}", node)
            return Opaque(self.code(node), f"config file {path}: {err}")
        if path not in self.state.read_files:
            self.state.read_files.add(path)
            self.diag("KFM123", f"config file {path} is read as data at conversion time: a change to it needs a new conversion", node, INFO)
        return _from_data(data)

    def parse_data(self, text: str, kind: str, node: cst.CSTNode) -> Any:
        try:
            if kind == "json":
                import json

                return _from_data(json.loads(text))
            if kind == "yaml":
                import yaml

                return _from_data(yaml.safe_load(text))
            import tomllib

            return _from_data(tomllib.loads(text))
        except Exception as exc:  # noqa: BLE001 - not valid data: unknown, as Airflow would fail to load it
            return Opaque(self.code(node), f"not valid {kind.upper()}: {exc}")

    def list_files(self, qual: str, pattern: str, node: cst.CSTNode) -> Any:
        """glob.glob(pattern) / os.listdir(folder) inside the project, sorted (Airflow's order is the file
        system's; sorting makes the conversion repeatable)."""
        import glob

        folder = pattern if qual == "os.listdir" else _os.path.dirname(pattern) or "."
        if self.checked_path(folder, node) is None:
            return Opaque(self.code(node), f"{folder} is outside the project")
        try:
            found = sorted(_os.listdir(folder)) if qual == "os.listdir" else sorted(glob.glob(pattern))
        except (OSError, ValueError) as exc:
            return Opaque(self.code(node), f"{qual}({pattern!r}): {getattr(exc, 'strerror', None) or exc}")
        return found
