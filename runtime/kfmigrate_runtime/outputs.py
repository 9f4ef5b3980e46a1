"""XCom values as KFP outputs (parameters or JSON artifact files), and back.

Every function here is self-contained (it imports what it uses inside its body and calls other
helpers only by name): `kfmigrate convert --runtime inline` copies their source into the generated
pipeline file, `--runtime package` (the default) imports them from this package.
"""


def _kfp_outputs(results, skipped, spec):
    """XCom values as the component's outputs, in the order of spec: (key, kind) pairs, kind 'json' (JSON
    text), a Python type name, or 'skipped' (the flag). A skipped task's outputs are empty values."""
    import json

    empty = {"json": "null", "str": "", "int": 0, "float": 0.0, "bool": False, "list": [], "dict": {}}
    types = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}
    values = []
    for key, kind in spec:
        if kind == "skipped":
            values.append(bool(skipped))
        elif skipped or key not in results:
            values.append(empty[kind])
        elif kind == "json":
            values.append(json.dumps(results[key], default=str))
        else:
            value = results[key]
            if kind == "list" and isinstance(value, tuple):
                value = list(value)
            if kind == "int" and isinstance(value, float) and value.is_integer():
                value = int(value)  # lossless; Airflow does not check annotations at all
            if not isinstance(value, types[kind]) or (kind in ("int", "float") and isinstance(value, bool)):
                raise TypeError(f"XCom {key!r} is {type(value).__name__}, "
                                f"but the task declares {kind} (its return annotation)")
            values.append(value)
    return tuple(values)


def _ints_back(value):
    """Turn whole floats back into ints inside a list/dict parameter.

    KFP carries list and dict parameters as protobuf Structs, where every number is a float;
    Airflow params keep ints, so `[1, 2]` must not arrive as `[1.0, 2.0]`.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_ints_back(item) for item in value]
    if isinstance(value, dict):
        return {key: _ints_back(item) for key, item in value.items()}
    return value


def _from_json(text):
    """Decode an XCom value that crossed from an upstream task as JSON text."""
    import json

    return json.loads(text)


def _xcom_to_artifacts(results, skipped, artifacts):
    """Write XCom values as JSON files of the task's output artifacts (xcom transport "artifact").

    artifacts maps an XCom key to its dsl.Output[dsl.Artifact]. A skipped task, or a key the task
    did not push, writes null (Airflow would have no XCom at all).
    """
    import json

    for key, artifact in artifacts.items():
        value = None if skipped else results.get(key)
        with open(artifact.path, "w", encoding="utf-8") as handle:
            json.dump(value, handle, ensure_ascii=False, default=str)
        artifact.metadata["xcom_key"] = key


def _xcom_from_artifact(artifact):
    """Read an XCom value that an upstream task wrote as a JSON artifact file."""
    import json

    with open(artifact.path, encoding="utf-8") as handle:
        return json.load(handle)
