"""BashOperator and @task.bash -> a lightweight component that runs the command with bash.

The command (and env, cwd) are rendered with Jinja at run time from the Airflow context shim, then
run with `bash -c` through subprocess, so the task works on kfp.local and on clusters alike.
As in Airflow: a non-zero exit fails the task, exit code 99 (skip_on_exit_code) marks it skipped,
and the last line of output is the return value XCom.
"""
from __future__ import annotations

import ast
import builtins
import dataclasses

from kfmigrate.migrate import environment, ir
from kfmigrate.migrate.operators import PLACEHOLDER, ArgTable, Case, ComponentPlan, MapContext, handled, mapper, renamed
from kfmigrate.migrate.operators.common import (
    ArgBuilder, callable_part, context_part, no_callable, param_name, value_has_jinja, xcom_refs_of,
)
from kfmigrate.migrate.plan import CallPython, Fail, RunBash

ARGS = ArgTable.of(handled("bash_command", "env", "append_env", "output_encoding", "skip_on_exit_code", "cwd",
                           "output_processor"),
                   renamed("skip_exit_code", "skip_on_exit_code"))  # Airflow 2's name


@mapper("@task.bash", args=ARGS.extended(handled("python_callable")))
@mapper("BashOperator", args=ARGS)
def map_bash(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    decorated = task.operator == "@task.bash"
    plan = ComponentPlan(mapping=f"{task.operator} -> bash lightweight component")
    args = ArgBuilder(ctx)
    parts: list = [context_part(task, ctx, args)]
    uses_jinja = any(value_has_jinja(v) for v in (*task.args.values(), *task.call_args, *task.call_kwargs.values()))

    command, returned = None, None
    if decorated:
        if task.callable is None:
            return no_callable(task, ctx, plan)
        op_args = tuple(args.value(v, param_name(task, i)) for i, v in enumerate(task.call_args))
        op_kwargs = tuple((None if k == "**" else k, args.value(v, k)) for k, v in task.call_kwargs.items())
        code, _modules = callable_part(task.callable)
        returned = CallPython(task.callable.name, code, op_args, op_kwargs)
        plan.packages = ["jinja2"]  # the returned command is rendered like any template
        plan.differences.append("The command the function returns is rendered with Jinja at run time, as in Airflow.")
    else:
        command = task.args.get("bash_command")
        if command is None:
            plan.fidelity = PLACEHOLDER
            plan.diagnostics.append(ctx.diagnostic(task, "KFM202", "BashOperator without bash_command", "error"))
            plan.parts = [Fail("ValueError", f"kfmigrate: {task.task_id} has no bash_command")]
            plan.finished = True
            return plan
        text = command.text if isinstance(command, ir.Template) else command.value if isinstance(command, ir.Literal) else ""
        if isinstance(text, str) and text.endswith((".sh", ".bash")):  # "run.sh " (a trailing space) is a command
            # Airflow reads the script beside the DAG file (or in template_searchpath) and runs it rendered
            path = environment.template_file(text, ctx.workflow.path)
            if path is None:
                message = f"bash_command script {text!r} is neither beside the DAG file nor in its template_searchpath"
                plan.fidelity = PLACEHOLDER
                plan.diagnostics.append(ctx.diagnostic(task, "KFM221", message + ": Airflow fails the task (TemplateNotFound), so does the component"))
                parts.insert(0, Fail("FileNotFoundError", f"kfmigrate: {message}"))
            else:
                command, uses_jinja = ir.Template(path.read_text(encoding="utf-8")), True
                plan.differences.append(f"The script {text!r} was read at conversion time and is rendered at run time as "
                                        "Airflow renders it: changes to the file need a new conversion.")
        command = args.value(command, 'bash_command')
        if uses_jinja:
            plan.packages = ["jinja2"]

    env = task.args.get("env")
    cwd = task.args.get("cwd")
    skip = task.args.get("skip_on_exit_code")
    encoding = task.args.get("output_encoding")
    append_env = task.args.get("append_env")
    run = RunBash(
        command, returned,
        env=args.value(env, "env_vars") if env is not None else None,
        append_env=isinstance(append_env, ir.Literal) and bool(append_env.value),
        cwd=args.value(cwd, "cwd") if cwd is not None else None,
        skip_on_exit_code=args.value(skip, "skip_on_exit_code", rendered=False) if skip is not None else None,
        output_encoding=args.value(encoding, "output_encoding", rendered=False) if encoding is not None else None,
    )

    plan.outputs = {"return_value": "str"}
    processor = task.args.get("output_processor")
    if processor is not None:
        code = _processor_code(processor)
        if code:
            run = dataclasses.replace(run, processor=code)
            plan.outputs["return_value"] = "json"
        else:
            plan.diagnostics.append(ctx.diagnostic(task, "KFM202", f"output_processor {getattr(processor, 'source', processor)!r} is ignored (only json.loads and self-contained lambdas are carried over)"))
            plan.differences.append("output_processor is not applied: the return value is the raw last line.")
    multiple = task.multiple_outputs or task.args.get("multiple_outputs") == ir.Literal(True)
    do_xcom_push = task.args.get("do_xcom_push")
    push = not (isinstance(do_xcom_push, ir.Literal) and do_xcom_push.value is False)
    if not push:
        plan.outputs = {}
    plan.parts = parts + [dataclasses.replace(run, multiple_outputs=bool(multiple), push=push)]
    plan.inputs = args.inputs
    plan.xcom_refs = xcom_refs_of(task)
    plan.helpers = ["_airflow_runtime", "_airflow_render", "_airflow_run_bash"] + (["_airflow_call_python"] if decorated else [])
    plan.may_skip = not (isinstance(skip, ir.Literal) and skip.value in (None, []))
    plan.description = task.doc
    plan.differences.append("The command runs in the component's image (python:3.11-slim by default): tools it calls must be installed there.")
    plan.unresolved = args.dynamic
    return plan


def _processor_code(value) -> str:
    """Python for an output_processor that can travel: json.loads, or a lambda using only builtins/json."""
    source = getattr(value, "source", "")
    if source == "json.loads":
        return "__import__('json').loads"
    try:
        node = ast.parse(source, mode="eval").body
    except SyntaxError:
        return ""
    if not isinstance(node, ast.Lambda):
        return ""
    params = {a.arg for a in node.args.args}
    free = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - params - set(dir(builtins))
    if free - {"json"}:
        return ""
    return f"(lambda: ({source}))()" if "json" not in free else f"(lambda json: ({source}))(__import__('json'))"


CASES = [
    Case(
        name="templated bash command",
        dag='''
from datetime import datetime
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("bash_tpl", start_date=datetime(2024, 1, 1), schedule="@daily", params={"who": "kfp"}):
    BashOperator(task_id="say", bash_command="echo {{ ds }} {{ params.who }}")
''',
        task_id="say",
        fragments=("_airflow_run_bash(_airflow, command)", "packages_to_install=RUNTIME_PACKAGES + ['jinja2==", "bash_command='echo {{ ds }} {{ params.who }}'"),
        body='''\
command = _airflow_render(bash_command, _airflow.context)
results, skipped = _airflow_run_bash(_airflow, command)
''',
    ),
    Case(
        name="env, append_env and cwd",
        dag='''
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("bash_env", schedule=None):
    BashOperator(task_id="env", bash_command="echo $GREETING", env={"GREETING": "hi"}, append_env=True, cwd="/tmp")
''',
        task_id="env",
        fragments=("env=env_vars", "append_env=True", "cwd=cwd"),
        body='''\
command = bash_command
results, skipped = _airflow_run_bash(_airflow, command, env=env_vars, append_env=True, cwd=cwd)
''',
    ),
    Case(
        name="task.bash returns its command",
        dag='''
from airflow.sdk import dag, task

@dag(schedule=None)
def bash_deco():
    @task.bash
    def run(n: int) -> str:
        return f"echo {n}"
    run(3)

bash_deco()
''',
        task_id="run",
        fragments=("returned, skipped = _airflow_call_python(_airflow, run, _op_args, _op_kwargs)",),
        body='''\
returned, skipped = _airflow_call_python(_airflow, run, _op_args, _op_kwargs)
if not skipped and (not isinstance(returned["return_value"], str) or not returned["return_value"].strip()):
    raise TypeError("The returned value from the TaskFlow callable must be a non-empty string.")
command = "" if skipped else _airflow_render(returned["return_value"], _airflow.context)
if not skipped:
    results, skipped = _airflow_run_bash(_airflow, command)
else:
    results = {}
''',
    ),
    Case(
        name="script file command",
        dag='''
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("bash_file", schedule=None):
    BashOperator(task_id="script", bash_command="run.sh")
''',
        task_id="script",
        fidelity=PLACEHOLDER,
        codes=("KFM221",),
        body='''\
raise FileNotFoundError("kfmigrate: bash_command script 'run.sh' is neither beside the DAG file nor in its template_searchpath")
_airflow = _airflow_runtime(
''',
    ),
    Case(
        name="exit 99 reaches dependants as a skip flag",
        dag='''
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("bash_skip", schedule=None):
    maybe = BashOperator(task_id="maybe", bash_command="exit 99")
    after = BashOperator(task_id="after", bash_command="echo after")
    cleanup = BashOperator(task_id="cleanup", bash_command="echo done", trigger_rule="all_done")
    maybe >> [after, cleanup]
''',
        task_id="cleanup",
        # all_done runs whatever maybe did: maybe's failure is carried as data (airflow_state), `after`
        # decides from it as Airflow would, and the DAG run state task fails the run when Airflow's would
        fragments=("_airflow_trigger('all_success', [maybe_state])", "cleanup_task.after(maybe_task)",
                   "maybe_state=maybe_task.outputs['airflow_state']", "_airflow_dag_run_state({'after': [after_state], "),
    ),
    Case(
        name="variables and connections come from the environment",
        dag='''
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("bash_vars", schedule=None):
    BashOperator(task_id="uses", bash_command="echo {{ var.value.target }} {{ conn.warehouse.host }}")
''',
        task_id="uses",
        codes=("KFM209",),
    ),
    Case(
        name="retries and timeout",
        dag='''
from datetime import timedelta
from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("bash_retry", schedule=None, default_args={"retries": 2, "retry_delay": timedelta(minutes=1)}):
    BashOperator(task_id="flaky", bash_command="echo", execution_timeout=timedelta(minutes=5), retry_exponential_backoff=True)
''',
        task_id="flaky",
        fragments=('flaky_task.set_retry(num_retries=2, backoff_duration="60s", backoff_factor=2.0)',
                   "kubernetes.set_timeout(flaky_task, 300)"),
    ),
]
