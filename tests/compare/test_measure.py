"""kfmigrate.compare.measure: process-tree measurement, task timing arithmetic, definition size, summaries."""
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kfmigrate.compare import measure

ROOT = Path(__file__).resolve().parents[2]

# A parent holding 150 MB that starts a child holding 100 MB which burns CPU for a moment: the tree's
# peak must see both at once, and the child's CPU must be counted although only the parent is waited.
TREE = textwrap.dedent("""
    import subprocess, sys, time
    held = bytearray(150 * 1024 * 1024)
    print("parent ready", flush=True)
    child = (
        "import time\\n"
        "held = bytearray(100 * 1024 * 1024)\\n"
        "end = time.process_time() + 0.6\\n"
        "while time.process_time() < end: pass\\n"
        "time.sleep(0.8)\\n"
    )
    subprocess.run([sys.executable, "-c", child], check=True)
    print("done", flush=True)
""")


def test_run_measured_sees_the_whole_process_tree(tmp_path):
    script = tmp_path / "tree.py"
    script.write_text(TREE)
    lines = []
    result = measure.run_measured([sys.executable, str(script)], on_line=lines.append, interval=0.02)
    assert result.returncode == 0
    assert lines == ["parent ready", "done"]
    assert result.peak_processes >= 2
    assert result.peak_rss_bytes > 250 * 1024 * 1024  # both allocations alive at one sample
    assert result.max_single_rss_bytes > 150 * 1024 * 1024
    # (no order between the two: the kernel's ru_maxrss counts a forked child's inherited pages,
    # which a sample of the tree counts once, so the single maximum can exceed the sampled sum)
    assert result.cpu_seconds >= 0.6  # the grandchild's busy loop, reported by the kernel
    assert result.wall_seconds >= 0.9
    assert result.rss_timeline and result.rss_timeline[0][0] >= 0


def test_run_measured_kills_the_tree_on_timeout(tmp_path):
    started = time.perf_counter()
    result = measure.run_measured([sys.executable, "-c", "import time; time.sleep(30)"], timeout=1)
    assert time.perf_counter() - started < 10
    assert result.returncode != 0


def test_run_measured_reports_a_failing_command(tmp_path):
    err = tmp_path / "stderr.txt"
    result = measure.run_measured([sys.executable, "-c", "import sys; sys.exit('boom')"], stderr_path=str(err))
    assert result.returncode == 1
    assert "boom" in err.read_text()


def test_task_timings_latency_overhead_and_union():
    t0 = 1000.0
    tasks = [
        measure.TaskTiming("a", "succeeded", t0 + 1.0, t0 + 2.0),
        measure.TaskTiming("b[0]", "succeeded", t0 + 2.5, t0 + 4.0, upstream=("a",)),
        measure.TaskTiming("b[1]", "succeeded", t0 + 3.0, t0 + 3.5, upstream=("a",)),
        measure.TaskTiming("c", "succeeded", t0 + 4.5, t0 + 5.0, upstream=("b",)),
        measure.TaskTiming("never", "not_run", None, None),
        measure.TaskTiming("helper", "succeeded", t0 + 5.25, t0 + 5.5, upstream=None),
    ]
    result = measure.task_timings(tasks, run_started=t0, run_finished=t0 + 6.0)
    assert result["task_count"] == 5
    assert result["wall_seconds"] == pytest.approx(6.0)
    assert result["task_work_seconds"] == pytest.approx(1.0 + 1.5 + 0.5 + 0.5 + 0.25)
    # busy: [1,2] + [2.5,4] + [4.5,5] + [5.25,5.5] = 3.25 (b[1] lies inside b[0])
    assert result["busy_seconds"] == pytest.approx(3.25)
    assert result["overhead_seconds"] == pytest.approx(2.75)
    assert result["time_to_first_task"] == pytest.approx(1.0)
    per_task = result["tasks"]
    assert per_task["a"]["start_latency"] == pytest.approx(1.0)  # from the run start
    assert per_task["b[1]"]["start_latency"] == pytest.approx(1.0)  # a finished at 2.0
    assert per_task["c"]["start_latency"] == pytest.approx(0.5)  # the last of b's instances at 4.0
    assert per_task["c"]["run_seconds"] == pytest.approx(0.5)
    assert per_task["helper"]["start_latency"] == pytest.approx(0.25)  # unknown upstream: c ended at 5.0
    assert result["median_start_latency"] == pytest.approx(0.5)


def test_union_length():
    assert measure.union_length([]) == 0
    assert measure.union_length([(0, 1), (0.5, 2), (3, 4)]) == pytest.approx(3.0)


def test_summarize_median_and_spread():
    stats = measure.summarize([4.0, None, 1.0, 2.0, 3.0])
    assert stats["n"] == 4 and stats["median"] == 2.5 and stats["min"] == 1.0 and stats["max"] == 4.0
    assert stats["iqr"] > 0 and stats["stdev"] > 0
    assert measure.summarize([None])["median"] is None
    assert measure.summarize([7.0])["stdev"] == 0.0


def test_definition_size_counts_framework_concepts():
    airflow = measure.definition_size((ROOT / "compare/dags/ml_training.py").read_text(), "airflow")
    assert {"dag", "task", "Param", ".expand", ".partial"} <= set(airflow["concept_names"])
    assert airflow["code_lines"] < airflow["lines"]
    kfp_source = textwrap.dedent("""
        from kfp import dsl
        @dsl.component
        def a() -> int:
            return 1
        @dsl.pipeline
        def p():
            with dsl.ParallelFor([1, 2]) as item:
                t = a()
            a().after(t)
    """)
    kfp = measure.definition_size(kfp_source, "kfp")
    assert set(kfp["concept_names"]) == {"component", "pipeline", "ParallelFor", ".after"}
    assert kfp["concepts"] == 4
    broken = measure.definition_size("def (:\n", "kfp")
    assert broken["concepts"] is None


def test_machine_info_records_versions():
    info = measure.machine_info()
    assert info["cpu_count"] >= 1
    assert info["versions"]["kfp"] and info["versions"]["psutil"]
    assert info["python"].count(".") == 2
