"""reading-level: a page reads above its grade target.

## What it does
Measures each page's prose with SMOG (the grade formula preferred for health
material), the Flesch-Kincaid grade and Flesch Reading Ease, and flags a page
whose SMOG grade is above its target. The finding names the page's three
hardest sentences with their lines, hardest first, and sits on the first of
them. Every page's numbers go into the JSON report's `pages` list, flagged or
not.

What is measured: the sentences a reader reads in running text: paragraphs,
lists, tables, block quotes, admonition and tab bodies, definitions.
Headings (and admonition and tab titles) are left out: they are labels, not
sentences, and counting them would make a page look easier than it reads.
Code, HTML comments, front matter, link targets, bare web addresses and claim
tags are never prose. As in textstat, a "sentence" of one or two words adds
its words but is not counted as a sentence.

The target is grade 8 (`reading_level` in the `medical-claims` block of
`mkdocs.yml`); a page sets its own with `reading_level: 12` in its front
matter (a page written for clinicians, say).

A page with fewer than 10 sentences is judged as if it had 10, the missing
ones free of long words. SMOG was built on samples of 30 sentences; on two or
three sentences one long word moves the grade by several points, so a short
note with a couple of long words is not flagged, while a short page packed
with them still is. Its numbers in the report are its own, unpadded.

The hardest sentences are those that raise the page's grade most: the page's
grade (the mean of SMOG and Flesch-Kincaid) with the sentence minus without
it. Long sentences full of words of three syllables or more come first;
fragments of one or two words (a glossary label, a table cell) are not listed.

Severity: warning while writing (preview), error in publish. The target is
the site's editorial standard and the publish gate enforces it; a page that
must read harder says so in its front matter, where a reviewer sees it.

## Why is this bad?
Most adults read health information best at grade 6 to 8, and most health
pages online sit at 10 to 12. A patient who cannot follow the page cannot
weigh a treatment's risks.

## Example
```markdown
Ketamine is administered intravenously under continuous cardiovascular
monitoring, and patients experiencing dissociative phenomena are
observed until resolution of perceptual disturbances.
```

## Use instead
```markdown
You get ketamine through a drip in your arm. Staff check your heart and
blood pressure the whole time. You may feel cut off from your body. Staff
stay with you until this passes.
```
"""

from __future__ import annotations

import heapq
import numbers
from dataclasses import dataclass

from .. import readability
from ..model import Document, Sentence
from . import Example, Rule

MIN_SENTENCES = 10  # a shorter page is judged as if padded to this many easy sentences (see the docstring)
HARDEST = 3  # sentences named in a finding
FRONT_MATTER_KEY = "reading_level"


@dataclass(frozen=True)
class HardSentence:
    sentence: Sentence
    counts: readability.Counts
    lift: float  # how much the sentence raises the page's grade

    def as_dict(self) -> dict:
        return {
            "line": self.sentence.line,
            "column": self.sentence.column,
            "text": self.sentence.text,
            "words": self.counts.words,
            "long_words": self.counts.polysyllables,
            "lift": round(self.lift, 2),
        }


@dataclass(frozen=True)
class Assessment:
    metrics: readability.Metrics
    hardest: list[HardSentence]  # hardest first
    totals: readability.Totals

    @property
    def judged_grade(self) -> float:
        """SMOG as the rule judges it: a short page padded to MIN_SENTENCES sentences without long words."""
        if self.metrics.sentences >= MIN_SENTENCES:
            return self.metrics.smog
        return readability.smog(self.totals.polysyllables, MIN_SENTENCES)


def is_measured(sentence: Sentence) -> bool:
    return not sentence.is_heading


def assess(doc: Document, top: int = HARDEST) -> Assessment:
    """The page's metrics and its `top` hardest sentences, counting each sentence once."""
    measured = [(s, readability.count(s.text)) for s in doc.sentences if is_measured(s)]
    counts = [c for _, c in measured]
    totals = readability.Totals.of(counts)
    # Fragments of one or two words ("Anesthetic", a table cell "Yes") are not sentences to rewrite.
    candidates = [(s, c) for s, c in measured if c.is_sentence]
    lifts = readability.grade_lifts(totals, [c for _, c in candidates])
    ranked = heapq.nsmallest(top, zip(lifts, candidates), key=lambda x: (-x[0], -x[1][1].words, x[1][0].index))
    hardest = [HardSentence(s, c, lift) for lift, (s, c) in ranked]
    return Assessment(readability.metrics(counts), hardest, totals)


def page_target(doc: Document, site_target: float) -> tuple[float, str | None]:
    """(target, problem): the front matter's `reading_level` if valid, else the site's."""
    if FRONT_MATTER_KEY not in doc.front_matter:
        return site_target, None
    value = doc.front_matter[FRONT_MATTER_KEY]
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and 1 <= value <= 20:
        return float(value), None
    shown = str(value) if len(str(value)) <= 40 else str(value)[:37] + "..."
    return site_target, f"`{FRONT_MATTER_KEY}: {shown}` is not a grade: write a number from 1 to 20 (e.g. `{FRONT_MATTER_KEY}: 12`). Using the site's target, grade {site_target:g}."


def _front_matter_key_line(doc: Document) -> int:
    line = max(doc.front_matter_line, 1)
    for n in range(line, line + 200):
        text = doc.line_text(n)
        if text.startswith(FRONT_MATTER_KEY):
            return n
        if n > line and text.strip() == "---":
            break
    return line


def _opening(text: str, words: int = 8) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def check(doc, ctx):
    result = assess(doc)
    target, problem = page_target(doc, ctx.config.reading_level)
    doc.metrics["reading"] = {**result.metrics.as_dict(), "target": target}
    if problem:
        line = _front_matter_key_line(doc)
        yield ctx.at_line(RULE, doc.path, line, 1, problem, doc.line_text(line)[:200])
    # Judged on the grade as shown (one decimal), so "8.0" is never "above 8".
    if round(result.judged_grade, 1) <= target or not result.hardest:
        return
    own = "this page's target" if FRONT_MATTER_KEY in doc.front_matter and not problem else "the site's target"
    listed = "; ".join(f"line {h.sentence.line} “{_opening(h.sentence.text)}” ({h.counts.words} words, {h.counts.polysyllables} of 3+ syllables)" for h in result.hardest)
    first = result.hardest[0]
    yield ctx.at_sentence(
        RULE,
        doc,
        first.sentence,
        f"This page reads at grade {result.metrics.smog:.1f} (SMOG), above {own} of {target:g}. "
        f"Hardest sentences: {listed}. Split long sentences and use shorter, everyday words.",
        data={
            "metrics": result.metrics.as_dict(),
            "target": target,
            "hardest": [h.as_dict() for h in result.hardest],
        },
    )


_HARD_PAGE = "\n\n".join(
    [
        "Ketamine is administered intravenously under continuous cardiovascular monitoring by anesthesiology personnel.",
        "Patients experiencing dissociative phenomena are observed until resolution of perceptual disturbances.",
        "Contraindications include uncontrolled hypertension, psychotic disorders and significant cardiovascular disease.",
        "Administration typically occurs over approximately forty minutes in a monitored environment.",
        "Individuals considering treatment should evaluate alternative therapeutic interventions with a psychiatrist.",
        "Subsequent infusions are individualized according to therapeutic response and tolerability.",
        "Transient elevations in blood pressure frequently accompany administration of the medication.",
        "Documentation of previous psychiatric hospitalization facilitates appropriate treatment determination.",
        "Concomitant benzodiazepine utilization may diminish therapeutic effectiveness considerably.",
        "Comprehensive evaluation precedes initiation of the treatment protocol in every facility.",
    ]
)
_EASY_PAGE = "\n\n".join(
    [
        "You get the drug through a thin tube in your arm.",
        "A nurse stays with you the whole time.",
        "The drip takes about forty minutes.",
        "You may feel odd or far away for a while.",
        "This feeling goes away soon after the drip ends.",
        "Your blood pressure may go up for a short time.",
        "Staff check it before, during and after the drip.",
        "Bring a friend who can drive you home.",
        "Do not drive until the next day.",
        "Call us if you have any questions at all.",
    ]
)

_SHORT_NOTE = "Bring a list of your medications. Your physician will check it with you."

RULE = Rule(
    id="reading-level",
    summary="A page reads above its grade target (SMOG); the finding names its hardest sentences.",
    check=check,
    severity="warning",
    publish_severity="error",
    examples=[
        Example(_HARD_PAGE, True, "ten long sentences full of long words"),
        Example(_EASY_PAGE, False, "ten short sentences of everyday words"),
        Example("---\nreading_level: 18\n---\n\n" + _HARD_PAGE, False, "the page sets its own target"),
        Example(_SHORT_NOTE, False, "a short note: two long words do not make it hard"),
        Example("\n\n".join(_HARD_PAGE.split("\n\n")[:4]), True, "a short page packed with long words"),
    ],
)
