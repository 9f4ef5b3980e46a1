"""Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG 'operators_kubernetes'.

Source: samples/dags/operators_kubernetes.py
Schedule in Airflow: none (runs when triggered)

Compile with `python {this file}` (writes operators_kubernetes.yaml next to it), or run it with
kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.
"""

from pathlib import Path
from typing import NamedTuple

from kfp import compiler, dsl
from kfp import kubernetes

BASE_IMAGE = "python:3.11-slim"  # the image every component runs in: change it here
RUNTIME_PACKAGES = ['kfmigrate-runtime==0.1.0']  # kfmigrate's Airflow runtime (components import it)


@dsl.container_component
def extract(epochs: int):
    """Airflow task 'extract' (KubernetesPodOperator) from samples/dags/operators_kubernetes.py:23:15."""
    return dsl.ContainerSpec(
        image='ghcr.io/example/extract:1.4',
        command=['python', '-m', 'extract'],
        args=['--epochs', f'{epochs}', '--dag', 'operators_kubernetes'],
    )


@dsl.container_component
def report():
    """Airflow task 'report' (DockerOperator) from samples/dags/operators_kubernetes.py:54:14."""
    return dsl.ContainerSpec(
        image='python:3.12-slim',
        args=['python', '-c', 'print("report ready")'],
    )


@dsl.component(base_image='python:3.12-slim', packages_to_install=RUNTIME_PACKAGES + ['jinja2==3.1.6'])
def score(param_epochs: int, epochs: str) -> NamedTuple("Outputs", [('return_value', float)]):
    """Airflow task 'score' (@task.kubernetes) from samples/dags/operators_kubernetes.py:75:15."""
    from kfmigrate_runtime import _airflow_runtime, _airflow_render, _airflow_call_python, _kfp_outputs
    # (XCom key, encoding) of each output, in order
    _outputs = [('return_value', 'float')]
    xcom = {}
    _airflow = _airflow_runtime(
        dag_id='operators_kubernetes', task_id='score', logical_date='', run_id='',
        params={'epochs': param_epochs}, xcom=xcom,
    )
    _op_args = [_airflow_render(epochs, _airflow.context)]
    _op_kwargs = {}
    # The task callable (samples/dags/operators_kubernetes.py:65:5).
    def score(epochs: int) -> float:
        return round(1 - 1 / (epochs + 1), 3)
    results, skipped = _airflow_call_python(_airflow, score, _op_args, _op_kwargs)
    return _kfp_outputs(results, skipped, _outputs)


@dsl.component(base_image='python:3.12-slim')
def summarize(value: float) -> str:
    """Airflow task 'summarize' (@task.docker) from samples/dags/operators_kubernetes.py:75:5."""
    # The task callable (samples/dags/operators_kubernetes.py:69:5).
    def summarize(value: float) -> str:
        import os

        return f"{os.environ.get('MODE', '?')}: {value}"
    return summarize(value)


@dsl.pipeline(name='operators-kubernetes', description='Converted from Airflow DAG operators_kubernetes')
def operators_kubernetes_pipeline(epochs: int = 3, logical_date: str = '', run_id: str = ''):
    # extract: KubernetesPodOperator -> container component + kfp-kubernetes settings (native)
    extract_task = extract(epochs=epochs)
    extract_task.set_display_name('extract')
    kubernetes.set_timeout(extract_task, 3600)
    kubernetes.use_secret_as_env(extract_task, secret_name='warehouse-credentials', secret_key_to_env={'password': 'DB_PASSWORD'})
    kubernetes.use_secret_as_volume(extract_task, secret_name='warehouse-tls', mount_path='/etc/tls')
    kubernetes.use_config_map_as_env(extract_task, config_map_name='site-settings', config_map_key_to_env={'region': 'REGION'})
    kubernetes.mount_pvc(extract_task, pvc_name='training-data', mount_path='/data')
    kubernetes.add_node_selector(extract_task, label_key='workload', label_value='batch')
    kubernetes.add_toleration(extract_task, key='dedicated', operator='Equal', value='batch', effect='NoSchedule')
    kubernetes.add_node_affinity(extract_task, match_expressions=[{'key': 'topology.kubernetes.io/zone', 'operator': 'In', 'values': ['eu-west-1a']}])
    kubernetes.set_image_pull_secrets(extract_task, ['ghcr-pull'])
    kubernetes.add_pod_label(extract_task, 'team', 'ml')
    kubernetes.add_pod_annotation(extract_task, 'example.com/owner', 'data-platform')
    extract_task.set_cpu_request('500m')
    extract_task.set_cpu_limit('2')
    extract_task.set_memory_request('1Gi')
    extract_task.set_memory_limit('4Gi')
    extract_task.set_env_variable('LOG_LEVEL', 'info')
    # report: DockerOperator -> container component + kfp-kubernetes settings (native)
    report_task = report()
    report_task.set_display_name('report')
    report_task.after(extract_task)
    report_task.set_cpu_limit('1')
    report_task.set_memory_limit('512Mi')
    report_task.set_env_variable('REPORT_FORMAT', 'html')
    # score: @task.kubernetes -> Python lightweight component in the task's image + kfp-kubernetes settings (native)
    score_task = score(param_epochs=epochs, epochs='{{ params.epochs }}')
    score_task.set_display_name('score')
    kubernetes.add_node_selector(score_task, label_key='workload', label_value='batch')
    score_task.set_memory_limit('512Mi')
    # summarize: @task.docker -> Python lightweight component in the task's image + kfp-kubernetes settings (native)
    summarize_task = summarize(value=score_task.outputs['return_value'])
    summarize_task.set_display_name('summarize')
    summarize_task.after(report_task)
    summarize_task.set_env_variable('MODE', 'summary')


if __name__ == "__main__":
    target = Path(__file__).with_name('operators_kubernetes.yaml')
    compiler.Compiler().compile(operators_kubernetes_pipeline, str(target))
