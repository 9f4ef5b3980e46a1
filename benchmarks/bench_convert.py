"""Conversion throughput, start-up imports and scale of `kfmigrate convert`, measured in one run.

1. Throughput: the Airflow 3 example corpus (airflow/example_dags and
   airflow/providers/standard/example_dags, located in site-packages, never copied) converted by
   `kfmigrate convert` (no compile, and with compile) against Airflow's own DagBag load of the same
   files. Every run is a fresh process; runs are interleaved and repeated, medians reported.
   Goals: convert <= 0.5x DagBag's wall time without compile, <= 1.0x with compile.
2. Start-up: `kfmigrate --help` and converting one file must not import heavy packages they do not
   need (airflow, mlflow, kubernetes never; kfp only when compiling).
3. Scale: a generated DAG of N and 2N tasks, a folder of N and 2N DAG files: twice the work takes
   at most 2.2x the time; peak memory (max RSS) reported; --jobs 1 against all cores.
4. Spec size: the compiled PipelineSpec of a 100-task chain of PythonOperators and of a 100-task
   mixed DAG (benchmarks/gen_dags.py), in bytes per task. Goal: well under 1.5 MiB for 100 tasks
   (Argo Workflow objects live in etcd, whose default request limit is 1.5 MiB).
5. Project: a generated project of N DAG files (default 1,000) built by the factories, decorators and
   callables of samples/projects/factories/dags/common (a package next to them), each DAG file a
   factory-built DAG of 6 tasks. Goal: 1,000 files in <= 60 s on all cores (modules parsed once per process).

    python benchmarks/bench_convert.py              # full run, prints a table (a few minutes)
    python benchmarks/bench_convert.py --quick      # fewer repeats, smaller scale points
    python benchmarks/bench_convert.py --write-docs # also refresh its section of docs/benchmarks.md

Each measured command runs under a small wrapper process that reports the command's wall time, its
CPU time (user+sys of the whole process tree) and the largest max RSS in that tree, so numbers are
not mixed between runs. Wall time is what the goals use; CPU time is printed too because on a busy
machine it is the steadier of the two.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import gen_dags  # noqa: E402

PY = sys.executable
HEAVY = ("airflow", "mlflow", "kubernetes", "kfp", "sklearn", "matplotlib", "pandas", "numpy", "google.protobuf")

# Runs one command, reports wall, CPU of the finished process tree and the tree's largest max RSS.
WRAPPER = textwrap.dedent("""\
    import json, resource, subprocess, sys, time
    cmd, env_extra = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    import os
    env = {**os.environ, **env_extra}
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "max_rss_mb": usage.ru_maxrss / 1024,
                      "rc": proc.returncode, "stderr_tail": proc.stderr.decode(errors="replace")[-2000:]}))
""")

DAGBAG = textwrap.dedent("""\
    import sys
    from airflow.dag_processing.dagbag import DagBag
    dags = errors = 0
    for folder in sys.argv[1:]:
        bag = DagBag(folder)
        dags += len(bag.dags)
        errors += len(bag.import_errors)
    print(f"DAGBAG dags={dags} import_errors={errors}", file=sys.stderr)
""")

# Runs the CLI in-process and lists which heavy packages it imported.
STARTUP = textwrap.dedent("""\
    import json, sys, time
    start = time.perf_counter()
    sys.argv = ["kfmigrate", *json.loads(sys.argv[1])]
    from kfmigrate.cli import main
    try:
        main()
    except SystemExit:
        pass
    seconds = time.perf_counter() - start
    print("STARTUP " + json.dumps({"seconds": seconds, "modules": sorted(m for m in sys.modules)}), file=sys.stderr)
""")

# Converts one file in-process and times only the conversion (no interpreter start-up).
ONE_FILE = textwrap.dedent("""\
    import json, resource, sys, time
    from pathlib import Path
    from kfmigrate.migrate.api import convert_file
    import kfmigrate.migrate.emit.builder, kfmigrate.migrate.operators  # imports are start-up, not conversion
    kfmigrate.migrate.operators.discover()
    compile_it = sys.argv[2] == "compile"
    if compile_it:
        from kfmigrate.migrate.package import import_kfp

        import_kfp()
    cpu, start = time.process_time(), time.perf_counter()
    result = convert_file(Path(sys.argv[1]), compile=compile_it)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    tasks = sum(len(c.workflow.tasks) for c in result.conversions)
    compiled = all(c.yaml_text is not None for c in result.conversions)
    print("ONE " + json.dumps({"wall": wall, "cpu": cpu, "tasks": tasks, "compiled": compiled,
                               "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), file=sys.stderr)
""")


def measure(cmd, env=None) -> dict:
    out = subprocess.run([PY, "-c", WRAPPER, json.dumps([str(c) for c in cmd]), json.dumps(env or {})],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def corpus_folders():
    """The example DAG folders inside the installed Airflow wheels (found without importing Airflow)."""
    import importlib.util

    spec = importlib.util.find_spec("airflow")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("apache-airflow is not installed: pip install -e '.[airflow]'")
    folders = []
    for location in spec.submodule_search_locations:
        for sub in ("example_dags", "providers/standard/example_dags"):
            folder = Path(location) / sub
            if folder.is_dir() and folder not in folders:
                folders.append(folder)
    return folders


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def bench_throughput(repeat: int, work: Path) -> dict:
    folders = corpus_folders()
    files = [p for folder in folders for p in sorted(folder.glob("*.py")) if p.name != "__init__.py"]
    home = work / "airflow_home"
    home.mkdir()
    airflow_env = {"AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                   "AIRFLOW__CORE__UNIT_TEST_MODE": "False"}
    variants = {
        "dagbag": ([PY, "-c", DAGBAG, *folders], airflow_env),
        "convert": ([PY, "-m", "kfmigrate", "convert", *folders, "-o", work / "out", "--no-compile", "-q", "--force"], {}),
        "convert_jobs1": ([PY, "-m", "kfmigrate", "convert", *folders, "-o", work / "out", "--no-compile", "-q", "--force", "--jobs", "1"], {}),
        "convert_compile": ([PY, "-m", "kfmigrate", "convert", *folders, "-o", work / "out_c", "-q", "--force"], {}),
    }
    measure(*variants["dagbag"])  # first run writes airflow.cfg: not part of loading DAGs
    runs = {name: [] for name in variants}
    for _ in range(repeat):
        for name, (cmd, env) in variants.items():
            runs[name].append(measure(cmd, env))
    dagbag_note = re.search(r"DAGBAG dags=(\d+) import_errors=(\d+)", runs["dagbag"][-1]["stderr_tail"])
    converted = len(list((work / "out").glob("*_pipeline.py")))
    compiled = len(list((work / "out_c").glob("*.yaml")))
    result = {"files": len(files), "folders": [str(f) for f in folders],
              "airflow_dags": int(dagbag_note[1]) if dagbag_note else None,
              "airflow_import_errors": int(dagbag_note[2]) if dagbag_note else None,
              "converted_pipelines": converted, "compiled_pipelines": compiled,
              "exit_codes": {name: sorted({r["rc"] for r in rs}) for name, rs in runs.items()}}
    for name, rs in runs.items():
        result[name] = {"wall": median(rs, "wall"), "cpu": median(rs, "cpu"), "max_rss_mb": max(r["max_rss_mb"] for r in rs)}
    base = result["dagbag"]
    for name in ("convert", "convert_jobs1", "convert_compile"):
        result[name]["ratio_wall"] = result[name]["wall"] / base["wall"]
        result[name]["ratio_cpu"] = result[name]["cpu"] / base["cpu"]
    return result


def bench_startup(work: Path) -> dict:
    one = work / "one_dag.py"
    one.write_text(gen_dags.wide_dag_source(5, dag_id="one"), encoding="utf-8")
    cases = {
        "--help": ["--help"],
        "convert --no-compile": ["convert", str(one), "-o", str(work / "s1"), "--no-compile", "--force", "-q"],
        "convert": ["convert", str(one), "-o", str(work / "s2"), "--force", "-q"],
    }
    allowed = {"--help": set(), "convert --no-compile": set(), "convert": {"kfp", "google.protobuf"}}
    out = {}
    for name, args in cases.items():
        proc = subprocess.run([PY, "-c", STARTUP, json.dumps(args)], capture_output=True, text=True)
        line = next(l for l in proc.stderr.splitlines() if l.startswith("STARTUP "))
        data = json.loads(line[len("STARTUP "):])
        loaded = sorted(h for h in HEAVY if h in data["modules"])
        wall = measure([PY, "-m", "kfmigrate", *args])["wall"]
        out[name] = {"seconds_in_process": data["seconds"], "process_wall": wall, "heavy_imported": loaded,
                     "unexpected": sorted(set(loaded) - allowed[name])}
    return out


def bench_big_dag(sizes, work: Path, compile_it: bool) -> dict:
    points = []
    for size in sizes:
        path = work / f"big_{size}.py"
        path.write_text(gen_dags.wide_dag_source(size, dag_id=f"big_{size}"), encoding="utf-8")
        proc = subprocess.run([PY, "-c", ONE_FILE, str(path), "compile" if compile_it else "no"], capture_output=True, text=True)
        line = next((l for l in proc.stderr.splitlines() if l.startswith("ONE ")), None)
        if line is None:
            raise RuntimeError(f"big DAG run failed: {proc.stderr[-2000:]}")
        data = json.loads(line[4:])
        data["size"] = size
        points.append(data)
    return {"points": points, "ratio_wall": points[-1]["wall"] / points[0]["wall"],
            "ratio_cpu": points[-1]["cpu"] / points[0]["cpu"]}


SPEC_SIZE = textwrap.dedent("""\
    import json, sys
    sys.path.insert(0, sys.argv[1])
    import gen_dags
    from kfmigrate.migrate.api import convert_source
    out = {}
    for shape, source in (("chain", gen_dags.chain_dag_source(100)), ("mixed", gen_dags.wide_dag_source(100, dag_id="mixed"))):
        conversion = convert_source(source, f"/generated/{shape}.py").conversions[0]
        out[shape] = {"tasks": 100, "bytes": len(conversion.yaml_text.encode())}
    print("SPEC " + json.dumps(out), file=sys.stderr)
""")
MIB = 1024 * 1024


def bench_spec_size() -> dict:
    """Compiled spec bytes of 100-task DAGs (one process, its own converter and kfp)."""
    proc = subprocess.run([PY, "-c", SPEC_SIZE, str(HERE)], capture_output=True, text=True, cwd=ROOT)
    line = next((l for l in proc.stderr.splitlines() if l.startswith("SPEC ")), None)
    if line is None:
        raise RuntimeError(f"spec size run failed: {proc.stderr[-2000:]}")
    return json.loads(line[len("SPEC "):])


def bench_folder(sizes, work: Path, repeat: int) -> dict:
    empty = work / "empty_folder"
    empty.mkdir()
    # what a run costs before it converts anything: interpreter, imports, argument parsing
    startup = statistics.median(measure([PY, "-m", "kfmigrate", "convert", empty, "-o", work / "o_empty", "-q"])["wall"]
                                for _ in range(repeat))
    points = []
    cores = os.cpu_count() or 1
    for size in sizes:
        folder = work / f"folder_{size}"
        folder.mkdir()
        for name, text in gen_dags.folder_sources(size).items():
            (folder / name).write_text(text, encoding="utf-8")
        for jobs in ([cores, 1] if size == sizes[-1] and cores > 1 else [cores]):
            runs = [measure([PY, "-m", "kfmigrate", "convert", folder, "-o", work / f"o_{size}_{jobs}", "--no-compile",
                             "-q", "--force", "--jobs", jobs]) for _ in range(repeat)]
            points.append({"files": size, "jobs": jobs, "wall": median(runs, "wall"), "cpu": median(runs, "cpu"),
                           "max_rss_mb": max(r["max_rss_mb"] for r in runs), "rc": sorted({r["rc"] for r in runs}),
                           "written": len(list((work / f"o_{size}_{jobs}").glob("*_pipeline.py")))})
    all_cores = [p for p in points if p["jobs"] == cores]
    small, large = all_cores[0], all_cores[-1]
    result = {"startup_wall": startup, "points": points, "cores": cores,
              "ratio_wall": large["wall"] / small["wall"],
              "ratio_wall_minus_startup": (large["wall"] - startup) / max(1e-9, small["wall"] - startup),
              "ratio_cpu": large["cpu"] / small["cpu"]}
    single = next((p for p in points if p["jobs"] == 1), None)
    if single:
        result["speedup_all_cores"] = single["wall"] / large["wall"]
        result["core_utilisation"] = large["cpu"] / (large["wall"] * cores)
    return result


PROJECT_DAG = '''"""Generated Airflow DAG {n} of a project: built by the company's factories."""
import functools

from common.callables import count_letters, greet
from common.decorators import company_task
from common.factory import create_bash_task, create_dag, create_python_task, create_steps

with create_dag("project_dag_{n}", schedule="@daily") as dag:
    start = create_bash_task("start", "echo {n}")
    hello = create_python_task("hello", functools.partial(greet, name="team {n}"), punctuation="!")
    letters = create_python_task("letters", count_letters, word="dag{n}")
    steps = create_steps(["a", "b"])

    @company_task()
    def finish(value):
        return value

    start >> hello >> steps
    start >> letters
    steps >> finish(letters.output)
'''


def bench_project(size: int, work: Path) -> dict:
    """A project of `size` DAG files importing one shared package (samples/projects/factories/dags/common)."""
    project = work / "project"
    dags = project / "dags"
    shutil.copytree(ROOT / "samples" / "projects" / "factories" / "dags" / "common", dags / "common")
    (project / "pyproject.toml").write_text("[project]\nname = 'generated'\n", encoding="utf-8")
    for n in range(size):
        (dags / f"dag_{n:04d}.py").write_text(PROJECT_DAG.format(n=n), encoding="utf-8")
    run = measure([PY, "-m", "kfmigrate", "convert", dags, "-o", work / "o_project", "--no-compile", "-q", "--force"])
    return {"files": size, "wall": run["wall"], "cpu": run["cpu"], "max_rss_mb": run["max_rss_mb"], "rc": run["rc"],
            "written": len(list((work / "o_project").glob("*_pipeline.py")))}


def verdicts(results: dict) -> list:
    t, s = results["throughput"], results["startup"]
    out = [
        ("convert, no compile <= 0.5x DagBag wall", t["convert"]["ratio_wall"] <= 0.5, f"{t['convert']['ratio_wall']:.2f}x"),
        ("convert with compile <= 1.0x DagBag wall", t["convert_compile"]["ratio_wall"] <= 1.0, f"{t['convert_compile']['ratio_wall']:.2f}x"),
    ]
    for name, data in s.items():
        out.append((f"`kfmigrate {name}` imports no unneeded heavy package", not data["unexpected"],
                    ", ".join(data["heavy_imported"]) or "none"))
    for key, label in (("big_dag", "big DAG, no compile"), ("big_dag_compile", "big DAG, compile")):
        if key in results:
            r = results[key]
            out.append((f"{label}: 2x tasks <= 2.2x time", r["ratio_wall"] <= 2.2, f"{r['ratio_wall']:.2f}x wall, {r['ratio_cpu']:.2f}x CPU"))
    for shape, data in results.get("spec_size", {}).items():
        out.append((f"100-task {shape} DAG compiles under 1.5 MiB", data["bytes"] < 1.5 * MIB,
                    f"{data['bytes'] / MIB:.2f} MiB, {data['bytes'] / data['tasks'] / 1024:.1f} KiB a task"))
    if "project" in results:
        p = results["project"]
        limit = 60 * p["files"] / 1000
        out.append((f"project of {p['files']} factory-built DAG files <= {limit:.0f} s (60 s for 1,000)",
                    p["wall"] <= limit and p["written"] == p["files"], f"{p['wall']:.1f} s wall, {p['cpu']:.1f} s CPU, {p['written']} written"))
    f = results["folder"]
    out.append(("folder: 2x files <= 2.2x time (start-up subtracted)", f["ratio_wall_minus_startup"] <= 2.2,
                f"{f['ratio_wall_minus_startup']:.2f}x ({f['ratio_wall']:.2f}x raw, {f['ratio_cpu']:.2f}x CPU)"))
    if "speedup_all_cores" in f:
        # speed-up over --jobs 1 is the evidence; utilisation (CPU / wall / cores) also shows how much
        # of the machine this run got when others share it
        out.append((f"folder conversion uses all {f['cores']} cores (speed-up >= {0.75 * f['cores']:.1f}x over --jobs 1)",
                    f["speedup_all_cores"] >= 0.75 * f["cores"],
                    f"speed-up {f['speedup_all_cores']:.2f}x, utilisation {f['core_utilisation']:.0%}"))
    return out


def markdown(results: dict) -> str:
    t, s, f = results["throughput"], results["startup"], results["folder"]
    lines = [
        f"Measured {results['when']} on {results['machine']} (load average at start {results['load']}); "
        f"`python benchmarks/bench_convert.py{' --quick' if results['quick'] else ''}`, median of {results['repeat']} interleaved runs, each a fresh process.",
        "",
        f"**Corpus:** {t['files']} example DAG files of the installed Airflow ({t['airflow_dags']} DAGs in Airflow's DagBag, "
        f"{t['airflow_import_errors']} import errors); kfmigrate wrote {t['converted_pipelines']} pipelines "
        f"({t['compiled_pipelines']} compiled).",
        "",
        "| run | wall s | CPU s | max RSS MB | wall vs DagBag | CPU vs DagBag |",
        "|---|---|---|---|---|---|",
    ]
    for name, label in (("dagbag", "Airflow DagBag load"), ("convert", "kfmigrate convert --no-compile (all cores)"),
                        ("convert_jobs1", "kfmigrate convert --no-compile --jobs 1"), ("convert_compile", "kfmigrate convert (compile, all cores)")):
        r = t[name]
        ratio = f"{r['ratio_wall']:.2f}x | {r['ratio_cpu']:.2f}x" if name != "dagbag" else "1 | 1"
        lines.append(f"| {label} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['max_rss_mb']:.0f} | {ratio} |")
    lines += ["", "| start-up | process wall s | heavy packages imported |", "|---|---|---|"]
    for name, data in s.items():
        lines.append(f"| `kfmigrate {name}` | {data['process_wall']:.2f} | {', '.join(data['heavy_imported']) or 'none'} |")
    for key, label in (("big_dag", "One generated DAG, no compile"), ("big_dag_compile", "One generated DAG, compiled")):
        if key in results:
            lines += ["", f"**{label}** (conversion only, in-process timer):", "", "| tasks | wall s | CPU s | max RSS MB |", "|---|---|---|---|"]
            lines += [f"| {p['size']} | {p['wall']:.2f} | {p['cpu']:.2f} | {p['max_rss_mb']:.0f} |" for p in results[key]["points"]]
    if "spec_size" in results:
        lines += ["", "**Compiled spec size** (100 tasks, `benchmarks/gen_dags.py`):", "",
                  "| DAG | bytes | KiB a task |", "|---|---|---|"]
        lines += [f"| {shape} | {d['bytes']:,} | {d['bytes'] / d['tasks'] / 1024:.1f} |" for shape, d in results["spec_size"].items()]
    lines += ["", f"**Folder of generated DAG files** (`--no-compile`; start-up {f['startup_wall']:.2f} s):", "",
              "| files | jobs | wall s | CPU s | max RSS MB (largest process) | pipelines written |", "|---|---|---|---|---|---|"]
    lines += [f"| {p['files']} | {p['jobs']} | {p['wall']:.2f} | {p['cpu']:.2f} | {p['max_rss_mb']:.0f} | {p['written']} |" for p in f["points"]]
    if "project" in results:
        p = results["project"]
        lines += ["", f"**Generated project** ({p['files']} DAG files, factories in a shared package, `--no-compile`, all cores): "
                  f"{p['wall']:.1f} s wall, {p['cpu']:.1f} s CPU, max RSS {p['max_rss_mb']:.0f} MB, {p['written']} pipelines written."]
    lines += ["", "| goal | met | measured |", "|---|---|---|"]
    lines += [f"| {goal} | {'yes' if ok else '**no**'} | {value} |" for goal, ok, value in verdicts(results)]
    return "\n".join(lines) + "\n"


def write_docs(text: str) -> Path:
    """Replace only this script's block in docs/benchmarks.md (other sections belong to others)."""
    return gen_dags.replace_doc_block(ROOT / "docs" / "benchmarks.md", "bench_convert", "Benchmarks",
                                      "Conversion throughput / scale", text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 repeats, smaller scale points (about a minute)")
    parser.add_argument("--repeat", type=int, help="interleaved repeats per throughput variant (default 3, quick 2)")
    parser.add_argument("--tasks", type=int, help="big-DAG scale point N (N and 2N tasks; default 500, quick 250)")
    parser.add_argument("--files", type=int, help="folder scale point N (N and 2N files; default 250, quick 100)")
    parser.add_argument("--project-files", type=int, help="generated project size (default 1000, quick 300)")
    parser.add_argument("--no-compile-scale", action="store_true", help="skip the compiled big-DAG points (slowest part)")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--write-docs", action="store_true", help="refresh the section in docs/benchmarks.md")
    args = parser.parse_args(argv)
    repeat = args.repeat or (2 if args.quick else 3)
    tasks = args.tasks or (250 if args.quick else 500)
    files = args.files or (100 if args.quick else 250)
    import platform

    results = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "quick": args.quick, "repeat": repeat,
               "machine": f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores",
               "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}
    work = Path(tempfile.mkdtemp(prefix="kfmigrate-bench-"))
    try:
        print(f"throughput: Airflow example corpus, {repeat} interleaved repeats ...", flush=True)
        (work / "throughput").mkdir()
        results["throughput"] = bench_throughput(repeat, work / "throughput")
        print("start-up imports ...", flush=True)
        results["startup"] = bench_startup(work)
        print(f"scale: one DAG of {tasks} and {2 * tasks} tasks ...", flush=True)
        results["big_dag"] = bench_big_dag([tasks, 2 * tasks], work, compile_it=False)
        if not args.no_compile_scale:
            results["big_dag_compile"] = bench_big_dag([tasks // 2, tasks], work, compile_it=True)
        print("spec size: 100-task DAGs ...", flush=True)
        results["spec_size"] = bench_spec_size()
        print(f"scale: folders of {files} and {2 * files} DAG files ...", flush=True)
        results["folder"] = bench_folder([files, 2 * files], work, max(1, repeat - 1))
        project_files = args.project_files or (300 if args.quick else 1000)
        print(f"project: {project_files} factory-built DAG files ...", flush=True)
        results["project"] = bench_project(project_files, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = markdown(results)
    print()
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if args.write_docs:
        print(f"updated {write_docs(text)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
