"""Odd but legal IR must always give a module that compiles (or a clear diagnostic), never a crash."""
from __future__ import annotations

import string

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from kfmigrate.migrate import ir
from kfmigrate.migrate.emit import compile_yaml, emit
from emit_ir import bash, callable_source, empty, python, workflow


def test_odd_values_names_and_params_compile():
    func = callable_source('''
        def f(*args, **kwargs):
            return {"args": list(args), "kwargs": sorted(kwargs)}
    ''')
    tasks = [
        python("ünïcode task", func, args={
            "op_args": ir.Composite("list", (ir.TaskOutput("missing"), ir.Literal((1, 2)), ir.Template("{{ ds }}"))),
            "op_kwargs": ir.Literal({"my-key": 1, "class": None, "nested": {"deep": ["{{ ds_nodash }}\n"]}}),
            "templates_dict": ir.Literal({"when": "{{ ts }}"}),
        }),
        python("uses_param", func, operator="@task", call_args=(ir.ParamRef("limit"),),
               call_kwargs={"both": ir.Composite("dict", ((ir.Literal("p"), ir.ParamRef("limit")), (ir.Literal("o"), ir.TaskOutput("ünïcode task"))))}),
        bash("1st-bash", "echo $X", args={"env": ir.Composite("dict", ((ir.Literal("X"), ir.TaskOutput("uses_param")),)),
                                          "skip_on_exit_code": ir.Literal([99, 100]), "do_xcom_push": ir.Literal(False)}),
        empty("only-empty-downstream"),
    ]
    params = [ir.Param("limit", 5, "int"), ir.Param("maybe", None, "str"), ir.Param("ratio", 0.5, "float"),
              ir.Param("flags", [1, "a"], "list"), ir.Param("conf", {"k": {"v": 1}}, "dict"), ir.Param("on", True, "bool")]
    wf = workflow("odd dag/with:chars", tasks, [("ünïcode task", "1st-bash"), ("1st-bash", "only-empty-downstream")], params=params)
    result = emit(wf)
    compile_yaml(result)
    assert result.yaml_name == "odd_dag_with_chars.yaml"
    names = [t.component for t in result.tasks if t.component]
    assert all(name.isidentifier() for name in names) and len(set(names)) == len(names)
    first = next(t for t in result.tasks if t.task_id == "ünïcode task")
    assert "KFM204" in {d.code for d in first.diagnostics}  # the pull from a task that does not exist
    assert "('missing', 'return_value'): None" in result.python_source
    assert "maybe: str = None" in result.python_source


task_ids = st.text(alphabet=string.ascii_letters + string.digits + "._- ", min_size=1, max_size=12)


@settings(max_examples=20, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    ids=st.lists(task_ids, min_size=1, max_size=6, unique=True),
    kinds=st.lists(st.sampled_from(["bash", "python", "empty", "unknown"]), min_size=6, max_size=6),
    edge_bits=st.lists(st.booleans(), min_size=15, max_size=15),
    rules=st.lists(st.sampled_from(["all_success", "all_done", "one_success", "none_failed", "one_failed"]), min_size=6, max_size=6),
)
def test_random_workflows_compile(ids, kinds, edge_bits, rules):
    func = callable_source("def f(x=None, **context):\n    return x\n")
    tasks = []
    for index, task_id in enumerate(ids):
        kind, rule = kinds[index], rules[index]
        if kind == "bash":
            tasks.append(bash(task_id, "echo {{ ti.xcom_pull(task_ids='%s') }}" % ids[0], trigger_rule=rule))
        elif kind == "python":
            tasks.append(python(task_id, func, operator="@task", call_args=(ir.TaskOutput(ids[0]),), trigger_rule=rule))
        elif kind == "empty":
            tasks.append(empty(task_id, trigger_rule=rule))
        else:
            tasks.append(ir.Task(task_id, "MysteryOperator", "x", {}, tasks[0].span if tasks else bash("x", "x").span, "MysteryOperator()"))
    pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]]
    edges = [pair for pair, bit in zip(pairs, edge_bits) if bit]
    result = emit(workflow("random", tasks, edges))
    spec = yaml.load(compile_yaml(result).split("\n---\n")[0], Loader=yaml.BaseLoader)  # keys stay text ("true")
    assert {r.kfp_task for r in result.tasks if r.kfp_task} <= set(spec["root"]["dag"]["tasks"])
