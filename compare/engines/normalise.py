"""JSON normalisation shared by both engines and verify: one canonical form for comparing values.

Tuples and sets become lists, datetimes ISO strings, dict keys strings, integral floats stay floats
here (verify decides how to compare numbers). Anything else is its repr(), so nothing fails to
serialise.
"""
from __future__ import annotations

import datetime as _dt
import decimal
import math


def normalise(value):
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalise(v) for v in value]
    if isinstance(value, (set, frozenset)):
        items = [normalise(v) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return sorted(items, key=repr)
    return repr(value)
