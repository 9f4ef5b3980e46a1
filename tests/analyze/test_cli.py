"""`kfmigrate analyze` as a user and CI run it: exit codes, -o/--force, progress bar, pre-commit hook."""
from __future__ import annotations

import json
import os
import pty
import shlex
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kfmigrate.cli import main
from kfmigrate.migrate.analyze import trips

REPO = Path(__file__).resolve().parents[2]
KFMIGRATE = Path(sys.executable).with_name("kfmigrate")

NATIVE_DAG = '''\
from airflow.sdk import DAG, task
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("native_etl", schedule=None):
    start = EmptyOperator(task_id="start")
    say = BashOperator(task_id="say", bash_command="echo hello")

    @task
    def double(x: int = 2) -> int:
        return 2 * x

    start >> say >> double()
'''

NOT_NATIVE_DAG = '''\
from airflow.sdk import DAG
from acme_provider.operators import AcmeLoadOperator

with DAG("acme_load", schedule=None):
    AcmeLoadOperator(task_id="load", acme_conn_id="acme_default")
'''


def analyze(*args, cwd=None):
    runner = CliRunner()
    if cwd is not None:
        old = os.getcwd()
        os.chdir(cwd)
    try:
        return runner.invoke(main, ["analyze", *map(str, args)], catch_exceptions=False)
    finally:
        if cwd is not None:
            os.chdir(old)


@pytest.fixture
def folders(tmp_path):
    """native/: only native tasks; mixed/: also an unknown provider operator; broken/: a syntax error."""
    native = tmp_path / "native"
    native.mkdir()
    (native / "ok.py").write_text(NATIVE_DAG)
    (native / "helpers.py").write_text("VALUE = 1\n")
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "ok.py").write_text(NATIVE_DAG)
    (mixed / "acme.py").write_text(NOT_NATIVE_DAG)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "ok.py").write_text(NATIVE_DAG)
    (broken / "bad.py").write_text("with DAG('x'):\n    t = (\n")
    return native, mixed, broken


def test_exit_codes(folders):
    native, mixed, broken = folders
    result = analyze(native, "-f", "json", "--fail-on", "shim")
    assert result.exit_code == 0, result.output
    inventory = json.loads(result.stdout)
    assert inventory["summary"]["fidelity"]["shim"] == inventory["summary"]["fidelity"]["placeholder"] == 0
    assert inventory["files_without_dag"] and not inventory["failed_files"]

    result = analyze(mixed, "-f", "json")
    assert result.exit_code == 0  # without --fail-on an inventory is just an inventory
    fidelity = json.loads(result.stdout)["summary"]["fidelity"]
    acme = [t for d in json.loads(result.stdout)["dags"] for t in d["tasks"] if t["operator"] == "AcmeLoadOperator"]
    assert acme and all(t["fidelity"] in ("shim", "placeholder") for t in acme)  # an unknown operator is never native
    assert analyze(mixed, "--fail-on", "shim").exit_code == 1
    assert analyze(mixed, "--fail-on", "placeholder").exit_code == (1 if fidelity["placeholder"] else 0)

    # unreadable input wins over --fail-on, and the inventory is still printed
    result = analyze(broken, "-f", "json", "--fail-on", "shim")
    assert result.exit_code == 2
    inventory = json.loads(result.stdout)
    assert [f["diagnostic"]["code"] for f in inventory["failed_files"]] == ["KFM102"]
    assert "bad.py:" in result.stderr and "KFM102" in result.stderr
    assert [d["dag_id"] for d in inventory["dags"]] == ["native_etl"]

    missing = analyze(native / "nope.py")
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr


def test_output_file_is_written_atomically_and_never_clobbered(folders, tmp_path, sarif_validator):
    native, mixed, _ = folders
    out = tmp_path / "reports" / "readiness.sarif"
    result = analyze(mixed, "-f", "sarif", "-o", out, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # the report went to the file
    sarif = json.loads(out.read_text())
    sarif_validator.validate(sarif)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert "mixed/acme.py" in uris  # relative to the current folder, the default --root
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # an ordinary file, not mkstemp's private 0600

    before = out.read_bytes()
    again = analyze(native, "-f", "csv", "-o", out)
    assert again.exit_code == 2 and "exists" in again.stderr
    assert out.read_bytes() == before
    forced = analyze(native, "-f", "csv", "-o", out, "--force")
    assert forced.exit_code == 0
    assert out.read_text().startswith("status,path,line,dag_id")
    assert sorted(p.name for p in out.parent.iterdir()) == ["readiness.sarif"]  # no temporary leftovers


def test_root_option_sets_the_base_of_paths(folders, tmp_path):
    native, _, _ = folders
    result = analyze(native, "-f", "json", "--root", native)
    inventory = json.loads(result.stdout)
    assert inventory["root"] == Path(os.path.abspath(native)).as_posix()
    assert [d["path"] for d in inventory["dags"]] == ["ok.py"]


def _run_with_terminal_stderr(args, cwd):
    """Run the real command with stderr on a pseudo-terminal; return (exit code, stdout, terminal text)."""
    master, slave = pty.openpty()
    chunks = []

    def drain():
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO once the child side is closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    env.pop("NO_COLOR", None)
    proc = subprocess.run([str(KFMIGRATE), "analyze", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=slave, env=env, timeout=300)
    os.close(slave)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, proc.stdout.decode(), b"".join(chunks).decode(errors="replace")


def test_progress_bar_only_on_a_terminal_and_long_runs(tmp_path):
    many = tmp_path / "many"
    many.mkdir()
    for i in range(20):
        (many / f"dag_{i:02}.py").write_text(NATIVE_DAG.replace('"native_etl"', f'"etl_{i:02}"'))
    code, stdout, terminal = _run_with_terminal_stderr(["-f", "json", str(many)], tmp_path)
    assert code == 0
    assert len(json.loads(stdout)["dags"]) == 20  # stdout stays clean JSON
    assert "analyzing" in terminal and "20/20" in terminal

    # stderr not a terminal: no bar at all
    proc = subprocess.run([str(KFMIGRATE), "analyze", "-f", "json", str(many)], cwd=tmp_path, capture_output=True, timeout=300)
    assert proc.returncode == 0 and "analyzing" not in proc.stderr.decode()

    # a short run on a terminal: no bar either
    code, _, terminal = _run_with_terminal_stderr(["-f", "json", str(many / "dag_00.py")], tmp_path)
    assert code == 0 and "analyzing" not in terminal


def test_pre_commit_hooks_run_the_command(folders, tmp_path):
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"kfmigrate-analyze", "kfmigrate-analyze-strict"}
    native, mixed, broken = folders
    for hook in hooks:
        # the manifest keys pre-commit requires, with values it accepts
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python" and hook["types"] == ["python"]
        assert hook["require_serial"] is True
        command = shlex.split(hook["entry"])
        assert command[:2] == ["kfmigrate", "analyze"]
        assert Path(sys.executable).with_name(command[0]).exists()

        def run(files):
            # pre-commit appends the staged file names to the entry, from the repository root
            argv = [str(Path(sys.executable).with_name(command[0])), *command[1:], *[str(f.relative_to(tmp_path)) for f in files]]
            return subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=300)

        clean = run([native / "ok.py", native / "helpers.py"])
        assert clean.returncode == 0, clean.stderr
        assert "native_etl" in clean.stdout
        # the acme task is a shim or a placeholder (never native): the strict hook must trip, the
        # default one exactly when it is a placeholder
        inventory = json.loads(analyze(mixed, "-f", "json").stdout)
        fail_on = command[command.index("--fail-on") + 1]
        expected = 1 if trips(inventory, fail_on) else 0
        assert expected == 1 or fail_on == "placeholder"
        not_native = run([mixed / "ok.py", mixed / "acme.py"])
        assert not_native.returncode == expected, (hook["id"], not_native.stdout, not_native.stderr)
        assert ("--fail-on" in not_native.stderr) == bool(expected)
        unparsable = run([broken / "bad.py"])
        assert unparsable.returncode == 2 and "broken/bad.py:" in unparsable.stderr


def test_unwritable_output_is_a_clear_error(folders, tmp_path):
    native, _, _ = folders
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = analyze(native, "-o", blocker / "out.json")
    assert result.exit_code == 2
    assert "is not a folder" in result.stderr and "Traceback" not in result.output
