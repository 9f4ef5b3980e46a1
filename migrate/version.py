"""kfmigrate's version, as the reports the converter writes state it.

From the installed distribution's metadata (importlib.metadata); when kfmigrate runs from a source
tree that is not installed, from that tree's pyproject.toml. Not from the `kfmigrate` package: the
arrows run kfmigrate -> migrate, never back.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


@functools.lru_cache(maxsize=None)
def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("kfmigrate")
    except PackageNotFoundError:
        return source_version()


def source_version() -> str:
    """The [project] version of the source tree's pyproject.toml ("unknown" without one)."""
    try:
        text = PYPROJECT.read_text(encoding="utf-8")
    except OSError:
        return "unknown"
    project = re.search(r"^\[project\]$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    found = re.search(r'^version\s*=\s*"([^"]+)"', project.group(1) if project else "", re.M)
    return found.group(1) if found else "unknown"
