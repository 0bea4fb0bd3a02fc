"""Vale, run by the real binary, in the same report as our own rules.

The tests marked `vale` need Vale (scripts/install-vale.sh finds or builds it;
`make setup` runs it). Without it they FAIL with that advice, so CI cannot go
green without running Vale; set LINTERS_SKIP_VALE=1 to skip them on purpose.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from linters.engine import check_paths, open_project
from linters.parse.page import parse_page
from linters.site.rules_page import catalogue
from linters.rules import all_rules
from linters.rules.prohibited_claim import prohibited_spans
from linters.rules.vale import EXAMPLES
from linters.vale import build_view, find_vale

MKDOCS = "site_name: Test\nplugins:\n  - medical-claims:\n      vale: {vale}\n{extra}"


@pytest.fixture(scope="session")
def vale_bin() -> str:
    found = find_vale(REPO)
    if found.path is None:
        if os.environ.get("LINTERS_SKIP_VALE") == "1":
            pytest.skip("LINTERS_SKIP_VALE=1: the Vale tests were skipped on purpose")
        pytest.fail(f"{found.problem}: run scripts/install-vale.sh (make setup does) or set VALE_BIN; set LINTERS_SKIP_VALE=1 to skip the Vale tests", pytrace=False)
    return found.path


def vale_site(root: Path, pages: dict[str, str], vale: str = "required", extra: str = "") -> Path:
    """A project with this repo's .vale.ini and Medical style, and the given pages."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS.format(vale=vale, extra=extra), "utf-8")
    shutil.copy(REPO / ".vale.ini", root / ".vale.ini")
    shutil.copytree(REPO / "styles", root / "styles", dirs_exist_ok=True)
    for rel, text in pages.items():
        path = root / "docs" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def check(root: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "linters", "check", "--format", "json", *args],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def report_of(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def where(text: str, needle: str) -> tuple[int, int]:
    """1-based (line, column) of the first `needle` in `text`, counted in characters."""
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def vale_findings(report: dict, path: str) -> list[dict]:
    return [f for f in report["findings"] if f["path"] == path and f["rule"].startswith("vale.")]


# One page per case, all checked by one Vale run: (name, page, needle, rule that must flag it, or None).
CASES = [
    ("paragraph", "# Page\n\nThis revolutionary drip helps some people.\n", "revolutionary", "vale.Medical.Hype"),
    ("admonition-body", '# Page\n\n!!! note "About the drip"\n    Some call it a miracle drug.\n\n    A second paragraph calls it a game-changer.\n', "game-changer", "vale.Medical.Hype"),
    ("admonition-first-line", '# Page\n\n!!! note "About the drip"\n    Some call it a miracle drug.\n', "miracle", "vale.Medical.Hype"),
    ("collapsible-body", "# Page\n\n???+ tip\n    Text.\n\n    It is not a breakthrough for all.\n", "breakthrough", "vale.Medical.Hype"),
    ("tab-body", '# Page\n\n=== "Drip"\n\n    A transformative hour.\n\n=== "Spray"\n\n    Another tab.\n', "transformative", "vale.Medical.Hype"),
    ("nested-admonition", "# Page\n\n!!! note\n    Outer text.\n\n    !!! warning\n        Inner text is cutting-edge.\n", "cutting-edge", "vale.Medical.Hype"),
    ("admonition-in-list", "# Page\n\n1. First step.\n\n    !!! info\n        A life-changing step.\n", "life-changing", "vale.Medical.Hype"),
    ("admonition-title", '# Page\n\n!!! note "A groundbreaking idea"\n    Plain body.\n', "groundbreaking", "vale.Medical.Hype"),
    ("front-matter-title", '---\ntitle: "A miraculous guide"\nauthor: miracle team\n---\n\n# Page\n\nText.\n', "miraculous", "vale.Medical.Hype"),
    ("front-matter-other-key", "---\nauthor: miracle team\n---\n\n# Page\n\nText.\n", "miracle", None),
    ("non-ascii-columns", "# Page\n\nUn café — c’est « miraculous » 😀 miracle.\n", "miracle.", "vale.Medical.Hype"),
    ("weasel-untagged", "# Page\n\nStudies show that the drip lifts mood.\n", "Studies show", "vale.Medical.Weasel"),
    ("weasel-tagged", "# Page\n\nStudies show that the drip lifts mood [[claim:six-infusions]].\n", "Studies show", None),
    ("weasel-tagged-next-sentence", "# Page\n\nStudies show it works. It lasts days [[claim:six-infusions]].\n", "Studies show", "vale.Medical.Weasel"),
    ("weasel-in-admonition-tagged", "# Page\n\n!!! note\n    Research has shown this [[claim:six-infusions]].\n", "Research has shown", None),
    ("absolute", "# Page\n\nEveryone feels drowsy afterwards.\n", "Everyone", "vale.Medical.Absolutes"),
    ("indented-code", "# Page\n\nText.\n\n    a miracle in indented code\n", "miracle", None),
    ("fence-in-admonition", "# Page\n\n!!! note\n    Text.\n\n    ```\n    miracle in a fence\n    ```\n", "miracle", None),
    ("inline-code", "# Page\n\nThe word `miracle` is code here.\n", "miracle", None),
    ("claim-tag-id", "# Page\n\nA drip takes 40 minutes [[claim:breakthrough-study]].\n", "breakthrough", None),
    ("vale-off", "# Page\n\n<!-- vale off -->\nA miracle, quoted from an advert.\n<!-- vale on -->\n", "miracle", None),
    ("vale-off-in-admonition", "# Page\n\n!!! quote\n    <!-- vale off -->\n    A miracle, quoted from an advert.\n    <!-- vale on -->\n", "miracle", None),
]


@pytest.fixture(scope="module")
def case_report(vale_bin, tmp_path_factory) -> dict:
    root = vale_site(tmp_path_factory.mktemp("vale-cases"), {f"{name}.md": page for name, page, _, _ in CASES})
    return report_of(check(root, env={"VALE_BIN": vale_bin}))


@pytest.mark.vale
@pytest.mark.parametrize("name, page, needle, rule", CASES, ids=[c[0] for c in CASES])
def test_vale_alert_lands_at_its_source_position(case_report, name, page, needle, rule):
    found = vale_findings(case_report, f"docs/{name}.md")
    line, column = where(page, needle)
    here = [f for f in found if (f["line"], f["column"]) == (line, column)]
    if rule is None:
        assert not here, here
        assert not [f for f in found if f["excerpt"].lower() == needle.rstrip(".").lower()], found
    else:
        assert [f["rule"] for f in here] == [rule], (found, (line, column))
        finding = here[0]
        assert finding["excerpt"] == needle.rstrip(".")
        assert finding["end_line"] == line and finding["end_column"] == column + len(finding["excerpt"])
        assert finding["data"]["link"].startswith("rules/vale.md#")


@pytest.mark.vale
def test_hype_in_a_paragraph_and_in_an_admonition_are_both_found(vale_bin, tmp_path):
    page = '# Page\n\nThis revolutionary drip helps some people.\n\n!!! note "About the drip"\n    Text first.\n\n    Some call it a miracle drug.\n'
    report = report_of(check(vale_site(tmp_path, {"page.md": page}), env={"VALE_BIN": vale_bin}))
    got = {(f["rule"], f["line"], f["column"], f["excerpt"]) for f in vale_findings(report, "docs/page.md")}
    assert got == {("vale.Medical.Hype", 3, 6, "revolutionary"), ("vale.Medical.Hype", 8, 20, "miracle")}
    assert all(f["severity"] == "warning" for f in vale_findings(report, "docs/page.md"))


@pytest.mark.vale
def test_our_suppression_silences_a_vale_rule_and_is_listed(vale_bin, tmp_path):
    page = '# Page\n\n<!-- linters: disable-next vale.Medical.Hype reason="quoting an advert" -->\nThe advert said "a miracle".\n\nA miracle again.\n'
    report = report_of(check(vale_site(tmp_path, {"page.md": page}), env={"VALE_BIN": vale_bin}))
    assert [(f["rule"], f["line"]) for f in vale_findings(report, "docs/page.md")] == [("vale.Medical.Hype", 6)]
    assert [(s["rule"], s["line"], s["reason"]) for s in report["suppressed"]] == [("vale.Medical.Hype", 4, "quoting an advert")]


@pytest.mark.vale
def test_rules_option_disables_or_raises_a_vale_rule(vale_bin, tmp_path):
    extra = "      rules:\n        vale.Medical.Absolutes: {enabled: false}\n        vale.Medical.Hype: {severity: error}\n"
    page = "# Page\n\nEveryone calls it a miracle.\n"
    proc = check(vale_site(tmp_path, {"page.md": page}, extra=extra), env={"VALE_BIN": vale_bin})
    report = report_of(proc)
    assert [(f["rule"], f["severity"]) for f in vale_findings(report, "docs/page.md")] == [("vale.Medical.Hype", "error")]
    assert proc.returncode == 1


@pytest.mark.vale
def test_a_broken_vale_style_is_a_one_line_exit_2(vale_bin, tmp_path):
    root = vale_site(tmp_path, {"page.md": "# Page\n\nText.\n"})
    (root / "styles" / "Medical" / "Broken.yml").write_text("extends: existence\nmessage: x\nbogus: 1\ntokens: [a]\n", "utf-8")
    proc = check(root, env={"VALE_BIN": vale_bin})
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "styles/Medical/Broken.yml:3: Vale E201" in proc.stderr and "bogus" in proc.stderr


@pytest.fixture(scope="module")
def example_report(vale_bin, tmp_path_factory) -> dict:
    pages = {f"ex{i}.md": f"# Example\n\n{ex.text}\n" for i, ex in enumerate(EXAMPLES)}
    return report_of(check(vale_site(tmp_path_factory.mktemp("vale-examples"), pages), env={"VALE_BIN": vale_bin}))


@pytest.mark.vale
@pytest.mark.parametrize("i", range(len(EXAMPLES)), ids=[ex.text[:40] for ex in EXAMPLES])
def test_documented_example(example_report, i):
    example = EXAMPLES[i]
    rules = [f["rule"] for f in vale_findings(example_report, f"docs/ex{i}.md")]
    assert (example.note in rules) == example.flagged, (example.text, rules)


@pytest.mark.parametrize("example", [ex for ex in EXAMPLES if ex.flagged], ids=lambda ex: ex.text[:40])
def test_vale_examples_are_not_prohibited_claims_so_no_phrase_lives_in_two_lists(example):
    # A phrase belongs either to the Vale style or to linters/data/prohibited.yml; if
    # prohibited-claim starts catching one of these, remove it from the style.
    assert not list(prohibited_spans(example.text)), example.text


def test_each_style_rule_links_to_its_section_of_the_generated_rule_page():
    page = catalogue(all_rules(), REPO, ".vale.ini")["rules/vale.md"]
    styles = sorted((REPO / "styles" / "Medical").glob("*.yml"))
    assert styles
    for path in styles:
        text = path.read_text("utf-8")
        assert f"link: rules/vale.md#{path.stem.lower()}\n" in text, path
        assert "\nmessage: " in text and "\nlevel: " in text, path
        assert re.search(rf"^#+ {path.stem}$", page, re.M), f"rules/vale.md has no section #{path.stem.lower()}"


# --- a missing Vale: one note in preview; in publish an error unless the config opts out ---

NOWHERE = {"VALE_BIN": "/nowhere/vale"}
EMPTY_PATH = {"VALE_BIN": "", "PATH": ""}


@pytest.mark.parametrize(
    "env, vale, mode, note, error",
    [
        (NOWHERE, "required", "preview", "VALE_BIN=/nowhere/vale is not an executable file: run scripts/install-vale.sh or set VALE_BIN", False),
        (NOWHERE, "required", "publish", "VALE_BIN=/nowhere/vale is not an executable file: run scripts/install-vale.sh or set VALE_BIN", True),
        (EMPTY_PATH, "required", "preview", "Vale not found: run scripts/install-vale.sh or set VALE_BIN", False),
        (EMPTY_PATH, "required", "publish", "Vale not found: run scripts/install-vale.sh or set VALE_BIN", True),
        (EMPTY_PATH, "optional", "publish", "Vale not found: run scripts/install-vale.sh or set VALE_BIN", False),
        (EMPTY_PATH, "off", "publish", None, False),
    ],
    ids=["bad-VALE_BIN-preview", "bad-VALE_BIN-publish", "no-vale-preview", "no-vale-publish", "optional-publish", "off-publish"],
)
def test_missing_vale_is_a_note_and_in_publish_an_error(tmp_path, monkeypatch, env, vale, mode, note, error):
    root = vale_site(tmp_path, {"page.md": "# Page\n\nA plain page.\n"}, vale=vale)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    report = check_paths([root / "docs"], mode=mode, project=open_project(root=root))
    notes = [n for n in report.notes if "vale" in n.lower()]
    assert notes == ([] if note is None else [f"{note} (the vale.* style checks did not run)."])
    missing = [f for f in report.findings if f.rule == "vale"]
    if error:
        vale_line = (root / "mkdocs.yml").read_text().splitlines().index(f"      vale: {vale}") + 1
        assert [(f.path, f.line, f.severity) for f in missing] == [("mkdocs.yml", vale_line, "error")]
        assert "set `vale: optional`" in missing[0].message
        assert report.exit_code == 1
    else:
        assert missing == []


# --- the view Vale reads: admonition and tab bodies as prose, same lines, columns mapped back ---

VIEW_PAGE = """\
---
title: 'A guide: the drip'
description: >-
  folded, left out
---

# Heading

!!! note "Title text"
    Body text at four.

    !!! tip
        Nested body at eight.

\t\tTabbed body line.

=== "Tab one"

    Tab body text [[claim:some-id]] end.

    ```
    code stays code
    ```

        indented code stays code

Back at top level.

    indented code at top level
"""


@pytest.mark.parametrize(
    "needle, view_line",
    [
        ("A guide: the drip", "# A guide: the drip"),
        ("Title text", "# Title text"),
        ("Body text at four.", "Body text at four."),
        ("Nested body at eight.", "Nested body at eight."),
        ("Tabbed body line.", "Tabbed body line."),
        ("Tab one", "# Tab one"),
        ("end.", "Tab body text " + " " * len("[[claim:some-id]]") + " end."),
        ("code stays code", "code stays code"),
        ("indented code stays code", "    indented code stays code"),
        ("indented code at top level", "    indented code at top level"),
        ("Back at top level.", "Back at top level."),
    ],
)
def test_view_makes_block_bodies_prose_on_the_same_line_and_maps_columns_back(needle, view_line):
    view = build_view(parse_page("docs/view.md", VIEW_PAGE))
    view_lines = view.text.split("\n")
    assert len(view_lines) == len(VIEW_PAGE.split("\n"))
    line, column = where(VIEW_PAGE, needle)
    assert view_lines[line - 1] == view_line
    assert view.source_column(line, view_line.index(needle) + 1) == column


def test_view_blanks_front_matter_keys_and_claim_tags():
    view = build_view(parse_page("docs/view.md", VIEW_PAGE)).text
    assert "claim" not in view and "some-id" not in view
    assert "folded" not in view and "description" not in view and "author" not in view
    assert view.split("\n")[:5] == ["", "# A guide: the drip", "", "", ""]


# --- scripts/install-vale.sh: one line, never fails the set-up ---


@pytest.mark.vale
def test_install_script_reports_the_vale_it_uses(vale_bin):
    proc = subprocess.run(["bash", str(REPO / "scripts" / "install-vale.sh")], env={**os.environ, "VALE_BIN": vale_bin}, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [proc.stdout.strip()] and proc.stdout.startswith(f"vale: using VALE_BIN={vale_bin} (version ")


def test_install_script_without_vale_or_go_says_how_to_install_and_succeeds(tmp_path):
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    shutil.copy(REPO / "scripts" / "install-vale.sh", scripts)
    bash = shutil.which("bash")
    tools = tmp_path / "path"
    tools.mkdir()
    for tool in ("dirname", "head", "sed", "tail", "mkdir"):
        (tools / tool).symlink_to(shutil.which(tool))
    proc = subprocess.run([bash, str(scripts / "install-vale.sh")], env={"PATH": str(tools)}, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stderr.startswith("vale: not found, and Go is not installed to build it: install Vale 3.21.0")
    assert not (tmp_path / ".tools").exists()
