"""The finishing step every rule's plan goes through, and the argument tables that drive it.

A rule (a mapper registered with `@mapper`, see __init__.py) declares what it does with each
operator argument in an `ArgTable`, in the spirit of sqlglot's `unsupported_args`:

- handled: the mapper carries the argument over (or it steers nothing the component computes);
- no effect(why): the argument means nothing on KFP; the report says why when it is set
  (note=False: not even worth a line, such as how Airflow talks to its cluster);
- unmapped(why): KFP could honour it but the mapping does not: KFM202 with the reason;
- renamed(to): a deprecated alias; the registry renames it before the mapper runs, so the mapper
  reads one name only.

Arguments a table does not name get the table's `unknown` entry (by default: KFM202, ignored).
BaseOperator arguments the emitter handles (common.BASE_ARGS_HANDLED) are handled in every table;
callback arguments (common.CALLBACK_ARGS) always get KFM208. A rule without a table (`args=None`,
the operator shim) passes every argument on to the operator itself.

`finish_plan` then adds, once for every rule, what each mapper used to add itself: XCom pulls that
cannot be wired (KFM204), callbacks (KFM208), Variables and connections read from the environment
(KFM209), the argument table's diagnostics, and, when an argument value could not be resolved
statically (`plan.unresolved`), the placeholder: by default the component fails at its start
with KFM110 (`fail_at_start`); a rule may name its own (the shim replaces the whole plan).
Plans marked `finished` (placeholders made early) and plans without a component are left alone.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import Diagnostic
from kfmigrate.migrate.operators.common import (
    BASE_ARGS_HANDLED, CALLBACK_ARGS, callback_diagnostics, callback_note, external_needs_diagnostics, not_carried_over,
    raise_first, unresolved_pull_diagnostics,
)
from kfmigrate.migrate.operators.model import PLACEHOLDER, Case, ComponentPlan, MapContext

HANDLED, NO_EFFECT, UNMAPPED, RENAMED, IGNORED = "handled", "no effect", "unmapped", "renamed", "ignored"
UNSET = (None, ir.Literal(None), ir.Literal(False))  # values of a no-effect argument that change nothing


@dataclass(frozen=True)
class Arg:
    """What a rule does with one argument."""
    kind: str  # handled | no effect | unmapped | renamed | ignored
    why: str = ""  # no effect / unmapped: the reason, in the report's words
    to: str = ""  # renamed: the name the mapper reads
    note: bool = True  # no effect: state it in the report when the argument is set


def handled(*names: str) -> Dict[str, Arg]:
    return {name: Arg(HANDLED) for name in names}


def no_effect(why: str, *names: str, note: bool = True) -> Dict[str, Arg]:
    return {name: Arg(NO_EFFECT, why, note=note) for name in names}


def unmapped(why: str, *names: str) -> Dict[str, Arg]:
    return {name: Arg(UNMAPPED, why) for name in names}


def renamed(old: str, new: str) -> Dict[str, Arg]:
    return {old: Arg(RENAMED, to=new)}


@dataclass(frozen=True)
class ArgTable:
    entries: Mapping[str, Arg] = field(default_factory=dict)
    unknown: Arg = Arg(IGNORED)  # what an argument the table does not name gets

    @classmethod
    def of(cls, *parts: Mapping[str, Arg], unknown: Arg = Arg(IGNORED)) -> "ArgTable":
        """A table from handled()/no_effect()/unmapped()/renamed() parts (a later part wins)."""
        entries: Dict[str, Arg] = {}
        for part in parts:
            entries.update(part)
        return cls(entries, unknown)

    def extended(self, *parts: Mapping[str, Arg]) -> "ArgTable":
        """This table plus more entries: a rule built on another rule's mapper (branches on @task)."""
        return ArgTable.of(self.entries, *parts, unknown=self.unknown)

    def entry(self, name: str) -> Arg:
        if name in self.entries:
            return self.entries[name]
        return Arg(HANDLED) if name in BASE_ARGS_HANDLED else self.unknown

    def rename(self, task: ir.Task) -> ir.Task:
        """The task as the mapper reads it: deprecated aliases under their current name (the current
        name wins when both are given)."""
        moves = {old: arg.to for old, arg in self.entries.items() if arg.kind == RENAMED and old in task.args}
        if not moves:
            return task
        args = {}
        for name, value in task.args.items():
            new = moves.get(name)
            if new is None:
                args[name] = value
            elif new not in task.args:
                args[new] = value
        return dataclasses.replace(task, args=args)


def argument_diagnostics(table: Optional[ArgTable], task: ir.Task, ctx: MapContext) -> Tuple[List[Diagnostic], List[str]]:
    """(diagnostics, differences) for the task's arguments the rule does not carry over."""
    diagnostics, differences = [], []
    for name, value in task.args.items():
        arg = table.entry(name) if table is not None else Arg(HANDLED)  # no table: the operator gets it
        if name in CALLBACK_ARGS:
            found = callback_note(task, ctx, name)
        elif arg.kind == NO_EFFECT and arg.note and value not in UNSET:
            differences.append(f"Argument {name!r} has no effect on KFP ({arg.why}).")
            continue
        elif arg.kind == UNMAPPED:
            found = not_carried_over(task, ctx, f"argument {name!r}", arg.why)
        elif arg.kind == IGNORED:
            found = (ctx.diagnostic(task, "KFM202", f"argument {name!r} is not supported by the mapping and is ignored"),
                     f"Argument {name!r} is ignored.")
        else:
            continue
        diagnostics.append(found[0])
        differences.append(found[1])
    return diagnostics, differences


Unresolved = Callable[[ir.Task, MapContext, ComponentPlan, str], ComponentPlan]


def fail_at_start(task: ir.Task, ctx: MapContext, plan: ComponentPlan, why: str) -> ComponentPlan:
    """The default for unresolved argument values: the component keeps its code but fails first."""
    plan.fidelity = PLACEHOLDER
    plan.diagnostics.append(ctx.diagnostic(task, "KFM110", why))
    raise_first(plan, "RuntimeError", f"kfmigrate: {why} (task {task.task_id})")
    return plan


def finish_plan(task: ir.Task, ctx: MapContext, plan: ComponentPlan, args: Optional[ArgTable], pulls: bool = True,
                needs: bool = True, unresolved: Optional[Unresolved] = None) -> ComponentPlan:
    """The shared tail of every rule (see the module docstring); `task` is the task the mapper read."""
    if plan.finished or not plan.component:
        return plan
    if pulls:
        plan.diagnostics += unresolved_pull_diagnostics(task, ctx)
    steps = [callback_diagnostics(task, ctx)] + ([external_needs_diagnostics(task, ctx)] if needs else [])
    for diagnostics, differences in steps + [argument_diagnostics(args, task, ctx)]:
        plan.diagnostics += diagnostics
        plan.differences += differences
    if plan.unresolved:
        why = "argument cannot be resolved statically: " + "; ".join(plan.unresolved)
        plan = (unresolved or fail_at_start)(task, ctx, plan, why)
    return plan


# The argument tables at work, through the registry (any rule; BashOperator and ExternalTaskSensor here).
CASES = [
    Case(
        name="an argument the table does not name is reported as ignored",
        dag='''
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("ignored_arg", schedule=None):
    BashOperator(task_id="run", bash_command="echo hi", executor_config={"pod_override": None})
''',
        task_id="run",
        codes=("KFM202",),
        fragments=("_airflow_run_bash(_airflow, command)",),
    ),
    Case(
        name="an unmapped argument is reported with its reason",
        dag='''
from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

with DAG("unmapped_arg", schedule=None):
    KubernetesPodOperator(task_id="pod", image="busybox", cmds=["true"], hostnetwork=True)
''',
        task_id="pod",
        codes=("KFM202", "KFM211"),
        fragments=("image='busybox'",),
    ),
    Case(
        name="a deprecated alias arrives under its current name",
        dag='''
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.providers.standard.sensors.external_task import ExternalTaskSensor

with DAG("renamed_arg", schedule=None):
    wait = ExternalTaskSensor(task_id="wait", external_dag_id="parent", poll_interval=30)
    run = BashOperator(task_id="run", bash_command="exit 3", skip_exit_code=3)
    wait >> run
''',
        task_id="run",
        fragments=("skip_on_exit_code=skip_on_exit_code", "poke_interval=30.0"),
    ),
    Case(
        name="an argument value unknown before run time makes the component fail at its start",
        dag='''
import os
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("dynamic_arg", schedule=None):
    BashOperator(task_id="run", bash_command=os.environ["COMMAND"])
''',
        task_id="run",
        fidelity=PLACEHOLDER,
        codes=("KFM110",),
        fragments=("raise RuntimeError('kfmigrate: argument cannot be resolved statically: os.environ[\"COMMAND\"] (task run)')",),
    ),
]
