"""`python -m linters fix [PATH ...]`: make the safe plain-language swaps in place.

Only what the `plain-language` rule reports with a fix is changed (entries
marked `safe_fix: true` in linters/data/plain_language.yml), after the page's
suppressions: the check and the fix never disagree. Each change covers prose
characters only, located through the parser's map from each sentence
character to the source, so code, HTML comments, front matter, link targets
and claim tags cannot be touched; every other byte of the file (BOM, CRLF line
ends, trailing spaces) is kept. Files are replaced atomically.
"""

from __future__ import annotations

import difflib
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..engine import check_documents, open_project
from ..errors import UsageError
from ..pages import discover, relative
from ..parse.page import parse_page
from ..rules import all_rules

RULE_ID = "plain-language"


def register(sub) -> None:
    p = sub.add_parser("fix", help="replace hard words with plain ones where the swap is safe (plain-language)")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="Markdown files or folders (default: the site's docs folder)")
    p.add_argument("--dry-run", action="store_true", help="show the changes as a unified diff and write nothing")
    p.set_defaults(run=run)


@dataclass(frozen=True)
class Edit:
    start: int  # offsets in the decoded file, as read
    end: int
    text: str


class Refused(Exception):
    """This file cannot be fixed safely; the message says where and why."""


def _decode(rel: str, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise Refused(f"{rel}:1:1: a binary file, not Markdown text; not changed")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise Refused(f"{rel}:{line}:{column}: not UTF-8 text (byte 0x{data[exc.start]:02x}); not changed") from None


def _parsed_to_raw(raw: str) -> list[int] | None:
    """Map an offset in the parsed text (no BOM, newlines as \\n) to one in `raw`; None when they are the same."""
    bom = 1 if raw.startswith("\ufeff") else 0
    if not bom and "\r" not in raw:
        return None
    out: list[int] = []
    i = bom
    n = len(raw)
    while i < n:
        if raw[i] == "\r" and i + 1 < n and raw[i + 1] == "\n":
            i += 1  # "\r\n" is one "\n" in the parsed text: map it to the "\n"
        out.append(i)
        i += 1
    out.append(n)
    return out


def plan(rel: str, raw: str, project, rule) -> list[Edit]:
    """The edits `fix` would make to one page's text, checked against the text itself."""
    doc = parse_page(rel, raw)
    report = check_documents([doc], project, rules=[rule])
    mapping = _parsed_to_raw(raw)
    edits: list[Edit] = []
    last_end = -1
    fixes = sorted((f.data["fix"] for f in report.findings if f.rule == RULE_ID and "fix" in f.data), key=lambda x: x["start"])
    for fix in fixes:
        start, end = fix["start"], fix["end"]
        if start < last_end:
            continue  # overlapping swaps: keep the first; a second run picks up the rest
        if mapping is not None:
            start, end = mapping[start], mapping[end - 1] + 1
        if doc.source[fix["start"] : fix["end"]] != raw[start:end]:
            continue  # defensive: the span must be the same characters in the file
        edits.append(Edit(start, end, fix["text"]))
        last_end = fix["end"]
    return edits


def apply(raw: str, edits: list[Edit]) -> str:
    parts: list[str] = []
    pos = 0
    for e in edits:
        parts.append(raw[pos : e.start])
        parts.append(e.text)
        pos = e.end
    parts.append(raw[pos:])
    return "".join(parts)


def write_atomically(path: Path, data: bytes) -> None:
    target = path.resolve()
    mode = target.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _diff(rel: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{rel}", f"b/{rel}")
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def run(args) -> int:
    project = open_project(list(args.paths))
    rule = all_rules().get(RULE_ID)
    if rule is None:
        raise UsageError(f"the {RULE_ID} rule is missing (reinstall the package)")
    settings = project.config.rules.get(RULE_ID)
    if settings is not None and not settings.enabled:
        raise UsageError(f"mkdocs.yml: the {RULE_ID} rule is disabled, so there is nothing to fix")
    paths = list(args.paths) or [project.docs_dir]
    files = discover(paths, project.root, project.config.exclude)
    changed_files = changed_words = 0
    refused = 0
    for path in files:
        rel = relative(project.root, path)
        try:
            if path.is_symlink():
                try:
                    path.resolve(strict=True).relative_to(project.root.resolve())
                except (OSError, RuntimeError, ValueError):
                    raise Refused(f"{rel}:1:1: a link that leads outside the project or nowhere; not changed") from None
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise Refused(f"{rel}:1:1: cannot read it ({exc.strerror or exc}); not changed") from None
            raw = _decode(rel, data)
            edits = plan(rel, raw, project, rule)
        except Refused as exc:
            print(f"error: {exc}", file=sys.stderr)
            refused += 1
            continue
        if not edits:
            continue
        fixed = apply(raw, edits)
        changed_files += 1
        changed_words += len(edits)
        if args.dry_run:
            sys.stdout.write(_diff(rel, raw, fixed))
        else:
            write_atomically(path, fixed.encode("utf-8"))
    verb = "would replace" if args.dry_run else "replaced"
    print(f"{verb} {changed_words} word{'s' if changed_words != 1 else ''} in {changed_files} file{'s' if changed_files != 1 else ''}", file=sys.stderr)
    return 2 if refused else 0
