"""A DAG written for Airflow 1: operators imported through the plugin manager."""
from datetime import datetime

from airflow import DAG
from airflow.operators import GithubToS3Operator
from airflow.operators.slack_plugin import SlackAlertOperator

with DAG("legacy", schedule=None, start_date=datetime(2020, 1, 1)):
    copy = GithubToS3Operator(task_id="copy", repo="acme/app", bucket="acme-backup")
    alert = SlackAlertOperator(task_id="alert", channel="#data")
    copy >> alert
