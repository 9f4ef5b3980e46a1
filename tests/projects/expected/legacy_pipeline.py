"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'legacy'.

Source: samples/projects/plugins_repo/dags/legacy.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes legacy.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES + ['apache-airflow==3.3.2'])
def copy(
    logical_date: str,
    run_id: str,
    repo: str,
    bucket: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'copy' (GithubToS3Operator) from samples/projects/plugins_repo/dags/legacy.py:9:12."""
    from kfmigrate_runtime import _airflow_runtime, _kfp_outputs, _airflow_run_operator
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='legacy', task_id='copy', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _kwargs = {'task_id': 'copy', 'repo': repo, 'bucket': bucket}
    _dag_file_code = r'''
from airflow.models.baseoperator import BaseOperator
class GithubToS3Operator(BaseOperator):
    def __init__(self, repo, bucket, **kwargs):
        super().__init__(**kwargs)
        self.repo = repo
        self.bucket = bucket

    def execute(self, context):
        print(f"copy {self.repo} to s3://{self.bucket}")
'''  # the DAG file's code: imports, helpers, the operator class
    results, skipped = _airflow_run_operator(_airflow, '', 'GithubToS3Operator', _kwargs, module_code=_dag_file_code)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image=BASE_IMAGE, packages_to_install=RUNTIME_PACKAGES)
def alert(copy_skipped: bool) -> NamedTuple("Outputs", [('airflow_skipped', bool)]):
    """Airflow task 'alert' (SlackAlertOperator) from samples/projects/plugins_repo/dags/legacy.py:10:13."""
    from kfmigrate_runtime import _airflow_should_skip, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('airflow_skipped', 'skipped')]
    # Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)
    if _airflow_should_skip('all_success', [copy_skipped]):
        return _kfp_outputs({}, True, _outputs)
    raise NotImplementedError('kfmigrate: task \'alert\' cannot run on KFP: SlackAlertOperator is imported from airflow.operators.slack_plugin, Airflow 1\'s plugin manager, which Airflow 2 removed, and the project\'s plugins/ folder has no such class (KFM126). Original Airflow source (samples/projects/plugins_repo/dags/legacy.py:10:13):\nSlackAlertOperator(task_id="alert", channel="#data")')
    return _kfp_outputs(results, skipped, _outputs)


@dsl.pipeline(name='legacy', description='Converted from Airflow DAG legacy')
def legacy_pipeline(logical_date: str = '', run_id: str = ''):
    # copy: GithubToS3Operator -> operator shim (the Airflow operator runs inside a lightweight component) (shim)
    copy_task = copy(logical_date=logical_date, run_id=run_id, repo='acme/app', bucket='acme-backup')
    copy_task.set_display_name('copy')
    # alert: SlackAlertOperator -> placeholder component (fails at run time) (placeholder)
    alert_task = alert(copy_skipped=copy_task.outputs['airflow_skipped'])
    alert_task.set_display_name('alert')


if __name__ == "__main__":
    target = Path(__file__).with_name('legacy.yaml')
    compiler.Compiler().compile(legacy_pipeline, str(target))
