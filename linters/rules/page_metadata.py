"""page-metadata: a patient page says who wrote it, who checked it, and when.

## What it does
Checks a site page's front matter for `title`, `description`, `author`,
`medical_reviewer`, `last_reviewed` and `next_review`: present and non-empty,
dates written as YYYY-MM-DD, `last_reviewed` not in the future, `next_review`
after `last_reviewed` and not in the past. A missing or broken field is a
warning in preview and an error in publish mode.

`medical_reviewer: pending` (not reviewed yet) is accepted while writing (no
finding in preview: it is the normal state of a draft, and its pending claims
already warn) and is an error in publish mode. The page's author may not be its medical reviewer, nor
the reviewer who approved a claim the page cites (names are compared without
case, extra spaces, titles or credentials: "Dr. Jane Roe" = "jane roe, MD"):
a warning in preview, an error in publish mode.

Which pages: those in the site's docs folder when the project is a site (it has
a `mkdocs.yml`) or has a claims registry, and any page that has front matter.
A Markdown file elsewhere without front matter (a README, notes) is not a
patient page and is left alone. A site page with no front matter at all gets
one finding: `info` in preview, error in publish mode.

## Why is this bad?
Readers and accreditation schemes (HONcode, the PIF TICK, Silberg's criteria)
judge a health page by its authorship, its medical review and its dates. And a
review by the author is no review: four-eyes is the point of sign-off.

## Example
```markdown
---
title: Side effects
author: Jane Roe
medical_reviewer: Jane Roe, MD
---
```

## Use instead
```markdown
---
title: Side effects
description: Common side effects of a ketamine drip.
author: Ketamine Guide editorial team
medical_reviewer: Sam Poe, MD
last_reviewed: 2026-11-21
next_review: 2027-05-21
---
```
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache

from . import Example, Rule
from ..config import CONFIG_FILE, load_config
from ..errors import UsageError
from ..patterns import load_data

REQUIRED = ("title", "description", "author", "medical_reviewer", "last_reviewed", "next_review")
PENDING = {"pending", "tbd", "todo", "none", "n/a"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@lru_cache(maxsize=1)
def _name_words() -> tuple[frozenset[str], frozenset[str]]:
    data = load_data("person_names.yml")
    return frozenset(data["titles"]), frozenset(data["credentials"])


def person_key(name: object) -> str:
    """A name reduced for comparison: no credentials, titles, case, dots or extra spaces."""
    titles, credentials = _name_words()
    text = unicodedata.normalize("NFKC", str(name)).split(",", 1)[0].casefold()
    words = re.sub(r"[^\w\s'-]", " ", text).split()
    while words and words[0] in titles:
        words.pop(0)
    while words and words[-1] in credentials:
        words.pop()
    return " ".join(words)


def _people(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if v is not None and str(v).strip()]


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _applies(doc, ctx) -> bool:
    if doc.front_matter_line:
        return True
    key = "page-metadata.docs"
    if key not in ctx.extra:
        docs_dir = None
        if (ctx.root / CONFIG_FILE).is_file() or ctx.registry.present:
            try:
                mkdocs = load_config(ctx.root)[1]
            except UsageError:
                mkdocs = {}
            docs_dir = str(mkdocs.get("docs_dir") or "docs").strip("/")
        ctx.extra[key] = docs_dir
    docs_dir = ctx.extra[key]
    return docs_dir is not None and (docs_dir in (".", "") or doc.path.startswith(docs_dir + "/"))


def _key_line(doc, key: str) -> tuple[int, int]:
    """(line, column) of `key:` in the front matter, or of its opening `---`."""
    start = doc.front_matter_line or 1
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*:")
    for line in range(start + 1, doc.source.count("\n") + 2):
        text = doc.line_text(line)
        if text.strip() in ("---", "..."):
            break
        if pattern.match(text):
            return line, len(text) - len(text.lstrip()) + 1
    return start, 1


def _configured(ctx) -> bool:
    settings = ctx.config.rules.get(RULE.id)
    return bool(settings and settings.severity)


def _finding(ctx, doc, line, column, message, excerpt="", info_in_preview=False, **data):
    finding = ctx.at_line(RULE, doc.path, line, column, message, excerpt, data=data)
    if info_in_preview and ctx.mode == "preview" and not _configured(ctx):
        finding.severity = "info"
    return finding


def check(doc, ctx):
    if not _applies(doc, ctx):
        return
    if any(p.rule == "invalid-page" for p in doc.problems):
        return  # broken front matter or unreadable page: already reported, fields cannot be read
    if not doc.front_matter_line:
        yield _finding(
            ctx, doc, 1, 1,
            "This page has no front matter. Start it with `---` lines giving title, description, author, medical_reviewer, "
            "last_reviewed and next_review, so readers see who wrote and checked it, and when.",
            doc.line_text(1)[:200], info_in_preview=True, missing=list(REQUIRED),
        )
        return
    fm = doc.front_matter
    missing = [k for k in REQUIRED if fm.get(k) is None or (isinstance(fm.get(k), (str, list)) and not _people(fm.get(k)))]
    if missing:
        names = ", ".join(f"`{k}`" for k in missing)
        yield _finding(
            ctx, doc, doc.front_matter_line, 1,
            f"The front matter is missing {names}. A patient page names its author and medical reviewer and gives its review dates.",
            "---", missing=missing,
        )
    dates = {}
    for key in ("last_reviewed", "next_review"):
        if key in missing:
            continue
        value = _as_date(fm[key])
        line, col = _key_line(doc, key)
        if value is None:
            yield _finding(ctx, doc, line, col, f"`{key}: {fm[key]}` is not a valid date; write it as YYYY-MM-DD.", doc.line_text(line).strip()[:200], field=key)
        dates[key] = value
    last, nxt = dates.get("last_reviewed"), dates.get("next_review")
    if last and last > ctx.today:
        line, col = _key_line(doc, "last_reviewed")
        yield _finding(ctx, doc, line, col, f"`last_reviewed` ({last}) is in the future; give the date the page was last reviewed.", doc.line_text(line).strip(), field="last_reviewed")
    if nxt and last and nxt <= last:
        line, col = _key_line(doc, "next_review")
        yield _finding(ctx, doc, line, col, f"`next_review` ({nxt}) must come after `last_reviewed` ({last}).", doc.line_text(line).strip(), field="next_review")
    elif nxt and nxt < ctx.today:
        line, col = _key_line(doc, "next_review")
        yield _finding(ctx, doc, line, col, f"This page was due for review on {nxt}; review it and update `last_reviewed` and `next_review`.", doc.line_text(line).strip(), field="next_review")

    authors = {person_key(a): a for a in _people(fm.get("author"))}
    authors.pop("", None)
    reviewers = _people(fm.get("medical_reviewer"))
    if "medical_reviewer" not in missing:
        line, col = _key_line(doc, "medical_reviewer")
        if any(r.casefold() in PENDING for r in reviewers) and ctx.mode == "publish":
            yield _finding(
                ctx, doc, line, col,
                "This page has not had its medical review yet (`medical_reviewer: pending`); it cannot be published until a reviewer signs it off.",
                doc.line_text(line).strip(), field="medical_reviewer",
            )
        for reviewer in reviewers:
            if person_key(reviewer) in authors:
                yield _finding(
                    ctx, doc, line, col,
                    f"The page's medical reviewer ({reviewer}) is also its author; the medical review must be done by someone else.",
                    doc.line_text(line).strip(), field="medical_reviewer",
                )
    if not authors:
        return
    reported = set()
    for tag in doc.tags:
        for cid in tag.ids:
            entry = ctx.registry.claims.get(cid)
            if cid in reported or entry is None or entry.claim.review.status != "approved":
                continue
            approver = entry.claim.review.reviewer or ""
            if person_key(approver) in authors:
                reported.add(cid)
                yield _finding(
                    ctx, doc, tag.line, tag.column,
                    f"Claim `{cid}` was approved by {approver}, who is an author of this page ({authors[person_key(approver)]}). "
                    "A claim on a page must be approved by someone other than the page's author.",
                    tag.raw[:200], claim=cid, reviewer=approver,
                )


_GOOD = """---
title: Side effects
description: Common side effects of a ketamine drip.
author: Ketamine Guide editorial team
medical_reviewer: Sam Poe, MD
last_reviewed: 2025-01-15
next_review: 2099-05-21
---

Staff check your blood pressure during the drip.
"""

RULE = Rule(
    id="page-metadata",
    summary="A page's front matter names its author, medical reviewer and review dates, and the author is not the reviewer.",
    check=check,
    severity="warning",
    publish_severity="error",
    examples=[
        Example(_GOOD, False, "every field present, reviewer is not the author"),
        Example(_GOOD.replace("author: Ketamine Guide editorial team\n", ""), True, "no author"),
        Example(_GOOD.replace("Sam Poe, MD", "pending"), False, "not reviewed yet: accepted in preview, an error in publish mode"),
        Example(_GOOD.replace("Ketamine Guide editorial team", "Dr. Sam Poe"), True, "the author reviewed their own page"),
        Example(_GOOD.replace("2099-05-21", "next spring"), True, "not a date"),
        Example(_GOOD.replace("2099-05-21", "2020-01-01"), True, "next review before last review (and in the past)"),
    ],
)
