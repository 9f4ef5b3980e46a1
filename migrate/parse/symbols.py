"""The values the static interpreter works with while it walks a DAG file.

Plain Python literals (str, int, list, dict ...) stand for themselves; the classes here stand for the
Airflow objects a DAG file builds (tasks, groups, decorated functions) and for what cannot be known.
"""
from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

import libcst as cst


class StaticError(Exception):
    """A construct that cannot be resolved statically: becomes a diagnostic, never a crash."""

    def __init__(self, code: str, message: str, node: Optional[cst.CSTNode] = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.node = node


@dataclass(frozen=True)
class TaskRef:
    """A task, and at the same time its XCom (`key`): what an operator or a TaskFlow call returns."""
    task_id: str
    key: str = "return_value"


@dataclass(frozen=True)
class GroupRef:
    group_id: str


@dataclass
class TaskFlowDef:
    """A function decorated with @task / @task.<kind> (or @setup/@teardown)."""
    func: cst.FunctionDef
    kind: str  # "@task", "@task.bash", ...
    decorator_kwargs: Dict[str, Any]
    module: str  # where the decorator came from
    enclosing: Dict[str, str] = field(default_factory=dict)
    is_setup: bool = False
    is_teardown: bool = False
    home: Any = None  # the Interpreter of the file defining it (None: the DAG file's)


@dataclass
class GroupDef:
    func: cst.FunctionDef
    decorator_kwargs: Dict[str, Any]
    env: Any = None
    home: Any = None


@dataclass
class DagDef:
    func: cst.FunctionDef
    decorator_kwargs: Dict[str, Any]
    env: Any = None
    home: Any = None


@dataclass
class Override:
    """`fn.override(task_id=...)` or `fn.partial(...)`: a TaskFlowDef/operator class with extra kwargs."""
    target: Any
    kwargs: Dict[str, Any]
    partial: bool = False


@dataclass(frozen=True)
class Imported:
    """A name imported from another module, not otherwise special (an operator class, a module ...)."""
    qualname: str

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def module(self) -> str:
        return self.qualname.rsplit(".", 1)[0] if "." in self.qualname else ""


@dataclass(frozen=True)
class LocalClass:
    """A class defined in the DAG file or in a project module (a custom operator, usually)."""
    name: str
    bases: Tuple[str, ...]
    node: Any = field(default=None, compare=False, repr=False)  # its cst.ClassDef
    home: Any = field(default=None, compare=False, repr=False)  # the Interpreter of its file


@dataclass
class LocalFunction:
    func: cst.FunctionDef
    enclosing: Dict[str, str] = field(default_factory=dict)
    home: Any = None  # the Interpreter of the file defining it
    closure: Dict[str, Any] = field(default_factory=dict)  # enclosing functions' parameters and loop variables it may read


@dataclass(frozen=True)
class ModuleRef:
    """A project module (`import common.factory`, `from common import factory`)."""
    name: str
    home: Any = field(compare=False, repr=False)


@dataclass
class Partial:
    """`functools.partial(callable, *args, **kwargs)`."""
    func: Any
    args: Tuple[Any, ...]
    kwargs: Dict[str, Any]


@dataclass
class TaskDecorator:
    """`task(retries=2)`, `task.virtualenv(...)` before it is applied to a function (a decorator value)."""
    kind: str
    kwargs: Dict[str, Any]
    module: str


@dataclass(frozen=True)
class Duration:
    seconds: float


@dataclass(frozen=True)
class DateTime:
    iso: str


@dataclass(frozen=True)
class ParamSpec:
    default: Any
    type: Optional[str]
    description: Optional[str]


@dataclass(frozen=True)
class LabelValue:
    text: str


@dataclass(frozen=True)
class Opaque:
    """A value we cannot know statically. Carries its source for diagnostics and reports."""
    source: str
    reason: str = ""


@dataclass(frozen=True)
class ContextDag:
    """The DAG object inside `with DAG(...) as dag` or returned by DAG(...)."""
    dag_id: str


# ------------------------------------------------------------------ the interpreter's own values
@dataclass
class Return:
    value: Any


@dataclass
class GroupStart:
    group_id: Any
    kwargs: Dict[str, Any]


@dataclass(frozen=True)
class LambdaValue:
    node: cst.Lambda
    source: str = "lambda"
    enclosing: Tuple[Tuple[str, str], ...] = ()  # names bound in enclosing functions -> their statements


@dataclass(frozen=True)
class Labelled:
    """The left side of `tasks >> Label(...)`, waiting for the right side of the next shift."""
    tasks: Any


@dataclass(frozen=True)
class ZipValue:
    """`xcomarg.zip(other, ...)`: mapped over element-wise tuples of its sources."""
    sources: Tuple[Any, ...]


@dataclass(frozen=True)
class GroupArgValue:
    group_id: str
    name: str


@dataclass(frozen=True)
class ParamValue:
    name: str


@dataclass
class BoundMethod:
    owner: Any
    name: str


class SuperCall:
    """`self` inside a local operator's __init__: `super().__init__(**kwargs)` records what it passes on."""

    def __init__(self) -> None:
        self.kwargs: Optional[Dict[str, Any]] = None


@dataclass(frozen=True)
class FileValue:
    """`open(path)` of a project file: read only when a loader (json.load ...) or .read() asks."""
    path: str


@dataclass(frozen=True)
class Unreadable(Opaque):
    """A name from a project module whose file cannot be read or parsed."""


@dataclass(frozen=True)
class Airflow1Missing(Imported):
    """An Airflow 1 plugin import whose class is not in the project's plugins/ folder."""
    looked_in: str = ""


@dataclass(frozen=True)
class PathValue:
    """`Path(__file__)` and friends: file names are known statically."""
    path: str

    def attribute(self, attr: str, source: str) -> Any:
        if attr == "stem":
            return posixpath.splitext(posixpath.basename(self.path))[0]
        if attr == "name":
            return posixpath.basename(self.path)
        if attr == "suffix":
            return posixpath.splitext(self.path)[1]
        if attr == "parent":
            return PathValue(posixpath.dirname(self.path))
        if attr in _PATH_METHODS:
            return BoundMethod(self, attr)
        return Opaque(source, f"Path.{attr}")

    def call(self, interp: Any, name: str, args, kwargs, node) -> Any:
        if name in ("resolve", "absolute", "expanduser"):
            return PathValue(os.path.abspath(self.path))
        if name == "joinpath" and all(isinstance(a, str) for a in args):
            return PathValue(posixpath.join(self.path, *args))
        if name == "with_suffix" and args and isinstance(args[0], str):
            return PathValue(posixpath.splitext(self.path)[0] + args[0])
        if name in ("exists", "is_file", "is_dir"):
            return {"exists": os.path.exists, "is_file": os.path.isfile, "is_dir": os.path.isdir}[name](self.path)
        if name == "open":
            return interp.open_file([self.path, *args], kwargs, node)
        if name == "read_text":
            return interp.read_data(self.path, "text", node)
        if name in ("glob", "rglob") and args and isinstance(args[0], str):
            pattern = posixpath.join(self.path, "**", args[0]) if name == "rglob" else posixpath.join(self.path, args[0])
            found = interp.list_files("glob.glob", pattern, node)
            return [PathValue(p) for p in found] if isinstance(found, list) else found
        if name == "iterdir":
            found = interp.list_files("os.listdir", self.path, node)
            return [PathValue(posixpath.join(self.path, p)) for p in found] if isinstance(found, list) else found
        return Opaque(interp.code(node), f"Path.{name}()")


_PATH_METHODS = {"resolve", "absolute", "expanduser", "joinpath", "with_suffix", "exists", "is_file", "is_dir",
                 "open", "read_text", "glob", "rglob", "iterdir"}
