"""The per-task report (TaskReport): mapping, fidelity, the KFP task and component, outputs, and
every difference from Airflow the emitter knows of."""
from __future__ import annotations

from kfmigrate.migrate.emit import TaskReport
from kfmigrate.migrate.emit.nodes import SKIP_OUTPUT, SKIPS_PREFIX, Node
from kfmigrate.migrate.naming import k8s_name
from kfmigrate.migrate.operators.branching import CONTROL_KEYS


def task_report(node: Node) -> TaskReport:
    """The report of one task, once its code is written (render.py sets the KFP task name)."""
    plan = node.plan
    differences = list(plan.differences) + node.differences
    task = node.task
    if plan.component:
        retry = task.retry
        if retry.retries and retry.exponential_backoff:
            differences.append("Exponential retry backoff maps to backoff_factor 2 without Airflow's jitter.")
        if retry.retries and retry.max_delay_seconds is None and retry.exponential_backoff:
            differences.append("No max_retry_delay: KFP caps the backoff at its default of 3600s (Airflow: 24h).")
        if task.timeout_seconds:
            differences.append("execution_timeout becomes a Kubernetes timeout (kfp-kubernetes set_timeout); kfp.local does not enforce it.")
        if node.skip_output and (node.skip_check or plan.may_skip):
            differences.append(f"A skip is not a KFP task state: the task runs as a no-op and outputs {SKIP_OUTPUT}=True.")
        if node.xcom_none:
            differences.append("Reads XCom of tasks that do not run on KFP (or run after it): those values are None.")
        if node.container is not None:
            differences.append("A container component: kfp.local's subprocess runner cannot run it (a cluster or kfp.local's DockerRunner can).")
    if task.is_setup:
        differences.append("Setup task: runs as an ordinary task (KFP has no setup/teardown scopes).")
    return TaskReport(
        task_id=task.task_id,
        operator=task.operator,
        mapping=plan.mapping,
        fidelity=plan.fidelity,
        kfp_task=node.kfp_task or (k8s_name(node.function) if node.function else None),
        component=node.component or node.function,
        tier=node.tier if plan.component else None,
        outputs={key: output.name for key, output in node.outputs.items() if key not in CONTROL_KEYS and not key.startswith(SKIPS_PREFIX)},
        differences=list(dict.fromkeys(differences)),
        diagnostics=list(plan.diagnostics) + node.diagnostics,
        span=task.span,
    )
