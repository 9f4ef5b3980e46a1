"""Small builders for hand-made IR workflows (the parser is not needed for these tests)."""
from __future__ import annotations

import textwrap

from kfmigrate.migrate import ir


def span(line: int = 1) -> ir.SourceSpan:
    return ir.SourceSpan("dags/handmade.py", line, 1)


def callable_source(source: str, prelude=(), return_annotation=None) -> ir.CallableSource:
    """A CallableSource from a function definition (its name and parameters read from the text)."""
    import ast

    source = textwrap.dedent(source).strip() + "\n"
    func = ast.parse(source).body[0]
    params = tuple(a.arg for a in func.args.posonlyargs + func.args.args)
    var_keyword = func.args.kwarg.arg if func.args.kwarg else None
    annotation = return_annotation or (ast.unparse(func.returns) if func.returns else None)
    return ir.CallableSource(func.name, source, params, var_keyword, annotation,
                             tuple(textwrap.dedent(p).strip() for p in prelude), span(3))


def bash(task_id: str, command, line: int = 10, **kwargs) -> ir.Task:
    value = ir.Template(command) if isinstance(command, str) and "{{" in command else ir.Literal(command)
    args = {"bash_command": value, **{k: v if isinstance(v, (ir.Literal, ir.Template, ir.TaskOutput, ir.Composite, ir.Dynamic)) else ir.Literal(v) for k, v in kwargs.pop("args", {}).items()}}
    return ir.Task(task_id, "BashOperator", "airflow.providers.standard.operators.bash", args, span(line),
                   f"BashOperator(task_id={task_id!r}, bash_command={command!r})", **kwargs)


def python(task_id: str, func: ir.CallableSource, operator: str = "PythonOperator", args=None, line: int = 20, **kwargs) -> ir.Task:
    return ir.Task(task_id, operator, "airflow.providers.standard.operators.python", dict(args or {}), span(line),
                   f"{operator}(task_id={task_id!r}, python_callable={func.name})", callable=func, **kwargs)


def empty(task_id: str, line: int = 30, **kwargs) -> ir.Task:
    return ir.Task(task_id, "EmptyOperator", "airflow.providers.standard.operators.empty", {}, span(line),
                   f"EmptyOperator(task_id={task_id!r})", **kwargs)


def workflow(dag_id: str, tasks, edges=(), params=(), **kwargs) -> ir.Workflow:
    edge_objs = tuple(e if isinstance(e, ir.Edge) else ir.Edge(*e) for e in edges)
    return ir.Workflow(dag_id, "dags/handmade.py", span(), tuple(tasks), edge_objs, tuple(params), **kwargs)


def convert_one(text: str, path: str, **options):
    """The one Conversion of a DAG file's text, asserted to have compiled."""
    from kfmigrate.migrate.api import convert_source

    result = convert_source(text, path, **options)
    assert result.error is None, result.error
    (conversion,) = result.conversions
    assert conversion.yaml_text, [str(d) for d in conversion.diagnostics]
    return conversion


def component_code(source: str, name: str) -> str:
    """The text of one component function in a generated module."""
    start = source.index(f"def {name}(")
    return source[start:source.index("\n@dsl.", start)]
