"""Task and dag ids -> KFP component, task and Python names: valid, collision-free, deterministic,
and shown in the report.

The ids are all valid in Airflow ([\\w.-]+, unicode letters included) but collide once sanitised,
are Python keywords, start with digits, or shadow names the generated module itself uses.
"""
from __future__ import annotations

import hashlib
import keyword
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from conversion_checks import spec_graph

from kfmigrate.migrate.api import convert_source

HOSTILE_IDS = [
    "load-data", "load_data", "load.data", "Load_Data", "load__data", "LOAD-DATA",
    "class", "def", "None", "lambda", "1st", "2nd-step", "données", "数据", "ñandú.x",
    "dsl", "kfp", "compiler", "Path", "NamedTuple", "BASE_IMAGE", "_airflow_runtime", "names_pipeline",
    "task", "task_2", "grp_x", "x" * 200,
]

NAMES_DAG = "from airflow.sdk import DAG, TaskGroup\n" \
    "from airflow.providers.standard.operators.bash import BashOperator\n" \
    "with DAG('names', schedule=None):\n" + "".join(
        f"    t{i} = BashOperator(task_id={tid!r}, bash_command='echo {i}')\n" for i, tid in enumerate(HOSTILE_IDS)) + \
    "    with TaskGroup('grp'):\n        g = BashOperator(task_id='x', bash_command='echo g')\n" + \
    "".join(f"    t{i} >> t{i + 1}\n" for i in range(len(HOSTILE_IDS) - 1)) + f"    t{len(HOSTILE_IDS) - 1} >> g\n"
ALL_IDS = HOSTILE_IDS + ["grp.x"]


def module_level_bindings(source: str) -> list:
    """Every name bound at the top level of a module: imports, defs, classes, assignments."""
    import ast

    names = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names += [(a.asname or a.name).split(".")[0] for a in node.names]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


@pytest.fixture(scope="module")
def converted():
    result = convert_source(NAMES_DAG, "names.py", compile=True)
    assert result.error is None, result.error.render()
    (conversion,) = result.conversions
    return conversion


def test_every_task_gets_a_distinct_valid_python_and_kfp_name(converted):
    rows = {t["task_id"]: t for t in converted.report.to_json()["tasks"]}
    assert sorted(rows) == sorted(ALL_IDS)
    components = [rows[t]["component"] for t in ALL_IDS]
    assert len(set(components)) == len(components), components
    for name in components:
        assert name.isidentifier() and name.isascii() and not keyword.iskeyword(name), name
    bound = module_level_bindings(converted.emitted.python_source)
    twice = sorted(name for name in set(bound) if bound.count(name) > 1)
    assert not twice, f"names bound twice at module level of the generated file (one shadows the other): {twice}"
    assert set(components) <= set(bound)
    kfp_tasks = [rows[t]["kfp_task"] for t in ALL_IDS]
    assert len(set(kfp_tasks)) == len(kfp_tasks)
    assert converted.report.to_json()["names"] == {t: rows[t]["component"] for t in ALL_IDS}


def test_compiled_spec_keeps_ids_as_display_names_and_matches_the_report(converted):
    assert converted.yaml_text is not None, [d.render() for d in converted.diagnostics]
    leaves, edges = spec_graph(converted.yaml_text)
    assert sorted(leaves) == sorted(ALL_IDS)  # taskInfo.name is the Airflow task id, unchanged
    rows = {t["task_id"]: t for t in converted.report.to_json()["tasks"]}
    mismatched = {t: (rows[t]["kfp_task"], leaves[t]) for t in ALL_IDS if rows[t]["kfp_task"] != leaves[t]}
    assert not mismatched, f"report kfp_task vs compiled task key: {mismatched}"
    chain = list(zip(ALL_IDS, ALL_IDS[1:]))
    assert set(chain) <= edges


def test_pipeline_and_file_names_are_valid():
    result = convert_source("from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n"
                            "with DAG('Données.Étape-1__X'):\n    EmptyOperator(task_id='a')\n", "d.py", compile=False)
    (conversion,) = result.conversions
    name = conversion.emitted.pipeline_name
    assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name) and len(name) <= 128, name
    assert conversion.emitted.function_name.isidentifier() and conversion.emitted.function_name.isascii()


def test_report_shows_the_renames(converted):
    from kfmigrate.migrate.report import render_markdown

    page = render_markdown(converted.report)
    names_section = page.split("## Names", 1)[1]
    for task_id in ("load-data", "class", "数据", "grp.x"):
        component = converted.report.to_json()["names"][task_id]
        assert f"| `{task_id}` | `{component}` |" in names_section


def test_mapping_is_deterministic_across_runs_and_hash_seeds(tmp_path):
    (tmp_path / "names.py").write_text(NAMES_DAG)
    digests = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-m", "kfmigrate", "convert", "names.py", "-o", str(out), "--no-compile"],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
        assert result.returncode == 0, result.stderr
        digests.append({p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())})
    assert digests[0] == digests[1]
    assert len(digests[0]) == 3


def test_ids_airflow_rejects_are_flagged_not_silently_renamed():
    """Airflow refuses ids outside [\\w.-] (and over 250 characters): its DagBag would not load this
    file at all. Decision: convert anyway (names are sanitised as usual) but say so, with a warning
    or error on that task naming the id, so nobody ships a pipeline for a DAG that never ran."""
    bad_ids = ["has space", "quote'd", "slash/ed", "a" * 251]
    source = "from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.bash import BashOperator\n" \
        "with DAG('bad_ids'):\n" + "".join(f"    BashOperator(task_id={t!r}, bash_command='echo')\n" for t in bad_ids)
    result = convert_source(source, "bad_ids.py", compile=False)
    assert result.error is None
    (conversion,) = result.conversions
    for task_id in bad_ids:
        flagged = [d for d in conversion.diagnostics if d.task_id == task_id and d.severity in ("warning", "error")
                   and "Airflow" in d.message]
        assert flagged, f"no diagnostic says Airflow rejects task id {task_id[:20]!r}"


def test_task_id_with_a_newline_does_not_break_the_generated_module():
    """Airflow rejects it too, but the converter must not crash or emit broken code (KFM199/KFM300)."""
    source = "from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.bash import BashOperator\n" \
        "with DAG('nl'):\n    BashOperator(task_id='new\\nline', bash_command='echo')\n"
    result = convert_source(source, "nl.py", compile=False)
    assert result.error is None, result.error.render()
    compile(result.conversions[0].emitted.python_source, "<generated>", "exec")
