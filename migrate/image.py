"""The project image: a build context that holds everything the converted components import.

`kfmigrate convert ... --image REF` sets every component's base_image to REF (no run-time installs) and
writes OUTDIR/image/:

    Dockerfile        python:<target>-slim, pip install --no-cache-dir of the pinned requirements and the
                      runtime source, the project's modules copied to /opt/kfmigrate/project (on PYTHONPATH)
    requirements.txt  exact pins: kfp (this SDK's version), kfmigrate-runtime, Airflow and providers when a
                      shim needs them, what the components' mappers need, the project's own requirements;
                      each line says where its version came from (installed here / resolved by pip)
    runtime/          the kfmigrate_runtime source of this kfmigrate installation, with a pyproject.toml
    project/          the local modules and plugins the components import
    image.json        what the image declares (read by `kfmigrate run` to warn about uncovered imports)

`kfmigrate image build DIR` builds it with docker, podman or buildah (the first that answers).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from kfmigrate.migrate import environment
from kfmigrate.migrate.version import version

CONTEXT_DIR = "image"  # OUTDIR/image
MANIFEST = "image.json"
PROJECT_DIR = "/opt/kfmigrate/project"
BUILDERS = ("docker", "podman", "buildah")
# Airflow's published constraints for one Airflow and Python version (referenced by the Dockerfile only).
CONSTRAINTS_URL = "https://raw.githubusercontent.com/apache/airflow/constraints-{airflow}/constraints-{python}.txt"
AIRFLOW_DISTRIBUTIONS = ("apache-airflow", "apache-airflow-core", "apache-airflow-task-sdk")


class ImageError(Exception):
    """The build context cannot be written or built; the message says why."""


@dataclass
class BuildContext:
    folder: Path
    image: str
    requirements: List[environment.Pinned] = field(default_factory=list)
    files: List[Tuple[str, str]] = field(default_factory=list)  # (source file, path under project/)
    runtime_source: Optional[Path] = None
    airflow_version: Optional[str] = None
    notes: List[str] = field(default_factory=list)  # warnings for the user

    @property
    def unpinned(self) -> List[environment.Pinned]:
        return [p for p in self.requirements if p.text is None]


# ---------------------------------------------------------------- what goes in
def runtime_source() -> Optional[Path]:
    """The kfmigrate_runtime package folder of this installation (shipped inside the kfmigrate wheel)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("kfmigrate_runtime")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def kfmigrate_version() -> str:
    return version()


def plan_context(folder: Path, image: str, requirements: Iterable[str], dag_files: Iterable[str],
                 files: Iterable[Tuple[str, str]]) -> BuildContext:
    """Decide the context's contents: requirements of the components (emitted.requirements), the
    project requirements of every DAG file, kfp and the runtime; every one pinned exactly."""
    import importlib.metadata

    context = BuildContext(Path(folder), image, files=sorted(set(files)))
    wanted = [f"kfp=={importlib.metadata.version('kfp')}"]
    context.runtime_source = runtime_source()
    if context.runtime_source is not None:
        wanted.append(f"kfmigrate-runtime=={kfmigrate_version()}")
    else:
        context.notes.append("this kfmigrate installation has no kfmigrate_runtime package: the image holds no runtime "
                             "(components converted with inline helpers need none)")
    wanted += list(requirements)
    for item in dag_files:  # a DAG file, or (DAG file, its project roots)
        dag_file, roots = (item, ()) if isinstance(item, str) else item
        wanted += [line for _name, line in environment.project_requirements(dag_file, tuple(roots)).requirements]
    by_name: Dict[str, str] = {}
    for line in wanted:  # first declaration of a distribution wins (the components' exact pins come first)
        by_name.setdefault(environment.requirement_name(line), line)
    runtime_line = by_name.pop("kfmigrate-runtime", None)
    context.requirements = [environment.Pinned(p.requirement, p.text, "the kfp SDK that compiled these pipelines")
                            if environment.requirement_name(p.requirement) == "kfp" else p
                            for p in environment.pin_all(list(by_name.values()))]
    if runtime_line:  # built from the bundled source, never looked up on an index
        context.requirements.append(environment.Pinned(runtime_line, runtime_line, "the runtime/ folder of this context"))
    for pinned in context.requirements:
        if environment.requirement_name(pinned.requirement) in AIRFLOW_DISTRIBUTIONS and pinned.text:
            context.airflow_version = pinned.text.split("==", 1)[1].split(";")[0].strip()
    return context


# ---------------------------------------------------------------- the files
def dockerfile(context: BuildContext) -> str:
    python = environment.TARGET_PYTHON
    lines = [
        "# The project image for the converted pipelines (kfmigrate convert --image). Build, push, deploy:",
        f"#   kfmigrate image build <this folder>   (or, here: docker build -t {context.image} .)",
        f"#   docker push {context.image}",
        f"FROM python:{python}-slim",
        "ENV PYTHONDONTWRITEBYTECODE=1 PIP_DISABLE_PIP_VERSION_CHECK=1",
        "WORKDIR /opt/kfmigrate",
    ]
    install = "pip install --no-cache-dir -r requirements.txt"
    if context.runtime_source is not None:
        lines.append("COPY runtime/ /opt/kfmigrate/runtime/")
        install += " ./runtime"
    if context.airflow_version:
        url = CONSTRAINTS_URL.format(airflow=context.airflow_version, python=python)
        lines += ["# Airflow and its providers under Airflow's published constraints (set empty to install without)",
                  f"ARG AIRFLOW_CONSTRAINTS={url}"]
        install += ' ${AIRFLOW_CONSTRAINTS:+--constraint "$AIRFLOW_CONSTRAINTS"}'
    lines += ["COPY requirements.txt /opt/kfmigrate/requirements.txt", f"RUN {install}"]
    if context.files:
        lines += ["# Modules from next to the DAG files and plugins/ that the components import",
                  f"COPY project/ {PROJECT_DIR}/", f"ENV PYTHONPATH={PROJECT_DIR}"]
    return "\n".join(lines) + "\n"


def requirements_text(context: BuildContext) -> str:
    lines = ["# Exact pins of everything the components import (kfmigrate convert --image).",
             "# Each line says where its version came from: installed where kfmigrate ran, or resolved by",
             "# `pip install --dry-run` from the package index."]
    for pinned in context.requirements:
        if pinned.text is None:
            lines.append(f"{pinned.requirement}  # NOT PINNED: {pinned.source}")
        else:
            lines.append(f"{pinned.text}  # {pinned.source}")
    return "\n".join(lines) + "\n"


def runtime_pyproject() -> str:
    return ("[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n\n"
            f"[project]\nname = \"kfmigrate-runtime\"\nversion = \"{kfmigrate_version()}\"\n"
            "description = \"kfmigrate's Airflow emulation for converted KFP components (pure Python)\"\n"
            "requires-python = \">=3.9\"\n\n[tool.setuptools.packages.find]\ninclude = [\"kfmigrate_runtime*\"]\n")


def manifest(context: BuildContext) -> dict:
    return {
        "image": context.image,
        "python": environment.TARGET_PYTHON,
        "requirements": [p.text or p.requirement for p in context.requirements],
        "pins": {p.requirement: p.source for p in context.requirements},
        "project_files": [relative for _source, relative in context.files],
        "project_path": PROJECT_DIR,
    }


def context_files(context: BuildContext) -> Dict[str, bytes]:
    """Every file of the context: path inside it -> content."""
    files = {
        "Dockerfile": dockerfile(context).encode(),
        "requirements.txt": requirements_text(context).encode(),
        MANIFEST: (json.dumps(manifest(context), indent=2) + "\n").encode(),
    }
    if context.runtime_source is not None:
        for path in sorted(context.runtime_source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files[f"runtime/kfmigrate_runtime/{path.relative_to(context.runtime_source).as_posix()}"] = path.read_bytes()
        files["runtime/pyproject.toml"] = runtime_pyproject().encode()
    for source, relative in context.files:
        files[f"project/{relative}"] = Path(source).read_bytes()
    return files


def existing_files(folder: Path) -> Dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def write_context(context: BuildContext, force: bool = False) -> str:
    """Write the context folder all at once (a temporary sibling renamed into place): "written", or "up to
    date" when the folder already holds exactly this; other content is replaced only with force (else
    ImageError, KFM302)."""
    folder = context.folder
    try:
        files = context_files(context)
        if folder.is_dir() and not folder.is_symlink():
            if existing_files(folder) == files:
                return "up to date"
            if not force:
                raise ImageError(f"{folder}: KFM302 output file exists with other content (use --force to overwrite)")
        elif (folder.exists() or folder.is_symlink()) and not force:
            raise ImageError(f"{folder}: KFM302 output file exists (use --force to overwrite)")
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    except OSError as exc:
        raise ImageError(f"{exc.filename or folder}: cannot write the image build context: {exc.strerror or exc}") from None
    try:
        for relative, data in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        os.chmod(staging, 0o755)
        if folder.exists() or folder.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
            os.replace(folder, old / folder.name)
            os.replace(staging, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ImageError(f"{exc.filename or folder}: cannot write the image build context: {exc.strerror or exc}") from None
    return "written"


def read_manifest(folder: Path) -> Optional[dict]:
    try:
        return json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------- building
def find_builder(preferred: Sequence[str] = BUILDERS) -> Tuple[Optional[str], List[str]]:
    """(the first container builder that works here, why each other one does not)."""
    problems = []
    for tool in preferred:
        path = shutil.which(tool)
        if path is None:
            problems.append(f"{tool}: not installed")
            continue
        probe = [path, "version"] if tool == "buildah" else [path, "info"]
        try:
            done = subprocess.run(probe, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as exc:
            problems.append(f"{tool}: {type(exc).__name__}")
            continue
        if done.returncode == 0:
            return tool, problems
        last = (done.stderr or done.stdout).strip().splitlines()
        problems.append(f"{tool}: {last[-1] if last else f'exit {done.returncode}'}")
    return None, problems


def build_command(tool: str, folder: Path, tag: str) -> List[str]:
    if tool == "buildah":
        return [tool, "bud", "-t", tag, str(folder)]
    return [tool, "build", "-t", tag, str(folder)]
