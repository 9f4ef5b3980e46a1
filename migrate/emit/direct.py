"""The direct tier: tasks whose callable needs nothing of Airflow become plain components.

A callable that takes no context, pulls no XCom beyond its arguments, cannot be skipped and renders
no template (the python mapper's DirectCall) runs as a KFP engineer would write it: a
`@dsl.component` whose inputs are the values the call passes (its arguments, the DAG params it
reads), with KFP types, one output (`Output`) and no kfmigrate runtime. The emitter confirms what
only the whole graph knows: no skip decision or dsl.If region, no stand-in values, parameter XComs.
Every other task keeps the runtime tier (it imports kfmigrate_runtime, or carries it inline).
"""
from __future__ import annotations

from typing import Dict, List

from kfmigrate.migrate.emit import component_body
from kfmigrate.migrate.emit.text import indent_function_body
from kfmigrate.migrate.naming import BODY_NAMES
from kfmigrate.migrate.plan import XcomValue

DIRECT, RUNTIME, CONTAINER = "direct", "runtime", "container"
OUTPUT = "Output"  # the name KFP gives a component's single return value


def choose(components: List, nodes: Dict, transport: str) -> None:
    """Set node.tier for every component; direct ones get their inputs and single output now."""
    for node in components:
        node.tier = CONTAINER if node.container is not None else RUNTIME
        if _fits(node, transport):
            node.tier = DIRECT
            node.plan.inputs = list(node.plan.direct.inputs)
            _name_value_inputs(node)
            key = "return_value"
            if key in node.outputs:
                node.outputs[key] = node.outputs[key]._replace(name=OUTPUT)
                for reader in nodes.values():  # readers were wired to the runtime tier's output name
                    reader.xcom_inputs = [x._replace(output=OUTPUT) if (x.producer, x.key) == (node.task.task_id, key) else x
                                          for x in reader.xcom_inputs]
            node.differences.append("Direct tier: a plain component calls the callable with its own inputs; it needs "
                                    "no Airflow context, so none is rebuilt (nothing of kfmigrate runs in it).")


def _name_value_inputs(node) -> None:
    """An upstream value passed whole as an argument takes the name of the parameter it binds (`rows`, not
    `fetch_users__return_value`), so the tasks of a loop, each reading its own upstream task, share a component."""
    direct = node.plan.direct
    bound = {arg: name for arg, name in zip(direct.args, node.task.callable.params) if isinstance(arg, XcomValue)}
    bound.update({value: name for name, value in direct.kwargs if isinstance(value, XcomValue)})
    taken = {i.name for i in node.plan.inputs} | {x.param for x in node.xcom_inputs} | BODY_NAMES | {"json"}
    taken |= _top_level_names(component_body.callable_code(direct.code))
    renamed = []
    for xcom in node.xcom_inputs:
        name = bound.get(XcomValue(xcom.producer, xcom.key))
        if name and name not in taken:
            taken.add(name)
            xcom = xcom._replace(param=name)  # component_code puts it (decoded when JSON) where the call reads the value
        renamed.append(xcom)
    node.xcom_inputs = renamed


def _fits(node, transport: str) -> bool:
    direct = node.plan.direct
    if direct is None or node.container is not None or transport != "parameter" or node.plan.fidelity != "native":
        return False
    if (node.loop is not None or node.skip_check or node.skip_output or node.regions or node.xcom_none
            or node.carries_state or node.reads_states  # failure as data: migrate/emit/trigger_rules.py
            or node.xcom_skip_flags or node.attempts_output or node.local_modules or node.collected_from
            or node.decision_lines or set(node.outputs) - {"return_value"}):
        return False
    if f"def {node.task.callable.name}(" not in node.plan.body or "_airflow_task_callbacks" in node.plan.body:
        return False  # the body was changed after mapping (callbacks carried, modules embedded)
    names = {i.name for i in direct.inputs}
    params = {x.param for x in node.xcom_inputs}
    # the DAG file's code runs in the component's scope before the call: it must not rebind an input
    code = component_body.callable_code(direct.code)
    return not (names & params or (names | params) & (BODY_NAMES | _top_level_names(code) | {"json"}))


def _top_level_names(code: str) -> set:
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return {"json"}  # never direct then: every input name clashes with nothing, so refuse by name
    found = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(statement.name)
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            found |= {(a.asname or a.name).split(".")[0] for a in statement.names}
        else:
            found |= {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return found


def component_code(node, decorator: str, docstring: str, function: str) -> str:
    """The direct component: its inputs, the callable's code, and the call returning its one output."""
    direct = node.plan.direct
    values, needs_json = {}, False
    for xcom in node.xcom_inputs:
        values[(xcom.producer, xcom.key)] = f"json.loads({xcom.param})" if xcom.kind == "json" else xcom.param
        needs_json = needs_json or xcom.kind == "json"
    call = component_body.direct_call(direct.target, direct.args, direct.kwargs, values)
    params = [f"{i.name}: {i.type}" for i in node.plan.inputs]
    params += [f"{x.param}: {'str' if x.kind == 'json' else x.kind}" for x in node.xcom_inputs]
    returns = ""
    result = call
    if "return_value" in node.outputs:
        kind = node.outputs["return_value"].kind
        returns = f" -> {'str' if kind == 'json' else kind}"
        if kind == "json":  # no plain annotation: the value crosses as JSON text, as the runtime tier sends it
            result, needs_json = f"json.dumps({call}, default=str)", True
    signature = f"def {function}({', '.join(params)}){returns}:"
    if len(signature) > 100:
        signature = f"def {function}(\n" + "".join(f"    {p},\n" for p in params) + f"){returns}:"
    body = [docstring] + (["import json", ""] if needs_json else []) + [component_body.callable_code(direct.code), f"return {result}"]
    return decorator + "\n" + signature + "\n" + indent_function_body(body)
