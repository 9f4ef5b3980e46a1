"""Builds the KFP pipeline module for one Workflow.

Steps: map every task to a ComponentPlan (migrate/operators), name things, rewire edges around
removed (empty) tasks, wire XCom reads to the producers' outputs, decide which tasks carry a skip
flag, then write the Python text from clean string templates and check that it parses.

Skips: KFP has no "skipped" task state a component can set. A task that Airflow would skip
(BashOperator exit 99, AirflowSkipException, or an upstream skip under its trigger rule) still runs
in KFP as a no-op and returns the output `airflow_skipped` = True. Each dependant receives its
direct upstreams' flags as inputs and applies its trigger rule (runtime `_airflow_should_skip`).
The flags propagate through any graph shape. On top of them, the tasks a branch or short circuit
decides on directly, and the tasks only they lead to, sit inside a dsl.If on the decision (a
Region), so they do not start at all when Airflow would skip them. Tasks outside a region that
read from inside it get a dsl.Else with a stand-in task and read dsl.OneOf(task output, stand-in
output): KFP (2.17) accepts a dependency on a task inside a dsl.If from outside only when the
dsl.If has a dsl.Else, and a value from it only through dsl.OneOf.

Failures: where a trigger rule must see a failed upstream task (all_done, one_failed, teardowns ...),
failures travel as data too: the tasks around it output `airflow_state` and decide from their
upstream tasks' states, and a last task fails the pipeline as Airflow fails the DAG run
(migrate/emit/trigger_rules.py).
"""
from __future__ import annotations

import dataclasses
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from migrate import environment, ir
from migrate.diagnostics import ERROR, Diagnostic
from migrate.emit import EmitError, EmitResult, TaskReport
from migrate.emit import artifacts
from migrate.emit import component_body
from migrate.emit import callbacks as dag_callbacks
from migrate.emit import direct as tiers
from migrate.emit import container as containers
from migrate.emit import mapping as mappings
from migrate.emit import environment as environments
from migrate.emit import local_modules, runtime, sharing
from migrate.emit import trigger_rules
from migrate.operators import PLACEHOLDER, SHIM, ComponentPlan, Input, MapContext, PipelineInput, find_mapper
from migrate.operators.staticcalls import wire_connections_and_variables
from migrate.operators.branching import CONDITION_KEY, CONTROL_KEYS, FOLLOW_KEY, control_kind
from migrate.operators.common import identifier, kfp_type
from migrate.operators.placeholder import placeholder_plan

BASE_IMAGE = "python:3.11-slim"
SKIP_OUTPUT = "airflow_skipped"
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
MODULE_NAMES = {"BASE_IMAGE", "no_task_runs", "NamedTuple", "Path", "compiler", "dsl", "kubernetes", *runtime.HELPERS,
                *environments.MODULE_NAMES}


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
    exposed: Dict[Tuple[str, str], Tuple[str, str, object]] = field(default_factory=dict)
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
    xcom_inputs: List[Tuple[str, str, str, str, str]] = field(default_factory=list)  # (param, task_id, key, output, kind)
    xcom_none: List[Tuple[str, str]] = field(default_factory=list)  # refs that read None (no producer)
    outputs: Dict[str, Tuple[str, str]] = field(default_factory=dict)  # XCom key -> (output name, kind)
    # skip decision inputs: (param, producer task id, producer output name, python type)
    control_inputs: List[Tuple[str, str, str, str]] = field(default_factory=list)
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
    local_modules: List[local_modules.ModuleFile] = field(default_factory=list)  # files from next to the DAG it embeds
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

    def collected(self, producer: str) -> bool:
        return producer in self.collected_from
    differences: List[str] = field(default_factory=list)
    diagnostics: List[Diagnostic] = field(default_factory=list)
    artifacts: artifacts.NodeArtifacts = field(default_factory=artifacts.NodeArtifacts)  # KFP artifact inputs/outputs


def build(workflow: ir.Workflow, xcom_transport: str = "parameter",
          environment: environments.Environment = environments.Environment()) -> EmitResult:
    """xcom_transport: "parameter" (XComs as KFP parameters), "artifact" (as JSON artifact files) or
    "auto" (artifacts except int/float/bool values); see migrate/emit/artifacts.py. environment: the
    runtime mode and package index (migrate/emit/environment.py)."""
    diagnostics: List[Diagnostic] = []
    pipeline_fn = identifier(workflow.dag_id, "dag") + "_pipeline"
    taken = set(MODULE_NAMES) | {pipeline_fn}

    parameters, param_inputs = _pipeline_parameters(workflow, diagnostics)
    taken |= {p["name"] for p in parameters}  # task variables live next to parameters in the pipeline
    from migrate.operators import IMPORT_FAILURES

    for module, error in sorted(IMPORT_FAILURES.items()):
        diagnostics.append(Diagnostic("KFM210", f"mapper module migrate/operators/{module}.py failed to load ({error}): its operators fall back", ERROR, workflow.span))
    for name in getattr(workflow, "callbacks", {}) or {}:
        if name in dag_callbacks.CARRIED:
            diagnostics.append(Diagnostic("KFM210", f"DAG {name} runs in an exit task (dsl.ExitHandler) after the run, with an Airflow-like context", "info", workflow.span))
        else:
            diagnostics.append(Diagnostic("KFM208", f"DAG {name} is not carried over to KFP", "warning", workflow.span))
    ctx = MapContext(workflow, param_inputs, tuple(t.task_id for t in workflow.tasks))
    exit_function = _unique("dag_callbacks", taken)
    taken.add(f"{exit_function}_task")
    exit_handler = dag_callbacks.exit_component(workflow, ctx, exit_function, environment)
    exit_handler = (exit_function, *exit_handler) if exit_handler else None
    nodes: Dict[str, Node] = {}
    loops: Dict[str, Optional[mappings.Loop]] = {}
    for task in workflow.tasks:
        plan, loop = _plan_and_loop(task, ctx, loops)
        component_body.fill(plan)  # the mapper's typed parts -> the body's code, which later steps edit
        nodes[task.task_id] = node = Node(task, plan, loop=loop)
        if loop is not None:
            loop.members.append(task.task_id)
        if task.is_setup:
            node.diagnostics.append(Diagnostic("KFM210", "setup task runs as an ordinary task (KFP has no setup/teardown scopes)", "info", task.span, task.task_id))
    for node in nodes.values():
        if node.plan.component and node.plan.container is not None:
            _prepare_container(node, ctx)
        elif node.plan.component:
            _carry_task_callbacks(node)
            _embed_local_modules(node, workflow)
            _trim_context_inputs(node)
    k8s_taken: Set[str] = {"no-task-runs"}
    for node in nodes.values():
        if node.plan.component:
            base, index = identifier(node.task.task_id, "task"), 1
            _check_imports(node, workflow, environment.image)
            name = base
            while name in taken or f"{name}_task" in taken or k8s_name(name) in k8s_taken:  # KFP names must differ too
                index += 1
                name = f"{base}_{index}"
            taken |= {name, f"{name}_task"}
            k8s_taken.add(k8s_name(name))
            node.function, node.variable = name, name + "_task"

    wiring = _plan_states(workflow, nodes, taken, k8s_taken)
    for loop in dict.fromkeys(n.loop for n in nodes.values() if n.loop is not None):
        base = identifier(loop.key, "task")
        loop.variable = _unique(f"{base}_item", taken)
        loop.params = {name: (pipeline, kfp_type(ctx.param_type(name))) for name, pipeline in param_inputs.items()}
        if loop.literal_items is None:
            loop.items_function = _unique(f"{base}_items", taken)
            taken.add(f"{loop.items_function}_task")

    order = _wire(wiring, nodes)
    components = [nodes[t] for t in order if nodes[t].plan.component]
    tiers.choose(components, nodes, xcom_transport)  # plain components for callables needing no Airflow
    _route_outer_values(components, nodes, taken)
    artifacts.plan(components, nodes, xcom_transport)  # XCom as artifacts, MLflow tracking -> Metrics/Model
    gated = [node for node in components if node.gate_function is not None]
    stub = _unique("container_skipped", taken) if gated else None
    for node in gated:
        node.gate_function, node.stub_function = _unique(f"{node.function}_gate", taken), stub
        taken.add(f"{node.gate_function}_task")
        node.differences.append("Runs only when Airflow would run it: a small gate task decides (skipped upstream tasks, "
                                "branches, trigger rule) and the container runs inside dsl.If; otherwise a no-op stands in.")
    for region in _regions_of(components):  # every region has a dsl.Else (see _settle_regions)
        base = identifier(region.key[len(SKIPS_PREFIX):] if region.key != SHORT_CIRCUIT_SKIPS else region.controller, "task")
        region.stub_function = _unique(f"{base}_not_run", taken)
        while k8s_name(region.stub_function) in k8s_taken:
            region.stub_function = _unique(f"{base}_not_run", taken)
        k8s_taken.add(k8s_name(region.stub_function))
        taken.add(region.stub_variable)
    for node in components:
        for region in node.regions:
            node.differences.append(f"Runs inside a dsl.If on {region.controller}'s decision: when Airflow would skip it "
                                    "for that, it does not start on KFP.")
    source = _module(workflow, components, parameters, pipeline_fn, exit_handler, environment)
    try:
        # byte-compiling checks what importing the file would, and is faster than building Python's
        # AST objects (ast.parse): 0.09 s against 0.14 s of CPU for Airflow's example corpus
        compile(source, "<generated pipeline>", "exec", dont_inherit=True)
    except SyntaxError as exc:  # a bug in a mapper or here: never hand out broken code
        raise EmitError(Diagnostic("KFM300", f"generated Python does not parse ({exc.msg}, line {exc.lineno})", ERROR, workflow.span))

    reports = [_report(nodes[t.task_id]) for t in workflow.tasks]
    return EmitResult(
        python_source=source,
        function_name=pipeline_fn,
        pipeline_name=pipeline_name(workflow.dag_id),
        parameters=parameters,
        tasks=reports,
        diagnostics=diagnostics,
        yaml_name=yaml_name(workflow.dag_id),
        requirements=list(dict.fromkeys(p for node in components for p in node.requirements)),
        image_files=sorted({item for node in components for item in node.image_files}),
    )


def pipeline_name(dag_id: str) -> str:
    """A KFP pipeline name: lowercase letters, digits and dashes, at most 128 characters."""
    name = re.sub("-+", "-", re.sub("[^-0-9a-z]+", "-", dag_id.lower())).strip("-")[:128].strip("-")
    return name or "pipeline"


def k8s_name(function_name: str) -> str:
    """The task name KFP gives a component function (kfp.dsl.utils.maybe_rename_for_k8s)."""
    return re.sub("-+", "-", re.sub("[^-0-9a-z]+", "-", function_name.lower())).strip("-")


def yaml_name(dag_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", dag_id) + ".yaml"


def _unique(base: str, taken: Set[str]) -> str:
    name, index = base, 2
    while name in taken:
        name, index = f"{base}_{index}", index + 1
    taken.add(name)
    return name


def _pipeline_parameters(workflow: ir.Workflow, diagnostics: List[Diagnostic]):
    taken = {"logical_date", "run_id"} | MODULE_NAMES
    parameters, param_inputs = [], {}
    for param in workflow.params:
        name = _unique(identifier(param.name, "param"), taken)
        if name != param.name:
            diagnostics.append(Diagnostic("KFM301", f"param {param.name!r} is the pipeline parameter {name!r}", "info", param.span or workflow.span))
        param_inputs[param.name] = name
        parameters.append({"name": name, "type": kfp_type(param.type), "default": param.default, "from_param": param.name,
                           "description": param.description})
    parameters.append({"name": "logical_date", "type": "str", "default": "", "from_param": None,
                       "description": "Airflow logical date (ISO 8601); empty means now (UTC)"})
    parameters.append({"name": "run_id", "type": "str", "default": "", "from_param": None,
                       "description": "Airflow run id; empty means manual__<time of the run>"})
    return parameters, param_inputs


def _plan_states(workflow: ir.Workflow, nodes: Dict[str, Node], taken: Set[str], k8s_taken: Set[str]) -> ir.Workflow:
    """Failure as data (migrate/emit/trigger_rules.py): mark the state domain, give its recorders the
    attempt number (only the last attempt records), add the DAG run state task. Returns the workflow
    to wire: the DAG's edges plus the leaves -> DAG run state edges."""
    states = trigger_rules.plan(workflow, nodes, _rule)
    for task_id in states.readers:
        nodes[task_id].reads_states = True
    for task_id in states.domain:
        node = nodes[task_id]
        node.carries_state = True
        if node.task.retry.retries and not node.attempts_output:  # only the last attempt records: count them
            node.plan.inputs = list(node.plan.inputs) + [Input(dag_callbacks.RETRY_INDEX_PARAM, "str", ir.Literal("{{retries}}"))]
            node.attempts_output = True
            node.plan.body = dag_callbacks.with_try_number(node.plan.body) or node.plan.body  # ti.try_number too
    if not states.leaves:
        return workflow
    final = Node(trigger_rules.final_task(workflow), ComponentPlan(mapping="the Airflow DAG run's state"))
    final.reads_states = True
    name = _unique("dag_run_state", taken)
    while f"{name}_task" in taken or k8s_name(name) in k8s_taken:
        name = _unique("dag_run_state", taken)
    taken.add(f"{name}_task")
    k8s_taken.add(k8s_name(name))
    final.function, final.variable = name, f"{name}_task"
    nodes[trigger_rules.FINAL_ID] = final
    return dataclasses.replace(workflow, edges=workflow.edges + trigger_rules.final_edges(states))


def _prepare_container(node: Node, ctx: MapContext) -> None:
    """Resolve a container plan's strings; its template inputs and XCom reads join the plan's."""
    plan = node.plan
    taken = {i.name for i in plan.inputs} | {"xcom", "results", "skipped"}
    code = containers.resolve(node.task, plan.container, ctx, taken)
    plan.inputs = list(plan.inputs) + code.inputs
    plan.xcom_refs = list(dict.fromkeys(list(plan.xcom_refs) + code.xcom_refs))
    plan.outputs = {}
    node.container = code
    node.diagnostics += code.diagnostics
    node.differences += code.differences


def _carry_task_callbacks(node: Node) -> None:
    """Task callbacks run inside the component, around the task's work (migrate/emit/callbacks.py)."""
    task, plan = node.task, node.plan
    wrapped = dag_callbacks.wrap_task_body(task, plan.body)
    if wrapped is None:
        return
    carried = dag_callbacks.carried_task_callbacks(task)
    plan.body = wrapped
    plan.diagnostics = [d for d in plan.diagnostics if not (d.code == "KFM208" and d.message.split(" ")[0] in carried)]
    plan.differences = [d for d in plan.differences if d.split(" ")[0] not in carried]
    node.differences.append(f"{', '.join(carried)} run inside the task's component around its work, as Airflow 3 runs them in "
                            "the worker; a callback's failure is logged and changes nothing.")
    if dag_callbacks.needs_attempt(task):
        plan.inputs = list(plan.inputs) + [Input(dag_callbacks.RETRY_INDEX_PARAM, "str", ir.Literal("{{retries}}"))]
        node.attempts_output = True
        node.differences.append("The attempt number (on_retry_callback while retries are left, on_failure_callback on the last "
                                "attempt) comes from Argo's {{retries}} on a KFP cluster and from a counter file kfp.local "
                                "keeps between attempts; KFP retries any failure, Airflow not an AirflowFailException.")


# Helpers that hand no date or run id to code outside the component's body (the bash runner puts
# them into the command's environment, sensors and operators into code the converter cannot read)
DATE_CONTAINED = ("_airflow_runtime", "_airflow_render", "_airflow_call_python", "_kfp_outputs", "_from_json",
                  "_ints_back", "_airflow_should_skip", "_airflow_not_followed", "_airflow_branch_ids")
CONTEXT_CALL_DATES = "logical_date=logical_date, run_id=run_id,"


def _constants(plan: ComponentPlan) -> Dict[str, str]:
    """The plan's inputs whose values are written into the pipeline (name -> text), for the context analysis."""
    return {i.name: i.value.text if isinstance(i.value, ir.Template) else repr(getattr(i.value, "value", i.value))
            for i in plan.inputs if not isinstance(i.value, PipelineInput)}


def _trim_context_inputs(node: Node) -> None:
    """logical_date and run_id, and the DAG params, are inputs only of components whose code can reach them."""
    plan = node.plan
    if f"_airflow_runtime(\n    dag_id=" not in plan.body or CONTEXT_CALL_DATES not in plan.body:
        return
    called = {name for name in runtime.HELPERS if name + "(" in plan.body}
    own = re.sub(r"_airflow = _airflow_runtime\(\n.*?\n\)", "_airflow = None", plan.body, count=1, flags=re.S)
    reached = runtime.context_inputs_reached(own, _constants(plan))  # what the code reaches, not the call itself
    body = plan.body
    if "dates" not in reached and called <= set(DATE_CONTAINED):
        body = body.replace(CONTEXT_CALL_DATES, "logical_date='', run_id='',", 1)
    if "params" not in reached:
        body = re.sub(r"\n    params=\{.*\}, xcom=xcom,\n", "\n    params={}, xcom=xcom,\n", body, count=1)
    if body == plan.body:
        return
    plan.body = body
    # an input stays while the body reads it (`logical_date=''` names the keyword, it reads nothing)
    plan.inputs = [i for i in plan.inputs if not isinstance(i.value, PipelineInput)
                   or re.search(rf"(?<!\w){re.escape(i.name)}(?!\w)(?!=[^=])", body)]


def _embed_local_modules(node: Node, workflow: ir.Workflow) -> None:
    """Modules next to the DAG file that the task's callable imports travel inside its component
    (migrate/emit/local_modules.py); names nobody provides get a diagnostic."""
    from migrate.operators.common import SHIMMED_AIRFLOW_NAMES, unbound_names

    task = node.task
    callables = [task.callable] + [c for found in (task.callbacks or {}).values() for c in found]
    # only those whose code runs in this component's body (the task callable, carried callbacks)
    callables = [c for c in callables if c is not None and f"def {c.name}(" in node.plan.body]
    # an operator class from a project module run by the shim: the project modules its file imports
    class_imports = local_modules.project_imports(task.operator_file) if task.operator_file and "_dag_file_code" in node.plan.body else ""
    codes = [code for c in callables for code in (c.source, *c.prelude)] + ([class_imports] if class_imports else [])
    if _shims_local_operator(node):  # an operator class from a module next to the DAG file or in plugins/
        codes.append(f"import {task.module}")
    if not codes:
        return
    unbound = {name for c in callables for name in unbound_names(c)}
    found = local_modules.embedding_for(codes, workflow.path, unbound, SHIMMED_AIRFLOW_NAMES, workflow.project_roots)
    if found.needs_airflow:
        node.diagnostics.append(Diagnostic(
            "KFM210", f"embedded modules import Airflow ({'; '.join(found.needs_airflow)}): the component image needs "
            "apache-airflow for that", "warning", task.span, task.task_id))
    if found.too_large:
        node.diagnostics.append(Diagnostic(
            "KFM215", f"the modules from next to the DAG file that the callable imports total {found.too_large // 1024} KiB, "
            f"over the {local_modules.MAX_EMBEDDED_BYTES // 1024} KiB embedding limit: not embedded; build a custom base "
            "image with them (BASE_IMAGE)", "warning", task.span, task.task_id))
    if not (found.files or found.imports):
        return
    lines = [local_modules.call_line(found.files)] if found.files else []
    node.plan.body = "\n".join(lines + found.imports + [node.plan.body])
    node.local_modules = found.files
    local = [f.shown for f in found.files if f.module.split(".")[0] != "airflow"]
    from_airflow = [f.module for f in found.files if f.module.split(".")[0] == "airflow"]
    if local:
        node.differences.append("Embeds modules from next to the DAG file (written to a temporary folder on sys.path "
                                "when the task starts): " + ", ".join(local) + ".")
    if from_airflow:
        node.differences.append("Embeds Airflow's own pure-Python module(s) " + ", ".join(from_airflow) + " (read from the "
                                "installed Airflow at conversion time): the image needs no Airflow for them.")


def _shims_local_operator(node: Node) -> bool:
    from migrate.operators.shim import LOCAL_MODULE

    module = node.task.module
    return (node.plan.fidelity == SHIM and bool(module) and module != LOCAL_MODULE and module.split(".")[0] != "airflow"
            and node.task.operator_file is None)  # a class from a project file is carried as code (shim.py)


def _check_imports(node: Node, workflow: ir.Workflow, image: Optional[str]) -> None:
    """Every import the component executes, resolved against what its image will hold
    (migrate/environment.py): stdlib, its packages, the project's requirements (added to its packages),
    local modules. An unresolved one makes the task not native (KFM217, KFM214)."""
    from migrate.operators.common import SHIMMED_AIRFLOW_NAMES

    task, plan = node.task, node.plan
    callables = [task.callable] + [c for found in (task.callbacks or {}).values() for c in found]
    codes = [code for c in callables if c is not None and f"def {c.name}(" in plan.body for code in (c.source, *c.prelude)]
    codes += [f.text for f in node.local_modules if f.module.split(".")[0] != "airflow"]
    if _shims_local_operator(node):
        codes.append(f"import {task.module}")
    local_tops = {f.module.split(".")[0] for f in node.local_modules}
    roots = workflow.project_roots
    project = environment.project_requirements(workflow.path, roots)
    missing: List[environment.Resolution] = []
    uses = {use.module: use for code in codes for use in environment.imports_in(code)}
    for use in uses:
        top = use.split(".")[0]
        if top == "airflow" and (set(uses[use].names) <= set(SHIMMED_AIRFLOW_NAMES) and uses[use].names
                                 or any(f.module == use for f in node.local_modules)):
            continue  # names the run-time shim provides, or a small Airflow module embedded like a local one
        local = top != "airflow" and (top in local_tops or local_modules.find_local_module(top, workflow.path, roots) is not None)
        found = environment.resolve_import(use, plan.packages, project, local=local, image=bool(image))
        if found.kind == environment.PROJECT:
            plan.packages.append(found.requirement)
        elif found.kind == environment.UNRESOLVED and all(m.module.split(".")[0] != top for m in missing):
            missing.append(found)
    for found in missing:
        known = found.distribution is not None
        node.diagnostics.append(Diagnostic(
            "KFM217" if known else "KFM214",
            f"the task imports {found.module!r}, which its image does not hold "
            f"({'not declared' if known else 'neither next to the DAG file nor a known distribution'}); "
            f"the pod fails with ModuleNotFoundError: {environment.how_to_declare(found, bool(image))}", "warning", task.span, task.task_id))
    if missing and plan.fidelity != PLACEHOLDER:
        plan.fidelity = PLACEHOLDER
        names = ", ".join(m.module for m in missing)
        plan.mapping += f" (imports {names}: not in its image)"
        node.differences.append(f"Imports {names}, which the component's image does not hold: it fails on a cluster "
                                "(a local run may pass, with what is installed on this machine).")
    if image:  # the project image holds them: every component installs nothing at run time
        node.requirements, plan.packages = list(dict.fromkeys(plan.packages)), []
        node.image_files = [(str(path), relative) for relative, path in _local_files(node, workflow)]
        return
    install = environment.pinned_packages(plan.packages)  # exact pins (migrate/emit/environment.py writes them)
    plan.packages = install.packages
    node.diagnostics += [Diagnostic("KFM222", f"{p.requirement!r} is installed unpinned: it is {p.source}", "warning",
                                    task.span, task.task_id) for p in install.unpinned]


def _local_files(node: Node, workflow: ir.Workflow) -> List[Tuple[str, Path]]:
    """(path in the image, file) of the modules from next to the DAG file the component imports."""
    roots = [Path(root) for root in workflow.project_roots] or local_modules.search_roots(workflow.path)
    found = []
    for module_file in node.local_modules:
        if module_file.module.split(".")[0] == "airflow":
            continue
        path = next((root / module_file.relative for root in roots if (root / module_file.relative).is_file()), None)
        if path is not None:
            found.append((module_file.relative, path))
    return found


def _plan_and_loop(task: ir.Task, ctx: MapContext, loops: Dict[str, Optional[mappings.Loop]]):
    """The task's plan and the dsl.ParallelFor it runs in (mapped tasks, tasks of mapped groups)."""
    mapped_groups = getattr(ctx.workflow, "mapped_groups", {}) or {}
    group = next((g for g in task.group if g in mapped_groups), None)
    if task.mapping is None and group is None:
        return _plan(task, ctx), None
    if task.mapping is not None and group is not None:
        return placeholder_plan(task, ctx, "a mapped task inside a mapped task group has no KFP mapping yet"), None
    key = group or task.task_id
    if key not in loops:
        loop, why = mappings.loop_for(mapped_groups[group] if group else task.mapping, key, group)
        loops[key] = loop
        if loop is None:
            loops[key + "\0why"] = why  # type: ignore[assignment]
    loop = loops[key]
    if loop is None:
        return placeholder_plan(task, ctx, str(loops.get(key + "\0why"))), None
    plan = mappings.mapped_plan(task, ctx, loop, _plan)
    if group is None and plan.fidelity == PLACEHOLDER:
        return plan, None
    return plan, loop


def _plan(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    mapper = find_mapper(task.operator, fallback=True)
    if mapper is None:
        return placeholder_plan(task, ctx)
    try:
        plan = mapper(task, ctx)
    except Exception as exc:  # a mapper bug must not lose the task: fall back loudly
        return placeholder_plan(task, ctx, f"the {task.operator} mapping failed ({type(exc).__name__}: {exc})")
    wire_connections_and_variables(task, ctx, plan)  # AIRFLOW_CONN_* / AIRFLOW_VAR_* from secrets and config maps
    used = environment.callable_db_use(task.callable) if plan.fidelity != PLACEHOLDER and task.callable else None
    if used:  # no KFP pod has Airflow's database: never native, never a shim
        reason = f"the callable uses the Airflow metadata database ({used}), which does not exist on KFP"
        plan = placeholder_plan(task, ctx, reason, code="KFM218")
    return plan


# ---------------------------------------------------------------- graph
def _wire(workflow: ir.Workflow, nodes: Dict[str, Node]) -> List[str]:
    """Fill upstreams, XCom inputs, outputs and skip flags; return task ids in topological order."""
    direct: Dict[str, List[str]] = {t: [] for t in nodes}
    for edge in workflow.edges:
        if edge.upstream in nodes and edge.downstream in nodes and edge.upstream not in direct[edge.downstream]:
            direct[edge.downstream].append(edge.upstream)

    resolved: Dict[str, List[str]] = {}

    def effective(task_id: str, seen: Tuple[str, ...] = ()) -> List[str]:
        """Component upstreams, looking through removed tasks."""
        if task_id in resolved:
            return resolved[task_id]
        found: List[str] = []
        for up in direct[task_id]:
            if up in seen:
                continue
            for item in ([up] if nodes[up].plan.component else effective(up, seen + (task_id,))):
                if item not in found:
                    found.append(item)
        resolved[task_id] = found
        return found

    for task_id, node in nodes.items():
        if node.plan.component:
            node.upstream = list(effective(task_id))

    # Keys every producer must publish: its own plus the ones others read.
    wanted: Dict[str, List[str]] = {t: [] for t in nodes}
    for node in nodes.values():
        if node.plan.component:
            for producer, key in node.plan.xcom_refs:
                if producer in nodes and _publishes(nodes[producer]) and key not in wanted[producer]:
                    wanted[producer].append(key)
    for node in nodes.values():
        for source in (node.loop.sources if node.loop is not None else ()):
            if isinstance(source, ir.TaskOutput) and source.task_id in nodes and _publishes(nodes[source.task_id]):
                if source.key not in wanted[source.task_id]:
                    wanted[source.task_id].append(source.key)
    for task_id, node in nodes.items():
        if not _publishes(node):
            continue
        kinds = dict(node.plan.outputs)
        for key in wanted[task_id]:
            kinds.setdefault(key, "json")
        taken = {SKIP_OUTPUT}
        node.outputs = {key: (_unique(identifier(key, "output"), taken), kind) for key, kind in kinds.items()}

    # XCom inputs: a data dependency unless it would close a cycle.
    for task_id, node in nodes.items():
        if not node.plan.component:
            continue
        taken = {i.name for i in node.plan.inputs} | {"xcom", "results", "skipped", "_airflow"}
        for producer, key in node.plan.xcom_refs:
            source = nodes.get(producer)
            if source is None or not _publishes(source):
                node.xcom_none.append((producer, key))
                if source is None:
                    node.diagnostics.append(Diagnostic("KFM204", f"reads XCom of unknown task {producer!r}: the value is None", "warning", node.task.span, task_id))
                elif source.plan.component:
                    node.diagnostics.append(Diagnostic("KFM204", f"reads XCom of container task {producer!r}, which has no KFP outputs: the value is None", "warning", node.task.span, task_id))
                    if producer not in node.upstream:
                        node.upstream.append(producer)
                continue
            if producer == task_id or _reaches(nodes, task_id, producer):
                node.xcom_none.append((producer, key))
                node.diagnostics.append(Diagnostic("KFM204", f"reads XCom of {producer!r}, which runs after it: the value is None", "warning", node.task.span, task_id))
                continue
            param = _unique(f"{source.function}__{identifier(key, 'value')}", taken)
            output, kind = source.outputs[key]
            node.xcom_inputs.append((param, producer, key, output, kind))
            if _crosses(source, node):
                node.collected_from.add(producer)
            if producer not in node.upstream:
                node.upstream.append(producer)

    order = _topological(nodes)
    graph = _Graph(workflow, nodes)
    regions = _candidate_regions(nodes, graph)
    while True:  # skip decisions depend on the regions; regions KFP cannot express are dropped, then again
        _assign_regions(regions, nodes)
        for task_id in order:
            if nodes[task_id].plan.component:
                _decide(nodes[task_id], nodes, graph)
        if not _settle_regions(regions, nodes):
            break
    _controller_outputs(regions, nodes)
    used = {p for n in nodes.values() for p in [*n.upstream, *(x[1] for x in n.xcom_inputs), *(c[1] for c in n.control_inputs)]}
    for task_id, node in nodes.items():  # an exit task (ignore_upstream_failure) must have none
        node.has_downstream = task_id in used or any(e.upstream == task_id for e in workflow.edges)
    for task_id in order:
        if nodes[task_id].plan.component and task_id != trigger_rules.FINAL_ID:
            _rule_notes(nodes[task_id], nodes)
    return order


def _decide(node: Node, nodes: Dict[str, Node], graph: "_Graph") -> None:
    node.control_inputs, node.skip_lines, node.skip_expr = [], [], None
    _skip_decision(node, nodes, graph)
    node.skip_check = node.skip_expr is not None
    _xcom_skip_flags(node, nodes)
    # a task in a region always has the flag: readers outside get it (or the stand-in's True) via dsl.OneOf
    node.skip_output = node.plan.may_skip or node.skip_check or bool(node.regions) or node.carries_state
    node.gate_function = None
    if node.container is not None:
        # A plain container cannot read skip flags: a gate task decides and the container runs
        # inside dsl.If (its dependants read the gate's flag); it never skips itself.
        node.skip_output = node.skip_check
        node.gate_function = "" if node.skip_check else None  # named in build()


def _never_skipped_for(reader: Node, source: Node) -> bool:
    """Can `reader` see `source` skipped? Not when it has no flag, nor when it sits in the same dsl.If
    groups as the reader and cannot skip itself (it runs whenever the reader does)."""
    if source.carries_state:
        return False  # it may have failed: no XCom either (its failure is recorded as data)
    alone = not (source.plan.may_skip or source.skip_check) and all(r in reader.regions for r in source.regions)
    return not source.skip_output or alone


def _xcom_skip_flags(node: Node, nodes: Dict[str, Node]) -> None:
    """A skipped task pushed no XCom: Airflow's pull gives None. Typed outputs of a skipped task carry
    "" / 0 / false, so a reader of one also gets the producer's flag and reads None when it is set."""
    node.xcom_skip_flags = {}
    if node.container is not None:
        return
    flags = {producer: param for param, producer, output, _t in node.control_inputs if output == SKIP_OUTPUT}
    taken = ({i.name for i in node.plan.inputs} | {p for p, *_ in node.xcom_inputs} | {p for p, *_ in node.control_inputs}
             | {"xcom", "results", "skipped", "_outputs", "_airflow"})
    for param, producer, _key, _output, kind in node.xcom_inputs:
        source = nodes[producer]
        if kind == "json" or _never_skipped_for(node, source) or node.collected(producer):
            continue  # JSON already says null; a mapped producer's values come as a list
        if producer not in flags:
            flags[producer] = _unique(f"{source.function}_skipped", taken)
            node.control_inputs.append((flags[producer], producer, SKIP_OUTPUT, "bool"))
        node.xcom_skip_flags[param] = flags[producer]


# ---------------------------------------------------------------- regions (dsl.If groups)
def _candidate_regions(nodes: Dict[str, Node], graph: "_Graph") -> List[Region]:
    """One region per branch target, one per short circuit: the tasks Airflow skips when it does."""
    down: Dict[str, List[str]] = {t: [] for t in nodes}
    for task_id, ups in graph.up.items():
        for up in ups:
            down[up].append(task_id)
    found: List[Region] = []
    reach = _Reach(nodes, graph)
    for task_id, node in nodes.items():
        kind = control_kind(node.task)
        if kind is None or not _publishes(node) or node.loop is not None:
            continue
        if task_id in graph.branches:
            for target in [t for t in down[task_id] if t != trigger_rules.FINAL_ID]:
                members = _closure(nodes, reach, {target})
                found.append(Region(task_id, SKIPS_PREFIX + target, members, f"{task_id} follows {target}", f"{target}: skipped by {task_id}"))
        elif kind[0] == "short_circuit" and CONDITION_KEY in node.outputs:
            forced = {t for t, circuits in graph.short_circuits.items() if task_id in circuits}
            found.append(Region(task_id, SHORT_CIRCUIT_SKIPS, _closure(nodes, reach, forced), f"{task_id} is true",
                                f"skipped by the short circuit {task_id}"))
    found = [region for region in found if region.members]
    for index, region in enumerate(found):
        region.index = index
    # KFP groups nest: a region crossing another one (not inside it, not around it) is dropped
    for region in found:
        for other in found:
            if other is region or not other.alive or other.index > region.index:
                continue
            common = region.members & other.members
            if common and common != region.members and common != other.members:
                region.alive = False
                break
    return [region for region in found if region.alive]


class _Reach:
    """Upstream sets (Airflow edges and KFP dependencies), downstream lists and a topological order."""

    def __init__(self, nodes: Dict[str, Node], graph: "_Graph"):
        # Airflow's edges (removed tasks included) and the values a task reads (KFP dependencies too)
        self.ups = {t: set(graph.up[t]) | {p for _a, p, *_ in n.xcom_inputs} for t, n in nodes.items()}
        for t, n in nodes.items():
            self.ups[t] |= {s.task_id for s in (n.loop.sources if n.loop is not None else ()) if isinstance(s, ir.TaskOutput)}
            self.ups[t] &= set(nodes)
        self.downs: Dict[str, List[str]] = {t: [] for t in nodes}
        for task_id, ups in self.ups.items():
            for up in ups:
                if up in self.downs:
                    self.downs[up].append(task_id)
        waiting = {t: len(ups & set(nodes)) for t, ups in self.ups.items()}
        ready = [t for t in nodes if not waiting[t]]
        self.order: List[str] = []
        while ready:
            task_id = ready.pop(0)
            self.order.append(task_id)
            for down in self.downs[task_id]:
                waiting[down] -= 1
                if not waiting[down]:
                    ready.append(down)
        self.order += [t for t in nodes if t not in set(self.order)]  # a cycle (bad input): file order

    def after(self, starts: Set[str]) -> Set[str]:
        found, stack = set(starts), list(starts)
        while stack:
            for down in self.downs[stack.pop()]:
                if down not in found:
                    found.add(down)
                    stack.append(down)
        return found


def _closure(nodes: Dict[str, Node], reach: _Reach, forced: Set[str]) -> Set[str]:
    """Tasks Airflow surely skips when a controller skips `forced`: those, and tasks all of whose upstream
    tasks are among them (unless their trigger rule runs after skipped upstream tasks)."""
    candidates = reach.after(forced)
    excluded: Set[str] = set()
    while True:
        members: Set[str] = set()
        for task_id in reach.order:  # upstream tasks first: one pass decides
            node = nodes[task_id]
            if task_id not in candidates or task_id in excluded or node.container is not None or node.task.is_teardown:
                continue
            ups = reach.ups[task_id]
            if task_id in forced:  # skipped whatever its rule; upstream tasks after the controller must come along
                fits = all(up in members or up not in candidates for up in ups)
            else:
                fits = bool(ups) and ups <= members and _rule(node.task) not in RUNS_AFTER_SKIPS
            if fits:
                members.add(task_id)
        # a dsl.ParallelFor goes inside a dsl.If whole or not at all
        loops = {nodes[m].loop.key: nodes[m].loop for m in members if nodes[m].loop is not None}
        partial = {m for loop in loops.values() if not set(loop.members) <= members for m in loop.members}
        if not partial:
            return members
        excluded |= partial


def _assign_regions(regions: List[Region], nodes: Dict[str, Node]) -> None:
    live = [r for r in regions if r.alive]
    for task_id, node in nodes.items():
        node.regions = sorted((r for r in live if task_id in r.members), key=lambda r: (-len(r.members), r.index))


def _reads(node: Node, nodes: Dict[str, Node]):
    """(producer task id, output, value type and stand-in value or None for order only) of everything a task needs."""
    empty = {"json": ("str", "null"), "str": ("str", ""), "int": ("int", 0), "float": ("float", 0.0), "bool": ("bool", False),
             "list": ("list", []), "dict": ("dict", {})}
    found = []
    for _param, producer, _key, output, kind in node.xcom_inputs:
        found.append((producer, output, empty.get(kind, ("str", "null"))))
    for _param, producer, output, type_ in node.control_inputs:
        stand_in = {SKIP_OUTPUT: ("bool", True), trigger_rules.STATE_OUTPUT: ("str", "skipped")}
        found.append((producer, output, stand_in.get(output) or empty.get(type_, ("str", ""))))
    for source in (node.loop.sources if node.loop is not None else ()):
        if isinstance(source, ir.TaskOutput) and source.task_id in nodes and source.key in nodes[source.task_id].outputs:
            found.append((source.task_id, nodes[source.task_id].outputs[source.key][0], ("str", "null")))
    linked = {producer for producer, _o, _v in found}
    found += [(up, None, None) for up in node.upstream if up in nodes and up not in linked]
    return found


def _settle_regions(regions: List[Region], nodes: Dict[str, Node]) -> bool:
    """Decide the dsl.Else of each region and what it exposes; drop regions KFP cannot express.
    Returns whether a region was dropped (the decisions must be made again)."""
    live = [r for r in regions if r.alive]
    dropped = False
    for region in live:
        # Every region gets a dsl.Else: kfp.local (2.17) cannot evaluate the condition of a dsl.If next
        # to the task it tests (it looks the value up among the inputs of the enclosing DAG; measured);
        # with a dsl.Else, KFP wraps both in a group that gets the value as an input. The dsl.Else also
        # lets tasks after it depend on the tasks inside.
        region.exposed = {}
        if not any(nodes[m].plan.component for m in region.members):
            region.alive, dropped = False, True  # an empty dsl.If: nothing to gate
            continue
        inner = nodes[next(iter(region.members))].regions
        enclosing = inner[:inner.index(region)]
        if any(r not in enclosing for r in nodes[region.controller].regions):
            region.alive, dropped = False, True  # its condition would come from a region around a sibling
    for node in nodes.values():
        if not node.plan.component:
            continue
        for producer, output, value in _reads(node, nodes):
            crossing = [r for r in nodes[producer].regions if r.alive and r not in node.regions]
            if not crossing:
                continue
            if value is None:  # order only: allowed from outside a dsl.If with a dsl.Else
                continue
            if len(crossing) > 1 or nodes[producer].loop is not None:
                # dsl.OneOf reaches one group deep only, and takes no dsl.Collected: the inner region goes
                crossing[-1].alive, dropped = False, True
                continue
            crossing[0].exposed[(producer, output)] = (f"{nodes[producer].function}__{identifier(output, 'value')}", *value)
    return dropped


def _controller_outputs(regions: List[Region], nodes: Dict[str, Node]) -> None:
    """Each branch / short circuit a region depends on publishes the bool its dsl.If tests."""
    for region in regions:
        if not region.alive:
            continue
        controller = nodes[region.controller]
        if region.key in controller.outputs:
            continue
        taken = {name for name, _kind in controller.outputs.values()} | {SKIP_OUTPUT}
        controller.outputs[region.key] = (_unique(identifier(region.key, "output"), taken), "bool")
        if region.key == SHORT_CIRCUIT_SKIPS:
            code = f"not skipped and results.get({CONDITION_KEY!r}) is False"
        else:
            target = region.key[len(SKIPS_PREFIX):]
            code = f"not skipped and _airflow_not_followed({target!r}, results.get({FOLLOW_KEY!r}))"
        if not controller.decision_lines:
            controller.decision_lines.append("# For the dsl.If around the tasks it skips: True when Airflow would skip them")
        controller.decision_lines.append(f"results[{region.key!r}] = {code}")


def _decided_by_region(node: Node, controller: str, key: str) -> bool:
    """Is `node` inside the dsl.If that runs only when `controller` does not skip (key)? Then that skip is no question."""
    return any(r.controller == controller and r.key == key for r in node.regions)


class _Graph:
    """The Airflow graph as written (removed tasks included) and who skips whom directly."""

    def __init__(self, workflow: ir.Workflow, nodes: Dict[str, Node]):
        self.up: Dict[str, List[str]] = {t: [] for t in nodes}
        down: Dict[str, List[str]] = {t: [] for t in nodes}
        for edge in workflow.edges:
            if edge.upstream in nodes and edge.downstream in nodes and edge.upstream != edge.downstream:
                if edge.upstream not in self.up[edge.downstream]:
                    self.up[edge.downstream].append(edge.upstream)
                    down[edge.upstream].append(edge.downstream)
        self.branches: Set[str] = set()
        self.short_circuits: Dict[str, List[str]] = {t: [] for t in nodes}  # task -> short circuits skipping it
        for task_id, node in nodes.items():
            kind = control_kind(node.task)
            if kind is None or not _publishes(node) or node.loop is not None:
                continue
            if kind[0] == "branch" and FOLLOW_KEY in node.outputs:
                self.branches.add(task_id)
            elif kind[0] == "short_circuit" and CONDITION_KEY in node.outputs:
                targets = _descendants(down, task_id) if kind[1] else down[task_id]
                for target in targets:
                    if not nodes[target].task.is_teardown and target != trigger_rules.FINAL_ID:  # Airflow never short-circuits teardowns
                        self.short_circuits[target].append(task_id)


def _descendants(down: Dict[str, List[str]], start: str) -> List[str]:
    found: List[str] = []
    stack = list(down[start])
    while stack:
        current = stack.pop()
        if current not in found and current != start:
            found.append(current)
            stack.extend(down[current])
    return found


def _skip_decision(node: Node, nodes: Dict[str, Node], graph: _Graph) -> None:
    """Build the expression that tells, inside the component, whether Airflow would skip the task.

    Inputs: the `airflow_skipped` flags of upstream components, the task ids a branch upstream
    follows and a short circuit's condition. Removed (empty) tasks in between keep their trigger
    rules: their skip states become local variables computed from their own upstreams.

    A task that reads states (node.reads_states, migrate/emit/trigger_rules.py) gets an expression
    giving 'run', 'skipped' or 'upstream_failed' instead, from the `airflow_state` outputs of the
    upstream tasks that carry one (the others are 'success' or, by their flag, 'skipped').
    """
    taken = {i.name for i in node.plan.inputs} | {p for p, *_ in node.xcom_inputs} | {"xcom", "results", "skipped", "_outputs", "_state"}
    refs: Dict[Tuple[str, str], str] = {}
    removed_states: Dict[str, Optional[str]] = {}
    states_mode = node.reads_states

    def ref(producer: str, key: str, type_: str) -> str:
        if _crosses(nodes[producer], node):
            type_ = "list"  # dsl.Collected: one value per map index
        if (producer, key) not in refs:
            suffix = {SKIP_OUTPUT: "skipped", FOLLOW_KEY: "follow", CONDITION_KEY: "condition", trigger_rules.STATE_OUTPUT: "state"}[key]
            param = _unique(f"{nodes[producer].function}_{suffix}", taken)
            refs[(producer, key)] = param
            output = key if key in (SKIP_OUTPUT, trigger_rules.STATE_OUTPUT) else nodes[producer].outputs[key][0]
            node.control_inputs.append((param, producer, output, type_))
            if _crosses(nodes[producer], node):
                node.collected_from.add(producer)
        return refs[(producer, key)]

    def state(upstream: str) -> Optional[str]:
        """Expression for "upstream was skipped", None when it never is; its state in states_mode."""
        source = nodes[upstream]
        if source.plan.component:
            crosses = _crosses(source, node)
            if states_mode and source.carries_state:
                found = ref(upstream, trigger_rules.STATE_OUTPUT, "str")
                return f"*({found} or ['skipped'])" if crosses else found
            if _never_skipped_for(node, source):
                return "'success'" if states_mode else None
            flag = ref(upstream, SKIP_OUTPUT, "bool")
            if states_mode:
                return (f"*[('skipped' if f else 'success') for f in ({flag} or [True])]" if crosses
                        else f"('skipped' if {flag} else 'success')")
            # every map index counts as an upstream task; no index at all means the mapped task was skipped
            return f"*({flag} or [True])" if crosses else flag
        if upstream not in removed_states:
            removed_states[upstream] = None  # cycles (bad input) end here
            expr = decision(upstream)
            if expr is not None and expr not in ("True", "False", "'run'"):
                prefix = "_state" if states_mode else "_skipped"
                variable = _unique(f"{prefix}_{identifier(upstream, 'task')}", taken)
                node.skip_lines.append(f"{variable} = {expr}  # the removed task {upstream!r}")
                expr = variable
            removed_states[upstream] = expr
        if states_mode and removed_states[upstream] is None:
            return "'run'"  # a removed task that always runs
        return removed_states[upstream]

    def ran(upstream: str) -> Optional[str]:
        """Expression for "the branch / short circuit ran" (it decides only then); None: always."""
        found = state(upstream)
        if not states_mode:
            return f"not {found}" if found else None
        return None if found == "'success'" else f"{found} == 'success'"

    def decision(task_id: str) -> Optional[str]:
        terms: List[str] = []
        for up in graph.up[task_id]:
            if up in graph.branches and not _decided_by_region(node, up, SKIPS_PREFIX + task_id):
                test = f"_airflow_not_followed({task_id!r}, {ref(up, FOLLOW_KEY, 'list')})"
                condition = ran(up)
                terms.append(f"({condition} and {test})" if condition else test)
        for circuit in graph.short_circuits[task_id]:
            if _decided_by_region(node, circuit, SHORT_CIRCUIT_SKIPS):
                continue
            test = f"{ref(circuit, CONDITION_KEY, 'bool')} is False"
            condition = ran(circuit)
            terms.append(f"({condition} and {test})" if condition else test)
        task = nodes[task_id].task
        rule = _rule(task)
        if states_mode:
            rule = trigger_rules.rule_for_states(task, rule)
            if rule in trigger_rules.RUNS_ANYWAY:  # no upstream state to read
                return trigger_rules.decision(rule, [], [], terms)
            setups = [up for up in graph.up[task_id] if nodes[up].task.is_setup and task.is_teardown]
            return trigger_rules.decision(rule, [state(up) for up in graph.up[task_id]], [state(up) for up in setups], terms)
        if rule in IGNORES_FAILURES:  # runs whatever its upstream tasks did
            return " or ".join(terms) or None
        states = [state(up) or "False" for up in graph.up[task_id]]
        # rules like one_failed decide even when no upstream can skip; tasks without upstreams just run
        if any(flag != "False" for flag in states) or (rule in ALWAYS_CHECKED_RULES and states):
            terms.append(f"_airflow_should_skip({rule!r}, [{', '.join(states)}])")
        return " or ".join(terms) or None

    if node.task.task_id == trigger_rules.FINAL_ID:  # the DAG run state: the leaves' states
        leaf_states = {leaf: state(leaf) for leaf in graph.up[node.task.task_id]}
        node.plan.body = trigger_rules.final_body(node.skip_lines, leaf_states)
        node.skip_lines, node.skip_expr = [], None
        return
    node.skip_expr = decision(node.task.task_id)
    if node.skip_expr == "'run'":
        node.skip_expr = None


def _ignores_failures(node: Node) -> bool:
    """all_done / always outside the state domain (its upstream tasks cannot record failures: container
    components): ignore_upstream_failure(), so it runs after failed upstream tasks.

    KFP makes such a task an exit hook of its upstream tasks, which the backend accepts only for a true
    leaf: nothing after it nor reading it, in no dsl.If or ParallelFor (a group of exit tasks alone is
    rejected). And only without inputs from other tasks: kfp.local cannot run a task whose upstream
    output is missing (measured: it stops the whole run)."""
    return (_rule(node.task) in IGNORES_FAILURES and bool(node.upstream) and node.loop is None and not node.regions
            and not node.has_downstream and not node.reads_states and node.container is None
            and not node.xcom_inputs and not node.control_inputs)


def _route_outer_values(components: List[Node], nodes: Dict[str, Node], taken: Set[str]) -> None:
    """Values from tasks outside a loop that its tasks read travel inside the loop items.

    kfp.local (2.17) gives a loop's tasks the loop item in place of any other task's output, so
    such inputs are packed into every item by the `<task>_items` component instead."""
    for node in components:
        loop = node.loop
        if loop is None:
            continue
        keys = {(producer, output): key for key, producer, output, _t in loop.outer}
        refs = [(param, producer, output, "list" if node.collected(producer) else _python_type(kind))
                for param, producer, _k, output, kind in node.xcom_inputs]
        refs += [(param, producer, output, type_) for param, producer, output, type_ in node.control_inputs]
        for param, producer, output, type_ in refs:
            if nodes[producer].loop is loop:
                continue
            if (producer, output) not in keys:
                keys[(producer, output)] = f"o{len(loop.outer) + 1}"
                loop.outer.append((keys[(producer, output)], producer, output, type_))
            node.via_item[param] = keys[(producer, output)]
        if node.via_item and not any(i.name == mappings.ITEM_PARAM for i in node.plan.inputs):
            node.plan.inputs = list(node.plan.inputs) + [Input(mappings.ITEM_PARAM, "str", PipelineInput(mappings.ITEM_PARAM))]
        if loop.outer and loop.items_function is None:
            loop.items_function = _unique(f"{identifier(loop.key, 'task')}_items", taken)
            taken.add(f"{loop.items_function}_task")


def _crosses(producer: Node, consumer: Node) -> bool:
    """Does a value go from inside a dsl.ParallelFor to outside it (dsl.Collected)?"""
    return producer.loop is not None and producer.loop is not consumer.loop


def _publishes(node: Node) -> bool:
    """Whether a task has KFP outputs others can read (container components have none)."""
    return node.plan.component and node.plan.container is None


def _reaches(nodes: Dict[str, Node], start: str, target: str) -> bool:
    """Is `target` downstream of `start` through the current upstream links?"""
    downstream: Dict[str, List[str]] = {}
    for task_id, node in nodes.items():
        for up in node.upstream:
            downstream.setdefault(up, []).append(task_id)
    stack, seen = [start], set()
    while stack:
        current = stack.pop()
        for nxt in downstream.get(current, ()):
            if nxt == target:
                return True
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


def _topological(nodes: Dict[str, Node]) -> List[str]:
    """Kahn's order, ties broken by the DAG file's task order; cycles (bad input) keep file order."""
    import heapq

    position = {task_id: index for index, task_id in enumerate(nodes)}
    waiting = {t: len({u for u in nodes[t].upstream if u in nodes}) for t in nodes}
    downstream: Dict[str, List[str]] = {t: [] for t in nodes}
    for task_id, node in nodes.items():
        for up in dict.fromkeys(u for u in node.upstream if u in nodes):
            downstream[up].append(task_id)
    ready = [position[t] for t, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    ids = list(nodes)
    order: List[str] = []
    while ready:
        task_id = ids[heapq.heappop(ready)]
        order.append(task_id)
        for nxt in downstream[task_id]:
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                heapq.heappush(ready, position[nxt])
    if len(order) < len(ids):  # a cycle: keep the rest in file order rather than fail here
        done = set(order)
        order += [t for t in ids if t not in done]
    return order


def _rule(task: ir.Task) -> str:
    """The trigger rule that decides when the task runs. A teardown (as_teardown / @teardown) runs
    once its work is done, whatever happened (Airflow: all_done_setup_success)."""
    if task.is_teardown and task.trigger_rule in ("all_success", "all_done_setup_success"):
        return "all_done"
    return task.trigger_rule


def _rule_notes(node: Node, nodes: Dict[str, Node]) -> None:
    rule = _rule(node.task)
    if node.carries_state:
        node.differences.append("Failure as data: on its last attempt a failure is recorded (output airflow_state='failed') and "
                                "the KFP task succeeds, so the trigger rules downstream see it; the DAG run state task "
                                "fails the pipeline when Airflow would fail the run.")
    if node.task.is_teardown and node.reads_states:
        node.differences.append("Teardown: runs after its work whatever happened, as Airflow's all_done_setup_success; its own "
                                "failure is recorded as data, so it does not fail the run unless a leaf task failed.")
    elif node.task.is_teardown:
        node.differences.append("Teardown: runs after its work even when that failed (all_done); unlike Airflow it also runs when "
                                "its setup failed, and its own failure fails the KFP run.")
    if node.reads_states:
        if rule in trigger_rules.FAILURE_AWARE or rule in ("none_failed", "none_failed_min_one_success"):
            node.differences.append(f"Trigger rule {rule!r}: decided from the states of its upstream tasks (outputs airflow_state), "
                                    "failed ones included, as Airflow decides.")
        if node.container is not None and rule in trigger_rules.FAILURE_AWARE:
            node.diagnostics.append(Diagnostic("KFM205", f"trigger rule {rule!r} on a container task: its gate decides from the upstream states, "
                                               "but the container's own failure fails the KFP run", "info", node.task.span, node.task.task_id))
        unrecorded = [up for up in node.upstream if nodes[up].container is not None]
        if unrecorded and rule in trigger_rules.FAILURE_AWARE:
            node.diagnostics.append(Diagnostic("KFM205", f"trigger rule {rule!r} after container task(s) {', '.join(unrecorded)}: a container cannot "
                                               "record its failure as data, so its failure stops this task on KFP", "warning", node.task.span, node.task.task_id))
    elif rule in FAILURE_RULES:
        node.diagnostics.append(Diagnostic("KFM205", f"trigger rule {rule!r}: on KFP a failed upstream task stops this task", "warning", node.task.span, node.task.task_id))
        node.differences.append(f"Trigger rule {rule!r}: its reaction to skipped upstream tasks is kept; a failed upstream task stops this one on KFP"
                                + (" (Airflow would run it)." if rule in ("one_failed", "all_failed", "one_done", "one_success", "all_done_min_one_success") else "."))
    elif rule in IGNORES_FAILURES and _ignores_failures(node):
        node.differences.append(f"Trigger rule {rule!r}: ignore_upstream_failure() (a leaf task), so it runs after failed upstream tasks as in Airflow.")
    elif rule in IGNORES_FAILURES and node.upstream:
        node.diagnostics.append(Diagnostic("KFM205", f"trigger rule {rule!r} after container tasks: on KFP a failed upstream task stops this task", "warning", node.task.span, node.task.task_id))
        node.differences.append(f"Trigger rule {rule!r}: its upstream tasks cannot record a failure as data (container tasks), so a failed one stops it on KFP (Airflow would run it).")
    elif rule in ("none_failed", "none_failed_min_one_success"):
        node.differences.append(f"Trigger rule {rule!r}: a failed upstream task stops this one on KFP, as in Airflow (upstream_failed).")
    elif rule not in ("all_success", "none_skipped", *IGNORES_FAILURES):
        node.diagnostics.append(Diagnostic("KFM205", f"trigger rule {rule!r} has no KFP form; treated as all_success", "warning", node.task.span, node.task.task_id))


# ---------------------------------------------------------------- code
def _module(workflow: ir.Workflow, components: List[Node], parameters: List[dict], pipeline_fn: str, exit_handler=None,
            environment: environments.Environment = environments.Environment()) -> str:
    used = {name for node in components for name in _helpers(node)}
    helpers = [name for name in runtime.HELPERS if name in used]
    if exit_handler is not None:  # DAG callbacks get the whole context
        wanted = ("_airflow_runtime", *runtime.OPTIONAL_PARTS)
        helpers = [name for name in runtime.HELPERS if name in helpers or name in wanted]
    if any(n.loop is not None and n.loop.items_function for n in components):
        helpers = [name for name in runtime.HELPERS if name in helpers or name in ("_airflow_map_items", "_from_json", "_ints_back")]
    uses_kubernetes = any(node.task.timeout_seconds or not node.plan.platform.is_empty() for node in components)
    parts = []
    imports = ["from pathlib import Path", "from typing import NamedTuple", "", "from kfp import compiler, dsl"]
    if uses_kubernetes:
        imports.append("from kfp import kubernetes")
    # sections are announced where the module has several kinds of code (helpers, embedded modules)
    sections = bool(helpers and not environment.package) or any(node.local_modules for node in components)
    if helpers and not environment.package:
        parts.append(
            "# ---------------------------------------------------------------- kfmigrate run-time helpers\n"
            "# Copied into the components that use them (additional_funcs). They rebuild what an Airflow task\n"
            "# sees: its context, XCom, Jinja rendering, the bash runner and trigger rules on skips."
        )
        for name in helpers:
            parts.append(runtime.helper_source(name).rstrip())
    embedded = {f.function: f for node in components for f in node.local_modules}
    if embedded:
        parts.append(
            "# ---------------------------------------------------------------- modules from next to the DAG file\n"
            "# A component sees only its own source and its additional_funcs (module-level constants are not\n"
            "# visible inside it), so each module's text is returned by a function listed in the additional_funcs\n"
            "# of the components that import it; _kfp_local_modules writes them into a folder on sys.path."
        )
        parts += [local_modules.function_source(f).rstrip() for f in embedded.values()]
    if sections:
        parts.append("# ---------------------------------------------------------------- components")
    codes = {node.task.task_id: _component(workflow, node, environment) for node in components}
    codes.update(sharing.share(components, lambda node, doc, task_id: _component(workflow, node, environment, doc, task_id)))
    parts += [codes[node.task.task_id] for node in components if node.component in (None, node.function)]
    if not components:
        parts.append(
            "@dsl.component(base_image=BASE_IMAGE)\n"
            "def no_task_runs():\n"
            '    """The DAG has only empty tasks; KFP needs at least one task in a pipeline."""\n'
            '    print("Nothing to run: every Airflow task of this DAG was an empty task.")'
        )
    by_id = {node.task.task_id: node for node in components}
    for loop in dict.fromkeys(n.loop for n in components if n.loop is not None and n.loop.items_function):
        inputs = [(name, type_) for name, type_, _code in _items_inputs(loop, by_id)]
        parts.append(mappings.items_component(loop, loop.items_function, inputs, _items_source_code(loop, by_id), environment))
    gated = [node for node in components if node.gate_function]
    for node in gated:
        parts.append(_gate_component(node, environment))
    if gated:
        parts.append(
            "@dsl.component(base_image=BASE_IMAGE)\n"
            f"def {gated[0].stub_function}():\n"
            '    """Stands in for a container task that Airflow would skip (the dsl.Else of its gate)."""\n'
            '    print("Skipped: Airflow would skip this task.")'
        )
    for region in _regions_of(components):
        if region.stub_function:
            parts.append(_stand_in_component(region))
    if exit_handler is not None:
        parts.append(exit_handler[1])
    if sections:
        parts.append("# ---------------------------------------------------------------- pipeline")
    pipeline = _pipeline(workflow, components, parameters, pipeline_fn, exit_handler)
    parts.append(pipeline)
    sharing.name_tasks(components, pipeline, "\n\n".join(parts))  # the spec's task keys, for the report
    main = ('if __name__ == "__main__":\n'
            f'    target = Path(__file__).with_name({yaml_name(workflow.dag_id)!r})\n'
            f'    compiler.Compiler().compile({pipeline_fn}, str(target))')
    if any(_has_newline(p["default"]) for p in parameters):
        main += (
            "\n    # kfp writes multi-line parameter defaults into its comment header unescaped: comment them out\n"
            "    text = target.read_text()\n"
            "    start = min(text.find(f\"\\n{key}:\") for key in ('components', 'deploymentSpec') if f\"\\n{key}:\" in text)\n"
            "    header = ''.join(line if line.startswith('#') or not line.strip() else '#    ' + line\n"
            "                     for line in text[:start + 1].splitlines(keepends=True))\n"
            "    target.write_text(header + text[start + 1:])"
        )
    parts.append(main)
    code = "\n\n\n".join(parts)
    if "NamedTuple(" not in code:
        imports.remove("from typing import NamedTuple")
    if environment.image:
        constants = [f"BASE_IMAGE = {environment.image!r}  # the project image (kfmigrate convert --image): it holds every package"]
        # kfp is in the image too: no run-time install of the SDK either
        code = re.sub(r"(@dsl\.component\(\s*base_image=BASE_IMAGE)", r"\1, install_kfp_package=False", code)
    else:
        constants = [f'BASE_IMAGE = "{BASE_IMAGE}"  # the image every component runs in: change it here']
    constants += environments.module_constants(environment, code)  # RUNTIME_PACKAGES, PIP_INDEX_URLS
    head = "\n\n".join([_module_docstring(workflow, pipeline_fn), "\n".join(imports), "\n".join(constants)])
    return head + "\n\n\n" + code + "\n"


def _has_newline(value) -> bool:
    if isinstance(value, str):
        return "\n" in value or "\r" in value
    if isinstance(value, (list, tuple)):
        return any(_has_newline(v) for v in value)
    if isinstance(value, dict):
        return any(_has_newline(k) or _has_newline(v) for k, v in value.items())
    return False


def _helpers(node: Node) -> List[str]:
    if node.tier == tiers.DIRECT:
        return []
    code = node.plan.body + "\n" + "\n".join(node.decision_lines)
    names = [name for name in runtime.HELPERS if name + "(" in code]  # what the body calls
    if set(node.outputs) - set(node.artifacts.xcom_outputs) or node.skip_output:  # parameter outputs
        names.append("_kfp_outputs")
    if node.skip_check:
        check = "\n".join(node.skip_lines + [node.skip_expr or ""])
        names += [name for name in ("_airflow_should_skip", "_airflow_not_followed", "_airflow_trigger") if name + "(" in check]
    if node.carries_state:
        names += ["_airflow_failed_for_good"] + (["_airflow_attempt"] if "_airflow_attempt(" in _try_number(node) else [])
    if any(kind == "json" for *_rest, kind in node.xcom_inputs):
        names.append("_from_json")
    names += artifacts.helpers(node)
    if "_airflow_runtime" in names:  # the context's optional parts: only those this task's code can reach
        names += runtime.optional_parts(code, _constants(node.plan))
    return [n for n in runtime.HELPERS if n in names]


def _module_docstring(workflow: ir.Workflow, pipeline_fn: str) -> str:
    lines = [f"Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG {workflow.dag_id!r}.", ""]
    lines.append(f"Source: {workflow.path}")
    if workflow.description:
        lines.append(f"Description: {workflow.description}")
    lines.append(f"Schedule in Airflow: {_schedule_text(workflow.schedule)}")
    if workflow.tags:
        lines.append(f"Tags: {', '.join(workflow.tags)}")
    lines += [
        "",
        f"Compile with `python {{this file}}` (writes {yaml_name(workflow.dag_id)} next to it), or run it with",
        "kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.",
    ]
    text = "\n".join(lines).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return f'"""{text}\n"""'


def _schedule_text(schedule: ir.Schedule) -> str:
    if schedule.kind == "none":
        return "none (runs when triggered)"
    text = f"{schedule.kind} {schedule.value!r}" if schedule.value is not None else schedule.kind
    if schedule.start_date:
        text += f", start_date {schedule.start_date}"
    if schedule.catchup:
        text += ", catchup on"
    return text + "\n  (not part of the pipeline: create a KFP recurring run for it)"


def _component(workflow: ir.Workflow, node: Node, environment: environments.Environment, docstring: Optional[str] = None,
               task_id_input: bool = False) -> str:
    """docstring: instead of the task's; task_id_input: the task id is the input `task_id` (a shared component)."""
    plan = node.plan
    docstring = docstring or _docstring(workflow, node)
    if node.container is not None:
        params = [f"{i.name}: {i.type}" for i in plan.inputs]
        params += [f"{param}: {_python_type(kind)}" for param, _t, _k, _o, kind in node.xcom_inputs]
        xcom_params = {(producer, key): param for param, producer, key, _o, _k in node.xcom_inputs}
        return containers.component_code(node.function, params, _docstring(workflow, node), node.container, xcom_params)
    helpers = _helpers(node)
    decorator = environments.decorator(environment, helpers, packages=plan.packages, base_image=plan.base_image,
                                       extra_funcs=[f.function for f in node.local_modules])
    if node.tier == tiers.DIRECT:
        return tiers.component_code(node, decorator, docstring, node.function)

    params = ([f"{sharing.TASK_ID}: str"] if task_id_input else []) + [f"{i.name}: {i.type}" for i in plan.inputs]
    params += [f"{param}: {artifacts.input_type(node, param, node.collected(producer)) or ('list' if node.collected(producer) else _python_type(kind))}"
               for param, producer, _k, _o, kind in node.xcom_inputs if param not in node.via_item]
    params += [f"{param}: {type_}" for param, _p, _o, type_ in node.control_inputs if param not in node.via_item]
    params += artifacts.signature_params(node)  # XCom and MLflow tracking carried by KFP artifacts
    if node.attempts_output:
        params.append(f"{dag_callbacks.ATTEMPTS_PARAM}: dsl.OutputPath(str)")
    spec = [(key, kind) for key, (_name, kind) in node.outputs.items() if key not in node.artifacts.xcom_outputs]
    names = [name for key, (name, _kind) in node.outputs.items() if key not in node.artifacts.xcom_outputs]
    if node.skip_output:
        spec.append((SKIP_OUTPUT, "skipped"))
        names.append(SKIP_OUTPUT)
    if names:
        fields = ", ".join(f"({name!r}, {_python_type(kind)})" for name, kind in zip(names, [k for _k, k in spec]))
        if node.carries_state:  # appended to _kfp_outputs' values: 'success', 'skipped', 'failed', 'upstream_failed'
            fields += f", ({trigger_rules.STATE_OUTPUT!r}, str)"
        returns = f' -> NamedTuple("Outputs", [{fields}])'
    else:
        returns = ""
    signature = f"def {node.function}({', '.join(params)}){returns}:"
    if len(signature) > 100:
        signature = f"def {node.function}(\n" + "".join(f"    {p},\n" for p in params) + f"){returns}:"

    body: List[str] = [docstring]
    imported = environments.runtime_import(environment, helpers)
    if imported:
        body.append(imported)
    spec_text = "_outputs"
    if names:
        body.append("# (XCom key, encoding) of each output, in order")
        body.append(f"_outputs = {spec!r}")
    if node.via_item:
        body.append("# Values of tasks outside the loop come inside the item (see the items component)")
        body.append("import json as _json")
        body.append(f"_envelope = _json.loads({mappings.ITEM_PARAM})")
        body.append(f"{mappings.ITEM_PARAM} = _json.dumps(_envelope['item'])")
        body += [f"{param} = _envelope['outer'][{key!r}]" for param, key in node.via_item.items()]
    if node.skip_check and node.reads_states:
        body += trigger_rules.check_lines(node.skip_lines, node.skip_expr, artifacts.write_outputs(node, "{}", "True"), spec_text)
    elif node.skip_check:
        body.append("# Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)")
        body += node.skip_lines
        body.append(f"if {node.skip_expr}:")
        body += [f"    {line}" for line in artifacts.write_outputs(node, "{}", "True")]
        body.append(f"    return _kfp_outputs({{}}, True, {spec_text})" if names else "    return")
    work_start = len(body)
    xcom_items = []
    for param, producer, key, _output, kind in node.xcom_inputs:
        value = f"_from_json({param})" if kind == "json" else param
        if node.collected(producer):  # every map index's value, as Airflow's lazy XCom list
            value = f"[_from_json(value) for value in {param}]" if kind == "json" else f"_ints_back({param})"
        value = artifacts.input_value(node, param, node.collected(producer)) or value
        if param in node.xcom_skip_flags:  # the producer was skipped: no XCom, None as in Airflow
            value = f"None if {node.xcom_skip_flags[param]} else {value}"
        xcom_items.append(f"({producer!r}, {key!r}): {value}")
    xcom_items += [f"({producer!r}, {key!r}): None" for producer, key in node.xcom_none]
    if xcom_items or "xcom" in plan.body:
        joined = ", ".join(xcom_items)
        if len(joined) > 80:
            body.append("xcom = {\n" + "".join(f"    {item},\n" for item in xcom_items) + "}")
        else:
            body.append("xcom = {" + joined + "}")
    body.append(artifacts.wrap_body(node, sharing.task_id_as_input(node.task.task_id, plan.body.rstrip()) if task_id_input
                                    else plan.body.rstrip()))
    if node.carries_state:
        body[work_start:] = trigger_rules.recording_failure("\n".join(body[work_start:]), int(node.task.retry.retries or 0),
                                                            _try_number(node), artifacts.write_outputs(node, "{}", "True"), spec_text)
    body += node.decision_lines
    body += artifacts.write_outputs(node)
    if names:
        state = " + ('skipped' if skipped else 'success',)" if node.carries_state else ""
        body.append(f"return _kfp_outputs(results, skipped, {spec_text}){state}")
    return decorator + "\n" + signature + "\n" + indent_code("\n".join(body), "    ")


def _try_number(node: Node) -> str:
    """Code giving the attempt's Airflow try number inside a component that records its last failure."""
    if not node.task.retry.retries:
        return "1"
    if "_airflow_attempt(" in node.plan.body:  # the context counts the attempts already (callbacks, with_try_number)
        return "_airflow.context['ti'].try_number"
    return f"_airflow_attempt({dag_callbacks.RETRY_INDEX_PARAM}, {dag_callbacks.ATTEMPTS_PARAM})"


def _one_line(text: str) -> str:
    """Text for a `#` comment: line breaks in ids would end the comment and break the module."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def indent_code(code: str, prefix: str) -> str:
    """Indent Python code, but not the lines inside multi-line strings (that would change them)."""
    import io
    import tokenize

    inside_strings: Set[int] = set()
    lines = code.split("\n")
    # Tokenizing is the slow part. A string spans lines only after a backslash at a line end or from
    # a triple quote; a line that is one whole triple-quoted string (a docstring) ends none open.
    one_line_string = re.compile(r'\s*("""[^"\\]*"""' r"|'''[^'\\]*''')\s*")
    if "\\\n" not in code and all(
            ('"""' not in line and "'''" not in line) or one_line_string.fullmatch(line) for line in lines):
        return "\n".join(prefix + line if line.strip() else line for line in lines)
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside_strings.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        inside_strings = set()  # not tokenizable: indent everything, ast.parse will tell
    return "\n".join(
        line if (number in inside_strings or not line.strip()) else prefix + line
        for number, line in enumerate(lines, start=1)
    )


def _gate_component(node: Node, environment: environments.Environment) -> str:
    """The component deciding whether a container task runs (a container cannot read skip flags)."""
    helpers = [name for name in ("_airflow_should_skip", "_airflow_not_followed", "_airflow_trigger")
               if name + "(" in "\n".join(node.skip_lines + [node.skip_expr or ""])]
    params = ", ".join(f"{param}: {type_}" for param, _p, _o, type_ in node.control_inputs)
    body = [f'"""Would Airflow skip the container task {node.task.task_id!r}? (skipped upstream tasks, branches, trigger rule)"""']
    body += [line for line in [environments.runtime_import(environment, helpers)] if line]
    if node.reads_states:
        body += trigger_rules.gate_lines(node.skip_lines, node.skip_expr, node.task.task_id)
    else:
        body += node.skip_lines
        body.append(f"return (bool({node.skip_expr}),)")
    decorator = environments.decorator(environment, helpers)
    return (f"{decorator}\ndef {node.gate_function}({params}) -> NamedTuple(\"Outputs\", [({SKIP_OUTPUT!r}, bool)]):\n"
            + textwrap.indent("\n".join(body), "    "))


def _python_type(kind: str) -> str:
    return {"json": "str", "skipped": "bool"}.get(kind, kind)


def _docstring(workflow: ir.Workflow, node: Node) -> str:
    task = node.task
    text = f"Airflow task {task.task_id!r} ({task.operator}) from {task.span}."
    if task.task_id == trigger_rules.FINAL_ID:  # no Airflow task: the DAG run's own state
        text = f"The DAG run's state (kfmigrate): {task.doc}"
    if node.plan.description:
        text += "\n\n" + node.plan.description.strip()
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if "\n" not in text:
        return f'"""{text}"""'
    # continuation lines sit inside the string, so indent_code leaves them: indent them here
    return '"""' + textwrap.indent(text + "\n", "    ", lambda line: bool(line.strip())).lstrip() + '    """'


def _pipeline(workflow: ir.Workflow, components: List[Node], parameters: List[dict], pipeline_fn: str, exit_handler=None) -> str:
    by_id = {node.task.task_id: node for node in components}
    description = workflow.description or (workflow.doc.strip().splitlines()[0] if workflow.doc and workflow.doc.strip() else f"Converted from Airflow DAG {workflow.dag_id}")
    description = " ".join(description.split())  # one line: kfp writes it into a YAML comment header
    signature = [f"{p['name']}: {p['type']} = {p['default']!r}" for p in parameters]
    header = f"def {pipeline_fn}({', '.join(signature)}):"
    if len(header) > 100 or any("\n" in part for part in signature):
        header = f"def {pipeline_fn}(\n" + "\n".join(f"    {part}," for part in signature) + "\n):"
    lines = [f"@dsl.pipeline(name={pipeline_name(workflow.dag_id)!r}, description={description!r})", header]
    doc = (workflow.doc or "").strip()  # the DAG's doc_md; the description is already in the decorator
    if doc:
        doc = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
        text = f'"""{doc}"""' if "\n" not in doc else f'"""{doc}\n"""'
        lines.append(textwrap.indent(text, "    ", lambda line: bool(line.strip())))
    indent = "    "
    if exit_handler is not None:
        function, _code, inputs = exit_handler
        args = ", ".join(f"{i.name}={_value_code(i)}" for i in inputs)
        lines += [f"    # the DAG's callbacks: {function} runs after every task, whatever happened",
                  f"    {function}_task = {function}({args})",
                  f"    {function}_task.set_display_name('DAG callbacks')",
                  f"    with dsl.ExitHandler({function}_task):"]
        indent = "        "
    if not components:
        lines.append(f"{indent}no_task_runs().set_display_name('no task runs')")
    lines += _render_units(workflow, components, by_id, indent, 0)
    return "\n".join(lines)


def _render_units(workflow: ir.Workflow, members: List[Node], by_id: Dict[str, Node], indent: str, depth: int) -> List[str]:
    lines = []
    for kind, item, inside in _units(members, depth):
        if kind == "task":
            lines.append(textwrap.indent(_task_call(workflow, item, by_id), indent))
        elif kind == "loop":
            lines.append(textwrap.indent(_loop_header(item, by_id), indent))
            for node in inside:
                lines.append(textwrap.indent(_task_call(workflow, node, by_id), indent + "    "))
        else:
            region, controller = item, by_id[item.controller]
            output = controller.outputs[region.key][0]
            lines.append(f"{indent}# Airflow runs these tasks only when {_one_line(region.label)}: otherwise they do not start")
            lines.append(f"{indent}with dsl.If({controller.variable}.outputs[{output!r}] == False):")
            lines += _render_units(workflow, inside, by_id, indent + "    ", depth + 1)
            if region.stub_function:
                lines += [f"{indent}with dsl.Else():  # tasks after the dsl.If read its values through dsl.OneOf",
                          f"{indent}    {region.stub_variable} = {region.stub_function}()",
                          f"{indent}    {region.stub_variable}.set_display_name({region.skipped_name!r})"]
    return lines


def _regions_of(components: List[Node]) -> List[Region]:
    return list(dict.fromkeys(r for node in components for r in node.regions))


def _stand_in_component(region: Region) -> str:
    """The dsl.Else task of a region: what its tasks output when Airflow skips them."""
    outputs = list(region.exposed.values())
    doc = f'"""Stands in for the tasks that run only when {_one_line(region.label)}, when they do not (the dsl.Else)."""'
    if not outputs:
        return (f"@dsl.component(base_image=BASE_IMAGE)\ndef {region.stub_function}():\n    {doc}\n"
                '    print("Skipped: Airflow would skip these tasks.")')
    fields = ", ".join(f"({name!r}, {type_})" for name, type_, _value in outputs)
    values = ", ".join(repr(value) for _name, _type, value in outputs)
    return (f"@dsl.component(base_image=BASE_IMAGE)\n"
            f"def {region.stub_function}() -> NamedTuple(\"Outputs\", [{fields}]):\n    {doc}\n"
            f"    return ({values},)")


def _through_regions(reader_regions: List[Region], producer: Node, output: str, code: str) -> str:
    """A value from a task inside a dsl.If the reader is not in: dsl.OneOf with the dsl.Else's stand-in."""
    crossing = [r for r in producer.regions if r not in reader_regions]
    if not crossing or (producer.task.task_id, output) not in crossing[0].exposed:
        return code
    name = crossing[0].exposed[(producer.task.task_id, output)][0]
    return f"dsl.OneOf({code}, {crossing[0].stub_variable}.outputs[{name!r}])"


def _units(components: List[Node], depth: int = 0):
    """Tasks in an order the pipeline function can call them: each dsl.ParallelFor and each region
    (dsl.If) as one unit placed after everything its members need; otherwise the topological order.
    Returns ("task", node, None), ("loop", loop, members) and ("region", region, members)."""
    import heapq

    def key(node: Node) -> str:
        if len(node.regions) > depth:
            return f"region\0{node.regions[depth].index}"
        return f"loop\0{node.loop.key}" if node.loop is not None else node.task.task_id

    unit_of = {n.task.task_id: key(n) for n in components}
    units: Dict[str, List[Node]] = {}
    for node in components:
        units.setdefault(unit_of[node.task.task_id], []).append(node)
    needs: Dict[str, Set[str]] = {u: set() for u in units}
    for node in components:
        own = unit_of[node.task.task_id]
        producers = set(node.upstream) | {p for _a, p, *_ in node.xcom_inputs} | {p for _a, p, *_ in node.control_inputs}
        producers |= {r.controller for r in node.regions[depth:]}  # a dsl.If condition reads its controller
        if node.loop is not None:
            producers |= {s.task_id for s in node.loop.sources if isinstance(s, ir.TaskOutput)}
        needs[own] |= {unit_of[p] for p in producers if p in unit_of and unit_of[p] != own}
    position = {u: i for i, u in enumerate(units)}
    names = list(units)
    waiting = {u: len(needs[u]) for u in units}
    users: Dict[str, List[str]] = {u: [] for u in units}
    for unit, required in needs.items():
        for other in required:
            users[other].append(unit)
    ready = [position[u] for u, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: List[str] = []
    while ready:
        unit = names[heapq.heappop(ready)]
        order.append(unit)
        for user in users[unit]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, position[user])
    order += [u for u in names if u not in order]  # a cycle through a loop (bad input): file order
    result = []
    for unit in order:
        members = units[unit]
        if unit.startswith("region\0"):
            result.append(("region", members[0].regions[depth], members))
        elif unit.startswith("loop\0"):
            result.append(("loop", members[0].loop, members))
        else:
            result.append(("task", members[0], None))
    return result


def _loop_header(loop: mappings.Loop, by_id: Dict[str, Node]) -> str:
    what = f"mapped task group {loop.group!r}" if loop.group else f"mapped task {loop.key!r}"
    lines = [f"# {_one_line(what)}: one dsl.ParallelFor iteration per Airflow map index"]
    if loop.items_function is None:
        items = repr(loop.literal_items)
    else:
        args = [f"{name}={code}" for name, _type, code in _items_inputs(loop, by_id)]
        for key, producer, output, _type in loop.outer:
            code = f"{by_id[producer].variable}.outputs[{output!r}]"
            if by_id[producer].gate_function and output == SKIP_OUTPUT:
                code = f"{by_id[producer].gate_function}_task.outputs[{output!r}]"
            code = _through_regions(by_id[loop.members[0]].regions, by_id[producer], output, code)
            args.append(f"outer_{key}=dsl.Collected({code})" if by_id[producer].loop is not None else f"outer_{key}={code}")
        variable = f"{loop.items_function}_task"
        lines.append(f"{variable} = {loop.items_function}({', '.join(args)})")
        lines.append(f"{variable}.set_display_name({(loop.key + ' (map items)')!r})")
        items = f"{variable}.output"
    lines.append(f"with dsl.ParallelFor(items={items}) as {loop.variable}:")
    return "\n".join(lines)


def _items_inputs(loop: mappings.Loop, by_id: Dict[str, Node]) -> List[Tuple[str, str, str]]:
    """(input name, type, pipeline code) of an items component, one per non-literal source."""
    found = []
    for index, source in enumerate(loop.sources):
        name = f"source_{index}"
        if isinstance(source, ir.TaskOutput) and source.task_id in by_id and source.key in by_id[source.task_id].outputs:
            producer = by_id[source.task_id]
            code = f"{producer.variable}.outputs[{producer.outputs[source.key][0]!r}]"
            code = _through_regions(by_id[loop.members[0]].regions, producer, producer.outputs[source.key][0], code)
            if producer.loop is not None:
                found.append((name, "list", f"dsl.Collected({code})"))
            else:
                found.append((name, "str", code))
        elif isinstance(source, ir.ParamRef) and source.name in loop.params:
            pipeline_name, type_ = loop.params[source.name]
            found.append((name, type_, pipeline_name))
    return found


def _items_source_code(loop: mappings.Loop, by_id: Dict[str, Node]) -> List[str]:
    inputs = {name: type_ for name, type_, _code in _items_inputs(loop, by_id)}
    codes = []
    for index, source in enumerate(loop.sources):
        name = f"source_{index}"
        if name in inputs:
            if inputs[name] == "list" and isinstance(source, ir.TaskOutput):
                codes.append(f"[_from_json(value) for value in {name}]")
            elif isinstance(source, ir.TaskOutput):
                codes.append(f"_from_json({name})")
            else:
                codes.append(f"_ints_back({name})")
        elif isinstance(source, ir.Literal):
            codes.append(repr(source.value))
        else:
            codes.append("None")  # no such output on KFP: nothing to map over
    return codes


def _task_call(workflow: ir.Workflow, node: Node, by_id: Dict[str, Node]) -> str:
    task = node.task
    args = []
    for item in node.plan.inputs:
        if node.loop is not None and item.name == mappings.ITEM_PARAM:
            args.append(f"{item.name}={node.loop.variable}")
        else:
            args.append(f"{item.name}={_value_code(item)}")

    def output_code(producer: str, output: str) -> str:
        code = f"{by_id[producer].variable}.outputs[{output!r}]"
        if by_id[producer].gate_function and output == SKIP_OUTPUT:  # a gated container: its gate decided
            code = f"{by_id[producer].gate_function}_task.outputs[{output!r}]"
        code = _through_regions(node.regions, by_id[producer], output, code)
        return f"dsl.Collected({code})" if node.collected(producer) else code

    for param, producer, _key, output, _kind in node.xcom_inputs:
        if param not in node.via_item:
            args.append(f"{param}={output_code(producer, output)}")
    control_args = [f"{param}={output_code(producer, output)}" for param, producer, output, _type in node.control_inputs
                    if param not in node.via_item]
    if not node.gate_function:
        args += control_args
    if node.task_id_input:
        args.insert(0, f"{sharing.TASK_ID}={task.task_id!r}")
    function = node.component or node.function
    call = f"{node.variable} = {function}(" + ", ".join(args) + ")"
    if len(call) > 100:
        call = f"{node.variable} = {function}(\n" + "".join(f"    {a},\n" for a in args) + ")"
    lines = [f"# {_one_line(task.task_id)}: {node.plan.mapping} ({node.plan.fidelity})", call,
             f"{node.variable}.set_display_name({trigger_rules.display_name(task)!r})"]
    linked = {producer for _p, producer, *_ in node.xcom_inputs} | {producer for _p, producer, *_ in node.control_inputs}
    order_only = [by_id[up].variable for up in node.upstream if up not in linked and up in by_id]
    if order_only:
        lines.append(f"{node.variable}.after({', '.join(order_only)})")
    if _ignores_failures(node):
        lines.append(f"{node.variable}.ignore_upstream_failure()  # trigger rule {_rule(task)}")
    retry = task.retry
    if retry.retries and retry.retries > 0:
        lines.append(_retry_code(node))
    if task.timeout_seconds:
        lines.append(f"kubernetes.set_timeout({node.variable}, {max(1, int(round(task.timeout_seconds)))})")
    if not node.plan.platform.is_empty():
        platform, notes = containers.platform_lines(node.variable, node.plan.platform, task, workflow)
        lines += platform
        node.diagnostics += [d for d in notes if d not in node.diagnostics]
    if node.gate_function:
        gate = f"{node.gate_function}_task"
        call = f"{gate} = {node.gate_function}(" + ", ".join(control_args) + ")"
        if len(call) > 100:
            call = f"{gate} = {node.gate_function}(\n" + "".join(f"    {a},\n" for a in control_args) + ")"
        return "\n".join([
            f"# {_one_line(task.task_id)}: would Airflow skip it? A container cannot decide itself: its gate does",
            call,
            f"{gate}.set_display_name({(task.task_id + ' (skip decision)')!r})",
            f"with dsl.If({gate}.outputs[{SKIP_OUTPUT!r}] == False):",
            textwrap.indent("\n".join(lines), "    "),
            "with dsl.Else():",
            f"    {node.stub_function}().set_display_name({(task.task_id + ' (skipped)')!r})",
        ])
    return "\n".join(lines)


def _retry_code(node: Node) -> str:
    retry = node.task.retry
    delay = 300.0 if retry.delay_seconds is None else retry.delay_seconds  # Airflow's default retry_delay
    parts = [f"num_retries={int(retry.retries)}", f'backoff_duration="{int(delay)}s"',
             f"backoff_factor={2.0 if retry.exponential_backoff else 1.0}"]
    if retry.max_delay_seconds is not None:
        parts.append(f'backoff_max_duration="{int(retry.max_delay_seconds)}s"')
    return f"{node.variable}.set_retry({', '.join(parts)})"


def _value_code(item: Input) -> str:
    value = item.value
    if isinstance(value, PipelineInput):
        return value.name
    if isinstance(value, ir.Template):
        return repr(value.text)
    if isinstance(value, ir.Literal):
        return repr(value.value)
    raise TypeError(f"input {item.name}: unsupported value {value!r}")


# ---------------------------------------------------------------- report
def _report(node: Node) -> TaskReport:
    plan = node.plan
    differences = list(plan.differences) + node.differences
    task = node.task
    if plan.component:
        retry = task.retry
        if retry.retries and retry.exponential_backoff:
            differences.append("Exponential retry backoff maps to backoff_factor 2 without Airflow's jitter.")
        if retry.retries and retry.max_delay_seconds is None and retry.exponential_backoff:
            differences.append("No max_retry_delay: KFP caps the backoff at its default of 3600s (Airflow: 24h).")
        if task.timeout_seconds:
            differences.append("execution_timeout becomes a Kubernetes timeout (kfp-kubernetes set_timeout); kfp.local does not enforce it.")
        if node.skip_output and (node.skip_check or plan.may_skip):
            differences.append(f"A skip is not a KFP task state: the task runs as a no-op and outputs {SKIP_OUTPUT}=True.")
        if node.xcom_none:
            differences.append("Reads XCom of tasks that do not run on KFP (or run after it): those values are None.")
        if node.container is not None:
            differences.append("A container component: kfp.local's subprocess runner cannot run it (a cluster or kfp.local's DockerRunner can).")
    if task.is_setup:
        differences.append("Setup task: runs as an ordinary task (KFP has no setup/teardown scopes).")
    return TaskReport(
        task_id=task.task_id,
        operator=task.operator,
        mapping=plan.mapping,
        fidelity=plan.fidelity,
        kfp_task=node.kfp_task or (k8s_name(node.function) if node.function else None),
        component=node.component or node.function,
        tier=node.tier if plan.component else None,
        outputs={key: name for key, (name, _kind) in node.outputs.items() if key not in CONTROL_KEYS and not key.startswith(SKIPS_PREFIX)},
        differences=list(dict.fromkeys(differences)),
        diagnostics=list(plan.diagnostics) + node.diagnostics,
        span=task.span,
    )
