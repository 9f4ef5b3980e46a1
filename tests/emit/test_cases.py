"""Every CASES entry of every mapper module: parse the snippet, emit, compile, check expectations."""
from __future__ import annotations

import pytest

from migrate.emit import compile_yaml, emit
from migrate.operators import all_cases
from migrate.parse import parse_source

CASES = all_cases()


def test_every_mapper_module_loads_and_has_cases():
    from migrate.operators import IMPORT_FAILURES

    assert not IMPORT_FAILURES
    modules = {module for module, _case in CASES}
    assert {"python", "bash", "empty", "placeholder"} <= modules


@pytest.mark.parametrize("module,case", CASES, ids=[f"{m}:{c.name}" for m, c in CASES])
def test_case(module, case):
    parsed = parse_source(case.dag, path=f"cases/{module}.py")
    assert len(parsed.workflows) == 1, [d.render() for d in parsed.diagnostics]
    result = emit(parsed.workflows[0])
    report = next(t for t in result.tasks if t.task_id == case.task_id)
    assert report.fidelity == case.fidelity, report
    codes = {d.code for d in report.diagnostics}
    assert set(case.codes) <= codes, (case.codes, [d.render() for d in report.diagnostics])
    for fragment in case.fragments:
        assert fragment in result.python_source, fragment
    compile_yaml(result)
