"""Start-up: `kfmigrate --help` and converting one file import no heavy package they do not need.

Each case runs the CLI in a fresh interpreter and lists sys.modules at the end. Airflow, MLflow,
Kubernetes, scikit-learn and matplotlib are never needed to convert; kfp only to compile.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

NEVER = {"airflow", "mlflow", "kubernetes", "sklearn", "matplotlib", "pandas"}
PROBE = textwrap.dedent("""\
    import json, sys
    sys.argv = ["kfmigrate", *json.loads(sys.argv[1])]
    from kfmigrate.cli import main
    try:
        main()
    except SystemExit as exit:
        code = exit.code
    else:
        code = 0
    print("PROBE " + json.dumps({"code": code, "modules": sorted({m.split(".")[0] for m in sys.modules})}))
""")
DAG = textwrap.dedent("""\
    from airflow.sdk import DAG, task
    from airflow.providers.standard.operators.bash import BashOperator
    @task
    def hello():
        return "hi"
    with DAG("startup", schedule=None):
        hello() >> BashOperator(task_id="b", bash_command="echo")
""")


def loaded(args, cwd) -> tuple:
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], cwd=cwd, capture_output=True, text=True, timeout=120)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("PROBE ")), None)
    assert line, proc.stdout + proc.stderr
    data = json.loads(line[6:])
    return data["code"], set(data["modules"])


@pytest.mark.parametrize("args", [["--help"], ["convert", "--help"], ["--version"]])
def test_help_imports_nothing_heavy(args, tmp_path):
    code, modules = loaded(args, tmp_path)
    assert code == 0
    assert not modules & (NEVER | {"kfp", "libcst"}), sorted(modules & (NEVER | {"kfp", "libcst"}))


def test_convert_without_compile_imports_no_kfp(tmp_path):
    (tmp_path / "dag.py").write_text(DAG)
    code, modules = loaded(["convert", "dag.py", "-o", "out", "--no-compile", "-q"], tmp_path)
    assert code == 0 and (tmp_path / "out" / "startup_pipeline.py").exists()
    assert not modules & (NEVER | {"kfp"}), sorted(modules & (NEVER | {"kfp"}))


def test_convert_with_compile_imports_kfp_but_nothing_else_heavy(tmp_path):
    """Compiling needs kfp, and kfp's own __init__ imports kfp.client, which imports the kubernetes
    client: that much is kfp's. Beyond what `import kfp.compiler` itself loads, nothing heavy."""
    (tmp_path / "dag.py").write_text(DAG)
    code, modules = loaded(["convert", "dag.py", "-o", "out", "-q"], tmp_path)
    assert code == 0 and (tmp_path / "out" / "startup.yaml").exists()
    assert "kfp" in modules
    kfp_itself = subprocess.run([sys.executable, "-c", "import sys, kfp.compiler, kfp.dsl; "
                                 "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"],
                                capture_output=True, text=True, timeout=120, check=True).stdout.split()
    extra = (modules & NEVER) - set(kfp_itself)
    assert not extra, sorted(extra)