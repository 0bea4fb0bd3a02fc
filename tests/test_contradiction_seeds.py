"""Acceptance on the real clinic pages in ../shared/seeds (each non-empty line a paragraph)."""

from __future__ import annotations

import pytest

from conftest import SEEDS
from linters.config import Config
from linters.context import Context
from linters.pages import parse_bytes
from linters.registry.load import Registry
from linters.rules.contradiction import RULE

pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not present")

DURATION_001 = "1.5 hours to 1.25 hours"
DURATION_000 = "45 minutes to an hour"


@pytest.fixture(scope="module")
def seed_facts():
    ctx = Context(registry=Registry(), config=Config(vale="off"))
    docs = [parse_bytes(p.name, p.read_bytes()) for p in sorted(SEEDS.glob("*.txt"))]
    return {d.path: RULE.collect(d, ctx) for d in docs}


@pytest.fixture(scope="module")
def seed_findings(seed_facts):
    ctx = Context(registry=Registry(), config=Config(vale="off"))
    return list(RULE.check(seed_facts, ctx))


def _path(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).name


def test_inverted_infusion_length_is_a_contradiction_in_itself(seed_findings):
    found = [f for f in seed_findings if f.path == _path("001") and f.data.get("check") == "inverted"]
    assert len(found) == 1
    assert DURATION_001 in found[0].message and DURATION_001 in found[0].excerpt


def test_inverted_infusion_length_conflicts_with_the_other_pages_duration(seed_findings):
    found = [f for f in seed_findings if f.path == _path("001") and f.data.get("check") == "values"]
    assert len(found) == 1
    f = found[0]
    assert f.data["facet"] == "infusion-duration"
    assert DURATION_001 in f.message and DURATION_000 in f.message
    assert [r.path for r in f.related] == [_path("000")]
    assert DURATION_000 in f.related[0].excerpt
    back = [g for g in seed_findings if g.path == _path("000") and g.data.get("check") == "values"]
    assert [r.path for g in back for r in g.related] == [_path("001")]


def test_six_infusions_over_two_to_three_weeks_agrees_with_six_to_twelve(seed_facts, seed_findings):
    stated = {
        (path[:3], n.facet, n.describe())
        for path, page in seed_facts.items()
        for n in page.numbers
        if n.facet in ("course-infusions", "course-length") and path[:3] in ("001", "004")
    }
    assert stated == {
        ("001", "course-infusions", "6"),
        ("001", "course-length", "14 days–21 days"),
        ("004", "course-infusions", "6–12"),
        ("004", "course-length", "14 days–21 days"),
    }
    course = [f for f in seed_findings if f.data.get("facet") in ("course-infusions", "course-length")]
    assert course == [], [f.message for f in course]


def test_the_seeds_disagree_about_fda_approval_of_iv_ketamine(seed_findings):
    found = {f.path for f in seed_findings if f.data.get("check") == "regulatory"}
    assert found == {_path("002"), _path("004")}
