"""Load a pipeline package: a KFP pipeline .py file (ours or hand-written) or a compiled .yaml.

The .py files given here are pipeline definitions the user asks to compile or run (typically the
output of `kfmigrate convert`), so executing them is expected, unlike DAG files, which we never run.
"""
from __future__ import annotations

import contextlib
import runpy
from pathlib import Path


class PackageError(Exception):
    pass


def find_pipeline_functions(py_path: Path) -> dict:
    """Execute a KFP pipeline module and return its @dsl.pipeline functions by Python name."""
    import_kfp()
    try:
        with _sources_read_once():
            namespace = runpy.run_path(str(py_path), run_name="kfmigrate_pipeline_package")
    except SyntaxError as exc:  # in the file itself or a module it imports: say where, as convert does
        if exc.lineno is None:
            raise PackageError(f"{py_path}: cannot load pipeline module: SyntaxError: {exc}") from exc
        raise PackageError(f"{exc.filename or py_path}:{exc.lineno}:{exc.offset or 1}: KFM102 syntax error: "
                           f"{exc.msg}") from exc
    except Exception as exc:  # the user's module failed: report it, with where
        raise PackageError(f"{py_path}: cannot load pipeline module: {type(exc).__name__}: {exc}") from exc
    return _pipelines_in(namespace, py_path)


def pipeline_functions_from_source(source: str, filename: str) -> dict:
    """Like find_pipeline_functions, for module source held in memory (the converter's output).

    kfp reads component sources with inspect, which finds them in linecache: the lines go there
    under `filename` (a <name> that is no file) while the module runs, and are removed after.
    """
    import linecache

    import_kfp()
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = {"__name__": "kfmigrate_pipeline_package", "__file__": filename}
    try:
        with _sources_read_once():
            exec(compile(source, filename, "exec", dont_inherit=True), namespace)  # not our __future__ flags
    except Exception as exc:
        raise PackageError(f"{filename}: cannot load pipeline module: {type(exc).__name__}: {exc}") from exc
    finally:
        linecache.cache.pop(filename, None)
    return _pipelines_in(namespace, filename)


def _pipelines_in(namespace: dict, where) -> dict:
    from kfp.dsl.graph_component import GraphComponent

    found = {name: obj for name, obj in namespace.items() if isinstance(obj, GraphComponent)}
    if not found:
        raise PackageError(f"{where}: no @dsl.pipeline function found")
    return found


@contextlib.contextmanager
def _sources_read_once():
    """While a pipeline module runs, kfp reads each function's source once.

    @dsl.component reads the source of its function and of every additional_funcs helper with
    inspect.getsource, which tokenizes it: the same run-time helpers again for every component,
    most of the cost of building components. The same function object has the same source, so it
    is read once per module run, and kfmigrate's run-time helpers (found verbatim in the module)
    once per process. kfp's reader is restored afterwards.
    """
    try:
        from kfp.dsl import component_factory

        read = component_factory._get_function_source_definition
    except (ImportError, AttributeError):  # another kfp version: nothing to speed up
        yield
        return
    sources = {}

    def read_once(func):
        if func not in sources:
            helper_text = _runtime_helper_text(func)
            if helper_text is None:
                sources[func] = read(func)
            else:  # kfp's result depends only on the text inspect.getsource returns
                if helper_text not in _HELPER_SOURCES:
                    _HELPER_SOURCES[helper_text] = read(func)
                sources[func] = _HELPER_SOURCES[helper_text]
        return sources[func]

    component_factory._get_function_source_definition = read_once
    try:
        yield
    finally:
        component_factory._get_function_source_definition = read


_HELPER_SOURCES = {}  # a run-time helper's source text -> kfp's function source definition for it


def _runtime_helper_text(func):
    """inspect.getsource(func) without tokenizing, when func is one of migrate/emit/runtime.py's
    helpers copied verbatim: its text starts at its first line and the block ends there (the next
    line that is not blank starts at column 0). None otherwise."""
    import linecache

    from kfmigrate.migrate.emit import runtime

    code = getattr(func, "__code__", None)
    if code is None or code.co_name not in runtime.HELPERS or func.__name__ != code.co_name:
        return None
    text = runtime.helper_source(code.co_name)
    lines = linecache.getlines(code.co_filename)
    start = code.co_firstlineno - 1
    end = start + text.count("\n")
    if "".join(lines[start:end]) != text:
        return None
    following = next((line for line in lines[end:] if line.strip()), "")
    return text if not following[:1].isspace() else None


def compile_python(py_path: Path, function_name: str | None = None) -> str:
    """Compile a pipeline .py file to PipelineSpec YAML text."""
    functions = find_pipeline_functions(py_path)
    if function_name:
        if function_name not in functions:
            raise PackageError(f"{py_path}: no pipeline function named {function_name!r} (found {', '.join(functions)})")
        func = functions[function_name]
    elif len(functions) == 1:
        func = next(iter(functions.values()))
    else:
        raise PackageError(f"{py_path}: several pipeline functions ({', '.join(functions)}); name one")
    return pipeline_yaml(func)


def pipeline_yaml(func) -> str:
    """The PipelineSpec YAML of a @dsl.pipeline function, as kfp.compiler.Compiler writes it.

    kfp's Compiler builds the spec; only the last step, writing it, is ours: kfp dumps with PyYAML's
    pure-Python emitter, which takes most of a compile (35 ms for a 50 KB spec), where libyaml's
    (yaml.CSafeDumper) takes 2 ms. The text differs only in line folding; it loads to the same
    documents. Without libyaml, or for a spec kfp's writer validates further (an importer), kfp writes it.
    """
    import yaml
    from google.protobuf import json_format
    from kfp.compiler import pipeline_spec_builder as builder
    from kfp.dsl.types import type_utils

    dumper = getattr(yaml, "CSafeDumper", None)
    with type_utils.TypeCheckManager(enable=True):  # as Compiler.compile
        spec = builder.modify_pipeline_spec_with_override(
            pipeline_spec=func.pipeline_spec, pipeline_name=None, pipeline_parameters=None)
    spec_dict = json_format.MessageToDict(spec)
    executors = (spec_dict.get("deploymentSpec") or {}).get("executors") or {}
    if dumper is None or any("importer" in executor for executor in executors.values()):
        return compile_with_kfp(func)
    documents = [spec_dict]
    if len(func.platform_spec.platforms) > 0:
        documents.append(json_format.MessageToDict(func.platform_spec))
    header = builder.extract_comments_from_pipeline_spec(spec_dict, func.description)
    return header + yaml.dump_all(documents, Dumper=dumper, sort_keys=True)


def compile_with_kfp(func) -> str:
    """kfp's own Compiler on a pipeline function: what pipeline_yaml falls back to, and its referee in tests."""
    import tempfile

    from kfp import compiler

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pipeline.yaml"
        compiler.Compiler().compile(func, str(out))
        return out.read_text()


def import_kfp() -> None:
    """Import kfp's compiler and dsl without kfp.client, which imports the Kubernetes client (0.4 to
    0.6 s) that compiling never uses.

    kfp's own __init__ skips kfp.client (and kfp.dsl) when _KFP_RUNTIME=true, the flag its
    components run under; the flag is set only around that one import, then kfp.dsl and
    kfp.compiler import normally. `kfp.Client` (and the other names kfp's __init__ binds) still
    work: they are imported on first use.
    """
    import os
    import sys

    if "kfp" not in sys.modules and "_KFP_RUNTIME" not in os.environ:
        os.environ["_KFP_RUNTIME"] = "true"
        try:
            import kfp
        finally:
            del os.environ["_KFP_RUNTIME"]
        if not hasattr(kfp, "Client"):
            kfp.__getattr__ = _kfp_lazy_attribute
    import kfp.compiler  # noqa: F401
    import kfp.dsl  # noqa: F401


def _kfp_lazy_attribute(name: str):
    """Module __getattr__ for kfp: what its __init__ binds when not skipped, imported on first use."""
    import importlib

    if name == "Client":
        return importlib.import_module("kfp.client").Client
    if name in ("client", "components", "dsl"):
        return importlib.import_module(f"kfp.{name}")
    raise AttributeError(f"module 'kfp' has no attribute {name!r}")


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
