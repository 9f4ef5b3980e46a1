"""The operator shim: packages, connections, code from the DAG file, and real runs (a class defined
in the DAG file and the SMTP provider's EmailOperator) on kfp.local, checked against Airflow."""
from __future__ import annotations

import json
import socketserver
import threading

import pytest

from operator_helpers import SAMPLES, convert, report_of
from kfmigrate.migrate.operators.shim import connection_ids, operator_packages, provider_distribution


@pytest.mark.parametrize("module,distribution", [
    ("airflow.providers.amazon.aws.operators.s3", "apache-airflow-providers-amazon"),
    ("airflow.providers.google.cloud.operators.bigquery", "apache-airflow-providers-google"),
    ("airflow.providers.common.sql.operators.sql", "apache-airflow-providers-common-sql"),
    ("airflow.providers.cncf.kubernetes.operators.pod", "apache-airflow-providers-cncf-kubernetes"),
    ("airflow.providers.apache.spark.operators.spark_submit", "apache-airflow-providers-apache-spark"),
    ("airflow.providers.microsoft.azure.operators.adls", "apache-airflow-providers-microsoft-azure"),
    ("airflow.providers.dbt.cloud.operators.dbt", "apache-airflow-providers-dbt-cloud"),
    ("airflow.providers.http.operators.http", "apache-airflow-providers-http"),
    ("airflow.operators.email", None),
    ("<this file>", None),
])
def test_provider_distribution(module, distribution):
    assert provider_distribution(module) == distribution
    assert operator_packages(module)[0] == "apache-airflow"


def test_connections_named_or_the_provider_default():
    result = convert('''
from airflow import DAG
from airflow.providers.amazon.aws.operators.s3 import S3ListOperator
from airflow.providers.amazon.aws.transfers.s3_to_redshift import S3ToRedshiftOperator
from airflow.providers.http.operators.http import HttpOperator

with DAG("conns", schedule=None):
    S3ListOperator(task_id="list", bucket="b")
    S3ToRedshiftOperator(task_id="copy", schema="s", table="t", s3_bucket="b", s3_key="k",
                         redshift_conn_id="warehouse", aws_conn_id="aws_prod")
    HttpOperator(task_id="ping", endpoint="/health", http_conn_id="api")
''')
    source = result.python_source
    assert "secret_name='airflow-conn-aws-default', secret_key_to_env={'uri': 'AIRFLOW_CONN_AWS_DEFAULT'}" in source
    assert "secret_name='airflow-conn-warehouse'" in source and "secret_name='airflow-conn-aws-prod'" in source
    # HttpOperator has no mapper of its own: the "*" fallback shims it
    assert report_of(result, "ping").fidelity == "shim"
    assert "'apache-airflow-providers-http==" in source  # pinned: installed here or resolved from the index
    notes = " ".join(report_of(result, "copy").differences)
    assert "kubectl create secret generic airflow-conn-warehouse" in notes


def test_operator_class_from_the_dag_file_is_carried_with_what_it_uses(tmp_path):
    dag = tmp_path / "custom_dag.py"
    dag.write_text('''
import json
from airflow.sdk import DAG, BaseOperator
from airflow.providers.standard.operators.bash import BashOperator

UNUSED = 1
FACTOR = 3


def scale(value):
    return value * FACTOR


class Base(BaseOperator):
    def __init__(self, value, **kwargs):
        super().__init__(**kwargs)
        self.value = value


class Scale(Base):
    def execute(self, context):
        return json.dumps(scale(self.value))


with DAG("custom", schedule=None):
    Scale(task_id="scale", value=2, on_failure_callback=print)
    BashOperator(task_id="other", bash_command="echo")
''')
    result = convert(dag)
    report = report_of(result, "scale")
    assert report.fidelity == "shim"
    source = result.python_source
    for needed in ("class Scale(Base):", "class Base(BaseOperator):", "def scale(value):", "FACTOR = 3", "import json",
                   "from airflow.sdk import DAG, BaseOperator"):
        assert needed in source, needed
    assert "UNUSED = 1" not in source and "with DAG" not in source
    assert "packages_to_install=RUNTIME_PACKAGES + ['apache-airflow==" in source
    assert "KFM208" in {d.code for d in report.diagnostics}  # the callback is reported, not passed to the operator


def test_class_source_that_cannot_be_found_gives_a_placeholder():
    result = convert('''
from airflow import DAG
from airflow.models import BaseOperator

class Local(BaseOperator):
    def execute(self, context):
        return 1

with DAG("nofile", schedule=None):
    Local(task_id="local")
''', path="does/not/exist.py")
    report = report_of(result, "local")
    assert report.fidelity == "placeholder"
    assert any(d.code == "KFM200" and "cannot be read again" in d.message for d in report.diagnostics)


def test_python_expressions_in_arguments_are_carried(tmp_path):
    dag = tmp_path / "http_dag.py"
    dag.write_text('''
from airflow import DAG
from airflow.providers.http.operators.http import HttpOperator


def healthy(response):
    return "ok" in response.text


with DAG("http_call", schedule=None):
    HttpOperator(task_id="call_api", http_conn_id="api", endpoint="health", response_check=healthy,
                 extra_options={"timeout": 3})
    HttpOperator(task_id="call_lambda", http_conn_id="api", endpoint="health",
                 response_filter=lambda response: response.json()["status"])
''')
    result = convert(dag)
    source = result.python_source
    assert "_dynamic_kwargs = {'response_check': 'healthy'}" in source
    assert "def healthy(response):" in source
    assert "'response_filter': 'lambda response: response.json()[\"status\"]'" in source
    assert {report_of(result, t).fidelity for t in ("call_api", "call_lambda")} == {"shim"}


@pytest.mark.slow
def test_custom_operator_sample_matches_airflow(run_kfp, airflow_samples):
    sample = SAMPLES / "operators_shim.py"
    result = convert(sample)
    assert {t.task_id: t.fidelity for t in result.tasks} == {"greet": "shim", "smooth": "shim"}
    kfp = run_kfp(result, logical_date="2024-03-05", who="team")
    assert kfp.state == "succeeded", kfp.error
    airflow = airflow_samples["operators_shim"]
    assert airflow.state == "success"
    expected = "HELLO TEAM ON 2024-03-05 HELLO TEAM ON 2024-03-05"
    assert airflow.tasks["greet"].xcom_return == expected
    assert json.loads(kfp.returned["greet"]) == expected
    assert kfp.by_task["smooth"].state == "succeeded"


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: every message is stored on the server."""

    def reply(self, text):
        self.wfile.write((text + "\r\n").encode())

    def handle(self):
        self.reply("220 loopback ESMTP")
        envelope = {"to": []}
        while True:
            line = self.rfile.readline().decode(errors="replace").strip()
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250 loopback")
            elif verb in ("HELO", "NOOP", "RSET"):
                self.reply("250 OK")
            elif verb == "MAIL":
                envelope["from"] = line.split(":", 1)[1].strip()
                self.reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(line.split(":", 1)[1].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with .")
                body = []
                while (data := self.rfile.readline().decode(errors="replace")) not in (".\r\n", ".\n", ""):
                    body.append(data)
                self.server.messages.append(dict(envelope, data="".join(body)))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


@pytest.mark.slow
def test_email_operator_sends_through_the_smtp_provider(run_kfp, monkeypatch):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    server.daemon_threads = True
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps({
            "conn_type": "smtp", "host": "127.0.0.1", "port": server.server_address[1],
            "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "airflow@example.com", "retry_limit": 0}}))
        result = convert('''
from airflow import DAG
from airflow.operators.email import EmailOperator

with DAG("mail", schedule=None, params={"team": "data"}):
    EmailOperator(task_id="notify", to=["{{ params.team }}@example.com"], subject="Done {{ ds }}",
                  html_content="<p>run {{ run_id }}</p>")
''')
        assert report_of(result, "notify").fidelity == "shim"
        run = run_kfp(result, logical_date="2024-03-05", run_id="manual__x")
        assert run.state == "succeeded", run.error
    finally:
        server.shutdown()
        server.server_close()
    assert len(server.messages) == 1
    message = server.messages[0]
    assert message["to"] == ["<data@example.com>"] and message["from"] == "<airflow@example.com>"
    import email

    parsed = email.message_from_string(message["data"])
    assert parsed["Subject"] == "Done 2024-03-05"
    html = next(part for part in parsed.walk() if part.get_content_type() == "text/html")
    assert html.get_payload(decode=True).decode() == "<p>run manual__x</p>"


def test_deferrable_and_reschedule_wait_in_the_pod():
    result = convert('''
from airflow import DAG
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

with DAG("wait_s3", schedule=None):
    S3KeySensor(task_id="landed", bucket_key="s3://raw/x.csv", deferrable=True, mode="reschedule")
''')
    assert "'deferrable': False" in result.python_source and "'mode': 'poke'" in result.python_source
    assert "deferrable: bool" not in result.python_source  # not an input any more
    assert any("deferrable=False, mode='poke'" in d for d in report_of(result, "landed").differences)


@pytest.mark.slow
def test_airflow_example_with_a_skipping_custom_operator(run_kfp, airflow_samples):
    """example_skip_dag (from the Airflow wheel): a class defined in the file raising AirflowSkipException,
    with `from __future__ import annotations` and TYPE_CHECKING-only imports in its file."""
    from operator_helpers import AIRFLOW_EXAMPLES

    result = convert(AIRFLOW_EXAMPLES / "example_skip_dag.py")
    shimmed = [t.task_id for t in result.tasks if t.fidelity == "shim"]
    assert shimmed == ["skip_operator_1", "skip_operator_2"]
    kfp = run_kfp(result, logical_date="2024-03-05")
    assert kfp.state == "succeeded", kfp.error
    airflow = airflow_samples["example_skip_dag"]
    for task_id in shimmed:
        assert airflow.tasks[task_id].state == "skipped"
        assert kfp.by_task[task_id].outputs["airflow_skipped"] is True


def test_provider_branch_operators_are_placeholders_that_say_why():
    result = convert('''
from airflow import DAG
from airflow.providers.common.sql.operators.sql import BranchSQLOperator

with DAG("sql_branch", schedule=None):
    BranchSQLOperator(task_id="choose", conn_id="db", sql="select 1", follow_task_ids_if_true=["a"], follow_task_ids_if_false=["b"])
''')
    report = report_of(result, "choose")
    assert report.fidelity == "placeholder"
    assert any("branch operator" in d.message for d in report.diagnostics)


def test_sql_files_next_to_the_dag_are_inlined(tmp_path):
    (tmp_path / "report.sql").write_text("SELECT count(*) FROM events WHERE day = '{{ ds }}'\n")
    dag = tmp_path / "sql_file.py"
    dag.write_text('''
from airflow import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator

with DAG("sql_file", schedule=None):
    SQLExecuteQueryOperator(task_id="report", conn_id="db", sql="report.sql")
    SQLExecuteQueryOperator(task_id="missing", conn_id="db", sql=["report.sql", "gone.sql"])
''')
    result = convert(dag)
    assert "\"SELECT count(*) FROM events WHERE day = '{{ ds }}'\\n\"" in result.python_source  # Airflow renders it in the task
    assert any("read at conversion time" in d for d in report_of(result, "report").differences)
    assert any(d.code == "KFM221" and "gone.sql" in d.message for d in report_of(result, "missing").diagnostics)
