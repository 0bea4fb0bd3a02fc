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
# A tag after its first `[`, for a scanner that meets that `[` among other markup characters.
TAG_AFTER_FIRST_BRACKET = r"\[claim:([^\]\n]{0,%d})\]\]" % MAX_TAG_LENGTH
# A whole tag in running text, for tools that do not run the Markdown parser.
TAG_PATTERN = re.compile(r"\[" + TAG_AFTER_FIRST_BRACKET)


def match_tag(text: str, pos: int) -> tuple[int, str] | None:
    """If a claim tag starts at `pos`, return (end offset, inner text)."""
    if not text.startswith(TAG_OPEN, pos):
        return None
    # TAG_PATTERN itself, so every reader agrees (`[[claim:a]b]]` is no tag for any of them),
    # and a line of unclosed `[[claim:` costs at most MAX_TAG_LENGTH characters each.
    m = TAG_PATTERN.match(text, pos)
    if m is None:
        return None
    return m.end(), m.group(1)


def malformed_tag(text: str, pos: int) -> str | None:
    """Why the `[[claim:` at `pos` is not a claim tag (None when it is one, or no tag starts there)."""
    if not text.startswith(TAG_OPEN, pos) or match_tag(text, pos) is not None:
        return None
    limit = min(len(text), pos + len(TAG_OPEN) + MAX_TAG_LENGTH + len(TAG_CLOSE))  # bounded work
    newline = text.find("\n", pos, limit)
    end = limit if newline < 0 else newline
    if text.find(TAG_CLOSE, pos + len(TAG_OPEN), end) >= 0:
        return "has a `]` inside: a tag is `[[claim:id]]` or `[[claim:a, b]]`"
    if end < limit or limit == len(text):
        return "is not closed: end it with `]]` on the same line"
    return f"is not closed within {MAX_TAG_LENGTH:,} characters (a claim id has at most {MAX_ID_LENGTH})"


def split_ids(inner: str) -> tuple[str, ...]:
    """The ids of a tag, as written (stripped), empty entries kept as ''."""
    return tuple(part.strip() for part in inner.split(","))


def is_valid_id(claim_id: str) -> bool:
    return len(claim_id) <= MAX_ID_LENGTH and ID_PATTERN.fullmatch(claim_id) is not None
