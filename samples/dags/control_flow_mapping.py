"""Control flow: dynamic task mapping and mapped task groups.

- `double` maps over a literal list with a fixed (.partial) argument;
- `shout` maps over another task's XCom (`words`), `total` fans the results back in;
- `pair` maps over two task outputs zipped together (the shortest wins), `combine` over the cross product of two lists;
- `per_city` is a mapped task group: `fetch` and `describe` run once per city.
"""
import pendulum
from airflow.sdk import dag, task, task_group


@dag(
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="UTC"),
    catchup=False,
    tags=["sample", "control-flow"],
)
def control_flow_mapping():
    @task
    def double(x: int, factor: int) -> int:
        return x * factor

    @task
    def words() -> list:
        return ["kubeflow", "airflow", "pipelines"]

    @task
    def shout(word: str) -> str:
        return word.upper() + "!"

    @task
    def total(values) -> str:
        return " ".join(values)

    @task
    def pair(item) -> str:
        left, right = item
        return f"{left}-{right}"

    @task
    def combine(letter: str, number: int) -> str:
        return f"{letter}{number}"

    @task
    def count(values) -> int:
        return len(list(values))

    double.partial(factor=10).expand(x=[1, 2, 3])
    total(shout.expand(word=words()))
    @task
    def numbers() -> list:
        return [1, 2]

    pair.expand(item=words().zip(numbers()))
    count(combine.expand(letter=["x", "y"], number=[1, 2, 3]))

    @task_group
    def per_city(city: str):
        @task
        def fetch(name: str) -> dict:
            return {"city": name, "size": len(name)}

        @task
        def describe(info: dict) -> str:
            return f"{info['city']} has {info['size']} letters"

        describe(fetch(city))

    per_city.expand(city=["Paris", "Oslo"])


control_flow_mapping()
