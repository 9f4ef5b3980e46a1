"""What a mapper gives the emitter: the component plan and its parts, and what a mapper may know.

These are plain dataclasses with no behaviour beyond small queries, so that every module of the
package (the registry in __init__.py, the shared helpers in common.py, the finishing step in
finish.py and the mappers) can import them without importing each other. Import them from
`kfmigrate.migrate.operators`, which re-exports them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import Diagnostic
from kfmigrate.migrate.plan import Part

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
    # Read by the registry's finishing step (finish.py), never by the emitter:
    unresolved: List[str] = field(default_factory=list)  # sources of argument values not known statically
    finished: bool = False  # True: complete as it is (a placeholder made early); the finishing step leaves it alone


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
