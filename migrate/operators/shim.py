"""The operator shim: any other operator runs as itself inside a KFP lightweight component.

For provider operators (SQLExecuteQueryOperator, S3*, BigQuery*, Http*, ...), provider sensors and
operator classes defined in the DAG file, the component pip-installs apache-airflow and the
operator's provider distribution, builds the operator with the same arguments, lets Airflow
render its templated fields against the kfmigrate context and calls `execute(context)`
(run-time helper `_airflow_run_operator`). The return value and `xcom_push` values become outputs.

Connections: Airflow looks first at `AIRFLOW_CONN_<ID>` environment variables. Every connection the
task names (`*conn_id` arguments, or the provider's default connection) is wired from a Kubernetes
secret `airflow-conn-<id>` (key `uri`) with kfp-kubernetes; Variables read in templates from a
config map `airflow-var-<key>` (key `value`). The report lists the secrets and config maps to create.

Operator classes defined in the DAG file are carried as source: the file is read again (its path is
in the task's span) and the class, the helpers it uses and the airflow imports they need go into
the component. Arguments that are Python expressions (a lambda, a function, a k8s object) are
carried the same way. Fidelity is "shim" (KFM201).
"""
from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from kfmigrate.migrate import environment, ir
from kfmigrate.migrate.environment import provider_distribution
from kfmigrate.migrate.ir import LOCAL_MODULE
from kfmigrate.migrate.local_modules import module_file
from kfmigrate.migrate.operators import PLACEHOLDER, SHIM, Case, ComponentPlan, MapContext, mapper
from kfmigrate.migrate.operators.common import BASE_ARGS_HANDLED, CALLBACK_ARGS, ArgBuilder, context_part, external_needs, xcom_refs_of
from kfmigrate.migrate.operators.placeholder import placeholder_message, placeholder_plan
from kfmigrate.migrate.operators.staticcalls import connection_wiring, variable_config_map, variable_env
from kfmigrate.migrate.parse.callables import ModuleIndex, names_used
from kfmigrate.migrate.parse.positions import Positions
from kfmigrate.migrate.plan import Expr, Fail, PyValue, RunOperator

# Connection a provider's operators use when no *conn_id argument is given.
DEFAULT_CONNECTIONS = {
    "amazon": "aws_default", "google": "google_cloud_default", "http": "http_default", "postgres": "postgres_default",
    "mysql": "mysql_default", "snowflake": "snowflake_default", "databricks": "databricks_default",
    "ssh": "ssh_default", "sftp": "sftp_default", "redis": "redis_default", "mongo": "mongo_default",
    "slack": "slack_api_default", "microsoft-mssql": "mssql_default", "sqlite": "sqlite_default",
    "docker": "docker_default", "ftp": "ftp_default", "oracle": "oracle_default", "trino": "trino_default",
}
# BaseOperator arguments that change how the operator itself runs: passed to it.
PASSED_BASE_ARGS = {"do_xcom_push", "multiple_outputs", "params"}
# Well-known provider classes (anything else reaches the shim through the "*" fallback).
KNOWN_PROVIDER_OPERATORS = (
    "SQLExecuteQueryOperator", "SQLColumnCheckOperator", "SQLTableCheckOperator", "SQLCheckOperator",
    "SQLValueCheckOperator", "SQLIntervalCheckOperator", "SQLThresholdCheckOperator", "SqlSensor",
    "PostgresOperator", "MySqlOperator", "SqliteOperator", "SnowflakeOperator", "SnowflakeSqlApiOperator",
    "SimpleHttpOperator",
    "S3CreateBucketOperator", "S3DeleteBucketOperator", "S3CopyObjectOperator", "S3DeleteObjectsOperator",
    "S3CreateObjectOperator", "S3ListOperator", "S3FileTransformOperator", "S3KeySensor", "S3KeysUnchangedSensor",
    "LocalFilesystemToS3Operator", "S3ToRedshiftOperator", "RedshiftToS3Operator", "AthenaOperator",
    "BigQueryInsertJobOperator", "BigQueryCreateEmptyDatasetOperator", "BigQueryCreateTableOperator",
    "BigQueryDeleteDatasetOperator", "BigQueryDeleteTableOperator", "BigQueryCheckOperator",
    "BigQueryValueCheckOperator", "BigQueryGetDataOperator", "BigQueryTableExistenceSensor",
    "GCSCreateBucketOperator", "GCSDeleteObjectsOperator", "GCSListObjectsOperator", "GCSObjectExistenceSensor",
    "GCSToBigQueryOperator", "LocalFilesystemToGCSOperator", "GCSToGCSOperator",
    "SSHOperator", "SFTPOperator", "SFTPSensor", "SlackWebhookOperator", "SlackAPIPostOperator",
    "DatabricksRunNowOperator", "DatabricksSubmitRunOperator", "SparkSubmitOperator", "SparkSqlOperator",
    "SmoothOperator", "GenericTransfer",
)


def _cannot_run(task: ir.Task, ctx: MapContext, plan: ComponentPlan, why: str) -> ComponentPlan:
    plan.fidelity = PLACEHOLDER
    plan.mapping = f"{task.operator} -> placeholder (the operator shim cannot build it: {why})"
    message = placeholder_message(task, why)
    plan.parts = [Fail("NotImplementedError", message)]
    plan.inputs, plan.outputs, plan.packages, plan.xcom_refs, plan.may_skip = [], {}, [], [], False
    plan.diagnostics.append(ctx.diagnostic(task, "KFM200", f"{why}: placeholder component that fails at run time"))
    plan.differences.append("The task does not run: its placeholder component fails with the original source.")
    plan.finished = True
    return plan


# The shim passes every argument to the operator itself (no table); it wires the operator's connections
# and variables itself; it cannot run at all when an argument is unknown before run time. Any rule that
# names a provider operator takes it from the shim (the shim's priority is the lowest).
SHIM_RULE = dict(args=None, pulls=False, needs=False, unresolved=_cannot_run)


@mapper("*", *KNOWN_PROVIDER_OPERATORS, priority=-1, **SHIM_RULE)
def map_operator_shim(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    """Run the original operator inside the component (the "*" entry is the fallback for any class)."""
    custom = task.module == LOCAL_MODULE or task.operator_file is not None
    where = ("defined in the DAG file" if task.operator_file is None else f"defined in {task.operator_file}") if custom else task.module
    plan = ComponentPlan(mapping=f"{task.operator} -> operator shim (the Airflow operator runs inside a lightweight component)",
                         fidelity=SHIM, description=task.doc)
    if task.operator.startswith("@"):
        return placeholder_plan(task, ctx, f"decorator {task.operator} has no KFP mapping")
    if airflow1_plugin_import(task.module, task.operator):
        return placeholder_plan(task, ctx, f"{task.operator} is imported from {task.module}, Airflow 1's plugin manager, which "
                                "Airflow 2 removed, and the project's plugins/ folder has no such class (KFM126)")
    if task.operator.startswith("Branch"):  # BaseBranchOperator.execute skips tasks through Airflow itself
        return placeholder_plan(task, ctx, f"{task.operator} is a branch operator: its skip logic needs Airflow's "
                                "scheduler, so the shim cannot run it (rewrite it as a @task.branch callable)")
    source = None if custom else environment.operator_source(task.module, task.operator, ctx.workflow.path,
                                                                     ctx.workflow.project_roots)
    if source is not None and not source.resolves:  # a shim that could never start: say why instead
        return placeholder_plan(task, ctx, source.reason, code="KFM219" if source.kind == "removed" else "KFM220")
    args = ArgBuilder(ctx)
    context = context_part(task, ctx, args)
    kwargs: Dict[str, Expr] = {"task_id": PyValue(task.task_id.rsplit(".", 1)[-1])}
    dynamic: Dict[str, str] = {}
    # Deferring (triggerer) and rescheduling (scheduler) need Airflow itself: wait in the pod instead.
    overrides = {}
    if isinstance(task.args.get("deferrable"), ir.Literal) and task.args["deferrable"].value is True:
        overrides["deferrable"] = False
    if isinstance(task.args.get("mode"), ir.Literal) and task.args["mode"].value == "reschedule":
        overrides["mode"] = "poke"
    for name, value in task.args.items():
        if name in CALLBACK_ARGS or name in overrides or (name in BASE_ARGS_HANDLED and name not in PASSED_BASE_ARGS):
            continue
        if name in SQL_ARGS:
            value = _inline_sql_files(task, ctx, plan, value)
        if isinstance(value, ir.Dynamic):
            dynamic[name] = value.source
            continue
        before = len(args.dynamic)
        code = args.value(value, name, rendered=False)  # Airflow renders the operator's own template fields
        if len(args.dynamic) > before:  # a Dynamic inside a list/dict: carry the whole argument as source
            args.dynamic = args.dynamic[:before]
            source = _source_of(value)
            if source is None:
                args.dynamic.append(f"{name}=...")
                continue
            dynamic[name] = source
            continue
        kwargs[name] = code

    module_code, needs_file, file_problem = None, custom or bool(dynamic), None
    if needs_file:
        module_code, dynamic, file_problem = dag_file_code(task, {task.operator} if custom else set(), dynamic)
    if needs_file and module_code is None:
        return _cannot_run(task, ctx, plan, file_problem or "the DAG file cannot be read again")

    kwargs.update({name: PyValue(value) for name, value in overrides.items()})
    if module_code and task.operator_file is not None:
        plan.differences.append(f"The operator class comes from {task.operator_file} (a project module): its code is copied into the component.")
    plan.parts = [context, RunOperator(task.module if not custom else "", task.operator, tuple(kwargs.items()),
                                       module_code or None, tuple(dynamic.items()))]
    plan.inputs = args.inputs
    plan.xcom_refs = xcom_refs_of(task)
    plan.outputs = {"return_value": "json"}
    plan.may_skip = True  # an operator may raise AirflowSkipException
    plan.packages = operator_packages(task.module, module_code)
    if source is not None and source.kind == "project":  # the operator's module comes from a project requirement
        plan.packages.append(source.distribution)

    plan.diagnostics.append(ctx.diagnostic(task, "KFM201", f"{task.operator} ({where}) runs through the Airflow operator shim", "info"))
    plan.differences.append(f"The Airflow operator itself runs inside the KFP task (packages: {', '.join(plan.packages)}); "
                            "installing apache-airflow at start takes a while: use an image with Airflow installed as BASE_IMAGE.")
    plan.differences.append("The task context is kfmigrate's (logical date, params, XCom wired statically); "
                            "operators that use the Airflow metadata database or the Task SDK API do not work.")
    if module_code:
        plan.differences.append("Code from the DAG file (the operator class, its helpers, argument expressions) is copied into the component.")
        roots = [Path(root) for root in ctx.workflow.project_roots]  # project modules are embedded (emit/prepare.py)
        extra = [top for top in third_party_modules(module_code) if module_file(top, roots, namespaces=False) is None]
        if extra:
            plan.diagnostics.append(ctx.diagnostic(task, "KFM210", f"the code from the DAG file imports {', '.join(extra)}: install them in the image", "info"))
    if overrides:
        plan.differences.append("Runs with " + ", ".join(f"{k}={v!r}" for k, v in overrides.items())
                                + ": deferring and rescheduling need Airflow's triggerer and scheduler; the KFP pod waits instead.")

    connections = connection_ids(task)
    variables, template_connections = external_needs(task)
    connections = list(dict.fromkeys(connections + template_connections))
    entries, notes = connection_wiring(connections)
    plan.platform.secret_env += entries
    plan.differences += notes
    for key in variables:
        if key == "<computed>":
            continue
        config_map = variable_config_map(key)
        plan.platform.config_map_env.append((config_map, {"value": variable_env(key)}))
        plan.differences.append(f"Variable {key!r} is read from {variable_env(key)}, set from config map {config_map!r} "
                                f"(key 'value'): kubectl create configmap {config_map} --from-literal=value='<value>'")
    if connections or variables:
        plan.diagnostics.append(ctx.diagnostic(
            task, "KFM209", "needs " + ", ".join([f"connection {c!r}" for c in connections] + [f"variable {v!r}" for v in variables])
            + " on the cluster (Kubernetes secret / config map, see the report)"))
    plan.unresolved = args.dynamic
    return plan


SQL_ARGS = ("sql", "hql")  # arguments whose ".sql" file Airflow reads from the DAG folder as a template


def _inline_sql_files(task: ir.Task, ctx: MapContext, plan: ComponentPlan, value):
    """`sql="report.sql"`: Airflow loads the file from the DAG folder and renders it. The component has no
    DAG folder, so the file's text is read now and passed instead (Airflow still renders it)."""
    def inline(text):
        if not (isinstance(text, str) and text.strip().endswith((".sql", ".hql")) and "\n" not in text):
            return text
        path = environment.template_file(text, task.span.path)
        try:
            content = path.read_text(encoding="utf-8") if path else None
        except (OSError, UnicodeDecodeError):
            content = None
        if content is None:
            plan.diagnostics.append(ctx.diagnostic(task, "KFM221", f"SQL file {text!r} is neither beside the DAG file nor in its "
                                                   "template_searchpath: the operator will look for it in the pod and fail"))
            return text
        plan.differences.append(f"SQL file {text!r} was read at conversion time: changes to it need a new conversion.")
        return content

    if isinstance(value, ir.Literal) and isinstance(value.value, (str, list)):
        inlined = [inline(t) for t in value.value] if isinstance(value.value, list) else inline(value.value)
        return ir.Literal(inlined)
    return value


def _source_of(value) -> Optional[str]:
    """Python source for a value holding Dynamic parts (a list/dict with a k8s object, a lambda ...)."""
    if isinstance(value, ir.Literal):
        return repr(value.value)
    if isinstance(value, ir.Template):
        return repr(value.text)
    if isinstance(value, ir.Dynamic):
        return value.source
    if isinstance(value, ir.Composite) and value.kind in ("list", "tuple", "dict"):
        if value.kind == "dict":
            parts = [(_source_of(k), _source_of(v)) for k, v in value.items]
            if any(k is None or v is None for k, v in parts):
                return None
            return "{" + ", ".join(f"{k}: {v}" for k, v in parts) + "}"
        items = [_source_of(item) for item in value.items]
        if any(item is None for item in items):
            return None
        return ("[" + ", ".join(items) + "]") if value.kind == "list" else ("(" + ", ".join(items) + ",)")
    return None  # XCom references or params inside an expression


# ---------------------------------------------------------------- packages and connections
def operator_packages(module: str, module_code: Optional[str] = None) -> List[str]:
    packages = ["apache-airflow"]
    modules = [module] + (re.findall(r"^\s*(?:from|import)\s+(airflow\.providers\.[\w.]+)", module_code, re.M) if module_code else [])
    for name in modules:
        distribution = provider_distribution(name)
        if distribution:
            packages.append(distribution)
    return list(dict.fromkeys(packages))


def connection_ids(task: ir.Task) -> List[str]:
    """Connection ids in `*conn_id` arguments, or the provider's default connection when none is given."""
    found = []
    for name, value in task.args.items():
        if name == "conn_id" or name.endswith("_conn_id"):
            if isinstance(value, ir.Literal) and isinstance(value.value, str) and value.value:
                found.append(value.value)
    if not found and task.module != LOCAL_MODULE:
        distribution = provider_distribution(task.module) or ""
        default = DEFAULT_CONNECTIONS.get(distribution.replace("apache-airflow-providers-", ""))
        if default:
            found.append(default)
    return found


def third_party_modules(code: str) -> List[str]:
    """Top-level modules the code imports that are neither the standard library nor airflow."""
    found = []
    for match in re.finditer(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", code, re.M):
        top = (match.group(1) or match.group(2)).split(".")[0]
        if top and top != "airflow" and top not in sys.stdlib_module_names and top not in found:
            found.append(top)
    return found


# ---------------------------------------------------------------- code from the DAG file
def dag_file_code(task: ir.Task, class_names: Set[str], dynamic: Dict[str, str]
                  ) -> Tuple[Optional[str], Dict[str, str], Optional[str]]:
    """(code, expressions, problem): the DAG file's statements that define `class_names` and what the
    argument expressions use, closed under their own needs, airflow imports included (the shim has
    Airflow installed). Expressions are taken from the operator call in the file where possible
    (the parser keeps only a short form of lambdas)."""
    if class_names and task.operator_file is not None and task.operator_file != task.span.path:
        # the class lives in a project module (plugins/, a package): its code from there, the argument
        # expressions from the file that builds the task
        class_code, _, problem = _file_code(task.operator_file, task.span, class_names, {})
        if class_code is None:
            return None, dynamic, problem
        if not dynamic:
            return class_code, dynamic, None
        expression_code, dynamic, problem = _file_code(task.span.path, task.span, set(), dynamic)
        if expression_code is None:
            return None, dynamic, problem
        return class_code + expression_code, dynamic, None
    return _file_code(task.span.path, task.span, class_names, dynamic)


def _file_code(path: str, span: ir.SourceSpan, class_names: Set[str], dynamic: Dict[str, str]
               ) -> Tuple[Optional[str], Dict[str, str], Optional[str]]:
    try:
        module, positions = _read_again(path)
    except (OSError, UnicodeDecodeError, cst.ParserSyntaxError) as exc:
        return None, dynamic, f"the file {path} cannot be read again ({type(exc).__name__})"
    expressions = dict(dynamic)
    expressions.update({k: v for k, v in _call_keywords(module, positions, span).items() if k in dynamic})
    needed: Set[str] = set(class_names)
    for name, expression in expressions.items():
        try:
            needed |= names_used(cst.parse_expression(expression))
        except cst.ParserSyntaxError:
            return None, dynamic, f"argument {name}={expression!r} cannot be read from the DAG file"
    classes = {stmt.name.value for stmt in module.body if isinstance(stmt, cst.ClassDef)}
    missing = [name for name in class_names if name not in classes]
    if missing:
        return None, dynamic, f"class {', '.join(missing)} is not defined at the top level of {path}"
    index = ModuleIndex(module)
    prelude = list(index.prelude_for(needed))
    used = set(needed)
    for snippet in prelude:
        used |= names_used(cst.parse_module(snippet))
    imports = []
    for stmt in module.body:  # future imports first: annotations may name what only type checkers import
        if isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(s, cst.ImportFrom) and isinstance(s.module, cst.Name) and s.module.value == "__future__" for s in stmt.body):
            imports.append(module.code_for_node(stmt).strip())
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body):
            code = module.code_for_node(stmt).strip()
            if code.split()[1].split(".")[0] == "airflow" and _binds_any(stmt, used, module):
                imports.append(code)
    return "\n".join(imports + prelude) + "\n", expressions, None


def airflow1_plugin_import(module: str, operator: str) -> bool:
    """`from airflow.operators import X` / `airflow.operators.x_plugin.X`: Airflow 1 plugin paths."""
    parts = module.split(".")
    if parts[:1] != ["airflow"] or len(parts) < 2 or parts[1] not in ("operators", "sensors", "hooks") or not operator[:1].isupper():
        return False
    return len(parts) == 2 or (len(parts) == 3 and parts[2].endswith("_plugin"))


def _read_again(path: str):
    """(module, Positions) of a file the parser has read: parsed once per file, not once per shimmed task."""
    stat = os.stat(path)
    return _parsed_file(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _parsed_file(path: str, mtime_ns: int, size: int):
    with open(path, encoding="utf-8") as handle:
        module = cst.parse_module(handle.read())
    return module, Positions(module)


def _call_keywords(module, positions, span: ir.SourceSpan) -> Dict[str, str]:
    """Keyword arguments (name -> source) of the call that starts at `span` in the module."""
    for node in positions.nodes():
        if isinstance(node, cst.Call) and positions[node][:2] == (span.line, span.col - 1):
            return {arg.keyword.value: positions.source_of(arg.value) for arg in node.args if arg.keyword is not None}
    return {}


def _binds_any(stmt, names: Set[str], module) -> bool:
    for small in stmt.body:
        if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
            for alias in small.names:
                bound = alias.asname.name.value if alias.asname else module.code_for_node(alias.name)
                if bound in names:
                    return True
        elif isinstance(small, cst.Import):
            for alias in small.names:
                bound = alias.asname.name.value if alias.asname else module.code_for_node(alias.name).split(".")[0]
                if bound in names:
                    return True
    return False


CASES = [
    Case(
        name="SQL operator through the shim, connection from a Kubernetes secret",
        dag='''
from airflow import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

with DAG("sql_shim", schedule=None):
    SQLExecuteQueryOperator(task_id="count_rows", conn_id="warehouse", sql="SELECT count(*) FROM events WHERE day = '{{ ds }}'")
''',
        task_id="count_rows",
        fidelity=SHIM,
        codes=("KFM201", "KFM209"),
        fragments=("_airflow_run_operator(_airflow, 'airflow.providers.common.sql.operators.sql', 'SQLExecuteQueryOperator', _kwargs)",
                   "packages_to_install=RUNTIME_PACKAGES + ['apache-airflow==3",
                   "kubernetes.use_secret_as_env(count_rows_task, secret_name='airflow-conn-warehouse', secret_key_to_env={'uri': 'AIRFLOW_CONN_WAREHOUSE'})"),
        body='''\
_kwargs = {'task_id': 'count_rows', 'conn_id': conn_id, 'sql': sql}
results, skipped = _airflow_run_operator(_airflow, 'airflow.providers.common.sql.operators.sql', 'SQLExecuteQueryOperator', _kwargs)
''',
    ),
    Case(
        name="provider sensor polls inside the shim with its default connection",
        dag='''
from airflow import DAG
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

with DAG("s3_wait", schedule=None):
    S3KeySensor(task_id="landed", bucket_name="raw", bucket_key="{{ ds }}/data.csv", poke_interval=30, timeout=600)
''',
        task_id="landed",
        fidelity=SHIM,
        codes=("KFM201",),
        fragments=("'apache-airflow-providers-amazon==", "secret_name='airflow-conn-aws-default'", "'poke_interval': poke_interval"),
    ),
    Case(
        name="variables in templates come from config maps",
        dag='''
from airflow import DAG
from airflow.providers.google.cloud.operators.bigquery import BigQueryInsertJobOperator

with DAG("bq_shim", schedule=None):
    BigQueryInsertJobOperator(task_id="load", gcp_conn_id="gcp", configuration={"query": {"query": "SELECT 1 FROM {{ var.value.dataset }}.t"}})
''',
        task_id="load",
        fidelity=SHIM,
        codes=("KFM209",),
        fragments=("config_map_name='airflow-var-dataset', config_map_key_to_env={'value': 'AIRFLOW_VAR_DATASET'}",
                   "'apache-airflow-providers-google=="),
    ),
]
