"""LatestOnlyOperator on kfp.local: manual runs follow everything, an old scheduled run follows
nothing, the latest scheduled run follows everything (Airflow 3's rule); Airflow for the manual run."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from operator_helpers import convert, report_of

pytestmark = pytest.mark.slow

DAG = '''
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.latest_only import LatestOnlyOperator

with DAG("latest_daily", start_date=datetime(2024, 1, 1), schedule="0 6 * * *", catchup=False):
    LatestOnlyOperator(task_id="latest_only") >> BashOperator(task_id="publish", bash_command="echo publish")
'''


def test_latest_only_decides_like_airflow(run_kfp, airflow_samples):
    airflow = airflow_samples["operators_control"]  # dag.test: a manual run
    assert airflow.tasks["latest_only"].xcom_return == ["publish"] and airflow.tasks["publish"].state == "success"

    result = convert(DAG)
    name = report_of(result, "latest_only").kfp_task
    import croniter

    last = croniter.croniter("0 6 * * *", dt.datetime.now(dt.timezone.utc)).get_prev(dt.datetime)  # the latest scheduled run
    before = last - dt.timedelta(days=1)
    cases = {
        "manual": ({"logical_date": "2024-03-05"}, ["publish"]),
        "old scheduled": ({"logical_date": before.isoformat(), "run_id": f"scheduled__{before.isoformat()}"}, []),
        "latest scheduled": ({"logical_date": last.isoformat(), "run_id": f"scheduled__{last.isoformat()}"}, ["publish"]),
    }
    for label, (params, follow) in cases.items():
        run = run_kfp(result, **params)
        assert run.state == "succeeded", (label, run.error)
        outputs = run.tasks[name].outputs
        assert outputs["airflow_follow"] == follow, label
        assert json.loads(outputs["return_value"]) == (follow or None), label
        # the emitter applies the decision like a branch: publish runs inside a dsl.If on it, so it
        # does not even start exactly when not followed
        assert (run.by_task["publish"].state == "skipped") is (not follow), label
    assert "KFM210" not in {d.code for d in report_of(result, "latest_only").diagnostics}
