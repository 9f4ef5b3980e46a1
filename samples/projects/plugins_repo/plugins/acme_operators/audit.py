"""An operator with its own execute(): it runs as itself (through the operator shim)."""
from airflow.models.baseoperator import BaseOperator


class AuditOperator(BaseOperator):
    template_fields = ("message",)

    def __init__(self, message, **kwargs):
        super().__init__(**kwargs)
        self.message = message

    def execute(self, context):
        print(f"audit: {self.message}")
        return self.message
