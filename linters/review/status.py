"""Where each claim stands for a medical reviewer: pending, stale, expiring, expired, rejected, unused.

One definition of "stale" and "expired", used by `review list`, by the
`stale-approval` and `expired-claim` rules and by the site's registry page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Iterable

from ..model import Document
from ..registry.load import ClaimEntry, Registry
from ..registry.schema import Review
from .audit import AuditLog

# Most urgent first: the order of `review list`.
FLAGS = ("stale", "expired", "rejected", "expiring", "pending", "draft", "unused", "unaudited")
FLAG_MEANINGS = {
    "stale": "approved, but the statement, facts or sources changed since: the approval does not cover the current text",
    "expired": "approved, but past its next review date",
    "rejected": "a reviewer rejected it; pages must not cite it",
    "expiring": "approved, and its next review date falls within the window",
    "pending": "waiting for a medical reviewer",
    "draft": "still being written; not ready for review",
    "unused": "no page cites it",
    "unaudited": "approved, but the audit log has no approval of this exact content (edited by hand?)",
}


@dataclass(frozen=True)
class Use:
    """A page sentence that cites a claim."""

    path: str
    line: int
    column: int
    excerpt: str


def is_stale(entry: ClaimEntry) -> bool:
    """Approved, and what was approved (the stored fingerprint) is not what the claim says now."""
    review = entry.claim.review
    return review.status == "approved" and review.fingerprint != entry.fingerprint


def due(review: Review, today: date, window_days: int) -> tuple[str | None, int | None]:
    """("expired" | "expiring" | None, days until next_review) for an approved claim.

    Due on the day itself counts as expiring (0 days left); the day after, expired.
    """
    if review.status != "approved" or review.next_review is None:
        return None, None
    days_left = (review.next_review - today).days
    if days_left < 0:
        return "expired", days_left
    if days_left <= window_days:
        return "expiring", days_left
    return None, days_left


def uses(docs: Iterable[Document]) -> dict[str, list[Use]]:
    """claim id → the places that cite it, in page order."""
    found: dict[str, list[Use]] = {}
    for doc in docs:
        seen_offsets = set()
        for sentence in doc.sentences:
            for tag in sentence.tags:
                seen_offsets.add(tag.offset)
                for cid in dict.fromkeys(tag.ids):
                    if cid:
                        found.setdefault(cid, []).append(Use(doc.path, tag.line, tag.column, sentence.text[:300]))
        for tag in doc.tags:  # a tag outside any prose sentence still cites the claim
            if tag.offset not in seen_offsets:
                for cid in dict.fromkeys(tag.ids):
                    if cid:
                        found.setdefault(cid, []).append(Use(doc.path, tag.line, tag.column, doc.line_text(tag.line).strip()[:300]))
    return found


@dataclass
class ClaimState:
    id: str
    path: str
    line: int
    status: str
    flags: list[str]
    statement: str
    category: str
    sources: list[dict[str, Any]]
    reviewer: str | None
    approved_on: str | None
    next_review: str | None
    days_left: int | None  # until next_review, approved claims only
    fingerprint: str  # of the claim as it is now
    approved_fingerprint: str | None  # stored in review.fingerprint
    reason: str | None
    pages: list[Use] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def classify(registry: Registry, docs: Iterable[Document], today: date, window_days: int, audit: AuditLog | None = None) -> list[ClaimState]:
    """Every valid claim with its flags, most urgent first."""
    cited = uses(docs)
    approvals = audit.approvals() if audit is not None else None
    states = []
    for cid, entry in registry.claims.items():
        claim, review = entry.claim, entry.claim.review
        flags = []
        if is_stale(entry):
            flags.append("stale")
        when, days_left = due(review, today, window_days)
        if when:
            flags.append(when)
        if review.status in ("rejected", "pending", "draft"):
            flags.append(review.status)
        if cid not in cited and review.status not in ("rejected", "retired"):
            flags.append("unused")
        if approvals is not None and review.status == "approved" and (cid, review.fingerprint) not in approvals:
            flags.append("unaudited")
        sources = []
        for s in claim.sources:
            ref = registry.references.get(s.ref)
            data = ref.data if ref else {}
            sources.append(
                {
                    "ref": s.ref,
                    "locator": s.locator,
                    "quote": s.quote,
                    "title": data.get("title"),
                    "doi": data.get("DOI"),
                    "pmid": str(data["PMID"]) if data.get("PMID") is not None else None,
                    "url": data.get("URL"),
                }
            )
        states.append(
            ClaimState(
                id=cid,
                path=entry.path,
                line=entry.line,
                status=review.status,
                flags=flags,
                statement=claim.statement,
                category=claim.category,
                sources=sources,
                reviewer=review.reviewer,
                approved_on=_iso(review.approved_on),
                next_review=_iso(review.next_review),
                days_left=days_left,
                fingerprint=entry.fingerprint,
                approved_fingerprint=review.fingerprint,
                reason=review.reason,
                pages=cited.get(cid, []),
            )
        )
    states.sort(key=lambda s: (min((FLAGS.index(f) for f in s.flags), default=len(FLAGS)), s.path, s.line))
    return states
