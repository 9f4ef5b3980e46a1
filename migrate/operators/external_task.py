"""ExternalTaskSensor -> a polling component that watches the other DAG's pipeline runs through the KFP API.

On KFP the "other DAG" is the pipeline kfmigrate made from it (same naming as TriggerDagRunOperator:
lowercase, dashes) on the same KFP server. A converted pipeline's run carries its Airflow logical
date in the `logical_date` run parameter, so the sensor lists the runs of that pipeline (newest
first), takes the run whose logical_date equals each date it waits for (the task's logical date,
minus `execution_delta`, or what `execution_date_fn` returns) and compares, like Airflow:

- without external_task_id(s): the run state (SUCCEEDED -> success, FAILED/CANCELED -> failed,
  RUNNING -> running, PENDING -> queued);
- with external_task_id / external_task_ids / external_task_group_id: the states of those tasks in
  the run (v2beta1 run_details.task_details, matched by display name = the Airflow task id);
- failed_states fail the sensor (soft_fail: skip it), skipped_states skip it, and it is done when
  everything is in allowed_states (default ["success"]).

poke_interval, timeout, soft_fail, exponential_backoff keep their meaning (common.py `Sensor`);
mode="reschedule" and deferrable=True poll in the pod. Run-time helpers: `_airflow_kfp_api`,
`_airflow_external_task_poke`.

ExternalTaskMarker only links task clearing across DAGs (it is an EmptyOperator): it is removed.
"""
from __future__ import annotations

from typing import List, Optional

from kfmigrate.migrate import ir
from kfmigrate.migrate.naming import pipeline_name
from kfmigrate.migrate.operators import PLACEHOLDER, REMOVED, Case, ComponentPlan, MapContext, mapper, renamed
from kfmigrate.migrate.operators.common import Sensor
from kfmigrate.migrate.operators.sensors import sensor_args
from kfmigrate.migrate.operators.shim import dag_file_code, third_party_modules
from kfmigrate.migrate.operators.staticcalls import Templated, Unresolved, describe, to_python
from kfmigrate.migrate.plan import Code, PyValue, SequenceOf

ARGS = sensor_args("external_dag_id", "external_task_id", "external_task_ids", "external_task_group_id", "allowed_states",
                   "skipped_states", "failed_states", "execution_delta", "execution_date_fn",
                   "check_existence").extended(renamed("poll_interval", "poke_interval"))  # Airflow's deprecated alias
KFP_STATES = "SUCCEEDED -> success, FAILED/CANCELED -> failed, SKIPPED -> skipped, RUNNING -> running, PENDING -> queued"


@mapper("ExternalTaskSensor", "ExternalTaskSensorAsync", args=ARGS)
def map_external_task_sensor(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    sensor = Sensor(task, ctx, "polls the KFP API for the other pipeline's run")
    plan = sensor.plan
    dag_id = task.args.get("external_dag_id")
    if dag_id is None:
        sensor.diagnostic("KFM202", "no external_dag_id: the task fails at run time", "error")
    check = [Code("_external_dag_id = {dag_id}\n", (("dag_id", sensor.value("external_dag_id")),))]
    options = []  # (keyword, value) of _airflow_external_task_poke
    for name, keyword in (("external_task_id", None), ("external_task_ids", "task_ids"), ("external_task_group_id", "task_group_id")):
        if task.args.get(name) is not None and to_python(task.args[name]) is not None:
            if name == "external_task_id":
                options.append(("task_ids", SequenceOf("list", (sensor.value(name),))))
            else:
                options.append((keyword, sensor.value(name)))
    for name in ("allowed_states", "skipped_states", "failed_states"):
        states = _states(task.args.get(name))
        if states is None:
            sensor.diagnostic("KFM110", f"{name} {describe(to_python(task.args.get(name)))} is not a literal list of states: "
                              "Airflow's default is used", "error")
        elif states:
            options.append((name, PyValue(states)))
    if to_python(task.args.get("soft_fail")) is True:
        options.append(("soft_fail", PyValue(True)))
    if to_python(task.args.get("check_existence")) is True:
        options.append(("check_existence", PyValue(True)))
    check.append(_dates_code(task, ctx, sensor))
    call = "".join(f", {keyword}={{option_{index}}}" for index, (keyword, _value) in enumerate(options))
    check.append(Code("_kfp = _airflow_kfp_api()\ndef _poke():\n    return _airflow_external_task_poke({context}, _kfp, _external_dag_id, _dates"
                      + call + ")\n", tuple((f"option_{index}", value) for index, (_keyword, value) in enumerate(options))))
    plan = sensor.finish(check)

    target = to_python(dag_id)
    if isinstance(target, str):
        where = f"pipeline {pipeline_name(target)!r}"
        plan.mapping = f"{task.operator} -> polling component watching the runs of {where} through the KFP API"
    else:
        where = "the pipeline converted from the DAG named at run time"
    plan.diagnostics.append(ctx.diagnostic(
        task, "KFM213", f"waits for runs of {where} on the KFP server (KFP_HOST) with the same logical_date run parameter", "info"))
    plan.differences.append(f"Watches the runs of {where} on the KFP server at KFP_HOST (in Kubeflow: the in-cluster service, "
                            "with the pod's service account token): convert and upload that DAG too, and start its runs with the "
                            "logical_date parameter (recurring runs: pass it), since a run matches by that parameter.")
    plan.differences.append(f"States come from KFP ({KFP_STATES}); a task that Airflow would have skipped runs on KFP as a "
                            "succeeded no-op (airflow_skipped=true) and counts as success.")
    return plan


def _states(value) -> Optional[List[str]]:
    """Airflow state names from a literal list of strings or TaskInstanceState/DagRunState/State members."""
    if value is None:
        return []
    converted = to_python(value)
    items = converted if isinstance(converted, list) else [converted]
    found = []
    for item in items:
        if isinstance(item, Unresolved) and "." in item.source:  # TaskInstanceState.SUCCESS
            item = item.source.rsplit(".", 1)[-1].lower()
        if not isinstance(item, str) or isinstance(item, Templated):
            return None
        found.append(item.lower())
    return found


def _dates_code(task: ir.Task, ctx: MapContext, sensor: Sensor) -> Code:
    """`_dates = [...]`: the logical dates of the runs waited for, as Airflow's _get_dttm_filter."""
    delta = task.args.get("execution_delta")
    function = task.args.get("execution_date_fn")
    if delta is not None:
        seconds = to_python(delta)
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
            return Code("import datetime as _dt\n_dates = [{context}.context['logical_date'] - _dt.timedelta(seconds={seconds})]\n",
                        (("seconds", PyValue(float(seconds))),))
        sensor.args.dynamic.append(f"execution_delta={describe(seconds)} (not a literal timedelta)")
    elif function is not None:
        source = getattr(function, "source", None) or ""
        code, expressions, problem = dag_file_code(task, set(), {"execution_date_fn": source})
        if code is None or not expressions.get("execution_date_fn"):
            sensor.args.dynamic.append(f"execution_date_fn={source} (it cannot be read from the DAG file: {problem})")
        else:
            if "airflow" in code:
                sensor.diagnostic("KFM210", "execution_date_fn's code imports airflow: the component image needs apache-airflow")
            extra = third_party_modules(code)
            if extra:
                sensor.diagnostic("KFM210", f"execution_date_fn's code imports {', '.join(extra)}: install them in the image")
            return Code('''\
# execution_date_fn and what it needs, from the DAG file; called like Airflow (logical date + context)
_dag_namespace = {}
exec({code}, _dag_namespace)
_date_fn = eval({expression}, _dag_namespace)
_returned, _ = _airflow_call_python({context}, _date_fn, [{context}.context['logical_date']], {})
_dates = _returned['return_value'] if isinstance(_returned['return_value'], list) else [_returned['return_value']]
''', (("code", PyValue(code)), ("expression", PyValue(expressions["execution_date_fn"]))))
    return Code("_dates = [{context}.context['logical_date']]\n")


@mapper("ExternalTaskMarker")
def map_external_task_marker(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = ComponentPlan(mapping="ExternalTaskMarker -> removed (edges rewired)", fidelity=REMOVED, component=False)
    plan.differences.append("ExternalTaskMarker only links task clearing across DAGs, which KFP does not have; it ran nothing.")
    return plan


CASES = [
    Case(
        name="external task sensor polls the other pipeline's runs",
        dag='''
from datetime import timedelta
from airflow import DAG
from airflow.providers.standard.sensors.external_task import ExternalTaskMarker, ExternalTaskSensor

with DAG("child", schedule="@daily"):
    wait = ExternalTaskSensor(task_id="wait_parent", external_dag_id="Parent_DAG", external_task_id="load",
                              execution_delta=timedelta(hours=1), failed_states=["failed", "skipped"],
                              poke_interval=30, timeout=600, soft_fail=True, mode="reschedule")
    mark = ExternalTaskMarker(task_id="mark", external_dag_id="grandchild", external_task_id="x")
    wait >> mark
''',
        task_id="wait_parent",
        codes=("KFM213",),
        fragments=("_kfp = _airflow_kfp_api()",
                   "_dates = [_airflow.context['logical_date'] - _dt.timedelta(seconds=3600.0)]",
                   "_airflow_external_task_poke(_airflow, _kfp, _external_dag_id, _dates, task_ids=[external_task_id], "
                   "failed_states=['failed', 'skipped'], soft_fail=True)",
                   "poke_interval=30.0, timeout=600.0, soft_fail=True"),
        body='''\
_external_dag_id = external_dag_id
import datetime as _dt
_dates = [_airflow.context['logical_date'] - _dt.timedelta(seconds=3600.0)]
_kfp = _airflow_kfp_api()
def _poke():
    return _airflow_external_task_poke(_airflow, _kfp, _external_dag_id, _dates, task_ids=[external_task_id], failed_states=['failed', 'skipped'], soft_fail=True)
results, skipped = _airflow_sensor(
    _airflow, _poke, poke_interval=30.0, timeout=600.0, soft_fail=True,
)
''',
    ),
    Case(
        name="external task sensor on a whole DAG run with execution_date_fn and state enums",
        dag='''
from datetime import timedelta
from airflow import DAG
from airflow.providers.standard.sensors.external_task import ExternalTaskSensor
from airflow.utils.state import DagRunState

def previous_hour(logical_date, **context):
    return logical_date - timedelta(hours=1)

with DAG("child2", schedule="@hourly"):
    ExternalTaskSensor(task_id="wait_run", external_dag_id="parent", execution_date_fn=previous_hour,
                       allowed_states=[DagRunState.SUCCESS], deferrable=True)
''',
        task_id="wait_run",
        fidelity=PLACEHOLDER,  # the case's DAG file does not exist: execution_date_fn cannot be read from it
        codes=("KFM213", "KFM110"),
        fragments=("allowed_states=['success']", "it cannot be read from the DAG file"),
    ),
]
