"""What CI formats say about the tool and its rules: names, docs, links, default levels.

SARIF carries metadata for every rule; it is read here from the rule modules'
own docstrings and summaries (the same text the site's rule catalogue is
generated from), so code scanning and the site describe a rule in the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..config import load_config
from ..errors import UsageError
from ..rules import DOCS_BASE, ENGINE_RULES, all_rules

TOOL_NAME = "medical-claims-linters"
DIST_NAME = "medical-claims-linters"
VALE_RULE = "vale"
VALE_SUMMARY = "A finding from Vale, the prose linter, with a style kept in this repository."

_SECTION = re.compile(r"^##\s+(.+?)\s*$", re.M)


@dataclass(frozen=True)
class RuleDoc:
    id: str
    summary: str  # one sentence
    description: str  # what it does, a paragraph
    text: str  # the whole docstring, Markdown
    severity: str  # error | warning | info, in this run's mode and config


@lru_cache(maxsize=1)
def tool_version() -> str:
    try:
        return metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def sections(doc: str) -> dict[str, str]:
    """`## Heading` → body of a four-part rule docstring; the text before the first heading is under ''."""
    out: dict[str, str] = {}
    parts = _SECTION.split(doc)
    out[""] = parts[0].strip()
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        out[title.strip().lower()] = body.strip()
    return out


def _paragraph(text: str) -> str:
    return " ".join(text.split())


def rule_doc(rule_id: str, mode: str, config=None) -> RuleDoc:
    """Metadata for any rule id a finding can carry, including engine and Vale rules."""
    rule = all_rules().get(rule_id)
    overrides = getattr(config, "rules", {}) or {}
    settings = overrides.get(rule_id)
    if rule is not None:
        parts = sections(rule.doc)
        description = _paragraph(parts.get("what it does", "")) or rule.summary
        severity = (settings.severity if settings and settings.severity else None) or rule.severity_for(mode)
        return RuleDoc(rule_id, rule.summary, description, rule.doc.strip() or rule.summary, severity)
    if rule_id in ENGINE_RULES:
        text = ENGINE_RULES[rule_id]
        severity = settings.severity if settings and settings.severity else "error"  # the engine reports these as errors
        return RuleDoc(rule_id, text.split(". ")[0].rstrip(".") + ".", text, text, severity)
    if rule_id.startswith("vale."):
        style_rule = rule_id[len("vale.") :]
        text = f"{VALE_SUMMARY} Vale rule `{style_rule}`; its message says what to change."
        runner = all_rules().get(VALE_RULE)  # the rule that runs Vale documents our styles
        full = f"{text}\n\n{runner.doc.strip()}" if runner is not None and runner.doc else text
        return RuleDoc(rule_id, f"Vale: {style_rule}.", text, full, "warning")
    return RuleDoc(rule_id, f"Rule {rule_id}.", f"Findings of rule {rule_id}.", f"Findings of rule {rule_id}.", "warning")


@dataclass(frozen=True)
class Site:
    """Where the rule catalogue is published: the medical-claims plugin generates `rules/<id>.md` at build time."""

    site_url: str  # "" when mkdocs.yml has no absolute site_url
    directory_urls: bool

    @staticmethod
    def rule_page(rule_id: str) -> str:
        """The rule's page in the built site; Vale's findings share the `vale` rule's page (else the catalogue's index)."""
        name = rule_id
        if rule_id.startswith("vale."):
            name = VALE_RULE if VALE_RULE in all_rules() else "index"
        return f"{DOCS_BASE.strip('/')}/{name}.md"

    def rule_url(self, rule_id: str) -> str | None:
        """An absolute link to the rule's page, or None without `site_url`.

        SARIF wants an absolute URI here (helpUri, §3.49.12), and the catalogue
        exists only in the built site, so a path in the repository would lead
        nowhere; the help text names the page instead.
        """
        return self.url_of(self.rule_page(rule_id))

    @property
    def information_uri(self) -> str | None:
        """The rule catalogue's index: what the tool checks and why."""
        return self.url_of(f"{DOCS_BASE.strip('/')}/index.md")

    def url_of(self, page: str) -> str | None:
        """The published address of a page (`rules/x.md`), as MkDocs builds it."""
        if not self.site_url:
            return None
        base = self.site_url if self.site_url.endswith("/") else self.site_url + "/"
        stem = page[: -len(".md")]
        if stem == "index" or stem.endswith("/index"):
            folder = stem[: -len("index")]
            return base + (folder if self.directory_urls else folder + "index.html")
        return base + (stem + "/" if self.directory_urls else stem + ".html")


def site_of(root: Path) -> Site:
    try:
        _config, mkdocs = load_config(root)
    except UsageError:  # the run already read it; a report must not fail on it
        mkdocs = {}

    def url(key: str) -> str:
        # Only absolute web addresses: SARIF links must be absolute URIs.
        value = mkdocs.get(key)
        value = value.strip() if isinstance(value, str) else ""
        return value if re.match(r"https?://[^\s/]+", value) and not re.search(r"\s", value) else ""

    return Site(site_url=url("site_url"), directory_urls=mkdocs.get("use_directory_urls", True) is not False)


def config_of(root: Path):
    try:
        return load_config(root)[0]
    except UsageError:
        return None


def rule_ids(report) -> list[str]:
    """Every rule that can appear in this run, then any other id the findings carry (Vale's)."""
    ids = list(all_rules()) + [r for r in ENGINE_RULES if r not in all_rules()]
    seen = set(ids)
    for finding in [*report.findings, *(s.finding for s in report.suppressed)]:
        if finding.rule not in seen:
            seen.add(finding.rule)
            ids.append(finding.rule)
    return ids
