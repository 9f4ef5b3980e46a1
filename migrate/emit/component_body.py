"""The one renderer of component bodies: typed parts (migrate/plan.py) -> Python built as a libcst tree.

Mappers say what a component does (call the callable, run bash, decide a branch ...); this module
writes the statements. It alone knows the names a body shares with the rest of the component
function (the emitter's wrapper, migrate/emit/builder.py):

- `xcom`: the XCom values the task reads, {(task_id, key): value}, built by the emitter;
- `_airflow`: the Airflow context shim (migrate/emit/runtime.py `_airflow_runtime`);
- `results` (XCom key -> value) and `skipped` (bool): set by every body, turned into outputs.

Statements come from fixed templates whose holes are filled with libcst nodes (never by pasting
user values into text); code from the DAG file is parsed and its statements placed as they are.
The layout matches the code mappers wrote as text before, so generated pipelines read the same.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState
from libcst.helpers import get_full_name_for_node

from kfmigrate.migrate import plan as parts
from kfmigrate.migrate.operators.common import ASSET_NAMES, SHIMMED_AIRFLOW_NAMES, names_used
from kfmigrate.migrate.plan import CONDITION_KEY, FOLLOW_KEY

XCOM, CONTEXT, RESULTS, SKIPPED = "xcom", "_airflow", "results", "skipped"  # the body contract
MAX_LINE = 100  # a call longer than this is written one argument line below its name

_EMPTY = cst.Module(body=[])


def render(body: Sequence[parts.Part]) -> str:
    """The code of a component body (no trailing newline; the emitter indents it into the function)."""
    return "".join(map(_part_code, body)).rstrip("\n")


# The code of each part rendered so far, by the part's repr: many tasks have a part in common (the
# same bash command, sensor check or callable), and a part's code depends on the part alone. The
# repr, not the part, is the key: equal parts can write different code (PyValue(1) == PyValue(True)),
# and some parts hold dicts. Per process and bounded, like the other caches here.
_PART_CODE: Dict[str, str] = {}


def _part_code(part: parts.Part) -> str:
    key = repr(part)
    code = _PART_CODE.get(key)
    if code is None:
        if len(_PART_CODE) >= 2048:
            _PART_CODE.clear()
        code = _PART_CODE[key] = "".join(map(_item_code, _statements(part)))
    return code


def fill(plan) -> None:
    """Set `plan.body` from `plan.parts` (once: later steps of the emitter may edit the text)."""
    if plan.parts and not plan.body:
        plan.body = render(plan.parts)


def expression(value: parts.Expr, xcom: Optional[Dict[Tuple[str, str], str]] = None) -> cst.BaseExpression:
    """The libcst expression for a typed value. xcom: the code for each (task_id, key) when XCom
    values are not read from the body's `xcom` dict (the direct tier passes its own parameters)."""
    def inner(item: parts.Expr) -> cst.BaseExpression:
        return expression(item, xcom)

    if isinstance(value, (parts.InputName, parts.Local)):
        return cst.Name(value.name)
    if isinstance(value, parts.XcomValue):
        if xcom is not None:
            return cst.parse_expression(xcom[(value.task_id, value.key)])
        key = cst.Tuple([cst.Element(_literal(value.task_id)), cst.Element(_literal(value.key))])
        return cst.Subscript(cst.Name(XCOM), [cst.SubscriptElement(cst.Index(key))])
    if isinstance(value, parts.Rendered):
        return _call("_airflow_render", [inner(value.value), _attribute(CONTEXT, "context")])
    if isinstance(value, parts.Decoded):
        return _call("_from_json" if value.how == "from_json" else "_ints_back", [inner(value.value)])
    if isinstance(value, parts.HelperCall):
        return _call(value.helper, [inner(item) for item in value.args])
    if isinstance(value, parts.ParamValue):
        return _expression(CONTEXT + "['params'][{name}]", name=_literal(value.name))
    if isinstance(value, parts.PyValue):
        return _literal(value.value)
    if isinstance(value, parts.SequenceOf):
        elements = [cst.StarredElement(inner(item.value)) if isinstance(item, parts.Unpacked) else cst.Element(inner(item))
                    for item in value.items]
        return cst.Tuple(elements) if value.kind == "tuple" else cst.List(elements)
    if isinstance(value, parts.MappingOf):
        return cst.Dict([cst.StarredDictElement(inner(item)) if key is None else cst.DictElement(inner(key), inner(item))
                         for key, item in value.items])
    if isinstance(value, parts.Unresolved):
        return cst.Name("None")
    raise TypeError(f"not a body expression: {value!r}")  # Unpacked only stands in a sequence or among arguments


def direct_call(target: str, args, kwargs, xcom: Dict[Tuple[str, str], str]) -> str:
    """The direct tier's call of the callable (plan DirectCall): XCom values are the code `xcom`
    gives for (task_id, key), the component's own parameters there (migrate/emit/direct.py)."""
    call = [cst.Arg(expression(value, xcom)) for value in args] + [_keyword(key, expression(value, xcom)) for key, value in kwargs]
    return code_of(_call(target, call))


def code_of(node: cst.CSTNode) -> str:
    """`Module.code_for_node(node)` (the default module's indent and newline), by a _CodeState."""
    state = _CodeState(_EMPTY.default_indent, _EMPTY.default_newline)
    node._codegen(state)
    return "".join(state.tokens)


class _NoPosition:
    """The context manager _CodeState hands out where libcst would record a node's position."""
    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        return None


_NO_POSITION = _NoPosition()


class _CodeState(CodegenState):
    """libcst's CodegenState, the same tokens, without its generator-based no-op context manager
    around every expression (record_syntactic_position): that was about a fifth of writing a body."""
    __slots__ = ()

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        return _NO_POSITION


# ---------------------------------------------------------------- parts
def _statements(part: parts.Part) -> Iterable:
    if isinstance(part, parts.AirflowContext):
        return [_context(part)]
    if isinstance(part, parts.CallPython):
        return _call_python(part, RESULTS, wrap=True)
    if isinstance(part, parts.RunBash):
        return _run_bash(part)
    if isinstance(part, parts.FollowBranch):
        return _follow(part)
    if isinstance(part, parts.ShortCircuit):
        return _short_circuit(part)
    if isinstance(part, parts.DecideByTime):
        return _decide_by_time(part)
    if isinstance(part, parts.LatestOnly):
        return _latest_only(part)
    if isinstance(part, parts.RunOperator):
        return _run_operator(part)
    if isinstance(part, parts.RunHelper):
        call = [cst.Arg(cst.Name(CONTEXT))] + [_keyword(key, expression(value)) for key, value in part.kwargs]
        return [_assign_call(f"{RESULTS}, {SKIPPED}", part.helper, call, wrap=False)]
    if isinstance(part, parts.AskPerson):
        return _ask_person(part)
    if isinstance(part, parts.Fail):
        return [cst.SimpleStatementLine([cst.Raise(_call(part.error, [_literal(part.message)]))])]
    if isinstance(part, parts.CallableCode):
        return callable_statements(part)
    if isinstance(part, parts.Code):
        return _code(part)
    if isinstance(part, parts.Poll):
        call = [cst.Arg(cst.Name(CONTEXT)), cst.Arg(cst.Name("_poke"))] + [_keyword(k, expression(v)) for k, v in part.options]
        return [_assign_call(f"{RESULTS}, {SKIPPED}", "_airflow_sensor", call, wrap=True)]
    raise TypeError(f"not a body part: {part!r}")


def _context(part: parts.AirflowContext) -> cst.BaseStatement:
    params = [cst.DictElement(_literal(name), expression(value)) for name, value in part.params]
    if part.task_params is not None:
        params.append(cst.StarredDictElement(_literal(part.task_params)))
    lines = [[_keyword("dag_id", _literal(part.dag_id)), _keyword("task_id", _literal(part.task_id)),
              _keyword("logical_date", cst.Name(part.logical_date)), _keyword("run_id", cst.Name(part.run_id))],
             [_keyword("params", cst.Dict(params)), _keyword(XCOM, cst.Name(XCOM) if part.xcom else cst.Dict([]))]]
    return _assign(CONTEXT, _call_in_lines("_airflow_runtime", lines))


def callable_statements(code: parts.CallableCode) -> List:
    """The callable and what it needs from the DAG file, each group under a comment."""
    found: List = []
    bindings = _shim_bindings((code.source, *code.prelude))
    if bindings:
        found.append(_comment("# Airflow names the callable uses, provided by the kfmigrate run-time shim."))
        found += bindings
    if code.prelude:
        found.append(_comment("# From the DAG file: imports, constants and helpers the callable uses."))
        for snippet in code.prelude:
            found.append(_dag_code(snippet))
    found.append(_comment(f"# The task callable{f' ({code.where})' if code.where else ''}."))
    found.append(_dag_code(code.source))
    return found


def shim_bindings(codes: Sequence[str]) -> str:
    """The shim's bindings for the Airflow names the code uses, as code (the emitter's callbacks)."""
    return _join(_shim_bindings(codes))


def rewrite_airflow_imports(code: str) -> str:
    """The code with its imports of shimmed Airflow names turned into shim bindings (the emitter's callbacks)."""
    return _shim_imports(code).code if code.strip() else code


def _shim_bindings(codes: Sequence[str]) -> List:
    """`name = _airflow.name` for the shimmed Airflow names the code uses (module-level airflow
    imports are not part of the prelude, so the names must be bound here)."""
    used = names_used(codes)
    found = [_assign(name, _attribute(CONTEXT, name)) for name in SHIMMED_AIRFLOW_NAMES if name in used]
    if used & ASSET_NAMES:
        found.insert(0, _fixed(f"_airflow_assets({CONTEXT})\n"))
    if "render_template" in used:  # context["task"].render_template(content, context), as on an operator
        found.append(_fixed(f'{CONTEXT}.context["task"].render_template = lambda content, context, *_a, **_k: '
                            "_airflow_render(content, context)\n"))
    return found


@dataclass(frozen=True)
class _Source:
    """Code from the DAG file, placed as written: its libcst tree would give back the same text
    (libcst round-trips code exactly), so it is generated again only where the tree was changed."""
    text: str


def _dag_code(code: str) -> _Source:
    """The DAG file's code with the shimmed Airflow imports rewritten; trailing blank lines dropped."""
    if not re.search(r"\bfrom\s+airflow\b", code):
        return _Source(code.rstrip())
    return _Source(_shim_imports(code).code.rstrip())


def _shim_imports(code: str) -> cst.Module:
    """The code parsed, `from airflow... import get_current_context` (and the other names the shim
    provides) replaced by `get_current_context = _airflow.get_current_context` where it stands."""
    module = _parsed(code)
    if not re.search(r"\bfrom\s+airflow\b", code):
        return module  # nothing to rewrite: no visit of the whole code
    return module.visit(_ShimImports())


class _ShimImports(cst.CSTTransformer):
    """Rewrites the imports of shimmed Airflow names in every line (and one-line suite) of the code."""

    def leave_SimpleStatementLine(self, original, updated):
        return self._replace(updated)

    def leave_SimpleStatementSuite(self, original, updated):
        return self._replace(updated)

    @staticmethod
    def _replace(line):
        body, changed = [], False
        for small in line.body:
            module = get_full_name_for_node(small.module) if isinstance(small, cst.ImportFrom) and small.module else None
            if (module is None or small.relative or isinstance(small.names, cst.ImportStar)
                    or not (module == "airflow" or module.startswith("airflow."))):
                body.append(small)
                continue
            shimmed = [a for a in small.names if a.evaluated_name in SHIMMED_AIRFLOW_NAMES]
            if not shimmed:
                body.append(small)
                continue
            kept = [cst.ImportAlias(a.name, asname=cst.AsName(a.asname.name) if a.asname else None)
                    for a in small.names if a.evaluated_name not in SHIMMED_AIRFLOW_NAMES]
            if kept:
                body.append(cst.ImportFrom(module=small.module, names=kept))
            body += [_assign(a.evaluated_alias or a.evaluated_name, _attribute(CONTEXT, a.evaluated_name)).body[0] for a in shimmed]
            if small.semicolon is not cst.MaybeSentinel.DEFAULT:
                body[-1] = body[-1].with_changes(semicolon=small.semicolon)
            changed = True
        return line.with_changes(body=body) if changed else line


@functools.lru_cache(maxsize=256)
def callable_code(code: parts.CallableCode) -> str:
    """The callable's code as text (the direct tier writes it into a plain component)."""
    return _join(callable_statements(code))


def _call_python(part: parts.CallPython, into: str, wrap: bool) -> List:
    args = expression(parts.SequenceOf("list", part.op_args))
    kwargs = expression(parts.MappingOf(tuple((None if key is None else parts.PyValue(key), value) for key, value in part.op_kwargs)))
    found: List = [_assign("_op_args", args), _assign("_op_kwargs", kwargs)]
    found += callable_statements(part.code)
    target = part.target
    if part.bound_args is not None:
        found.append(_fixed("import functools as _functools\n"))
        bound = [cst.Arg(cst.Name(target))] + [_positional(item) for item in part.bound_args]
        bound += [_keyword(key, expression(value)) for key, value in part.bound_kwargs]
        found.append(_assign("_callable", _call("_functools.partial", bound)))
        target = "_callable"
    call = [cst.Arg(cst.Name(CONTEXT)), cst.Arg(cst.Name(target)), cst.Arg(cst.Name("_op_args")), cst.Arg(cst.Name("_op_kwargs"))]
    if part.templates_dict is not None:
        call.append(_keyword("templates_dict", expression(part.templates_dict)))
    if part.multiple_outputs:
        call.append(_keyword("multiple_outputs", cst.Name("True")))
    found.append(_assign_call(f"{into}, {SKIPPED}", "_airflow_call_python", call, wrap))
    return found


def _run_bash(part: parts.RunBash) -> List:
    found: List = []
    if part.call is not None:  # @task.bash: the callable returns the command
        found += _call_python(part.call, "returned", wrap=False)
        found.append(_fixed(
            'if not skipped and (not isinstance(returned["return_value"], str) or not returned["return_value"].strip()):\n'
            '    raise TypeError("The returned value from the TaskFlow callable must be a non-empty string.")\n'))
        found.append(_fixed(f'command = "" if {SKIPPED} else _airflow_render(returned["return_value"], {CONTEXT}.context)\n'))
    else:
        found.append(_assign("command", expression(part.command)))
    call = [cst.Arg(cst.Name(CONTEXT)), cst.Arg(cst.Name("command"))]
    if part.env is not None:
        call.append(_keyword("env", expression(part.env)))
    if part.append_env:
        call.append(_keyword("append_env", cst.Name("True")))
    if part.cwd is not None:
        call.append(_keyword("cwd", expression(part.cwd)))
    if part.skip_on_exit_code is not None:
        call.append(_keyword("skip_on_exit_code", expression(part.skip_on_exit_code)))
    if part.output_encoding is not None:
        call.append(_keyword("output_encoding", expression(part.output_encoding)))
    run = _assign_call(f"{RESULTS}, {SKIPPED}", "_airflow_run_bash", call, wrap=False)
    if part.call is not None:
        found.append(cst.If(test=_expression("not " + SKIPPED),
                            body=cst.IndentedBlock([run]),
                            orelse=cst.Else(cst.IndentedBlock([_fixed(f"{RESULTS} = {{}}\n")]))))
    else:
        found.append(run)
    if part.processor is not None:
        found.append(_assign("output_processor", cst.parse_expression(part.processor)))
        found.append(_fixed(
            f'if not {SKIPPED}:\n    {RESULTS}["return_value"] = output_processor({RESULTS}["return_value"])\n'))
    if part.multiple_outputs:
        found.append(_fixed(
            f'if not {SKIPPED} and isinstance({RESULTS}["return_value"], dict):\n'
            f'    {RESULTS}.update({{str(k): v for k, v in {RESULTS}["return_value"].items()}})\n'))
    if not part.push:
        found.append(_fixed(f"{RESULTS} = {{}}  # do_xcom_push=False\n"))
    return found


# What a branch follows, by FollowBranch.chosen
_CHOSEN = {"returned": f"{RESULTS}.get('return_value')", "decided": "chosen", "answered": "_chosen"}


def _follow(part: parts.FollowBranch) -> List:
    """As Airflow's skip_all_except: a direct downstream task that is downstream of a chosen task
    too is followed. When the branch skips anything, Airflow 3 ends the task with
    DownstreamTasksSkipped: the return value is not pushed."""
    found: List = [
        _comment("# A branch: the task ids (or task group ids) to follow; its other direct downstream tasks are skipped."),
        _statement("follow = [] if " + SKIPPED + " else _airflow_branch_ids({chosen})",
                   chosen=_fixed_expression(_CHOSEN[part.chosen])),
    ]
    if part.relatives:
        relatives = {task_id: list(others) for task_id, others in part.relatives}
        found.append(_with_comment(_assign("_relatives", _literal(relatives)),
                                   "# direct downstream tasks that are downstream of others too"))
        found.append(_fixed("follow += [task_id for chosen_id in follow for task_id in _relatives.get(chosen_id, [])]\n"))
    found.append(_statement(
        "if not " + SKIPPED + " and any(_airflow_not_followed(task_id, follow) for task_id in {direct}):\n"
        "    " + RESULTS + ".pop('return_value', None)  # Airflow 3 raised DownstreamTasksSkipped: no return value\n",
        direct=_literal(list(part.direct))))
    found.append(_statement(RESULTS + "[{key}] = follow", key=_literal(FOLLOW_KEY)))
    return found


def _short_circuit(part: parts.ShortCircuit) -> List:
    key = _literal(CONDITION_KEY)
    return [
        _comment("# A short circuit: a falsy return value skips the tasks downstream. Airflow 3 then ends the"),
        _comment("# task with DownstreamTasksSkipped, so no return value is pushed."),
        _statement(RESULTS + "[{key}] = False if " + SKIPPED + " else bool(" + RESULTS + ".get('return_value'))",
                   key=key),
        _statement(
            "if not " + SKIPPED + " and not " + RESULTS + "[{key}] and {direct}:\n"
            "    " + RESULTS + ".pop('return_value', None)\n", key=key, direct=_literal(part.has_direct)),
    ]


def _decide_by_time(part: parts.DecideByTime) -> List:
    found: List = [_fixed("import datetime\n")]
    if part.logical_date:
        found.append(_fixed(f"now = {CONTEXT}.context['logical_date']\n"))
    else:
        found.append(_fixed("now = datetime.datetime.now(datetime.timezone.utc)\n"))
    true_ids, false_ids = _literal(list(part.true_ids)), _literal(list(part.false_ids))
    if part.week_days is not None:
        found.append(_with_comment(_assign("week_days", _literal(list(part.week_days))), "# ISO numbers, Monday = 1"))
        found.append(_statement("chosen = {true_ids} if now.isoweekday() in week_days else {false_ids}",
                                true_ids=true_ids, false_ids=false_ids))
    else:
        found.append(_statement("lower, upper = {lower}, {upper}", lower=_bound(part.lower), upper=_bound(part.upper)))
        found += source_statements(
            "# As airflow's target_times_as_dates: times are combined with today's date; an upper bound\n"
            "# before the lower one then means the next day.\n"
            "if not (isinstance(lower, datetime.datetime) and isinstance(upper, datetime.datetime)):\n"
            "    if isinstance(lower, datetime.time):\n"
            "        lower = datetime.datetime.combine(now, lower)\n"
            "    if isinstance(upper, datetime.time):\n"
            "        upper = datetime.datetime.combine(now, upper)\n"
            "    if lower is not None and upper is not None and upper < lower:\n"
            "        upper += datetime.timedelta(days=1)\n"
            "utc = datetime.timezone.utc\n"
            "lower = lower.replace(tzinfo=utc) if lower is not None and lower.tzinfo is None else lower\n"
            "upper = upper.replace(tzinfo=utc) if upper is not None and upper.tzinfo is None else upper\n"
            "inside = not ((upper is not None and upper < now) or (lower is not None and lower > now))\n")
        found.append(_statement("chosen = {true_ids} if inside else {false_ids}", true_ids=true_ids, false_ids=false_ids))
    found.append(_fixed(f"{RESULTS}, {SKIPPED} = {{'return_value': chosen}}, False\n"))
    return found


def _bound(bound: Optional[parts.TimeBound]) -> cst.BaseExpression:
    if bound is None or (bound.iso is None and bound.time is None):
        return cst.Name("None")
    if bound.iso is not None:
        return _call("datetime.datetime.fromisoformat", [_literal(bound.iso)])
    return _call("datetime.time", [_literal(number) for number in bound.time])


def _latest_only(part: parts.LatestOnly) -> List:
    found: List = [
        _comment("# LatestOnlyOperator: a manual run proceeds; a scheduled run proceeds only while it is the latest."),
        _fixed(f'run_id = {CONTEXT}.context["run_id"]\n'),
        _fixed("latest = True\n"),
    ]
    if part.cron is not None or part.every is not None:
        if part.cron is not None:
            next_run = _expression("croniter.croniter({cron}, logical_date).get_next(dt.datetime)",
                                   cron=_literal(part.cron))
        else:
            next_run = _expression("logical_date + dt.timedelta(seconds={every})", every=_literal(float(part.every)))
        block = [_fixed("import datetime as dt\n")]
        if part.cron is not None:
            block.append(_fixed("import croniter\n"))
        block.append(_fixed(f'logical_date = {CONTEXT}.context["logical_date"]\n'))
        block.append(_assign("next_run", next_run))
        block += [_fixed(line + "\n") for line in (
            "now = dt.datetime.now(dt.timezone.utc)",
            'print(f"Checking latest only: window ({logical_date}, {next_run}], now {now}")',
            "latest = logical_date < now <= next_run")]
        found.append(cst.If(test=_fixed_expression('run_id.startswith("scheduled__")'), body=cst.IndentedBlock(block)))
    direct = _literal(list(part.direct))
    found += [
        _fixed('print("Latest, allowing execution to proceed." if latest else "Not latest execution, skipping downstream.")\n'),
        _comment("# Airflow pushes the followed task ids; when it skips, it ends with DownstreamTasksSkipped and pushes nothing"),
        _statement(RESULTS + " = {chosen} if latest else {none}", chosen=cst.Dict([
            cst.DictElement(_literal(FOLLOW_KEY), direct), cst.DictElement(_literal("return_value"), direct)]),
            none=cst.Dict([cst.DictElement(_literal(FOLLOW_KEY), cst.List([]))])),
        _fixed(f"{SKIPPED} = False\n"),
    ]
    return found


def _ask_person(part: parts.AskPerson) -> List:
    call = [cst.Arg(cst.Name(CONTEXT))] + [_keyword(key, expression(value)) for key, value in part.ask]
    found: List = [_assign("_answer", _call_in_lines("_airflow_hitl_wait", [[arg] for arg in call])),
                   _fixed(f"{RESULTS}, {SKIPPED} = {{'return_value': _answer}}, False\n")]
    if part.approval:
        found.append(_fixed("_approved = _answer['chosen_options'][0] == 'Approve'\n"))
        if part.fail_on_reject:
            found.append(_fixed(f"if not _approved:\n    raise {CONTEXT}.AirflowFailException('Receive \"Reject\"')\n"))
        found.append(_comment("# Reject skips the tasks downstream (as a false short circuit); the answer is still the XCom value"))
        found.append(_statement(RESULTS + "[{key}] = _approved", key=_literal(CONDITION_KEY)))
    elif part.options_mapping is not None:
        found.append(_statement("_chosen = [{mapping}.get(option, option) for option in _answer['chosen_options']]",
                                mapping=_literal(part.options_mapping)))
        found.append(_fixed(f"{RESULTS} = {{'return_value': _chosen}}\n"))
    return found


def _run_operator(part: parts.RunOperator) -> List:
    kwargs = cst.Dict([cst.DictElement(_literal(name), expression(value)) for name, value in part.kwargs])
    found: List = [_assign("_kwargs", kwargs)]
    call = [cst.Arg(cst.Name(CONTEXT)), cst.Arg(_literal(part.module)), cst.Arg(_literal(part.operator)), cst.Arg(cst.Name("_kwargs"))]
    if part.module_code is not None:
        found.append(_module_code(part.module_code))
        call.append(_keyword("module_code", cst.Name("_dag_file_code")))
    if part.dynamic:
        found.append(_with_comment(_assign("_dynamic_kwargs", _literal(dict(part.dynamic))), "# Python expressions from the DAG file"))
        call.append(_keyword("dynamic_kwargs", cst.Name("_dynamic_kwargs")))
    found.append(_assign_call(f"{RESULTS}, {SKIPPED}", "_airflow_run_operator", call, wrap=False))
    return found


def _module_code(code: str) -> cst.BaseStatement:
    """The code as a readable raw triple-quoted string when that is exact, else its repr."""
    if "'''" in code or code.rstrip().endswith("\\") or "\r" in code:
        return _assign("_dag_file_code", cst.SimpleString(repr(code)))
    return _with_comment(_assign("_dag_file_code", cst.SimpleString("r'''\n" + code + "'''")),
                         "# the DAG file's code: imports, helpers, the operator class")


def _code(part: parts.Code) -> List:
    """A mapper's fixed statements, holes filled with nodes (only the names given are holes, so
    f-string braces in the text stay as they are)."""
    values = {name: expression(value) for name, value in part.values}
    if "{context}" in part.text:
        values["context"] = cst.Name(CONTEXT)
    module = _template("module", part.text, **values)
    return _module_statements(module)


# ---------------------------------------------------------------- building blocks
def source_statements(code: str) -> List:
    """The statements of Python source, comments kept: those before or after every statement come
    back as EmptyLine items that render() puts in front of the next statement. Trailing blank
    lines are dropped, as the text bodies did (`code.rstrip()`)."""
    if not code.strip():
        return []
    return _module_statements(_parsed(code))


def _module_statements(module: cst.Module) -> List:
    found: List = list(module.header)  # comments before the first statement: in front of it
    found += module.body
    found += module.footer
    while found and isinstance(found[-1], cst.EmptyLine) and found[-1].comment is None:
        found.pop()
    return found


def _join(items: List) -> str:
    """Statements, comment lines (EmptyLine) and DAG code (_Source), one after the other, as module code."""
    return "".join(map(_item_code, items)).rstrip("\n")


def _item_code(item) -> str:
    if isinstance(item, _Source):
        return item.text + "\n"
    fixed = _FIXED_CODE.get(id(item))
    return fixed if fixed is not None else code_of(item)


_HOLE = "_kfmigrate_hole_"


# The code of each _fixed statement, by id: those nodes live as long as the process (the unbounded
# cache below keeps them), so their code is generated once.
_FIXED_CODE: Dict[int, str] = {}


@functools.lru_cache(maxsize=None)
def _fixed(code: str) -> cst.BaseStatement:
    """A statement the renderer always writes the same way, parsed once (nodes never change)."""
    node = cst.parse_statement(code)
    _FIXED_CODE[id(node)] = code_of(node)
    return node


@functools.lru_cache(maxsize=None)
def _fixed_expression(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


@functools.lru_cache(maxsize=256)
def _template_tree(kind: str, text: str, names: tuple):
    """The parsed template and the ids of its nodes that have a hole inside (or are one): filling
    visits only those, a sensor's check is a long template with a few holes."""
    mangled = re.sub(r"\{(%s)\}" % "|".join(map(re.escape, names)), lambda m: _HOLE + m.group(1), text) if names else text
    tree = {"module": cst.parse_module, "statement": cst.parse_statement, "expression": cst.parse_expression}[kind](mangled)
    holes = _HolePaths()
    if names:
        tree.visit(holes)
    return tree, frozenset(holes.found)


def _template(kind: str, text: str, **values):
    """A fixed template (parsed once) whose holes `{name}` become the given nodes. Only the names
    given are holes: other braces (f-strings, dicts) stay as written."""
    tree, with_holes = _template_tree(kind, text, tuple(sorted(values)))
    return tree.visit(_Fill(values, with_holes)) if values else tree


def _statement(text: str, **values) -> cst.BaseStatement:
    return _template("statement", text, **values)


def _expression(text: str, **values) -> cst.BaseExpression:
    return _template("expression", text, **values)


class _HolePaths(cst.CSTVisitor):
    """Collects the ids of the nodes on the way from the root to each hole."""

    def __init__(self):
        super().__init__()
        self.path: List[cst.CSTNode] = []
        self.found = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.path.append(node)
        if isinstance(node, cst.Name) and node.value.startswith(_HOLE):
            self.found.update(id(step) for step in self.path)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.path.pop()


class _Fill(cst.CSTTransformer):
    def __init__(self, values, with_holes):
        self.values = values
        self.with_holes = with_holes

    def on_visit(self, node: cst.CSTNode) -> bool:
        return id(node) in self.with_holes  # a subtree without a hole stays as it is

    def leave_Name(self, original: cst.Name, updated: cst.Name):
        if updated.value.startswith(_HOLE):
            return self.values[updated.value[len(_HOLE):]]
        return updated


@functools.lru_cache(maxsize=1024)
def _parsed(code: str) -> cst.Module:
    """Code from the DAG file, parsed once: the same prelude snippets serve many tasks."""
    return cst.parse_module(code)


def _comment(text: str) -> cst.EmptyLine:
    return cst.EmptyLine(indent=True, comment=cst.Comment(text))


def _with_comment(statement: cst.SimpleStatementLine, comment: str) -> cst.SimpleStatementLine:
    return statement.with_changes(trailing_whitespace=cst.TrailingWhitespace(
        whitespace=cst.SimpleWhitespace("  "), comment=cst.Comment(comment)))


def _literal(value) -> cst.BaseExpression:
    """A Python literal, written exactly as repr writes it."""
    if value is None or isinstance(value, bool):
        return cst.Name(repr(value))
    if type(value) is str:
        return cst.SimpleString(repr(value))
    if type(value) in (int, float) and value == value and value not in (float("inf"), float("-inf")):
        text = repr(value)
        number = cst.Integer if type(value) is int else cst.Float
        return cst.UnaryOperation(cst.Minus(), number(text[1:])) if text.startswith("-") else number(text)
    if type(value) is list:
        return cst.List([cst.Element(_literal(item)) for item in value])
    if type(value) is tuple:
        return cst.Tuple([cst.Element(_literal(item)) for item in value])
    if type(value) is dict:
        return cst.Dict([cst.DictElement(_literal(key), _literal(item)) for key, item in value.items()])
    text = repr(value)
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:  # an object whose repr is no expression: carried as that text
        return cst.SimpleString(repr(text))


def _attribute(name: str, attr: str) -> cst.Attribute:
    return cst.Attribute(cst.Name(name), cst.Name(attr))


def _call(function: str, args: List) -> cst.Call:
    return cst.Call(_fixed_expression(function), [a if isinstance(a, cst.Arg) else cst.Arg(a) for a in args])


def _positional(item: parts.Expr) -> cst.Arg:
    if isinstance(item, parts.Unpacked):
        return cst.Arg(expression(item.value), star="*")
    return cst.Arg(expression(item))


# Whitespace nodes the renderer writes everywhere, built once (nodes never change, so trees share them)
_TIGHT_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
_LINE_BELOW = cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace("    "))
_LINE_CLOSE = cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), indent=True, last_line=cst.SimpleWhitespace(""))
_COMMA_SPACE, _COMMA_BELOW, _COMMA_CLOSE = (cst.Comma(whitespace_after=after) for after in (
    cst.SimpleWhitespace(" "), _LINE_BELOW, _LINE_CLOSE))


def _keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    return cst.Arg(value, keyword=cst.Name(name), equal=_TIGHT_EQUAL)


def _assign(target: str, value: cst.BaseExpression) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(_fixed_expression(target))], value)])


def _call_in_lines(function: str, lines: List[List[cst.Arg]]) -> cst.Call:
    """A call written one group of arguments a line, each line indented below the call, a comma after the last."""
    args = []
    for number, line in enumerate(lines):
        for index, arg in enumerate(line):
            comma = _COMMA_SPACE if index < len(line) - 1 else _COMMA_BELOW if number < len(lines) - 1 else _COMMA_CLOSE
            args.append(arg.with_changes(comma=comma))
    return cst.Call(_fixed_expression(function), args, whitespace_before_args=_LINE_BELOW)


def _assign_call(target: str, function: str, args: List[cst.Arg], wrap: bool) -> cst.SimpleStatementLine:
    """`target = function(args)`, the arguments on their own indented line when the line is too long."""
    statement = _assign(target, _call(function, args))
    if not wrap or len(code_of(statement).rstrip("\n")) <= MAX_LINE:
        return statement
    return _assign(target, _call_in_lines(function, [args]))
