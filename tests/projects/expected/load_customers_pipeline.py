"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'load_customers'.

Source: samples/projects/factories/dags/config_dags.py
Schedule in Airflow: cron '0 3 * * *'
  (not part of the pipeline: create a KFP recurring run for it)

Compile with `python {this file}` (writes load_customers.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def load_customers(
    logical_date: str,
    run_id: str,
    bash_command: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'load_customers' (BashOperator) from samples/projects/factories/dags/config_dags.py:22:20."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_run_bash, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='load_customers', task_id='load_customers', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = bash_command
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='load-customers', description='Converted from Airflow DAG load_customers')
def load_customers_pipeline(logical_date: str = '', run_id: str = ''):
    # load_customers: BashOperator -> bash lightweight component (native)
    load_customers_task = load_customers(
        logical_date=logical_date,
        run_id=run_id,
        bash_command='echo gs://acme-raw/customers',
    )
    load_customers_task.set_display_name('load_customers')
    load_customers_task.set_retry(num_retries=3, backoff_duration="300s", backoff_factor=1.0)


if __name__ == "__main__":
    target = Path(__file__).with_name('load_customers.yaml')
    compiler.Compiler().compile(load_customers_pipeline, str(target))
