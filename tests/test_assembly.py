"""An assembly kept between runs gives the report a fresh one gives: the same findings, in the same order, the same suppressed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from linters.assembly import Assembly, sort_findings, suppression_for
from linters.engine import PageResult
from linters.model import Finding, Suppressed, Suppression

PAGES = ["docs/a.md", "docs/b.md", "docs/c.md"]
PLACES = PAGES + ["claims/claims.yml"]


def _finding(path: str, line: int, rule: str, severity: str, note: str) -> Finding:
    return Finding(rule=rule, severity=severity, path=path, line=line, column=1, message="m", excerpt=note)


def _findings(paths):
    return st.lists(
        st.builds(_finding, st.sampled_from(paths), st.integers(1, 3), st.sampled_from(["contradiction", "plain-language", "invalid-page"]), st.sampled_from(["error", "warning", "info"]), st.sampled_from(["x", "y"])),
        max_size=6,
    )


_SUPPRESSIONS = st.lists(
    st.builds(lambda rule, first: Suppression(rules=(rule,), reason="quoted", line=first, column=1, applies_from=first, applies_to=first + 1), st.sampled_from(["contradiction", "plain"]), st.integers(1, 3)),
    max_size=2,
)


@st.composite
def _result(draw, path: str) -> PageResult:
    # a page's own findings are on it; now and then one is on another page
    own = _findings([path]) if draw(st.integers(0, 9)) else _findings(PAGES)
    return PageResult(path=path, problems=draw(own), findings=draw(own), suppressions=draw(_SUPPRESSIONS), metrics={}, tags=[], summaries={})


@st.composite
def _runs(draw):
    """Three runs: each keeps some pages' results (the same objects), makes others again, drops or adds pages."""
    runs = []
    results = {path: draw(_result(path)) for path in PAGES if draw(st.booleans())}
    for _ in range(3):
        for path in PAGES:
            change = draw(st.sampled_from(["keep", "keep", "new", "drop"]))
            if change == "new" or (change == "keep" and path not in results and draw(st.booleans())):
                results[path] = draw(_result(path))
            elif change == "drop":
                results.pop(path, None)
        before = draw(_findings(PLACES)) if draw(st.booleans()) else []
        after = draw(_findings(PLACES))
        runs.append((before, list(results.values()), after))
    return runs


def _from_scratch(before, results, after):
    """What `finish` did before the assembly: every finding in the order made, suppressions applied, one sort."""
    sups = {r.path: r.suppressions for r in results}
    raw = list(before) + [f for r in results for f in r.problems + r.findings] + list(after)
    kept, hidden = [], []
    for finding in raw:
        sup = suppression_for(sups.get(finding.path), finding)
        if sup is None:
            kept.append(finding)
        else:
            hidden.append(Suppressed(finding=finding, reason=sup.reason, line=sup.line))
    return sort_findings(kept), hidden


@settings(max_examples=300, deadline=None)
@given(_runs())
def test_a_kept_assembly_gives_what_one_from_scratch_gives(runs):
    kept = Assembly()
    for before, results, after in runs:
        expected, expected_hidden = _from_scratch(before, results, after)
        findings, hidden = kept.assemble(before, results, after)
        # equal findings in the same order, ties included (a tie may differ in its excerpt); a page left as it
        # was may keep the equal finding objects of the last run
        assert findings == expected
        assert hidden == expected_hidden
        grouped: dict[str, list[Finding]] = {}
        for finding in findings:
            grouped.setdefault(finding.path, []).append(finding)
        assert kept.by_path == grouped and list(kept.by_path) == list(grouped)


def test_an_unchanged_page_keeps_its_list_and_a_changed_one_gets_a_new_one():
    a = PageResult(path="docs/a.md", problems=[], findings=[_finding("docs/a.md", 2, "plain-language", "warning", "x")], suppressions=[], metrics={}, tags=[], summaries={})
    b = PageResult(path="docs/b.md", problems=[], findings=[_finding("docs/b.md", 1, "plain-language", "warning", "x")], suppressions=[], metrics={}, tags=[], summaries={})
    assembly = Assembly()
    assembly.assemble([], [a, b], [])
    first = dict(assembly.by_path)
    b2 = PageResult(path="docs/b.md", problems=[], findings=[_finding("docs/b.md", 3, "plain-language", "warning", "x")], suppressions=[], metrics={}, tags=[], summaries={})
    cross = _finding("docs/a.md", 1, "contradiction", "error", "y")
    findings, _ = assembly.assemble([], [a, b2], [cross])
    assert assembly.by_path["docs/b.md"] is not first["docs/b.md"]
    assert assembly.by_path["docs/a.md"] == [cross, *a.findings]  # a cross-page finding on a: its list made again
    assembly.assemble([], [a, b2], [cross])
    again = dict(assembly.by_path)
    assembly.assemble([], [a, b2], [_finding("docs/a.md", 1, "contradiction", "error", "y")])  # made again, equal
    assert all(assembly.by_path[path] is again[path] for path in again)
