"""Operator rules: the argument tables and the registry's one finishing step (migrate/operators/finish.py).

Real DAG text through the real parser, registry and emitter; temporary rules are registered on a
copy of the registry.
"""
from __future__ import annotations

import pytest

from kfmigrate.migrate import operators
from kfmigrate.migrate.operators import (
    HANDLED, ArgTable, ComponentPlan, MapContext, find_mapper, handled, mapper, registered, rule_for, unmapped,
)
from kfmigrate.migrate.operators.placeholder import placeholder_plan
from kfmigrate.migrate.operators.python import map_python
from kfmigrate.migrate.parse import parse_source
from operator_helpers import convert, report_of

HEADER = '''
from airflow import DAG
from airflow.operators.bash import BashOperator
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.standard.operators.python import PythonOperator, PythonVirtualenvOperator

def work():
    return 1

with DAG("rules", schedule=None):
'''


def dag(*tasks: str) -> str:
    return HEADER + "".join(f"    {task}\n" for task in tasks)


def messages(result, task_id: str, code: str):
    return [d.message for d in report_of(result, task_id).diagnostics if d.code == code]


@pytest.fixture
def registry(monkeypatch):
    """A private copy of the registry: rules registered in a test go away with it."""
    operators.discover()
    monkeypatch.setattr(operators, "_REGISTRY", dict(operators._REGISTRY))
    return operators._REGISTRY


def test_every_rule_reads_the_current_name_of_what_it_renames():
    for name, found in registered().items():
        table = found.rule.args
        for old, arg in (table.entries.items() if table else ()):
            if arg.kind == "renamed":
                assert table.entry(arg.to).kind == HANDLED, (name, old, arg.to)


def test_each_kind_of_argument_says_what_it_always_said():
    result = convert(dag('BashOperator(task_id="bash", bash_command="echo", executor_config={})',
                         'KubernetesPodOperator(task_id="pod", image="busybox", hostnetwork=True, get_logs=True, foo=1)',
                         'PythonVirtualenvOperator(task_id="venv", python_callable=work, use_dill=True, venv_cache_path=None)'))
    assert messages(result, "bash", "KFM202") == ["argument 'executor_config' is not supported by the mapping and is ignored"]
    assert "Argument 'executor_config' is ignored." in report_of(result, "bash").differences
    # unmapped(why), and the KubernetesPodOperator table's own word for arguments it does not name
    assert messages(result, "pod", "KFM202") == ["argument 'hostnetwork' is not carried over: host networking has no kfp-kubernetes setting",
                                                 "argument 'foo' is not carried over: the mapping does not know it"]
    assert not [d for d in report_of(result, "pod").differences if "get_logs" in d]  # no effect, not worth a line
    venv = report_of(result, "venv")
    assert "Argument 'use_dill' has no effect on KFP (arguments and results cross as KFP parameters, not pickles)." in venv.differences
    assert not [d for d in venv.differences if "venv_cache_path" in d]  # not set: nothing to say
    assert not messages(result, "venv", "KFM202")


def test_a_deprecated_alias_arrives_renamed_and_the_current_name_wins():
    result = convert(dag('BashOperator(task_id="old", bash_command="exit 3", skip_exit_code=3)',
                         'BashOperator(task_id="both", bash_command="exit 3", skip_on_exit_code=5, skip_exit_code=3)'))
    pipeline = result.python_source.split("@dsl.pipeline")[1]
    old, both = pipeline.split("old_task = ")[1].split(")")[0], pipeline.split("both_task = ")[1].split(")")[0]
    assert "skip_on_exit_code=3," in old and "skip_exit_code" not in old
    assert "skip_on_exit_code=5," in both and "=3," not in both
    assert not messages(result, "old", "KFM202") and not messages(result, "both", "KFM202")


def test_a_value_unknown_before_run_time_fails_the_component_first():
    result = convert("import os\n" + dag('BashOperator(task_id="run", bash_command=os.environ["CMD"])'))
    report = report_of(result, "run")
    assert report.fidelity == "placeholder"
    assert messages(result, "run", "KFM110") == ['argument cannot be resolved statically: os.environ["CMD"]']
    body = result.python_source.split("def run(")[1]
    assert body.index("raise RuntimeError(") < body.index("_airflow_run_bash(")


def test_the_shim_cannot_run_an_operator_with_an_unknown_argument_value():
    result = convert('''
import os
from airflow import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

with DAG("shim_dynamic", schedule=None):
    SQLExecuteQueryOperator(task_id="q", conn_id="db", sql=[os.environ["SQL"], "SELECT 1"])
''')
    report = report_of(result, "q")
    assert report.fidelity == "placeholder" and "the operator shim cannot build it" in report.mapping
    assert messages(result, "q", "KFM200")


def test_a_higher_priority_rule_takes_an_operator_from_the_shim(registry):
    assert rule_for("SQLExecuteQueryOperator").priority < 0  # the shim names it, at the lowest priority

    @mapper("SQLExecuteQueryOperator", args=ArgTable.of(handled("sql"), unmapped("not in this test", "conn_id")))
    def native_sql(task, ctx):
        return ComponentPlan(mapping="SQLExecuteQueryOperator -> test rule", description=task.doc)

    assert find_mapper("SQLExecuteQueryOperator").rule.func is native_sql
    result = convert('''
from airflow import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

with DAG("priority", schedule=None):
    SQLExecuteQueryOperator(task_id="q", conn_id="db", sql="SELECT 1")
''')
    assert report_of(result, "q").mapping == "SQLExecuteQueryOperator -> test rule"
    assert messages(result, "q", "KFM202") == ["argument 'conn_id' is not carried over: not in this test"]


def test_rules_of_equal_priority_for_one_operator_are_an_error(registry):
    with pytest.raises(ValueError, match="mapped twice"):
        mapper("BashOperator")(lambda task, ctx: ComponentPlan(mapping="x"))
    mapper("BashOperator", priority=-5)(lambda task, ctx: ComponentPlan(mapping="x"))  # lower: the bash rule stays
    assert find_mapper("BashOperator").__module__ == "kfmigrate.migrate.operators.bash"


def test_a_finished_plan_is_left_as_it_is(registry):
    @mapper("MyOperator")
    def give_up(task, ctx):
        return placeholder_plan(task, ctx, "not in this test")

    result = convert('''
from airflow import DAG
from plugins.mine import MyOperator

def alert(context):
    pass

with DAG("finished", schedule=None):
    MyOperator(task_id="mine", anything=1, on_failure_callback=alert)
''')
    codes = [d.code for d in report_of(result, "mine").diagnostics]
    assert codes == ["KFM200"]


def test_a_mapper_called_directly_gives_its_plan_before_the_finishing_step():
    parsed = parse_source(dag('PythonOperator(task_id="py", python_callable=work, executor_config={})'), path="rules.py")
    workflow = parsed.workflows[0]
    ctx = MapContext(workflow, {}, tuple(t.task_id for t in workflow.tasks))
    task = workflow.task("py")
    assert not [d for d in map_python(task, ctx).diagnostics if d.code == "KFM202"]  # a part for other rules to build on
    assert [d.code for d in find_mapper("PythonOperator")(task, ctx).diagnostics if d.code == "KFM202"] == ["KFM202"]
