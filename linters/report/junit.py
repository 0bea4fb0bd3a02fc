"""`--format junit`: JUnit XML, which CI systems (GitLab, Jenkins, Azure, test-report actions) show as tests.

One test case per page (`classname` = the page's path), failed by its
error-level findings, one `<failure>` each; warnings, notes and suppressions go
to the case's `<system-out>`. The claims registry is a test case of its own,
`claims`, so a broken registry fails a test even when no page cites it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from . import EXIT_MEANINGS
from ._meta import TOOL_NAME, config_of

NAME = "junit"
REGISTRY_CASE = "claims"

# Characters XML 1.0 cannot hold, even escaped; a page may contain them.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", str(text))


def _describe(finding) -> str:
    out = [f"{finding.path}:{finding.line}:{finding.column}: {finding.severity} [{finding.rule}] {finding.message}"]
    if finding.excerpt:
        out.append(f"    > {finding.excerpt}")
    for r in finding.related:
        out.append(f"    see {r.path}:{r.line}: {r.excerpt}")
    return "\n".join(out)


def _case_key(path: str, pages: set[str], claims_dir: str) -> str:
    if path in pages:
        return path
    if path == claims_dir or path.startswith(claims_dir.rstrip("/") + "/"):
        return REGISTRY_CASE
    return path


def as_element(report) -> ET.Element:
    config = config_of(report.root)
    claims_dir = (config.claims_dir if config else "claims").strip("/") or "claims"
    pages = [d.path for d in report.documents]
    page_set = set(pages)
    cases: dict[str, dict] = {p: {"classname": p, "failures": [], "out": []} for p in pages}
    cases[REGISTRY_CASE] = {"classname": claims_dir, "failures": [], "out": []}
    for f in report.findings:
        key = _case_key(f.path, page_set, claims_dir)
        case = cases.setdefault(key, {"classname": key, "failures": [], "out": []})
        (case["failures"] if f.severity == "error" else case["out"]).append(f)
    suppressed: dict[str, list] = {}
    for s in report.suppressed:
        key = _case_key(s.finding.path, page_set, claims_dir)
        cases.setdefault(key, {"classname": key, "failures": [], "out": []})
        suppressed.setdefault(key, []).append(s)

    failed = sum(1 for c in cases.values() if c["failures"])
    errors = sum(len(c["failures"]) for c in cases.values())
    root = ET.Element("testsuites", name=TOOL_NAME, tests=str(len(cases)), failures=str(failed), errors="0", skipped="0")
    suite = ET.SubElement(
        root,
        "testsuite",
        name=f"medical claims ({report.mode} mode)",
        tests=str(len(cases)),
        failures=str(failed),
        errors="0",
        skipped="0",
    )
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("mode", report.mode),
        ("error_findings", str(errors)),
        ("suppressed", str(len(report.suppressed))),
        ("exit_code", str(report.exit_code)),
        ("exit_meaning", EXIT_MEANINGS[report.exit_code]),
    ):
        ET.SubElement(props, "property", name=name, value=_xml(value))
    for key, case in cases.items():
        el = ET.SubElement(suite, "testcase", classname=_xml(case["classname"]), name=_xml(key if key != REGISTRY_CASE else REGISTRY_CASE))
        for f in case["failures"]:
            failure = ET.SubElement(el, "failure", message=_xml(f.message), type=_xml(f.rule))
            failure.text = _xml(_describe(f))
        out = [_describe(f) for f in case["out"]]
        out += [f"{s.finding.path}:{s.finding.line}: suppressed [{s.finding.rule}] reason: {s.reason}" for s in suppressed.get(key, [])]
        if out:
            ET.SubElement(el, "system-out").text = _xml("\n".join(out))
    return root


def render(report) -> str:
    root = as_element(report)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
