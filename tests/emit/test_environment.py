"""Imports decide fidelity: resolved against what the component's image will hold (migrate/environment.py),
never against what is installed where kfmigrate runs."""
from __future__ import annotations

import importlib.metadata
import json
import textwrap
from pathlib import Path

from kfmigrate.migrate import environment
from kfmigrate.migrate.api import convert_file
from kfmigrate.migrate.emit.environment import Environment


def write(root: Path, files: dict) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root / next(iter(files))


def convert(path: Path, image=None):
    result = convert_file(path, compile=False, environment=Environment(image=image))
    assert result.error is None, result.error
    conversion = result.conversions[0]
    return conversion, {t["task_id"]: t for t in conversion.report.to_json()["tasks"]}


def codes(task) -> set:
    return {d["code"] for d in task["diagnostics"]}


TASKFLOW = '''
from airflow.sdk import dag, task
from airflow.utils.session import provide_session

@dag(schedule=None)
def imports_dag():
    @task
    def fetch():
        import requests
        return requests.__name__

    @task
    def guarded():
        try:
            import ujson as json
        except ImportError:
            import json
        return json.dumps([1])

    @task
    @provide_session
    def runs(session=None):
        return 1

    @task
    def count_runs():
        from airflow.models import DagRun
        return len(DagRun.find(dag_id="x"))

    fetch() >> guarded() >> runs() >> count_runs()

imports_dag()
'''


def test_installed_but_undeclared_import_is_not_native_and_says_how_to_declare(tmp_path):
    assert importlib.metadata.version("requests")  # installed here: that must not matter
    path = write(tmp_path, {"dags/imports_dag.py": TASKFLOW})
    conversion, tasks = convert(path)
    fetch = tasks["fetch"]
    assert fetch["fidelity"] == "placeholder" and "KFM217" in codes(fetch)
    message = next(d["message"] for d in fetch["diagnostics"] if d["code"] == "KFM217")
    assert "'requests'" in message and f"requests=={importlib.metadata.version('requests')}" in message
    assert "requirements.txt" in message and "--image" in message
    # a guarded import is optional: the stdlib fallback runs
    assert tasks["guarded"]["fidelity"] == "native" and not codes(tasks["guarded"]) & {"KFM214", "KFM217"}


def test_airflow_imports_count_unless_the_runtime_shim_provides_them(tmp_path):
    path = write(tmp_path, {"dags/hooks.py": '''
        from airflow.sdk import dag, task

        @dag(schedule=None)
        def hooks():
            @task
            def with_hook():
                from airflow.providers.postgres.hooks.postgres import PostgresHook
                return PostgresHook.__name__

            @task
            def with_shimmed():
                from airflow.sdk import Variable, get_current_context
                return Variable.get("x", default="y") + str(get_current_context()["ds"])

            with_hook() >> with_shimmed()

        hooks()
    ''', "pyproject.toml": ""})
    _conversion, tasks = convert(path)
    message = next(d["message"] for d in tasks["with_hook"]["diagnostics"] if d["code"] == "KFM217")
    assert "apache-airflow-providers-postgres" in message and tasks["with_hook"]["fidelity"] == "placeholder"
    assert tasks["with_shimmed"]["fidelity"] == "native"


def test_metadata_database_use_is_never_native(tmp_path):
    path = write(tmp_path, {"dags/imports_dag.py": TASKFLOW})
    _conversion, tasks = convert(path)
    for task_id, what in (("runs", "@provide_session"), ("count_runs", "DagRun.find")):
        assert tasks[task_id]["fidelity"] == "placeholder", task_id
        message = next(d["message"] for d in tasks[task_id]["diagnostics"] if d["code"] == "KFM218")
        assert what in message


def test_project_requirements_declare_imports_and_packages_are_pinned(tmp_path):
    path = write(tmp_path, {"dags/imports_dag.py": TASKFLOW, "requirements.txt": "requests>=2  # the API client\n",
                            "pyproject.toml": ""})
    conversion, tasks = convert(path)
    assert tasks["fetch"]["fidelity"] == "native" and "KFM217" not in codes(tasks["fetch"])
    source = conversion.emitted.python_source
    assert f"['requests=={importlib.metadata.version('requests')}']" in source  # after RUNTIME_PACKAGES +
    # with a project image the component installs nothing; the image's requirements hold requests
    conversion, tasks = convert(path, image="registry.example/etl:1")
    assert tasks["fetch"]["fidelity"] == "native"
    assert "packages_to_install" not in conversion.emitted.python_source
    assert "BASE_IMAGE = 'registry.example/etl:1'" in conversion.emitted.python_source
    assert "install_kfp_package=False" in conversion.emitted.python_source
    from kfmigrate.migrate.image import plan_context

    context = plan_context(tmp_path / "image", "registry.example/etl:1", conversion.emitted.requirements,
                           [conversion.workflow.path], conversion.emitted.image_files)
    pins = [p.text for p in context.requirements]
    assert f"requests=={importlib.metadata.version('requests')}" in pins
    assert f"kfp=={importlib.metadata.version('kfp')}" in pins and all("==" in p for p in pins)


def test_shim_only_when_the_operator_class_resolves(tmp_path):
    path = write(tmp_path, {
        "dags/operators_dag.py": '''
            from airflow import DAG
            from airflow.operators.subdag import SubDagOperator
            from airflow.operators import MyPluginOperator
            from nowhere.operators import LostOperator
            from company_ops.operators import GreetOperator
            from airflow.providers.standard.operators.smooth import SmoothOperator

            with DAG("operators_dag", schedule=None):
                SubDagOperator(task_id="sub", subdag=None)
                MyPluginOperator(task_id="plugin")
                LostOperator(task_id="lost")
                GreetOperator(task_id="greet", name="x")
                SmoothOperator(task_id="smooth")
        ''',
        "plugins/company_ops/__init__.py": "",
        "plugins/company_ops/operators.py": "from airflow.models import BaseOperator\n\n"
                                            "class GreetOperator(BaseOperator):\n    def __init__(self, name, **kw):\n"
                                            "        super().__init__(**kw)\n        self.name = name\n",
        "pyproject.toml": "",
    })
    conversion, tasks = convert(path)
    assert tasks["sub"]["fidelity"] == "placeholder" and "KFM219" in codes(tasks["sub"])
    assert "removed in Airflow 3" in tasks["sub"]["diagnostics"][0]["message"]
    assert tasks["plugin"]["fidelity"] == "placeholder" and "KFM126" in codes(tasks["plugin"])  # the parser says so
    assert "plugin" in tasks["plugin"]["diagnostics"][0]["message"]
    assert tasks["lost"]["fidelity"] == "placeholder" and "KFM220" in codes(tasks["lost"])
    assert "nowhere.operators" in tasks["lost"]["diagnostics"][0]["message"]
    # a class from plugins/ resolves (the project reader follows it), and so does a provider's
    assert tasks["greet"]["fidelity"] == "shim" and tasks["smooth"]["fidelity"] == "shim"


def test_template_files_come_from_template_searchpath_and_a_missing_one_fails_loudly(tmp_path):
    path = write(tmp_path, {
        "dags/templated.py": '''
            from airflow.sdk import dag, task
            from airflow.providers.standard.operators.bash import BashOperator

            @dag(schedule=None, template_searchpath=["../sql", "/nonexistent"])
            def templated():
                @task(templates_exts=[".sql"])
                def query(sql):
                    return sql

                @task(templates_exts=[".sql"])
                def lost(sql):
                    return sql

                script = BashOperator(task_id="script", bash_command="scripts/run.sh")
                command = BashOperator(task_id="command", bash_command="bash scripts/run.sh ")  # not a template file
                query(sql="report.sql") >> lost(sql="missing.sql") >> script >> command

            templated()
        ''',
        "sql/report.sql": "SELECT '{{ ds }}'\n",
        "dags/scripts/run.sh": "echo {{ params.who | default('me') }}\n",
        "pyproject.toml": "",
    })
    conversion, tasks = convert(path)
    source = conversion.emitted.python_source
    assert tasks["query"]["fidelity"] == "native"
    assert "SELECT '{{ ds }}'" in source and "'report.sql'" not in source  # the file's text, rendered at run time
    assert tasks["lost"]["fidelity"] == "placeholder" and "KFM221" in codes(tasks["lost"])
    assert "raise FileNotFoundError(" in source
    assert tasks["script"]["fidelity"] == "native" and "echo {{ params.who" in source and "'scripts/run.sh'" not in source
    assert tasks["command"]["fidelity"] == "native" and "'bash scripts/run.sh '" in source


def test_resolution_rules():
    project = environment.ProjectRequirements((("pyyaml", "PyYAML>=6"),))
    assert environment.resolve_import("json", [], project).kind == environment.STDLIB
    assert environment.resolve_import("yaml", [], project).kind == environment.PROJECT
    assert environment.resolve_import("sklearn.linear_model", ["scikit-learn==1.5.0"], project).kind == environment.DECLARED
    assert environment.resolve_import("markupsafe", ["jinja2"], project).kind == environment.DECLARED  # a dependency
    assert environment.resolve_import("requests", [], project).kind == environment.UNRESOLVED  # kfp comes with --no-deps
    assert environment.distributions_for("cv2")[0] == "opencv-python"
    assert environment.distributions_for("PIL")[0] == "pillow"
    assert environment.distributions_for("bs4")[0] == "beautifulsoup4"
    assert "distutils" not in environment.stdlib_names("3.12") and "distutils" in environment.stdlib_names("3.11")
    pinned = environment.pin("jinja2")
    assert pinned.text == f"jinja2=={importlib.metadata.version('jinja2')}" and pinned.source == "installed here"
    assert environment.pin("Not-Installed-Pkg==1.0").text == "Not-Installed-Pkg==1.0"


def test_pins_from_the_index_are_asked_once_and_cached(tmp_path, monkeypatch):
    """A batch's workers share pip's answer through the disk cache instead of each asking the index."""
    from kfmigrate.migrate import environment

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("KFMIGRATE_OFFLINE", raising=False)
    first = environment._pip_resolve(["tabulate>=0.9"])
    assert first.get("tabulate", "").split(".")[0].isdigit(), first
    cached = json.loads((tmp_path / "kfmigrate" / "pins.json").read_text())
    assert cached["tabulate>=0.9"]["versions"] == {"tabulate": first["tabulate"]}

    def no_index(*args, **kwargs):
        raise AssertionError("pip was asked again")

    monkeypatch.setattr(environment.subprocess, "run", no_index)
    assert environment._pip_resolve(["tabulate>=0.9"]) == first


def test_the_import_map_is_read_once_and_kept_on_disk(tmp_path, monkeypatch):
    """The installed metadata (half a second to read) is read once per set of installed distributions."""
    from kfmigrate.migrate import environment

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    environment._installed_map.cache_clear()
    try:
        first = environment._installed_map()
        (cache,) = (tmp_path / "kfmigrate").glob("import-map-*.json")
        assert json.loads(cache.read_text())["yaml"] == list(first["yaml"])  # PyYAML provides yaml here
        cache.write_text(json.dumps({"only_from_the_cache": ["a-dist"]}))
        environment._installed_map.cache_clear()
        assert environment._installed_map() == {"only_from_the_cache": ("a-dist",)}
    finally:
        environment._installed_map.cache_clear()
