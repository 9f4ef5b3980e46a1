"""IR -> readable KFP v2 Python, and its compilation to PipelineSpec YAML.

    result = emit(workflow)          # EmitResult: python_source, names, per-task reports
    yaml_text = compile_yaml(result) # kfp.compiler; EmitError (KFM300) when it fails

The generated module compiles itself with `python <file>.py` to `result.yaml_name`
(`<dag_id>.yaml`, unsafe file-name characters replaced) next to it. It holds, in order: BASE_IMAGE,
the run-time helpers (runtime.py), one @dsl.component per task that runs, and the @dsl.pipeline
function whose parameters are the DAG params plus logical_date and run_id.

The operator mappers in migrate/operators produce the component bodies; docs/mapping.md describes
the result. The work is split as the KFP compiler splits its own (builder.py runs the stages):
    nodes.py    the records: Node (one task on its way to code), Region, XcomInput, ControlInput ...
    graph.py    the one graph utility (Dag: topological order, reach, descendants)
    prepare.py  each task's plan made ready (mapping, loops, containers, callbacks, local modules, imports)
    wiring.py   upstream tasks through removed ones, outputs, XCom inputs, failure as data, loop values
    skips.py    skip decisions and trigger-rule notes; regions.py: the dsl.If groups around skipped tasks
    render.py   the module and component text; pipeline.py: the @dsl.pipeline function
    report.py   one TaskReport per task
Names come from migrate/naming.py, which the mappers share.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import ERROR, Diagnostic


@dataclass
class TaskReport:
    task_id: str  # the Airflow task id
    operator: str
    mapping: str  # "BashOperator -> bash lightweight component"
    fidelity: str  # native | shim | placeholder | removed
    kfp_task: Optional[str]  # key in the compiled PipelineSpec root.dag.tasks; None when no task
    component: Optional[str]  # the component's Python function name
    outputs: Dict[str, str] = field(default_factory=dict)  # XCom key -> KFP output name
    differences: List[str] = field(default_factory=list)
    diagnostics: List[Diagnostic] = field(default_factory=list)
    span: Optional[ir.SourceSpan] = None
    tier: Optional[str] = None  # direct (a plain component) | runtime (kfmigrate's Airflow runtime) | container

    def to_json(self) -> dict:
        return {
            "task_id": self.task_id, "operator": self.operator, "mapping": self.mapping, "fidelity": self.fidelity,
            "tier": self.tier,
            "kfp_task": self.kfp_task, "component": self.component, "outputs": dict(self.outputs),
            "differences": list(self.differences), "diagnostics": [d.to_json() for d in self.diagnostics],
            "line": self.span.line if self.span else None,
        }


@dataclass
class EmitResult:
    python_source: str
    function_name: str  # the @dsl.pipeline function's Python name
    pipeline_name: str  # the KFP pipeline name (from the dag id)
    parameters: List[Dict[str, Any]]  # name, type, default, from_param (the DAG param name or None)
    tasks: List[TaskReport]
    diagnostics: List[Diagnostic]  # workflow-level ones (task ones are in tasks[i].diagnostics)
    yaml_name: str = ""  # the file name `python <file>` compiles to (<dag_id>.yaml)
    span: Optional[ir.SourceSpan] = None  # the DAG's position (set by emit)
    requirements: List[str] = field(default_factory=list)  # --image: requirements the project image must hold
    image_files: List[Any] = field(default_factory=list)  # --image: (file, path in the image) of local modules

    def all_diagnostics(self) -> List[Diagnostic]:
        return list(self.diagnostics) + [d for task in self.tasks for d in task.diagnostics]


class EmitError(Exception):
    """Emitting or compiling failed; carries a KFM300 diagnostic."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.render())
        self.diagnostic = diagnostic


def emit(workflow: ir.Workflow) -> EmitResult:
    """Build the KFP pipeline module for one workflow."""
    from kfmigrate.migrate.emit.builder import build

    result = build(workflow)
    result.span = workflow.span  # where a compile error (KFM300) points when it names no task
    return result


def compile_yaml(result: EmitResult) -> str:
    """Compile the generated module with kfp.compiler and return the PipelineSpec YAML text.

    The module runs in this process from memory (no temporary file); kfp builds the PipelineSpec
    and kfmigrate.migrate.package writes it (libyaml). A failure is an EmitError with KFM300 at the task
    kfp's message (or the failing line of the module) names, else at the DAG.
    """
    from kfmigrate.migrate.package import PackageError, pipeline_functions_from_source, pipeline_yaml

    label = f"<generated pipeline for {result.pipeline_name}>"
    try:
        function = pipeline_functions_from_source(result.python_source, label)[result.function_name]
        return fix_comment_header(pipeline_yaml(function))
    except PackageError as exc:
        message, failure = str(exc).replace(label, "generated pipeline"), exc.__cause__ or exc
    except Exception as exc:  # kfp.compiler raises many types; all mean the same to the user
        message, failure = f"{type(exc).__name__}: {exc}", exc
    task = _task_named(result, message, quoted=True) or _task_named(result, _failing_line(failure, label, result.python_source))
    where = f" (task {task.task_id!r})" if task else ""
    raise EmitError(Diagnostic(
        "KFM300", f"generated pipeline for {result.pipeline_name!r} failed to compile{where}: {message}", ERROR,
        (task.span if task else None) or result.span, task.task_id if task else None))


def _task_named(result: EmitResult, text: str, quoted: bool = False) -> Optional[TaskReport]:
    """The task whose component, KFP task name or pipeline variable the text names (longest name
    first); quoted: only a name in quotes counts (kfp quotes names in its messages; a bare word
    like a task named "a" would match prose)."""
    import re

    named = []
    for task in result.tasks:
        if task.component:
            named += [(name, task) for name in (task.component, f"{task.component}_task", task.kfp_task) if name]
    for name, task in sorted(named, key=lambda item: -len(item[0])):
        pattern = r"""['"`](comp-|exec-)?%s['"`]""" if quoted else r"(?<![\w-])%s(?![\w-])"
        if re.search(pattern % re.escape(name), text):
            return task
    return None


def _failing_line(exc: BaseException, filename: str, source: str) -> str:
    """The generated module's line where the exception was raised (the innermost frame in it), or ''."""
    import traceback

    lines = source.splitlines()
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename and f.lineno]
    if not frames or frames[-1].lineno > len(lines):
        return ""
    number = frames[-1].lineno - 1
    # a decorator fails on its own line: the function it decorates is named further down
    following = next((line for line in lines[number:number + 12] if line.startswith("def ")), "")
    return lines[number] + ("\n" + following if lines[number].startswith("@") else "")


# The top-level keys kfp writes, in its (alphabetical) order: the header ends before the first one.
SPEC_KEYS = ("components", "defaultPipelineRoot", "deploymentSpec", "pipelineInfo", "root", "schemaVersion", "sdkVersion")


def fix_comment_header(yaml_text: str) -> str:
    """Comment out lines of kfp's "# PIPELINE DEFINITION" header that a multi-line parameter
    default spilled (kfp 2.17 writes such defaults unescaped, which breaks the YAML)."""
    import re

    match = re.search(r"^(%s):" % "|".join(SPEC_KEYS), yaml_text, flags=re.MULTILINE)
    if not match:
        return yaml_text
    header = yaml_text[: match.start()]
    fixed = "".join(line if line.startswith("#") or not line.strip() else "#    " + line for line in header.splitlines(keepends=True))
    return fixed + yaml_text[match.start():]
