"""The MkDocs site, built for real: citations, references, the registry page, the rule catalogue, the strict gate, escaping.

Each module-scoped fixture runs one real `mkdocs build`; the tests read its output.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from sitebuild import (
    FIXTURE_PAGES,
    HOSTILE_CLAIMS,
    IMG,
    SCRIPT,
    article,
    build_all,
    clean_page,
    page_html,
    text_outside_code,
    write_site,
)

from conftest import REPO
from linters.config import Config
from linters.mkdocs_plugin import Cfg, MedicalClaimsPlugin
from linters.pages import read_page
from linters.registry.load import load_registry
from linters.rules import ENGINE_RULES, all_rules
from linters.site.references import doi_of, doi_url, pmid_of

PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _strict_page(tag: str) -> str:
    return clean_page("How many drips", f"# How many drips\n\nIn one study, people had six drips over 12 days [[claim:{tag}]].\n")


STRICT_CASES = {"six-infusions": False, "no-such-claim": True}  # tag -> the strict build fails


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Every build this module reads, run at once: this repo's site (its check in a child process,
    as by default, and in the build's own), the fixture site (publish and preview), a strict build
    per STRICT_CASES, and a site with a bad plugin option."""
    base = tmp_path_factory.mktemp("builds")
    fixture = write_site(base / "fixture", FIXTURE_PAGES, HOSTILE_CLAIMS)
    jobs = {
        "repo": {"root": REPO, "out": base / "out-repo", "verbose": True},
        "repo-inline": {"root": REPO, "out": base / "out-repo-inline", "verbose": True, "inline": True},
        "publish": {"root": fixture, "out": base / "out-publish", "mode": "publish"},
        "preview": {"root": fixture, "out": base / "out-preview", "mode": "preview"},
        "bad-option": {
            "root": write_site(base / "bad", {"index.md": clean_page("Home", "# Home\n\nHello.\n")}, mkdocs="site_name: T\nplugins:\n  - medical-claims:\n      vale: sometimes\n"),
            "out": base / "out-bad",
        },
    }
    for tag in STRICT_CASES:
        root = write_site(base / f"strict-{tag}", {"sessions.md": _strict_page(tag), "index.md": clean_page("Home", "# Home\n\nThis guide is about drips.\n")})
        jobs[f"strict:{tag}"] = {"root": root, "out": base / f"out-strict-{tag}", "strict": True}
    results = build_all(jobs)
    return {name: (results[name], jobs[name]["out"]) for name in jobs}


@pytest.fixture(scope="module")
def repo_site(builds) -> Path:
    proc, out = builds["repo"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "publish check of" in proc.stderr, "the plugin did not run its check"
    return out


@pytest.fixture(scope="module")
def repo_docs():
    docs = sorted((REPO / "docs").rglob("*.md"))
    assert docs, "the repo has no pages in docs/"
    return [read_page(p, REPO) for p in docs]


@pytest.fixture(scope="module")
def fixture_site(builds):
    """The fixture site as `mkdocs build` publishes it and as `mkdocs serve` previews it."""
    for mode in ("publish", "preview"):
        proc, _out = builds[mode]
        assert proc.returncode == 0, proc.stderr[-3000:]
    return {mode: builds[mode][1] for mode in ("publish", "preview")}


def _src(doc) -> str:
    return doc.path.removeprefix("docs/")


# -- this repo's site ---------------------------------------------------------


def _plugin_lines(stderr: str) -> list[str]:
    return sorted(line for line in stderr.splitlines() if "[medical-claims]" in line and "child process" not in line)


def test_a_publish_build_checks_in_a_child_process_and_makes_what_a_check_in_its_own_process_makes(builds, repo_site):
    """MkDocs renders while a child checks; the site and every line the plugin logs are as when the build checks first."""
    background, _out = builds["repo"]
    inline, inline_site = builds["repo-inline"]
    assert inline.returncode == 0, inline.stderr[-3000:]
    assert "pages in a child process while MkDocs renders them" in background.stderr
    assert "child process" not in inline.stderr
    assert _plugin_lines(background.stderr) == _plugin_lines(inline.stderr) and "publish check of" in inline.stderr
    made = sorted(p.relative_to(repo_site) for p in repo_site.rglob("*") if p.is_file())
    assert made == sorted(p.relative_to(inline_site) for p in inline_site.rglob("*") if p.is_file())
    differ = [str(rel) for rel in made if rel.suffix != ".gz" and (repo_site / rel).read_bytes() != (inline_site / rel).read_bytes()]  # gzip heads hold a time
    assert not differ, differ


def test_every_claim_tag_on_the_repo_site_renders_as_a_numbered_citation(repo_site, repo_docs):
    tagged = [d for d in repo_docs if d.tags]
    assert tagged, "no page of the repo's site uses a claim tag"
    for doc in tagged:
        html = article(page_html(repo_site, _src(doc)))
        cites = re.findall(r'<sup class="claim-cite"[^>]*>\[(.*?)\]</sup>', html, re.S)
        assert len(cites) == len(doc.tags), doc.path
        assert all(re.search(r'href="#ref-\d+"', c) for c in cites), f"{doc.path}: a citation without a reference link"
        assert 'class="claim-references"' in html and ">References<" in html, doc.path


def test_repo_reference_lists_link_each_cited_source_by_doi_and_pmid(repo_site, repo_docs):
    registry = load_registry(REPO)
    checked = 0
    for doc in repo_docs:
        html = article(page_html(repo_site, _src(doc)))
        refs = {s.ref for tag in doc.tags for cid in tag.ids if cid in registry.claims for s in registry.claims[cid].claim.sources}
        for key in refs:
            data = registry.references[key].data
            if doi_of(data):
                assert f'href="{doi_url(doi_of(data))}"' in html, f"{doc.path}: no DOI link for {key}"
                checked += 1
            if pmid_of(data):
                assert f'href="https://pubmed.ncbi.nlm.nih.gov/{pmid_of(data)}/"' in html, f"{doc.path}: no PMID link for {key}"
                checked += 1
    assert checked, "no cited reference has a DOI or PMID"


def test_repo_registry_page_lists_every_claim(repo_site):
    registry = load_registry(REPO)
    html = (repo_site / "registry" / "index.html").read_text("utf-8")
    assert registry.claims
    for cid in registry.claims:
        assert f'id="claim-{cid}"' in html, cid
    assert html.count('class="claim-row"') == len(registry.claims)


def test_repo_reference_lists_link_each_claim_to_its_row_on_the_registry_page(repo_site, repo_docs):
    """The reference lists are finished HTML that MkDocs does not convert or check: each link must already be the registry page's URL."""
    rows = set(re.findall(r'<tr class="claim-row" id="(claim-[^"]+)"', (repo_site / "registry" / "index.html").read_text("utf-8")))
    checked = 0
    for doc in repo_docs:
        rel = Path(_src(doc)).with_suffix("")
        page = repo_site / (rel.parent if rel.name == "index" else rel) / "index.html"  # as page_html finds it
        refs = article(page.read_text("utf-8")).split('class="claim-references"')[-1]
        for href in re.findall(r'<a class="claim-registry-link" href="([^"]+)"', refs):
            target, _, anchor = href.partition("#")
            assert (page.parent / target / "index.html").resolve() == (repo_site / "registry" / "index.html").resolve(), f"{doc.path}: {href}"
            assert anchor in rows, f"{doc.path}: {href} names no row of the registry page"
            checked += 1
    assert checked > 20


def test_search_indexes_the_pages_words_not_their_citations_reference_lists_or_the_registry(repo_site, repo_docs):
    index = json.loads((repo_site / "search" / "search_index.json").read_text("utf-8"))["docs"]
    text = " ".join(entry["title"] + " " + entry["text"] for entry in index)
    pages = [entry for entry in index if not entry["location"].startswith("rules/")]  # the rule catalogue shows rendered examples
    listed = [entry["location"] for entry in pages if "What this source says" in entry["text"] or "in the registry)" in entry["text"]]
    assert not listed, f"reference lists in the search index: {listed}"
    cited = [entry["location"] for entry in pages if re.search(r"<sup>\[\d", entry["text"])]
    assert not cited, f"citations in the search index: {cited}"
    assert not [entry for entry in index if entry["location"].endswith("#references")], "a References heading in the search index"
    assert not any(entry["location"].startswith("registry/") for entry in index)
    assert "Questions this guide answers" in text and "Get help now if you are thinking about hurting yourself" in text
    # the pages themselves still hold their lists, put back after the search plugin read the pages
    for doc in (d for d in repo_docs if d.tags):
        shown = article(page_html(repo_site, _src(doc)))
        assert "What this source says" in shown and 'class="claim-cite"' in shown and "data-medical-claims" not in shown, doc.path


def test_repo_site_has_no_raw_claim_tag_outside_code(repo_site):
    pages = list(repo_site.rglob("*.html"))
    assert len(pages) > 5
    for path in pages:
        assert "[[claim:" not in text_outside_code(path.read_text("utf-8")), path


def test_repo_pages_show_their_metadata_and_the_medical_advice_note(repo_site, repo_docs):
    for doc in repo_docs:
        html = article(page_html(repo_site, _src(doc)))
        assert 'class="page-meta"' in html, doc.path
        assert "not a substitute for medical advice" in html, doc.path
        author = doc.front_matter.get("author")
        if author:
            assert str(author) in text_outside_code(html), doc.path


def test_rule_catalogue_has_a_page_for_every_rule_where_reports_link(repo_site):
    ids = [*all_rules(), *ENGINE_RULES]
    for rule_id in ids:
        html = (repo_site / "rules" / rule_id / "index.html").read_text("utf-8")
        assert f"<code>{rule_id}</code>" in html, rule_id
    index = (repo_site / "rules" / "index.html").read_text("utf-8")
    assert all(f'href="{rule_id}/"' in index for rule_id in ids)
    vale = (repo_site / "rules" / "vale" / "index.html").read_text("utf-8")
    styles = sorted((REPO / "styles").glob("*/*.yml"))
    assert styles and all(f"vale.{path.parent.name}.{path.stem}" in vale for path in styles)


def test_publish_build_has_no_preview_highlights(repo_site, fixture_site):
    for out in (repo_site, fixture_site["publish"]):
        for path in out.rglob("*.html"):
            text = path.read_text("utf-8")
            assert "claim-lint" not in text and not PRIVATE_USE.search(text), path


# -- the fixture site -----------------------------------------------------------


def test_reference_entry_holds_the_quote_and_links_to_the_registry(fixture_site):
    html = article(page_html(fixture_site["publish"], "index.md"))
    assert '<a class="claim-cite-ref" href="#ref-1" title="Murrough 2013. Abstract: “a series of up to six IV infusions of ketamine”">1</a>' in html
    entry = html[html.index('id="ref-1"') :]
    assert "<details" in entry and "a series of up to six IV infusions of ketamine" in entry
    assert 'href="registry/#claim-six-infusions"' in entry
    assert "<code>[[claim:six-infusions]]</code>" in html, "a tag in code must stay text"


@pytest.mark.parametrize("mode", ["publish", "preview"])
def test_registry_text_is_escaped_in_the_registry_page_and_tooltips(fixture_site, mode):
    out = fixture_site[mode]
    for text in ((out / "registry" / "index.html").read_text("utf-8"), page_html(out, "hostile.md")):
        assert SCRIPT not in text and IMG not in text and "<b>Methods</b>" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "&lt;img src=x onerror=alert(2)&gt;" in text
    hostile = page_html(out, "hostile.md")
    title = re.search(r'<a class="claim-cite-ref" href="#ref-1" title="([^"]*)"', hostile)
    # Material's tooltips insert the title as HTML: once the browser decodes the attribute, no tag may be left
    decoded = html.unescape(title.group(1))
    assert "<" not in decoded and "&lt;script&gt;" in decoded and "&lt;img src=x onerror=alert(2)&gt;" in decoded


def test_registry_page_shows_status_flags_uses_and_the_audit_log(fixture_site):
    html = (fixture_site["publish"] / "registry" / "index.html").read_text("utf-8")
    row = lambda cid: re.search(rf'<tr class="claim-row" id="claim-{cid}"(.*?)</tr>', html, re.S).group(0)  # noqa: E731
    assert 'data-status="approved"' in row("six-infusions") and "Jane Roe, MD" in row("six-infusions")
    assert 'data-status="draft"' in row("draft-not-cited") and "unused" in row("draft-not-cited")
    assert 'href="../flagged/"' in row("six-infusions") and 'href="../"' in row("six-infusions")
    audit = html[html.index('id="audit-log"') :]
    assert "six-infusions" in audit and "approved" in audit
    for button in ("all", "status:approved", "status:pending", "status:draft", "flag:stale", "flag:expiring", "flag:unused"):
        assert f'data-filter="{button}"' in html, button


def test_preview_highlights_the_flagged_sentence_with_its_message(fixture_site):
    html = article(page_html(fixture_site["preview"], "flagged.md"))
    marks = re.findall(r'<mark [^>]*class="claim-lint claim-lint--error"[^>]*data-rule="([^"]*)"[^>]*title="([^"]*)">([^<]*)</mark>', html)
    assert marks, "no highlighted sentence"
    rules, title, text = marks[0]
    assert "prohibited-claim" in rules.split()
    assert "prohibited-claim:" in title
    assert text == "Ketamine is a guaranteed cure for depression."
    assert "claim-lint-summary" in html
    assert not PRIVATE_USE.search(page_html(fixture_site["preview"], "flagged.md"))
    # the list of findings is the checks' words, not the page's: not in the search index
    index = json.loads((fixture_site["preview"] / "search" / "search_index.json").read_text("utf-8"))["docs"]
    flagged = [entry["text"] for entry in index if entry["location"].startswith("flagged/")]
    assert flagged and "guaranteed cure" in " ".join(flagged)
    assert not [text for text in flagged if "Preview:" in text or "prohibited-claim" in text]


@pytest.mark.parametrize("tag, fails", STRICT_CASES.items())
def test_strict_build_fails_on_an_unknown_claim_id_and_names_the_page(builds, tag, fails):
    proc, _out = builds[f"strict:{tag}"]
    page = _strict_page(tag)
    line = next(n for n, text in enumerate(page.splitlines(), 1) if "[[claim:" in text)
    if fails:
        assert proc.returncode != 0
        assert re.search(rf"WARNING\s+-\s+linters: docs/sessions\.md:{line}:\d+: unknown-claim: Claim `{tag}`", proc.stderr), proc.stderr[-2000:]
        assert "Traceback" not in proc.stderr
    else:
        # the same page citing an approved claim passes: the unknown id alone fails the build
        assert proc.returncode == 0, proc.stderr[-2000:]


def test_plugin_options_are_the_engine_config_fields():
    assert {key for key, _option in Cfg._schema} == set(Config.model_fields)


def test_a_bad_plugin_option_stops_the_build_with_one_line(builds):
    proc, _out = builds["bad-option"]
    assert proc.returncode != 0
    assert "vale" in proc.stderr and "sometimes" in proc.stderr and "Traceback" not in proc.stderr


def test_serve_watches_the_claims_registry(tmp_path):
    root = write_site(tmp_path / "site", {"index.md": clean_page("Home", "# Home\n\nHello.\n")})
    from mkdocs.config import load_config

    config = load_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["medical-claims"]
    assert isinstance(plugin, MedicalClaimsPlugin)
    plugin.on_startup(command="serve", dirty=False)
    plugin.on_config(config)
    watched: list[str] = []

    class Server:
        def watch(self, path, *args, **kwargs):
            watched.append(path)

    plugin.on_serve(Server(), config=config, builder=None)
    assert str((root / "claims").resolve()) in watched
    assert plugin.mode == "preview"


# -- `mkdocs serve`: a rebuild reuses what did not change, and shows exactly what a fresh build shows

SERVE_PAGES = {
    **FIXTURE_PAGES,
    "sessions.md": clean_page("Sessions", "# Sessions\n\nEach infusion lasts about 40 minutes.\n"),
}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), "utf-8")


SERVE_EDITS = {
    "the page itself": lambda root: _edit(root / "docs" / "flagged.md", "guaranteed cure", "sure cure"),
    "a contradiction from another page": lambda root: _edit(root / "docs" / "hostile.md", "Sessions last an hour", "Each infusion lasts about 3 hours"),
    "the registry": lambda root: _edit(root / "claims" / "claims.yml", "infusions <img", "drips <img"),
    "front matter only": lambda root: _edit(root / "docs" / "index.md", "author: Editorial team", "author: Clinic team"),
    "a flagged heading": lambda root: _edit(root / "docs" / "sessions.md", "40 minutes.\n", "40 minutes.\n\n## Sessions take 3 hours to 1 hour\n\nAsk us.\n"),
    "a flagged page title": lambda root: _flag_title(root / "docs" / "hostile.md"),
}


def _flag_title(path: Path) -> None:
    """A flagged first heading that is also the page's title (no title in the front matter), shown in every page's navigation."""
    _edit(path, "title: Hostile\n", "")
    _edit(path, "# Hostile", "# Sessions take 3 hours to 1 hour")  # an inverted range


def _pages(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): p.read_text("utf-8") for p in sorted(out.rglob("*.html"))}


@pytest.fixture(scope="module")
def serve_fresh(tmp_path_factory):
    """Fresh preview builds (each its own process) of the serve site before and after each edit."""
    base = tmp_path_factory.mktemp("serve-fresh")
    site = write_site(base / "site", SERVE_PAGES, HOSTILE_CLAIMS)  # copied, not written again: the audit log holds the time it was written
    jobs = {"before": {"root": site, "out": base / "out-before", "mode": "preview"}}
    for i, (name, edit) in enumerate(SERVE_EDITS.items()):
        root = base / f"after-{i}"
        shutil.copytree(site, root)
        edit(root)
        jobs[name] = {"root": root, "out": base / f"out-after-{i}", "mode": "preview"}
    results = build_all(jobs)
    for name, proc in results.items():
        assert proc.returncode == 0, (name, proc.stderr[-2000:])
    return {"site": site, **{name: _pages(job["out"]) for name, job in jobs.items()}}


@pytest.mark.parametrize("edit", SERVE_EDITS)
def test_a_serve_rebuild_shows_what_a_fresh_build_shows(serve_fresh, edit, tmp_path, monkeypatch):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.delenv("MEDICAL_CLAIMS_MODE", raising=False)
    root = tmp_path / "site"
    shutil.copytree(serve_fresh["site"], root)
    out = tmp_path / "out"

    def rebuild() -> dict[str, str]:
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(out))
        config.plugins.on_startup(command="serve", dirty=False)
        build(config)
        return _pages(out)

    first = rebuild()
    assert first == serve_fresh["before"]
    assert rebuild() == first, "a rebuild with nothing changed"
    SERVE_EDITS[edit](root)
    after = rebuild()
    assert after != first, "the edit changed nothing: the test proves nothing"
    assert after == serve_fresh[edit]
    # (404.html, a theme template, is not a page: MkDocs hands it to no page hook)
    assert not any(PRIVATE_USE.search(html) for name, html in after.items() if name != "404.html"), "a highlight marker was left in a page"
    shutil.rmtree(root)  # and back
    shutil.copytree(serve_fresh["site"], root)
    assert rebuild() == first


def test_serve_dirty_renders_the_registry_and_rule_pages_again_only_when_they_change(serve_fresh, tmp_path, monkeypatch):
    """`mkdocs serve --dirty` renders the pages whose source is newer than their output; the generated pages' sources keep their time while their text does."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.delenv("MEDICAL_CLAIMS_MODE", raising=False)
    root = tmp_path / "site"
    shutil.copytree(serve_fresh["site"], root)
    out = tmp_path / "out"
    generated = ["registry/index.html", "rules/index.html", "rules/contradiction/index.html"]

    def rebuild(first: bool = False) -> dict[str, int]:
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(out))
        config.plugins.on_startup(command="serve", dirty=True)
        build(config, serve_url="http://127.0.0.1:8000/", dirty=not first)  # as `serve --dirty`: the first build is whole
        return {name: (out / name).stat().st_mtime_ns for name in [*generated, "flagged/index.html"]}

    first = rebuild(first=True)
    plugin = load_config(config_file=str(root / "mkdocs.yml")).plugins["medical-claims"]
    SERVE_EDITS["the page itself"](root)  # no claim tag changed: the registry page is as it was
    after_edit = rebuild()
    assert after_edit["flagged/index.html"] > first["flagged/index.html"]
    assert all(after_edit[name] == first[name] for name in generated), "a generated page that did not change was rendered again"
    SERVE_EDITS["the registry"](root)
    after_registry = rebuild()
    assert after_registry["registry/index.html"] > after_edit["registry/index.html"]
    # (the navigation of a dirty build is MkDocs' guess: it shows no title for a page it did not read)
    assert article((out / "registry" / "index.html").read_text("utf-8")) == article(serve_fresh["the registry"]["registry/index.html"])
    assert after_registry["rules/index.html"] == first["rules/index.html"]
    kept = plugin._generated_dir
    assert kept is not None and (kept / "registry.md").is_file()
    plugin.on_shutdown()
    assert not kept.exists()


def test_a_serve_session_fills_the_disk_cache_the_command_line_reads(tmp_path, monkeypatch):
    """One disk cache for the whole session (a rebuild from another thread opens its own), closed at the end."""
    import threading

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from linters.engine import check_paths, open_project

    monkeypatch.delenv("MEDICAL_CLAIMS_MODE", raising=False)
    root = write_site(tmp_path / "site", SERVE_PAGES, HOSTILE_CLAIMS)
    plugins = []

    def rebuild() -> None:
        config = load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
        config.plugins.on_startup(command="serve", dirty=False)
        build(config)
        plugins.append(config.plugins)

    rebuild()
    SERVE_EDITS["the page itself"](root)
    rebuild()
    SERVE_EDITS["a contradiction from another page"](root)
    worker = threading.Thread(target=rebuild)
    worker.start()
    worker.join()
    plugins[-1].on_shutdown()
    report = check_paths([], mode="preview", project=open_project(root=root, cache=True), cache=True)
    assert report.stats["parsed"] == 0, "the command line checked again what serve had checked"
