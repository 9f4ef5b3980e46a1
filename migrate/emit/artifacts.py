"""KFP artifacts in generated components: MLflow tracking -> Metrics/Model, and XCom as artifact files.

MLflow tracking. A task whose callable (or the module helpers it carries) calls MLflow's tracking
API (mlflow.log_metric(s)/log_param(s)/start_run/..., mlflow.<flavor>.log_model/autolog) gets the
outputs `metrics: dsl.Output[dsl.Metrics]`, and `model: dsl.Output[dsl.Model]` when it logs a model.
The call of the callable runs inside `with _mlflow_to_kfp(metrics, model):` (runtime.py): the MLflow
calls still go to MLflow, and what the task's runs recorded ends up in the KFP artifacts too, where
the KFP UI shows it. Detection is static (the callable's source), so no task pays for importing
mlflow unless it uses it.

XCom transport. KFP hands every parameter to a task inside one command-line argument, which Linux
caps at 128 KiB (MAX_ARG_STRLEN), so a multi-MB XCom fails as a parameter. With the transport
"artifact" each XCom output is a `dsl.Output[dsl.Artifact]` holding the value as JSON, read by the
consumers through `dsl.Input[dsl.Artifact]`; "auto" does that for every XCom but int/float/bool
ones (small by nature, and readable in the KFP UI as parameters). Branch decisions, values that
feed a dsl.ParallelFor (its items, or values that ride inside the items: KFP iterates over
parameters only) and values read after a dsl.If through dsl.OneOf (the dsl.Else stand-in gives
parameters, and dsl.OneOf takes no mix) stay parameters.
"""
from __future__ import annotations

import ast
import textwrap
from typing import Dict, List, Optional, Set, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import Diagnostic
from kfmigrate.migrate.emit.mapping import ITEM_PARAM
from kfmigrate.migrate.emit.nodes import SKIP_OUTPUT, SKIPS_PREFIX, NodeArtifacts, Tracking
from kfmigrate.migrate.emit.text import indent_code
from kfmigrate.migrate.naming import BODY_NAMES, unique
from kfmigrate.migrate.operators.branching import CONTROL_KEYS
from kfmigrate.migrate.operators.common import parsed

TRANSPORTS = ("parameter", "artifact", "auto")
SMALL_KINDS = ("int", "float", "bool")  # kept as parameters by the "auto" transport

# mlflow.<name>(...) calls that mean "this task tracks to MLflow"
TRACKING_CALLS = {
    "start_run", "log_metric", "log_metrics", "log_param", "log_params", "set_tag", "set_tags",
    "log_artifact", "log_artifacts", "log_text", "log_dict", "log_figure", "log_image", "log_table",
    "log_input", "autolog",
}


# ---------------------------------------------------------------- static detection
def mlflow_calls(callable_: ir.CallableSource) -> List[str]:
    """The MLflow tracking APIs the callable and its carried helpers call (dotted names, in order)."""
    found: List[str] = []
    trees = []
    for code in (*callable_.prelude, callable_.source):
        try:
            trees.append(parsed(code))  # the operators parsed the same code already
        except SyntaxError:
            continue
    aliases: Dict[str, str] = {}  # a module-level `import mlflow` serves the callable and every helper
    for tree in trees:
        aliases.update(_mlflow_aliases(tree))
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = _resolve(node.func, aliases)
                if name and _is_tracking(name) and name not in found:
                    found.append(name)
    return found


def logs_model(calls: List[str]) -> bool:
    return any(name.endswith(".log_model") or name.endswith(".autolog") for name in calls)


def _mlflow_aliases(tree: ast.AST) -> Dict[str, str]:
    """Local name -> dotted mlflow name, from every import in the code (scopes are not told apart)."""
    aliases: Dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "mlflow" or alias.name.startswith("mlflow."):
                    if alias.asname:
                        aliases[alias.asname] = alias.name
                    else:
                        aliases["mlflow"] = "mlflow"
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "mlflow" or node.module.startswith("mlflow."):
                for alias in node.names:
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return aliases


def _resolve(func: ast.AST, aliases: Dict[str, str]) -> Optional[str]:
    parts: List[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name) or func.id not in aliases:
        return None
    return ".".join([aliases[func.id], *reversed(parts)])


def _is_tracking(name: str) -> bool:
    parts = name.split(".")
    if parts[0] != "mlflow":
        return False
    if len(parts) == 2:
        return parts[1] in TRACKING_CALLS
    # mlflow.<flavor>.log_model / mlflow.<flavor>.autolog; mlflow.tracking.fluent.log_metric ...
    return len(parts) >= 3 and (parts[-1] in ("log_model", "autolog") or
                                (parts[1] == "tracking" and parts[-1] in TRACKING_CALLS))


# ---------------------------------------------------------------- planning (called by builder.py)
def plan(components, nodes, transport: str) -> None:
    """Decide, per component (nodes.Node), its artifact inputs and outputs; sets node.artifacts."""
    if transport not in TRANSPORTS:
        raise ValueError(f"unknown XCom transport {transport!r} (choose from {', '.join(TRANSPORTS)})")
    kept_as_parameters = _read_by_loops(components, nodes) | _read_through_stand_ins(components)
    control = _control_output
    carried: Set[Tuple[str, str]] = set()  # (producer, XCom key) passed as an artifact
    for node in components:
        node.artifacts = NodeArtifacts()
        if transport == "parameter" or node.plan.container is not None:
            continue
        for key, output in node.outputs.items():
            if control(key) or (node.task.task_id, output.name) in kept_as_parameters:
                continue
            if transport == "auto" and output.kind in SMALL_KINDS:
                continue
            node.artifacts.xcom_outputs[key] = output.name
            carried.add((node.task.task_id, key))
    for node in components:
        for xcom in node.xcom_inputs:
            if (xcom.producer, xcom.key) in carried and xcom.param not in node.via_item:
                node.artifacts.xcom_inputs.add(xcom.param)
        _rename_clashing_outputs(node)
        _plan_tracking(node)
        if node.artifacts.xcom_outputs or node.artifacts.xcom_inputs:
            node.differences.append("XCom values cross between tasks as JSON files in KFP artifacts (--xcom-transport "
                                    f"{transport}), so their size is not capped by KFP's 128 KiB parameter limit.")


def _control_output(key: str) -> bool:
    """Outputs that steer the pipeline (branch decisions, dsl.If conditions) must stay parameters."""
    return key in CONTROL_KEYS or key.startswith(SKIPS_PREFIX)


def _read_through_stand_ins(components) -> Set[Tuple[str, str]]:
    """(producer task id, output name) of values read after a dsl.If through dsl.OneOf: the dsl.Else
    stand-in provides parameters, and dsl.OneOf takes no mix of parameters and artifacts."""
    regions = dict.fromkeys(region for node in components for region in getattr(node, "regions", ()))
    return {key for region in regions for key in getattr(region, "exposed", {})}


def _read_by_loops(components, nodes) -> Set[Tuple[str, str]]:
    """(producer task id, output name) of the values a dsl.ParallelFor reads: its items, or values riding inside them."""
    found: Set[Tuple[str, str]] = set()
    for loop in dict.fromkeys(n.loop for n in components if n.loop is not None):
        found |= {(outer.producer, outer.output) for outer in loop.outer}
        for source in loop.sources:
            if isinstance(source, ir.TaskOutput) and source.task_id in nodes and source.key in nodes[source.task_id].outputs:
                found.add((source.task_id, nodes[source.task_id].outputs[source.key].name))
    return found


def _plan_tracking(node) -> None:
    task = node.task
    if task.callable is None or node.plan.fidelity == "placeholder" or node.plan.container is not None:
        return
    calls = mlflow_calls(task.callable)
    if not calls or _call_start(node.plan.body, task.callable.name) is None:
        return
    taken = _taken_names(node)
    tracking = Tracking(calls, unique("metrics", taken))
    if logs_model(calls):
        tracking.model_param = unique("model", taken)
    node.artifacts.tracking = tracking
    outputs = f"{tracking.metrics_param} (Metrics)" + (f" and {tracking.model_param} (Model)" if tracking.model_param else "")
    node.plan.mapping += " + MLflow tracking -> KFP Metrics/Model artifacts"
    node.diagnostics.append(Diagnostic(
        "KFM210", f"MLflow tracking ({', '.join(calls)}) is also recorded into the KFP artifacts {outputs}; "
        "the MLflow calls go to MLFLOW_TRACKING_URI, or to a throw-away store in the task's temp dir when it is unset",
        "info", task.span, task.task_id))
    node.differences.append(
        "MLflow tracking: the calls still go to MLflow (MLFLOW_TRACKING_URI, or the URI the task sets); without one "
        "they go to a throw-away file store in the task's temp dir (Airflow's worker would use MLflow's default, "
        "./mlflow.db). The metrics of the task's runs also become the KFP Metrics artifact "
        f"{tracking.metrics_param!r} (a nested run's as '<run name>/<key>', last value per key), with every run's "
        "params, metrics and tags as JSON in its file"
        + (f"; the last model logged is copied into the KFP Model artifact {tracking.model_param!r} (an MLflow model "
           "directory, with flavor and run id as metadata)." if tracking.model_param else "."))


def _taken_names(node) -> Set[str]:
    """Names a new component parameter must not take: inputs, outputs, and what the body binds."""
    taken = set(BODY_NAMES) | {ITEM_PARAM, SKIP_OUTPUT}
    taken |= {i.name for i in node.plan.inputs}
    taken |= {x.param for x in node.xcom_inputs} | {c.param for c in node.control_inputs}
    taken |= {output.name for output in node.outputs.values()}
    taken |= set(node.artifacts.xcom_outputs.values())
    taken |= bound_names(node.plan.body)
    return taken


def _rename_clashing_outputs(node) -> None:
    """An XCom output artifact is a parameter of the component function: it must not shadow a name the body uses."""
    if not node.artifacts.xcom_outputs:
        return
    taken = _taken_names(node) - set(node.artifacts.xcom_outputs.values())
    for key, name in list(node.artifacts.xcom_outputs.items()):
        if name in taken:
            new = unique(name, taken | {output.name for output in node.outputs.values()})
            node.artifacts.xcom_outputs[key] = new
            node.outputs[key] = node.outputs[key]._replace(name=new)
        taken.add(node.artifacts.xcom_outputs[key])


def bound_names(body: str) -> Set[str]:
    """Names a component body binds at its own level (imports, assignments, defs), not inside nested functions."""
    try:
        tree = ast.parse("def _body():\n" + textwrap.indent(body, "    "))
    except SyntaxError:
        return set()
    found: Set[str] = set()

    def visit(statements):
        for statement in statements:
            for node in _walk_scope(statement):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    found.add(node.name)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    found.update((a.asname or a.name).split(".")[0] for a in node.names)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    found.add(node.id)

    visit(tree.body[0].body)
    return found


def _walk_scope(node: ast.AST):
    """ast.walk that does not enter nested functions, classes, lambdas or comprehensions."""
    yield node
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
                         ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        return
    for child in ast.iter_child_nodes(node):
        yield from _walk_scope(child)


def _call_start(body: str, callable_name: str) -> Optional[int]:
    """Index of the body line where the top-level statement calling the task's callable starts
    (the last statement when none is found: the plan contract ends the body with that call)."""
    try:
        tree = ast.parse("def _body():\n" + textwrap.indent(body, "    "))
    except SyntaxError:
        return None
    statements = tree.body[0].body
    if not statements:
        return None
    runners = {"_airflow_call_python", "_airflow_sensor", callable_name}
    chosen = statements[-1]
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        calls = [n for n in _walk_scope(statement) if isinstance(n, ast.Call)]
        if any(isinstance(c.func, ast.Name) and c.func.id in runners for c in calls):
            chosen = statement
    start = min([chosen.lineno] + [d.lineno for d in getattr(chosen, "decorator_list", [])])
    return start - 2  # minus the def line, 0-based


# ---------------------------------------------------------------- code (called by render.py)
def signature_params(node) -> List[str]:
    """Output artifact parameters of the component function."""
    found = [f"{name}: dsl.Output[dsl.Artifact]" for name in node.artifacts.xcom_outputs.values()]
    tracking = node.artifacts.tracking
    if tracking:
        found.append(f"{tracking.metrics_param}: dsl.Output[dsl.Metrics]")
        if tracking.model_param:
            found.append(f"{tracking.model_param}: dsl.Output[dsl.Model]")
    return found


def input_type(node, param: str, collected: bool) -> Optional[str]:
    """The annotation of an XCom input carried by an artifact, or None for a parameter."""
    if param not in node.artifacts.xcom_inputs:
        return None
    return "dsl.Input[list[dsl.Artifact]]" if collected else "dsl.Input[dsl.Artifact]"


def input_value(node, param: str, collected: bool) -> Optional[str]:
    """The expression decoding an XCom input carried by an artifact, or None for a parameter."""
    if param not in node.artifacts.xcom_inputs:
        return None
    if collected:  # every map index's value
        return f"[_xcom_from_artifact(artifact) for artifact in {param}]"
    return f"_xcom_from_artifact({param})"


def write_outputs(node, results: str = "results", skipped: str = "skipped") -> List[str]:
    """Statements writing the XCom output artifacts (also for a skipped task: null)."""
    outputs = node.artifacts.xcom_outputs
    if not outputs:
        return []
    mapping = "{" + ", ".join(f"{key!r}: {name}" for key, name in outputs.items()) + "}"
    return [f"_xcom_to_artifacts({results}, {skipped}, {mapping})"]


def wrap_body(node, body: str) -> str:
    """The body with the call of the callable inside `with _mlflow_to_kfp(...)` when the task tracks to MLflow."""
    tracking = node.artifacts.tracking
    if not tracking:
        return body
    lines = body.split("\n")
    start = _call_start(body, node.task.callable.name)
    arguments = tracking.metrics_param + (f", {tracking.model_param}" if tracking.model_param else "")
    head, tail = "\n".join(lines[:start]), "\n".join(lines[start:])
    wrapped = [
        "# MLflow tracking calls also land in this task's KFP artifacts (run-time helper _mlflow_to_kfp)",
        f"with _mlflow_to_kfp({arguments}):",
        indent_code(tail, "    "),
    ]
    return "\n".join(([head] if head.strip() else []) + wrapped)


def helpers(node) -> List[str]:
    """Run-time helpers (runtime.py) the component needs for its artifacts."""
    found = []
    if node.artifacts is None:
        return found
    if node.artifacts.tracking:
        found.append("_mlflow_to_kfp")
    if node.artifacts.xcom_outputs:
        found.append("_xcom_to_artifacts")
    if node.artifacts.xcom_inputs:
        found.append("_xcom_from_artifact")
    return found
