"""The component body renderer (migrate/emit/component_body.py): typed parts -> code built as a libcst tree."""
from __future__ import annotations

import ast

from kfmigrate.migrate import plan
from kfmigrate.migrate.emit import component_body
from kfmigrate.migrate.emit.component_body import render


def test_values_from_the_dag_stay_values_whatever_they_hold():
    message = "kfmigrate: task 'a''' \"b\" cannot run:\n{{ ds }} \\ end"
    code = render([plan.Fail("RuntimeError", message)])
    raised = ast.parse(code).body[0].exc
    assert raised.args[0].value == message


def test_a_sensor_template_fills_only_its_holes():
    code = render([plan.Code('_path = {path}\nprint(f"{_path} {{x}}")\nraise {context}.AirflowException(_path)\n',
                             (("path", plan.Rendered(plan.InputName("filepath"))),))])
    assert code == ('_path = _airflow_render(filepath, _airflow.context)\nprint(f"{_path} {{x}}")\n'
                    "raise _airflow.AirflowException(_path)")


def test_a_task_id_with_quotes_makes_valid_bash_sensor_code():
    from kfmigrate.migrate.operators import MapContext, find_mapper
    from kfmigrate.migrate.parse import parse_source

    dag = '''
from airflow import DAG
from airflow.sensors.bash import BashSensor

with DAG("quotes", schedule=None):
    BashSensor(task_id="it's", bash_command="true")
'''
    workflow = parse_source(dag, path="quotes.py").workflows[0]
    task = workflow.task("it's")
    component = find_mapper(task.operator)(task, MapContext(workflow, {}, ("it's",)))
    code = render(component.parts)
    ast.parse(code)
    assert "script = tmp_dir + \"/it's.sh\"" in code


def test_shimmed_airflow_imports_become_bindings_where_they_stand():
    source = ("def work():\n"
              "    from airflow.sdk import Variable, dag  # both\n"
              "    if True: from airflow.operators.python import get_current_context\n"
              "    return Variable.get('x'), get_current_context()\n")
    code = render([plan.CallableCode((), source, "dag.py:1:1")])
    assert "    from airflow.sdk import dag; Variable = _airflow.Variable  # both\n" in code
    assert "    if True: get_current_context = _airflow.get_current_context\n" in code
    # the names are bound before the callable too (module-level imports are not carried)
    assert code.startswith("# Airflow names the callable uses, provided by the kfmigrate run-time shim.\n"
                           "get_current_context = _airflow.get_current_context\nVariable = _airflow.Variable\n")


def test_code_from_the_dag_file_keeps_its_comments_and_indentation():
    prelude = ("# a constant\nLIMIT = 3  # rows\n", "def helper():\n  return LIMIT\n\n\n")
    code = render([plan.CallableCode(prelude, "def work():\n  return helper()", "")])
    assert code == ("# From the DAG file: imports, constants and helpers the callable uses.\n"
                    "# a constant\nLIMIT = 3  # rows\ndef helper():\n  return LIMIT\n"
                    "# The task callable.\ndef work():\n  return helper()")


def test_a_long_call_puts_its_arguments_below():
    code = render([plan.CallPython("report", plan.CallableCode((), "def report(**kw):\n    pass", ""),
                                   templates_dict=plan.Rendered(plan.PyValue("{{ ds }}" * 12)))])
    assert code.endswith("results, skipped = _airflow_call_python(\n    _airflow, report, _op_args, _op_kwargs, templates_dict="
                         "_airflow_render('" + "{{ ds }}" * 12 + "', _airflow.context),\n)")


def test_the_direct_tier_reads_xcom_values_from_its_own_parameters():
    call = component_body.direct_call("load", (plan.XcomValue("extract", "return_value"),),
                                      (("limit", plan.InputName("limit")),), {("extract", "return_value"): "json.loads(rows)"})
    assert call == "load(json.loads(rows), limit=limit)"
