"""Operator rules: one module per Airflow operator family, registered by decorator.

How to add a family (e.g. migrate/operators/sensors.py)::

    from kfmigrate.migrate.operators import ArgTable, ComponentPlan, MapContext, handled, mapper, unmapped

    @mapper("FileSensor", args=ArgTable.of(handled("filepath", "fs_conn_id"), unmapped("why", "x")))
    def map_file_sensor(task: ir.Task, ctx: MapContext) -> ComponentPlan:
        ...

    CASES = [Case(...), ...]   # checked by tests/emit/test_cases.py (parse -> emit -> compile)

Modules in this package are imported automatically (`discover()`); a rule is looked up by the
task's operator name (class name such as "BashOperator", or decorator such as "@task.bash"); when
two rules name one operator the higher `priority` wins. A rule registered for "*" receives every
operator no other rule names (the operator shim, at the lowest priority). Tasks that still have
no rule become placeholder components that fail loudly (placeholder.py). A module that fails to
import is skipped and reported (IMPORT_FAILURES).

A rule declares what it does with each argument (an ArgTable: handled, no effect, unmapped,
renamed) and the registry finishes every plan the same way (finish.py): deprecated aliases renamed
before the mapper runs; then unwired XCom pulls, callbacks, Variables and connections from the
environment, the arguments not carried over, and unresolved argument values (`plan.unresolved`)
turned into a placeholder. Mappers keep only what is specific to their family.

The plan types live in model.py and are re-exported here.

A mapper returns a ComponentPlan: the BODY of one KFP lightweight component plus what it needs.
The emitter (migrate/emit) owns everything graph-level: function names, XCom wiring between tasks,
skip propagation, retries, timeouts, display names. The body:

- is a list of typed parts (migrate/plan.py: build the Airflow context, call the callable, run
  bash, decide a branch, fail ...), in `plan.parts`. One renderer (migrate/emit/component_body.py)
  writes them as Python; it alone knows the names the body shares with the component around it.
- reads its `inputs` by name (plan.InputName) and the XCom values of `xcom_refs`
  (plan.XcomValue); the emitter adds the wired inputs.
- sets the task's XCom values (`outputs`: key -> kind) and whether it was skipped (only when
  `may_skip`); the emitter turns them into the component outputs.
- may call the run-time helpers of migrate/emit/runtime.py; the emitter puts every helper the body
  calls into `additional_funcs`. Component bodies must import everything else they use themselves.
- Helpers shared by mappers live in migrate/operators/common.py: ArgBuilder (IR values -> inputs
  and typed expressions), context_part (the Airflow context), xcom_refs_of, the task callable's
  code and arguments, the polling Sensor, diagnostics.
"""
from __future__ import annotations

import functools
import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.operators.finish import (  # noqa: F401 - the rule vocabulary, for mapper modules
    HANDLED, IGNORED, NO_EFFECT, RENAMED, UNMAPPED, Arg, ArgTable, Unresolved, finish_plan, handled, no_effect, renamed,
    unmapped,
)
from kfmigrate.migrate.operators.model import (  # noqa: F401 - the plan types, for mapper modules and the emitter
    KINDS, NATIVE, PLACEHOLDER, REMOVED, SHIM, Case, ComponentPlan, ContainerSpec, DirectCall, Input, MapContext,
    PipelineInput, PlatformConfig,
)

Mapper = Callable[[ir.Task, MapContext], ComponentPlan]


@dataclass(frozen=True)
class Rule:
    """A mapper and what the registry needs to finish its plans (see finish.py)."""
    func: Mapper
    operators: Tuple[str, ...]
    args: Optional[ArgTable] = ArgTable()  # None: every argument goes to the operator itself (the shim)
    priority: int = 0  # when two rules name one operator, the higher priority maps it
    pulls: bool = True  # KFM204 for xcom_pull calls that cannot be wired (containers and the shim: their own)
    needs: bool = True  # KFM209 for Variables/connections read from the environment (containers and the shim: their own)
    unresolved: Optional[Unresolved] = None  # what an unresolved argument value makes of the plan; None: fail_at_start

    def __call__(self, task: ir.Task, ctx: MapContext) -> ComponentPlan:
        if self.args is not None:
            task = self.args.rename(task)
        plan = self.func(task, ctx)
        return finish_plan(task, ctx, plan, self.args, self.pulls, self.needs, self.unresolved)


# operator name -> the finishing mapper (the rule's function wrapped; `.rule` is the Rule)
_REGISTRY: Dict[str, Mapper] = {}
_discovered = False


def mapper(*operators: str, args: Optional[ArgTable] = ArgTable(), priority: int = 0, pulls: bool = True,
           needs: bool = True, unresolved: Optional[Unresolved] = None) -> Callable[[Mapper], Mapper]:
    """Register a function as the rule for these operator names (class names or @decorators).

    The function stays as it is: called directly, it gives its plan before the finishing step, for
    a rule built on another rule's mapper (branches on map_python). The registry hands out the
    finishing version (find_mapper). Decorators may be stacked to give operators their own table.
    """

    def register(func: Mapper) -> Mapper:
        rule = Rule(func, operators, args, priority, pulls, needs, unresolved)

        @functools.wraps(func)
        def finishing(task: ir.Task, ctx: MapContext) -> ComponentPlan:
            return rule(task, ctx)

        finishing.rule = rule  # type: ignore[attr-defined]
        for name in operators:
            existing = getattr(_REGISTRY.get(name), "rule", None)
            if existing is not None and existing.func is not func:
                if existing.priority == priority:
                    raise ValueError(f"operator {name!r} is mapped twice ({existing.func.__module__}, {func.__module__})")
                if existing.priority > priority:
                    continue
            _REGISTRY[name] = finishing
        return func

    return register


def rule_for(operator: str) -> Optional[Rule]:
    """The Rule that maps an operator (its argument table ...): the fallback's when no rule names it."""
    return getattr(find_mapper(operator, fallback=True), "rule", None)


# module name -> "ErrorType: message" for mapper modules that failed to import. A broken family
# must not take the whole converter down: its operators fall back, and the emitter reports it.
IMPORT_FAILURES: Dict[str, str] = {}
FALLBACK = "*"  # a mapper registered for "*" handles every operator no other mapper names


def discover() -> None:
    """Import every module of this package once, so their @mapper decorators run."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for info in pkgutil.iter_modules(__path__):
        try:
            importlib.import_module(f"{__name__}.{info.name}")
        except Exception as exc:  # reported by the emitter and by tests/emit/test_cases.py
            IMPORT_FAILURES[info.name] = f"{type(exc).__name__}: {exc}"


def find_mapper(operator: str, fallback: bool = False) -> Optional[Mapper]:
    """The mapper registered for an operator name; with fallback, else the "*" mapper if any."""
    discover()
    return _REGISTRY.get(operator) or (_REGISTRY.get(FALLBACK) if fallback else None)


def registered() -> Dict[str, Mapper]:
    discover()
    return dict(_REGISTRY)


def all_cases() -> List[Tuple[str, Case]]:
    """(module name, case) for every CASES entry of every mapper module."""
    discover()
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name in IMPORT_FAILURES:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for case in getattr(module, "CASES", ()):
            found.append((info.name, case))
    return found
