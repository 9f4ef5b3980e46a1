"""The report rendered from stored results: report.md and report.html stay byte for byte what they were.

The results are real `kfmigrate compare` runs (ml-training + a scaling sweep with caching and probes;
a user DAG; dag.test() beside the scheduler), trimmed to what the report reads. The expected files
were rendered before compare/report.py was split into compare/report/; a change to the report's text
shows here. Plots are left out (their PNG bytes follow matplotlib's version). After an intended change:
`KFMIGRATE_UPDATE_GOLDEN=1 pytest tests/compare/test_report_render.py` and review the diff.
"""
import json
import os
from pathlib import Path

import pytest

from kfmigrate.compare.report import write_report

DATA = Path(__file__).resolve().parent / "data" / "report"
UPDATE = os.environ.get("KFMIGRATE_UPDATE_GOLDEN") == "1"
CASES = sorted(path.name.removesuffix(".results.json") for path in DATA.glob("*.results.json"))


@pytest.mark.parametrize("case", CASES)
def test_the_report_renders_as_before(case, tmp_path):
    results = json.loads((DATA / f"{case}.results.json").read_text(encoding="utf-8"))
    written = write_report(results, tmp_path, with_plots=False)
    assert sorted(written) == ["report.html", "report.md", "results.json"]
    assert json.loads((tmp_path / "results.json").read_text()) == results
    for name in ("report.md", "report.html"):
        expected = DATA / f"{case}.{name}"
        if UPDATE:
            expected.write_bytes((tmp_path / name).read_bytes())
        assert expected.exists(), f"no expected {expected.name}: run with KFMIGRATE_UPDATE_GOLDEN=1"
        assert (tmp_path / name).read_bytes() == expected.read_bytes(), f"{case}: {name} changed"


def test_every_stored_case_is_checked():
    assert CASES == ["airflow-scheduler", "ml-training-and-scaling", "your-dag"]
