"""Rendering without MkDocs: the claimtags Markdown extension, references, page metadata and preview highlights."""

from __future__ import annotations

import html
import re
from datetime import date
from html.parser import HTMLParser

import markdown
import pytest

from linters.markdown_ext import ClaimTagExtension
from linters.model import Finding
from linters.parse.page import parse_page
from linters.registry.load import ClaimEntry, Reference, Registry
from linters.registry.schema import Claim
from linters.site import highlights
from linters.site.metadata import NOTE, metadata_html
from linters.rules import ENGINE_RULES, Example, Rule, all_rules
from linters.site.references import authors_text, citation_html, safe_url
from linters.site.rules_page import catalogue, rule_markdown


def _claim(cid: str, *refs: str, statement: str = "A statement.", quote: str = "a quote") -> ClaimEntry:
    sources = [{"ref": r, "locator": "p. 1", "quote": f"{quote} ({r})"} for r in refs]
    claim = Claim.model_validate({"id": cid, "statement": statement, "category": "procedure", "sources": sources, "review": {"status": "draft"}})
    return ClaimEntry(claim=claim, path="claims/claims.yml", line=1)


def _ref(key: str, **data) -> Reference:
    return Reference(key=key, data={"id": key, "title": f"Title {key}", "author": [{"family": key.title(), "given": "Ann"}], "issued": {"date-parts": [[2020]]}, **data})


REGISTRY = Registry(
    claims={
        "a": _claim("a", "r1"),
        "b": _claim("b", "r2", "r1"),
        "c": _claim("c", "r3"),
        "nosource": _claim("nosource"),
        "evil": _claim("evil", "r1", statement="Evil <script>alert(1)</script>", quote="<img src=x onerror=alert(2)>"),
    },
    references={
        "r1": _ref("r1", DOI="10.1000/xyz", PMID="12345"),
        "r2": _ref("r2", URL="javascript:alert(1)"),
        "r3": _ref("r3", URL="https://example.org/r3"),
    },
)


def render(text: str) -> str:
    return markdown.Markdown(extensions=[ClaimTagExtension(registry=REGISTRY), "toc"]).convert(text)


def citations(html: str) -> list[str]:
    """The visible text of each citation, e.g. '[1, 2]'."""
    return [re.sub(r"<[^>]+>", "", m) for m in re.findall(r'<sup class="claim-cite"[^>]*>(.*?)</sup>', html)]


@pytest.mark.parametrize(
    "source, expected",
    [
        ("One [[claim:a]].", ["[1]"]),
        ("Two [[claim:a, b]].", ["[1, 2]"]),  # b cites r2 and r1; r1 is already number 1
        ("First [[claim:c]]. Then [[claim:a]]. Again [[claim:c]].", ["[1]", "[2]", "[1]"]),
        ("Unknown [[claim:zzz]].", ["[?]"]),
        ("Bad id [[claim:Not_An_Id]].", ["[?]"]),
        ("Empty [[claim:]].", ["[?]"]),
        ("No source yet [[claim:nosource]].", ["[?]"]),
        ("In code `[[claim:a]]`.", []),
        ("Escaped \\[[claim:a]].", []),
        ("```\n[[claim:a]]\n```", []),
        ("    [[claim:a]] in an indented code block", []),
    ],
)
def test_claim_tags_render_as_numbered_citations_except_in_code(source, expected):
    assert citations(render(source)) == expected


def test_numbers_follow_the_order_of_first_citation_in_the_page():
    html = render("# T\n\n- item [[claim:c]]\n\nLater [[claim:a]].\n\n| x |\n|---|\n| cell [[claim:b]] |\n")
    order = re.findall(r'<li class="claim-reference" id="ref-(\d+)">.*?<span class="ref-title">Title (\w+)</span>', html, re.S)
    assert order == [("1", "r3"), ("2", "r1"), ("3", "r2")]


def test_reference_list_links_doi_and_pmid_and_never_a_javascript_url():
    html = render("One [[claim:b]].")
    assert 'href="https://doi.org/10.1000/xyz"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/12345/"' in html
    assert "javascript:" not in html
    assert '<h2 id="references">References</h2>' in html


def test_page_without_tags_has_no_reference_list():
    assert "claim-references" not in render("Plain text.")


def test_citation_title_carries_the_quote_and_the_entry_links_to_the_registry():
    ext = ClaimTagExtension(registry=REGISTRY)
    ext.page_uri = "topics/page.md"
    html = markdown.Markdown(extensions=[ext]).convert("One [[claim:a]].")
    assert 'title="R1 2020. p. 1: “a quote (r1)”"' in html
    assert 'href="../registry.md#claim-a"' in html  # MkDocs turns this into the registry page's URL


def test_registry_text_is_escaped_in_citations_and_references():
    html = render("Evil [[claim:evil]].")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_the_extension_reads_the_registry_itself_without_mkdocs(tmp_path):
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "claims.yml").write_text(
        "claims:\n  - id: x\n    statement: S.\n    category: procedure\n    sources: [{ref: k, locator: L, quote: Q}]\n    review: {status: pending}\n", "utf-8"
    )
    (tmp_path / "claims" / "references.json").write_text('[{"id": "k", "type": "book", "title": "Book", "URL": "https://example.org"}]', "utf-8")
    html = markdown.markdown("See [[claim:x]].", extensions=["claimtags"], extension_configs={"claimtags": {"root": str(tmp_path)}})
    assert citations(html) == ["[1]"] and 'href="https://example.org"' in html


@pytest.mark.parametrize(
    "url, kept",
    [
        ("https://example.org/a", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>", False),
        ("//example.org", False),
        ("https://exa mple.org", False),
        (None, False),
    ],
)
def test_only_http_urls_become_links(url, kept):
    assert (safe_url(url) is not None) == kept


@pytest.mark.parametrize(
    "authors, expected",
    [
        ([{"family": "Murrough", "given": "James W."}], "Murrough JW"),
        ([{"literal": "U.S. Food and Drug Administration"}], "U.S. Food and Drug Administration"),
        ([{"family": f"A{i}", "given": "B"} for i in range(8)], "A0 B, A1 B, A2 B, A3 B, A4 B, A5 B, et al."),
        ([], ""),
    ],
)
def test_authors_are_written_vancouver_style(authors, expected):
    assert authors_text({"author": authors}) == expected


def test_a_missing_reference_is_said_not_hidden():
    assert "not in the references file" in citation_html("nope", None)


# -- page metadata ----------------------------------------------------------------


def test_metadata_box_shows_the_front_matter_escaped_and_the_advice_note():
    html = metadata_html({"author": "Team <b>", "medical_reviewer": "Jane Roe, MD", "last_reviewed": date(2026, 1, 2), "next_review": "2026-07-01"})
    assert "Team &lt;b&gt;" in html and "Jane Roe, MD" in html
    assert '<time datetime="2026-01-02">2 January 2026</time>' in html
    assert '<time datetime="2026-07-01">1 July 2026</time>' in html
    assert NOTE in html


def test_metadata_box_without_fields_still_has_the_note():
    html = metadata_html({})
    assert NOTE in html and "<dl" not in html


# -- preview highlights -------------------------------------------------------------


class Nesting(HTMLParser):
    """Fails on mis-nested tags, the way a sloppy <mark> would break a page."""

    VOID = {"br", "img", "hr", "input", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()


def _highlight(source: str, rule_at: str, message: str = "Say it plainly <now>.") -> tuple[str, str]:
    """Mark the sentence containing `rule_at`, render it, and return (html, the highlighted text)."""
    doc = parse_page("docs/p.md", source)
    offset = source.index(rule_at)
    line, col = doc.position(offset)
    finding = Finding("prohibited-claim", "error", doc.path, line, col, message)
    placed = highlights.place(doc, [finding])
    assert placed, "the finding is on no sentence"
    marked = highlights.insert_markers(source, 0, doc, placed)
    html = highlights.render_marks(markdown.markdown(marked, extensions=["tables", "admonition", ClaimTagExtension(registry=REGISTRY)]), placed)
    checker = Nesting()
    checker.feed(html)
    assert not checker.stack
    text = "".join(re.findall(r'<mark [^>]*class="claim-lint claim-lint--error"[^>]*>(.*?)</mark>', html))
    return html, text


@pytest.mark.parametrize(
    "source, rule_at, expected",
    [
        ("Before. Ketamine is a cure. After.", "cure", "Ketamine is a cure."),
        ("Some **bold start. Ketamine is** a cure. After.", "cure", "Ketamine is a cure."),
        ("It is a [cure](https://x.org) for all. Next.", "cure", "It is a cure for all."),
        ("A cure [[claim:a]]. Next.", "cure", "A cure ."),  # the citation is not part of the highlight
        ("| a |\n|---|\n| a cure in a cell |\n", "cure", "a cure in a cell"),
        ("!!! note\n    A cure in an admonition.\n", "cure", "A cure in an admonition."),
        ("- a list item cure\n- other\n", "cure", "a list item cure"),
    ],
)
def test_flagged_sentence_is_wrapped_in_marks_without_breaking_the_html(source, rule_at, expected):
    html, text = _highlight(source, rule_at)
    assert text == expected
    assert not re.search("[\ue000-\uf8ff]", html)


def test_highlight_title_is_the_message_escaped_for_material_tooltips():
    out, _ = _highlight("A cure.", "cure", message='Do not "promise" <b>cures</b>.')
    title = html.unescape(re.search(r'<mark [^>]*title="([^"]*)"', out).group(1))
    # Material's content.tooltips sets the tooltip's innerHTML from the title: it must hold no tag
    assert "<" not in title
    assert html.unescape(title) == 'prohibited-claim: Do not "promise" <b>cures</b>.'


def test_citation_titles_hold_no_tag_once_the_browser_decodes_them():
    out = render("Evil [[claim:evil]]. Unknown [[claim:zzz]].")
    titles = [html.unescape(t) for t in re.findall(r' title="([^"]*)"', out)]
    assert len(titles) == 2 and all("<" not in t for t in titles)
    assert "&lt;img src=x onerror=alert(2)&gt;" in titles[0]


def test_markers_are_stripped_from_attributes_and_leftovers():
    placed = {3: [Finding("r", "warning", "p", 1, 1, "m")]}
    html = highlights.render_marks('<h2 id="x\ue000\ue013\ue001y" title="\ue002">\ue000\ue013\ue001Head\ue002</h2>', placed)
    assert html == '<h2 id="xy" title=""><mark id="lint-3" class="claim-lint claim-lint--warning" data-rule="r" title="r: m">Head</mark></h2>'
    assert highlights.strip_markers("<title>\ue000\ue011\ue001T\ue002</title>") == "<title>T</title>"


# -- rule catalogue -------------------------------------------------------------------


def test_catalogue_has_a_page_per_rule_and_an_index(tmp_path):
    pages = catalogue(all_rules(), tmp_path, ".vale.ini")
    for rule_id in [*all_rules(), *ENGINE_RULES]:
        assert f"rules/{rule_id}.md" in pages
        assert f"[`{rule_id}`]({rule_id}.md)" in pages["rules/index.md"]
    assert "rules/vale.md" in pages


def test_rule_page_is_the_docstring_with_its_examples_kept_as_code():
    module = type(__import__("sys"))("fake_rule")
    module.__doc__ = "fake-rule: a test rule.\n\n## What it does\nFlags <b>things</b>.\n"
    rule = Rule(
        id="fake-rule",
        summary="Flags <things> | pipes.",
        check=lambda doc, ctx: [],
        severity="warning",
        publish_severity="error",
        examples=[Example("A ```fenced``` tag [[claim:x]] <script>", True, note="a <note>"), Example("Fine.", False)],
        module=module,
    )
    page = rule_markdown(rule)
    assert "# `fake-rule`" in page and "## What it does\nFlags <b>things</b>." in page
    assert "````markdown\nA ```fenced``` tag [[claim:x]] <script>\n````" in page  # a longer fence than any inside
    assert "Flags &lt;things&gt; | pipes." in page and "a &lt;note&gt;" in page
    assert "| warning |" in page and "| error |" in page
    html = markdown.markdown(page.split("---\n", 2)[2], extensions=["tables", "fenced_code", ClaimTagExtension(registry=REGISTRY)])
    assert "<script>" not in html and "[[claim:x]]" in html  # the example stays text, not a citation


# -- what is made once and reused: the same output as making it each time


def test_one_extension_renders_many_pages_as_a_new_one_renders_each():
    pages = {
        "index.md": "One [[claim:a]]. Two [[claim:b, a]]. Three [[claim:nosource]] [[claim:missing]].",
        "sub/page.md": "Two [[claim:b]]. Evil [[claim:evil, c]].",
        "sub/deeper/page.md": "One [[claim:a]] and [[claim:evil]].",
    }
    shared = ClaimTagExtension(registry=REGISTRY)

    def one(ext: ClaimTagExtension, uri: str) -> str:
        ext.page_uri = uri
        return markdown.Markdown(extensions=[ext, "toc"]).convert(pages[uri])

    for _ in range(2):
        for uri in pages:
            assert one(shared, uri) == one(ClaimTagExtension(registry=REGISTRY), uri), uri
    assert 'href="../../registry.md#claim-a"' in one(shared, "sub/deeper/page.md")


def test_reference_lists_link_the_registry_url_the_plugin_gives_and_leave_tree_links_to_mkdocs():
    """The reference list is stashed HTML, which MkDocs neither converts nor checks: with the plugin's URL it links that."""
    ext = ClaimTagExtension(registry=REGISTRY)
    ext.page_uri, ext.registry_url = "sub/page.md", "../../registry/"
    html = markdown.Markdown(extensions=[ext]).convert("One [[claim:a]]. None yet [[claim:nosource]].")
    listed = html[html.index('class="claim-reference-list"') :]
    assert 'href="../../registry/#claim-a"' in listed and ".md#" not in listed
    assert 'class="claim-cite-unsourced" href="../registry.md#claim-nosource"' in html  # in the tree: MkDocs converts it
    assert ext.references is not None and ext.references[0] == "sub/page.md" and ext.references[1] in html


def test_the_plugin_sets_citations_and_the_reference_list_aside_while_search_reads_the_page_and_puts_them_back(caplog):
    from types import SimpleNamespace

    from linters.mkdocs_plugin import ASIDE_SLOT, MedicalClaimsPlugin

    plugin = MedicalClaimsPlugin()
    listed = '<ol class="claim-reference-list">\n<li id="ref-1">A</li>\n</ol>'
    cite = '<sup class="claim-cite" data-claims="a" id="cite-{n}">[<a class="claim-cite-ref" href="#ref-1" title="Q: “x &amp;lt; y”">1</a>]</sup>'
    plugin.extension = SimpleNamespace(references=("a.md", listed))
    html = f'<p>Text{cite.format(n=1)}. More{cite.format(n=2)}.</p>\n<section class="claim-references"><h2 id="references">References</h2>\n{listed}\n</section>'
    page = SimpleNamespace(file=SimpleNamespace(src_uri="a.md"), content=plugin._set_aside("a.md", html))
    assert page.content == f"<p>Text{ASIDE_SLOT}. More{ASIDE_SLOT}.</p>\n{ASIDE_SLOT}\n</section>"  # the list goes with its heading
    plugin.on_page_context({}, page=page, config=None, nav=None)
    assert page.content == html
    # another page's list, or a list that is not there exactly once, is left where it is; the citations still go aside
    assert plugin._set_aside("b.md", html).count(ASIDE_SLOT) == 2 and listed in plugin._set_aside("b.md", html)
    assert plugin._set_aside("a.md", html + listed).count(listed) == 2
    unmarked = html.replace(' class="claim-references"', "")  # a section the extension did not make: the list alone
    assert plugin._set_aside("a.md", unmarked).endswith(f"<h2 id=\"references\">References</h2>\n{ASIDE_SLOT}\n</section>")
    assert plugin._set_aside("a.md", "<p>No citation.</p>") == "<p>No citation.</p>"
    # preview: the list of the page's findings goes aside too, in its place among the slots
    summary = '<details class="failure claim-lint-summary"><summary>Preview: 1 error</summary><ul><li>a.md:1:1 <code>r</code> m</li></ul></details>'
    titled = f"<h1>T{cite.format(n=0)}</h1>{summary}{html}"
    page.content = plugin._set_aside("a.md", titled, summary)
    assert page.content == f"<h1>T{ASIDE_SLOT}</h1>{ASIDE_SLOT}<p>Text{ASIDE_SLOT}. More{ASIDE_SLOT}.</p>\n{ASIDE_SLOT}\n</section>"
    plugin.on_page_context({}, page=page, config=None, nav=None)
    assert page.content == titled
    assert plugin._set_aside("a.md", titled + summary, summary).count(summary) == 2, "not there once: left where it is"
    assert plugin._set_aside("a.md", f"<p>{ASIDE_SLOT}{cite.format(n=1)}</p>") == f"<p>{ASIDE_SLOT}{cite.format(n=1)}</p>"  # the slot's text is the page's own
    plugin._aside.clear()
    # a `serve` rebuild that changed nothing gets the same answer without searching the page again
    plugin.command = "serve"
    first = plugin._set_aside("a.md", html)
    assert plugin._set_aside("a.md", html) is first
    plugin.on_page_context({}, page=SimpleNamespace(file=page.file, content=first), config=None, nav=None)
    other = listed.replace(">A<", ">B<")
    plugin.extension = SimpleNamespace(references=("a.md", other))
    assert listed in plugin._set_aside("a.md", html)  # another list: searched for again, and not in this page
    plugin.extension = SimpleNamespace(references=("a.md", listed))
    # a plugin that dropped a slot: nothing can be put back in its place, and the build says so
    page.content = plugin._set_aside("a.md", html).replace(ASIDE_SLOT, "", 1)
    with caplog.at_level("WARNING"):
        plugin.on_page_context({}, page=page, config=None, nav=None)
    assert "a.md: another plugin removed or copied the places of this page's citations and reference list" in caplog.text


def test_registry_page_blocks_put_back_after_rendering_give_the_page_rendered_whole():
    from mkdocs.structure.pages import _HTMLHandler

    from linters.review.audit import AuditLog
    from linters.review.status import classify
    from linters.site.registry_page import registry_page

    docs = [parse_page("docs/a.md", "# A\n\nOne [[claim:a]]. Two [[claim:evil]].\n")]
    record = {"time": "2026-01-01T09:00:00Z", "claim": "a", "decision": "approved", "reviewer": "Jo <b>", "fingerprint": "f" * 64, "statement": "A & B"}
    audit = AuditLog(records=[record], problems=["claims/audit.jsonl:3: not JSON"])  # two HTML blocks, one above the other
    states = classify(REGISTRY, docs, date(2026, 1, 1), 60, audit)
    made = registry_page(states, REGISTRY, audit, lambda path: ("../a/", "A <b>"), date(2026, 1, 1), "claims")
    extensions = ["toc", "admonition", "attr_list", "abbr", "tables", "md_in_html"]

    def convert(text: str) -> str:
        return markdown.Markdown(extensions=extensions).convert(text.split("\n---\n", 1)[1])

    assert made.blocks and all(p in made.markdown and block not in made.markdown for p, block in made.blocks.items())
    assert made.html(convert(made.markdown)) == convert(made.full_markdown())
    assert made.html("<p>the placeholders are gone</p>") is None
    found = _HTMLHandler()  # how MkDocs finds the anchors a link may point to
    found.feed("\n".join(made.blocks.values()))
    assert made.anchor_ids == found.present_anchor_ids and "claim-evil" in made.anchor_ids


@pytest.mark.parametrize(
    "a, b, same",
    [
        ({"author": "Ann"}, {"author": "Ann", "title": "other fields do not count"}, True),
        ({"last_reviewed": date(2026, 1, 5)}, {"last_reviewed": "2026-01-05"}, False),
        ({"author": 1}, {"author": 1.0}, False),
        ({"author": 1}, {"author": True}, False),
        ({"author": ["Ann", "Bo"]}, {"author": ["Ann", "Bo"]}, True),
        ({"medical_reviewer": None}, {}, True),
    ],
)
def test_metadata_boxes_with_equal_keys_are_equal(a, b, same):
    from linters.site.metadata import box_key

    assert (box_key(a) == box_key(b)) is same
    if same:
        assert metadata_html(a) == metadata_html(b)


@pytest.mark.parametrize("text, found", [("plain", False), ("“wide” text", False), ("a\ue000b", True), ("a\ue001", True), ("\ue002", True), ("\ue010 a digit alone", False)])
def test_has_markers_finds_what_strip_markers_is_for(text, found):
    assert highlights.has_markers(text) is found
