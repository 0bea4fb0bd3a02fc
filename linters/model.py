"""The values that flow through the engine: pages, sentences, claim tags, findings."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from operator import attrgetter
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
# Findings are reported in this order (then by severity): `Finding.sort_key`, built in C.
SORT_KEY = attrgetter("path", "line", "column", "rule", "message")


@dataclass(frozen=True, slots=True)
class Related:
    """The other side of a finding (a contradiction names both places)."""

    path: str
    line: int
    excerpt: str

    def __reduce__(self):
        return (Related, (self.path, self.line, self.excerpt))  # see ClaimTag.__reduce__


@dataclass(slots=True)  # slots: a large site's report holds hundreds of thousands
class Finding:
    """One problem at one place. The JSON report is a list of these (contract)."""

    rule: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    excerpt: str = ""
    related: list[Related] = field(default_factory=list)
    end_line: int | None = None
    end_column: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        # Built by hand, in field order: dataclasses.asdict deep-copies every finding, and a
        # large site's report has tens of thousands of them.
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "excerpt": self.excerpt,
        }
        if self.related:
            out["related"] = [{"path": r.path, "line": r.line, "excerpt": r.excerpt} for r in self.related]
        if self.end_line is not None:
            out["end_line"] = self.end_line
        if self.end_column is not None:
            out["end_column"] = self.end_column
        if self.data:
            out["data"] = _plain(self.data)
        return out

    def sort_key(self) -> tuple:
        return SORT_KEY(self)


_ATOMS = (str, int, float, bool, type(None))
_ATOM_TYPES = frozenset(_ATOMS)


def _plain(value: Any) -> Any:
    """A copy of `value` with dataclasses as dicts, as `dataclasses.asdict` makes it."""
    kind = type(value)  # exact types first: a finding's data is mostly ids, statuses, numbers and lists of them
    if kind in _ATOMS:
        return value
    if kind is dict:
        if _ATOM_TYPES.issuperset(map(type, value.values())) and _ATOM_TYPES.issuperset(map(type, value)):
            return value.copy()  # the common case, checked and copied in C
        return {_plain(k): _plain(v) for k, v in value.items()}
    if kind is list:
        if _ATOM_TYPES.issuperset(map(type, value)):
            return value.copy()
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return type(value)((_plain(k), _plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)) and not hasattr(value, "_fields"):
        return type(value)(_plain(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


@dataclass(frozen=True, slots=True)
class ClaimTag:
    """`[[claim:a, b]]` at a place in the source. `ids` may hold invalid ids; rules report them."""

    ids: tuple[str, ...]
    raw: str
    offset: int  # absolute character offset of `[[` in the page source
    line: int
    column: int

    def __reduce__(self):
        """Unpickled by a constructor call. The state functions dataclasses give a frozen class with
        slots run in Python, field by field, and a warm run unpickles every page's tags."""
        return (ClaimTag, (self.ids, self.raw, self.offset, self.line, self.column))


@dataclass(slots=True)  # slots: a large site keeps hundreds of thousands for the cross-page checks
class Sentence:
    """A sentence of prose with a map from each of its characters to the page source."""

    text: str
    # offsets[i] is the source offset of text[i]: a list, or from the parser an `Offsets`
    # (runs of consecutive offsets, read like a list), which is a fraction of the memory
    offsets: Sequence[int]
    line: int
    column: int
    block: str  # heading | paragraph | list_item | table_cell | blockquote | admonition | definition
    tags: list[ClaimTag] = field(default_factory=list)
    heading: str = ""  # nearest heading above, for context
    index: int = 0  # position of the sentence in its page

    @property
    def claim_ids(self) -> list[str]:
        return [cid for tag in self.tags for cid in tag.ids]

    @property
    def is_heading(self) -> bool:
        return self.block == "heading"

    @property
    def is_question(self) -> bool:
        return self.text.rstrip().rstrip("\"'”’)").endswith("?")


@dataclass(slots=True)
class Suppression:
    """`<!-- linters: disable-next RULE reason="..." -->`: silences RULE on the next block."""

    rules: tuple[str, ...]
    reason: str
    line: int
    column: int
    applies_from: int  # first source line it covers
    applies_to: int  # last source line it covers (inclusive)
    used: bool = False


@dataclass
class Suppressed:
    """A finding a suppression hid, with the suppression's reason and line."""

    finding: Finding
    reason: str
    line: int  # where the suppression comment is


@dataclass
class Document:
    """A Markdown page, parsed once and shared by every rule."""

    path: str  # relative to the project root, with forward slashes
    source: str
    front_matter: dict[str, Any] = field(default_factory=dict)
    front_matter_line: int = 0  # 0 when the page has none
    sentences: list[Sentence] = field(default_factory=list)
    tags: list[ClaimTag] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)  # the page itself is malformed
    vale_off: list[tuple[int, int]] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)  # filled by rules, e.g. reading level
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self._line_starts:
            starts = [0]
            find = self.source.find
            at = find("\n")
            while at >= 0:
                starts.append(at + 1)
                at = find("\n", at + 1)
            self._line_starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a source offset."""
        if offset < 0:  # clamped into the source (comparisons: called for every sentence and finding)
            offset = 0
        elif offset > len(self.source):
            offset = len(self.source)
        starts = self._line_starts
        row = bisect.bisect_right(starts, offset) - 1
        return row + 1, offset - starts[row] + 1

    def line_text(self, line: int) -> str:
        if line < 1 or line > len(self._line_starts):
            return ""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] - 1 if line < len(self._line_starts) else len(self.source)
        return self.source[start:end]

    def line_offset(self, line: int) -> int:
        """Offset of the first character of a 1-based line."""
        line = max(1, min(line, len(self._line_starts)))
        return self._line_starts[line - 1]


def span_position(doc: Document, sentence: Sentence, start: int, end: int) -> tuple[int, int, int, int]:
    """Source (line, column, end_line, end_column) of sentence.text[start:end]."""
    start = max(0, min(start, len(sentence.offsets) - 1))
    end = max(start, min(end, len(sentence.offsets))) - 1
    line, col = doc.position(sentence.offsets[start])
    end_line, end_col = doc.position(sentence.offsets[max(end, start)] + 1)
    return line, col, end_line, end_col
