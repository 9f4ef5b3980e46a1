"""Names in generated code: Python identifiers, KFP and file names, and the names already taken.

Both the operator mappers (migrate/operators) and the emitter (migrate/emit) name things; this
module sits below both, so neither imports the other for it.
"""
from __future__ import annotations

import keyword
import re
from typing import Set

# Names a component body binds itself: the mappers' bodies (`results`, `skipped`, `xcom`, `_airflow`
# ...) and the code the emitter writes around them (`_outputs`, `_state`, the loop item's `_json` and
# `_envelope`). A component input, XCom parameter or skip flag never takes one.
BODY_NAMES = frozenset({
    "xcom", "results", "skipped", "_airflow", "_op_args", "_op_kwargs", "_outputs", "command", "returned",
    "output_processor", "_state", "_json", "_envelope",
})
# Module-level names of a generated pipeline module the emitter always may define (the run-time
# helpers and the environment's constants come on top: migrate/emit/nodes.py MODULE_NAMES).
MODULE_NAMES = frozenset({"BASE_IMAGE", "no_task_runs", "NamedTuple", "Path", "compiler", "dsl", "kubernetes"})
# Parameters every pipeline function has, besides the DAG params.
PIPELINE_PARAMETERS = ("logical_date", "run_id")


def identifier(text: str, fallback: str = "value") -> str:
    """A lowercase snake_case Python identifier made from any text."""
    name = re.sub(r"[^0-9a-z_]+", "_", str(text).lower())
    name = re.sub(r"_+", "_", name).strip("_") or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    return name


def unique(base: str, taken: Set[str]) -> str:
    """`base`, else base_2, base_3 ...: the first one not in `taken`, which it joins."""
    name, index = base, 2
    while name in taken:
        name, index = f"{base}_{index}", index + 1
    taken.add(name)
    return name


def pipeline_name(dag_id: str) -> str:
    """A KFP pipeline name: lowercase letters, digits and dashes, at most 128 characters."""
    name = re.sub("-+", "-", re.sub("[^-0-9a-z]+", "-", dag_id.lower())).strip("-")[:128].strip("-")
    return name or "pipeline"


def k8s_name(function_name: str) -> str:
    """The task name KFP gives a component function (kfp.dsl.utils.maybe_rename_for_k8s)."""
    return re.sub("-+", "-", re.sub("[^-0-9a-z]+", "-", function_name.lower())).strip("-")


def yaml_name(dag_id: str) -> str:
    """The file name a DAG's compiled pipeline gets (unsafe file-name characters replaced)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", dag_id) + ".yaml"
