"""Stopping an engine's child process together with everything it started.

A process group is not enough: Airflow's BashOperator and other task runners start their commands
in new sessions, so killing the child's group would leave those running. We walk the process
tree (psutil when installed, /proc otherwise) before killing, because once a parent dies its
children are re-parented and can no longer be found from it.
"""
from __future__ import annotations

import os
import signal


def descendants(pid: int) -> list[int]:
    try:
        import psutil

        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except ImportError:
        pass
    except Exception:  # the process is already gone
        return []
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                # the command name may hold spaces and parentheses: ppid is the 2nd field after the last ')'
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL a process, its process group and all its descendants."""
    for target in [*descendants(pid), pid]:
        try:
            os.kill(target, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    signal_group(pid, signal.SIGKILL)


def signal_group(pid: int, sig) -> None:
    """Send `sig` to the process group `pid` leads (gone or not ours: nothing to do)."""
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
