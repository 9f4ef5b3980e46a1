"""The run-time helpers at conversion time: which ones a component needs and their source text.

The helpers themselves live in the kfmigrate-runtime package (runtime/kfmigrate_runtime/), which
components import (`--runtime package`) or whose function sources the emitter copies into the
generated module (`--runtime inline`, listed in `@dsl.component(additional_funcs=[...])`).
They reproduce what an Airflow task sees: the template context (ds, ts, params, macros, var ...),
`ti.xcom_pull` / `ti.xcom_push`, Jinja rendering of templated fields, the way PythonOperator calls
its callable, the way BashOperator runs its command (exit 99 = skipped) and how trigger rules
react to skipped upstream tasks.
"""
from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

try:
    import kfmigrate_runtime
except ImportError:  # a source checkout run without installing: the package sits in runtime/
    sys.path.append(str(Path(__file__).resolve().parents[2] / "runtime"))
    import kfmigrate_runtime

# The helpers in copy order (a component gets the ones it uses).
HELPERS = ("_airflow_runtime", "_airflow_xcom", "_airflow_pendulum", "_airflow_macros", "_airflow_variables",
           "_airflow_render", "_airflow_call_python", "_airflow_run_bash", "_airflow_should_skip", "_airflow_branch_ids",
           "_airflow_not_followed", "_airflow_map_items", "_kfp_outputs", "_ints_back", "_from_json", "_airflow_sensor",
           "_airflow_run_operator", "_airflow_trigger_pipeline", "_airflow_assets", "_airflow_kfp_api",
           "_airflow_external_task_poke", "_airflow_hitl_wait", "_mlflow_to_kfp", "_xcom_to_artifacts",
           "_xcom_from_artifact", "_airflow_task_callbacks", "_airflow_attempt", "_kfp_local_modules",
           "_airflow_trigger", "_airflow_failed_for_good", "_airflow_dag_run_state")
VERSION = kfmigrate_runtime.__version__
DISTRIBUTION = "kfmigrate-runtime"

_SOURCES = {}


def helper(name: str):
    """The helper function itself (the emitter runs _airflow_map_items on literal items)."""
    return getattr(kfmigrate_runtime, name)


def helper_source(name: str) -> str:
    """The source text of one helper, as copied into generated files (read once per process)."""
    if name not in _SOURCES:
        import inspect

        _SOURCES[name] = inspect.getsource(helper(name))
    return _SOURCES[name]


def __getattr__(name: str):
    """runtime._airflow_map_items and friends: the package's helpers, under this module's old names."""
    if name in HELPERS:
        return helper(name)
    raise AttributeError(name)


def source_dir() -> Path:
    """The folder holding the kfmigrate_runtime package source (shipped inside kfmigrate)."""
    return Path(kfmigrate_runtime.__file__).resolve().parent


# The optional parts of _airflow_runtime's context and the words by which code reaches each. A
# component embeds one only when its code (or a constant it renders) says one of its words.
OPTIONAL_PARTS = {
    "_airflow_xcom": ("ti", "task_instance", "xcom_push", "xcom_pull"),
    "_airflow_pendulum": ("add", "subtract", "in_timezone", "in_tz", "start_of", "end_of", "to_date_string",
                          "to_datetime_string", "to_iso8601_string", "format", "int_timestamp", "day_of_week",
                          "day_of_year"),
    "_airflow_macros": ("macros",),
    "_airflow_variables": ("var", "conn", "Variable"),
}
# Code that can reach the whole context, or hand it to code the converter cannot read, gets them all:
# ** (a callable taking **kwargs gets every entry), the context itself, introspection.
WHOLE_CONTEXT = ("context", "kwargs", "get_current_context", "locals", "globals", "vars", "dir", "getattr",
                 "hasattr", "eval", "exec", "__dict__", "__class__", "__import__", "import_module")
# Helpers that pass the context to no code but the component's own (any other one gets them all).
CONTEXT_CONTAINED = ("_airflow_runtime", "_airflow_render", "_airflow_call_python", "_airflow_run_bash",
                     "_airflow_should_skip", "_airflow_branch_ids", "_airflow_not_followed", "_airflow_map_items",
                     "_kfp_outputs", "_ints_back", "_from_json", "_airflow_sensor", "_airflow_trigger",
                     "_airflow_failed_for_good", "_airflow_dag_run_state")


def optional_parts(code: str, constants: dict) -> list:
    """The optional parts a component whose body is `code` can reach (names of OPTIONAL_PARTS).

    constants: the component's inputs whose values are written into the pipeline (name -> text).
    All of them when the code reaches the whole context, imports a module outside the standard
    library (its code may get context values), calls a helper that hands the context on, or
    renders a value that is not a constant (a TaskFlow bash command, say), whose Jinja is unknown.
    """
    return list(_optional_parts(code, tuple(sorted(constants.items()))))


_OPTIONAL_PARTS_FOUND = {}  # (code, constants) -> parts: the emitter asks for the module and the component


# The context inputs of a component (pipeline parameters handed to _airflow_runtime) and the words by
# which code reaches them: a component whose code says none of them does not take them.
CONTEXT_INPUTS = {
    "dates": ("ds", "ds_nodash", "ts", "ts_nodash", "ts_nodash_with_tz", "logical_date", "data_interval_start",
              "data_interval_end", "dag_run", "task_instance_key_str", "run_id", "ti", "task_instance",
              "execution_date", "prev_ds", "next_ds", "now"),
    "params": ("params",),
}


def context_inputs_reached(code: str, constants: dict) -> list:
    """Which CONTEXT_INPUTS ("dates": logical_date and run_id, "params") code can reach (as optional_parts)."""
    return list(_optional_parts(code, tuple(sorted(constants.items())), "inputs"))


def _optional_parts(code, constant_items, kind="parts"):
    key = (code, constant_items, kind)
    if key not in _OPTIONAL_PARTS_FOUND:
        if len(_OPTIONAL_PARTS_FOUND) > 4096:
            _OPTIONAL_PARTS_FOUND.clear()
        groups = OPTIONAL_PARTS if kind == "parts" else CONTEXT_INPUTS
        _OPTIONAL_PARTS_FOUND[key] = tuple(_find_optional_parts(code, dict(constant_items), groups))
    return _OPTIONAL_PARTS_FOUND[key]


@functools.lru_cache(maxsize=64)
def _words_pattern(words: tuple):
    return re.compile(r"(?<!\w)(%s)(?!\w)" % "|".join(map(re.escape, words)))


# What makes the syntax-tree scan below answer "every part": an import, a helper that reaches the whole
# context, a render of a computed template. Code that names none of them is not parsed (code that does
# not parse is refused as a whole by the emitter's final check anyway).
_GIVES_EVERY = re.compile("|".join(["import", "_airflow_render"] + sorted(set(HELPERS) - set(CONTEXT_CONTAINED))))


def _find_optional_parts(code, constants, groups=OPTIONAL_PARTS):
    import ast
    import textwrap

    def says(words, text):
        return _words_pattern(words).search(text) is not None

    def constant(node):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_from_json" and node.args:
            node = node.args[0]
        if isinstance(node, ast.Name):
            return node.id in constants
        try:
            ast.literal_eval(node)
            return True
        except ValueError:
            return False

    every = list(groups)
    own_use = code.replace("_airflow.context", "_airflow")  # the emitter's: to render and call helpers
    if "**" in code or says(WHOLE_CONTEXT, own_use):  # before parsing: the cheap answer first
        return every
    if _GIVES_EVERY.search(code):  # else nothing the syntax tree could show (half the components)
        try:
            tree = ast.parse(textwrap.dedent(code))
        except SyntaxError:
            return every
        for node in _walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if getattr(node, "level", 0) or any(m.split(".")[0] not in sys.stdlib_module_names for m in modules):
                    return every
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in HELPERS:
                if node.func.id not in CONTEXT_CONTAINED:
                    return every
                if node.func.id == "_airflow_render" and not (node.args and constant(node.args[0])):
                    return every
    text = code + "\n" + "\n".join(constants.values())
    return [part for part, words in groups.items() if says(words, text)]


def _walk(tree):
    """ast.walk(tree), the same nodes in the same order, with ast.iter_child_nodes inlined: every
    component's code is walked, and the generators were most of the time of the walk."""
    import ast
    from collections import deque

    node_type = ast.AST
    todo = deque([tree])
    while todo:
        node = todo.popleft()
        for name in node._fields:
            child = getattr(node, name, None)
            if isinstance(child, node_type):
                todo.append(child)
            elif isinstance(child, list):
                todo.extend(item for item in child if isinstance(item, node_type))
        yield node
