"""The check server: one resident process that runs `python -m linters check` for a project's clients.

A check after a one-page edit does little new work: one page to parse and check, the
cross-page rules reused. A new process still starts the interpreter, imports the engine,
reads the registry and every cached result back, and compiles the patterns the page needs:
most of its half second. The server keeps all of that in memory between runs (as
`mkdocs serve` does for its rebuilds); `linters.check_client` sends it each `check` command
line with its working folder and environment.

Each run is the command's own code (`linters.cli.main`) in this process, with the client's
arguments, folder, environment (`os.environ`, and the time zone read again), and standard
output and error captured as bytes in the client's encodings (a terminal stays a terminal,
for colour), so the client prints exactly what the command would have printed. Runs are one
at a time. Results are kept in a `MemoryCache` in front of the disk cache; only what the
latest run used stays in memory, and entries are keyed as on disk (page bytes, registry,
config, rules and library versions), so a change anywhere is seen as in a new process.

The server stops when asked (`server --stop`), after `--idle` minutes without a run, or when
its own code or libraries changed on disk (it says so to the next client, which then runs
the check itself): a server never answers with code older than what a new process would run.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import sys
import time
import traceback
from pathlib import Path

from . import check_client as client
from .cache import MemoryCache, code_key, libraries_key

IDLE_MINUTES = 60


class _Stream(io.TextIOWrapper):
    """A captured standard stream that reports the client's `isatty()`."""

    def __init__(self, tty: bool, encoding: str, errors: str):
        super().__init__(io.BytesIO(), encoding=encoding, errors=errors, write_through=True)
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty

    def value(self) -> bytes:
        self.flush()
        return self.buffer.getvalue()


def code_stamp() -> tuple[str, str]:
    """This package's files and the libraries the rules use, read from disk now (not the cached keys)."""
    return code_key.__wrapped__(), libraries_key.__wrapped__()


class CheckServer:
    def __init__(self, root: Path, idle_minutes: float = IDLE_MINUTES):
        self.root = root
        self.path = client.socket_path(str(root))
        self.idle = idle_minutes * 60
        self.stamp = code_stamp()
        self.memory = MemoryCache()
        self.runs = 0

    def serve(self, ready=None) -> str:
        """Answer clients until stopped; why it stopped."""
        if _answers(self.path):
            raise OSError(f"a check server for {self.root} is already running ({self.path})")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)  # left by a server that did not stop cleanly
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)  # the socket is this user's only
        try:
            listener.bind(self.path)
        finally:
            os.umask(old_umask)
        listener.listen(16)
        listener.settimeout(min(self.idle, 60.0))
        last = time.monotonic()
        try:
            if ready is not None:
                ready(self.path)
            while True:
                try:
                    conn, _ = listener.accept()
                except socket.timeout:
                    if time.monotonic() - last >= self.idle:
                        return f"idle for {self.idle / 60:g} minutes"
                    continue
                with conn:
                    conn.settimeout(None)
                    why = self._answer(conn)
                last = time.monotonic()
                if why:
                    return why
        finally:
            listener.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)

    def _answer(self, conn: socket.socket) -> str | None:
        """One client's request; a reason to stop, if the server must."""
        try:
            raw = client.receive(conn)
            if raw is None:
                return None
            req = json.loads(raw)
            if req.get("stop"):
                client.send(conn, json.dumps({"stopped": True}).encode())
                return "asked to stop"
            if req.get("status"):
                client.send(conn, json.dumps({"root": str(self.root), "pid": os.getpid(), "runs": self.runs}).encode())
                return None
            if req.get("protocol") != client.PROTOCOL:
                client.send(conn, json.dumps({"run": False, "why": "another protocol"}).encode())
                return None
            if code_stamp() != self.stamp:
                client.send(conn, json.dumps({"run": False, "why": "the code changed"}).encode())
                return "its code or libraries changed on disk"
            code, out, err = self.run(req)
            self.runs += 1
            client.send(conn, json.dumps({"run": True, "exit": code}).encode())
            client.send(conn, out)
            client.send(conn, err)
        except (OSError, ValueError):  # the client went away, or sent something else
            pass
        return None

    def run(self, req: dict) -> tuple[int, bytes, bytes]:
        """`python -m linters ARGV` as the client would have run it: (exit code, stdout, stderr)."""
        from .cli import main
        from .commands import check

        out = _Stream(**req["stdout"])
        err = _Stream(**req["stderr"])
        saved_env, saved_cwd = dict(os.environ), os.getcwd()
        saved_streams = sys.stdout, sys.stderr
        try:
            os.environ.clear()
            os.environ.update(req["env"])
            _tzset()  # "today" is the client's
            os.chdir(req["cwd"])
            sys.stdout, sys.stderr = out, err
            check.memory = self.memory
            try:
                code = main(req["argv"])
            except SystemExit as exc:  # `check --help`: argparse prints and exits
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
                if exc.code is not None and not isinstance(exc.code, int):
                    print(exc.code, file=err)
            except KeyboardInterrupt:  # Ctrl-C on the server's terminal stops the server
                raise
            except BaseException:  # what `python -m linters` prints when LINTERS_DEBUG lets a bug through
                traceback.print_exc(file=err)
                code = 1
        finally:
            check.memory = None
            sys.stdout, sys.stderr = saved_streams
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)
            _tzset()
        return code, out.value(), err.value()


def _tzset() -> None:
    if hasattr(time, "tzset"):
        time.tzset()


def _answers(path: str) -> bool:
    """Whether a server listens at `path`."""
    return _ask(path, "status") is not None


def ask(root: Path, what: str) -> dict | None:
    """Send `{what: true}` to the project's server: its answer, or None when none is running."""
    path = client.socket_path(str(root))
    return _ask(path, what) if client.is_ours(path) else None


def _ask(path: str, what: str) -> dict | None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        try:
            sock.connect(path)
            client.send(sock, json.dumps({what: True}).encode())
            answer = client.receive(sock)
            return None if answer is None else json.loads(answer)
        except (OSError, ValueError):  # nothing there, or something that is not a check server
            return None


def run_until_stopped(server: CheckServer) -> str:
    """`serve()` with SIGTERM and Ctrl-C stopping it cleanly (the socket removed)."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return server.serve(ready=lambda path: print(f"check server for {server.root} listening ({path}); stop it with: python -m linters server --stop", file=sys.stderr, flush=True))
    except KeyboardInterrupt:
        return "interrupted"
    finally:
        signal.signal(signal.SIGTERM, previous)
