"""TriggerDagRunOperator -> a component that starts the target DAG's converted pipeline through the KFP API.

The target is found by name: kfmigrate names a DAG's pipeline after its dag id (lowercase,
dashes), so the component looks that pipeline up on the KFP server (`KFP_HOST`, default the
in-cluster ml-pipeline service), takes its newest version and starts a run in experiment
`KFP_EXPERIMENT` (default "Default"). `conf` keys that are parameters of the target pipeline become
run parameters, as Airflow's conf overrides params; `logical_date` and `trigger_run_id` become its
logical_date and run_id parameters. `wait_for_completion` polls the run every poke_interval seconds
against allowed_states / failed_states. The run id is pushed as XCom `trigger_run_id`, as Airflow does.
Run-time helpers: `_airflow_trigger_pipeline`, `_airflow_kfp_api`.
"""
from __future__ import annotations

from kfmigrate.migrate import ir
from kfmigrate.migrate.naming import pipeline_name
from kfmigrate.migrate.operators import ArgTable, Case, ComponentPlan, MapContext, handled, mapper
from kfmigrate.migrate.operators.common import ArgBuilder, context_part, value_has_jinja, xcom_refs_of
from kfmigrate.migrate.operators.staticcalls import describe, to_python
from kfmigrate.migrate.plan import HelperCall, PyValue, RunHelper

ARGS = ArgTable.of(handled("trigger_dag_id", "conf", "trigger_run_id", "logical_date", "wait_for_completion", "poke_interval",
                           "allowed_states", "failed_states", "reset_dag_run", "skip_when_already_exists", "deferrable",
                           "fail_when_dag_is_paused", "openlineage_inject_parent_info", "note", "run_after"))


@mapper("TriggerDagRunOperator", args=ARGS)
def map_trigger_dagrun(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = ComponentPlan(mapping="TriggerDagRunOperator -> component that starts the target pipeline with the KFP API",
                         description=task.doc)
    target = task.args.get("trigger_dag_id")
    args = ArgBuilder(ctx)
    context = context_part(task, ctx, args)
    kwargs = [("dag_id", args.value(target, "trigger_dag_id") if target is not None else PyValue(None))]
    for name, keyword in (("conf", "conf"), ("trigger_run_id", "run_id"), ("logical_date", "logical_date")):
        if task.args.get(name) is not None:
            kwargs.append((keyword, args.value(task.args[name], name)))
    if to_python(task.args.get("wait_for_completion")) is True:
        kwargs.append(("wait_for_completion", PyValue(True)))
        poke = to_python(task.args.get("poke_interval"))
        if isinstance(poke, (int, float)) and not isinstance(poke, bool):
            kwargs.append(("poke_interval", PyValue(float(poke))))
        for name in ("allowed_states", "failed_states"):
            if task.args.get(name) is not None:
                kwargs.append((name, args.value(task.args[name], name, rendered=False)))
    kwargs.append(("api", HelperCall("_airflow_kfp_api")))  # the KFP REST access, shared with ExternalTaskSensor
    plan.parts = [context, RunHelper("_airflow_trigger_pipeline", tuple(kwargs))]
    plan.inputs = args.inputs
    plan.xcom_refs = xcom_refs_of(task)
    plan.outputs = {"return_value": "json", "trigger_run_id": "str"}
    if any(value_has_jinja(v) for v in task.args.values()):
        plan.packages = ["jinja2"]

    target_value = to_python(target)
    if target is None:
        plan.diagnostics.append(ctx.diagnostic(task, "KFM202", "no trigger_dag_id: the task fails at run time", "error"))
    elif isinstance(target_value, str):
        name = pipeline_name(target_value)
        known = target_value == ctx.workflow.dag_id
        plan.diagnostics.append(ctx.diagnostic(
            task, "KFM209", f"triggers DAG {target_value!r}: pipeline {name!r} must be uploaded to the same KFP server"
            + (" (it is this pipeline)" if known else ""), "info"))
        plan.differences.append(f"Starts the newest version of pipeline {name!r} (convert and upload DAG {target_value!r} too); "
                                "the task needs KFP_HOST (in Kubeflow: the in-cluster service) and a token with access to the namespace.")
    elif target_value is not None and not isinstance(target, ir.Template):
        plan.diagnostics.append(ctx.diagnostic(task, "KFM110", f"trigger_dag_id {describe(target_value)} cannot be resolved statically"))
    else:
        plan.diagnostics.append(ctx.diagnostic(task, "KFM203", "trigger_dag_id is templated: the pipeline name is computed at run time", "info"))
    plan.differences.append("conf keys that are not parameters of the target pipeline are dropped (KFP has no dag_run.conf).")
    for name in ("reset_dag_run", "skip_when_already_exists"):
        if to_python(task.args.get(name)) is True:
            plan.differences.append(f"{name}: KFP runs are never reset or deduplicated by run id; a new run always starts.")
    if to_python(task.args.get("deferrable")) is True:
        plan.differences.append("deferrable: the KFP task polls while it waits (no triggerer).")
    plan.unresolved = args.dynamic
    return plan


CASES = [
    Case(
        name="trigger another DAG's pipeline and wait",
        dag='''
from airflow import DAG
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator

with DAG("controller", schedule=None):
    TriggerDagRunOperator(task_id="start_target", trigger_dag_id="Target_DAG", conf={"message": "{{ ds }}"},
                          wait_for_completion=True, poke_interval=10)
''',
        task_id="start_target",
        codes=("KFM209",),
        fragments=("_airflow_trigger_pipeline(_airflow, dag_id=trigger_dag_id, conf={'message': _airflow_render('{{ ds }}', _airflow.context)}",
                   "wait_for_completion=True, poke_interval=10.0", "('trigger_run_id', str)"),
    ),
    Case(
        name="templated target",
        dag='''
from airflow import DAG
from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator

with DAG("dispatch", schedule=None, params={"target": "etl"}):
    TriggerDagRunOperator(task_id="dispatch", trigger_dag_id="{{ params.target }}")
''',
        task_id="dispatch",
        codes=("KFM203",),
        fragments=("dag_id=_airflow_render(trigger_dag_id, _airflow.context)",),
        body='''\
results, skipped = _airflow_trigger_pipeline(_airflow, dag_id=_airflow_render(trigger_dag_id, _airflow.context), api=_airflow_kfp_api())
''',
    ),
]
