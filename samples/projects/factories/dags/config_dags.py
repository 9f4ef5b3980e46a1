"""DAGs generated from config files read when Airflow parses this file."""
import json
import os

import yaml
from airflow import DAG
from airflow.operators.bash import BashOperator

HERE = os.path.dirname(__file__)
SETTINGS_FILE = os.environ.get("ACME_SETTINGS", os.path.join(HERE, "config", "settings.json"))

with open(os.path.join(HERE, "config", "pipelines.yaml")) as handle:
    PIPELINES = yaml.safe_load(handle)["pipelines"]

with open(SETTINGS_FILE) as handle:
    SETTINGS = json.load(handle)

for pipeline in PIPELINES:
    with DAG(f"load_{pipeline['name']}", schedule=pipeline["schedule"], default_args={"retries": SETTINGS["retries"]}):
        previous = None
        for table in pipeline["tables"]:
            load = BashOperator(task_id=f"load_{table}", bash_command=f"echo gs://{SETTINGS['bucket']}/{table}")
            if previous is not None:
                previous >> load
            previous = load
