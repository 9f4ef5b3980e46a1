"""Writing conversion outputs: deterministic file names, all-or-nothing per DAG, never clobbering.

Every file is written to a temporary name in the output folder and renamed into place, so a reader
never sees a half-written file and a crash leaves no partial output.
"""
from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Dict, Iterable, List

from migrate.api import Conversion
from migrate.report import render_markdown

SAFE_STEM = re.compile(r"[^A-Za-z0-9_.-]+")


def file_stem(dag_id: str) -> str:
    """A file-system-safe stem for a dag id: ASCII letters, digits, '_', '.', '-'."""
    stem = SAFE_STEM.sub("_", dag_id).strip(".") or "dag"
    return stem[:120]


def assign_stems(dag_ids: Iterable[str]) -> Dict[str, str]:
    """Stems for a batch, made unique deterministically in the order given (x, x-2, x-3 ...)."""
    taken: Dict[str, int] = {}
    out: Dict[str, str] = {}
    for dag_id in dag_ids:
        base = file_stem(dag_id)
        stem = base
        n = taken.get(base.lower(), 0)
        while stem.lower() in taken:
            n += 1
            stem = f"{base}-{n + 1}"
        taken[stem.lower()] = 0
        taken[base.lower()] = n
        out.setdefault(dag_id, stem)
    return out


def output_paths(outdir: Path, stem: str, compiled: bool) -> Dict[str, Path]:
    paths = {
        "python": outdir / f"{stem}_pipeline.py",
        "report_json": outdir / f"{stem}.migration.json",
        "report_md": outdir / f"{stem}.migration.md",
    }
    if compiled:
        paths["yaml"] = outdir / f"{stem}.yaml"
    return paths


def python_with_output_name(conversion: Conversion, stem: str) -> str:
    """The generated module compiles to `<stem>.yaml` next to itself when run as a script."""
    return conversion.emitted.python_source.replace("__KFMIGRATE_YAML_NAME__", f"{stem}.yaml")


def existing(paths: Dict[str, Path]) -> List[Path]:
    return [p for p in paths.values() if p.exists() or p.is_symlink()]


def write_conversion(conversion: Conversion, outdir: Path, stem: str) -> Dict[str, Path]:
    """Write one DAG's outputs. The caller has checked for existing files (or --force)."""
    outdir.mkdir(parents=True, exist_ok=True)
    paths = output_paths(outdir, stem, conversion.yaml_text is not None)
    report = dict(conversion.report)
    report["outputs"] = {kind: path.name for kind, path in paths.items()}
    contents = {
        "python": python_with_output_name(conversion, stem),
        "report_json": json.dumps(report, indent=2, sort_keys=False, default=str) + "\n",
        "report_md": render_markdown(report),
    }
    if conversion.yaml_text is not None:
        contents["yaml"] = conversion.yaml_text
    staged: List[tuple] = []
    try:
        for kind, text in contents.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{paths[kind].name}.", suffix=".tmp", dir=outdir)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            staged.append((tmp, paths[kind]))
        for tmp, final in staged:
            os.replace(tmp, final)
    except BaseException:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
    return paths
