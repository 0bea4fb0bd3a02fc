"""Property tests (hypothesis): the page parser, the claim-tag syntax and the quantity grammar never
crash on Markdown-ish text, and every position they report points into the source.

The checks live in `fuzz/invariants.py`, shared with the atheris fuzz targets (`scripts/fuzz.sh`)."""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import REPO
from linters.parse import tags as tagsyntax
from linters.parse.page import parse_page

sys.path.insert(0, str(REPO))
from fuzz import invariants  # noqa: E402 - the same checks the fuzz targets make

# 300 examples keep the suite fast; PROPERTY_EXAMPLES=5000 for a deeper run.
SETTINGS = settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "300")), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces of Markdown that trip parsers up, mixed with words and odd characters.
FRAGMENTS = [
    "[[claim:", "]]", "[[claim:six-infusions]]", "[[claim:a, b]]", "[[claim:]]", "six-infusions", ",", " ",
    "`", "``", "```", "~~~", "<!--", "-->", "<!-- linters: disable-next unsupported-claim reason=\"x\" -->",
    "!!! note", "!!! warning \"Title\"", "???", "=== \"Tab\"", "|", "| a | b |\n|---|---|\n", "\n", "\n\n",
    "    ", "  ", "\t", "- ", "* ", "+ ", "1. ", "> ", "# ", "## ", "---\n", "---", "title: x\n", ": ", "Term\n: ",
    "[", "]", "(", ")", "[link](http://example.org)", "![img](a.png)", "<http://x.y>", "http://x.y", "*", "**", "_",
    "~~", "\\", "\\[", "&amp;", "&lt;", "&", "&#91;", "<b>", "</b>", "<div>", "</div>",
    "Ketamine", "is", "completely", "safe", "helps", "70%", "40 to 60 minutes", "Dr.", "e.g.", "J. Smith",
    ".", "?", "!", "\"", "“", "”", "é", "€", "😀", "\u00a0", "\u2028", "\u3000", "\x0b", "\x0c", "\x1c", "\x1d", "\x1f", "\x85",
    "\r\n", "\r", "\ufeff", "\x00",
]
markdownish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=60).map("".join)


@SETTINGS
@given(markdownish)
# Inputs that once broke positions (found by hypothesis and by fuzz/fuzz_parser.py):
@example("- Prices vary, so compare a few.\n\t Ask what the price covers.\n")  # tab turned into spaces
@example("| a \\| b | c |\n|---|---|\n")  # `\|` in a table cell
@example("| a |\n|---|\n| y |\n\u00a0ld.\n")  # a row without pipes, starting with U+00A0
@example("| a | \x1d\x1dc |\n|---|---|\n")  # a cell starting with U+001D, which markdown-it keeps
@example("| a | c |\n|---|---|\n\x1f|1.5|\n")  # a row starting with U+001F: its first cell is not empty
@example("| a | [[claim:x `\\|` y]] |\n|---|---|\n")  # a tag around an escaped pipe in a cell
@example("1. \u00a0\n1\n|\n")  # an item's first line only a no-break space: its text is on the next lines
@example("    1. \u00a0\n\u00a01. \n      | \u00a0\n")  # ... and "1." is also the content
@example("\u00a0\r\nKetamine helps [[claim:x]].\n")  # a leading line of Unicode space vanishes
@example("!!! note\n    Text.\n")  # the title "Note" is not in the source
@example("> [[claim:\x00\n")  # NUL becomes U+FFFD
@example("Look ![alt [[claim:a]]](x.png) then [[claim:b]].\n")  # alt text is parsed as a text of its own
def test_parse_page_never_crashes_and_every_position_points_into_the_source(text):
    doc = parse_page("docs/p.md", text)
    # The parser's view of the text: no BOM, LF line ends, NUL as U+FFFD (CommonMark); same length otherwise.
    assert doc.source == text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    invariants.check_page(doc)


ids = st.from_regex(tagsyntax.ID_PATTERN, fullmatch=True).filter(lambda i: len(i) <= tagsyntax.MAX_ID_LENGTH)


@SETTINGS
@given(st.lists(ids, min_size=1, max_size=4), st.sampled_from([",", ", ", " , "]), markdownish)
def test_a_valid_tag_in_a_page_is_found_with_its_ids_and_place(claim_ids, comma, before):
    tag = tagsyntax.TAG_OPEN + comma.join(claim_ids) + tagsyntax.TAG_CLOSE
    source = "Ketamine helps " + tag + ".\n"
    # `before` may hold any block, but none that swallows what follows (open fences and brackets, comments)
    doc = parse_page("docs/p.md", before.replace("[", "(").replace("`", "'").replace("~", "-").replace("<", "(") + "\n\n" + source)
    invariants.check_page(doc)
    found = [t for t in doc.tags if t.raw == tag]
    assert found and found[-1].ids == tuple(claim_ids)
    assert doc.line_text(found[-1].line).endswith(source.rstrip("\n"))


tag_inner = st.text(alphabet=st.characters(blacklist_characters="]\n,"), max_size=30)


@SETTINGS
@given(st.lists(tag_inner, min_size=1, max_size=5))
def test_tag_syntax_round_trips(parts):
    inner = ",".join(parts)
    text = tagsyntax.TAG_OPEN + inner + tagsyntax.TAG_CLOSE
    assert tagsyntax.match_tag(text, 0) == (len(text), inner)
    assert tagsyntax.split_ids(inner) == tuple(p.strip() for p in parts)
    assert tagsyntax.malformed_tag(text, 0) is None
    assert [m.group(0) for m in tagsyntax.TAG_PATTERN.finditer(text)] == [text]


@SETTINGS
@given(markdownish, st.integers(min_value=0, max_value=200))
def test_tag_matching_agrees_with_the_pattern_and_says_why_not(text, pos):
    invariants.check_tag_at(text, min(pos, len(text)))
    for i in range(len(text)):  # every `[[claim:` in the text, read or explained
        if text.startswith(tagsyntax.TAG_OPEN, i):
            invariants.check_tag_at(text, i)


QUANTITY_FRAGMENTS = [
    "1", "2", "6", "12", "40", "0.5", "1.5", "1,000", "-3", "½", "six", "forty", "a few", "several", "one",
    "mg", "mg/kg", "milligrams", "minutes", "min", "hours", "hr", "weeks", "days", "years", "%", "percent", "$", "mmHg",
    "to", "-", "–", "—", "and", "or", "between", "from", "up to", "at least", "about", "under", "over", "per", "a",
    "infusions", "sessions", "per week", "times", "over", "in", "fell", "rose by", " ", " ", ",", ".", "(", ")", "\n",
]
quantityish = st.lists(st.one_of(st.sampled_from(QUANTITY_FRAGMENTS), st.text(max_size=3)), max_size=30).map(" ".join)


@SETTINGS
@given(quantityish)
def test_range_grammar_never_crashes_and_spans_point_into_the_sentence(text):
    quantities = pytest.importorskip("linters.quantities")
    invariants.check_mentions(text, quantities.find_mentions(text))
