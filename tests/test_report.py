"""The migration report is typed (kfmigrate.migrate.report.MigrationReport) and its JSON on disk is exactly what
convert wrote before it was: every report file written reads back and writes again byte for byte."""
import json
from pathlib import Path

import pytest

from kfmigrate.migrate.api import convert_file
from kfmigrate.migrate.output import Stems, write_conversion
from kfmigrate.migrate.report import MigrationReport, ReportError, read_report, render_markdown

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples" / "dags").glob("*.py"))


def airflow_examples():
    import importlib.util

    spec = importlib.util.find_spec("airflow")
    folder = Path(list(spec.submodule_search_locations)[0]) / "example_dags"
    return sorted(folder.glob("*.py"))


def written_reports(files, outdir: Path, compile: bool):
    stems = Stems()
    for path in files:
        for conversion in convert_file(path, compile=compile).conversions:
            yield conversion, write_conversion(conversion, outdir, stems.next(conversion.dag_id))


def test_every_report_written_reads_back_exactly(tmp_path):
    """The sample DAGs (compiled) and Airflow's own example DAGs: connections, human input, params of
    every type, schedules of every kind, diagnostics with and without a position."""
    count = 0
    for conversion, paths in [*written_reports(SAMPLES, tmp_path / "samples", compile=True),
                              *written_reports(airflow_examples(), tmp_path / "examples", compile=False)]:
        report_path, md_path = paths["report_json"], paths["report_md"]
        text = report_path.read_text(encoding="utf-8")
        report = read_report(report_path)
        assert json.dumps(report.to_json(), indent=2, default=str) + "\n" == text, report_path.name
        assert render_markdown(report) == md_path.read_text(encoding="utf-8")
        # what is written is the report in memory plus the names of the files written
        on_disk = json.loads(text)
        assert on_disk.pop("outputs") == {kind: path.name for kind, path in paths.items()}
        assert json.loads(json.dumps(conversion.report.to_json(), default=str)) == on_disk
        count += 1
    assert count > 60


def test_the_typed_report_answers_what_its_readers_ask():
    (conversion,) = convert_file(ROOT / "samples" / "dags" / "operators_shim.py", compile=False).conversions
    report = conversion.report
    assert report.summary.tasks == len(report.tasks) == len(conversion.workflow.tasks)
    assert report.not_native == [t.task_id for t in report.tasks if t.fidelity in ("shim", "placeholder")] != []
    assert report.task(report.tasks[0].task_id) is report.tasks[0] and report.task("no such task") is None
    assert {p.name for p in report.pipeline.parameters} >= {"logical_date", "run_id"}
    assert all(d.code.startswith("KFM") for t in report.tasks for d in t.diagnostics)


def test_a_trimmed_report_reads_with_defaults_and_a_wrong_one_is_refused(tmp_path):
    report = MigrationReport.from_json({"dag_id": "etl", "tasks": [{"task_id": "a", "fidelity": "shim"}]})
    assert report.not_native == ["a"] and report.pipeline.parameters == [] and report.schedule.kfp is None
    assert report.tasks[0].diagnostics == [] and report.outputs is None
    for wrong in ([], {"tasks": []}, {"dag_id": "etl", "tasks": {"a": 1}}, {"dag_id": "etl", "tasks": [{"fidelity": "x"}]}):
        with pytest.raises(ReportError):
            MigrationReport.from_json(wrong)
    bad = tmp_path / "x.migration.json"
    bad.write_text("{not json")
    with pytest.raises(ReportError):
        read_report(bad)
