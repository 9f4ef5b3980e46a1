"""The static parser: DAG shapes, imports, values, dependencies, and what it refuses to guess."""
import textwrap

import pytest

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import ConversionError
from kfmigrate.migrate.parse import parse_source


def parse(text):
    return parse_source(textwrap.dedent(text), "dag.py")


def only(text):
    result = parse(text)
    assert len(result.workflows) == 1, [d.render() for d in result.diagnostics]
    return result.workflows[0], result


def edges(workflow):
    return {(e.upstream, e.downstream) for e in workflow.edges}


def test_with_dag_context_operators_and_shift_chains():
    wf, _ = only("""
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        from airflow.operators.empty import EmptyOperator as Nop
        with DAG("d1", schedule="@daily") as dag:
            a = Nop(task_id="a")
            b = BashOperator(task_id="b", bash_command="echo {{ ds }}")
            c = Nop(task_id="c")
            d = Nop(task_id="d")
            a >> [b, c] >> d
            d << a
    """)
    assert wf.dag_id == "d1"
    assert [t.task_id for t in wf.tasks] == ["a", "b", "c", "d"]
    assert edges(wf) == {("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("a", "d")}
    assert wf.task("a").operator == "EmptyOperator"  # the alias is resolved to the class
    assert wf.task("b").args["bash_command"] == ir.Template("echo {{ ds }}")
    assert wf.schedule == ir.Schedule("preset", "@daily", source='"@daily"')


def test_dag_assignment_style_with_dag_kwarg_and_set_relatives():
    wf, _ = only("""
        from airflow.models import DAG
        from airflow.operators.empty import EmptyOperator
        d = DAG(dag_id="assigned")
        x = EmptyOperator(task_id="x", dag=d)
        y = EmptyOperator(task_id="y", dag=d)
        z = EmptyOperator(task_id="z", dag=d)
        x.set_downstream(y)
        z.set_upstream([x, y])
    """)
    assert edges(wf) == {("x", "y"), ("x", "z"), ("y", "z")}


def test_dag_decorator_called_at_module_level_with_params_from_arguments():
    wf, _ = only("""
        from airflow.sdk import dag, task
        @dag(schedule=None, params={"who": "world"})
        def greet(times: int = 2):
            @task
            def make(who):
                return who
            @task
            def show(text, n):
                print(text * n)
            show(make("x"), times)
        greet()
    """)
    assert wf.dag_id == "greet"
    assert {p.name: (p.type, p.default) for p in wf.params} == {"who": ("str", "world"), "times": ("int", 2)}
    show = wf.task("show")
    assert show.call_args == (ir.TaskOutput("make"), ir.ParamRef("times"))
    assert (("make", "show")) in edges(wf)
    assert next(e for e in wf.edges if e.downstream == "show").kind == "data"


def test_dag_decorator_takes_the_dag_id_as_its_first_positional_argument():
    # seen in a public repository: @dag('app-dev-spiff-data-sync', ...) over def app_dev_spiff_dashboard_sync()
    workflow, _ = only("""
        from airflow.decorators import dag, task

        @dag("nightly-sync", schedule=None)
        def nightly_sync_pipeline():
            @task
            def pull():
                return 1
            pull()

        nightly_sync_pipeline()
    """)
    assert workflow.dag_id == "nightly-sync"


def test_several_dags_per_file_and_dag_without_tasks():
    result = parse("""
        from airflow import DAG
        from airflow.operators.empty import EmptyOperator
        with DAG("one"):
            EmptyOperator(task_id="t")
        with DAG("two"):
            EmptyOperator(task_id="t")
    """)
    assert [w.dag_id for w in result.workflows] == ["one", "two"]
    assert all(len(w.tasks) == 1 for w in result.workflows)


def test_loops_comprehensions_and_fstrings_are_unrolled_with_module_constants():
    wf, _ = only("""
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        TABLES = ["a", "b"]
        N = 3
        with DAG("loops"):
            prev = None
            for t in TABLES:
                cur = BashOperator(task_id=f"load_{t}", bash_command=f"echo {t}")
                if prev is not None:
                    prev >> cur
                prev = cur
            shards = [BashOperator(task_id=f"s{i:02d}", bash_command="true") for i in range(N) if i != 1]
            cur >> shards
    """)
    assert [t.task_id for t in wf.tasks] == ["load_a", "load_b", "s00", "s02"]
    assert edges(wf) == {("load_a", "load_b"), ("load_b", "s00"), ("load_b", "s02")}
    assert wf.task("load_b").args["bash_command"] == ir.Literal("echo b")


def test_default_args_are_merged_and_explicit_arguments_win():
    wf, _ = only("""
        from datetime import timedelta
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        args = {"retries": 4, "retry_delay": timedelta(minutes=2), "retry_exponential_backoff": True,
                "max_retry_delay": timedelta(hours=1), "execution_timeout": timedelta(seconds=90)}
        with DAG("defaults", default_args=args):
            a = BashOperator(task_id="a", bash_command="true")
            b = BashOperator(task_id="b", bash_command="true", retries=0, trigger_rule="all_done")
    """)
    a, b = wf.task("a"), wf.task("b")
    assert a.retry == ir.Retry(4, 120.0, True, 3600.0)
    assert a.timeout_seconds == 90.0
    assert b.retry.retries == 0 and b.trigger_rule == "all_done"


def test_chain_cross_downstream_and_task_groups_with_prefixes():
    wf, _ = only("""
        from airflow.sdk import DAG, TaskGroup, chain, cross_downstream
        from airflow.providers.standard.operators.empty import EmptyOperator
        with DAG("groups"):
            start = EmptyOperator(task_id="start")
            with TaskGroup("ingest") as ingest:
                a = EmptyOperator(task_id="a")
                b = EmptyOperator(task_id="b")
                a >> b
                with TaskGroup("inner"):
                    c = EmptyOperator(task_id="c")
            end = EmptyOperator(task_id="end")
            start >> ingest >> end
            x = [EmptyOperator(task_id=f"x{i}") for i in range(2)]
            y = [EmptyOperator(task_id=f"y{i}") for i in range(2)]
            chain(end, x, y)
            cross_downstream(x, [start])
    """)
    ids = [t.task_id for t in wf.tasks]
    assert "ingest.a" in ids and "ingest.inner.c" in ids
    assert wf.task("ingest.inner.c").group == ("ingest", "ingest.inner")
    e = edges(wf)
    assert {("start", "ingest.a"), ("start", "ingest.inner.c"), ("ingest.b", "end"), ("ingest.inner.c", "end")} <= e
    assert ("start", "ingest.b") not in e
    assert {("end", "x0"), ("end", "x1"), ("x0", "y0"), ("x1", "y1"), ("x0", "start"), ("x1", "start")} <= e
    assert ("x0", "y1") not in e


def test_taskflow_repeated_calls_get_airflow_suffixes_and_override():
    wf, _ = only("""
        from airflow.decorators import dag, task
        @dag()
        def repeat():
            @task
            def f(x):
                return x
            f(1) >> f(2) >> f.override(task_id="named")(3)
        repeat()
    """)
    assert [t.task_id for t in wf.tasks] == ["f", "f__1", "named"]
    assert wf.task("named").call_args == (ir.Literal(3),)


def test_callable_carries_imports_constants_and_helpers_but_not_dag_code():
    wf, _ = only("""
        import json
        import math as m
        from airflow import DAG
        from airflow.operators.python import PythonOperator
        LIMIT = 10
        UNUSED = 5
        def helper(v):
            return m.floor(v) + LIMIT
        def work(value):
            return json.dumps(helper(value))
        with DAG("calls"):
            PythonOperator(task_id="w", python_callable=work, op_kwargs={"value": 2.5})
    """)
    source = wf.task("w").callable
    assert source.name == "work" and source.params == ("value",)
    prelude = "\n".join(source.prelude)
    assert "import json" in prelude and "import math as m" in prelude
    assert "LIMIT = 10" in prelude and "def helper" in prelude
    assert "UNUSED" not in prelude and "airflow" not in prelude and "DAG(" not in prelude
    assert wf.task("w").args["op_kwargs"] == ir.Literal({"value": 2.5})


def test_xcom_args_as_operator_arguments_make_data_edges():
    wf, _ = only("""
        from airflow.sdk import DAG, XComArg
        from airflow.providers.standard.operators.python import PythonOperator
        from airflow.providers.standard.operators.bash import BashOperator
        def f(): return 1
        with DAG("xcom"):
            p = PythonOperator(task_id="p", python_callable=f)
            b = BashOperator(task_id="b", bash_command=p.output)
            q = PythonOperator(task_id="q", python_callable=f, op_kwargs={"v": XComArg(p, key="k")})
    """)
    assert wf.task("b").args["bash_command"] == ir.TaskOutput("p")
    assert wf.task("q").args["op_kwargs"] == ir.Composite("dict", ((ir.Literal("v"), ir.TaskOutput("p", "k")),))
    assert {("p", "b"), ("p", "q")} <= edges(wf)


def test_dynamic_mapping_is_recorded():
    wf, _ = only("""
        from airflow.sdk import dag, task
        @dag
        def mapped():
            @task
            def nums(): return [1, 2]
            @task
            def add(x, y): return x + y
            add.partial(y=10).expand(x=nums())
        mapped()
    """)
    add = wf.task("add")
    assert add.mapping == ir.Mapping_(over={"x": ir.TaskOutput("nums")})
    assert add.call_kwargs == {"y": ir.Literal(10)}
    assert ("nums", "add") in edges(wf)


def test_unresolvable_values_get_diagnostics_not_guesses():
    result = parse("""
        import os
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        with DAG("dyn"):
            for name in os.listdir("/data"):
                BashOperator(task_id=f"t_{name}", bash_command="true")
            BashOperator(task_id="cmd", bash_command=os.environ["CMD"])
    """)
    codes = [d.code for d in result.diagnostics]
    assert "KFM112" in codes
    wf = result.workflows[0]
    assert [t.task_id for t in wf.tasks] == ["cmd"]
    # the environment of the converting machine, or --env CMD=..., gives it; otherwise the diagnostic names it
    assert wf.task("cmd").args["bash_command"] == ir.Dynamic('os.environ["CMD"]', "environment variable CMD is not set (pass --env CMD=...)")
    loop = next(d for d in result.diagnostics if d.code == "KFM112")
    assert (loop.span.line, loop.span.col) == (6, 17)


def test_dag_id_from_file_name_and_trigger_rule_enum():
    result = parse_source(textwrap.dedent("""
        from pathlib import Path
        from airflow import DAG
        from airflow.utils.trigger_rule import TriggerRule
        from airflow.operators.empty import EmptyOperator
        with DAG(dag_id=Path(__file__).stem):
            EmptyOperator(task_id="j", trigger_rule=TriggerRule.ONE_FAILED)
    """), "/dags/my_pipeline.py")
    wf = result.workflows[0]
    assert wf.dag_id == "my_pipeline"
    assert wf.task("j").trigger_rule == "one_failed"


@pytest.mark.parametrize("text, code, line, col", [
    ("def broken(:\n    pass\n", "KFM102", 1, 12),
])
def test_bad_source_raises_with_position(text, code, line, col):
    with pytest.raises(ConversionError) as info:
        parse_source(text, "bad.py")
    diagnostic = info.value.diagnostic
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.col) == (code, line, col)


def test_empty_file_is_no_dag_not_a_failure():
    result = parse_source("   \n\n", "pkg/__init__.py")
    assert result.workflows == [] and [(d.code, d.severity) for d in result.diagnostics] == [("KFM104", "info")]


def test_file_without_dag_has_no_workflows():
    assert parse("import os\nprint(os.getcwd())\n").workflows == []


def test_mapped_task_group_and_zip():
    wf, _ = only("""
        from airflow.sdk import dag, task, task_group
        @dag
        def mg():
            @task
            def src(): return [1, 2]
            @task
            def other(): return ["a", "b"]
            @task
            def pair(p): return p
            @task_group
            def grp(num):
                @task
                def inc(n): return n + 1
                inc(num)
            grp.expand(num=src())
            pair.expand(p=src().zip(other()))
        mg()
    """)
    assert wf.mapped_groups == {"grp": ir.Mapping_(over={"num": ir.TaskOutput("src")})}
    assert wf.task("grp.inc").call_args == (ir.GroupArg("grp", "num"),)
    assert ("src", "grp.inc") in edges(wf)
    assert wf.task("pair").mapping.over["p"] == ir.Composite("zip", (ir.TaskOutput("src__1"), ir.TaskOutput("other")))


def test_callbacks_are_lifted_for_task_and_dag():
    wf, result = only("""
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        from some_company.alerts import page_oncall
        def notify(context):
            print("failed", context["task_instance"].task_id)
        with DAG("cb", on_failure_callback=notify):
            BashOperator(task_id="t", bash_command="exit 1", on_failure_callback=[notify, page_oncall])
    """)
    task = wf.task("t")
    assert [c.name for c in task.callbacks["on_failure_callback"]] == ["notify"]
    assert "on_failure_callback" not in task.args
    assert [c.name for c in wf.callbacks["on_failure_callback"]] == ["notify"]
    assert any(d.code == "KFM208" and "page_oncall" in d.message for d in result.diagnostics)


def test_chain_linear_links_every_pair_of_consecutive_steps():
    wf, _ = only("""
        from airflow.sdk import DAG, chain_linear
        from airflow.providers.standard.operators.empty import EmptyOperator as E
        with DAG("cl"):
            a, b, c, d = E(task_id="a"), E(task_id="b"), E(task_id="c"), E(task_id="d")
            chain_linear(a, [b, c], d)
    """)
    assert edges(wf) == {("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")}


def test_diagnostics_name_the_dag_they_belong_to():
    result = parse("""
        import os
        from airflow import DAG
        from airflow.operators.bash import BashOperator
        with DAG("first", params={"p": os.environ["P"]}):
            BashOperator(task_id="t", bash_command=os.environ["CMD"])
        with DAG("second"):
            BashOperator(task_id="t", bash_command="true")
    """)
    owners = {(d.code, d.dag_id) for d in result.diagnostics}
    assert owners == {("KFM110", "first")}  # the param default; task arguments are judged by mappers


def test_edge_labels_pass_through_and_dedent_is_resolved():
    wf, _ = only(r'''
        import textwrap
        from airflow.sdk import DAG, Label
        from airflow.providers.standard.operators.bash import BashOperator
        from airflow.providers.standard.operators.empty import EmptyOperator as E
        with DAG("labels"):
            a, b, c = E(task_id="a"), E(task_id="b"), E(task_id="c")
            a >> Label("to b") >> b
            c << Label("from a") << a
            BashOperator(task_id="s", bash_command=textwrap.dedent("""
                echo one
                echo two
            """))
    ''')
    assert edges(wf) == {("a", "b"), ("a", "c")}
    assert wf.task("s").args["bash_command"] == ir.Literal("\necho one\necho two\n")


def test_fast_positions_match_libcst_position_provider(tmp_path):
    """kfmigrate.migrate.parse.positions must give libcst's own positions for every node of real DAG files."""
    import glob
    import importlib.util

    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    from kfmigrate.migrate.parse.positions import Positions

    folder = list(importlib.util.find_spec("airflow.example_dags").submodule_search_locations)[0]
    files = sorted(glob.glob(f"{folder}/*.py"))[:20] + [str(tmp_path / "crlf.py")]
    (tmp_path / "crlf.py").write_bytes(b"x = 1\r\nif x:\r\n    y = (1,\r\n         2)\r\n")
    checked = 0
    for name in files:
        text = open(name, newline="").read()
        module = cst.parse_module(text)
        expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        ours = Positions(module, text)
        for node, rng in expected.items():
            if isinstance(node, cst.Module):
                continue  # libcst drops the final newline from the module's own end only
            assert ours[node] == (rng.start.line, rng.start.column, rng.end.line, rng.end.column), (name, node)
            checked += 1
    assert checked > 10_000


def test_node_code_sliced_from_the_source_equals_libcst_codegen(tmp_path):
    """The parser slices every node's code from the source instead of re-generating it: statements and
    multi-line expressions inside blocks too, where code_for_node leaves the blocks' indentation out."""
    import glob
    import importlib.util

    import libcst as cst

    from libcst._nodes.base import CSTCodegenError

    from kfmigrate.migrate.parse.positions import Positions

    folder = list(importlib.util.find_spec("airflow.example_dags").submodule_search_locations)[0]
    (tmp_path / "crlf.py").write_bytes(b"x = f(1,\r\n      2) + g(3)\r\nif x:\r\n    y = (1,\r\n         2)\r\n")
    (tmp_path / "blocks.py").write_text(
        "with DAG('d') as dag:\n"
        "    # a comment\n"
        "    t = BashOperator(\n"
        "        task_id='t',  # why\n"
        "        bash_command=\"\"\"\n"
        "    echo kept as written\n"
        "\"\"\",\n"
        "    )\n"
        "    if t:\n"
        "      pass\n"
        "    def f(a,\n"
        "          b):\n"
        "        return [a,\n"
        "  b]\n"
        "last = (1,\n"
        "        2)")  # no final newline: libcst drops it from the last statement
    (tmp_path / "tabs.py").write_text("if x:\n\ty = (1,\n\t     2)\n\tfor i in y:\n\t\tz = [i,\n\t\t\ti]\n")
    checked = multi_line = 0
    files = sorted(glob.glob(f"{folder}/*.py")) + [str(tmp_path / n) for n in ("crlf.py", "blocks.py", "tabs.py")]
    for name in files:
        text = open(name, newline="").read()
        module = cst.parse_module(text)
        positions = Positions(module, text)

        class Check(cst.CSTVisitor):
            def on_visit(self, node):
                nonlocal checked, multi_line
                code = positions.code(node)
                try:
                    expected = module.code_for_node(node)
                except CSTCodegenError:  # a part libcst cannot write alone (an Annotation)
                    return True
                if code is not None:
                    assert code == expected, (name, code)
                    checked += 1
                    multi_line += "\n" in code.strip()
                return True

        module.visit(Check())
    assert checked > 40_000 and multi_line > 1_000


def test_repeated_group_calls_override_partial_and_lambdas_from_the_dag_body():
    wf, _ = only("""
        import random
        from airflow.sdk import dag, task, task_group
        from airflow.providers.standard.operators.python import BranchPythonOperator
        @dag
        def g():
            options = ["a", "b"]
            @task
            def one(x): return x
            @task_group
            def grp():
                one(1)
            grp() >> grp()
            one.override(task_id="mapped").partial().expand(x=[1, 2])
            BranchPythonOperator(task_id="pick", python_callable=lambda: f"branch_{random.choice(options)}")
        g()
    """)
    ids = [t.task_id for t in wf.tasks]
    assert ids[:2] == ["grp.one", "grp__1.one"] and "mapped" in ids
    assert ("grp.one", "grp__1.one") in edges(wf)
    assert wf.task("mapped").mapping == ir.Mapping_(over={"x": ir.Literal([1, 2])})
    prelude = "\n".join(wf.task("pick").callable.prelude)
    assert 'options = ["a", "b"]' in prelude and "import random" in prelude


def test_names_bound_inside_the_with_dag_block_travel_with_callables():
    """`with DAG(...)` opens no scope: a list assigned in it is a module name the module index of
    top-level statements does not see, so callables carry its statement (example_branch_operator)."""
    wf, _ = only("""
        import random
        from airflow.sdk import DAG
        from airflow.providers.standard.operators.python import BranchPythonOperator, PythonOperator
        LIMIT = 3
        options = ["unused top-level value, rebound below"]
        with DAG("w", schedule=None) as dag:
            options = ["a", "b"]
            BranchPythonOperator(task_id="pick", python_callable=lambda: f"branch_{random.choice(options)}")
            def show():
                return options[:LIMIT]
            PythonOperator(task_id="show", python_callable=show)
    """)
    pick = "\n".join(wf.task("pick").callable.prelude)
    assert 'options = ["a", "b"]' in pick and "import random" in pick and "unused" not in pick
    show = "\n".join(wf.task("show").callable.prelude)
    assert 'options = ["a", "b"]' in show and "LIMIT = 3" in show


def test_task_id_attribute_of_a_task_is_its_id():
    wf, _ = only("""
        from airflow.sdk import DAG, TaskGroup
        from airflow.providers.standard.operators.empty import EmptyOperator
        from airflow.providers.standard.operators.bash import BashOperator
        with DAG("d", schedule=None):
            with TaskGroup("grp"):
                first = EmptyOperator(task_id="first")
            BashOperator(task_id="say", bash_command="echo " + first.task_id)
    """)
    assert wf.task("say").args["bash_command"] == ir.Literal("echo grp.first")


def test_str_of_an_xcom_arg_is_airflows_xcom_pull_template():
    """XComArg.__str__ gives a Jinja xcom_pull (example_xcom's bash_pull env); as in Airflow, the text
    adds no dependency (the emitter wires the value it pulls)."""
    wf, _ = only("""
        from airflow.sdk import DAG, XComArg
        from airflow.providers.standard.operators.bash import BashOperator
        with DAG("x", schedule=None):
            push = BashOperator(task_id="push", bash_command="echo 1")
            BashOperator(task_id="pull", bash_command=f"echo {push.output}",
                         env={"KEYED": str(XComArg(push, key="k")), "RETURNED": str(XComArg(push))})
    """)
    pull = wf.task("pull")
    keyed = "{{ task_instance.xcom_pull(task_ids='push', dag_id='x', key='k') }}"
    returned = "{{ task_instance.xcom_pull(task_ids='push', dag_id='x', key='return_value') }}"
    assert pull.args["env"] == ir.Composite("dict", ((ir.Literal("KEYED"), ir.Template(keyed)),
                                                     (ir.Literal("RETURNED"), ir.Template(returned))))
    assert pull.args["bash_command"] == ir.Template("echo " + returned)
    assert edges(wf) == set()


def test_pep_263_coding_declaration_is_honoured(tmp_path):
    from kfmigrate.migrate.parse import parse_file

    latin = tmp_path / "latin.py"
    latin.write_bytes(b"# -*- coding: latin-1 -*-\nfrom airflow.sdk import dag, task\n@dag(schedule=None)\ndef enc():\n"
                      b"    @task\n    def hi():\n        return 'caf\xe9'\n    hi()\nenc()\n")
    result = parse_file(latin)
    assert "'café'" in result.workflows[0].task("hi").callable.source
    unknown = tmp_path / "unknown.py"
    unknown.write_bytes(b"# coding: klingon\nx = 1\n")
    with pytest.raises(ConversionError) as caught:
        parse_file(unknown)
    assert caught.value.diagnostic.code == "KFM101" and "klingon" in caught.value.diagnostic.message
    wrong = tmp_path / "wrong.py"
    wrong.write_bytes(b"# coding: ascii\nx = '\xff'\n")
    with pytest.raises(ConversionError) as caught:
        parse_file(wrong)
    assert caught.value.diagnostic.render().startswith(f"{wrong}:2:6: KFM101 file is not valid ascii")
