"""The "About this page" box: author, medical reviewer, review dates, and the medical-advice note.

HONcode (authorship, date), PIF TICK (named reviewer, review date) and the
Silberg criteria (authorship, currency) ask for these on every health page.
The `page-metadata` rule reports a page that lacks them; this only shows them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from html import escape
from typing import Any

from .references import clean

# front matter key -> label, in the order shown
FIELDS = (
    ("author", "Written by"),
    ("medical_reviewer", "Medical reviewer"),
    ("last_reviewed", "Last reviewed"),
    ("next_review", "Next review"),
)
DATE_FIELDS = {"last_reviewed", "next_review"}
NOTE = "This page is not a substitute for medical advice from your clinician. Talk to your own doctor before you start, change or stop any treatment."


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(clean(v) for v in value.values() if v not in (None, ""))
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    return clean(value)


def _value_html(key: str, value: Any) -> str:
    when = _as_date(value) if key in DATE_FIELDS else None
    if when is not None:
        return f'<time datetime="{when.isoformat()}">{when.day} {when:%B %Y}</time>'
    return escape(_text(value))


def box_key(front_matter: dict[str, Any]) -> tuple:
    """What the box is made of: two front matters with equal keys get the same box.

    Cheaper than making the box. Values other than text are compared by `repr`, which
    tells 1 from 1.0 and True, and a time zone from another, where `==` does not.
    """
    return tuple(value if type(value) is str else (type(value), repr(value)) for value in (front_matter.get(key) for key, _label in FIELDS))


def metadata_html(front_matter: dict[str, Any]) -> str:
    """The box for one page (escaped): the fields the page gives, then the note."""
    rows = []
    for key, label in FIELDS:
        value = front_matter.get(key)
        if value in (None, "", [], {}):
            continue
        rows.append(f"<dt>{escape(label)}</dt><dd>{_value_html(key, value)}</dd>")
    listing = f'<dl class="page-meta-fields">{"".join(rows)}</dl>' if rows else ""
    return f'<aside class="page-meta" aria-label="About this page">{listing}<p class="page-meta-note">{escape(NOTE)}</p></aside>'


_H1_END = re.compile(r"</h1\s*>", re.I)


def after_title(html: str, block: str) -> str:
    """Insert `block` after the page's first <h1> (or at the top when it has none)."""
    m = _H1_END.search(html)
    if m is None:
        return block + html
    return html[: m.end()] + block + html[m.end() :]
