"""The generated module's text: docstring, imports, constants, the run-time helpers (inline), the
embedded local modules, one component per task (or one shared by several: sharing.py), the gates
and stand-ins, the pipeline function (pipeline.py) and the `__main__` block compiling it."""
from __future__ import annotations

import re
import textwrap
from typing import List, Optional

from kfmigrate.migrate import ir
from kfmigrate.migrate.emit import artifacts
from kfmigrate.migrate.emit import callbacks as dag_callbacks
from kfmigrate.migrate.emit import container as containers
from kfmigrate.migrate.emit import direct as tiers
from kfmigrate.migrate.emit import environment as environments
from kfmigrate.migrate.emit import mapping as mappings
from kfmigrate.migrate.emit import runtime, sharing, trigger_rules
from kfmigrate.migrate.emit.nodes import BASE_IMAGE, SKIP_OUTPUT, ExitHandler, Node, Region, python_type, regions_of
from kfmigrate.migrate.emit.pipeline import items_inputs, items_source_code, pipeline_source
from kfmigrate.migrate.emit.prepare import constant_inputs
from kfmigrate.migrate.emit.text import function_source, indent_function_body, one_line
from kfmigrate.migrate.naming import yaml_name


def module_source(workflow: ir.Workflow, components: List[Node], parameters: List[dict], pipeline_fn: str,
                  exit_handler: Optional[ExitHandler] = None,
                  environment: environments.Environment = environments.Environment()) -> str:
    needs = {node.task.task_id: _helpers(node) for node in components}  # once per component: it reads the whole body
    used = {name for names in needs.values() for name in names}
    helpers = [name for name in runtime.HELPERS if name in used]
    if exit_handler is not None:  # DAG callbacks get the whole context
        wanted = ("_airflow_runtime", *runtime.OPTIONAL_PARTS)
        helpers = [name for name in runtime.HELPERS if name in helpers or name in wanted]
    if any(n.loop is not None and n.loop.items_function for n in components):
        helpers = [name for name in runtime.HELPERS if name in helpers or name in ("_airflow_map_items", "_from_json", "_ints_back")]
    uses_kubernetes = any(node.task.timeout_seconds or not node.plan.platform.is_empty() for node in components)
    parts = []
    imports = ["from pathlib import Path", "from typing import NamedTuple", "", "from kfp import compiler, dsl"]
    if uses_kubernetes:
        imports.append("from kfp import kubernetes")
    # sections are announced where the module has several kinds of code (helpers, embedded modules)
    sections = bool(helpers and not environment.package) or any(node.local_modules for node in components)
    if helpers and not environment.package:
        parts.append(
            "# ---------------------------------------------------------------- kfmigrate run-time helpers\n"
            "# Copied into the components that use them (additional_funcs). They rebuild what an Airflow task\n"
            "# sees: its context, XCom, Jinja rendering, the bash runner and trigger rules on skips."
        )
        for name in helpers:
            parts.append(runtime.helper_source(name).rstrip())
    embedded = {f.function: f for node in components for f in node.local_modules}
    if embedded:
        parts.append(
            "# ---------------------------------------------------------------- modules from next to the DAG file\n"
            "# A component sees only its own source and its additional_funcs (module-level constants are not\n"
            "# visible inside it), so each module's text is returned by a function listed in the additional_funcs\n"
            "# of the components that import it; _kfp_local_modules writes them into a folder on sys.path."
        )
        parts += [function_source(f).rstrip() for f in embedded.values()]
    if sections:
        parts.append("# ---------------------------------------------------------------- components")
    codes = {node.task.task_id: _component(workflow, node, environment, needs[node.task.task_id]) for node in components}
    codes.update(sharing.share(components, lambda node, doc, task_id: _component(workflow, node, environment, needs[node.task.task_id],
                                                                                 doc, task_id)))
    parts += [codes[node.task.task_id] for node in components if node.component in (None, node.function)]
    if not components:
        parts.append(
            "@dsl.component(base_image=BASE_IMAGE)\n"
            "def no_task_runs():\n"
            '    """The DAG has only empty tasks; KFP needs at least one task in a pipeline."""\n'
            '    print("Nothing to run: every Airflow task of this DAG was an empty task.")'
        )
    by_id = {node.task.task_id: node for node in components}
    for loop in dict.fromkeys(n.loop for n in components if n.loop is not None and n.loop.items_function):
        inputs = [(item.name, item.type) for item in items_inputs(loop, by_id)]
        parts.append(mappings.items_component(loop, loop.items_function, inputs, items_source_code(loop, by_id), environment))
    gated = [node for node in components if node.gate_function]
    for node in gated:
        parts.append(_gate_component(node, environment))
    if gated:
        parts.append(
            "@dsl.component(base_image=BASE_IMAGE)\n"
            f"def {gated[0].stub_function}():\n"
            '    """Stands in for a container task that Airflow would skip (the dsl.Else of its gate)."""\n'
            '    print("Skipped: Airflow would skip this task.")'
        )
    for region in regions_of(components):
        if region.stub_function:
            parts.append(_stand_in_component(region))
    if exit_handler is not None:
        parts.append(exit_handler.code)
    if sections:
        parts.append("# ---------------------------------------------------------------- pipeline")
    pipeline = pipeline_source(workflow, components, parameters, pipeline_fn, exit_handler)
    parts.append(pipeline)
    sharing.name_tasks(components, pipeline, "\n\n".join(parts))  # the spec's task keys, for the report
    main = ('if __name__ == "__main__":\n'
            f'    target = Path(__file__).with_name({yaml_name(workflow.dag_id)!r})\n'
            f'    compiler.Compiler().compile({pipeline_fn}, str(target))')
    if any(_has_newline(p["default"]) for p in parameters):
        main += (
            "\n    # kfp writes multi-line parameter defaults into its comment header unescaped: comment them out\n"
            "    text = target.read_text()\n"
            "    start = min(text.find(f\"\\n{key}:\") for key in ('components', 'deploymentSpec') if f\"\\n{key}:\" in text)\n"
            "    header = ''.join(line if line.startswith('#') or not line.strip() else '#    ' + line\n"
            "                     for line in text[:start + 1].splitlines(keepends=True))\n"
            "    target.write_text(header + text[start + 1:])"
        )
    parts.append(main)
    code = "\n\n\n".join(parts)
    if "NamedTuple(" not in code:
        imports.remove("from typing import NamedTuple")
    if environment.image:
        constants = [f"BASE_IMAGE = {environment.image!r}  # the project image (kfmigrate convert --image): it holds every package"]
        # kfp is in the image too: no run-time install of the SDK either
        code = re.sub(r"(@dsl\.component\(\s*base_image=BASE_IMAGE)", r"\1, install_kfp_package=False", code)
    else:
        constants = [f'BASE_IMAGE = "{BASE_IMAGE}"  # the image every component runs in: change it here']
    constants += environments.module_constants(environment, code)  # RUNTIME_PACKAGES, PIP_INDEX_URLS
    head = "\n\n".join([_module_docstring(workflow, pipeline_fn), "\n".join(imports), "\n".join(constants)])
    return head + "\n\n\n" + code + "\n"


def _has_newline(value) -> bool:
    if isinstance(value, str):
        return "\n" in value or "\r" in value
    if isinstance(value, (list, tuple)):
        return any(_has_newline(v) for v in value)
    if isinstance(value, dict):
        return any(_has_newline(k) or _has_newline(v) for k, v in value.items())
    return False


def _helpers(node: Node) -> List[str]:
    if node.tier == tiers.DIRECT:
        return []
    code = node.plan.body + "\n" + "\n".join(node.decision_lines)
    names = [name for name in runtime.HELPERS if name + "(" in code]  # what the body calls
    if set(node.outputs) - set(node.artifacts.xcom_outputs) or node.skip_output:  # parameter outputs
        names.append("_kfp_outputs")
    if node.skip_check:
        check = "\n".join(node.skip_lines + [node.skip_expr or ""])
        names += [name for name in ("_airflow_should_skip", "_airflow_not_followed", "_airflow_trigger") if name + "(" in check]
    if node.carries_state:
        names += ["_airflow_failed_for_good"] + (["_airflow_attempt"] if "_airflow_attempt(" in _try_number(node) else [])
    if any(x.kind == "json" for x in node.xcom_inputs):
        names.append("_from_json")
    names += artifacts.helpers(node)
    if "_airflow_runtime" in names:  # the context's optional parts: only those this task's code can reach
        names += runtime.optional_parts(code, constant_inputs(node.plan))
    return [n for n in runtime.HELPERS if n in names]


def _module_docstring(workflow: ir.Workflow, pipeline_fn: str) -> str:
    lines = [f"Kubeflow Pipelines v2 pipeline converted by kfmigrate from the Airflow DAG {workflow.dag_id!r}.", ""]
    lines.append(f"Source: {workflow.path}")
    if workflow.description:
        lines.append(f"Description: {workflow.description}")
    lines.append(f"Schedule in Airflow: {_schedule_text(workflow.schedule)}")
    if workflow.tags:
        lines.append(f"Tags: {', '.join(workflow.tags)}")
    lines += [
        "",
        f"Compile with `python {{this file}}` (writes {yaml_name(workflow.dag_id)} next to it), or run it with",
        "kfp.local / a KFP cluster. Pipeline parameters: the DAG params plus logical_date and run_id.",
    ]
    text = "\n".join(lines).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return f'"""{text}\n"""'


def _schedule_text(schedule: ir.Schedule) -> str:
    if schedule.kind == "none":
        return "none (runs when triggered)"
    text = f"{schedule.kind} {schedule.value!r}" if schedule.value is not None else schedule.kind
    if schedule.start_date:
        text += f", start_date {schedule.start_date}"
    if schedule.catchup:
        text += ", catchup on"
    return text + "\n  (not part of the pipeline: create a KFP recurring run for it)"


def _component(workflow: ir.Workflow, node: Node, environment: environments.Environment, helpers: List[str],
               docstring: Optional[str] = None, task_id_input: bool = False) -> str:
    """helpers: the run-time helpers it uses (_helpers); docstring: instead of the task's; task_id_input: the
    task id is the input `task_id` (a shared component)."""
    plan = node.plan
    docstring = docstring or _docstring(workflow, node)
    if node.container is not None:
        params = [f"{i.name}: {i.type}" for i in plan.inputs]
        params += [f"{x.param}: {python_type(x.kind)}" for x in node.xcom_inputs]
        xcom_params = {(x.producer, x.key): x.param for x in node.xcom_inputs}
        return containers.component_code(node.function, params, _docstring(workflow, node), node.container, xcom_params)
    decorator = environments.decorator(environment, helpers, packages=plan.packages, base_image=plan.base_image,
                                       extra_funcs=[f.function for f in node.local_modules])
    if node.tier == tiers.DIRECT:
        return tiers.component_code(node, decorator, docstring, node.function)

    params = ([f"{sharing.TASK_ID}: str"] if task_id_input else []) + [f"{i.name}: {i.type}" for i in plan.inputs]
    params += [f"{x.param}: {artifacts.input_type(node, x.param, node.collected(x.producer)) or ('list' if node.collected(x.producer) else python_type(x.kind))}"
               for x in node.xcom_inputs if x.param not in node.via_item]
    params += [f"{c.param}: {c.type}" for c in node.control_inputs if c.param not in node.via_item]
    params += artifacts.signature_params(node)  # XCom and MLflow tracking carried by KFP artifacts
    if node.attempts_output:
        params.append(f"{dag_callbacks.ATTEMPTS_PARAM}: dsl.OutputPath(str)")
    spec = [(key, output.kind) for key, output in node.outputs.items() if key not in node.artifacts.xcom_outputs]
    names = [output.name for key, output in node.outputs.items() if key not in node.artifacts.xcom_outputs]
    if node.skip_output:
        spec.append((SKIP_OUTPUT, "skipped"))
        names.append(SKIP_OUTPUT)
    if names:
        fields = ", ".join(f"({name!r}, {python_type(kind)})" for name, kind in zip(names, [k for _k, k in spec]))
        if node.carries_state:  # appended to _kfp_outputs' values: 'success', 'skipped', 'failed', 'upstream_failed'
            fields += f", ({trigger_rules.STATE_OUTPUT!r}, str)"
        returns = f' -> NamedTuple("Outputs", [{fields}])'
    else:
        returns = ""
    signature = f"def {node.function}({', '.join(params)}){returns}:"
    if len(signature) > 100:
        signature = f"def {node.function}(\n" + "".join(f"    {p},\n" for p in params) + f"){returns}:"

    body: List[str] = [docstring]
    imported = environments.runtime_import(environment, helpers)
    if imported:
        body.append(imported)
    spec_text = "_outputs"
    if names:
        body.append("# (XCom key, encoding) of each output, in order")
        body.append(f"_outputs = {spec!r}")
    if node.via_item:
        body.append("# Values of tasks outside the loop come inside the item (see the items component)")
        body.append("import json as _json")
        body.append(f"_envelope = _json.loads({mappings.ITEM_PARAM})")
        body.append(f"{mappings.ITEM_PARAM} = _json.dumps(_envelope['item'])")
        body += [f"{param} = _envelope['outer'][{key!r}]" for param, key in node.via_item.items()]
    if node.skip_check and node.reads_states:
        body += trigger_rules.check_lines(node.skip_lines, node.skip_expr, artifacts.write_outputs(node, "{}", "True"), spec_text)
    elif node.skip_check:
        body.append("# Would Airflow skip this task? (skipped upstream tasks, trigger rule, branches, short circuits)")
        body += node.skip_lines
        body.append(f"if {node.skip_expr}:")
        body += [f"    {line}" for line in artifacts.write_outputs(node, "{}", "True")]
        body.append(f"    return _kfp_outputs({{}}, True, {spec_text})" if names else "    return")
    work_start = len(body)
    xcom_items = []
    for xcom in node.xcom_inputs:
        param, collected = xcom.param, node.collected(xcom.producer)
        value = f"_from_json({param})" if xcom.kind == "json" else param
        if collected:  # every map index's value, as Airflow's lazy XCom list
            value = f"[_from_json(value) for value in {param}]" if xcom.kind == "json" else f"_ints_back({param})"
        value = artifacts.input_value(node, param, collected) or value
        if param in node.xcom_skip_flags:  # the producer was skipped: no XCom, None as in Airflow
            value = f"None if {node.xcom_skip_flags[param]} else {value}"
        xcom_items.append(f"({xcom.producer!r}, {xcom.key!r}): {value}")
    xcom_items += [f"({producer!r}, {key!r}): None" for producer, key in node.xcom_none]
    if xcom_items or "xcom" in plan.body:
        joined = ", ".join(xcom_items)
        if len(joined) > 80:
            body.append("xcom = {\n" + "".join(f"    {item},\n" for item in xcom_items) + "}")
        else:
            body.append("xcom = {" + joined + "}")
    body.append(mapper_body(node, task_id_input))
    if node.carries_state:
        body[work_start:] = trigger_rules.recording_failure("\n".join(body[work_start:]), int(node.task.retry.retries or 0),
                                                            _try_number(node), artifacts.write_outputs(node, "{}", "True"), spec_text)
    body += node.decision_lines
    body += artifacts.write_outputs(node)
    if names:
        state = " + ('skipped' if skipped else 'success',)" if node.carries_state else ""
        body.append(f"return _kfp_outputs(results, skipped, {spec_text}){state}")
    return function_code(decorator, signature, body)


def mapper_body(node: Node, task_id_input: bool = False) -> str:
    """The mapper's body (ComponentPlan.body) as the component runs it: its own task id read from the
    input when the component is shared, the call of the callable inside MLflow tracking when it tracks."""
    code = node.plan.body.rstrip()
    if task_id_input:
        code = sharing.task_id_as_input(node.task.task_id, code)
    return artifacts.wrap_body(node, code)


def function_code(decorator: str, signature: str, body: List[str]) -> str:
    """A component function: its decorator and signature, then the body statements indented under them."""
    return decorator + "\n" + signature + "\n" + indent_function_body(body)


def _try_number(node: Node) -> str:
    """Code giving the attempt's Airflow try number inside a component that records its last failure."""
    if not node.task.retry.retries:
        return "1"
    if "_airflow_attempt(" in node.plan.body:  # the context counts the attempts already (callbacks, with_try_number)
        return "_airflow.context['ti'].try_number"
    return f"_airflow_attempt({dag_callbacks.RETRY_INDEX_PARAM}, {dag_callbacks.ATTEMPTS_PARAM})"


def _gate_component(node: Node, environment: environments.Environment) -> str:
    """The component deciding whether a container task runs (a container cannot read skip flags)."""
    helpers = [name for name in ("_airflow_should_skip", "_airflow_not_followed", "_airflow_trigger")
               if name + "(" in "\n".join(node.skip_lines + [node.skip_expr or ""])]
    params = ", ".join(f"{c.param}: {c.type}" for c in node.control_inputs)
    body = [f'"""Would Airflow skip the container task {node.task.task_id!r}? (skipped upstream tasks, branches, trigger rule)"""']
    body += [line for line in [environments.runtime_import(environment, helpers)] if line]
    if node.reads_states:
        body += trigger_rules.gate_lines(node.skip_lines, node.skip_expr, node.task.task_id)
    else:
        body += node.skip_lines
        body.append(f"return (bool({node.skip_expr}),)")
    decorator = environments.decorator(environment, helpers)
    return (f"{decorator}\ndef {node.gate_function}({params}) -> NamedTuple(\"Outputs\", [({SKIP_OUTPUT!r}, bool)]):\n"
            + textwrap.indent("\n".join(body), "    "))


def _docstring(workflow: ir.Workflow, node: Node) -> str:
    task = node.task
    text = f"Airflow task {task.task_id!r} ({task.operator}) from {task.span}."
    if task.task_id == trigger_rules.FINAL_ID:  # no Airflow task: the DAG run's own state
        text = f"The DAG run's state (kfmigrate): {task.doc}"
    if node.plan.description:
        text += "\n\n" + node.plan.description.strip()
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if "\n" not in text:
        return f'"""{text}"""'
    # continuation lines sit inside the string, so indent_code leaves them: indent them here
    return '"""' + textwrap.indent(text + "\n", "    ", lambda line: bool(line.strip())).lstrip() + '    """'


def _stand_in_component(region: Region) -> str:
    """The dsl.Else task of a region: what its tasks output when Airflow skips them."""
    outputs = list(region.exposed.values())
    doc = f'"""Stands in for the tasks that run only when {one_line(region.label)}, when they do not (the dsl.Else)."""'
    if not outputs:
        return (f"@dsl.component(base_image=BASE_IMAGE)\ndef {region.stub_function}():\n    {doc}\n"
                '    print("Skipped: Airflow would skip these tasks.")')
    fields = ", ".join(f"({name!r}, {type_})" for name, type_, _value in outputs)
    values = ", ".join(repr(value) for _name, _type, value in outputs)
    return (f"@dsl.component(base_image=BASE_IMAGE)\n"
            f"def {region.stub_function}() -> NamedTuple(\"Outputs\", [{fields}]):\n    {doc}\n"
            f"    return ({values},)")
