"""Split a block of prose into sentences, keeping each character's source offset."""

from __future__ import annotations

import re
import string

from .offsets import Offsets, cut

# Words that end in a period without ending the sentence.
ABBREVIATIONS = frozenset(
    """e.g i.e etc vs dr mr mrs ms st no fig approx al u.s u.k i.v jr sr inc ltd dept
    min hr hrs mg ml kg vol ed eds pp p""".split()
)
# Where a sentence may end. Every boundary starts at a `.`, `!` or `?`, so the pattern starts with
# one: the regex engine then skips straight to those characters instead of trying every position.
_BOUNDARY = re.compile(
    r"[.!?](?:"
    r"[.!?]*[\"'”’)\]]*(?:(?=\s+[\"'“‘(\[*_]*[A-Z0-9])|\s*$)"  # followed by a capital or a digit, or at the end
    r"|(?<=[a-z]{2}[.!?])(?P<glued>)(?=[A-Z][a-z]{2})"  # a missing space, as pages pasted from the web have: "of ketamine.Its use"
    r")"
)
_WORD_CHARS = string.ascii_letters + "."
_LOOKBACK = 64


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    # The word before the dot: ASCII letters and dots, starting with a letter. Look back a bounded
    # window: searching from 0 made every dot cost O(line length), and a 200 KB paragraph
    # quadratic. No abbreviation or initial is anywhere near this long.
    end = dot - 1 if text[dot - 1 : dot] == "\n" else dot  # a newline before the dot still ends the word: "J\n."
    before = text[max(0, dot - _LOOKBACK) : end]
    word = before[len(before.rstrip(_WORD_CHARS)) :].lstrip(".")
    if not word:
        return False
    lower = word.lower().rstrip(".")
    if lower in ABBREVIATIONS:
        return True
    return len(lower) == 1 and lower.isalpha() and word[0].isupper()  # an initial: "J. Smith"


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        # a glued boundary is between the mark and the capital; the others take the marks and quotes along
        if m.lastgroup is None and text[m.start()] == "." and _is_abbreviation(text, m.start()):
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


_TIGHT = frozenset(".,;:!?)")  # no space before these
_SPACE_BEFORE_TIGHT = re.compile(r" (?=[.,;:!?)])")
# Whitespace runs whose characters (not just their look) change: longer than one character, or one
# before `.,;:!?)` or at the end. Starting with `\s` lets the regex engine skip to whitespace.
_CUT_SPACE = re.compile(r"\s(?:\s*(?=[.,;:!?)]|\Z)|\s+)")


def normalise(chars, offsets) -> tuple[str, Offsets]:
    """Collapse whitespace runs and drop spaces before punctuation, keeping offsets aligned.

    Removing a claim tag or a code span leaves gaps ("40 minutes ."); a sentence
    should read as the writer meant it ("40 minutes."). A run of whitespace becomes
    one space at the offset of its first character; a run at either end, or before
    one of `.,;:!?)`, goes.
    """
    text = chars if isinstance(chars, str) else "".join(chars)
    if not isinstance(offsets, Offsets):
        offsets = Offsets(offsets)
    end = len(text)
    if len(offsets) > end:
        offsets = offsets[:end]
    joined = " ".join(text.split())
    if len(joined) == end:
        # Every run was one character (only newlines, tabs, ... became spaces), so `joined` lines up
        # with `text`: what goes is a space before punctuation, if any.
        if _SPACE_BEFORE_TIGHT.search(joined) is None:
            return joined, offsets
        cuts = [m.span() for m in _SPACE_BEFORE_TIGHT.finditer(joined)]
        return _SPACE_BEFORE_TIGHT.sub("", joined), cut(offsets, cuts)
    # The text is `joined` without its spaces before punctuation; the offsets lose the characters
    # of the runs that went and all but the first of the runs that stayed.
    cuts: list[tuple[int, int]] = []
    for m in _CUT_SPACE.finditer(text):
        a, b = m.span()
        if a > 0 and b < end and text[b] not in _TIGHT:
            a += 1  # the run's first character stays, as a space
        cuts.append((a, b))
    if text[:1].isspace() and (not cuts or cuts[0][0] != 0):
        cuts.insert(0, (0, 1))  # a run of one at the start: the pattern only finds longer ones there
    return _SPACE_BEFORE_TIGHT.sub("", joined), cut(offsets, cuts)
