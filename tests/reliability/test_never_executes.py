"""The converter never executes a DAG file, nor anything it imports, at convert or compile time.

The DAG files here write marker files, call os.system / subprocess / sys.exit, sleep for days, and
import a module (importable: its folder is on PYTHONPATH) that hangs on import. Airflow would run all
of that when it loads the file. `kfmigrate convert` (with compile, which runs the *generated* module)
must finish quickly, convert the DAG, and leave no trace: no marker, no __pycache__, no new file
next to the DAG.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

SIDE_EFFECTS = textwrap.dedent("""\
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    Path({marker_write!r}).write_text("module body ran")
    os.system("touch {marker_system}")
    subprocess.run(["touch", {marker_subprocess!r}])
    TOKEN = os.system("touch {marker_constant}")  # a constant the callable uses: runs only inside the task
    if not os.environ.get("NEVER_SET_IN_TESTS"):
        time.sleep(10 ** 6)
        sys.exit(3)

    from airflow.sdk import DAG
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.providers.standard.operators.bash import BashOperator

    def uses_token():
        return TOKEN

    with DAG("side_effects", schedule=None):
        a = PythonOperator(task_id="uses_token", python_callable=uses_token)
        b = BashOperator(task_id="echo", bash_command="touch {marker_bash}")
        a >> b
""")

HANGING_IMPORT = textwrap.dedent("""\
    import hang_on_import
    from hang_on_import import helper
    from airflow.sdk import DAG, task

    @task
    def call_helper():
        import hang_on_import as again
        return helper() + again.helper()

    with DAG("hanging_import", schedule=None):
        call_helper()
""")


def run_convert(dag_dir: Path, out: Path, *paths: str) -> tuple:
    env = {**os.environ, "PYTHONPATH": str(dag_dir), "PYTHONDONTWRITEBYTECODE": ""}
    env.pop("PYTHONDONTWRITEBYTECODE")  # an import would leave __pycache__ behind: let it show
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "kfmigrate", "convert", *paths, "-o", str(out)],
                            cwd=dag_dir, capture_output=True, text=True, timeout=120, env=env)
    return result, time.monotonic() - started


def test_side_effects_at_import_never_run(tmp_path):
    dags, out = tmp_path / "dags", tmp_path / "out"
    dags.mkdir()
    markers = {name: tmp_path / f"{name}.marker" for name in ("write", "system", "subprocess", "constant", "bash")}
    (dags / "side_effects.py").write_text(SIDE_EFFECTS.format(**{f"marker_{k}": str(v) for k, v in markers.items()}))
    before = sorted(p.name for p in dags.iterdir())
    result, seconds = run_convert(dags, out, "side_effects.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert seconds < 60, f"convert took {seconds:.0f} s: did something sleep?"
    assert [m.name for m in markers.values() if m.exists()] == []
    assert sorted(p.name for p in dags.iterdir()) == before  # no __pycache__, no new file
    report = json.loads((out / "side_effects.migration.json").read_text())
    assert {t["task_id"] for t in report["tasks"]} == {"uses_token", "echo"}
    assert (out / "side_effects.yaml").exists()  # compiling ran the generated module, not the DAG


def test_module_that_hangs_on_import_is_never_imported(tmp_path):
    dags, out = tmp_path / "dags", tmp_path / "out"
    dags.mkdir()
    (dags / "hang_on_import.py").write_text(
        f"import time\nopen({str(tmp_path / 'imported.marker')!r}, 'w').close()\ntime.sleep(10 ** 6)\n"
        "def helper():\n    return 1\n")
    (dags / "hanging_import.py").write_text(HANGING_IMPORT)
    before = sorted(p.name for p in dags.iterdir())
    result, seconds = run_convert(dags, out, "hanging_import.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert seconds < 60
    assert not (tmp_path / "imported.marker").exists()
    assert sorted(p.name for p in dags.iterdir()) == before
    report = json.loads((out / "hanging_import.migration.json").read_text())
    assert [t["task_id"] for t in report["tasks"]] == ["call_helper"]
    generated = (out / "hanging_import_pipeline.py").read_text()
    # the import the callable needs travels inside the component, where it runs at task time only
    module_level = [line for line in generated.splitlines() if line.startswith(("import hang_on_import", "from hang_on_import"))]
    assert module_level == []
