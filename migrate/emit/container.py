"""Container components and Kubernetes settings (ComponentPlan.container / ComponentPlan.platform).

A container task (KubernetesPodOperator, DockerOperator, @task.kubernetes ...) becomes a
`@dsl.container_component` returning `dsl.ContainerSpec(image=..., command=[...], args=[...])`.
A plain container cannot render Jinja at run time, so templates are resolved here where their
value is known to the pipeline: `{{ params.x }}` becomes a component input fed from the pipeline
parameter and spliced into the argument with an f-string (KFP turns it into an input placeholder);
`{{ dag.dag_id }}` / `{{ task.task_id }}` become their literal text. Anything else stays as written
and is reported (KFM203).

Kubernetes settings become kfp-kubernetes calls and PipelineTask methods on the task variable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.diagnostics import Diagnostic
from kfmigrate.migrate.operators import ContainerSpec, Input, MapContext, PipelineInput, PlatformConfig
from kfmigrate.migrate.naming import identifier

# One part of a container string: ("text", str) | ("input", component input name) | ("xcom", (task_id, key))
Part = Tuple[str, Any]

_JINJA = re.compile(r"{{(.*?)}}", re.DOTALL)
_PARAM = re.compile(r"""^params(?:\.([A-Za-z_]\w*)|\[\s*(['"])(.+?)\2\s*\])$""")
_STATIC = {
    "dag.dag_id": "dag_id", "dag_run.dag_id": "dag_id", "ti.dag_id": "dag_id", "task_instance.dag_id": "dag_id",
    "task.dag_id": "dag_id",
    "task.task_id": "task_id", "ti.task_id": "task_id", "task_instance.task_id": "task_id",
}


@dataclass
class ContainerCode:
    """A ContainerSpec resolved against the pipeline: strings as parts, plus the inputs they need."""
    image: List[Part]
    command: List[List[Part]]
    args: List[List[Part]]
    inputs: List[Input] = field(default_factory=list)
    xcom_refs: List[Tuple[str, str]] = field(default_factory=list)
    diagnostics: List[Diagnostic] = field(default_factory=list)
    differences: List[str] = field(default_factory=list)


class _Resolver:
    def __init__(self, task: ir.Task, ctx: MapContext, taken):
        self.task, self.ctx = task, ctx
        self.inputs: Dict[str, Input] = {}  # pipeline parameter -> component input
        self.taken = set(taken)
        self.xcom_refs: List[Tuple[str, str]] = []
        self.unresolved: List[str] = []
        self.notes: List[str] = []

    def param_input(self, param: str) -> Optional[str]:
        pipeline_param = self.ctx.param_inputs.get(param)
        if pipeline_param is None:
            return None
        if pipeline_param not in self.inputs:
            name, index = identifier(param, "param"), 2
            base = name
            while name in self.taken:
                name, index = f"{base}_{index}", index + 1
            self.taken.add(name)
            self.inputs[pipeline_param] = Input(name, self.ctx.param_type(param), PipelineInput(pipeline_param))
        return self.inputs[pipeline_param].name

    def parts(self, value: Any) -> List[Part]:
        if isinstance(value, ir.Literal):
            text = value.value if isinstance(value.value, str) else _plain(value.value)
            return self.template(text) if "{{" in text or "{%" in text else [("text", text)]
        if isinstance(value, ir.Template):
            return self.template(value.text)
        if isinstance(value, ir.ParamRef):
            name = self.param_input(value.name)
            if name is not None:
                return [("input", name)]
        if isinstance(value, ir.TaskOutput):
            ref = (value.task_id, value.key)
            if ref not in self.xcom_refs:
                self.xcom_refs.append(ref)
            return [("xcom", ref)]
        source = getattr(value, "source", None) or repr(value)
        self.unresolved.append(source)
        return [("text", source)]

    def template(self, text: str) -> List[Part]:
        if "{%" in text or "{#" in text:
            self.unresolved.append(text)
            return [("text", text)]
        parts: List[Part] = []
        position = 0
        for match in _JINJA.finditer(text):
            parts.append(("text", text[position:match.start()]))
            expression = " ".join(match.group(1).split())
            param = _PARAM.match(expression)
            name = self.param_input(param.group(1) or param.group(3)) if param else None
            if name is not None:
                parts.append(("input", name))
            elif expression in _STATIC:
                parts.append(("text", self.ctx.workflow.dag_id if _STATIC[expression] == "dag_id" else self.task.task_id))
            else:
                self.unresolved.append(match.group(0))
                parts.append(("text", match.group(0)))
            position = match.end()
        parts.append(("text", text[position:]))
        return [part for part in parts if part != ("text", "")] or [("text", "")]


def _plain(value: Any) -> str:
    """How Airflow passes a non-string literal to a container: its str()."""
    return str(value)


def resolve(task: ir.Task, spec: ContainerSpec, ctx: MapContext, taken=()) -> ContainerCode:
    resolver = _Resolver(task, ctx, taken)
    image = resolver.parts(spec.image)
    if any(kind != "text" for kind, _ in image):
        resolver.unresolved.append("image " + "".join(str(v) for _k, v in image))
        image = [("text", "".join(v if k == "text" else "{{ " + str(v) + " }}" for k, v in image))]
    code = ContainerCode(image, [resolver.parts(v) for v in spec.command], [resolver.parts(v) for v in spec.args],
                         list(resolver.inputs.values()), resolver.xcom_refs)
    for text in dict.fromkeys(resolver.unresolved):
        code.diagnostics.append(Diagnostic(
            "KFM203", f"container argument {text!r} cannot be rendered without Airflow: passed as written",
            "warning", task.span, task.task_id))
    if resolver.unresolved:
        code.differences.append("Templates other than params, dag_id and task_id are passed to the container unrendered: "
                                + ", ".join(dict.fromkeys(resolver.unresolved)))
    if resolver.xcom_refs:
        code.differences.append("XCom values reach the container as text (values other than strings as JSON text).")
    return code


def string_code(parts: List[Part], xcom_params: Dict[Tuple[str, str], Optional[str]]) -> str:
    """Python code for one container string: a plain literal or an f-string over component inputs."""
    if all(kind == "text" for kind, _ in parts):
        return repr("".join(value for _k, value in parts))
    pieces = []
    for kind, value in parts:
        if kind == "text":
            pieces.append(value.replace("{", "{{").replace("}", "}}"))
        elif kind == "input":
            pieces.append("{" + value + "}")
        else:
            param = xcom_params.get(value)
            pieces.append("{" + param + "}" if param else "None")  # no producer on KFP: Airflow renders None
    body = "".join(pieces)
    return "f" + repr(body)


def component_code(function: str, signature_params: List[str], docstring: str, code: ContainerCode,
                   xcom_params: Dict[Tuple[str, str], Optional[str]]) -> str:
    lines = ["@dsl.container_component", f"def {function}({', '.join(signature_params)}):"]
    if len(lines[1]) > 100:
        lines[1] = f"def {function}(\n" + "".join(f"    {p},\n" for p in signature_params) + "):"
    spec = [f"image={string_code(code.image, xcom_params)}"]
    if code.command:
        spec.append("command=[" + ", ".join(string_code(p, xcom_params) for p in code.command) + "]")
    if code.args:
        spec.append("args=[" + ", ".join(string_code(p, xcom_params) for p in code.args) + "]")
    body = [docstring, "return dsl.ContainerSpec(\n" + "".join(f"    {item},\n" for item in spec) + ")"]
    return "\n".join(lines) + "\n" + "\n".join("    " + line if line.strip() else line
                                              for block in body for line in block.splitlines())


# ---------------------------------------------------------------- Kubernetes settings
def platform_lines(variable: str, platform: PlatformConfig, task: ir.Task, workflow: ir.Workflow) -> Tuple[List[str], List[Diagnostic]]:
    """kfp-kubernetes calls and PipelineTask methods that carry a task's Kubernetes settings."""
    lines: List[str] = []
    diagnostics: List[Diagnostic] = []
    for secret, keys in platform.secret_env:
        lines.append(f"kubernetes.use_secret_as_env({variable}, secret_name={secret!r}, secret_key_to_env={dict(keys)!r})")
    for secret, path in platform.secret_volumes:
        lines.append(f"kubernetes.use_secret_as_volume({variable}, secret_name={secret!r}, mount_path={path!r})")
    for config_map, keys in platform.config_map_env:
        lines.append(f"kubernetes.use_config_map_as_env({variable}, config_map_name={config_map!r}, config_map_key_to_env={dict(keys)!r})")
    for config_map, path in platform.config_map_volumes:
        lines.append(f"kubernetes.use_config_map_as_volume({variable}, config_map_name={config_map!r}, mount_path={path!r})")
    for claim, path in platform.pvc_mounts:
        lines.append(f"kubernetes.mount_pvc({variable}, pvc_name={claim!r}, mount_path={path!r})")
    for volume, path in platform.empty_dirs:
        lines.append(f"kubernetes.empty_dir_mount({variable}, volume_name={volume!r}, mount_path={path!r})")
    for key, value in platform.node_selector.items():
        lines.append(f"kubernetes.add_node_selector({variable}, label_key={key!r}, label_value={str(value)!r})")
    for toleration in platform.tolerations:
        known = ("key", "operator", "value", "effect", "toleration_seconds")
        args = "".join(f", {name}={toleration[name]!r}" for name in known if toleration.get(name) is not None)
        lines.append(f"kubernetes.add_toleration({variable}{args})")
    for affinity in platform.node_affinity:
        args = "".join(f", {name}={value!r}" for name, value in affinity.items() if value is not None)
        lines.append(f"kubernetes.add_node_affinity({variable}{args})")
    if platform.image_pull_secrets:
        lines.append(f"kubernetes.set_image_pull_secrets({variable}, {list(platform.image_pull_secrets)!r})")
    for key, value in platform.labels.items():
        lines.append(f"kubernetes.add_pod_label({variable}, {key!r}, {str(value)!r})")
    for key, value in platform.annotations.items():
        lines.append(f"kubernetes.add_pod_annotation({variable}, {key!r}, {str(value)!r})")
    if platform.image_pull_policy:
        lines.append(f"kubernetes.set_image_pull_policy({variable}, {platform.image_pull_policy!r})")
    for method, value in (("set_cpu_request", platform.cpu_request), ("set_cpu_limit", platform.cpu_limit),
                          ("set_memory_request", platform.memory_request), ("set_memory_limit", platform.memory_limit)):
        if value is not None:
            lines.append(f"{variable}.{method}({str(value)!r})")
    for name, value in platform.env.items():
        text = _static_text(value, task, workflow)
        if text is None:
            diagnostics.append(Diagnostic(
                "KFM203", f"environment variable {name} has a value known only at run time ({_source(value)}): not set",
                "warning", task.span, task.task_id))
            continue
        lines.append(f"{variable}.set_env_variable({str(name)!r}, {text!r})")
    return lines, diagnostics


def _static_text(value: Any, task: ir.Task, workflow: ir.Workflow) -> Optional[str]:
    """A value's text when it is known at conversion time (literals, dag_id/task_id templates)."""
    if isinstance(value, ir.Literal):
        text = value.value if isinstance(value.value, str) else _plain(value.value)
    elif isinstance(value, ir.Template):
        text = value.text
    else:
        return None
    if "{%" in text or "{#" in text:
        return None
    failed = []

    def replace(match):
        expression = " ".join(match.group(1).split())
        if expression in _STATIC:
            return workflow.dag_id if _STATIC[expression] == "dag_id" else task.task_id
        failed.append(expression)
        return match.group(0)

    text = _JINJA.sub(replace, text)
    return None if failed else text


def _source(value: Any) -> str:
    if isinstance(value, ir.Template):
        return value.text
    return getattr(value, "source", None) or type(value).__name__
