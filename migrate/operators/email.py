"""EmailOperator -> the operator shim running the SMTP provider's EmailOperator.

Sending mail well (SSL/STARTTLS choices, OAuth2, retries, attachments) is the SMTP provider's
job, so rather than re-implement it the real operator runs inside the KFP task (shim.py) with
apache-airflow-providers-smtp installed, whatever import path the DAG used
(`airflow.operators.email`, `airflow.providers.smtp.operators.smtp`). The SMTP connection
(`conn_id`, default `smtp_default`) comes from AIRFLOW_CONN_SMTP_DEFAULT, set from the Kubernetes
secret `airflow-conn-smtp-default`.
"""
from __future__ import annotations

import dataclasses

from kfmigrate.migrate import ir
from kfmigrate.migrate.operators import SHIM, Case, ComponentPlan, MapContext, mapper
from kfmigrate.migrate.operators.shim import SHIM_RULE, map_operator_shim

SMTP_MODULE = "airflow.providers.smtp.operators.smtp"


@mapper("EmailOperator", **SHIM_RULE)
def map_email(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    args = dict(task.args)
    args.setdefault("conn_id", ir.Literal("smtp_default"))  # the operator's default: named so it is wired
    plan = map_operator_shim(dataclasses.replace(task, module=SMTP_MODULE, args=args), ctx)
    if plan.fidelity == SHIM:
        plan.mapping = "EmailOperator -> operator shim (the SMTP provider's EmailOperator sends the mail)"
    files = task.args.get("files")
    if files is not None and files != ir.Literal([]):
        plan.differences.append("Attachments (files) are read inside the KFP pod: mount them there.")
    return plan


CASES = [
    Case(
        name="email through the SMTP provider",
        dag='''
from airflow import DAG
from airflow.operators.email import EmailOperator

with DAG("mail", schedule=None):
    EmailOperator(task_id="notify", to="team@example.com", subject="Done {{ ds }}", html_content="<p>ok</p>")
''',
        task_id="notify",
        fidelity=SHIM,
        codes=("KFM201", "KFM209"),
        fragments=("'airflow.providers.smtp.operators.smtp', 'EmailOperator'", "'apache-airflow-providers-smtp==",
                   "secret_name='airflow-conn-smtp-default', secret_key_to_env={'uri': 'AIRFLOW_CONN_SMTP_DEFAULT'}"),
    ),
]
