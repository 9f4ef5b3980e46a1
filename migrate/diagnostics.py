"""Diagnostics: stable codes, a severity and a source position, printed as `path:line:col: CODE message`.

Codes: KFM1xx parse, KFM2xx mapping, KFM3xx emit/compile, KFM4xx verify/run, KFM5xx kubeflow.
Every code used anywhere is listed in CODES so docs and tests can check them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Tuple

from kfmigrate.migrate.ir import SourceSpan

ERROR, WARNING, INFO = "error", "warning", "info"
NO_DAG_CODES = ("KFM103", "KFM104")  # a file without a DAG (or an empty one): information, not a failure

CODES = {
    # parse
    "KFM100": "file cannot be read",
    "KFM101": "file cannot be decoded: not UTF-8 (or not the encoding its PEP 263 coding line declares), or binary",
    "KFM102": "Python syntax error",
    "KFM103": "file defines no Airflow DAG",
    "KFM104": "file is empty: no DAG (information, not a failure)",
    "KFM105": "file is too large or too deeply nested to parse",
    "KFM110": "value cannot be resolved statically",
    "KFM111": "task id cannot be resolved statically",
    "KFM112": "loop or comprehension over a non-literal iterable",
    "KFM113": "dependency expression not understood",
    "KFM114": "duplicate task id",
    "KFM115": "dag id cannot be resolved statically",
    "KFM116": "statement inside a DAG is not understood and was ignored",
    "KFM117": "callable not found in the file",
    "KFM118": "dependency refers to an unknown task",
    "KFM119": "task, group or dag id that Airflow itself rejects",
    "KFM120": "a module the DAG file imports is neither in the project nor installed (add its folder with --path)",
    "KFM121": "a DAG or task built by a project function cannot be followed statically; the message says why",
    "KFM122": "a guard not known statically (if flag:, try/except ImportError): the branch that defines DAGs or tasks is converted",
    "KFM123": "config file read as data at conversion time, or not read (outside the project, missing, not valid JSON/YAML/TOML)",
    "KFM124": "environment variable not given (--env) and not set: its default is used",
    "KFM125": "local operator subclass: converted through its base operator's mapping, or run as itself when it overrides execute()",
    "KFM126": "Airflow 1 plugin import (airflow.operators.X) whose class is not in the project's plugins/ folder",
    "KFM127": "functools.partial as python_callable: the component binds the same arguments to the callable",
    "KFM128": "local decorator that applies Airflow's @task: the function is converted as that task",
    "KFM130": "--load: Airflow could not import the DAG file (the import error, at the line of the file it names)",
    "KFM131": "--load: loading the DAG file took longer than --load-timeout",
    "KFM132": "--load: the Airflow process could not load the file (Airflow missing, or the process failed)",
    "KFM133": "--load: a callable of the live DAG has no source to carry (or is carried by its import path)",
    "KFM134": "--load: Airflow loaded a DAG that kfmigrate could not read, or skips a file that mentions DAGs (safe mode)",
    "KFM199": "internal error in kfmigrate while converting this file (please report it)",
    # mapping
    "KFM200": "operator has no mapping: placeholder component",
    "KFM201": "operator runs through the Airflow operator shim",
    "KFM202": "argument is not supported by the mapping and is ignored",
    "KFM203": "templated value uses a construct rendered differently",
    "KFM204": "XCom access cannot be resolved statically",
    "KFM205": "trigger rule has no exact KFP form",
    "KFM206": "retry setting differs on KFP",
    "KFM207": "schedule cannot be expressed as a KFP recurring run",
    "KFM208": "callback or SLA is not carried over",
    "KFM209": "connection or variable must be provided on the cluster",
    "KFM210": "behaviour differs on KFP",
    "KFM211": "container task cannot run on the local subprocess runner",
    "KFM212": "task waits for a person: answer with a Kubernetes ConfigMap",
    "KFM213": "task waits for runs of another pipeline on the KFP server",
    "KFM214": "imported module is neither next to the DAG file, nor declared, nor provided by any known distribution",
    "KFM215": "modules from next to the DAG file are too large to embed: use a custom base image",
    "KFM217": "imported module is not in the component's image: declare it (requirements.txt, pyproject.toml) or use --image",
    "KFM218": "task uses the Airflow metadata database (@provide_session, settings.Session, DagRun.find, session.query)",
    "KFM219": "operator was removed from Airflow (SubDagOperator, Airflow 1 module paths): placeholder",
    "KFM220": "operator class does not resolve (an Airflow path Airflow 3 lacks, a module or provider found nowhere): placeholder",
    "KFM221": "template file cannot be found beside the DAG file or in template_searchpath",
    "KFM222": "package cannot be pinned to an exact version (neither installed here nor resolvable from the index)",
    # emit / compile
    "KFM300": "generated pipeline failed to compile",
    "KFM301": "name was changed to be a valid KFP/Python identifier",
    "KFM302": "output file exists (use --force to overwrite)",
    # verify / run
    "KFM400": "engine could not run",
    "KFM401": "results differ",
    "KFM402": "task not run locally",
    "KFM403": "component imports a module its image does not declare: a local run may pass where the cluster fails",
    "KFM407": "compare: no Airflow DAG found in the files given",
    "KFM408": "compare: a parameter no DAG declares, or of the wrong type",
    "KFM409": "compare: DAGs past --max-dags were left out",
    # kubeflow
    "KFM500": "Kubeflow API error",
    "KFM501": "authentication or authorization failed",
    "KFM502": "package has tasks known to fail when run (placeholders, shims missing a module): not uploaded without --allow-placeholders",
    "KFM503": "package is not a version of the existing pipeline of that name (other pipelineInfo.name or parameters): not uploaded without --force",
    "KFM504": "cannot connect to the KFP API: the name does not resolve (DNS), the connection is refused, times out, or TLS fails",
    "KFM505": "the KFP server is multi-user and no --namespace was given",
}


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    severity: str = WARNING
    span: Optional[SourceSpan] = None
    task_id: Optional[str] = None
    dag_id: Optional[str] = None  # set by the parser for problems found inside one DAG

    def __post_init__(self):
        # one diagnostic, one line: source expressions quoted in a message are folded onto it
        if "\n" in self.message:
            object.__setattr__(self, "message", one_line(self.message))

    def render(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return f"{where}{self.code} {self.message}"

    def to_json(self) -> dict:
        data = {"code": self.code, "severity": self.severity, "message": self.message}
        if self.span:
            data.update(path=self.span.path, line=self.span.line, col=self.span.col)
        if self.task_id:
            data["task_id"] = self.task_id
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Diagnostic":
        """The inverse of to_json (dag_id is not written, so not read)."""
        span = SourceSpan(data["path"], data["line"], data["col"]) if "path" in data else None
        return cls(data["code"], data["message"], data.get("severity", WARNING), span, data.get("task_id"))


def one_line(text: str) -> str:
    """Line breaks and the indentation after them become one space (none inside brackets' edges)."""
    text = re.sub(r"([(\[{])\s*\n\s*", r"\1", text.strip())
    text = re.sub(r"\s*\n\s*([)\]}])", r"\1", text)
    return re.sub(r"\s*\n\s*", " ", text)


def counted(diagnostics: Iterable[Diagnostic]) -> List[Tuple[Diagnostic, int]]:
    """Identical diagnostics (a statement in a loop reports once per iteration) once each, with how
    many times they came, in first-seen order."""
    counts: Dict[str, List] = {}
    for diagnostic in diagnostics:
        counts.setdefault(diagnostic.render(), [diagnostic, 0])[1] += 1
    return [(diagnostic, count) for diagnostic, count in counts.values()]


def render_counted(diagnostic: Diagnostic, count: int) -> str:
    return diagnostic.render() + (f" (x{count})" if count > 1 else "")


class ConversionError(Exception):
    """A fatal problem with one input file: carries the diagnostic to print."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.render())
        self.diagnostic = diagnostic


def codes_markdown() -> str:
    """docs/diagnostics.md, generated from CODES (a test keeps the two in step)."""
    groups = {"1": "Parse", "2": "Mapping", "3": "Emit and compile", "4": "Verify and run", "5": "Kubeflow"}
    lines = ["# Diagnostic codes", "",
             "Diagnostics print as `path:line:col: KFMnnn message`. The codes are stable; this page is",
             "generated from `migrate/diagnostics.py` (`python -m kfmigrate.migrate.diagnostics > docs/diagnostics.md`).", ""]
    for digit, title in groups.items():
        lines += [f"## {title} (KFM{digit}xx)", "", "| code | meaning |", "|---|---|"]
        lines += [f"| {code} | {text} |" for code, text in CODES.items() if code[3] == digit]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(codes_markdown(), end="")
