"""Split a block of prose into sentences, keeping each character's source offset."""

from __future__ import annotations

import re

# Words that end in a period without ending the sentence.
ABBREVIATIONS = frozenset(
    """e.g i.e etc vs dr mr mrs ms st no fig approx al u.s u.k i.v jr sr inc ltd dept
    min hr hrs mg ml kg vol ed eds pp p""".split()
)
_BOUNDARY = re.compile(
    r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[*_]*[A-Z0-9])"
    r"|[.!?]+[\"'”’)\]]*\s*$"
    r"|(?<=[a-z]{2}[.!?])(?=[A-Z][a-z]{2})"  # a missing space, as pages pasted from the web have: "of ketamine.Its use"
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_LOOKBACK = 64


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    # Look back a bounded window: searching from 0 made every dot cost O(line length), and a
    # 200 KB paragraph quadratic. No abbreviation or initial is anywhere near this long.
    m = _WORD_BEFORE.search(text, max(0, dot - _LOOKBACK), dot)
    if not m:
        return False
    word = m.group(1).lower().rstrip(".")
    if word in ABBREVIATIONS:
        return True
    return len(word) == 1 and word.isalpha() and text[m.start(1)].isupper()  # an initial: "J. Smith"


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        if _is_abbreviation(text, m.start()):
            continue
        end = m.end()
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


_SPACES = re.compile(r"\s+")
_TIGHT = frozenset(".,;:!?)")  # no space before these


def normalise(chars, offsets: list[int]) -> tuple[str, list[int]]:
    """Collapse whitespace runs and drop spaces before punctuation, keeping offsets aligned.

    Removing a claim tag or a code span leaves gaps ("40 minutes ."); a sentence
    should read as the writer meant it ("40 minutes."). A run of whitespace becomes
    one space at the offset of its first character; a run at either end, or before
    one of `.,;:!?)`, goes. Works on slices of the text, not character by character.
    """
    text = chars if isinstance(chars, str) else "".join(chars)
    out: list[str] = []
    out_offsets: list[int] = []
    pos = 0
    end = len(text)
    for m in _SPACES.finditer(text):
        a, b = m.span()
        out.append(text[pos:a])
        out_offsets.extend(offsets[pos:a])
        if a > 0 and b < end and text[b] not in _TIGHT:
            out.append(" ")
            out_offsets.append(offsets[a])
        pos = b
    out.append(text[pos:])
    out_offsets.extend(offsets[pos:end])
    return "".join(out), out_offsets
