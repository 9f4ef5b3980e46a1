"""kfmigrate.migrate.outcome decides what a convert batch comes to (the CLI only prints it): written, up to date,
refused, failed, and the exit code, with real conversions written to a real folder."""
from pathlib import Path

from kfmigrate.migrate import outcome
from kfmigrate.migrate.batch import collect_inputs, iter_convert

ROOT = Path(__file__).resolve().parents[1]
SHIM = ROOT / "samples" / "dags" / "operators_shim.py"
HELLO = ROOT / "samples" / "dags" / "hello_world.py"


def run(outdir: Path, *paths, force=False):
    files, problems = collect_inputs(paths)
    batch = outcome.ConvertBatch(outdir, files, problems, force=force)
    events = list(batch.write(iter_convert(files, compile=False)))
    return batch, events


def kinds(events):
    return [type(e).__name__ for e in events if not isinstance(e, outcome.Diagnostics)]


def test_written_then_up_to_date_then_refused_then_forced(tmp_path):
    batch, events = run(tmp_path, HELLO, SHIM)
    assert kinds(events) == ["Written", "Written"] and batch.written == 2
    assert batch.exit_code(strict=False) == outcome.EXIT_OK
    assert batch.exit_code(strict=True) == outcome.EXIT_NOT_NATIVE and batch.not_native == ["operators_shim"]

    batch, events = run(tmp_path, HELLO, SHIM)  # an interrupted run again: nothing to write
    assert kinds(events) == ["UpToDate", "UpToDate"] and (batch.written, batch.up_to_date) == (0, 2)
    assert batch.exit_code(strict=False) == outcome.EXIT_OK

    edited = next(tmp_path.glob("hello*_pipeline.py"))
    edited.write_text(edited.read_text() + "# my edit\n")
    batch, events = run(tmp_path, HELLO)
    (conflict,) = [e for e in events if isinstance(e, outcome.Conflict)]
    assert conflict.paths == [edited] and batch.exit_code(strict=False) == outcome.EXIT_FAILED
    assert edited.read_text().endswith("# my edit\n")  # never overwritten without --force

    batch, events = run(tmp_path, HELLO, force=True)
    assert kinds(events) == ["Written"] and not edited.read_text().endswith("# my edit\n")


def test_unreadable_input_and_no_dag_fail_the_batch(tmp_path):
    batch, events = run(tmp_path / "out", tmp_path / "missing.py", HELLO)
    assert batch.failed_files == [str(tmp_path / "missing.py")] and batch.written == 1
    assert batch.exit_code(strict=False) == outcome.EXIT_FAILED

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "util.py").write_text("X = 1\n")
    batch, events = run(tmp_path / "out2", empty)
    assert batch.skipped == [empty / "util.py"] and batch.nothing_found([empty]) == f"no Airflow DAG found in {empty}"
    assert batch.exit_code(strict=False) == outcome.EXIT_FAILED
