"""A company decorator that applies Airflow's @task with the house defaults."""
from airflow.decorators import task


def company_task(**kwargs):
    return task(retries=2, **kwargs)
