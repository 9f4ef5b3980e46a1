"""One component per distinct callable or operator configuration.

A loop over endpoints in a DAG file, or a callable called three times, gives tasks whose components
differ only in their name, docstring and (runtime tier) the Airflow task id they pass to the runtime.
Those tasks call one component: the first task's, with the task id as its input `task_id`; every
other difference is already an input (literal arguments, templates, upstream values).

KFP names a pipeline's tasks after their component, adding "-2", "-3" ... in the order the pipeline
function creates them (kfp.dsl.utils.make_name_unique_by_adding_index); name_tasks repeats that, so
the report's `kfp_task` is the compiled spec's key.
"""
from __future__ import annotations

import re
import textwrap
from typing import Callable, Dict, List

from kfmigrate.migrate.emit.direct import DIRECT, RUNTIME
from kfmigrate.migrate.naming import k8s_name

TASK_ID = "task_id"
_PLACEHOLDER_DOC = '"""-"""'


def task_id_as_input(task_id: str, body: str) -> str:
    """The body with its own task id, handed to the runtime, read from the input `task_id`."""
    return body.replace(f", task_id={task_id!r}, logical_date=", f", task_id={TASK_ID}, logical_date=", 1)


def share(components: List, render: Callable) -> Dict[str, str]:
    """Group tasks by component shape; set node.component (and node.task_id_input) on every member of a
    group of two or more. Returns {task id of a group's first task: the shared component's code}.

    render(node, docstring, task_id_input) -> component code."""
    groups: Dict[str, list] = {}
    for node in components:
        if node.tier not in (DIRECT, RUNTIME) or node.gate_function or node.container is not None:
            continue
        if TASK_ID in {i.name for i in node.plan.inputs} | {x.param for x in node.xcom_inputs}:
            continue
        by_id = node.tier == RUNTIME and task_id_as_input(node.task.task_id, node.plan.body) != node.plan.body
        shape = render(node, _PLACEHOLDER_DOC, by_id).replace(f"def {node.function}(", "def _(", 1)
        groups.setdefault(shape, []).append((node, by_id))
    shared = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        first, by_id = members[0]
        for node, _by_id in members:
            node.component, node.task_id_input = first.function, by_id
        shared[first.task.task_id] = render(first, _docstring([node for node, _b in members]), by_id)
    return shared


def _docstring(nodes: List) -> str:
    ids = ", ".join(repr(node.task.task_id) for node in nodes)
    operators = ", ".join(dict.fromkeys(node.task.operator for node in nodes))
    text = f"Airflow tasks {ids} ({operators}), the first from {nodes[0].task.span}."
    if nodes[0].plan.description:
        text += "\n\n" + nodes[0].plan.description.strip()
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if len(text) <= 90 and "\n" not in text:
        return f'"""{text}"""'
    lines = [line for paragraph in text.split("\n") for line in (textwrap.wrap(paragraph, 100) or [""])]
    # continuation lines sit inside the string (indent_code leaves them): indented here
    return '"""' + lines[0] + "\n" + "".join(f"    {line}\n" if line else "\n" for line in lines[1:]) + '    """'


def name_tasks(components: List, pipeline: str, module: str) -> None:
    """Set node.kfp_task: the name KFP gives each task, in the order the pipeline function creates them."""
    functions = set(re.findall(r"^def (\w+)\(", module, re.M))
    taken: List[str] = []
    by_variable: Dict[str, str] = {}
    for line in pipeline.splitlines():
        found = re.match(r"\s*(?:(\w+) = )?(\w+)\(", line)
        if not found or found.group(2) not in functions:
            continue
        name, index = k8s_name(found.group(2)), 2
        unique = name
        while unique in taken:
            unique, index = f"{name}-{index}", index + 1
        taken.append(unique)
        if found.group(1):
            by_variable[found.group(1)] = unique
    for node in components:
        node.kfp_task = by_variable.get(node.variable)
