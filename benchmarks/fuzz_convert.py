"""Fuzz the converter with 10,000+ generated DAG files and record what breaks.

Every example i is reproducible: `gen_dags.build_file(RandomChooser(random.Random(seed * 1_000_003 + i)))`.
For each example:

- the valid file is converted in-process (kfmigrate.migrate.api.convert_source) and checked like the property
  tests do (tests/reliability/conversion_checks.py): every task and edge kept, generated Python
  compiles, names valid; every --compile-every'th example is also compiled with kfp and checked on
  the PipelineSpec;
- a damaged copy (lines cut, duplicated, re-indented, foreign statements spliced in) must give a
  KFM1xx diagnostic with a position, or a conversion whose generated Python compiles; never a crash
  or a KFM199 internal error.

Then a sample of valid and damaged files goes through the real CLI in one folder batch: exit code 0,
1 or 2 and no traceback.

    python benchmarks/fuzz_convert.py                     # 10,000 examples on all cores
    python benchmarks/fuzz_convert.py --examples 500      # a quick look
    python benchmarks/fuzz_convert.py --write-docs        # record the result in docs/reliability.md
    python benchmarks/fuzz_convert.py --show 1234         # print example 1234 (valid and damaged source)
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "reliability"))
sys.path.insert(0, str(HERE))

import gen_dags  # noqa: E402

SNIPPETS = [
    "t0 >> t0\n", "chain()\n", "x = y\n", "t1 << [t0, undefined]\n", "with TaskGroup(None):\n    pass\n",
    "for i in range(10**9):\n    pass\n", "dag = None\n", "@task\n", "return\n", "t0 = t0 >> t0 >> t0\n",
    "EmptyOperator(task_id=t0)\n", "BashOperator(task_id='dup')\nBashOperator(task_id='dup')\n",
    "TaskGroup('g') >> TaskGroup('g')\n", "import os; os.system('false')\n", "del t0\n", "t0.expand(x=1)\n",
    "globals()['t0'] = 1\n", "raise SystemExit\n", "yield\n", "async def f():\n    await t0\n", "lambda: (yield)\n",
]


def example(seed: int, index: int):
    rng = random.Random(seed * 1_000_003 + index)
    spec = gen_dags.build_file(gen_dags.RandomChooser(rng))
    source = gen_dags.render(spec)
    return spec, source, damage(source, rng)


def damage(source: str, rng: random.Random) -> str:
    lines = source.splitlines(keepends=True)
    for _ in range(rng.randint(1, 3)):
        if not lines:
            break
        where = rng.randrange(len(lines))
        action = rng.choice(["delete", "duplicate", "dedent", "indent", "cut", "insert"])
        line = lines[where]
        if action == "delete":
            del lines[where]
        elif action == "duplicate":
            lines.insert(where, line)
        elif action == "dedent":
            lines[where] = line.lstrip()
        elif action == "indent":
            lines[where] = "    " + line
        elif action == "cut":
            lines[where] = line[: rng.randint(0, len(line))] + "\n"
        else:
            lines.insert(where, rng.choice(SNIPPETS))
    return "".join(lines)


def signature(problem: str) -> str:
    """Group similar problems: drop quoted names and numbers."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", problem)
    text = re.sub(r"\[.*", "[…]", text)
    text = re.sub(r"\d+", "N", text)
    return text[:160]


def check_one(args) -> dict:
    seed, index, compile_it = args
    from conversion_checks import check_conversion

    from kfmigrate.migrate.api import convert_source

    out = {"index": index, "problems": [], "damaged": [], "dags": 0, "tasks": 0, "compiled": 0, "outcome": None}
    spec, source, damaged = example(seed, index)
    try:
        result = convert_source(source, f"fuzz_{index}.py", compile=compile_it)
        out["problems"] = check_conversion(spec, result, compile_it)
        out["dags"] = len(result.conversions)
        out["tasks"] = sum(len(c.workflow.tasks) for c in result.conversions)
        out["compiled"] = sum(c.yaml_text is not None for c in result.conversions)
    except Exception as exc:  # noqa: BLE001 - that is what we are looking for
        out["problems"] = [f"CRASH {type(exc).__name__}: {exc} at {traceback.extract_tb(exc.__traceback__)[-1].name}"]
    try:
        result = convert_source(damaged, f"damaged_{index}.py", compile=False)
        if result.error is not None:
            error = result.error
            out["outcome"] = error.code
            if error.code == "KFM199" or not error.code.startswith("KFM1"):
                out["damaged"].append(f"{error.code} {error.message}")
            elif error.span is None or error.span.line < 1 or error.span.col < 1:
                out["damaged"].append(f"{error.code} without a position")
        else:
            out["outcome"] = "converted" if result.conversions else "no DAG"
            for conversion in result.conversions:
                try:
                    compile(conversion.emitted.python_source, "<generated>", "exec")
                    conversion.emitted.python_source.encode("utf-8")
                except (SyntaxError, ValueError, UnicodeEncodeError) as exc:
                    out["damaged"].append(f"generated Python broken: {type(exc).__name__}")
    except Exception as exc:  # noqa: BLE001
        out["damaged"].append(f"CRASH {type(exc).__name__}: {exc}")
    return out


def cli_batch(seed: int, count: int) -> dict:
    """Valid and damaged files together through `kfmigrate convert` in one folder."""
    with tempfile.TemporaryDirectory(prefix="kfmigrate-fuzz-") as tmp:
        folder = Path(tmp) / "dags"
        folder.mkdir()
        for index in range(count):
            _, source, damaged = example(seed, index)
            (folder / f"valid_{index:05d}.py").write_text(source, encoding="utf-8")
            (folder / f"damaged_{index:05d}.py").write_text(damaged, encoding="utf-8")
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "kfmigrate", "convert", str(folder), "-o", str(Path(tmp) / "out"),
                               "--no-compile", "-q"], capture_output=True, text=True, timeout=1800)
        seconds = time.monotonic() - started
        leftovers = [p.name for p in (Path(tmp) / "out").glob("*.tmp")] if (Path(tmp) / "out").exists() else []
        written = len(list((Path(tmp) / "out").glob("*_pipeline.py"))) if (Path(tmp) / "out").exists() else 0
        return {"files": 2 * count, "exit_code": proc.returncode, "traceback": "Traceback" in proc.stdout + proc.stderr,
                "seconds": round(seconds, 1), "pipelines_written": written, "temporaries_left": leftovers}


def run(examples: int, seed: int, compile_every: int, jobs: int, cli_files: int) -> dict:
    started = time.monotonic()
    work = [(seed, i, compile_every > 0 and i % compile_every == 0) for i in range(examples)]
    problems = collections.Counter()
    damaged = collections.Counter()
    first = {}
    outcomes = collections.Counter()
    totals = collections.Counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for done, out in enumerate(pool.map(check_one, work, chunksize=20), start=1):
            totals.update(dags=out["dags"], tasks=out["tasks"], compiled=out["compiled"], failing=bool(out["problems"]),
                          damaged_failing=bool(out["damaged"]))
            outcomes[out["outcome"]] += 1
            for problem in out["problems"]:
                key = signature(problem)
                problems[key] += 1
                first.setdefault(key, (out["index"], problem[:500]))
            for problem in out["damaged"]:
                key = "damaged: " + signature(problem)
                damaged[key] += 1
                first.setdefault(key, (out["index"], problem[:500]))
            if done % 1000 == 0:
                print(f"  {done}/{examples} examples, {totals['failing']} with problems, {time.monotonic() - started:.0f} s", flush=True)
    cli = cli_batch(seed, cli_files) if cli_files else None
    return {"examples": examples, "seed": seed, "compile_every": compile_every, "jobs": jobs,
            "seconds": round(time.monotonic() - started, 1), "totals": dict(totals),
            "compiled_examples": sum(1 for w in work if w[2]),
            "problems": problems.most_common(), "damaged_problems": damaged.most_common(),
            "first_example": first, "damaged_outcomes": dict(outcomes), "cli": cli}


def markdown(result: dict) -> str:
    t = result["totals"]
    lines = [
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: `python benchmarks/fuzz_convert.py --examples {result['examples']} "
        f"--seed {result['seed']}` ({result['seconds']:.0f} s on {result['jobs']} processes).",
        "",
        f"- {result['examples']} generated files, {t.get('dags', 0)} DAGs, {t.get('tasks', 0)} tasks; "
        f"{result['compiled_examples']} files also compiled ({t.get('compiled', 0)} pipelines compiled).",
        f"- Valid files with at least one problem: **{t.get('failing', 0)}** of {result['examples']}.",
        f"- Damaged copies: outcomes {', '.join(f'{k}: {v}' for k, v in sorted(result['damaged_outcomes'].items(), key=lambda kv: -kv[1]))}; "
        f"with a problem (crash, KFM199, no position, broken output): **{t.get('damaged_failing', 0)}**.",
    ]
    if result["cli"]:
        c = result["cli"]
        lines.append(f"- CLI folder batch of {c['files']} files (valid + damaged): exit code {c['exit_code']}, "
                     f"traceback: {'**yes**' if c['traceback'] else 'no'}, {c['pipelines_written']} pipelines written, "
                     f"temporary files left: {len(c['temporaries_left'])}, {c['seconds']} s.")
    if result["problems"] or result["damaged_problems"]:
        lines += ["", "| count | problem (first example index: `--show N`) |", "|---|---|"]
        for key, count in result["problems"] + result["damaged_problems"]:
            index, text = result["first_example"][key]
            lines.append(f"| {count} | {key.replace('|', '/')} (example {index}) |")
    else:
        lines += ["", "No problems found."]
    return "\n".join(lines) + "\n"


def write_docs(text: str) -> Path:
    """Replace only this script's block in docs/reliability.md."""
    return gen_dags.replace_doc_block(ROOT / "docs" / "reliability.md", "fuzz_convert", "Reliability",
                                      "Latest fuzz run", text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compile-every", type=int, default=50, help="compile every Nth example with kfp (0: never)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cli-files", type=int, default=300, help="valid+damaged pairs for the CLI folder batch (0: skip)")
    parser.add_argument("--json", type=Path, help="write the raw result here")
    parser.add_argument("--write-docs", action="store_true", help="record the result in docs/reliability.md")
    parser.add_argument("--show", type=int, metavar="N", help="print example N (valid and damaged) and exit")
    args = parser.parse_args(argv)
    if args.show is not None:
        _, source, damaged = example(args.seed, args.show)
        print(f"# ---- example {args.show}, valid\n{source}\n# ---- damaged\n{damaged}")
        return 0
    print(f"fuzzing {args.examples} examples (seed {args.seed}) on {args.jobs} processes ...", flush=True)
    result = run(args.examples, args.seed, args.compile_every, args.jobs, args.cli_files)
    text = markdown(result)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    if args.write_docs:
        print(f"updated {write_docs(text)}")
    failing = result["totals"].get("failing", 0) + result["totals"].get("damaged_failing", 0)
    return 1 if failing or (result["cli"] and (result["cli"]["traceback"] or result["cli"]["exit_code"] not in (0, 1, 2))) else 0


if __name__ == "__main__":
    raise SystemExit(main())
