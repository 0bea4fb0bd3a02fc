"""What "every position points into the source" means, checked by the fuzz targets and the property tests.

Plain functions that raise AssertionError, so a fuzzer reports a violation as a crash.
"""

from __future__ import annotations

from linters.model import Document
from linters.parse import tags as tagsyntax


def check_page(doc: Document) -> None:
    """Sentences, tags and problems of a parsed page all point at the right place in its source."""
    source = doc.source
    lines = source.count("\n") + 1
    for s in doc.sentences:
        assert s.text and len(s.text) == len(s.offsets), "sentence text and offsets differ in length"
        assert (s.line, s.column) == doc.position(s.offsets[0]), "sentence line/column is not its first offset"
        assert 1 <= s.line <= lines and 1 <= s.column <= len(doc.line_text(s.line)) + 1
        assert all(a <= b for a, b in zip(s.offsets, s.offsets[1:])), "offsets go backwards"
        for ch, off in zip(s.text, s.offsets):
            assert 0 <= off <= len(source), "offset outside the source"
            if not ch.isspace():
                # The character is the source character at its offset, except where an entity (&amp;) was decoded.
                assert off < len(source) and source[off] in (ch, "&"), (ch, off, source[max(0, off - 10) : off + 10])
    for tag in doc.tags:
        assert source.startswith(tagsyntax.TAG_OPEN, tag.offset), "tag offset is not at `[[claim:`"
        assert source[tag.offset : tag.offset + len(tag.raw)] == tag.raw
        assert (tag.line, tag.column) == doc.position(tag.offset)
        inner = tag.raw[len(tagsyntax.TAG_OPEN) : -len(tagsyntax.TAG_CLOSE)]
        # A table cell reads `\|` as `|`; elsewhere `\|` stays as written.
        assert tag.ids in (tagsyntax.split_ids(inner), tagsyntax.split_ids(inner.replace("\\|", "|"))), "tag ids are not its text's"
    for problem in doc.problems:
        # A file that could not be read as text has no source; its problem points into the file's bytes.
        assert problem.line >= 1 and problem.column >= 1 and (problem.line <= lines or not source), "problem outside the page"
        assert "\n" not in problem.message, "a message is one line"


def check_tag_at(text: str, pos: int) -> None:
    """The tag reader, the tag pattern and the explanation of a non-tag agree at `pos`."""
    found = tagsyntax.match_tag(text, pos)
    m = tagsyntax.TAG_PATTERN.match(text, pos)
    assert found == ((m.end(), m.group(1)) if m else None), "match_tag and TAG_PATTERN disagree"
    if found:
        end, inner = found
        assert text[pos:end] == tagsyntax.TAG_OPEN + inner + tagsyntax.TAG_CLOSE
        assert len(tagsyntax.split_ids(inner)) == inner.count(",") + 1
    why = tagsyntax.malformed_tag(text, pos)
    assert (why is not None) == (text.startswith(tagsyntax.TAG_OPEN, pos) and found is None), "malformed_tag is wrong"


def check_mentions(text: str, mentions) -> None:
    """Quantities found in a sentence point at their text, with ordered intervals."""
    for m in mentions:
        assert 0 <= m.start <= m.end <= len(text), "mention outside the sentence"
        assert m.text == text[m.start : m.end], "mention text is not its span"
        lo, hi = m.interval()
        assert lo <= hi, "interval is inverted"
        if m.shape == "range" and not m.inverted and not m.transition and None not in (m.written_low, m.written_high):
            assert m.written_low <= m.written_high * (1 + 1e-9) + 1e-12, "a non-inverted range goes down"
