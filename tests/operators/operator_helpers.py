"""Helpers shared by the operator tests (a uniquely named module: every test folder has a conftest)."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "dags"
# Airflow's own example DAGs ship in the wheel: an external corpus, read in place, never copied
AIRFLOW_EXAMPLES = Path(__import__("airflow").__file__).parent / "example_dags"
FS_CONNECTION = json.dumps({"conn_type": "fs", "extra": {"path": ""}})


def convert(source_or_path, path: str = "dag.py"):
    """EmitResult of the only DAG in a file (Path) or in source text."""
    from kfmigrate.migrate.emit import emit
    from kfmigrate.migrate.parse import parse_file, parse_source

    parsed = parse_file(source_or_path) if isinstance(source_or_path, Path) else parse_source(source_or_path, path=path)
    assert len(parsed.workflows) == 1, [d.render() for d in parsed.diagnostics]
    return emit(parsed.workflows[0])


def report_of(result, task_id: str):
    return next(t for t in result.tasks if t.task_id == task_id)
