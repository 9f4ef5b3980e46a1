"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'control_flow_mapping'.

Source: samples/dags/control_flow_mapping.py
Schedule in Airflow: none (runs when triggered)
Tags: sample, control-flow

Compile with `python {this file}` (writes control_flow_mapping.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""


from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl


BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here


# ---------------------------------------------------------------- kfmigrate run-time helpers
# Copied into the components that use them (additional_funcs). They rebuild what an Airflow task
# sees: its context, XCom, Jinja rendering, the bash runner and trigger rules on skips.


def _airflow_runtime(dag_id, task_id, logical_date, run_id, params, xcom, try_number=1):
    """What an Airflow task sees: its context, XCom and a few Airflow names. logical_date: ISO 8601, empty
    for now (a manual run); xcom: (task_id, key) -> value wired in from upstream tasks."""
    import datetime as dt
    import json
    import types

    # The optional parts (_airflow_xcom, _pendulum, _macros, _variables) are embedded where the code needs them
    optional = globals()
    if "_airflow_pendulum" in optional:
        DateTime = _airflow_pendulum()
    else:
        class DateTime(dt.datetime):
            """A datetime (this task uses none of pendulum's methods)."""

    utc = dt.timezone.utc
    now = DateTime.now(utc)
    if logical_date:
        date = DateTime.fromisoformat(logical_date.replace("Z", "+00:00"))
        date = date.replace(tzinfo=utc) if date.tzinfo is None else date.astimezone(utc)
    else:
        date = now
    run_id = run_id or f"manual__{now.isoformat()}"  # Airflow 3 names manual runs after the trigger time

    class AirflowException(Exception):
        """airflow.exceptions.AirflowException"""

    class AirflowSkipException(AirflowException):
        """Marks the task skipped"""

    class AirflowFailException(AirflowException):
        """Fails the task (KFP may still retry it)"""

    pushed = {}

    xcom_methods = [_airflow_xcom(xcom, pushed, AirflowException)] if "_airflow_xcom" in optional else []

    class TaskInstance(*xcom_methods):
        """What a converted callable can use of Airflow's TaskInstance"""

        def __init__(self):
            self.dag_id, self.task_id, self.run_id = dag_id, task_id, run_id
            self.try_number, self.map_index, self.logical_date = try_number, -1, date

    missing = object()
    macros = _airflow_macros() if "_airflow_macros" in optional else missing
    access = _airflow_variables() if "_airflow_variables" in optional else None
    ti = TaskInstance()
    ds = date.strftime("%Y-%m-%d")
    ts = date.isoformat()
    dag = types.SimpleNamespace(dag_id=dag_id)
    context = {
        "dag": dag,
        "task": types.SimpleNamespace(task_id=task_id, dag_id=dag_id, dag=dag),
        "ti": ti,
        "task_instance": ti,
        "run_id": run_id,
        "params": dict(params),
        "macros": macros,
        "var": access.var if access else missing,
        "conn": access.conn if access else missing,
        "dag_run": types.SimpleNamespace(
            dag_id=dag_id, run_id=run_id, logical_date=date, conf={}, run_type="manual",
            data_interval_start=date, data_interval_end=date,
        ),
        "logical_date": date,
        "ds": ds,
        "ds_nodash": ds.replace("-", ""),
        "ts": ts,
        "ts_nodash": date.strftime("%Y%m%dT%H%M%S"),
        "ts_nodash_with_tz": ts.replace("-", "").replace(":", ""),
        "data_interval_start": date,
        "data_interval_end": date,
        "task_instance_key_str": f"{dag_id}__{task_id}__{ds.replace('-', '')}",
        "inlets": [],
        "outlets": [],
    }
    context = {key: value for key, value in context.items() if value is not missing}

    def report_rendered(fields):
        """Log the rendered templated fields for `kfmigrate verify`, secret-looking keys masked as Airflow does."""
        secret = ("password", "passwd", "passphrase", "secret", "token", "api_key", "apikey", "access_key",
                  "private_key", "authorization", "bearer", "credential")

        def masked(value, key=""):
            if any(word in str(key).lower() for word in secret):
                return "***"
            if isinstance(value, dict):
                return {k: masked(v, k) for k, v in value.items()}
            return [masked(v) for v in value] if isinstance(value, (list, tuple)) else value

        print("[kfmigrate] rendered " + json.dumps({k: masked(v, k) for k, v in fields.items()}, default=str), flush=True)

    return types.SimpleNamespace(
        context=context,
        pushed=pushed,
        report_rendered=report_rendered,
        get_current_context=lambda: context,
        **({"Variable": access.Variable} if access else {}),
        AirflowException=AirflowException,
        AirflowSkipException=AirflowSkipException,
        AirflowFailException=AirflowFailException,
    )


def _airflow_call_python(airflow, python_callable, op_args, op_kwargs, templates_dict=None,
                         multiple_outputs=False):
    """Call a task callable like PythonOperator / @task (context entries it names, or all for **kwargs);
    return (XCom values: pushed ones and return_value, skipped)."""
    import inspect

    airflow.report_rendered({"templates_dict": templates_dict, "op_args": op_args, "op_kwargs": op_kwargs})
    context = dict(airflow.context, templates_dict=templates_dict)
    merged = {**context, **op_kwargs}
    signature = inspect.signature(python_callable)
    for name in list(signature.parameters)[: len(op_args)]:
        if name in merged and name not in op_kwargs:
            merged.pop(name)  # filled positionally; Airflow forbids the clash, we let the argument win
    if not any(p.kind == p.VAR_KEYWORD for p in signature.parameters.values()):
        merged = {key: merged[key] for key in signature.parameters if key in merged}
    try:
        value = python_callable(*op_args, **merged)
        if inspect.iscoroutine(value):  # async callables run to completion, as Airflow 3 does
            import asyncio

            value = asyncio.run(value)
        if inspect.isgenerator(value):  # Airflow consumes what it yields (asset Metadata); the XCom is its return
            generator = value
            try:
                while True:
                    next(generator)
            except StopIteration as stop:
                value = stop.value
    except airflow.AirflowSkipException as skip:
        print(f"Task skipped: {skip}")
        return {}, True
    results = dict(airflow.pushed, return_value=value)
    if multiple_outputs:
        if not isinstance(value, dict):
            raise TypeError(f"multiple_outputs is set but the callable returned {type(value).__name__}, not a dict")
        results.update({str(key): item for key, item in value.items()})
    return results, False


def _airflow_map_items(mode, names, sources):
    """The items of a mapped task (one per Airflow map index, in map index order), as JSON texts.

    mode 'single': .expand(arg=seq) (a dict expands to [key, value] pairs); 'zip': .expand(arg=a.zip(b))
    (element-wise tuples, shortest wins); 'product': .expand(a=.., b=..) (the last argument varies
    fastest, as Airflow numbers map indexes; items are {name: value} dicts); 'kwargs':
    .expand_kwargs(seq of dicts). A source that is None (a skipped upstream) expands to nothing.
    """
    import itertools
    import json

    def sequence(value):
        if value is None:
            return []
        if isinstance(value, dict):
            return [[key, item] for key, item in value.items()]
        return list(value)

    seqs = [sequence(source) for source in sources]
    if mode == "single":
        items = seqs[0]
    elif mode == "zip":
        items = [list(group) for group in zip(*seqs)]
    elif mode == "product":
        items = [dict(zip(names, combo)) for combo in itertools.product(*seqs)]
    else:
        items = [dict(item) for item in seqs[0]]
    return [json.dumps(item, default=str) for item in items]


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


# ---------------------------------------------------------------- components (one per Airflow task)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json],
)
def double(
    logical_date: str,
    run_id: str,
    factor: int,
    map_item: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'double' (@task) from samples/dags/control_flow_mapping.py:48:5."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    x = _from_json(map_item)  # the mapped argument
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='double', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {'factor': factor, 'x': x}
    # The task callable (samples/dags/control_flow_mapping.py:20:5).
    def double(x: int, factor: int) -> int:
        return x * factor
    results, skipped = _airflow_call_python(_airflow, double, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs])
def words(logical_date: str, run_id: str) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'words' (@task) from samples/dags/control_flow_mapping.py:49:29."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='words', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_mapping.py:24:5).
    def words() -> list:
        return ["kubeflow", "airflow", "pipelines"]
    results, skipped = _airflow_call_python(_airflow, words, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json],
)
def shout(
    logical_date: str,
    run_id: str,
    map_item: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'shout' (@task) from samples/dags/control_flow_mapping.py:49:11."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    word = _from_json(map_item)  # the mapped argument
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='shout', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {'word': word}
    # The task callable (samples/dags/control_flow_mapping.py:28:5).
    def shout(word: str) -> str:
        return word.upper() + "!"
    results, skipped = _airflow_call_python(_airflow, shout, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json],
)
def total(
    logical_date: str,
    run_id: str,
    shout__return_value: list,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'total' (@task) from samples/dags/control_flow_mapping.py:49:5."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str')]
    xcom = {('shout', 'return_value'): [_from_json(value) for value in shout__return_value]}
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='total', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('shout', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_mapping.py:32:5).
    def total(values) -> str:
        return " ".join(values)
    results, skipped = _airflow_call_python(_airflow, total, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs])
def words_1(logical_date: str, run_id: str) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'words__1' (@task) from samples/dags/control_flow_mapping.py:54:22."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='words__1', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_mapping.py:24:5).
    def words() -> list:
        return ["kubeflow", "airflow", "pipelines"]
    results, skipped = _airflow_call_python(_airflow, words, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs])
def numbers(logical_date: str, run_id: str) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'numbers' (@task) from samples/dags/control_flow_mapping.py:54:34."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='numbers', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_mapping.py:51:5).
    def numbers() -> list:
        return [1, 2]
    results, skipped = _airflow_call_python(_airflow, numbers, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json],
)
def pair(
    logical_date: str,
    run_id: str,
    map_item: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'pair' (@task) from samples/dags/control_flow_mapping.py:54:5."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    item = tuple(_from_json(map_item))  # the mapped argument
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='pair', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {'item': item}
    # The task callable (samples/dags/control_flow_mapping.py:36:5).
    def pair(item) -> str:
        left, right = item
        return f"{left}-{right}"
    results, skipped = _airflow_call_python(_airflow, pair, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json],
)
def combine(
    logical_date: str,
    run_id: str,
    map_item: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'combine' (@task) from samples/dags/control_flow_mapping.py:55:11."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    letter = _from_json(map_item)['letter']  # the mapped argument
    number = _from_json(map_item)['number']  # the mapped argument
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='combine', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {'letter': letter, 'number': number}
    # The task callable (samples/dags/control_flow_mapping.py:41:5).
    def combine(letter: str, number: int) -> str:
        return f"{letter}{number}"
    results, skipped = _airflow_call_python(_airflow, combine, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json],
)
def count(
    logical_date: str,
    run_id: str,
    combine__return_value: list,
) -> NamedTuple("Outputs", [('return_value', int)]):
    """Airflow task 'count' (@task) from samples/dags/control_flow_mapping.py:55:5."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int')]
    xcom = {
        ('combine', 'return_value'): [_from_json(value) for value in combine__return_value],
    }
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='count', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('combine', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_mapping.py:45:5).
    def count(values) -> int:
        return len(list(values))
    results, skipped = _airflow_call_python(_airflow, count, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json],
)
def per_city_fetch(
    logical_date: str,
    run_id: str,
    map_item: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'per_city.fetch' (@task) from samples/dags/control_flow_mapping.py:67:18."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    name = _from_json(map_item)  # the mapped argument
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='per_city.fetch', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = [name]
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_mapping.py:60:9).
    def fetch(name: str) -> dict:
        return {"city": name, "size": len(name)}
    results, skipped = _airflow_call_python(
        _airflow, fetch, _op_args, _op_kwargs, multiple_outputs=True,
    )
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(
    base_image=BASE_IMAGE,
    additional_funcs=[_airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json],
)
def per_city_describe(
    logical_date: str,
    run_id: str,
    per_city_fetch__return_value: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'per_city.describe' (@task) from samples/dags/control_flow_mapping.py:67:9."""
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {('per_city.fetch', 'return_value'): _from_json(per_city_fetch__return_value)}
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='per_city.describe', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('per_city.fetch', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_mapping.py:64:9).
    def describe(info: dict) -> str:
        return f"{info['city']} has {info['size']} letters"
    results, skipped = _airflow_call_python(_airflow, describe, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, additional_funcs=[_airflow_map_items, _from_json, _ints_back])
def shout_items(source_0: str) -> list:
    """The items of the mapped task 'shout': one JSON text per Airflow map index (kfp.local iterates one task output)."""
    return _airflow_map_items('single', ['word'], [_from_json(source_0)])


@dsl.component(base_image=BASE_IMAGE, additional_funcs=[_airflow_map_items, _from_json, _ints_back])
def pair_items(source_0: str, source_1: str) -> list:
    """The items of the mapped task 'pair': one JSON text per Airflow map index (kfp.local iterates one task output)."""
    return _airflow_map_items('zip', ['item'], [_from_json(source_0), _from_json(source_1)])


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='control-flow-mapping', description='Converted from Airflow DAG control_flow_mapping')
def control_flow_mapping_pipeline(
    logical_date: str = '',
    run_id: str = '',
):
    # mapped task 'double': one dsl.ParallelFor iteration per Airflow map index
    with dsl.ParallelFor(items=['1', '2', '3']) as double_item:
        # double: @task -> Python lightweight component, in a dsl.ParallelFor (dynamic task mapping) (native)
        double_task = double(logical_date=logical_date, run_id=run_id, factor=10, map_item=double_item)
        double_task.set_display_name('double')
    # words: @task -> Python lightweight component (native)
    words_task = words(logical_date=logical_date, run_id=run_id)
    words_task.set_display_name('words')
    # mapped task 'shout': one dsl.ParallelFor iteration per Airflow map index
    shout_items_task = shout_items(source_0=words_task.outputs['return_value'])
    shout_items_task.set_display_name('shout (map items)')
    with dsl.ParallelFor(items=shout_items_task.output) as shout_item:
        # shout: @task -> Python lightweight component, in a dsl.ParallelFor (dynamic task mapping) (native)
        shout_task = shout(logical_date=logical_date, run_id=run_id, map_item=shout_item)
        shout_task.set_display_name('shout')
        shout_task.after(words_task)
    # total: @task -> Python lightweight component (native)
    total_task = total(
        logical_date=logical_date,
        run_id=run_id,
        shout__return_value=dsl.Collected(shout_task.outputs['return_value']),
    )
    total_task.set_display_name('total')
    # words__1: @task -> Python lightweight component (native)
    words_1_task = words_1(logical_date=logical_date, run_id=run_id)
    words_1_task.set_display_name('words__1')
    # numbers: @task -> Python lightweight component (native)
    numbers_task = numbers(logical_date=logical_date, run_id=run_id)
    numbers_task.set_display_name('numbers')
    # mapped task 'pair': one dsl.ParallelFor iteration per Airflow map index
    pair_items_task = pair_items(source_0=words_1_task.outputs['return_value'], source_1=numbers_task.outputs['return_value'])
    pair_items_task.set_display_name('pair (map items)')
    with dsl.ParallelFor(items=pair_items_task.output) as pair_item:
        # pair: @task -> Python lightweight component, in a dsl.ParallelFor (dynamic task mapping) (native)
        pair_task = pair(logical_date=logical_date, run_id=run_id, map_item=pair_item)
        pair_task.set_display_name('pair')
        pair_task.after(words_1_task, numbers_task)
    # mapped task 'combine': one dsl.ParallelFor iteration per Airflow map index
    with dsl.ParallelFor(items=['{"letter": "x", "number": 1}', '{"letter": "x", "number": 2}', '{"letter": "x", "number": 3}', '{"letter": "y", "number": 1}', '{"letter": "y", "number": 2}', '{"letter": "y", "number": 3}']) as combine_item:
        # combine: @task -> Python lightweight component, in a dsl.ParallelFor (dynamic task mapping) (native)
        combine_task = combine(logical_date=logical_date, run_id=run_id, map_item=combine_item)
        combine_task.set_display_name('combine')
    # count: @task -> Python lightweight component (native)
    count_task = count(
        logical_date=logical_date,
        run_id=run_id,
        combine__return_value=dsl.Collected(combine_task.outputs['return_value']),
    )
    count_task.set_display_name('count')
    # mapped task group 'per_city': one dsl.ParallelFor iteration per Airflow map index
    with dsl.ParallelFor(items=['"Paris"', '"Oslo"']) as per_city_item:
        # per_city.fetch: @task -> Python lightweight component, in a dsl.ParallelFor (mapped task group 'per_city') (native)
        per_city_fetch_task = per_city_fetch(
            logical_date=logical_date,
            run_id=run_id,
            map_item=per_city_item,
        )
        per_city_fetch_task.set_display_name('per_city.fetch')
        # per_city.describe: @task -> Python lightweight component, in a dsl.ParallelFor (mapped task group 'per_city') (native)
        per_city_describe_task = per_city_describe(
            logical_date=logical_date,
            run_id=run_id,
            per_city_fetch__return_value=per_city_fetch_task.outputs['return_value'],
        )
        per_city_describe_task.set_display_name('per_city.describe')


if __name__ == "__main__":
    target = Path(__file__).with_name('control_flow_mapping.yaml')
    compiler.Compiler().compile(control_flow_mapping_pipeline, str(target))
