"""Many DAG files at once: find them under folders, convert them on all cores, keep input order.

One bad file never stops a batch: its error travels in its FileResult and is reported at the end.
An interrupt (Ctrl-C, or SIGTERM turned into KeyboardInterrupt by the command) stops the batch at
once: the workers ignore SIGINT (so a Ctrl-C to the whole process group cannot leave one blocked
halfway through writing a result to its pipe) and are killed by the main process.
"""
from __future__ import annotations

import contextlib
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterable, Iterator, List, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.api import FileResult, convert_file, convert_parsed
from kfmigrate.migrate.diagnostics import ERROR, Diagnostic

PARALLEL_THRESHOLD = 4  # below this many files a worker pool costs more than it saves


def collect_inputs(paths: Iterable[Path], skip_dirs: Iterable[Path] = ()) -> Tuple[List[Path], List[Diagnostic]]:
    """Expand folders (recursively, following no symlink loop twice) into .py files, sorted.

    skip_dirs: folders not to enter when found inside a given folder (convert's output folder, whose
    generated pipelines are no DAGs); a folder given itself is still read.
    """
    files: List[Path] = []
    problems: List[Diagnostic] = []
    seen_dirs = set()
    skipped = {Path(os.path.realpath(folder)) for folder in skip_dirs}

    def problem(path: Path, message: str, code: str = "KFM100") -> None:
        problems.append(Diagnostic(code, message, ERROR, ir.SourceSpan(str(path), 1, 1)))

    def walk(folder: Path) -> None:
        try:
            real = folder.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            problem(folder, f"cannot resolve folder: {exc}")
            return
        if real in seen_dirs:
            problem(folder, "symlink loop: folder already visited", "KFM100")
            return
        seen_dirs.add(real)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problem(folder, f"cannot list folder: {exc.strerror or exc}")
            return
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            try:
                is_dir = entry.is_dir()
            except OSError as exc:
                problem(path, f"cannot stat: {exc.strerror or exc}")
                continue
            if is_dir:
                if Path(os.path.realpath(path)) not in skipped:
                    walk(path)
            elif entry.name.endswith(".py"):
                files.append(path)

    for path in paths:
        path = Path(path)
        if path.is_dir():
            walk(path)
        elif path.exists() or path.is_symlink():
            files.append(path)
        else:
            problem(path, "no such file or folder")
    return files, problems


def _convert_chunk(items) -> List[FileResult]:
    return [_convert_one(item) for item in items]


def _convert_one(args) -> FileResult:
    item, compile, xcom_transport, environment, project = args
    if isinstance(item, FileResult):  # a front-end's error travels as it is
        return item
    if not isinstance(item, Path):  # a ParseResult another front-end built (kfmigrate.migrate.load)
        return convert_parsed(item, compile=compile, xcom_transport=xcom_transport, environment=environment)
    return convert_file(item, compile=compile, xcom_transport=xcom_transport, environment=environment, project=project)


def convert_many(files: List, compile: bool = True, jobs: int = 1, xcom_transport: str = "parameter",
                 environment=None, project=None) -> List[FileResult]:
    """environment, project: see kfmigrate.migrate.api.convert_source (the same for every file). files: paths
    to parse, or what kfmigrate.migrate.load built for them (ParseResult, or FileResult carrying its error)."""
    return list(iter_convert(files, compile=compile, jobs=jobs, xcom_transport=xcom_transport, environment=environment,
                             project=project))


def iter_convert(files: List[Path], compile: bool = True, jobs: int = 1, xcom_transport: str = "parameter",
                 chunksize: int = 0, environment=None, project=None) -> Iterator[FileResult]:
    """Each file's FileResult in input order, as soon as it is ready (so a caller can write outputs
    while the rest converts). Closing the generator, or an interrupt while it waits, kills the workers."""
    with _fewer_collections():
        yield from _iter_convert(files, compile, jobs, xcom_transport, chunksize, environment, project)


def _iter_convert(files, compile, jobs, xcom_transport, chunksize, environment, project) -> Iterator[FileResult]:
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        for item in files:
            yield _convert_one((item, compile, xcom_transport, environment, project))
        return
    from concurrent.futures.process import BrokenProcessPool

    _load_converter(compile)
    done = 0
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(files)), mp_context=_fork_context(), initializer=_worker_signals)
    try:
        # small chunks: files differ up to 30x in cost, and the last chunk alone decides when the batch ends
        chunksize = chunksize or max(1, len(files) // (jobs * 24))
        items = [(item, compile, xcom_transport, environment, project) for item in files]
        # submit rather than pool.map: map cancels its futures when interrupted, and a future cancelled
        # while the killed pool fails the rest makes CPython 3.11's manager thread raise InvalidStateError
        with _sigint_ignored():  # the workers fork while the work is submitted: none may see a Ctrl-C before
            chunks = [pool.submit(_convert_chunk, items[i:i + chunksize]) for i in range(0, len(items), chunksize)]
        for chunk in chunks:
            for result in chunk.result():
                done += 1
                yield result
    except BrokenProcessPool:
        # a worker died (killed, out of memory, a crash in native code): finish the rest one file
        # per process, so only the file that kills its process is reported and the batch goes on
        for item in files[done:]:
            yield _convert_isolated(item, compile, xcom_transport, environment, project)
    except BaseException:  # KeyboardInterrupt, SystemExit, GeneratorExit: stop now, leave nothing behind
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


@contextlib.contextmanager
def _fewer_collections():
    """Python's cycle collector, tuned for the batch and restored after it. Converting allocates millions of
    short-lived objects (libcst and ast trees) and few reference cycles: at the default thresholds the
    collector took ~8% of the CPU. What is alive when the batch starts is left out of its scans
    (gc.freeze), and young objects are collected 140 times less often; cycles are still collected in the
    young generations (peak memory over the Airflow example corpus: 55 MB against 48 MB)."""
    import gc

    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Kill a pool's workers and wait for them: shutdown() alone would wait for work in progress."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # CPython keeps them here
    manager = getattr(pool, "_executor_manager_thread", None)  # shutdown() forgets it
    for process in processes:
        process.kill()
    for process in processes:
        process.join(timeout=5)
    pool.shutdown(wait=False)  # no cancel_futures: the manager thread fails the pending ones (see iter_convert)
    if manager is not None:
        # it must be gone before the interpreter exits: Python's exit hook wakes it through a pipe
        # that it closes as it ends
        manager.join(timeout=5)


@contextlib.contextmanager
def _sigint_ignored():
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _worker_signals() -> None:
    """Workers leave interrupts to the main process (see the module docstring)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):  # forked workers inherit the command's handlers: back to the default
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _load_converter(compile: bool) -> None:
    """Import the converter (and kfp when compiling) once, before forking, so the workers inherit it
    instead of each importing it again (kfp alone costs about a second of CPU per process)."""
    if _fork_context() is None:
        return
    import kfmigrate.migrate.emit.builder  # noqa: F401
    import kfmigrate.migrate.parse  # noqa: F401
    import kfmigrate.migrate.report  # noqa: F401
    from kfmigrate.migrate.operators import discover

    discover()
    if compile:
        from kfmigrate.migrate.package import import_kfp

        import_kfp()
    import gc

    gc.freeze()  # what was just imported stays out of the collector's scans, and its pages shared after fork


def _fork_context():
    import multiprocessing

    # forkserver/spawn would re-import everything per worker; fork shares what is already loaded
    return multiprocessing.get_context("fork") if hasattr(os, "fork") else None


def _convert_isolated(item, compile: bool, xcom_transport: str = "parameter", environment=None,
                      project=None) -> FileResult:
    from concurrent.futures.process import BrokenProcessPool

    path = Path(item.path) if hasattr(item, "path") else item

    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=_fork_context(), initializer=_worker_signals) as pool:
            return pool.submit(_convert_one, (item, compile, xcom_transport, environment, project)).result()
    except BrokenProcessPool:
        return FileResult(path, error=Diagnostic(
            "KFM199", "internal error: the process converting this file died (please report it)", ERROR,
            ir.SourceSpan(str(path), 1, 1)))
