"""Property-based tests: random DAG files in, a faithful KFP pipeline (or a clear diagnostic) out.

The DAG files come from benchmarks/gen_dags.py (drawn by hypothesis, so failures shrink): hostile
task and dag ids, strings with quotes/newlines/backslashes/Jinja, nested TaskGroups, .expand,
classic operators and TaskFlow, dependencies as >>, <<, lists, chain() and set_downstream().
The expected graph is what Airflow builds from the same file (checked in test_airflow_referee.py).

Conversion runs in-process (kfmigrate.migrate.api.convert_source); about one example in ten is also
compiled with kfp and checked on the compiled PipelineSpec. KFMIGRATE_PROPERTY_EXAMPLES sets the
number of examples (default 150); benchmarks/fuzz_convert.py runs 10,000+.
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversion_checks import check_conversion, gen_dags
from strategies import dag_files

from kfmigrate.migrate.api import convert_source

EXAMPLES = int(os.environ.get("KFMIGRATE_PROPERTY_EXAMPLES", "150"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # keep the work tree clean; failures print a reproducible example anyway
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(spec=dag_files(), compile_it=st.sampled_from([False] * 9 + [True]))
def test_conversion_keeps_every_task_and_edge(spec, compile_it):
    source = gen_dags.render(spec)
    result = convert_source(source, "generated_dag.py", compile=compile_it)
    problems = check_conversion(spec, result, compile_it)
    assert not problems, "\n".join(problems) + "\n--- source ---\n" + source


def _mutate(source: str, data) -> str:
    """Damage a valid DAG file the way editors and merges do: cut, duplicate, splice, truncate."""
    lines = source.splitlines(keepends=True)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        if not lines:
            break
        where = data.draw(st.integers(0, len(lines) - 1), label="line")
        action = data.draw(st.sampled_from(["delete", "duplicate", "dedent", "indent", "cut", "insert"]), label="action")
        line = lines[where]
        if action == "delete":
            del lines[where]
        elif action == "duplicate":
            lines.insert(where, line)
        elif action == "dedent":
            lines[where] = line.lstrip()
        elif action == "indent":
            lines[where] = "    " + line
        elif action == "cut":
            at = data.draw(st.integers(0, len(line)), label="column")
            lines[where] = line[:at] + "\n"
        else:
            snippet = data.draw(st.sampled_from([
                "t0 >> t0\n", "chain()\n", "x = y\n", "t1 << [t0, undefined]\n", "with TaskGroup(None):\n    pass\n",
                "for i in range(10**9):\n    pass\n", "dag = None\n", "@task\n", "return\n", "t0 = t0 >> t0 >> t0\n",
                "EmptyOperator(task_id=t0)\n", "BashOperator(task_id='dup')\nBashOperator(task_id='dup')\n",
                "TaskGroup('g') >> TaskGroup('g')\n", "import os; os.system('false')\n", "del t0\n",
            ]), label="snippet")
            lines.insert(where, snippet)
    return "".join(lines)


@SETTINGS
@given(spec=dag_files(max_dags=1, max_tasks=6), data=st.data())
def test_damaged_dag_files_give_diagnostics_not_crashes(spec, data):
    source = _mutate(gen_dags.render(spec), data)
    result = convert_source(source, "damaged_dag.py", compile=False)  # must not raise
    if result.error is not None:
        error = result.error
        assert error.severity == "error" and error.code.startswith("KFM1"), error.render()
        assert error.span is not None and error.span.line >= 1 and error.span.col >= 1, error.render()
    for conversion in result.conversions:
        compile(conversion.emitted.python_source, "<generated>", "exec")  # generated code always parses
        conversion.emitted.python_source.encode("utf-8")


@settings(max_examples=max(50, EXAMPLES // 2), deadline=None, database=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text_never_crashes_the_converter(text):
    result = convert_source(text, "noise.py", compile=False)
    assert result.error is not None or result.conversions or result.diagnostics


def test_classic_operator_partial_expand_is_one_mapped_task_with_its_edges():
    """Smallest form of what the property test and the Airflow referee find most often."""
    from kfmigrate.migrate import ir
    from kfmigrate.migrate.parse import parse_source

    source = (
        "from airflow.sdk import DAG\n"
        "from airflow.providers.standard.operators.bash import BashOperator\n"
        "from airflow.providers.standard.operators.empty import EmptyOperator\n"
        "with DAG('mapped'):\n"
        "    start = EmptyOperator(task_id='start')\n"
        "    echo = BashOperator.partial(task_id='echo', retries=1).expand(bash_command=['echo 1', 'echo 2'])\n"
        "    end = EmptyOperator(task_id='end')\n"
        "    start >> echo >> end\n"
    )
    (workflow,) = parse_source(source, "mapped.py").workflows
    echo = workflow.task("echo")
    assert echo.operator == "BashOperator"
    assert echo.mapping is not None and echo.mapping.over == {"bash_command": ir.Literal(["echo 1", "echo 2"])}
    assert {(e.upstream, e.downstream) for e in workflow.edges} == {("start", "echo"), ("echo", "end")}
