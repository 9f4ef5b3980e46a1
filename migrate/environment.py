"""What a component's image holds, and which of the imports a component executes it covers.

A local run succeeds in the converting machine's interpreter; a pod runs in its image. So fidelity is
decided against what the image WILL hold, never against what happens to be installed here:

- the standard library of the target Python (TARGET_PYTHON, the base image's);
- the component's declared packages (packages_to_install, or the requirements of the project image
  with --image) and their dependencies;
- the project's own requirements (requirements.txt, pyproject.toml [project] dependencies), read
  statically from the DAG file's folder up to the project root: declared by the user, so covered;
- local modules (next to the DAG file, plugins/, config/: migrate/local_modules.py), embedded in
  the component and copied into the image.

Everything else is "unresolved": the component fails with ModuleNotFoundError in the pod.

What is installed here is used as KNOWLEDGE only: the import name -> distribution map
(importlib.metadata.packages_distributions), a distribution's dependencies, and exact versions to pin.
What a component installs is decided in migrate/emit/environment.py (component_install); the exact
pins come from here (pinned_packages).
"""
from __future__ import annotations

import ast
import functools
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from kfmigrate.migrate.local_modules import find_local_module, search_roots

TARGET_PYTHON = "3.11"  # the Python of the components' base image (migrate/emit/nodes.py BASE_IMAGE python:3.11-slim)
# Standard-library modules removed after 3.11 (PEP 594 and distutils): not there on a newer target Python.
REMOVED_FROM_STDLIB = {
    "3.12": {"asynchat", "asyncore", "distutils", "imp", "smtpd"},
    "3.13": {"aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib", "nis", "nntplib",
             "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib", "lib2to3"},
}
# Import names whose distribution is named otherwise (the common ones; installed metadata adds more).
IMPORT_DISTRIBUTIONS = {
    "yaml": ("PyYAML",), "sklearn": ("scikit-learn",), "skimage": ("scikit-image",),
    "cv2": ("opencv-python", "opencv-python-headless", "opencv-contrib-python"), "PIL": ("Pillow",),
    "bs4": ("beautifulsoup4",), "dateutil": ("python-dateutil",), "dotenv": ("python-dotenv",), "jwt": ("PyJWT",),
    "attr": ("attrs",), "psycopg2": ("psycopg2", "psycopg2-binary"), "MySQLdb": ("mysqlclient",),
    "pymysql": ("PyMySQL",), "Crypto": ("pycryptodome",), "OpenSSL": ("pyOpenSSL",), "git": ("GitPython",),
    "magic": ("python-magic",), "docx": ("python-docx",), "pptx": ("python-pptx",), "serial": ("pyserial",),
    "zmq": ("pyzmq",), "fitz": ("PyMuPDF",), "websocket": ("websocket-client",), "jose": ("python-jose",),
    "kafka": ("kafka-python",), "snowflake": ("snowflake-connector-python",), "slack_sdk": ("slack-sdk",),
    "pkg_resources": ("setuptools",), "ldap": ("python-ldap",), "telegram": ("python-telegram-bot",),
    "google.protobuf": ("protobuf",), "google.auth": ("google-auth",), "google.api_core": ("google-api-core",),
    "googleapiclient": ("google-api-python-client",), "airflow": ("apache-airflow", "apache-airflow-core"),
    "kfmigrate_runtime": ("kfmigrate-runtime",), "mlflow": ("mlflow", "mlflow-skinny"),
    "typing_extensions": ("typing-extensions",), "pendulum": ("pendulum",),
}
# The KFP SDK installs itself with --no-deps in every lightweight component: kfp alone, none of its dependencies.
ALWAYS_PRESENT = {"kfp", "typing-extensions"}
# Airflow metadata database access: needs Airflow's database, which no KFP pod has.
METADATA_DB_PATTERNS = (
    (re.compile(r"@\s*provide_session\b|\bprovide_session\s*\("), "@provide_session"),
    (re.compile(r"\bsettings\.Session\b"), "settings.Session"),
    (re.compile(r"\bcreate_session\s*\("), "create_session()"),
    (re.compile(r"\bDagRun\.find\s*\("), "DagRun.find"),
    (re.compile(r"\bsession\.(query|execute|scalars?|get)\s*\("), "session.query"),
    (re.compile(r"\b(TaskInstance|DagRun|DagModel|XCom|DagBag)\b[^\n]*\b(query|select|find|get_task_instance|"
                r"get_task_instances|get_dagrun|get_many)\b"), "TaskInstance/DagRun queries"),
    (re.compile(r"\bselect\s*\(\s*(TaskInstance|DagRun|DagModel|XCom)\b"), "select() on Airflow models"),
)


# Airflow provider namespaces whose distribution name has two parts (airflow.providers.apache.spark -> apache-spark).
TWO_PART_NAMESPACES = {"apache", "common", "cncf", "microsoft", "dbt", "atlassian", "ibm"}


def provider_distribution(module: str) -> Optional[str]:
    """airflow.providers.amazon.aws.operators.s3 -> apache-airflow-providers-amazon; None for core airflow."""
    parts = module.split(".")
    if len(parts) < 3 or parts[:2] != ["airflow", "providers"]:
        return None
    name = parts[2]
    if name in TWO_PART_NAMESPACES and len(parts) > 3:
        name = f"{name}-{parts[3]}"
    return "apache-airflow-providers-" + name.replace("_", "-")


def canonical(name: str) -> str:
    """A distribution name normalised as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(text: str) -> str:
    """The canonical distribution name of a requirement line ("Foo[x]>=1 ; python_version>'3'" -> "foo")."""
    return canonical(re.split(r"[<>=!~\[;@ (]", text.strip(), maxsplit=1)[0])


# ---------------------------------------------------------------- standard library
@functools.lru_cache(maxsize=4)
def stdlib_names(python: str = TARGET_PYTHON) -> frozenset:
    """Top-level standard-library modules of `python` ("3.11"): this interpreter's list, adjusted by version."""
    names = set(sys.stdlib_module_names) | {"__future__"}
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    for version, removed in REMOVED_FROM_STDLIB.items():
        if _version_key(python) >= _version_key(version) > _version_key(here):
            names -= removed  # newer target: gone there
        elif _version_key(here) >= _version_key(version) > _version_key(python):
            names |= removed  # older target: still there
    return frozenset(names)


def _version_key(text: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


# ---------------------------------------------------------------- imports a piece of code executes
@dataclass(frozen=True)
class ImportUse:
    module: str  # dotted, as written ("google.cloud.storage")
    line: int  # 1-based within the code it was found in
    names: Tuple[str, ...] = ()  # `from module import names`

    @property
    def top(self) -> str:
        return self.module.split(".")[0]


def imports_in(code: str) -> List[ImportUse]:
    """Absolute imports the code runs, guarded ones left out (`try: import x / except ImportError:` is optional)."""
    if "import" not in code:
        return []
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    guarded: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
            guarded |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    found = []
    for node in ast.walk(tree):
        if id(node) in guarded:
            continue
        if isinstance(node, ast.Import):
            found += [ImportUse(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(ImportUse(node.module, node.lineno, tuple(alias.name for alias in node.names)))
    return found


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError", "Exception") for n in names)


# every METADATA_DB_PATTERNS match contains one of these words: code without any is not tokenized
_METADATA_DB_WORDS = re.compile(r"session|Session|DagRun|TaskInstance|DagModel|XCom|DagBag")


def metadata_db_use(code: str) -> Optional[str]:
    """How the code uses Airflow's metadata database (@provide_session, settings.Session, DagRun.find,
    session.query ...), or None. Comments and strings are not code: they are left out first."""
    if not _METADATA_DB_WORDS.search(code):
        return None
    cleaned = re.sub(r"\s+\(", "(", re.sub(r"\s*\.\s*", ".", _code_only(code)))  # untokenize spaces out names
    for pattern, what in METADATA_DB_PATTERNS:
        if pattern.search(cleaned):
            return what
    return None


def callable_db_use(callable_) -> Optional[str]:
    """metadata_db_use of an ir.CallableSource, its decorators included (the IR keeps the function without
    them: they are read again from the DAG file, at the function's line)."""
    found = metadata_db_use("\n".join((callable_.source, *callable_.prelude)))
    if found or callable_.span is None:
        return found
    return "@provide_session" if (callable_.span.line, callable_.name) in _session_functions(callable_.span.path) else None


@functools.lru_cache(maxsize=64)
def _session_functions(path: str) -> Set[Tuple[int, str]]:
    """(line of the def or of one of its decorators, name) of every function decorated with provide_session
    in a file; a file that never says provide_session is not parsed."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        tree = ast.parse(text) if "provide_session" in text else None
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return set()
    found = set()
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            names = [ast.unparse(d).split("(")[0].split(".")[-1] for d in node.decorator_list]
            if "provide_session" in names:
                found |= {(line, node.name) for line in (node.lineno, *(d.lineno for d in node.decorator_list))}
    return found


def _code_only(code: str) -> str:
    import io
    import tokenize

    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(code).readline)
                  if t.type not in (tokenize.COMMENT, tokenize.STRING)]
        return tokenize.untokenize((t.type, t.string) for t in tokens)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return code


# ---------------------------------------------------------------- import name -> distributions
@functools.lru_cache(maxsize=1)
def _installed_map() -> Dict[str, Tuple[str, ...]]:
    """Top-level import name -> distributions, from the metadata installed here (knowledge, not availability).
    Reading every distribution's metadata costs about half a second, so the map is kept on disk, keyed by
    the distributions installed (their dist-info folder names): a new install or upgrade reads it again."""
    import importlib.metadata

    cache = _import_map_file()
    try:
        return {top: tuple(dists) for top, dists in json.loads(cache.read_text()).items()}
    except (OSError, ValueError, AttributeError):
        pass
    try:
        found = {top: tuple(dists) for top, dists in importlib.metadata.packages_distributions().items()}
    except Exception:  # noqa: BLE001 - broken metadata of one distribution must not stop a conversion
        return {}
    _write_cache_file(cache, found)
    return found


def _import_map_file() -> Path:
    import hashlib

    installed = []
    for folder in sys.path:
        try:
            installed += [f"{folder}/{name}" for name in os.listdir(folder or ".") if name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    key = hashlib.sha256("\n".join(sorted(installed)).encode()).hexdigest()[:16]
    return _cache_folder() / f"import-map-{key}.json"


def installed_import_names() -> frozenset:
    return frozenset(_installed_map())


def distributions_for(module: str, installed: bool = True) -> Tuple[str, ...]:
    """Distributions that may provide `module` (dotted), best guess first; canonical names. installed: also
    ask the metadata installed here (about a second to read the first time: only when the rest fails)."""
    parts = module.split(".")
    found: List[str] = []
    for length in range(len(parts), 0, -1):  # the longest known prefix: google.protobuf before google
        found += IMPORT_DISTRIBUTIONS.get(".".join(parts[:length]), ())
    if parts[0] in ("google", "azure") and len(parts) >= 3 and parts[1] == "cloud" or parts[0] == "azure" and len(parts) >= 3:
        found.append("-".join(parts[:3]))  # google.cloud.storage -> google-cloud-storage, azure.storage.blob
    if parts[0] == "airflow":  # not every distribution installing into the airflow namespace
        provider = provider_distribution(module)
        return (canonical(provider),) if provider else ("apache-airflow", "apache-airflow-core", "apache-airflow-task-sdk")
    found += _installed_map().get(parts[0], ()) if installed else ()
    found.append(parts[0])
    return tuple(dict.fromkeys(canonical(name) for name in found if name))


@functools.lru_cache(maxsize=2048)
def _dependencies(distribution: str) -> frozenset:
    """The distribution and everything it requires (transitively, no extras), from installed metadata;
    a distribution not installed here counts as itself only."""
    import importlib.metadata

    from packaging.requirements import InvalidRequirement, Requirement

    seen, todo = set(), [canonical(distribution)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            required = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for text in required:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            marker = requirement.marker
            if marker is not None:
                try:
                    if not marker.evaluate({"extra": "", "python_version": TARGET_PYTHON}):
                        continue
                except Exception:  # noqa: BLE001 - an unusual marker: count the dependency
                    pass
            todo.append(canonical(requirement.name))
    return frozenset(seen)


def with_dependencies(distributions: Iterable[str]) -> Set[str]:
    found: Set[str] = set()
    for name in distributions:
        found |= _dependencies(canonical(name))
    return found


# ---------------------------------------------------------------- the project's own requirements
@dataclass(frozen=True)
class ProjectRequirements:
    """Requirements the project declares, read statically: canonical name -> requirement text."""
    requirements: Tuple[Tuple[str, str], ...] = ()
    files: Tuple[str, ...] = ()  # where they were read

    def get(self, name: str) -> Optional[str]:
        return dict(self.requirements).get(canonical(name))


def project_requirements(dag_file: str, roots: Sequence[str] = ()) -> ProjectRequirements:
    """requirements.txt and pyproject.toml dependencies of the nearest folder declaring any, from the DAG
    file's folder up to the project root (the folders local modules are looked for in; `roots`: the
    project's, ir.Workflow.project_roots)."""
    folder = os.path.dirname(os.path.abspath(dag_file))
    env = (os.environ.get("AIRFLOW__CORE__DAGS_FOLDER"), os.environ.get("AIRFLOW__CORE__PLUGINS_FOLDER"))
    return _project_requirements(_requirement_folders(folder, tuple(roots), env))


@functools.lru_cache(maxsize=256)
def _requirement_folders(folder_text: str, roots: Tuple[str, ...], _env: tuple) -> Tuple[str, ...]:
    """The folders project_requirements reads, in order; cached like search_roots (per folder and
    configuration: every component of a DAG asks)."""
    folder = Path(folder_text)
    found = [Path(root) for root in roots] or search_roots(os.path.join(folder_text, "_"))
    # the DAG file's own folder and its parents first, nearest first; --path folders and the rest after
    ordered = sorted(found, key=lambda root: (not (root == folder or root in folder.parents), -len(root.parts)))
    return tuple(str(root) for root in ordered if root.name not in ("plugins", "config", "include"))


@functools.lru_cache(maxsize=64)
def _project_requirements(folders: Tuple[str, ...]) -> ProjectRequirements:
    found: Dict[str, str] = {}
    files: List[str] = []
    for folder in folders:
        for path, lines in (_requirements_txt(Path(folder) / "requirements.txt"), _pyproject(Path(folder) / "pyproject.toml")):
            if lines or path.endswith("requirements.txt") and os.path.isfile(path):  # an empty one declares nothing more
                files.append(path)
            for line in lines:
                found.setdefault(requirement_name(line), line)
        if files:
            break  # the nearest folder declaring requirements is the project (a repository may hold several)
    return ProjectRequirements(tuple(found.items()), tuple(files))


def _requirements_txt(path: Path, depth: int = 0) -> Tuple[str, List[str]]:
    """Requirement lines of a requirements file (`-r other.txt` followed, options and URLs left out)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return str(path), []
    lines: List[str] = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")) and depth < 5:
            lines += _requirements_txt(path.parent / line.split(None, 1)[1], depth + 1)[1]
        elif not line.startswith("-") and "://" not in line and re.match(r"[A-Za-z0-9]", line):
            lines.append(line)
    return str(path), lines


def _pyproject(path: Path) -> Tuple[str, List[str]]:
    try:
        import tomllib

        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return str(path), []
    dependencies = data.get("project", {}).get("dependencies", [])
    return str(path), [d for d in dependencies if isinstance(d, str)]


# ---------------------------------------------------------------- resolving one import
STDLIB, LOCAL, DECLARED, PROJECT, UNRESOLVED = "stdlib", "local", "declared", "project", "unresolved"


@dataclass(frozen=True)
class Resolution:
    module: str
    kind: str  # stdlib | local | declared (the component's packages) | project (project requirements) | unresolved
    requirement: Optional[str] = None  # the project's requirement line that covers it (kind project)
    distribution: Optional[str] = None  # the best-known distribution name (for the "how to declare" hint)


def resolve_import(module: str, packages: Sequence[str], project: ProjectRequirements, local: bool = False,
                   image: bool = False, python: str = TARGET_PYTHON) -> Resolution:
    """Where `module` comes from in the component's image; `packages` are the component's requirements.
    image: a project image, where kfp is installed with its dependencies (not --no-deps as at pod start)."""
    top = module.split(".")[0]
    if top in stdlib_names(python):
        return Resolution(module, STDLIB)
    if local:
        return Resolution(module, LOCAL)
    declared = set(ALWAYS_PRESENT) | with_dependencies([requirement_name(p) for p in packages] + (["kfp"] if image else []))
    for candidates in (distributions_for(module, installed=False), distributions_for(module)):
        for name in candidates:
            if name in declared:
                return Resolution(module, DECLARED, distribution=name)
        for name in candidates:
            line = project.get(name)
            if line:
                return Resolution(module, PROJECT, requirement=line, distribution=name)
    known = [name for name in candidates if name in _installed_distributions()]
    if top == "airflow":  # the distribution follows from the module path (a provider), known or not
        known = known or list(candidates[:1])
    return Resolution(module, UNRESOLVED, distribution=(known or [None])[0])


@functools.lru_cache(maxsize=1)
def _installed_distributions() -> frozenset:
    """Canonical names of the distributions installed here, from their metadata folders' names
    (`Name-1.0.dist-info`: listing folders is instant where reading each METADATA file is not)."""
    names = set()
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        names |= {canonical(entry.rsplit(".", 1)[0].split("-", 1)[0]) for entry in entries
                  if entry.endswith((".dist-info", ".egg-info"))}
    return frozenset(names)


def how_to_declare(resolution: Resolution, image: bool = False) -> str:
    """The hint a KFM217 diagnostic gives."""
    if resolution.distribution:
        pinned = pin(resolution.distribution)
        line = pinned.text if pinned.text else resolution.distribution
        then = ("and convert again: the image's requirements.txt gets it" if image else
                "and convert again (or with --image, to build a project image from those requirements)")
        return f"add `{line}` to the project's requirements.txt (or pyproject.toml dependencies) {then}"
    return ("no distribution is known to provide it: add the distribution that does to the project's "
            "requirements.txt, or put the module next to the DAG file / in plugins/")


# ---------------------------------------------------------------- exact pins
@dataclass(frozen=True)
class Pinned:
    requirement: str  # as declared
    text: Optional[str]  # name==version (extras and markers kept), None when it could not be pinned
    source: str  # "exact in the declaration" | "installed here" | "resolved by pip" | why not


_PINS: Dict[str, Pinned] = {}


def pin(requirement: str) -> Pinned:
    """An exact pin for one requirement: as declared when it is `==`, else the version installed here
    when it satisfies the declaration, else what `pip install --dry-run` resolves from the index."""
    return pin_all([requirement])[0]


def pin_all(requirements: Sequence[str]) -> List[Pinned]:
    from packaging.requirements import InvalidRequirement, Requirement

    todo = []
    for text in dict.fromkeys(requirements):
        if text in _PINS:
            continue
        try:
            parsed = Requirement(text)
        except InvalidRequirement:
            _PINS[text] = Pinned(text, None, "not a valid requirement")
            continue
        exact = [s for s in parsed.specifier if s.operator in ("==", "===") and "*" not in s.version]
        if exact:
            _PINS[text] = Pinned(text, text, "exact in the declaration")
            continue
        version = _installed_version(parsed.name)
        if version and parsed.specifier.contains(version, prereleases=True):
            _PINS[text] = Pinned(text, _with_version(parsed, version), "installed here")
            continue
        todo.append((text, parsed))
    if todo:
        resolved = _pip_resolve([text for text, _ in todo])
        for text, parsed in todo:
            version = resolved.get(canonical(parsed.name))
            _PINS[text] = (Pinned(text, _with_version(parsed, version), "resolved by pip from the package index") if version
                           else Pinned(text, None, "neither installed here nor resolvable by pip from the package index"))
    return [_PINS[text] for text in requirements]


def _installed_version(name: str) -> Optional[str]:
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _with_version(parsed, version: str) -> str:
    extras = f"[{','.join(sorted(parsed.extras))}]" if parsed.extras else ""
    marker = f"; {parsed.marker}" if parsed.marker else ""
    return f"{parsed.name}{extras}=={version}{marker}"


PIN_CACHE_SECONDS = 24 * 3600  # an index answer is reused for a day: a batch asks pip once, not once per worker


def _pip_resolve(requirements: Sequence[str]) -> Dict[str, str]:
    """canonical name -> version pip would install (dry run: nothing is installed; --no-deps: only these).
    Answers are cached on disk (${XDG_CACHE_HOME:-~/.cache}/kfmigrate/pins.json) for PIN_CACHE_SECONDS."""
    if os.environ.get("KFMIGRATE_OFFLINE"):
        return {}
    import time

    cache = _read_pin_cache()
    now = time.time()
    found: Dict[str, str] = {}
    asked = []
    for text in requirements:
        entry = cache.get(text)
        if entry and now - entry.get("at", 0) < PIN_CACHE_SECONDS:
            found.update(entry.get("versions", {}))
        else:
            asked.append(text)
    if not asked:
        return found
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-deps", "--ignore-installed",
               "--report", "-", *asked]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        report = json.loads(done.stdout or "{}")
    except (OSError, subprocess.TimeoutExpired, ValueError):
        return found
    versions = {canonical(item["metadata"]["name"]): item["metadata"]["version"] for item in report.get("install", [])}
    found.update(versions)
    if done.returncode == 0:  # a failed resolution (index down) is not remembered
        from packaging.requirements import Requirement

        for text in asked:
            name = canonical(Requirement(text).name)
            cache[text] = {"at": now, "versions": {name: versions[name]} if name in versions else {}}
        _write_pin_cache(cache)
    return found


def _cache_folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kfmigrate"


def _pin_cache_file() -> Path:
    return _cache_folder() / "pins.json"


def _read_pin_cache() -> dict:
    try:
        return json.loads(_pin_cache_file().read_text())
    except (OSError, ValueError):
        return {}


def _write_pin_cache(cache: dict) -> None:
    _write_cache_file(_pin_cache_file(), cache)


def _write_cache_file(path: Path, data: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(data, sort_keys=True))
        partial.replace(path)  # whole or not at all, with several workers writing
    except OSError:
        pass  # a read-only home: read again next time


# ---------------------------------------------------------------- what a component installs
@dataclass
class Install:
    """packages_to_install of one component and the problems found making it exact."""
    packages: List[str] = field(default_factory=list)
    unpinned: List[Pinned] = field(default_factory=list)


def pinned_packages(packages: Sequence[str]) -> Install:
    """A component's packages, each pinned to an exact version (migrate/emit/environment.py decides whether
    it installs them at all: not with a project image). One that cannot be pinned stays as declared and is
    reported (KFM222)."""
    wanted = list(dict.fromkeys(p for p in packages if p.strip()))
    install = Install()
    for pinned in pin_all(wanted):
        install.packages.append(pinned.text or pinned.requirement)
        if pinned.text is None:
            install.unpinned.append(pinned)
    return install


# ---------------------------------------------------------------- does an operator class resolve?
# Airflow 3 still serves these old core paths (airflow/operators/__init__.py's deprecated classes).
AIRFLOW3_OLD_PATHS = {
    "airflow.operators.python": {"PythonOperator", "BranchPythonOperator", "ShortCircuitOperator", "PythonVirtualenvOperator",
                                 "ExternalPythonOperator", "BranchExternalPythonOperator", "BranchPythonVirtualenvOperator"},
    "airflow.operators.bash": {"BashOperator"}, "airflow.operators.datetime": {"BranchDateTimeOperator"},
    "airflow.operators.generic_transfer": {"GenericTransfer"}, "airflow.operators.weekday": {"BranchDayOfWeekOperator"},
    "airflow.operators.trigger_dagrun": {"TriggerDagRunOperator"}, "airflow.operators.latest_only": {"LatestOnlyOperator"},
    "airflow.operators.empty": {"EmptyOperator"}, "airflow.operators.email": {"EmailOperator"},
    "airflow.operators.smooth": {"SmoothOperator"},
}
REMOVED_IN_AIRFLOW_3 = {
    "SubDagOperator": "SubDAGs were removed in Airflow 3 (use a TaskGroup: it becomes tasks of the same pipeline)",
    "DummyOperator": "DummyOperator was removed in Airflow 3 (EmptyOperator replaces it)",
}
PLUGIN_NAMESPACES = ("airflow.operators", "airflow.sensors", "airflow.hooks", "airflow.executors", "airflow.macros")


@dataclass(frozen=True)
class OperatorSource:
    """Where a shimmed operator class comes from in the image, or why it cannot be there."""
    kind: str  # "airflow" | "provider" | "local" | "project" | "removed" | "plugin" | "missing"
    distribution: Optional[str] = None  # the provider or project distribution to install
    reason: str = ""

    @property
    def resolves(self) -> bool:
        return self.kind in ("airflow", "provider", "local", "project")


def operator_source(module: str, operator: str, dag_file: str, roots: Sequence[str] = ()) -> OperatorSource:
    """Resolve the module an operator class is imported from (as written in the DAG file); roots: the
    project's (ir.Workflow.project_roots)."""
    if operator in REMOVED_IN_AIRFLOW_3:
        return OperatorSource("removed", reason=REMOVED_IN_AIRFLOW_3[operator])
    top = module.split(".")[0]
    if top == "airflow":
        provider = provider_distribution(module)
        if provider:
            pinned = pin(provider)
            if pinned.text is None:
                return OperatorSource("missing", reason=f"provider distribution {provider} ({module}) is {pinned.source}")
            return OperatorSource("provider", provider)
        if module.startswith("airflow.contrib"):
            return OperatorSource("removed", reason=f"{module} is Airflow 1's contrib package, removed in Airflow 2")
        if module in PLUGIN_NAMESPACES or (module.rsplit(".", 1)[0] in PLUGIN_NAMESPACES and module not in AIRFLOW3_OLD_PATHS
                                           and not module.endswith(("_operator", "_sensor", "_hook"))):
            return OperatorSource("plugin", reason=f"`from {module} import {operator}` is an Airflow 1 plugin import "
                                  "(Airflow 2 removed it): import the class from its own module, e.g. from plugins/")
        if module.rsplit(".", 1)[0] in PLUGIN_NAMESPACES and module not in AIRFLOW3_OLD_PATHS:
            return OperatorSource("removed", reason=f"{module} is an Airflow 1 module path, removed in Airflow 3")
        return OperatorSource("airflow", "apache-airflow")
    if find_local_module(module, dag_file, roots):
        return OperatorSource("local")
    project = project_requirements(dag_file, roots)
    for name in distributions_for(module):
        if project.get(name):
            return OperatorSource("project", project.get(name))
    return OperatorSource("missing", reason=f"module {module} is neither next to the DAG file, in plugins/, nor in "
                          "the project's requirements")


# ---------------------------------------------------------------- template files
def template_file(name: str, dag_file: str) -> Optional[Path]:
    """The file Airflow's Jinja loader finds for a templated value naming a file (`sql/report.sql`, `run.sh`):
    the DAG file's folder, then the DAG's template_searchpath (read statically), first match wins."""
    folder = Path(os.path.abspath(dag_file)).parent
    for root in (folder, *(folder / extra for extra in template_searchpath(dag_file))):
        candidate = root / name.strip()
        if candidate.is_file():
            return candidate
    return None


@functools.lru_cache(maxsize=64)
def template_searchpath(dag_file: str) -> Tuple[str, ...]:
    """The literal template_searchpath= of the DAG(...) / @dag(...) calls in the file (absolute or relative)."""
    try:
        tree = ast.parse(Path(dag_file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return ()
    found: List[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "template_searchpath":
                    try:
                        value = ast.literal_eval(keyword.value)
                    except ValueError:
                        continue
                    found += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
    return tuple(dict.fromkeys(found))


# ---------------------------------------------------------------- before a run: imports a compiled pipeline's images miss
@dataclass(frozen=True)
class Uncovered:
    component: str  # the executor's component function
    image: str
    modules: Tuple[str, ...]


def uncovered_imports(spec: dict, manifest: Optional[dict] = None) -> Tuple[List[Uncovered], List[str]]:
    """(components whose executed imports their image does not declare, images whose contents are unknown).

    Read from a compiled PipelineSpec, so it holds for hand-edited pipelines too: per lightweight component,
    the imports inside its function and in the modules it embeds, against the standard library, its
    packages_to_install (with their dependencies) and kfp, or, for the project image `manifest` describes
    (OUTDIR/image/image.json), that image's requirements and project modules. Helper functions listed in
    additional_funcs are not read: they import lazily what their mapper declared."""
    found, unknown = [], []
    for executor in (spec.get("deploymentSpec") or {}).get("executors", {}).values():
        container = executor.get("container") or {}
        command, args = list(container.get("command") or []), list(container.get("args") or [])
        if "--function_to_execute" not in args or not command:
            continue
        function = args[args.index("--function_to_execute") + 1]
        image = container.get("image", "")
        packages = _preamble_packages(" ".join(command[:3]))
        local: Set[str] = set()
        if manifest and manifest.get("image") == image:
            packages += list(manifest.get("requirements", [])) + ["kfp"]  # installed with its dependencies there
            local |= {Path(p).parts[0].removesuffix(".py") for p in manifest.get("project_files", [])}
        elif not image.startswith("python:"):
            unknown.append(image)
            continue
        codes, embedded = _component_codes(command[-1], function)
        local |= embedded
        declared = set(ALWAYS_PRESENT) | with_dependencies([requirement_name(p) for p in packages])
        missing = []
        for use in dict.fromkeys(use.module for code in codes for use in imports_in(code)):
            top = use.split(".")[0]
            if top in stdlib_names() or top in local or any(name in declared for name in distributions_for(use)):
                continue
            if all(m.split(".")[0] != top for m in missing):
                missing.append(use)
        if missing:
            found.append(Uncovered(function, image, tuple(missing)))
    return found, list(dict.fromkeys(unknown))


def _preamble_packages(script: str) -> List[str]:
    """Requirements of a lightweight component's `pip install` preamble (kfp's own install left out)."""
    import shlex

    packages = []
    for part in script.split("&&"):
        match = re.search(r"-m pip install (.*)", part)
        if match:
            try:
                tokens = shlex.split(match.group(1))
            except ValueError:
                continue
            packages += [t for t in tokens if not t.startswith("-") and requirement_name(t) != "kfp" and "://" not in t]
    return packages


def _component_codes(source: str, function: str) -> Tuple[List[str], Set[str]]:
    """The component function's code and the texts of the modules it embeds; the embedded top-level names."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return [source], set()
    codes, embedded = [], set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            codes.append(ast.unparse(node))
            for call in ast.walk(node):  # _kfp_local_modules({'pkg/mod.py': _module_pkg__mod(), ...})
                if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "_kfp_local_modules" and call.args \
                        and isinstance(call.args[0], ast.Dict):
                    embedded |= {Path(k.value).parts[0].removesuffix(".py") for k in call.args[0].keys
                                 if isinstance(k, ast.Constant) and isinstance(k.value, str)}
        elif isinstance(node, ast.FunctionDef) and node.name.startswith("_module_"):
            texts = [n.value.value for n in ast.walk(node) if isinstance(n, ast.Return) and isinstance(n.value, ast.Constant)]
            codes += [t for t in texts if isinstance(t, str)]
    return codes, embedded


def image_manifest_near(pipeline: Path) -> Optional[dict]:
    """OUTDIR/image/image.json next to a converted pipeline (written by convert --image), if any."""
    try:
        return json.loads((Path(pipeline).parent / "image" / "image.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def uncovered_messages(spec: dict, pipeline: Optional[Path] = None) -> List[str]:
    """KFM403 warnings (one line each) for a pipeline about to run locally."""
    manifest = image_manifest_near(pipeline) if isinstance(pipeline, Path) else None
    found, unknown = uncovered_imports(spec, manifest)
    where = f"{pipeline}: " if isinstance(pipeline, Path) else ""
    lines = [f"{where}KFM403 component {u.component!r} imports {', '.join(u.modules)}, which its image ({u.image} plus its "
             "packages) does not declare: a local run may pass with what is installed here while the cluster fails "
             "(declare it in requirements.txt and convert again, or use --image)" for u in found]
    lines += [f"{where}KFM403 image {image!r}: its contents are unknown here (no image.json beside the pipeline), so "
              "imports were not checked against it" for image in unknown]
    return lines
