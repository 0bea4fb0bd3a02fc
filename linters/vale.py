"""Vale, the prose linter, as a subprocess: find the binary, build the view of a page it reads, run it once.

Vale treats indented text as code, so MkDocs admonition and tab bodies (`!!!`,
`???`, `===` with a 4-space-indented body) would never be linted. Vale reads a
*view* of each page instead: same lines, with those bodies dedented, the block
titles and front-matter `title`/`description` turned into headings, the rest
of the front matter and the claim tags blanked. Each view line keeps its line
number and records how far it moved, so an alert maps back to the source.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

from .errors import UsageError
from .model import Document

VALE_ENV = "VALE_BIN"
LOCAL_BIN = ".tools/bin/vale"  # where scripts/install-vale.sh builds it
INSTALL_HINT = "run scripts/install-vale.sh or set VALE_BIN"
TIMEOUT_SECONDS = 600
TAB_WIDTH = 4
BODY_INDENT = 4  # an admonition or tab body is indented this much past its marker
FRONT_MATTER_PROSE = ("title", "description")  # readers see these, so Vale reads them

_BLOCK_TITLE = re.compile(r"""\s*(?:!!!|\?\?\?\+?|===\+?)[^"']*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""")


@dataclass(frozen=True)
class Binary:
    """Where Vale is, or why it is not usable (path is None)."""

    path: str | None
    problem: str = ""


def find_vale(root: Path, env: Mapping[str, str] | None = None) -> Binary:
    """`VALE_BIN`, then `vale` on PATH, then `<root>/.tools/bin/vale` (the same order as scripts/install-vale.sh)."""
    env = os.environ if env is None else env
    explicit = env.get(VALE_ENV, "").strip()
    if explicit:
        # A wrong VALE_BIN is reported, not silently replaced by another Vale.
        if os.path.isfile(explicit) and os.access(explicit, os.X_OK):
            return Binary(explicit)
        return Binary(None, f"{VALE_ENV}={explicit} is not an executable file")
    on_path = shutil.which("vale", path=env.get("PATH", ""))
    if on_path:
        return Binary(on_path)
    local = root / LOCAL_BIN
    if local.is_file() and os.access(local, os.X_OK):
        return Binary(str(local))
    return Binary(None, "Vale not found")


@dataclass
class PageView:
    """The text Vale reads for one page, and how to map its columns back.

    On line n, source column = view column + shifts.get(n, 0).
    """

    text: str
    shifts: dict[int, int] = field(default_factory=dict)

    def source_column(self, line: int, column: int) -> int:
        return max(1, column + self.shifts.get(line, 0))


def _indent_width(line: str) -> int:
    width = 0
    for ch in line:
        if ch == " ":
            width += 1
        elif ch == "\t":
            width += TAB_WIDTH - width % TAB_WIDTH
        else:
            break
    return width


def _dedent(line: str, width: int) -> tuple[str, int]:
    """Remove up to `width` columns of leading whitespace; return (rest, characters removed)."""
    removed = used = 0
    for ch in line:
        if used >= width or ch not in " \t":
            break
        used += 1 if ch == " " else TAB_WIDTH - used % TAB_WIDTH
        removed += 1
    return line[removed:], removed


def _as_heading(text: str, source_col0: int) -> tuple[str, int]:
    """A view line `# text` whose text starts at 0-based source column `source_col0`."""
    return "# " + text, source_col0 - 2


def build_view(doc: Document) -> PageView:
    """The page as Vale should read it (see the module docstring)."""
    source = doc.source
    chars = list(source)
    for tag in doc.tags:
        # The ids are not prose ("[[claim:breakthrough-study]]" is not hype).
        if source.startswith(tag.raw, tag.offset):
            chars[tag.offset : tag.offset + len(tag.raw)] = " " * len(tag.raw)
    lines = "".join(chars).split("\n")
    dedent = [0] * len(lines)
    replaced: dict[int, tuple[str, int]] = {}  # 0-based line -> (view line, shift)

    from .parse.page import markdown_parser  # only when Vale runs

    for token in markdown_parser().parse(source, {}):
        if not token.map:
            continue
        first, end = token.map
        if token.type == "front_matter":
            for i in range(first, min(end, len(lines))):
                replaced[i] = ("", 0)
                for key in FRONT_MATTER_PROSE:
                    col = _front_matter_value(lines[i], key, doc.front_matter.get(key))
                    if col is not None:
                        replaced[i] = _as_heading(doc.front_matter[key], col)
        elif token.type == "admonition_open" and first < len(lines):
            marker = lines[first]
            body = _indent_width(marker) + BODY_INDENT
            for i in range(first + 1, min(end, len(lines))):
                dedent[i] = max(dedent[i], body)
            title = _block_title(marker)
            replaced[first] = _as_heading(*title) if title else ("", 0)

    out: list[str] = []
    shifts: dict[int, int] = {}
    for i, line in enumerate(lines):
        if i in replaced:
            line, shift = replaced[i]
        elif dedent[i]:
            line, shift = _dedent(line, dedent[i])
        else:
            shift = 0
        out.append(line)
        if shift:
            shifts[i + 1] = shift
    return PageView("\n".join(out), shifts)


def _block_title(marker: str) -> tuple[str, int] | None:
    """(title, 0-based column) of `!!! note "Title"` or `=== "Tab"`; None when the block shows no title of ours."""
    m = _BLOCK_TITLE.match(marker)
    if m is None:
        return None
    group = "dq" if m["dq"] is not None else "sq"
    return (m[group], m.start(group)) if m[group].strip() else None


def _front_matter_value(line: str, key: str, value: Any) -> int | None:
    """0-based column where `key`'s value starts on this line, when the line is `key: value` and holds it verbatim.

    Folded, escaped or multi-line values are left out rather than mapped wrongly.
    """
    if not isinstance(value, str) or not value.strip() or not line.startswith(key + ":"):
        return None
    col = len(key) + 1
    while col < len(line) and line[col] == " ":
        col += 1
    raw = line[col:].rstrip()
    if len(raw) >= 2 and raw[0] in "\"'" and raw[-1] == raw[0]:
        raw, col = raw[1:-1], col + 1
    return col if raw == value else None


@dataclass(frozen=True)
class Alert:
    """One Vale alert, in view coordinates."""

    check: str  # Style.Rule
    severity: str  # error | warning | suggestion
    line: int
    start: int  # 1-based columns, inclusive, as Vale reports them
    end: int
    message: str
    match: str
    link: str = ""


def run_vale(binary: str, config: Path, views: dict[str, str], root: Path) -> dict[str, list[Alert]]:
    """Run ONE Vale process over every view; alerts by page path.

    The views are written to a temporary folder under their project-relative
    paths, so `.vale.ini` sections such as `[docs/legal/*.md]` still match.
    Raises UsageError (exit 2) when Vale reports a configuration or runtime error.
    """
    with tempfile.TemporaryDirectory(prefix="linters-vale-") as tmp:
        names: dict[str, str] = {}
        for i, path in enumerate(sorted(views)):
            pure = PurePosixPath(path)
            name = path if not pure.is_absolute() and ".." not in pure.parts else f"_outside/{i}/{pure.name}"
            target = Path(tmp, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(views[path], "utf-8")
            names[name] = path
        argv = [binary, "--no-global", "--output=JSON", f"--config={config}", "."]
        try:
            proc = subprocess.run(argv, cwd=tmp, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise UsageError(f"{binary}: Vale did not finish in {TIMEOUT_SECONDS} s") from None
    if proc.returncode not in (0, 1):
        raise UsageError(_vale_error(proc, binary, root))
    try:
        data = json.loads(proc.stdout or "{}")
    except json.JSONDecodeError:
        raise UsageError(f"{binary}: Vale printed something that is not JSON: {proc.stdout.strip()[:200]!r}") from None
    out: dict[str, list[Alert]] = {}
    for name, alerts in (data or {}).items():
        key = PurePosixPath(name.replace("\\", "/"))
        key_str = str(key)[2:] if str(key).startswith("./") else str(key)
        path = names.get(key_str)
        if path is None:
            continue
        out[path] = [
            Alert(
                check=a.get("Check", "Vale.Unknown"),
                severity=a.get("Severity", "warning"),
                line=int(a.get("Line", 1)),
                start=int(a.get("Span", [1, 1])[0]),
                end=int(a.get("Span", [1, 1])[1]),
                message=a.get("Message", ""),
                match=a.get("Match", ""),
                link=a.get("Link", "") or "",
            )
            for a in alerts
        ]
    return out


def _vale_error(proc: subprocess.CompletedProcess, binary: str, root: Path) -> str:
    """Vale prints `{"Code", "Text", "Path", "Line"}` on stderr when it cannot run: one line from it."""
    try:
        err = json.loads(proc.stderr)
    except json.JSONDecodeError:
        err = None
    if not isinstance(err, dict):
        first = (proc.stderr or proc.stdout).strip().splitlines()
        return f"{binary}: Vale failed (exit {proc.returncode}): {first[0] if first else 'no message'}"
    where = err.get("Path") or ""
    if where:
        try:
            where = Path(where).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
        line = err.get("Line") or 0
        where = f"{where}:{line}" if line else where
    text = " ".join(str(err.get("Text", "")).split())
    return f"{where or binary}: Vale {err.get('Code', 'error')}: {text}"
