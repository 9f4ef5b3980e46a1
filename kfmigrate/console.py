"""Shared terminal output: rich consoles and the one way diagnostics are printed."""
from __future__ import annotations

from rich.console import Console

out_console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}


def print_diagnostic(diagnostic) -> None:
    """`path:line:col: KFMnnn message`, coloured by severity on a terminal, plain otherwise."""
    style = _STYLE.get(diagnostic.severity, "")
    err_console.print(diagnostic.render(), style=style, markup=False, highlight=False)


def print_diagnostics(diagnostics) -> None:
    """Each distinct diagnostic once, `(xN)` when it came N times (a loop repeats its statements)."""
    from migrate.diagnostics import counted, render_counted

    for diagnostic, count in counted(diagnostics):
        err_console.print(render_counted(diagnostic, count), style=_STYLE.get(diagnostic.severity, ""), markup=False,
                          highlight=False)
