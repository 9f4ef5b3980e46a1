"""Hello world: one task printing a greeting (the first pipeline of the Kubeflow notebook walkthrough)."""
import pendulum
from airflow.sdk import dag, task


@dag(
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["sample", "hello"],
    params={"name": "Kubeflow"},
)
def hello_world():
    @task
    def say_hello(params=None) -> str:
        greeting = f"Hello, {params['name']}!"
        print(greeting)
        return greeting

    say_hello()


hello_world()
