"""`--changed-since REF`: page rules on changed pages only, cross-page rules over the whole site.

Each test builds a real git repository in a temp folder: a base commit, then a
committed change, an unstaged edit and an untracked page.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import MINIMAL_REFERENCES, run_cli, run_main, write
from linters.changes import Changes
from linters.engine import Report
from linters.model import Document, Finding, Related
from linters.parse.page import parse_page
from linters.registry.load import load_registry
from linters.rules import all_rules

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
}

PLUGIN = "site_name: T\nplugins:\n  - medical-claims:\n      vale: off\n"

CLAIMS = """\
claims:
  - id: six-infusions
    statement: "In one study, people had six infusions over 12 days."
    category: procedure
    sources:
      - ref: murrough2013rapid
        locator: Abstract
        quote: "six IV infusions of ketamine"
    review:
      status: pending
"""

CLEAN = "# {title}\n\nWear comfortable clothes to your visit.\n"


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=root, env=GIT_ENV, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def repo(tmp_path: Path, pages: dict[str, str], claims: str = CLAIMS) -> Path:
    """A site committed as the base, tagged `base`."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "mkdocs.yml").write_text(PLUGIN, "utf-8")
    (root / "claims").mkdir()
    (root / "claims" / "claims.yml").write_text(claims, "utf-8")
    (root / "claims" / "references.json").write_text(json.dumps(MINIMAL_REFERENCES), "utf-8")
    write(root / "docs", pages)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "tag", "base")
    return root


def check(root: Path, *args: str) -> dict:
    proc = run_main("check", "--format", "json", *args, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def places(report: dict) -> set[tuple[str, str]]:
    return {(f["path"], f["rule"]) for f in report["findings"]}


@pytest.fixture
def changed_site(tmp_path):
    """a.md is unchanged and has a finding; b.md changes in a commit, c.md in the work tree, d.md is new."""
    root = repo(
        tmp_path,
        {
            "a.md": "# A\n\nMost people need a few infusions [[claim:missing-a]].\n",
            "b.md": CLEAN.format(title="B"),
            "c.md": CLEAN.format(title="C"),
        },
    )
    (root / "docs" / "b.md").write_text("# B\n\nMost people need a few infusions [[claim:missing-b]].\n", "utf-8")
    git(root, "commit", "-q", "-am", "change b")
    (root / "docs" / "c.md").write_text("# C\n\nMost people need a few infusions [[claim:missing-c]].\n", "utf-8")
    (root / "docs" / "d.md").write_text("# D\n\nMost people need a few infusions [[claim:missing-d]].\n", "utf-8")
    return root


def test_without_the_option_every_page_is_reported(changed_site):
    assert {("docs/a.md", "unknown-claim"), ("docs/b.md", "unknown-claim")} <= places(check(changed_site))


def test_only_pages_changed_since_the_ref_are_reported(changed_site):
    report = check(changed_site, "--changed-since", "base")
    assert {p for p, _ in places(report)} == {"docs/b.md", "docs/c.md", "docs/d.md"}
    assert ("docs/a.md", "unknown-claim") not in places(report)
    assert [p["path"] for p in report["pages"]] == ["docs/b.md", "docs/c.md", "docs/d.md"]
    assert any("3 of 4 pages changed" in note for note in report["notes"])


@pytest.mark.parametrize(
    "ref, expected",
    [
        ("HEAD", {"docs/c.md", "docs/d.md"}),  # what a commit would add: uncommitted and untracked work
        ("HEAD~1", {"docs/b.md", "docs/c.md", "docs/d.md"}),
        ("main", {"docs/c.md", "docs/d.md"}),
    ],
)
def test_the_ref_decides_which_commits_count(changed_site, ref, expected):
    assert {p for p, _ in places(check(changed_site, "--changed-since", ref))} == expected


def test_a_gitignored_page_is_not_a_change(changed_site):
    (changed_site / ".gitignore").write_text("docs/d.md\n", "utf-8")
    assert "docs/d.md" not in {p for p, _ in places(check(changed_site, "--changed-since", "HEAD"))}


def test_a_project_in_a_subfolder_of_the_repository(tmp_path):
    outer = tmp_path / "outer"
    outer.mkdir()
    root = repo(outer, {"a.md": CLEAN.format(title="A"), "b.md": CLEAN.format(title="B")})
    # move the git metadata up one level so the site is a subfolder of the repository
    (root / ".git").rename(outer / ".git")
    git(outer, "add", "-A")
    git(outer, "commit", "-q", "-m", "move")
    git(outer, "tag", "moved")
    (root / "docs" / "b.md").write_text("# B\n\nMost people need a few infusions [[claim:missing-b]].\n", "utf-8")
    report = check(root, "--changed-since", "moved")
    assert ("docs/b.md", "unknown-claim") in places(report)
    assert {p for p, _ in places(report)} == {"docs/b.md"}


@pytest.mark.parametrize(
    "setup, ref, expected",
    [
        ("plain folder", "main", "is not in a git work tree"),
        ("repository", "no-such-branch", "no such commit, branch or tag"),
        ("repository", "--output=x", "give a git commit, branch or tag"),
        ("empty repository", "main", "has no commits yet"),
    ],
)
def test_no_repository_or_unknown_ref_exits_2_with_one_line(tmp_path, setup, ref, expected):
    root = tmp_path / "site"
    root.mkdir()
    (root / "mkdocs.yml").write_text(PLUGIN, "utf-8")
    write(root / "docs", {"a.md": CLEAN.format(title="A")})
    if setup != "plain folder":
        git(root, "init", "-q", "-b", "main")
    if setup == "repository":
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "base")
    proc = run_cli("check", f"--changed-since={ref}", cwd=root, env={**GIT_ENV, "GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and expected in proc.stderr, proc.stderr


def test_a_first_commit_checks_everything_against_head(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "mkdocs.yml").write_text(PLUGIN, "utf-8")
    write(root / "docs", {"a.md": "# A\n\nMost people need a few infusions [[claim:missing-a]].\n"})
    git(root, "init", "-q", "-b", "main")
    assert ("docs/a.md", "unknown-claim") in places(check(root, "--changed-since", "HEAD"))


# --- cross-page rules and the registry -----------------------------------------------------

APPROVED_THEN_EDITED = CLAIMS.replace(
    "    review:\n      status: pending\n",
    "    review:\n      status: approved\n      reviewer: \"Jane Roe, MD\"\n      approved_on: 2026-01-05\n"
    "      next_review: 2099-01-01\n      fingerprint: sha256:0000000000000000000000000000000000000000000000000000000000000000\n",
)

CITES = "# {title}\n\nA course is six infusions [[claim:six-infusions]].\n"


def test_claim_status_is_judged_over_the_whole_site(tmp_path):
    """A stale approval (a corpus rule) shows on the changed page and in the registry, not on unchanged pages."""
    root = repo(tmp_path, {"a.md": CITES.format(title="A"), "b.md": CLEAN.format(title="B")}, claims=APPROVED_THEN_EDITED)
    full = places(check(root))
    assert {("docs/a.md", "stale-approval"), ("claims/claims.yml", "stale-approval")} <= full
    (root / "docs" / "b.md").write_text(CITES.format(title="B"), "utf-8")
    report = check(root, "--changed-since", "base")
    stale = [f for f in report["findings"] if f["rule"] == "stale-approval"]
    assert {f["path"] for f in stale} == {"docs/b.md", "claims/claims.yml"}
    registry_side = next(f for f in stale if f["path"] == "claims/claims.yml")
    # the corpus rule still read the unchanged page: it lists both citing pages
    assert {r["path"] for r in registry_side["related"]} == {"docs/a.md", "docs/b.md"}


def test_a_change_to_claims_keeps_registry_findings_and_pages_citing_them(tmp_path):
    also_unknown = CITES.format(title="A") + "\nMost people need a few infusions [[claim:missing-a]].\n"
    root = repo(tmp_path, {"a.md": also_unknown, "b.md": CLEAN.format(title="B")})
    (root / "claims" / "claims.yml").write_text(APPROVED_THEN_EDITED, "utf-8")
    report = check(root, "--changed-since", "base")
    # the registry changed: its findings count, and so does a.md's stale citation (it points at the change)
    assert {("claims/claims.yml", "stale-approval"), ("docs/a.md", "stale-approval")} <= places(report)
    assert ("docs/a.md", "unknown-claim") not in places(report)  # page rules did not run on a.md
    assert ("docs/a.md", "unknown-claim") in places(check(root))


def test_a_change_to_mkdocs_yml_checks_every_page(changed_site):
    (changed_site / "mkdocs.yml").write_text(PLUGIN + "      exclude: []\n", "utf-8")
    report = check(changed_site, "--changed-since", "HEAD")
    assert ("docs/a.md", "unknown-claim") in places(report)
    assert any("mkdocs.yml changed" in note for note in report["notes"])


def _finding(path: str, line: int = 1, related: tuple[str, ...] = (), claim: str | None = None, rule: str = "contradiction") -> Finding:
    return Finding(
        rule=rule, severity="error", path=path, line=line, column=1, message="m",
        related=[Related(p, 3, "x") for p in related], data={"claim": claim} if claim else {},
    )


@pytest.mark.parametrize(
    "finding, kept",
    [
        (_finding("docs/changed.md"), True),
        (_finding("docs/other.md"), False),
        (_finding("docs/other.md", related=("docs/changed.md",)), True),  # a contradiction with a changed page
        (_finding("docs/other.md", related=("docs/third.md",)), False),
        (_finding("claims/claims.yml", line=3, rule="invalid-registry"), True),  # six-infusions starts at line 2, cited by the change
        (_finding("claims/claims.yml", claim="not-cited", rule="stale-approval"), False),
        (_finding("claims/claims.yml", claim="six-infusions", rule="stale-approval"), True),
    ],
)
def test_findings_are_kept_when_they_involve_a_changed_page(tmp_path, finding, kept):
    root = tmp_path / "site"
    (root / "claims").mkdir(parents=True)
    (root / "claims" / "claims.yml").write_text(CLAIMS, "utf-8")
    (root / "claims" / "references.json").write_text(json.dumps(MINIMAL_REFERENCES), "utf-8")
    registry = load_registry(root, "claims")
    changed = parse_page("docs/changed.md", CITES.format(title="Changed"))
    report = Report(root=root, mode="preview", findings=[finding], documents=[changed, Document(path="docs/other.md", source="")])
    Changes(ref="base", paths={"docs/changed.md"}).restrict(report, registry)
    assert (report.findings == [finding]) is kept
    assert [d.path for d in report.documents] == ["docs/changed.md"]


@pytest.mark.skipif("contradiction" not in all_rules(), reason="the contradiction rule (issue 3) is not in this tree yet")
def test_a_cross_page_contradiction_with_a_changed_page_is_reported(tmp_path):
    root = repo(tmp_path, {"a.md": "# A\n\nThe standard course is six infusions.\n", "b.md": CLEAN.format(title="B"), "c.md": CLEAN.format(title="C")})
    (root / "docs" / "b.md").write_text("# B\n\nThe standard course is four infusions.\n", "utf-8")
    report = check(root, "--changed-since", "base")
    contradictions = [f for f in report["findings"] if f["rule"] == "contradiction"]
    assert contradictions, report["findings"]
    assert all({f["path"], *(r["path"] for r in f.get("related", []))} == {"docs/a.md", "docs/b.md"} for f in contradictions)
    assert "docs/c.md" not in {f["path"] for f in report["findings"]}
