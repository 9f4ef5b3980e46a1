"""Shared pieces for the analyze tests: schema validators, the Airflow example DAG folders, and
hand-made converter results (the real parser's Workflow and kfmigrate.migrate.report's real report, with a
chosen fidelity per task) to pin exact fidelity mixes independently of today's mappers.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Dict, List, Optional

import jsonschema
import pytest

from kfmigrate.migrate.api import Conversion, FileResult
from kfmigrate.migrate.diagnostics import Diagnostic
from kfmigrate.migrate.parse import parse_source
from kfmigrate.migrate.report import build_report

REPO = Path(__file__).resolve().parents[2]


def file_result(source: str, path: str, fidelity: Dict[str, str], task_diagnostics: Optional[Dict[str, List[tuple]]] = None) -> FileResult:
    """Parse `source` for real; give each task the fidelity named in `fidelity` (default native).

    task_diagnostics: task_id -> [(code, severity, message)] reported by the (pretend) mapper.
    """
    parsed = parse_source(source, path)
    result = FileResult(path=Path(path), diagnostics=list(parsed.diagnostics))
    for workflow in parsed.workflows:
        task_reports = []
        for task in workflow.tasks:
            diags = [Diagnostic(code, message, severity, task.span, task.task_id)
                     for code, severity, message in (task_diagnostics or {}).get(task.task_id, [])]
            task_reports.append(SimpleNamespace(
                task_id=task.task_id, fidelity=fidelity.get(task.task_id, "native"), mapping=f"{task.operator} (hand-made)",
                kfp_task=task.task_id, component=task.task_id.replace(".", "_"), outputs={}, differences=[], diagnostics=diags,
                tier="runtime"))
        emitted = SimpleNamespace(tasks=task_reports, pipeline_name=workflow.dag_id, function_name=workflow.dag_id, parameters=[],
                                  diagnostics=[d for t in task_reports for d in t.diagnostics])
        diagnostics = list(emitted.diagnostics)
        report = build_report(workflow, emitted, diagnostics, compiled=False, compile_requested=False)
        result.conversions.append(Conversion(workflow, emitted, None, report, diagnostics))
    return result


@pytest.fixture
def make_result():
    return file_result


@pytest.fixture(scope="session")
def inventory_validator():
    from kfmigrate.migrate.analyze import schema as inventory_schema

    schema = inventory_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="session")
def sarif_validator():
    schema = json.loads((REPO / "tests" / "data" / "sarif-2.1.0.json").read_text())
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


@pytest.fixture(scope="session")
def example_dag_folders():
    """The example DAGs shipped in the Airflow wheels (read in place, never copied)."""
    folders = []
    for package in ("airflow", "airflow.providers.standard"):
        spec = importlib.util.find_spec(package)
        assert spec is not None and spec.submodule_search_locations, f"{package} is not installed"
        folder = Path(list(spec.submodule_search_locations)[0]) / "example_dags"
        assert folder.is_dir(), folder
        folders.append(folder)
    return folders
