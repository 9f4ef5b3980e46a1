"""Fixtures for emitter tests: compile generated modules and run them on real kfp.local."""
from __future__ import annotations

import json
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
    """run_local(emit_result, **pipeline_arguments) -> LocalRun; raises RuntimeError when a task fails.

    Runs as `kfmigrate run` does (kfmigrate.compare.engines.kfp_local): nothing is installed into this
    interpreter, and kfmigrate-runtime comes from this checkout, never from an index."""
    counter = {"n": 0}

    def run(result, **arguments) -> LocalRun:
        from kfmigrate.compare.engines.kfp_local import run_pipeline
        from kfmigrate.migrate.emit import compile_yaml

        counter["n"] += 1
        work = tmp_path / f"run{counter['n']}"
        work.mkdir()
        package = work / "pipeline.yaml"
        package.write_text(compile_yaml(result))
        root = work / "root"
        finished = run_pipeline(package, arguments, root)
        if finished.state != "succeeded":
            logs = "\n".join(line for task in finished.failed_tasks() for line in task.log_tail)
            raise RuntimeError(f"{finished.error or finished.crash}\n{logs}")
        return LocalRun(root)

    return run
