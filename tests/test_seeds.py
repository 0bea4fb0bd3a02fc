"""Acceptance on the five real clinic pages in ../shared/seeds (each non-empty line a paragraph)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SEEDS
from linters.config import Config
from linters.context import Context
from linters.pages import parse_bytes
from linters.registry.load import Registry
from linters.rules.prohibited_claim import RULE as PROHIBITED
from linters.rules.unsupported_claim import RULE as UNSUPPORTED

pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not present")


def seed(prefix: str):
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return parse_bytes(path.name, path.read_bytes())


def flagged(rule, doc) -> list[str]:
    ctx = Context(registry=Registry(), config=Config(vale="off"))
    return [f.excerpt if rule is UNSUPPORTED else next(s.text for s in doc.sentences if s.line == f.line and f.excerpt in s.text) for f in rule.check(doc, ctx)]


def contains(found: list[str], fragment: str) -> bool:
    return any(fragment in text for text in found)


PROHIBITED_IN_SEEDS = [
    ("002", "the short and long-term side effects are not harmful"),
    ("002", "there are no known long-term side effects"),
    ("002", "since the short-term side effects are pleasurable"),
    ("002", "The U.S. Food and Drug Administration approved Ketamine in a couple of forms"),
]


@pytest.mark.parametrize("prefix, fragment", PROHIBITED_IN_SEEDS)
def test_absolute_safety_minimisation_and_false_approval_are_prohibited(prefix, fragment):
    assert contains(flagged(PROHIBITED, seed(prefix)), fragment)


UNCITED = [
    # uncited statistics
    ("003", "remarkably benefits 70% of people suffering from severe depression"),
    ("004", "a well-established safety profile spanning over 50 years"),
    # uncited research claims
    ("000", "Recent research has shown that ketamine infusion therapy can provide rapid and effective relief"),
    ("000", "Clinical trials have shown ketamine’s efficacy in rapidly reducing depressive symptoms"),
    ("001", "recent research has unveiled its remarkable potential"),
    ("001", "There is also a growing body of evidence showing that ketamine is highly effective"),
    ("002", "Recent studies support its effectiveness"),
    ("002", "A multi-study review of Ketamine’s efficacy revealed"),
    ("003", "Researchers believe this surge in neuroplasticity"),
    ("004", "It has also proven effective in alleviating symptoms of anxiety"),
    # safety, mechanism, history, comparison
    ("003", "It is a very safe depression medication"),
    ("001", "Ketamine infusion therapy is safe and well-tolerated"),
    ("000", "ketamine, as a drug, works on NMDA receptors in your brain"),
    ("002", "Due to the misuse, President Nixon banned Ketamine"),
    ("000", "which can take weeks to work, you’ll likely feel ketamine’s effects within hours"),
]


@pytest.mark.parametrize("prefix, fragment", UNCITED)
def test_uncited_statistics_and_research_claims_are_unsupported(prefix, fragment):
    assert contains(flagged(UNSUPPORTED, seed(prefix)), fragment)


LOGISTICAL = [
    ("000", "Always discuss pricing and payment options with your provider."),
    ("000", "Avoid eating anything heavy for at least three hours before your session."),
    ("000", "A healthcare professional will start by cleaning the area where the IV will be placed."),
    ("000", "Contact PMC for your Ketamine Therapy Consultation today!"),
    ("001", "Your healthcare provider will discuss the potential risks and benefits with you before starting treatment."),
    ("001", "Once deemed suitable, the infusion sessions will be scheduled based on your personalized treatment plan."),
    ("002", "You will be taken to a quiet, relaxing room when you arrive for treatment."),
    ("002", "You will not receive a prescription or doses to take home with you."),
    ("004", "During the treatment session, you will be asked to lie down in a comfortable bed"),
    ("004", "Ultimately, it’s up to you and your healthcare provider to decide"),
]


@pytest.mark.parametrize("prefix, fragment", LOGISTICAL)
def test_plainly_logistical_sentences_are_not_flagged(prefix, fragment):
    doc = seed(prefix)
    assert any(fragment in s.text for s in doc.sentences), "fixture sentence not found"
    assert not contains(flagged(UNSUPPORTED, doc), fragment)
    assert not contains(flagged(PROHIBITED, doc), fragment)


def test_seed_headings_without_markup_are_not_claims():
    found = flagged(UNSUPPORTED, seed("001"))
    assert not contains(found, "Conditions Treated With Ketamine Infusion Therapy")
