"""Reading unresolved constructor calls from source text, without evaluating anything."""
from __future__ import annotations

from kfmigrate.migrate import ir
from kfmigrate.migrate.operators.staticcalls import (
    Call, Templated, Unresolved, connection_env, connection_secret, fields_of, parse_expression, snake, to_python,
)


def test_calls_literals_and_nesting():
    value = parse_expression('k8s.V1EnvVar(name="A", value_from=k8s.V1EnvVarSource(secret_key_ref=S(name="s", key="k")))')
    assert isinstance(value, Call) and value.name == "V1EnvVar" and value.kwargs["name"] == "A"
    inner = value.kwargs["value_from"].kwargs["secret_key_ref"]
    assert inner == Call("S", (), {"name": "s", "key": "k"}, 'S(name="s", key="k")')
    assert parse_expression("Secret('env', 'X', 'sec', 'key')").get("secret", 2) == "sec"
    assert parse_expression("[1, -2.5, None, True, ('a' 'b',)]") == [1, -2.5, None, True, ["ab"]]
    assert parse_expression("{'cpu': '1', 2: [3]}") == {"cpu": "1", 2: [3]}


def test_what_is_not_literal_stays_source():
    assert parse_expression("make(size)").args == (Unresolved("size"),)
    assert parse_expression("f(*args)") == Unresolved("f(*args)")
    assert parse_expression("WeekDay.MONDAY") == Unresolved("WeekDay.MONDAY")
    assert parse_expression("f'{x}'") == Unresolved("f'{x}'")
    assert parse_expression("1 +") == Unresolved("1 +")  # not Python: kept, never raised
    assert parse_expression("__import__('os').system('x')").name == "system"  # read, never run


def test_ir_values_and_k8s_field_spellings():
    value = ir.Composite("dict", ((ir.Literal("a"), ir.Template("{{ ds }}")), (ir.Literal("b"), ir.Dynamic("V1X(k=1)"))))
    assert to_python(value) == {"a": Templated("{{ ds }}"), "b": Call("V1X", (), {"k": 1}, "V1X(k=1)")}
    assert to_python(ir.TaskOutput("t")) == Unresolved("TaskOutput(task_id='t', key='return_value')")
    assert fields_of({"nodeAffinity": 1, "match_expressions": 2}) == {"node_affinity": 1, "match_expressions": 2}
    assert snake("requiredDuringSchedulingIgnoredDuringExecution") == "required_during_scheduling_ignored_during_execution"


def test_connection_secret_names_are_valid_kubernetes_names():
    assert connection_secret("my_DB.conn") == "airflow-conn-my-db-conn"
    assert connection_env("my_db") == "AIRFLOW_CONN_MY_DB"
