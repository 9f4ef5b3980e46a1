"""Start lightweight components from a warm Python instead of a fresh one (used by _kfp_child).

A compiled lightweight component runs `sh -ec 'program_path=$(mktemp -d); printf "%s" "$0" >
"$program_path/ephemeral_component.py"; _KFP_RUNTIME=true python3 -m kfp.dsl.executor_main ...'`.
Most of its cost on kfp.local is the fresh interpreter: Python's start-up and importing kfp's
executor (about 60 ms of CPU per task), paid again for every task. A fork server pays it once per
run: it imports kfp.dsl.executor_main with _KFP_RUNTIME=true, then forks one child per task, which
writes the component's source to its own temporary folder and runs kfp's executor exactly as that
command does, with the task's environment, working folder and arguments. Each task is still a
process of its own (a fork: nothing leaks from one task into another), and random generators are
reseeded in it as a fresh interpreter would be.

Usage (internal): python -m kfmigrate.compare.engines._fork_server FD  (FD: a SOCK_SEQPACKET Unix socket)
Requests: JSON {"argv", "env", "cwd", "source"} with the write end of an output pipe as an
attached fd; reply: JSON {"code": exit code}. One request at a time per server.
"""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading

MAX_MESSAGE = 4 * 1024 * 1024


# ---------------------------------------------------------------- the server

def serve(fd: int) -> int:
    import kfp.dsl.executor_main  # noqa: F401  (the warm part: every task needs it)

    channel = socket.socket(fileno=fd)
    while True:
        try:
            data, fds, _flags, _address = socket.recv_fds(channel, MAX_MESSAGE, 1)
        except OSError:
            return 0
        if not data:
            return 0  # the run is over
        request = json.loads(data)
        pid = os.fork()
        if pid == 0:
            _run_task(request, fds[0])  # never returns
        for extra in fds:
            os.close(extra)
        _, status = os.waitpid(pid, 0)
        channel.send(json.dumps({"code": os.waitstatus_to_exitcode(status)}).encode())


def _run_task(request: dict, output_fd: int) -> None:
    """In the forked child: what the component's shell command does, then exit."""
    code = 1
    try:
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.close(output_fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # PYTHONPATH entries (component packages installed apart) go first, as in a new interpreter
        extra = [p for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p and p not in sys.path]
        sys.path[1:1] = extra
        import random
        import tempfile

        random.seed()  # a fresh interpreter seeds from the OS; a fork would share the server's state
        tempfile.tempdir = None  # re-read TMPDIR from the task's environment
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "ephemeral_component.py")
        with open(path, "w") as handle:
            handle.write(request["source"])
        sys.argv = ["executor_main", "--component_module_path", path, *request["argv"]]
        import runpy

        try:
            runpy.run_module("kfp.dsl.executor_main", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # the task's failure, reported like the interpreter would
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


# ---------------------------------------------------------------- the client (in _kfp_child)

_LAUNCHER = re.compile(r"^\s*_KFP_RUNTIME=true (\S+) -m kfp\.dsl\.executor_main\s+--component_module_path\s+"
                       r'"\$program_path/ephemeral_component\.py"\s+"\$@"\s*$', re.M)


def launch_of(full_command: list) -> tuple | None:
    """(source, argv) when the command is KFP's lightweight-component launcher run by this Python."""
    if len(full_command) < 4 or full_command[:2] != ["sh", "-ec"]:
        return None
    script = full_command[2]
    found = _LAUNCHER.search(script)
    lines = [line.strip() for line in script.strip().splitlines() if line.strip()]
    expected_start = ["program_path=$(mktemp -d)", 'printf "%s" "$0" > "$program_path/ephemeral_component.py"']
    if not found or lines[:2] != expected_start or len(lines) != 3:
        return None
    if os.path.realpath(found.group(1)) != os.path.realpath(sys.executable):
        return None
    return full_command[3], list(full_command[4:])


class ForkPool:
    """Fork servers for one run; a thread takes an idle one or starts a new one."""

    def __init__(self):
        self.lock = threading.Lock()
        self.idle: list = []
        self.all: list = []
        self.broken = False

    def _start(self):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(os.environ, _KFP_RUNTIME="true")
        proc = subprocess.Popen([sys.executable, "-m", "kfmigrate.compare.engines._fork_server", str(child.fileno())],
                                pass_fds=[child.fileno()], env=env, stdin=subprocess.DEVNULL)
        child.close()
        server = (proc, parent)
        self.all.append(server)
        return server

    def run(self, source: str, argv: list, env: dict, cwd: str, on_line) -> int | None:
        """Run one task; its output lines go to on_line. None when no server could start it."""
        with self.lock:
            if self.broken:
                return None
            server = self.idle.pop() if self.idle else None
            if server is None:
                try:
                    server = self._start()
                except OSError:
                    self.broken = True
                    return None
        proc, channel = server
        read_end, write_end = os.pipe()
        try:
            request = json.dumps({"source": source, "argv": argv, "env": env, "cwd": cwd}).encode()
            socket.send_fds(channel, [request], [write_end])
        except OSError:
            os.close(read_end)
            with self.lock:
                self.broken = True
            return None
        finally:
            os.close(write_end)
        with os.fdopen(read_end, "r", errors="replace") as output:
            for line in output:
                on_line(line)
        reply = channel.recv(MAX_MESSAGE)
        if not reply:  # the server died under the task (a timeout kill): the task failed
            with self.lock:
                self.broken = True
            on_line("kfmigrate: the process running this task ended unexpectedly\n")
            return 1
        with self.lock:
            self.idle.append(server)
        return json.loads(reply)["code"]

    def close(self) -> None:
        for proc, channel in self.all:
            channel.close()  # the server sees the end of its requests and exits
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1])))
