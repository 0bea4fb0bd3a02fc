"""The report's findings put together from the pages' results: suppressions applied, in report order.

A finding is hidden by a suppression on its page, and the report lists findings by
page, line, column, rule and message, then severity, then in the order the checks made
them (`sort_findings`). After a one-page edit, a `mkdocs serve` rebuild or a check-server
run gets every other page's result back as the same object (the memory cache), so an
`Assembly` kept between runs reuses what it made of a page while the page's result and the
other findings on it are unchanged: sorting 19,000 findings again took longer than the
rest of such a rebuild's check. A fresh `Assembly` gives the same report, made from scratch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import SEVERITY_ORDER, SORT_KEY, Finding, Suppressed, Suppression

if TYPE_CHECKING:
    from .engine import PageResult

_NONE: list[Finding] = []  # a page without findings of one kind: the same empty list every run, so kept pages compare by `is`


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """By place, rule and message (`Finding.sort_key`), then severity, then as given.

    Two stable passes (severity, then the fields), which give the same order as one
    sort on (sort key, severity) at a fraction of the cost: the fields' key is built in C.
    """
    by_severity: list[list[Finding]] = [[] for _ in SEVERITY_ORDER]
    for finding in findings:
        by_severity[SEVERITY_ORDER[finding.severity]].append(finding)
    ordered = [f for group in by_severity for f in group]
    ordered.sort(key=SORT_KEY)
    return ordered


def suppression_for(suppressions: list[Suppression] | None, finding: Finding) -> Suppression | None:
    if not suppressions or finding.rule in ("invalid-suppression", "invalid-page"):
        return None
    for sup in suppressions:
        if sup.applies_from <= finding.line <= sup.applies_to and any(
            finding.rule == r or finding.rule.startswith(r + ".") for r in sup.rules
        ):
            return sup
    return None


class Assembly:
    """What the last report was made of, per page; `assemble` reuses it where nothing changed."""

    def __init__(self) -> None:
        self._own: dict[str, tuple] = {}  # page path -> (its result, its findings kept, Suppressed, all on its own page)
        self._pages: dict[str, tuple] = {}  # path -> (findings from before the pages', the page's own, from after, all in report order)
        # the last report's findings by path, in report order: a path's list is the same object while it is unchanged
        self.by_path: dict[str, list[Finding]] = {}

    def assemble(self, before: list[Finding], results: list[PageResult], after: list[Finding]) -> tuple[list[Finding], list[Suppressed]]:
        """(findings kept, in report order; those suppressed, in the order made): `before` the pages' findings (the
        registry's problems), each result's problems and findings, `after` them (the cross-page rules')."""
        sups = {r.path: r.suppressions for r in results}
        first_kept, first_hidden = _split(before, sups)
        own: dict[str, tuple] = {}
        hidden: list[Suppressed] = list(first_hidden)
        elsewhere = False  # a page's result holds a finding on another page
        for result in results:
            kept = self._own.get(result.path)
            if kept is None or kept[0] is not result or not kept[3]:  # another page's suppressions may change
                found = result.problems + result.findings
                kept_here, hidden_here = _split(found, sups)
                kept = (result, kept_here or _NONE, hidden_here, all(f.path == result.path for f in found))
            own[result.path] = kept
            hidden.extend(kept[2])
            elsewhere = elsewhere or not kept[3]
        last_kept, last_hidden = _split(after, sups)
        hidden.extend(last_hidden)
        self._own = own
        if elsewhere:  # a page's own findings are not one run of the report: the whole list, sorted
            findings = sort_findings(first_kept + [f for kept in own.values() for f in kept[1]] + last_kept)
            self._pages, self.by_path = {}, by_path(findings)
            return findings, hidden
        heads, tails = by_path(first_kept), by_path(last_kept)
        pages: dict[str, tuple] = {}
        findings: list[Finding] = []
        for path in sorted(own.keys() | heads.keys() | tails.keys()):  # the sort key starts with the path
            head, mine, tail = heads.get(path, _NONE), own[path][1] if path in own else _NONE, tails.get(path, _NONE)
            kept = self._pages.get(path)
            if kept is None or kept[1] is not mine or kept[0] != head or kept[2] != tail:
                kept = (head, mine, tail, sort_findings(head + mine + tail))
            pages[path] = kept
            findings.extend(kept[3])
        self._pages = pages
        self.by_path = {path: kept[3] for path, kept in pages.items() if kept[3]}
        return findings, hidden


def _split(findings: list[Finding], sups: dict[str, list[Suppression]]) -> tuple[list[Finding], list[Suppressed]]:
    kept: list[Finding] = []
    hidden: list[Suppressed] = []
    for finding in findings:
        page_sups = sups.get(finding.path)
        sup = suppression_for(page_sups, finding) if page_sups else None  # most pages have none: no call
        if sup is None:
            kept.append(finding)
        else:
            sup.used = True
            hidden.append(Suppressed(finding=finding, reason=sup.reason, line=sup.line))
    return kept, hidden


def by_path(findings: list[Finding]) -> dict[str, list[Finding]]:
    """Findings grouped by path, each group in the order given."""
    out: dict[str, list[Finding]] = {}
    for finding in findings:
        out.setdefault(finding.path, []).append(finding)
    return out
