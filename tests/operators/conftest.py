"""Fixtures for the operator families: convert a DAG, run it on real kfp.local, run it on real Airflow."""
from __future__ import annotations

import pytest

from operator_helpers import AIRFLOW_EXAMPLES, FS_CONNECTION, SAMPLES


@pytest.fixture
def run_kfp(tmp_path):
    """run_kfp(emit_result, **params) -> PipelineRun on kfp.local (subprocess runner, packages never
    installed into this interpreter); outputs by Airflow task id in `.by_task`, return values in `.returned`."""
    from kfmigrate.compare.engines.kfp_local import run_pipeline

    def run(result, timeout: float = 300, **params):
        module = tmp_path / f"{result.function_name}.py"
        module.write_text(result.python_source)
        run = run_pipeline(module, params=params, pipeline_root=tmp_path / "root", timeout=timeout)
        names = {t.kfp_task: t.task_id for t in result.tasks if t.kfp_task}
        run.by_task = {names.get(name, name): task for name, task in run.tasks.items()}
        # each task's return value, from the output the report names for it (`Output` for a direct component)
        run.returned = {t.task_id: run.by_task[t.task_id].outputs.get(t.outputs["return_value"])
                        for t in result.tasks if t.task_id in run.by_task and "return_value" in t.outputs}
        return run

    return run


@pytest.fixture(scope="session")
def sensor_file(tmp_path_factory):
    """The file the sensor sample waits for (its `path` param), present before any run."""
    path = tmp_path_factory.mktemp("sensor") / "ready.txt"
    path.write_text("one\ntwo\nthree\n")
    return path


@pytest.fixture(scope="session")
def airflow_samples(sensor_file):
    """The runnable operator samples, run once on real Airflow 3 (one Airflow process for all):
    dag_id -> DagRun, every one for logical date 2024-03-05."""
    from kfmigrate.compare.engines.airflow import DagJob, run_dags

    jobs = [
        DagJob(SAMPLES / "operators_sensors.py", "operators_sensors", params={"path": str(sensor_file)}, logical_date="2024-03-05"),
        DagJob(SAMPLES / "operators_shim.py", "operators_shim", params={"who": "team"}, logical_date="2024-03-05"),
        DagJob(SAMPLES / "operators_control.py", "operators_control", logical_date="2024-03-05"),
        DagJob(AIRFLOW_EXAMPLES / "example_skip_dag.py", "example_skip_dag", logical_date="2024-03-05"),
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AIRFLOW_CONN_FS_DEFAULT", FS_CONNECTION)
        runs = run_dags(jobs)
    for job, run in zip(jobs, runs):
        assert not isinstance(run, Exception), (job.dag_id, run)
    return {job.dag_id: run for job, run in zip(jobs, runs)}
