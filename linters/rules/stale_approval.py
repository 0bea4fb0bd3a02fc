"""stale-approval: an approved claim whose text changed after the reviewer signed it off.

## What it does
Compares each approved claim's stored `review.fingerprint` (taken by `review
approve` from the statement, facts, sources and quotes) with the fingerprint of
the claim as it is now. When they differ, it reports the claim once at its line
in the claims file, and again at every claim tag that cites it, so the writer
sees it on the page and the reviewer sees it in the registry. A warning in
preview, an error in publish mode.

## Why is this bad?
An approval is a signature on exact words and exact evidence. Someone edited
the claim afterwards (a number, a source, a quote), so the page now publishes
text no reviewer has seen, while the registry still says "approved".

## Example
```yaml
- id: infusion-duration
  statement: "One infusion runs over about 60 minutes."   # was 40, edited after approval
  review: {status: approved, reviewer: "Jane Roe, MD", fingerprint: sha256:3e36..., ...}
```

## Use instead
Undo the edit, or ask a reviewer to approve the claim as it now reads:
`python -m linters review approve infusion-duration --reviewer "Jane Roe, MD"`.
"""

from __future__ import annotations

from . import Rule
from ..model import Related
from ..review.status import is_stale, uses


def collect(doc, ctx):
    """The claim tags of one page: [(claim id, line, column, sentence)], small and picklable."""
    return [(cid, u.line, u.column, u.excerpt) for cid, found in uses([doc]).items() for u in found]


def check(collected, ctx):
    cited: dict[str, list[tuple[str, int, int, str]]] = {}
    for path, tags in collected.items():
        for cid, line, column, excerpt in tags:
            cited.setdefault(cid, []).append((path, line, column, excerpt))
    for cid, entry in ctx.registry.claims.items():
        if not is_stale(entry):
            continue
        review = entry.claim.review
        places = cited.get(cid, [])
        yield ctx.at_line(
            RULE,
            entry.path,
            entry.line,
            1,
            f"Claim `{cid}` was approved by {review.reviewer} on {review.approved_on}, but its statement, facts or sources "
            f"changed since (approved {review.fingerprint}, now {entry.fingerprint}). The approval does not cover the current text: "
            f'undo the edit or ask a reviewer to run `python -m linters review approve {cid} --reviewer "Name, credentials"`.',
            entry.claim.statement[:300],
            related=[Related(path, line, excerpt) for path, line, _col, excerpt in places[:20]],
            data={"claim": cid, "approved_fingerprint": review.fingerprint, "fingerprint": entry.fingerprint},
        )
        for path, line, column, excerpt in places:
            yield ctx.at_line(
                RULE,
                path,
                line,
                column,
                f"Claim `{cid}` changed after it was approved ({entry.path}:{entry.line}); it must be approved again before this page is published.",
                excerpt,
                related=[Related(entry.path, entry.line, entry.claim.statement[:200])],
                data={"claim": cid},
            )


RULE = Rule(
    id="stale-approval",
    summary="An approved claim changed after approval: its fingerprint no longer matches.",
    check=check,
    collect=collect,
    scope="corpus",
    severity="warning",
    publish_severity="error",
)
