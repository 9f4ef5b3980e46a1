"""Builds the KFP pipeline module for one Workflow: the orchestration of the emitter's stages.

1. prepare.py: map every task to a ComponentPlan (migrate/operators) and make it ready (containers,
   callbacks, local modules, imports);
2. name the components (migrate/naming.py), plan failure as data (trigger_rules.py);
3. wiring.py: rewire edges around removed (empty) tasks, wire XCom reads to the producers' outputs;
   skips.py and regions.py: decide which tasks carry a skip flag and which run inside a dsl.If;
4. direct.py, artifacts.py: component tiers and artifact transport;
5. render.py (with pipeline.py): write the Python text, and check that it compiles;
6. report.py: one TaskReport per task.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Set

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import ERROR, Diagnostic
from kfmigrate.migrate.emit import EmitError, EmitResult
from kfmigrate.migrate.emit import artifacts
from kfmigrate.migrate.emit import component_body
from kfmigrate.migrate.emit import callbacks as dag_callbacks
from kfmigrate.migrate.emit import direct as tiers
from kfmigrate.migrate.emit import environment as environments
from kfmigrate.migrate.emit import prepare, render, skips
from kfmigrate.migrate.emit.nodes import MODULE_NAMES, SHORT_CIRCUIT_SKIPS, SKIPS_PREFIX, ExitHandler, Node, regions_of
from kfmigrate.migrate.emit.report import task_report
from kfmigrate.migrate.emit.wiring import plan_states, route_outer_values, wire
from kfmigrate.migrate.naming import PIPELINE_PARAMETERS, identifier, k8s_name, pipeline_name, unique, yaml_name
from kfmigrate.migrate.operators import IMPORT_FAILURES, MapContext
from kfmigrate.migrate.operators.common import kfp_type


def build(workflow: ir.Workflow, xcom_transport: str = "parameter",
          environment: environments.Environment = environments.Environment()) -> EmitResult:
    """xcom_transport: "parameter" (XComs as KFP parameters), "artifact" (as JSON artifact files) or
    "auto" (artifacts except int/float/bool values); see migrate/emit/artifacts.py. environment: the
    runtime mode and package index (migrate/emit/environment.py)."""
    diagnostics: List[Diagnostic] = []
    pipeline_fn = identifier(workflow.dag_id, "dag") + "_pipeline"
    parameters, param_inputs = _pipeline_parameters(workflow, diagnostics)
    diagnostics += _workflow_notes(workflow)
    # names in the module, and in the pipeline function, where task variables live next to the parameters
    taken = set(MODULE_NAMES) | {pipeline_fn} | {p["name"] for p in parameters}
    k8s_taken: Set[str] = {"no-task-runs"}  # KFP's task names (from the function names) must differ too
    ctx = MapContext(workflow, param_inputs, tuple(t.task_id for t in workflow.tasks))
    exit_function = unique("dag_callbacks", taken)
    taken.add(f"{exit_function}_task")
    exit_code = dag_callbacks.exit_component(workflow, ctx, exit_function, environment)
    exit_handler = ExitHandler(exit_function, *exit_code) if exit_code else None

    nodes = _nodes(workflow, ctx, environment.image)
    _name_components(nodes, taken, k8s_taken)
    wiring = plan_states(workflow, nodes, taken, k8s_taken)
    _name_loops(nodes, ctx, param_inputs, taken)
    order = wire(wiring, nodes)
    skips.decide(wiring, nodes, order)
    components = [nodes[t] for t in order if nodes[t].plan.component]
    tiers.choose(components, nodes, xcom_transport)  # plain components for callables needing no Airflow
    route_outer_values(components, nodes, taken)
    artifacts.plan(components, nodes, xcom_transport)  # XCom as artifacts, MLflow tracking -> Metrics/Model
    _name_gates(components, taken)
    _name_stand_ins(components, taken, k8s_taken)

    source = render.module_source(workflow, components, parameters, pipeline_fn, exit_handler, environment)
    try:
        # byte-compiling checks what importing the file would, and is faster than building Python's
        # AST objects (ast.parse): 0.09 s against 0.14 s of CPU for Airflow's example corpus
        compile(source, "<generated pipeline>", "exec", dont_inherit=True)
    except SyntaxError as exc:  # a bug in a mapper or here: never hand out broken code
        raise EmitError(Diagnostic("KFM300", f"generated Python does not parse ({exc.msg}, line {exc.lineno})", ERROR, workflow.span))
    return EmitResult(
        python_source=source,
        function_name=pipeline_fn,
        pipeline_name=pipeline_name(workflow.dag_id),
        parameters=parameters,
        tasks=[task_report(nodes[t.task_id]) for t in workflow.tasks],
        diagnostics=diagnostics,
        yaml_name=yaml_name(workflow.dag_id),
        requirements=list(dict.fromkeys(p for node in components for p in node.requirements)),
        image_files=sorted({item for node in components for item in node.image_files}),
    )


def _workflow_notes(workflow: ir.Workflow) -> List[Diagnostic]:
    """Diagnostics about the whole DAG: mapper modules that failed to load, DAG callbacks."""
    found = [Diagnostic("KFM210", f"mapper module migrate/operators/{module}.py failed to load ({error}): its operators fall back",
                        ERROR, workflow.span) for module, error in sorted(IMPORT_FAILURES.items())]
    for name in getattr(workflow, "callbacks", {}) or {}:
        if name in dag_callbacks.CARRIED:
            found.append(Diagnostic("KFM210", f"DAG {name} runs in an exit task (dsl.ExitHandler) after the run, with an Airflow-like context", "info", workflow.span))
        else:
            found.append(Diagnostic("KFM208", f"DAG {name} is not carried over to KFP", "warning", workflow.span))
    return found


def _nodes(workflow: ir.Workflow, ctx: MapContext, image: Optional[str]) -> Dict[str, Node]:
    """One Node per task, its plan mapped and made ready (prepare.py)."""
    nodes: Dict[str, Node] = {}
    loops: Dict[str, prepare.MappedLoop] = {}
    for task in workflow.tasks:
        plan, loop = prepare.plan_and_loop(task, ctx, loops)
        component_body.fill(plan)  # the mapper's typed parts -> the body's code, which later steps edit
        nodes[task.task_id] = node = Node(task, plan, loop=loop)
        if loop is not None:
            loop.members.append(task.task_id)
        if task.is_setup:
            node.diagnostics.append(Diagnostic("KFM210", "setup task runs as an ordinary task (KFP has no setup/teardown scopes)", "info", task.span, task.task_id))
    for node in nodes.values():
        prepare.prepare(node, ctx, image)
    return nodes


def _name_components(nodes: Dict[str, Node], taken: Set[str], k8s_taken: Set[str]) -> None:
    """Each component's function and task variable, after its task id."""
    for node in nodes.values():
        if node.plan.component:
            base, index = identifier(node.task.task_id, "task"), 1
            name = base
            while name in taken or f"{name}_task" in taken or k8s_name(name) in k8s_taken:
                index += 1
                name = f"{base}_{index}"
            taken |= {name, f"{name}_task"}
            k8s_taken.add(k8s_name(name))
            node.function, node.variable = name, name + "_task"


def _name_loops(nodes: Dict[str, Node], ctx: MapContext, param_inputs: Dict[str, str], taken: Set[str]) -> None:
    """Each dsl.ParallelFor's item variable and, when its items come from upstream values, its items component."""
    for loop in dict.fromkeys(n.loop for n in nodes.values() if n.loop is not None):
        base = identifier(loop.key, "task")
        loop.variable = unique(f"{base}_item", taken)
        loop.params = {name: (pipeline, kfp_type(ctx.param_type(name))) for name, pipeline in param_inputs.items()}
        if loop.literal_items is None:
            loop.items_function = unique(f"{base}_items", taken)
            taken.add(f"{loop.items_function}_task")


def _name_gates(components: List[Node], taken: Set[str]) -> None:
    """Container tasks that may be skipped: the gate deciding it, and the no-op standing in (skips.py)."""
    gated = [node for node in components if node.gate_function is not None]
    stub = unique("container_skipped", taken) if gated else None
    for node in gated:
        node.gate_function, node.stub_function = unique(f"{node.function}_gate", taken), stub
        taken.add(f"{node.gate_function}_task")
        node.differences.append("Runs only when Airflow would run it: a small gate task decides (skipped upstream tasks, "
                                "branches, trigger rule) and the container runs inside dsl.If; otherwise a no-op stands in.")


def _name_stand_ins(components: List[Node], taken: Set[str], k8s_taken: Set[str]) -> None:
    """The dsl.Else stand-in of every region (regions.py), and the note on the tasks inside."""
    for region in regions_of(components):  # every region has a dsl.Else (see regions.settle_regions)
        base = identifier(region.key[len(SKIPS_PREFIX):] if region.key != SHORT_CIRCUIT_SKIPS else region.controller, "task")
        region.stub_function = unique(f"{base}_not_run", taken)
        while k8s_name(region.stub_function) in k8s_taken:
            region.stub_function = unique(f"{base}_not_run", taken)
        k8s_taken.add(k8s_name(region.stub_function))
        taken.add(region.stub_variable)
    for node in components:
        for region in node.regions:
            node.differences.append(f"Runs inside a dsl.If on {region.controller}'s decision: when Airflow would skip it "
                                    "for that, it does not start on KFP.")


def _pipeline_parameters(workflow: ir.Workflow, diagnostics: List[Diagnostic]):
    """The pipeline function's parameters (the DAG params, logical_date, run_id) and DAG param -> parameter name."""
    taken = set(PIPELINE_PARAMETERS) | MODULE_NAMES
    parameters, param_inputs = [], {}
    for param in workflow.params:
        name = unique(identifier(param.name, "param"), taken)
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
