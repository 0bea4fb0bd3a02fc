"""The repo's own site passes its own checks, and the noncompliant examples fail them where planted."""

from __future__ import annotations

import re

import pytest
from ruamel.yaml import YAML

from conftest import REPO, run_json
from linters.parse.tags import TAG_PATTERN
from linters.registry.load import load_registry

ALLOWED_ON_SITE = {("unapproved-claim", "warning")}


@pytest.fixture(scope="module")
def site_report():
    code, report = run_json("check", "docs", "--mode", "preview", cwd=REPO)
    return code, report


def test_site_has_only_unapproved_claim_warnings(site_report):
    code, report = site_report
    unexpected = [f for f in report["findings"] if (f["rule"], f["severity"]) not in ALLOWED_ON_SITE]
    assert unexpected == [], "\n".join(f"{f['path']}:{f['line']} {f['rule']}: {f['message']}" for f in unexpected)
    assert code == 0
    assert report["findings"], "every claim is pending, so unapproved-claim warnings are expected"


def test_site_reads_at_grade_8_or_below(site_report):
    _, report = site_report
    grades = {p["path"]: p["metrics"].get("smog") for p in report["pages"]}
    assert len(grades) >= 9
    assert all(g is not None and g <= 8.0 for g in grades.values()), grades


def test_registry_is_real_and_complete():
    reg = load_registry(REPO)
    assert reg.problems == []
    assert len(reg.claims) >= 25
    for cid, entry in reg.claims.items():
        claim = entry.claim
        assert claim.review.status == "pending", f"{cid}: nobody here is a medical reviewer"
        assert claim.sources, cid
        for source in claim.sources:
            ref = reg.references[source.ref]
            assert ref.doi or ref.pmid or ref.url, f"{cid}: {source.ref} has no DOI, PMID or URL"
            assert source.locator.strip() and len(source.quote.strip()) >= 15, cid
        if re.search(r"\d", claim.statement) and claim.category not in ("history", "regulatory"):
            assert claim.facts, f"{cid}: a claim with a number needs structured facts"


def test_every_claim_is_used_and_every_tag_resolves():
    reg = load_registry(REPO)
    used = set()
    for page in (REPO / "docs").rglob("*.md"):
        for m in TAG_PATTERN.finditer(page.read_text("utf-8")):
            used.update(i.strip() for i in m.group(1).split(","))
    assert used <= set(reg.claims), used - set(reg.claims)
    assert set(reg.claims) <= used, set(reg.claims) - used


def test_site_pages_name_author_and_review_dates(site_report):
    _, report = site_report
    from linters.pages import read_page

    for page in sorted((REPO / "docs").rglob("*.md")):
        fm = read_page(page, REPO).front_matter
        for key in ("title", "author", "medical_reviewer", "last_reviewed", "next_review"):
            assert fm.get(key), f"{page.name}: front matter lacks {key}"


PLANTED = YAML(typ="safe").load((REPO / "examples/noncompliant/PLANTED.yml").read_text("utf-8"))


@pytest.fixture(scope="module")
def noncompliant_report():
    return run_json("check", "examples/noncompliant", "--mode", "preview", cwd=REPO)


@pytest.mark.parametrize("planted", PLANTED, ids=[f"{p['rule']}@{p['file'].split('/')[-1]}:{p['line']}" for p in PLANTED])
def test_every_planted_problem_is_found(noncompliant_report, planted):
    code, report = noncompliant_report
    assert code == 1
    source_line = (REPO / planted["file"]).read_text("utf-8").splitlines()[planted["line"] - 1]
    assert planted["text"] in source_line, "PLANTED.yml is out of date"
    rule = planted["rule"]
    hits = [
        f
        for f in report["findings"]
        if f["path"] == planted["file"] and f["line"] == planted["line"] and (f["rule"] == rule or f["rule"].startswith(rule + "."))
    ]
    assert hits, f"{rule} not reported at {planted['file']}:{planted['line']}"
    if "related" in planted:
        other = planted["related"]
        assert any(r["path"] == other["file"] and r["line"] == other["line"] for f in hits for r in f.get("related", []))
