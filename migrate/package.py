"""Load a pipeline package: a KFP pipeline .py file (ours or hand-written) or a compiled .yaml.

The .py files given here are pipeline definitions the user asks to compile or run (typically the
output of `kfmigrate convert`), so executing them is expected, unlike DAG files, which we never run.
"""
from __future__ import annotations

import runpy
from pathlib import Path


class PackageError(Exception):
    pass


def find_pipeline_functions(py_path: Path) -> dict:
    """Execute a KFP pipeline module and return its @dsl.pipeline functions by Python name."""
    from kfp.dsl.graph_component import GraphComponent

    try:
        namespace = runpy.run_path(str(py_path), run_name="kfmigrate_pipeline_package")
    except Exception as exc:  # the user's module failed: report it, with where
        raise PackageError(f"{py_path}: cannot load pipeline module: {type(exc).__name__}: {exc}") from exc
    found = {name: obj for name, obj in namespace.items() if isinstance(obj, GraphComponent)}
    if not found:
        raise PackageError(f"{py_path}: no @dsl.pipeline function found")
    return found


def compile_python(py_path: Path, function_name: str | None = None) -> str:
    """Compile a pipeline .py file to PipelineSpec YAML text."""
    import tempfile

    from kfp import compiler

    functions = find_pipeline_functions(py_path)
    if function_name:
        if function_name not in functions:
            raise PackageError(f"{py_path}: no pipeline function named {function_name!r} (found {', '.join(functions)})")
        func = functions[function_name]
    elif len(functions) == 1:
        func = next(iter(functions.values()))
    else:
        raise PackageError(f"{py_path}: several pipeline functions ({', '.join(functions)}); name one")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pipeline.yaml"
        compiler.Compiler().compile(func, str(out))
        return out.read_text()


def load_yaml_text(path: Path) -> str:
    """Return PipelineSpec YAML for .py (compiled now) or .yaml/.yml (read as is)."""
    path = Path(path)
    if not path.exists():
        raise PackageError(f"{path}: no such file")
    if path.suffix == ".py":
        return compile_python(path)
    if path.suffix in (".yaml", ".yml", ".json"):
        return path.read_text()
    raise PackageError(f"{path}: expected a pipeline .py, .yaml or .json file")
