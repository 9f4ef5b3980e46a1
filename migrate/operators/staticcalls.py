"""Reading constructor calls the parser could not resolve (k8s.V1Toleration(...), Secret(...), ...).

The parser keeps unknown calls as `ir.Dynamic(source=..., reason="call to <qualified name>")`. The
Kubernetes, Docker and sensor mappers need the literal keyword arguments of those calls, so this
module parses the source text again with libcst (never evaluating it) into plain Python values:
literals stay literals, calls become `Call(name, args, kwargs)` with their arguments converted the
same way, and anything else becomes `Unresolved(source)`.

It also wires the Kubernetes secrets and config maps that carry Airflow connections and Variables
into a task (their naming lives in migrate/connections.py, shared with the readiness inventory).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import libcst as cst

from kfmigrate.migrate import ir
from kfmigrate.migrate.connections import (  # noqa: F401 - the naming, for the mappers that wire connections
    connection_env, connection_secret, connection_type_hint, scan_task_usages, variable_config_map, variable_env,
)


@dataclass(frozen=True)
class Call:
    """A call expression: `name` is the last part of the called name (k8s.V1EnvVar -> V1EnvVar)."""
    name: str
    args: Tuple[Any, ...] = ()
    kwargs: Dict[str, Any] = field(default_factory=dict)
    source: str = ""

    def get(self, key: str, position: Optional[int] = None, default: Any = None) -> Any:
        """A keyword argument, or the positional one at `position` when not given by keyword."""
        if key in self.kwargs:
            return self.kwargs[key]
        if position is not None and position < len(self.args):
            return self.args[position]
        return default


@dataclass(frozen=True)
class Unresolved:
    """An expression that is neither a literal nor a call of literals (a name, an f-string ...)."""
    source: str


@dataclass(frozen=True)
class Templated:
    """A string holding Jinja (an ir.Template inside a value)."""
    text: str


def parse_expression(source: str) -> Any:
    try:
        node = cst.parse_expression(source)
    except Exception:  # libcst raises its own ParserSyntaxError; any failure means "not readable"
        return Unresolved(source)
    return _convert(node, cst.Module([]))


def _convert(node: cst.BaseExpression, module: cst.Module) -> Any:
    code = module.code_for_node(node)
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString)):
        try:
            import ast

            return ast.literal_eval(code)
        except (ValueError, SyntaxError):
            return Unresolved(code)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = _convert(node.expression, module)
        return -inner if isinstance(inner, (int, float)) and not isinstance(inner, bool) else Unresolved(code)
    if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[node.value]
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        items = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                return Unresolved(code)
            items.append(_convert(element.value, module))
        return items
    if isinstance(node, cst.Dict):
        found = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return Unresolved(code)
            key = _convert(element.key, module)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                return Unresolved(code)
            found[key] = _convert(element.value, module)
        return found
    if isinstance(node, cst.Call):
        name = module.code_for_node(node.func).split(".")[-1]
        args, kwargs = [], {}
        for arg in node.args:
            if arg.star:
                return Unresolved(code)
            value = _convert(arg.value, module)
            if arg.keyword is not None:
                kwargs[arg.keyword.value] = value
            else:
                args.append(value)
        return Call(name, tuple(args), kwargs, code)
    if isinstance(node, cst.Attribute):  # WeekDay.SATURDAY, k8s.V1... constants
        return Unresolved(code)
    return Unresolved(code)


def to_python(value: Any) -> Any:
    """An IR value as plain Python: literals, lists/dicts, Call for unresolved calls, Templated for
    Jinja text, Unresolved for anything else (XCom references, DAG params, names)."""
    if value is None:
        return None
    if isinstance(value, ir.Literal):
        return value.value
    if isinstance(value, ir.Template):
        return Templated(value.text)
    if isinstance(value, ir.Composite):
        if value.kind == "dict":
            return {_key(k): to_python(v) for k, v in value.items}
        return [to_python(item) for item in value.items]
    if isinstance(value, ir.Dynamic):
        return parse_expression(value.source)
    return Unresolved(getattr(value, "source", None) or repr(value))


def _key(value: Any) -> Any:
    converted = to_python(value)
    return converted.text if isinstance(converted, Templated) else converted if isinstance(converted, (str, int, float, bool)) else repr(converted)


def as_list(value: Any) -> List[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def text_of(value: Any) -> Optional[str]:
    """A plain (non-templated) string value, else None."""
    return value if isinstance(value, str) else None


def describe(value: Any) -> str:
    """Short source-like text of a converted value, for messages."""
    if isinstance(value, Call):
        return value.source or f"{value.name}(...)"
    if isinstance(value, Unresolved):
        return value.source
    if isinstance(value, Templated):
        return repr(value.text)
    return repr(value)


def snake(name: str) -> str:
    """camelCase (Kubernetes JSON) -> snake_case (the Python client's argument names)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def fields_of(value: Any) -> Dict[str, Any]:
    """The fields of a k8s object written either as a client call (V1X(a=..)) or as a dict (camelCase
    or snake_case keys), with snake_case keys."""
    if isinstance(value, Call):
        return dict(value.kwargs)
    if isinstance(value, dict):
        return {snake(str(key)): item for key, item in value.items()}
    return {}


def connection_wiring(conn_ids: List[str]) -> Tuple[List[Tuple[str, Dict[str, str]]], List[str]]:
    """(PlatformConfig.secret_env entries, report lines with the Secret manifest) for connections."""
    entries, notes = [], []
    for conn_id in dict.fromkeys(conn_ids):
        secret = connection_secret(conn_id)
        entries.append((secret, {"uri": connection_env(conn_id)}))
        notes.append(
            f"Connection {conn_id!r} is read from {connection_env(conn_id)}, set from Kubernetes secret {secret!r} "
            f"(key 'uri'). Create it with: kubectl create secret generic {secret} --from-literal=uri='<connection URI>'"
        )
    return entries, notes


_ENV_NOTES = ("Airflow Variables come from environment variables", "Airflow connections come from environment variables")
_ENV_MESSAGES = ("reads Airflow Variables from the environment", "reads Airflow connections from the environment")


def wire_connections_and_variables(task: ir.Task, ctx, plan) -> None:
    """Make a Python component read the connections and variables its task uses, as Airflow would:
    AIRFLOW_CONN_<ID> from secret `airflow-conn-<id>` (key `uri`) and AIRFLOW_VAR_<KEY> from config map
    `airflow-var-<key>` (key `value`), with kfp-kubernetes. Found statically (kfmigrate.migrate.analyze
    scan_task_usages): *conn_id arguments, hooks and get_connection / Variable.get in the callable,
    {{ conn.x }} / {{ var.value.x }} in templates. The emitter calls this for every plan."""
    if not plan.component or plan.container is not None or plan.fidelity == "placeholder":
        return
    # default_args reach only operators that accept them: the shim passes its own conn ids already
    usages = [u for u in scan_task_usages(task, ctx.workflow) if u["resolved"] and u["task_id"] is not None]
    wired_envs = {env for _name, keys in plan.platform.secret_env + plan.platform.config_map_env for env in keys.values()}
    added = []
    for usage in usages:
        name = usage["name"]
        if usage["kind"] == "connection":
            env, source, key = connection_env(name), connection_secret(name), "uri"
        else:
            env, source, key = variable_env(name), variable_config_map(name), "value"
        if env in wired_envs:
            continue
        wired_envs.add(env)
        if usage["kind"] == "connection":
            plan.platform.secret_env.append((source, {key: env}))
            plan.differences.append(f"Connection {name!r} ({usage['via']}) is read from {env}, set from Kubernetes secret "
                                    f"{source!r} (key 'uri'; the report has its manifest).")
        else:
            plan.platform.config_map_env.append((source, {key: env}))
            plan.differences.append(f"Variable {name!r} ({usage['via']}) is read from {env}, set from config map "
                                    f"{source!r} (key 'value'; the report has its manifest).")
        added.append(f"{usage['kind']} {name!r}")
    if added:
        plan.diagnostics = [d for d in plan.diagnostics if not (d.code == "KFM209" and d.message.startswith(_ENV_MESSAGES))]
        plan.differences = [d for d in plan.differences if not d.startswith(_ENV_NOTES)]
        plan.diagnostics.append(ctx.diagnostic(task, "KFM209", "needs " + ", ".join(added) + " on the cluster "
                                               "(Kubernetes secret / config map, see the report)"))
