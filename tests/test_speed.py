"""Speed without changing answers: the result cache, worker processes, incremental rebuilds, the progress bar.

No test here times anything (the benchmarks in benchmarks/ do); each checks that
a faster path gives exactly the report the plain path gives, and that it was
taken (the report's stats say how many pages were parsed and how many came
from the cache).
"""

from __future__ import annotations

import io
import logging
import json
import os
import sqlite3
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st

from linters import engine
from linters.assembly import sort_findings
from linters.cache import FILE_NAME, MemoryCache, ResultCache
from linters.commands import check as check_command
from linters.engine import check_paths, open_project
from linters.model import SEVERITY_ORDER, Finding
from linters.parse import page as page_module
from linters.parse.sentences import normalise
from linters.report import json_report

PAGES = {
    "a.md": """
        # Infusions

        Each infusion lasts about 40 minutes.

        Ketamine is completely safe for everyone.

        In one study, people had six infusions over 12 days [[claim:six-infusions]].
        """,
    "b.md": """
        # Sessions

        Each infusion lasts 3 hours.

        <!-- linters: disable-next unsupported-claim reason="quoted from the label" -->
        Ketamine relieves depression within hours.

        Wear comfortable clothes to your visit.
        """,
    "c.md": """
        ---
        title: Costs
        ---

        # Costs

        Ask the clinic what the price covers.
        """,
}


def _site(site, n_extra: int = 0, **kw) -> Path:
    pages = dict(PAGES)
    for i in range(n_extra):  # more pages, each different, each with something to find
        pages[f"more/p{i:03d}.md"] = f"# Page {i}\n\nKetamine helps {40 + i}% of patients with depression.\n\nThe clinic in town {i} is open on weekdays.\n"
    return site(pages, **kw)


def _json(report) -> dict:
    data = json_report.as_data(report)
    data.pop("root")
    return data


def _check(root: Path, **kw):
    return check_paths([], project=open_project(root=root, cache=kw.get("cache")), **kw)


def test_a_warm_run_gives_the_same_report_as_a_cold_one_without_parsing_a_page(site):
    root = _site(site)
    cold = run_cli("check", "--format", "json", "--no-cache", "-v", cwd=root)
    first = run_cli("check", "--format", "json", "-v", cwd=root)
    warm = run_cli("check", "--format", "json", "-v", cwd=root)
    assert cold.returncode == first.returncode == warm.returncode == 1, cold.stderr
    assert json.loads(cold.stdout)["findings"], "the site must have findings for this test to mean anything"
    assert cold.stdout == first.stdout == warm.stdout
    assert "3 parsed, 0 from the cache" in first.stderr
    assert "0 parsed, 3 from the cache" in warm.stderr
    assert (root / ".linters-cache" / FILE_NAME).is_file()


def test_no_cache_leaves_no_cache_folder(site):
    root = _site(site)
    proc = run_cli("check", "--format", "json", "--no-cache", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert not (root / ".linters-cache").exists()


def test_an_edited_page_is_checked_again_and_the_others_are_not(site):
    root = _site(site)
    _check(root)
    page = root / "docs" / "b.md"
    page.write_text(page.read_text("utf-8").replace("3 hours", "45 minutes"), "utf-8")
    warm = _check(root)
    assert (warm.stats["parsed"], warm.stats["cached"]) == (1, 2)
    cold = _check(root, cache=False)
    assert _json(warm) == _json(cold)
    # the cross-page contradiction (40 minutes here, 3 hours there) went away with the edit
    assert not [f for f in warm.findings if f.rule == "contradiction"]


def test_a_new_and_a_deleted_page_change_only_themselves(site):
    root = _site(site)
    _check(root)
    (root / "docs" / "c.md").unlink()
    (root / "docs" / "d.md").write_text("# New\n\nEach infusion lasts 3 hours.\n", "utf-8")
    warm = _check(root)
    assert (warm.stats["parsed"], warm.stats["cached"]) == (1, 2)
    assert _json(warm) == _json(_check(root, cache=False))


def _corrupt_entries(root: Path) -> int:
    db = sqlite3.connect(root / ".linters-cache" / FILE_NAME)
    with db:
        changed = db.execute("UPDATE entries SET value = X'8004deadbeef'").rowcount
    db.close()
    return changed


def _corrupt_file(root: Path) -> int:
    path = root / ".linters-cache" / FILE_NAME
    for extra in (path.with_name(FILE_NAME + "-wal"), path.with_name(FILE_NAME + "-shm")):
        extra.unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    return 1


@pytest.mark.parametrize("corrupt", [_corrupt_entries, _corrupt_file], ids=["entries", "database-file"])
def test_a_corrupt_cache_is_ignored_and_every_page_is_checked_again(site, corrupt):
    root = _site(site)
    expected = _json(_check(root))
    assert corrupt(root) > 0
    again = _check(root)
    assert again.stats["parsed"] == 3
    assert _json(again) == expected
    assert _check(root).stats["cached"] == 3  # and the cache works again afterwards


def _edit_claims(root: Path) -> dict:
    path = root / "claims" / "claims.yml"
    path.write_text(path.read_text("utf-8").replace("people had six infusions", "people had 6 infusions"), "utf-8")
    return {}


def _edit_config(root: Path) -> dict:
    (root / "mkdocs.yml").write_text("site_name: Test\nplugins:\n  - medical-claims:\n      vale: off\n      reading_level: 12\n", "utf-8")
    return {}


@pytest.mark.parametrize(
    "change",
    [
        _edit_claims,
        _edit_config,
        lambda root: {"mode": "publish"},
        lambda root: {"today": date(2031, 1, 1)},
    ],
    ids=["registry-file", "mkdocs-config", "mode", "date"],
)
def test_what_a_result_depends_on_besides_the_page_invalidates_the_cache(site, change):
    root = _site(site)
    _check(root)
    options = change(root)
    after = _check(root, **options)
    assert (after.stats["parsed"], after.stats["cached"]) == (3, 0)
    assert _json(after) == _json(_check(root, cache=False, **options))


def test_a_changed_rule_version_invalidates_the_cache(site, monkeypatch):
    root = _site(site)
    _check(root)
    rule = next(r for r in engine.enabled_rules(open_project(root=root).config) if r.id == "prohibited-claim")
    monkeypatch.setattr(rule, "version", rule.version + "-changed")
    assert _check(root).stats["parsed"] == 3


def test_the_registry_is_read_again_when_its_file_changes(site):
    root = _site(site)
    first = open_project(root=root)
    assert "six-infusions" in first.registry.claims
    path = root / "claims" / "claims.yml"
    path.write_text(path.read_text("utf-8").replace("id: six-infusions", "id: six-sessions"), "utf-8")
    again = open_project(root=root)
    assert set(again.registry.claims) == {"six-sessions"}


def test_parallel_and_serial_runs_give_identical_reports(site, monkeypatch):
    root = _site(site, n_extra=12)
    monkeypatch.setattr(engine, "PARALLEL_MIN_PAGES", 4)
    serial = _check(root, cache=False, jobs=1)
    parallel = _check(root, cache=False, jobs=2)
    assert (serial.stats["jobs"], parallel.stats["jobs"]) == (1, 2)
    assert parallel.stats["parsed"] == 15
    assert _json(parallel) == _json(serial)
    assert len(serial.findings) > 15


def test_a_page_filter_with_cached_results_reports_like_a_cold_filtered_run(site):
    root = _site(site)
    _check(root)
    only_b = {"docs/b.md"}
    warm = _check(root, page_filter=only_b)
    cold = _check(root, cache=False, page_filter=only_b)
    assert warm.stats["cached"] == 3
    assert _json(warm) == _json(cold)
    assert not [f for f in warm.findings if f.path == "docs/a.md" and f.rule == "prohibited-claim"]


def test_jobs_must_be_a_positive_number(site):
    root = _site(site)
    proc = run_cli("check", "--jobs", "0", cwd=root)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: --jobs '0': give a whole number of processes, 1 or more"


class _Terminal(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(
    "fmt, tty, ci, shown",
    [
        ("text", True, False, True),
        ("json", True, False, False),
        ("sarif", True, False, False),
        ("text", False, False, False),
        ("text", True, True, False),
    ],
)
def test_the_progress_bar_shows_only_on_a_terminal_for_people(site, monkeypatch, fmt, tty, ci, shown):
    root = _site(site)
    monkeypatch.setattr(check_command, "PROGRESS_MIN_PAGES", 0)
    monkeypatch.delenv("CI", raising=False)
    if ci:
        monkeypatch.setenv("CI", "true")
    out, err = _Terminal(tty), _Terminal(tty)
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    before = Path.cwd()
    os.chdir(root)
    try:
        from linters.cli import main

        code = main(["check", "--format", fmt, "--no-cache"])
    finally:
        os.chdir(before)
    assert code == 1
    assert ("checking" in err.getvalue()) == shown, err.getvalue()
    if fmt == "json":
        json.loads(out.getvalue())  # nothing but the report on stdout


def test_a_progress_bar_waits_for_a_long_run():
    bar = check_command._ProgressBar(enabled=True)
    bar(1, 10)  # 10 pages, just started: not worth a bar
    assert bar.bar is None and bar.done == 1
    bar.close()


def test_a_mkdocs_rebuild_checks_only_the_changed_page(site, tmp_path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    root = _site(site)

    def rebuild(first: bool):
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
        if first:
            config.plugins.on_startup(command="serve", dirty=False)
        plugin = next(p for name, p in config.plugins.items() if name == "medical-claims")
        build(config)
        return plugin

    plugin = rebuild(True)
    assert plugin.stats["parsed"] == 3
    findings_before = sorted(f.sort_key() for fs in plugin.findings.values() for f in fs)
    same = rebuild(False)
    assert same is plugin, "MkDocs keeps the plugin between rebuilds"
    assert (plugin.stats["parsed"], plugin.stats["cached"]) == (0, 3)
    assert sorted(f.sort_key() for fs in plugin.findings.values() for f in fs) == findings_before
    page = root / "docs" / "b.md"
    page.write_text(page.read_text("utf-8").replace("3 hours", "45 minutes"), "utf-8")
    rebuild(False)
    assert (plugin.stats["parsed"], plugin.stats["cached"]) == (1, 2)
    after = sorted((f.path, f.rule) for fs in plugin.findings.values() for f in fs)
    assert ("docs/a.md", "contradiction") not in after
    assert after == sorted((f.path, f.rule) for f in _check(root, cache=False, mode="preview").findings)


def test_a_memory_cache_keeps_only_what_the_last_run_used(tmp_path):
    memo = MemoryCache()
    memo.backing = ResultCache(tmp_path / "cache")
    memo.put_many({"a": 1, "b": 2})
    memo.close()
    assert memo.get_many(["a"]) == {"a": 1}
    memo.close()
    assert memo.entries == {"a": 1}
    memo.backing = ResultCache(tmp_path / "cache")
    assert memo.get("b") == 2  # still on disk
    memo.close()


def test_a_cache_folder_that_cannot_be_made_means_no_cache(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = ResultCache(blocker / "cache")
    store.put("k", 1)
    assert store.get("k") is None


def _normalise_by_character(chars, offsets):
    """The definition: whitespace runs become one space, none at the ends or before .,;:!?)"""
    out_c: list[str] = []
    out_o: list[int] = []
    for ch, off in zip(chars, offsets, strict=True):
        if ch.isspace():
            if not out_c or out_c[-1] == " ":
                continue
            out_c.append(" ")
            out_o.append(off)
            continue
        if ch in ".,;:!?)" and out_c and out_c[-1] == " ":
            out_c.pop()
            out_o.pop()
        out_c.append(ch)
        out_o.append(off)
    while out_c and out_c[-1] == " ":
        out_c.pop()
        out_o.pop()
    return "".join(out_c), out_o


@given(st.text(alphabet=st.sampled_from(list(" \t\n\u00a0\u2028.,;:!?)(ab1-")), max_size=40))
def test_normalising_by_slices_matches_the_character_by_character_definition(text):
    offsets = [i * 3 + 1 for i in range(len(text))]
    assert normalise(text, offsets) == _normalise_by_character(list(text), offsets)


@given(st.integers(-5, 30), st.integers(0, 12), st.integers(-5, 30), st.integers(-5, 30))
def test_a_clamped_run_matches_clamping_each_number(start, count, lo, hi):
    assert page_module._clamped_run(start, count, lo, hi) == [min(max(start + j, lo), hi) for j in range(count)]


def test_the_cache_keeps_only_the_last_few_runs(tmp_path, monkeypatch):
    from linters import cache

    monkeypatch.setattr(cache, "KEEP_GROUPS", 2)
    store = ResultCache(tmp_path)
    for run in ("r1", "r2", "r3"):
        store.put_many({f"{run}-a": 1, f"{run}-b": 2}, run)
        time.sleep(0.01)  # groups are ordered by when they were last used
    store.close()
    store = ResultCache(tmp_path)
    assert store.get_many(["r1-a", "r2-a", "r3-a"]) == {"r2-a": 1, "r3-a": 1}
    store.close()


_FINDINGS = st.builds(
    Finding,
    rule=st.sampled_from(["contradiction", "unsupported-claim", "a", "b"]),
    severity=st.sampled_from(["error", "warning", "info"]),
    path=st.sampled_from(["docs/a.md", "docs/b.md", "claims/claims.yml"]),
    line=st.integers(1, 3),
    column=st.integers(1, 3),
    message=st.sampled_from(["m", "n", ""]),
    excerpt=st.text(max_size=2),  # not in the key: ties keep the order they came in
)


@given(st.lists(_FINDINGS, max_size=60))
def test_findings_sort_as_one_sort_on_key_then_severity(findings):
    expected = sorted(findings, key=lambda f: ((f.path, f.line, f.column, f.rule, f.message), SEVERITY_ORDER[f.severity]))
    got = sort_findings(findings)
    assert [id(f) for f in got] == [id(f) for f in expected]  # the same objects in the same order, ties included


def test_a_serve_rebuild_logs_only_the_findings_that_changed(site, tmp_path, caplog):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    root = _site(site)

    def rebuild(first: bool) -> list[tuple[int, str]]:
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
        if first:
            config.plugins.on_startup(command="serve", dirty=False)
        caplog.clear()
        with caplog.at_level("INFO"):
            build(config)
        return [(r.levelno, r.getMessage().removeprefix("linters: ")) for r in caplog.records if r.name.endswith("mkdocs_plugin")]

    first = rebuild(True)
    a_lines = [m for _, m in first if m.startswith("docs/a.md:")]
    assert any(": contradiction:" in m for m in a_lines) and any(m.startswith("docs/b.md:") for _, m in first)
    again = rebuild(False)
    assert not [m for _, m in again if m.startswith("docs/")], "nothing changed: no finding is repeated"
    (level, note), = [(lv, m) for lv, m in again if m.startswith("not repeated:")]
    assert level == logging.WARNING, "unchanged pages' errors still warn, so --strict fails as on a fresh build"
    summary = [m for _, m in first if m.startswith("preview check of")]
    assert summary and summary == [m for _, m in again if m.startswith("preview check of")], "the same counts, from pages not logged again"
    errors = sum(1 for lv, m in first if lv == logging.WARNING and m.startswith("docs/"))
    assert note.startswith(f"not repeated: {errors} errors,"), note
    page = root / "docs" / "b.md"
    page.write_text(page.read_text("utf-8").replace("Wear comfortable clothes", "Wear loose clothes"), "utf-8")
    assert not [m for _, m in rebuild(False) if m.startswith("docs/")], "reworded, and no finding changed: none is repeated"
    page.write_text(page.read_text("utf-8") + "\nKetamine is completely safe.\n", "utf-8")
    edited = rebuild(False)
    b_lines = [m for _, m in edited if m.startswith("docs/b.md:")]
    assert set(b_lines) > {m for _, m in first if m.startswith("docs/b.md:")}, "the changed page: all its findings, the new one too"
    assert any(": prohibited-claim:" in m for m in b_lines)
    assert not [m for _, m in edited if m.startswith("docs/a.md:")]


def test_a_kept_page_is_not_read_again_until_its_file_changes(tmp_path, monkeypatch):
    from linters import pages

    page = tmp_path / "docs" / "a.md"
    page.parent.mkdir()
    page.write_bytes(b"Ketamine is a medicine.\n")
    kept: dict = {}
    rel, data = pages.read_source(page, tmp_path, kept=kept)
    assert (rel, data) == ("docs/a.md", b"Ketamine is a medicine.\n")
    assert rel not in kept, "just written: a second write in the same time stamp could go unseen, so it is read again"
    monkeypatch.setattr(pages, "RACY_NS", -1)  # as if written long ago
    _, data = pages.read_source(page, tmp_path, kept=kept)
    assert pages.read_source(page, tmp_path, kept=kept)[1] is data, "the same file status: the bytes kept"
    page.write_bytes(b"Ketamine is a drug!!!!\n")  # the same size
    assert pages.read_source(page, tmp_path, kept=kept)[1] == b"Ketamine is a drug!!!!\n"
    page.unlink()
    assert isinstance(pages.read_source(page, tmp_path, kept=kept)[1], engine.Document), "gone: an invalid-page finding, not the old bytes"


def test_the_memory_cache_hashes_a_page_again_only_for_new_bytes(monkeypatch):
    from linters import cache
    from linters.cache import ResultCache

    memory = MemoryCache()
    data = b"Ketamine is a medicine.\n"
    key = memory.page_key("run", "docs/a.md", data)
    assert key == ResultCache.page_key("run", "docs/a.md", data)
    hashed = []
    monkeypatch.setattr(cache, "digest", lambda *parts: hashed.append(parts) or "new")
    assert memory.page_key("run", "docs/a.md", data) == key and not hashed, "the same bytes object: its key kept"
    assert memory.page_key("run", "docs/a.md", (data + b"!")[:-1]) == "new" and hashed, "equal bytes, another object: hashed again"
    monkeypatch.undo()
    assert memory.page_key("run2", "docs/a.md", data) == ResultCache.page_key("run2", "docs/a.md", data) != key
    other = b"Ketamine is a medicine?\n"
    assert memory.page_key("run2", "docs/a.md", other) == ResultCache.page_key("run2", "docs/a.md", other)


def test_a_page_result_comes_back_from_the_cache_equal(site):
    """Tags and related places pickle as constructor calls (faster to load): nothing may be lost on the way."""
    import pickle

    root = _site(site)
    project = open_project(root=root, cache=False)
    rules = engine.enabled_rules(project.config)
    ctx = engine.make_context(project, "preview", date(2026, 11, 21))
    sources = [engine.read_source(p, root) for p in sorted((root / "docs").glob("*.md"))]
    results, _, _ = engine.check_sources(sources, project, rules, ctx)
    assert any(r.tags for r in results.values())
    report = engine.finish(list(results.values()), project, ctx, rules)
    assert any(f.related for f in report.findings)
    for result in results.values():
        assert pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)) == result
    for finding in report.findings:
        back = pickle.loads(pickle.dumps(finding, protocol=pickle.HIGHEST_PROTOCOL))
        assert back == finding and all(type(r) is type(o) for r, o in zip(back.related, finding.related))


def test_a_warm_run_reuses_cross_page_findings_while_no_summary_changed(site, monkeypatch):
    root = _site(site)
    calls: list[int] = []
    real = engine.enabled_rules

    def counting(config):
        return [replace(r, check=lambda collected, ctx, _r=r: calls.append(1) or _r.check(collected, ctx)) if r.id == "contradiction" else r for r in real(config)]

    monkeypatch.setattr(engine, "enabled_rules", counting)
    page = root / "docs" / "b.md"
    original = page.read_text("utf-8")
    first = _check(root, cache=True)
    assert calls == [1] and any(f.rule == "contradiction" for f in first.findings)
    page.write_text(original.replace("Wear comfortable clothes", "Wear loose clothes"), "utf-8")
    reworded = _check(root, cache=True)
    assert reworded.stats["parsed"] == 1 and calls == [1], "the edited page's summary is unchanged: the cross-page findings are reused"
    assert _json(reworded) == _json(_check(root, cache=False))
    page.write_text(original.replace("3 hours", "40 minutes"), "utf-8")
    calls.clear()
    changed = _check(root, cache=True)
    assert calls == [1], "a changed summary runs the cross-page rules again"
    assert not any(f.rule == "contradiction" for f in changed.findings)
    assert _json(changed) == _json(_check(root, cache=False))


def test_a_cached_results_summaries_and_tags_are_read_back_only_when_used(site):
    """They are pickled apart: a warm run whose pages' facts did not change unpickles neither."""
    import pickle

    root = _site(site)
    _check(root, cache=True)
    seen: list[engine.PageResult] = []
    real = engine.finish

    def keep(results, *args, **kwargs):
        seen.extend(results)
        return real(results, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(engine, "finish", keep)
        warm = _check(root, cache=True)
    assert warm.stats["cached"] == len(seen) == 3
    assert not any("summaries" in vars(r) or "tags" in vars(r) for r in seen)
    fresh = {r.path: r for r in _check(root, cache=False).documents}
    for result in seen:  # read back on first use, equal to a fresh run's
        assert result.summaries_key == fresh[result.path].summaries_key
        assert result.summaries == fresh[result.path].summaries and result.tags == fresh[result.path].tags
        assert "summaries" in vars(result) and pickle.loads(pickle.dumps(result)) == result
    assert any(r.tags for r in seen) and any(r.summaries.get("contradiction") for r in seen)


def test_the_benchmarks_parse_floor_parses_every_page_in_every_process(tmp_path, capsys):
    import sys

    from markdown_it import MarkdownIt

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    try:
        import parse_floor
    finally:
        sys.path.pop(0)
    texts = ["# One\n\nA page.\n", "- a\n- b\n\n> quote\n", "Text with `code` and *emphasis*.\n\n```\nfence\n```\n"]
    for i, text in enumerate(texts):
        (tmp_path / "docs" / f"s{i % 2}").mkdir(parents=True, exist_ok=True)
        (tmp_path / "docs" / f"s{i % 2}" / f"p{i}.md").write_text(text, "utf-8")
    tokens = sum(len(MarkdownIt("commonmark").parse(text)) for text in texts)
    for jobs in ("1", "2"):
        assert parse_floor.main([str(tmp_path / "docs"), "--jobs", jobs]) == 0
        assert capsys.readouterr().out.strip() == f"3 pages, {tokens} tokens, {jobs} processes"
