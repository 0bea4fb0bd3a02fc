"""`python -m linters server`: keep a check process running, so each `check` after an edit answers at once.

While it runs, `python -m linters check ...` in this project hands its command line to the
server (`linters.check_client`) and prints what the server's run printed, with its exit code:
the same report as a check in a new process, without that process's start-up. Set
`LINTERS_NO_SERVER=1` to check in a new process anyway.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import UsageError


def register(sub) -> None:
    p = sub.add_parser("server", help="run a resident check process that `check` uses (fast re-checks while writing)")
    p.add_argument("--idle", type=_minutes, default=None, metavar="MINUTES", help="stop after this many minutes without a check (default 60)")
    p.add_argument("--stop", action="store_true", help="stop this project's running server")
    p.add_argument("--status", action="store_true", help="say whether this project's server is running")
    p.set_defaults(run=run)


def _minutes(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        n = 0
    if not n > 0:
        raise UsageError(f"--idle {value!r}: give a number of minutes above 0")
    return n


def run(args) -> int:
    import socket

    from .. import check_server
    from ..project_root import find_root

    if not hasattr(socket, "AF_UNIX"):
        raise UsageError("server: this system has no Unix sockets; run `check` on its own")
    root = Path(find_root(str(Path.cwd())) or Path.cwd())
    if args.stop or args.status:
        answer = check_server.ask(root, "stop" if args.stop else "status")
        if answer is None:
            print(f"no check server is running for {root}", file=sys.stderr)
            return 1
        if args.stop:
            print(f"check server for {root} stopped", file=sys.stderr)
        else:
            print(f"check server for {answer['root']} running (pid {answer['pid']}, {answer['runs']} checks so far)", file=sys.stderr)
        return 0
    server = check_server.CheckServer(root, args.idle or check_server.IDLE_MINUTES)
    try:
        why = check_server.run_until_stopped(server)
    except OSError as exc:
        raise UsageError(f"server: {exc.strerror or exc}") from None
    print(f"check server stopped: {why}", file=sys.stderr)
    return 0
