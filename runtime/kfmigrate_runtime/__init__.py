"""kfmigrate-runtime: what an Airflow task sees, rebuilt for Kubeflow Pipelines components.

Components converted by kfmigrate import these helpers (`from kfmigrate_runtime import ...`): the
template context (ds, ts, params, macros, var, conn ...), XCom, Jinja rendering of templated fields,
the way PythonOperator calls its callable and BashOperator runs its command, sensors, the operator
shim, trigger rules on skipped upstream tasks, and KFP outputs. Pure Python; Airflow is needed only
by the operator shim, which runs a real Airflow operator.
"""

__version__ = "0.1.0"

from kfmigrate_runtime.context import _airflow_runtime, _airflow_xcom
from kfmigrate_runtime.dates import _airflow_pendulum
from kfmigrate_runtime.macros import _airflow_macros
from kfmigrate_runtime.variables import _airflow_variables
from kfmigrate_runtime.templates import _airflow_render
from kfmigrate_runtime.python_callable import _airflow_call_python
from kfmigrate_runtime.bash import _airflow_run_bash
from kfmigrate_runtime.skips import _airflow_should_skip, _airflow_branch_ids, _airflow_not_followed
from kfmigrate_runtime.mapping import _airflow_map_items
from kfmigrate_runtime.outputs import _kfp_outputs, _ints_back, _from_json, _xcom_to_artifacts, _xcom_from_artifact
from kfmigrate_runtime.sensors import _airflow_sensor
from kfmigrate_runtime.operator_shim import _airflow_run_operator
from kfmigrate_runtime.kfp_api import _airflow_kfp_api
from kfmigrate_runtime.trigger import _airflow_trigger_pipeline
from kfmigrate_runtime.external_task import _airflow_external_task_poke
from kfmigrate_runtime.hitl import _airflow_hitl_wait
from kfmigrate_runtime.assets import _airflow_assets
from kfmigrate_runtime.mlflow_kfp import _mlflow_to_kfp
from kfmigrate_runtime.callbacks import _airflow_task_callbacks, _airflow_attempt
from kfmigrate_runtime.local_modules import _kfp_local_modules
from kfmigrate_runtime.trigger_rules import _airflow_trigger, _airflow_failed_for_good, _airflow_dag_run_state

__all__ = [
    '_airflow_runtime',
    '_airflow_xcom',
    '_airflow_pendulum',
    '_airflow_macros',
    '_airflow_variables',
    '_airflow_render',
    '_airflow_call_python',
    '_airflow_run_bash',
    '_airflow_should_skip',
    '_airflow_branch_ids',
    '_airflow_not_followed',
    '_airflow_map_items',
    '_kfp_outputs',
    '_ints_back',
    '_from_json',
    '_xcom_to_artifacts',
    '_xcom_from_artifact',
    '_airflow_sensor',
    '_airflow_run_operator',
    '_airflow_kfp_api',
    '_airflow_trigger_pipeline',
    '_airflow_external_task_poke',
    '_airflow_hitl_wait',
    '_airflow_assets',
    '_mlflow_to_kfp',
    '_airflow_task_callbacks',
    '_airflow_attempt',
    '_kfp_local_modules',
    '_airflow_trigger',
    '_airflow_failed_for_good',
    '_airflow_dag_run_state',
]
