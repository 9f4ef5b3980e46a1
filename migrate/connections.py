"""The Airflow connections and Variables a task needs, and the Kubernetes objects that carry them.

`scan_task_usages` finds them statically (conn-id arguments, {{ conn.x }} / {{ var.value.x }} in
templates, get_connection / Variable.get in callables); the naming functions say which secret
(`airflow-conn-<id>`, key `uri`) and config map (`airflow-var-<key>`, key `value`) a converted task
reads them from, as AIRFLOW_CONN_<ID> / AIRFLOW_VAR_<KEY>. The readiness inventory (analyze.py), the
migration report and the mappers (operators/staticcalls.py) all use them: this module sits below
all of them and imports only the IR and kfmigrate.migrate.contracts.
"""
from __future__ import annotations

import re
from typing import Iterable, List, Optional, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.contracts import CONNECTION_ENV_PREFIX, VARIABLE_ENV_PREFIX


# ------------------------------------------------------------------ naming
def connection_secret(conn_id: str) -> str:
    """The Kubernetes secret that holds connection `conn_id` as an Airflow URI under key `uri`."""
    name = re.sub(r"[^a-z0-9-]+", "-", conn_id.lower().replace("_", "-")).strip("-") or "default"
    return f"airflow-conn-{name}"[:253]


def connection_env(conn_id: str) -> str:
    return CONNECTION_ENV_PREFIX + conn_id.upper()


def variable_env(key: str) -> str:
    return VARIABLE_ENV_PREFIX + key.upper()


def variable_config_map(key: str) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", key.lower().replace("_", "-")).strip("-") or "default"
    return f"airflow-var-{name}"[:253]


# Connection types for the placeholder URI in the report, from the argument naming the connection.
CONN_TYPES = {"postgres": "postgres", "mysql": "mysql", "http": "http", "aws": "aws", "gcp": "google-cloud-platform",
              "google_cloud": "google-cloud-platform", "fs": "fs", "ssh": "ssh", "sftp": "sftp", "ftp": "ftp",
              "snowflake": "snowflake", "redis": "redis", "mongo": "mongo", "slack": "slack", "smtp": "smtp",
              "sqlite": "sqlite", "mssql": "mssql", "oracle": "oracle", "trino": "trino", "databricks": "databricks",
              "redshift": "redshift", "docker": "docker", "spark": "spark", "kubernetes": "kubernetes"}


def connection_type_hint(argument: str) -> str:
    """`postgres_conn_id` -> 'postgres'; unknown -> '<conn-type>' (for the placeholder URI in the report)."""
    prefix = argument.rsplit("conn_id", 1)[0].rstrip("_").lower()
    return CONN_TYPES.get(prefix, "<conn-type>")


# ------------------------------------------------------------------ what a task uses
CONN_ARGUMENT = re.compile(r"(?:^|_)conn_id$")
JINJA_BLOCK = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
_KEY = r"""(?:\.\s*get\s*\(\s*(['"])(?P<get>[^'"]+)\1|\[\s*(['"])(?P<item>[^'"]+)\3\s*\]|\.\s*(?P<attr>[A-Za-z_]\w*))"""
JINJA_VARIABLE = re.compile(r"\bvar\s*\.\s*(?:value|json)\s*" + _KEY)
JINJA_CONNECTION = re.compile(r"\bconn\s*" + _KEY)
CODE_VARIABLE = re.compile(r"""\bVariable\s*\.\s*get\s*\(\s*(?:key\s*=\s*)?(['"])(?P<name>[^'"]+)\1""")
CODE_CONNECTION = re.compile(r"""\b(?:get_connection|Connection\s*\.\s*get)\s*\(\s*(?:conn_id\s*=\s*)?(['"])(?P<name>[^'"]+)\1""")
CODE_CONN_KEYWORD = re.compile(r"""\b(?P<key>(?:\w+_)?conn_id)\s*=\s*(['"])(?P<name>[^'"]+)\2""")


def _jinja_names(pattern: re.Pattern, text: str) -> List[str]:
    names = []
    for block in JINJA_BLOCK.finditer(text):
        expression = block.group(1) if block.group(1) is not None else block.group(2)
        for match in pattern.finditer(expression):
            name = match.group("get") or match.group("item") or match.group("attr")
            if name and not (match.group("attr") == "get" and expression[match.end():].lstrip().startswith("(")):
                names.append(name)
    return names


def _strings_in(value) -> Iterable[Tuple[str, bool]]:
    """(text, is_code) for every string a Value holds; Dynamic values are Python source."""
    if isinstance(value, ir.Template):
        yield value.text, False
    elif isinstance(value, ir.Dynamic):
        yield value.source, True
    elif isinstance(value, ir.Composite):
        for item in value.items:
            yield from _strings_in(item)
    elif isinstance(value, tuple):  # a (key, value) pair of a dict Composite
        for item in value:
            yield from _strings_in(item)
    elif isinstance(value, ir.Literal):
        yield from _strings_in(value.value)
    elif isinstance(value, str):
        yield value, False
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings_in(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings_in(key)
            yield from _strings_in(item)


def _code_usages(text: str) -> List[Tuple[str, str, str, int]]:
    """(kind, name, via, offset) for Variable.get / get_connection / *conn_id= in Python source."""
    found = []
    for match in CODE_VARIABLE.finditer(text):
        found.append(("variable", match.group("name"), "Variable.get", match.start()))
    for match in CODE_CONNECTION.finditer(text):
        found.append(("connection", match.group("name"), "get_connection", match.start()))
    for match in CODE_CONN_KEYWORD.finditer(text):
        found.append(("connection", match.group("name"), f"{match.group('key')}=", match.start()))
    return found


def _text_usages(text: str, is_code: bool) -> List[Tuple[str, str, str]]:
    if is_code:
        return [(kind, name, via) for kind, name, via, _ in _code_usages(text)]
    return ([("variable", name, "template var") for name in _jinja_names(JINJA_VARIABLE, text)]
            + [("connection", name, "template conn") for name in _jinja_names(JINJA_CONNECTION, text)])


def scan_task_usages(task: ir.Task, workflow: ir.Workflow) -> List[dict]:
    """Connections and variables one task needs: conn-id arguments, templates, callable source.

    An argument that only comes from the DAG's default_args is reported once for the DAG (task_id
    None): Airflow passes default_args only to operators that accept them.
    """
    usages = []

    def add(kind, name, via, resolved=True, span: Optional[ir.SourceSpan] = None, task_id=task.task_id):
        span = span or task.span
        usages.append({"kind": kind, "name": name, "resolved": resolved, "task_id": task_id,
                       "via": via, "line": span.line, "col": span.col})

    for key, value in task.args.items():
        from_defaults = key in workflow.default_args and workflow.default_args[key] == value
        owner = dict(task_id=None, span=workflow.span) if from_defaults else {}
        where = f"default_args {key}" if from_defaults else f"argument {key}"
        if CONN_ARGUMENT.search(key):
            if isinstance(value, ir.Literal) and isinstance(value.value, str) and value.value:
                add("connection", value.value, where, **owner)
            elif isinstance(value, (ir.Template, ir.Dynamic)):
                text = value.text if isinstance(value, ir.Template) else value.source
                add("connection", text, where, resolved=False, **owner)
            continue
        for text, is_code in _strings_in(value):
            for kind, name, via in _text_usages(text, is_code):
                add(kind, name, f"{via} in {where}", **owner)
    call_values = list(task.call_args) + list(task.call_kwargs.values())
    if task.mapping is not None:
        call_values += list(task.mapping.over.values())
    for value in call_values:
        for text, is_code in _strings_in(value):
            for kind, name, via in _text_usages(text, is_code):
                add(kind, name, f"{via} in call arguments")
    if task.callable is not None:
        callable_ = task.callable
        for text in (callable_.source, *callable_.prelude):
            for kind, name, via, offset in _code_usages(text):
                span = None
                if text is callable_.source and callable_.span is not None:
                    # the source is the dedented `def`: count lines and columns from its start
                    line = callable_.span.line + text.count("\n", 0, offset)
                    col = callable_.span.col + offset - (text.rfind("\n", 0, offset) + 1)
                    span = ir.SourceSpan(callable_.span.path, line, col)
                add(kind, name, f"{via} in {callable_.name}()", span=span)
    return usages
