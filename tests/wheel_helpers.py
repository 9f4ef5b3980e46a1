"""kfmigrate as users install it: a wheel built from a copy of the source tree, installed with --no-deps
into a fresh venv (imported by name: tests/ has no packages; the session fixture is in tests/conftest.py).

The copy keeps any stale build/ folder out of the wheel. kfmigrate itself then comes from the wheel, never
from the repository; its dependencies come from the environment running the tests, put on the new venv's
path with a .pth line after the venv's own site-packages (that environment's kfmigrate is an editable
install whose finder is never activated this way).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                 ".hypothesis", "compare-out", "out", "demo-out", "mlruns", "mlflow.db",
                                 "local_outputs")


@dataclass(frozen=True)
class Installed:
    root: Path      # a temporary folder outside the repository
    env_dir: Path   # the venv kfmigrate is installed into
    wheel: Path

    @property
    def kfmigrate(self) -> str:
        return str(self.env_dir / "bin" / "kfmigrate")

    @property
    def python(self) -> str:
        return str(self.env_dir / "bin" / "python")


def build_and_install(root: Path) -> Installed:
    source = root / "src"
    shutil.copytree(ROOT, source, ignore=IGNORED)
    dist = root / "dist"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(dist), "-q"],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("kfmigrate-*.whl")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
                                str(wheel)], capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    shutil.rmtree(source)  # nothing may be read from the copy once the wheel is installed
    return Installed(root, env_dir, wheel)


def clean_env(**extra: str) -> dict:
    """The test's environment without anything that would point Python back at the repository."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(extra)
    return env
