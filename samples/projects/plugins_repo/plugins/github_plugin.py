"""An Airflow 1 style plugin: its operator was importable as airflow.operators.GithubToS3Operator."""
from airflow.models.baseoperator import BaseOperator
from airflow.plugins_manager import AirflowPlugin


class GithubToS3Operator(BaseOperator):
    def __init__(self, repo, bucket, **kwargs):
        super().__init__(**kwargs)
        self.repo = repo
        self.bucket = bucket

    def execute(self, context):
        print(f"copy {self.repo} to s3://{self.bucket}")


class GithubPlugin(AirflowPlugin):
    name = "github_plugin"
    operators = [GithubToS3Operator]
