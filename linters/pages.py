"""Finding the pages to check and reading them: every file problem becomes a finding, never a crash."""

from __future__ import annotations

import fnmatch
import os
import stat
import time
from pathlib import Path

from .errors import UsageError
from .model import Document, Finding

MARKDOWN_SUFFIXES = (".md", ".markdown")
SKIP_DIRS = {"site", "node_modules", "__pycache__"}
# A patient page is a few kilobytes; a book is about one megabyte. Anything bigger is not a page.
MAX_PAGE_BYTES = 2_000_000


def relative(root: Path, path: Path) -> str:
    """`path` relative to `root`, in POSIX form; as it is when it is not under `root`."""
    quick = _quick_relative(os.fspath(root), os.fspath(path))
    if quick is not None:
        return quick
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def _quick_relative(root: str, path: str) -> str | None:
    """What `relative` gives, by string slicing, for the common case of two plain absolute POSIX paths.

    pathlib takes ~10 µs per path, which a site of 10,000 pages pays on every run. Paths
    pathlib would normalise (`//`, `/./`, a trailing `/.`) or that are not under `root`
    get None, and the pathlib route.
    """
    if os.sep != "/" or not (root.startswith("/") and path.startswith("/")):
        return None
    if any(odd in text for text in (root, path) for odd in ("//", "/./")) or root.endswith("/.") or path.endswith("/."):
        return None
    base = root.rstrip("/") + "/"
    if not path.startswith(base) or path == base:
        return None
    rest = path[len(base) :].rstrip("/")
    return rest or None


def discover(paths: list[Path], root: Path, exclude: list[str] = ()) -> list[Path]:
    """Markdown files under `paths`, sorted.

    Folder links inside the project are followed once (MkDocs publishes the pages behind
    them, so they must be checked); a folder link that leaves the project, or a folder that
    cannot be listed, is returned as a path of its own so `read_page` reports it.
    """
    found: list[Path] = []
    for path in paths:
        try:
            is_dir = stat.S_ISDIR(os.stat(path).st_mode)  # one system call: a site lists thousands of pages
        except (OSError, ValueError):
            if not path.is_symlink():
                raise UsageError(f"{path}: no such file or folder") from None
            is_dir = False
        if is_dir:
            _walk(path, root.resolve(), found, set())
        else:
            found.append(path)
    seen: set[str] = set()
    out = []
    for p in found:
        rel = relative(root, p)
        if rel in seen or any(fnmatch.fnmatch(rel, pat) for pat in exclude):
            continue
        seen.add(rel)
        out.append(p)
    return out


def _walk(top: Path, real_root: Path, found: list[Path], followed: set[Path]) -> None:
    def unreadable(exc: OSError) -> None:
        found.append(Path(exc.filename))

    for folder, dirs, files in os.walk(top, followlinks=False, onerror=unreadable):
        keep = []
        for name in sorted(dirs):
            if name.startswith(".") or name in SKIP_DIRS:
                continue
            sub = Path(folder) / name
            if not sub.is_symlink():
                keep.append(name)
                continue
            real = sub.resolve()
            if real != real_root and real_root not in real.parents:
                found.append(sub)  # reported: leaves the project
            elif real not in followed and real not in Path(folder).resolve().parents and real != Path(folder).resolve():
                followed.add(real)  # once each, and never an ancestor: a link loop cannot recurse
                _walk(sub, real_root, found, followed)
        dirs[:] = keep
        for name in sorted(files):
            if name.lower().endswith(MARKDOWN_SUFFIXES):
                found.append(Path(folder) / name)


def _bad(rel: str, message: str, line: int = 1, column: int = 1) -> Document:
    doc = Document(path=rel, source="")
    doc.problems.append(Finding(rule="invalid-page", severity="error", path=rel, line=line, column=column, message=message))
    return doc


def read_page(path: Path, root: Path) -> Document:
    rel, data = read_source(path, root)
    return data if isinstance(data, Document) else parse_bytes(rel, data)


# A file changed less than this long before it was read may change again with the same size and time
# stamp on a file system with coarse times: its bytes are not kept (git's "racily clean" entries).
RACY_NS = 2_000_000_000


def read_source(path: Path, root: Path, rel: str | None = None, kept: dict[str, tuple] | None = None) -> tuple[str, bytes | Document]:
    """(relative path, the file's bytes), or a Document holding the `invalid-page` finding when it cannot be read.

    `rel`: `relative(root, path)`, when the caller has it already. `kept`: a process that
    reads the pages again and again (`mkdocs serve`, the check server) keeps their bytes there,
    with the file's status when read; a file whose status is the same is not read again.
    """
    rel = relative(root, path) if rel is None else rel
    try:
        info = os.lstat(path)
    except OSError:
        info = None
    # a regular file, not a link, not too big (the common case) needs no other check: one system call before the read
    if info is None or not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PAGE_BYTES:
        unreadable = _why_unreadable(path, root, rel)
        if unreadable is not None:
            return rel, unreadable
    status = None
    if kept is not None and info is not None and stat.S_ISREG(info.st_mode):
        status = (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_dev)
        last = kept.get(rel)
        if last is not None and last[0] == status:
            return rel, last[1]
    try:
        with open(path, "rb", buffering=0) as f:
            data = f.readall()
    except OSError as exc:
        return rel, _bad(rel, f"Cannot read this file: {exc.strerror or exc}.")
    if status is not None:
        if time.time_ns() - max(info.st_mtime_ns, info.st_ctime_ns) > RACY_NS:
            kept[rel] = (status, data)
        else:
            kept.pop(rel, None)
    return rel, data


def _why_unreadable(path: Path, root: Path, rel: str) -> Document | None:
    """The `invalid-page` finding for a path that is not a page to read, or None (a link to a page inside the project)."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return _bad(rel, "This link points to itself, loops, or leads nowhere; the page was not checked.")
        try:
            target.relative_to(root.resolve())
        except ValueError:
            what = "the pages in this folder were" if target.is_dir() else "the page was"
            return _bad(rel, f"This link leads outside the project (to {target}); {what} not checked.")
    try:
        info = path.stat()
    except OSError as exc:
        return _bad(rel, f"Cannot read this file: {exc.strerror or exc}.")
    if stat.S_ISDIR(info.st_mode):  # only a folder that os.walk could not list gets here
        try:
            os.scandir(path).close()
            why = "it changed while it was read"
        except OSError as exc:
            why = exc.strerror or str(exc)
        return _bad(rel, f"Cannot read this folder: {why}; the pages in it were not checked.")
    if not stat.S_ISREG(info.st_mode):  # reading a named pipe would wait forever
        return _bad(rel, "This is not a regular file (a pipe, socket or device); the page was not checked.")
    if info.st_size > MAX_PAGE_BYTES:
        return _bad(rel, f"This file is {info.st_size / 1e6:.1f} MB; pages over {MAX_PAGE_BYTES / 1e6:g} MB are not checked. Split it into smaller pages.")
    return None


def parse_bytes(rel: str, data: bytes) -> Document:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _bad(rel, "This file is UTF-16 text. Save it as UTF-8; the page was not checked.")
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _position(data, nul)
        return _bad(rel, "This is a binary file, not Markdown text; the page was not checked.", line, column)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        return _bad(rel, f"This file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded). Save it as UTF-8; the page was not checked.", line, column)
    from .parse.page import parse_page  # here: a run whose pages all come from the cache never loads the Markdown parser

    return parse_page(rel, text)


def _position(data: bytes, index: int) -> tuple[int, int]:
    """1-based line and character column of a byte; the bytes before it on its line are valid UTF-8."""
    start = data.rfind(b"\n", 0, index) + 1
    before = data[start:index]
    if data.startswith(b"\xef\xbb\xbf") and start == 0:
        before = before[3:]  # the BOM is not a column
    return data.count(b"\n", 0, index) + 1, len(before.decode("utf-8", "replace")) + 1
