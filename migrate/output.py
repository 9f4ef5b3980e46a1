"""Writing conversion outputs: deterministic file names, all-or-nothing per DAG, never clobbering.

Every file is written to a temporary name in the output folder and renamed into place, so a reader
never sees a half-written file and a crash leaves no partial output.
"""
from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Dict, Iterable, List

from kfmigrate.migrate.api import Conversion
from kfmigrate.migrate.contracts import REPORT_SUFFIX
from kfmigrate.migrate.report import render_markdown

SAFE_STEM = re.compile(r"[^A-Za-z0-9_.-]")  # one "_" per unsafe character, as the emitter names the YAML


def file_stem(dag_id: str) -> str:
    """A file-system-safe stem for a dag id: ASCII letters, digits, '_', '.', '-'."""
    stem = SAFE_STEM.sub("_", dag_id).strip(".") or "dag"
    return stem[:120]


class Stems:
    """Hands out one stem per DAG, in the order asked, unique case-insensitively (x, x-2, x-3 ...).

    Two files may define the same dag id (Airflow would ignore the second): each still gets its own
    stem, so one never silently replaces the other's outputs.
    """

    def __init__(self):
        self.taken: set = set()

    def next(self, dag_id: str) -> str:
        base = file_stem(dag_id)
        stem, n = base, 1
        while stem.lower() in self.taken:
            n += 1
            stem = f"{base}-{n}"
        self.taken.add(stem.lower())
        return stem


def stem_list(dag_ids: Iterable[str]) -> List[str]:
    """One stem per DAG, in the order given (see Stems)."""
    stems = Stems()
    return [stems.next(dag_id) for dag_id in dag_ids]


def assign_stems(dag_ids: Iterable[str]) -> Dict[str, str]:
    """dag id -> stem for distinct dag ids (see stem_list)."""
    ids = list(dict.fromkeys(dag_ids))
    return dict(zip(ids, stem_list(ids)))


def output_paths(outdir: Path, stem: str, compiled: bool) -> Dict[str, Path]:
    paths = {
        "python": outdir / f"{stem}_pipeline.py",
        "report_json": outdir / f"{stem}{REPORT_SUFFIX}",
        "report_md": outdir / f"{stem}.migration.md",
    }
    if compiled:
        paths["yaml"] = outdir / f"{stem}.yaml"
    return paths


PACKAGE_SUFFIXES = (".tar.gz", ".tgz", ".zip", ".yaml", ".yml", ".json", ".py")


def report_next_to(package: Path) -> Path:
    """<out>/<stem>.migration.json for <out>/<stem>.yaml, <out>/<stem>_pipeline.py or another package of
    <stem> (what convert writes; the stem may hold dots)."""
    name = package.name
    stem = next((name[: -len(suffix)] for suffix in PACKAGE_SUFFIXES if name.endswith(suffix)), package.stem)
    stem = stem.removesuffix("_pipeline")
    return package.with_name(f"{stem}{REPORT_SUFFIX}")


def python_with_output_name(conversion: Conversion, stem: str) -> str:
    """The generated module compiles to `<stem>.yaml` next to itself when run as a script (the stem
    may carry a -2 suffix when two DAGs of a batch share a name)."""
    emitted = conversion.emitted
    wanted = f"{stem}.yaml"
    if emitted.yaml_name and emitted.yaml_name != wanted:
        return emitted.python_source.replace(f"with_name({emitted.yaml_name!r})", f"with_name({wanted!r})")
    return emitted.python_source


def existing(paths: Dict[str, Path]) -> List[Path]:
    return [p for p in paths.values() if p.exists() or p.is_symlink()]


class OutputError(Exception):
    """One DAG's outputs could not be written; nothing of them was left behind."""


def _file_mode() -> int:
    """The mode a plain open() would give (mkstemp makes 0600 files), i.e. 0666 minus the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def up_to_date(conversion: Conversion, outdir: Path, stem: str) -> Dict[str, bool]:
    """For each output file that exists: True when it already holds exactly what would be written
    (a re-run of an interrupted batch), False when it differs (someone's edits: KFM302 without --force)."""
    paths = output_paths(outdir, stem, conversion.yaml_text is not None)
    found = {}
    for kind, data in _encoded(conversion, paths, stem).items():
        path = paths[kind]
        if path.is_symlink() or not path.exists():
            found[kind] = False if path.is_symlink() else None
            continue
        try:
            found[kind] = path.is_file() and (path.read_bytes() == data or (kind == "yaml" and _same_yaml(path, data)))
        except OSError:
            found[kind] = False
    return {kind: same for kind, same in found.items() if same is not None}


def _same_yaml(path: Path, data: bytes) -> bool:
    """Whether the YAML at `path` loads to the same documents as `data`: `python X_pipeline.py` recompiles
    the spec with kfp's writer, which folds lines differently from ours (kfmigrate.migrate.package.pipeline_yaml)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return list(yaml.load_all(path.read_bytes(), Loader=loader)) == list(yaml.load_all(data, Loader=loader))
    except yaml.YAMLError:
        return False


def write_conversion(conversion: Conversion, outdir: Path, stem: str, skip: Iterable[str] = ()) -> Dict[str, Path]:
    """Write one DAG's outputs, except the kinds in `skip` (already on disk as they would be written).
    The caller has checked for existing files (or --force).

    All texts are encoded before anything is written, each file goes to a temporary name and is
    renamed into place only when all of them are on disk; on any failure the temporaries are removed
    and OutputError says why.
    """
    paths = output_paths(outdir, stem, conversion.yaml_text is not None)
    encoded = {kind: data for kind, data in _encoded(conversion, paths, stem).items() if kind not in set(skip)}
    with interrupts_deferred():  # a Ctrl-C lands before or after a DAG's files, never between them
        return _write_all(encoded, paths, outdir)


def _write_all(encoded: Dict[str, bytes], paths: Dict[str, Path], outdir: Path) -> Dict[str, Path]:
    staged: List[tuple] = []
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        mode = _file_mode()
        for kind, data in encoded.items():
            fd, tmp = tempfile.mkstemp(prefix=f".{paths[kind].name}.", suffix=".tmp", dir=outdir)
            staged.append((tmp, paths[kind]))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, mode)
        for tmp, final in staged:
            os.replace(tmp, final)
    except OSError as exc:
        _remove(staged)
        raise OutputError(f"{exc.filename or outdir}: cannot write output: {exc.strerror or exc}") from None
    except BaseException:
        _remove(staged)
        raise
    return paths


@contextlib.contextmanager
def interrupts_deferred():
    """SIGINT/SIGTERM/SIGHUP that arrive while the block runs take effect right after it (main thread).

    Python runs signal handlers in the main thread whichever thread the kernel picked, so blocking
    them per thread is not enough in a process with worker threads: the handlers are swapped for one
    that only notes the signal, and the noted signal is raised again once the old ones are back."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: List[int] = []
    previous = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            number = getattr(signal, name)
            previous[number] = signal.signal(number, lambda signum, frame: noted.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if noted:
            signal.raise_signal(noted[0])


def _encoded(conversion: Conversion, paths: Dict[str, Path], stem: str) -> Dict[str, bytes]:
    """Each output's bytes; OutputError when a text cannot be UTF-8 encoded."""
    report = dataclasses.replace(conversion.report, outputs={kind: path.name for kind, path in paths.items()})
    contents = {
        "python": python_with_output_name(conversion, stem),
        "report_json": json.dumps(report.to_json(), indent=2, sort_keys=False, default=str) + "\n",
        "report_md": render_markdown(report),
    }
    if conversion.yaml_text is not None:
        contents["yaml"] = conversion.yaml_text
    encoded = {}
    for kind, text in contents.items():
        try:
            encoded[kind] = text.encode("utf-8")
        except UnicodeEncodeError as exc:  # e.g. a lone surrogate from a "\ud800" escape in the DAG
            raise OutputError(f"{paths[kind].name}: generated text cannot be written as UTF-8 ({exc.reason} at "
                              f"character {exc.start}); please report it") from None
    return encoded


def _remove(staged: List[tuple]) -> None:
    for tmp, _ in staged:
        try:
            os.unlink(tmp)
        except OSError:
            pass
