"""Helpers shared by the compare tests (imported by name: tests/ has no packages)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KFMIGRATE = [sys.executable, "-m", "kfmigrate"]


def run_compare(*args, cwd=None, timeout=600, env=None):
    """`kfmigrate compare ARGS` in a child process, as a user runs it."""
    return subprocess.run(KFMIGRATE + ["compare", *args], capture_output=True, text=True, cwd=cwd or ROOT,
                          timeout=timeout, env=env)
