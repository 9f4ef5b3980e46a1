"""The project: names imported from its modules (their module bodies run once, statically), functions
and classes of other files followed where they are called, and Airflow 1 plugin imports looked for in
plugins/. The Interpreter's ProjectModules part (migrate/parse/interpreter.py).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import libcst as cst

from kfmigrate.migrate.diagnostics import INFO
from kfmigrate.migrate.parse import imports as names
from kfmigrate.migrate.parse.builds import Scope
from kfmigrate.migrate.parse.symbols import Airflow1Missing, Imported, LocalClass, LocalFunction, ModuleRef, Opaque, Unreadable


MAX_CALL_DEPTH = 24  # nested calls of local functions followed; deeper is recursion we do not unroll


class ProjectModules:
    def in_home(self, home: Optional["ProjectModules"], run) -> Any:
        """run(interpreter) in the interpreter of the file that defines what is being called, sharing
        this file's DAGs, stacks and diagnostics."""
        if home is None or home is self:
            return run(self)
        saved = home.state
        home.state = self.state
        if home not in self.state.modules:
            self.state.modules.append(home)
        try:
            return run(home)
        finally:
            home.state = saved

    def project_module(self, name: str) -> Optional["ProjectModules"]:
        """The interpreter of project module `name`, its module body run once (definitions and
        constants; DAGs it would build at import are not this file's)."""
        if self.project is None:
            return None
        cache = self.project.interpreters
        source = self.project.find_module(name)
        if source is None:
            return None
        cached = cache.get(name)
        if cached is not None and cached.module is source.tree:  # the same parse: the file has not changed
            return cached
        interp = type(self)(source.tree, source.shown, source.text, self.project, name)
        interp.is_package = source.is_package
        cache[name] = interp  # before running it: modules that import each other
        try:
            interp.run()
        except RecursionError:
            pass
        return interp

    def absolute(self, qual: str) -> str:
        """A relative import's name (".utils.x" inside common.factory) made absolute."""
        level = len(qual) - len(qual.lstrip("."))
        package = self.module_name if self.is_package else self.module_name.rpartition(".")[0]
        parts = package.split(".") if package else []
        if level - 1 > len(parts):
            return qual.lstrip(".")
        base = parts[: len(parts) - (level - 1)]
        return ".".join(base + [qual.lstrip(".")])

    def imported(self, qual: str) -> Any:
        """What an imported name stands for: a function, class or constant of a project module, the
        module itself, an Airflow 1 plugin class from plugins/, or else Imported(qual)."""
        if qual.startswith("."):
            qual = self.absolute(qual)
        if self.project is None:
            return Imported(qual)
        if names.is_airflow(qual):
            return self.airflow1_plugin(qual) or Imported(qual)
        parts = qual.split(".")
        for cut in range(len(parts), 0, -1):
            home = self.project_module(".".join(parts[:cut]))
            if home is None:
                if ".".join(parts[:cut]) in self.project.broken:
                    return Unreadable(qual, f"{qual}: {self.project.broken['.'.join(parts[:cut])]}")
                continue
            value: Any = ModuleRef(home.module_name, home)
            for attr in parts[cut:]:
                value = self.module_attribute(value, attr)
            return value
        return Imported(qual)

    def module_attribute(self, module: Any, attr: str) -> Any:
        if not isinstance(module, ModuleRef):
            return Opaque(attr, "attribute of a value that is not a module")
        home = module.home
        if attr in home.module_scope.vars:
            return home.module_scope.vars[attr]
        qual = home.imports.qualify(attr)
        if qual:
            return home.imported(qual)
        sub = self.project_module(f"{module.name}.{attr}")
        if sub is not None:
            return ModuleRef(sub.module_name, sub)
        return Opaque(f"{module.name}.{attr}", f"{module.name} ({home.path}) defines no {attr!r} statically")

    def where(self, definition: Any) -> str:
        """"common/factory.py:26" for a function or class from any file of the project."""
        node = getattr(definition, "func", None) or getattr(definition, "node", None)
        home = getattr(definition, "home", None) or self
        if node is None:
            return home.path
        span = home.span(node)
        return f"{span.path}:{span.line}"

    def follow(self, callee: LocalFunction, args: List[Any], kwargs: Dict[str, Any], node: cst.CSTNode, scope: Scope) -> Any:
        """Call a local function (of this file or of a project module) statically."""
        key = f"{id(callee.func)}"
        name = callee.func.name.value
        if key in self.state.calls or len(self.state.calls) >= MAX_CALL_DEPTH:
            return Opaque(self.code(node), f"{name} ({self.where(callee)}) is recursive or nested too deeply: not followed")
        home = callee.home or self
        before = len(self.diagnostics)
        self.state.calls.append(key)
        try:
            result = self.in_home(home, lambda h: h.call_function(callee.func, scope if h is self else h.module_scope, args, kwargs))
        finally:
            self.state.calls.pop()
        failed_dag = next((d for d in self.diagnostics[before:] if d.code == "KFM115"), None)
        if failed_dag is not None and home is not self:  # the factory's DAG(...) could not be built: say so at the call
            self.diag("KFM121", f"DAG is created by {name} ({self.where(callee)}): {failed_dag.message}", node)
        elif isinstance(result, Opaque) and home is not self:
            inner = next((d.message for d in self.diagnostics[before:] if d.severity != INFO), None) or result.reason or result.source
            why = f"{name} ({self.where(callee)}) returns a value that is not known statically: {inner}"
            self.unfollowed.append((node, "KFM121", why))  # said if the file ends up with no DAG
            return Opaque(self.code(node), why)
        return result

    def airflow1_plugin(self, qual: str) -> Any:
        """`from airflow.operators import GithubToS3Operator` / `airflow.operators.x_plugin.X`: Airflow 1's
        plugin manager made plugins' classes importable there; Airflow 2 removed it. The class is looked
        for in the project's plugins/ folder."""
        parts = qual.split(".")
        if len(parts) < 3 or parts[1] not in ("operators", "sensors", "hooks") or not parts[-1][:1].isupper():
            return None
        if len(parts) == 4 and not parts[2].endswith("_plugin"):
            return None
        if len(parts) > 4:
            return None
        cache = self.project.interpreters.setdefault("__airflow1_plugins__", {})
        if qual in cache:
            return cache[qual]
        found = None
        for module in self.project.plugin_modules():
            home = self.project_module(module)
            value = home.module_scope.vars.get(parts[-1]) if home is not None else None
            if isinstance(value, LocalClass) and value.home is home:
                found = value
                break
        if found is None:
            where = ", ".join(self.project.plugin_roots()) or "no plugins/ folder in the project"
            found = Airflow1Missing(qual, looked_in=where)
        cache[qual] = found
        return found
