"""A folder batch survives a worker process that dies (killed, out of memory, a native crash):
only the file that kills its process is reported, every other file is converted, order is kept."""
from __future__ import annotations

import os
import textwrap

import pytest

import kfmigrate.migrate.batch as batch

DAG = textwrap.dedent("""\
    from airflow.sdk import DAG
    from airflow.providers.standard.operators.empty import EmptyOperator
    with DAG("{dag_id}"):
        EmptyOperator(task_id="only")
""")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the worker pool forks; elsewhere files convert in-process")
def test_a_dying_worker_does_not_stop_the_batch(tmp_path, monkeypatch):
    files = []
    for number in range(8):
        name = "killer.py" if number == 3 else f"dag_{number}.py"
        path = tmp_path / name
        path.write_text(DAG.format(dag_id=path.stem))
        files.append(path)
    real_convert = batch.convert_file

    def convert_or_die(path, **options):
        if path.name == "killer.py":
            os._exit(70)  # what a segfault or the OOM killer looks like to the pool
        return real_convert(path, **options)

    monkeypatch.setattr(batch, "convert_file", convert_or_die)  # inherited by the forked workers
    results = batch.convert_many(files, compile=False, jobs=2)
    assert [r.path for r in results] == files
    killer = results[3]
    assert killer.error is not None and killer.error.code == "KFM199" and "died" in killer.error.message
    assert killer.error.span.path.endswith("killer.py")
    others = [r for r in results if r.path.name != "killer.py"]
    assert all(r.error is None and [c.dag_id for c in r.conversions] == [r.path.stem] for r in others)
