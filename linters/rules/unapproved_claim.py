"""unapproved-claim: a page cites a claim that no medical reviewer has approved.

## What it does
Flags a claim tag whose registry claim is not `approved` (draft, pending,
rejected or retired). A warning while writing (`--mode preview`), an error at
the publish gate (`--mode publish`); a rejected or retired claim is always an
error.

## Why is this bad?
Patient pages go live only with claims a medical reviewer has signed off, the
way pharma's medical-legal-regulatory review works. Publishing a pending claim
skips that review.

## Example
```markdown
A course is often six infusions over two to three weeks [[claim:course-six-infusions]].
```
(with `review.status: pending` in the registry)

## Use instead
Ask a reviewer to run `python -m linters review approve course-six-infusions --reviewer "Name, MD"`.
"""

from __future__ import annotations

from . import Rule


def check(doc, ctx):
    for sentence in doc.sentences:
        for tag in sentence.tags:
            for cid in tag.ids:
                entry = ctx.registry.claims.get(cid)
                if entry is None:
                    continue
                status = entry.claim.review.status
                if status == "approved":
                    continue
                finding = ctx.at_line(
                    RULE,
                    doc.path,
                    tag.line,
                    tag.column,
                    f"Claim `{cid}` is {status}, not approved by a medical reviewer."
                    + (" It must not be published." if status in ("rejected", "retired") else " It cannot be published until it is approved."),
                    sentence.text[:300],
                    data={"claim": cid, "status": status},
                )
                if status in ("rejected", "retired"):
                    finding.severity = "error"
                yield finding


RULE = Rule(
    id="unapproved-claim",
    summary="A page cites a claim that a medical reviewer has not approved.",
    check=check,
    severity="warning",
    publish_severity="error",
)
