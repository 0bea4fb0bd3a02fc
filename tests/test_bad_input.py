"""Bad and hostile input: every file problem is a finding with a place, and never stops the other pages.

One table, one row per bad input. Each row is a folder: the bad file next to a good page whose
finding we know. One run of the real command line checks all of them together, so a bad file
that stopped the run, or hid another page, fails every row. A row says what a writer sees
(rule, line, column, the exact message), the exit code it alone would give (a few rows are
also run alone to check the real exit code), and what must not be there.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from conftest import MINIMAL_CLAIMS, MINIMAL_REFERENCES, run_cli
from linters.pages import MAX_PAGE_BYTES, read_page
from linters.parse.page import PARSE_TIME_LIMIT

GOOD_PAGE = "# Good\n\nA course is six infusions [[claim:six-infusions]].\n"
GOOD_FINDING = ("docs/good.md", "unapproved-claim", 3, 27)  # a warning: alone it leaves exit code 0
UNSAFE = "Ketamine infusions are completely safe."  # a prohibited-claim error wherever it is checked

NOT_CHECKED = "the page was not checked."
BINARY = "This is a binary file, not Markdown text; " + NOT_CHECKED
LOOP = "This link points to itself, loops, or leads nowhere; " + NOT_CHECKED
FIX_YAML = "Fix it so the page's title, author and review dates can be read."
TAG_AS_TEXT = "It was read as text, so the sentence cites nothing."

LONG_LINE = "Wear comfortable clothes on the day of your visit. " * 3922 + UNSAFE  # 200 KB, one line
BRACKETS = "[" * 100_000 + "]" * 100_000  # markdown-it's link parsing is quadratic on it


def at(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of `needle` in `text`, as an editor shows them."""
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def unsafe_at(text: str) -> tuple[str, str, int, int, None]:
    """The prohibited-claim finding on `UNSAFE` in bad.md: it points at "completely safe"."""
    return ("docs/bad.md", "prohibited-claim", *at(text, "completely safe"), None)


def bomb() -> str:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")]
    return "---\n" + "\n".join(levels) + "\n---\n# Home\n\n" + UNSAFE + "\n"


def write(name: str, content: str | bytes) -> Callable[[Path], None]:
    def make(docs: Path) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        (docs / name).write_bytes(data)

    return make


def unreadable(docs: Path) -> None:
    (docs / "bad.md").write_text("# Secret\n", "utf-8")
    (docs / "bad.md").chmod(0)


def dir_named_md(docs: Path) -> None:
    (docs / "bad.md").mkdir()
    (docs / "bad.md" / "inner.md").write_text("# Inner\n\n" + UNSAFE + "\n", "utf-8")


def link_outside(docs: Path) -> None:
    outside = docs.parent.parent.parent / f"outside-{docs.name}.md"  # beside the project, not in it
    outside.write_text(UNSAFE + "\n", "utf-8")
    (docs / "bad.md").symlink_to(outside)


def link_loop(docs: Path) -> None:
    (docs / "bad.md").symlink_to("other.md")
    (docs / "other.md").symlink_to("bad.md")


def named_pipe(docs: Path) -> None:
    os.mkfifo(docs / "bad.md")  # reading it would wait for a writer forever


def huge(docs: Path) -> None:
    (docs / "bad.md").write_bytes(b"word " * (MAX_PAGE_BYTES // 5 + 1))


@dataclass
class Case:
    id: str
    make: Callable[[Path], None]
    expect: list[tuple[str, str, int, int, str | None]]  # (path, rule, line, column, exact message or None)
    exit_code: int
    absent: list[str] = field(default_factory=list)  # rules that must not appear on bad.md
    skip: str | None = None


CRLF = "# Title\r\n\r\nHello there.\r\n" + UNSAFE + "\r\n"
CR = "# Title\r\rHello there.\r" + UNSAFE + "\r"
BOM = "\ufeff# Title\n\n" + UNSAFE + "\n"
DEEP_LIST = "- " * 500 + UNSAFE + "\n\n" + UNSAFE + "\n"
DEEP_INDENT = "".join("  " * i + "- item\n" for i in range(500)) + "  " * 500 + "- " + UNSAFE + "\n"
DEEP_QUOTE = ">" * 500 + " " + UNSAFE + "\n\n" + UNSAFE + "\n"
FENCE = "# Title\n\nBefore the code.\n\n```\nprint('hi')\n\n" + UNSAFE + "\n"
UNCLOSED_FM = "---\ntitle: Home\n\n# Home\n\n" + UNSAFE + "\n"
LONG_ID = "[[claim:" + "a" * 5000 + "]]"

CASES = [
    Case("binary file (NUL bytes)", write("bad.md", b"# Logo\n\x89PNG\x00\x00\x00\rIHDR"), [("docs/bad.md", "invalid-page", 2, 5, BINARY)], 1),
    Case(
        "UTF-16 file",
        write("bad.md", "# Café\n".encode("utf-16")),
        [("docs/bad.md", "invalid-page", 1, 1, "This file is UTF-16 text. Save it as UTF-8; " + NOT_CHECKED)],
        1,
    ),
    Case(
        "Latin-1 text: the encoding problem with its line and column",
        write("bad.md", "# Über\n\nThe café opens at nine.\n".encode("latin-1")),
        [("docs/bad.md", "invalid-page", 1, 3, "This file is not UTF-8 text (byte 0xdc cannot be decoded). Save it as UTF-8; " + NOT_CHECKED)],
        1,
    ),
    Case(
        "Latin-1 byte after UTF-8 text: column counts characters",
        write("bad.md", "# Über\n\nLe café coûte \u20ac3 ".encode("utf-8") + b"ou 3\xa4.\n"),
        [("docs/bad.md", "invalid-page", 3, 22, "This file is not UTF-8 text (byte 0xa4 cannot be decoded). Save it as UTF-8; " + NOT_CHECKED)],
        1,
    ),
    Case("UTF-8 BOM: positions as without it", write("bad.md", BOM), [unsafe_at(BOM.lstrip("\ufeff"))], 1, ["invalid-page"]),
    Case("CRLF line ends: positions still right", write("bad.md", CRLF), [unsafe_at(CRLF)], 1, ["invalid-page"]),
    Case("old Mac CR line ends", write("bad.md", CR), [unsafe_at(CR.replace("\r", "\n"))], 1, ["invalid-page"]),
    Case("empty file", write("bad.md", ""), [], 0, ["invalid-page"]),
    Case("200 KB single line is checked to its end", write("bad.md", LONG_LINE + "\n"), [unsafe_at(LONG_LINE)], 1, ["invalid-page"]),
    Case(
        "200 KB of brackets: the parse time limit, not a hang",
        write("bad.md", "# Title\n\n" + BRACKETS + "\n"),
        [
            (
                "docs/bad.md",
                "invalid-page",
                3,
                1,
                f"Reading this page took longer than {PARSE_TIME_LIMIT:g} s, stuck at this block (a very long line or thousands of "
                "brackets or emphasis marks?). Split it or remove the stray markup; the page from here on was not checked.",
            )
        ],
        1,
    ),
    Case("500 nested list markers: the text inside is still checked", write("bad.md", DEEP_LIST), [unsafe_at(DEEP_LIST), ("docs/bad.md", "prohibited-claim", 3, 24, None)], 1, ["invalid-page"]),
    Case("500 levels of indented lists", write("bad.md", DEEP_INDENT), [("docs/bad.md", "prohibited-claim", 501, 1026, None)], 1, ["invalid-page"]),
    Case("500 nested block quotes", write("bad.md", DEEP_QUOTE), [unsafe_at(DEEP_QUOTE), ("docs/bad.md", "prohibited-claim", 3, 24, None)], 1, ["invalid-page"]),
    Case(
        "unclosed code fence: the rest is code, and the writer is told",
        write("bad.md", FENCE),
        [("docs/bad.md", "invalid-page", 5, 1, "This code block is never closed, so everything after line 5 is read as code and not checked. Close it with a line of ```.")],
        1,
        ["prohibited-claim"],
    ),
    Case(
        "unclosed front matter",
        write("bad.md", UNCLOSED_FM),
        [
            ("docs/bad.md", "invalid-page", 1, 1, "The front matter that starts here is never closed: add a `---` line after it. Until then its lines are read as page text."),
            unsafe_at(UNCLOSED_FM),
        ],
        1,
    ),
    Case(
        "front matter that is not YAML",
        write("bad.md", "---\ntitle: [Home\nauthor: Editorial team\n---\n# Home\n"),
        [("docs/bad.md", "invalid-page", 3, 7, f"The front matter is not valid YAML (did not find expected ',' or ']'). {FIX_YAML}")],
        1,
    ),
    Case(
        "front matter with an impossible date: the line of the date",
        write("bad.md", "---\ntitle: Home\nlast_reviewed: 2026-02-30\n---\n# Home\n"),
        [("docs/bad.md", "invalid-page", 3, 16, f"The front matter is not valid YAML (day is out of range for month). {FIX_YAML}")],
        1,
    ),
    Case(
        "front matter that is a list",
        write("bad.md", "---\n- title\n- author\n---\n# Home\n"),
        [("docs/bad.md", "invalid-page", 1, 1, "The front matter must be a set of `key: value` lines, not a list or a single value.")],
        1,
    ),
    Case(
        "front matter billion laughs: refused, the page still checked",
        write("bad.md", bomb()),
        [
            ("docs/bad.md", "invalid-page", 1, 1, "The front matter expands to more than 10,000 values (YAML aliases that repeat aliases?). Write the metadata out plainly; it was ignored."),
            unsafe_at(bomb()),
        ],
        1,
    ),
    Case(
        "front matter nested 5,000 deep",
        write("bad.md", "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n# Home\n"),
        [("docs/bad.md", "invalid-page", 1, 1, "The front matter nests values more than 20 levels deep. Write the metadata out plainly; it was ignored.")],
        1,
    ),
    Case(
        "front matter of 40,000 characters",
        write("bad.md", "---\ntitle: " + "x" * 40_000 + "\n---\n# Home\n"),
        [("docs/bad.md", "invalid-page", 1, 1, "The front matter is 40,007 characters long; the limit is 32,000. Keep only the page's metadata there; the page text below was still checked.")],
        1,
    ),
    Case(
        "front matter asking YAML to run a command",
        write("bad.md", '---\ntitle: !!python/object/apply:os.system ["echo pwned"]\n---\n# Home\n'),
        [
            (
                "docs/bad.md",
                "invalid-page",
                2,
                8,
                f"The front matter is not valid YAML (could not determine a constructor for the tag "
                f"'tag:yaml.org,2002:python/object/apply:os.system'). {FIX_YAML}",
            )
        ],
        1,
    ),
    Case(
        "empty claim tag",
        write("bad.md", "# Tags\n\nA course is six infusions [[claim:]].\n"),
        [("docs/bad.md", "unknown-claim", 3, 27, "This claim tag names no claim. Write the id of a registry claim, e.g. [[claim:infusion-duration]].")],
        0,
    ),
    Case(
        "claim tag with HTML in it",
        write("bad.md", "# Tags\n\nA course is six infusions [[claim:<script>alert(1)</script>]].\n"),
        [("docs/bad.md", "unknown-claim", 3, 27, "`<script>alert(1)</script>` is not a valid claim id (ids are lowercase letters, digits and hyphens).")],
        0,
    ),
    Case(
        "claim tag with an empty id between commas",
        write("bad.md", "# Tags\n\nA course is six infusions [[claim:six-infusions,,other]].\n"),
        [
            ("docs/bad.md", "unknown-claim", 3, 27, "This claim tag has an empty id between commas."),
            ("docs/bad.md", "unknown-claim", 3, 27, "Claim `other` is not in the claims registry. Fix the id or add the claim with its source."),
        ],
        0,
    ),
    Case(
        "claim tag with a 5,000-character id",
        write("bad.md", f"# Tags\n\nA course is six infusions {LONG_ID}.\n"),
        [("docs/bad.md", "invalid-page", 3, 27, f"This claim tag is not closed within 2,000 characters (a claim id has at most 80). {TAG_AS_TEXT}")],
        1,
    ),
    Case(
        "unclosed claim tag",
        write("bad.md", "# Tags\n\nA course is six infusions [[claim:six-infusions.\n"),
        [("docs/bad.md", "invalid-page", 3, 27, f"This claim tag is not closed: end it with `]]` on the same line. {TAG_AS_TEXT}")],
        1,
    ),
    Case(
        "claim tag broken over two lines",
        write("bad.md", "# Tags\n\nA course is six infusions [[claim:six-\ninfusions]].\n"),
        [("docs/bad.md", "invalid-page", 3, 27, f"This claim tag is not closed: end it with `]]` on the same line. {TAG_AS_TEXT}")],
        1,
    ),
    Case("link that leaves the project", link_outside, [("docs/bad.md", "invalid-page", 1, 1, None)], 1, ["prohibited-claim"]),
    Case("link loop", link_loop, [("docs/bad.md", "invalid-page", 1, 1, LOOP), ("docs/other.md", "invalid-page", 1, 1, LOOP)], 1),
    Case("named pipe called bad.md: no hang", named_pipe, [("docs/bad.md", "invalid-page", 1, 1, "This is not a regular file (a pipe, socket or device); " + NOT_CHECKED)], 1),
    Case(
        "file too big to be a page",
        huge,
        [("docs/bad.md", "invalid-page", 1, 1, "This file is 2.0 MB; pages over 2 MB are not checked. Split it into smaller pages.")],
        1,
    ),
    Case("folder named bad.md: its pages are checked", dir_named_md, [("docs/bad.md/inner.md", "prohibited-claim", 3, 24, None)], 1),
    Case(
        "file nobody may read",
        unreadable,
        [("docs/bad.md", "invalid-page", 1, 1, "Cannot read this file: Permission denied.")],
        1,
        skip="running as root: chmod 000 does not stop root from reading" if hasattr(os, "geteuid") and os.geteuid() == 0 else None,
    ),
]


def slug(case: Case) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in case.id.lower())[:40].strip("-")


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """Every row in one project, each in its own folder with its own good page."""
    root = tmp_path_factory.mktemp("bad") / "site"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: Test\nplugins:\n  - medical-claims:\n      vale: off\n", "utf-8")
    (root / "claims").mkdir()
    (root / "claims" / "claims.yml").write_text(MINIMAL_CLAIMS, "utf-8")
    (root / "claims" / "references.json").write_text(json.dumps(MINIMAL_REFERENCES), "utf-8")
    for case in CASES:
        if case.skip:
            continue
        folder = root / "docs" / slug(case)
        folder.mkdir()
        (folder / "good.md").write_text(GOOD_PAGE, "utf-8")
        case.make(folder)
    return root


@pytest.fixture(scope="module")
def run(project):
    """One run of the real command line over all of it: no bad file may stop the others."""
    started = time.monotonic()
    proc = run_cli("check", "--format", "json", cwd=project)
    return proc, json.loads(proc.stdout or "{}"), time.monotonic() - started


def test_one_run_over_every_bad_input_finishes_with_one_report(run):
    proc, report, seconds = run
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert proc.returncode == 1 and report["exit_code"] == 1
    assert seconds < 60, f"checking took {seconds:.1f} s"


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id, marks=[pytest.mark.skip(reason=c.skip)] if c.skip else []) for c in CASES])
def test_bad_input_is_a_finding_and_the_good_page_beside_it_is_still_checked(case: Case, run):
    _, report, _ = run
    folder = f"docs/{slug(case)}/"
    findings = [dict(f, path=f["path"].replace(folder, "docs/")) for f in report["findings"] if f["path"].startswith(folder)]
    seen = {(f["path"], f["rule"], f["line"], f["column"]) for f in findings}
    assert GOOD_FINDING in seen, "the good page next to the bad file was not checked"
    for path, rule, line, column, message in case.expect:
        here = [f for f in findings if (f["path"], f["rule"], f["line"], f["column"]) == (path, rule, line, column)]
        assert here, f"no {rule} at {path}:{line}:{column}; got {sorted(s for s in seen if s[0] != 'docs/good.md')}"
        if message is not None:
            assert message in [f["message"] for f in here]
            assert "\n" not in message
    for rule in case.absent:
        assert not [f for f in findings if f["path"] == "docs/bad.md" and f["rule"] == rule]
    # The exit code is 1 exactly when there is an error-level finding; this row alone would give:
    assert int(any(f["severity"] == "error" for f in findings)) == case.exit_code


@pytest.mark.parametrize(
    "case_id",
    ["empty file", "claim tag with HTML in it", "binary file (NUL bytes)", "link loop"],
)
def test_exit_code_of_a_project_with_only_that_bad_input(case_id, tmp_path):
    case = next(c for c in CASES if c.id == case_id)
    root = tmp_path / "site"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: Test\nplugins:\n  - medical-claims:\n      vale: off\n", "utf-8")
    (root / "claims").mkdir()
    (root / "claims" / "claims.yml").write_text(MINIMAL_CLAIMS, "utf-8")
    (root / "claims" / "references.json").write_text(json.dumps(MINIMAL_REFERENCES), "utf-8")
    (root / "docs" / "good.md").write_text(GOOD_PAGE, "utf-8")
    case.make(root / "docs")
    proc = run_cli("check", "--format", "json", cwd=root)
    assert proc.returncode == case.exit_code, proc.stderr
    assert "Traceback" not in proc.stderr
    assert GOOD_FINDING in {(f["path"], f["rule"], f["line"], f["column"]) for f in json.loads(proc.stdout)["findings"]}


def test_a_200_kb_line_parses_in_under_two_seconds(tmp_path):
    page = tmp_path / "long.md"
    page.write_text(LONG_LINE + "\n", "utf-8")
    started = time.perf_counter()
    doc = read_page(page, tmp_path)
    seconds = time.perf_counter() - started
    assert seconds < 2, f"{seconds:.2f} s"
    assert len(doc.source) > 200_000 and doc.sentences[-1].text == UNSAFE


def test_hostile_line_is_cut_off_at_the_time_limit(tmp_path):
    page = tmp_path / "brackets.md"
    page.write_text(BRACKETS + "\n", "utf-8")
    started = time.process_time()  # the limit is CPU time, so a busy machine does not trip it
    doc = read_page(page, tmp_path)
    seconds = time.process_time() - started
    assert [p.rule for p in doc.problems] == ["invalid-page"]
    assert PARSE_TIME_LIMIT <= seconds < PARSE_TIME_LIMIT + 1, f"{seconds:.2f} s"


# --- YAML is loaded safely: no object construction, nothing runs ---------------------------------

RUN_COMMAND = '!!python/object/apply:os.system ["touch {marker}"]'


@pytest.mark.parametrize("where", ["front matter", "claims registry"])
def test_yaml_that_asks_to_run_a_command_is_refused_and_nothing_runs(where, site, tmp_path):
    marker = tmp_path / "pwned"
    command = RUN_COMMAND.format(marker=marker)
    if where == "front matter":
        root = site({"index.md": f"---\ntitle: {command}\n---\n# Home\n"})
    else:
        root = site({"index.md": "# Home\n"}, claims=f"claims:\n  - id: six-infusions\n    statement: {command}\n")
    proc = run_cli("check", "--format", "json", cwd=root)
    assert not marker.exists(), "YAML ran a command"
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    rule = "invalid-page" if where == "front matter" else "invalid-registry"
    assert [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == rule]


@pytest.mark.parametrize("loader", ["load_safe", "load_fast", "load_round_trip"])
def test_every_yaml_loader_builds_no_python_objects(loader, tmp_path):
    from linters import yamlio

    marker = tmp_path / "pwned"
    text = f"a: {RUN_COMMAND.format(marker=marker)}\nb: !!python/name:os.system\n"
    try:
        data = getattr(yamlio, loader)(text)
    except yamlio.YamlError:
        data = None
    assert not marker.exists()
    if data is not None:  # the round-trip loader keeps unknown tags as plain data
        assert not callable(data["b"]) and not isinstance(data["a"], int)


# --- Patterns from data files cannot hang a run -------------------------------------------------

EVIL = "(a|aa)+$"  # exponential backtracking on "aaaa…a!"


def test_a_pathological_pattern_gives_up_within_its_time_limit():
    from linters.patterns import SEARCH_TIMEOUT, PatternTimeout, compile_pattern

    pattern = compile_pattern(EVIL, "prohibited.yml: evil")
    started = time.perf_counter()
    with pytest.raises(PatternTimeout, match="prohibited.yml: evil"):
        pattern.search("a" * 40 + "!")
    assert time.perf_counter() - started < SEARCH_TIMEOUT + 2.5  # the regex module checks its clock now and then


def test_a_pathological_pattern_in_a_data_file_becomes_a_finding_not_a_hang(monkeypatch, tmp_path):
    from datetime import date

    from linters.config import Config
    from linters.context import Context
    from linters.parse.page import parse_page
    from linters.registry.load import Registry
    from linters.rules import prohibited_claim

    real_load = prohibited_claim.load_data

    def with_evil_phrase(name):
        data = real_load(name)
        if name != prohibited_claim.DATA:
            return data
        evil = {"id": "evil", "pattern": EVIL, "message": "evil", "category": "absolute-safety", "source": "test"}
        return dict(data, phrases=[*data["phrases"], evil])

    monkeypatch.setattr(prohibited_claim, "load_data", with_evil_phrase)
    caches = [f for f in vars(prohibited_claim).values() if hasattr(f, "cache_clear")]  # compiled data, memoised spans
    for cache in caches:
        cache.cache_clear()
    try:
        doc = parse_page("docs/p.md", "# Page\n\nKetamine " + "a" * 60 + "!\n")
        ctx = Context(registry=Registry(), config=Config(), today=date(2026, 1, 1), root=tmp_path)
        started = time.perf_counter()
        findings = list(prohibited_claim.RULE.check(doc, ctx))
        seconds = time.perf_counter() - started
    finally:
        for cache in caches:
            cache.cache_clear()  # the next test gets the real data file
    assert [(f.rule, f.line, f.column, f.message) for f in findings] == [
        ("prohibited-claim", 3, 1, "This sentence could not be checked in time (prohibited.yml: evil); shorten it or split it.")
    ]
    assert seconds < 5


@pytest.mark.parametrize(
    "source, message",
    [
        ("(unclosed", "prohibited.yml: evil: invalid pattern '(unclosed': missing ) at position 9"),
        ("", "prohibited.yml: evil: pattern must be a non-empty string"),
    ],
)
def test_a_broken_pattern_in_a_data_file_is_a_one_line_error(source, message):
    from linters.errors import UsageError
    from linters.patterns import compile_pattern

    with pytest.raises(UsageError) as caught:
        compile_pattern(source, "prohibited.yml: evil")
    assert str(caught.value) == message


def test_quantity_patterns_from_data_files_give_up_too():
    facts = pytest.importorskip("linters.quantities.facts")
    from linters.patterns import SEARCH_TIMEOUT, PatternTimeout

    pattern = facts.compile_pattern(EVIL, "facets.yml: evil")
    started = time.perf_counter()
    with pytest.raises(PatternTimeout, match="facets.yml: evil"):
        pattern.search("a" * 60 + "!")
    assert time.perf_counter() - started < SEARCH_TIMEOUT + 2.5
