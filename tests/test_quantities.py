"""The quantity grammar: numbers, units, ranges and bounds, normalised with pint; facets and subjects."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linters.parse.page import parse_page
from linters.quantities import find_mentions, page_facts, unit_registry
from linters.quantities.facts import clauses, knowledge, literal_stems
from linters.quantities.grammar import describe

INF = math.inf


def only(text: str):
    found = [m for m in find_mentions(text) if m.kind is not None or m.shape != "value"]
    assert len(found) == 1, (text, [(m.text, m.kind) for m in found])
    return found[0]


# text, kind, low, high (base units: minutes, %, mg/kg, mg, $, count), shape, approximate
PARSES = [
    ("The infusion takes 40 minutes.", "time", 40, 40, "value", False),
    ("The infusion takes an hour.", "time", 60, 60, "value", False),
    ("Each infusion takes roughly one and a half hours.", "time", 90, 90, "value", True),
    ("The infusion lasts about an hour and a half.", "time", 90, 90, "value", True),
    ("You'll rest for roughly half an hour.", "time", 30, 30, "value", True),
    ("Generally, this process takes about 45 minutes to an hour.", "time", 45, 60, "range", True),
    ("Infusions last 40–60 minutes.", "time", 40, 60, "range", False),
    ("The infusion lasts 40 – 50 minutes.", "time", 40, 50, "range", False),
    ("Infusions last 35-45 minutes.", "time", 35, 45, "range", False),
    ("The infusion lasts between forty and sixty minutes.", "time", 40, 60, "range", False),
    ("Pain infusions last from 2 to 4 hours.", "time", 120, 240, "range", False),
    ("You will be monitored for 30 minutes to 1 hour.", "time", 30, 60, "range", False),
    ("Each visit lasts one and a half to two hours.", "time", 90, 120, "range", False),
    ("Pain infusions can last up to 4 hours.", "time", 0, 240, "upper", False),
    ("Patients must stay at least 2 hours.", "time", 120, INF, "lower", False),
    ("The series is spread over two to three weeks.", "time", 14 * 1440, 21 * 1440, "range", False),
    ("The series is given over 14 days.", "time", 14 * 1440, 14 * 1440, "value", False),
    ("Side effects clear up in a few hours.", "time", 120, 240, "value", True),
    ("Relief may last several days to two weeks.", "time", 3 * 1440, 14 * 1440, "range", True),
    ("Ketamine can ease low mood within hours.", "time", 0, 23 * 60, "upper", True),
    ("Do not drive until the next day.", "time", 12 * 60, INF, "lower", True),
    ("Most patients receive 6-12 infusions.", "count", 6, 12, "range", False),
    ("A course is six sessions.", "count", 6, 6, "value", False),
    ("Chronic pain protocols involve 3 to 5 consecutive daily infusions.", "count", 3, 5, "range", False),
    ("About 70% of patients respond.", "percent", 70, 70, "value", True),
    ("Response rates of roughly 45–70% have been reported.", "percent", 45, 70, "range", True),
    ("Ketamine helps fewer than one in three people.", "percent", 0, 100 / 3, "upper", False),
    ("Roughly seven in ten patients respond.", "percent", 70, 70, "value", True),
    ("Remission was seen in about one-third of patients.", "percent", 100 / 3, 100 / 3, "value", True),
    ("The dose is 0.5 mg/kg.", "dose", 0.5, 0.5, "value", False),
    ("Most protocols use 0.5 milligrams per kilogram of body weight.", "dose", 0.5, 0.5, "value", False),
    ("The usual dose is 0.5 mg for each kilogram of body weight.", "dose", 0.5, 0.5, "value", False),
    ("Spravato doses are 56 mg or 84 mg.", "mass", 56, 84, "set", False),
    ("Infusions are priced between $400 and $800.", "currency", 400, 800, "range", False),
    ("A package costs $2,700.", "currency", 2700, 2700, "value", False),
    ("Blood pressure can rise by 10–20 mmHg.", "pressure", 10, 20, "range", False),
    ("We treat adolescents aged 16 and older.", "age", 16, INF, "lower", False),
    ("Patients must be at least 18 to receive infusions.", "age", 18, INF, "lower", False),
    ("Spravato received FDA approval in March 2019.", "calendar-year", 2019, 2019, "value", False),
    ("Ketamine was first made in the early 1960s.", "calendar-year", 1960, 1964, "value", True),
    ("Infusions are given 2 to 3 times per week.", "rate", 2, 3, "range", False),
]


@pytest.mark.parametrize("text, kind, low, high, shape, approx", PARSES, ids=[p[0][:50] for p in PARSES])
def test_quantity_is_read_with_its_unit_range_and_bound(text, kind, low, high, shape, approx):
    m = only(text)
    assert m.kind == kind
    assert m.interval() == (pytest.approx(low), pytest.approx(high) if high != INF else INF)
    assert m.shape == shape
    assert m.approx == approx


NOT_QUANTITIES = [
    "Once you are ready, the nurse starts the drip.",  # "once" is not a count
    "Call 988 if you are in crisis.",  # no unit
    "COVID-19 changed how clinics work.",  # an identifier
    "Ketamine is a Schedule III drug.",  # a roman numeral names a schedule, not a quantity
    "Some people feel better soon.",
]


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_text_without_a_measured_quantity_yields_no_unit(text):
    assert all(m.kind is None for m in find_mentions(text)), [m.text for m in find_mentions(text)]


INVERTED = [
    ("A single infusion session typically takes approximately 1.5 hours to 1.25 hours.", True),
    ("The session lasts from one hour to forty-five minutes.", True),
    ("A visit takes two to one and a half hours.", True),
    ("Each infusion costs between $800 and $400.", True),
    ("The visit lasts 1 hour to 60 minutes.", False),  # equal after conversion
    ("The infusion lasts 45-45 minutes.", False),
    ("Scores fell from 30 to 12 points.", False),  # a change between two states, not a range
]


@pytest.mark.parametrize("text, inverted", INVERTED)
def test_inverted_range_is_detected_after_unit_conversion(text, inverted):
    assert any(m.inverted for m in find_mentions(text)) == inverted


def test_the_pint_registry_is_built_once_and_converts_units():
    reg = unit_registry()
    assert reg is unit_registry()
    assert reg.Quantity(1.5, "hour").to("minute").magnitude == pytest.approx(90)


def test_sentences_without_digits_or_number_words_are_skipped_by_the_prefilter():
    assert find_mentions("Tell staff if you feel unwell or scared.") == []


def test_a_message_describes_values_in_readable_units():
    assert describe("time", 75, 90) == "75 min–90 min"
    assert describe("time", 120, None, "lower") == "at least 2 h"
    assert describe("percent", 0, 70, "upper") == "at most 70%"


CLAUSES = [
    ("Approved as an anesthetic, not for depression", ["Approved as an anesthetic", ", not for depression"]),
    ("55.4% had a response with the drug, and 41.2% with ECT", ["55.4% had a response with the drug", ", and 41.2% with ECT"]),
    (
        "Unlike oral antidepressants, which can take weeks to work, you'll feel it within hours.",
        ["Unlike oral antidepressants", ", which can take weeks to work", ", you'll feel it within hours."],
    ),
]


@pytest.mark.parametrize("text, expected", CLAUSES)
def test_sentences_split_into_clauses_at_conjunctions_and_relative_clauses(text, expected):
    assert [text[a:b] for a, b in clauses(text)] == expected


def facts_of(text: str):
    return page_facts(parse_page("docs/a.md", text + "\n")).numbers


# sentence, facet, subject values that must hold
FACETS = [
    ("The infusion lasts 40 minutes.", "infusion-duration", {"indication": "depression", "entity": "ketamine"}),
    ("Pain infusions can last up to 4 hours.", "infusion-duration", {"indication": "pain"}),
    ("Plan on your visit taking about 2 hours from check-in to discharge.", "visit-duration", {}),
    ("After each Spravato dose, patients must stay for at least 2 hours.", "monitoring-time", {"entity": "esketamine"}),
    ("For optimal results, ketamine is given as a series of six infusions spread across 2 to 3 weeks.", "course-length", {}),
    ("Most patients typically receive 6-12 infusions over two to three weeks.", "course-infusions", {"phase": "initial"}),
    ("Booster infusions are given every 3 to 6 weeks.", "booster-interval", {}),
    ("Ketamine's antidepressant effects usually appear within 24 hours.", "onset", {}),
    ("Side effects usually resolve within an hour.", "side-effect-duration", {}),
    ("Anesthetic doses of ketamine are 1 to 2 mg/kg.", "dose", {"indication": "anesthesia"}),
    ("Spravato trials reported remission in about one-third of patients.", "remission-rate", {"entity": "esketamine"}),
    ("The effects of a single infusion usually last about a week.", "effect-duration", {"timepoint": "single"}),
]


@pytest.mark.parametrize("text, facet, subject", FACETS, ids=[f[0][:50] for f in FACETS])
def test_cue_words_assign_a_number_to_its_facet_and_subject(text, facet, subject):
    found = [f for f in facts_of(text) if f.facet == facet]
    assert found, [(f.text, f.facet) for f in facts_of(text)]
    values = dict(found[-1].subject)
    for dim, value in subject.items():
        assert values[dim] == value


def test_a_number_in_a_relative_clause_belongs_to_the_clause_it_describes():
    weeks, hours = [f for f in facts_of("Unlike oral antidepressants, which can take weeks to work, you'll likely feel ketamine's effects within hours.")]
    assert dict(weeks.subject)["entity"] == "other-antidepressants"
    assert dict(hours.subject)["entity"] == "ketamine"


def test_one_studys_result_is_scoped_to_that_study():
    (fact,) = [f for f in facts_of("In one small study, people stayed well for a median of 18 days after six infusions.") if f.facet]
    assert fact.study and fact.study.startswith("study@")


def test_every_shipped_category_and_status_pattern_has_a_quick_filter():
    k = knowledge()
    assert k.category_stems is not None and k.reg["stems"] is not None and k.contrast_stems is not None


@pytest.mark.parametrize(
    "pattern, stems",
    [
        ("glutamate|NMDA", {"glut", "nmda"}),
        (r"off[- ]label", {"off"}),
        (r"(?<=at\s)home|pharmacy", {"home", "phar"}),
        (r"SSRIs?|doctor'?s\s+office", {"ssri", "doct"}),
        (r"(?:just\s+)?like", None),  # an optional first word: cannot be filtered
    ],
)
def test_quick_filter_stems_are_derived_from_the_data_patterns(pattern, stems):
    got = literal_stems(pattern)
    assert (set(got) if got is not None else None) == stems


WORDS = ["about", "up to", "at least", "between", "and", "to", "-", "–", "or", "from", "a", "an", "half", "one", "six", "forty-five",
         "minutes", "hours", "weeks", "infusions", "%", "mg/kg", "$", "1.5", "60", "2019", "the next day", "1960s", "of patients",
         "not", "FDA approved", "off-label", "Spravato", "pain", ",", ".", "(", "in one study", "which", "but", "Schedule III"]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=30))
def test_any_text_is_read_without_error(tokens):
    text = " ".join(tokens)
    for m in find_mentions(text):
        assert 0 <= m.start <= m.end <= len(text)
        low, high = m.interval()
        assert low <= high
    page_facts(parse_page("docs/fuzz.md", text + "\n"))
