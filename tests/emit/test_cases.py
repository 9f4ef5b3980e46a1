"""Every CASES entry of every mapper module: parse the snippet, emit, compile, check expectations."""
from __future__ import annotations

import textwrap

import pytest

from kfmigrate.migrate.emit import component_body, compile_yaml, emit
from kfmigrate.migrate.operators import MapContext, all_cases, find_mapper
from kfmigrate.migrate.operators.common import identifier
from kfmigrate.migrate.parse import parse_source

CASES = all_cases()


def test_every_mapper_module_loads_and_has_cases():
    from kfmigrate.migrate.operators import IMPORT_FAILURES

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
    if case.body:
        body = rendered_body(parsed.workflows[0], case.task_id)
        assert textwrap.dedent(case.body).strip("\n") in body, body
    compile_yaml(result)


def rendered_body(workflow, task_id: str) -> str:
    """The task's body as its mapper's typed parts render, before the emitter wraps it."""
    task = workflow.task(task_id)
    ctx = MapContext(workflow, {p.name: identifier(p.name, "param") for p in workflow.params}, tuple(t.task_id for t in workflow.tasks))
    plan = find_mapper(task.operator, fallback=True)(task, ctx)
    return component_body.render(plan.parts)
