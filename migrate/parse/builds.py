"""What the static interpreter builds from a DAG file before it becomes IR: DAGs, their tasks, edges
and task groups, the scopes names are bound in, and the state a conversion shares across the files
whose code it follows. Also the tables of Airflow arguments that both front ends (static reading and
--load) turn into IR.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Tuple

import libcst as cst

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import Diagnostic
from kfmigrate.migrate.parse.symbols import Partial

DOC_ARGS = ("doc_md", "doc", "doc_rst", "doc_json", "doc_yaml")
PARAM_TYPES = {
    "string": "str", "integer": "int", "number": "float", "boolean": "bool", "array": "list",
    "object": "dict", "null": "str",
}
MAX_UNROLL = 10_000  # loop iterations unrolled per file before we give up (a runaway range())


# ------------------------------------------------------------------ building blocks
@dataclass
class TaskBuild:
    task_id: str
    operator: str
    module: str
    args: Dict[str, Any]
    node: cst.CSTNode
    callable: Optional[ir.CallableSource] = None
    call_args: Tuple[Any, ...] = ()
    call_kwargs: Dict[str, Any] = field(default_factory=dict)
    group: Tuple[str, ...] = ()
    mapping: Optional[ir.Mapping_] = None
    multiple_outputs: bool = False
    is_setup: bool = False
    is_teardown: bool = False
    operator_file: Optional[str] = None  # the project file defining a local operator class the task runs as itself
    bound: Optional[Partial] = None  # python_callable=functools.partial(f, ...): its bound arguments


@dataclass
class GroupFrame:
    group_id: str  # full id ("outer.inner")
    prefix: bool
    default_args: Dict[str, Any]
    members: List[str] = field(default_factory=list)  # task ids, nested groups' tasks included


@dataclass
class DagBuild:
    dag_id: str
    kwargs: Dict[str, Any]
    node: cst.CSTNode
    tasks: Dict[str, TaskBuild] = field(default_factory=dict)
    edges: List[ir.Edge] = field(default_factory=list)
    groups: Dict[str, GroupFrame] = field(default_factory=dict)
    mapped_groups: Dict[str, ir.Mapping_] = field(default_factory=dict)
    taskflow_counts: Dict[str, int] = field(default_factory=dict)
    kwarg_sources: Dict[str, str] = field(default_factory=dict)  # DAG keyword -> its source text
    _edge_set: set = field(default_factory=set)

    def add_edge(self, up: str, down: str, kind: str = "order") -> None:
        if up == down:
            return
        edge = ir.Edge(up, down, kind)
        if edge not in self._edge_set:  # a set: big generated DAGs add edges by the thousand
            self._edge_set.add(edge)
            self.edges.append(edge)


class Scope:
    def __init__(self, parent: Optional["Scope"] = None):
        self.vars: Dict[str, Any] = {}
        self.parent = parent
        self.sources: Dict[str, str] = {}  # name -> source of the simple statement that bound it
        # module scope only: names bound inside a block (e.g. `with DAG(...)`), which the module
        # index of top-level statements does not see
        self.nested: Set[str] = set()

    def lookup(self, name: str) -> Any:
        scope = self
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        raise KeyError(name)

    def enclosing_sources(self) -> Dict[str, str]:
        out: Dict[str, str] = {}
        scope = self
        while scope is not None:
            for name, src in scope.sources.items():
                if scope.parent is not None or name in scope.nested:
                    out.setdefault(name, src)
            scope = scope.parent
        return out

    def closure_values(self) -> Dict[str, Any]:
        """Names bound in enclosing function scopes without a statement of their own (parameters, loop
        variables): a function defined there reads them from its closure."""
        out: Dict[str, Any] = {}
        scope = self
        while scope is not None and scope.parent is not None:
            for name, value in scope.vars.items():
                if name not in scope.sources:
                    out.setdefault(name, value)
            scope = scope.parent
        return out


class State:
    """What a conversion builds, shared by the DAG file's interpreter and those of the project modules
    whose functions it calls (a factory in common/factory.py adds its DAG and tasks here)."""

    def __init__(self) -> None:
        self.diagnostics: List[Diagnostic] = []
        self.dags: List[DagBuild] = []
        self.dag_stack: List[DagBuild] = []
        self.group_stack: List[GroupFrame] = []
        self.unrolled = 0
        self.mapped_sources: Dict[str, List[str]] = {}
        self.calls: List[str] = []  # local functions being followed, innermost last (recursion guard)
        self.read_files: Set[str] = set()  # config files read (reported once each)
        self.unfollowed: List[Tuple[cst.CSTNode, str, str]] = []  # (node, code, message): reported when no DAG is found
        self.modules: List[Any] = []  # project modules whose code built part of this file's DAGs


def group_ends(dag: DagBuild, group_id: str, side: str) -> List[str]:
    """A group's roots ('down': tasks with no upstream inside the group) or leaves ('up')."""
    frame = dag.groups.get(group_id)
    if frame is None:
        return []
    members = set(frame.members)
    if side == "down":  # members that some other member points at are not roots
        linked = {e.downstream for e in dag.edges if e.upstream in members and e.downstream in members}
    else:
        linked = {e.upstream for e in dag.edges if e.upstream in members and e.downstream in members}
    return [task_id for task_id in frame.members if task_id not in linked]
