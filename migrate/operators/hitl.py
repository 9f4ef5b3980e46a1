"""Human-in-the-loop operators (Airflow 3.1+) -> a component that waits for an answer in a Kubernetes ConfigMap.

KFP has no task that asks a person. The converted task publishes its request (subject, body,
options, defaults, params) as the ConfigMap `airflow-hitl-<dag>-<task>-<run hash>` (label
`kfmigrate.io/hitl-request=true`) in the run's namespace and polls for `<request>-response`, which a
person creates with kubectl (the exact command is in the task log and the request's `answer_with`):

    kubectl create configmap <request>-response --from-literal=chosen='option 1' [--from-literal=<param>=<value>]

`chosen` is one option, or a JSON list of options when `multiple=True`; every other key is a param
of the form (text, JSON for non-string params); `responded_by` names who answered. As in Airflow:
answers outside the options fail the task; past `response_timeout` (or the deprecated
`execution_timeout`) the `defaults` are taken, or the task fails when there are none. The XCom value
is Airflow's: chosen_options, params_input, responded_at, responded_by_user. Run-time helper:
`_airflow_hitl_wait`.

- HITLOperator, HITLEntryOperator (options default ["OK"], taken by default): the answer is the XCom.
- ApprovalOperator: "Reject" skips the direct downstream tasks (all downstream tasks with
  ignore_downstream_trigger_rules=True), published as a short-circuit condition; fail_on_reject fails.
- HITLBranchOperator: the chosen options (through options_mapping) are the task ids to follow,
  published as a branch decision (branching.py).

@task.stub is a task implemented by another language's Task SDK: there is no code to run (placeholder).
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Dict, List

from kfmigrate.migrate import ir
from kfmigrate.migrate.operators import NATIVE, PLACEHOLDER, ArgTable, Case, ComponentPlan, MapContext, handled, mapper
from kfmigrate.migrate.operators.branching import CONDITION_KEY, FOLLOW_KEY, follow_part
from kfmigrate.migrate.operators.common import ArgBuilder, context_part, value_has_jinja, xcom_refs_of
from kfmigrate.migrate.operators.placeholder import placeholder_plan
from kfmigrate.migrate.operators.staticcalls import Call, Unresolved, describe, to_python
from kfmigrate.migrate.plan import AskPerson, Expr, PyValue

HITL = ("HITLOperator", "ApprovalOperator", "HITLBranchOperator", "HITLEntryOperator")
ARGS = ArgTable.of(handled("subject", "options", "body", "defaults", "multiple", "params", "notifiers", "assigned_users",
                           "response_timeout", "ignore_downstream_trigger_rules", "fail_on_reject", "options_mapping"))
POLL_SECONDS = 5.0  # how often the response ConfigMap is read
EXECUTION_TIMEOUT_MARGIN = 10.0  # seconds: answer with the defaults before KFP's own task timeout stops the pod


def dns_label(text: str, size: int) -> str:
    """Lowercase letters, digits and dashes, at most `size` characters (Kubernetes names and labels),
    as the run-time helper _airflow_hitl_wait writes them."""
    return re.sub("-+", "-", re.sub("[^a-z0-9-]+", "-", text.lower())).strip("-")[:size].strip("-") or "x"


def request_name(dag_id: str, task_id: str) -> str:
    """The request ConfigMap name without its run hash (what the report shows)."""
    return f"airflow-hitl-{dns_label(dag_id, 100)}-{dns_label(task_id, 100)}"


@mapper(*HITL, args=ARGS)
def map_human_in_the_loop(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = ComponentPlan(mapping=f"{task.operator} -> component waiting for an answer in a Kubernetes ConfigMap",
                         description=task.doc)
    args = ArgBuilder(ctx)
    context = context_part(task, ctx, args)
    problems: List[str] = []

    options = _options(task, problems)
    defaults = to_python(task.args.get("defaults"))
    if task.operator == "HITLEntryOperator" and "options" not in task.args and "defaults" not in task.args:
        defaults = ["OK"]
    if isinstance(defaults, str):
        defaults = [defaults]
    if defaults is not None and not (isinstance(defaults, list) and all(isinstance(d, str) for d in defaults)):
        problems.append(f"defaults {describe(defaults)} are not literal option names")
    multiple = to_python(task.args.get("multiple")) is True and task.operator != "ApprovalOperator"
    params = _form_params(task.args.get("params"), problems)
    timeout, from_execution = _timeout(task, problems)

    ask = [("subject", _value(args, task, "subject", "")), ("options", PyValue(options))]
    if task.args.get("body") is not None:
        ask.append(("body", _value(args, task, "body", None)))
    if defaults is not None:
        ask.append(("defaults", PyValue(defaults)))
    if multiple:
        ask.append(("multiple", PyValue(True)))
    if params:
        ask.append(("params", PyValue(params)))
    if timeout is not None:
        ask.append(("timeout", PyValue(timeout)))
    ask.append(("poke_interval", PyValue(POLL_SECONDS)))
    plan.outputs = {"return_value": "json"}

    outcome, follow = AskPerson(tuple(ask)), []
    if task.operator == "ApprovalOperator":
        outcome = dataclasses.replace(outcome, approval=True, fail_on_reject=to_python(task.args.get("fail_on_reject")) is True)
        plan.outputs[CONDITION_KEY] = "bool"
    elif task.operator == "HITLBranchOperator":
        mapping = to_python(task.args.get("options_mapping")) or {}
        if not (isinstance(mapping, dict) and all(isinstance(v, str) for v in mapping.values())):
            problems.append(f"options_mapping {describe(mapping)} is not a literal dict of task ids")
            mapping = {}
        outcome = dataclasses.replace(outcome, options_mapping=mapping)
        follow.append(follow_part(task, ctx, "answered"))
        plan.outputs[FOLLOW_KEY] = "list"

    plan.parts = [context, outcome, *follow]
    plan.inputs = args.inputs
    plan.xcom_refs = xcom_refs_of(task)
    if any(value_has_jinja(task.args.get(name)) for name in ("subject", "body")):
        plan.packages = ["jinja2"]

    name = request_name(ctx.workflow.dag_id, task.task_id)
    plan.diagnostics.append(ctx.diagnostic(
        task, "KFM212", f"waits for a person: answer with kubectl create configmap {name}-<run hash>-response "
        "--from-literal=chosen=<option> (the exact name is in the task log)", "info"))
    plan.differences.append(
        f"The request is the Kubernetes ConfigMap {name}-<run hash> (label kfmigrate.io/hitl-request=true; "
        f"list them with kubectl get configmaps -l kfmigrate.io/hitl-request=true); answer by creating "
        f"{name}-<run hash>-response with key 'chosen' (one option, or a JSON list when multiple) and one key per param. "
        "The task log prints the exact command. The pod's service account needs get/create on configmaps.")
    plan.differences.append("There is no Airflow UI form: notifiers, assigned_users and the required-actions link are not used; "
                            "anyone allowed to create configmaps in the namespace can answer.")
    if from_execution:
        plan.differences.append(f"execution_timeout is the response timeout (as Airflow migrates it); the defaults are taken "
                                f"{EXECUTION_TIMEOUT_MARGIN:g} s before KFP's task timeout stops the pod.")
    if task.operator == "ApprovalOperator":
        plan.differences.append("Reject skips the direct downstream tasks (all downstream tasks with "
                                "ignore_downstream_trigger_rules=True), published like a short circuit.")
    if args.dynamic:  # with the other problems: one placeholder says them all
        problems.append("argument cannot be resolved statically: " + "; ".join(args.dynamic))
    if problems:
        return placeholder_plan(task, ctx, f"{task.operator}: " + "; ".join(problems))
    plan.fidelity = NATIVE
    return plan


def request_options(task: ir.Task):
    """(options, multiple, params) of a HITL task, for the report."""
    problems: List[str] = []
    options = _options(task, problems) or ["<option>"]
    multiple = to_python(task.args.get("multiple")) is True and task.operator != "ApprovalOperator"
    return options, multiple, _form_params(task.args.get("params"), problems)


def _value(args: ArgBuilder, task: ir.Task, name: str, default: Any) -> Expr:
    value = task.args.get(name)
    return PyValue(default) if value is None else args.value(value, name)  # subject and body are templated fields


def _options(task: ir.Task, problems: List[str]) -> List[str]:
    if task.operator == "ApprovalOperator":
        return ["Approve", "Reject"]
    value = to_python(task.args.get("options"))
    if value is None and task.operator == "HITLEntryOperator":
        return ["OK"]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    problems.append(f"options {describe(value)} are not a literal list of strings")
    return []


def _form_params(value: Any, problems: List[str]) -> Dict[str, Dict[str, Any]]:
    """name -> {"default": ..., "type": ...} from `params={"x": Param(default, type=...)}` or plain values."""
    if value is None:
        return {}
    converted = to_python(value)
    if not isinstance(converted, dict):
        problems.append(f"params {describe(converted)} is not a literal dict")
        return {}
    found = {}
    for key, item in converted.items():
        if isinstance(item, Call) and item.name == "Param":
            default, kind = item.get("default", 0), item.kwargs.get("type")
        else:
            default, kind = item, None
        if isinstance(default, (Unresolved, Call)) or isinstance(kind, (Unresolved, Call)):
            problems.append(f"param {key!r} is not a literal Param")
            continue
        found[str(key)] = {"default": default, "type": kind}
    return found


def _timeout(task: ir.Task, problems: List[str]):
    """(seconds or None, taken from execution_timeout)."""
    value = task.args.get("response_timeout")
    if value is not None:
        seconds = to_python(value)
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
            return float(seconds), False
        problems.append(f"response_timeout {describe(seconds)} is not a literal timedelta")
        return None, False
    if task.timeout_seconds:
        return max(1.0, float(task.timeout_seconds) - min(EXECUTION_TIMEOUT_MARGIN, task.timeout_seconds / 10)), True
    return None, False


@mapper("@task.stub")
def map_stub(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = placeholder_plan(task, ctx, "@task.stub is implemented by another language's Task SDK: there is no Python code to run")
    plan.mapping = "@task.stub -> placeholder (implemented outside Python)"
    return plan


CASES = [
    Case(
        name="approval waits for an answer in a ConfigMap",
        dag='''
from datetime import timedelta
from airflow.sdk import DAG
from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.providers.standard.operators.bash import BashOperator

with DAG("approve", schedule=None):
    ok = ApprovalOperator(task_id="approve", subject="Ship {{ ds }}?", defaults="Reject", response_timeout=timedelta(minutes=5))
    ok >> BashOperator(task_id="ship", bash_command="echo ship")
''',
        task_id="approve",
        codes=("KFM212",),
        fragments=("_airflow_hitl_wait(", "options=['Approve', 'Reject']", "defaults=['Reject']", "timeout=300.0",
                   "results['airflow_condition'] = _approved"),
        body='''\
_answer = _airflow_hitl_wait(
    _airflow,
    subject=_airflow_render(subject, _airflow.context),
    options=['Approve', 'Reject'],
    defaults=['Reject'],
    timeout=300.0,
    poke_interval=5.0,
)
results, skipped = {'return_value': _answer}, False
_approved = _answer['chosen_options'][0] == 'Approve'
# Reject skips the tasks downstream (as a false short circuit); the answer is still the XCom value
results['airflow_condition'] = _approved
''',
    ),
    Case(
        name="entry form with params",
        dag='''
from airflow.sdk import DAG, Param
from airflow.providers.standard.operators.hitl import HITLEntryOperator

with DAG("entry", schedule=None):
    HITLEntryOperator(task_id="ask", subject="Details?", params={"count": Param(3, type="integer"), "note": Param("", type="string")})
''',
        task_id="ask",
        codes=("KFM212",),
        fragments=("options=['OK']", "defaults=['OK']", "params={'count': {'default': 3, 'type': None}, 'note': {'default': '', 'type': None}}"),
    ),
    Case(
        name="human branch chooses the downstream tasks",
        dag='''
from airflow.sdk import DAG
from airflow.providers.standard.operators.hitl import HITLBranchOperator
from airflow.providers.standard.operators.bash import BashOperator

with DAG("pick", schedule=None):
    pick = HITLBranchOperator(task_id="pick", subject="Which?", options=["Left", "Right"], options_mapping={"Left": "left"}, multiple=True)
    pick >> [BashOperator(task_id="left", bash_command="echo l"), BashOperator(task_id="Right", bash_command="echo r")]
''',
        task_id="pick",
        codes=("KFM212",),
        fragments=("_chosen = [{'Left': 'left'}.get(option, option) for option in _answer['chosen_options']]",
                   "follow = [] if skipped else _airflow_branch_ids(_chosen)", "multiple=True"),
    ),
    Case(
        name="task.stub has no code",
        dag='''
from airflow.sdk import dag, task

@dag(schedule=None)
def stubbed():
    @task.stub(queue="java")
    def remote(): ...
    remote()

stubbed()
''',
        task_id="remote",
        fidelity=PLACEHOLDER,
        codes=("KFM200",),
        fragments=("another language's Task SDK",),
    ),
]
