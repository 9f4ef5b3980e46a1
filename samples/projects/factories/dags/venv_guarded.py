"""Airflow 2.10's example DAG shapes: DAGs defined only when virtualenv is installed where Airflow parses.

(example_branch_operator.py and tutorial_taskflow_api_virtualenv.py guard their DAGs this way.)
"""
import logging

import pendulum
from airflow import DAG
from airflow.decorators import dag, task
from airflow.operators.empty import EmptyOperator
from airflow.operators.python import is_venv_installed

log = logging.getLogger(__name__)

if is_venv_installed():
    with DAG("venv_branch", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False):

        @task.branch()
        def pick():
            return "left"

        pick() >> [EmptyOperator(task_id="left"), EmptyOperator(task_id="right")]

if not is_venv_installed():
    log.warning("The venv_tutorial DAG requires virtualenv, please install it.")
else:

    @dag(schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"), catchup=False)
    def venv_tutorial():
        @task.virtualenv(requirements=["colorama==0.4.6"], system_site_packages=False)
        def extract():
            return {"a": 1, "b": 2}

        @task()
        def total(values: dict):
            return sum(values.values())

        total(extract())

    venv_tutorial()
