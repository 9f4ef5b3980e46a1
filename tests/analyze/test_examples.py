"""The Airflow example DAGs shipped in the wheels, analysed in place (never copied into the repo)."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from kfmigrate.migrate.analyze import readiness_score, to_sarif
from kfmigrate.migrate.diagnostics import ConversionError
from kfmigrate.migrate.parse import parse_file

KFMIGRATE = Path(sys.executable).with_name("kfmigrate")


@pytest.fixture(scope="module")
def examples(tmp_path_factory, example_dag_folders):
    """One real CLI run over both example folders, as JSON in a file; paths relative to site-packages."""
    folders = example_dag_folders
    root = folders[0].parent.parent  # site-packages
    out = tmp_path_factory.mktemp("examples") / "inventory.json"
    proc = subprocess.run([str(KFMIGRATE), "analyze", *map(str, folders), "-f", "json", "-o", str(out), "--root", str(root)],
                          capture_output=True, text=True, timeout=600)
    return proc, json.loads(out.read_text()), root, folders


def test_every_example_file_is_accounted_for(examples, inventory_validator):
    proc, inventory, root, folders = examples
    assert proc.returncode == 0, proc.stderr
    inventory_validator.validate(inventory)
    files = sorted(p for folder in folders for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
    assert len(files) >= 60
    # every file is exactly one of: has DAGs, has no DAG, failed (none do)
    with_dags = {d["path"] for d in inventory["dags"]}
    shown = {p.relative_to(root).as_posix() for p in files}
    assert with_dags | set(inventory["files_without_dag"]) == shown
    assert not with_dags & set(inventory["files_without_dag"])
    assert inventory["failed_files"] == []
    assert "airflow/example_dags/__init__.py" in inventory["files_without_dag"]

    # the DAGs and their task counts are what the parser finds, file by file
    expected = {}
    for path in files:
        try:
            parsed = parse_file(path)
        except ConversionError:  # pragma: no cover - would show up as a failed file above
            continue
        for workflow in parsed.workflows:
            expected[(path.relative_to(root).as_posix(), workflow.dag_id)] = len(workflow.tasks)
    assert {(d["path"], d["dag_id"]): d["task_count"] for d in inventory["dags"]} == expected
    assert len(expected) >= 100


def test_totals_add_up(examples):
    _, inventory, _, _ = examples
    s = inventory["summary"]
    dags = inventory["dags"]
    assert s["dags"] == len(dags) and s["tasks"] == sum(d["task_count"] for d in dags)
    total = Counter()
    for dag in dags:
        assert sum(dag["fidelity"].values()) == dag["task_count"] == len(dag["tasks"])
        assert dag["score"] == readiness_score(dag["fidelity"])
        assert dag["ready"] == (dag["fidelity"]["placeholder"] == 0 and dag["errors"] == 0)
        total.update(dag["fidelity"])
    assert s["fidelity"] == dict(total)
    assert s["score"] == readiness_score(s["fidelity"])
    assert sum(o["count"] for o in inventory["operators"]) == s["tasks"]
    assert sum(s["families"].values()) == s["tasks"]
    assert s["blockers"] == sum(len(d["blockers"]) for d in dags) >= s["fidelity"]["placeholder"]
    # the most common Airflow operators in the examples are mapped, not unmapped
    families = {o["operator"]: o["family"] for o in inventory["operators"]}
    assert families["BashOperator"] == "bash" and families["PythonOperator"] == "python"


def test_blockers_point_into_the_source(examples):
    _, inventory, root, _ = examples
    lines_of = {}
    for dag in inventory["dags"]:
        for blocker in dag["blockers"]:
            lines = lines_of.setdefault(blocker["path"], (root / blocker["path"]).read_text().splitlines())
            assert 1 <= blocker["line"] <= len(lines)
            text = lines[blocker["line"] - 1]
            # the position is the start of the task's expression: an identifier, not whitespace or a bracket
            assert text[blocker["col"] - 1:blocker["col"]].isidentifier(), (blocker, text)
        placeholders = {t["task_id"] for t in dag["tasks"] if t["fidelity"] == "placeholder"}
        assert placeholders <= {b["task_id"] for b in dag["blockers"] if b["kind"] == "placeholder"}


def test_sarif_of_the_examples(examples, sarif_validator):
    _, inventory, _, _ = examples
    sarif = to_sarif(inventory)
    sarif_validator.validate(sarif)
    results = sarif["runs"][0]["results"]
    expected = sum(len(d["diagnostics"]) for d in inventory["dags"]) + len(inventory["file_diagnostics"])
    assert len(results) == expected
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("airflow/") for r in results)
