"""expired-claim: an approved claim past its next review date.

## What it does
Reports an approved claim whose `review.next_review` is before today (or the
date given with `--today`), once at its line in the claims file and again at
every claim tag that cites it: a warning in preview, an error in publish mode.
A claim whose next review falls within the `expiring_days` window (default 60;
due today counts as expiring) gets one `info` finding in the claims file, in
both modes, so the review can be booked before the gate closes.

## Why is this bad?
Evidence moves: a new trial, a safety communication, a label change. Pharma
reviews approved claims periodically for this reason; an approval past its
review date is no longer a reviewer's current judgement.

## Example
```yaml
- id: infusion-duration
  review: {status: approved, reviewer: "Jane Roe, MD", approved_on: 2025-01-10, next_review: 2026-01-10, ...}
```
(checked on 2026-02-01)

## Use instead
A reviewer re-reads the claim and its sources and approves it again, which sets
a new next review date: `python -m linters review approve infusion-duration
--reviewer "Jane Roe, MD" --next-review 2027-02-01`.
"""

from __future__ import annotations

from . import Rule
from ..model import Related
from ..review.status import due
from .stale_approval import collect


def check(collected, ctx):
    cited: dict[str, list[tuple[str, int, int, str]]] = {}
    for path, tags in collected.items():
        for cid, line, column, excerpt in tags:
            cited.setdefault(cid, []).append((path, line, column, excerpt))
    window = ctx.config.expiring_days
    for cid, entry in ctx.registry.claims.items():
        review = entry.claim.review
        when, days_left = due(review, ctx.today, window)
        if when is None:
            continue
        places = cited.get(cid, [])
        data = {"claim": cid, "next_review": review.next_review.isoformat(), "days_left": days_left}
        if when == "expiring":
            finding = ctx.at_line(
                RULE,
                entry.path,
                entry.line,
                1,
                f"Claim `{cid}` is due for its periodic review on {review.next_review} ({days_left} days left). Book the review before it expires.",
                entry.claim.statement[:300],
                data={**data, "expiring": True},
            )
            finding.severity = "info"
            yield finding
            continue
        yield ctx.at_line(
            RULE,
            entry.path,
            entry.line,
            1,
            f"Claim `{cid}` was due for review on {review.next_review} ({-days_left} days ago); its approval by {review.reviewer} has expired. "
            f'A reviewer re-checks it and runs `python -m linters review approve {cid} --reviewer "Name, credentials"`.',
            entry.claim.statement[:300],
            related=[Related(path, line, excerpt) for path, line, _col, excerpt in places[:20]],
            data=data,
        )
        for path, line, column, excerpt in places:
            yield ctx.at_line(
                RULE,
                path,
                line,
                column,
                f"Claim `{cid}` is past its review date ({review.next_review}); it must be reviewed again before this page is published.",
                excerpt,
                related=[Related(entry.path, entry.line, entry.claim.statement[:200])],
                data=data,
            )


RULE = Rule(
    id="expired-claim",
    summary="An approved claim is past its next review date (and an info note when it is close).",
    check=check,
    collect=collect,
    scope="corpus",
    severity="warning",
    publish_severity="error",
)
