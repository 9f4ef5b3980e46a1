"""What a `kfmigrate convert` batch comes to, and its exit code.

    batch = ConvertBatch(outdir, files, input_problems, force=force)
    for event in batch.write(results):   # results: kfmigrate.migrate.batch.iter_convert(...)
        ...print the event...
    sys.exit(batch.exit_code(strict))

Each converted DAG's outputs are written as soon as it is converted, found up to date (an earlier,
interrupted run wrote exactly this), or refused (another content is on disk, without --force). The
command prints the events as they come and the summary at the end; every decision (what counts as
converted, what fails the batch, what --strict refuses) is made here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional

from kfmigrate.migrate.api import Conversion, FileResult, compile_failed
from kfmigrate.migrate.diagnostics import NO_DAG_CODES, Diagnostic

EXIT_OK = 0
EXIT_NOT_NATIVE = 1  # --strict and some task is shim or placeholder
EXIT_FAILED = 2  # an input unread or unparsed, a compile failure, an output refused or unwritable, no DAG at all


# ---------------------------------------------------------------- what happens, one event at a time
@dataclass
class Diagnostics:
    """Diagnostics to show, each distinct one once."""
    diagnostics: List[Diagnostic]


@dataclass
class FileFailed:
    """A file could not be read or parsed (or its conversion crashed): nothing of it is written."""
    path: Path
    error: Diagnostic


@dataclass
class DuplicateDag:
    """A dag id an earlier file defined too (Airflow loads only one): this one is written as `stem`."""
    path: Path
    dag_id: str
    earlier: Path
    stem: str


@dataclass
class Conflict:
    """Output files that exist with other content (KFM302): the DAG is not written (no --force)."""
    dag_id: str
    paths: List[Path]


@dataclass
class UpToDate:
    conversion: Conversion
    path: Path


@dataclass
class WriteFailed:
    path: Path
    message: str


@dataclass
class CompileFailed:
    """The pipeline did not compile: its .py and report are written to show why; it does not count."""
    conversion: Conversion
    path: Path
    written: Dict[str, Path]


@dataclass
class Written:
    conversion: Conversion
    path: Path
    written: Dict[str, Path]  # kind (python, yaml, report_json, report_md) -> file


# ---------------------------------------------------------------- --image: the project image's build context, as written
@dataclass
class ImageContext:
    folder: Path
    image: str
    warnings: List[str] = field(default_factory=list)  # lines to show: unpinned requirements (KFM222), notes
    error: Optional[str] = None  # why it was not written
    state: str = ""  # "written" | "up to date"
    requirements: int = 0  # pinned requirements in it


# ---------------------------------------------------------------- the batch
@dataclass
class ConvertBatch:
    outdir: Path
    files: List  # the inputs found (paths)
    input_problems: List[Diagnostic] = field(default_factory=list)  # inputs that could not be read
    force: bool = False
    image: Optional[str] = None  # --image REF: a build context is written to OUTDIR/image
    written: int = 0
    up_to_date: int = 0
    failed: List = field(default_factory=list)  # paths that failed (a path may fail twice)
    skipped: List = field(default_factory=list)  # files with no DAG
    conflicts: List[str] = field(default_factory=list)  # dag ids refused by KFM302
    not_native: List[str] = field(default_factory=list)  # dag ids with a shim or placeholder task
    converted: List[Conversion] = field(default_factory=list)  # written or up to date (for an image context)

    def __post_init__(self):
        from kfmigrate.migrate.output import Stems

        self.failed += [problem.span.path if problem.span else "?" for problem in self.input_problems]
        self._stems = Stems()
        self._first_file: Dict[str, Path] = {}  # dag id -> the file that defined it first

    def write(self, results: Iterable[FileResult]) -> Iterator[object]:
        """Write each result's outputs as it comes; yield what happened, in order."""
        for result in results:
            yield from self._file(result)

    def _file(self, result: FileResult) -> Iterator[object]:
        shown = [d for d in result.diagnostics if d.code not in NO_DAG_CODES]
        if shown:
            yield Diagnostics(shown)
        if result.error is not None:
            self.failed.append(result.path)
            yield FileFailed(result.path, result.error)
            return
        if not result.conversions:
            self.skipped.append(result.path)
            return
        for conversion in result.conversions:
            yield from self._conversion(result.path, conversion)

    def _conversion(self, path: Path, conversion: Conversion) -> Iterator[object]:
        from kfmigrate.migrate.output import OutputError, interrupts_deferred, output_paths, up_to_date, write_conversion

        stem = self._stems.next(conversion.dag_id)
        if conversion.diagnostics:
            yield Diagnostics(list(conversion.diagnostics))
        earlier = self._first_file.setdefault(conversion.dag_id, path)
        if earlier != path:
            yield DuplicateDag(path, conversion.dag_id, earlier, stem)
        try:
            on_disk = {} if self.force else up_to_date(conversion, self.outdir, stem)
            paths = output_paths(self.outdir, stem, conversion.yaml_text is not None)
            differ = [kind for kind, same in on_disk.items() if not same]
            if differ:
                self.conflicts.append(conversion.dag_id)
                yield Conflict(conversion.dag_id, [paths[kind] for kind in differ])
                return
            if on_disk and len(on_disk) == len(paths):
                self.up_to_date += 1
                self.converted.append(conversion)
                self.not_native += [conversion.dag_id] if conversion.not_native else []
                yield UpToDate(conversion, path)
                return
            with interrupts_deferred():  # files on disk and the count written go together
                written = write_conversion(conversion, self.outdir, stem, skip=on_disk)
                self.written += 0 if compile_failed(conversion) else 1
        except OutputError as exc:
            self.failed.append(path)
            yield WriteFailed(path, str(exc))
            return
        if compile_failed(conversion):
            self.failed.append(path)
            yield CompileFailed(conversion, path, written)
            return
        self.converted.append(conversion)
        if conversion.not_native:
            self.not_native.append(conversion.dag_id)
        yield Written(conversion, path, written)

    # ---------------------------------------------------------------- the end
    @property
    def failed_files(self) -> List:
        """Each failed input once, in order."""
        return list(dict.fromkeys(self.failed))

    def nothing_found(self, inputs: Iterable) -> Optional[str]:
        """Why nothing was converted when nothing failed either (an empty folder is a mistake, exit 2)."""
        if self.written + self.up_to_date or self.failed or self.conflicts:
            return None
        what = "no .py file" if not self.files else "no Airflow DAG"
        return f"{what} found in {', '.join(map(str, inputs))}"

    # ---------------------------------------------------------------- --image
    @property
    def context_dir(self) -> Path:
        from kfmigrate.migrate.image import CONTEXT_DIR

        return self.outdir / CONTEXT_DIR

    def other_image_context(self) -> Optional[str]:
        """The KFM302 message when the output folder holds the build context of another image (checked
        before anything is written; --force replaces it)."""
        from kfmigrate.migrate.image import read_manifest

        if not self.image or self.force or not self.context_dir.exists():
            return None
        if (read_manifest(self.context_dir) or {}).get("image") == self.image:
            return None
        return f"{self.context_dir}: KFM302 output file exists with other content (use --force to overwrite)"

    def write_image_context(self) -> Optional[ImageContext]:
        """With --image: the project image's build context next to the pipelines (migrate/image.py), for
        every DAG converted; None without --image or when nothing was converted. A failure fails the batch."""
        from kfmigrate.migrate.image import ImageError, plan_context, write_context

        if not self.image or not self.converted:
            return None
        conversions, folder = self.converted, self.context_dir
        context = plan_context(folder, self.image, [r for c in conversions for r in c.emitted.requirements],
                               [(c.workflow.path, c.workflow.project_roots) for c in conversions],
                               [f for c in conversions for f in c.emitted.image_files])
        done = ImageContext(folder, self.image, requirements=len(context.requirements))
        done.warnings += [f"{folder / 'requirements.txt'}: KFM222 {pinned.requirement!r} is not pinned: it is "
                          f"{pinned.source}" for pinned in context.unpinned]
        done.warnings += [f"note: {note}" for note in context.notes]
        try:
            done.state = write_context(context, force=self.force)
        except ImageError as exc:
            done.error = str(exc)
            self.failed.append(folder)
        return done

    def exit_code(self, strict: bool) -> int:
        if self.failed or self.conflicts or self.input_problems or self.written + self.up_to_date == 0:
            return EXIT_FAILED
        if strict and self.not_native:
            return EXIT_NOT_NATIVE
        return EXIT_OK

