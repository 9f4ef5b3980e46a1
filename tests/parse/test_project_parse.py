"""The static interpreter across a project's modules, on small projects written to tmp_path."""
import textwrap
from pathlib import Path

from kfmigrate.migrate import ir
from kfmigrate.migrate.parse import parse_file
from kfmigrate.migrate.parse.project import ProjectOptions


def project(tmp_path: Path, files: dict) -> Path:
    """Write files under tmp_path/repo (a pyproject.toml marks the repository root)."""
    root = tmp_path / "repo"
    (root / "dags").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_helpers_returning_tasks_link_and_a_failed_helper_names_why(tmp_path):
    root = project(tmp_path, {
        "dags/helpers/__init__.py": "",
        "dags/helpers/tasks.py": '''
            from airflow.operators.bash import BashOperator
            from airflow.utils.task_group import TaskGroup

            def echo(name):
                return BashOperator(task_id=name, bash_command=f"echo {name}")

            def pair(prefix):
                return echo(f"{prefix}_1"), echo(f"{prefix}_2")

            def group(group_id):
                with TaskGroup(group_id) as tg:
                    echo("inner")
                return tg

            def unknown(name):
                return make_somewhere_else(name)
        ''',
        "dags/d.py": '''
            from airflow import DAG
            from helpers.tasks import echo, group, pair, unknown

            with DAG("d", schedule=None):
                a = echo("a")
                first, second = pair("p")
                g = group("g")
                a >> [first, second] >> g
                a >> unknown("z")
        ''',
    })
    result = parse_file(root / "dags" / "d.py")
    [wf] = result.workflows
    assert [t.task_id for t in wf.tasks] == ["a", "p_1", "p_2", "g.inner"]
    assert {(e.upstream, e.downstream) for e in wf.edges} == {("a", "p_1"), ("a", "p_2"), ("p_1", "g.inner"), ("p_2", "g.inner")}
    [wrong] = [d for d in result.diagnostics if d.code == "KFM113"]
    assert (wrong.span.line, wrong.span.col) == (10, 5)
    assert "unknown (" in wrong.message and "helpers/tasks.py:16)" in wrong.message  # names the helper and its file


def test_config_forms_toml_glob_and_pathlib(tmp_path):
    root = project(tmp_path, {
        "dags/conf/a.toml": 'name = "alpha"\nsteps = ["x", "y"]\n',
        "dags/conf/b.toml": 'name = "beta"\nsteps = ["z"]\n',
        "dags/gen.py": '''
            import glob
            import os
            import tomllib
            from pathlib import Path

            from airflow import DAG
            from airflow.operators.empty import EmptyOperator

            CONF = Path(__file__).resolve().parent / "conf"
            for path in sorted(glob.glob(os.path.join(str(CONF), "*.toml"))):
                with open(path, "rb") as handle:
                    spec = tomllib.load(handle)
                with DAG(f"gen_{spec['name']}", schedule=None):
                    for step in spec["steps"]:
                        EmptyOperator(task_id=step)
            EXTRA = (CONF / "a.toml").read_text()
        ''',
    })
    result = parse_file(root / "dags" / "gen.py")
    assert [(w.dag_id, [t.task_id for t in w.tasks]) for w in result.workflows] == [("gen_alpha", ["x", "y"]), ("gen_beta", ["z"])]


def test_environment_from_env_option_and_unknown_variable_is_named(tmp_path):
    root = project(tmp_path, {
        "dags/conf/teams.json": '{"teams": ["red", "blue"]}',
        "dags/teams.py": '''
            import json
            import os

            from airflow import DAG
            from airflow.operators.empty import EmptyOperator

            with open(os.path.join(os.environ["CONF_DIR"], "teams.json")) as handle:
                TEAMS = json.load(handle)["teams"]

            with DAG("teams", schedule=None):
                for team in TEAMS:
                    EmptyOperator(task_id=team)
        ''',
    })
    unknown = parse_file(root / "dags" / "teams.py")
    [loop] = [d for d in unknown.diagnostics if d.code == "KFM112"]
    assert "CONF_DIR" in loop.message and "--env CONF_DIR=" in loop.message
    known = parse_file(root / "dags" / "teams.py", ProjectOptions(env=(("CONF_DIR", str(root / "dags" / "conf")),)))
    assert [t.task_id for t in known.workflows[0].tasks] == ["red", "blue"]


def test_guards_inside_a_dag_and_try_except_import_error(tmp_path):
    root = project(tmp_path, {
        "dags/g.py": '''
            import os
            from airflow import DAG
            from airflow.operators.empty import EmptyOperator

            try:
                from company_sdk import Thing
            except ImportError:
                with DAG("fallback", schedule=None):
                    EmptyOperator(task_id="only_fallback")

            with DAG("flags", schedule=None):
                if os.environ.get("FLAG") == "on":
                    EmptyOperator(task_id="flagged")
                EmptyOperator(task_id="always")
        ''',
    })
    result = parse_file(root / "dags" / "g.py")
    assert [(w.dag_id, [t.task_id for t in w.tasks]) for w in result.workflows] == [
        ("fallback", ["only_fallback"]), ("flags", ["flagged", "always"])]
    guards = [(d.span.line, d.severity) for d in result.diagnostics if d.code == "KFM122"]
    assert guards == [(8, "warning"), (13, "info")]


def test_operator_subclass_chain_and_airflow1_plugin_in_the_dag_folder_plugins(tmp_path):
    root = project(tmp_path, {
        "plugins/ops.py": '''
            from airflow.operators.bash import BashOperator

            class Echo(BashOperator):
                def __init__(self, word, **kwargs):
                    super().__init__(bash_command=f"echo {word}", **kwargs)

            class LoudEcho(Echo):
                def __init__(self, **kwargs):
                    super(LoudEcho, self).__init__(word="LOUD", **kwargs)
        ''',
        "dags/p.py": '''
            from airflow import DAG
            from airflow.operators import LoudEcho

            with DAG("p", schedule=None):
                LoudEcho(task_id="shout", retries=4)
        ''',
    })
    result = parse_file(root / "dags" / "p.py")
    task = result.workflows[0].task("shout")
    assert (task.operator, task.args["bash_command"], task.retry.retries) == ("BashOperator", ir.Literal("echo LOUD"), 4)
    assert [d.code for d in result.diagnostics if d.code.startswith("KFM12")] == ["KFM125"]


def test_a_file_without_dag_says_which_project_call_it_could_not_follow(tmp_path):
    root = project(tmp_path, {
        "dags/lib/__init__.py": "",
        "dags/lib/make.py": '''
            from airflow import DAG

            def make_dag(name):
                return DAG(lookup_name(name))
        ''',
        "dags/uses.py": '''
            from airflow.operators.bash import BashOperator
            from lib.make import make_dag

            dag = make_dag("x")
            BashOperator(task_id="t", bash_command="true", dag=dag)
        ''',
    })
    result = parse_file(root / "dags" / "uses.py")
    assert result.workflows == []
    [said] = [d for d in result.diagnostics if d.code == "KFM121"]
    assert (said.span.line, said.span.col) == (5, 7)
    assert said.message.startswith("DAG is created by make_dag (") and "lib/make.py:4): dag id cannot be resolved statically" in said.message
    [inner] = [d for d in result.diagnostics if d.code == "KFM115"]  # and where, inside the factory
    assert inner.span.path.endswith("lib/make.py") and (inner.span.line, inner.span.col) == (5, 12)


def test_callables_built_by_helpers_carry_their_closure_values(tmp_path):
    root = project(tmp_path, {
        "dags/lib/__init__.py": "",
        "dags/lib/callables.py": '''
            def make_printer(word, times=2):
                def run():
                    return word * times
                return run

            def make_reader(source):
                def run():
                    return source.read()
                return run
        ''',
        "dags/c.py": '''
            from airflow import DAG
            from airflow.operators.python import PythonOperator
            from lib.callables import make_printer, make_reader

            with DAG("c", schedule=None):
                PythonOperator(task_id="print", python_callable=make_printer("ab"))
                PythonOperator(task_id="read", python_callable=make_reader(open_stream()))
        ''',
    })
    result = parse_file(root / "dags" / "c.py")
    wf = result.workflows[0]
    assert wf.task("print").callable.prelude == ("times = 2", "word = 'ab'")
    namespace = {}
    exec("\n".join(wf.task("print").callable.prelude) + "\n" + wf.task("print").callable.source, namespace)
    assert namespace["run"]() == "abab"
    assert wf.task("read").callable is None
    assert any(d.code == "KFM117" and "'source'" in d.message for d in result.diagnostics)


def test_a_project_module_that_does_not_parse_is_named(tmp_path):
    root = project(tmp_path, {
        "dags/lib/__init__.py": "",
        "dags/lib/broken.py": "def make_dag(:\n",
        "dags/uses.py": '''
            from airflow.operators.bash import BashOperator
            from lib.broken import make_dag

            with make_dag("x") as dag:
                BashOperator(task_id="t", bash_command="true")
        ''',
    })
    result = parse_file(root / "dags" / "uses.py")
    [said] = [d for d in result.diagnostics if d.code.startswith("KFM12")]
    assert said.code == "KFM121" and "lib/broken.py is in the project but cannot be read or parsed" in said.message
