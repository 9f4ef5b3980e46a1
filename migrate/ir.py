"""The neutral intermediate representation between the Airflow parser and the KFP emitter.

Frozen dataclasses only: the IR knows neither libcst nor kfp. The parser fills it from a DAG file
without importing it; operator mappers read it and return ComponentPlans; the emitter writes KFP.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple, Union


@dataclass(frozen=True)
class SourceSpan:
    path: str
    line: int
    col: int  # 1-based, as editors and compilers print it
    end_line: int = 0
    end_col: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


LOCAL_MODULE = "<this file>"  # Task.module of an operator class defined in the DAG file itself


# ---------------------------------------------------------------- values
@dataclass(frozen=True)
class Literal:
    """A Python literal that survives JSON (str, int, float, bool, None, list, dict)."""
    value: Any


@dataclass(frozen=True)
class Template:
    """A string holding Jinja that Airflow renders at run time ({{ ds }}, {{ params.x }} ...)."""
    text: str


@dataclass(frozen=True)
class TaskOutput:
    """An XCom reference: the value task `task_id` returned (key 'return_value') or pushed."""
    task_id: str
    key: str = "return_value"


@dataclass(frozen=True)
class ParamRef:
    """A DAG param used as a value (an @dag function argument, Airflow's DagParam)."""
    name: str


@dataclass(frozen=True)
class GroupArg:
    """Inside a mapped task group (`@task_group ... .expand(name=...)`): the current item's `name`."""
    group_id: str
    name: str


@dataclass(frozen=True)
class Composite:
    """A list/dict/tuple literal with at least one non-literal element (e.g. [a(), b()])."""
    kind: str  # 'list' | 'dict' | 'tuple' | 'zip' (XComArg.zip: element-wise tuples of its items)
    items: Tuple[Any, ...]  # Values for list/tuple/zip; (key Value, value Value) pairs for dict


@dataclass(frozen=True)
class Dynamic:
    """An expression that cannot be resolved statically; kept as source for the report."""
    source: str
    reason: str = ""


Value = Union[Literal, Template, TaskOutput, ParamRef, GroupArg, Composite, Dynamic]


# ---------------------------------------------------------------- callables
@dataclass(frozen=True)
class CallableSource:
    """A Python function from the DAG file and everything it needs from its module.

    `source` is the function definition without decorators. `prelude` holds, in module order,
    the import statements, constants and helper definitions the function (transitively) uses,
    so the emitter can place them inside a self-contained lightweight component.
    """
    name: str
    source: str
    params: Tuple[str, ...] = ()  # positional-or-keyword parameter names in order
    var_keyword: Optional[str] = None  # name of **kwargs/**context, if any
    return_annotation: Optional[str] = None
    prelude: Tuple[str, ...] = ()
    span: Optional[SourceSpan] = None
    doc: Optional[str] = None  # the function's docstring


# ---------------------------------------------------------------- tasks
@dataclass(frozen=True)
class Retry:
    retries: int = 0
    delay_seconds: Optional[float] = None
    exponential_backoff: bool = False
    max_delay_seconds: Optional[float] = None


@dataclass(frozen=True)
class Mapping_:
    """Dynamic task mapping: .partial(**fixed).expand(**over) / .expand_kwargs(src)."""
    over: Mapping[str, Value]  # expanded argument -> the list (Literal/TaskOutput/...) it maps over
    kwargs_source: Optional[Value] = None  # for expand_kwargs
    zipped: bool = False


@dataclass(frozen=True)
class Task:
    task_id: str  # as Airflow shows it, group prefix included ("ingest.count_users")
    operator: str  # class name ("BashOperator") or decorator ("@task", "@task.bash")
    module: str  # fully qualified import module of the operator ("airflow.providers.standard...")
    args: Mapping[str, Value]  # operator keyword arguments after default_args were merged
    span: SourceSpan
    source: str  # the original statement, for reports and placeholders
    callable: Optional[CallableSource] = None  # python_callable / decorated function
    call_args: Tuple[Value, ...] = ()  # TaskFlow positional call arguments
    call_kwargs: Mapping[str, Value] = field(default_factory=dict)  # TaskFlow keyword call arguments
    group: Tuple[str, ...] = ()  # enclosing TaskGroup ids, outermost first
    retry: Retry = Retry()
    timeout_seconds: Optional[float] = None
    trigger_rule: str = "all_success"
    doc: Optional[str] = None
    mapping: Optional[Mapping_] = None
    multiple_outputs: bool = False
    is_setup: bool = False
    is_teardown: bool = False
    # on_failure_callback / on_success_callback / on_retry_callback / on_execute_callback /
    # on_skipped_callback -> the functions (a list of callbacks keeps all of them)
    callbacks: Mapping[str, Tuple[CallableSource, ...]] = field(default_factory=dict)
    # a local operator class defined in a project module (plugins/, a package) that runs as itself: its file
    operator_file: Optional[str] = None
    # python_callable=functools.partial(f, *bound_args, **bound_kwargs): the arguments bound to the callable
    bound_args: Tuple[Value, ...] = ()
    bound_kwargs: Mapping[str, Value] = field(default_factory=dict)


@dataclass(frozen=True)
class Edge:
    upstream: str
    downstream: str
    kind: str = "order"  # 'order' (>>, set_downstream, chain) or 'data' (XCom reference)


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    type: str  # 'str' | 'int' | 'float' | 'bool' | 'list' | 'dict'
    description: Optional[str] = None
    span: Optional[SourceSpan] = None


@dataclass(frozen=True)
class Schedule:
    """The DAG's schedule as written. kind: 'none' | 'cron' | 'preset' | 'timedelta' | 'timetable' | 'asset' | 'dynamic'."""
    kind: str
    value: Any = None  # cron text, preset name, seconds (timedelta), or source text
    catchup: bool = False
    start_date: Optional[str] = None  # ISO 8601
    end_date: Optional[str] = None
    source: str = ""


@dataclass(frozen=True)
class Workflow:
    dag_id: str
    path: str
    span: SourceSpan
    tasks: Tuple[Task, ...]
    edges: Tuple[Edge, ...]
    params: Tuple[Param, ...] = ()
    schedule: Schedule = Schedule("none")
    description: Optional[str] = None
    doc: Optional[str] = None
    tags: Tuple[str, ...] = ()
    default_args: Mapping[str, Value] = field(default_factory=dict)
    groups: Mapping[str, Optional[str]] = field(default_factory=dict)  # group id -> tooltip
    # mapped task groups: group id -> what it maps over; its tasks read the item through GroupArg values
    mapped_groups: Mapping[str, Mapping_] = field(default_factory=dict)
    callbacks: Mapping[str, Tuple[CallableSource, ...]] = field(default_factory=dict)  # DAG-level, as on Task
    # the project's module folders (migrate/parse/project.py), first match wins: where local modules are found
    project_roots: Tuple[str, ...] = ()

    def task(self, task_id: str) -> Task:
        for task in self.tasks:
            if task.task_id == task_id:
                return task
        raise KeyError(task_id)

    def upstream(self, task_id: str) -> Tuple[str, ...]:
        return tuple(dict.fromkeys(e.upstream for e in self.edges if e.downstream == task_id))

    def downstream(self, task_id: str) -> Tuple[str, ...]:
        return tuple(dict.fromkeys(e.downstream for e in self.edges if e.upstream == task_id))
