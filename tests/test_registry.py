"""The claims registry: schema-validated, every problem an `invalid-registry` finding with a place."""

from __future__ import annotations

import json

import pytest

from conftest import MINIMAL_CLAIMS, MINIMAL_REFERENCES, run_cli, run_json
from linters.registry.load import load_registry

GOOD_PAGE = {"index.md": "# Home\n\nA course is six infusions [[claim:six-infusions]].\n"}


def registry_findings(site, claims: str, references=MINIMAL_REFERENCES):
    root = site(GOOD_PAGE, claims=claims, references=references)
    code, report = run_json("check", cwd=root)
    return code, [f for f in report["findings"] if f["rule"] == "invalid-registry"]


def test_the_minimal_registry_loads_cleanly(site):
    root = site(GOOD_PAGE)
    reg = load_registry(root)
    assert list(reg.claims) == ["six-infusions"]
    assert reg.claims["six-infusions"].line == 3
    assert reg.problems == []
    assert reg.claims["six-infusions"].fingerprint.startswith("sha256:")


BAD_REGISTRIES = [
    (
        "duplicate id",
        MINIMAL_CLAIMS + MINIMAL_CLAIMS.split("claims:\n", 1)[1],
        "Duplicate claim id `six-infusions`",
        16,
    ),
    ("unknown reference key", MINIMAL_CLAIMS.replace("ref: murrough2013rapid", "ref: nobody2020"), "`nobody2020`", 3),
    ("missing field", MINIMAL_CLAIMS.replace("    category: procedure\n", ""), "missing the required field `category`", 3),
    ("bad date", MINIMAL_CLAIMS.replace("status: pending", "status: pending\n      next_review: 2026-13-45"), "not a valid date", 16),
    ("YAML syntax error", MINIMAL_CLAIMS.replace("category: procedure", "category: [procedure"), "not valid YAML", None),
    ("unknown status", MINIMAL_CLAIMS.replace("status: pending", "status: aproved"), "review.status", 15),
    ("approved without a signature", MINIMAL_CLAIMS.replace("status: pending", "status: approved"), "reviewer", 14),
    ("inverted fact range", MINIMAL_CLAIMS.replace("value: 6", "min: 12\n        max: 6"), "larger than", 11),
    ("bad id", MINIMAL_CLAIMS.replace("id: six-infusions", "id: Six_Infusions"), "lowercase", 3),
]


@pytest.mark.parametrize("case, claims, message, line", BAD_REGISTRIES, ids=[c[0] for c in BAD_REGISTRIES])
def test_bad_registry_is_reported_with_file_and_line(site, case, claims, message, line):
    code, found = registry_findings(site, claims)
    assert code == 1
    assert found, case
    f = found[0]
    assert f["path"] == "claims/claims.yml"
    assert message in f["message"], f["message"]
    if line is not None:
        assert f["line"] == line
    else:
        assert f["line"] > 1


def test_reference_without_doi_pmid_or_url_is_invalid(site):
    refs = [dict(MINIMAL_REFERENCES[0])]
    for key in ("DOI", "PMID"):
        refs[0].pop(key)
    code, found = registry_findings(site, MINIMAL_CLAIMS, refs)
    assert code == 1
    assert found[0]["path"] == "claims/references.json"
    assert "DOI, PMID" in found[0]["message"]
    assert found[0]["line"] == 3  # the line of its "id"


def test_malformed_references_json_is_reported_at_its_line(site):
    root = site(GOOD_PAGE)
    (root / "claims" / "references.json").write_text('[\n  {"id": "x",\n  "type": }\n]\n', "utf-8")
    code, report = run_json("check", cwd=root)
    found = [f for f in report["findings"] if f["rule"] == "invalid-registry" and f["path"] == "claims/references.json"]
    assert found and found[0]["line"] == 3


def test_unreadable_registry_exits_2_with_one_line(site):
    root = site(GOOD_PAGE)
    (root / "claims" / "claims.yml").write_bytes(b"claims:\n  - id: \xff\xfe broken\n")
    proc = run_cli("check", cwd=root)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "claims.yml" in lines[0] and "UTF-8" in lines[0]
    assert "Traceback" not in proc.stderr


def test_registry_folder_that_is_a_file_exits_2(site):
    root = site(GOOD_PAGE, claims=None)
    (root / "claims").write_text("not a folder", "utf-8")
    proc = run_cli("check", cwd=root)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
