"""Operator mappers: one module per Airflow operator family, registered by decorator.

How to add a family (e.g. migrate/operators/sensors.py)::

    from migrate.operators import ComponentPlan, MapContext, mapper

    @mapper("FileSensor", "@task.sensor")
    def map_file_sensor(task: ir.Task, ctx: MapContext) -> ComponentPlan:
        ...

    CASES = [Case(...), ...]   # checked by tests/emit/test_cases.py (parse -> emit -> compile)

Modules in this package are imported automatically (`discover()`); a mapper is looked up by the
task's operator name (class name such as "BashOperator", or decorator such as "@task.bash"). A
mapper registered for "*" receives every operator no other mapper names (the operator shim uses
it). Tasks that still have no mapper become placeholder components that fail loudly
(placeholder.py). A module that fails to import is skipped and reported (IMPORT_FAILURES).

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
- Helpers for building parts live in migrate/operators/common.py: ArgBuilder (IR values -> inputs
  and typed expressions), context_part (the Airflow context), xcom_refs_of, diagnostics.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from migrate import ir
from migrate.diagnostics import Diagnostic
from migrate.plan import Part

NATIVE, SHIM, PLACEHOLDER, REMOVED = "native", "shim", "placeholder", "removed"
KINDS = ("str", "int", "float", "bool", "list", "dict", "json")  # output kinds; 'json' = JSON text


@dataclass(frozen=True)
class PipelineInput:
    """A component input fed from a pipeline parameter (a DAG param, 'logical_date' or 'run_id')."""
    name: str  # the pipeline function's parameter name


@dataclass
class Input:
    """One component parameter and what the pipeline passes to it.

    value: ir.Literal / ir.Template (a constant written into the pipeline call) or PipelineInput.
    type: 'str' | 'int' | 'float' | 'bool' | 'list' | 'dict'.
    """
    name: str
    type: str
    value: Any


@dataclass
class ContainerSpec:
    """A container component (KubernetesPodOperator, DockerOperator, @task.kubernetes ...).

    command/args items are strings that may hold Jinja (rendered at run time is not possible in a
    plain container: the emitter renders templates it can resolve from pipeline parameters and
    reports the rest). image is the image reference as written.
    """
    image: Any  # ir.Value
    command: List[Any] = field(default_factory=list)  # ir.Values
    args: List[Any] = field(default_factory=list)  # ir.Values


@dataclass
class PlatformConfig:
    """Kubernetes settings for one task, emitted with kfp-kubernetes / PipelineTask methods."""
    env: Dict[str, Any] = field(default_factory=dict)  # name -> ir.Value (task.set_env_variable)
    secret_env: List[Tuple[str, Dict[str, str]]] = field(default_factory=list)  # (secret, {key: ENV})
    secret_volumes: List[Tuple[str, str]] = field(default_factory=list)  # (secret, mount path)
    config_map_env: List[Tuple[str, Dict[str, str]]] = field(default_factory=list)  # (config map, {key: ENV})
    config_map_volumes: List[Tuple[str, str]] = field(default_factory=list)  # (config map, mount path)
    pvc_mounts: List[Tuple[str, str]] = field(default_factory=list)  # (claim name, mount path)
    empty_dirs: List[Tuple[str, str]] = field(default_factory=list)  # (volume name, mount path)
    node_selector: Dict[str, str] = field(default_factory=dict)
    tolerations: List[Dict[str, Any]] = field(default_factory=list)  # V1Toleration fields, snake_case
    node_affinity: List[Dict[str, Any]] = field(default_factory=list)  # kubernetes.add_node_affinity kwargs
    image_pull_secrets: List[str] = field(default_factory=list)
    labels: Dict[str, str] = field(default_factory=dict)
    annotations: Dict[str, str] = field(default_factory=dict)
    cpu_request: Optional[str] = None
    cpu_limit: Optional[str] = None
    memory_request: Optional[str] = None
    memory_limit: Optional[str] = None
    image_pull_policy: Optional[str] = None

    def is_empty(self) -> bool:
        return self == PlatformConfig()


@dataclass
class DirectCall:
    """The direct tier: a callable needing nothing of Airflow (no context, no XCom pulls beyond its
    arguments, no skips, no templates), called by a plain component with its own inputs."""
    code: Any  # plan.CallableCode: the prelude and the callable, as the runtime body carries them
    target: str  # the callable's name
    args: Tuple[Any, ...] = ()  # plan.Expr values of the call; XCom values are plan.XcomValue, wired by the emitter
    kwargs: Tuple[Tuple[str, Any], ...] = ()
    inputs: List[Input] = field(default_factory=list)


@dataclass
class ComponentPlan:
    mapping: str  # short text for the report: "BashOperator -> bash lightweight component"
    fidelity: str = NATIVE  # native | shim | placeholder | removed
    parts: List[Part] = field(default_factory=list)  # what the body does (migrate/plan.py)
    body: str = ""  # the parts rendered by the emitter (migrate/emit/component_body.py), which then edits the text
    inputs: List[Input] = field(default_factory=list)
    xcom_refs: List[Tuple[str, str]] = field(default_factory=list)  # (task_id, key) the body reads
    outputs: Dict[str, str] = field(default_factory=dict)  # XCom key -> kind the body sets in results
    may_skip: bool = False
    packages: List[str] = field(default_factory=list)  # packages_to_install
    helpers: List[str] = field(default_factory=list)  # informative: the emitter finds the helpers the body calls
    description: Optional[str] = None
    differences: List[str] = field(default_factory=list)
    diagnostics: List[Diagnostic] = field(default_factory=list)
    component: bool = True  # False: no component at all (EmptyOperator); edges are rewired
    container: Optional[ContainerSpec] = None  # set: a container component instead of a Python body
    base_image: Optional[str] = None  # the image of a Python component when not the module's BASE_IMAGE
    platform: PlatformConfig = field(default_factory=PlatformConfig)  # Kubernetes settings of the task
    direct: Optional[DirectCall] = None  # set when the task can run without the Airflow runtime (the emitter decides)


@dataclass
class MapContext:
    """What a mapper may know about the rest of the workflow."""
    workflow: ir.Workflow
    param_inputs: Mapping[str, str]  # DAG param name -> pipeline parameter name
    known_tasks: Sequence[str] = ()  # task ids that exist in the workflow

    def param_type(self, name: str) -> str:
        for param in self.workflow.params:
            if param.name == name and param.type in ("str", "int", "float", "bool", "list", "dict"):
                return param.type
        return "str"

    def diagnostic(self, task: ir.Task, code: str, message: str, severity: str = "warning") -> Diagnostic:
        return Diagnostic(code, message, severity, task.span, task.task_id)


@dataclass
class Case:
    """An embedded example: an Airflow DAG snippet and what converting it must give.

    task_id: the task to check; fidelity: expected fidelity; codes: diagnostic codes that must be
    reported for that task; fragments: texts that must appear in the generated Python; body: the
    task's body as the mapper's parts render (migrate/emit/component_body.py), lines from one
    of its lines to another (a before/after fragment: the whole text must appear, in order).
    """
    name: str
    dag: str
    task_id: str
    fidelity: str = NATIVE
    codes: Tuple[str, ...] = ()
    fragments: Tuple[str, ...] = ()
    body: str = ""


Mapper = Callable[[ir.Task, MapContext], ComponentPlan]
_REGISTRY: Dict[str, Mapper] = {}
_discovered = False


def mapper(*operators: str) -> Callable[[Mapper], Mapper]:
    """Register a function as the mapper for these operator names (class names or @decorators)."""

    def register(func: Mapper) -> Mapper:
        for name in operators:
            if name in _REGISTRY and _REGISTRY[name] is not func:
                raise ValueError(f"operator {name!r} is mapped twice ({_REGISTRY[name].__module__}, {func.__module__})")
            _REGISTRY[name] = func
        return func

    return register


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
