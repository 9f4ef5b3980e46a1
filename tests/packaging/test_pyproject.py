"""pyproject metadata that installs without setuptools' deprecation block (issue 14, item 17)."""
import re
import tomllib
from pathlib import Path

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))


def test_license_is_an_spdx_string_and_setuptools_reads_it():
    # `license = {text = ...}` prints "License classifiers are deprecated / project.license as a TOML
    # table is deprecated" on every build with setuptools >= 77; the SPDX string form needs >= 77
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    setuptools = next(r for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools"))
    minimum = re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", setuptools)
    assert minimum and int(minimum.group(1)) >= 77, setuptools
    # a License :: classifier next to an SPDX expression is an error for setuptools >= 77
    assert not [c for c in PYPROJECT["project"].get("classifiers", ()) if c.startswith("License ::")]
