"""EmptyOperator / DummyOperator -> no component; the emitter rewires its edges.

The upstream tasks of an empty task become upstream tasks of its downstream tasks, so ordering
is kept. A task reading its XCom gets None, as in Airflow (an empty task pushes nothing).
"""
from __future__ import annotations

from kfmigrate.migrate import ir
from kfmigrate.migrate.operators import REMOVED, Case, ComponentPlan, MapContext, mapper


@mapper("EmptyOperator", "DummyOperator")
def map_empty(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = ComponentPlan(mapping=f"{task.operator} -> removed (edges rewired)", fidelity=REMOVED, component=False)
    # The emitter keeps the task's trigger rule for skips (its dependants evaluate it); what is lost
    # is a reaction to failed upstream tasks: on KFP they stop the dependants.
    if task.trigger_rule not in ("all_success", "none_failed", "none_failed_min_one_success", "none_skipped"):
        plan.diagnostics.append(ctx.diagnostic(
            task, "KFM205", f"trigger rule {task.trigger_rule!r} of an empty task: kept for skipped upstream tasks, "
            "but a failed upstream task stops its dependants on KFP"))
        plan.differences.append(f"Its trigger rule {task.trigger_rule!r} still decides skips; after a failed upstream task "
                                "its dependants do not run on KFP.")
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
        # the join's rule is kept in b's skip decision; failures stop b as they stop the join in Airflow
        fragments=("a_skipped=a_task.outputs['airflow_skipped']",
                   "_skipped_join = _airflow_should_skip('none_failed_min_one_success', [a_skipped])"),
    ),
]
