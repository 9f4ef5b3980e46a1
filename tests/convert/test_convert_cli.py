"""`kfmigrate convert` as users run it: outputs, reports, exit codes, no clobbering, no execution."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples" / "dags"


def convert(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kfmigrate", "convert", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


CUSTOM = """
    from airflow import DAG
    from my_company.operators import FancyOperator
    with DAG("custom_op"):
        FancyOperator(task_id="fancy", size=3)
"""


def test_folder_batch_writes_four_files_per_dag_and_lists_skipped(tmp_path):
    src = tmp_path / "dags"
    write(src / "nested" / "hello.py", (SAMPLES / "hello_world.py").read_text())
    write(src / "util.py", "def helper():\n    return 1\n")
    out = tmp_path / "out"
    result = convert(src, "-o", out)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "hello_world.migration.json", "hello_world.migration.md", "hello_world.yaml", "hello_world_pipeline.py"]
    assert "skipped 1 file(s) with no DAG" in result.stdout and "util.py" in result.stdout
    report = json.loads((out / "hello_world.migration.json").read_text())
    assert report["summary"]["tasks"] == 1 and report["summary"]["native"] == 1
    assert report["tasks"][0]["task_id"] == "say_hello" and report["tasks"][0]["line"] > 0
    spec = next(yaml.safe_load_all((out / "hello_world.yaml").read_text()))
    assert spec["pipelineInfo"]["name"] == report["pipeline"]["name"]
    assert "# Migration report: `hello_world`" in (out / "hello_world.migration.md").read_text()


def test_generated_python_compiles_itself_next_to_it(tmp_path):
    out = tmp_path / "out"
    assert convert(SAMPLES / "etl_classic_airflow2.py", "-o", out, "--no-compile").returncode == 0
    assert not (out / "etl_classic_airflow2.yaml").exists()
    run = subprocess.run([sys.executable, str(out / "etl_classic_airflow2_pipeline.py")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    spec = next(yaml.safe_load_all((out / "etl_classic_airflow2.yaml").read_text()))
    tasks = spec["root"]["dag"]["tasks"]
    assert set(tasks) == {"extract", "transform", "load", "report"}  # start/end (EmptyOperator) removed


def test_existing_outputs_are_kept_without_force_and_replaced_with_it(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    mine = out / "hello_world_pipeline.py"
    mine.write_text("# my hand edits\n")
    result = convert(SAMPLES / "hello_world.py", "-o", out)
    assert result.returncode == 2
    assert "KFM302" in result.stderr
    assert mine.read_text() == "# my hand edits\n"
    assert sorted(p.name for p in out.iterdir()) == ["hello_world_pipeline.py"]  # nothing partial
    assert convert(SAMPLES / "hello_world.py", "-o", out, "--force").returncode == 0
    assert "@dsl.pipeline" in mine.read_text()


def test_a_yaml_recompiled_by_the_pipeline_module_is_up_to_date(tmp_path):
    """README's sequence run twice: `python out/X_pipeline.py` rewrites X.yaml with kfp's writer (other
    line folding, same documents); converting again must not take that for someone's edits."""
    out = tmp_path / "out"
    assert convert(SAMPLES / "etl_classic_airflow2.py", "-o", out).returncode == 0
    spec = out / "etl_classic_airflow2.yaml"
    ours = spec.read_text()
    recompiled = subprocess.run([sys.executable, str(out / "etl_classic_airflow2_pipeline.py")], capture_output=True,
                                text=True, timeout=120)
    assert recompiled.returncode == 0, recompiled.stderr
    assert spec.read_text() != ours  # the premise: kfp folds the long strings differently
    again = convert(SAMPLES / "etl_classic_airflow2.py", "-o", out)
    assert again.returncode == 0, again.stderr
    assert "0 pipeline(s) written to" in again.stdout and "1 up to date" in again.stdout
    spec.write_text(spec.read_text().replace("etl-classic-airflow2", "edited-by-hand"))
    edited = convert(SAMPLES / "etl_classic_airflow2.py", "-o", out)
    assert edited.returncode == 2 and "KFM302" in edited.stderr


def test_strict_fails_only_when_a_task_is_not_native(tmp_path):
    custom = write(tmp_path / "custom.py", CUSTOM)
    assert convert(SAMPLES / "hello_world.py", "-o", tmp_path / "a", "--strict").returncode == 0
    result = convert(custom, "-o", tmp_path / "b", "--strict")
    assert result.returncode == 1, result.stderr
    assert "custom_op" in result.stderr
    assert convert(custom, "-o", tmp_path / "c").returncode == 0


def test_bad_file_in_a_batch_is_reported_and_the_rest_converted(tmp_path):
    src = tmp_path / "dags"
    write(src / "a_broken.py", "from airflow import DAG\nwith DAG('x' as d:\n    pass\n")
    write(src / "b_hello.py", (SAMPLES / "hello_world.py").read_text())
    out = tmp_path / "out"
    result = convert(src, "-o", out)
    assert result.returncode == 2
    assert f"{src / 'a_broken.py'}:2:" in result.stderr and "KFM102" in result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "hello_world_pipeline.py").exists()


def test_a_file_with_no_dag_alone_exits_2(tmp_path):
    plain = write(tmp_path / "plain.py", "x = 1\n")
    result = convert(plain, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_folder_without_python_files_says_so_and_exits_2(tmp_path):
    (tmp_path / "dags").mkdir()
    result = convert(tmp_path / "dags", "-o", tmp_path / "out")
    assert result.returncode == 2
    assert "error: no .py file found in" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_dag_file_is_never_imported(tmp_path):
    marker = tmp_path / "imported.txt"
    dag = write(tmp_path / "side_effects.py", f"""
        import pathlib, sys
        pathlib.Path({str(marker)!r}).write_text("ran")
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        with DAG("side_effects"):
            BashOperator(task_id="t", bash_command="echo hi")
        sys.exit(3)
    """)
    result = convert(dag, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert (tmp_path / "out" / "side_effects_pipeline.py").exists()


def test_task_diagnostics_are_printed_with_their_position(tmp_path):
    dag = write(tmp_path / "dyn.py", """
        import os
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        with DAG("dyn"):
            BashOperator(task_id="cmd", bash_command=os.environ["CMD"])
    """)
    result = convert(dag, "-o", tmp_path / "out", "--no-compile")
    assert result.returncode == 0, result.stderr
    assert f"{dag}:6:5: KFM110" in result.stderr
    report = json.loads((tmp_path / "out" / "dyn.migration.json").read_text())
    assert report["tasks"][0]["fidelity"] == "placeholder"
    assert report["summary"]["warnings"] >= 1


def test_a_position_that_reads_like_an_emoji_code_is_printed_as_it_is(tmp_path):
    """`dag.py:100:5` once came out as `dag.py💯5`: rich replaced ":100:" by an emoji."""
    dag = tmp_path / "late.py"
    dag.write_text("\n" * 95 + textwrap.dedent("""\
        import os
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        with DAG("late"):
            BashOperator(task_id="cmd", bash_command=os.environ["CMD"])
    """))
    result = convert(dag, "-o", tmp_path / "out", "--no-compile")
    assert result.returncode == 0, result.stderr
    assert f"{dag}:100:5: KFM110" in result.stderr, result.stderr


def test_a_rerun_into_an_output_folder_inside_the_input_folder_does_not_read_it(tmp_path):
    src = tmp_path / "dags"
    write(src / "hello.py", (SAMPLES / "hello_world.py").read_text())
    out = src / "out"
    assert convert(src, "-o", out, "--no-compile").returncode == 0
    again = convert(src, "-o", out, "--no-compile", "--force")
    assert again.returncode == 0, again.stderr
    assert "skipped" not in again.stdout  # its own hello_world_pipeline.py is not read as an input
    assert "1 pipeline(s) written" in again.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "hello_world.migration.json", "hello_world.migration.md", "hello_world_pipeline.py"]
    # a folder given by name is still read, even when it is the output folder
    write(out / "custom.py", CUSTOM)
    named = convert(out, "-o", out, "--no-compile")
    assert named.returncode == 0 and "converted custom_op" in named.stdout, named.stderr
