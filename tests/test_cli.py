"""The command line as a user and CI see it: exit codes, the JSON contract, suppressions, errors."""

from __future__ import annotations

import json
import re

import pytest

from conftest import run_cli, run_json

CLAIM_PAGE = {
    "index.md": """\
        ---
        title: Home
        ---
        # Home

        A course is six infusions [[claim:six-infusions]].

        Ketamine helps about 70% of people with depression.

        Wear comfortable clothing.
        """
}


def test_json_report_has_the_contract_fields(site):
    root = site(CLAIM_PAGE)
    code, report = run_json("check", cwd=root)
    assert code == 1
    f = next(f for f in report["findings"] if f["rule"] == "unsupported-claim")
    assert {"rule", "severity", "path", "line", "column", "message", "excerpt"} <= f.keys()
    assert (f["path"], f["line"], f["column"], f["severity"]) == ("docs/index.md", 8, 1, "error")
    assert f["excerpt"] == "Ketamine helps about 70% of people with depression."
    assert report["exit_code"] == 1 and report["mode"] == "preview"
    assert [p["path"] for p in report["pages"]] == ["docs/index.md"]


def test_unapproved_claim_warns_in_preview_and_blocks_in_publish(site):
    root = site({"index.md": "# Home\n\nA course is six infusions [[claim:six-infusions]].\n"})
    code, report = run_json("check", "--mode", "preview", cwd=root)
    rules = {(f["rule"], f["severity"]) for f in report["findings"]}
    assert ("unapproved-claim", "warning") in rules
    assert code == 0 or any(sev == "error" for _, sev in rules)
    code, report = run_json("check", "--mode", "publish", cwd=root)
    assert ("unapproved-claim", "error") in {(f["rule"], f["severity"]) for f in report["findings"]}
    assert code == 1


def test_unknown_claim_points_at_the_tag(site):
    root = site({"index.md": "# Home\n\nSix infusions are usual [[claim:no-such-claim]].\n"})
    _, report = run_json("check", cwd=root)
    f = next(f for f in report["findings"] if f["rule"] == "unknown-claim")
    assert (f["line"], f["column"], f["severity"]) == (3, 25, "warning")
    assert "no-such-claim" in f["message"]
    _, report = run_json("check", "--mode", "publish", cwd=root)
    assert next(f for f in report["findings"] if f["rule"] == "unknown-claim")["severity"] == "error"


def test_suppression_silences_the_rule_and_is_listed_with_its_reason(site):
    root = site(
        {
            "index.md": """\
                # Home

                <!-- linters: disable-next unsupported-claim reason="quoted from the FDA label" -->
                Ketamine helps about 70% of people with depression.
                """
        }
    )
    code, report = run_json("check", cwd=root)
    assert not [f for f in report["findings"] if f["rule"] == "unsupported-claim"]
    assert report["suppressed"] == [
        {
            "rule": "unsupported-claim",
            "path": "docs/index.md",
            "line": 4,
            "reason": "quoted from the FDA label",
            "suppression_line": 3,
            "excerpt": "Ketamine helps about 70% of people with depression.",
        }
    ]
    text = run_cli("check", cwd=root).stdout
    assert "Suppressed (1)" in text and "quoted from the FDA label" in text


def test_any_folder_of_markdown_without_registry_or_config(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("Ketamine is completely safe.\n\nWear a coat.\n\nIt relieves pain [[claim:x]].\n", "utf-8")
    code, report = run_json("check", str(tmp_path / "notes"), cwd=tmp_path)
    assert code == 1
    got = sorted((f["rule"], f["line"]) for f in report["findings"] if f["rule"].endswith("-claim"))
    assert got == [("prohibited-claim", 1), ("unknown-claim", 5)]
    assert report["findings"][0]["path"] == "notes/a.md"


def test_text_report_groups_by_file_and_ends_with_a_summary(site):
    root = site(CLAIM_PAGE)
    proc = run_cli("check", cwd=root)
    lines = proc.stdout.strip().splitlines()
    assert lines[0] == "docs/index.md"
    assert "8:1  error" in proc.stdout
    assert re.match(r"1 error, \d+ warnings? in 1 page \(preview mode\)\. Exit 1: ", lines[-1]), lines[-1]
    assert "\x1b[" not in proc.stdout  # no colour codes when not on a terminal


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", "--format", "xml"], "unknown format 'xml'"),
        (["check", "--mode", "final"], "unknown mode 'final'"),
        (["check", "no/such/folder"], "no/such/folder: no such file or folder"),
        (["check", "--today", "21/11/2026"], "YYYY-MM-DD"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(site, args, message):
    root = site(CLAIM_PAGE)
    proc = run_cli(*args, cwd=root)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert message in lines[0]
    assert proc.stdout == ""


def test_bad_config_exits_2_naming_the_file(site):
    root = site(CLAIM_PAGE, mkdocs="site_name: x\nplugins:\n  - medical-claims:\n      reading_level: lots\n")
    proc = run_cli("check", cwd=root)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "mkdocs.yml" in proc.stderr and "reading_level" in proc.stderr


def test_mkdocs_yml_with_python_tags_is_read_safely(site):
    mk = "site_name: x\nmarkdown_extensions:\n  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\nplugins:\n  - medical-claims:\n      vale: off\n"
    root = site(CLAIM_PAGE, mkdocs=mk)
    proc = run_cli("check", cwd=root)
    assert proc.returncode == 1, proc.stderr


def test_output_file(site, tmp_path):
    root = site(CLAIM_PAGE)
    out = tmp_path / "report.json"
    proc = run_cli("check", "--format", "json", "-o", str(out), cwd=root)
    assert proc.returncode == 1 and proc.stdout == ""
    assert json.loads(out.read_text("utf-8"))["findings"]
