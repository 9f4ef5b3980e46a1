"""Anything without a mapper -> a placeholder component that fails loudly at run time.

The component raises with the task's original source in its message (KFM200), so nothing is
dropped silently: the pipeline compiles, the report lists the task, and a run stops exactly there.
Other modules register real mappings for more operator families over time.
"""
from __future__ import annotations

from kfmigrate.migrate import ir
from kfmigrate.migrate.contracts import PLACEHOLDER_MARK
from kfmigrate.migrate.operators import PLACEHOLDER, Case, ComponentPlan, MapContext
from kfmigrate.migrate.plan import Fail


def placeholder_message(task: ir.Task, why: str) -> str:
    """What a placeholder component raises: why, and the task's source (kubeflow_ops knows a placeholder in a
    compiled package by PLACEHOLDER_MARK)."""
    return f"kfmigrate: task {task.task_id!r} {PLACEHOLDER_MARK}{why}. Original Airflow source ({task.span}):\n{task.source}"


def placeholder_plan(task: ir.Task, ctx: MapContext, reason: str = "", code: str = "KFM200") -> ComponentPlan:
    """The plan for a task no mapper handles (the emitter calls this; it is not registered).
    code: the diagnostic naming why (KFM200 no mapping; KFM218-KFM220 see migrate/environment.py)."""
    why = reason or f"operator {task.operator} has no KFP mapping yet"
    message = placeholder_message(task, why)
    return ComponentPlan(
        mapping=f"{task.operator} -> placeholder component (fails at run time)",
        fidelity=PLACEHOLDER,
        parts=[Fail("NotImplementedError", message)],
        diagnostics=[ctx.diagnostic(task, code, f"{why}: placeholder component that fails at run time", "warning")],
        differences=["The task does not run: its placeholder component fails with the original source."],
        description=task.doc,
        finished=True,  # nothing to add: the registry's finishing step leaves it as it is
    )


CASES = [
    Case(
        name="unmapped decorator becomes a loud placeholder",
        dag='''
from airflow.sdk import dag, task

@dag(schedule=None)
def unmapped():
    @task.pyspark(conn_id="spark")
    def count(spark=None, sc=None):
        return spark.range(10).count()
    count()

unmapped()
''',
        task_id="count",
        fidelity=PLACEHOLDER,
        codes=("KFM200",),
        fragments=("raise NotImplementedError(", "@task.pyspark"),
        body='''\
raise NotImplementedError("kfmigrate: task 'count' cannot run on KFP: decorator @task.pyspark has no KFP mapping. Original Airflow source (cases/placeholder.py:9:5):\\ncount()")
''',
    ),
]
