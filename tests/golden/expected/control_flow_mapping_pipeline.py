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
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def double(factor: int, map_item: str) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'double' (@task) from samples/dags/control_flow_mapping.py:48:5."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    x = _from_json(map_item)  # the mapped argument
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='double', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {'factor': factor, 'x': x}
    # The task callable (samples/dags/control_flow_mapping.py:20:5).
    def double(x: int, factor: int) -> int:
        return x * factor
    results, skipped = _airflow_call_python(_airflow, double, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def words(task_id: str) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow tasks 'words', 'words__1' (@task), the first from
    samples/dags/control_flow_mapping.py:49:29.
    """
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id=task_id, logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_mapping.py:24:5).
    def words() -> list:
        return ["kubeflow", "airflow", "pipelines"]
    results, skipped = _airflow_call_python(_airflow, words, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def shout(map_item: str) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'shout' (@task) from samples/dags/control_flow_mapping.py:49:11."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    word = _from_json(map_item)  # the mapped argument
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='shout', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {'word': word}
    # The task callable (samples/dags/control_flow_mapping.py:28:5).
    def shout(word: str) -> str:
        return word.upper() + "!"
    results, skipped = _airflow_call_python(_airflow, shout, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def total(shout__return_value: list) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'total' (@task) from samples/dags/control_flow_mapping.py:49:5."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str')]
    xcom = {('shout', 'return_value'): [_from_json(value) for value in shout__return_value]}
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='total', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('shout', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_mapping.py:32:5).
    def total(values) -> str:
        return " ".join(values)
    results, skipped = _airflow_call_python(_airflow, total, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE)
def numbers() -> str:
    """Airflow task 'numbers' (@task) from samples/dags/control_flow_mapping.py:54:34."""
    import json

    # The task callable (samples/dags/control_flow_mapping.py:51:5).
    def numbers() -> list:
        return [1, 2]
    return json.dumps(numbers(), default=str)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def pair(map_item: str) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'pair' (@task) from samples/dags/control_flow_mapping.py:54:5."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    item = tuple(_from_json(map_item))  # the mapped argument
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='pair', logical_date='', run_id='',
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


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def combine(map_item: str) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'combine' (@task) from samples/dags/control_flow_mapping.py:55:11."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    letter = _from_json(map_item)['letter']  # the mapped argument
    number = _from_json(map_item)['number']  # the mapped argument
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='combine', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {'letter': letter, 'number': number}
    # The task callable (samples/dags/control_flow_mapping.py:41:5).
    def combine(letter: str, number: int) -> str:
        return f"{letter}{number}"
    results, skipped = _airflow_call_python(_airflow, combine, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def count(combine__return_value: list) -> NamedTuple("Outputs", [('return_value', int)]):
    """Airflow task 'count' (@task) from samples/dags/control_flow_mapping.py:55:5."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int')]
    xcom = {
        ('combine', 'return_value'): [_from_json(value) for value in combine__return_value],
    }
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='count', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('combine', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_mapping.py:45:5).
    def count(values) -> int:
        return len(list(values))
    results, skipped = _airflow_call_python(_airflow, count, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def per_city_fetch(map_item: str) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'per_city.fetch' (@task) from samples/dags/control_flow_mapping.py:67:18."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {}
    name = _from_json(map_item)  # the mapped argument
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='per_city.fetch', logical_date='', run_id='',
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


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def per_city_describe(
    per_city_fetch__return_value: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'per_city.describe' (@task) from samples/dags/control_flow_mapping.py:67:9."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {('per_city.fetch', 'return_value'): _from_json(per_city_fetch__return_value)}
    _airflow = _airflow_runtime(
        dag_id='control_flow_mapping', task_id='per_city.describe', logical_date='', run_id='',
        params={}, xcom=xcom,
    )
    _op_args = [xcom[('per_city.fetch', 'return_value')]]
    _op_kwargs = {}
    # The task callable (samples/dags/control_flow_mapping.py:64:9).
    def describe(info: dict) -> str:
        return f"{info['city']} has {info['size']} letters"
    results, skipped = _airflow_call_python(_airflow, describe, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def shout_items(source_0: str) -> list:
    """The items of the mapped task 'shout': one JSON text per Airflow map index (kfp.local iterates one task output)."""
    from kfmigrate_runtime import _airflow_map_items, _from_json, _ints_back
    return _airflow_map_items('single', ['word'], [_from_json(source_0)])


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def pair_items(source_0: str, source_1: str) -> list:
    """The items of the mapped task 'pair': one JSON text per Airflow map index (kfp.local iterates one task output)."""
    from kfmigrate_runtime import _airflow_map_items, _from_json, _ints_back
    return _airflow_map_items('zip', ['item'], [_from_json(source_0), _from_json(source_1)])


@dsl.pipeline(name='control-flow-mapping', description='Converted from Airflow DAG control_flow_mapping')
def control_flow_mapping_pipeline(logical_date: str = '', run_id: str = ''):
    # mapped task 'double': one dsl.ParallelFor iteration per Airflow map index
    with dsl.ParallelFor(items=['1', '2', '3']) as double_item:
        # double: @task -> Python lightweight component, in a dsl.ParallelFor (dynamic task mapping) (native)
        double_task = double(factor=10, map_item=double_item)
        double_task.set_display_name('double')
    # words: @task -> Python lightweight component (native)
    words_task = words(task_id='words')
    words_task.set_display_name('words')
    # mapped task 'shout': one dsl.ParallelFor iteration per Airflow map index
    shout_items_task = shout_items(source_0=words_task.outputs['return_value'])
    shout_items_task.set_display_name('shout (map items)')
    with dsl.ParallelFor(items=shout_items_task.output) as shout_item:
        # shout: @task -> Python lightweight component, in a dsl.ParallelFor (dynamic task mapping) (native)
        shout_task = shout(map_item=shout_item)
        shout_task.set_display_name('shout')
        shout_task.after(words_task)
    # total: @task -> Python lightweight component (native)
    total_task = total(shout__return_value=dsl.Collected(shout_task.outputs['return_value']))
    total_task.set_display_name('total')
    # words__1: @task -> Python lightweight component (native)
    words_1_task = words(task_id='words__1')
    words_1_task.set_display_name('words__1')
    # numbers: @task -> Python lightweight component (native)
    numbers_task = numbers()
    numbers_task.set_display_name('numbers')
    # mapped task 'pair': one dsl.ParallelFor iteration per Airflow map index
    pair_items_task = pair_items(source_0=words_1_task.outputs['return_value'], source_1=numbers_task.outputs['Output'])
    pair_items_task.set_display_name('pair (map items)')
    with dsl.ParallelFor(items=pair_items_task.output) as pair_item:
        # pair: @task -> Python lightweight component, in a dsl.ParallelFor (dynamic task mapping) (native)
        pair_task = pair(map_item=pair_item)
        pair_task.set_display_name('pair')
        pair_task.after(words_1_task, numbers_task)
    # mapped task 'combine': one dsl.ParallelFor iteration per Airflow map index
    with dsl.ParallelFor(items=['{"letter": "x", "number": 1}', '{"letter": "x", "number": 2}', '{"letter": "x", "number": 3}', '{"letter": "y", "number": 1}', '{"letter": "y", "number": 2}', '{"letter": "y", "number": 3}']) as combine_item:
        # combine: @task -> Python lightweight component, in a dsl.ParallelFor (dynamic task mapping) (native)
        combine_task = combine(map_item=combine_item)
        combine_task.set_display_name('combine')
    # count: @task -> Python lightweight component (native)
    count_task = count(combine__return_value=dsl.Collected(combine_task.outputs['return_value']))
    count_task.set_display_name('count')
    # mapped task group 'per_city': one dsl.ParallelFor iteration per Airflow map index
    with dsl.ParallelFor(items=['"Paris"', '"Oslo"']) as per_city_item:
        # per_city.fetch: @task -> Python lightweight component, in a dsl.ParallelFor (mapped task group 'per_city') (native)
        per_city_fetch_task = per_city_fetch(map_item=per_city_item)
        per_city_fetch_task.set_display_name('per_city.fetch')
        # per_city.describe: @task -> Python lightweight component, in a dsl.ParallelFor (mapped task group 'per_city') (native)
        per_city_describe_task = per_city_describe(
            per_city_fetch__return_value=per_city_fetch_task.outputs['return_value'],
        )
        per_city_describe_task.set_display_name('per_city.describe')


if __name__ == "__main__":
    target = Path(__file__).with_name('control_flow_mapping.yaml')
    compiler.Compiler().compile(control_flow_mapping_pipeline, str(target))
