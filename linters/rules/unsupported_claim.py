"""unsupported-claim: a sentence makes a medical claim and carries no claim tag.

## What it does
Flags a sentence that asserts efficacy, safety or risk, a statistic, a
mechanism stated as fact, regulatory or legal status, history stated as fact,
or a comparison, and does not end with a claim tag. Procedural and logistical
sentences ("Wear comfortable clothing"), questions, headings and advice to talk
to a clinician are not claims. The cue words live in `linters/data/claim_cues.yml`.

## Why is this bad?
A patient cannot tell a checked fact from a clinic's marketing. Every medical
claim on the site must point to a registry entry that names its source, the
exact supporting passage, and the reviewer who approved it.

## Example
```markdown
Ketamine helps about 70% of people with severe depression.
```

## Use instead
```markdown
In one study, about 7 in 10 people with hard-to-treat depression improved
after six infusions [[claim:murrough-six-infusions-response]].
```
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..patterns import PatternTimeout, Scanner, compile_pattern, load_data
from ..prepared import prepared
from .prohibited_claim import prohibited_spans
from . import Example, Rule

DATA = "claim_cues.yml"


@dataclass(frozen=True)
class Verdict:
    claim: bool
    kind: str  # the cue that decided: efficacy, statistic, ..., or why it is not a claim
    start: int = 0
    end: int = 0


# Strong cues that make even a procedural sentence a claim (unless the gate entry says otherwise).
_OVERRIDES = ("statistic", "research", "regulatory", "mechanism", "comparison", "history")


@lru_cache(maxsize=1)
def _compiled():
    """The cue patterns and their scanner, kept in the prepared store with their prefilters (see linters/prepared.py)."""
    data = load_data(DATA)
    return prepared("unsupported_claim_patterns", lambda: _compile(data), inputs=data)


def _compile(data: dict) -> dict:
    def words(p: str, where: str):
        return compile_pattern(r"(?<![\w-])(?:" + p + r")(?![\w-])", f"{DATA}: {where}")

    compiled = {
        "strong": [(c["kind"], words(c["pattern"], f"strong.{c['kind']}")) for c in data["strong"]],
        "content": [(c["kind"], words(c["pattern"], f"content.{c['kind']}")) for c in data["content"]],
        "gate": [
            (c["kind"], compile_pattern(c["pattern"], f"{DATA}: not_claims.{c['kind']}"), tuple(c.get("overridden_by", _OVERRIDES)))
            for c in data["not_claims"]
        ],
        "drug": compile_pattern(data["drug_subject"], f"{DATA}: drug_subject"),
        "explanation": compile_pattern(data["explanation"], f"{DATA}: explanation"),
        "safe_other": compile_pattern(data["safe_other_senses"], f"{DATA}: safe_other_senses"),
    }
    patterns = [p for group in ("strong", "content", "gate") for _, p, *_ in compiled[group]]
    compiled["scanner"] = Scanner([*patterns, compiled["drug"], compiled["explanation"], compiled["safe_other"]])
    return compiled


_SMALL_WORDS = frozenset("a an and as at but by for from in into of on or the to vs with without your you is are what how why when who can do does".split())


def _looks_like_title(text: str) -> bool:
    """A heading that lost its `#` (pages converted from HTML): Title Case, no final punctuation."""
    if text[-1:] in ".!?:;,\"'”’)":
        return False
    words = [w for w in text.split() if w[:1].isalpha()]
    if len(words) < 2 or len(words) > 14:
        return False
    content = [w for w in words if w.lower() not in _SMALL_WORDS]
    return bool(content) and sum(w[0].isupper() for w in content) / len(content) >= 0.8


def classify(text: str, heading: bool = False) -> Verdict:
    """Is this sentence a medical claim? The decision and the cue behind it."""
    c = _compiled()
    stripped = text.strip()
    if heading:
        return Verdict(False, "heading")
    if stripped.rstrip("\"'”’)").endswith("?"):
        return Verdict(False, "question")
    if len(stripped.split()) < 3:
        return Verdict(False, "fragment")
    if _looks_like_title(stripped):
        return Verdict(False, "heading")
    # Patterns are searched through a scan of the sentence, which skips those that cannot match.
    scan = c["scanner"].scan(stripped)
    # "safe ride home" is logistics, not a safety claim.
    scrubbed = stripped
    for m in scan.finditer(c["safe_other"]):
        scrubbed = scrubbed[: m.start()] + " " * (m.end() - m.start()) + scrubbed[m.end() :]
    if scrubbed is not stripped:
        scan = c["scanner"].scan(scrubbed)
    for kind, pattern, overrides in c["gate"]:
        if scan.search(pattern):
            for skind, spattern in c["strong"]:
                if skind in overrides:
                    m = scan.search(spattern)
                    if m:
                        return Verdict(True, skind, m.start(), m.end())
            m = scan.search(c["explanation"])
            if m:
                return Verdict(True, "risk", m.start(), m.end())
            return Verdict(False, kind)
    for group in ("strong", "content"):
        for kind, pattern in c[group]:
            m = scan.search(pattern)
            if m:
                return Verdict(True, kind, m.start(), m.end())
    m = scan.search(c["drug"])
    if m:
        return Verdict(True, "efficacy", m.start(), m.end())
    return Verdict(False, "no-cue")


_WHAT = {
    "statistic": "a statistic",
    "research": "a claim about what research shows",
    "mechanism": "a claim about how the drug works",
    "regulatory": "a claim about approval or legal status",
    "history": "a historical claim",
    "comparison": "a comparison with other treatments",
    "safety": "a claim about safety or side effects",
    "risk": "a claim about risks or side effects",
    "efficacy": "a claim about what the treatment does",
}


def check(doc, ctx):
    for sentence in doc.sentences:
        if sentence.tags:
            continue
        try:
            if prohibited_spans(sentence.text):
                continue  # prohibited-claim reports it: no source could make it acceptable
        except PatternTimeout:
            pass
        try:
            verdict = classify(sentence.text, heading=sentence.is_heading)
        except PatternTimeout as exc:
            yield ctx.at_sentence(RULE, doc, sentence, f"This sentence could not be checked in time ({exc}); shorten it or split it.")
            continue
        if not verdict.claim:
            continue
        what = _WHAT.get(verdict.kind, "a medical claim")
        yield ctx.at_sentence(
            RULE,
            doc,
            sentence,
            f"This sentence makes {what} but cites no source. End it with a claim tag such as [[claim:some-id]] "
            "pointing to a reviewed registry entry, or rewrite it as plain procedure or advice.",
            data={"kind": verdict.kind, "cue": sentence.text[verdict.start : verdict.end]},
        )


RULE = Rule(
    id="unsupported-claim",
    summary="A sentence makes a medical claim and carries no claim tag.",
    check=check,
    severity="error",
    examples=[
        Example("Recent research has shown that ketamine can provide rapid relief.", True),
        Example("Ketamine blocks NMDA receptors in the brain.", True),
        Example("It benefits 70% of people with severe depression.", True),
        Example("Ketamine is a Schedule III controlled substance.", True),
        Example("Common side effects include nausea and dizziness.", True),
        Example("Wear comfortable clothing to your appointment.", False),
        Example("Is ketamine safe?", False, "a question"),
        Example("Ask your doctor whether ketamine is right for you.", False, "advice to talk to a clinician"),
        Example("A nurse will check your blood pressure before the infusion starts.", False, "procedure"),
        Example("Ketamine blocks NMDA receptors in the brain [[claim:nmda-mechanism]].", False, "tagged"),
    ],
)
