"""DAG-level on_success_callback / on_failure_callback -> a dsl.ExitHandler around the pipeline.

The exit task runs after every task, whatever happened, and learns the run's outcome from
`dsl.PipelineTaskFinalStatus`; it then calls the DAG's success or failure callbacks with an
Airflow-like context (`_airflow_runtime`), as Airflow's DAG processor does after a run ends.
Like Airflow, an exception in a callback is logged and does not change the run's outcome.
"""
from __future__ import annotations

import dataclasses
from typing import List, Optional, Tuple

from migrate import ir
from migrate.operators import Input, MapContext
from migrate.operators.common import ArgBuilder, context_inputs, rewrite_airflow_imports, shim_bindings

CARRIED = ("on_success_callback", "on_failure_callback")
STATUS_PARAM = "run_status"


def exit_component(workflow: ir.Workflow, ctx: MapContext, function: str) -> Optional[Tuple[str, List[Input]]]:
    """(component code, inputs) of the exit task, or None when the DAG has no carried callbacks."""
    callbacks = {name: tuple(found) for name, found in (workflow.callbacks or {}).items() if name in CARRIED and found}
    if not callbacks:
        return None
    stand_in = ir.Task(function, "dag callbacks", "", {}, workflow.span, "")
    args = ArgBuilder(ctx)
    lines = [context_inputs(stand_in, ctx, args).replace("xcom=xcom", "xcom={}")]
    codes = [c.source for found in callbacks.values() for c in found] + [p for found in callbacks.values() for c in found for p in c.prelude]
    bindings = shim_bindings(codes)
    if bindings:
        lines.append("# Airflow names the callbacks use, provided by the kfmigrate run-time shim.")
        lines += bindings
    seen = set()
    for found in callbacks.values():
        for callback in found:
            for snippet in callback.prelude:
                if snippet not in seen:
                    seen.add(snippet)
                    lines.append(rewrite_airflow_imports(snippet)[0].rstrip())
            if callback.source not in seen:
                seen.add(callback.source)
                where = f" ({callback.span})" if callback.span else ""
                lines.append(f"# DAG callback{where}.")
                lines.append(rewrite_airflow_imports(callback.source)[0].rstrip())
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
    code = ("@dsl.component(base_image=BASE_IMAGE, additional_funcs=[_airflow_runtime])\n"
            f"def {function}(\n" + "".join(f"    {p},\n" for p in params) + "):\n"
            + "\n".join("    " + line if line.strip() else line for block in [doc] + lines for line in block.splitlines()))
    return code, args.inputs


def differences(workflow: ir.Workflow) -> List[str]:
    carried = [name for name in (workflow.callbacks or {}) if name in CARRIED]
    if not carried:
        return []
    return [f"DAG {' and '.join(carried)}: an exit task (dsl.ExitHandler) calls them after the run with an "
            "Airflow-like context (dag_run, params, dates; no task instances)."]
