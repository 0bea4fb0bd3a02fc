"""Python-Markdown extension `claimtags`: claim tags become numbered citations, each page ends with its references.

`[[claim:a, b]]` (syntax from `linters.parse.tags`, the one definition) renders
as `[1, 2]`: each number links to the page's reference list and carries the
supporting quote as its `title` (Material's `content.tooltips` shows it on hover).
Each reference entry holds the full citation (authors, title, journal, year,
DOI, PMID), a `<details>` with the quotes and locators for the claims on this
page, and a link to each claim's entry on the registry page.

Tags in code stay text: the inline processor runs below backticks and escapes.
The extension works without MkDocs (Zensical also runs Python-Markdown
extensions): give it `claims_dir`, or the plugin hands it the loaded registry.
"""

from __future__ import annotations

import html
import posixpath
import re
import xml.etree.ElementTree as etree
from pathlib import Path
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.serializers import to_html_string
from markdown.treeprocessors import PrettifyTreeprocessor, Treeprocessor
from markdown.util import AtomicString

from .parse.tags import is_valid_id, match_tag, split_ids
from .registry.load import Registry, load_registry
from .site.references import citation_into, clean, short_label, tooltip

CITE_CLASS = "claim-cite"
# Above links (160) so `[[` is not read as a link label; below escapes (180) and
# backticks (190) so `\[[claim:x]]` and `` `[[claim:x]]` `` stay text, as in the engine's parser.
INLINE_PRIORITY = 175
# After the inline pass (20), before attr_list (8) and toc (5), so "References" gets an id and a permalink.
TREE_PRIORITY = 12
MAX_TITLE = 600  # tooltips hold a quote, not an essay
REFERENCE_LIST_TAG = '<ol class="claim-reference-list">'  # a page's reference list starts so, and holds it only there
REFERENCES_CLASS = "claim-references"
REFERENCES_SECTION_TAG = f'<section class="{REFERENCES_CLASS}">'  # the list with its heading starts so


def claim_anchor(claim_id: str) -> str:
    """The id of a claim's row on the registry page."""
    return "claim-" + claim_id


class ClaimTagInlineProcessor(InlineProcessor):
    """Marks each tag with a placeholder <sup>; numbering waits until the whole page is parsed."""

    def handleMatch(self, m: re.Match, data: str):  # type: ignore[override]
        found = match_tag(data, m.start(0))
        if found is None:
            return None, None, None
        end, inner = found
        el = etree.Element("sup", {"class": CITE_CLASS, "data-claims": ",".join(split_ids(inner))})
        return el, m.start(0), end


class ReferencesTreeprocessor(Treeprocessor):
    """Numbers the citations in page order and appends the page's reference list."""

    def __init__(self, md: Markdown, ext: "ClaimTagExtension"):
        super().__init__(md)
        self.ext = ext
        self.prettify = PrettifyTreeprocessor(md)

    def run(self, root: etree.Element) -> None:
        self.ext.references = None
        pieces = self.ext.pieces()
        registry = pieces.registry
        numbers: dict[str, int] = {}  # reference key -> number, in order of first citation
        uses: dict[str, list[tuple[str, Any, str]]] = {}  # key -> [(claim id, source, cite id)]
        cites = [el for el in root.iter("sup") if el.get("class") == CITE_CLASS and el.get("data-claims") is not None]
        for n, sup in enumerate(cites, 1):
            cite_id = f"cite-{n}"
            sup.set("id", cite_id)
            ids = [i for i in sup.get("data-claims", "").split(",") if i]
            parts: list[etree.Element] = []
            by_ref: dict[str, list[tuple[str, Any]]] = {}
            for cid in ids:
                entry = registry.claims.get(cid) if is_valid_id(cid) else None
                if entry is None:
                    parts.append(self._unknown(cid, pieces))
                    continue
                if not entry.claim.sources:
                    parts.append(self._unsourced(cid, entry.claim.statement, pieces))
                for source in entry.claim.sources:
                    numbers.setdefault(source.ref, len(numbers) + 1)
                    by_ref.setdefault(source.ref, []).append((cid, source))
                    uses.setdefault(source.ref, []).append((cid, source, cite_id))
            links = [self._ref_link(numbers[key], key, pairs, pieces) for key, pairs in sorted(by_ref.items(), key=lambda kv: numbers[kv[0]])]
            self._fill(sup, links + parts if links else parts or [self._unknown("", pieces)])
        if numbers:
            root.append(self._references(numbers, uses, pieces))

    # -- citations ---------------------------------------------------------

    @staticmethod
    def _fill(sup: etree.Element, parts: list[etree.Element]) -> None:
        sup.text = AtomicString("[")
        for i, el in enumerate(parts):
            sup.append(el)
            el.tail = AtomicString(", " if i < len(parts) - 1 else "]")

    def _ref_link(self, number: int, key: str, pairs: list[tuple[str, Any]], pieces: "_Pieces") -> etree.Element:
        a = etree.Element("a", {"href": f"#ref-{number}", "class": "claim-cite-ref", "title": pieces.cite_title(key, [s for _cid, s in pairs])})
        a.text = AtomicString(str(number))
        return a

    def _unknown(self, cid: str, pieces: "_Pieces") -> etree.Element:
        span = etree.Element("span", {"class": "claim-cite-unknown", "title": pieces.title(f"Claim “{cid}” is not in the claims registry." if cid else "This claim tag names no claim.")})
        span.text = AtomicString("?")
        return span

    def _unsourced(self, cid: str, statement: str, pieces: "_Pieces") -> etree.Element:
        a = etree.Element("a", {"href": self.ext.registry_href(cid), "class": "claim-cite-unsourced", "title": pieces.title(f"No source yet for this claim: {statement}")})
        a.text = AtomicString("?")
        return a

    # -- the reference list ------------------------------------------------

    def _references(self, numbers: dict[str, int], uses: dict[str, list], pieces: "_Pieces") -> etree.Element:
        """The "References" section: its heading in the tree (for the table of contents and its permalink),
        the list itself as finished HTML in Python-Markdown's stash.

        The list is most of a page's HTML. Each entry is put together from pieces formatted once
        per registry (`_Pieces`: a source's citation, the quotes block for a set of claims), so
        neither this extension nor the later tree passes (toc, attr_list, prettify, the
        serializer) build and walk it again on every page. The pieces are laid out as the prettify
        pass and the serializer lay out a tree, so the page's HTML is the same as when the list
        was a part of the tree.
        """
        section = etree.Element("section", {"class": REFERENCES_CLASS})
        heading = etree.SubElement(section, "h2", {"id": "references"})
        heading.text = self.ext.getConfig("references_title")
        listed = self._reference_list(numbers, uses, pieces)
        self.ext.references = (self.ext.page_uri, listed)
        holder = etree.SubElement(section, "p")
        holder.text = self.md.htmlStash.store(listed)
        return section

    def _reference_list(self, numbers: dict[str, int], uses: dict[str, list], pieces: "_Pieces") -> str:
        items = []
        for key, number in sorted(numbers.items(), key=lambda kv: kv[1]):
            quotes: dict[tuple[str, str], list[str]] = {}  # one quote may support several claims
            for cid, source, _cite in uses[key]:
                claims = quotes.setdefault((pieces.clean(source.locator), pieces.clean(source.quote)), [])
                if cid not in claims:
                    claims.append(cid)
            links = tuple((cid, self.ext.registry_href(cid, final=True)) for cid in dict.fromkeys(cid for ids in quotes.values() for cid in ids))
            items.append(
                f'<li class="claim-reference" id="ref-{number}">{pieces.citation_html(key)}'
                f"{_backlinks(list(dict.fromkeys(c for _cid, _s, c in uses[key])))}"
                f"{pieces.quotes_html(tuple((loc, quote, tuple(ids)) for (loc, quote), ids in quotes.items()), links, self.prettify)}</li>"
            )
        return REFERENCE_LIST_TAG + "\n" + "\n".join(items) + "\n</ol>"


def _backlinks(cite_ids: list[str]) -> str:
    """`↩` back to the one citation, or `↩ a b c` (Wikipedia style) when the source is cited several times."""
    links = "".join(
        f'<a aria-label="Back to citation {cite_id.split("-")[1]}" class="claim-backlink" href="#{cite_id}">{"↩" if len(cite_ids) == 1 else _letter(i)}</a> '
        for i, cite_id in enumerate(cite_ids)
    )
    return f'<span class="claim-backlinks">{" ↩ " if len(cite_ids) > 1 else " "}{links}</span>'


class _Pieces:
    """What citations and reference lists take from one registry, made once and reused on every page.

    A site cites the same few hundred sources on thousands of pages; formatting each
    citation and cleaning each quote again for every page was most of this extension's time.
    """

    def __init__(self, registry: Registry):
        self.registry = registry
        self._clean: dict[str, str] = {}
        self._titles: dict[str, str] = {}
        self._cite_titles: dict[tuple, str] = {}
        self._citations: dict[str, str] = {}  # reference key -> its formatted citation, as HTML
        self._quotes: dict[tuple, str] = {}  # (quotes and the claims they support, their registry links) -> a reference's <details>

    def clean(self, text: str) -> str:
        done = self._clean.get(text)
        if done is None:
            done = self._clean[text] = clean(text)
        return done

    def title(self, text: str) -> str:
        """`_title(text)`, once per text."""
        done = self._titles.get(text)
        if done is None:
            done = self._titles[text] = _title(text)
        return done

    def cite_title(self, key: str, sources: list) -> str:
        """A citation link's tooltip: the source's short label, then each supporting quote with its locator."""
        memo = (key, tuple((s.locator, s.quote) for s in sources))
        done = self._cite_titles.get(memo)
        if done is None:
            ref = self.registry.references.get(key)
            label = short_label(ref.data) if ref else clean(key)
            quotes = [f"{self.clean(s.locator)}: “{self.clean(s.quote)}”" for s in sources]
            done = self._cite_titles[memo] = _title(f"{label}. " + " / ".join(dict.fromkeys(quotes)))
        return done

    def citation_html(self, key: str) -> str:
        """`references.citation_into` as HTML, formatted once per reference."""
        done = self._citations.get(key)
        if done is None:
            ref = self.registry.references.get(key)
            li = etree.Element("li")
            citation_into(li, key, ref.data if ref else None)
            done = self._citations[key] = _inner_html(li)
        return done

    def quotes_html(self, quotes: tuple[tuple[str, str, tuple[str, ...]], ...], links: tuple[tuple[str, str], ...], prettify: PrettifyTreeprocessor) -> str:
        """A reference's `<details>`: each (cleaned locator, cleaned quote, claim ids) with the claims it supports, once per set and links."""
        memo = (quotes, links)
        done = self._quotes.get(memo)
        if done is None:
            href = dict(links)
            details = etree.Element("details", {"class": "claim-quotes"})
            summary = etree.SubElement(details, "summary")
            summary.text = "What this source says"
            for locator, quote_text, claim_ids in quotes:
                quote = etree.SubElement(details, "blockquote", {"class": "claim-quote"})
                quote.text = quote_text
                meta = etree.SubElement(details, "p", {"class": "claim-quote-meta"})
                meta.text = f"Where: {locator}. Supports:"
                supports = etree.SubElement(details, "ul", {"class": "claim-supports"})
                for cid in claim_ids:
                    item = etree.SubElement(supports, "li")
                    item.text = f"“{self.clean(self.registry.claims[cid].claim.statement)}” "
                    link = etree.SubElement(item, "a", {"href": href[cid], "class": "claim-registry-link"})
                    link.text = f"(claim {cid} in the registry)"
            prettify._prettifyETree(details)  # block children on their own lines, as on the rest of the page
            done = self._quotes[memo] = to_html_string(details)
        return done


def _inner_html(el: etree.Element) -> str:
    """The HTML inside an element, as the page's serializer writes it."""
    whole = to_html_string(el)
    return whole[whole.index(">") + 1 : whole.rindex("</")]


def _letter(i: int) -> str:
    """a, b, ... z, aa, ab, ..."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(97 + r) + out
    return out


def _title(text: str) -> str:
    """A `title` value: shortened, escaped for Material's HTML tooltips (`tooltip`), and escaped once more,
    because Python-Markdown's serializer leaves anything that looks like an entity (`&lt;`) as it is."""
    text = clean(text)
    text = text if len(text) <= MAX_TITLE else text[: MAX_TITLE - 1].rstrip() + "…"
    return html.escape(tooltip(text), quote=False)


class ClaimTagExtension(Extension):
    """`markdown.Markdown(extensions=[ClaimTagExtension(registry=...)])` or `claimtags` by name."""

    def __init__(self, registry: Registry | None = None, **kwargs: Any):
        # Not a Python-Markdown config value: setConfig would coerce it (a None default means "boolean").
        self._registry = registry
        self.config = {
            "claims_dir": ["claims", "the claims registry folder, read when no registry is given"],
            "root": [".", "the project root that claims_dir is relative to"],
            "registry_page": ["registry.md", "the registry page, relative to the docs folder"],
            "references_title": ["References", "the heading of each page's reference list"],
        }
        super().__init__(**kwargs)
        self.page_uri: str | None = None  # the page being rendered, relative to the docs folder (set by the plugin)
        self.registry_url: str | None = None  # the registry page's URL relative to that page's (set by the plugin)
        self.references: tuple[str | None, str] | None = None  # (page_uri, the HTML of its reference list): the last page's
        self._pieces: _Pieces | None = None
        self._relative: dict[tuple[str, str], str] = {}  # (registry page, a page's folder) -> the link between them

    def registry(self) -> Registry:
        """The registry the plugin handed over, or the one under `root/claims_dir`, read once."""
        if self._registry is None:
            self._registry = load_registry(Path(self.getConfig("root")), self.getConfig("claims_dir"))
        return self._registry

    def pieces(self) -> _Pieces:
        """The formatted parts of the current registry's citations (made again when the registry is another)."""
        registry = self.registry()
        if self._pieces is None or self._pieces.registry is not registry:
            self._pieces = _Pieces(registry)
        return self._pieces

    def registry_href(self, claim_id: str, final: bool = False) -> str:
        """A link to the claim's registry entry, relative to the current page.

        In the tree, MkDocs turns the `.md` link into the page's URL. A `final` link is for
        stashed HTML, which MkDocs does not see: the URL itself when the plugin gave it.
        """
        if final and self.registry_url is not None:
            return f"{self.registry_url}#{claim_anchor(claim_id)}"
        target = self.getConfig("registry_page")
        if self.page_uri:
            folder = posixpath.dirname(self.page_uri) or "."
            relative = self._relative.get((target, folder))
            if relative is None:
                relative = self._relative[(target, folder)] = posixpath.relpath(target, folder)
            target = relative
        return f"{target}#{claim_anchor(claim_id)}"

    def extendMarkdown(self, md: Markdown) -> None:
        md.inlinePatterns.register(ClaimTagInlineProcessor(r"\[\[claim:", md), "claimtags", INLINE_PRIORITY)
        md.treeprocessors.register(ReferencesTreeprocessor(md, self), "claimtags_references", TREE_PRIORITY)


def makeExtension(**kwargs: Any) -> ClaimTagExtension:  # noqa: N802 (Python-Markdown's name)
    return ClaimTagExtension(**kwargs)
