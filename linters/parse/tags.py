"""The claim-tag syntax: `[[claim:id]]` or `[[claim:a, b]]` (contract, see ARCHITECTURE.md).

This is the one place that knows the syntax. The Markdown parser, the
Python-Markdown extension and the `fix` command all use it.
"""

from __future__ import annotations

import re

TAG_OPEN = "[[claim:"
TAG_CLOSE = "]]"
MAX_TAG_LENGTH = 2000  # a tag longer than this is not a tag, it is an unclosed bracket

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_ID_LENGTH = 80
# A whole tag in running text, for tools that do not run the Markdown parser.
TAG_PATTERN = re.compile(r"\[\[claim:([^\]\n]{0,%d})\]\]" % MAX_TAG_LENGTH)


def match_tag(text: str, pos: int) -> tuple[int, str] | None:
    """If a claim tag starts at `pos`, return (end offset, inner text)."""
    if not text.startswith(TAG_OPEN, pos):
        return None
    end = text.find(TAG_CLOSE, pos + len(TAG_OPEN), pos + len(TAG_OPEN) + MAX_TAG_LENGTH + 2)
    if end < 0:
        return None
    inner = text[pos + len(TAG_OPEN) : end]
    if "\n" in inner:
        return None
    return end + len(TAG_CLOSE), inner


def split_ids(inner: str) -> tuple[str, ...]:
    """The ids of a tag, as written (stripped), empty entries kept as ''."""
    return tuple(part.strip() for part in inner.split(","))


def is_valid_id(claim_id: str) -> bool:
    return len(claim_id) <= MAX_ID_LENGTH and ID_PATTERN.fullmatch(claim_id) is not None
