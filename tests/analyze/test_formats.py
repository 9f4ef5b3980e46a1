"""Output formats: SARIF 2.1.0 against the official schema, CSV, Markdown, table, JSON."""
from __future__ import annotations

import copy
import csv
import io
import json
from urllib.parse import unquote, urlsplit

import pytest

from kfmigrate.migrate.analyze import build_inventory, render, to_sarif
from kfmigrate.migrate.api import FileResult
from kfmigrate.migrate.diagnostics import CODES, Diagnostic
from kfmigrate.migrate.ir import SourceSpan

DAG = '''\
from airflow.sdk import DAG, task
from airflow.providers.standard.operators.bash import BashOperator
from acme_provider.operators import AcmeOperator

with DAG("pipeline|one", schedule=None):
    ok = BashOperator(task_id="ok", bash_command="echo {{ var.value.greeting }}")
    odd = AcmeOperator(task_id="odd", acme_conn_id="acme")

    @task
    def shimmed():
        return 1

    ok >> odd >> shimmed()
'''


@pytest.fixture
def inventory(tmp_path, make_result):
    """One DAG in a folder whose name needs URI escaping, one broken file, one file without a DAG."""
    folder = tmp_path / "my dags"
    folder.mkdir()
    dag = make_result(DAG, str(folder / "pipe#1.py"), {"odd": "placeholder", "shimmed": "shim"},
                      {"shimmed": [("KFM201", "warning", "runs through the operator shim")],
                       "ok": [("KFM203", "info", "template renders at run time")]})
    broken = FileResult(folder / "broken.py", error=Diagnostic("KFM102", "Python syntax error: unexpected EOF", "error",
                                                               SourceSpan(str(folder / "broken.py"), 4, 9)))
    no_dag = FileResult(folder / "util.py", diagnostics=[Diagnostic("KFM103", "no Airflow DAG found in this file", "info",
                                                                    SourceSpan(str(folder / "util.py"), 1, 1))])
    return build_inventory([dag, broken, no_dag], root=tmp_path)


def test_sarif_validates_and_points_at_source(inventory, sarif_validator, tmp_path):
    sarif = json.loads(render(inventory, "sarif"))
    sarif_validator.validate(sarif)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    # every diagnostic code is a rule, described by its CODES text
    assert {r["id"]: r["shortDescription"]["text"] for r in rules} == CODES
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"

    got = {}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not urlsplit(uri).scheme and not uri.startswith("/")  # relative reference
        assert " " not in uri and "#" not in uri  # escaped
        region = location["region"]
        got[(result["ruleId"], unquote(uri))] = (result["level"], region["startLine"], region["startColumn"], result["message"]["text"])

    odd_line = DAG.splitlines().index('    odd = AcmeOperator(task_id="odd", acme_conn_id="acme")') + 1
    assert got[("KFM200", "my dags/pipe#1.py")][:3] == ("error", odd_line, 11)
    assert "task odd" in got[("KFM200", "my dags/pipe#1.py")][3]
    assert got[("KFM201", "my dags/pipe#1.py")][0] == "warning"
    assert got[("KFM203", "my dags/pipe#1.py")][0] == "note"
    assert got[("KFM102", "my dags/broken.py")][:3] == ("error", 4, 9)
    assert not any(code == "KFM103" for code, _ in got)  # a helper module without a DAG is not a finding
    assert got[("KFM119", "my dags/pipe#1.py")][0] == "warning"  # the dag id Airflow rejects ('#')
    assert len(run["results"]) == 5


def test_sarif_outside_root_uses_absolute_file_uris(make_result, sarif_validator, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    root = tmp_path / "repo"
    root.mkdir()
    dag = make_result(DAG, str(elsewhere / "x.py"), {"odd": "placeholder"})
    sarif = to_sarif(build_inventory([dag], root=root))
    sarif_validator.validate(sarif)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {(elsewhere / "x.py").as_uri()}


def test_official_sarif_schema_catches_mistakes(inventory, sarif_validator):
    good = to_sarif(inventory)
    mutations = [
        lambda s: s.__setitem__("version", "2.0.0"),
        lambda s: s["runs"][0]["results"][0].__setitem__("level", "fatal"),
        lambda s: s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"].__setitem__("startLine", 0),
        lambda s: s["runs"][0]["tool"]["driver"].pop("name"),
    ]
    for mutate in mutations:
        bad = copy.deepcopy(good)
        mutate(bad)
        assert not sarif_validator.is_valid(bad), mutate


def test_csv_rows(inventory):
    rows = list(csv.DictReader(io.StringIO(render(inventory, "csv"))))
    assert [r["status"] for r in rows] == ["dag", "failed", "no_dag"]
    dag = rows[0]
    assert dag["dag_id"] == "pipeline|one" and dag["path"] == "my dags/pipe#1.py"
    assert (dag["tasks"], dag["native"], dag["shim"], dag["placeholder"], dag["removed"]) == ("3", "1", "1", "1", "0")
    assert dag["score"] == "50" and dag["ready"] == "false" and dag["blockers"] == "1"
    assert dag["connections"] == "acme" and dag["variables"] == "greeting"
    assert dag["families"] == "bash:1;python:1;unmapped:1"
    assert rows[1]["path"] == "my dags/broken.py" and rows[1]["message"].startswith("KFM102")
    assert rows[2]["path"] == "my dags/util.py"


def test_markdown_and_table_show_the_inventory(inventory):
    md = render(inventory, "md")
    for heading in ("## DAGs", "## Operators", "## Blockers", "## Connections needed", "## Variables needed",
                    "## Files that could not be read or parsed", "## Files with no DAG"):
        assert heading in md
    assert "`pipeline\\|one`" in md  # a pipe in a DAG id does not break the table
    odd = inventory["dags"][0]["blockers"][0]
    where = f"{odd['path']}:{odd['line']}:{odd['col']}"
    assert f"`{where}` KFM200" in md
    assert "Readiness score = 100 x (native + removed + shim/2) / tasks" in md

    table = render(inventory, "table", width=200)
    assert f"{where}: KFM200" in table
    assert "my dags/broken.py:4:9: KFM102" in table
    assert "Score 50." in table and "acme: pipeline|one.odd" in table
    assert "\x1b[" not in table  # plain text unless asked for colour


def test_json_is_the_inventory(inventory, inventory_validator):
    data = json.loads(render(inventory, "json"))
    assert data == json.loads(json.dumps(inventory))
    inventory_validator.validate(data)


def test_unknown_format_is_refused(inventory):
    with pytest.raises(ValueError, match="unknown format"):
        render(inventory, "xml")


def test_table_shows_ids_literally(make_result):
    source = DAG.replace('"pipeline|one"', '"[bold]etl[/bold]"')
    table = render(build_inventory([make_result(source, "x.py", {})]), "table", width=200)
    assert "[bold]etl[/bold]" in table  # not swallowed as rich markup


@pytest.mark.parametrize("width", [200, 120, 100, 80, 60])
def test_table_never_cuts_a_dag_location(make_result, width):
    source = "# padding\n" * 169 + DAG.replace('"pipeline|one"', '"control_flow_branching_with_a_long_id"')
    result = make_result(source, "samples/dags/control_flow_branching.py", {})
    table = render(build_inventory([result]), "table", width=width)
    location = "samples/dags/control_flow_branching.py:174"
    assert any(location in line for line in table.splitlines()), table
    assert all(len(line.rstrip()) <= width for line in table.splitlines())
