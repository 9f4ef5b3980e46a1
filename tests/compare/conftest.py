"""Shared fixture: one real `kfmigrate compare scaling` run that several tests read."""
import json

import pytest

from compare_helpers import run_compare


@pytest.fixture(scope="session")
def scaling_run(tmp_path_factory):
    """scaling, one small point, two repeats (one cold, one warm), real Airflow and real kfp.local."""
    out = tmp_path_factory.mktemp("compare-scaling")
    result = run_compare("scaling", "-o", str(out), "--repeats", "2", "--sweep", "3:2:1", "--no-probes")
    assert result.returncode == 0, result.stdout + result.stderr
    return out, json.loads((out / "results.json").read_text()), result
