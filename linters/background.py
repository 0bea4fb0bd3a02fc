"""Work done by a forked child process while this one goes on: what it makes comes back in stages, in order.

`mkdocs build` renders pages on one core. The plugin's check needs none of that
rendering (in a publish build the pages show no findings), so it runs in a
child on another core, and MkDocs waits only where it needs a result: the
registry page, and the findings at the end of the build.

The child sends each stage as soon as it is made, from a thread of its own, so
it never waits for this process to read; this process stays single-threaded.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import sys
import threading
import traceback
from typing import Any, Callable, Iterator

from .errors import UsageError


class BackgroundError(Exception):
    """The child stopped with an error (`usage`: one a user can fix, said in one line) or without its results."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def can_fork() -> bool:
    """Whether a child can be forked safely: on Linux (macOS's system libraries are not fork-safe; Windows
    cannot fork), and from a process of one thread (a fork copies only the calling thread, and any lock another holds)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


class Background:
    """`work()`'s items, made in a forked child: `next()` waits for the next one."""

    def __init__(self, work: Callable[[], Iterator[Any]]) -> None:
        context = multiprocessing.get_context("fork")
        self._receiving, sending = context.Pipe(duplex=False)
        # a daemon: it never outlives this process, and is stopped if the build fails
        self._process = context.Process(target=_run, args=(work, sending), daemon=True, name="medical-claims check")
        self._process.start()
        sending.close()  # the child holds the only sending end: its exit ends the pipe

    def next(self) -> Any:
        try:
            kind, value = pickle.loads(self._receiving.recv_bytes())
        except EOFError:
            self._process.join()
            raise BackgroundError(f"the check process stopped without its results (exit code {self._process.exitcode})") from None
        if kind == "usage":
            raise BackgroundError(value, usage=True)
        if kind == "error":
            raise BackgroundError(value)
        return value

    def close(self) -> None:
        """Stop the child if it still runs, and wait for it."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receiving.close()


def _run(work: Callable[[], Iterator[Any]], sending) -> None:
    """In the child: each item pickled here and sent by a thread, so the next one is being made while it goes."""
    outbox: queue.SimpleQueue = queue.SimpleQueue()

    def send() -> None:
        while (blob := outbox.get()) is not None:
            sending.send_bytes(blob)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        for item in work():
            outbox.put(pickle.dumps(("result", item), protocol=pickle.HIGHEST_PROTOCOL))
    except UsageError as exc:
        outbox.put(pickle.dumps(("usage", str(exc))))
    except BaseException:  # a bug: its traceback goes to the parent, which shows it
        outbox.put(pickle.dumps(("error", traceback.format_exc())))
    outbox.put(None)
    sender.join()
    sending.close()
