"""Shared terminal output: rich consoles and the one way diagnostics are printed."""
from __future__ import annotations

import sys

from rich.console import Console

# emoji=False: rich would turn `dag.py:100:13` into `dag.py💯13` (":100:" is an emoji code)
out_console = Console(highlight=False, soft_wrap=True, emoji=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

_STYLE = {"error": "red", "warning": "yellow", "info": "dim"}


def print_diagnostic(diagnostic) -> None:
    """`path:line:col: KFMnnn message`, coloured by severity on a terminal, plain otherwise."""
    style = _STYLE.get(diagnostic.severity, "")
    err_console.print(diagnostic.render(), style=style, markup=False, highlight=False)


def print_diagnostics(diagnostics) -> None:
    """Each distinct diagnostic once, `(xN)` when it came N times (a loop repeats its statements)."""
    from kfmigrate.migrate.diagnostics import counted, render_counted

    plain = not err_console.is_terminal  # no colours to add: skip rich's rendering (a batch prints hundreds)
    for diagnostic, count in counted(diagnostics):
        if plain:
            sys.stderr.write(render_counted(diagnostic, count) + "\n")
        else:
            err_console.print(render_counted(diagnostic, count), style=_STYLE.get(diagnostic.severity, ""),
                              markup=False, highlight=False)


class interrupt_on_signals:
    """`with interrupt_on_signals():` SIGTERM and SIGHUP raise KeyboardInterrupt like Ctrl-C does, so
    one cleanup path serves all three (CI runners and Kubernetes send SIGTERM, a closed terminal
    SIGHUP). `.signal` holds the number of the signal that arrived (SIGINT for Ctrl-C) and
    `.exit_code` the conventional 128 + that number."""

    def __init__(self):
        import signal

        self.signal = signal.SIGINT
        self._previous = {}

    @property
    def exit_code(self) -> int:
        return 128 + int(self.signal)

    def _raise(self, signum, frame):
        self.signal = signum
        raise KeyboardInterrupt(f"signal {signum}")

    def __enter__(self):
        import signal

        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                try:
                    self._previous[name] = signal.signal(getattr(signal, name), self._raise)
                except ValueError:  # not the main thread (e.g. in-process test runners): leave them alone
                    pass
        return self

    def __exit__(self, *exc):
        import signal

        for name, handler in self._previous.items():
            signal.signal(getattr(signal, name), handler)
        return False
