"""Lift a Python callable out of a DAG file together with what it needs from its module.

A KFP lightweight component only sees what is inside its function, so for each callable we collect,
in source order, the module-level imports, constants, helper functions and classes it uses (directly or
through other helpers). Statements that build DAGs or tasks are never carried over.
"""
from __future__ import annotations

import ast
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from kfmigrate.migrate.ir import CallableSource, SourceSpan
from kfmigrate.migrate.parse.imports import is_airflow


class _Names(cst.CSTVisitor):
    """Every bare name read anywhere under a node (a superset of free variables: cheap and safe)."""

    def __init__(self) -> None:
        self.names: Set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def names_used(node: cst.CSTNode) -> Set[str]:
    visitor = _Names()
    node.visit(visitor)
    return visitor.names


def names_read(code: str) -> Optional[Set[str]]:
    """Every variable name in a statement's source (loaded, stored or deleted; not attribute or
    keyword names). CPython's parser does this about ten times faster than a libcst visitor; None
    when the text does not parse on its own."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return None
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _bound_names(stmt: cst.CSTNode) -> Set[str]:
    """Names a module-level statement binds."""
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return {stmt.name.value}
    if isinstance(stmt, cst.SimpleStatementLine):
        bound: Set[str] = set()
        for small in stmt.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    if alias.asname:
                        bound.add(alias.asname.name.value)
                    else:
                        bound.add(cst.Module([]).code_for_node(alias.name).split(".")[0])
            elif isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
                for alias in small.names:
                    bound.add(alias.asname.name.value if alias.asname else cst.Module([]).code_for_node(alias.name))
            elif isinstance(small, cst.Assign):
                for target in small.targets:
                    bound |= _target_names(target.target)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
                bound |= _target_names(small.target)
        return bound
    return set()


def _target_names(target: cst.BaseExpression) -> Set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        out: Set[str] = set()
        for element in target.elements:
            out |= _target_names(element.value)
        return out
    return set()


def _imports_airflow(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    for small in stmt.body:
        if isinstance(small, cst.ImportFrom) and small.module is not None:
            if is_airflow(_dotted(small.module)):
                return True
        if isinstance(small, cst.Import):
            if any(is_airflow(_dotted(a.name)) for a in small.names):
                return True
    return False


def _dotted(node: cst.BaseExpression) -> str:
    """`a.b.c` of a module name, read from the nodes (generating the code costs more)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return cst.Module([]).code_for_node(node)


class ModuleIndex:
    """The module's top-level statements that a callable may depend on, with the names each binds."""

    def __init__(self, module: cst.Module, excluded: Sequence[cst.CSTNode] = (),
                 code: Optional[Callable[[cst.CSTNode], str]] = None) -> None:
        self.module = module
        self.code = code or module.code_for_node  # a node's source (Positions.source_of slices it)
        self.entries: List[Tuple[cst.CSTNode, Set[str]]] = []  # (stmt, names it binds)
        self._uses: Dict[int, Set[str]] = {}  # entry index -> names its code reads, worked out when needed
        excluded_ids = {id(node) for node in excluded}
        for stmt in module.body:
            if id(stmt) in excluded_ids or _imports_airflow(stmt):
                continue
            if isinstance(stmt, cst.FunctionDef) and stmt.decorators:
                continue  # decorated functions are tasks, DAGs or groups, not helpers
            binds = _bound_names(stmt)
            if binds:
                self.entries.append((stmt, binds))

    def _uses_of(self, index: int) -> Set[str]:
        if index not in self._uses:
            stmt = self.entries[index][0]
            names = names_read(self.code(stmt))
            self._uses[index] = names if names is not None else names_used(stmt)
        return self._uses[index]

    def prelude_for(self, needed: Set[str], exclude: Set[str] = frozenset()) -> Tuple[str, ...]:
        """Source of the statements that bind `needed` names, closed under their own needs."""
        chosen: Set[int] = set()
        pending = set(needed) - set(exclude)
        while pending:
            name = pending.pop()
            for index, (stmt, binds) in enumerate(self.entries):
                if name in binds and index not in chosen:
                    chosen.add(index)
                    pending |= (self._uses_of(index) - binds) - set(exclude)
        return tuple(self.code(self.entries[i][0]).strip() for i in sorted(chosen))


def lift_callable(
    func: cst.FunctionDef,
    module: cst.Module,
    index: ModuleIndex,
    span: Optional[SourceSpan],
    enclosing: Dict[str, str] | None = None,
) -> CallableSource:
    """Build the CallableSource for `func`; `enclosing` maps names from an enclosing function scope
    (e.g. an @dag function body) to the source of the simple statements that bind them."""
    # the function without its decorators and the comment lines above it
    if index.code == module.code_for_node:
        source = module.code_for_node(func.with_changes(decorators=[], leading_lines=[])).strip() + "\n"
    else:  # sliced: what the module writes before `def` is cut by its length
        before = sum(len(index.code(node)) for node in (*func.leading_lines, *func.decorators))
        source = index.code(func)[before:].strip() + "\n"
    params = func.params
    positional = tuple(p.name.value for p in list(params.posonly_params) + list(params.params))
    kwonly = tuple(p.name.value for p in params.kwonly_params)
    var_keyword = params.star_kwarg.name.value if isinstance(params.star_kwarg, cst.Param) else None
    annotation = index.code(func.returns.annotation) if func.returns else None
    local = set(positional) | set(kwonly) | ({var_keyword} if var_keyword else set()) | {func.name.value}
    used = names_read(source)
    if used is None:
        used = names_used(func.body) | (names_used(func.params) - local)
        if func.returns:
            used |= names_used(func.returns)
    used -= local
    prelude: List[str] = []
    if enclosing:
        for name in sorted(used & set(enclosing)):
            prelude.append(enclosing[name])
    prelude.extend(index.prelude_for(used - set(enclosing or {}), exclude=local))
    return CallableSource(
        name=func.name.value,
        source=source,
        params=positional + kwonly,
        var_keyword=var_keyword,
        return_annotation=annotation,
        prelude=tuple(prelude),
        span=span,
        doc=func.get_docstring() or None,
    )


def lift_lambda(node: cst.Lambda, module: cst.Module, index: ModuleIndex, span: Optional[SourceSpan],
                enclosing: Dict[str, str] | None = None) -> CallableSource:
    """A lambda becomes a named function with the same parameters and body; names it reads from an
    enclosing function (e.g. a list defined in the @dag body) travel with it like module constants."""
    params = module.code_for_node(node.params) if node.params else ""
    body = module.code_for_node(node.body)
    source = f"def _lambda({params}):\n    return {body}\n"
    parsed = cst.parse_module(source)
    func = parsed.body[0]
    assert isinstance(func, cst.FunctionDef)
    lifted = lift_callable(func, parsed, index, span, enclosing)
    return CallableSource(name="_lambda", source=source, params=lifted.params, var_keyword=lifted.var_keyword,
                          return_annotation=None, prelude=lifted.prelude, span=span)
