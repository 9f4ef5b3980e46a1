"""Every pipeline kfmigrate writes is accepted by the KFP backend's own code (issue 13).

tests/kfp_backend/ is a Go program that puts a compiled pipeline through the KFP API server's CreateRun
path (the release the kfp SDK pin matches): its upload parser, argocompiler.Compile and Argo's
ValidateWorkflow. The SDK compiler and kfp.local enforce neither, so a pipeline can pass both and still be
refused by a cluster. The two controls prove that the check can fail and can pass.
"""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROJECTS = ROOT / "samples" / "projects"
FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.py"))


def verdicts(binary, paths):
    """One run of the check over many files: {path: None when accepted, else the backend's message}."""
    done = subprocess.run([binary], input="\n".join(map(str, paths)), capture_output=True, text=True)
    assert done.returncode in (0, 1), f"the check crashed:\n{done.stderr}"
    found = {}
    for line in done.stdout.splitlines():
        verdict, _, rest = line.partition(" ")
        path, _, message = rest.partition(": ")
        found[path] = None if verdict == "OK" else message
    assert set(found) == {str(p) for p in paths}, done.stdout + done.stderr
    return found


class RejectedByBackend(AssertionError):
    pass


def assert_accepted(binary, paths):
    assert paths, "no pipeline to check"
    rejected = {path: message for path, message in verdicts(binary, paths).items() if message is not None}
    if rejected:
        raise RejectedByBackend("rejected by the KFP backend:\n" + "\n".join(f"{p}: {m}" for p, m in rejected.items()))


def converted(sources, out):
    """Compiled YAML of `kfmigrate convert` over files or folders, converted now (one process, all cores)."""
    done = subprocess.run([sys.executable, "-m", "kfmigrate", "convert", *map(str, sources), "-o", str(out), "-q"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return sorted(out.glob("*.yaml"))


def test_golden_pipelines_are_accepted(backend_check):
    assert_accepted(backend_check, sorted((ROOT / "tests" / "golden" / "expected").glob("*.yaml")))


def test_sample_dags_converted_now_are_accepted(backend_check, tmp_path):
    assert_accepted(backend_check, converted(sorted((ROOT / "samples" / "dags").glob("*.py")), tmp_path))


def test_airflow_example_corpus_is_accepted(backend_check, example_files, tmp_path):
    pipelines = converted(example_files, tmp_path)
    assert len(pipelines) >= 90
    assert_accepted(backend_check, pipelines)


@pytest.mark.skipif(not PROJECTS.is_dir(), reason="samples/projects/ does not exist in this checkout")
def test_project_fixtures_are_accepted(backend_check, tmp_path):
    pipelines = []
    for project in sorted(p for p in PROJECTS.iterdir() if p.is_dir()):
        pipelines += converted([project], tmp_path / project.name)
    assert_accepted(backend_check, pipelines)


@pytest.fixture(scope="session")
def fixture_pipelines(tmp_path_factory):
    """tests/backend/fixtures/ converted in one run: {DAG file stem (== dag_id): compiled YAML}."""
    return {path.stem: path for path in converted(FIXTURES, tmp_path_factory.mktemp("fixtures"))}


@pytest.mark.parametrize("dag", [p.stem for p in FIXTURES])
def test_trigger_rule_shapes_are_accepted(backend_check, fixture_pipelines, dag):
    """DAG shapes the backend rejected when issue 13 was filed (ignore_upstream_failure() on tasks with
    downstream tasks); failures are now carried as data (docs/mapping.md, trigger rules after failures)."""
    assert_accepted(backend_check, [fixture_pipelines[dag]])


# ---------------------------------------------------------------- controls
def compiled(pipeline, path):
    from kfp import compiler

    compiler.Compiler().compile(pipeline, str(path))
    return path


def test_control_a_task_after_an_ignore_upstream_failure_task_is_rejected(backend_check, tmp_path):
    """The issue's minimal reproduction: the backend turns t1 into an exit hook of t0, so no task may follow it."""
    from kfp import dsl

    @dsl.component(base_image="python:3.11")
    def a():
        pass

    @dsl.component(base_image="python:3.11")
    def c():
        pass

    @dsl.pipeline(name="after-exit-task")
    def after_exit_task():
        t0 = c()
        t1 = a().after(t0)
        t1.ignore_upstream_failure()
        c().after(t1)

    path = compiled(after_exit_task, tmp_path / "after_exit_task.yaml")
    message = verdicts(backend_check, [path])[str(path)]
    assert message is not None and "invalid dependency" in message, message


def test_control_conditions_loops_and_kubernetes_settings_are_accepted(backend_check, tmp_path):
    from kfp import dsl, kubernetes

    @dsl.component(base_image="python:3.11")
    def flip() -> str:
        return "heads"

    @dsl.component(base_image="python:3.11")
    def say(word: str):
        print(word)

    @dsl.component(base_image="python:3.11")
    def cleanup():
        pass

    @dsl.pipeline(name="accepted-control")
    def accepted_control(words: list = ["a", "b"]):
        coin = flip()
        with dsl.If(coin.output == "heads"):
            heads = say(word="heads")
            kubernetes.use_secret_as_env(heads, secret_name="db", secret_key_to_env={"password": "DB_PASSWORD"})
            kubernetes.add_node_selector(heads, label_key="pool", label_value="cpu")
        with dsl.Else():
            tails = say(word="tails")
            kubernetes.add_toleration(tails, key="dedicated", operator="Equal", value="ml", effect="NoSchedule")
        with dsl.ParallelFor(words) as word:
            each = say(word=word)
            kubernetes.mount_pvc(each, pvc_name="shared-data", mount_path="/data")
        # a leaf after other tasks may ignore their failure: nothing depends on the exit task it becomes
        cleanup().after(heads, tails, each).ignore_upstream_failure()

    path = compiled(accepted_control, tmp_path / "accepted_control.yaml")
    assert "platforms" in path.read_text()  # the kubernetes platform spec is part of what is checked
    assert_accepted(backend_check, [path])
