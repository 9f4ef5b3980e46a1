"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'etl_classic_airflow2'.

Source: samples/dags/etl_classic_airflow2.py
Description: Extract, transform and load city temperatures
Schedule in Airflow: preset '@daily', start_date 2024-01-01T00:00:00+00:00
  (not part of the pipeline: create a KFP recurring run for it)
Tags: sample, etl

Compile with `python {this file}` (writes etl_classic_airflow2.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl
from kfp import kubernetes

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def extract(
    logical_date: str,
    run_id: str,
    param_region: str,
    param_limit: int,
) -> NamedTuple("Outputs", [('return_value', str), ('row_count', str)]):
    """Airflow task 'extract' (PythonOperator) from samples/dags/etl_classic_airflow2.py:60:20.

    Read the source rows.
    """
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('row_count', 'json')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='etl_classic_airflow2', task_id='extract', logical_date=logical_date, run_id=run_id,
        params={'region': param_region, 'limit': param_limit}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # From the DAG file: imports, constants and helpers the callable uses.
    SOURCE_ROWS = [
        {"city": "Lisbon", "temp": 21},
        {"city": "Oslo", "temp": 9},
        {"city": "Cairo", "temp": 33},
    ]
    # The task callable (samples/dags/etl_classic_airflow2.py:22:1).
    def extract(**context):
        rows = [dict(row) for row in SOURCE_ROWS]
        context["ti"].xcom_push(key="row_count", value=len(rows))
        return rows
    results, skipped = _airflow_call_python(_airflow, extract, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def transform(
    logical_date: str,
    run_id: str,
    threshold: int,
    extract__return_value: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'transform' (PythonOperator) from samples/dags/etl_classic_airflow2.py:61:22."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {('extract', 'return_value'): _from_json(extract__return_value)}
    _airflow = _airflow_runtime(
        dag_id='etl_classic_airflow2', task_id='transform', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {'threshold': threshold}
    # From the DAG file: imports, constants and helpers the callable uses.
    import json
    def _fahrenheit(celsius):
        return round(celsius * 9 / 5 + 32, 1)
    # The task callable (samples/dags/etl_classic_airflow2.py:28:1).
    def transform(ti, threshold):
        rows = ti.xcom_pull(task_ids="extract")
        warm = [dict(row, temp_f=_fahrenheit(row["temp"])) for row in rows if row["temp"] >= threshold]
        return json.dumps(warm, sort_keys=True)
    results, skipped = _airflow_call_python(_airflow, transform, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def load(
    logical_date: str,
    run_id: str,
    param_region: str,
    param_limit: int,
    extract__row_count: str,
    transform__return_value: str,
) -> NamedTuple("Outputs", [('return_value', str)]):
    """Airflow task 'load' (PythonOperator) from samples/dags/etl_classic_airflow2.py:67:17."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_call_python, _kfp_outputs, _from_json
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json')]
    xcom = {
        ('extract', 'row_count'): _from_json(extract__row_count),
        ('transform', 'return_value'): _from_json(transform__return_value),
    }
    _airflow = _airflow_runtime(
        dag_id='etl_classic_airflow2', task_id='load', logical_date=logical_date, run_id=run_id,
        params={'region': param_region, 'limit': param_limit}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # From the DAG file: imports, constants and helpers the callable uses.
    import json
    # The task callable (samples/dags/etl_classic_airflow2.py:34:1).
    def load(**kwargs):
        ti = kwargs["ti"]
        payload = json.loads(ti.xcom_pull(task_ids="transform"))
        count = ti.xcom_pull(task_ids="extract", key="row_count")
        summary = f"{len(payload)} of {count} rows loaded for {kwargs['ds']}"
        print(summary)
        return summary
    results, skipped = _airflow_call_python(_airflow, load, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def report(
    logical_date: str,
    run_id: str,
    param_region: str,
    param_limit: int,
    bash_command: str,
    env_vars: dict,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'report' (BashOperator) from samples/dags/etl_classic_airflow2.py:68:14."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_render, _airflow_run_bash, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='etl_classic_airflow2', task_id='report', logical_date=logical_date, run_id=run_id,
        params={'region': param_region, 'limit': param_limit}, xcom=xcom,
    )
    command = _airflow_render(bash_command, _airflow.context)
    results, skipped = _airflow_run_bash(_airflow, command, env=env_vars, append_env=True)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='etl-classic-airflow2', description='Extract, transform and load city temperatures')
def etl_classic_airflow2_pipeline(
    region: str = 'eu',
    limit: int = 10,
    logical_date: str = '',
    run_id: str = '',
):
    # extract: PythonOperator -> Python lightweight component (native)
    extract_task = extract(
        logical_date=logical_date,
        run_id=run_id,
        param_region=region,
        param_limit=limit,
    )
    extract_task.set_display_name('extract')
    extract_task.set_retry(num_retries=2, backoff_duration="30s", backoff_factor=1.0)
    # transform: PythonOperator -> Python lightweight component (native)
    transform_task = transform(
        logical_date=logical_date,
        run_id=run_id,
        threshold=20,
        extract__return_value=extract_task.outputs['return_value'],
    )
    transform_task.set_display_name('transform')
    # load: PythonOperator -> Python lightweight component (native)
    load_task = load(
        logical_date=logical_date,
        run_id=run_id,
        param_region=region,
        param_limit=limit,
        extract__row_count=extract_task.outputs['row_count'],
        transform__return_value=transform_task.outputs['return_value'],
    )
    load_task.set_display_name('load')
    load_task.set_retry(num_retries=2, backoff_duration="30s", backoff_factor=1.0)
    kubernetes.set_timeout(load_task, 300)
    # report: BashOperator -> bash lightweight component (native)
    report_task = report(
        logical_date=logical_date,
        run_id=run_id,
        param_region=region,
        param_limit=limit,
        bash_command='echo "region={{ params.region }} day={{ ds }} compact={{ ds_nodash }} next={{ macros.ds_add(ds, 1) }}"',
        env_vars={'REPORT_LEVEL': 'full'},
    )
    report_task.set_display_name('report')
    report_task.after(load_task)
    report_task.set_retry(num_retries=2, backoff_duration="30s", backoff_factor=1.0)


if __name__ == "__main__":
    target = Path(__file__).with_name('etl_classic_airflow2.yaml')
    compiler.Compiler().compile(etl_classic_airflow2_pipeline, str(target))
