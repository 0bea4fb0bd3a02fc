"""A CSL-JSON reference as HTML: authors, title, journal, year, and DOI, PMID, PMCID and URL as links.

Built as ElementTree elements so the serializer escapes every piece of text and
every attribute: reference data comes from a file anyone can edit.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from typing import Any
from urllib.parse import quote, urlsplit

MAX_AUTHORS = 6  # Vancouver style: list six, then "et al."

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.I)


def clean(text: Any) -> str:
    """Display text: no control characters (Python-Markdown uses \\x02/\\x03 as placeholders), one line."""
    return " ".join(_CONTROL.sub("", str(text)).split())


def tooltip(text: Any) -> str:
    """Text for a `title` attribute, escaped once more than usual.

    Material's `content.tooltips` copies a title into the tooltip as HTML
    (`innerHTML`), so a registry quote holding `<img onerror=...>` would run.
    Escaped here, and again by the serializer, the tooltip shows the text as written.
    """
    return html.escape(clean(text), quote=False)


def safe_url(url: Any) -> str | None:
    """An http(s) URL, or None: a `javascript:` link from a data file must never become clickable."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or _CONTROL.search(url) or " " in url:
        return None
    return url


def doi_of(data: dict) -> str | None:
    doi = data.get("DOI")
    if not isinstance(doi, str) or not doi.strip():
        return None
    return _DOI_PREFIX.sub("", doi.strip())


def doi_url(doi: str) -> str:
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def pmid_of(data: dict) -> str | None:
    pmid = str(data.get("PMID", "")).strip()
    return pmid if pmid.isdigit() else None


def pmcid_of(data: dict) -> str | None:
    pmcid = str(data.get("PMCID", "")).strip().upper()
    if pmcid and not pmcid.startswith("PMC"):
        pmcid = "PMC" + pmcid
    return pmcid if re.fullmatch(r"PMC\d+", pmcid) else None


def _initials(given: str) -> str:
    return "".join(part[0] for part in re.split(r"[\s.\-]+", given) if part).upper()


def authors_text(data: dict) -> str:
    """`Murrough JW, Perez AM, ... et al.` (Vancouver); organisations by name."""
    names = []
    for person in data.get("author") or []:
        if not isinstance(person, dict):
            continue
        if person.get("literal"):
            names.append(clean(person["literal"]))
        elif person.get("family"):
            family = clean(" ".join(str(person.get(k, "")) for k in ("non-dropping-particle", "family")).strip())
            given = _initials(clean(person.get("given", "")))
            names.append(f"{family} {given}".strip())
    if not names:
        return ""
    if len(names) > MAX_AUTHORS:
        return ", ".join(names[:MAX_AUTHORS]) + ", et al."
    return ", ".join(names)


def year_of(data: dict) -> str:
    issued = data.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return clean(parts[0][0])
        for key in ("literal", "raw"):
            if issued.get(key):
                match = re.search(r"\d{4}", str(issued[key]))
                return match.group(0) if match else clean(issued[key])
    return ""


def short_label(data: dict) -> str:
    """`Murrough 2013` or `U.S. Food and Drug Administration 2019`, for tooltips."""
    first = ""
    for person in data.get("author") or []:
        if isinstance(person, dict):
            first = clean(person.get("family") or person.get("literal") or "")
            break
    many = len(data.get("author") or []) > 1 and first and not (data.get("author") or [{}])[0].get("literal")
    label = f"{first} et al." if many else first
    return " ".join(x for x in (label, year_of(data)) if x) or clean(data.get("title", ""))[:60]


def _link(parent: etree.Element, href: str, text: str, cls: str) -> etree.Element:
    a = etree.SubElement(parent, "a", {"href": href, "class": cls, "rel": "noopener"})
    a.text = text
    return a


def _add_text(parent: etree.Element, text: str) -> None:
    """Append text after the last child (ElementTree keeps it in .tail)."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _end(parent: etree.Element, text: str) -> None:
    """Close a part of the citation with a full stop, unless it already ends with one ("et al.")."""
    _add_text(parent, " " if text.endswith((".", "?", "!")) else ". ")


def _span(parent: etree.Element, cls: str, text: str, tag: str = "span") -> None:
    el = etree.SubElement(parent, tag, {"class": cls})
    el.text = text


def citation_into(parent: etree.Element, key: str, data: dict | None) -> None:
    """Append one formatted reference to `parent` (an <li> or <div>)."""
    if data is None:
        _span(parent, "ref-missing", f"Reference `{clean(key)}` is not in the references file.")
        return
    authors = authors_text(data)
    title = clean(data.get("title", "")).rstrip(".")
    journal = clean(data.get("container-title", "") or data.get("publisher", ""))
    year = year_of(data)
    if authors:
        _span(parent, "ref-authors", authors)
        _end(parent, authors)
    if title:
        _span(parent, "ref-title", title)
        _end(parent, title)
    if journal:
        _span(parent, "ref-journal", journal, tag="cite")
        _end(parent, journal)
    if year:
        _span(parent, "ref-year", year)
        _add_text(parent, ". ")
    doi, pmid, pmcid, url = doi_of(data), pmid_of(data), pmcid_of(data), safe_url(data.get("URL"))
    if doi:
        _add_text(parent, "DOI: ")
        _link(parent, doi_url(doi), doi, "ref-doi")
        _add_text(parent, ". ")
    if pmid:
        _add_text(parent, "PMID: ")
        _link(parent, f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/", pmid, "ref-pmid")
        _add_text(parent, ". ")
    if pmcid:
        _add_text(parent, "PMCID: ")
        _link(parent, f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/", pmcid, "ref-pmcid")
        _add_text(parent, ". ")
    already = {doi and doi_url(doi), pmid and f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/", pmcid and f"https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/"}
    if url and _same_url_key(url) not in {_same_url_key(u) for u in already if u}:
        _link(parent, url, url, "ref-url")
        _add_text(parent, ".")


def _same_url_key(url: str) -> str:
    return url.rstrip("/").lower().removeprefix("https://").removeprefix("http://")


def citation_html(key: str, data: dict | None) -> str:
    """One formatted reference as an HTML string (for pages built outside Python-Markdown's tree)."""
    from markdown.serializers import to_html_string

    span = etree.Element("span", {"class": "claim-reference"})
    citation_into(span, key, data)
    return to_html_string(span)
