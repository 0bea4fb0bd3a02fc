"""The contradiction rule: in-sentence ranges, conflicting values, categories and approval status across pages."""

from __future__ import annotations

import math
import random
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, run_json
from linters.config import Config
from linters.context import Context
from linters.parse.page import parse_page
from linters.quantities.compare import disjoint
from linters.quantities.facts import NumberFact, Place
from linters.registry.load import Registry
from linters.rules.contradiction import RULE, _conflicts
from linters.yamlio import load_safe

sys.path.insert(0, str(REPO / "scripts"))
import measure_contradictions  # noqa: E402

DATA = REPO / "tests" / "data"
RANGES = load_safe((DATA / "range_formats.yml").read_text("utf-8"))
PAIRS = load_safe((DATA / "contradiction_pairs.yml").read_text("utf-8"))


def findings(pages: dict[str, str], registry: Registry | None = None):
    ctx = Context(registry=registry or Registry(present=True), config=Config(vale="off"))
    docs = [parse_page(path, text + "\n") for path, text in pages.items()]
    return list(RULE.check({d.path: RULE.collect(d, ctx) for d in docs}, ctx))


@pytest.mark.parametrize("item", RANGES, ids=[r["text"][:50] for r in RANGES])
def test_inverted_or_impossible_range_is_flagged_and_valid_one_is_not(item):
    found = [f for f in findings({"docs/a.md": item["text"]}) if f.data.get("check") in ("inverted", "negative", "over-100-percent")]
    assert bool(found) == item["invalid"], (item["text"], item.get("reason"), [f.message for f in found])


def test_range_table_has_at_least_forty_formats():
    assert len(RANGES) >= 40


@pytest.mark.parametrize("split", ["dev", "test"])
def test_pairs_meet_precision_and_recall_targets(split):
    rows = [(bool(p["contradiction"]), measure_contradictions.pair_predicted(p["a"], p["b"])) for p in PAIRS if p["split"] == split]
    score = measure_contradictions.score(rows)
    assert score["precision"] >= 0.95 and score["recall"] >= 0.85, score


def test_pairs_set_is_large_enough_and_balanced():
    assert len(PAIRS) >= 60
    assert sum(1 for p in PAIRS if not p["contradiction"]) / len(PAIRS) >= 0.4


def test_conflicting_values_on_two_pages_name_both_sides():
    found = findings({"docs/a.md": "# A\n\nEach infusion lasts about 40 minutes.", "docs/b.md": "# B\n\nA single infusion takes 1.5 to 2 hours."})
    by_path = {f.path: f for f in found}
    assert set(by_path) == {"docs/a.md", "docs/b.md"}
    a = by_path["docs/a.md"]
    assert a.severity == "error" and a.rule == "contradiction"
    assert (a.line, a.excerpt) == (3, "Each infusion lasts about 40 minutes.")
    assert [(r.path, r.line, r.excerpt) for r in a.related] == [("docs/b.md", 3, "A single infusion takes 1.5 to 2 hours.")]
    assert "40 minutes" in a.message and "1.5 to 2 hours" in a.message and "docs/b.md:3" in a.message
    assert "lower than" in a.message and "higher than" in by_path["docs/b.md"].message


def test_conflicting_values_within_one_page_are_reported():
    found = findings({"docs/a.md": "The infusion takes 40 minutes.\n\nLater on: each infusion lasts 2 to 3 hours."})
    assert sorted(f.line for f in found) == [1, 3]
    assert all(r.path == "docs/a.md" for f in found for r in f.related)


@pytest.mark.parametrize(
    "a, b",
    [
        ("The infusion lasts 40 minutes.", "Pain infusions can last up to 4 hours."),
        ("After an IV infusion you are monitored for 30 minutes to 1 hour.", "After each Spravato dose, patients must stay for at least 2 hours."),
        ("Plan on your visit taking about 2 hours from check-in to discharge.", "The infusion itself takes 40 minutes."),
        ("Ketamine is FDA approved as an anesthetic.", "Ketamine is not FDA approved for any psychiatric disorder."),
        ("In one trial, 46% of patients reached remission.", "About 30% of patients reach remission."),
        ("Some patients feel better after a single infusion.", "Most people need a few infusions before they notice a change."),
    ],
)
def test_different_subjects_or_study_results_are_not_compared(a, b):
    assert findings({"docs/a.md": a, "docs/b.md": b}) == []


def test_regulatory_status_both_ways_for_same_entity_and_indication_is_a_contradiction():
    found = findings({"docs/a.md": "IV ketamine is not FDA approved for depression.", "docs/b.md": "Ketamine infusions are FDA approved for depression."})
    assert {f.path for f in found} == {"docs/a.md", "docs/b.md"}
    assert all(f.data["check"] == "regulatory" and f.data["indication"] == "depression" for f in found)


def test_not_approved_for_any_psychiatric_disorder_covers_depression():
    found = findings({"docs/a.md": "Ketamine is not FDA approved for any psychiatric disorder.", "docs/b.md": "IV ketamine is FDA approved for depression."})
    assert {f.path for f in found} == {"docs/a.md", "docs/b.md"}


def test_a_reported_claim_is_not_the_pages_own_status():
    assert findings({"docs/a.md": "Be wary of clinics that claim ketamine is FDA approved for depression.", "docs/b.md": "IV ketamine is not FDA approved for depression."}) == []


def test_exclusive_categories_conflict():
    found = findings({"docs/a.md": "Ketamine is a Schedule III controlled substance.", "docs/b.md": "Ketamine is a Schedule I drug."})
    assert {f.data["check"] for f in found} == {"category"}
    assert len(found) == 2


CLAIMS = """\
claims:
  - id: infusion-duration
    statement: "One infusion usually runs over about 40 minutes."
    category: procedure
    sources:
      - {ref: murrough2013rapid, locator: Abstract, quote: "over 40 minutes"}
    facts:
      - {facet: infusion-duration, subject: depression, value: 40, unit: minute, approx: true}
    review: {status: pending}
  - id: trial-response
    statement: "In one trial, 55.4% responded."
    category: statistic
    sources:
      - {ref: murrough2013rapid, locator: Abstract, quote: "55.4%"}
    facts:
      - {facet: response-rate, subject: depression-ketamine-arm-elektd-trial, value: 55.4, unit: percent}
    review: {status: pending}
"""


def test_tagged_sentence_that_contradicts_another_page_is_reported(site):
    root = site(
        {
            "a.md": "# A\n\nIn studies, one drip usually runs for about 40 minutes [[claim:infusion-duration]].\n",
            "b.md": "# B\n\nEach infusion takes 1.5 to 2 hours.\n",
        },
        claims=CLAIMS,
    )
    code, report = run_json("check", cwd=root)
    assert code == 1
    found = [f for f in report["findings"] if f["rule"] == "contradiction"]
    assert {f["path"] for f in found} == {"docs/a.md", "docs/b.md"}
    a = next(f for f in found if f["path"] == "docs/a.md")
    assert a["severity"] == "error"
    assert a["related"] == [{"path": "docs/b.md", "line": 3, "excerpt": "Each infusion takes 1.5 to 2 hours."}]


def test_a_claims_study_subject_keeps_a_tagged_trial_result_apart(site):
    root = site(
        {
            "a.md": "# A\n\n55.4% had a response [[claim:trial-response]].\n",
            "b.md": "# B\n\nAbout 20% of patients respond to ketamine.\n",
        },
        claims=CLAIMS,
    )
    _, report = run_json("check", cwd=root)
    assert [f for f in report["findings"] if f["rule"] == "contradiction"] == []


def test_a_suppression_with_a_reason_silences_the_finding(site):
    root = site(
        {
            "a.md": '# A\n\n<!-- linters: disable-next contradiction reason="quoting an old leaflet" -->\nInfusions last 60-45 minutes.\n',
        },
        claims=None,
    )
    _, report = run_json("check", cwd=root)
    assert [f for f in report["findings"] if f["rule"] == "contradiction"] == []


# ---------------------------------------------------------------- the index finds what all pairs would


def _fact(i: int, low: float, high: float, tol: float, sentence: int) -> NumberFact:
    place = Place(f"docs/p{sentence}.md", 1, 1, 1, 2, sentence, f"s{i}")
    return NumberFact("infusion-duration", "time", "minute", low, high, tol, "range", f"v{i}", (), (), None, False, False, place)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 500, allow_nan=False),
            st.floats(0, 500, allow_nan=False),
            st.sampled_from([0.0, 0.1, 0.2]),
            st.booleans(),
            st.integers(0, 6),
        ),
        min_size=2,
        max_size=25,
    )
)
def test_indexed_conflicts_match_comparing_every_pair(rows):
    facts = [_fact(i, min(a, b), math.inf if open_ended else max(a, b), tol, s) for i, (a, b, tol, open_ended, s) in enumerate(rows)]
    found = _conflicts(facts)
    for i, f in enumerate(facts):
        partners = [
            j
            for j, g in enumerate(facts)
            if g.place.sentence != f.place.sentence and disjoint(f.low, f.high, f.tolerance, g.low, g.high, g.tolerance)
        ]
        assert (i in found) == bool(partners), (i, partners)
        assert all(j in partners for j in found.get(i, []))


def test_conflict_search_grows_near_linearly():
    """10x more facts in one group should cost about 10x, not 100x (all pairs)."""
    import time

    rng = random.Random(3)

    def timed(n: int) -> float:
        facts = [_fact(i, v, v + 5, 0.1, i) for i, v in enumerate(rng.uniform(30, 60) for _ in range(n))]
        facts.append(_fact(n, 200, 220, 0.0, n))  # one outlier that everything conflicts with
        start = time.process_time()
        _conflicts(facts)
        return time.process_time() - start

    small, large = min(timed(2000) for _ in range(3)), min(timed(20000) for _ in range(3))
    assert large / max(small, 1e-6) < 30, (small, large)


def test_a_pathological_data_pattern_gives_up_with_a_finding_instead_of_hanging(monkeypatch):
    import time
    from dataclasses import replace

    from linters.quantities import facts

    evil = replace(facts.knowledge(), category_prefilter=facts.compile_pattern("(a|aa)+$", "facets.yml: evil"), category_stems=None)
    monkeypatch.setattr(facts, "knowledge", lambda: evil)
    started = time.perf_counter()
    found = findings({"docs/a.md": "a" * 60 + "!"})
    assert time.perf_counter() - started < 5
    assert [(f.line, f.message) for f in found] == [(1, "This sentence could not be checked in time (facets.yml: evil); shorten it or split it.")]
