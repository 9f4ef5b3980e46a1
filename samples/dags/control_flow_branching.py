"""Control flow: branches, joins, short circuits and trigger rules.

- `pick` (@task.branch) follows one of two paths by the `path` param; `join` (an EmptyOperator
  with none_failed_min_one_success) and `report` after it run either way, `left_only` is skipped
  with its branch.
- `gate` (ShortCircuitOperator with ignore_downstream_trigger_rules=False) skips only its direct
  downstream task when `open_gate` is false; `cleanup` (all_done) still runs.
- `many` (BranchPythonOperator) follows two of three tasks.
- `route` follows the task group `grouped` (its own branch `inner_pick` nested inside) when `path`
  is left, else `numbers`, which feeds a mapped task and its fan-in.
- `stop` (a short circuit, ignore_downstream_trigger_rules=True by default) skips everything after
  it when `open_gate` is false, the none_failed `after_guard` included.
"""
import pendulum
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import BranchPythonOperator, ShortCircuitOperator
from airflow.sdk import dag, task, task_group


@dag(
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["sample", "control-flow"],
    params={"path": "left", "open_gate": False},
)
def control_flow_branching():
    @task.branch
    def pick(params=None):
        return "left" if params["path"] == "left" else "right"

    @task
    def left() -> str:
        return "went left"

    @task
    def right() -> str:
        return "went right"

    @task
    def left_only(value: str) -> str:
        return value.upper()

    join = EmptyOperator(task_id="join", trigger_rule="none_failed_min_one_success")

    @task
    def report() -> str:
        return "joined"

    chosen = pick()
    went_left, went_right = left(), right()
    chosen >> [went_left, went_right]
    left_only(went_left)
    [went_left, went_right] >> join >> report()

    def gate_open(params=None):
        return params["open_gate"]

    gate = ShortCircuitOperator(task_id="gate", python_callable=gate_open, ignore_downstream_trigger_rules=False)

    @task
    def behind_gate() -> int:
        return 1

    @task(trigger_rule="all_done")
    def cleanup() -> str:
        return "cleaned"

    @task
    def after_behind_gate(value: int) -> int:
        return value + 1

    behind = behind_gate()
    gate >> behind >> cleanup()
    after_behind_gate(behind)

    def choose_two():
        return ["first", "third"]

    many = BranchPythonOperator(task_id="many", python_callable=choose_two)

    @task
    def first() -> int:
        return 1

    @task
    def second() -> int:
        return 2

    @task
    def third() -> int:
        return 3

    @task(trigger_rule="one_success")
    def any_of_them() -> str:
        return "at least one ran"

    chosen_many = [first(), second(), third()]
    many >> chosen_many >> any_of_them()

    @task.branch
    def direct_join_branch():
        return "step"

    @task
    def step() -> str:
        return "step ran"

    @task
    def direct_join() -> str:
        return "not skipped: downstream of the chosen step"

    branch_with_join, joined = direct_join_branch(), direct_join()
    branch_with_join >> step() >> joined
    branch_with_join >> joined

    @task.branch
    def route(params=None):
        return "grouped" if params["path"] == "left" else "numbers"

    @task_group
    def grouped():
        @task.branch
        def inner_pick():
            return "grouped.inner_a"

        @task
        def inner_a() -> int:
            return 1

        @task
        def inner_b() -> int:
            return 2

        inner_pick() >> [inner_a(), inner_b()]

    @task
    def numbers() -> list:
        return [1, 2, 3]

    @task
    def double(x: int) -> int:
        return 2 * x

    @task
    def total(values) -> int:
        return sum(values)

    routed_numbers = numbers()
    route() >> [grouped(), routed_numbers]
    total(double.expand(x=routed_numbers))

    def stop_unless_open(params=None):
        return params["open_gate"]

    stop = ShortCircuitOperator(task_id="stop", python_callable=stop_unless_open)

    @task
    def guarded() -> str:
        return "guarded ran"

    @task
    def guarded_next(value: str) -> str:
        return value + " twice"

    @task(trigger_rule="none_failed")
    def after_guard() -> str:
        return "runs either way"

    guarded_value = guarded()
    stop >> guarded_value >> guarded_next(guarded_value) >> after_guard()


control_flow_branching()
