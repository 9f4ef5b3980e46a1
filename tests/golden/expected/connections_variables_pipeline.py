"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'connections_variables'.

Source: samples/dags/connections_variables.py
Schedule in Airflow: preset '@daily', start_date 2024-01-01T00:00:00+00:00
  (not part of the pipeline: create a KFP recurring run for it)

Compile with `python {this file}` (writes connections_variables.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl
from kfp import kubernetes

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(
    base_image=BASE_IMAGE,
    packages_to_install=RUNTIME_PACKAGES + ['apache-airflow==3.3.2', 'apache-airflow-providers-common-sql==2.4.0'],
)
def load_events(
    logical_date: str,
    run_id: str,
    conn_id: str,
    sql: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'load_events' (SQLExecuteQueryOperator) from samples/dags/connections_variables.py:15:12."""
    from kfmigrate_runtime import _airflow_runtime, _kfp_outputs, _airflow_run_operator
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='connections_variables', task_id='load_events', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _kwargs = {'task_id': 'load_events', 'conn_id': conn_id, 'sql': sql}
    results, skipped = _airflow_run_operator(_airflow, 'airflow.providers.common.sql.operators.sql', 'SQLExecuteQueryOperator', _kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def count_reports(
    logical_date: str,
    run_id: str,
    load_events_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', int), ('airflow_skipped', bool)]):
    """Airflow task 'count_reports' (@task) from samples/dags/connections_variables.py:42:13."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_should_skip,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'int'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [load_events_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='connections_variables', task_id='count_reports', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # Airflow names the callable uses, provided by the kfmigrate run-time shim.
    Variable = _airflow.Variable
    # The task callable (samples/dags/connections_variables.py:22:5).
    def count_reports() -> int:
        # a hook in a Python callable and a Variable read in code
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        limit = int(Variable.get("report_limit", default=100))
        hook = PostgresHook(postgres_conn_id="reporting_db")
        return min(limit, hook.get_first("SELECT count(*) FROM reports")[0])
    results, skipped = _airflow_call_python(_airflow, count_reports, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def api_host(
    logical_date: str,
    run_id: str,
    count_reports_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'api_host' (@task) from samples/dags/connections_variables.py:42:32."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_call_python,
        _airflow_should_skip,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [count_reports_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='connections_variables', task_id='api_host', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _op_args = []
    _op_kwargs = {}
    # The task callable (samples/dags/connections_variables.py:31:5).
    def api_host() -> str:
        from airflow.sdk.bases.hook import BaseHook

        return BaseHook.get_connection("partner_api").host
    results, skipped = _airflow_call_python(_airflow, api_host, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def notify(
    logical_date: str,
    run_id: str,
    bash_command: str,
    api_host_skipped: bool,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'notify' (BashOperator) from samples/dags/connections_variables.py:37:14."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _airflow_render,
        _airflow_run_bash,
        _airflow_should_skip,
        _kfp_outputs,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'str'), ('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [api_host_skipped]):
        return _kfp_outputs({}, True, _outputs)
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='connections_variables', task_id='notify', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    command = _airflow_render(bash_command, _airflow.context)
    results, skipped = _airflow_run_bash(_airflow, command)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='connections-variables', description='Converted from Airflow DAG connections_variables')
def connections_variables_pipeline(logical_date: str = '', run_id: str = ''):
    # load_events: SQLExecuteQueryOperator -> operator shim (the Airflow operator runs inside a lightweight component) (shim)
    load_events_task = load_events(
        logical_date=logical_date,
        run_id=run_id,
        conn_id='warehouse',
        sql="INSERT INTO {{ var.value.schema }}.events SELECT * FROM staging.events WHERE day = '{{ ds }}'",
    )
    load_events_task.set_display_name('load_events')
    kubernetes.use_secret_as_env(load_events_task, secret_name='airflow-conn-warehouse', secret_key_to_env={'uri': 'AIRFLOW_CONN_WAREHOUSE'})
    kubernetes.use_config_map_as_env(load_events_task, config_map_name='airflow-var-schema', config_map_key_to_env={'value': 'AIRFLOW_VAR_SCHEMA'})
    # count_reports: @task -> Python lightweight component (imports airflow.providers.postgres.hooks.postgres: not in its image) (placeholder)
    count_reports_task = count_reports(
        logical_date=logical_date,
        run_id=run_id,
        load_events_skipped=load_events_task.outputs['airflow_skipped'],
    )
    count_reports_task.set_display_name('count_reports')
    kubernetes.use_secret_as_env(count_reports_task, secret_name='airflow-conn-reporting-db', secret_key_to_env={'uri': 'AIRFLOW_CONN_REPORTING_DB'})
    kubernetes.use_config_map_as_env(count_reports_task, config_map_name='airflow-var-report-limit', config_map_key_to_env={'value': 'AIRFLOW_VAR_REPORT_LIMIT'})
    # api_host: @task -> Python lightweight component (imports airflow.sdk.bases.hook: not in its image) (placeholder)
    api_host_task = api_host(
        logical_date=logical_date,
        run_id=run_id,
        count_reports_skipped=count_reports_task.outputs['airflow_skipped'],
    )
    api_host_task.set_display_name('api_host')
    kubernetes.use_secret_as_env(api_host_task, secret_name='airflow-conn-partner-api', secret_key_to_env={'uri': 'AIRFLOW_CONN_PARTNER_API'})
    # notify: BashOperator -> bash lightweight component (native)
    notify_task = notify(
        logical_date=logical_date,
        run_id=run_id,
        bash_command='curl -s https://{{ conn.partner_api.host }}/notify?team={{ var.json.alerting.team }}',
        api_host_skipped=api_host_task.outputs['airflow_skipped'],
    )
    notify_task.set_display_name('notify')
    kubernetes.use_secret_as_env(notify_task, secret_name='airflow-conn-partner-api', secret_key_to_env={'uri': 'AIRFLOW_CONN_PARTNER_API'})
    kubernetes.use_config_map_as_env(notify_task, config_map_name='airflow-var-alerting', config_map_key_to_env={'value': 'AIRFLOW_VAR_ALERTING'})


if __name__ == "__main__":
    target = Path(__file__).with_name('connections_variables.yaml')
    compiler.Compiler().compile(connections_variables_pipeline, str(target))
