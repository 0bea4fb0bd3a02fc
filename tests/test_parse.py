"""Page parsing: prose sentences with exact source positions; code and comments are not prose."""

from __future__ import annotations

import pytest

from linters.parse.page import parse_page
from linters.parse.sentences import sentence_spans

PAGE = """\
---
title: Test page
author: Editorial team
---
# What is ketamine?

Ketamine is an anesthetic [[claim:anesthetic]]. It is also used off-label.
A second line of the same paragraph.

- A list item with *emphasis* and a [link](https://example.org/x) [[claim:a, b]].
    - A nested item.

> A block quote sentence.

!!! warning "Do not drive"
    An admonition body sentence.

=== "First tab"
    A tab body sentence.

| Column one | Column two |
|---|---|
| A table cell. | Another cell [[claim:cell]]. |

Glossary term
: A definition body.

Inline `code [[claim:in-code]]` stays out.
<!-- an HTML comment: not prose -->

```
fenced code [[claim:in-fence]]
```

    indented code block
"""


@pytest.fixture(scope="module")
def doc():
    return parse_page("docs/test.md", PAGE)


def by_text(doc, text):
    return next(s for s in doc.sentences if s.text == text)


@pytest.mark.parametrize(
    "text, line, column, block",
    [
        ("What is ketamine?", 5, 3, "heading"),
        ("Ketamine is an anesthetic.", 7, 1, "paragraph"),
        ("It is also used off-label.", 7, 49, "paragraph"),
        ("A second line of the same paragraph.", 8, 1, "paragraph"),
        ("A list item with emphasis and a link.", 10, 3, "list_item"),
        ("A nested item.", 11, 7, "list_item"),
        ("A block quote sentence.", 13, 3, "blockquote"),
        ("Do not drive", 15, 14, "heading"),
        ("An admonition body sentence.", 16, 5, "admonition"),
        ("First tab", 18, 6, "heading"),
        ("A tab body sentence.", 19, 5, "tab"),
        ("A table cell.", 23, 3, "table_cell"),
        ("Another cell.", 23, 19, "table_cell"),
        ("Glossary term", 25, 1, "definition"),
        ("A definition body.", 26, 3, "definition"),
        ("Inline stays out.", 28, 1, "paragraph"),
    ],
)
def test_sentence_has_exact_source_position(doc, text, line, column, block):
    s = by_text(doc, text)
    assert (s.line, s.column, s.block) == (line, column, block)
    # the first character of the sentence is where the position says it is
    assert doc.source[s.offsets[0]] == text[0]
    assert doc.line_text(line)[column - 1] == text[0]


def test_every_sentence_character_maps_to_the_same_source_character(doc):
    for s in doc.sentences:
        for ch, off in zip(s.text, s.offsets):
            if ch != " ":
                assert doc.source[off] == ch, (s.text, ch, off)


def test_front_matter_is_read_and_not_prose(doc):
    assert doc.front_matter == {"title": "Test page", "author": "Editorial team"}
    assert doc.front_matter_line == 1
    assert not any("Editorial" in s.text for s in doc.sentences)


@pytest.mark.parametrize("fragment", ["in-code", "in-fence", "indented code", "fenced code", "HTML comment", "example.org"])
def test_code_comments_and_urls_are_not_prose(doc, fragment):
    assert not any(fragment in s.text for s in doc.sentences)


def test_claim_tags_attach_to_the_sentence_they_end(doc):
    assert by_text(doc, "Ketamine is an anesthetic.").claim_ids == ["anesthetic"]
    assert by_text(doc, "It is also used off-label.").claim_ids == []
    assert by_text(doc, "A list item with emphasis and a link.").claim_ids == ["a", "b"]
    assert by_text(doc, "Another cell.").claim_ids == ["cell"]


def test_a_tag_inside_code_is_text_not_a_tag(doc):
    ids = {cid for tag in doc.tags for cid in tag.ids}
    assert ids == {"anesthetic", "a", "b", "cell"}


def test_tag_position_points_at_the_tag(doc):
    for tag in doc.tags:
        assert doc.line_text(tag.line)[tag.column - 1 :].startswith("[[claim:")


def test_tag_after_the_full_stop_belongs_to_the_sentence_before_it():
    doc = parse_page("p.md", "Ketamine can raise blood pressure. [[claim:bp]] Wear a coat.\n")
    assert [(s.text, s.claim_ids) for s in doc.sentences] == [
        ("Ketamine can raise blood pressure.", ["bp"]),
        ("Wear a coat.", []),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It takes 1.5 hours. Then you rest.", ["It takes 1.5 hours.", "Then you rest."]),
        ("Ask about e.g. the cost. Then book.", ["Ask about e.g. the cost.", "Then book."]),
        ("Dr. Smith will see you. Bring a coat.", ["Dr. Smith will see you.", "Bring a coat."]),
        ("Is it safe? Most people do well!", ["Is it safe?", "Most people do well!"]),
        ("The U.S. rules differ. See below.", ["The U.S. rules differ.", "See below."]),
        ("no capital after. this stays one", ["no capital after. this stays one"]),
        ("safe use of ketamine.Its use differs.", ["safe use of ketamine.", "Its use differs."]),
    ],
)
def test_sentence_splitting(text, expected):
    assert [text[s:e] for s, e in sentence_spans(text)] == expected


@pytest.mark.parametrize(
    "source",
    [
        "Line one.\r\nSecond line [[claim:x]].\r\n",
        "\ufeffLine one.\nSecond line [[claim:x]].\n",
    ],
)
def test_crlf_and_bom_keep_positions(source):
    doc = parse_page("p.md", source)
    s = doc.sentences[1]
    assert (s.text, s.line, s.column, s.claim_ids) == ("Second line.", 2, 1, ["x"])


def test_broken_front_matter_is_a_finding_with_a_line():
    doc = parse_page("p.md", "---\ntitle: [unclosed\nauthor: x\n---\nBody text.\n")
    assert [p.rule for p in doc.problems] == ["invalid-page"]
    assert doc.problems[0].line in (2, 3, 4)
    assert doc.sentences[0].text == "Body text."


def test_suppression_covers_the_next_block_and_needs_a_reason():
    doc = parse_page(
        "p.md",
        '<!-- linters: disable-next unsupported-claim reason="quoted from a source" -->\n'
        "Ketamine helps.\nStill the same paragraph.\n\nNext paragraph.\n\n"
        "<!-- linters: disable-next unsupported-claim -->\nNo reason given.\n",
    )
    first = doc.suppressions[0]
    assert (first.rules, first.reason, first.applies_from, first.applies_to) == (("unsupported-claim",), "quoted from a source", 2, 3)
    assert [p.rule for p in doc.problems] == ["invalid-suppression"]
    assert "reason" in doc.problems[0].message
