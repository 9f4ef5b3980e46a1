"""Building blocks shared by mappers: argument values -> component inputs, XCom scanning, context,
the task callable's code and arguments, the polling sensor body.

No mappers live here. The emitter uses `xcom_refs_of` too, to learn which XCom keys each task must
publish as KFP outputs.
"""
from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Set, Tuple

from kfmigrate.migrate import ir, plan
from kfmigrate.migrate.connections import connection_env, variable_env
from kfmigrate.migrate.contracts import VARIABLE_ENV_PREFIX
from kfmigrate.migrate.diagnostics import Diagnostic
from kfmigrate.migrate.operators.model import PLACEHOLDER, ComponentPlan, Input, MapContext, PipelineInput
from kfmigrate.migrate.operators.staticcalls import describe, to_python
from kfmigrate.migrate.plan import CallableCode, Expr, Fail, Part, Poll, PyValue, Unpacked
from kfmigrate.migrate.naming import BODY_NAMES, identifier, unique

JINJA_MARKERS = ("{{", "{%", "{#")
# Airflow names a converted callable may import; the run-time shim provides them (see runtime.py).
SHIMMED_AIRFLOW_NAMES = ("get_current_context", "Variable", "AirflowException", "AirflowSkipException", "AirflowFailException",
                         "Asset", "AssetAlias", "Metadata")
# Code using one of these names (variables, arguments, attributes, context keys) gets the asset stand-ins
# and event accessors of runtime._airflow_assets (KFP has no assets).
ASSET_NAMES = {"Asset", "AssetAlias", "Metadata", "outlet_events", "inlet_events", "triggering_asset_events",
               "partition_key", "partition_date"}

# BaseOperator arguments the emitter handles itself (retries, timeout, docs ...) or that have no
# run-time effect on what a task computes (owner, email, queue, priority).
BASE_ARGS_HANDLED = {
    "task_id", "dag", "retries", "retry_delay", "retry_exponential_backoff", "max_retry_delay",
    "execution_timeout", "trigger_rule", "doc", "doc_md", "doc_rst", "doc_json", "doc_yaml",
    "owner", "email", "email_on_failure", "email_on_retry", "queue", "priority_weight", "weight_rule",
    "start_date", "end_date", "task_group", "params", "multiple_outputs", "do_xcom_push",
    "task_display_name", "default_args", "pool", "pool_slots", "map_index_template",
}
CALLBACK_ARGS = {"on_failure_callback", "on_success_callback", "on_retry_callback", "on_execute_callback",
                 "on_skipped_callback", "sla", "sla_miss_callback"}


@functools.lru_cache(maxsize=1024)
def parsed(code: str) -> ast.Module:
    """The syntax tree of a callable's source, parsed once: several checks walk the same code.
    Callers only read the tree."""
    return ast.parse(code)


@functools.lru_cache(maxsize=1024)
def walked(code: str) -> Tuple[ast.AST, ...]:
    """Every node of parsed(code) in ast.walk's order, walked once for all the checks that read them."""
    return tuple(ast.walk(parsed(code)))


def has_jinja(text: str) -> bool:
    return any(marker in text for marker in JINJA_MARKERS)


def value_has_jinja(value: Any) -> bool:
    if isinstance(value, ir.Template):
        return True
    if isinstance(value, ir.Literal):
        return _python_has_jinja(value.value)
    if isinstance(value, ir.Composite):
        return any(value_has_jinja(part) for item in value.items for part in (item if value.kind == "dict" else (item,)))
    return False


def _python_has_jinja(obj: Any) -> bool:
    if isinstance(obj, str):
        return has_jinja(obj)
    if isinstance(obj, (list, tuple)):
        return any(_python_has_jinja(item) for item in obj)
    if isinstance(obj, dict):
        return any(_python_has_jinja(item) for item in obj.values())
    return False


# ---------------------------------------------------------------- XCom references
@dataclass(frozen=True)
class XcomPull:
    task_ids: Any  # str or tuple of str (literal), None when not static
    key: Optional[str]  # None when not static
    source: str

    @property
    def static(self) -> bool:
        return self.task_ids is not None and self.key is not None

    def refs(self) -> List[Tuple[str, str]]:
        ids = (self.task_ids,) if isinstance(self.task_ids, str) else tuple(self.task_ids or ())
        return [(task_id, self.key) for task_id in ids]


def _literal(node: Optional[ast.AST], default: Any = None, constants: Optional[Dict[str, Any]] = None) -> Tuple[bool, Any]:
    if node is None:
        return True, default
    if isinstance(node, ast.Name) and constants and node.id in constants:
        return True, constants[node.id]
    try:
        return True, ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return False, None


def module_constants(codes: Iterable[str]) -> Dict[str, Any]:
    """NAME = <literal> assignments among prelude snippets (e.g. a task id kept in a constant)."""
    found: Dict[str, Any] = {}
    for code in codes:
        try:
            tree = parsed(code)
        except SyntaxError:
            continue
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                ok, value = _literal(stmt.value)
                if ok:
                    found[stmt.targets[0].id] = value
    return found


def _pull_from_call(call: ast.Call, source: str, constants: Optional[Dict[str, Any]] = None) -> XcomPull:
    kwargs = {kw.arg: kw.value for kw in call.keywords if kw.arg}
    ids_node = kwargs.get("task_ids", call.args[0] if call.args else None)
    key_node = kwargs.get("key", call.args[2] if len(call.args) > 2 else None)
    ids_ok, task_ids = _literal(ids_node, None, constants)
    key_ok, key = _literal(key_node, "return_value", constants)
    valid_ids = isinstance(task_ids, str) or (isinstance(task_ids, (list, tuple)) and all(isinstance(t, str) for t in task_ids))
    if not ids_ok or not valid_ids:
        task_ids = None
    elif isinstance(task_ids, list):
        task_ids = tuple(task_ids)
    if not key_ok or not isinstance(key, str):
        key = None
    return XcomPull(task_ids, key, source)


def pulls_in_code(code: str, constants: Optional[Dict[str, Any]] = None) -> List[XcomPull]:
    """Every `<anything>.xcom_pull(...)` call in Python source (names resolved from `constants`)."""
    try:
        nodes = walked(code)
    except SyntaxError:
        return []
    found = []
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "xcom_pull":
            found.append(_pull_from_call(node, ast.get_source_segment(code, node) or "xcom_pull(...)", constants))
    return found


def pushes_in_code(code: str, constants: Optional[Dict[str, Any]] = None) -> Tuple[List[str], List[str]]:
    """(literal keys, sources of pushes with a computed key) of `.xcom_push(...)` calls."""
    try:
        nodes = walked(code)
    except SyntaxError:
        return [], []
    keys, dynamic = [], []
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "xcom_push":
            kwargs = {kw.arg: kw.value for kw in node.keywords if kw.arg}
            ok, key = _literal(kwargs.get("key", node.args[0] if node.args else None), None, constants)
            if ok and isinstance(key, str):
                keys.append(key)
            else:
                dynamic.append(ast.get_source_segment(code, node) or "xcom_push(...)")
    return list(dict.fromkeys(keys)), dynamic


def pulls_in_text(text: str) -> List[XcomPull]:
    """xcom_pull(...) calls inside Jinja expressions of a template text."""
    found = []
    for match in re.finditer(r"xcom_pull\s*\(", text):
        depth, end, quote = 0, None, None
        for index in range(match.end() - 1, len(text)):
            char = text[index]
            if quote:
                quote = None if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    end = index + 1
                    break
        snippet = text[match.start():end] if end else text[match.start():]
        try:
            call = ast.parse(snippet, mode="eval").body
        except SyntaxError:
            found.append(XcomPull(None, None, snippet))
            continue
        found.append(_pull_from_call(call, snippet) if isinstance(call, ast.Call) else XcomPull(None, None, snippet))
    return found


def iter_values(value: Any) -> Iterable[Any]:
    """A Value and every Value nested in it."""
    yield value
    if isinstance(value, ir.Composite):
        for item in value.items:
            for part in (item if value.kind == "dict" else (item,)):
                yield from iter_values(part)


def _strings(obj: Any) -> Iterable[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _strings(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _strings(item)


def task_values(task: ir.Task) -> Iterable[Any]:
    for value in list(task.args.values()) + list(task.call_args) + list(task.call_kwargs.values()):
        yield from iter_values(value)
    if task.mapping:
        for value in task.mapping.over.values():
            yield from iter_values(value)


def task_pulls(task: ir.Task) -> List[XcomPull]:
    """Every xcom_pull in the task's templated strings and its callable (with its helpers)."""
    pulls = []
    for value in task_values(task):
        texts = [value.text] if isinstance(value, ir.Template) else list(_strings(value.value)) if isinstance(value, ir.Literal) else []
        for text in texts:
            pulls.extend(pulls_in_text(text))
    if task.callable:
        constants = module_constants(task.callable.prelude)
        for code in (task.callable.source, *task.callable.prelude):
            pulls.extend(pulls_in_code(code, constants))
    return pulls


VARIABLE_IN_TEMPLATE = re.compile(r"\bvar\.(?:value|json)\.([A-Za-z_][A-Za-z0-9_]*)")
CONN_IN_TEMPLATE = re.compile(r"\bconn\.([A-Za-z_][A-Za-z0-9_]*)")


def external_needs(task: ir.Task) -> Tuple[List[str], List[str]]:
    """(Airflow Variables, Connections) the task reads, as far as they are visible statically."""
    variables, connections = [], []
    for value in task_values(task):
        texts = [value.text] if isinstance(value, ir.Template) else list(_strings(value.value)) if isinstance(value, ir.Literal) else []
        for text in texts:
            variables += VARIABLE_IN_TEMPLATE.findall(text)
            connections += CONN_IN_TEMPLATE.findall(text)
    if task.callable:
        constants = module_constants(task.callable.prelude)
        for code in (task.callable.source, *task.callable.prelude):
            try:
                nodes = walked(code)
            except SyntaxError:
                continue
            for node in nodes:
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == "Variable"):
                    ok, key = _literal(node.args[0] if node.args else None, None, constants)
                    variables.append(key if ok and isinstance(key, str) else "<computed>")
    return list(dict.fromkeys(variables)), list(dict.fromkeys(connections))


def external_needs_diagnostics(task: ir.Task, ctx: MapContext) -> Tuple[List[Diagnostic], List[str]]:
    variables, connections = external_needs(task)
    diagnostics, differences = [], []
    if variables:
        names = ", ".join(variable_env(v) if v != "<computed>" else VARIABLE_ENV_PREFIX + "<computed>" for v in variables)
        diagnostics.append(ctx.diagnostic(task, "KFM209", f"reads Airflow Variables from the environment: set {names} on the task"))
        differences.append(f"Airflow Variables come from environment variables ({names}), e.g. kubernetes.use_secret_as_env.")
    if connections:
        names = ", ".join(connection_env(c) for c in connections)
        diagnostics.append(ctx.diagnostic(task, "KFM209", f"reads Airflow connections from the environment: set {names} on the task"))
        differences.append(f"Airflow connections come from environment variables ({names}, URI or JSON), e.g. kubernetes.use_secret_as_env.")
    return diagnostics, differences


def xcom_refs_of(task: ir.Task) -> List[Tuple[str, str]]:
    """(producer task_id, key) of every XCom the task reads that is known statically."""
    refs = [(v.task_id, v.key) for v in task_values(task) if isinstance(v, ir.TaskOutput)]
    for pull in task_pulls(task):
        if pull.static:
            refs.extend(pull.refs())
    return list(dict.fromkeys(refs))


def unresolved_pull_diagnostics(task: ir.Task, ctx: MapContext) -> List[Diagnostic]:
    found = []
    for pull in task_pulls(task):
        if not pull.static:  # unknown producers are reported by the emitter, for all XCom reads
            found.append(ctx.diagnostic(task, "KFM204", f"xcom_pull with computed task_ids or key is not wired and fails at run time: {pull.source}"))
    return found


# ---------------------------------------------------------------- argument values -> inputs
@dataclass
class ArgBuilder:
    """Turns IR argument values into component inputs and Python expressions in the body."""
    ctx: Optional[MapContext] = None  # needed for ParamRef values (DAG params used as arguments)
    inputs: List[Input] = field(default_factory=list)
    dynamic: List[str] = field(default_factory=list)  # sources of values unresolved statically
    taken: Set[str] = field(default_factory=lambda: set(BODY_NAMES))

    def name(self, hint: str) -> str:
        return unique(identifier(hint, "arg"), self.taken)

    def add_input(self, hint: str, type_: str, value: Any) -> str:
        name = self.name(hint)
        self.inputs.append(Input(name, type_, value))
        return name

    def value(self, value: Any, hint: str, rendered: bool = True, top: bool = True) -> plan.Expr:
        """The body expression for `value` (migrate/plan.py); literals/templates become inputs.

        rendered: the value sits in a templated field, so its strings go through Jinja (XCom values
        are not rendered, as in Airflow). top: a whole argument (inputs are made for top-level
        values only; items inside a list/dict that also holds XCom references stay inline).
        """
        if isinstance(value, ir.TaskOutput):
            return plan.XcomValue(value.task_id, value.key)
        if isinstance(value, ir.Template):
            found = plan.InputName(self.add_input(hint, "str", value)) if top else plan.PyValue(value.text)
            return plan.Rendered(found) if rendered else found
        if isinstance(value, ir.Literal):
            return self._literal_value(value.value, hint, rendered, top)
        if isinstance(value, ir.ParamRef) and self.ctx and value.name in self.ctx.param_inputs:
            pipeline_name = self.ctx.param_inputs[value.name]
            if top:
                param_type = self.ctx.param_type(value.name)
                name = plan.InputName(self.add_input(hint, param_type, PipelineInput(pipeline_name)))
                return plan.Decoded("ints_back", name) if param_type in ("list", "dict") else name
            return plan.ParamValue(value.name)
        if isinstance(value, ir.Composite) and value.kind in ("list", "tuple", "dict"):
            if value.kind == "dict":
                return plan.MappingOf(tuple((self.value(k, hint, False, False), self.value(v, self._hint(hint, k), rendered, False))
                                           for k, v in value.items))
            return plan.SequenceOf(value.kind, tuple(self.value(item, f"{hint}_{i}", rendered, False)
                                                    for i, item in enumerate(value.items)))
        source = getattr(value, "source", repr(value))
        self.dynamic.append(source)
        return plan.Unresolved(source)

    @staticmethod
    def _hint(hint: str, key: Any) -> str:
        if isinstance(key, ir.Literal) and isinstance(key.value, str):
            return key.value
        return hint

    def _literal_value(self, obj: Any, hint: str, rendered: bool, top: bool) -> plan.Expr:
        kind = literal_kind(obj)
        needs_render = rendered and any(has_jinja(s) or s.endswith("\n") for s in _strings(obj))
        if top and kind in ("list", "dict") and _has_int(obj):
            # KFP would hand list/dict ints over as floats: send the exact value as JSON text
            found = plan.Decoded("from_json", plan.InputName(self.add_input(hint + '_json', 'str', ir.Literal(json.dumps(obj)))))
        elif top and obj is not None and kind is not None:
            found = plan.InputName(self.add_input(hint, kind, ir.Literal(obj)))
        else:
            found = plan.PyValue(obj)  # None and values JSON would change (tuples, odd keys) stay inline
        return plan.Rendered(found) if needs_render else found


def _has_int(obj: Any) -> bool:
    if isinstance(obj, int) and not isinstance(obj, bool):
        return True
    if isinstance(obj, (list, tuple)):
        return any(_has_int(item) for item in obj)
    if isinstance(obj, dict):
        return any(_has_int(item) for item in obj.values())
    return False


def literal_kind(obj: Any) -> Optional[str]:
    """The KFP parameter type for a literal, or None when it does not survive JSON unchanged."""
    if isinstance(obj, bool):
        return "bool"
    for kind, python_type in (("str", str), ("int", int), ("float", float), ("list", list), ("dict", dict)):
        if isinstance(obj, python_type):
            try:
                if json.loads(json.dumps(obj)) == obj and obj == obj:
                    return kind
            except (TypeError, ValueError):
                return None
            return None
    return None


# ---------------------------------------------------------------- context
def context_part(task: ir.Task, ctx: MapContext, args: ArgBuilder) -> plan.AirflowContext:
    """Add logical_date/run_id/param inputs; return the part building the task's Airflow context."""
    logical_date = args.add_input("logical_date", "str", PipelineInput("logical_date"))
    run_id = args.add_input("run_id", "str", PipelineInput("run_id"))
    params = []
    for param in ctx.workflow.params:
        pipeline_name = ctx.param_inputs[param.name]
        param_type = kfp_type(param.type)
        name = plan.InputName(args.add_input(f"param_{pipeline_name}", param_type, PipelineInput(pipeline_name)))
        params.append((param.name, plan.Decoded("ints_back", name) if param_type in ("list", "dict") else name))
    task_params = task.args.get("params")
    own = task_params.value if isinstance(task_params, ir.Literal) and isinstance(task_params.value, dict) else None
    return plan.AirflowContext(ctx.workflow.dag_id, task.task_id, logical_date, run_id, tuple(params), own)


def kfp_type(param_type: str) -> str:
    return param_type if param_type in ("str", "int", "float", "bool", "list", "dict") else "str"


# ---------------------------------------------------------------- callables
def airflow_imports(code: str) -> List[str]:
    """Airflow modules the code imports names from that the run-time shim does not provide (those
    the renderer turns into shim assignments: migrate/emit/component_body.py)."""
    try:
        nodes = walked(code)
    except SyntaxError:
        return []
    found = []
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and (node.module == "airflow" or node.module.startswith("airflow.")):
            if any(a.name not in SHIMMED_AIRFLOW_NAMES for a in node.names):
                found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names if a.name == "airflow" or a.name.startswith("airflow."))
    return list(dict.fromkeys(found))


def names_used(codes: Iterable[str]) -> Set[str]:
    """Every name, attribute, parameter and string constant in the code (what the shim may have to bind)."""
    used: Set[str] = set()
    for code in codes:
        try:
            nodes = walked(code)
        except SyntaxError:
            continue
        for node in nodes:
            name = (node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute)
                    else node.arg if isinstance(node, ast.arg) else node.value if isinstance(node, ast.Constant) else None)
            if isinstance(name, str):
                used.add(name)
    return used


@functools.lru_cache(maxsize=256)  # asked by the python mapper and again when modules are embedded
def unbound_names(callable_: ir.CallableSource) -> Tuple[str, ...]:
    """Names the callable reads that nothing binds: not builtins, not the prelude, not the function
    itself, not the run-time shim. Usually objects imported from airflow (kept out of the prelude)."""
    import builtins

    bound: Set[str] = set(dir(builtins)) | set(SHIMMED_AIRFLOW_NAMES)
    loaded: Set[str] = set()
    for code in (callable_.source, *callable_.prelude):
        try:
            nodes = walked(code)
        except SyntaxError:
            return ()
        for node in nodes:
            if isinstance(node, ast.Name):
                (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound.add(node.name)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                if any(a.name == "*" for a in node.names):
                    return ()  # a star import binds names we cannot list
                bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
            elif isinstance(node, ast.MatchAs) and node.name:
                bound.add(node.name)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                bound.add(node.name)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                bound |= set(node.names)
    return tuple(sorted(loaded - bound - {"__file__", "__name__"}))


def callback_note(task: ir.Task, ctx: MapContext, name: str) -> Tuple[Diagnostic, str]:
    """(KFM208, the report's line) for a callback (or SLA) argument that does not run on KFP."""
    return ctx.diagnostic(task, "KFM208", f"{name} is not carried over to KFP"), f"{name} does not run on KFP."


def not_carried_over(task: ir.Task, ctx: MapContext, what: str, why: str) -> Tuple[Diagnostic, str]:
    """(KFM202, the report's line) for something of the task KFP could honour but the mapping does not."""
    return ctx.diagnostic(task, "KFM202", f"{what} is not carried over: {why}"), f"{what[0].upper()}{what[1:]} is not carried over ({why})."


def callback_diagnostics(task: ir.Task, ctx: MapContext) -> Tuple[List[Diagnostic], List[str]]:
    notes = [callback_note(task, ctx, name) for name in getattr(task, "callbacks", {}) or {}]
    return [diagnostic for diagnostic, _ in notes], [difference for _, difference in notes]


def return_kind(annotation: Optional[str]) -> str:
    """The output kind for a return annotation: a KFP type when it is plain, else 'json'."""
    if not annotation:
        return "json"
    text = annotation.replace(" ", "").replace("typing.", "")
    if text in ("str", "int", "float", "bool"):
        return text
    return "json"  # list/dict too: KFP's typed list/dict turn ints into floats, JSON text does not


def raise_first(component: ComponentPlan, exception: str, message: str) -> None:
    """Make the component raise `exception(message)` before anything else it does (its parts stay,
    for the reader): templates missing at conversion, arguments unknown before run time."""
    component.parts.insert(0, Fail(exception, message))


# ---------------------------------------------------------------- the task callable
def callable_part(callable_: ir.CallableSource) -> Tuple[CallableCode, List[str]]:
    """(CallableCode, airflow modules it imports besides the names the run-time shim provides)."""
    codes = (*callable_.prelude, callable_.source)
    modules = [module for code in codes for module in airflow_imports(code)]
    where = str(callable_.span) if callable_.span else ""
    return (CallableCode(tuple(p.rstrip() for p in callable_.prelude), callable_.source.rstrip(), where),
            list(dict.fromkeys(modules)))


def param_name(task: ir.Task, index: int) -> str:
    """The callable's name for its positional argument `index` (an input's name hint)."""
    params = task.callable.params if task.callable else ()
    return params[index] if index < len(params) else f"arg_{index}"


def sequence_values(value, args: ArgBuilder, hint: str) -> tuple:
    """op_args as positional values (`*value` when not a literal list)."""
    if value is None:
        return ()
    if isinstance(value, ir.Literal) and isinstance(value.value, (list, tuple)):
        return tuple(args.value(ir.Literal(item), f"{hint}_{i}") for i, item in enumerate(value.value))
    if isinstance(value, ir.Composite) and value.kind in ("list", "tuple"):
        return tuple(args.value(item, f"{hint}_{i}") for i, item in enumerate(value.items))
    return (Unpacked(args.value(value, hint)),)


def mapping_values(value, args: ArgBuilder, hint: str) -> tuple:
    """op_kwargs as (keyword, value) pairs (a keyword of None: `**value` when not a literal dict)."""
    if value is None:
        return ()
    if isinstance(value, ir.Literal) and isinstance(value.value, dict):
        return tuple((str(k), args.value(ir.Literal(v), str(k))) for k, v in value.value.items())
    if isinstance(value, ir.Composite) and value.kind == "dict":
        found = {}
        for key, item in value.items:
            name = key.value if isinstance(key, ir.Literal) else f"{hint}_{len(found)}"
            found[str(name)] = args.value(item, str(name))
        return tuple(found.items())
    return ((None, args.value(value, hint)),)


def no_callable(task: ir.Task, ctx: MapContext, component: ComponentPlan) -> ComponentPlan:
    """The finished placeholder for a task whose python_callable was not found statically (KFM117)."""
    message = f"the python_callable of {task.task_id!r} was not found in the file"
    component.fidelity = PLACEHOLDER
    component.mapping = f"{task.operator} -> placeholder (callable not found)"
    component.diagnostics.append(ctx.diagnostic(task, "KFM117", message))
    component.parts = [Fail("NotImplementedError", f"kfmigrate: {message}. Original source:\n{task.source}")]
    component.differences.append("The task cannot run: its callable was not found statically.")
    component.finished = True
    return component


# ---------------------------------------------------------------- sensors
# BaseSensorOperator's arguments: every sensor rule handles them (the polling helper keeps their meaning)
SENSOR_ARGS = ("poke_interval", "timeout", "soft_fail", "mode", "exponential_backoff", "max_wait", "silent_fail",
               "never_fail", "deferrable", "start_from_trigger", "end_from_trigger", "trigger_kwargs")
DEFAULT_TIMEOUT = 7 * 24 * 3600.0  # [sensors] default_timeout


class Sensor:
    """Shared parts of every sensor body: the context, the polling call, the report notes
    (sensors.py, external_task.py)."""

    def __init__(self, task: ir.Task, ctx: MapContext, what: str):
        self.task, self.ctx = task, ctx
        self.plan = ComponentPlan(mapping=f"{task.operator} -> polling lightweight component ({what})", description=task.doc)
        self.args = ArgBuilder(ctx)
        self.parts: List[Part] = [context_part(task, ctx, self.args)]

    def value(self, name: str, rendered: bool = True, default: Any = None) -> Expr:
        value = self.task.args.get(name)
        return PyValue(default) if value is None else self.args.value(value, name, rendered=rendered)

    def diagnostic(self, code: str, message: str, severity: str = "warning") -> None:
        self.plan.diagnostics.append(self.ctx.diagnostic(self.task, code, message, severity))

    def seconds(self, name: str, default: float) -> PyValue:
        value = self.task.args.get(name)
        if value is None:
            return PyValue(default)
        converted = to_python(value)
        if isinstance(converted, (int, float)) and not isinstance(converted, bool):
            return PyValue(float(converted))
        self.diagnostic("KFM110", f"{name} {describe(converted)} is not a literal duration: Airflow's default is used")
        return PyValue(default)

    def finish(self, check, packages=()) -> ComponentPlan:
        """The plan polling the check: `check` (parts) defines `_poke` (migrate/plan.py Poll)."""
        task, component = self.task, self.plan
        options = [("poke_interval", self.seconds("poke_interval", 60.0)), ("timeout", self.seconds("timeout", DEFAULT_TIMEOUT))]
        for flag in ("soft_fail", "exponential_backoff", "silent_fail", "never_fail"):
            value = to_python(task.args.get(flag))
            if value is True:
                options.append((flag, PyValue(True)))
        if "max_wait" in task.args:
            options.append(("max_wait", self.seconds("max_wait", 0.0)))
        component.parts = [*self.parts, *check, Poll(tuple(options))]
        component.inputs = self.args.inputs
        component.unresolved = self.args.dynamic
        component.xcom_refs = xcom_refs_of(task)
        component.outputs = {"return_value": "json"}
        component.may_skip = True  # soft_fail, never_fail, AirflowSkipException in a check
        component.packages = list(packages) + (["jinja2"] if any(value_has_jinja(v) for v in task.args.values()) else [])
        mode = to_python(task.args.get("mode"))
        if mode == "reschedule" or to_python(task.args.get("deferrable")) is True:
            component.differences.append("mode='reschedule'/deferrable: the KFP pod keeps running while it waits (there is no reschedule on KFP).")
        else:
            component.differences.append("The pod runs for the whole wait, as a poke-mode sensor holds a worker slot.")
        if to_python(task.args.get("retries")) or task.retry.retries:
            component.differences.append("A sensor timeout is retried on KFP when retries are set (Airflow never retries AirflowSensorTimeout).")
        return component
