"""Golden pairs: each samples/dags DAG -> the exact KFP Python and compiled YAML we promise.

A change to the emitter shows up here as a readable diff. After an intended change, regenerate with
`KFMIGRATE_UPDATE_GOLDEN=1 pytest tests/golden` and review the diff before committing.
"""
import os
import re
from pathlib import Path

import pytest

from kfmigrate.migrate.api import convert_file
from kfmigrate.migrate.output import file_stem

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "expected"
SAMPLES = sorted((ROOT / "samples" / "dags").glob("*.py"))
UPDATE = os.environ.get("KFMIGRATE_UPDATE_GOLDEN") == "1"


# third-party pins follow the versions installed where the goldens are made (migrate/environment.py):
# compared without their version, so a new release of jinja2 does not fail this test
PIN = re.compile(r"(['\"])((?!kfmigrate-runtime)[A-Za-z0-9_.-]+)==[0-9][^'\"\s]*")


def normalise_pins(text: str) -> str:
    return PIN.sub(r"\1\2==<pinned>", text)


def normalise_yaml(text: str) -> str:
    """Drop the fields that change with the kfp release, not with our conversion."""
    return re.sub(r"(sdkVersion: kfp-)[0-9][^\s]*", r"\1<version>", text)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_sample_matches_golden(sample, monkeypatch):
    monkeypatch.chdir(ROOT)  # source paths in the output are relative to the repo, as users run it
    result = convert_file(sample.relative_to(ROOT))
    assert result.error is None, result.error.render()
    assert result.conversions, f"{sample} has no DAG"
    for conversion in result.conversions:
        assert conversion.yaml_text is not None, [d.render() for d in conversion.diagnostics]
        stem = file_stem(conversion.dag_id)
        actual = {
            f"{stem}_pipeline.py": conversion.emitted.python_source,
            f"{stem}.yaml": normalise_yaml(conversion.yaml_text),
        }
        for name, text in actual.items():
            path = GOLDEN / name
            if UPDATE:
                GOLDEN.mkdir(exist_ok=True)
                path.write_text(text)
            assert path.exists(), f"no golden file {path.name}: run with KFMIGRATE_UPDATE_GOLDEN=1"
            assert normalise_pins(text) == normalise_pins(path.read_text()), f"{name} differs from its golden file"


def test_every_golden_file_has_a_sample():
    produced = set()
    for sample in SAMPLES:
        for conversion in convert_file(sample, compile=False).conversions:
            stem = file_stem(conversion.dag_id)
            produced |= {f"{stem}_pipeline.py", f"{stem}.yaml"}
    stale = {p.name for p in GOLDEN.glob("*")} - produced
    assert not stale, f"golden files without a sample DAG: {sorted(stale)}"
