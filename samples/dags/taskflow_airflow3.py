"""Airflow 3 TaskFlow: airflow.sdk imports, typed returns, multiple outputs, data dependencies, @task.bash."""
import pendulum
from airflow.sdk import dag, task


@dag(
    dag_id="taskflow_airflow3",
    schedule="0 6 * * 1-5",
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["sample", "taskflow"],
    description="TaskFlow API in Airflow 3 style",
)
def taskflow_pipeline(multiplier: int = 3):
    @task
    def numbers() -> list:
        """Produce the input numbers."""
        return [1, 2, 3, 4]

    @task(multiple_outputs=True)
    def stats(values: list) -> dict:
        return {"total": sum(values), "count": len(values)}

    @task(retries=3, retry_delay=pendulum.duration(seconds=10), retry_exponential_backoff=True)
    def scale(total: int, factor) -> int:
        return total * int(factor)

    @task.bash
    def announce(result: int) -> str:
        return f"echo scaled result is {result} on {{{{ ds }}}}"

    values = numbers()
    summary = stats(values)
    scaled = scale(summary["total"], multiplier)
    announce(scaled)


taskflow_pipeline()
