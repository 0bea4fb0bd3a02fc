"""contradiction: incompatible statements of the same fact.

## What it does
Flags, as errors:

- an inverted or impossible range inside one sentence: "1.5 hours to 1.25
  hours", "60-45 minutes", "between $800 and $400", "120% of patients", a
  negative duration;
- two values of the same fact that cannot both be true, on one page or on two
  pages: "about 45 minutes to an hour" here and "1.25 to 1.5 hours" there, "six
  infusions" and "10 to 12 infusions", "at least 2 hours" and "30 minutes";
- two different categories for the same fact ("works on glutamate" and "works
  by increasing serotonin"; "Schedule III" and "Schedule I"; "given only in a
  certified clinic" and "used at home");
- a regulatory status stated both ways for the same product, regulator and
  use ("IV ketamine is not FDA approved for depression" and "ketamine
  infusions are FDA approved for depression").

Numbers are read with our own grammar (digits and number words, ranges with
"to", "-", "–", "between ... and", "from ... to", bounds such as "up to" and
"at least", approximators such as "about") and normalised with pint. Which
fact a number is about (its facet: infusion length, number of infusions,
monitoring time, ...) and whose fact it is (its subject: IV ketamine or
Spravato, depression or pain, first course or boosters) come from cue words
in `linters/data/facets.yml`. Values of the same facet and subject conflict
when their intervals do not overlap after tolerance: 20% for an approximate
value, 10% for an approximate range. "The infusion lasts 40 minutes" and
"pain infusions can last up to 4 hours" are different subjects, so they are
not compared. A single study's result ("In one trial, 46% ...") and what
"some patients" experience are not general facts and are not compared.
Tagged sentences count too; a claim's structured facts can say which facet
and study a tagged number belongs to.

Each finding names both sides: `related` gives the other place, and the
message says which values disagree and how. Pages are compared through an
index by facet and subject, so the check grows with the number of facts, not
with the square of the number of sentences.

## Why is this bad?
A site that says "about 45 minutes" on one page and "1.5 to 2 hours" on
another, or "FDA approved" here and "not FDA approved" there, tells a patient
that nobody checked it, and at least one of the two statements is wrong.

## Example
```markdown
A single infusion session typically takes approximately 1.5 hours to 1.25 hours.
```
and, on another page,
```markdown
Generally, this process takes about 45 minutes to an hour.
```

## Use instead
Say the same thing everywhere, backed by the same claim:
```markdown
In studies, one infusion usually runs for about 40 minutes [[claim:infusion-duration]].
```
"""

from __future__ import annotations

from dataclasses import replace
from itertools import islice
from typing import Iterable

from ..model import Finding, Related
from ..quantities.compare import claim_values, down, fits, up
from ..quantities.facts import (
    CategoryFact,
    NumberFact,
    PageFacts,
    StatusFact,
    facet_by_name,
    knowledge,
    normalise_claim_subject,
    shared_page_facts,
    umbrella_children,
)
from . import Example, Rule

MAX_RELATED = 3  # other places listed per finding


def collect(doc, ctx) -> PageFacts:
    """The page's facts and in-sentence range problems (picklable, cached with the page)."""
    return shared_page_facts(doc)


def check(collected: dict, ctx) -> Iterable[Finding]:
    pages: list[PageFacts] = [p for p in collected.values() if isinstance(p, PageFacts)]
    for page in pages:
        yield from _range_findings(page, ctx)
    yield from _number_findings(pages, ctx)
    yield from _category_findings(pages, ctx)
    yield from _status_findings(pages, ctx)


# ---------------------------------------------------------------- in one sentence


def _range_findings(page: PageFacts, ctx) -> Iterable[Finding]:
    for p in page.problems:
        yield _finding(ctx, p.place, p.message, p.place.excerpt, data={"check": p.kind, "value": p.text})
    for line, column, where in page.timeouts:
        yield ctx.at_line(RULE, page.path, line, column, f"This sentence could not be checked in time ({where}); shorten it or split it.")


# ---------------------------------------------------------------- numbers


def _number_findings(pages: list[PageFacts], ctx) -> Iterable[Finding]:
    claims_cache: dict[str, list] = {}
    groups: dict[tuple, list[NumberFact]] = {}
    for page in pages:
        for fact in page.numbers:
            fact = _refine(fact, ctx, claims_cache)
            if fact.facet is None or fact.existential or (fact.study or "").startswith("study@"):
                continue
            groups.setdefault(_key(fact), []).append(fact)
    for facts in groups.values():
        if len(facts) < 2:
            continue
        for i, witnesses in _conflicts(facts).items():
            yield _number_finding(ctx, facts[i], [facts[j] for j in witnesses])


def _refine(fact: NumberFact, ctx, cache: dict) -> NumberFact:
    """Use a tagged sentence's claim to name the facet, study and subject its numbers belong to."""
    if not fact.place.claims or not ctx.registry.claims:
        return fact
    values = []
    for cid in fact.place.claims:
        if cid not in cache:
            entry = ctx.registry.claims.get(cid)
            cache[cid] = claim_values(cid, entry.claim) if entry else []
        values.extend(cache[cid])
    same_kind = [cv for cv in values if cv.kind == fact.kind]
    if not same_kind:
        return fact
    facet = fact.facet
    if facet is None:
        facets = {cv.facet for cv in same_kind}
        if len(facets) != 1:
            return fact
        facet = facets.pop()
    subject = dict(fact.subject)
    study = fact.study
    for cv in same_kind:
        if cv.facet == facet and all(fits(v, fact.step, fact.tolerance, cv) for v in fact.stated):
            dims, claim_study = normalise_claim_subject(cv.subject)
            study = claim_study or study
            for dim, value in dims.items():
                if dim not in fact.explicit:
                    subject[dim] = value
            break
    return replace(fact, facet=facet, study=study, subject=tuple(subject.items()))


def _key(fact: NumberFact) -> tuple:
    facet = facet_by_name(fact.facet)
    dims = facet.subject if facet else ("entity", "indication")
    subject = dict(fact.subject)
    projected = tuple((d, subject[d]) for d in dims if d in subject)
    clinic = fact.clinic if "scope" in dims else False
    return (facet.id if facet else fact.facet, fact.kind, projected, fact.study, clinic)


def _conflicts(facts: list[NumberFact]) -> dict[int, list[int]]:
    """For each fact that disagrees with another of its group: up to MAX_RELATED others it disagrees with most.

    Sorting by widened ends finds them without comparing every pair: only the
    facts that end lowest can lie wholly below a given fact, and only those that
    start highest can lie wholly above it.
    """
    lows = [down(f.low, f.tolerance) for f in facts]
    highs = [up(f.high, f.tolerance) for f in facts]
    by_high = sorted(range(len(facts)), key=lambda j: highs[j])
    by_low = sorted(range(len(facts)), key=lambda j: -lows[j])
    out: dict[int, list[int]] = {}
    for i, f in enumerate(facts):
        found: list[int] = []
        seen: set[tuple] = set()
        for order, beyond in ((by_high, lambda j: highs[j] < lows[i]), (by_low, lambda j: lows[j] > highs[i])):
            for j in order:
                if not beyond(j) or len(found) >= MAX_RELATED:
                    break
                g = facts[j]
                if g.place.path == f.place.path and g.place.sentence == f.place.sentence:
                    continue  # two values in one sentence are a range, a comparison or an inverted range
                where = (g.place.path, g.place.line)
                if where not in seen:
                    seen.add(where)
                    found.append(j)
        if found:
            out[i] = found
    return out


def _subject_words(fact, dims: tuple[str, ...]) -> str:
    """The parts of a fact's subject that are not the site's defaults, for a message: " (esketamine)"."""
    k = knowledge()
    parts = []
    for dim, value in fact.subject:
        d = k.dimensions.get(dim)
        if dim in dims and d is not None and value != d.default:
            parts.append(value)
    if fact.study and fact.study.startswith(("study:", "claim:")):
        parts.append(fact.study.split(":", 1)[1])
    return f" ({', '.join(parts)})" if parts else ""


def _number_finding(ctx, fact: NumberFact, others: list[NumberFact]) -> Finding:
    facet = facet_by_name(fact.facet)
    label = facet.label if facet else fact.facet
    other = others[0]
    how = "is lower than" if fact.high < other.low else "is higher than"
    tol = " even with the tolerance for approximate values" if (fact.tolerance or other.tolerance) else ""
    here, there = fact.describe(), other.describe()
    message = (
        f"Conflicting values for {label}{_subject_words(fact, facet.subject if facet else ())}: \u201c{fact.text}\u201d "
        f"({here}) here {how} \u201c{other.text}\u201d ({there}) at {other.place.path}:{other.place.line}; "
        f"the two do not overlap{tol}. Make them agree (cite the same claim), or say what differs, such as the product or the condition."
    )
    return _finding(
        ctx,
        fact.place,
        message,
        fact.place.excerpt,
        related=[Related(o.place.path, o.place.line, o.place.excerpt) for o in others],
        data={"check": "values", "facet": fact.facet, "subject": dict(fact.subject), "value": here, "other": there},
    )


# ---------------------------------------------------------------- categories


def _category_findings(pages: list[PageFacts], ctx) -> Iterable[Finding]:
    k = knowledge()
    labels = {c.id: (c.label, c.subject) for c in k.categories}
    groups: dict[tuple, dict[tuple, list[CategoryFact]]] = {}
    for page in pages:
        for fact in page.categories:
            if (fact.study or "").startswith("study@"):
                continue
            _, dims = labels.get(fact.facet, (fact.facet, ("entity",)))
            subject = dict(fact.subject)
            key = (fact.facet, tuple((d, subject[d]) for d in dims if d in subject), fact.study)
            groups.setdefault(key, {}).setdefault(fact.values, []).append(fact)
    for by_values in groups.values():
        if len(by_values) < 2:
            continue
        for values, facts in by_values.items():
            # Distinct value sets are few, so comparing them pairwise stays cheap.
            others = [o for v, group in by_values.items() if not set(v) & set(values) for o in group]
            if not others:
                continue
            for fact in facts:
                witnesses = _other_places(fact, others)
                if not witnesses:
                    continue
                label, dims = labels.get(fact.facet, (fact.facet, ()))
                o = witnesses[0]
                message = (
                    f"Conflicting statements about {label}{_subject_words(fact, dims)}: here it is "
                    f"{' and '.join(fact.values)}, but {o.place.path}:{o.place.line} says {' and '.join(o.values)}. "
                    f"Make them agree, backed by the same claim."
                )
                yield _finding(
                    ctx,
                    fact.place,
                    message,
                    fact.place.excerpt,
                    related=[Related(w.place.path, w.place.line, w.place.excerpt) for w in witnesses],
                    data={"check": "category", "facet": fact.facet, "value": list(fact.values), "other": list(o.values)},
                )


# ---------------------------------------------------------------- regulatory status


def _status_findings(pages: list[PageFacts], ctx) -> Iterable[Finding]:
    index: dict[tuple, dict[bool, list[StatusFact]]] = {}
    for page in pages:
        for fact in page.statuses:
            # "not approved for any psychiatric disorder" also speaks about depression, PTSD, ...
            for indication in (fact.indication, *umbrella_children(fact.indication)):
                index.setdefault((fact.entity, fact.regulator, indication), {}).setdefault(fact.approved, []).append(fact)
    reported: set[tuple] = set()
    for key, by_polarity in index.items():
        if len(by_polarity) < 2:
            continue
        for polarity, facts in by_polarity.items():
            others = by_polarity[not polarity]
            for fact in facts:
                marker = (fact.place.path, fact.place.line, fact.place.column, fact.indication, fact.entity)
                if marker in reported:
                    continue
                witnesses = _other_places(fact, others)
                if not witnesses:
                    continue
                reported.add(marker)
                o = witnesses[0]
                entity, regulator, indication = key
                use = f" for {indication}" if indication else ""
                said = "approved" if fact.approved else "not approved"
                other_said = "approved" if o.approved else "not approved (or off-label)"
                message = (
                    f"Regulatory status stated both ways: here {entity} is {said} by the {regulator}{use}, but "
                    f"{o.place.path}:{o.place.line} says it is {other_said}. Check the status and cite the same regulatory claim on both pages."
                )
                yield _finding(
                    ctx,
                    fact.place,
                    message,
                    fact.place.excerpt,
                    related=[Related(w.place.path, w.place.line, w.place.excerpt) for w in witnesses],
                    data={"check": "regulatory", "entity": entity, "regulator": regulator, "indication": indication, "approved": fact.approved},
                )


def _other_places(fact, others: list) -> list:
    """Up to MAX_RELATED of `others` outside the fact's own sentence (stops early: a group may be large)."""
    here = (fact.place.path, fact.place.sentence)
    return list(islice((o for o in others if (o.place.path, o.place.sentence) != here), MAX_RELATED))


def _finding(ctx, place, message: str, excerpt: str, related=None, data=None) -> Finding:
    f = ctx.at_line(RULE, place.path, place.line, place.column, message, excerpt, related=list(related or []), data=data or {})
    f.end_line, f.end_column = place.end_line, place.end_column
    return f


RULE = Rule(
    id="contradiction",
    summary="Incompatible statements of the same fact: an inverted or impossible range, or conflicting values or status on one page or across pages.",
    check=check,
    collect=collect,
    scope="corpus",
    severity="error",
    version="1",
    examples=[
        Example("A single infusion session typically takes approximately 1.5 hours to 1.25 hours.", True, "inverted range"),
        Example("About 120% of patients responded to treatment.", True, "a share of people above 100%"),
        Example("Blood flow rose by up to 150% during the infusion.", False, "a change may exceed 100%"),
        Example("The infusion takes 40 minutes.\n\nEach infusion lasts 1.5 to 2 hours.", True, "two values on one page"),
        Example("The infusion lasts about 40 minutes.\n\nPain infusions can last up to 4 hours.", False, "different subjects"),
        Example("Most people have six infusions over 2 to 3 weeks.\n\nMost patients receive 6-12 infusions over two to three weeks.", False, "overlap"),
        Example("IV ketamine is not FDA approved for depression.\n\nKetamine infusions are FDA approved for depression.", True, "status both ways"),
        Example("Ketamine is FDA approved as an anesthetic.\n\nKetamine is not FDA approved for depression.", False, "different uses"),
        Example("Ketamine acts on glutamate rather than serotonin.\n\nKetamine works primarily by increasing serotonin.", True, "category"),
    ],
)
