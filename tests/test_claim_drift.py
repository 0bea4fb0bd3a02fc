"""claim-drift: a tagged sentence's numbers or approval status differ from its claim's structured facts."""

from __future__ import annotations

import pytest

from conftest import run_json
from linters.config import Config
from linters.context import Context
from linters.parse.page import parse_page
from linters.registry.load import load_registry
from linters.rules import claim_drift
from linters.rules.claim_drift import RULE

SOURCE = '{ref: murrough2013rapid, locator: Abstract, quote: "six IV infusions of ketamine"}'
CLAIMS = f"""\
claims:
  - id: course-six-infusions
    statement: "A first course was often six infusions over 2 to 3 weeks."
    category: procedure
    sources: [{SOURCE}]
    facts:
      - {{facet: course-infusions, subject: depression, value: 6, unit: infusion}}
      - {{facet: course-length, subject: depression, min: 2, max: 3, unit: week}}
    review: {{status: pending}}
  - id: infusion-duration
    statement: "One infusion usually runs over about 40 minutes."
    category: procedure
    sources: [{SOURCE}]
    facts:
      - {{facet: infusion-duration, subject: depression, value: 40, unit: minute, approx: true}}
    review: {{status: pending}}
  - id: ketamine-vs-ect-response
    statement: "In one trial, 55.4% responded to ketamine and 41.2% to ECT."
    category: statistic
    sources: [{SOURCE}]
    facts:
      - {{facet: response-rate, subject: depression-ketamine-arm-elektd-trial, value: 55.4, unit: percent}}
      - {{facet: response-rate, subject: depression-ect-arm-elektd-trial, value: 41.2, unit: percent}}
    review: {{status: pending}}
  - id: spravato-monitoring
    statement: "After each Spravato dose, staff watch the patient for at least 2 hours."
    category: regulatory
    sources: [{SOURCE}]
    facts:
      - {{facet: monitoring-time, subject: esketamine, min: 2, unit: hour}}
    review: {{status: pending}}
  - id: ketamine-not-approved
    statement: "Ketamine is not FDA approved for depression."
    category: regulatory
    sources: [{SOURCE}]
    facts:
      - {{facet: regulatory-status, entity: racemic-ketamine, regulator: FDA, indication: depression, approved: false}}
    review: {{status: pending}}
  - id: ketalar-and-spravato
    statement: "Ketalar is approved as an anesthetic; Spravato for treatment-resistant depression."
    category: regulatory
    sources: [{SOURCE}]
    facts:
      - {{facet: regulatory-status, entity: racemic-ketamine, regulator: FDA, indication: anesthesia, approved: true}}
      - {{facet: regulatory-status, entity: esketamine-nasal-spray, regulator: FDA, indication: treatment-resistant-depression, approved: true}}
    review: {{status: pending}}
  - id: no-facts
    statement: "Many people need several infusions."
    category: efficacy
    sources: [{SOURCE}]
    review: {{status: pending}}
"""


@pytest.fixture
def registry(site):
    root = site({"index.md": "# Home\n"}, claims=CLAIMS)
    reg = load_registry(root, "claims")
    assert not reg.problems, [p.message for p in reg.problems]
    return reg


def drift(registry, text: str):
    ctx = Context(registry=registry, config=Config(vale="off"))
    return list(RULE.check(parse_page("docs/a.md", text + "\n"), ctx))


@pytest.mark.parametrize("example", claim_drift.EXAMPLES, ids=lambda e: e.text[:50])
def test_documented_examples(registry, example):
    assert bool(drift(registry, example.text)) == example.flagged, example.note


CASES = [
    # sentence, drifts
    ("A course of six drips over 2 to 3 weeks is common in research [[claim:course-six-infusions]].", False),
    ("Up to six drips, three a week [[claim:course-six-infusions]].", False),  # the stated number is the claim's
    ("A first course is ten infusions [[claim:course-six-infusions]].", True),
    ("A first course of six infusions takes about 5 weeks [[claim:course-six-infusions]].", True),
    ("Two drips a week for 3 weeks [[claim:course-six-infusions]].", False),  # no cue word: the claim's only time facet
    ("55% had a response with the drug, and 41.2% with ECT [[claim:ketamine-vs-ect-response]].", False),  # rounding
    ("60% had a response with the drug [[claim:ketamine-vs-ect-response]].", True),
    ("Then staff must watch you for at least 2 hours [[claim:spravato-monitoring]].", False),
    ("Then staff must watch you for up to 1 hour [[claim:spravato-monitoring]].", True),
    ("Many people need several drips before they improve [[claim:no-facts]].", False),  # a claim without facts
    ("One drip usually runs for about 40 minutes.", False),  # untagged: nothing to compare with
    ("Ketamine drips for depression do not have this approval [[claim:ketamine-not-approved]].", False),
    ("Ketamine drips are FDA approved for depression [[claim:ketamine-not-approved]].", True),
    ("Approved as an anesthetic, not for low mood [[claim:ketalar-and-spravato, ketamine-not-approved]].", False),
    ("The FDA has approved Ketalar for surgery, and Spravato nasal spray for depression [[claim:ketalar-and-spravato]].", False),
    ("Spravato is not approved by the FDA for depression [[claim:ketalar-and-spravato]].", True),
]


@pytest.mark.parametrize("text, drifts", CASES, ids=[c[0][:60] for c in CASES])
def test_tagged_sentence_numbers_and_status_are_compared_with_the_claim(registry, text, drifts):
    found = drift(registry, text)
    assert bool(found) == drifts, [f.message for f in found]


def test_message_names_the_claim_the_value_and_what_is_outside(registry):
    (f,) = drift(registry, "A first course is usually 6 to 12 infusions [[claim:course-six-infusions]].")
    assert f.rule == "claim-drift" and f.severity == "error"
    assert "`course-six-infusions`" in f.message and "6 to 12 infusions" in f.message and "12 is outside" in f.message
    assert f.excerpt == "6 to 12 infusions"
    assert (f.line, f.column) == (1, 27)
    assert f.data["claim"] == "course-six-infusions"


def test_claim_drift_runs_from_the_command_line(site):
    root = site({"a.md": "# A\n\nOne drip usually runs for 1.5 to 2 hours [[claim:infusion-duration]].\n"}, claims=CLAIMS)
    code, report = run_json("check", cwd=root)
    found = [f for f in report["findings"] if f["rule"] == "claim-drift"]
    assert code == 1
    assert [(f["path"], f["line"]) for f in found] == [("docs/a.md", 3)]
    assert "infusion-duration" in found[0]["message"]
