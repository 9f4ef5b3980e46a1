"""EmptyOperator / DummyOperator -> no component; the emitter rewires its edges.

The upstream tasks of an empty task become upstream tasks of its downstream tasks, so ordering
is kept. A task reading its XCom gets None, as in Airflow (an empty task pushes nothing).
"""
from __future__ import annotations

from migrate import ir
from migrate.operators import REMOVED, Case, ComponentPlan, MapContext, mapper


@mapper("EmptyOperator", "DummyOperator")
def map_empty(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = ComponentPlan(mapping=f"{task.operator} -> removed (edges rewired)", fidelity=REMOVED, component=False)
    if task.trigger_rule != "all_success":
        plan.diagnostics.append(ctx.diagnostic(
            task, "KFM205", f"trigger rule {task.trigger_rule!r} of an empty task is dropped with the task"))
        plan.differences.append(f"Its trigger rule {task.trigger_rule!r} no longer applies: downstream tasks follow their own rules.")
    return plan


CASES = [
    Case(
        name="empty start and end",
        dag='''
from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.bash import BashOperator

with DAG("empties", schedule=None):
    start = EmptyOperator(task_id="start")
    work = BashOperator(task_id="work", bash_command="echo hi")
    end = EmptyOperator(task_id="end")
    start >> work >> end
''',
        task_id="start",
        fidelity=REMOVED,
        fragments=("work_task = work(",),
    ),
    Case(
        name="join with a trigger rule",
        dag='''
from airflow import DAG
from airflow.operators.empty import EmptyOperator
from airflow.operators.bash import BashOperator

with DAG("empty_join", schedule=None):
    a = BashOperator(task_id="a", bash_command="echo a")
    join = EmptyOperator(task_id="join", trigger_rule="none_failed_min_one_success")
    b = BashOperator(task_id="b", bash_command="echo b")
    a >> join >> b
''',
        task_id="join",
        fidelity=REMOVED,
        codes=("KFM205",),
        fragments=("a_skipped=a_task.outputs['airflow_skipped']",),
    ),
]
