"""Preview highlights: each flagged sentence wrapped in <mark> with the finding's message on hover.

Positions are known in the Markdown source, not in the HTML, so the plugin
marks the source: before Markdown runs it puts private-use characters around
each flagged sentence (`START id SEP … END`), which Markdown passes through as
text. After rendering, `render_marks` wraps every text run between the markers
in `<mark>`, one run per element, so the marks never break the HTML's nesting
(a sentence may start inside `<strong>` and end outside it).

Only for preview (`mkdocs serve`); a publish build never calls this.
"""

from __future__ import annotations

import re
from html import escape

from ..markdown_ext import CITE_CLASS
from ..model import SEVERITY_ORDER, Document, Finding, Sentence
from .references import tooltip

CITE_ATTR = f'class="{CITE_CLASS}"'

START, SEP, END = "\ue000", "\ue001", "\ue002"
_DIGIT0 = 0xE010  # sentence ids are written in hex with 16 private-use digits
_ALL_MARKERS = re.compile("[\ue000-\ue002\ue010-\ue01f]")
_OPEN = re.compile("\ue000([\ue010-\ue01f]+)\ue001")
_TOKENS = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)


def _encode(n: int) -> str:
    return "".join(chr(_DIGIT0 + int(d, 16)) for d in f"{n:x}")


def _decode(s: str) -> int:
    return int("".join(f"{ord(c) - _DIGIT0:x}" for c in s), 16)


def _offset(doc: Document, finding: Finding) -> int:
    return doc.line_offset(finding.line) + max(finding.column - 1, 0)


def sentence_for(doc: Document, finding: Finding) -> Sentence | None:
    """The sentence a finding is in: by its start position, or the sentence whose tag it points at."""
    off = _offset(doc, finding)
    for sentence in doc.sentences:
        if sentence.offsets and sentence.offsets[0] <= off <= sentence.offsets[-1]:
            return sentence
    for sentence in doc.sentences:
        if any(tag.offset == off for tag in sentence.tags):
            return sentence
    return None


def place(doc: Document, findings: list[Finding]) -> dict[int, list[Finding]]:
    """sentence index -> the findings on it (findings that are not on a sentence are left out)."""
    placed: dict[int, list[Finding]] = {}
    for finding in findings:
        sentence = sentence_for(doc, finding)
        if sentence is not None:
            placed.setdefault(sentence.index, []).append(finding)
    return placed


def insert_markers(markdown: str, base: int, doc: Document, placed: dict[int, list[Finding]]) -> str:
    """Put markers around each placed sentence. `base` is where `markdown` starts in `doc.source`
    (MkDocs hands plugins the page without its front matter)."""
    inserts: list[tuple[int, int, str]] = []  # (position, order, text); an END sorts before a START at the same place
    by_index = {s.index: s for s in doc.sentences}
    for index in placed:
        sentence = by_index[index]
        start = sentence.offsets[0] - base
        end = sentence.offsets[-1] + 1 - base
        if start < 0 or end > len(markdown) or end <= start:
            continue
        inserts.append((start, 1, START + _encode(index) + SEP))
        inserts.append((end, 0, END))
    out = []
    last = 0
    for pos, _order, text in sorted(inserts):
        out.append(markdown[last:pos])
        out.append(text)
        last = pos
    out.append(markdown[last:])
    return "".join(out)


def _worst(findings: list[Finding]) -> str:
    return min((f.severity for f in findings), key=lambda s: SEVERITY_ORDER.get(s, 9))


def _message(findings: list[Finding]) -> str:
    return " • ".join(f"{f.rule}: {f.message}" for f in findings)


def render_marks(html: str, placed: dict[int, list[Finding]]) -> str:
    """Replace the markers in rendered HTML with <mark> elements around each text run they enclose."""
    if START not in html and END not in html:
        return html
    out: list[str] = []
    current: int | None = None
    first_run: set[int] = set()
    raw_text = False  # inside <script> or <style>: never wrap
    in_cite = False  # inside a citation: "[1]" is not part of the sentence's wording
    for token in _TOKENS.split(html):
        if not token:
            continue
        if token.startswith("<"):
            # markers that landed inside a tag (an attribute) are dropped, never interpreted
            clean = _ALL_MARKERS.sub("", token)
            lower = clean[:8].lower()
            if lower.startswith(("<script", "<style")):
                raw_text = True
            elif lower.startswith(("</script", "</style")):
                raw_text = False
            elif lower.startswith("<sup") and CITE_ATTR in clean:
                in_cite = True
            elif lower.startswith("</sup"):
                in_cite = False
            out.append(clean)
            continue
        pieces = re.split("(\ue000[\ue010-\ue01f]+\ue001|\ue002)", token)
        for piece in pieces:
            m = _OPEN.fullmatch(piece)
            if m:
                current = _decode(m.group(1))
                continue
            if piece == END:
                current = None
                continue
            piece = _ALL_MARKERS.sub("", piece)
            if not piece:
                continue
            findings = placed.get(current) if current is not None else None
            if not findings or raw_text or in_cite or not piece.strip():
                out.append(piece)
                continue
            attrs = f' class="claim-lint claim-lint--{_worst(findings)}" data-rule="{escape(" ".join(dict.fromkeys(f.rule for f in findings)))}" title="{escape(tooltip(_message(findings)))}"'
            if current not in first_run:
                first_run.add(current)
                attrs = f' id="lint-{current}"' + attrs
            out.append(f"<mark{attrs}>{piece}</mark>")
    return "".join(out)


def has_markers(text: str) -> bool:
    """Whether `text` holds a marker's start, separator or end (what `strip_markers` is needed for)."""
    # SEP and END first: a search for START in wide text cannot use memchr (its low byte is 0)
    return SEP in text or END in text or START in text


def strip_markers(text: str) -> str:
    """Markers that reached places other than the content (the table of contents, the <title>)."""
    return _ALL_MARKERS.sub("", text)


def summary_html(doc: Document, findings: list[Finding], placed: dict[int, list[Finding]]) -> str:
    """A preview-only list of every finding on the page, each linked to its highlight when it has one."""
    if not findings:
        return ""
    where = {id(f): index for index, fs in placed.items() for f in fs}
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    label = ", ".join(f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in sorted(counts.items(), key=lambda kv: SEVERITY_ORDER.get(kv[0], 9)))
    items = []
    for f in findings:
        place_ = f"{escape(f.path)}:{f.line}:{f.column}"
        if id(f) in where:
            place_ = f'<a href="#lint-{where[id(f)]}">{place_}</a>'
        items.append(f'<li class="claim-lint-item claim-lint-item--{escape(f.severity)}">{place_} <code>{escape(f.rule)}</code> {escape(f.message)}</li>')
    return (
        f'<details class="{"failure" if "error" in counts else "warning"} claim-lint-summary">'
        f"<summary>Preview: {escape(label)} on this page (from the medical-claims checks; not shown in the published site)</summary>"
        f'<ul>{"".join(items)}</ul></details>'
    )
