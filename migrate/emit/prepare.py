"""Each task's plan made ready for the graph: mapped (the operator mappers, dsl.ParallelFor loops),
container strings resolved, task callbacks carried, context inputs trimmed, local modules embedded,
and every import checked against what the component's image will hold."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple

from kfmigrate.migrate import environment, ir, local_modules
from kfmigrate.migrate.diagnostics import Diagnostic
from kfmigrate.migrate.emit import callbacks as dag_callbacks
from kfmigrate.migrate.emit import container as containers
from kfmigrate.migrate.emit import mapping as mappings
from kfmigrate.migrate.emit import runtime
from kfmigrate.migrate.emit.nodes import Node
from kfmigrate.migrate.emit.text import call_line
from kfmigrate.migrate.operators import PLACEHOLDER, SHIM, ComponentPlan, Input, MapContext, PipelineInput, find_mapper
from kfmigrate.migrate.operators.common import SHIMMED_AIRFLOW_NAMES, unbound_names
from kfmigrate.migrate.operators.placeholder import placeholder_plan
from kfmigrate.migrate.operators.staticcalls import wire_connections_and_variables


class MappedLoop(NamedTuple):
    """The dsl.ParallelFor of a mapped task or mapped task group; None, and why, when it has none."""
    loop: Optional[mappings.Loop]
    why: str


def prepare(node: Node, ctx: MapContext, image: Optional[str]) -> None:
    """Make a component's plan ready for the graph; image: the project image (--image) or None."""
    if not node.plan.component:
        return
    if node.plan.container is not None:
        prepare_container(node, ctx)
    else:
        carry_task_callbacks(node)
        embed_local_modules(node, ctx.workflow)
        trim_context_inputs(node)
    check_imports(node, ctx.workflow, image)


def plan_and_loop(task: ir.Task, ctx: MapContext, loops: Dict[str, MappedLoop]):
    """The task's plan and the dsl.ParallelFor it runs in (mapped tasks, tasks of mapped groups)."""
    mapped_groups = getattr(ctx.workflow, "mapped_groups", {}) or {}
    group = next((g for g in task.group if g in mapped_groups), None)
    if task.mapping is None and group is None:
        return _plan(task, ctx), None
    if task.mapping is not None and group is not None:
        return placeholder_plan(task, ctx, "a mapped task inside a mapped task group has no KFP mapping yet"), None
    key = group or task.task_id
    if key not in loops:
        loops[key] = MappedLoop(*mappings.loop_for(mapped_groups[group] if group else task.mapping, key, group))
    loop = loops[key].loop
    if loop is None:
        return placeholder_plan(task, ctx, str(loops[key].why)), None
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


def prepare_container(node: Node, ctx: MapContext) -> None:
    """Resolve a container plan's strings; its template inputs and XCom reads join the plan's."""
    plan = node.plan
    taken = {i.name for i in plan.inputs}  # a container component has no Python body binding names
    code = containers.resolve(node.task, plan.container, ctx, taken)
    plan.inputs = list(plan.inputs) + code.inputs
    plan.xcom_refs = list(dict.fromkeys(list(plan.xcom_refs) + code.xcom_refs))
    plan.outputs = {}
    node.container = code
    node.diagnostics += code.diagnostics
    node.differences += code.differences


def carry_task_callbacks(node: Node) -> None:
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


def constant_inputs(plan: ComponentPlan) -> Dict[str, str]:
    """The plan's inputs whose values are written into the pipeline (name -> text), for the context analysis."""
    return {i.name: i.value.text if isinstance(i.value, ir.Template) else repr(getattr(i.value, "value", i.value))
            for i in plan.inputs if not isinstance(i.value, PipelineInput)}


def trim_context_inputs(node: Node) -> None:
    """logical_date and run_id, and the DAG params, are inputs only of components whose code can reach them."""
    plan = node.plan
    if f"_airflow_runtime(\n    dag_id=" not in plan.body or CONTEXT_CALL_DATES not in plan.body:
        return
    called = {name for name in runtime.HELPERS if name + "(" in plan.body}
    own = re.sub(r"_airflow = _airflow_runtime\(\n.*?\n\)", "_airflow = None", plan.body, count=1, flags=re.S)
    reached = runtime.context_inputs_reached(own, constant_inputs(plan))  # what the code reaches, not the call itself
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


def embed_local_modules(node: Node, workflow: ir.Workflow) -> None:
    """Modules next to the DAG file that the task's callable imports travel inside its component
    (migrate/local_modules.py); names nobody provides get a diagnostic."""
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
    lines = [call_line(found.files)] if found.files else []
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
    from kfmigrate.migrate.operators.shim import LOCAL_MODULE  # a mapper module: one failing to import must not break the emitter

    module = node.task.module
    return (node.plan.fidelity == SHIM and bool(module) and module != LOCAL_MODULE and module.split(".")[0] != "airflow"
            and node.task.operator_file is None)  # a class from a project file is carried as code (shim.py)


def check_imports(node: Node, workflow: ir.Workflow, image: Optional[str]) -> None:
    """Every import the component executes, resolved against what its image will hold
    (migrate/environment.py): stdlib, its packages, the project's requirements (added to its packages),
    local modules. An unresolved one makes the task not native (KFM217, KFM214)."""
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
