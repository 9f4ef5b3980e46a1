"""`--load`: build the IR from the live DAGs that Airflow's own DagBag loads (opt-in; it EXECUTES
the DAG files, in a subprocess: migrate/load/runner.py and _child.py). The IR is the same the static
parser builds (migrate/load/build.py), so the same mappers and emitter run.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Sequence

from kfmigrate.migrate.api import FileResult
from kfmigrate.migrate.batch import convert_many
from kfmigrate.migrate.load.build import build_file
from kfmigrate.migrate.load.runner import LoadOptions, import_error, load_files

__all__ = ["LoadOptions", "convert_loaded", "load_parsed", "loaded_items"]


def load_parsed(files: Sequence[Path], options: LoadOptions):
    """{file: ParseResult or FileResult with the error} for every file, in order."""
    loaded = load_files(list(files), options)
    out = {}
    for path in files:
        entry = loaded[path]
        if entry.error is not None:
            out[path] = FileResult(Path(path), error=entry.error)
            continue
        parsed = build_file(str(path), entry.record)
        parsed.diagnostics += entry.record.get("notes", [])
        # a file whose DAGs loaded while another file it imports failed: Airflow reports both
        for other, text in (entry.record.get("import_errors") or {}).items():
            parsed.diagnostics.append(import_error(Path(other), text))
        out[path] = parsed
    return out


def loaded_items(files: Sequence[Path], options: LoadOptions) -> List:
    """What kfmigrate.migrate.batch.convert_many / iter_convert take instead of paths, one per file in order."""
    parsed = load_parsed(files, options)
    return [parsed[f] for f in files]


def convert_loaded(files: Sequence[Path], options: LoadOptions, compile: bool = True, jobs: int = 1,
                   xcom_transport: str = "parameter", environment=None) -> List[FileResult]:
    """Like kfmigrate.migrate.batch.convert_many, from the live DAGs: load all files, then emit (and compile)."""
    return convert_many(loaded_items(files, options), compile=compile, jobs=jobs, xcom_transport=xcom_transport,
                        environment=environment)
