"""Hostile inputs through the real CLI, in a subprocess: every bad file gets a clear diagnostic with
path:line:col and exit 2, a folder batch goes on and converts the good files, nothing crashes with a
traceback, no partial output is left, and existing outputs are not overwritten without --force.

Unreadable files: the tests run as root here, and root reads a chmod 000 file. The CLI therefore runs
with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH removed from its capability bounding set (prctl), which
makes file modes bind root as they bind everyone else. As a normal user nothing needs dropping.
"""
from __future__ import annotations

import ast
import ctypes
import os
import re
import sys
import textwrap
import time
from pathlib import Path
import subprocess

import pytest
import yaml

GOOD_DAG = textwrap.dedent("""\
    from airflow.sdk import DAG
    from airflow.providers.standard.operators.bash import BashOperator
    with DAG("{dag_id}", schedule=None):
        a = BashOperator(task_id="a", bash_command="echo a")
        b = BashOperator(task_id="b", bash_command="echo b")
        a >> b
""")
SYNTAX_ERROR = "from airflow import DAG\nwith DAG('x'):\n    t = (1, 2\n    u = 3\n"


def _drop_file_permission_override():
    """In the child: file modes apply to root too (no-op for other users)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def kfmigrate(*args, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kfmigrate", *map(str, args)], cwd=cwd, capture_output=True, text=True,
        timeout=timeout, preexec_fn=_drop_file_permission_override,
        env={**os.environ, "COLUMNS": "400", "NO_COLOR": "1", "TERM": "dumb"},
    )


def cpython_syntax_position(text: str):
    try:
        ast.parse(text)
    except SyntaxError as err:
        return err.lineno, err.offset
    raise AssertionError("expected a syntax error")


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    """One CLI run over a folder of hostile files plus two good DAGs; returns (folder, out, result, seconds)."""
    root = tmp_path_factory.mktemp("hostile")
    dags = root / "dags"
    (dags / "sub").mkdir(parents=True)
    (dags / "good.py").write_text(GOOD_DAG.format(dag_id="good_one"))
    (dags / "sub" / "good2.py").write_text(GOOD_DAG.format(dag_id="good_two"))
    (dags / "syntax.py").write_text(SYNTAX_ERROR)
    (dags / "binary.py").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 8)
    (dags / "latin1.py").write_bytes(b"from airflow import DAG\n# caf\xe9 au lait\n")
    (dags / "empty.py").write_text("")
    (dags / "blank.py").write_text("\n   \n\t\n")
    (dags / "big.py").write_text(("x = 'padding padding padding padding padding padding padding padding'\n") * 150_000)  # > 10 MB
    (dags / "nested.py").write_text("x = " + "(" * 100_000 + "1" + ")" * 100_000 + "\n")
    (dags / "longexpr.py").write_text("x = " + "+".join(["a"] * 100_000) + "\n")
    (dags / "notdag.py").write_text("print('not a DAG')\n")
    os.mkfifo(dags / "fifo.py")
    (dags / "folder.py").mkdir()  # a folder named like a DAG file: walked, holds nothing
    os.symlink("selfloop.py", dags / "selfloop.py")
    os.symlink("missing_target.py", dags / "dangling.py")
    os.symlink(".", dags / "sub" / "loop")  # a folder symlink back to itself
    unreadable = dags / "unreadable.py"
    unreadable.write_text(GOOD_DAG.format(dag_id="never_read"))
    unreadable.chmod(0)
    out = root / "out"
    started = time.monotonic()
    result = kfmigrate("convert", "dags", "-o", out, cwd=root, timeout=180)
    return dags, out, result, time.monotonic() - started


def diagnostics_for(stderr: str, name: str):
    """(line, col, code, message) for `<path ending in name>:line:col: CODE message` lines."""
    pattern = re.compile(rf"^(\S*{re.escape(name)}):(\d+):(\d+): (KFM\d\d\d) (.*)$", re.M)
    return [(int(m[2]), int(m[3]), m[4], m[5]) for m in pattern.finditer(stderr)]


EXPECTED_CODES = {
    "syntax.py": "KFM102", "binary.py": "KFM101", "latin1.py": "KFM101", "big.py": "KFM105", "nested.py": "KFM105", "longexpr.py": "KFM105",
    "fifo.py": "KFM100", "selfloop.py": "KFM100", "dangling.py": "KFM100", "unreadable.py": "KFM100",
}


def test_batch_reports_every_bad_file_and_converts_the_good_ones(hostile_batch):
    dags, out, result, seconds = hostile_batch
    text = result.stdout + result.stderr
    assert result.returncode == 2, text
    assert "Traceback" not in text, text
    assert seconds < 120, f"batch took {seconds:.0f} s (a FIFO or a huge expression must not stall it)"
    for name, code in EXPECTED_CODES.items():
        found = diagnostics_for(result.stderr, name)
        assert [d[2] for d in found] == [code], f"{name}: {found}\n{result.stderr}"
        assert re.search(rf"^  \S*{re.escape(name)}$", result.stderr, re.M), f"{name} not in the failed list"
    assert diagnostics_for(result.stderr, "sub/loop")[0][2] == "KFM100"  # symlink loop folder
    assert "not-a-DAG" not in result.stderr and diagnostics_for(result.stderr, "notdag.py") == []
    for name in ("empty.py", "blank.py"):  # an empty file (every package's __init__.py) has no DAG: not a failure
        assert diagnostics_for(result.stderr, name) == [] and re.search(rf"^  \S*{name}$", result.stdout, re.M)
    assert "good_one" in result.stdout and "good_two" in result.stdout


def test_positions_are_where_the_problem_is(hostile_batch):
    _, _, result, _ = hostile_batch
    (line, col, _, message), = diagnostics_for(result.stderr, "syntax.py")
    assert (line, col) == cpython_syntax_position(SYNTAX_ERROR), message  # CPython is the referee
    (line, col, _, message), = diagnostics_for(result.stderr, "latin1.py")
    assert (line, col) == (2, 6) and "0xe9" in message and "UTF-8" in message
    (_, _, _, message), = diagnostics_for(result.stderr, "unreadable.py")
    assert "Permission denied" in message
    (_, _, _, message), = diagnostics_for(result.stderr, "fifo.py")
    assert "not a regular file" in message
    (_, _, _, message), = diagnostics_for(result.stderr, "selfloop.py")
    assert "symbolic links" in message
    (_, _, _, message), = diagnostics_for(result.stderr, "big.py")
    assert "limit" in message


def test_only_complete_outputs_of_good_dags_are_written(hostile_batch):
    _, out, result, _ = hostile_batch
    names = sorted(p.name for p in out.iterdir())
    expected = sorted(f"{stem}{suffix}" for stem in ("good_one", "good_two")
                      for suffix in ("_pipeline.py", ".yaml", ".migration.json", ".migration.md"))
    assert names == expected, result.stderr  # no temporaries, nothing for the bad files
    for stem in ("good_one", "good_two"):
        spec = yaml.safe_load((out / f"{stem}.yaml").read_text())
        assert {t["taskInfo"]["name"] for t in spec["root"]["dag"]["tasks"].values()} == {"a", "b"}
        mode = (out / f"{stem}.yaml").stat().st_mode & 0o777
        assert mode & 0o044, f"outputs must be readable like any new file, got {oct(mode)}"


def test_existing_outputs_are_kept_without_force(tmp_path):
    (tmp_path / "dag.py").write_text(GOOD_DAG.format(dag_id="keep_me"))
    first = kfmigrate("convert", "dag.py", "-o", "out", "--no-compile", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    py = tmp_path / "out" / "keep_me_pipeline.py"
    py.write_text("# edited by hand\n")
    second = kfmigrate("convert", "dag.py", "-o", "out", "--no-compile", cwd=tmp_path)
    assert second.returncode == 2 and "Traceback" not in second.stderr
    assert re.search(r"keep_me_pipeline\.py: KFM302 output file exists", second.stderr), second.stderr
    assert py.read_text() == "# edited by hand\n"
    forced = kfmigrate("convert", "dag.py", "-o", "out", "--no-compile", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "@dsl.pipeline" in py.read_text()


def test_unwritable_output_folder_is_a_clear_error(tmp_path):
    (tmp_path / "dag.py").write_text(GOOD_DAG.format(dag_id="nowhere"))
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    result = kfmigrate("convert", "dag.py", "-o", locked, "--no-compile", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot write output" in result.stderr and "Permission denied" in result.stderr, result.stderr
    assert list(locked.iterdir()) == []


def test_missing_input_and_output_that_is_a_file(tmp_path):
    result = kfmigrate("convert", "nope.py", "-o", "out", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert re.search(r"^nope\.py:1:1: KFM100 no such file or folder$", result.stderr, re.M), result.stderr
    (tmp_path / "dag.py").write_text(GOOD_DAG.format(dag_id="d"))
    (tmp_path / "afile").write_text("x")
    result = kfmigrate("convert", "dag.py", "-o", "afile", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
