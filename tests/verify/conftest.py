"""Verify tests share one kfmigrate cache (the migrated Airflow template database is built once)."""
import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def verify_cache(tmp_path_factory):
    cache = tmp_path_factory.mktemp("kfmigrate-cache")
    previous = os.environ.get("KFMIGRATE_CACHE")
    os.environ["KFMIGRATE_CACHE"] = str(cache)
    yield cache
    if previous is None:
        os.environ.pop("KFMIGRATE_CACHE", None)
    else:
        os.environ["KFMIGRATE_CACHE"] = previous
