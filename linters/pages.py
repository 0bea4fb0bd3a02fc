"""Finding the pages to check and reading them: every file problem becomes a finding, never a crash."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

from .errors import UsageError
from .model import Document, Finding
from .parse.page import parse_page

MARKDOWN_SUFFIXES = (".md", ".markdown")
SKIP_DIRS = {"site", "node_modules", "__pycache__"}


def relative(root: Path, path: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def discover(paths: list[Path], root: Path, exclude: list[str] = ()) -> list[Path]:
    """Markdown files under `paths`, sorted, without following directory links."""
    found: list[Path] = []
    for path in paths:
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{path}: no such file or folder")
        if path.is_dir():
            for folder, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
                for name in sorted(files):
                    if name.lower().endswith(MARKDOWN_SUFFIXES):
                        found.append(Path(folder) / name)
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


def _bad(rel: str, message: str, line: int = 1, column: int = 1) -> Document:
    doc = Document(path=rel, source="")
    doc.problems.append(Finding(rule="invalid-page", severity="error", path=rel, line=line, column=column, message=message))
    return doc


def read_page(path: Path, root: Path) -> Document:
    rel = relative(root, path)
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return _bad(rel, "This link points to itself, loops, or leads nowhere; the page was not checked.")
        try:
            target.relative_to(root.resolve())
        except ValueError:
            return _bad(rel, f"This link leads outside the project (to {target}); the page was not checked.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _bad(rel, f"Cannot read this file: {exc.strerror or exc}.")
    return parse_bytes(rel, data)


def parse_bytes(rel: str, data: bytes) -> Document:
    if b"\x00" in data[:8192]:
        return _bad(rel, "This is a binary file, not Markdown text; the page was not checked.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return _bad(rel, f"This file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded). Save it as UTF-8; the page was not checked.", line, column)
    return parse_page(rel, text)
