"""The result cache: what checking a page produced, keyed by its content, so an unchanged page is never parsed again.

A page's key is the SHA-256 of its path and bytes together with a *run key*:
everything else its result depends on, namely the rules' code and data files
(every file of the `linters` package, by size and modification time, and each
rule's `version`), the Python version, the registry files' bytes, the config
(the plugin options and the bytes of mkdocs.yml), the mode and the date (rules
compare review dates with today). Change any of these and every key changes,
so a stale result cannot be read back; nothing has to be deleted by hand.

The cached value of a page (`PageResult` in `linters.engine`) holds its
page-rule findings, its problems, suppressions, metrics, claim ids and each
cross-page rule's `collect()` summary: the cross-page rules run on those
without the page being parsed.

Storage is one SQLite file (`.linters-cache/results.sqlite`, git-ignored):
one row per page result, pickled. SQLite gives atomic writes and safe
concurrent use (a `mkdocs serve` and a command-line check at the same time).
The cache is a speed-up and never a reason to fail: a corrupt entry is read as
a miss, a corrupt or locked database is set aside or skipped. Rows not used
for `KEEP_DAYS` days are dropped. The folder belongs to the project and is
read only by this tool; like any pickle, do not load a cache folder from
someone you do not trust.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

FORMAT = 1  # bump when the cached value's shape changes
FILE_NAME = "results.sqlite"
KEEP_DAYS = 14
_BATCH = 500  # keys per SELECT (SQLite's limit on bound parameters is 999 in old builds)
PACKAGE = Path(__file__).resolve().parent


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))  # length-prefixed: ("ab", "c") != ("a", "bc")
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_key() -> str:
    """The rules' code and data: every file of the package, by path, size and modification time."""
    parts: list[str] = [str(FORMAT), sys.version]
    for folder, dirs, files in os.walk(PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            parts.append(f"{os.path.relpath(path, PACKAGE)}:{st.st_size}:{st.st_mtime_ns}")
    return digest(*parts)


def files_key(paths: Iterable[Path]) -> str:
    """The bytes of some files (a missing file counts as missing, not as an error)."""
    parts: list[bytes | str] = []
    for path in sorted(paths):
        parts.append(str(path))
        try:
            parts.append(path.read_bytes())
        except OSError:
            parts.append(b"\x00missing")
    return digest(*parts)


class ResultCache:
    """Pickled values by key in one SQLite file. Every failure is a miss, never an exception."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / FILE_NAME
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self.today = int(time.time() // 86400)

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or self._broken:
            return self._db
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, used INTEGER NOT NULL)")
            self._db = db
        except sqlite3.DatabaseError:
            self._set_aside()
        except OSError:
            self._broken = True  # a read-only checkout: run without a cache
        return self._db

    def _set_aside(self) -> None:
        """A database SQLite cannot read: move it out of the way once and start afresh."""
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None
        if self._broken:
            return
        self._broken = True
        try:
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
        except OSError:
            return
        self._broken = False
        try:
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, used INTEGER NOT NULL)")
            self._db = db
        except (sqlite3.Error, OSError):
            self._broken = True

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        """The entries found; a key whose value cannot be read is left out (a miss)."""
        db = self._connect()
        found: dict[str, Any] = {}
        if db is None or not keys:
            return found
        stale: list[str] = []
        try:
            for i in range(0, len(keys), _BATCH):
                batch = keys[i : i + _BATCH]
                rows = db.execute(f"SELECT key, value, used FROM entries WHERE key IN ({','.join('?' * len(batch))})", batch).fetchall()
                for key, blob, used in rows:
                    try:
                        found[key] = pickle.loads(blob)
                    except Exception:  # truncated, from another version, or tampered with: a miss
                        continue
                    if used != self.today:
                        stale.append(key)
        except sqlite3.DatabaseError:
            self._set_aside()
            return {}
        if stale:
            self._touch(stale)
        return found

    def get(self, key: str) -> Any | None:
        return self.get_many([key]).get(key)

    def put_many(self, items: dict[str, Any]) -> None:
        db = self._connect()
        if db is None or not items:
            return
        rows = []
        for key, value in items.items():
            try:
                rows.append((key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), self.today))
            except Exception:  # a rule returned something that cannot be pickled: not cached
                continue
        self._write(
            lambda db: (
                db.executemany("INSERT OR REPLACE INTO entries (key, value, used) VALUES (?, ?, ?)", rows),
                db.execute("DELETE FROM entries WHERE used < ?", (self.today - KEEP_DAYS,)),
            )
        )

    def put(self, key: str, value: Any) -> None:
        self.put_many({key: value})

    def _touch(self, keys: list[str]) -> None:
        self._write(lambda db: db.executemany("UPDATE entries SET used = ? WHERE key = ?", [(self.today, k) for k in keys]))

    def _write(self, change) -> None:
        """One transaction; a lock held by another run past the timeout means this run's results are not kept."""
        db = self._connect()
        if db is None:
            return
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                change(db)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError:
            pass
        except sqlite3.DatabaseError:
            self._set_aside()

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None


class MemoryCache:
    """Results kept in this process between runs (`mkdocs serve` rebuilds), in front of an optional disk cache.

    Only what the latest run asked for is kept, so a long `serve` session does not grow.
    """

    def __init__(self) -> None:
        self.entries: dict[str, Any] = {}
        self.backing: ResultCache | None = None
        self._asked: set[str] = set()

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        self._asked.update(keys)
        found = {k: self.entries[k] for k in keys if k in self.entries}
        missing = [k for k in keys if k not in found]
        if missing and self.backing is not None:
            more = self.backing.get_many(missing)
            self.entries.update(more)
            found.update(more)
        return found

    def get(self, key: str) -> Any | None:
        return self.get_many([key]).get(key)

    def put_many(self, items: dict[str, Any]) -> None:
        self._asked.update(items)
        self.entries.update(items)
        if self.backing is not None:
            self.backing.put_many(items)

    def put(self, key: str, value: Any) -> None:
        self.put_many({key: value})

    def close(self) -> None:
        """End of a run: forget what it did not use."""
        self.entries = {k: v for k, v in self.entries.items() if k in self._asked}
        self._asked = set()
        if self.backing is not None:
            self.backing.close()
