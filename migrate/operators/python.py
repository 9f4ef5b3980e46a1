"""PythonOperator, @task and @task.python -> a lightweight component that runs the callable.

The callable's source and what it needs from its module (imports, constants, helpers: the
parser's `prelude`) go inside the component. The Airflow context (ds, ti, params, ...) comes from a
small run-time shim built from pipeline parameters; ti.xcom_pull with literal arguments reads wired
inputs; ti.xcom_push(key=...) and the return value become outputs.
"""
from __future__ import annotations

from migrate import environment, ir
from migrate import local_modules
from typing import Optional

from migrate.operators import PLACEHOLDER, Case, ComponentPlan, DirectCall, MapContext, PipelineInput, mapper
from migrate.operators.common import (
    ArgBuilder, callback_diagnostics, context_inputs, external_needs_diagnostics, ignored_arg_diagnostics,
    module_constants, pushes_in_code, return_kind, rewrite_airflow_imports, shim_bindings, unbound_names,
    unresolved_pull_diagnostics, value_has_jinja, xcom_refs_of,
)

OWN_ARGS = {"python_callable", "op_args", "op_kwargs", "templates_dict", "templates_exts", "show_return_value_in_logs"}


@mapper("PythonOperator", "@task", "@task.python", "@setup", "@teardown")
def map_python(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    taskflow = task.operator.startswith("@")
    plan = ComponentPlan(mapping=f"{task.operator} -> Python lightweight component")
    if task.callable is None:
        return _no_callable(task, ctx, plan)

    args = ArgBuilder(ctx)
    lines = [context_inputs(task, ctx, args)]
    if taskflow:
        op_args = [args.expr(_template_files(v, task, ctx), _param_name(task, i), rendered=True)
                   for i, v in enumerate(task.call_args)]
        op_kwargs = {k: args.expr(_template_files(v, task, ctx), k) for k, v in task.call_kwargs.items()}
    else:
        op_args = _sequence_exprs(_template_files(task.args.get("op_args"), task, ctx), args, "op_args")
        op_kwargs = _mapping_exprs(_template_files(task.args.get("op_kwargs"), task, ctx), args, "op_kwargs")
    templates = _template_files(task.args.get("templates_dict"), task, ctx)  # @task(templates_dict=...) too
    templates_dict = args.expr(templates, "templates_dict") if templates is not None else "None"
    # Arguments are evaluated before the DAG file's code runs, so its names cannot shadow inputs.
    lines.append("_op_args = [" + ", ".join(op_args) + "]")
    lines.append("_op_kwargs = {" + ", ".join(f"**{v}" if k == "**" else f"{k!r}: {v}" for k, v in op_kwargs.items()) + "}")

    multiple = bool(task.multiple_outputs or task.args.get("multiple_outputs") == ir.Literal(True))
    code, airflow_modules = _callable_code(task.callable)
    lines.append(code)
    options = (f", templates_dict={templates_dict}" if templates_dict != "None" else "") + (", multiple_outputs=True" if multiple else "")
    target = task.callable.name
    if task.bound_args or task.bound_kwargs:  # python_callable=functools.partial(f, ...): bound as Airflow has it
        bound = [args.expr(v, f"bound_{i}", rendered=False) for i, v in enumerate(task.bound_args)]
        bound += [f"{k}={args.expr(v, k, rendered=False)}" for k, v in task.bound_kwargs.items()]
        lines.append("import functools as _functools")
        lines.append(f"_callable = _functools.partial({', '.join([target] + bound)})")
        target = "_callable"
        plan.differences.append("python_callable is a functools.partial: the component binds the same arguments to the function.")
    call = f"results, skipped = _airflow_call_python(_airflow, {target}, _op_args, _op_kwargs{options})"
    if len(call) > 100:
        call = f"results, skipped = _airflow_call_python(\n    _airflow, {target}, _op_args, _op_kwargs{options},\n)"
    lines.append(call)
    plan.body = "\n".join(lines)
    plan.inputs = args.inputs
    plan.xcom_refs = xcom_refs_of(task)
    plan.helpers = ["_airflow_runtime", "_airflow_render", "_airflow_call_python"]
    plan.outputs = {"return_value": return_kind(task.callable.return_annotation)}
    all_code = "\n".join((task.callable.source, *task.callable.prelude))
    pushed, dynamic_pushes = pushes_in_code(all_code, module_constants(task.callable.prelude))
    for key in pushed:
        plan.outputs.setdefault(key, "json")
    plan.may_skip = "AirflowSkipException" in all_code
    if (any(value_has_jinja(v) for v in (*task.call_args, *task.call_kwargs.values(), *task.args.values(), templates))
            or "templates_exts" in task.args or "render_template" in all_code):  # template files, task.render_template
        plan.packages = ["jinja2"]
    if task.doc:
        plan.description = task.doc

    plan.diagnostics += unresolved_pull_diagnostics(task, ctx)
    for source in dynamic_pushes:
        plan.diagnostics.append(ctx.diagnostic(task, "KFM204", f"xcom_push with a computed key is not passed on to other tasks: {source}"))
    for found in (callback_diagnostics(task, ctx), external_needs_diagnostics(task, ctx)):
        plan.diagnostics += found[0]
        plan.differences += found[1]
    diagnostics, differences = ignored_arg_diagnostics(task, ctx, OWN_ARGS)
    plan.diagnostics += diagnostics
    plan.differences += differences
    # Small pure-Python Airflow modules (airflow.example_dags.libs.helper ...) travel with the component
    # like modules next to the DAG file (migrate/local_modules.py): no Airflow needed for them.
    airflow_modules = [m for m in airflow_modules if not local_modules.embeddable_airflow(m)]
    if airflow_modules:
        plan.diagnostics.append(ctx.diagnostic(
            task, "KFM210", f"the callable imports {', '.join(airflow_modules)}: the component image needs apache-airflow for that"))
        plan.differences.append(f"Imports from {', '.join(airflow_modules)} need Airflow installed in the component image.")
    missing = unbound_names(task.callable)
    embedded = local_modules.embedded_airflow_names(ctx.workflow.path, missing)
    missing = [name for name in missing if name not in embedded]
    if missing:
        plan.diagnostics.append(ctx.diagnostic(
            task, "KFM210", f"the callable uses names not defined in the DAG file ({', '.join(missing)}); "
            "imports from airflow are not carried into components"))
        plan.differences.append(f"Names {', '.join(missing)} are not available inside the component.")
    if plan.outputs["return_value"] == "json":
        plan.differences.append("The return value crosses to other tasks as JSON text (tuples become lists, other objects their str()).")
    for name in missing_template_files(task, ctx):
        message = f"template file {name!r} is neither beside the DAG file nor in its template_searchpath"
        plan.fidelity = PLACEHOLDER
        plan.diagnostics.append(ctx.diagnostic(task, "KFM221", message + ": Airflow fails the task (TemplateNotFound), so does the component"))
        plan.body = f"raise FileNotFoundError({('kfmigrate: ' + message + ' (task ' + task.task_id + ')')!r})\n" + plan.body
    if not (args.dynamic or missing or airflow_modules or plan.may_skip or plan.packages or multiple or pushed
            or dynamic_pushes or templates is not None):
        plan.direct = _direct_call(task, ctx, code, taskflow)
    if args.dynamic:
        plan.fidelity = PLACEHOLDER
        message = "argument cannot be resolved statically: " + "; ".join(args.dynamic)
        plan.diagnostics.append(ctx.diagnostic(task, "KFM110", message))
        plan.body = f"raise RuntimeError({('kfmigrate: ' + message + ' (task ' + task.task_id + ')')!r})\n" + plan.body
    return plan


# What Airflow hands a callable by parameter name (the template context), besides `params`
CONTEXT_NAMES = {"dag", "task", "ti", "task_instance", "run_id", "macros", "var", "conn", "dag_run", "logical_date",
                 "ds", "ds_nodash", "ts", "ts_nodash", "ts_nodash_with_tz", "data_interval_start", "data_interval_end",
                 "task_instance_key_str", "inlets", "outlets", "templates_dict", "conf", "test_mode", "expanded_ti_count",
                 "prev_data_interval_start_success", "prev_data_interval_end_success", "prev_start_date_success",
                 "prev_end_date_success", "start_date", "triggering_asset_events", "outlet_events", "inlet_events",
                 "map_index_template", "params"}
# Code with these words reaches Airflow (the context, XCom, skips, assets) or needs the runtime's help
NEEDS_RUNTIME = ("get_current_context", "xcom", "Airflow", "airflow", "render_template", "mlflow", "context", "Asset",
                 "Metadata", "outlet_events", "inlet_events", "Variable")


def _direct_call(task: ir.Task, ctx: MapContext, code: str, taskflow: bool) -> Optional[DirectCall]:
    """The direct tier's call of the callable, or None when the callable needs the Airflow runtime."""
    import ast
    import re

    callable_ = task.callable
    if re.search(r"(?<!\w)(%s)" % "|".join(NEEDS_RUNTIME), "\n".join((callable_.source, *callable_.prelude))):
        return None
    if task.mapping is not None or task.callbacks or callable_.var_keyword or "params" in task.args and not (
            isinstance(task.args["params"], ir.Literal) and isinstance(task.args["params"].value, dict)):
        return None
    try:
        function = ast.parse(callable_.source).body[0]
    except (SyntaxError, IndexError):
        return None
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or isinstance(function, ast.AsyncFunctionDef):
        return None
    arguments = function.args
    if arguments.vararg or arguments.kwarg or arguments.posonlyargs:
        return None
    args = ArgBuilder(ctx)
    if taskflow:
        op_args = [args.expr(v, _param_name(task, i)) for i, v in enumerate(task.call_args)]
        op_kwargs = {k: args.expr(v, k) for k, v in task.call_kwargs.items()}
    else:
        positional = task.args.get("op_args")
        if isinstance(positional, ir.Literal) and isinstance(positional.value, (list, tuple)):
            positional = ir.Composite("list", tuple(ir.Literal(item) for item in positional.value))
        if positional is not None and not (isinstance(positional, ir.Composite) and positional.kind in ("list", "tuple")):
            return None
        op_args = [args.expr(item, _param_name(task, i)) for i, item in enumerate(positional.items if positional else ())]
        op_kwargs = _mapping_exprs(task.args.get("op_kwargs"), args, "op_kwargs")
    if "**" in op_kwargs:
        return None
    names = [a.arg for a in arguments.args] + [a.arg for a in arguments.kwonlyargs]
    positional_names = [a.arg for a in arguments.args]
    if len(op_args) > len(positional_names):
        return None
    bound = set(positional_names[:len(op_args)]) | set(op_kwargs)
    keywords = dict(op_kwargs)
    for name in names:
        if name in bound or name not in CONTEXT_NAMES:
            continue  # an argument, or a parameter Airflow leaves to its default
        if name != "params":
            return None
        keywords["params"] = _direct_params(function, task, ctx, args)
        if keywords["params"] is None:
            return None
    if any(key not in names for key in keywords):
        return None  # Airflow would fail on an unexpected keyword; the runtime tier reproduces that
    parts = op_args + [f"{key}={value}" for key, value in keywords.items()]
    call = f"{callable_.name}({', '.join(parts)})"
    if args.dynamic or re.search(r"(?<!\w)(_airflow\w*|_from_json|_ints_back)(?!\w)", call):
        return None  # rendered strings, JSON-carried literals: the runtime tier's helpers handle them
    return DirectCall(code, call, args.inputs)


def _direct_params(function, task: ir.Task, ctx: MapContext, args: ArgBuilder) -> Optional[str]:
    """`params` for a direct call: the DAG params it reads (params['x'], params.get('x')) as inputs."""
    import ast

    read, whole = [], False
    parents = {child: node for node in ast.walk(function) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(function):
        if not (isinstance(node, ast.Name) and node.id == "params" and isinstance(node.ctx, ast.Load)):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Subscript) and isinstance(parent.slice, ast.Constant) and isinstance(parent.slice.value, str):
            read.append(parent.slice.value)
        elif (isinstance(parent, ast.Attribute) and parent.attr == "get" and isinstance(parents.get(parent), ast.Call)
              and parents[parent].args and isinstance(parents[parent].args[0], ast.Constant)):
            read.append(str(parents[parent].args[0].value))
        else:
            whole = True
    keys = list(ctx.param_inputs) if whole else list(dict.fromkeys(read))
    items = []
    for key in keys:
        if key not in ctx.param_inputs:
            continue
        pipeline_name = ctx.param_inputs[key]
        if ctx.param_type(key) in ("list", "dict"):
            return None  # KFP hands their ints over as floats: the runtime tier turns them back
        items.append(f"{key!r}: {args.add_input(pipeline_name, ctx.param_type(key), PipelineInput(pipeline_name))}")
    task_params = task.args.get("params")
    if isinstance(task_params, ir.Literal) and task_params.value:
        items.append(f"**{task_params.value!r}")
    return "{" + ", ".join(items) + "}"


def _template_files(templates, task: ir.Task, ctx: MapContext):
    """Values of the templated fields (templates_dict, op_args, op_kwargs) naming a file with one of
    templates_exts: Airflow renders the file's content (from the DAG's folder), so the file is read
    now and its content is the template."""
    exts = task.args.get("templates_exts")
    if not (isinstance(exts, ir.Literal) and isinstance(exts.value, list) and exts.value):
        return templates

    def content(value):
        text = value.value if isinstance(value, ir.Literal) else value.text if isinstance(value, ir.Template) else None
        if not isinstance(text, str) or not text.endswith(tuple(exts.value)):
            return value
        path = environment.template_file(text, ctx.workflow.path)
        if path is None:
            return value  # Airflow fails the task (TemplateNotFound); missing_template_files says so
        return ir.Template(path.read_text(encoding="utf-8"))

    if isinstance(templates, ir.Literal) and isinstance(templates.value, dict):
        templates = ir.Composite("dict", tuple((ir.Literal(k), ir.Literal(v)) for k, v in templates.value.items()))
    if isinstance(templates, ir.Literal) and isinstance(templates.value, (list, tuple)):
        templates = ir.Composite("list", tuple(ir.Literal(v) for v in templates.value))
    if isinstance(templates, ir.Composite) and templates.kind == "dict":
        return ir.Composite("dict", tuple((key, content(value)) for key, value in templates.items))
    if isinstance(templates, ir.Composite) and templates.kind in ("list", "tuple"):
        return ir.Composite(templates.kind, tuple(content(value) for value in templates.items))
    return content(templates)


def missing_template_files(task: ir.Task, ctx: MapContext) -> list:
    """Values of templated fields naming a file with one of templates_exts that is neither beside the DAG
    file nor in its template_searchpath: Airflow fails such a task with TemplateNotFound."""
    from migrate.operators.common import iter_values

    exts = task.args.get("templates_exts")
    if not (isinstance(exts, ir.Literal) and isinstance(exts.value, list) and exts.value):
        return []
    values = (*task.call_args, *task.call_kwargs.values(), *(task.args.get(k) for k in ("op_args", "op_kwargs", "templates_dict")))
    texts = [v.value if isinstance(v, ir.Literal) else v.text for value in values if value is not None
             for v in iter_values(value) if isinstance(v, (ir.Literal, ir.Template))]
    texts = [t for v in texts for t in (v if isinstance(v, (list, tuple)) else v.values() if isinstance(v, dict) else [v])]
    return [t for t in dict.fromkeys(texts) if isinstance(t, str) and t.endswith(tuple(exts.value))
            and environment.template_file(t, ctx.workflow.path) is None]


def _param_name(task: ir.Task, index: int) -> str:
    params = task.callable.params if task.callable else ()
    return params[index] if index < len(params) else f"arg_{index}"


def _sequence_exprs(value, args: ArgBuilder, hint: str) -> list:
    if value is None:
        return []
    if isinstance(value, ir.Literal) and isinstance(value.value, (list, tuple)):
        return [args.expr(ir.Literal(item), f"{hint}_{i}") for i, item in enumerate(value.value)]
    if isinstance(value, ir.Composite) and value.kind in ("list", "tuple"):
        return [args.expr(item, f"{hint}_{i}") for i, item in enumerate(value.items)]
    return [f"*{args.expr(value, hint)}"]


def _mapping_exprs(value, args: ArgBuilder, hint: str) -> dict:
    if value is None:
        return {}
    if isinstance(value, ir.Literal) and isinstance(value.value, dict):
        return {str(k): args.expr(ir.Literal(v), str(k)) for k, v in value.value.items()}
    if isinstance(value, ir.Composite) and value.kind == "dict":
        found = {}
        for key, item in value.items:
            name = key.value if isinstance(key, ir.Literal) else f"{hint}_{len(found)}"
            found[str(name)] = args.expr(item, str(name))
        return found
    return {"**": args.expr(value, hint)}


def _callable_code(callable_: ir.CallableSource) -> tuple:
    """The prelude and the callable, airflow imports of shimmed names rewritten, with a header."""
    parts, modules = [], []
    bindings = shim_bindings((callable_.source, *callable_.prelude))
    if bindings:
        parts.append("# Airflow names the callable uses, provided by the kfmigrate run-time shim.")
        parts += bindings
    if callable_.prelude:
        parts.append("# From the DAG file: imports, constants and helpers the callable uses.")
        for snippet in callable_.prelude:
            code, found = rewrite_airflow_imports(snippet)
            parts.append(code.rstrip())
            modules += found
    where = f" ({callable_.span})" if callable_.span else ""
    parts.append(f"# The task callable{where}.")
    code, found = rewrite_airflow_imports(callable_.source)
    parts.append(code.rstrip())
    modules += found
    return "\n".join(parts), list(dict.fromkeys(modules))


def _no_callable(task: ir.Task, ctx: MapContext, plan: ComponentPlan) -> ComponentPlan:
    message = f"the python_callable of {task.task_id!r} was not found in the file"
    plan.fidelity = PLACEHOLDER
    plan.mapping = f"{task.operator} -> placeholder (callable not found)"
    plan.diagnostics.append(ctx.diagnostic(task, "KFM117", message))
    plan.body = f"raise NotImplementedError({('kfmigrate: ' + message + '. Original source:' + chr(10) + task.source)!r})"
    plan.differences.append("The task cannot run: its callable was not found statically.")
    return plan


CASES = [
    Case(
        name="python operator with op_kwargs",
        dag='''
from datetime import datetime
from airflow import DAG
from airflow.operators.python import PythonOperator

def greet(name, greeting="hello"):
    print(f"{greeting} {name}")
    return f"{greeting} {name}"

with DAG("py_op", start_date=datetime(2024, 1, 1), schedule=None):
    PythonOperator(task_id="greet", python_callable=greet, op_kwargs={"name": "world"})
''',
        task_id="greet",
        # the direct tier: a plain component with the inputs the call passes, no Airflow runtime
        fragments=("def greet(name, greeting=\"hello\"):", "def greet(name: str) -> str:",
                   "return json.dumps(greet(name=name), default=str)", "greet_task = greet(name='world')"),
    ),
    Case(
        name="taskflow xcom between tasks",
        dag='''
from airflow.sdk import dag, task

@dag(schedule=None)
def flow():
    @task
    def extract() -> dict:
        return {"a": 1}

    @task
    def load(data: dict) -> int:
        return len(data)

    load(extract())

flow()
''',
        task_id="load",
        fragments=("return load(json.loads(data))", "def load(data: str) -> int:"),
    ),
    Case(
        name="xcom_push and xcom_pull through the context",
        dag='''
from airflow.sdk import DAG
from airflow.providers.standard.operators.python import PythonOperator

def push(**context):
    context["ti"].xcom_push(key="rows", value=3)

def pull(ti):
    return ti.xcom_pull(task_ids="push", key="rows")

with DAG("xc", schedule=None):
    a = PythonOperator(task_id="push", python_callable=push)
    b = PythonOperator(task_id="pull", python_callable=pull)
    a >> b
''',
        task_id="pull",
        fragments=("xcom = {('push', 'rows'): _from_json(push__rows)}",),
    ),
    Case(
        name="get_current_context is provided by the shim",
        dag='''
from airflow.decorators import dag, task

@dag(schedule=None)
def ctx_dag():
    @task
    def show():
        from airflow.operators.python import get_current_context
        return get_current_context()["ds"]
    show()

ctx_dag()
''',
        task_id="show",
        fragments=("get_current_context = _airflow.get_current_context",),
    ),
    Case(
        name="templates_dict is rendered and reaches the callable",
        dag='''
from airflow.operators.python import PythonOperator
from airflow import DAG

def report(templates_dict, **kwargs):
    return templates_dict["day"]

with DAG("tpl_dict", schedule=None):
    PythonOperator(task_id="report", python_callable=report, templates_dict={"day": "{{ ds }}"})
''',
        task_id="report",
        fragments=("templates_dict={'day': _airflow_render('{{ ds }}', _airflow.context)}", "packages_to_install=RUNTIME_PACKAGES + ['jinja2=="),
    ),
    Case(
        name="setup runs as an ordinary task, teardown after its work whatever happened",
        dag='''
from airflow.sdk import dag, setup, task, teardown

@dag(schedule=None)
def st():
    @setup
    def create():
        return "resource"

    @teardown
    def delete():
        print("deleted")

    @task
    def work():
        print("working")

    create() >> work() >> delete()

st()
''',
        task_id="delete",
        # the teardown decides from its work's state (failures carried as data); the DAG run's state
        # comes from the leaf `work`, as Airflow does not count teardowns as leaves
        fragments=("def delete():", "_airflow_trigger('all_done_setup_success', [work_state], [])",
                   "_airflow_dag_run_state({'work': [work_state]})"),
    ),
    Case(
        name="@dag argument used as a task argument",
        dag='''
from airflow.sdk import dag, task

@dag(schedule=None)
def scaled(factor: int = 3):
    @task
    def times(value: int, by) -> int:
        return value * by
    times(2, factor)

scaled()
''',
        task_id="times",
        fragments=("by=factor", ") -> int:"),
    ),
]
