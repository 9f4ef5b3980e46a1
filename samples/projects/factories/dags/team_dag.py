"""The team's Airflow DAG: built entirely by the company's factories (the word "airflow" lets Airflow's safe mode parse it)."""
import functools

from common.callables import count_letters, greet
from common.decorators import company_task
from common.factory import create_bash_task, create_dag, create_python_task, create_steps

with create_dag("team_dag", schedule="@daily", tags=["team"]) as dag:
    start = create_bash_task("start", "echo start")
    hello = create_python_task("hello", functools.partial(greet, name="team"), punctuation="?")
    letters = create_python_task("letters", count_letters, word="kubeflow")
    steps = create_steps(["a", "b"])

    @company_task()
    def finish(value):
        return f"finished with {value}"

    start >> hello >> steps
    start >> letters
    steps >> finish(letters.output)
