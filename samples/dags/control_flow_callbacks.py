"""Task-level callbacks: on_execute, on_success, on_failure, on_retry and on_skipped.

Each callback writes one line "<task> <kind> <try number>" to the file named by the environment
variable CALLBACK_LOG (when set), so a test can compare which callbacks Airflow and KFP call.

- `work`: on_execute_callback and on_success_callback of its own;
- `flaky` fails on its first two tries (retries=2): on_retry_callback twice, then success;
- `doomed` fails whenever the `fail` param is true (retries=1): on_retry, then on_failure (from
  default_args);
- `skipper` raises AirflowSkipException: on_skipped_callback;
- `pick` branches away from `not_taken`, whose on_skipped_callback Airflow does not call (a task
  skipped by a branch never starts).
"""
import os

import pendulum
from airflow.exceptions import AirflowSkipException
from airflow.sdk import dag, task


def record(context, kind):
    path = os.environ.get("CALLBACK_LOG")
    ti = context["ti"]
    line = f"{ti.task_id} {kind} {ti.try_number}"
    if "exception" in context:
        line += f" {type(context['exception']).__name__}"
    print("callback:", line)
    if path:
        with open(path, "a") as handle:
            handle.write(line + "\n")


def on_execute(context):
    record(context, "execute")


def on_success(context):
    record(context, "success")


def on_failure(context):
    record(context, "failure")


def on_retry(context):
    record(context, "retry")


def on_skipped(context):
    record(context, "skipped")


@dag(
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["sample", "control-flow"],
    params={"fail": False},
    default_args={"on_failure_callback": on_failure, "on_retry_callback": on_retry},
)
def control_flow_callbacks():
    @task(on_execute_callback=on_execute, on_success_callback=[on_success])
    def work() -> int:
        return 1

    @task(retries=2, retry_delay=pendulum.duration(seconds=0), on_success_callback=on_success)
    def flaky(ti=None) -> int:
        if ti.try_number < 3:
            raise ValueError(f"try {ti.try_number} fails")
        return ti.try_number

    @task(retries=1, retry_delay=pendulum.duration(seconds=0))
    def doomed(params=None) -> str:
        if params["fail"]:
            raise RuntimeError("asked to fail")
        return "fine"

    @task(on_skipped_callback=on_skipped, on_success_callback=on_success)
    def skipper():
        raise AirflowSkipException("nothing to do")

    @task.branch
    def pick() -> str:
        return "taken"

    @task(on_success_callback=on_success)
    def taken() -> str:
        return "taken"

    @task(on_skipped_callback=on_skipped, on_execute_callback=on_execute)
    def not_taken() -> str:
        return "never"

    work() >> flaky()
    doomed()
    skipper()
    pick() >> [taken(), not_taken()]


control_flow_callbacks()
