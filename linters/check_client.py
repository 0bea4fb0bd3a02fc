"""`python -m linters check` through a running check server (`python -m linters server`), when there is one.

A check process spends most of a one-page edit's time starting: the interpreter, importing
the engine and its libraries, reading the registry, compiling the rules' patterns, reading
every cached result back. The check server (`linters.check_server`) has all of that in memory;
this client hands it the command line, the working folder and the environment, and writes
what the server's run wrote, byte for byte, with its exit code.

This module imports only the standard library's fast modules: it runs before the engine is
imported, and when no server is running it costs a `stat` and a failed `connect`. Anything
unexpected (no server, another version of the code, a server that stopped mid-way) gives
`None`, and the command runs in this process as it always did.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import struct
import sys

from .project_root import find_root

NO_SERVER_ENV = "LINTERS_NO_SERVER"
HEADER = struct.Struct("!Q")  # each message: its length, then JSON (requests) or a JSON header and the output bytes (answers)
PROTOCOL = 1


def package_dir() -> str:
    return os.path.dirname(os.path.abspath(__file__))


def socket_path(root: str) -> str:
    """Where the server for the project at `root` listens: short (a Unix socket's path has ~100 bytes),
    private to this user, and one per project root, Python and copy of this package."""
    base = os.environ.get("XDG_RUNTIME_DIR") or "/tmp"
    who = hashlib.sha256("\0".join((os.path.realpath(root), sys.executable, package_dir())).encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return os.path.join(base, f"linters-{os.getuid()}-{who}.sock")


def is_ours(path: str) -> bool:
    """Whether `path` is a socket of this user's. The request carries the environment, tokens and all:
    it goes nowhere another user could have put a socket of their own (/tmp is shared)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISSOCK(st.st_mode) and st.st_uid == os.getuid()


def send(sock: socket.socket, data: bytes) -> None:
    sock.sendall(HEADER.pack(len(data)) + data)


def receive(sock: socket.socket) -> bytes | None:
    """One message, or None when the other end closed before it was whole."""
    head = _exactly(sock, HEADER.size)
    return None if head is None else _exactly(sock, HEADER.unpack(head)[0])


def _exactly(sock: socket.socket, n: int) -> bytes | None:
    chunks, left = [], n
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def request(argv: list[str]) -> dict:
    """What the server needs to run `python -m linters ARGV` as this process would."""
    return {
        "protocol": PROTOCOL,
        "argv": argv,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "stdout": {"tty": _isatty(sys.stdout), "encoding": getattr(sys.stdout, "encoding", None) or "utf-8", "errors": getattr(sys.stdout, "errors", None) or "strict"},
        "stderr": {"tty": _isatty(sys.stderr), "encoding": getattr(sys.stderr, "encoding", None) or "utf-8", "errors": getattr(sys.stderr, "errors", None) or "backslashreplace"},
    }


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def try_server(argv: list[str]) -> int | None:
    """Run `check` on the project's check server: its exit code, or None to run it here."""
    if not argv or argv[0] != "check" or os.environ.get(NO_SERVER_ENV) or not hasattr(socket, "AF_UNIX"):
        return None
    try:
        root = find_root(os.getcwd())
        if root is None:
            return None
        path = socket_path(root)
        if not is_ours(path):
            return None
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(path)
            send(sock, json.dumps(request(argv)).encode("utf-8", "surrogateescape"))
            head = receive(sock)
            if head is None:
                return None
            answer = json.loads(head)
            if answer.get("run") is not True:  # another version of the code, or a server on its way out
                return None
            out, err = receive(sock), receive(sock)
            if out is None or err is None:
                return None
    except (OSError, ValueError):
        return None
    _write(sys.stdout, out)
    _write(sys.stderr, err)
    return int(answer["exit"])


def _write(stream, data: bytes) -> None:
    if not data:
        return
    stream.flush()
    try:
        stream.buffer.write(data)
        stream.buffer.flush()
    except BrokenPipeError:  # `check | head`: as the command itself, stop quietly
        pass


def main() -> int:
    """`python -m linters` and the `medical-linters` script: through the check server when it runs `check`, else here."""
    code = try_server(sys.argv[1:])
    if code is None:
        from .cli import main as run_here

        code = run_here()
    return code
