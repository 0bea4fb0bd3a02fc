"""The registry page for medical reviewers: every claim, its review state and flags, its sources, where it is used, and the audit log.

The flags (stale, expired, expiring, unused, unaudited) come from
`linters.review.status.classify`, the same judgement `review list` and the
review rules use. Every value from the registry, the pages or the audit log is
escaped here; the page is Markdown with raw HTML blocks, which Markdown passes
through untouched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from html import escape, unescape
from typing import Callable, Iterable

from ..model import Finding
from ..registry.load import Registry
from ..review.audit import AuditLog
from ..review.status import FLAG_MEANINGS, ClaimState, Use
from .references import citation_html, clean, tooltip

STATUSES = ("approved", "pending", "draft", "rejected", "retired")
FILTER_FLAGS = ("stale", "expired", "expiring", "unused", "unaudited")
TABLE_ID = "claims-registry-table"  # not "claims-registry": that is the id of the page title

# path of a page (relative to the project root) -> (href relative to the registry page, page title), or None
PageLink = Callable[[str], "tuple[str, str] | None"]


def _t(value) -> str:
    return escape(clean(value)) if value not in (None, "") else ""


def _filters(states: list[ClaimState]) -> str:
    def button(key: str, label: str, count: int, title: str, pressed: bool = False) -> str:
        return (
            f'<button type="button" class="claims-filter-button" data-filter="{escape(key)}" aria-pressed="{str(pressed).lower()}"'
            f' title="{escape(tooltip(title))}">{escape(label)} <span class="claims-filter-count">{count}</span></button>'
        )

    buttons = [button("all", "All", len(states), "every claim", pressed=True)]
    for status in STATUSES:
        n = sum(1 for s in states if s.status == status)
        buttons.append(button(f"status:{status}", status, n, f"claims whose review status is {status}"))
    for flag in FILTER_FLAGS:
        n = sum(1 for s in states if flag in s.flags)
        buttons.append(button(f"flag:{flag}", flag, n, FLAG_MEANINGS.get(flag, flag)))
    return (
        f'<div class="claims-filter" data-claims-filter="{TABLE_ID}" role="toolbar" aria-label="Filter claims" hidden>'
        f'<span class="claims-filter-label">Show:</span> {" ".join(buttons)} '
        f'<span class="claims-filter-shown" aria-live="polite"></span></div>'
    )


def _status_cell(state: ClaimState) -> str:
    badges = [f'<span class="claim-status claim-status--{escape(state.status)}">{escape(state.status)}</span>']
    for flag in state.flags:
        if flag == state.status:
            continue
        badges.append(f'<span class="claim-flag claim-flag--{escape(flag)}" title="{escape(tooltip(FLAG_MEANINGS.get(flag, flag)))}">{escape(flag)}</span>')
    return " ".join(badges)


def _review_cell(state: ClaimState) -> str:
    rows = [
        ("Reviewer", _t(state.reviewer) or "—"),
        ("Approved", _t(state.approved_on) or "—"),
        ("Next review", (_t(state.next_review) + (f" ({state.days_left} days)" if state.days_left is not None else "")) or "—"),
    ]
    if state.reason:
        rows.append(("Reason", _t(state.reason)))
    return '<dl class="claim-review">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def _sources_cell(state: ClaimState, registry: Registry) -> str:
    if not state.sources:
        return '<p class="claim-no-source">No source yet.</p>'
    items = []
    for source in state.sources:
        ref = registry.references.get(source["ref"])
        items.append(
            "<li>"
            + citation_html(source["ref"], ref.data if ref else None)
            + f'<blockquote class="claim-quote">{_t(source["quote"])}</blockquote>'
            + f'<p class="claim-quote-meta">Where: {_t(source["locator"])}</p>'
            + "</li>"
        )
    return f'<ol class="claim-sources">{"".join(items)}</ol>'


def _uses_cell(uses: list[Use], page_link: PageLink) -> str:
    if not uses:
        return '<p class="claim-unused">Not cited on any page.</p>'
    items = []
    for use in uses:
        link = page_link(use.path)
        where = f"{escape(use.path)}:{use.line}"
        if link is not None:
            href, title = link
            items.append(f'<li><a href="{escape(href)}">{_t(title)}</a> <span class="claim-use-where">{where}</span></li>')
        else:
            items.append(f"<li>{where}</li>")
    return f'<ul class="claim-uses">{"".join(items)}</ul>'


def _row(state: ClaimState, registry: Registry, page_link: PageLink) -> str:
    flags = " ".join(state.flags)
    return (
        f'<tr class="claim-row" id="claim-{escape(state.id)}" data-status="{escape(state.status)}" data-flags="{escape(flags)}">'
        f'<td class="claim-main"><code class="claim-id">{escape(state.id)}</code>'
        f'<p class="claim-statement">{_t(state.statement)}</p>'
        f'<p class="claim-category">{_t(state.category)} · <span class="claim-file">{escape(state.path)}:{state.line}</span></p></td>'
        f'<td class="claim-state">{_status_cell(state)}</td>'
        f"<td>{_review_cell(state)}</td>"
        f"<td>{_sources_cell(state, registry)}</td>"
        f"<td>{_uses_cell(state.pages, page_link)}</td>"
        "</tr>"
    )


def _table(states: list[ClaimState], registry: Registry, page_link: PageLink) -> str:
    head = "".join(f'<th scope="col">{h}</th>' for h in ("Claim", "Status", "Review", "Sources and quotes", "Used on"))
    body = "".join(_row(s, registry, page_link) for s in states)
    return f'<div class="claims-registry-wrap"><table class="claims-registry" id="{TABLE_ID}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _audit(audit: AuditLog, known: Iterable[str]) -> str:
    known = set(known)
    parts = []
    if audit.problems:
        items = "".join(f"<li>{_t(p)}</li>" for p in audit.problems)
        parts.append(f'<div class="admonition warning"><p class="admonition-title">Problems in the audit log</p><ul>{items}</ul></div>')
    if not audit.records:
        parts.append("<p>No review decisions recorded yet.</p>")
        return "\n".join(parts)
    rows = []
    for record in sorted(audit.records, key=lambda r: str(r.get("time", "")), reverse=True):
        cid = clean(record.get("claim", ""))
        claim = f'<a href="#claim-{escape(cid)}"><code>{escape(cid)}</code></a>' if cid in known else f"<code>{escape(cid)}</code>"
        fingerprint = clean(record.get("fingerprint") or "")
        rows.append(
            "<tr>"
            f'<td><time datetime="{_t(record.get("time"))}">{_t(record.get("time"))}</time></td>'
            f"<td>{claim}</td>"
            f'<td><span class="claim-decision claim-decision--{escape(clean(record.get("decision", "")))}">{_t(record.get("decision"))}</span></td>'
            f'<td>{_t(record.get("reviewer"))}</td>'
            f'<td>{_t(record.get("reason"))}</td>'
            f'<td>{_t(record.get("next_review"))}</td>'
            f'<td><code title="{escape(tooltip(fingerprint))}">{escape(fingerprint[:12])}</code></td>'
            f'<td>{_t(record.get("statement"))}</td>'
            "</tr>"
        )
    head = "".join(f'<th scope="col">{h}</th>' for h in ("Time (UTC)", "Claim", "Decision", "Reviewer", "Reason", "Next review", "Fingerprint", "Statement as decided"))
    parts.append(f'<div class="claims-registry-wrap"><table class="claims-audit"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')
    return "\n".join(parts)


def _problems(problems: list[Finding]) -> str:
    if not problems:
        return ""
    items = "".join(f"<li>{escape(f.path)}:{f.line}: {_t(f.message)}</li>" for f in problems)
    return f'<div class="admonition failure"><p class="admonition-title">Problems in the registry</p><ul>{items}</ul></div>'


@dataclass(frozen=True)
class RegistryPage:
    """The registry page as Markdown whose two large HTML blocks (the claims table, the audit log) are placeholders.

    Markdown passes an HTML block through as it is, but only after two HTML parsers
    (Python-Markdown's and MkDocs' search for anchors) have read it: on a large site
    that took longer than the rest of the page. So the blocks go in after rendering.
    """

    markdown: str
    blocks: dict[str, str]  # placeholder -> the HTML block it stands for

    def full_markdown(self) -> str:
        return self.put_back(self.markdown)

    def put_back(self, text: str) -> str:
        """`text` with each placeholder replaced by its block."""
        for placeholder, block in self.blocks.items():
            text = text.replace(placeholder, block)
        return text

    def html(self, rendered: str) -> str | None:
        """The rendered page with its blocks in; None when a placeholder is not there exactly once (something changed the page)."""
        if any(rendered.count(placeholder) != 1 for placeholder in self.blocks):
            return None
        return self.put_back(rendered)

    @cached_property
    def anchor_ids(self) -> set[str]:
        """The ids in the blocks, which MkDocs would have found in them: links to `registry.md#claim-...` are checked against them."""
        return {unescape(m.group(1)) for block in self.blocks.values() for m in _ID.finditer(block)}


_ID = re.compile(r'<[a-zA-Z][^<>]*?\sid="([^"]*)"')  # every id here is written as ` id="..."` (see `_row`, `_table`)


def registry_page(
    states: list[ClaimState],
    registry: Registry,
    audit: AuditLog,
    page_link: PageLink,
    today: date,
    claims_dir: str,
    problems: list[Finding] = (),
) -> RegistryPage:
    """The whole page: Markdown for MkDocs to render (headings for the table of contents, HTML for the rest), and its large blocks."""
    counts = ", ".join(f"{sum(1 for s in states if s.status == st)} {st}" for st in STATUSES if any(s.status == st for s in states)) or "none"
    intro = (
        f"<p>Every claim a page may cite, from <code>{escape(claims_dir)}/</code>, as of {today.isoformat()}: "
        f"{len(states)} claims ({escape(counts)}). A page may state a claim only in the approved wording, "
        "and only while its approval is current. Flags: "
        + "; ".join(f"<strong>{escape(f)}</strong>: {escape(FLAG_MEANINGS[f])}" for f in FILTER_FLAGS if f in FLAG_MEANINGS)
        + ".</p>"
    )
    # placeholders: one-line HTML blocks, which Markdown passes through as it does the blocks themselves
    blocks = {
        '<div class="medical-claims-block" data-block="claims"></div>': _table(states, registry, page_link),
        '<div class="medical-claims-block" data-block="audit"></div>': _audit(audit, (s.id for s in states)),
    }
    table, audit_log = blocks
    text = "\n\n".join(
        [
            # not in the site's search (Material honours `search: exclude`): the registry is for reviewers,
            # who filter it; a patient's search for "approved" should find the pages, not the review table
            "---\ntitle: Claims registry\nhide:\n  - toc\nsearch:\n  exclude: true\n---",
            "# Claims registry",
            intro,
            _problems(list(problems)),
            _filters(states),
            table,
            "## Audit log",
            f"<p>Every approval and rejection, newest first, from <code>{escape(claims_dir)}/audit.jsonl</code>.</p>",
            audit_log,
        ]
    ).replace("\n\n\n\n", "\n\n") + "\n"
    return RegistryPage(markdown=text, blocks=blocks)
