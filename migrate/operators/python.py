"""PythonOperator, @task and @task.python -> a lightweight component that runs the callable.

The callable's source and what it needs from its module (imports, constants, helpers: the
parser's `prelude`) go inside the component. The Airflow context (ds, ti, params, ...) comes from a
small run-time shim built from pipeline parameters; ti.xcom_pull with literal arguments reads wired
inputs; ti.xcom_push(key=...) and the return value become outputs.
"""
from __future__ import annotations

import ast
import re
from typing import Optional

from kfmigrate.migrate import environment, ir
from kfmigrate.migrate import local_modules
from kfmigrate.migrate.operators import (
    PLACEHOLDER, ArgTable, Case, ComponentPlan, DirectCall, MapContext, PipelineInput, handled, mapper,
)
from kfmigrate.migrate.operators.common import (
    ArgBuilder, callable_part, context_part, iter_values, mapping_values, module_constants, no_callable, param_name,
    pushes_in_code, raise_first, return_kind, sequence_values, unbound_names, value_has_jinja, xcom_refs_of,
)
from kfmigrate.migrate.plan import (
    CallableCode, CallPython, Decoded, Expr, HelperCall, InputName, MappingOf, ParamValue, PyValue, Rendered, SequenceOf,
)

# What the Python rule carries over; the rules built on map_python (branches, virtualenv, container
# decorators) extend this table.
ARGS = ArgTable.of(handled("python_callable", "op_args", "op_kwargs", "templates_dict", "templates_exts",
                           "show_return_value_in_logs"))


@mapper("PythonOperator", "@task", "@task.python", "@setup", "@teardown", args=ARGS)
def map_python(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    taskflow = task.operator.startswith("@")
    plan = ComponentPlan(mapping=f"{task.operator} -> Python lightweight component")
    if task.callable is None:
        return no_callable(task, ctx, plan)

    args = ArgBuilder(ctx)
    context = context_part(task, ctx, args)
    if taskflow:
        op_args = tuple(args.value(_template_files(v, task, ctx), param_name(task, i), rendered=True)
                        for i, v in enumerate(task.call_args))
        op_kwargs = tuple((None if k == "**" else k, args.value(_template_files(v, task, ctx), k)) for k, v in task.call_kwargs.items())
    else:
        op_args = sequence_values(_template_files(task.args.get("op_args"), task, ctx), args, "op_args")
        op_kwargs = mapping_values(_template_files(task.args.get("op_kwargs"), task, ctx), args, "op_kwargs")
    templates = _template_files(task.args.get("templates_dict"), task, ctx)  # @task(templates_dict=...) too
    templates_dict = args.value(templates, "templates_dict") if templates is not None else None

    multiple = bool(task.multiple_outputs or task.args.get("multiple_outputs") == ir.Literal(True))
    code, airflow_modules = callable_part(task.callable)
    bound_args, bound_kwargs = None, ()
    if task.bound_args or task.bound_kwargs:  # python_callable=functools.partial(f, ...): bound as Airflow has it
        bound_args = tuple(args.value(v, f"bound_{i}", rendered=False) for i, v in enumerate(task.bound_args))
        bound_kwargs = tuple((k, args.value(v, k, rendered=False)) for k, v in task.bound_kwargs.items())
        plan.differences.append("python_callable is a functools.partial: the component binds the same arguments to the function.")
    plan.parts = [context, CallPython(task.callable.name, code, op_args, op_kwargs, templates_dict, multiple, bound_args, bound_kwargs)]
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

    for source in dynamic_pushes:
        plan.diagnostics.append(ctx.diagnostic(task, "KFM204", f"xcom_push with a computed key is not passed on to other tasks: {source}"))
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
        raise_first(plan, "FileNotFoundError", f"kfmigrate: {message} (task {task.task_id})")
    if not (args.dynamic or missing or airflow_modules or plan.may_skip or plan.packages or multiple or pushed
            or dynamic_pushes or templates is not None):
        plan.direct = _direct_call(task, ctx, code, taskflow)
    plan.unresolved = args.dynamic  # the registry's finishing step makes the placeholder
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


def _direct_call(task: ir.Task, ctx: MapContext, code: CallableCode, taskflow: bool) -> Optional[DirectCall]:
    """The direct tier's call of the callable, or None when the callable needs the Airflow runtime."""
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
        op_args = [args.value(v, param_name(task, i)) for i, v in enumerate(task.call_args)]
        op_kwargs = {k: args.value(v, k) for k, v in task.call_kwargs.items()}
    else:
        positional = task.args.get("op_args")
        if isinstance(positional, ir.Literal) and isinstance(positional.value, (list, tuple)):
            positional = ir.Composite("list", tuple(ir.Literal(item) for item in positional.value))
        if positional is not None and not (isinstance(positional, ir.Composite) and positional.kind in ("list", "tuple")):
            return None
        op_args = [args.value(item, param_name(task, i)) for i, item in enumerate(positional.items if positional else ())]
        op_kwargs = {"**" if key is None else key: value for key, value in mapping_values(task.args.get("op_kwargs"), args, "op_kwargs")}
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
    if args.dynamic or any(_needs_runtime(value) for value in (*op_args, *keywords.values())):
        return None  # rendered strings, JSON-carried literals: the runtime tier's helpers handle them
    return DirectCall(code, callable_.name, tuple(op_args), tuple(keywords.items()), args.inputs)


def _needs_runtime(value: Expr) -> bool:
    """A value only the runtime tier's helpers give (rendered, decoded, read from the context)."""
    if isinstance(value, (Rendered, Decoded, ParamValue, HelperCall)):
        return True
    if isinstance(value, PyValue):  # a literal naming a helper: as the text check did before
        return bool(re.search(r"(?<!\w)(_airflow\w*|_from_json|_ints_back)(?!\w)", repr(value.value)))
    if isinstance(value, SequenceOf):
        return any(_needs_runtime(item) for item in value.items)
    if isinstance(value, MappingOf):
        return any(_needs_runtime(part) for key, item in value.items for part in (key, item) if part is not None)
    return False


def _direct_params(function, task: ir.Task, ctx: MapContext, args: ArgBuilder) -> Optional[MappingOf]:
    """`params` for a direct call: the DAG params it reads (params['x'], params.get('x')) as inputs."""
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
        items.append((PyValue(key), InputName(args.add_input(pipeline_name, ctx.param_type(key), PipelineInput(pipeline_name)))))
    task_params = task.args.get("params")
    if isinstance(task_params, ir.Literal) and task_params.value:
        items.append((None, PyValue(task_params.value)))
    return MappingOf(tuple(items))


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
    exts = task.args.get("templates_exts")
    if not (isinstance(exts, ir.Literal) and isinstance(exts.value, list) and exts.value):
        return []
    values = (*task.call_args, *task.call_kwargs.values(), *(task.args.get(k) for k in ("op_args", "op_kwargs", "templates_dict")))
    texts = [v.value if isinstance(v, ir.Literal) else v.text for value in values if value is not None
             for v in iter_values(value) if isinstance(v, (ir.Literal, ir.Template))]
    texts = [t for v in texts for t in (v if isinstance(v, (list, tuple)) else v.values() if isinstance(v, dict) else [v])]
    return [t for t in dict.fromkeys(texts) if isinstance(t, str) and t.endswith(tuple(exts.value))
            and environment.template_file(t, ctx.workflow.path) is None]


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
        body='''\
_op_args = []
_op_kwargs = {'name': name}
# The task callable (cases/python.py:6:1).
def greet(name, greeting="hello"):
''',
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
        body='''\
_op_args = [xcom[('extract', 'return_value')]]
''',
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
        body='''\
results, skipped = _airflow_call_python(
    _airflow, report, _op_args, _op_kwargs, templates_dict={'day': _airflow_render('{{ ds }}', _airflow.context)},
)
''',
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
        body='''\
_airflow = _airflow_runtime(
    dag_id='scaled', task_id='times', logical_date=logical_date, run_id=run_id,
    params={'factor': param_factor}, xcom=xcom,
)
_op_args = [value, by]
''',
    ),
]
