"""DAG-level on_success_callback / on_failure_callback -> a dsl.ExitHandler around the pipeline.

The exit task runs after every task, whatever happened, and learns the run's outcome from
`dsl.PipelineTaskFinalStatus`; it then calls the DAG's success or failure callbacks with an
Airflow-like context (`_airflow_runtime`), as Airflow's DAG processor does after a run ends.
Like Airflow, an exception in a callback is logged and does not change the run's outcome.
"""
from __future__ import annotations

import dataclasses
from typing import List, Optional, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.emit import environment as environments
from kfmigrate.migrate.emit import component_body, runtime
from kfmigrate.migrate.emit.text import indent_code
from kfmigrate.migrate.operators import Input, MapContext
from kfmigrate.migrate.operators.common import ArgBuilder, context_part

CARRIED = ("on_success_callback", "on_failure_callback")
STATUS_PARAM = "run_status"


def exit_component(workflow: ir.Workflow, ctx: MapContext, function: str,
                   environment: environments.Environment) -> Optional[Tuple[str, List[Input]]]:
    """(component code, inputs) of the exit task, or None when the DAG has no carried callbacks."""
    callbacks = {name: tuple(found) for name, found in (workflow.callbacks or {}).items() if name in CARRIED and found}
    if not callbacks:
        return None
    stand_in = ir.Task(function, "dag callbacks", "", {}, workflow.span, "")
    args = ArgBuilder(ctx)
    lines = [component_body.render([dataclasses.replace(context_part(stand_in, ctx, args), xcom=False)])]
    codes = [c.source for found in callbacks.values() for c in found] + [p for found in callbacks.values() for c in found for p in c.prelude]
    bindings = component_body.shim_bindings(codes)
    if bindings:
        lines.append("# Airflow names the callbacks use, provided by the kfmigrate run-time shim.")
        lines.append(bindings)
    seen = set()
    for found in callbacks.values():
        for callback in found:
            for snippet in callback.prelude:
                if snippet not in seen:
                    seen.add(snippet)
                    lines.append(component_body.rewrite_airflow_imports(snippet).rstrip())
            if callback.source not in seen:
                seen.add(callback.source)
                where = f" ({callback.span})" if callback.span else ""
                lines.append(f"# DAG callback{where}.")
                lines.append(component_body.rewrite_airflow_imports(callback.source).rstrip())
    success = ", ".join(c.name for c in callbacks.get("on_success_callback", ()))
    failure = ", ".join(c.name for c in callbacks.get("on_failure_callback", ()))
    lines += [
        f"succeeded = {STATUS_PARAM}.state == 'SUCCEEDED'",
        "context = dict(_airflow.context, reason='success' if succeeded else 'task_failure')",
        f"callbacks = [{success}] if succeeded else [{failure}]",
        "for callback in callbacks:",
        "    try:",
        "        callback(context)",
        "    except Exception:  # Airflow logs a failing callback; the run's outcome stays",
        "        import traceback",
        "        traceback.print_exc()",
    ]
    params = [f"{STATUS_PARAM}: dsl.PipelineTaskFinalStatus"] + [f"{i.name}: {i.type}" for i in args.inputs]
    doc = (f'"""The DAG\'s {" and ".join(callbacks)} ({workflow.dag_id!r}): runs after every task '
           '(dsl.ExitHandler) and calls the callbacks for the outcome."""')
    # callbacks get the whole context, so every optional part of it too
    helpers = ["_airflow_runtime", *runtime.OPTIONAL_PARTS]
    imported = environments.runtime_import(environment, helpers)
    code = (environments.decorator(environment, helpers) + "\n"
            f"def {function}(\n" + "".join(f"    {p},\n" for p in params) + "):\n"
            + "\n".join("    " + line if line.strip() else line
                        for block in [doc] + ([imported] if imported else []) + lines for line in block.splitlines()))
    return code, args.inputs


def differences(workflow: ir.Workflow) -> List[str]:
    carried = [name for name in (workflow.callbacks or {}) if name in CARRIED]
    if not carried:
        return []
    return [f"DAG {' and '.join(carried)}: an exit task (dsl.ExitHandler) calls them after the run with an "
            "Airflow-like context (dag_run, params, dates; no task instances)."]


# ---------------------------------------------------------------- task-level callbacks
TASK_CALLBACKS = ("on_execute_callback", "on_success_callback", "on_failure_callback", "on_retry_callback",
                  "on_skipped_callback")
RETRY_INDEX_PARAM = "airflow_retry_index"  # Argo's {{retries}} on a KFP cluster (0 on the first attempt)
ATTEMPTS_PARAM = "airflow_attempts"  # an OutputPath file counting attempts (kfp.local keeps it between attempts)


def needs_attempt(task: ir.Task) -> bool:
    """Does the task's failure path depend on which attempt failed (retry or final failure)?"""
    found = task.callbacks or {}
    return bool(task.retry.retries) and bool(found.get("on_failure_callback") or found.get("on_retry_callback"))


def wrap_task_body(task: ir.Task, body: str) -> Optional[str]:
    """The component body with the task's callbacks around its work, as Airflow 3's task runner calls
    them in the worker process: on_execute before the work, on_success / on_skipped (AirflowSkipException)
    after it, on_retry or on_failure (context["exception"] set) when it raises, then the error goes on.
    A failing callback is logged and changes nothing. None when the body builds no Airflow context.
    """
    callbacks = {name: tuple(found) for name, found in (task.callbacks or {}).items() if name in TASK_CALLBACKS and found}
    if not callbacks:
        return None
    split = _after_context(body)
    if split is None:
        return None
    head, rest = split
    codes = [c.source for found in callbacks.values() for c in found] + [p for found in callbacks.values() for c in found for p in c.prelude]
    lines = ["# Task callbacks: Airflow 3 runs them in the task's process, around its work"]
    bindings = component_body.shim_bindings(codes)
    if bindings:
        lines.append(bindings)
    seen = set()
    for found in callbacks.values():
        for callback in found:
            for snippet in (*callback.prelude, callback.source):
                if snippet not in seen:
                    seen.add(snippet)
                    lines.append(component_body.rewrite_airflow_imports(snippet).rstrip())
    mapping = ", ".join(f"{name!r}: [{', '.join(c.name for c in found)}]" for name, found in callbacks.items())
    lines.append(f"_callbacks = {{{mapping}}}")
    retries = int(task.retry.retries or 0)
    if needs_attempt(task):
        lines.append(f"_airflow.context['ti'].try_number = _airflow_attempt({RETRY_INDEX_PARAM}, {ATTEMPTS_PARAM})")
    lines.append("_airflow_task_callbacks(_callbacks, 'on_execute_callback', _airflow.context)")
    failed_kind = "'on_failure_callback'"
    if retries:  # Airflow: up for retry while try_number <= retries, unless AirflowFailException
        failed_kind = (f"'on_retry_callback' if _airflow.context['ti'].try_number <= {retries} and not "
                       "isinstance(_error, _airflow.AirflowFailException) else 'on_failure_callback'")
    lines += [
        "try:",
        indent_body(rest),
        "except Exception as _error:",
        f"    _airflow_task_callbacks(_callbacks, {failed_kind}, dict(_airflow.context, exception=_error))",
        "    raise",
        "_airflow_task_callbacks(_callbacks, 'on_skipped_callback' if skipped else 'on_success_callback',",
        "                        dict(_airflow.context, exception=None))  # Airflow's finalize sets it, None here",
    ]
    return head.rstrip("\n") + "\n" + "\n".join(lines)


def with_try_number(body: str) -> Optional[str]:
    """The component body with the context's try number counted (`_airflow_attempt`) right after the
    context is built; None when the body builds no Airflow context."""
    split = _after_context(body)
    if split is None:
        return None
    head, rest = split
    line = f"_airflow.context['ti'].try_number = _airflow_attempt({RETRY_INDEX_PARAM}, {ATTEMPTS_PARAM})"
    return head.rstrip("\n") + "\n" + line + "\n" + rest


def carried_task_callbacks(task: ir.Task) -> List[str]:
    return [name for name, found in (task.callbacks or {}).items() if name in TASK_CALLBACKS and found]


def _after_context(body: str) -> Optional[Tuple[str, str]]:
    """Split a component body after the statement building `_airflow` (top level), or None."""
    import ast

    try:
        tree = ast.parse(body)
    except SyntaxError:
        return None
    for statement in tree.body:
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name) and statement.targets[0].id == "_airflow"
                and isinstance(statement.value, ast.Call) and getattr(statement.value.func, "id", "") == "_airflow_runtime"):
            lines = body.split("\n")
            rest = "\n".join(lines[statement.end_lineno:])
            if not rest.strip() or "results, skipped" not in rest:
                return None
            return "\n".join(lines[:statement.end_lineno]), rest
    return None


def indent_body(code: str) -> str:
    return indent_code(code, "    ")
