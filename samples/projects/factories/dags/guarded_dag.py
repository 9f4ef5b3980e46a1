"""A DAG behind guards Airflow evaluates at parse time: a feature flag and an optional import."""
import os

from airflow import DAG
from airflow.operators.bash import BashOperator

try:
    import acme_internal_sdk  # noqa: F401  (only on the production workers)
    HAVE_SDK = True
except ImportError:
    HAVE_SDK = False


def feature_enabled(name):
    return os.environ.get(f"ACME_FEATURE_{name.upper()}") == "1"


if feature_enabled("nightly") or HAVE_SDK:
    with DAG("guarded_nightly", schedule="@daily"):
        BashOperator(task_id="nightly", bash_command="echo nightly")
else:
    print("nightly DAG disabled")
