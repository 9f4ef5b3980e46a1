"""Connections and Variables: every one a task uses is wired into its component from a Kubernetes
Secret / ConfigMap (compiled platform spec), and the migration report lists each with its manifest."""
from __future__ import annotations

import json

import yaml

from operator_helpers import SAMPLES
from kfmigrate.migrate.api import convert_file
from kfmigrate.migrate.report import render_markdown

SAMPLE = SAMPLES / "connections_variables.py"


def conversion():
    (converted,) = convert_file(SAMPLE).conversions
    return converted


def test_each_task_reads_its_connections_and_variables_from_the_cluster():
    converted = conversion()
    spec, platform = list(yaml.safe_load_all(converted.yaml_text))
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    by_task = {}
    for task in spec["root"]["dag"]["tasks"].values():
        config = executors.get(spec["components"][task["componentRef"]["name"]]["executorLabel"], {})
        envs = {item["secretName"]: item["keyToEnv"][0]["envVar"] for item in config.get("secretAsEnv", [])}
        envs.update({item["configMapName"]: item["keyToEnv"][0]["envVar"] for item in config.get("configMapAsEnv", [])})
        by_task[task["taskInfo"]["name"]] = envs
    assert by_task["load_events"] == {"airflow-conn-warehouse": "AIRFLOW_CONN_WAREHOUSE", "airflow-var-schema": "AIRFLOW_VAR_SCHEMA"}
    assert by_task["count_reports"] == {"airflow-conn-reporting-db": "AIRFLOW_CONN_REPORTING_DB",
                                        "airflow-var-report-limit": "AIRFLOW_VAR_REPORT_LIMIT"}
    assert by_task["api_host"] == {"airflow-conn-partner-api": "AIRFLOW_CONN_PARTNER_API"}
    assert by_task["notify"] == {"airflow-conn-partner-api": "AIRFLOW_CONN_PARTNER_API", "airflow-var-alerting": "AIRFLOW_VAR_ALERTING"}


def test_report_lists_each_one_with_its_manifest():
    typed = conversion().report
    report = typed.to_json()
    json.dumps(report)  # the .migration.json must stay JSON
    cluster = report["cluster"]
    connections = {c["name"]: c for c in cluster["connections"]}
    variables = {v["name"]: v for v in cluster["variables"]}
    assert set(connections) == {"warehouse", "reporting_db", "partner_api"}
    assert set(variables) == {"schema", "report_limit", "alerting"}
    assert connections["partner_api"]["tasks"] == ["api_host", "notify"]
    assert connections["reporting_db"]["manifest"] == {
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "airflow-conn-reporting-db"}, "type": "Opaque",
        "stringData": {"uri": "postgres://<login>:<password>@<host>:<port>/<schema>"}}
    assert variables["alerting"]["manifest"]["data"] == {"value": "<JSON value of Variable alerting>"}  # {{ var.json.alerting }}
    assert variables["schema"]["kubectl"] == "kubectl create configmap airflow-var-schema --from-literal=value='<value of Variable schema>'"
    assert any("Variable.get in count_reports()" == u["via"] for u in variables["report_limit"]["used_by"])

    md = render_markdown(typed)
    section = md[md.index("## Connections and Variables"):]
    manifests = section[section.index("```yaml") + len("```yaml"):section.index("```", section.index("```yaml") + 7)]
    documents = list(yaml.safe_load_all(manifests))
    assert [d["metadata"]["name"] for d in documents] == [
        "airflow-conn-partner-api", "airflow-conn-reporting-db", "airflow-conn-warehouse",
        "airflow-var-alerting", "airflow-var-report-limit", "airflow-var-schema"]
    assert documents == [c["manifest"] for c in cluster["connections"]] + [v["manifest"] for v in cluster["variables"]]


def test_operator_default_connection_and_unresolved_ids_are_reported(tmp_path):
    dag = tmp_path / "defaults.py"
    dag.write_text('''
from airflow import DAG
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor
from airflow.providers.standard.operators.bash import BashOperator

with DAG("defaults", schedule=None, params={"conn": "x"}):
    S3KeySensor(task_id="landed", bucket_name="raw", bucket_key="k")
    BashOperator(task_id="dyn", bash_command="echo {{ var.value.get('region') }}", env={"C": "{{ params.conn }}"})
''')
    (converted,) = convert_file(dag, compile=False).conversions
    cluster = converted.report.to_json()["cluster"]
    (aws,) = cluster["connections"]
    assert aws["name"] == "aws_default" and aws["object"] == "airflow-conn-aws-default"
    assert aws["manifest"]["stringData"]["uri"].startswith("aws://")
    assert [v["name"] for v in cluster["variables"]] == ["region"]


def test_default_args_connections_are_not_wired_into_python_tasks(tmp_path):
    dag = tmp_path / "defaults_args.py"
    dag.write_text('''
from airflow import DAG
from airflow.providers.standard.operators.python import PythonOperator

def work():
    from airflow.sdk import Variable
    return Variable.get("threshold")

with DAG("default_conn", schedule=None, default_args={"postgres_conn_id": "warehouse"}):
    PythonOperator(task_id="work", python_callable=work)
''')
    (converted,) = convert_file(dag, compile=False).conversions
    source = converted.emitted.python_source
    assert "config_map_name='airflow-var-threshold'" in source
    assert "airflow-conn-warehouse" not in source  # PythonOperator does not take postgres_conn_id from default_args
