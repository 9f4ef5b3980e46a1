"""Modules next to the DAG file that a task imports travel inside its component (migrate/local_modules.py)."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kfmigrate.migrate.api import convert_file
from kfmigrate.migrate import local_modules
from kfmigrate.migrate.emit.text import text_literal

DAG = '''
import pendulum
from airflow.sdk import dag, task
{imports}

@dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1))
def {dag_id}():
    @task
    def work() -> int:
{body}
    work()

{dag_id}()
'''


def write(root: Path, files: dict) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def dag_file(root: Path, imports: str, body: str, dag_id: str = "uses_local", where: str = "dags/uses_local.py") -> Path:
    path = root / where
    write(root, {where: DAG.format(imports=imports, body=textwrap.indent(textwrap.dedent(body), " " * 8), dag_id=dag_id)})
    return path


def convert(path: Path):
    result = convert_file(path, compile=False)
    assert result.error is None, result.error
    conversion = result.conversions[0]
    task = next(t for t in conversion.report.to_json()["tasks"] if t["task_id"] == "work")
    return conversion, task


def codes(task) -> list:
    return [d["code"] for d in task["diagnostics"]]


def test_package_with_relative_and_transitive_imports_is_embedded_once(tmp_path):
    write(tmp_path, {
        "dags/shared_pkg/__init__.py": "from .numbers import double\n",
        "dags/shared_pkg/numbers.py": "from . import constants\n\ndef double(x):\n    return constants.FACTOR * x\n",
        "dags/shared_pkg/constants.py": "from plain_helper import ONE\nFACTOR = 2 * ONE\n",
        "dags/plain_helper.py": "ONE = 1\n",
        "dags/unused.py": "raise RuntimeError('never read')\n",
    })
    path = dag_file(tmp_path, "from shared_pkg import double", "return double(21)")
    conversion, task = convert(path)
    source = conversion.emitted.python_source
    for relative in ("shared_pkg/__init__.py", "shared_pkg/numbers.py", "shared_pkg/constants.py", "plain_helper.py"):
        assert f"'{relative}': " in source, relative
    assert "unused.py" not in source
    assert source.count("def _module_shared_pkg__numbers():") == 1
    assert "additional_funcs=[_module_shared_pkg" in source  # the module texts are listed in additional_funcs
    assert re.search(r"from kfmigrate_runtime import \(?[^)]*_kfp_local_modules", source)  # ... written out by the runtime
    assert task["fidelity"] == "native" and "KFM214" not in codes(task)
    assert any("shared_pkg/numbers.py" in d for d in task["differences"])


def test_module_used_by_two_tasks_is_defined_once_and_parent_folder_is_searched(tmp_path):
    write(tmp_path, {"pyproject.toml": "", "common_util.py": "def double(x):\n    return 2 * x\n"})
    path = tmp_path / "dags" / "team" / "two.py"
    write(tmp_path, {"dags/team/two.py": '''
        from airflow.sdk import dag, task
        from common_util import double

        @dag(schedule=None)
        def two():
            @task
            def first():
                return double(1)

            @task
            def second():
                import common_util
                return common_util.double(2)

            first() >> second()

        two()
    '''})
    result = convert_file(path, compile=False)
    source = result.conversions[0].emitted.python_source
    assert source.count("def _module_common_util():") == 1
    assert source.count("'common_util.py': _module_common_util()") == 2


def test_missing_module_gets_kfm214_undeclared_installed_one_kfm217_and_stdlib_nothing(tmp_path):
    # libcst is installed where kfmigrate runs, but not declared for the component's image: not native
    path = dag_file(tmp_path, "import json\nimport libcst\nfrom nowhere_to_be_found import thing",
                    "return len(json.dumps(thing())) + len(libcst.__name__)")
    _conversion, task = convert(path)
    messages = [d["message"] for d in task["diagnostics"] if d["code"] == "KFM214"]
    assert len(messages) == 1 and "'nowhere_to_be_found'" in messages[0]
    undeclared = [d["message"] for d in task["diagnostics"] if d["code"] == "KFM217"]
    assert len(undeclared) == 1 and "'libcst'" in undeclared[0] and "libcst==" in undeclared[0]
    assert task["fidelity"] == "placeholder" and "json" not in " ".join(messages + undeclared)


def test_sources_over_the_cap_are_not_embedded_and_say_so(tmp_path, monkeypatch):
    write(tmp_path, {"dags/big_module.py": "DATA = " + repr("x" * 3000) + "\n"})
    monkeypatch.setattr(local_modules, "MAX_EMBEDDED_BYTES", 2048)
    path = dag_file(tmp_path, "from big_module import DATA", "return len(DATA)")
    conversion, task = convert(path)
    assert "KFM215" in codes(task)
    assert "base image" in next(d["message"] for d in task["diagnostics"] if d["code"] == "KFM215")
    assert "_kfp_local_modules" not in conversion.emitted.python_source


def test_texts_round_trip_through_the_generated_literal():
    for text in ("", "a = '''x'''\n", 'b = """y"""\nc = "\\\\n"\n', "ends with backslash \\", "tab\tand \r\n"):
        assert eval(text_literal(text)) == text


def test_embedded_airflow_module_imports_without_airflow(tmp_path):
    """airflow.example_dags.libs.helper (KFM210 before) is embedded without its packages' __init__.py:
    it imports in an interpreter that has no Airflow at all (-S: no site-packages)."""
    import airflow  # noqa: F401  (the installed Airflow is where the module is read from)

    from kfmigrate.migrate.emit import runtime

    dag = Path(airflow.__file__).parent / "example_dags" / "example_kubernetes_executor.py"
    result = convert_file(dag, compile=False)
    conversion = result.conversions[0]
    tasks = [t for t in conversion.report.to_json()["tasks"] if "print_stuff" in (conversion.workflow.task(t["task_id"]).callable.source
                                                                          if conversion.workflow.task(t["task_id"]).callable else "")]
    assert tasks and all("KFM210" not in codes(t) for t in tasks)
    assert any("airflow.example_dags.libs.helper" in d and "no Airflow" in d for d in tasks[0]["differences"])
    source = conversion.emitted.python_source
    import ast

    functions = {node.name: ast.get_source_segment(source, node) for node in ast.parse(source).body
                 if isinstance(node, ast.FunctionDef)}
    script = "\n\n".join([
        runtime.helper_source("_kfp_local_modules"), functions["_module_airflow__example_dags__libs__helper"],
        "_kfp_local_modules({'airflow/example_dags/libs/helper.py': _module_airflow__example_dags__libs__helper()})",
        "from airflow.example_dags.libs.helper import print_stuff\nprint_stuff()",
        "import importlib.util\nprint(importlib.util.find_spec('airflow.settings'))",
    ])
    (tmp_path / "run.py").write_text(script + "\n")
    out = subprocess.run([sys.executable, "-S", "-I", str(tmp_path / "run.py")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["annotated!", "None"]  # the helper ran; Airflow itself is not there


@pytest.mark.slow
def test_component_imports_the_module_on_kfp_local(tmp_path, run_local):
    write(tmp_path, {
        "dags/kfm_local_pkg/__init__.py": "",
        "dags/kfm_local_pkg/maths.py": "from .base import OFFSET\n\ndef shifted(x):\n    return x + OFFSET\n",
        "dags/kfm_local_pkg/base.py": "OFFSET = 100\n",
    })
    path = dag_file(tmp_path, "from kfm_local_pkg.maths import shifted", "return shifted(23)")
    conversion, _task = convert(path)
    import tempfile

    before = set(Path(tempfile.gettempdir()).glob("kfmigrate-modules-*"))
    run = run_local(conversion.emitted)
    assert run.outputs["work"]["return_value"] == 123
    assert set(Path(tempfile.gettempdir()).glob("kfmigrate-modules-*")) <= before  # the task removed its folder


@pytest.mark.slow
def test_verify_equivalent_with_a_local_module(tmp_path):
    """Real Airflow and kfp.local agree; the module is in the dags folder, the DAG file in a sub-folder
    (Airflow has the dags folder on sys.path: the engine puts the folders the module came from there)."""
    from kfmigrate.compare.verify import verify_file

    write(tmp_path, {"pyproject.toml": "", "dags/kfm_verify_helpers.py": "def greet(name):\n    return f'hello {name}'\n"})
    path = dag_file(tmp_path, "from kfm_verify_helpers import greet", "return greet('kfp')", dag_id="verify_local",
                    where="dags/team/verify_local.py")
    path.write_text(path.read_text().replace("-> int", "-> str"))
    [result] = verify_file(path)
    assert result.verdict == "equivalent", result.to_json()
    row = next(r for r in result.to_json()["tasks"] if r["task"] == "work")
    assert row["airflow_state"] == "success"


def test_local_module_importing_airflow_is_embedded_with_kfm210(tmp_path):
    write(tmp_path, {"dags/uses_airflow.py": "from airflow.sdk import Variable\n\ndef value():\n    return Variable.get('x')\n"})
    path = dag_file(tmp_path, "from uses_airflow import value", "return value()")
    conversion, task = convert(path)
    assert "'uses_airflow.py': _module_uses_airflow()" in conversion.emitted.python_source
    message = next(d["message"] for d in task["diagnostics"] if d["code"] == "KFM210")
    assert "uses_airflow.py imports airflow.sdk" in message


def test_virtualenv_requirements_count_as_provided(tmp_path):
    path = tmp_path / "dags" / "venv_dag.py"
    write(tmp_path, {"dags/venv_dag.py": '''
        from airflow.sdk import dag, task

        @dag(schedule=None)
        def venv_dag():
            @task.virtualenv(requirements=["Not-Installed-Pkg==1.0"])
            def work():
                import not_installed_pkg
                import other_missing_pkg
                return not_installed_pkg.VERSION

            work()

        venv_dag()
    '''})
    _conversion, task = convert(path)
    messages = [d["message"] for d in task["diagnostics"] if d["code"] == "KFM214"]
    assert len(messages) == 1 and "'other_missing_pkg'" in messages[0]


def test_a_carried_callback_gets_its_modules_too(tmp_path):
    write(tmp_path, {"dags/alerts_helper.py": "def alert(context):\n    print('failed', context['ti'].task_id)\n"})
    path = tmp_path / "dags" / "with_callback.py"
    write(tmp_path, {"dags/with_callback.py": '''
        from airflow.sdk import dag, task
        from alerts_helper import alert

        def on_failure(context):
            alert(context)

        @dag(schedule=None)
        def with_callback():
            @task(on_failure_callback=on_failure)
            def work():
                return 1

            work()

        with_callback()
    '''})
    conversion, _task = convert(path)
    source = conversion.emitted.python_source
    assert "def on_failure(" in source  # the callback is carried into the component: its module comes along
    assert "'alerts_helper.py': _module_alerts_helper()" in source
