"""Fixtures for the operator families: convert a DAG, run it on real kfp.local, run it on real Airflow."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "dags"
FS_CONNECTION = json.dumps({"conn_type": "fs", "extra": {"path": ""}})


def convert(source_or_path, path: str = "dag.py"):
    """EmitResult of the only DAG in a file (Path) or in source text."""
    from migrate.emit import emit
    from migrate.parse import parse_file, parse_source

    parsed = parse_file(source_or_path) if isinstance(source_or_path, Path) else parse_source(source_or_path, path=path)
    assert len(parsed.workflows) == 1, [d.render() for d in parsed.diagnostics]
    return emit(parsed.workflows[0])


def report_of(result, task_id: str):
    return next(t for t in result.tasks if t.task_id == task_id)


@pytest.fixture
def run_kfp(tmp_path):
    """run_kfp(emit_result, **params) -> PipelineRun on kfp.local (subprocess runner, packages never
    installed into this interpreter); outputs by Airflow task id in `.by_task`."""
    from compare.engines.kfp_local import run_pipeline

    def run(result, timeout: float = 300, **params):
        module = tmp_path / f"{result.function_name}.py"
        module.write_text(result.python_source)
        run = run_pipeline(module, params=params, pipeline_root=tmp_path / "root", timeout=timeout)
        names = {t.kfp_task: t.task_id for t in result.tasks if t.kfp_task}
        run.by_task = {names.get(name, name): task for name, task in run.tasks.items()}
        return run

    return run
