"""An operator with its own execute(): it runs as itself (through the operator shim), and the project
module it imports travels with it."""
from airflow.models.baseoperator import BaseOperator

from acme_operators.formatting import banner


class AuditOperator(BaseOperator):
    template_fields = ("message",)

    def __init__(self, message, **kwargs):
        super().__init__(**kwargs)
        self.message = message

    def execute(self, context):
        print(banner(f"audit: {self.message}"))
        return self.message
