"""The emitter's records: one Node per task on its way to code, the dsl.If Regions, the named
tuples that wire values between tasks, and the output names the emitter adds to components.

Skips: KFP has no "skipped" task state a component can set. A task that Airflow would skip
(BashOperator exit 99, AirflowSkipException, or an upstream skip under its trigger rule) still runs
in KFP as a no-op and returns the output `airflow_skipped` = True (SKIP_OUTPUT); see skips.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, NamedTuple, Optional, Set, Tuple

from kfmigrate.migrate import ir, naming
from kfmigrate.migrate.contracts import SKIP_OUTPUT  # noqa: F401 (the emitter's modules read it from here)
from kfmigrate.migrate.diagnostics import Diagnostic
from kfmigrate.migrate.emit import container as containers
from kfmigrate.migrate.emit import environment as environments
from kfmigrate.migrate.emit import mapping as mappings
from kfmigrate.migrate.emit import runtime
from kfmigrate.migrate.local_modules import ModuleFile
from kfmigrate.migrate.operators import ComponentPlan


BASE_IMAGE = "python:3.11-slim"
# Rules that decide to skip even without skipped upstream tasks (nothing failed on KFP).
ALWAYS_CHECKED_RULES = ("one_failed", "all_failed", "all_skipped")
# Rules that run a task after failed upstream tasks: exact with ignore_upstream_failure()
IGNORES_FAILURES = ("all_done", "always", "dummy")
# Rules whose reaction to failed upstream tasks KFP cannot reproduce (it stops dependants of a failure)
FAILURE_RULES = ("one_failed", "all_failed", "one_done", "one_success", "all_done_min_one_success", "all_skipped")
# Control outputs the emitter adds to a branch or short circuit: True when it skips a task directly
SKIPS_PREFIX = "airflow_skips:"
SHORT_CIRCUIT_SKIPS = SKIPS_PREFIX + "*"  # a short circuit decides for all its targets at once
# Rules under which a task whose upstream tasks were all skipped may still run: it stays outside regions
RUNS_AFTER_SKIPS = ("none_failed", "all_done", "always", "dummy", "all_skipped")
# Module-level names of a generated module: a pipeline parameter or task variable never takes one
MODULE_NAMES = {*naming.MODULE_NAMES, *runtime.HELPERS, *environments.MODULE_NAMES}


class XcomInput(NamedTuple):
    """A value a task reads from another task's XCom: the component input `param` gets `producer`'s `output`."""
    param: str
    producer: str  # task id
    key: str  # the XCom key
    output: str  # the producer's KFP output name
    kind: str  # json | str | int | float | bool | list | dict


class ControlInput(NamedTuple):
    """A skip-decision input: the component input `param` gets `producer`'s `output` (a skip flag, a
    branch's followed task ids, a short circuit's condition, an upstream state)."""
    param: str
    producer: str
    output: str
    type: str  # its Python type


class Output(NamedTuple):
    """One KFP output of a component: its name and kind (json, str, int, ..., bool)."""
    name: str
    kind: str


class StandIn(NamedTuple):
    """What a region's dsl.Else stand-in outputs in place of a task inside it: output name, type, value."""
    name: str
    type: str
    value: object


class ExitHandler(NamedTuple):
    """The exit task running the DAG's callbacks (callbacks.py), inside dsl.ExitHandler."""
    function: str
    code: str  # the component's source
    inputs: list  # its Inputs


@dataclass
class Tracking:
    """How one task's MLflow tracking reaches KFP (artifacts.py)."""
    calls: List[str]  # the MLflow APIs found, e.g. ["mlflow.log_metrics", "mlflow.sklearn.log_model"]
    metrics_param: str = "metrics"
    model_param: Optional[str] = None  # set when the task logs a model


@dataclass
class NodeArtifacts:
    """The artifact inputs and outputs one component gets on top of its parameters (artifacts.py)."""
    xcom_outputs: Dict[str, str] = field(default_factory=dict)  # XCom key -> output artifact name
    xcom_inputs: Set[str] = field(default_factory=set)  # input params that are artifacts (XCom of upstream tasks)
    tracking: Optional[Tracking] = None

    def empty(self) -> bool:
        return not (self.xcom_outputs or self.xcom_inputs or self.tracking)


@dataclass(eq=False)
class Region:
    """Tasks that run only when a branch or short circuit (`controller`) does not skip them: one dsl.If.

    `key` is the controller's bool output (SKIPS_PREFIX...) that is True when Airflow would skip them.
    When tasks outside read from inside, a dsl.Else runs a stand-in (`stub_function`) whose outputs
    (`exposed`: (task id, output) -> (stub output, type, value)) say "skipped, no XCom"."""
    controller: str
    key: str
    members: Set[str]
    label: str  # "pick follows left": when the tasks run
    skipped_name: str  # display name of the stand-in
    index: int = 0
    alive: bool = True
    exposed: Dict[Tuple[str, str], StandIn] = field(default_factory=dict)  # (task id, output) -> its stand-in
    stub_function: Optional[str] = None

    @property
    def stub_variable(self) -> str:
        return f"{self.stub_function}_task"


@dataclass
class Node:
    """One task on its way to code."""
    task: ir.Task
    plan: ComponentPlan
    function: Optional[str] = None  # component function name (None: no component)
    variable: Optional[str] = None  # the PipelineTask variable in the pipeline function
    upstream: List[str] = field(default_factory=list)  # effective upstream task ids (components only)
    xcom_inputs: List[XcomInput] = field(default_factory=list)
    xcom_none: List[Tuple[str, str]] = field(default_factory=list)  # (producer, key) of refs that read None (no producer)
    outputs: Dict[str, Output] = field(default_factory=dict)  # XCom key -> its KFP output
    control_inputs: List[ControlInput] = field(default_factory=list)  # skip decision inputs
    skip_lines: List[str] = field(default_factory=list)  # statements computing skip states of removed upstreams
    skip_expr: Optional[str] = None  # True when Airflow would skip this task before it runs
    skip_output: bool = False
    skip_check: bool = False
    container: Optional[containers.ContainerCode] = None  # set for container components
    loop: Optional[mappings.Loop] = None  # the dsl.ParallelFor the task runs in (mapped tasks and groups)
    collected_from: Set[str] = field(default_factory=set)  # producers inside another loop (dsl.Collected)
    gate_function: Optional[str] = None  # container tasks that may be skipped: the component deciding it
    via_item: Dict[str, str] = field(default_factory=dict)  # input param -> key of an outer value in the loop item
    stub_function: Optional[str] = None  # ... and the no-op standing in for it when skipped (dsl.Else)
    regions: List[Region] = field(default_factory=list)  # the dsl.If groups the task runs in, outermost first
    xcom_skip_flags: Dict[str, str] = field(default_factory=dict)  # typed XCom input param -> its producer's skip flag param
    attempts_output: bool = False  # task callbacks that need the attempt number: an OutputPath counter file
    decision_lines: List[str] = field(default_factory=list)  # a controller: statements setting its SKIPS_PREFIX outputs
    local_modules: List[ModuleFile] = field(default_factory=list)  # files from next to the DAG it embeds
    requirements: List[str] = field(default_factory=list)  # --image: what the project image must install for it
    image_files: List[Tuple[str, str]] = field(default_factory=list)  # --image: (file, path in the image) it imports
    # failure as data (migrate/emit/trigger_rules.py): outputs airflow_state / decides from upstream states
    carries_state: bool = False
    reads_states: bool = False
    has_downstream: bool = False  # an Airflow downstream task or a reader of its outputs
    tier: Optional[str] = None  # direct | runtime | container (migrate/emit/direct.py); None: no component
    component: Optional[str] = None  # the component the task calls: its own (function) or one shared (sharing.py)
    task_id_input: bool = False  # a shared runtime-tier component: the Airflow task id is an input
    kfp_task: Optional[str] = None  # the task's key in the compiled spec (KFP names tasks after their component)
    differences: List[str] = field(default_factory=list)
    diagnostics: List[Diagnostic] = field(default_factory=list)
    artifacts: NodeArtifacts = field(default_factory=NodeArtifacts)  # KFP artifact inputs/outputs

    def collected(self, producer: str) -> bool:
        return producer in self.collected_from


def trigger_rule(task: ir.Task) -> str:
    """The trigger rule that decides when the task runs. A teardown (as_teardown / @teardown) runs
    once its work is done, whatever happened (Airflow: all_done_setup_success)."""
    if task.is_teardown and task.trigger_rule in ("all_success", "all_done_setup_success"):
        return "all_done"
    return task.trigger_rule


def publishes(node: Node) -> bool:
    """Whether a task has KFP outputs others can read (container components have none)."""
    return node.plan.component and node.plan.container is None


def crosses_loop(producer: Node, consumer: Node) -> bool:
    """Does a value go from inside a dsl.ParallelFor to outside it (dsl.Collected)?"""
    return producer.loop is not None and producer.loop is not consumer.loop


def regions_of(components: List[Node]) -> List[Region]:
    """The regions the components run in, each once, in the order they first appear."""
    return list(dict.fromkeys(r for node in components for r in node.regions))


def python_type(kind: str) -> str:
    """The Python annotation of a component input or output of this kind."""
    return {"json": "str", "skipped": "bool"}.get(kind, kind)
