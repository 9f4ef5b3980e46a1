"""Operations on the static interpreter's values: durations and datetimes, the methods of literal
containers, the task outputs a value holds, and the conversion of a value to an IR Value.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, List, Optional

from kfmigrate.migrate import ir
from kfmigrate.migrate.parse.symbols import (
    ContextDag, DateTime, Duration, GroupArgValue, GroupRef, Imported, LambdaValue, LocalFunction, Opaque, ParamSpec,
    ParamValue, PathValue, TaskFlowDef, TaskRef, ZipValue,
)


def is_unknown(value: Any) -> bool:
    return isinstance(value, Opaque)


def make_duration(kwargs, args) -> Optional[Duration]:
    units = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1,
             "milliseconds": 0.001, "microseconds": 0.000001}
    total = 0.0
    positional = ["days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"]
    for unit, value in list(zip(positional, args)) + list(kwargs.items()):
        if unit not in units or not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        total += value * units[unit]
    return Duration(total)


def make_datetime(args, kwargs) -> Optional[DateTime]:
    fields = ["year", "month", "day", "hour", "minute", "second"]
    values = dict(zip(fields, args))
    values.update({k: v for k, v in kwargs.items() if k in fields})
    if not all(isinstance(values.get(f, 0), int) for f in fields) or "year" not in values:
        return None
    try:
        moment = _dt.datetime(values["year"], values.get("month", 1), values.get("day", 1),
                              values.get("hour", 0), values.get("minute", 0), values.get("second", 0))
    except (ValueError, TypeError):
        return None
    tz = kwargs.get("tz", kwargs.get("tzinfo", "UTC"))
    return DateTime(moment.isoformat() + ("+00:00" if tz in ("UTC", None) or isinstance(tz, Opaque) else f"[{tz}]"))


def duration_arith(op, left, right) -> Optional[Duration]:
    name = type(op).__name__
    if isinstance(left, Duration) and isinstance(right, Duration):
        if name == "Add":
            return Duration(left.seconds + right.seconds)
        if name == "Subtract":
            return Duration(left.seconds - right.seconds)
    if name == "Multiply":
        if isinstance(left, Duration) and isinstance(right, (int, float)):
            return Duration(left.seconds * right)
        if isinstance(right, Duration) and isinstance(left, (int, float)):
            return Duration(right.seconds * left)
    return None


CONTAINER_METHODS = {"items", "keys", "values", "get", "format", "upper", "lower", "replace", "join",
                      "split", "strip", "title", "capitalize", "startswith", "endswith", "copy",
                      "setdefault", "update", "pop", "append", "extend"}


def container_call(owner, name, args, kwargs):
    if isinstance(owner, Duration):
        return owner.seconds
    try:
        result = getattr(owner, name)(*args, **kwargs)
    except Exception:  # noqa: BLE001 - a literal method that fails statically is simply unknown
        return Opaque(f"{name}()")
    if name in ("items", "keys", "values"):
        return list(result)
    return result


def task_outputs_in(value: Any) -> List[TaskRef]:
    if isinstance(value, TaskRef):
        return [value]
    if isinstance(value, ZipValue):
        return [ref for item in value.sources for ref in task_outputs_in(item)]
    if isinstance(value, (list, tuple)):
        return [ref for item in value for ref in task_outputs_in(item)]
    if isinstance(value, dict):
        return [ref for item in value.values() for ref in task_outputs_in(item)]
    return []


def ir_outputs_in(value: ir.Value) -> List[ir.TaskOutput]:
    if isinstance(value, ir.TaskOutput):
        return [value]
    if isinstance(value, ir.Composite):
        found = []
        for item in value.items:
            for part in (item if isinstance(item, tuple) else (item,)):
                found += ir_outputs_in(part)
        return found
    return []


# ------------------------------------------------------------------ to IR values
def is_literal(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return all(map(is_literal, value))
    if isinstance(value, dict):
        return all(is_literal(k) and is_literal(v) for k, v in value.items())
    return value is None or isinstance(value, (str, int, float, bool))


def to_value(value: Any) -> ir.Value:
    """An interpreter value -> an IR Value."""
    if isinstance(value, TaskRef):
        return ir.TaskOutput(value.task_id, value.key)
    if isinstance(value, ParamValue):
        return ir.ParamRef(value.name)
    if isinstance(value, GroupArgValue):
        return ir.GroupArg(value.group_id, value.name)
    if isinstance(value, ZipValue):
        return ir.Composite("zip", tuple(to_value(v) for v in value.sources))
    if isinstance(value, str):
        return ir.Template(value) if ("{{" in value or "{%" in value) else ir.Literal(value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return ir.Literal(value)
    if isinstance(value, Duration):
        return ir.Literal(value.seconds)
    if isinstance(value, DateTime):
        return ir.Literal(value.iso)
    if isinstance(value, ParamSpec):
        return to_value(value.default)
    if isinstance(value, (list, tuple)):
        items = tuple(to_value(v) for v in value)
        if all(isinstance(i, ir.Literal) for i in items):
            return ir.Literal([i.value for i in items])
        return ir.Composite("tuple" if isinstance(value, tuple) else "list", items)
    if isinstance(value, dict):
        pairs = tuple((to_value(k), to_value(v)) for k, v in value.items())
        if all(isinstance(k, ir.Literal) and isinstance(v, ir.Literal) for k, v in pairs):
            return ir.Literal({k.value: v.value for k, v in pairs})
        return ir.Composite("dict", pairs)
    if isinstance(value, Opaque):
        return ir.Dynamic(value.source, value.reason)
    if isinstance(value, Imported):
        return ir.Dynamic(value.qualname, "imported object")
    if isinstance(value, (LocalFunction, TaskFlowDef)):
        return ir.Dynamic(value.func.name.value, "function")
    if isinstance(value, LambdaValue):
        return ir.Dynamic(value.source, "function")
    if isinstance(value, PathValue):
        return ir.Literal(value.path)
    if isinstance(value, ContextDag):
        return ir.Dynamic("dag", "DAG object")
    if isinstance(value, GroupRef):
        return ir.Dynamic(value.group_id, "task group")
    return ir.Dynamic(repr(value), "not a literal")
