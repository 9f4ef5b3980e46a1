"""analyze on real-repository shapes (issue 14, items 1-5): unread files, lost tasks, empty packages,
duplicate DAG ids, repeated diagnostics. The real converter runs on each folder."""
from __future__ import annotations

import csv
import io
import json

import pytest

from kfmigrate.migrate.analyze import analyze_paths, render, to_sarif
from tests.analyze.test_cli import NATIVE_DAG, analyze

HELPER_BUILT = '''\
from airflow import DAG
from mycompany.factory import create_dag

dag = create_dag("etl", schedule="@daily")
'''
LOOP_BUILT = '''\
import json
from airflow.providers.standard.operators.bash import BashOperator
from mycompany.factory import build

for cfg in json.load(open("dags.json")):
    globals()[cfg["id"]] = build(cfg)
'''
HELPER_LIBRARY = '''\
import logging
from airflow.models import BaseOperator

log = logging.getLogger(__name__)


class DagHelperOperator(BaseOperator):
    def execute(self, context):
        return 1
'''
BRANCHES_DROPPED = '''\
import os
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("branchy", schedule=None):
    start = EmptyOperator(task_id="start")
    for i in range(3):
        if os.environ.get(
            "ENABLE_" + str(i)
        ):
            BashOperator(task_id=f"t{i}", bash_command="echo hi")
        else:
            BashOperator(task_id=f"u{i}", bash_command="echo ho")
'''
LOOP_DROPPED = '''\
import json
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

TABLES = json.loads(open("tables.json").read())

with DAG("tables", schedule=None):
    for table in TABLES:
        BashOperator(task_id=f"load_{table}", bash_command="echo hi")
'''


@pytest.fixture
def estate(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "__init__.py").write_text("")
    (dags / "helper_built.py").write_text(HELPER_BUILT)
    (dags / "loop_built.py").write_text(LOOP_BUILT)
    (dags / "library.py").write_text(HELPER_LIBRARY)
    (dags / "ok.py").write_text(NATIVE_DAG)
    return dags


def test_unread_files_are_blockers_with_reason_and_position(estate, inventory_validator):
    inventory = analyze_paths([estate], root=estate.parent)
    inventory_validator.validate(inventory)
    unread = {u["path"]: u["diagnostic"] for u in inventory["unread_files"]}
    assert set(unread) == {"dags/helper_built.py", "dags/loop_built.py"}
    helper = unread["dags/helper_built.py"]
    assert (helper["code"], helper["severity"], helper["line"], helper["col"]) == ("KFM103", "error", 4, 7)
    assert "create_dag()" in helper["message"]
    assert unread["dags/loop_built.py"]["line"] == 5 and "loop" in unread["dags/loop_built.py"]["message"]
    # an empty __init__.py and a helper library are no DAG files, not unread ones
    assert inventory["files_without_dag"] == ["dags/__init__.py", "dags/library.py"]
    s = inventory["summary"]
    assert (s["files_unread"], s["blockers"], s["files_failed"]) == (2, 2, 0)
    # 3 tasks that count fully + 2 unread files that score nothing: 3/5
    assert s["tasks"] == 3 and s["score"] == 60


def test_an_estate_it_could_not_read_does_not_score_100(tmp_path, inventory_validator):
    dags = tmp_path / "dags"
    dags.mkdir()
    for n in range(3):
        (dags / f"d{n}.py").write_text(HELPER_BUILT)
    inventory = analyze_paths([dags], root=tmp_path)
    inventory_validator.validate(inventory)
    assert inventory["summary"]["score"] == 0 and inventory["summary"]["blockers"] == 3
    result = analyze(dags, "--fail-on", "placeholder")
    assert result.exit_code == 1 and "Score 0." in result.stdout and "3 unread" in result.stdout


def test_zero_dags_is_not_available_in_every_format(tmp_path, inventory_validator, sarif_validator):
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "util.py").write_text("X = 1\n")
    inventory = analyze_paths([folder], root=tmp_path)
    inventory_validator.validate(inventory)
    assert inventory["summary"]["score"] is None
    assert "Score n/a." in render(inventory, "table")
    assert "Readiness score n/a.**" in render(inventory, "md")
    assert json.loads(render(inventory, "json"))["summary"]["score"] is None
    sarif = to_sarif(inventory)
    sarif_validator.validate(sarif)
    assert sarif["runs"][0]["properties"]["summary"]["score"] is None


def test_an_empty_folder_exits_2_as_convert_does(tmp_path):
    (tmp_path / "empty").mkdir()
    result = analyze(tmp_path / "empty")
    assert result.exit_code == 2 and "no .py file found" in result.stderr


def test_an_empty_init_py_is_no_dag_and_the_gate_passes(estate, tmp_path):
    package = tmp_path / "package"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "ok.py").write_text(NATIVE_DAG)
    result = analyze(package, "--fail-on", "placeholder")
    assert result.exit_code == 0, result.output
    assert "KFM104" not in result.output and "0 failed" in result.stdout


def test_dags_that_lost_tasks_are_not_ready(tmp_path, inventory_validator):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "branchy.py").write_text(BRANCHES_DROPPED)
    (dags / "tables.py").write_text(LOOP_DROPPED)
    inventory = analyze_paths([dags], root=tmp_path)
    inventory_validator.validate(inventory)
    by_id = {d["dag_id"]: d for d in inventory["dags"]}
    branchy, tables = by_id["branchy"], by_id["tables"]
    assert branchy["ready"] is False and [(b["code"], b["kind"], b["line"]) for b in branchy["blockers"]] == [("KFM122", "dropped", 9)]
    assert tables["ready"] is False and tables["task_count"] == 0 and tables["score"] is None
    assert [(b["code"], b["kind"]) for b in tables["blockers"]] == [("KFM112", "dropped")]
    md = render(inventory, "md")
    # warnings grouped by code, each message on one line
    warnings = md[md.index("## Warnings"):]
    assert "### KFM122 " in warnings and "### KFM112 " in warnings
    assert 'condition not known statically (os.environ.get("ENABLE_" + str(i))): the if (of 2 that do) branch' in warnings
    rows = list(csv.DictReader(io.StringIO(render(inventory, "csv"))))
    assert {r["dag_id"]: (r["ready"], r["score"]) for r in rows} == {"branchy": ("false", "100"), "tables": ("false", "n/a")}


def test_duplicate_dag_ids_are_flagged(tmp_path, inventory_validator, sarif_validator):
    dags = tmp_path / "dags"
    (dags / "team_b").mkdir(parents=True)
    (dags / "ok.py").write_text(NATIVE_DAG)
    (dags / "team_b" / "copy.py").write_text(NATIVE_DAG)
    inventory = analyze_paths([dags], root=tmp_path)
    inventory_validator.validate(inventory)
    assert inventory["summary"]["duplicate_dag_ids"] == 1
    (duplicate,) = inventory["duplicate_dag_ids"]
    assert duplicate["dag_id"] == "native_etl"
    assert [d["path"] for d in duplicate["definitions"]] == ["dags/ok.py", "dags/team_b/copy.py"]
    table = render(inventory, "table", width=200)
    assert "Duplicate DAG ids" in table and "native_etl: dags/ok.py:" in table
    md = render(inventory, "md")
    assert "## Duplicate DAG ids" in md and "`native_etl`" in md[md.index("## Duplicate DAG ids"):]
    rows = [r for r in csv.DictReader(io.StringIO(render(inventory, "csv"))) if r["status"] == "duplicate"]
    assert [r["path"] for r in rows] == ["dags/ok.py", "dags/team_b/copy.py"]
    sarif = to_sarif(inventory)
    sarif_validator.validate(sarif)
    assert sum(r["ruleId"] == "KFM115" for r in sarif["runs"][0]["results"]) == 2
