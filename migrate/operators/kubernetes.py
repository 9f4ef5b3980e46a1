"""KubernetesPodOperator, DockerOperator, @task.kubernetes and @task.docker -> container tasks.

KubernetesPodOperator and DockerOperator run an image with a command: they become KFP container
components (ComponentPlan.container) whose Kubernetes settings (secrets, config maps, volumes,
resources, node selection, tolerations, affinity, pull secrets, labels, annotations) go into
ComponentPlan.platform, which the emitter writes as kfp-kubernetes calls. The k8s client objects
(`k8s.V1Toleration(...)` ...) and Airflow `Secret(...)` objects arrive as unresolved calls from the
parser; staticcalls.py reads their literal arguments.

@task.kubernetes / @task.docker run a Python function inside a given image: they become the same
Python lightweight component as @task (python.py), with that image as the component's base image
and the same Kubernetes settings.

Container tasks cannot run on kfp.local's subprocess runner (KFM211): they need a cluster or
kfp.local's DockerRunner.
"""
from __future__ import annotations

import re
import shlex
from typing import Any, Dict, List, Optional, Tuple

from kfmigrate.migrate import ir
from kfmigrate.migrate.operators import (
    NATIVE, UNMAPPED, Arg, ArgTable, Case, ComponentPlan, ContainerSpec, MapContext, PlatformConfig, handled, mapper,
    no_effect, unmapped,
)
from kfmigrate.migrate.operators.common import has_jinja, not_carried_over
from kfmigrate.migrate.operators.python import ARGS as PYTHON_ARGS, map_python
from kfmigrate.migrate.operators.staticcalls import (
    Call, Templated, Unresolved, as_list, describe, fields_of, text_of, to_python, variable_config_map,
)

UNKNOWN = Arg(UNMAPPED, "the mapping does not know it")
NO_SETTING = "no kfp-kubernetes setting"
KPO_ARGS = ArgTable.of(
    handled("image", "cmds", "arguments", "env_vars", "secrets", "env_from", "configmaps", "volumes", "volume_mounts",
            "container_resources", "node_selector", "tolerations", "affinity", "image_pull_secrets", "labels",
            "annotations", "image_pull_policy", "do_xcom_push"),
    no_effect("Airflow's way of reaching the cluster and watching the pod", "name", "random_name_suffix", "in_cluster",
              "cluster_context", "config_file", "kubernetes_conn_id", "get_logs", "container_logs",
              "log_events_on_failure", "reattach_on_restart", "startup_timeout_seconds", "startup_check_interval_seconds",
              "is_delete_operator_pod", "on_finish_action", "deferrable", "poll_interval", "logging_interval",
              "log_pod_spec_on_failure", "base_container_name", "base_container_status_polling_interval",
              "progress_callback", "callbacks", "termination_message_policy", "active_deadline_seconds", note=False),
    unmapped("the run's namespace (the Kubeflow profile) is used", "namespace"),
    unmapped("set the service account on the run (kfp.Client.create_run_from_pipeline_package(service_account=...))",
             "service_account_name"),
    unmapped("pod security context: use kubernetes.set_security_context by hand", "security_context"),
    unmapped("use kubernetes.set_security_context by hand", "container_security_context"),
    unmapped("host networking has no kfp-kubernetes setting", "hostnetwork"),
    unmapped(NO_SETTING, "host_aliases", "dnspolicy", "dns_config", "schedulername", "priority_class_name", "sidecars",
             "termination_grace_period", "automount_service_account_token"),
    unmapped("KFP tasks have no init containers", "init_containers"),
    unmapped("the pod template is not read", "pod_template_file", "pod_template_dict"),
    unmapped("the pod spec is not read", "full_pod_spec"),
    unmapped("container ports have no kfp-kubernetes setting", "ports"),
    unmapped("use kubernetes.use_field_path_as_env by hand", "pod_runtime_info_envs"),
    unmapped("a container's exit code cannot mark a KFP task skipped", "skip_on_exit_code"),
    unknown=UNKNOWN,
)
DOCKER_ARGS = ArgTable.of(
    handled("image", "command", "entrypoint", "environment", "private_environment", "cpus", "mem_limit", "shm_size", "mounts"),
    no_effect("the Docker daemon and the local container lifecycle", "docker_url", "api_version", "docker_conn_id",
              "tls_ca_cert", "tls_client_cert", "tls_client_key", "tls_verify", "tls_hostname", "tls_ssl_version",
              "auto_remove", "force_pull", "mount_tmp_dir", "tmp_dir", "host_tmp_dir", "tty", "xcom_all",
              "retrieve_output", "retrieve_output_path", "timeout", "skip_on_exit_code", "container_name", "do_xcom_push",
              "dns", "dns_search", "extra_hosts", "ipc_mode", "port_bindings", "log_opts_max_size",
              "log_opts_max_file", "labels", "ulimits", "hostname", note=False),
    unmapped("a KFP container component cannot set the working directory: cd in the command", "working_dir"),
    unmapped("use kubernetes.set_security_context(run_as_user=...) by hand", "user"),
    unmapped(NO_SETTING, "privileged", "cap_add", "security_opt"),
    unmapped("GPUs: use task.set_accelerator_type/set_accelerator_limit by hand", "device_requests"),
    unmapped("the env file is not read", "env_file"),
    unmapped("relative CPU shares have no Kubernetes form", "cpu_shares"),
    unmapped("no Kubernetes form", "mem_reservation"),
    unmapped("pods use the cluster network", "network_mode"),
    unknown=UNKNOWN,
)
# the container decorators' arguments the Python mapper must not see (it would read templates in them)
KPO_CONTAINER_ARGS = {
    "image", "namespace", "env_vars", "secrets", "env_from", "volumes", "volume_mounts", "container_resources",
    "node_selector", "tolerations", "affinity", "image_pull_secrets", "labels", "annotations", "image_pull_policy",
    "cmds", "arguments", "name", "in_cluster", "kubernetes_conn_id", "get_logs", "config_file", "cluster_context",
    "do_xcom_push", "service_account_name", "on_finish_action", "is_delete_operator_pod", "deferrable", "configmaps",
}
DOCKER_CONTAINER_ARGS = {
    "image", "environment", "private_environment", "cpus", "mem_limit", "mounts", "docker_url", "api_version",
    "auto_remove", "network_mode", "mount_tmp_dir", "tmp_dir", "docker_conn_id", "force_pull", "command",
    "entrypoint", "shm_size", "user", "working_dir", "multiple_outputs", "python_command", "serializer",
}
CONTAINER_RULE = dict(pulls=False, needs=False)  # templates reach the container as the emitter renders them (container.py)


# ---------------------------------------------------------------- KubernetesPodOperator
@mapper("KubernetesPodOperator", "GKEStartPodOperator", "EksPodOperator", "AKSPodOperator", args=KPO_ARGS, **CONTAINER_RULE)
def map_kubernetes_pod(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = ComponentPlan(mapping=f"{task.operator} -> container component + kfp-kubernetes settings",
                         description=task.doc)
    notes = _Notes(task, ctx)
    image = task.args.get("image")
    if image is None:
        notes.diagnostic("KFM202", "no image given (pod_template_file / full_pod_spec are not read): the container image must be set by hand", "error")
        image = ir.Literal("<image from pod template>")
    plan.container = ContainerSpec(
        image=image,
        command=_value_list(task.args.get("cmds"), "cmds", notes),
        args=_value_list(task.args.get("arguments"), "arguments", notes),
    )
    platform = plan.platform
    _env_vars(task.args.get("env_vars"), platform, notes)
    _secrets(task.args.get("secrets"), platform, notes)
    _env_from(task.args.get("env_from"), platform, notes)
    for name in as_list(to_python(task.args.get("configmaps"))):
        notes.unmapped(f"config map {describe(name)} as environment (all keys, envFrom)", "kfp-kubernetes maps config map keys one by one (use_config_map_as_env): list the keys by hand")
    _volumes(to_python(task.args.get("volumes")), to_python(task.args.get("volume_mounts")), platform, notes)
    _resources(to_python(task.args.get("container_resources")), platform, notes)
    _node_selector(to_python(task.args.get("node_selector")), platform, notes)
    _tolerations(to_python(task.args.get("tolerations")), platform, notes)
    _affinity(to_python(task.args.get("affinity")), platform, notes)
    _pull_secrets(to_python(task.args.get("image_pull_secrets")), platform, notes)
    platform.labels.update(_string_map(to_python(task.args.get("labels")), "labels", notes))
    platform.annotations.update(_string_map(to_python(task.args.get("annotations")), "annotations", notes))
    policy = to_python(task.args.get("image_pull_policy"))
    if isinstance(policy, str):
        platform.image_pull_policy = policy
    if _true(task.args.get("do_xcom_push")):
        notes.diagnostic("KFM210", "do_xcom_push: the pod's /airflow/xcom/return.json is not collected; downstream tasks reading this task's XCom get nothing")
        plan.differences.append("XCom from the pod (/airflow/xcom/return.json) is not collected on KFP.")
    notes.finish(plan, container=True)
    return plan


# ---------------------------------------------------------------- DockerOperator
@mapper("DockerOperator", args=DOCKER_ARGS, **CONTAINER_RULE)
def map_docker(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    plan = ComponentPlan(mapping="DockerOperator -> container component + kfp-kubernetes settings", description=task.doc)
    notes = _Notes(task, ctx)
    image = task.args.get("image") or ir.Literal("<no image given>")
    # Docker's `command` replaces the image's CMD (Kubernetes args); `entrypoint` its ENTRYPOINT (command).
    plan.container = ContainerSpec(
        image=image,
        command=_docker_command(task.args.get("entrypoint"), "entrypoint", notes),
        args=_docker_command(task.args.get("command"), "command", notes),
    )
    platform = plan.platform
    for name in ("environment", "private_environment"):
        env = to_python(task.args.get(name))
        if isinstance(env, dict):
            for key, value in env.items():
                platform.env[str(key)] = _ir_value(value)
            if name == "private_environment" and env:
                notes.diagnostic("KFM209", "private_environment values are written into the pipeline spec: move them to a Kubernetes secret (kubernetes.use_secret_as_env)")
                plan.differences.append("private_environment becomes plain environment variables: keep secrets in a Kubernetes secret instead.")
        elif env is not None:
            notes.unmapped(f"{name} {describe(env)}", "only a literal dict is carried over")
    cpus = to_python(task.args.get("cpus"))
    if isinstance(cpus, (int, float)) and not isinstance(cpus, bool):
        platform.cpu_limit = _cpu(cpus)
    memory = to_python(task.args.get("mem_limit"))
    if memory is not None:
        converted = _docker_memory(memory)
        if converted:
            platform.memory_limit = converted
        else:
            notes.unmapped(f"mem_limit {describe(memory)}", "not a literal size")
    shm = to_python(task.args.get("shm_size"))
    if shm is not None:
        platform.empty_dirs.append(("dshm", "/dev/shm"))
        plan.differences.append("shm_size becomes an emptyDir at /dev/shm (disk-backed unless you set medium=Memory and a size limit).")
    for mount in as_list(to_python(task.args.get("mounts"))):
        _docker_mount(mount, platform, notes)
    plan.differences.append("The image runs as a Kubernetes pod, not through a Docker daemon.")
    notes.finish(plan, container=True)
    return plan


# ---------------------------------------------------------------- @task.kubernetes / @task.docker
@mapper("@task.docker", args=PYTHON_ARGS.extended(handled(*DOCKER_CONTAINER_ARGS)))
@mapper("@task.kubernetes", args=PYTHON_ARGS.extended(
    handled(*KPO_CONTAINER_ARGS), unmapped("the run's namespace (the Kubeflow profile) is used", "namespace")))
def map_decorated_container(task: ir.Task, ctx: MapContext) -> ComponentPlan:
    """The function runs as a Python lightweight component whose base image is the task's image."""
    kubernetes = task.operator == "@task.kubernetes"
    image = task.args.get("image")
    # the Python mapper must not see the container arguments (their templates are not the callable's)
    container_args = KPO_CONTAINER_ARGS if kubernetes else DOCKER_CONTAINER_ARGS
    python_task = _replace_args(task, {k: v for k, v in task.args.items() if k not in container_args})
    plan = map_python(python_task, ctx)
    plan.mapping = f"{task.operator} -> Python lightweight component in the task's image + kfp-kubernetes settings"
    notes = _Notes(task, ctx)
    image_text = text_of(to_python(image)) if image is not None else None
    if image_text:
        plan.base_image = image_text  # instead of the module's BASE_IMAGE
    else:
        notes.diagnostic("KFM210", f"image {describe(to_python(image)) if image is not None else '(none)'} is not a literal: the component uses BASE_IMAGE")
        plan.differences.append("The function runs in BASE_IMAGE, not in the task's image.")
    platform = plan.platform
    if kubernetes:
        _env_vars(task.args.get("env_vars"), platform, notes)
        _secrets(task.args.get("secrets"), platform, notes)
        _env_from(task.args.get("env_from"), platform, notes)
        _volumes(to_python(task.args.get("volumes")), to_python(task.args.get("volume_mounts")), platform, notes)
        _resources(to_python(task.args.get("container_resources")), platform, notes)
        _node_selector(to_python(task.args.get("node_selector")), platform, notes)
        _tolerations(to_python(task.args.get("tolerations")), platform, notes)
        _affinity(to_python(task.args.get("affinity")), platform, notes)
        _pull_secrets(to_python(task.args.get("image_pull_secrets")), platform, notes)
        platform.labels.update(_string_map(to_python(task.args.get("labels")), "labels", notes))
        platform.annotations.update(_string_map(to_python(task.args.get("annotations")), "annotations", notes))
    else:
        env = to_python(task.args.get("environment"))
        if isinstance(env, dict):
            for key, value in env.items():
                platform.env[str(key)] = _ir_value(value)
        cpus = to_python(task.args.get("cpus"))
        if isinstance(cpus, (int, float)) and not isinstance(cpus, bool):
            platform.cpu_limit = _cpu(cpus)
        memory = _docker_memory(to_python(task.args.get("mem_limit"))) if "mem_limit" in task.args else None
        if memory:
            platform.memory_limit = memory
        for mount in as_list(to_python(task.args.get("mounts"))):
            _docker_mount(mount, platform, notes)
    plan.differences.append("The function runs through KFP's executor (kfp is pip-installed into the image at start), "
                            "not through Airflow's in-pod runner; the image needs python3 and pip.")
    notes.finish(plan, container=False)
    return plan


# ---------------------------------------------------------------- settings
class _Notes:
    """Collects diagnostics and differences for one task."""

    def __init__(self, task: ir.Task, ctx: MapContext):
        self.task, self.ctx = task, ctx
        self.diagnostics, self.differences = [], []

    def diagnostic(self, code: str, message: str, severity: str = "warning") -> None:
        self.diagnostics.append(self.ctx.diagnostic(self.task, code, message, severity))

    def unmapped(self, what: str, why: str) -> None:
        diagnostic, difference = not_carried_over(self.task, self.ctx, what, why)
        self.diagnostics.append(diagnostic)
        self.differences.append(difference)

    def finish(self, plan: ComponentPlan, container: bool) -> None:
        plan.diagnostics += self.diagnostics
        plan.differences += self.differences
        if container:
            plan.fidelity = NATIVE
            plan.diagnostics.append(self.ctx.diagnostic(
                self.task, "KFM211", "container task: runs on a KFP cluster (or kfp.local's DockerRunner), not on the local subprocess runner", "info"))
            plan.differences.append("Container task: kfp.local's subprocess runner cannot run it (a cluster or the Docker runner can).")


def _ir_value(value: Any) -> Any:
    """A converted value back as an IR value for the plan (strings with Jinja become Templates)."""
    if isinstance(value, Templated):
        return ir.Template(value.text)
    if isinstance(value, str) and has_jinja(value):
        return ir.Template(value)
    if isinstance(value, (Call, Unresolved)):
        return ir.Dynamic(describe(value), "not a literal")
    return ir.Literal(value)


def _value_list(value: Optional[ir.Value], name: str, notes: _Notes) -> List[Any]:
    """cmds/arguments: a list of IR values (templates kept for the emitter to render)."""
    if value is None:
        return []
    if isinstance(value, ir.Literal):
        items = value.value if isinstance(value.value, (list, tuple)) else [value.value]
        return [ir.Template(item) if isinstance(item, str) and has_jinja(item) else ir.Literal(item) for item in items]
    if isinstance(value, ir.Composite) and value.kind in ("list", "tuple"):
        return list(value.items)
    if isinstance(value, ir.Template):
        return [value]
    notes.diagnostic("KFM110", f"{name} cannot be resolved statically: {describe(to_python(value))}", "error")
    return [value]


def _docker_command(value: Optional[ir.Value], name: str, notes: _Notes) -> List[Any]:
    """Docker takes a string (split like a shell, or a JSON list when it starts with '[') or a list."""
    if value is None:
        return []
    if isinstance(value, (ir.Literal, ir.Template)):
        text = value.value if isinstance(value, ir.Literal) else value.text
        if isinstance(text, str):
            if text.strip().startswith("["):
                import json

                try:
                    return [_ir_value(item) for item in json.loads(text)]
                except ValueError:
                    pass
            try:
                parts = shlex.split(text)
            except ValueError:
                notes.diagnostic("KFM110", f"{name} {text!r} cannot be split into arguments", "error")
                return [_ir_value(text)]
            if isinstance(value, ir.Template):
                notes.differences.append(f"The templated {name} is split into arguments before rendering (Docker splits after).")
            return [_ir_value(part) for part in parts]
    return _value_list(value, name, notes)


def _env_vars(value: Optional[ir.Value], platform: PlatformConfig, notes: _Notes) -> None:
    converted = to_python(value)
    if converted is None:
        return
    if isinstance(converted, dict):
        for key, item in converted.items():
            variable = _variable_key(item)
            if variable is not None:
                # the pod reads the env name it asked for; the value comes from the variable's config map
                _add_pair(platform.config_map_env, variable_config_map(variable), "value", str(key))
                notes.differences.append(f"Environment variable {key} is Airflow Variable {variable!r}: set from config map "
                                         f"{variable_config_map(variable)!r} (key 'value'; the report has its manifest).")
                continue
            platform.env[str(key)] = _ir_value(item)
        return
    for item in as_list(converted):
        fields = fields_of(item)
        name = fields.get("name")
        if not isinstance(name, str):
            notes.unmapped(f"env var {describe(item)}", "its name is not a literal")
            continue
        if "value" in fields and fields.get("value_from") is None:
            platform.env[name] = _ir_value(fields["value"])
            continue
        source = fields_of(fields.get("value_from"))
        secret = fields_of(source.get("secret_key_ref"))
        config_map = fields_of(source.get("config_map_key_ref"))
        if isinstance(secret.get("name"), str) and isinstance(secret.get("key"), str):
            _add_pair(platform.secret_env, secret["name"], secret["key"], name)
        elif isinstance(config_map.get("name"), str) and isinstance(config_map.get("key"), str):
            _add_pair(platform.config_map_env, config_map["name"], config_map["key"], name)
        elif source.get("field_ref") is not None:
            notes.unmapped(f"env var {name} from a field path", "use kubernetes.use_field_path_as_env by hand")
        else:
            notes.unmapped(f"env var {describe(item)}", "its value is not a literal or a secret/config map key")


VARIABLE_TEMPLATE = re.compile(r"^\{\{\s*var\.value\.([A-Za-z_][\w]*)\s*\}\}$")


def _variable_key(value: Any) -> Optional[str]:
    """The key of `Variable.get("KEY")` (default ignored) or of a whole "{{ var.value.KEY }}", else None."""
    if isinstance(value, Call) and value.name == "get" and value.source.split("(", 1)[0].replace(" ", "").endswith("Variable.get"):
        key = value.get("key", 0)
        return key if isinstance(key, str) else None
    if isinstance(value, Templated):
        found = VARIABLE_TEMPLATE.match(value.text.strip())
        return found.group(1) if found else None
    return None


def _add_pair(entries: List[Tuple[str, Dict[str, str]]], source: str, key: str, env: str) -> None:
    for existing, mapping in entries:
        if existing == source:
            mapping[key] = env
            return
    entries.append((source, {key: env}))


def _secrets(value: Optional[ir.Value], platform: PlatformConfig, notes: _Notes) -> None:
    """airflow.providers.cncf.kubernetes.secret.Secret(deploy_type, deploy_target, secret, key=None, items=None)."""
    for item in as_list(to_python(value)):
        if not isinstance(item, Call) or item.name != "Secret":
            notes.unmapped(f"secret {describe(item)}", "not a literal Secret(...) call")
            continue
        deploy_type, target = item.get("deploy_type", 0), item.get("deploy_target", 1)
        secret, key = item.get("secret", 2), item.get("key", 3)
        if not isinstance(secret, str) or deploy_type not in ("env", "volume"):
            notes.unmapped(f"secret {describe(item)}", "its type or name is not a literal")
            continue
        if deploy_type == "env":
            if isinstance(key, str) and isinstance(target, str):
                _add_pair(platform.secret_env, secret, key, target)
            else:
                notes.unmapped(f"secret {secret!r} as environment (all keys)", "kfp-kubernetes maps secret keys one by one: list them with use_secret_as_env by hand")
        else:
            if isinstance(target, str):
                platform.secret_volumes.append((secret, target))
                if key is not None or item.get("items", 4) is not None:
                    notes.differences.append(f"Secret {secret!r}: every key is mounted at {target} (Airflow mounted only the chosen key/items).")
            else:
                notes.unmapped(f"secret volume {describe(item)}", "its mount path is not a literal")


def _env_from(value: Optional[ir.Value], platform: PlatformConfig, notes: _Notes) -> None:
    for item in as_list(to_python(value)):
        fields = fields_of(item)
        for ref, kind in (("config_map_ref", "config map"), ("secret_ref", "secret")):
            name = fields_of(fields.get(ref)).get("name")
            if name is not None:
                notes.unmapped(f"{kind} {describe(name)} as environment (envFrom, all keys)",
                               f"kfp-kubernetes maps {kind} keys one by one: list them by hand")
        if not fields:
            notes.unmapped(f"env_from {describe(item)}", "not a literal V1EnvFromSource")


def _volumes(volumes: Any, mounts: Any, platform: PlatformConfig, notes: _Notes) -> None:
    by_name: Dict[str, Dict[str, Any]] = {}
    for volume in as_list(volumes):
        fields = fields_of(volume)
        if isinstance(fields.get("name"), str):
            by_name[fields["name"]] = fields
        else:
            notes.unmapped(f"volume {describe(volume)}", "not a literal V1Volume")
    for mount in as_list(mounts):
        fields = fields_of(mount)
        name, path = fields.get("name"), fields.get("mount_path")
        if not isinstance(name, str) or not isinstance(path, str):
            notes.unmapped(f"volume mount {describe(mount)}", "not a literal V1VolumeMount")
            continue
        volume = by_name.get(name)
        if volume is None:
            notes.unmapped(f"volume mount {name!r}", "no volume of that name is given")
            continue
        if fields.get("sub_path"):
            notes.differences.append(f"Volume {name!r}: sub_path {fields['sub_path']!r} is not kept (the whole volume is mounted at {path}).")
        if fields.get("read_only"):
            notes.differences.append(f"Volume {name!r} is mounted read-write (read_only is not a kfp-kubernetes setting).")
        claim = fields_of(volume.get("persistent_volume_claim")).get("claim_name")
        config_map = fields_of(volume.get("config_map")).get("name")
        secret = fields_of(volume.get("secret")).get("secret_name")
        if isinstance(claim, str):
            platform.pvc_mounts.append((claim, path))
        elif isinstance(config_map, str):
            platform.config_map_volumes.append((config_map, path))
        elif isinstance(secret, str):
            platform.secret_volumes.append((secret, path))
        elif "empty_dir" in volume:
            platform.empty_dirs.append((name, path))
        else:
            kinds = ", ".join(sorted(k for k in volume if k != "name")) or "unknown"
            notes.unmapped(f"volume {name!r} ({kinds})", "only persistent volume claims, config maps, secrets and emptyDir have kfp-kubernetes forms")


def _resources(value: Any, platform: PlatformConfig, notes: _Notes) -> None:
    if value is None:
        return
    fields = fields_of(value)
    if not fields:
        notes.unmapped(f"container_resources {describe(value)}", "not a literal V1ResourceRequirements")
        return
    for part, kind in (("requests", "request"), ("limits", "limit")):
        amounts = fields.get(part) or {}
        if not isinstance(amounts, dict):
            notes.unmapped(f"container_resources {part} {describe(amounts)}", "not a literal dict")
            continue
        for resource, amount in amounts.items():
            if resource in ("cpu", "memory") and isinstance(amount, (str, int, float)) and not isinstance(amount, bool):
                setattr(platform, f"{resource}_{kind}", str(amount))
            else:
                notes.unmapped(f"resource {part}[{resource!r}]", "accelerators: task.set_accelerator_type/set_accelerator_limit by hand; others have no KFP setting")


def _node_selector(value: Any, platform: PlatformConfig, notes: _Notes) -> None:
    platform.node_selector.update(_string_map(value, "node_selector", notes))


def _string_map(value: Any, name: str, notes: _Notes) -> Dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        notes.unmapped(f"{name} {describe(value)}", "not a literal dict")
        return {}
    found = {}
    for key, item in value.items():
        if isinstance(item, (str, int, float, bool)) and not (isinstance(item, str) and has_jinja(item)):
            found[str(key)] = str(item)
        else:
            notes.unmapped(f"{name}[{key!r}] = {describe(item)}", "only literal strings are carried over")
    return found


TOLERATION_FIELDS = ("key", "operator", "value", "effect", "toleration_seconds")


def _tolerations(value: Any, platform: PlatformConfig, notes: _Notes) -> None:
    for item in as_list(value):
        fields = fields_of(item)
        kept = {k: v for k, v in fields.items() if k in TOLERATION_FIELDS and v is not None}
        if not fields or any(isinstance(v, (Call, Unresolved, Templated)) for v in kept.values()):
            notes.unmapped(f"toleration {describe(item)}", "not a literal V1Toleration")
            continue
        platform.tolerations.append(kept)


def _selector_terms(term: Any) -> Dict[str, Any]:
    fields = fields_of(term)
    found = {}
    for part in ("match_expressions", "match_fields"):
        requirements = []
        for requirement in as_list(fields.get(part)):
            req = fields_of(requirement)
            entry = {k: req[k] for k in ("key", "operator", "values") if req.get(k) is not None}
            if entry:
                requirements.append(entry)
        if requirements:
            found[part] = requirements
    return found


def _affinity(value: Any, platform: PlatformConfig, notes: _Notes) -> None:
    if value is None:
        return
    fields = fields_of(value)
    node = fields_of(fields.get("node_affinity"))
    if not fields:
        notes.unmapped(f"affinity {describe(value)}", "not a literal V1Affinity")
        return
    required = fields_of(node.get("required_during_scheduling_ignored_during_execution"))
    for term in as_list(required.get("node_selector_terms")):
        terms = _selector_terms(term)
        if terms:
            platform.node_affinity.append(terms)
    for preferred in as_list(node.get("preferred_during_scheduling_ignored_during_execution")):
        pref = fields_of(preferred)
        terms = _selector_terms(pref.get("preference"))
        if terms and isinstance(pref.get("weight"), int):
            platform.node_affinity.append({**terms, "weight": pref["weight"]})
    for kind in ("pod_affinity", "pod_anti_affinity"):
        if fields.get(kind) is not None:
            notes.unmapped(f"affinity.{kind}", "kfp-kubernetes sets node affinity only")
    if len(as_list(required.get("node_selector_terms"))) > 1:
        notes.differences.append("Several required node selector terms (ORed in Kubernetes) become separate KFP node affinity terms.")


def _pull_secrets(value: Any, platform: PlatformConfig, notes: _Notes) -> None:
    if value is None:
        return
    if isinstance(value, str):  # the operator also takes "a,b"
        platform.image_pull_secrets += [name.strip() for name in value.split(",") if name.strip()]
        return
    for item in as_list(value):
        name = item if isinstance(item, str) else fields_of(item).get("name")
        if isinstance(name, str):
            platform.image_pull_secrets.append(name)
        else:
            notes.unmapped(f"image pull secret {describe(item)}", "not a literal")


def _docker_mount(mount: Any, platform: PlatformConfig, notes: _Notes) -> None:
    """docker.types.Mount(target, source, type='volume'|'bind'|'tmpfs', read_only=False)."""
    if not isinstance(mount, Call):
        notes.unmapped(f"mount {describe(mount)}", "not a literal Mount(...)")
        return
    target, source, kind = mount.get("target", 0), mount.get("source", 1), mount.get("type", 2, "volume")
    if not isinstance(target, str):
        notes.unmapped(f"mount {describe(mount)}", "its target is not a literal")
    elif kind == "tmpfs":
        platform.empty_dirs.append((_volume_name(target), target))
    elif kind == "volume" and isinstance(source, str):
        platform.pvc_mounts.append((source, target))
        notes.differences.append(f"Docker volume {source!r} becomes the persistent volume claim {source!r}: create it in the namespace.")
    else:
        notes.unmapped(f"{kind} mount {describe(source)} -> {target}", "host paths are not mounted into KFP pods")


def _volume_name(path: str) -> str:
    import re

    return re.sub(r"[^a-z0-9-]+", "-", path.lower()).strip("-")[:63] or "scratch"


def _cpu(cpus: float) -> str:
    millis = int(round(cpus * 1000))
    return f"{millis // 1000}" if millis % 1000 == 0 else f"{millis}m"


def _docker_memory(value: Any) -> Optional[str]:
    """Docker sizes ('512m', '2g', bytes) -> Kubernetes quantities (binary units, as Docker means)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        text = value.strip().lower()
        units = {"b": "", "k": "Ki", "m": "Mi", "g": "Gi", "t": "Ti"}
        if text[:-1].isdigit() and text[-1] in units:
            return text[:-1] + units[text[-1]]
        if text.isdigit():
            return text
    return None


def _true(value: Optional[ir.Value]) -> bool:
    return isinstance(value, ir.Literal) and value.value is True


def _replace_args(task: ir.Task, args: Dict[str, Any]) -> ir.Task:
    import dataclasses

    return dataclasses.replace(task, args=args)


CASES = [
    Case(
        name="pod operator with secrets, resources, scheduling and metadata",
        dag='''
from datetime import datetime, timedelta
from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.secret import Secret
from kubernetes.client import models as k8s

db_password = Secret("env", "DB_PASSWORD", "db-credentials", "password")
tls = Secret("volume", "/etc/tls", "tls-certs")

with DAG("kpo_case", start_date=datetime(2024, 1, 1), schedule=None):
    KubernetesPodOperator(
        task_id="train",
        image="ghcr.io/acme/train:1.2",
        cmds=["python", "-m", "train"],
        arguments=["--day", "{{ ds }}"],
        env_vars=[k8s.V1EnvVar(name="MODE", value="full"),
                  k8s.V1EnvVar(name="API_KEY", value_from=k8s.V1EnvVarSource(
                      secret_key_ref=k8s.V1SecretKeySelector(name="api", key="token")))],
        secrets=[db_password, tls],
        container_resources=k8s.V1ResourceRequirements(requests={"cpu": "500m", "memory": "1Gi"}, limits={"memory": "2Gi"}),
        node_selector={"pool": "highmem"},
        tolerations=[k8s.V1Toleration(key="dedicated", operator="Equal", value="ml", effect="NoSchedule")],
        image_pull_secrets=[k8s.V1LocalObjectReference(name="regcred")],
        labels={"team": "ml"},
        annotations={"owner": "data"},
        execution_timeout=timedelta(minutes=30),
    )
''',
        task_id="train",
        codes=("KFM211",),
        fragments=("image='ghcr.io/acme/train:1.2'", "command=['python', '-m', 'train']",
                   "secret_name='db-credentials', secret_key_to_env={'password': 'DB_PASSWORD'}",
                   "secret_name='api', secret_key_to_env={'token': 'API_KEY'}",
                   "use_secret_as_volume(train_task, secret_name='tls-certs', mount_path='/etc/tls')",
                   "add_toleration(train_task, key='dedicated', operator='Equal', value='ml', effect='NoSchedule')",
                   "set_image_pull_secrets(train_task, ['regcred'])", "train_task.set_cpu_request('500m')",
                   "train_task.set_memory_limit('2Gi')", "add_node_selector(train_task, label_key='pool', label_value='highmem')",
                   "add_pod_label(train_task, 'team', 'ml')", "set_env_variable('MODE', 'full')"),
    ),
    Case(
        name="secrets named by a module constant assigned several times; env var from a Variable",
        dag='''
from airflow import DAG
from airflow.models import Variable
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from airflow.providers.cncf.kubernetes.secret import Secret

secret_name = "db-credentials"
db_password = Secret(deploy_type="env", deploy_target="DB_PASSWORD", secret=secret_name, key="password")
secret_name = "api-credentials"
api_token = Secret("env", "API_TOKEN", secret_name, "token")

with DAG("kpo_constants", schedule=None):
    KubernetesPodOperator(task_id="train", image="python:3.11", cmds=["python", "-m", "train"],
                          secrets=[db_password, api_token],
                          env_vars={"MLFLOW_TRACKING_URI": Variable.get("MLFLOW_TRACKING_URI"),
                                    "STAGE": "{{ var.value.stage }}"})
''',
        task_id="train",
        codes=("KFM211",),
        fragments=("secret_name='db-credentials', secret_key_to_env={'password': 'DB_PASSWORD'}",
                   "secret_name='api-credentials', secret_key_to_env={'token': 'API_TOKEN'}",
                   "config_map_name='airflow-var-mlflow-tracking-uri', config_map_key_to_env={'value': 'MLFLOW_TRACKING_URI'}",
                   "config_map_name='airflow-var-stage', config_map_key_to_env={'value': 'STAGE'}"),
    ),
    Case(
        name="pod operator with a persistent volume claim and node affinity",
        dag='''
from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s

volume = k8s.V1Volume(name="data", persistent_volume_claim=k8s.V1PersistentVolumeClaimVolumeSource(claim_name="shared-data"))
mount = k8s.V1VolumeMount(name="data", mount_path="/data")
affinity = k8s.V1Affinity(node_affinity=k8s.V1NodeAffinity(
    required_during_scheduling_ignored_during_execution=k8s.V1NodeSelector(node_selector_terms=[
        k8s.V1NodeSelectorTerm(match_expressions=[
            k8s.V1NodeSelectorRequirement(key="zone", operator="In", values=["a", "b"])])])))

with DAG("kpo_pvc", schedule=None):
    KubernetesPodOperator(task_id="read", image="busybox", cmds=["ls", "/data"],
                          volumes=[volume], volume_mounts=[mount], affinity=affinity)
''',
        task_id="read",
        codes=("KFM211",),
        fragments=("mount_pvc(read_task, pvc_name='shared-data', mount_path='/data')",
                   "add_node_affinity(read_task, match_expressions=[{'key': 'zone', 'operator': 'In', 'values': ['a', 'b']}])"),
    ),
    Case(
        name="docker operator",
        dag='''
from airflow import DAG
from airflow.providers.docker.operators.docker import DockerOperator

with DAG("docker_case", schedule=None):
    DockerOperator(task_id="report", image="python:3.12-slim", command="python -c 'print(42)'",
                   environment={"LEVEL": "info"}, cpus=0.5, mem_limit="512m", auto_remove="success")
''',
        task_id="report",
        codes=("KFM211",),
        fragments=("args=['python', '-c', 'print(42)']", "report_task.set_cpu_limit('500m')",
                   "report_task.set_memory_limit('512Mi')", "set_env_variable('LEVEL', 'info')"),
    ),
    Case(
        name="task.kubernetes runs the function in its image",
        dag='''
from airflow.sdk import dag, task

@dag(schedule=None)
def k8s_deco():
    @task.kubernetes(image="python:3.12-slim", namespace="ml", node_selector={"pool": "cpu"})
    def square(x: int) -> int:
        return x * x
    square(4)

k8s_deco()
''',
        task_id="square",
        codes=("KFM202",),
        fragments=("def square(x: int) -> int:", "add_node_selector(square_task, label_key='pool', label_value='cpu')"),
        body='''\
_op_args = [x]
_op_kwargs = {}
# The task callable (cases/kubernetes.py:7:5).
def square(x: int) -> int:
    return x * x
results, skipped = _airflow_call_python(_airflow, square, _op_args, _op_kwargs)
''',
    ),
]
