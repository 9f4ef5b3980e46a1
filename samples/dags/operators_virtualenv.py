"""Tasks with their own Python environment: requirements become the component's packages_to_install."""
from datetime import datetime

from airflow.sdk import DAG, task
from airflow.providers.standard.operators.python import PythonVirtualenvOperator


def titles(words):
    import inflection

    return [inflection.titleize(word) for word in words]


with DAG("operators_virtualenv", start_date=datetime(2024, 1, 1), schedule=None):
    titled = PythonVirtualenvOperator(
        task_id="titles", python_callable=titles, op_args=[["data_pipeline", "kube_flow"]],
        requirements=["inflection==0.5.1"], system_site_packages=False,
    )

    @task.virtualenv(requirements=["inflection==0.5.1"])
    def plural(word: str) -> str:
        import inflection

        return inflection.pluralize(word)

    @task
    def sentence(names: list, many: str) -> str:
        return f"{' and '.join(names)} make {many}"

    sentence(titled.output, plural("pipeline"))
