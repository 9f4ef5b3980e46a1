"""The fast compile path: kfp builds the spec, kfmigrate writes it with libyaml; kfp imported without
kfp.client; only the optional runtime parts a component can reach; KFM300 with a position."""
from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
import yaml

from kfmigrate.migrate.api import convert_file
from kfmigrate.migrate.emit import EmitError, compile_yaml, emit, fix_comment_header, runtime
from kfmigrate.migrate.emit.text import indent_code
from kfmigrate.migrate.package import compile_with_kfp, pipeline_functions_from_source, pipeline_yaml
from emit_ir import bash, callable_source, python, workflow

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "samples" / "dags").glob("*.py"))


def _emitted(paths):
    return [(path.name, c.emitted) for path in paths for c in convert_file(path, compile=False).conversions]


def _airflow_examples(count: int):
    import importlib.util

    spec = importlib.util.find_spec("airflow")
    folder = Path(next(iter(spec.submodule_search_locations))) / "example_dags"
    return sorted(folder.glob("example_*.py"))[:count]


@pytest.mark.parametrize("name,emitted", _emitted(SAMPLES + _airflow_examples(6)), ids=lambda v: v if isinstance(v, str) else "")
def test_written_yaml_loads_to_the_documents_kfp_writes(name, emitted):
    func = pipeline_functions_from_source(emitted.python_source, "<test pipeline>")[emitted.function_name]
    ours, kfps = fix_comment_header(pipeline_yaml(func)), fix_comment_header(compile_with_kfp(func))
    assert list(yaml.safe_load_all(ours)) == list(yaml.safe_load_all(kfps))
    header = ours[:ours.index("\ncomponents:")]
    assert header.startswith("# PIPELINE DEFINITION") and kfps.startswith(header)
    from kfp.components import load_component_from_text

    assert load_component_from_text(ours).name == load_component_from_text(kfps).name


def test_the_module_run_from_memory_gives_the_spec_of_the_module_run_from_a_file(tmp_path):
    """Components read their helpers' sources once (and from linecache): the spec is the same."""
    import runpy

    emitted = _emitted([ROOT / "samples" / "dags" / "templates_and_context.py"])[0][1]
    path = tmp_path / "pipeline.py"
    path.write_text(emitted.python_source)
    from_file = runpy.run_path(str(path))[emitted.function_name]  # kfp's own reader, no caching
    from_memory = pipeline_functions_from_source(emitted.python_source, "<memory>")[emitted.function_name]
    assert list(yaml.safe_load_all(pipeline_yaml(from_file))) == list(yaml.safe_load_all(pipeline_yaml(from_memory)))
    from kfp.dsl import component_factory

    assert component_factory._get_function_source_definition.__name__ == "_get_function_source_definition"


IMPORT_CHECK = """
import json, os, sys
sys.path.insert(0, sys.argv[1])
from kfmigrate.migrate.package import import_kfp, compile_python
{first}
text = compile_python(sys.argv[2])
import kfp
print(json.dumps({{"kubernetes": "kubernetes" in sys.modules, "flag": os.environ.get("_KFP_RUNTIME"),
                  "client": kfp.Client.__name__, "dsl": hasattr(kfp.dsl, "component"), "yaml": text}}))
"""


def test_kfp_imported_for_compiling_leaves_out_the_kubernetes_client_and_compiles_the_same(tmp_path):
    emitted = _emitted([ROOT / "samples" / "dags" / "hello_world.py"])[0][1]
    module = tmp_path / "hello_pipeline.py"
    module.write_text(emitted.python_source)

    def run(first):
        out = subprocess.run([sys.executable, "-c", IMPORT_CHECK.format(first=first), str(ROOT), str(module)],
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout.splitlines()[-1])

    fast, plain = run("import_kfp()"), run("import kfp, kfp.compiler")
    assert fast["kubernetes"] is False and plain["kubernetes"] is True
    assert fast["flag"] is None  # the flag is gone again for user code
    assert fast["client"] == "Client" and fast["dsl"] is True  # kfp.Client still there, imported on use
    assert fast["yaml"] == plain["yaml"]


# ---------------------------------------------------------------- optional runtime parts
def inline(workflow_):
    """--runtime inline: the helpers are copied into the module, each component lists the ones it needs
    (in package mode the package holds them all)."""
    from kfmigrate.migrate.emit.builder import build
    from kfmigrate.migrate.emit.environment import Environment

    return build(workflow_, environment=Environment("inline"))


def _component_helpers(result, function: str) -> set:
    source = result.python_source
    decorator = source[source.rindex("@dsl.component", 0, source.index(f"def {function}(")):source.index(f"def {function}(")]
    return {name for name in runtime.HELPERS if name in decorator}


@pytest.mark.parametrize("code,expected", [
    ("def f(i):\n    return i + 1\n", set()),
    ("def f(ti):\n    return ti.xcom_pull(task_ids='a')\n", {"_airflow_xcom"}),
    ("def f(logical_date):\n    return logical_date.add(days=1).isoformat()\n", {"_airflow_pendulum"}),
    ("def f(macros, ds):\n    return macros.ds_add(ds, 1)\n", {"_airflow_macros"}),
    ("def f():\n    from airflow.models import Variable\n    return Variable.get('x')\n", {"_airflow_variables"}),
    ("def f(**kwargs):\n    return 1\n", set(runtime.OPTIONAL_PARTS)),
    ("def f(ds):\n    import numpy\n    return ds\n", set(runtime.OPTIONAL_PARTS)),
    ("def f():\n    from airflow.sdk import get_current_context\n    return get_current_context()['ds']\n",
     set(runtime.OPTIONAL_PARTS)),
])
def test_a_component_embeds_the_optional_parts_its_code_can_reach(code, expected):
    result = inline(workflow("parts", [python("t", callable_source(code))]))
    assert _component_helpers(result, "t") & set(runtime.OPTIONAL_PARTS) == expected


def test_templates_decide_too_and_a_rendered_computed_command_gets_every_part():
    plain = inline(workflow("b", [bash("t", "echo {{ ds }}")]))
    assert not _component_helpers(plain, "t") & set(runtime.OPTIONAL_PARTS)
    templated = inline(workflow("b", [bash("t", "echo {{ var.value.x }} {{ logical_date.format('YYYY') }}")]))
    assert _component_helpers(templated, "t") & set(runtime.OPTIONAL_PARTS) == {"_airflow_variables", "_airflow_pendulum"}
    assert runtime.optional_parts("command = _airflow_render(returned['return_value'], _airflow.context)\n", {}) \
        == list(runtime.OPTIONAL_PARTS)


def _runtime_with(names):
    """_airflow_runtime as a component runs it: only the helpers it embeds are defined."""
    namespace = {}
    for name in ["_airflow_runtime", *names]:
        exec(runtime.helper_source(name), namespace)
    return namespace["_airflow_runtime"]("d", "t", "2024-03-01T00:00:00+00:00", "r", {"p": 1}, {("a", "k"): 5})


def test_a_lean_context_is_the_full_one_without_what_the_code_cannot_reach():
    full, lean = _runtime_with(runtime.OPTIONAL_PARTS), _runtime_with([])
    assert list(lean.context) == [key for key in full.context if key not in ("macros", "var", "conn")]
    for key in ("ds", "ts", "run_id", "params", "ts_nodash", "task_instance_key_str"):
        assert lean.context[key] == full.context[key]
    assert lean.context["logical_date"] == full.context["logical_date"]
    assert type(lean.context["logical_date"]).__name__ == type(full.context["logical_date"]).__name__ == "DateTime"
    assert full.context["logical_date"].add(days=1).day == 2 and not hasattr(lean.context["logical_date"], "add")
    assert full.context["ti"].xcom_pull(task_ids="a", key="k") == 5 and not hasattr(lean.context["ti"], "xcom_pull")
    assert lean.context["ti"].try_number == full.context["ti"].try_number == 1
    assert full.context["macros"].ds_add("2024-03-01", 1) == "2024-03-02" and hasattr(full, "Variable")


# ---------------------------------------------------------------- KFM300 positions
def test_a_compile_error_naming_a_task_points_at_that_task():
    result = emit(workflow("broken", [bash("a", "echo", line=12), bash("b", "echo", line=14)], [("a", "b")]))
    result.python_source = result.python_source.replace("def b(", "def b(bad: NotAType, ")
    with pytest.raises(EmitError) as info:
        compile_yaml(result)
    diagnostic = info.value.diagnostic
    assert diagnostic.code == "KFM300" and diagnostic.task_id == "b"
    assert (diagnostic.span.path, diagnostic.span.line) == ("dags/handmade.py", 14)
    assert "<generated pipeline" not in diagnostic.message


def test_a_compile_error_naming_no_task_points_at_the_dag():
    result = emit(workflow("broken", [bash("a", "echo", line=12)]))
    result.python_source = result.python_source.replace("@dsl.pipeline(", "raise ValueError('no pipeline today')\n@dsl.pipeline(", 1)
    with pytest.raises(EmitError) as info:
        compile_yaml(result)
    diagnostic = info.value.diagnostic
    assert diagnostic.span == result.span and diagnostic.task_id is None
    assert "no pipeline today" in diagnostic.message


# ---------------------------------------------------------------- indent_code
def _indent_by_tokenizing(code: str, prefix: str) -> str:
    """indent_code's reference: tokenize every time."""
    inside = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        inside = set()
    return "\n".join(line if n in inside or not line.strip() else prefix + line
                     for n, line in enumerate(code.split("\n"), start=1))


def test_indent_code_skips_tokenizing_only_where_it_gives_the_same_result():
    pieces = ['"""', "'''", '"', "'", "\\", "\n", "x = ", "  ", "#", "a", "\\\n", '"""doc"""\n', "'''d'''\n"]
    rng = random.Random(7)
    cases = ['"""Doc \'x\'."""\nx = 1', 'x = """\nabc\n"""', "a = 'abc\\\ndef'\nb", 'q = \'"""\' + """\nkeep\n"""']
    cases += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    for code in cases:
        assert indent_code(code, "    ") == _indent_by_tokenizing(code, "    "), code
