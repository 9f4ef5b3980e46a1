"""Airflow itself referees the DAG generator and the parser.

A real Airflow DagBag (child process, throw-away AIRFLOW_HOME) loads generated DAG files; the task ids
and edges it builds must equal the generator's model (benchmarks/gen_dags.py FileSpec.expected(),
which the property tests rely on) and what our static parser reads from the same files.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest

from conversion_checks import BENCHMARKS, gen_dags

from kfmigrate.migrate.parse import parse_source

FILES = 60


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("referee_dags")
    specs = {}
    for number in range(FILES):
        spec = gen_dags.build_file(gen_dags.RandomChooser(random.Random(number)))
        for dag in spec.dags:
            dag.dag_id = f"f{number}_{dag.dag_id}"  # dag ids must be unique across the folder
        name = f"gen_{number:03d}.py"
        (folder / name).write_text(gen_dags.render(spec), encoding="utf-8")
        specs[name] = spec
    home = tmp_path_factory.mktemp("airflow_home")
    out = home / "graphs.json"
    env = {**os.environ, "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
           "AIRFLOW__CORE__DAGS_FOLDER": str(folder)}
    result = subprocess.run([sys.executable, str(BENCHMARKS / "gen_dags.py"), "--airflow-graphs", str(folder), "-o", str(out)],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return folder, specs, json.loads(out.read_text())


def test_airflow_loads_every_generated_file(corpus):
    _, specs, airflow = corpus
    assert airflow["import_errors"] == {}
    assert len(airflow["dags"]) == sum(len(s.dags) for s in specs.values())


def test_generator_model_matches_airflow(corpus):
    _, specs, airflow = corpus
    for name, spec in specs.items():
        for dag_id, want in spec.expected().items():
            got = airflow["dags"][dag_id]
            assert got["file"] == name
            assert sorted(got["tasks"]) == sorted(want["tasks"]), (name, dag_id)
            assert {tuple(e) for e in got["edges"]} == want["edges"], (name, dag_id)


def test_parser_reads_what_airflow_builds(corpus):
    folder, specs, airflow = corpus
    problems = []
    for name in specs:
        result = parse_source((folder / name).read_text(encoding="utf-8"), name)
        for workflow in result.workflows:
            got = airflow["dags"][workflow.dag_id]
            ours = {(e.upstream, e.downstream) for e in workflow.edges}
            theirs = {tuple(e) for e in got["edges"]}
            if sorted(t.task_id for t in workflow.tasks) != sorted(got["tasks"]) or ours != theirs:
                problems.append(f"{name} {workflow.dag_id}: missing edges {sorted(theirs - ours)[:3]}, extra {sorted(ours - theirs)[:3]}")
        if len(result.workflows) != len(specs[name].dags):
            problems.append(f"{name}: {len(result.workflows)} DAGs parsed, Airflow loads {len(specs[name].dags)}")
    assert not problems, f"{len(problems)} of {FILES} files differ from Airflow:\n" + "\n".join(problems[:10])
