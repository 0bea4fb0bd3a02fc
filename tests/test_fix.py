"""`python -m linters fix`: safe plain-language swaps in prose, every other byte kept."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import run_cli
from linters.cli import main

MKDOCS = "site_name: Test\nplugins:\n  - medical-claims:\n      vale: off\n"


def make_site(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "site"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS, "utf-8")
    for name, data in files.items():
        (root / "docs" / name).write_bytes(data)
    return root


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def fix(monkeypatch, capsys):
    """`python -m linters fix ARGS` in this process (fast); the real CLI runs in the tests that say so."""

    def run(root: Path, *args: str) -> Result:
        monkeypatch.chdir(root)
        capsys.readouterr()
        code = main(["fix", *args])
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    return run


def fix_cli(root: Path, *args: str):
    return run_cli("fix", *args, cwd=root)


# Everything that is not prose, each holding a word the fix would change in prose.
NOT_PROSE = (
    "---\n"
    "title: Utilize the lot prior to your visit\n"
    "---\n"
    "\n"
    "Please utilize the lot.\n"
    "\n"
    "```text\n"
    "utilize prior to\n"
    "```\n"
    "\n"
    "    utilize (indented code)\n"
    "\n"
    "<!-- utilize the lot prior to noon -->\n"
    "\n"
    "Inline `utilize` code, the [utilize](https://example.org/utilize?x=prior%20to) link,\n"
    "an address https://example.org/utilize and a tag [[claim:utilize-prior-to]].\n"
    "\n"
    "<div>utilize</div>\n"
)
NOT_PROSE_FIXED = NOT_PROSE.replace("Please utilize the lot.", "Please use the lot.").replace("the [utilize](", "the [use](")


@pytest.mark.parametrize(
    "before, after",
    [
        ("Please utilize the lot.\n", "Please use the lot.\n"),
        ("Utilize the lot. UTILIZE IT.\n", "Use the lot. USE IT.\n"),
        ("An adverse effect is rare.\n", "A side effect is rare.\n"),
        ("Eat lightly prior to the drip.\n", "Eat lightly before the drip.\n"),
        ("Stop eating prior\nto the drip.\n", "Stop eating prior\nto the drip.\n"),
        ("It takes an approximately 40-minute slot.\n", "It takes an approximately 40-minute slot.\n"),
        ("Its efficacy is unclear.\n", "Its efficacy is unclear.\n"),
        ("Please **utilize** the lot.\n", "Please **use** the lot.\n"),
        ("> The label says to utilize caution.\n", "> The label says to utilize caution.\n"),
        ("They “utilize” it.\n", "They “utilize” it.\n"),
        ("<!-- linters: disable-next plain-language reason=\"quoted from the label\" -->\nPlease utilize the lot.\n",
         "<!-- linters: disable-next plain-language reason=\"quoted from the label\" -->\nPlease utilize the lot.\n"),
        (NOT_PROSE, NOT_PROSE_FIXED),
    ],
    ids=["word", "case", "article", "phrase", "phrase-over-two-lines", "no-article-fit", "unsafe",
         "inside-emphasis", "blockquote", "quoted", "suppressed", "not-prose"],
)
def test_fix_changes_prose_words_only(tmp_path, fix, before, after):
    root = make_site(tmp_path, {"page.md": before.encode()})
    proc = fix(root)
    assert proc.returncode == 0, proc.stderr
    assert (root / "docs" / "page.md").read_bytes() == after.encode()


def test_bom_crlf_trailing_spaces_tabs_and_unicode_are_kept_byte_for_byte(tmp_path, fix):
    before = "\ufeff# Café  \r\n\r\nPlease utilize the lot\t \r\nprior to your visit — merci.  \r\n\r\nNo final newline, utilize"
    after = "\ufeff# Café  \r\n\r\nPlease use the lot\t \r\nbefore your visit — merci.  \r\n\r\nNo final newline, use"
    root = make_site(tmp_path, {"page.md": before.encode("utf-8")})
    assert fix(root).returncode == 0
    assert (root / "docs" / "page.md").read_bytes() == after.encode("utf-8")


def test_dry_run_shows_a_diff_and_writes_nothing(tmp_path, fix):
    before = b"Intro line.\n\nPlease utilize the lot.\n"
    root = make_site(tmp_path, {"page.md": before})
    page = root / "docs" / "page.md"
    os.utime(page, (1_000_000_000, 1_000_000_000))
    proc = fix_cli(root, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert page.read_bytes() == before
    assert page.stat().st_mtime == 1_000_000_000
    assert "--- a/docs/page.md\n+++ b/docs/page.md\n" in proc.stdout
    assert "-Please utilize the lot.\n+Please use the lot.\n" in proc.stdout
    assert "would replace 1 word in 1 file" in proc.stderr


def test_fix_is_idempotent_and_leaves_no_temporary_files(tmp_path, fix):
    root = make_site(tmp_path, {"a.md": b"Please utilize the lot prior to noon.\n", "b.md": b"Nothing to do.\n"})
    page = root / "docs" / "a.md"
    page.chmod(0o640)
    first = fix(root)
    assert "replaced 2 words in 1 file" in first.stderr
    once = page.read_bytes()
    second = fix(root)
    assert "replaced 0 words in 0 files" in second.stderr
    assert page.read_bytes() == once == b"Please use the lot before noon.\n"
    assert sorted(p.name for p in (root / "docs").iterdir()) == ["a.md", "b.md"]
    assert stat.S_IMODE(page.stat().st_mode) == 0o640


def test_only_the_paths_given_are_touched(tmp_path, fix):
    root = make_site(tmp_path, {"a.md": b"Please utilize it.\n", "b.md": b"Please utilize it.\n"})
    assert fix(root, "docs/a.md").returncode == 0
    assert (root / "docs" / "a.md").read_bytes() == b"Please use it.\n"
    assert (root / "docs" / "b.md").read_bytes() == b"Please utilize it.\n"


def test_a_file_that_is_not_utf8_is_refused_and_left_alone(tmp_path, fix):
    bad = b"Please utilize the lot.\n\xff\xfe broken\n"
    root = make_site(tmp_path, {"bad.md": bad, "good.md": b"Please utilize the lot.\n"})
    proc = fix_cli(root)
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: docs/bad.md:2:1: not UTF-8 text (byte 0xff); not changed"]
    assert "Traceback" not in proc.stderr
    assert (root / "docs" / "bad.md").read_bytes() == bad
    assert (root / "docs" / "good.md").read_bytes() == b"Please use the lot.\n"


def test_a_missing_path_is_a_one_line_usage_error(tmp_path, fix):
    root = make_site(tmp_path, {"a.md": b"Please utilize it.\n"})
    proc = fix(root, "docs/nope.md")
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("error: docs/nope.md") and proc.stderr.count("\n") == 1
