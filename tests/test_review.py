"""Medical review: approve and reject edit the registry in place, atomically and audited;
stale, expired and self-reviewed claims are findings; `review list` shows what needs a reviewer.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from conftest import MINIMAL_REFERENCES, REPO, run_cli, write

from linters import cli
from linters.config import Config
from linters.context import Context
from linters.parse.page import parse_page
from linters.registry.load import load_registry
from linters.review import decide as decide_module
from linters.review import edit as edit_module
from linters.review.audit import AUDIT_FILE
from linters.review.decide import decide
from linters.review.edit import detect_indent
from linters.rules.page_metadata import RULE as PAGE_METADATA
from linters.rules.page_metadata import person_key

TODAY = "2026-11-21"
REVIEWER = "Jane Roe, MD"

# A registry written by hand: comments, blank lines, a block and a flow `review:`, quotes.
FIXTURE_CLAIMS = """\
# Test registry: every comment here must survive a review.
claims:
  # ---------------------------------------------------------- procedure
  - id: six-infusions
    statement: "In one study, people had six infusions over 12 days."  # the wording a reviewer signs
    category: procedure
    sources:
      - ref: murrough2013rapid
        locator: Abstract
        quote: 'a series of up to six IV infusions of ketamine (.5 mg/kg) administered open-label three times weekly over a 12-day period'
    facts:
      - facet: course-infusions
        value: 6
        unit: infusion
    review:
      status: pending   # nobody has looked yet
      reviewer: ~

  # ---------------------------------------------------------- safety
  - id: blood-pressure-rise
    statement: "Blood pressure often goes up for a short time during an infusion."
    category: safety
    sources:
      - ref: murrough2013rapid
        locator: Results
        quote: "transient increases in blood pressure"
    review: {status: pending, reviewer: null, approved_on: null, next_review: null, fingerprint: null}
"""

FRONT = """\
---
title: {title}
description: What a course of ketamine infusions looks like.
author: Alex Writer
medical_reviewer: Sam Poe, MD
last_reviewed: 2026-11-01
next_review: 2099-01-01
---

"""

FIXTURE_PAGES = {
    "docs/index.md": FRONT.format(title="Sessions") + "# Sessions\n\nIn one study, people had six infusions over 12 days [[claim:six-infusions]].\n",
    "docs/safety.md": FRONT.format(title="Safety") + "# Safety\n\nBlood pressure often goes up for a short time during an infusion [[claim:blood-pressure-rise]].\n",
}

MKDOCS = "site_name: Test\nplugins:\n  - medical-claims:\n      vale: off\n"


def make_site(root: Path, claims: str = FIXTURE_CLAIMS, pages: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS, "utf-8")
    (root / "claims").mkdir(exist_ok=True)
    (root / "claims" / "claims.yml").write_bytes(claims.encode("utf-8"))
    (root / "claims" / "references.json").write_text(json.dumps(MINIMAL_REFERENCES, indent=2), "utf-8")
    for rel, text in (FIXTURE_PAGES if pages is None else pages).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def claims_bytes(root: Path) -> bytes:
    return (root / "claims" / "claims.yml").read_bytes()


@pytest.fixture
def main(monkeypatch, capsys):
    """`python -m linters ARGS` in this process: the same entry point, without paying start-up per call."""

    def run(root: Path, *args: str) -> tuple[int, str, str]:
        monkeypatch.chdir(root)
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


@pytest.fixture
def check_json(main):
    def run(root: Path, *args: str) -> tuple[int, list[dict]]:
        code, out, err = main(root, "check", "--format", "json", *args)
        assert code in (0, 1), err
        return code, json.loads(out)["findings"]

    return run


def approve(root: Path, claim: str, *extra: str) -> None:
    """`review approve` as a separate process, exactly as a reviewer runs it."""
    proc = run_cli("review", "approve", claim, "--reviewer", REVIEWER, "--today", TODAY, *extra, cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Approved `{claim}` as {REVIEWER}; next review ")


def changed_old_lines(old: str, new: str) -> list[int]:
    """1-based lines of `old` that differ in `new` (replaced or deleted), plus insert points."""
    out = []
    sm = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
    for tag, i1, i2, _j1, _j2 in sm.get_opcodes():
        if tag != "equal":
            out.extend(range(i1 + 1, max(i2, i1 + 1) + 1) if tag == "insert" else range(i1 + 1, i2 + 1))
    return out


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line and not line.strip().startswith("quote")]


# --------------------------------------------------------------------------- the whole story, on a copy of this repo


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """docs/, claims/ and mkdocs.yml of this repo in a temp folder (the real registry is never touched)."""
    if not (REPO / "claims" / "claims.yml").is_file() or not (REPO / "docs").is_dir():
        pytest.skip("this repo has no claims/ or docs/ yet")
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copytree(REPO / "claims", root / "claims", ignore=shutil.ignore_patterns(AUDIT_FILE, ".lock", "*.tmp"))
    if (REPO / "mkdocs.yml").is_file():
        text = (REPO / "mkdocs.yml").read_text("utf-8")
        (root / "mkdocs.yml").write_text(text, "utf-8")
    else:
        (root / "mkdocs.yml").write_text(MKDOCS, "utf-8")
    return root


def test_approve_in_a_repo_copy_keeps_comments_then_goes_stale_then_expires(repo_copy: Path, main, check_json):
    real_before = hashlib.sha256((REPO / "claims" / "claims.yml").read_bytes()).hexdigest()
    registry = load_registry(repo_copy)
    assert registry.claims and not registry.problems
    listing = json.loads(main(repo_copy, "review", "list", "--format", "json", "--today", TODAY)[1])
    cited = next(c for c in listing["claims"] if c["status"] == "pending" and c["pages"])
    cid, entry = cited["id"], registry.claims[cited["id"]]
    path = repo_copy / entry.path
    before = path.read_text("utf-8")

    approve(repo_copy, cid)

    after = path.read_text("utf-8")
    changed = changed_old_lines(before, after)
    review_block = [n for n in range(entry.line, entry.line + 80) if before.splitlines()[n - 1].lstrip().startswith("review:")][0]
    assert changed == [review_block], "an approval changes the claim's review line and nothing else"
    assert comments(before) == comments(after)
    reloaded = load_registry(repo_copy)
    review = reloaded.claims[cid].claim.review
    assert (review.status, review.reviewer, str(review.approved_on), str(review.next_review)) == ("approved", REVIEWER, TODAY, "2027-11-21")
    assert review.fingerprint == reloaded.claims[cid].fingerprint
    assert not reloaded.problems
    log = [json.loads(line) for line in (repo_copy / "claims" / AUDIT_FILE).read_text("utf-8").splitlines()]
    assert [(r["claim"], r["decision"], r["reviewer"], r["fingerprint"]) for r in log] == [(cid, "approved", REVIEWER, review.fingerprint)]

    # Someone edits the approved statement: the approval is stale, in the registry and on every page citing it.
    statement = reloaded.claims[cid].claim.statement
    path.write_text(after.replace(statement, statement.rstrip(".") + " or so.", 1), "utf-8")
    pages = sorted({p["path"] for p in cited["pages"]})  # the pages that cite it, to keep the test fast
    _, findings = check_json(repo_copy, "--today", TODAY, *pages)
    stale = [f for f in findings if f["rule"] == "stale-approval" and f["data"]["claim"] == cid]
    assert {(f["path"], f["severity"]) for f in stale} >= {(entry.path, "warning")}
    assert sorted((f["path"], f["line"]) for f in stale if f["path"] != entry.path) == sorted((p["path"], p["line"]) for p in cited["pages"])
    listed = json.loads(main(repo_copy, "review", "list", "--format", "json", "--today", TODAY)[1])
    assert "stale" in next(c for c in listed["claims"] if c["id"] == cid)["flags"]

    # Re-approved: no longer stale. A year and a day later: expired.
    approve(repo_copy, cid)
    _, findings = check_json(repo_copy, "--today", TODAY, *pages)
    assert not [f for f in findings if f["rule"] == "stale-approval"]
    _, findings = check_json(repo_copy, "--today", "2027-11-22", *pages)
    expired = [f for f in findings if f["rule"] == "expired-claim" and f["data"]["claim"] == cid]
    assert expired and {f["severity"] for f in expired} == {"warning"}
    _, findings = check_json(repo_copy, "--today", "2027-11-22", "--mode", "publish", *pages)
    assert {f["severity"] for f in findings if f["rule"] == "expired-claim"} == {"error"}
    assert hashlib.sha256((REPO / "claims" / "claims.yml").read_bytes()).hexdigest() == real_before


def test_publish_blocks_a_stale_or_expired_claim_until_it_is_approved_again(tmp_path: Path, main, check_json):
    def approve(root: Path, claim: str, *extra: str) -> None:
        code, _, err = main(root, "review", "approve", claim, "--reviewer", REVIEWER, "--today", TODAY, *extra)
        assert code == 0, err

    root = make_site(tmp_path / "site")
    code, findings = check_json(root, "--mode", "publish", "--today", TODAY)
    assert code == 1 and {f["rule"] for f in findings if f["severity"] == "error"} == {"unapproved-claim"}
    approve(root, "six-infusions")
    approve(root, "blood-pressure-rise")
    code, findings = check_json(root, "--mode", "publish", "--today", TODAY)
    assert (code, [f for f in findings if f["severity"] == "error"]) == (0, [])

    path = root / "claims" / "claims.yml"
    path.write_text(path.read_text("utf-8").replace("six infusions over 12 days", "six infusions over 14 days", 1), "utf-8")
    code, findings = check_json(root, "--mode", "publish", "--today", TODAY)
    errors = [(f["rule"], f["path"]) for f in findings if f["severity"] == "error"]
    assert code == 1 and sorted(errors) == [("stale-approval", "claims/claims.yml"), ("stale-approval", "docs/index.md")]
    code, findings = check_json(root, "--mode", "preview", "--today", TODAY)
    assert code == 0 and {f["severity"] for f in findings if f["rule"] == "stale-approval"} == {"warning"}

    approve(root, "six-infusions")
    code, _ = check_json(root, "--mode", "publish", "--today", TODAY)
    assert code == 0

    code, findings = check_json(root, "--mode", "publish", "--today", "2027-11-22")
    assert code == 1 and {f["rule"] for f in findings if f["severity"] == "error"} == {"expired-claim"}
    code, findings = check_json(root, "--mode", "publish", "--today", "2027-10-01")
    mine = {(f["rule"], f["severity"]) for f in findings if f["rule"] in ("expired-claim", "stale-approval", "page-metadata")}
    assert code == 0 and mine == {("expired-claim", "info")}, "within 60 days: an info"
    for cid in ("six-infusions", "blood-pressure-rise"):
        approve(root, cid, "--today", "2027-11-22")
    code, _ = check_json(root, "--mode", "publish", "--today", "2027-11-22")
    assert code == 0


# --------------------------------------------------------------------------- bad requests change nothing

ERROR_CASES = [
    # (name, args, message fragment)
    ("unknown id", ["approve", "six-infusion", "--reviewer", REVIEWER], "no claim with id `six-infusion`. Did you mean `six-infusions`?"),
    ("malformed next review", ["approve", "six-infusions", "--reviewer", REVIEWER, "--next-review", "2027-13-01"], "--next-review '2027-13-01': not a valid date"),
    ("next review not a date", ["approve", "six-infusions", "--reviewer", REVIEWER, "--next-review", "next year"], "write it as YYYY-MM-DD"),
    ("malformed today", ["approve", "six-infusions", "--reviewer", REVIEWER, "--today", "21/11/2026"], "--today '21/11/2026': not a valid date"),
    ("missing reviewer", ["approve", "six-infusions"], "--reviewer: give the reviewer's name and credentials"),
    ("blank reviewer", ["approve", "six-infusions", "--reviewer", "   "], "--reviewer: give the reviewer's name and credentials"),
    ("credentials without a name", ["approve", "six-infusions", "--reviewer", ", MD"], "--reviewer: give the reviewer's name and credentials"),
    ("placeholder reviewer", ["approve", "six-infusions", "--reviewer", "pending"], "that is a placeholder"),
    ("next review in the past", ["approve", "six-infusions", "--reviewer", REVIEWER, "--next-review", "2026-01-01"], "must be after today (2026-11-21)"),
    ("next review today", ["approve", "six-infusions", "--reviewer", REVIEWER, "--next-review", TODAY], "must be after today"),
    ("reject without reason", ["reject", "six-infusions", "--reviewer", REVIEWER], "--reason: say why"),
    ("reference key missing", ["approve", "bad-ref", "--reviewer", REVIEWER], "cites reference `nobody2020`, which is not in"),
    ("claim fails the schema", ["approve", "bad-category", "--reviewer", REVIEWER], "cannot be reviewed until the registry problem is fixed"),
    ("retired claim", ["approve", "old-claim", "--reviewer", REVIEWER], "is retired"),
    ("no subcommand", [], "review"),
]

BROKEN_CLAIMS = FIXTURE_CLAIMS + """
  - id: bad-ref
    statement: "A claim whose source is not in the references file."
    category: safety
    sources:
      - {ref: nobody2020, locator: Abstract, quote: "some words"}
    review: {status: pending}

  - id: bad-category
    statement: "A claim with a category the schema does not know."
    category: marketing
    sources:
      - {ref: murrough2013rapid, locator: Abstract, quote: "six IV infusions"}
    review: {status: pending}

  - id: old-claim
    statement: "A claim no page may use any more."
    category: safety
    sources:
      - {ref: murrough2013rapid, locator: Abstract, quote: "six IV infusions"}
    review: {status: retired}
"""


@pytest.mark.parametrize("name, args, message", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_a_bad_review_request_is_a_one_line_error_and_changes_nothing(tmp_path: Path, main, name, args, message):
    root = make_site(tmp_path / "site", claims=BROKEN_CLAIMS)
    before = claims_bytes(root)
    argv = ["review", *args] + (["--today", TODAY] if args and "--today" not in args else [])
    code, out, err = main(root, *argv)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
    assert claims_bytes(root) == before
    assert not (root / "claims" / AUDIT_FILE).exists()
    assert not list((root / "claims").glob(".*.tmp"))


def test_an_unknown_id_fails_as_a_process_with_one_line_and_exit_2(tmp_path: Path):
    root = make_site(tmp_path / "site")
    before = claims_bytes(root)
    proc = run_cli("review", "approve", "no-such-claim", "--reviewer", REVIEWER, cwd=root)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "error: claims/claims.yml: no claim with id `no-such-claim`. Run `python -m linters review list` to see the claims.\n"
    assert claims_bytes(root) == before


def test_refuses_to_write_when_the_file_changed_after_it_was_read(tmp_path: Path, monkeypatch, capsys):
    root = make_site(tmp_path / "site")
    path = root / "claims" / "claims.yml"
    real_render = decide_module.render_edit

    def someone_saves_in_an_editor_meanwhile(*args, **kwargs):
        result = real_render(*args, **kwargs)
        path.write_text(path.read_text("utf-8") + "# a colleague's note\n", "utf-8")
        return result

    monkeypatch.setattr(decide_module, "render_edit", someone_saves_in_an_editor_meanwhile)
    monkeypatch.chdir(root)
    code = cli.main(["review", "approve", "six-infusions", "--reviewer", REVIEWER, "--today", TODAY])
    err = capsys.readouterr().err
    assert code == 2 and "the file changed while the review was being recorded" in err
    assert path.read_text("utf-8") == FIXTURE_CLAIMS + "# a colleague's note\n", "the colleague's edit is kept, ours is not written"
    assert not (root / "claims" / AUDIT_FILE).exists()
    assert not list((root / "claims").glob(".*.tmp"))


def test_a_reviewer_waits_for_the_lock_and_gives_up_with_a_clear_error(tmp_path: Path, main, monkeypatch):
    root = make_site(tmp_path / "site")
    before = claims_bytes(root)
    monkeypatch.setattr(edit_module, "LOCK_TIMEOUT", 0.2)
    with edit_module.registry_lock(root / "claims", "claims"):  # another reviewer is mid-write
        code, _, err = main(root, "review", "approve", "six-infusions", "--reviewer", REVIEWER)
    assert code == 2 and err == "error: claims/.lock: another review is still writing the registry; try again in a moment\n"
    assert claims_bytes(root) == before


def test_concurrent_reviewers_are_serialised_and_no_approval_is_lost(tmp_path: Path):
    claims = FIXTURE_CLAIMS + "".join(
        f"""
  - id: extra-{i}
    statement: "Extra claim number {i} for the concurrency test."
    category: safety
    sources:
      - {{ref: murrough2013rapid, locator: Abstract, quote: "six IV infusions"}}
    review: {{status: pending}}
"""
        for i in range(3)
    )
    root = make_site(tmp_path / "site", claims=claims)
    procs = [
        subprocess.Popen([sys.executable, "-m", "linters", "review", "approve", f"extra-{i}", "--reviewer", f"Reviewer {i}, MD", "--today", TODAY], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for i in range(3)
    ]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert [r[2] for r in results] == [0] * 3, [r[1] for r in results]
    registry = load_registry(root)
    assert {registry.claims[f"extra-{i}"].claim.review.reviewer for i in range(3)} == {f"Reviewer {i}, MD" for i in range(3)}
    log = (root / "claims" / AUDIT_FILE).read_text("utf-8").splitlines()
    assert sorted(json.loads(line)["claim"] for line in log) == [f"extra-{i}" for i in range(3)]


# --------------------------------------------------------------------------- the edit keeps the file's own style

STYLE_CASES = [
    # (name, claims file text, claim to approve)
    ("block review with comments and ~", FIXTURE_CLAIMS, "six-infusions"),
    ("flow review with nulls", FIXTURE_CLAIMS, "blood-pressure-rise"),
    (
        "sequences not indented, last claim in the file, no trailing newline",
        "claims:\n- id: a-claim\n  statement: Short.\n  category: safety\n  sources:\n  - ref: murrough2013rapid\n    locator: Abstract\n    quote: six IV infusions\n  review:\n    status: pending",
        "a-claim",
    ),
    (
        "four-space indentation and a section comment after the review",
        "claims:\n    -   id: a-claim\n        statement: 'Short.'\n        category: safety\n        sources:\n            -   ref: murrough2013rapid\n                locator: Abstract\n                quote: \"six IV infusions\"\n        review:\n            status: pending\n\n    # ---- next section\n    -   id: b-claim\n        statement: Other.\n        category: safety\n        sources: [{ref: murrough2013rapid, locator: Abstract, quote: six IV infusions}]\n        review: {status: pending}\n",
        "a-claim",
    ),
    (
        "review is not the last key, and a long wrapped plain statement elsewhere",
        "claims:\n  - id: a-claim\n    statement: This is a long statement written\n      over two lines by hand.\n    category: safety\n    review:\n      status: rejected\n      reviewer: Old Reviewer, MD\n      rejected_on: 2026-01-01\n      reason: \"needs a better source\"\n    sources:\n      - ref: murrough2013rapid\n        locator: Abstract\n        quote: six IV infusions\n",
        "a-claim",
    ),
]


@pytest.mark.parametrize("name, text, cid", STYLE_CASES, ids=[c[0] for c in STYLE_CASES])
@pytest.mark.parametrize("line_end, bom", [("\n", False), ("\r\n", True)], ids=["lf", "crlf+bom"])
def test_approval_changes_only_the_review_block_in_the_files_own_style(tmp_path: Path, name, text, cid, line_end, bom):
    root = make_site(tmp_path / "site", pages={})
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", line_end).encode("utf-8")
    path = root / "claims" / "claims.yml"
    path.write_bytes(raw)
    before = load_registry(root)
    assert not before.problems, before.problems
    decide(root, cid, "approved", REVIEWER, date(2026, 11, 21))
    new_raw = path.read_bytes()
    assert new_raw.startswith(b"\xef\xbb\xbf") == bom
    assert (b"\r\n" in new_raw) == (line_end == "\r\n") and (line_end == "\r\n" or b"\r" not in new_raw)
    old_text, new_text = raw.decode("utf-8-sig").replace("\r\n", "\n"), new_raw.decode("utf-8-sig").replace("\r\n", "\n")
    assert comments(old_text) == comments(new_text)
    # Every changed line lies in the claim's review block: from `review:` to the next key or claim.
    old_lines = old_text.splitlines()
    start = next(i for i, line in enumerate(old_lines, 1) if line.strip().startswith("review:") and i >= before.claims[cid].line)
    indent = len(old_lines[start - 1]) - len(old_lines[start - 1].lstrip())
    end = next((i for i, line in enumerate(old_lines, 1) if i > start and line.strip() and not line.lstrip().startswith("#") and len(line) - len(line.lstrip()) <= indent), len(old_lines) + 1)
    assert changed_old_lines(old_text, new_text) and all(start <= n <= end for n in changed_old_lines(old_text, new_text))
    after = load_registry(root)
    assert not after.problems
    review = after.claims[cid].claim.review
    assert (review.status, review.reviewer, review.fingerprint, review.reason, review.rejected_on) == ("approved", REVIEWER, after.claims[cid].fingerprint, None, None)
    for other, entry in before.claims.items():
        if other != cid:
            assert after.claims[other].claim == entry.claim


def test_block_review_golden_output(tmp_path: Path):
    root = make_site(tmp_path / "site")
    decide(root, "six-infusions", "approved", REVIEWER, date(2026, 11, 21), next_review=date(2027, 6, 1))
    text = (root / "claims" / "claims.yml").read_text("utf-8")
    expected_block = (
        "    review:\n"
        "      status: approved  # nobody has looked yet\n"  # ruamel keeps the comment's column
        "      reviewer: Jane Roe, MD\n"
        "      approved_on: 2026-11-21\n"
        "      next_review: 2027-06-01\n"
        f"      fingerprint: {load_registry(root).claims['six-infusions'].fingerprint}\n"
        "\n"
        "  # ---------------------------------------------------------- safety\n"
    )
    assert expected_block in text


def test_reject_records_reason_and_clears_an_earlier_approval(tmp_path: Path):
    root = make_site(tmp_path / "site")
    decide(root, "blood-pressure-rise", "approved", REVIEWER, date(2026, 11, 21))
    decide(root, "blood-pressure-rise", "rejected", "Sam Poe, PharmD", date(2026, 11, 22), reason="The quote  does not\nsay 'often'.")
    line = next(line for line in (root / "claims" / "claims.yml").read_text("utf-8").splitlines() if "review:" in line and "rejected" in line)
    assert line == "    review: {status: rejected, reviewer: 'Sam Poe, PharmD', approved_on: null, next_review: null, fingerprint: null, rejected_on: 2026-11-22, reason: The quote does not say 'often'.}"
    review = load_registry(root).claims["blood-pressure-rise"].claim.review
    assert (review.status, review.reason, review.approved_on) == ("rejected", "The quote does not say 'often'.", None)
    log = [json.loads(x) for x in (root / "claims" / AUDIT_FILE).read_text("utf-8").splitlines()]
    assert [(r["decision"], r["reviewer"], r["reason"]) for r in log] == [("approved", REVIEWER, None), ("rejected", "Sam Poe, PharmD", "The quote does not say 'often'.")]
    assert set(log[0]) >= {"time", "claim", "decision", "reviewer", "reason", "fingerprint", "statement"}
    assert log[0]["time"].endswith("Z") and log[0]["statement"].startswith("Blood pressure")
    # Approving again after a rejection drops the rejection's date and reason.
    decide(root, "blood-pressure-rise", "approved", REVIEWER, date(2026, 11, 23))
    review = load_registry(root).claims["blood-pressure-rise"].claim.review
    assert (review.status, review.reason, review.rejected_on, str(review.approved_on)) == ("approved", None, None, "2026-11-23")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("claims:\n  - id: a\n", (2, 4, 2)),
        ("claims:\n- id: a\n  review:\n    status: x\n", (2, 2, 0)),
        ("claims:\n    -   id: a\n        review:\n            status: x\n", (4, 8, 4)),
        ("top:\n  key: 1\n", (2, 4, 2)),
    ],
)
def test_indentation_is_read_from_the_file(text, expected):
    assert detect_indent(text) == expected


# --------------------------------------------------------------------------- review list


def test_review_list_shows_what_each_claim_needs_with_sources_and_pages(tmp_path: Path, main):
    claims = FIXTURE_CLAIMS + """
  - id: not-on-any-page
    statement: "Nobody cites this one."
    category: safety
    sources:
      - {ref: murrough2013rapid, locator: Abstract, quote: "six IV infusions"}
    review: {status: pending}
"""
    root = make_site(tmp_path / "site", claims=claims)
    decide(root, "six-infusions", "approved", REVIEWER, date(2026, 11, 21), next_review=date(2027, 1, 10))
    decide(root, "blood-pressure-rise", "rejected", REVIEWER, date(2026, 11, 21), reason="not in the source")
    code, out, err = main(root, "review", "list", "--format", "json", "--today", TODAY)
    assert code == 0, err
    data = json.loads(out)
    flags = {c["id"]: c["flags"] for c in data["claims"]}
    assert flags == {"six-infusions": ["expiring"], "blood-pressure-rise": ["rejected"], "not-on-any-page": ["pending", "unused"]}
    six = next(c for c in data["claims"] if c["id"] == "six-infusions")
    assert six["days_left"] == 50 and six["reviewer"] == REVIEWER
    assert [(p["path"], p["line"]) for p in six["pages"]] == [("docs/index.md", 12)]
    assert six["sources"][0]["quote"].startswith("a series of up to six IV infusions") and six["sources"][0]["doi"] == "10.1016/j.biopsych.2012.06.022"
    assert data["counts"]["expiring"] == 1 and data["window_days"] == 60
    # A narrower window: the approval is no longer "expiring", so the claim needs nothing and is not listed.
    data = json.loads(main(root, "review", "list", "--format", "json", "--today", TODAY, "--window", "30")[1])
    assert "six-infusions" not in {c["id"] for c in data["claims"]}
    text = main(root, "review", "list", "--today", TODAY)[1]
    assert "blood-pressure-rise  [rejected]" in text and "reason: not in the source" in text
    assert "used on docs/index.md:12" in text and "not-on-any-page  [pending, unused]" in text


def test_an_approval_made_by_hand_without_the_command_is_flagged_unaudited(tmp_path: Path, main):
    root = make_site(tmp_path / "site")
    fp = load_registry(root).claims["blood-pressure-rise"].fingerprint
    path = root / "claims" / "claims.yml"
    path.write_text(
        path.read_text("utf-8").replace(
            "review: {status: pending, reviewer: null, approved_on: null, next_review: null, fingerprint: null}",
            f"review: {{status: approved, reviewer: 'A Writer', approved_on: 2026-11-01, next_review: 2027-11-01, fingerprint: '{fp}'}}",
        ),
        "utf-8",
    )
    data = json.loads(main(root, "review", "list", "--format", "json", "--today", TODAY)[1])
    assert next(c for c in data["claims"] if c["id"] == "blood-pressure-rise")["flags"] == ["unaudited"]


def test_a_partial_audit_line_left_by_a_crash_is_reported_and_the_next_entry_starts_on_its_own_line(tmp_path: Path, main):
    root = make_site(tmp_path / "site")
    (root / "claims" / AUDIT_FILE).write_text('{"time": "2026-11-20T10:00:00Z", "claim": "six-inf', "utf-8")
    decide(root, "six-infusions", "approved", REVIEWER, date(2026, 11, 21))
    lines = (root / "claims" / AUDIT_FILE).read_text("utf-8").splitlines()
    assert json.loads(lines[1])["claim"] == "six-infusions"
    data = json.loads(main(root, "review", "list", "--format", "json", "--today", TODAY)[1])
    assert data["problems"] == ["claims/audit.jsonl:1: this line is not a JSON object; it was skipped"]


# --------------------------------------------------------------------------- page-metadata

GOOD_FRONT = {
    "title": "Side effects",
    "description": "Common side effects.",
    "author": "Alex Writer",
    "medical_reviewer": "Sam Poe, MD",
    "last_reviewed": "2026-11-01",
    "next_review": "2027-05-01",
}


def page(front: dict | None, body: str = "Staff check your blood pressure during the drip.") -> str:
    if front is None:
        return f"# Page\n\n{body}\n"
    lines = "".join(f"{k}: {v}\n" for k, v in front.items() if v is not None)
    return f"---\n{lines}---\n\n# Page\n\n{body}\n"


METADATA_CASES = [
    # (name, front matter changes (None = no front matter), body, expected (preview severity, publish severity) or None)
    ("complete", {}, None, None),
    ("no author", {"author": None}, None, ("warning", "error")),
    ("empty description", {"description": '""'}, None, ("warning", "error")),
    ("not reviewed yet", {"medical_reviewer": "pending"}, None, (None, "error")),
    ("author reviewed the page", {"author": "Dr. Sam Poe"}, None, ("warning", "error")),
    ("author approved a cited claim", {"author": "jane  ROE"}, "Six infusions [[claim:approved-claim]].", ("warning", "error")),
    ("author approved a claim, written without comma", {"author": "Jane Roe MD"}, "Six infusions [[claim:approved-claim]].", ("warning", "error")),
    ("author approved a claim the page does not cite", {"author": "Jane Roe"}, None, None),
    ("author of a pending claim's reviewer field", {"author": "Pat Lee"}, "Six [[claim:pending-claim]].", None),
    ("next review in the past", {"next_review": "2026-11-20"}, None, ("warning", "error")),
    ("next review before last review", {"last_reviewed": "2026-11-01", "next_review": "2026-10-01"}, None, ("warning", "error")),
    ("last review in the future", {"last_reviewed": "2026-12-01"}, None, ("warning", "error")),
    ("date not a date", {"next_review": "soon"}, None, ("warning", "error")),
    ("no front matter in a site", None, None, ("info", "error")),
]


@pytest.mark.parametrize("name, changes, body, expected", METADATA_CASES, ids=[c[0] for c in METADATA_CASES])
def test_page_metadata(tmp_path: Path, name, changes, body, expected):
    root = make_site(tmp_path / "site", pages={})
    decide(root, "six-infusions", "approved", REVIEWER, date(2026, 11, 21))
    registry = load_registry(root)
    registry.claims["approved-claim"] = registry.claims["six-infusions"]
    registry.claims["pending-claim"] = registry.claims["blood-pressure-rise"]
    registry.claims["pending-claim"].claim.review.reviewer = "Pat Lee, RN"
    front = None if changes is None else {**GOOD_FRONT, **changes}
    doc = parse_page("docs/page.md", page(front, body or "Staff check your blood pressure during the drip."))
    severities = []
    for mode in ("preview", "publish"):
        ctx = Context(registry=registry, config=Config(vale="off"), mode=mode, today=date(2026, 11, 21), root=root)
        found = list(PAGE_METADATA.check(doc, ctx))
        assert len({f.severity for f in found}) <= 1, [f.message for f in found]
        severities.append(found[0].severity if found else None)
    assert tuple(severities) == (expected or (None, None))


def test_a_markdown_file_outside_a_site_needs_no_front_matter(tmp_path: Path, main):
    write(tmp_path, {"notes/todo.md": "# Notes\n\nCall the clinic.\n"})
    _, out, _ = main(tmp_path, "check", "--format", "json", "--mode", "publish", "notes/todo.md")
    assert "page-metadata" not in {f["rule"] for f in json.loads(out)["findings"]}


def test_page_metadata_points_at_the_offending_field(tmp_path: Path, check_json):
    root = make_site(tmp_path / "site", pages={"docs/a.md": page({**GOOD_FRONT, "author": "Sam Poe"})})
    _, findings = check_json(root, "--today", TODAY)
    f = next(f for f in findings if f["rule"] == "page-metadata")
    assert (f["path"], f["line"], f["column"]) == ("docs/a.md", 5, 1)
    assert "also its author" in f["message"]


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("Jane Roe, MD", "jane roe", True),
        ("Dr. Jane  Roe", "Jane Roe, MD, PhD", True),
        ("Prof Jane Roe PhD", "JANE ROE", True),
        ("Jane Roe", "Jane Rowe", False),
        ("Ketamine Guide editorial team", "Jane Roe, MD", False),
    ],
)
def test_people_are_compared_without_titles_credentials_or_case(a, b, same):
    assert (person_key(a) == person_key(b)) is same
