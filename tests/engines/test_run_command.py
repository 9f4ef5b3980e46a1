"""`kfmigrate run` end to end through the CLI (real kfp.local)."""
import json

from click.testing import CliRunner

from kfmigrate.cli import main

PIPELINE = '''
from kfp import dsl

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def square(x: int) -> int:
    return x * x

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def check(value: int, limit: float, strict: bool):
    print(f"checking {value} against {limit}")
    if strict and value > limit:
        raise RuntimeError(f"value {value} is over the limit")

@dsl.pipeline(name="squares")
def squares(x: int = 3, limit: float = 100.0, strict: bool = False):
    s = square(x=x).set_display_name("square_it")
    check(value=s.output, limit=limit, strict=strict).set_display_name("check_it")
'''


def test_run_success_shows_tasks_and_outputs(tmp_path, compile_pipeline):
    package = compile_pipeline(tmp_path, PIPELINE)
    result = CliRunner().invoke(main, ["run", str(package), "-p", "x=4", "--pipeline-root", str(tmp_path / "root"),
                                       "--json", str(tmp_path / "run.json")])
    assert result.exit_code == 0, result.output
    assert "square_it" in result.output and "Output=16" in result.output
    assert "squares succeeded" in result.output
    data = json.loads((tmp_path / "run.json").read_text())
    assert data["state"] == "succeeded" and data["tasks"]["square"]["outputs"] == {"Output": 16}
    again = CliRunner().invoke(main, ["run", str(package), "--json", str(tmp_path / "run.json")])
    assert again.exit_code == 2 and "use --force" in again.output


def test_run_failure_exits_1_with_log_tail(tmp_path, compile_pipeline):
    package = compile_pipeline(tmp_path, PIPELINE)
    result = CliRunner().invoke(main, ["run", str(package), "-p", "x=20", "-p", "limit=50", "-p", "strict=true",
                                       "--pipeline-root", str(tmp_path / "root")])
    assert result.exit_code == 1
    assert "squares failed" in result.output
    assert "task check_it (check) failed" in result.output
    assert "value 400 is over the limit" in result.output  # from the task's own log


def test_run_user_errors_exit_2_without_traceback(tmp_path, compile_pipeline):
    package = compile_pipeline(tmp_path, PIPELINE)
    runner = CliRunner()
    unknown = runner.invoke(main, ["run", str(package), "-p", "y=1"])
    assert unknown.exit_code == 2 and "unknown parameter 'y'" in unknown.output
    badtype = runner.invoke(main, ["run", str(package), "-p", "x=three"])
    assert badtype.exit_code == 2 and "'three' is not a valid integer" in badtype.output
    missing = runner.invoke(main, ["run", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    docker = runner.invoke(main, ["run", str(package), "--runner", "docker"])
    assert docker.exit_code == 2 and "docker" in docker.output.lower()
    for result in (unknown, badtype, missing, docker):
        assert "Traceback" not in result.output


LOOP_PIPELINE = '''
from kfp import dsl

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def shout(word: str, out: dsl.Output[dsl.Artifact]):
    with open(out.path, "w") as handle:
        handle.write('"' + word.upper() + '!"')

@dsl.pipeline(name="loop")
def loop():
    with dsl.ParallelFor(["kubeflow", "airflow"]) as word:
        shout(word=word)
'''


def test_run_shows_loop_iterations_by_index_and_small_artifacts_by_value(tmp_path, compile_pipeline):
    package = compile_pipeline(tmp_path, LOOP_PIPELINE)
    result = CliRunner().invoke(main, ["run", str(package), "--pipeline-root", str(tmp_path / "root")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("shout[0]") and 'out=Artifact "KUBEFLOW!"' in line for line in lines), result.output
    assert any(line.startswith("shout[1]") and 'out=Artifact "AIRFLOW!"' in line for line in lines), result.output


def test_running_an_airflow_dag_file_says_to_convert_it_first(tmp_path):
    dag = tmp_path / "my_dag.py"
    dag.write_text("from airflow.sdk import dag\n\n@dag()\ndef my_dag():\n    pass\n\nmy_dag()\n")
    result = CliRunner().invoke(main, ["run", str(dag)])
    assert result.exit_code == 2
    assert f"{dag}: KFM400 no @dsl.pipeline function found" in result.output
    assert "convert it first" in result.output and "Traceback" not in result.output


def test_a_requirement_set_shared_by_components_is_announced_once():
    from rich.console import Console

    from kfmigrate.commands.run import LiveTasks

    console = Console(record=True, width=200)
    display = LiveTasks(console)
    for executor in ("exec-a", "exec-b"):
        display({"event": "installing", "executor": executor, "requirements": ["inflection==0.5.1"]})
    text = console.export_text()
    assert text.count("inflection==0.5.1") == 1 and "never into this Python" in text


def test_a_pipeline_file_with_a_syntax_error_is_reported_at_its_position(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("from kfp import dsl\n\n\n@dsl.pipeline\ndef p(x: int = 1:\n    pass\n")
    result = CliRunner().invoke(main, ["run", str(broken)])
    assert result.exit_code == 2
    assert result.output.strip() == f"{broken}:5:17: KFM102 syntax error: invalid syntax"
