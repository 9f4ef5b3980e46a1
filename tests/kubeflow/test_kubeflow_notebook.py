"""samples/notebooks/create_component.ipynb, executed with nbclient: locally on kfp.local, and with
KFP_HOST pointing at the loopback KFP server so its upload/experiment/run cells run too."""
import json
import os
import sys
from pathlib import Path

import nbformat
from kfp_loopback import Auth
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "samples" / "notebooks" / "create_component.ipynb"


def execute(workdir: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # the kernel runs this interpreter (the project's venv), with the task subprocesses' python3 first on PATH
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    NotebookClient(notebook, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute()
    return notebook


def outputs(notebook) -> str:
    text = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            text.append(out.get("text", "") or json.dumps(out.get("data", {})))
    return "\n".join(text)


def test_notebook_runs_locally(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", os.environ["PATH"])  # restored after the test
    notebook = execute(tmp_path)
    text = outputs(notebook)
    assert "pipeline output: Hello, notebook!" in text
    assert "KFP_HOST is not set: skipped" in text
    compiled = (tmp_path / "hello_pipeline.yaml").read_text()
    assert "pipelineInfo" in compiled and "hello-pipeline" in compiled
    # the uploadable package installs the kfp runtime in its container; the local copy did not
    assert "pip install" in compiled
    assert list((tmp_path / "local_outputs").iterdir())


def test_notebook_cluster_cells_against_the_loopback_server(tmp_path, monkeypatch, kfp_server):
    monkeypatch.setenv("PATH", os.environ["PATH"])
    kfp_server.auth = Auth(bearer="notebook-token-123")
    monkeypatch.setenv("KFP_HOST", kfp_server.url)
    monkeypatch.setenv("KFP_TOKEN", "notebook-token-123")
    notebook = execute(tmp_path)
    text = outputs(notebook)
    assert "state: SUCCEEDED" in text
    assert [p["name"] for p in kfp_server.pipelines.values()] == ["hello-pipeline"]
    assert [e["display_name"] for e in kfp_server.experiments.values()] == ["hello-walkthrough"]
    (entry,) = kfp_server.runs.values()
    assert entry["run"]["runtime_config"]["parameters"] == {"recipient": "Kubeflow"}
