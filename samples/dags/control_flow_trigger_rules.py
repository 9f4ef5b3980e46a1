"""Trigger rules that see failed upstream tasks, on tasks that have downstream tasks.

The `fail` param says which tasks fail: "none", "all", or the name of one (`absorbed`). Failing
tasks fail on every try (`breaks` has a retry too); `flaky` fails on its first try only.

- plain: `on_<rule>` after `source`, `breaks` and `flaky`, for all_done, one_failed, one_done,
  none_failed, none_failed_min_one_success, always (and all_failed after `breaks` alone), each
  followed by `after_on_<rule>`; `after_breaks` reads the value of `breaks`. `flaky` succeeds on its
  second try: with `fail=none`, one_failed is skipped only if no earlier try counted as a failure;
- teardown: `setup_resource >> use_resource >> teardown_resource >> report_teardown`;
- branch: `pick` follows `in_branch_breaks`, whose all_done `in_branch_cleanup` feeds `in_branch_after`;
- mapped: the task group `per_item` over [1, 2, 3] (item 2 fails) with an all_done task and one
  after it inside; the mapped task `double` (item 2 fails) with an all_done fan-in and one after it;
- `absorbed` fails alone with `fail=absorbed`: its all_done `absorbed_cleanup` is the only task
  after it, so the DAG run still succeeds, as Airflow decides from the leaf tasks.
"""
import datetime

import pendulum
from airflow.sdk import dag, setup, task, task_group, teardown

NO_DELAY = datetime.timedelta(seconds=0)


def failing(params, name):
    if params["fail"] in ("all", name):
        raise ValueError(f"{name} fails (fail={params['fail']})")


@dag(
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["sample", "control-flow"],
    params={"fail": "none"},
)
def control_flow_trigger_rules():
    @task
    def source() -> int:
        return 1

    @task(retries=1, retry_delay=NO_DELAY)
    def breaks(params=None) -> int:
        failing(params, "breaks")
        return 2

    @task(retries=2, retry_delay=NO_DELAY)
    def flaky(ti=None) -> int:
        if ti.try_number < 2:
            raise RuntimeError(f"try {ti.try_number} fails")
        return ti.try_number

    @task
    def after_breaks(value: int) -> int:
        return value + 1

    @task
    def after_flaky(value: int) -> int:
        return value * 10

    base, broken, retried = source(), breaks(), flaky()
    after_breaks(broken)
    after_flaky(retried)

    @task(trigger_rule="all_done")
    def on_all_done() -> str:
        return "all_done ran"

    @task(trigger_rule="one_failed")
    def on_one_failed() -> str:
        return "one_failed ran"

    @task(trigger_rule="one_done")
    def on_one_done() -> str:
        return "one_done ran"

    @task(trigger_rule="none_failed")
    def on_none_failed() -> str:
        return "none_failed ran"

    @task(trigger_rule="none_failed_min_one_success")
    def on_none_failed_min_one_success() -> str:
        return "none_failed_min_one_success ran"

    @task(trigger_rule="always")
    def on_always() -> str:
        return "always ran"

    @task(trigger_rule="all_failed")
    def on_all_failed() -> str:
        return "all_failed ran"

    @task
    def after_rule(value: str) -> str:
        return value + ", and so did the task after it"

    for rule, make in (("all_done", on_all_done), ("one_failed", on_one_failed), ("one_done", on_one_done),
                       ("none_failed", on_none_failed), ("none_failed_min_one_success", on_none_failed_min_one_success),
                       ("always", on_always)):
        ruled = make()
        [base, broken, retried] >> ruled
        after_rule.override(task_id=f"after_on_{rule}")(ruled)
    all_failed = on_all_failed()
    broken >> all_failed
    after_rule.override(task_id="after_on_all_failed")(all_failed)

    @setup
    def setup_resource() -> str:
        return "resource"

    @task
    def use_resource(params=None) -> str:
        failing(params, "use_resource")
        return "used"

    @teardown
    def teardown_resource() -> str:
        return "released"

    @task
    def report_teardown() -> str:
        return "reported"

    setup_resource() >> use_resource() >> teardown_resource() >> report_teardown()

    @task.branch
    def pick() -> str:
        return "in_branch_breaks"

    @task
    def in_branch_breaks(params=None) -> int:
        failing(params, "in_branch_breaks")
        return 3

    @task
    def not_taken() -> int:
        return 4

    @task(trigger_rule="all_done")
    def in_branch_cleanup() -> str:
        return "branch cleaned"

    @task
    def in_branch_after(value: str) -> str:
        return value + " and reported"

    taken = in_branch_breaks()
    pick() >> [taken, not_taken()]
    cleaned = in_branch_cleanup()
    taken >> cleaned
    in_branch_after(cleaned)

    @task_group
    def per_item(x: int):
        @task
        def item_work(x: int, params=None) -> int:
            if x == 2:
                failing(params, "item_work")
            return x * 100

        @task(trigger_rule="all_done")
        def item_done() -> str:
            return "item done"

        @task
        def item_after(value: str) -> str:
            return value + " and after"

        done = item_done()
        item_work(x) >> done
        item_after(done)

    per_item.expand(x=[1, 2, 3])

    @task
    def double(x: int, params=None) -> int:
        if x == 2:
            failing(params, "double")
        return 2 * x

    @task(trigger_rule="all_done")
    def doubled_done() -> str:
        return "fan-in ran"

    @task
    def after_doubled(value: str) -> str:
        return value + " and after"

    fan_in = doubled_done()
    double.expand(x=[1, 2, 3]) >> fan_in
    after_doubled(fan_in)

    @task
    def absorbed(params=None) -> int:
        failing(params, "absorbed")
        return 5

    @task(trigger_rule="all_done")
    def absorbed_cleanup() -> str:
        return "absorbed"

    absorbed() >> absorbed_cleanup()


control_flow_trigger_rules()
