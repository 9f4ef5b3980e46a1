"""Operators without a native KFP form run through the operator shim: a class defined in this file
and a provider operator (SmoothOperator) run as themselves inside KFP tasks."""
from datetime import datetime

from airflow.sdk import DAG, BaseOperator
from airflow.providers.standard.operators.smooth import SmoothOperator

GREETING = "hello"


def shout(text):
    return text.upper()


class GreetOperator(BaseOperator):
    """A custom operator: renders `name`, pushes an extra XCom and returns a greeting."""

    template_fields = ("name",)

    def __init__(self, name, times=1, **kwargs):
        super().__init__(**kwargs)
        self.name = name
        self.times = times

    def execute(self, context):
        context["ti"].xcom_push(key="length", value=len(self.name))
        return " ".join([shout(f"{GREETING} {self.name}")] * self.times)


with DAG("operators_shim", start_date=datetime(2024, 1, 1), schedule=None, params={"who": "kfp"}):
    greet = GreetOperator(task_id="greet", name="{{ params.who }} on {{ ds }}", times=2)
    smooth = SmoothOperator(task_id="smooth")
    greet >> smooth
