"""Operators that cannot run on KFP at all: loud placeholders that say why and what to do instead.

- Human-in-the-loop operators (HITLOperator, ApprovalOperator, HITLBranchOperator,
  HITLEntryOperator) wait for a person to answer in Airflow's UI; KFP has no task that waits
  for user input.
- ExternalTaskSensor waits for a task (or a whole run) of ANOTHER DAG for the same logical date.
  KFP runs have no cross-pipeline dependencies and no shared logical date to match on. The usual
  KFP replacement is to let the upstream pipeline start this one (TriggerDagRunOperator in the
  upstream DAG, which kfmigrate converts) or to merge both DAGs into one pipeline.
- @task.stub is a task implemented by another language's Task SDK; there is no code to run.

ExternalTaskMarker only matters when clearing tasks across DAGs; it runs nothing, so it is removed
like an empty task.
"""
from __future__ import annotations

from migrate import ir
from migrate.operators import PLACEHOLDER, REMOVED, Case, ComponentPlan, MapContext, mapper
from migrate.operators.placeholder import placeholder_plan
from migrate.operators.staticcalls import to_python

HITL = ("HITLOperator", "ApprovalOperator", "HITLBranchOperator", "HITLEntryOperator")


@mapper(*HITL)
def map_human_in_the_loop(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = placeholder_plan(task, ctx, f"{task.operator} waits for a person to respond in Airflow's UI; "
                            "KFP has no task that waits for user input (split the pipeline at this point, "
                            "or poll an approval you record elsewhere with a sensor)")
    plan.mapping = f"{task.operator} -> placeholder (human-in-the-loop needs Airflow's UI)"
    return plan


@mapper("ExternalTaskSensor", "ExternalTaskSensorAsync")
def map_external_task_sensor(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    external_dag = to_python(task.args.get("external_dag_id"))
    external_task = to_python(task.args.get("external_task_id"))
    target = f"DAG {external_dag!r}" if isinstance(external_dag, str) else "another DAG"
    if isinstance(external_task, str):
        target = f"task {external_task!r} of {target}"
    plan = placeholder_plan(task, ctx, f"ExternalTaskSensor waits for {target} in the run with the same logical date; "
                            "KFP pipelines cannot depend on other pipelines' runs. Let the upstream pipeline start this one "
                            "(TriggerDagRunOperator there) or merge the two DAGs")
    plan.mapping = "ExternalTaskSensor -> placeholder (cross-DAG dependency)"
    return plan


@mapper("@task.stub")
def map_stub(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = placeholder_plan(task, ctx, "@task.stub is implemented by another language's Task SDK: there is no Python code to run")
    plan.mapping = "@task.stub -> placeholder (implemented outside Python)"
    return plan


@mapper("ExternalTaskMarker")
def map_external_task_marker(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = ComponentPlan(mapping="ExternalTaskMarker -> removed (edges rewired)", fidelity=REMOVED, component=False)
    plan.differences.append("ExternalTaskMarker only links task clearing across DAGs, which KFP does not have; it ran nothing.")
    return plan


CASES = [
    Case(
        name="approval waits for a person",
        dag='''
from airflow.sdk import DAG
from airflow.providers.standard.operators.hitl import ApprovalOperator

with DAG("approve", schedule=None):
    ApprovalOperator(task_id="approve", subject="Ship it?")
''',
        task_id="approve",
        fidelity=PLACEHOLDER,
        codes=("KFM200",),
        fragments=("waits for a person to respond",),
    ),
    Case(
        name="external task sensor explains the missing cross-DAG dependency",
        dag='''
from airflow import DAG
from airflow.providers.standard.sensors.external_task import ExternalTaskMarker, ExternalTaskSensor

with DAG("child", schedule="@daily"):
    wait = ExternalTaskSensor(task_id="wait_parent", external_dag_id="parent", external_task_id="load")
    mark = ExternalTaskMarker(task_id="mark", external_dag_id="grandchild", external_task_id="x")
    wait >> mark
''',
        task_id="wait_parent",
        fidelity=PLACEHOLDER,
        codes=("KFM200",),
        fragments=("KFP pipelines cannot depend on other pipelines",),
    ),
]
