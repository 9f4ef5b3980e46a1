"""Control flow: branches, short circuits, trigger rules through removed tasks, dynamic task mapping.

Run-time helpers are checked directly; small DAGs run on real kfp.local; the branching sample DAG
is verified against real Airflow (both sides must run and skip the same tasks).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from kfmigrate.migrate.emit import compile_yaml, emit
from kfmigrate.migrate.emit import runtime
from kfmigrate.migrate.parse import parse_source

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "dags"


def convert(text: str):
    parsed = parse_source(text, path="dags/control.py")
    assert len(parsed.workflows) == 1, [d.render() for d in parsed.diagnostics]
    return emit(parsed.workflows[0])


def report(result, task_id):
    return next(t for t in result.tasks if t.task_id == task_id)


# ---------------------------------------------------------------- run-time helpers
@pytest.mark.parametrize("chosen,expected", [(None, []), ("a", ["a"]), (["a", "b"], ["a", "b"]), (("x",), ["x"])])
def test_branch_ids_like_airflow(chosen, expected):
    assert runtime._airflow_branch_ids(chosen) == expected


def test_not_followed_understands_task_groups():
    assert runtime._airflow_not_followed("b", ["a"]) is True
    assert runtime._airflow_not_followed("a", ["a"]) is False
    assert runtime._airflow_not_followed("grp.inner.task", ["grp"]) is False  # choosing a group follows its tasks
    assert runtime._airflow_not_followed("grp2.task", ["grp"]) is True
    assert runtime._airflow_not_followed("a", None) is False  # the branch failed: no direct skip (all_done runs)


def test_map_items_follow_airflow_map_index_order():
    decode = lambda items: [json.loads(i) for i in items]  # noqa: E731
    assert decode(runtime._airflow_map_items("single", ["x"], [[1, "a", None]])) == [1, "a", None]
    assert decode(runtime._airflow_map_items("single", ["x"], [{"k": 1, "j": 2}])) == [["k", 1], ["j", 2]]
    assert decode(runtime._airflow_map_items("single", ["x"], [None])) == []  # skipped upstream: nothing
    assert decode(runtime._airflow_map_items("zip", ["x"], [[1, 2, 3], ["a", "b"]])) == [[1, "a"], [2, "b"]]
    # the last argument varies fastest, as Airflow numbers the map indexes
    assert decode(runtime._airflow_map_items("product", ["a", "b"], [[1, 2], ["x", "y"]])) == [
        {"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}, {"a": 2, "b": "y"}]
    assert decode(runtime._airflow_map_items("kwargs", ["a"], [[{"a": 1}, {"a": 2}]])) == [{"a": 1}, {"a": 2}]


# ---------------------------------------------------------------- generated code and spec
BRANCH_DAG = '''
from airflow import DAG
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import BranchPythonOperator, PythonOperator, ShortCircuitOperator

def choose():
    return "left"

with DAG("branchy", schedule=None):
    pick = BranchPythonOperator(task_id="pick", python_callable=choose)
    left = PythonOperator(task_id="left", python_callable=lambda: "L")
    right = PythonOperator(task_id="right", python_callable=lambda: "R")
    join = EmptyOperator(task_id="join", trigger_rule="none_failed_min_one_success")
    after = PythonOperator(task_id="after", python_callable=lambda: "A")
    only_right = PythonOperator(task_id="only_right", python_callable=lambda: "OR")
    gate = ShortCircuitOperator(task_id="gate", python_callable=lambda: False)
    behind = PythonOperator(task_id="behind", python_callable=lambda: 1)
    far = PythonOperator(task_id="far", python_callable=lambda: 2, trigger_rule="all_done")
    pick >> [left, right] >> join >> after
    right >> only_right
    after >> gate >> behind >> far
'''


def test_branch_join_and_short_circuit_run_on_kfp_local_like_airflow(run_local):
    result = convert(BRANCH_DAG)
    source = result.python_source
    # each branch target (and what only it leads to) runs inside a dsl.If on the branch's decision
    assert "with dsl.If(pick_task.outputs['airflow_skips_right'] == False):" in source
    assert "results['airflow_skips:right'] = not skipped and _airflow_not_followed('right', results.get('airflow_follow'))" in source
    # the join is removed but keeps its trigger rule inside its dependant's decision, reading the
    # arms' states (far's all_done needs failures as data) through dsl.OneOf with the dsl.Else stand-ins
    assert "_state_join = _airflow_trigger('none_failed_min_one_success', [left_state, right_state])" in source
    assert "right_state=dsl.OneOf(right_task.outputs['airflow_state'], right_not_run_task.outputs['right__airflow_state'])" in source
    assert "airflow_follow" not in report(result, "pick").outputs  # control outputs are not XComs
    assert not [k for k in report(result, "pick").outputs if k.startswith("airflow_skips")]
    compile_yaml(result)
    run = run_local(result)
    ran = set(run.outputs)
    assert run.outputs["left"]["airflow_skipped"] is False
    # Airflow skips right, only_right (all_success after it), behind and far (a false short circuit
    # with ignore_downstream_trigger_rules=True, all_done included): on KFP they do not even start
    assert not {"right", "only-right", "behind", "far"} & ran
    assert {"right-not-run", "gate-not-run"} <= ran  # the dsl.Else stand-ins
    assert run.outputs["after"]["airflow_skipped"] is False  # the join ran (none_failed_min_one_success), so after runs
    assert json.loads(run.outputs["pick"]["return_value"]) is None  # Airflow 3 pushes nothing when a branch skips


def test_short_circuit_honouring_trigger_rules_compiles_to_direct_skips_only():
    result = convert(BRANCH_DAG.replace('python_callable=lambda: False)', 'python_callable=lambda: False, ignore_downstream_trigger_rules=False)'))
    source = result.python_source
    region = source[source.index("with dsl.If(gate_task.outputs['airflow_skips'] == False):"):source.index("with dsl.Else():  # tasks after the dsl.If", source.index("gate_task = gate("))]
    assert "behind_task = behind(" in region and "far_task" not in region  # behind: direct downstream
    far = source[source.index("def far("):source.index("def far(") + 1500]
    assert "gate_condition" not in far and "_airflow_trigger" not in far  # all_done: runs whatever happened
    assert ".ignore_upstream_failure()" not in source  # behind's failure reaches far as data (airflow_state)
    assert "far_task.after(behind_task)" in source  # allowed from outside the dsl.If: it has a dsl.Else
    compile_yaml(result)


MAPPING_DAG = '''
from airflow.sdk import dag, task

@dag(schedule=None)
def mapped():
    @task
    def numbers() -> list:
        return [1, 2, 3]

    @task
    def scale(x: int, factor: int) -> int:
        return x * factor

    @task
    def total(values) -> int:
        return sum(values)

    @task
    def literal(x: int) -> int:
        return x + 1

    @task
    def ten() -> int:
        return 10

    # the factor comes from another task: kfp.local needs it carried inside the loop items
    total(scale.partial(factor=ten()).expand(x=numbers()))
    literal.expand(x=[5, 6])

mapped()
'''


def test_mapped_tasks_become_parallel_for_with_collected_fan_in(run_local):
    result = convert(MAPPING_DAG)
    spec = yaml.safe_load(compile_yaml(result))
    source = result.python_source
    assert "with dsl.ParallelFor(items=scale_items_task.output) as scale_item:" in source
    assert "with dsl.ParallelFor(items=['5', '6']) as literal_item:" in source
    assert "dsl.Collected(scale_task.outputs['return_value'])" in source
    assert "outer_o1=ten_task.outputs['Output']" in source  # a direct component's one output
    assert report(result, "scale").fidelity == "native"
    loops = [t for t in spec["root"]["dag"]["tasks"].values() if "parameterIterator" in t]
    assert len(loops) == 2
    run = run_local(result)
    assert run.outputs["total"]["return_value"] == 60  # ints stay ints through the loop


def test_unsupported_mapping_source_is_a_reported_placeholder():
    result = convert('''
from airflow.sdk import dag, task
import random

@dag(schedule=None)
def odd():
    @task
    def show(x):
        return x

    show.expand(x=random.sample(range(10), 3))

odd()
''')
    task = report(result, "show")
    assert task.fidelity == "placeholder"
    assert any("cannot map over" in d.message for d in task.diagnostics)
    compile_yaml(result)


# ---------------------------------------------------------------- against real Airflow
def run_both(dag_file: Path, params: dict):
    """Run a DAG on real Airflow and its conversion on kfp.local; (report, Airflow run, KFP run, rows, differences)."""
    from kfmigrate.compare.engines import airflow as airflow_engine
    from kfmigrate.compare.engines import kfp_local
    from kfmigrate.compare.verify import compare_runs, split_params, without_retry_delays
    from kfmigrate.migrate.api import convert_file

    [conversion] = convert_file(dag_file).conversions
    spec = without_retry_delays(yaml.safe_load(conversion.yaml_text))
    pipeline_params, conf = split_params(conversion.report, spec, params)
    airflow_run = airflow_engine.run_dag(dag_file, conversion.dag_id, conf)
    pipeline_params.update(logical_date=airflow_run.logical_date, run_id=airflow_run.run_id)
    kfp_run = kfp_local.run_pipeline(spec, pipeline_params)
    rows, differences = compare_runs(conversion.report, airflow_run, kfp_run)
    return conversion.report, airflow_run, kfp_run, rows, differences


@pytest.mark.parametrize("params", [{"path": "right", "open_gate": True}, {"path": "left", "open_gate": False}])
def test_branching_sample_runs_exactly_the_tasks_airflow_runs(params):
    """Same outcome for every task as real Airflow, and a task Airflow skips does not even start on KFP."""
    report, airflow_run, kfp_run, rows, differences = run_both(SAMPLES / "control_flow_branching.py", params)
    assert differences == []
    kfp_names = {t.task_id: t.kfp_task for t in report.tasks if t.kfp_task}
    started = {name.split("[")[0] for name, task in kfp_run.tasks.items() if task.state != "skipped"}
    airflow_ran = {name.split("[")[0] for name, task in airflow_run.tasks.items() if task.state == "success"}
    airflow_skipped = {name.split("[")[0] for name, task in airflow_run.tasks.items() if task.state == "skipped"}
    assert {kfp_names[t] for t in airflow_ran if t in kfp_names} <= started
    not_started = {t for t in airflow_skipped if t in kfp_names and kfp_names[t] not in started}
    assert not_started == {t for t in airflow_skipped if t in kfp_names}  # no Airflow skip runs as a no-op here
    if params["path"] == "left":
        assert {"right", "numbers", "total", "second", "grouped.inner_b", "guarded", "after_guard"} <= not_started
    else:
        assert {"left", "left_only", "grouped.inner_pick", "grouped.inner_a", "second"} <= not_started


EDGE_DAG = '''import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import ShortCircuitOperator
from airflow.sdk import dag, task, teardown


@dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False, params={"first": "a", "second": "x"})
def edge_cases():
    @task.branch
    def b1(params=None):
        return params["first"]

    @task.branch
    def b2(params=None):
        return ["shared", "x"] if params["second"] == "x" else "y"

    @task
    def a() -> dict:
        return {"from": "a"}

    @task
    def other():
        return None

    @task
    def shared() -> str:
        return "shared"

    @task
    def x() -> int:
        return 1

    @task
    def y() -> int:
        return 2

    # (a) shared is a direct target of both branches
    first, second = b1(), b2()
    first >> [a_value := a(), other_value := other(), shared_value := shared()]
    second >> [shared_value, x_value := x(), y()]

    # (b) a join reading values from inside arms
    @task(trigger_rule="none_failed_min_one_success")
    def join(left, right):
        return [left, right]

    join(a_value, other_value)

    # (c) nested branch inside an arm, read from outside the outer arm
    @task.branch
    def inner() -> str:
        return "deep_a"

    @task
    def deep_a() -> str:
        return "deep a"

    @task
    def deep_b() -> str:
        return "deep b"

    inner_task = inner()
    x_value >> inner_task >> [deep_a_value := deep_a(), deep_b()]

    @task(trigger_rule="none_failed")
    def outside(value):
        return value

    outside(deep_a_value)

    # (d) short circuit over a teardown and a task after it
    stop = ShortCircuitOperator(task_id="stop", python_callable=lambda: False)

    @task
    def work() -> int:
        return 1

    @teardown
    def clean() -> str:
        return "cleaned"

    @task
    def after_clean() -> str:
        return "after clean"

    stop >> work() >> clean() >> after_clean()

    # (g) a branch choosing an empty task that leads on
    @task.branch
    def to_empty(params=None):
        return "gate_empty" if params["first"] == "a" else "elsewhere"

    gate_empty = EmptyOperator(task_id="gate_empty")

    @task
    def behind_empty() -> str:
        return "behind"

    @task
    def elsewhere() -> str:
        return "elsewhere"

    to_empty() >> [gate_empty, elsewhere()]
    gate_empty >> behind_empty()


edge_cases()
'''


def test_region_edge_cases_compile_to_what_kfp_accepts():
    """Shapes verified equivalent against Airflow with kfmigrate verify (two param sets)."""
    result = convert(EDGE_DAG)
    source = result.python_source
    # a task both branches decide on: one dsl.If inside the other
    outer = source.index("with dsl.If(b1_task.outputs['airflow_skips_shared'] == False):")
    assert source.index("    with dsl.If(b2_task.outputs['airflow_skips_shared'] == False):", outer) > outer
    # a join reads values from inside the arms through dsl.OneOf with the stand-ins
    assert "a__return_value=dsl.OneOf(a_task.outputs['return_value'], a_not_run_task.outputs['a__return_value'])" in source
    # deep_a is read from outside its branch's arm, two groups out: its own group goes, x's stays
    assert "with dsl.If(inner_task.outputs['airflow_skips_deep_a'] == False):" not in source
    assert "dsl.OneOf(deep_a_task.outputs['airflow_skipped'], x_not_run_task.outputs['deep_a__airflow_skipped'])" in source
    # a skipped task pushed no XCom: outside (none_failed) reads None, not the typed empty value ""
    assert "('deep_a', 'return_value'): None if deep_a_skipped else deep_a__return_value" in source
    # a short circuit: the teardown stays outside (Airflow never skips it), and so does the task after
    # it (a flag decides), so nothing inside the dsl.If waits for a task after it
    region = source[source.index("with dsl.If(stop_task.outputs['airflow_skips'] == False):"):source.index("stop_not_run_task = ")]
    assert "work_task = work(" in region and "clean_task" not in region and "after_clean_task" not in region
    assert "gate_empty_not_run" in source  # a branch choosing an empty task: its dsl.If holds what follows it
    compile_yaml(result)


FAILING_DAG = '''
from airflow.sdk import dag, task

@dag(schedule=None)
def failing():
    @task
    def boom():
        raise ValueError("boom")

    @task(trigger_rule="all_done")
    def cleanup() -> str:
        return "cleaned"

    @task(trigger_rule="all_done")
    def reads_boom(value) -> str:
        return f"read {value}"

    @task
    def after_boom() -> str:
        return "never"

    b = boom()
    b >> cleanup()
    reads_boom(b)
    b >> after_boom()

failing()
'''


def compiled(result, folder):
    """The compiled pipeline, to run as `kfmigrate run` does (the runtime package from this checkout)."""
    path = folder / "pipeline.yaml"
    path.write_text(compile_yaml(result))
    return path


def test_all_done_runs_after_a_failure(tmp_path):
    """all_done after a failure: the failure is carried as data (airflow_state), so a task reading the
    failed task's XCom runs too and reads None, as in Airflow; the run still fails (after_boom is an
    upstream_failed leaf), at the DAG run state task."""
    from kfmigrate.compare.engines.kfp_local import run_pipeline

    result = convert(FAILING_DAG)
    assert ".ignore_upstream_failure()" not in result.python_source
    assert not report(result, "reads_boom").diagnostics and not report(result, "cleanup").diagnostics
    root = tmp_path / "root"
    run = run_pipeline(compiled(result, tmp_path), {}, root)
    assert run.state == "failed"
    outputs = {p.parent.name: json.loads(p.read_text()).get("parameterValues", {}) for p in root.glob("*/*/executor_output.json")}
    assert outputs["cleanup"]["return_value"] == "cleaned"
    assert outputs["reads-boom"]["return_value"] == "read None"
    assert outputs["boom"]["airflow_state"] == "failed" and outputs["after-boom"]["airflow_state"] == "upstream_failed"
    assert run.tasks["dag-run-state"].state == "failed"


CALLBACK_DAG = '''
from pathlib import Path
from airflow.sdk import dag, task

def on_success(context):
    # macros: an optional part of the runtime context, which DAG callbacks must get
    Path(OUT, "success").write_text(context["dag_run"].dag_id + " " + str(context["params"]["fail"]) + " "
                                    + context["macros"].ds_add("2024-01-31", 1))

def on_failure(context):
    Path(OUT, "failure").write_text(context["reason"])

@dag(schedule=None, on_success_callback=on_success, on_failure_callback=[on_failure], params={"fail": False})
def with_callbacks():
    @task
    def work(params=None) -> int:
        if params["fail"]:
            raise ValueError("asked to fail")
        return 1

    work()

with_callbacks()
'''


@pytest.mark.parametrize("fail", [False, True])
def test_dag_callbacks_run_in_an_exit_handler(tmp_path, fail):
    from kfmigrate.compare.engines.kfp_local import run_pipeline

    out = tmp_path / "out"
    out.mkdir()
    result = convert(CALLBACK_DAG.replace("from pathlib import Path", f"from pathlib import Path\nOUT = {str(out)!r}"))
    assert "with dsl.ExitHandler(dag_callbacks_task):" in result.python_source
    assert not [d for d in result.all_diagnostics() if d.code == "KFM208"]
    run_pipeline(compiled(result, tmp_path), {"fail": fail}, tmp_path / "root")
    written = {p.name: p.read_text() for p in out.iterdir()}
    assert written == ({"failure": "task_failure"} if fail else {"success": "with_callbacks False 2024-02-01"})


def test_teardown_runs_after_failed_work():
    """@teardown -> all_done_setup_success on its upstream tasks' states (failures carried as data)."""
    result = convert('''
from airflow.sdk import dag, task, setup, teardown

@dag(schedule=None)
def scoped():
    @setup
    def create() -> str:
        return "resource"

    @task
    def work():
        raise ValueError("work failed")

    @teardown
    def delete() -> str:
        return "deleted"

    c, d = create(), delete()
    c >> work() >> d
    c >> d

scoped()
''')
    assert "_airflow_trigger('all_done_setup_success', [work_state, create_state], [create_state])" in result.python_source
    assert ".ignore_upstream_failure()" not in result.python_source
    assert any("Teardown" in d for d in report(result, "delete").differences)
    compile_yaml(result)
