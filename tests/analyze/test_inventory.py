"""The inventory: fidelity mix, families, score, blockers, connections/variables, problem files."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from kfmigrate.migrate.analyze import analyze_paths, build_inventory, operator_family, readiness_score, trips
from kfmigrate.migrate.operators import find_mapper

ETL = '''\
from airflow.sdk import DAG, Variable, task
from airflow.providers.standard.operators.bash import BashOperator
from acme_provider.operators.warehouse import AcmeQueryOperator  # fictional: no mapper will ever claim it
from airflow.hooks.base import BaseHook

with DAG("etl", schedule=None, default_args={"postgres_conn_id": "pg_default"}):
    extract = BashOperator(task_id="extract", bash_command="curl {{ conn.api_http.host }}/{{ var.value.endpoint }}")
    load = AcmeQueryOperator(task_id="load", conn_id="warehouse", sql="select {{ var.json.limits.rows }}")
    tidy = BashOperator(task_id="tidy", bash_command="echo {{ var.value.get('tidy_mode', 'fast') }} {{ var.value.get(name) }}",
                        env={"TOKEN": Variable.get("api_token")})
    dynamic = AcmeQueryOperator(task_id="dynamic", conn_id="{{ params.db }}", sql="select 1")

    @task
    def report():
        limit = Variable.get(key="report_limit")
        conn = BaseHook.get_connection("smtp_default")
        conn.execute("select 1")
        return limit

    extract >> load >> tidy >> dynamic >> report()
'''

SMALL = '''\
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("small", schedule=None):
    start = EmptyOperator(task_id="start")
    hello = BashOperator(task_id="hello", bash_command="echo hello")
    start >> hello
'''


def position(source: str, text: str):
    """1-based (line, col) of the first occurrence of `text`."""
    offset = source.index(text)
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1


@pytest.mark.parametrize("fidelity, score", [
    ({}, None),  # nothing to count: n/a, never 100
    ({"native": 3}, 100),
    ({"removed": 2}, 100),
    ({"native": 1, "shim": 1}, 75),
    ({"native": 2, "shim": 1}, 83),  # 5/6 rounded down, never up to look better
    ({"shim": 2}, 50),
    ({"placeholder": 1}, 0),
    ({"native": 1, "removed": 1, "shim": 1, "placeholder": 1}, 62),
])
def test_readiness_score(fidelity, score):
    assert readiness_score(fidelity) == score


def test_family_is_the_mapper_module_or_unmapped():
    assert operator_family("BashOperator") == find_mapper("BashOperator").__module__.rsplit(".", 1)[-1] == "bash"
    assert operator_family("@task") == "python"
    assert operator_family("NoSuchOperatorAnywhere") == "unmapped"


def test_fidelity_mix_families_and_totals(make_result, inventory_validator):
    etl = make_result(ETL, "dags/etl.py", {"load": "placeholder", "dynamic": "shim", "report": "shim"})
    small = make_result(SMALL, "dags/small.py", {"start": "removed"})
    inventory = build_inventory([etl, small], root=Path("."))
    inventory_validator.validate(inventory)

    by_id = {d["dag_id"]: d for d in inventory["dags"]}
    assert list(by_id) == ["etl", "small"]
    assert by_id["etl"]["fidelity"] == {"native": 2, "shim": 2, "placeholder": 1, "removed": 0}
    assert by_id["etl"]["families"] == {"bash": 2, "python": 1, "unmapped": 2}
    assert by_id["etl"]["score"] == readiness_score(by_id["etl"]["fidelity"]) == 60
    assert by_id["etl"]["ready"] is False
    ops = {o["operator"]: o for o in by_id["etl"]["operators"]}
    assert ops["AcmeQueryOperator"]["count"] == 2
    assert ops["AcmeQueryOperator"]["fidelity"] == {"native": 0, "shim": 1, "placeholder": 1, "removed": 0}
    assert by_id["small"]["fidelity"] == {"native": 1, "shim": 0, "placeholder": 0, "removed": 1}
    assert by_id["small"]["score"] == 100 and by_id["small"]["ready"] is True

    s = inventory["summary"]
    assert s["dags"] == 2 and s["ready_dags"] == 1 and s["tasks"] == 7
    assert s["fidelity"] == {"native": 3, "shim": 2, "placeholder": 1, "removed": 1}
    assert s["score"] == readiness_score(s["fidelity"]) == 71  # 5/7
    assert s["families"] == {"bash": 3, "empty": 1, "python": 1, "unmapped": 2}
    assert s["files"] == 2 and s["files_with_dags"] == 2 and s["files_failed"] == 0
    total_bash = next(o for o in inventory["operators"] if o["operator"] == "BashOperator")
    assert total_bash["count"] == 3 and total_bash["dags"] == 2
    # most used operator first
    assert inventory["operators"][0]["operator"] == "BashOperator"


def test_blockers_are_placeholders_and_errors_with_positions(make_result):
    diagnostics = {
        "dynamic": [("KFM200", "warning", "no mapping for this operator")],
        "extract": [("KFM111", "error", "task id cannot be resolved"), ("KFM203", "warning", "renders differently")],
    }
    etl = make_result(ETL, "dags/etl.py", {"load": "placeholder", "dynamic": "placeholder"}, diagnostics)
    dag = build_inventory([etl])["dags"][0]
    blockers = {(b["task_id"], b["code"]): b for b in dag["blockers"]}
    assert set(blockers) == {("load", "KFM200"), ("dynamic", "KFM200"), ("extract", "KFM111")}
    # a placeholder nobody explained still gets a blocker, at the operator call
    load = blockers[("load", "KFM200")]
    assert (load["path"], load["line"], load["col"]) == ("dags/etl.py", *position(ETL, 'AcmeQueryOperator(task_id="load"'))
    assert load["kind"] == "placeholder" and "AcmeQueryOperator" in load["message"]
    # the mapper's own explanation is kept, even at warning severity
    assert blockers[("dynamic", "KFM200")]["message"] == "no mapping for this operator"
    assert blockers[("extract", "KFM111")]["kind"] == "error"
    assert not any(b["code"] == "KFM203" for b in dag["blockers"])  # a warning is not a blocker
    assert dag["errors"] == 2 and dag["warnings"] == 2
    assert dag["ready"] is False
    # blockers are listed in source order
    assert [b["line"] for b in dag["blockers"]] == sorted(b["line"] for b in dag["blockers"])


def test_an_error_alone_makes_a_dag_not_ready(make_result):
    small = make_result(SMALL, "small.py", {}, {"hello": [("KFM300", "error", "does not compile")]})
    dag = build_inventory([small])["dags"][0]
    assert dag["score"] == 100 and dag["ready"] is False
    assert [(b["code"], b["kind"]) for b in dag["blockers"]] == [("KFM300", "error")]


def test_connections_and_variables(make_result):
    etl = make_result(ETL, "dags/etl.py", {})
    inventory = build_inventory([etl])
    connections = {(c["name"], c["resolved"]): c for c in inventory["connections"]}
    variables = {v["name"]: v for v in inventory["variables"]}
    assert set(connections) == {("api_http", True), ("warehouse", True), ("pg_default", True), ("smtp_default", True),
                                ("{{ params.db }}", False)}
    assert set(variables) == {"endpoint", "limits", "tidy_mode", "api_token", "report_limit"}
    # `conn.execute(...)` in Python code and `var.value.get(name)` with a runtime key are not names
    assert not {"execute", "get", "name"} & ({c[0] for c in connections} | set(variables))

    def users(need):
        return {(u["task_id"], u["via"]) for u in need["used_by"]}

    assert users(connections[("warehouse", True)]) == {("load", "argument conn_id")}
    assert users(connections[("api_http", True)]) == {("extract", "template conn in argument bash_command")}
    # set in default_args: one DAG-level entry, not one per task that silently ignores it
    assert users(connections[("pg_default", True)]) == {(None, "default_args postgres_conn_id")}
    assert users(variables["api_token"]) == {("tidy", "Variable.get in argument env")}
    smtp = connections[("smtp_default", True)]["used_by"][0]
    assert (smtp["task_id"], smtp["line"]) == ("report", position(ETL, 'get_connection("smtp_default")')[0])
    assert variables["report_limit"]["used_by"][0]["line"] == position(ETL, 'Variable.get(key="report_limit")')[0]
    dag = inventory["dags"][0]
    assert dag["connections"] == sorted(c[0] for c in connections)
    assert inventory["summary"]["connections"] == 5 and inventory["summary"]["variables"] == 5


def test_trips():
    def inventory(**fidelity):
        return {"summary": {"fidelity": {"native": 0, "shim": 0, "placeholder": 0, "removed": 0, **fidelity}}}

    assert not trips(inventory(native=3, shim=1), None)
    assert trips(inventory(native=3, shim=1), "shim")
    assert not trips(inventory(native=3, shim=1), "placeholder")
    assert trips(inventory(placeholder=1), "placeholder") and trips(inventory(placeholder=1), "shim")
    assert not trips(inventory(native=2, removed=4), "shim")


def test_problem_files_end_to_end(tmp_path, inventory_validator):
    """Real converter over a folder with a broken file, a binary file, an empty one and one without a DAG."""
    dags = tmp_path / "dags"
    (dags / "nested").mkdir(parents=True)
    (dags / "small.py").write_text(SMALL)
    broken = "from airflow.sdk import DAG\n\nwith DAG('x'):\n    t = (1,\n"
    (dags / "broken.py").write_text(broken)
    (dags / "nested" / "latin1.py").write_bytes("# caf\xe9\nx = 1\n".encode("latin-1"))
    (dags / "empty.py").write_text("")
    (dags / "helpers.py").write_text("def shared():\n    return 42\n")
    (dags / "notes.txt").write_text("not python")
    inventory = analyze_paths([dags, tmp_path / "missing"], root=tmp_path)
    inventory_validator.validate(inventory)

    failed = {f["path"]: f["diagnostic"] for f in inventory["failed_files"]}
    assert set(failed) == {"dags/broken.py", "dags/nested/latin1.py", "missing"}
    assert failed["dags/broken.py"]["code"] == "KFM102" and failed["dags/broken.py"]["line"] >= 4
    assert failed["dags/nested/latin1.py"]["code"] == "KFM101"
    assert (failed["dags/nested/latin1.py"]["line"], failed["dags/nested/latin1.py"]["col"]) == (1, 6)
    assert failed["missing"]["code"] == "KFM100"
    assert all(d["severity"] == "error" for d in failed.values())
    assert inventory["files_without_dag"] == ["dags/empty.py", "dags/helpers.py"]  # empty: no DAG, not a failure
    assert [d["dag_id"] for d in inventory["dags"]] == ["small"]
    s = inventory["summary"]
    assert (s["files"], s["files_with_dags"], s["files_without_dag"], s["files_failed"]) == (6, 1, 2, 3)
    assert s["errors"] >= 3


def test_schema_rejects_what_it_should(make_result, inventory_validator):
    """The schema is not a rubber stamp: broken inventories fail it."""
    good = build_inventory([make_result(ETL, "dags/etl.py", {"load": "placeholder"})])
    inventory_validator.validate(good)
    mutations = [
        lambda inv: inv["summary"].__setitem__("score", 101),
        lambda inv: inv["dags"][0]["fidelity"].pop("shim"),
        lambda inv: inv["dags"][0]["tasks"][0].__setitem__("fidelity", "excellent"),
        lambda inv: inv["dags"][0]["blockers"][0].__setitem__("line", 0),
        lambda inv: inv["dags"][0]["blockers"][0].pop("kind"),
        lambda inv: inv["dags"][0]["diagnostics"][0].__setitem__("code", "E501"),
        lambda inv: inv["dags"][0].__setitem__("surprise", 1),
        lambda inv: inv["connections"][0].__setitem__("used_by", []),
        lambda inv: inv.pop("failed_files"),
    ]
    for mutate in mutations:
        bad = copy.deepcopy(good)
        mutate(bad)
        assert not inventory_validator.is_valid(bad), mutate


HOOKS = '''\
from airflow.sdk import DAG, Connection, task
from airflow.providers.postgres.hooks.postgres import PostgresHook

def _hook():
    return PostgresHook(postgres_conn_id="reporting_db")

with DAG("hooks", schedule=None):
    @task
    def read(sql: str):
        secret = Connection.get("vault")
        return _hook().get_records(sql)

    read.override(task_id="read_it")(sql="select '{{ var.value.schema_name }}'")
'''


def test_connections_in_helpers_and_taskflow_arguments(make_result):
    inventory = build_inventory([make_result(HOOKS, "hooks.py", {})])
    connections = {c["name"]: c["used_by"] for c in inventory["connections"]}
    variables = {v["name"]: v["used_by"] for v in inventory["variables"]}
    assert set(connections) == {"reporting_db", "vault"}
    assert connections["reporting_db"][0]["via"] == "postgres_conn_id= in read()"  # found in a helper the callable uses
    assert connections["vault"][0]["line"] == position(HOOKS, 'Connection.get("vault")')[0]
    assert set(variables) == {"schema_name"}
    assert variables["schema_name"][0]["task_id"] == inventory["dags"][0]["tasks"][0]["task_id"]
    assert variables["schema_name"][0]["via"] == "template var in call arguments"


def test_parallel_and_progress_give_the_same_inventory(tmp_path):
    for i in range(6):
        (tmp_path / f"dag_{i}.py").write_text(SMALL.replace('"small"', f'"small_{i}"'))
    (tmp_path / "bad.py").write_text("def broken(:\n")
    from kfmigrate.migrate.analyze import analyze_files
    from kfmigrate.migrate.batch import collect_inputs

    files, problems = collect_inputs([tmp_path])
    serial = analyze_files(files, problems, jobs=1, root=tmp_path)
    progress = []
    parallel = analyze_files(files, problems, jobs=2, root=tmp_path, on_progress=lambda done, total: progress.append((done, total)))
    assert parallel == serial
    assert progress == [(n, 7) for n in range(8)]
    assert [d["dag_id"] for d in serial["dags"]] == [f"small_{i}" for i in range(6)]
