"""kfp_local engine: real kfp.local runs of small hand-written pipelines."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kfmigrate.compare.engines.kfp_local import EngineError, coerce_params, load_spec, prepare_spec_for_subprocess, run_pipeline

BASIC = '''
from kfp import dsl

@dsl.component(base_image="python:3.11")
def add(a: int, b: int) -> int:
    print("adding", a, b)
    return a + b

@dsl.component(base_image="python:3.11")
def describe(x: int, note: str, out: dsl.Output[dsl.Dataset]) -> dict:
    with open(out.path, "w") as handle:
        handle.write(f"{note}:{x}")
    return {"x": x, "note": note, "items": [1, 2]}

@dsl.pipeline(name="basic")
def basic(a: int = 1, note: str = "hi", logical_date: str = "", run_id: str = ""):
    first = add(a=a, b=2).set_display_name("add_numbers")
    describe(x=first.output, note=note).set_display_name("describe_it")
'''

CONTROL = '''
from kfp import dsl

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def number(n: int) -> int:
    return n

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def echo(text: str) -> str:
    return text

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def explode(code: int):
    raise ValueError(f"exploded with {code}")

@dsl.pipeline(name="control")
def control(n: int = 3, fail: bool = False):
    picked = number(n=n)
    with dsl.If(picked.output > 2):
        echo(text="big").set_display_name("big")
    with dsl.Else():
        echo(text="small").set_display_name("small")
    with dsl.ParallelFor(["a", "b", "c"]) as item:
        echo(text=item).set_display_name("each")
    with dsl.If(fail == True):
        boom = explode(code=7).set_display_name("boom").set_retry(num_retries=1, backoff_duration="0s")
        echo(text="after").set_display_name("after_boom").after(boom)
'''

CONTAINER = '''
from kfp import dsl

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def first() -> str:
    return "one"

@dsl.container_component
def shell():
    return dsl.ContainerSpec(image="alpine:3", command=["echo", "hello"])

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def last(x: str) -> str:
    return x

@dsl.pipeline(name="withcontainer")
def withcontainer():
    a = first()
    s = shell().after(a).set_display_name("shell_task")
    last(x=a.output).after(s)
'''


def by_display(run):
    return {t.display_name: t for t in run.tasks.values()}


def test_basic_pipeline_outputs_states_and_logs(tmp_path, compile_pipeline):
    package = compile_pipeline(tmp_path, BASIC)
    events = []
    run = run_pipeline(package, {"a": "5", "note": "n"}, tmp_path / "root", on_event=events.append)
    assert run.state == "succeeded", run.error
    tasks = by_display(run)
    assert set(tasks) == {"add_numbers", "describe_it"}
    assert tasks["add_numbers"].name == "add"
    assert tasks["add_numbers"].outputs == {"Output": 7}
    described = tasks["describe_it"]
    assert described.outputs["Output"] == {"x": 7, "note": "n", "items": [1, 2]}
    artifact = described.outputs["out"]
    assert artifact["artifact"] == "system.Dataset"
    assert Path(artifact["path"]).read_text() == "n:7"
    assert Path(artifact["path"]).is_relative_to(tmp_path / "root")
    assert any("adding 5 2" in line for line in tasks["add_numbers"].log_tail)
    assert Path(tasks["add_numbers"].log_path).exists()
    assert all(t.attempts == 1 and t.duration is not None and t.duration > 0 for t in tasks.values())
    kinds = [e["event"] for e in events]
    assert kinds[0] == "run_started" and kinds.count("task_finished") == 2
    # the per-task `pip install kfp` was dropped (it costs ~0.5 s a task; a bare task takes ~0.06 s)
    prepared = prepare_spec_for_subprocess(load_spec(package))
    for executor in prepared["deploymentSpec"]["executors"].values():
        assert not any("pip install" in part for part in executor["container"]["command"])


def test_control_flow_skips_loops_and_failures(tmp_path, compile_pipeline):
    package = compile_pipeline(tmp_path, CONTROL)
    ok = run_pipeline(package, {"n": "3"}, tmp_path / "root")
    assert ok.state == "succeeded", ok.error
    tasks = by_display(ok)
    assert tasks["big"].state == "succeeded" and tasks["big"].outputs == {"Output": "big"}
    assert tasks["small"].state == "skipped"
    assert tasks["boom"].state == "skipped" and tasks["after_boom"].state == "skipped"
    each = sorted((t.name, t.outputs["Output"]) for t in ok.tasks.values() if t.display_name == "each")
    assert [out for _, out in each] == ["a", "b", "c"]
    assert all(name.endswith(f"[{i}]") for i, (name, _) in enumerate(each))

    bad = run_pipeline(package, {"n": "1", "fail": "true"}, tmp_path / "root")
    assert bad.state == "failed"
    tasks = by_display(bad)
    assert tasks["small"].state == "succeeded" and tasks["big"].state == "skipped"
    assert tasks["boom"].state == "failed"
    assert tasks["boom"].attempts == 2  # one retry
    assert any("exploded with 7" in line for line in tasks["boom"].log_tail)
    assert tasks["after_boom"].state == "not_run"
    assert [t.display_name for t in bad.failed_tasks()] == ["boom"]


def test_container_component_is_not_run_with_reason(tmp_path, compile_pipeline):
    package = compile_pipeline(tmp_path, CONTAINER)
    run = run_pipeline(package, {}, tmp_path / "root")
    tasks = by_display(run)
    assert tasks["first"].state == "succeeded"
    assert tasks["shell_task"].state == "not_run"
    assert "container component" in tasks["shell_task"].reason and "docker" in tasks["shell_task"].reason
    assert tasks["last"].state == "not_run"
    assert run.state == "failed"


def test_params_are_typed_from_the_pipeline(tmp_path, compile_pipeline):
    spec = load_spec(compile_pipeline(tmp_path, CONTROL))
    assert coerce_params(spec, {"n": "4", "fail": "False"}) == {"n": 4, "fail": False}
    with pytest.raises(EngineError, match="unknown parameter 'm'"):
        coerce_params(spec, {"m": "1"})
    with pytest.raises(EngineError, match="not a valid integer"):
        coerce_params(spec, {"n": "four"})


def test_python_package_is_compiled_and_run(tmp_path, compile_pipeline):
    compile_pipeline(tmp_path, BASIC)
    run = run_pipeline(tmp_path / "pipeline.py", {"a": 2}, tmp_path / "root")
    assert run.state == "succeeded"
    assert by_display(run)["add_numbers"].outputs == {"Output": 4}


def test_docker_runner_without_docker_is_a_clear_error(tmp_path, compile_pipeline):
    package = compile_pipeline(tmp_path, BASIC)
    with pytest.raises(EngineError, match="--runner docker"):
        run_pipeline(package, {}, tmp_path / "root", runner="docker")


def test_bad_package_is_a_clear_error(tmp_path):
    (tmp_path / "x.yaml").write_text("just: a mapping\n")
    with pytest.raises(EngineError, match="not a compiled KFP pipeline"):
        run_pipeline(tmp_path / "x.yaml", {})
    with pytest.raises(EngineError, match="no such file"):
        run_pipeline(tmp_path / "missing.yaml", {})


def test_run_leaves_no_temporary_files(tmp_path, monkeypatch, compile_pipeline):
    package = compile_pipeline(tmp_path, BASIC)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    run = run_pipeline(package, {}, tmp_path / "root")
    assert run.state == "succeeded"
    assert list(scratch.iterdir()) == []


PACKAGES = '''
from kfp import dsl

@dsl.component(base_image="python:3.11", packages_to_install=["six==1.16.0", "pyjokes==0.8.3"])
def versions() -> dict:
    import importlib.metadata

    import pyjokes  # noqa: F401  (importable at all)
    import six
    return {"six": six.__version__, "pyjokes": importlib.metadata.version("pyjokes")}

@dsl.pipeline(name="packages")
def packages():
    versions()
'''


def _installed_packages() -> dict:
    code = "import importlib.metadata as m, json; print(json.dumps(sorted({d.metadata['Name'].lower(): d.version for d in m.distributions()}.items())))"
    return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def test_component_packages_never_touch_the_interpreter(tmp_path, monkeypatch, compile_pipeline):
    monkeypatch.setenv("KFMIGRATE_CACHE", str(tmp_path / "cache"))  # a fresh cache: really install
    package = compile_pipeline(tmp_path, PACKAGES)
    before = _installed_packages()
    assert "pyjokes" not in dict(before) and dict(before)["six"] != "1.16.0"
    run = run_pipeline(package, {}, tmp_path / "root")
    assert run.state == "succeeded", run.error
    assert run.tasks["versions"].outputs["Output"] == {"six": "1.16.0", "pyjokes": "0.8.3"}
    assert _installed_packages() == before
    cached = list((tmp_path / "cache" / "pkgs").glob("*/.complete"))
    assert len(cached) == 1
    # only what this interpreter lacks was installed there, nothing it already has
    added = sorted(p.name.split("-")[0] for p in cached[0].parent.glob("*.dist-info"))
    assert added == ["pyjokes", "six"]
    # satisfied requirements install nothing and the preamble is gone
    spec = load_spec(package)
    spec["deploymentSpec"]["executors"]["exec-versions"]["container"]["command"][2] = (
        spec["deploymentSpec"]["executors"]["exec-versions"]["container"]["command"][2]
        .replace("'six==1.16.0'", "'six'").replace("'pyjokes==0.8.3'", "'packaging'"))
    prepared = prepare_spec_for_subprocess(spec)
    container = prepared["deploymentSpec"]["executors"]["exec-versions"]["container"]
    assert not any("pip install" in part for part in container["command"])
    assert "env" not in container


HANGS = '''
from kfp import dsl

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def hang(seconds: int):
    import subprocess
    subprocess.run(["sleep", str(seconds)], start_new_session=True)  # a grandchild in its own session

@dsl.pipeline(name="hangs")
def hangs():
    hang(seconds=120)
'''


def test_timeout_stops_the_run_and_everything_it_started(tmp_path, monkeypatch, compile_pipeline):
    import psutil

    package = compile_pipeline(tmp_path, HANGS)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with pytest.raises(EngineError, match="exceeded 4 s"):
        run_pipeline(package, {}, tmp_path / "root", timeout=4)
    assert list(scratch.iterdir()) == []
    assert psutil.Process().children(recursive=True) == []
    assert not [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", "120"]]


FORKED = '''
from kfp import dsl

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def probe(tag: str) -> dict:
    import os
    import random
    import sys
    import tempfile
    print("probing", tag)
    return {"pid": os.getpid(), "random": random.random(), "tmp": tempfile.gettempdir(),
            "marker": os.environ.get("KFM_TEST_MARKER"), "main": sys.modules["__main__"].__name__}

@dsl.component(base_image="python:3.11", install_kfp_package=False)
def crash(code: int):
    import sys
    print("leaving with", code)
    sys.exit(code)

@dsl.pipeline(name="forked")
def forked():
    a = probe(tag="a").set_display_name("a")
    b = probe(tag="b").set_display_name("b").after(a)
    crash(code=3).after(b).set_display_name("crash")
'''


@pytest.mark.parametrize("fork_server", ["1", "0"])
def test_tasks_from_the_fork_server_behave_like_new_processes(tmp_path, monkeypatch, compile_pipeline, fork_server):
    """Tasks started from the warm fork server (the default) and from a new interpreter each look
    the same to the component: own process, own random state, the task's environment and TMPDIR,
    output and exit code captured."""
    monkeypatch.setenv("KFMIGRATE_FORK_SERVER", fork_server)
    monkeypatch.setenv("KFM_TEST_MARKER", "seen")
    package = compile_pipeline(tmp_path, FORKED)
    run = run_pipeline(package, {}, tmp_path / "root")
    tasks = by_display(run)
    a, b = tasks["a"].outputs["Output"], tasks["b"].outputs["Output"]
    assert a["pid"] != b["pid"] and a["random"] != b["random"]
    assert a["marker"] == b["marker"] == "seen"
    assert a["main"] == "__main__"
    assert a["tmp"].startswith("/") and "kfmigrate-kfp-tmp-" in a["tmp"]
    assert any("probing a" in line for line in tasks["a"].log_tail)
    assert tasks["crash"].state == "failed" and run.state == "failed"
    assert any("leaving with 3" in line for line in tasks["crash"].log_tail)
