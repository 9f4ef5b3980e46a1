"""Where components run and what they install: the one place that decides it.

`kfmigrate convert` options land here (Environment): `--runtime package` (the default: components
import the run-time helpers from the kfmigrate-runtime distribution, installed pinned when the
component starts), `--runtime inline` (the helpers' source is copied into the generated module and
handed to each component with additional_funcs: self-contained, nothing of kfmigrate installed),
`--pip-index-url` (the index components install from), `--image REF` (every component runs in the project
image REF and installs nothing: migrate/image.py writes its build context). `component_install` answers, per component,
which packages it installs; every component generator asks it, and `decorator_args` and
`runtime_import` turn the answer into code.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

from kfmigrate.migrate.emit import runtime

RUNTIME_MODES = ("package", "inline")
# Module-level names the generated code defines for this (the decorators are evaluated in the module)
RUNTIME_PACKAGES = "RUNTIME_PACKAGES"
PIP_INDEX_URLS = "PIP_INDEX_URLS"
MODULE_NAMES = (RUNTIME_PACKAGES, PIP_INDEX_URLS)


@dataclass(frozen=True)
class Environment:
    runtime: str = "package"  # package | inline
    pip_index_urls: Tuple[str, ...] = ()
    image: Optional[str] = None  # --image: the project image every component runs in (it holds every package)

    def __post_init__(self):
        if self.runtime not in RUNTIME_MODES:
            raise ValueError(f"runtime must be one of {', '.join(RUNTIME_MODES)}, not {self.runtime!r}")

    @property
    def package(self) -> bool:
        return self.runtime == "package"


def runtime_requirement() -> str:
    """The pinned requirement of the runtime package: always the version this kfmigrate ships."""
    return f"{runtime.DISTRIBUTION}=={runtime.VERSION}"


@dataclass(frozen=True)
class Install:
    """What one component installs when it starts (packages_to_install) and from which index."""
    runtime: bool  # kfmigrate-runtime (written as RUNTIME_PACKAGES)
    packages: Tuple[str, ...]  # the others, as the mapping asked for them
    index_urls: bool  # pip_index_urls=PIP_INDEX_URLS

    @property
    def empty(self) -> bool:
        return not (self.runtime or self.packages)


def component_install(environment: Environment, helpers: Sequence[str], packages: Sequence[str] = ()) -> Install:
    """Decide what a component installs: the runtime package when it calls a run-time helper in
    package mode, plus the packages its mapping needs (a provider, jinja2, a virtualenv's requirements), pinned
    by the builder (migrate/environment.py); nothing with a project image, which holds them all."""
    if environment.image:
        return Install(False, (), False)
    uses_runtime = environment.package and any(name in runtime.HELPERS for name in helpers)
    packages = tuple(dict.fromkeys(packages))
    return Install(uses_runtime, packages, bool(environment.pip_index_urls) and bool(uses_runtime or packages))


def decorator_args(environment: Environment, helpers: Sequence[str], packages: Sequence[str] = (),
                   base_image: Optional[str] = None, extra_funcs: Sequence[str] = ()) -> List[str]:
    """The @dsl.component(...) arguments of a component calling `helpers` (run-time helper names) and
    needing `packages`; extra_funcs: other module functions it needs (embedded local modules)."""
    install = component_install(environment, helpers, packages)
    args = [f"base_image={base_image!r}" if base_image and not environment.image else "base_image=BASE_IMAGE"]
    if install.runtime:
        args.append(f"packages_to_install={RUNTIME_PACKAGES}" + (f" + {list(install.packages)!r}" if install.packages else ""))
    elif install.packages:
        args.append(f"packages_to_install={list(install.packages)!r}")
    if install.index_urls:
        args.append(f"pip_index_urls={PIP_INDEX_URLS}")
    funcs = [] if environment.package else [name for name in helpers if name in runtime.HELPERS]
    funcs += list(extra_funcs)
    if funcs:
        args.append(f"additional_funcs=[{', '.join(funcs)}]")
    return args


def decorator(environment: Environment, helpers: Sequence[str], **options) -> str:
    """`@dsl.component(...)` on one line, or one argument per line when long."""
    args = decorator_args(environment, helpers, **options)
    text = "@dsl.component(" + ", ".join(args) + ")"
    if len(text) > 110:
        text = "@dsl.component(\n" + "".join(f"    {arg},\n" for arg in args) + ")"
    return text


def runtime_import(environment: Environment, helpers: Sequence[str]) -> Optional[str]:
    """The statement a component body starts with in package mode (None: nothing to import).

    The context's optional parts are not imported: _airflow_runtime reaches them inside the package."""
    if not environment.package:
        return None
    names = [name for name in helpers if name in runtime.HELPERS and name not in runtime.OPTIONAL_PARTS]
    if not names:
        return None
    line = "from kfmigrate_runtime import " + ", ".join(names)
    if len(line) > 100:
        line = "from kfmigrate_runtime import (\n" + "".join(f"    {name},\n" for name in names) + ")"
    return line


def module_constants(environment: Environment, code: str) -> List[str]:
    """The module-level lines the components' decorators (in `code`) refer to."""
    lines = []
    if f"={RUNTIME_PACKAGES}" in code:
        lines.append(f"{RUNTIME_PACKAGES} = [{runtime_requirement()!r}]  # kfmigrate's Airflow runtime (components import it)")
    if f"={PIP_INDEX_URLS}" in code:
        lines.append(f"{PIP_INDEX_URLS} = {list(environment.pip_index_urls)!r}  # where components install packages from")
    return lines
