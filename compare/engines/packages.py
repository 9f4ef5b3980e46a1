"""Component requirements for local runs, without touching the user's interpreter.

A compiled lightweight component starts with `python3 -m pip install <packages> && python3 -m pip
install kfp==<ver>`. kfp.local's SubprocessRunner(use_venv=False) runs that line as is, which installs
into the interpreter running the pipeline (it once downgraded `requests`). Instead we:

- drop the per-task kfp install (kfp is importable here: ~0.06 s/task instead of ~0.5 s);
- check the other requirements against the current interpreter (importlib.metadata + packaging),
  installing nothing when they are all satisfied;
- otherwise resolve them against this interpreter (`pip install --dry-run --report`, which changes
  nothing) and install exactly the distributions it would add, once, into a cached directory per
  requirement set (`pip install --no-deps --target`, which writes only there), put first on the
  task's PYTHONPATH.

Why `--target` and not a venv with --system-site-packages: when the current interpreter is itself a
venv (the usual case), a nested venv's "system" site-packages are the base Python's, not this venv's,
so kfp would not be visible. A target directory on PYTHONPATH layers over this interpreter exactly.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

# pip options that take a value, kept so a private index still works for the cached install
_PIP_OPTIONS_WITH_VALUE = {"-i", "--index-url", "--extra-index-url", "--trusted-host", "-f", "--find-links"}
_ALWAYS_PROVIDED = {"kfp", "typing-extensions", "typing_extensions"}


class PackageInstallError(Exception):
    pass


def cache_dir() -> Path:
    """Where kfmigrate caches things: $KFMIGRATE_CACHE or ~/.cache/kfmigrate."""
    configured = os.environ.get("KFMIGRATE_CACHE")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kfmigrate"


@dataclass
class PipInstall:
    """What one component's install preamble asked for."""

    requirements: list[str] = field(default_factory=list)
    pip_options: list[str] = field(default_factory=list)


def parse_install_script(script: str) -> PipInstall:
    """Read the requirements out of a KFP component's `sh -c` install preamble."""
    found = PipInstall()
    for part in script.split("&&"):
        match = re.search(r"-m pip install (.*)", part)
        if not match:
            continue
        tokens = shlex.split(match.group(1))
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token in _PIP_OPTIONS_WITH_VALUE and i + 1 < len(tokens):
                found.pip_options += [token, tokens[i + 1]]
                i += 2
                continue
            if token.split("=", 1)[0] in _PIP_OPTIONS_WITH_VALUE:
                found.pip_options.append(token)
            elif not token.startswith("-"):
                found.requirements.append(token)
            i += 1
    return found


def unsatisfied(requirements: list[str]) -> list[str]:
    """The requirements the current interpreter does not already satisfy (kfp itself always is)."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    missing = []
    for text in requirements:
        try:
            req = Requirement(text)
        except InvalidRequirement:  # a URL, a path, a VCS link: cannot check, so install
            missing.append(text)
            continue
        if req.marker is not None and not req.marker.evaluate():
            continue
        if canonicalize_name(req.name) in {canonicalize_name(n) for n in _ALWAYS_PROVIDED}:
            continue
        try:
            installed = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(text)
            continue
        if req.url or req.extras or not req.specifier.contains(installed, prereleases=True):
            missing.append(text)
    return missing


def resolve_missing(requirements: list[str], pip_options: list[str]) -> list[str]:
    """The exact distributions pip would add to THIS interpreter for the requirements, as pins.

    `pip install --dry-run --report` resolves against what is installed here without changing
    anything, so dependencies already present (kfp, or Airflow for a provider package) are not
    fetched again; the pins are then installed with --no-deps into the cache directory.
    """
    import json

    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--report", "-",
         "--disable-pip-version-check", "--no-input", *pip_options, *requirements],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-15:])
        raise PackageInstallError(f"could not resolve {' '.join(requirements)}:\n{tail}")
    pins = []
    for item in json.loads(result.stdout).get("install", []):
        info, download = item["metadata"], item.get("download_info", {})
        if "vcs_info" in download:
            vcs = download["vcs_info"]
            pins.append(f"{vcs['vcs']}+{download['url']}@{vcs['commit_id']}")
        elif "dir_info" in download or not download.get("url", "").startswith(("http://", "https://")):
            pins.append(download.get("url") or f"{info['name']}=={info['version']}")
        else:
            pins.append(f"{info['name']}=={info['version']}")
    return pins


def ensure_installed(requirements: list[str], pip_options: list[str] | None = None) -> Path:
    """Install requirements into a cached directory (once per set) and return that directory."""
    pip_options = list(pip_options or [])
    key_text = "\n".join([sys.version, *sorted(requirements), *pip_options])
    key = hashlib.sha256(key_text.encode()).hexdigest()[:16]
    root = cache_dir() / "pkgs"
    target = root / key
    if (target / ".complete").exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    import fcntl

    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two runs wanting the same set install it once
        if (target / ".complete").exists():
            return target
        staging = Path(tempfile.mkdtemp(prefix=f"{key}-", dir=root))
        try:
            pins = resolve_missing(requirements, pip_options)
            result = subprocess.run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 "--no-input", "--no-deps", "--target", str(staging), *pip_options, *pins],
                capture_output=True, text=True,
            )
            if result.returncode != 0:
                tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
                raise PackageInstallError(f"could not install {' '.join(requirements)}:\n{tail}")
            (staging / ".complete").write_text(" ".join(requirements) + "\n")
            if target.exists():  # a stale, incomplete earlier attempt
                shutil.rmtree(target)
            os.replace(staging, target)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return target


def runtime_requirement(requirements: list[str]) -> tuple[str | None, list[str]]:
    """(the kfmigrate-runtime requirement or None, the other requirements)."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    from kfmigrate.migrate.emit.runtime import DISTRIBUTION

    found, others = None, []
    for text in requirements:
        try:
            is_runtime = canonicalize_name(Requirement(text).name) == canonicalize_name(DISTRIBUTION)
        except InvalidRequirement:
            is_runtime = False
        if is_runtime:
            found = text
        else:
            others.append(text)
    return found, others


def bundled_runtime(requirement: str) -> Path:
    """A folder for PYTHONPATH holding the kfmigrate-runtime this kfmigrate ships (never from an index).

    Its source is copied once into the cache (keyed by its content), so a task imports exactly the
    runtime the pipeline was converted with and nothing is installed into this interpreter.
    """
    from packaging.requirements import Requirement

    from kfmigrate.migrate.emit import runtime

    if not Requirement(requirement).specifier.contains(runtime.VERSION, prereleases=True):
        raise PackageInstallError(
            f"the pipeline wants {requirement}, but this kfmigrate ships {runtime.DISTRIBUTION} {runtime.VERSION}: "
            "convert the DAG again with this kfmigrate (or with --runtime inline)")
    source = runtime.source_dir()
    files = sorted(p for p in source.rglob("*.py"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(source)).encode() + b"\0" + path.read_bytes())
    target = cache_dir() / "runtime" / f"{runtime.VERSION}-{digest.hexdigest()[:16]}"
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="staging-", dir=target.parent))
    try:
        for path in files:
            copy = staging / source.name / path.relative_to(source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
        (staging / ".complete").write_text(f"{runtime.DISTRIBUTION} {runtime.VERSION} from {source}\n")
        try:
            os.replace(staging, target)
        except OSError:  # another run copied it first (the same content)
            pass
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target
