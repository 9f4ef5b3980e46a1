"""What `kfmigrate compare` accepts before anything runs: the engines, the option combinations that make
sense, the packages each engine needs, and the exit code of a finished benchmark."""
from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import List, Optional, Sequence

REPORT_FILES = ("results.json", "report.md", "report.html")
KNOWN_ENGINES = ("airflow", "kfp")
# --airflow-mode -> the engines the airflow engine runs as
AIRFLOW_MODES = {"dag-test": ("airflow",), "scheduler": ("airflow-scheduler",),
                 "both": ("airflow", "airflow-scheduler")}


class OptionError(ValueError):
    """An option value or combination compare cannot use (bad input: exit 2, nothing runs)."""


def parse_engines(text: str) -> tuple:
    """--engines airflow,kfp -> ("airflow", "kfp"), each once."""
    names = tuple(dict.fromkeys(n.strip().lower() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in KNOWN_ENGINES]
    if unknown or not names:
        raise OptionError(f"--engines: unknown engine {', '.join(unknown) or '(none given)'} "
                          f"(choose from {', '.join(KNOWN_ENGINES)})")
    return names


def combination_problem(workloads: Sequence[str], paths: Sequence[Path], params: dict, sweep: Optional[str],
                        engines: Sequence[str], kfp_host: Optional[str]) -> Optional[str]:
    """Why these options do not go together (None when they do)."""
    if params and not paths:
        return "--param sets parameters of your DAGs: give DAG files or folders"
    if sweep and "scaling" not in workloads:
        return ("--sweep sets the points of the scaling workload: add it "
                f"(kfmigrate compare {','.join(list(workloads) + ['scaling'])} --sweep {sweep})")
    if kfp_host and "kfp" not in engines:
        return "--kfp-host needs the kfp engine (--engines ...,kfp)"
    return None


def existing_reports(out_dir: Path) -> List[Path]:
    """The report files a run would replace (refused without --force)."""
    return [out_dir / name for name in REPORT_FILES if (out_dir / name).exists()]


def run_engines(engines: Sequence[str], airflow_mode: str, kfp_host: Optional[str]) -> tuple:
    """The engines that run: airflow as --airflow-mode says, kfp on a cluster when --kfp-host is given."""
    found = []
    for engine in engines:
        if engine == "airflow":
            found += AIRFLOW_MODES[airflow_mode]
        else:
            found.append("kfp-cluster" if (engine == "kfp" and kfp_host) else engine)
    return tuple(found)


def missing_packages(engines: Sequence[str], needs_mlflow: bool, airflow_mode: str = "dag-test",
                     needs_sklearn: bool = True) -> str:
    """A clear message when an engine's packages are missing, before anything runs ("" when none is)."""
    if "airflow" in engines and importlib.util.find_spec("airflow") is None:
        return "the airflow engine needs Apache Airflow 3 (pip install 'kfmigrate[airflow]')"
    if "airflow" in engines and airflow_mode != "dag-test":
        for module in ("psycopg2", "asyncpg"):
            if importlib.util.find_spec(module) is None:
                return f"--airflow-mode {airflow_mode} needs {module} (pip install 'kfmigrate[scheduler]')"
        from kfmigrate.compare.engines.airflow_scheduler import SchedulerError, postgres_bindir

        try:
            postgres_bindir()
        except SchedulerError as exc:
            return str(exc)
    if needs_mlflow and importlib.util.find_spec("mlflow") is None:
        return "MLflow tracking needs mlflow (pip install 'kfmigrate[mlflow]')"
    for module, extra in (("psutil", "report"), ("matplotlib", "report"), ("sklearn", "mlflow")):
        if module == "sklearn" and not needs_sklearn:
            continue
        if importlib.util.find_spec(module) is None:
            return f"compare needs {module} (pip install 'kfmigrate[{extra}]')"
    return ""


def exit_code(results: dict) -> int:
    """0 when every point's runs succeeded and the engines agree, else 1."""
    return 1 if any(not point["agreement"]["ok"] for point in results["points"]) else 0
