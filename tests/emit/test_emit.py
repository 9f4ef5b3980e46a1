"""Emitter behaviour on hand-built workflows: generated Python, compiled spec, names, reports."""
from __future__ import annotations

import ast

import pytest
import yaml

from kfmigrate.migrate import ir
from kfmigrate.migrate.emit import EmitError, compile_yaml, emit
from emit_ir import bash, callable_source, empty, python, workflow


def compiled(result) -> dict:
    return yaml.safe_load(compile_yaml(result))


def dag_tasks(spec: dict) -> dict:
    return spec["root"]["dag"]["tasks"]


def report(result, task_id):
    return next(t for t in result.tasks if t.task_id == task_id)


def test_generated_module_parses_compiles_and_names_match_the_spec():
    greet = callable_source('''
        def greet(name, greeting="hello"):
            return f"{greeting} {name}"
    ''')
    wf = workflow("My DAG-1", [
        python("say.hello", greet, args={"op_kwargs": ir.Literal({"name": "world"})}),
        python("say_hello", greet),
        bash("class", "echo hi"),
    ], [("say.hello", "class"), ("say_hello", "class")])
    result = emit(wf)
    ast.parse(result.python_source)
    assert result.pipeline_name == "my-dag-1"
    assert result.function_name == "my_dag_1_pipeline"
    assert 'BASE_IMAGE = "python:3.11-slim"' in result.python_source
    assert "compiler.Compiler().compile(my_dag_1_pipeline" in result.python_source
    tasks = dag_tasks(compiled(result))
    names = {t.task_id: t.kfp_task for t in result.tasks}
    # distinct Airflow ids that sanitise alike get distinct, deterministic components
    assert names == {"say.hello": "say-hello", "say_hello": "say-hello-2", "class": "class"}
    assert set(names.values()) == set(tasks)
    for task_id, kfp_task in names.items():
        assert tasks[kfp_task]["taskInfo"]["name"] == task_id  # set_display_name
    assert sorted(tasks[names["class"]]["dependentTasks"]) == sorted([names["say.hello"], names["say_hello"]])
    assert emit(wf).python_source == result.python_source  # deterministic


def test_parameters_are_typed_with_defaults_plus_logical_date_and_run_id():
    wf = workflow("params", [bash("echo", "echo {{ params.count }}")], params=[
        ir.Param("count", 3, "int"), ir.Param("my-name", "x", "str"), ir.Param("run_id", "r", "str")])
    result = emit(wf)
    by_name = {p["name"]: p for p in result.parameters}
    assert by_name["count"] == {**by_name["count"], "type": "int", "default": 3, "from_param": "count"}
    assert by_name["my_name"]["from_param"] == "my-name"
    assert by_name["run_id_2"]["from_param"] == "run_id"
    assert by_name["logical_date"]["default"] == "" and by_name["run_id"]["from_param"] is None
    assert {d.code for d in result.diagnostics} == {"KFM301"}
    spec = compiled(result)
    inputs = spec["root"]["inputDefinitions"]["parameters"]
    assert inputs["count"]["parameterType"] == "NUMBER_INTEGER" and inputs["count"]["defaultValue"] == 3
    assert set(inputs) == {"count", "my_name", "run_id_2", "logical_date", "run_id"}


def test_empty_tasks_are_removed_and_their_edges_rewired():
    wf = workflow("rewire", [
        empty("start"), bash("a", "echo a"), bash("b", "echo b"), empty("join"), bash("c", "echo c"),
    ], [("start", "a"), ("start", "b"), ("a", "join"), ("b", "join"), ("join", "c")])
    result = emit(wf)
    assert report(result, "join").fidelity == "removed" and report(result, "join").kfp_task is None
    tasks = dag_tasks(compiled(result))
    name = {task_id: report(result, task_id).kfp_task for task_id in "abc"}  # a and b share one component
    assert set(tasks) == set(name.values()) and name["b"] == "a-2"
    assert sorted(tasks[name["c"]]["dependentTasks"]) == [name["a"], name["b"]]
    assert "dependentTasks" not in tasks[name["a"]]


def test_retry_and_timeout_reach_the_compiled_spec():
    wf = workflow("retries", [
        bash("flaky", "echo x", retry=ir.Retry(3, 30, True, 600), timeout_seconds=90),
        bash("steady", "echo y", retry=ir.Retry(2, None, False)),
    ])
    result = emit(wf)
    spec_text = compile_yaml(result)
    tasks = dag_tasks(next(yaml.safe_load_all(spec_text)))
    assert tasks["flaky"]["retryPolicy"] == {"backoffDuration": "30s", "backoffFactor": 2.0, "backoffMaxDuration": "600s", "maxRetryCount": 3}
    steady = tasks[report(result, "steady").kfp_task]  # it shares flaky's component: KFP names it flaky-2
    assert steady["retryPolicy"]["backoffDuration"] == "300s"  # Airflow's default retry_delay
    assert steady["retryPolicy"]["backoffFactor"] == 1.0  # constant delay
    assert "kubernetes.set_timeout(flaky_task, 90)" in result.python_source
    platform = list(yaml.safe_load_all(spec_text))[-1]
    assert platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]["exec-flaky"]["activeDeadlineSeconds"] in (90, "90")


def test_unknown_operator_is_a_loud_placeholder_with_the_original_source():
    task = ir.Task("call", "@task.pyspark", "airflow.providers.apache.spark.decorators.pyspark", {},
                   ir.SourceSpan("dags/x.py", 7, 5), '@task.pyspark(conn_id="spark")\ndef call(spark=None):\n    return 1')
    result = emit(workflow("unmapped", [task, bash("after", "echo")], [("call", "after")]))
    rep = report(result, "call")
    assert rep.fidelity == "placeholder" and [d.code for d in rep.diagnostics] == ["KFM200"]
    assert rep.diagnostics[0].render().startswith("dags/x.py:7:5: KFM200")
    assert "raise NotImplementedError(" in result.python_source
    assert "@task.pyspark(conn_id=" in result.python_source
    assert set(dag_tasks(compiled(result))) == {"call", "after"}


def test_unresolved_argument_makes_a_failing_component():
    func = callable_source("def f(x):\n    return x\n")
    task = python("f", func, args={"op_kwargs": ir.Composite("dict", ((ir.Literal("x"), ir.Dynamic("compute()")),))})
    result = emit(workflow("dyn", [task]))
    rep = report(result, "f")
    assert rep.fidelity == "placeholder" and "KFM110" in {d.code for d in rep.diagnostics}
    assert "compute()" in result.python_source
    compile_yaml(result)


def test_xcom_outputs_and_wiring():
    producer = callable_source('''
        def produce(ti) -> int:
            ti.xcom_push(key="extra-key", value={"a": 1})
            return 7
    ''')
    consumer = callable_source('''
        def consume(value, ti):
            return [value, ti.xcom_pull(task_ids="produce", key="extra-key"), ti.xcom_pull(task_ids="start")]
    ''')
    wf = workflow("wiring", [
        empty("start"),
        python("produce", producer, operator="@task"),
        python("consume", consumer, operator="@task", call_args=(ir.TaskOutput("produce"),)),
    ], [("start", "produce"), ("produce", "consume", "data")])
    result = emit(wf)
    assert report(result, "produce").outputs == {"return_value": "return_value", "extra-key": "extra_key"}
    src = result.python_source
    assert "('return_value', int)" in src  # typed from the annotation
    assert "('start', 'return_value'): None" in src  # an empty task pushes nothing
    assert "_from_json(produce__extra_key)" in src
    tasks = dag_tasks(compiled(result))
    assert tasks["consume"]["inputs"]["parameters"]["produce__return_value"]["taskOutputParameter"] == {
        "outputParameterKey": "return_value", "producerTask": "produce"}


def test_xcom_pull_from_a_later_task_is_not_wired_into_a_cycle():
    first = callable_source("def first(ti):\n    return ti.xcom_pull(task_ids='second')\n")
    second = callable_source("def second():\n    return 1\n")
    result = emit(workflow("cycle", [python("first", first), python("second", second)], [("first", "second")]))
    assert "KFM204" in {d.code for d in report(result, "first").diagnostics}
    compile_yaml(result)


def test_compile_failure_is_an_emit_error_with_kfm300():
    result = emit(workflow("broken", [bash("a", "echo")]))
    result.python_source = result.python_source.replace("def a(", "def a(bad: NotAType, ")
    with pytest.raises(EmitError) as info:
        compile_yaml(result)
    assert info.value.diagnostic.code == "KFM300"


def test_dag_metadata_goes_to_description_and_docstring():
    wf = workflow("meta", [bash("a", "echo", doc="Says nothing.")], description="Nightly load",
                  tags=("etl", "team-a"), schedule=ir.Schedule("cron", "0 3 * * *", start_date="2024-01-01"))
    result = emit(wf)
    src = result.python_source
    assert "Tags: etl, team-a" in src and "cron '0 3 * * *'" in src
    spec = compiled(result)
    assert spec["pipelineInfo"]["description"] == "Nightly load"
    assert "Says nothing." in src


def test_only_empty_tasks_still_compile():
    result = emit(workflow("empties", [empty("a"), empty("b")], [("a", "b")]))
    assert all(t.fidelity == "removed" for t in result.tasks)
    assert set(dag_tasks(compiled(result))) == {"no-task-runs"}


def test_multiline_description_keeps_the_yaml_valid():
    result = emit(workflow("multi", [bash("a", "echo")], description="first line\nsecond line\n\n  third"))
    spec = compiled(result)  # a multi-line description would break kfp's YAML comment header
    assert spec["pipelineInfo"]["description"] == "first line second line third"


def test_multiline_param_defaults_keep_the_yaml_valid(tmp_path):
    """kfp 2.17 writes parameter defaults into a comment header unescaped; both compile paths fix it."""
    import subprocess
    import sys

    wf = workflow("multiline", [bash("a", "echo {{ params.text }}")], params=[ir.Param("text", "one\ntwo", "str"),
                                                                              ir.Param("items", ["x\ny"], "list")])
    result = emit(wf)
    spec = compiled(result)
    assert spec["root"]["inputDefinitions"]["parameters"]["text"]["defaultValue"] == "one\ntwo"
    module = tmp_path / "multiline_pipeline.py"
    module.write_text(result.python_source)
    subprocess.run([sys.executable, str(module)], check=True, cwd=tmp_path)
    written = next(yaml.safe_load_all((tmp_path / "multiline.yaml").read_text()))
    assert written["root"]["inputDefinitions"]["parameters"]["items"]["defaultValue"] == ["x\ny"]


def test_param_names_never_shadow_components_or_module_names():
    func = callable_source("def extract(x):\n    return x\n")
    wf = workflow("shadow", [python("extract", func, operator="@task", call_args=(ir.ParamRef("extract"),)),
                             bash("kubernetes", "echo", timeout_seconds=5)],
                  params=[ir.Param("extract", "v", "str"), ir.Param("extract_task", "w", "str"), ir.Param("kubernetes", 1, "int")])
    result = emit(wf)
    names = {p["name"] for p in result.parameters}
    components = {t.component for t in result.tasks}
    assert not names & components and not names & {f"{c}_task" for c in components}
    assert "kubernetes" not in names
    compile_yaml(result)


def test_large_workflows_emit_in_dependency_order():
    # (how the time grows with size is measured by benchmarks/bench_convert.py, not asserted here)
    tasks = [bash(f"step_{i}", f"echo {i}") for i in range(400)]
    edges = [(f"step_{i}", f"step_{i + 1}") for i in range(399)] + [(f"step_{i}", f"step_{i + 7}") for i in range(0, 390, 5)]
    result = emit(workflow("big", tasks, edges))
    order = [line.split(" = ")[0].strip() for line in result.python_source.splitlines() if line.strip().startswith("step_") and "_task = step_" in line]
    assert order[:3] == ["step_0_task", "step_1_task", "step_2_task"] and len(order) == 400


def test_multiline_strings_in_callables_are_not_changed_by_indentation(tmp_path):
    """The callable moves into the component function; text inside its strings must stay as written."""
    import runpy

    func = callable_source('''
        def query():
            return """
        SELECT 1
          FROM t
        """ + QUERY_TAIL
    ''', prelude=('QUERY_TAIL = """\nWHERE x\n"""',))
    result = emit(workflow("strings", [python("query", func)]))
    module = tmp_path / "strings_pipeline.py"
    module.write_text(result.python_source)
    component = runpy.run_path(str(module))["query"]
    output = component.python_func()  # the component body, in process (a direct component: no inputs)
    assert output == '"\\nSELECT 1\\n  FROM t\\n\\nWHERE x\\n"'


def test_skip_checks_see_every_upstream_and_roots_just_run():
    wf = workflow("rules", [
        bash("maybe", "exit 99"), python("always_fine", callable_source("def f():\n    return 1\n")),
        bash("any_ran", "echo", trigger_rule="one_success"), bash("lonely", "echo", trigger_rule="one_failed"),
    ], [("maybe", "any_ran"), ("always_fine", "any_ran")])
    src = emit(wf).python_source
    # one_success reacts to failures: both upstream tasks carry their state (a skip or a recorded failure)
    assert "_airflow_trigger('one_success', [maybe_state, always_fine_state])" in src
    assert "'one_failed'" not in src  # no upstream: trigger rules do not apply
