"""claim-drift: a tagged sentence's numbers or approval status differ from its claim.

## What it does
For a sentence that ends with a claim tag, compares what the sentence states
with the claim's structured `facts` in the registry:

- each number the sentence gives for a facet the claim has a fact for
  ("about 40 minutes", "6 to 12 infusions", "at least 2 hours") must lie in
  the claim's value or range, allowing for rounding ("55%" for 55.4%) and
  for approximators ("about 45 minutes" for about 40);
- each approval statement about the claim's product and use must have the
  claim's polarity ("is FDA approved" against `approved: false` drifts).

A number with no cue word is compared with the claim's fact of the same kind
(a time with a time, a count with a count) when the claim has only one such
facet. Numbers the claim has no fact for, and claims without `facts`, are not
checked here.

## Why is this bad?
A claim is reviewed and approved with its numbers. When the page says "6 to
12 infusions" and the approved claim says six, the reader sees a citation that
does not support the sentence, and the reviewer's approval no longer covers
what is published.

## Example
```markdown
A first course is usually 6 to 12 infusions [[claim:course-six-infusions]].
```
(the claim's fact is `course-infusions: 6`)

## Use instead
```markdown
In studies, a first course was often six infusions over 2 to 3 weeks [[claim:course-six-infusions]].
```
"""

from __future__ import annotations

from typing import Iterable

from ..model import Document, Finding
from ..quantities.compare import ClaimValue, claim_values, fits
from ..quantities.facts import (
    NumberFact,
    StatusFact,
    entity_of,
    facet_by_name,
    indication_of,
    related_indications,
    shared_page_facts,
)
from ..quantities.grammar import describe
from . import Example, Rule


def check(doc: Document, ctx) -> Iterable[Finding]:
    if not ctx.registry.claims or not doc.tags:
        return
    facts = shared_page_facts(doc)  # the contradiction rule reads the same facts
    cache: dict[str, list[ClaimValue]] = {}
    for line, column, where in facts.timeouts:
        if any(s.line == line and s.claim_ids for s in doc.sentences):
            yield ctx.at_line(RULE, doc.path, line, column, f"This sentence could not be checked in time ({where}); shorten it or split it.")
    for number in facts.numbers:
        if not number.place.claims:
            continue
        finding = _number_drift(ctx, number, cache)
        if finding is not None:
            yield finding
    for status in facts.statuses:
        if not status.place.claims:
            continue
        finding = _status_drift(ctx, status)
        if finding is not None:
            yield finding


def _values(ctx, cid: str, cache: dict) -> list[ClaimValue]:
    if cid not in cache:
        entry = ctx.registry.claims.get(cid)
        cache[cid] = claim_values(cid, entry.claim) if entry else []
    return cache[cid]


def _number_drift(ctx, number: NumberFact, cache: dict) -> Finding | None:
    values = [cv for cid in dict.fromkeys(number.place.claims) for cv in _values(ctx, cid, cache) if cv.kind == number.kind]
    if number.facet is not None:
        candidates = [cv for cv in values if cv.facet == number.facet]
    else:
        # No cue word: the claim says what the number is about, if it has one facet of this kind.
        candidates = values if len({cv.facet for cv in values}) == 1 else []
    if not candidates or not number.stated:
        return None
    for cv in candidates:
        if all(fits(v, number.step, number.tolerance, cv) for v in number.stated):
            return None
    cv = candidates[0]
    outside = [v for v in number.stated if not fits(v, number.step, number.tolerance, cv)]
    facet = facet_by_name(cv.facet)
    label = facet.label if facet else cv.facet
    shown = ", ".join(describe(number.kind, v, v, "value") for v in outside)
    more = f" (or any of its {len(candidates)} facts for this)" if len(candidates) > 1 else ""
    message = (
        f"\u201c{number.text}\u201d ({number.describe()}) differs from claim `{cv.claim}`{more}, whose {label} is "
        f"{cv.describe()}: {shown} is outside it. Make the sentence match the approved claim, or change the claim "
        f"(it will need review again)."
    )
    return _finding(ctx, number.place, message, number.text, {"claim": cv.claim, "facet": cv.facet, "value": number.describe(), "claimed": cv.describe()})


def _status_drift(ctx, status: StatusFact) -> Finding | None:
    candidates = []
    for cid in dict.fromkeys(status.place.claims):
        entry = ctx.registry.claims.get(cid)
        if entry is None:
            continue
        for fact in entry.claim.facts or []:
            if fact.facet != "regulatory-status" or fact.approved is None:
                continue
            if entity_of(fact.entity) != status.entity:
                continue
            if fact.regulator and fact.regulator.upper() != status.regulator.upper():
                continue
            candidates.append((cid, fact))
    if status.indication is not None:
        candidates = [(cid, f) for cid, f in candidates if related_indications(status.indication, indication_of(f.indication))]
    elif len({f.approved for _, f in candidates}) > 1:
        return None  # no indication named, and the claims cover uses with different status
    if not candidates or any(f.approved == status.approved for _, f in candidates):
        return None
    cid, fact = candidates[0]
    said = "approved" if status.approved else "not approved"
    claimed = "approved" if fact.approved else "not approved"
    use = f" for {fact.indication}" if fact.indication else ""
    message = (
        f"This sentence says {status.entity} is {said} by the {status.regulator}, but claim `{cid}` says it is {claimed}{use}. "
        f"Make the sentence match the claim."
    )
    return _finding(ctx, status.place, message, status.text, {"claim": cid, "approved": status.approved, "claimed": fact.approved})


def _finding(ctx, place, message: str, excerpt: str, data: dict) -> Finding:
    f = ctx.at_line(RULE, place.path, place.line, place.column, message, excerpt, data=data)
    f.end_line, f.end_column = place.end_line, place.end_column
    return f


RULE = Rule(
    id="claim-drift",
    summary="A tagged sentence's numbers or approval status differ from the structured facts of its claim.",
    check=check,
    severity="error",
    version="1",
    examples=[],  # they need a registry; tests/test_claim_drift.py runs them against one
)

# Sentences checked against the test registry in tests/test_claim_drift.py (the docs catalogue shows them).
EXAMPLES = [
    Example("A first course is usually 6 to 12 infusions [[claim:course-six-infusions]].", True, "12 is outside the claim's 6"),
    Example("In studies, a first course was often six infusions over 2 to 3 weeks [[claim:course-six-infusions]].", False),
    Example("One drip usually runs for about 45 minutes [[claim:infusion-duration]].", False, "about 45 fits about 40"),
    Example("One drip usually runs for 1.5 to 2 hours [[claim:infusion-duration]].", True),
    Example("IV ketamine is FDA approved for depression [[claim:ketamine-not-approved]].", True, "polarity"),
    Example("IV ketamine is not FDA approved for depression [[claim:ketamine-not-approved]].", False),
]
