"""What kfmigrate makes of real Airflow repositories: DAGs found, fidelity and compiled pipelines,
statically and with --load, against the DAG files Airflow itself can load.

    python benchmarks/bench_projects.py /tmp/repos/NAME ...                 # prints the table
    python benchmarks/bench_projects.py /tmp/repos/NAME@COMMIT ... --write-docs --label after

Each argument is a repository checkout (`DIR`, or `DIR@COMMIT` to name the commit in the table when
DIR has no .git). Its DAG folder is DIR/dags when there is one, else DIR; the repository root is given
to kfmigrate as `--path` (where the tree supports it), as the project's deployments put it on sys.path.

Per repository, in this order:
1. Airflow's yardstick: Airflow's own DagBag (through kfmigrate.migrate.load of THIS checkout, in a subprocess
   with a clean AIRFLOW_HOME) imports every .py file of the DAG folder as Airflow's DAG processor
   would (safe mode, .airflowignore): which files give DAGs, which fail to import here (a provider
   that is not installed is the usual reason).
2. `kfmigrate convert DAGFOLDER -o OUT` (compiling) with the kfmigrate source tree under test
   (--tree, default this checkout): the reports give DAGs, tasks by fidelity, compiled pipelines.
3. The same with `--load`, when the tree's convert has it.

"compiled / loadable files" is the share of the files Airflow can load for which every DAG Airflow
loads from the file was written and compiled (the issue's targets: static >= 95%, --load 100%).
Nothing here executes a repository's code except Airflow's DagBag (steps 1 and 3), in subprocesses.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

PY = sys.executable
CONVERT_TIMEOUT = 3600

# Runs in a subprocess with this checkout on PYTHONPATH: Airflow's DagBag over the files, as JSON.
YARDSTICK = """
import json, sys
from pathlib import Path
from kfmigrate.migrate.load.runner import LoadOptions, load_files
request = json.loads(sys.argv[1])
files = [Path(f) for f in request["files"]]
loaded = load_files(files, LoadOptions(paths=request["paths"], dag_folders=[request["folder"]], timeout=60))
out = {}
for path, entry in loaded.items():
    dags = [d["dag_id"] for d in (entry.record or {}).get("dags", []) if "error" not in d]
    out[str(path)] = {"dags": dags, "error": entry.error.render() if entry.error else None}
print("YARDSTICK " + json.dumps(out))
"""


def parse_spec(spec: str):
    folder, _, commit = spec.partition("@")
    root = Path(folder).resolve()
    if not commit and (root / ".git").exists():
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    return root, commit


def repo_name(root: Path) -> str:
    """owner/name for a checkout the fetch tool named owner+name, with the sub-project folder if any."""
    for folder in (root, *root.parents):
        if "+" in folder.name:
            inner = root.relative_to(folder).as_posix()
            return folder.name.replace("+", "/", 1) + ("" if inner == "." else f" ({inner})")
    return root.name


def dag_folder(root: Path) -> Path:
    return root / "dags" if (root / "dags").is_dir() else root


def python_files(folder: Path):
    return sorted(p for p in folder.rglob("*.py") if not any(part.startswith(".") or part == "__pycache__"
                                                              for part in p.relative_to(folder).parts))


EXTRA_PATHS: list = []  # --site folders (providers installed with pip --target), on every subprocess's path


def _pythonpath(*trees: Path) -> str:
    return os.pathsep.join([str(p) for tree in trees for p in (tree, tree / "runtime")] + [str(p) for p in EXTRA_PATHS])


def yardstick(root: Path, folder: Path, files) -> dict:
    request = {"files": [str(f) for f in files], "paths": [str(root)], "folder": str(folder)}
    env = {**os.environ, "PYTHONPATH": _pythonpath(ROOT)}
    proc = subprocess.run([PY, "-c", YARDSTICK, json.dumps(request)], capture_output=True, text=True, env=env,
                          timeout=CONVERT_TIMEOUT)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("YARDSTICK ")), None)
    if line is None:
        raise RuntimeError(f"Airflow yardstick failed for {root}: {proc.stderr[-2000:]}")
    return json.loads(line[len("YARDSTICK "):])


def supports(tree: Path, flag: str) -> bool:
    proc = subprocess.run([PY, "-m", "kfmigrate", "convert", "--help"], capture_output=True, text=True,
                          env=_tree_env(tree), cwd=str(tree))
    return flag in proc.stdout


def _tree_env(tree: Path) -> dict:
    return {**os.environ, "PYTHONPATH": _pythonpath(tree)}


def convert(tree: Path, root: Path, folder: Path, out: Path, load: bool, jobs: int) -> dict:
    """Run the CLI of `tree` on the DAG folder; read what it wrote."""
    cmd = [PY, "-m", "kfmigrate", "convert", str(folder), "-o", str(out), "-q", "--force", "--jobs", str(jobs)]
    if supports(tree, "--path"):
        cmd += ["--path", str(root)]
    if load:
        cmd.append("--load")
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_tree_env(tree), cwd=str(tree), timeout=CONVERT_TIMEOUT)
    seconds = time.perf_counter() - started
    reports = [json.loads(p.read_text()) for p in sorted(out.glob("*.migration.json"))]
    per_file = {}
    for report in reports:
        source = Path(report["source"]["path"])
        source = source if source.is_absolute() else (tree / source)
        per_file.setdefault(str(source.resolve()), []).append(report)
    totals = {"dags": len(reports), "native": 0, "shim": 0, "placeholder": 0, "removed": 0, "compiled": 0}
    for report in reports:
        for key in ("native", "shim", "placeholder", "removed"):
            totals[key] += report["summary"][key]
        totals["compiled"] += bool(report["pipeline"].get("compiled"))
    return {"totals": totals, "per_file": per_file, "seconds": seconds, "rc": proc.returncode}


def measure_repo(spec: str, tree: Path, work: Path, jobs: int) -> dict:
    root, commit = parse_spec(spec)
    folder = dag_folder(root)
    files = python_files(folder)
    airflow = yardstick(root, folder, files)
    loadable = {path: entry["dags"] for path, entry in airflow.items() if entry["dags"] and not entry["error"]}
    result = {"repo": repo_name(root), "commit": commit, "dag_folder": str(folder.relative_to(root)) or ".",
              "files": len(files), "airflow_files": len(loadable), "airflow_dags": sum(len(d) for d in loadable.values()),
              "airflow_errors": sum(1 for e in airflow.values() if e["error"])}
    modes = [("static", False)] + ([("load", True)] if supports(tree, "--load") else [])
    for mode, load in modes:
        out = work / f"{root.name}-{mode}"
        converted = convert(tree, root, folder, out, load, jobs)
        compiled_files = 0
        for path, dags in loadable.items():
            written = {r["dag_id"]: r for r in converted["per_file"].get(str(Path(path).resolve()), [])}
            if all(d in written and written[d]["pipeline"].get("compiled") for d in dags):
                compiled_files += 1
        result[mode] = dict(converted["totals"], seconds=converted["seconds"], rc=converted["rc"],
                            loadable_compiled=compiled_files)
        shutil.rmtree(out, ignore_errors=True)
    return result


def _share(done: int, total: int) -> str:
    return f"{done}/{total} ({100 * done / total:.0f}%)" if total else "0/0"


def markdown(results, label: str, when: str, tree_note: str) -> str:
    lines = [f"**{label}** — measured {when} with {tree_note}; `python benchmarks/bench_projects.py`.", "",
             "| repository (commit) | .py files | Airflow loads: files (DAGs) | mode | DAGs | tasks native / shim / placeholder | compiled DAGs | loadable files compiled | s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        head = f"{r['repo']} ({r['commit'][:10]}) | {r['files']} | {r['airflow_files']} ({r['airflow_dags']})"
        for mode in ("static", "load"):
            if mode not in r:
                continue
            m = r[mode]
            lines.append(f"| {head} | {'--load' if mode == 'load' else 'static'} | {m['dags']} | {m['native']} / {m['shim']} / "
                         f"{m['placeholder']} | {m['compiled']} | {_share(m['loadable_compiled'], r['airflow_files'])} | {m['seconds']:.0f} |")
            head = " | | "
    totals = {mode: {k: sum(r[mode][k] for r in results if mode in r) for k in ("dags", "compiled", "loadable_compiled")}
              for mode in ("static", "load") if any(mode in r for r in results)}
    airflow_files = sum(r["airflow_files"] for r in results)
    for mode, t in totals.items():
        lines.append(f"| **all** | {sum(r['files'] for r in results)} | {airflow_files} ({sum(r['airflow_dags'] for r in results)}) | "
                     f"{'--load' if mode == 'load' else 'static'} | {t['dags']} | | {t['compiled']} | "
                     f"{_share(t['loadable_compiled'], airflow_files)} | |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", nargs="*", help="repository checkouts: DIR or DIR@COMMIT")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the kfmigrate source tree to measure (default: this checkout)")
    parser.add_argument("--label", default="after", help="name of this measurement in the docs (e.g. before, after)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--airflow-python", type=Path,
                        help="the Python of another Airflow installation (2 or 3, with the repositories' providers) "
                             "that loads the DAGs, for the yardstick and --load (KFMIGRATE_LOAD_PYTHON)")
    parser.add_argument("--site", type=Path, action="append", default=[],
                        help="a folder of extra packages (pip install --target DIR <providers>) put on every run's "
                             "PYTHONPATH, so Airflow can import the providers the repositories use; repeatable")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument("--write-docs", action="store_true", help="write the table into docs/benchmarks.md (block per --label)")
    args = parser.parse_args(argv)
    if not args.repos:
        parser.print_help()  # `make bench` runs every script here: without repositories, only explain
        return 0
    tree = args.tree.resolve()
    EXTRA_PATHS.extend(p.resolve() for p in args.site)
    airflow_note = ""
    if args.airflow_python:
        os.environ["KFMIGRATE_LOAD_PYTHON"] = str(args.airflow_python)  # every subprocess inherits it
        version = subprocess.run([str(args.airflow_python), "-c", "import airflow; print(airflow.__version__)"],
                                 capture_output=True, text=True).stdout.strip()
        airflow_note = f", DAGs loaded by Airflow {version or '?'} ({args.airflow_python})"
    revision = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    tree_note = (f"kfmigrate {revision or tree.name}" + airflow_note
                 + (f", extra packages from {len(args.site)} --site folder(s)" if args.site else ""))
    work = Path(tempfile.mkdtemp(prefix="kfmigrate-projects-"))
    results = []
    try:
        for spec in args.repos:
            print(f"{spec} ...", flush=True)
            results.append(measure_repo(spec, tree, work, args.jobs))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = markdown(results, args.label, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), tree_note)
    print()
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if args.write_docs:
        import gen_dags

        doc = gen_dags.replace_doc_block(ROOT / "docs" / "benchmarks.md", f"bench_projects_{args.label}", "Benchmarks",
                                         f"Real repositories: {args.label}", text)
        print(f"updated {doc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
