"""prohibited-claim: statements no citation can make acceptable on a patient page.

## What it does
Flags absolute safety ("completely safe", "no side effects", "there are no
known long-term side effects", "not harmful"), cure and guarantee language,
"works for everyone", risk minimisation ("the side effects are pleasurable"),
"clinically proven", and "FDA approved" applied to something that is not
(IV ketamine for depression). The phrases live in `linters/data/prohibited.yml`,
each with its reason and source (ASA CAP Code 12.9, FTC Health Products
Compliance Guidance, FDA Bad Ad categories).

A phrase that is negated in its clause ("No treatment is completely safe"),
quoted, or reported in order to dispute it ("Be wary of clinics that promise a
cure") is not flagged.

## Why is this bad?
No medicine is free of risk, none works for everyone, and IV ketamine is not
FDA approved for any psychiatric disorder. Regulators treat these statements
as misleading whatever source is cited, and patients make decisions on them.

## Example
```markdown
Most importantly, there are no known long-term side effects.
```

## Use instead
```markdown
Long-term safety data are limited; frequent high-dose use has been linked to
bladder and memory problems [[claim:long-term-risks]].
```
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Iterator, NamedTuple

from ..patterns import Pattern, PatternTimeout, Scan, Scanner, compile_pattern, load_data
from ..prepared import prepared
from . import Example, Rule

DATA = "prohibited.yml"
_CLAUSE_BREAK = compile_pattern(r"[,;:()\u2014\u2013]|\bbut\b|\bhowever\b|\balthough\b|\bwhile\b|\bthough\b|\bunlike\b|\bwhereas\b", f"{DATA}: clause")
_NOT_AFTER = compile_pattern(r"(?:\s+\w+){0,2}\s+(?:is|are)\s+not\b|(?:\s+\w+){0,2}\s+(?:isn't|aren't)", f"{DATA}: approval (x is not)")
_QUOTES = {"\u201c": "\u201d", '"': '"', "\u2018": "\u2019"}


class _Compiled(NamedTuple):
    neg: Pattern
    before: Pattern
    after: Pattern
    phrases: list  # (data entry, pattern)
    approval: dict
    context: Pattern
    idioms: Pattern
    scanner: Scanner  # phrases, approval mentions and idioms
    phrase_patterns: tuple


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    """The phrase patterns and their scanner, kept in the prepared store with their prefilters (see linters/prepared.py)."""
    data = load_data(DATA)
    return prepared("prohibited_claim_patterns", lambda: _compile(data), inputs=data)


def _compile(data: dict) -> _Compiled:
    neg = compile_pattern(r"(?:\b(?:" + "|".join(w for w in data["negators"] if w != "n't") + r")\b|n't\b)", f"{DATA}: negators")
    before = compile_pattern(r"\b(?:" + "|".join(data["reporting_before"]) + r")\b", f"{DATA}: reporting_before")
    after = compile_pattern(r"\b(?:" + "|".join(data["reporting_after"]) + r")", f"{DATA}: reporting_after")
    phrases = [
        (entry, compile_pattern(r"(?<![\w-])(?:" + entry["pattern"] + r")(?![\w-])", f"{DATA}: {entry['id']}"))
        for entry in data["phrases"]
    ]
    ap = data["approval"]
    approval = {
        "entry": ap,
        "mention": compile_pattern(ap["mention"], f"{DATA}: approval.mention"),
        "negated": compile_pattern(r"\b(?:" + ap["negated_by"] + r")\b", f"{DATA}: approval.negated_by"),
        "allowed": compile_pattern(r"\b(?:" + ap["allowed_subjects"] + r")", f"{DATA}: approval.allowed_subjects"),
        "misuse": compile_pattern(r"(?:" + ap["misuse_subjects"] + r")", f"{DATA}: approval.misuse_subjects"),
        "subjects": compile_pattern(r"\b(?:" + ap["subjects"] + r")\b", f"{DATA}: approval.subjects"),
        "psychiatric": compile_pattern(r"\b(?:" + ap["psychiatric"] + r")", f"{DATA}: approval.psychiatric"),
        "acknowledged": compile_pattern(r"\b(?:" + ap["acknowledged"] + r")\b", f"{DATA}: approval.acknowledged"),
        "devices": compile_pattern(r"\b(?:" + ap["devices"] + r")\b", f"{DATA}: approval.devices"),
    }
    context = compile_pattern(r"\b(?:" + data["medical_context"] + r")\b", f"{DATA}: medical_context")
    idioms = compile_pattern(r"\b(?:" + data["idioms"] + r")\b", f"{DATA}: idioms")
    phrase_patterns = tuple(p for _, p in phrases)
    scanner = Scanner([*phrase_patterns, approval["mention"], idioms])
    return _Compiled(neg, before, after, phrases, approval, context, idioms, scanner, phrase_patterns)


def _clause_start(text: str, pos: int) -> int:
    start = 0
    for m in _CLAUSE_BREAK.finditer(text[:pos]):
        start = m.end()
    return start


def _inside_quotes(text: str, start: int) -> bool:
    for open_q, close_q in _QUOTES.items():
        depth_open = text.rfind(open_q, 0, start)
        if depth_open < 0:
            continue
        if open_q == close_q:
            if text.count(open_q, 0, start) % 2 == 1:
                return True
        elif text.rfind(close_q, 0, start) < depth_open:
            return True
    return False


def _disputed(text: str, start: int, end: int) -> bool:
    neg, before, after = _compiled()[:3]
    if neg.search(text[_clause_start(text, start) : start]):
        return True
    if before.search(text[:start]) or after.search(text[end:]):
        return True
    return _inside_quotes(text, start)


def prohibited_spans(text: str, question: str = "", neighbours: str = "") -> tuple:
    """(start, end, data entry) of each prohibited statement in one sentence.

    `question` is a question just before the sentence ("Side effects? There
    aren't any."), or the sentence before a fragment ("Say goodbye to pain.
    Forever."): a phrase may start in it but must end in the sentence.
    `neighbours` (the rest of the paragraph) count for the medical context, so
    "Six infusions. One cure." is read as being about treatment.
    """
    return _find(text, question, lambda: neighbours)


def _find(text: str, question: str, neighbours: Callable[[], str]) -> tuple:
    """`prohibited_spans`, with the neighbours put together only where the medical context matters."""
    c = _compiled()
    prefix = question + " " if question else ""
    # The medical context only matters where a phrase could match; most sentences hold none.
    medical = _scan(prefix + text).may_match_any(c.phrase_patterns) and any(
        c.context.search(t) for t in _lazily(text, question, neighbours) if t
    )
    if not question:
        return _spans(text, medical)
    return tuple((max(s - len(prefix), 0), e - len(prefix), entry) for s, e, entry in _spans(prefix + text, medical) if e > len(prefix))


def _lazily(text: str, question: str, neighbours: Callable[[], str]) -> Iterator[str]:
    yield text
    yield question
    yield neighbours()


@lru_cache(maxsize=8192)
def _scan(text: str) -> Scan:
    """The text with the needles of the rule's patterns found in it (see linters/patterns.py)."""
    return _compiled().scanner.scan(text)


@lru_cache(maxsize=8192)
def _spans(text: str, medical: bool) -> tuple:
    c = _compiled()
    phrases, approval, idioms = c.phrases, c.approval, c.idioms
    scan = _scan(text)
    found: list = []
    idiom_spans = [(m.start(), m.end()) for m in scan.finditer(idioms)]
    for entry, pattern in phrases if medical else ():
        for m in scan.finditer(pattern):
            if any(a <= m.start() < b for a, b in idiom_spans):
                continue
            if not _disputed(text, m.start(), m.end()):
                found.append((m.start(), m.end(), entry))
                break
    for m in scan.finditer(approval["mention"]):
        if _approval_misused(text, m.start(), m.end(), approval):
            found.append((m.start(), m.end(), approval["entry"]))
            break
    found.sort(key=lambda f: f[0])
    return tuple(found)


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    before = _clause_start(text, start)
    after = _CLAUSE_BREAK.search(text, end)
    return before, (after.start() if after else len(text))


def _approval_misused(text: str, start: int, end: int, approval: dict) -> bool:
    """Does this mention of FDA approval claim an approval that does not exist?"""
    lo, hi = _clause_bounds(text, start, end)
    if approval["negated"].search(text[lo:end]) or _disputed(text, start, end):
        return False
    # The clause of the mention, widened by one clause on the left for appositives
    # ("Ketamine, an anesthetic, is FDA approved").
    # and by one on the right for restrictions ("FDA approved, but only as an anesthetic").
    wide_lo = _clause_start(text, max(lo - 1, 0)) if lo else lo
    wide_hi = len(text)
    for nxt in _CLAUSE_BREAK.finditer(text, min(hi + 1, len(text))):
        if text[hi : nxt.start()].strip(" ,;:()\u2014\u2013"):
            wide_hi = nxt.start()
            break
    window = text[wide_lo:wide_hi]
    if approval["devices"].search(window) or approval["acknowledged"].search(text):
        return False
    misuse = any(
        not approval["negated"].search(window[max(0, mm.start() - 12) : mm.start()])
        and not _NOT_AFTER.match(window, mm.end())
        for mm in approval["misuse"].finditer(window)
    )
    allowed = approval["allowed"].search(window)
    if allowed and not misuse:
        return False
    if not allowed and not misuse and not approval["psychiatric"].search(text) and not approval["subjects"].search(window):
        return False
    return bool(approval["subjects"].search(text))


_RHETORICAL = compile_pattern(r"^(?:did you know|isn't it (?:time|great))\b", f"{DATA}: rhetorical questions")


def _near(doc, i: int) -> list:
    """The sentences just before and after sentence `i`, within the same paragraph."""
    sentence = doc.sentences[i]
    return [
        doc.sentences[j]
        for j in (i - 1, i + 1)
        if 0 <= j < len(doc.sentences)
        and doc.sentences[j].block == sentence.block
        and abs(doc.sentences[j].line - sentence.line) <= 1
    ]


def _question_before(doc, i: int) -> str:
    """A question just before ("Side effects? None."), or any sentence before a fragment ("... pain. Forever.")."""
    sentence = doc.sentences[i]
    for o in _near(doc, i):
        if o.index < sentence.index and (o.is_question or len(sentence.text.split()) <= 2):
            return o.text
    return ""


def check(doc, ctx):
    for i, sentence in enumerate(doc.sentences):
        if sentence.is_heading or (sentence.is_question and not _RHETORICAL.search(sentence.text)):
            continue
        try:
            spans = _find(sentence.text, _question_before(doc, i), lambda i=i: " ".join(o.text for o in _near(doc, i)))
        except PatternTimeout as exc:
            yield ctx.at_sentence(RULE, doc, sentence, f"This sentence could not be checked in time ({exc}); shorten it or split it.")
            continue
        for start, end, entry in spans:
            yield ctx.at_sentence(
                RULE,
                doc,
                sentence,
                entry["message"],
                start,
                end,
                data={"category": entry["category"], "phrase": entry["id"], "source": entry["source"]},
            )


RULE = Rule(
    id="prohibited-claim",
    summary="A statement no citation can make acceptable: absolute safety, cure, guarantee, misuse of FDA approval.",
    check=check,
    severity="error",
    examples=[
        Example("Most importantly, there are no known long-term side effects.", True),
        Example("Ketamine infusions are completely safe.", True),
        Example("IV ketamine is FDA approved for depression.", True),
        Example("And since the short-term side effects are pleasurable, it may be a good option.", True),
        Example("No treatment is completely safe.", False, "negated"),
        Example("Be wary of any clinic that promises a cure.", False, "reported to dispute it"),
        Example("Esketamine nasal spray is FDA approved for treatment-resistant depression.", False, "true approval"),
        Example("IV ketamine is not FDA approved for depression.", False, "negated approval"),
        Example("Ketamine is FDA approved as an anesthetic.", False, "true approval"),
        Example("Make sure you have a safe ride home.", False),
    ],
)
