"""Writing a report: results.json, report.md with its PNGs beside it, and report.html."""
from __future__ import annotations

import json
import os
from pathlib import Path

from kfmigrate.compare.report.document import Image
from kfmigrate.compare.report.render import to_html, to_markdown
from kfmigrate.compare.report.sections import build_blocks


def write_report(results: dict, out_dir: Path, with_plots: bool = True) -> dict:
    """Write results.json, report.md (+ PNGs) and report.html into out_dir; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    blocks = build_blocks(results, with_plots)
    written = {}
    for block in blocks:
        if isinstance(block, Image):
            written[block.name] = _atomic_write(out_dir / block.name, block.png)
    written["results.json"] = _atomic_write(out_dir / "results.json",
                                            json.dumps(results, indent=1, default=str).encode())
    written["report.md"] = _atomic_write(out_dir / "report.md", to_markdown(blocks).encode())
    written["report.html"] = _atomic_write(out_dir / "report.html",
                                           to_html(blocks, "kfmigrate compare: Airflow + MLflow vs KFP").encode())
    return written


def _atomic_write(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path
