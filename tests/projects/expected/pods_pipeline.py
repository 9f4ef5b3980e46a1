"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'pods'.

Source: samples/projects/plugins_repo/dags/pods.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes pods.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl
from kfp import kubernetes

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


# ---------------------------------------------------------------- modules from next to the DAG file
# A component sees only its own source and its additional_funcs (module-level constants are not
# visible inside it), so each module's text is returned by a function listed in the additional_funcs
# of the components that import it; _kfp_local_modules writes them into a folder on sys.path.


def _module_acme_operators():
    """plugins/acme_operators/__init__.py"""
    return r'''"""The company's shared DAG code."""
'''


def _module_acme_operators__formatting():
    """plugins/acme_operators/formatting.py"""
    return r'''def banner(text):
    return f"== {text} =="
'''


# ---------------------------------------------------------------- components


@dsl.container_component
def extract():
    """Airflow task 'extract' (KubernetesPodOperator) from samples/projects/plugins_repo/dags/pods.py:9:15."""
    return dsl.ContainerSpec(
        image='registry.acme.example/jobs/extract_orders:1.0',
        command=['python', '-m', 'extract_orders'],
    )


@dsl.container_component
def aggregate():
    """Airflow task 'aggregate' (KubernetesPodOperator) from samples/projects/plugins_repo/dags/pods.py:10:17."""
    return dsl.ContainerSpec(
        image='registry.acme.example/jobs/aggregate_orders:2.3',
        command=['python', '-m', 'aggregate_orders'],
    )


@dsl.container_component
def run_publish():
    """Airflow task 'run_publish' (KubernetesPodOperator) from samples/projects/plugins_repo/plugins/acme_operators/pods.py:30:12."""
    return dsl.ContainerSpec(
        image='registry.acme.example/jobs/publish:1.0',
        command=['python', '-m', 'publish'],
    )


@dsl.component(
    base_image=BASE_IMAGE,
    packages_to_install=RUNTIME_PACKAGES + ['apache-airflow==3.3.2'],
    additional_funcs=[_module_acme_operators, _module_acme_operators__formatting],
)
def audit(
    logical_date: str,
    run_id: str,
    message: str,
) -> NamedTuple("Outputs", [('return_value', str), ('airflow_skipped', bool)]):
    """Airflow task 'audit' (AuditOperator) from samples/projects/plugins_repo/dags/pods.py:12:13."""
    from kfmigrate_runtime import (
        _airflow_runtime,
        _kfp_outputs,
        _airflow_run_operator,
        _kfp_local_modules,
    )
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'json'), ('airflow_skipped', 'skipped')]
    xcom = {}
    _kfp_local_modules({
        'acme_operators/__init__.py': _module_acme_operators(),
        'acme_operators/formatting.py': _module_acme_operators__formatting(),
    })
    _airflow = _airflow_runtime(
        dag_id='pods', task_id='audit', logical_date=logical_date, run_id=run_id,
        params={}, xcom=xcom,
    )
    _kwargs = {'task_id': 'audit', 'message': message}
    _dag_file_code = r'''
from airflow.models.baseoperator import BaseOperator
from acme_operators.formatting import banner
class AuditOperator(BaseOperator):
    template_fields = ("message",)

    def __init__(self, message, **kwargs):
        super().__init__(**kwargs)
        self.message = message

    def execute(self, context):
        print(banner(f"audit: {self.message}"))
        return self.message
'''  # the DAG file's code: imports, helpers, the operator class
    results, skipped = _airflow_run_operator(_airflow, '', 'AuditOperator', _kwargs, module_code=_dag_file_code)
    return _kfp_outputs(results, skipped, _outputs)


# ---------------------------------------------------------------- pipeline


@dsl.pipeline(name='pods', description='Converted from Airflow DAG pods')
def pods_pipeline(logical_date: str = '', run_id: str = ''):
    # extract: KubernetesPodOperator -> container component + kfp-kubernetes settings (native)
    extract_task = extract()
    extract_task.set_display_name('extract')
    # aggregate: KubernetesPodOperator -> container component + kfp-kubernetes settings (native)
    aggregate_task = aggregate()
    aggregate_task.set_display_name('aggregate')
    aggregate_task.after(extract_task)
    kubernetes.add_pod_label(aggregate_task, 'tier', 'batch')
    # run_publish: KubernetesPodOperator -> container component + kfp-kubernetes settings (native)
    run_publish_task = run_publish()
    run_publish_task.set_display_name('run_publish')
    run_publish_task.after(aggregate_task)
    # audit: AuditOperator -> operator shim (the Airflow operator runs inside a lightweight component) (shim)
    audit_task = audit(
        logical_date=logical_date,
        run_id=run_id,
        message='orders published for {{ ds }}',
    )
    audit_task.set_display_name('audit')
    audit_task.after(run_publish_task)


if __name__ == "__main__":
    target = Path(__file__).with_name('pods.yaml')
    compiler.Compiler().compile(pods_pipeline, str(target))
