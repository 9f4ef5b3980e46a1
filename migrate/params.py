"""Pipeline parameter values given as text (`--param name=value`), typed as the compiled pipeline
declares them. Shared by `kfmigrate run`/`compare` (kfmigrate.compare.engines.kfp_local) and `kfmigrate kubeflow`
(kfmigrate.kubeflow_ops.packages): it lives here, below both, so that neither imports the other."""
from __future__ import annotations

import json

READABLE = {"NUMBER_INTEGER": "integer", "NUMBER_DOUBLE": "number", "BOOLEAN": "boolean (true/false)",
            "LIST": "JSON list", "STRUCT": "JSON object"}


def coerce_value(name: str, kind: str, text):
    """One `--param` text as a value of its KFP parameter type (kind: a parameterType of the spec).

    Raises ValueError with a message naming the parameter and the type. Non-text values pass as they are.
    """
    if not isinstance(text, str):
        return text
    try:
        if kind == "NUMBER_INTEGER":
            return int(text)
        if kind == "NUMBER_DOUBLE":
            return float(text)
        if kind == "BOOLEAN":
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(text)
            return lowered in ("true", "1", "yes")
        if kind in ("LIST", "STRUCT"):
            value = json.loads(text)
            if not isinstance(value, list if kind == "LIST" else dict):
                raise ValueError(text)
            return value
        return text
    except ValueError:
        raise ValueError(f"parameter {name}: {text!r} is not a valid {READABLE.get(kind, kind.lower())}") from None
