"""Fixtures for emitter tests: compile generated modules and run them on real kfp.local."""
from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest


class LocalRun:
    """A finished kfp.local run: per KFP task name, its output parameter values."""

    def __init__(self, root: Path):
        self.outputs = {}
        for executor_output in root.glob("*/*/executor_output.json"):
            data = json.loads(executor_output.read_text())
            self.outputs[executor_output.parent.name] = data.get("parameterValues", {})


@pytest.fixture
def run_local(tmp_path):
    """run_local(emit_result, **pipeline_arguments) -> LocalRun; raises RuntimeError when a task fails."""
    counter = {"n": 0}

    def run(result, **arguments) -> LocalRun:
        from kfp import local

        counter["n"] += 1
        work = tmp_path / f"run{counter['n']}"
        work.mkdir()
        module = work / "pipeline.py"
        module.write_text(result.python_source)
        namespace = runpy.run_path(str(module), run_name="generated_pipeline")
        root = work / "root"
        local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(root), raise_on_error=True)
        namespace[result.function_name](**arguments)
        return LocalRun(root)

    return run
