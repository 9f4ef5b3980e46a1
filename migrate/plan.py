"""The typed parts of a component body: what mappers say a component does, not the code doing it.

A mapper (migrate/operators) returns its body as a list of these parts; one renderer
(migrate/emit/component_body.py) turns them into statements built as a libcst tree. Only the
renderer knows the names the body shares with the rest of the component (the XCom values, the
Airflow context shim, the results and the skip flag), so a mapper never writes them.

Two kinds of parts:
- expressions (a value handed to the task's code): an input of the component, an XCom value,
  a template rendered at run time, a Python literal, a list/tuple/dict of those ...
- statements: build the Airflow context, call the task callable, run bash, decide a branch,
  fail loudly ...

This module imports nothing from the project but kfmigrate.migrate.contracts: operators and emit both stand on it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Tuple, Union

# Outputs a deciding task publishes besides its XCom values (the emitter applies the decision)
from kfmigrate.migrate.contracts import CONDITION_KEY, FOLLOW_KEY  # noqa: F401 (operators and emit read them from here)


# ---------------------------------------------------------------- expressions
@dataclass(frozen=True)
class InputName:
    """A parameter of the component function (an input the mapper added)."""
    name: str


@dataclass(frozen=True)
class XcomValue:
    """The value another task pushed under `key` (wired as an input by the emitter, already decoded)."""
    task_id: str
    key: str


@dataclass(frozen=True)
class Rendered:
    """A value whose strings go through Jinja with the task's Airflow context at run time."""
    value: "Expr"


@dataclass(frozen=True)
class Decoded:
    """A value carried as JSON text (`from_json`) or whose ints KFP handed over as floats (`ints_back`)."""
    how: str  # "from_json" | "ints_back"
    value: "Expr"


@dataclass(frozen=True)
class HelperCall:
    """A call of a run-time helper of migrate/emit/runtime.py (e.g. `_airflow_kfp_api()`)."""
    helper: str
    args: Tuple["Expr", ...] = ()


@dataclass(frozen=True)
class ParamValue:
    """A DAG param read from the Airflow context's params (inside a list or dict argument)."""
    name: str


@dataclass(frozen=True)
class Local:
    """A name the body's own code binds (the callable's name)."""
    name: str


@dataclass(frozen=True)
class PyValue:
    """A Python literal written into the code as its repr."""
    value: Any


@dataclass(frozen=True)
class SequenceOf:
    """A list or tuple of expressions."""
    kind: str  # "list" | "tuple"
    items: Tuple["Expr", ...]


@dataclass(frozen=True)
class MappingOf:
    """A dict of expressions; a key of None unpacks the value (`**value`)."""
    items: Tuple[Tuple[Optional["Expr"], "Expr"], ...]


@dataclass(frozen=True)
class Unpacked:
    """`*value` among positional arguments."""
    value: "Expr"


@dataclass(frozen=True)
class Unresolved:
    """A value not known statically (the mapper reports it and the task fails): None in the code."""
    source: str


Expr = Union[InputName, Local, XcomValue, Rendered, Decoded, HelperCall, ParamValue, PyValue, SequenceOf, MappingOf, Unpacked, Unresolved]


# ---------------------------------------------------------------- statements
@dataclass(frozen=True)
class AirflowContext:
    """Build the task's Airflow context shim (ds, ti, params, XCom reads ...) from its inputs.

    logical_date, run_id: the inputs carrying them; params: (DAG param name, value) pairs;
    task_params: the task's own literal params (merged after the DAG's).
    """
    dag_id: str
    task_id: str
    logical_date: str
    run_id: str
    params: Tuple[Tuple[str, Expr], ...] = ()
    task_params: Optional[dict] = None
    xcom: bool = True  # False: no XCom values to read (the DAG callbacks' exit task)


@dataclass(frozen=True)
class CallableCode:
    """The task callable with what it needs from the DAG file, pasted into the component.

    prelude: snippets from the DAG file (imports, constants, helpers); source: the callable itself;
    where: its place in the DAG file, for a comment. The renderer binds the Airflow names the run-time
    shim provides (and rewrites their imports from airflow).
    """
    prelude: Tuple[str, ...]
    source: str
    where: str = ""


@dataclass(frozen=True)
class CallPython:
    """Call the task callable as Airflow does (context, op_args/op_kwargs, templates_dict, skips).

    The arguments are evaluated before the DAG file's code runs, so its names cannot shadow inputs.
    bound: functools.partial's arguments (positional expressions, then (keyword, expression) pairs).
    """
    target: str  # the callable's name
    code: CallableCode
    op_args: Tuple[Expr, ...] = ()
    op_kwargs: Tuple[Tuple[Optional[str], Expr], ...] = ()  # a key of None: **value
    templates_dict: Optional[Expr] = None
    multiple_outputs: bool = False
    bound_args: Optional[Tuple[Expr, ...]] = None
    bound_kwargs: Tuple[Tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class RunBash:
    """Run a bash command as BashOperator does (rendered, env, cwd, skip exit code, last line out).

    command: the command, or None for @task.bash, whose callable returns it (`call` then holds the
    callable and its arguments). processor: a self-contained output_processor's source.
    """
    command: Optional[Expr]
    call: Optional[CallPython] = None
    env: Optional[Expr] = None
    append_env: bool = False
    cwd: Optional[Expr] = None
    skip_on_exit_code: Optional[Expr] = None
    output_encoding: Optional[Expr] = None
    processor: Optional[str] = None
    multiple_outputs: bool = False
    push: bool = True  # do_xcom_push


@dataclass(frozen=True)
class FollowBranch:
    """Turn a branch's choice into the task ids to follow, as Airflow's skip_all_except.

    chosen: "returned" (the callable's return value), "decided" (a date or weekday decision) or
    "answered" (a person's choice, AskPerson).
    relatives: direct downstream tasks that are downstream of others too; direct: all direct
    downstream task ids.
    """
    chosen: str
    direct: Tuple[str, ...]
    relatives: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class ShortCircuit:
    """A short circuit's decision from the callable's return value."""
    has_direct: bool  # the task has direct downstream tasks (then a falsy value pushes no XCom)


@dataclass(frozen=True)
class TimeBound:
    """A BranchDateTimeOperator target: a datetime (ISO text), a time (hour, minute, ...), or none."""
    iso: Optional[str] = None
    time: Optional[Tuple[int, ...]] = None


@dataclass(frozen=True)
class DecideByTime:
    """BranchDateTimeOperator / BranchDayOfWeekOperator: choose true_ids or false_ids from the time."""
    true_ids: Tuple[str, ...]
    false_ids: Tuple[str, ...]
    logical_date: bool  # compare the run's logical date (else the wall clock)
    lower: Optional[TimeBound] = None
    upper: Optional[TimeBound] = None
    week_days: Optional[Tuple[int, ...]] = None  # set: a week-day branch (ISO numbers)


@dataclass(frozen=True)
class LatestOnly:
    """LatestOnlyOperator's decision: follow every direct downstream task or none.
    The next run after the logical date: cron (an expression) or every (seconds), or neither."""
    direct: Tuple[str, ...]
    cron: Optional[str] = None
    every: Optional[float] = None


@dataclass(frozen=True)
class RunOperator:
    """Run the original Airflow operator class inside the component (the operator shim).

    kwargs: the operator's arguments; module_code: the DAG file's (or project module's) code that
    defines the class or the arguments' expressions; dynamic: argument name -> Python source.
    """
    module: str
    operator: str
    kwargs: Tuple[Tuple[str, Expr], ...]
    module_code: Optional[str] = None
    dynamic: Tuple[Tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RunHelper:
    """The task's work is one run-time helper called with the Airflow context and these keyword
    arguments; it gives the XCom values and whether the task was skipped (TriggerDagRunOperator)."""
    helper: str
    kwargs: Tuple[Tuple[str, Expr], ...]


@dataclass(frozen=True)
class AskPerson:
    """Wait for a person's answer (the human-in-the-loop operators); the answer is the XCom value.

    ask: the request (subject, options, body, defaults, multiple, params, timeout, poke_interval).
    approval: "Reject" is a false short circuit (fail_on_reject: it fails the task instead of only
    skipping); options_mapping set: the chosen options name the task ids to follow (a FollowBranch
    part with chosen="answered" comes next).
    """
    ask: Tuple[Tuple[str, Expr], ...]
    approval: bool = False
    fail_on_reject: bool = False
    options_mapping: Optional[dict] = None


@dataclass(frozen=True)
class Fail:
    """The component fails at once with this exception and message (placeholders, missing files)."""
    error: str  # a builtin exception class name
    message: str


@dataclass(frozen=True)
class Code:
    """Fixed statements a mapper writes (a sensor's check), with holes `{name}` that the renderer
    fills with libcst nodes: `values` (typed expressions), and `{context}`, the Airflow context
    shim the body shares. The text holds no value from the DAG: those go through the holes."""
    text: str
    values: Tuple[Tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class Poll:
    """Poll `_poke` (defined by the Code parts before it) as BaseSensorOperator.execute does.
    options: poke_interval, timeout, soft_fail, exponential_backoff, silent_fail, never_fail, max_wait."""
    options: Tuple[Tuple[str, Expr], ...]


Part = Union[AirflowContext, CallPython, RunBash, FollowBranch, ShortCircuit, DecideByTime, LatestOnly, RunOperator,
             RunHelper, AskPerson, CallableCode, Code, Poll, Fail]
