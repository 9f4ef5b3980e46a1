"""notebook-setup: rendering, and server-side apply through the real kubernetes client against the
loopback API server (CRD schemas of PodDefault, Notebook, AuthorizationPolicy and the PVC schema)."""
import yaml
import pytest
from k8s_loopback import KubeServer

from kfmigrate.kubeflow_ops.manifests import NotebookSetup, notebook_setup_objects


@pytest.fixture
def kube(tmp_path):
    server = KubeServer().start()
    server.config_path = server.kubeconfig(tmp_path / "kubeconfig")
    yield server
    server.stop()
    assert server.violations == [], server.violations


def by_kind(objects):
    return {o["kind"]: o for o in objects}


# ---------------------------------------------------------------- rendering
def test_render_prints_the_four_objects(cli):
    result = cli("kubeflow", "notebook-setup", "--namespace", "team-a", "--kfp-namespace", "kubeflow-system",
                 "--name", "nb1", "--cpu", "2", "--memory", "4Gi", "--volume-size", "20Gi")
    assert result.exit_code == 0, result.output
    objects = by_kind(yaml.safe_load_all(result.stdout))
    assert set(objects) == {"AuthorizationPolicy", "PodDefault", "PersistentVolumeClaim", "Notebook"}
    policy = objects["AuthorizationPolicy"]
    assert policy["metadata"]["namespace"] == "kubeflow-system"
    assert policy["spec"]["selector"]["matchLabels"] == {"app": "ml-pipeline"}
    assert policy["spec"]["rules"][0]["from"][0]["source"]["principals"] == [
        "cluster.local/ns/team-a/sa/default-editor"]
    notebook = objects["Notebook"]
    container = notebook["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["requests"] == {"cpu": "2", "memory": "4Gi"}
    assert objects["PersistentVolumeClaim"]["spec"]["resources"]["requests"]["storage"] == "20Gi"


def test_the_objects_fit_together():
    objects = by_kind(notebook_setup_objects(NotebookSetup(namespace="team-a", name="nb")))
    pod_default, notebook = objects["PodDefault"], objects["Notebook"]
    # the controller copies the Notebook's labels to its pod: the PodDefault selector must match them
    selector = pod_default["spec"]["selector"]["matchLabels"]
    assert selector.items() <= notebook["metadata"]["labels"].items()
    # what the webhook injects: the token path lies inside the mounted projected volume
    env = {e["name"]: e["value"] for e in pod_default["spec"]["env"]}
    mount = pod_default["spec"]["volumeMounts"][0]
    volume = pod_default["spec"]["volumes"][0]
    assert mount["name"] == volume["name"] and mount["readOnly"] is True
    token = volume["projected"]["sources"][0]["serviceAccountToken"]
    assert env["KF_PIPELINES_SA_TOKEN_PATH"] == f"{mount['mountPath']}/{token['path']}"
    assert token["audience"] == "pipelines.kubeflow.org"
    # the notebook mounts the claim that is created, and runs as the principal the policy admits
    pod_spec = notebook["spec"]["template"]["spec"]
    claims = [v["persistentVolumeClaim"]["claimName"] for v in pod_spec["volumes"] if "persistentVolumeClaim" in v]
    assert claims == [objects["PersistentVolumeClaim"]["metadata"]["name"]]
    principal = objects["AuthorizationPolicy"]["spec"]["rules"][0]["from"][0]["source"]["principals"][0]
    assert principal.endswith(f"/sa/{pod_spec['serviceAccountName']}")


def test_output_file_is_written_atomically_and_not_overwritten(cli, tmp_path):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "access.yaml"
    assert cli("kubeflow", "notebook-setup", "--namespace", "ns", "-o", out).exit_code == 0
    assert len(list(yaml.safe_load_all(out.read_text()))) == 4
    again = cli("kubeflow", "notebook-setup", "--namespace", "ns", "--name", "other", "-o", out)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert "kfp-notebook" in out.read_text()
    assert cli("kubeflow", "notebook-setup", "--namespace", "ns", "--name", "other", "-o", out, "--force").exit_code == 0
    assert "other" in out.read_text()
    assert [p.name for p in out.parent.iterdir()] == ["access.yaml"]  # no temporary files left behind


@pytest.mark.parametrize("args, words", [
    (["--namespace", "Team_A"], "not a valid Kubernetes name"),
    (["--namespace", "a", "--cpu", "two"], "not a Kubernetes quantity"),
    (["--namespace", "a", "--memory", "2 GB"], "not a Kubernetes quantity"),
    (["--namespace", "a", "--dry-run"], "--dry-run needs --apply"),
])
def test_bad_options_are_usage_errors(cli, args, words):
    result = cli("kubeflow", "notebook-setup", *args)
    assert result.exit_code == 2 and words in result.output


# ---------------------------------------------------------------- server-side apply
def apply_args(kube, *extra):
    return ("kubeflow", "notebook-setup", "--namespace", "team-a", "--name", "nb", "--apply",
            "--kubeconfig", kube.config_path, *extra)


def test_apply_creates_then_is_idempotent(cli, kube):
    first = cli(*apply_args(kube))
    assert first.exit_code == 0, first.output
    assert first.stdout.count(": created") == 4
    patches = [r for r in kube.requests if r["method"] == "PATCH"]
    assert len(patches) == 4
    assert all(r["content_type"] == "application/apply-patch+yaml" and r["query"]["fieldManager"] == "kfmigrate"
               for r in patches)
    notebook = kube.get("kubeflow.org/v1", "notebooks", "team-a", "nb")
    assert notebook["metadata"]["labels"]["access-ml-pipeline"] == "true"
    version = notebook["metadata"]["resourceVersion"]
    second = cli(*apply_args(kube))
    assert second.exit_code == 0
    assert second.stdout.count(": unchanged") == 4
    assert kube.get("kubeflow.org/v1", "notebooks", "team-a", "nb")["metadata"]["resourceVersion"] == version


def test_dry_run_stores_nothing(cli, kube):
    result = cli(*apply_args(kube, "--dry-run"))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("created (server dry run)") == 4
    assert all(r["query"].get("dryRun") == "All" for r in kube.requests if r["method"] == "PATCH")
    assert kube.objects == {}


def test_changed_resources_are_configured(cli, kube):
    assert cli(*apply_args(kube)).exit_code == 0
    result = cli(*apply_args(kube, "--memory", "8Gi"))
    assert result.exit_code == 0
    assert "notebook/nb in team-a: configured" in result.stdout
    assert "poddefault/access-ml-pipeline in team-a: unchanged" in result.stdout
    container = kube.get("kubeflow.org/v1", "notebooks", "team-a", "nb")["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"]["memory"] == "8Gi"


def test_conflict_with_another_manager_needs_force(cli, kube):
    assert cli(*apply_args(kube)).exit_code == 0
    # someone edits the notebook's containers in the web app (another field manager)
    edited = yaml.safe_load(cli("kubeflow", "notebook-setup", "--namespace", "team-a", "--name", "nb").stdout
                            .split("---")[-1])
    edited["spec"]["template"]["spec"]["containers"][0]["image"] = "custom/image:1"
    kube.objects[next(p for p in kube.objects if p.endswith("/notebooks/nb"))]["managers"]["jupyter-web-app"] = edited
    result = cli(*apply_args(kube, "--image", "other/image:2"))
    assert result.exit_code == 1
    assert "conflict" in result.stderr and "jupyter-web-app" in result.stderr and "--force-conflicts" in result.stderr
    forced = cli(*apply_args(kube, "--image", "other/image:2", "--force-conflicts"))
    assert forced.exit_code == 0, forced.output
    container = kube.get("kubeflow.org/v1", "notebooks", "team-a", "nb")["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "other/image:2"


def test_missing_crd_is_explained(cli, tmp_path):
    server = KubeServer(installed=("v1", "kubeflow.org/v1", "security.istio.io/v1beta1")).start()
    try:
        result = cli(*apply_args(type("K", (), {"config_path": server.kubeconfig(tmp_path / "kc")})()))
    finally:
        server.stop()
    assert result.exit_code == 1
    assert "PodDefault" in result.stderr and "admission-webhook" in result.stderr


def test_clusters_without_istio_can_skip_the_policy(cli, tmp_path):
    server = KubeServer(installed=("v1", "kubeflow.org/v1", "kubeflow.org/v1alpha1")).start()
    try:
        config = server.kubeconfig(tmp_path / "kc")
        failed = cli("kubeflow", "notebook-setup", "--namespace", "ns", "--apply", "--kubeconfig", config)
        skipped = cli("kubeflow", "notebook-setup", "--namespace", "ns", "--apply", "--kubeconfig", config,
                      "--skip-authorization-policy")
    finally:
        server.stop()
    assert failed.exit_code == 1 and "--skip-authorization-policy" in failed.stderr
    assert skipped.exit_code == 0 and skipped.stdout.count(": created") == 3


def test_bad_kube_credentials_are_explained(cli, kube, tmp_path):
    config = kube.kubeconfig(tmp_path / "wrong", token="not-the-token")
    result = cli("kubeflow", "notebook-setup", "--namespace", "ns", "--apply", "--kubeconfig", config)
    assert result.exit_code == 1 and "KFM501" in result.stderr
    assert "not-the-token" not in result.output


def test_every_applied_object_passes_the_published_schemas(kube):
    """Direct check of the contract: the loopback server accepts each object, and rejects a broken one."""
    from kfmigrate.kubeflow_ops.apply import Applier, load_api_client
    from kfmigrate.kubeflow_ops.errors import KubeflowError

    applier = Applier(load_api_client(str(kube.config_path)))
    objects = notebook_setup_objects(NotebookSetup(namespace="ns", storage_class="fast"))
    assert [a.action for a in applier.apply_all(objects)] == ["created"] * 4
    broken = objects[1]
    broken["spec"]["selectr"] = broken["spec"].pop("selector")  # a typo a real server refuses
    with pytest.raises(KubeflowError) as info:
        applier.apply(broken)
    assert "selectr" in str(info.value) and "selector" in str(info.value)


def test_api_server_hiccups_are_retried(cli, kube):
    kube.fail_next = [503, 500]
    result = cli(*apply_args(kube))
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": created") == 4
    assert "retrying" in result.stderr


def test_a_persistently_failing_api_server_is_reported(cli, kube):
    kube.fail_next = [503] * 20
    result = cli(*apply_args(kube))
    assert result.exit_code == 1
    assert "HTTP 503" in result.stderr and "Traceback" not in result.output


# ---------------------------------------------------------------- Istio API version (issue 14, item 15)
def test_policy_is_written_as_istio_v1(cli):
    result = cli("kubeflow", "notebook-setup", "--namespace", "team-a")
    assert by_kind(yaml.safe_load_all(result.stdout))["AuthorizationPolicy"]["apiVersion"] == "security.istio.io/v1"


@pytest.mark.parametrize("served, expected", [(("v1", "v1beta1"), "v1"), (("v1beta1",), "v1beta1")])
def test_apply_uses_the_istio_version_the_cluster_serves(cli, tmp_path, served, expected):
    server = KubeServer(installed=("v1", "kubeflow.org/v1", "kubeflow.org/v1alpha1",
                                   *(f"security.istio.io/{v}" for v in served))).start()
    try:
        result = cli(*apply_args(type("K", (), {"config_path": server.kubeconfig(tmp_path / "kc")})()))
    finally:
        server.stop()
    assert result.exit_code == 0, result.output
    assert server.violations == []
    assert server.get(f"security.istio.io/{expected}", "authorizationpolicies", "kubeflow", "bind-ml-pipeline-nb-team-a")
