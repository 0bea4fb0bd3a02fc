"""`--format sarif`: SARIF 2.1.0, the format GitHub code scanning and IDE viewers read.

One run, our tool as its driver with metadata for every rule (help text and a
link to the rule's page in the site), one result per finding, and suppressed
findings kept with their reasons (`suppressions`, kind `inSource`) so a
reviewer can audit them in the same place.
"""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote

from . import EXIT_MEANINGS
from ._meta import TOOL_NAME, config_of, rule_doc, rule_ids, site_of, tool_version

NAME = "sarif"
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "SRCROOT"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
FINGERPRINT_KEY = "medicalClaimsFinding/v1"


def _pascal(rule_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part)


def _uri(path: str) -> str:
    return quote(path.replace("\\", "/"), safe="/")


def _region(line: int, column: int, end_line: int | None = None, end_column: int | None = None, snippet: str = "") -> dict | None:
    if line < 1:  # a problem with a whole file has no region
        return None
    region: dict = {"startLine": line}
    if column >= 1:
        region["startColumn"] = column
    if end_line is not None and end_line >= line:
        region["endLine"] = end_line
        # SARIF's endColumn is the column after the region, as ours is.
        if end_column is not None and end_column >= 1 and (end_line > line or end_column > column):
            region["endColumn"] = end_column
    if snippet:
        region["snippet"] = {"text": snippet}
    return region


def _location(path: str, region: dict | None) -> dict:
    physical: dict = {"artifactLocation": {"uri": _uri(path), "uriBaseId": SRCROOT}}
    if region:
        physical["region"] = region
    return {"physicalLocation": physical}


def _escape_message(text: str) -> str:
    """A message with embedded links must escape its literal brackets (SARIF §3.11.6)."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def _rule_descriptor(rule_id: str, mode: str, config, site) -> dict:
    doc = rule_doc(rule_id, mode, config)
    tags = ["medical-claims", "vale"] if rule_id.startswith("vale.") else ["medical-claims"]  # code scanning filters by tag
    url = site.rule_url(rule_id)
    where = f"Documentation: {url}" if url else (
        f"Documentation: the page {site.rule_page(rule_id)} of the site `mkdocs build` makes (set `site_url` in mkdocs.yml to link it here)."
    )
    descriptor = {
        "id": rule_id,
        "name": _pascal(rule_id),
        "shortDescription": {"text": doc.summary},
        "fullDescription": {"text": doc.description},
        "helpUri": url,
        "help": {"text": f"{doc.text}\n\n{where}", "markdown": f"{doc.text}\n\n{where}"},
        "defaultConfiguration": {"level": LEVELS.get(doc.severity, "warning")},
        "properties": {"tags": tags},
    }
    if url is None:
        del descriptor["helpUri"]
    return descriptor


def _result(finding, index: dict[str, int], seen: dict[str, int]) -> dict:
    text = finding.message
    related = []
    if finding.related:
        links = []
        for i, r in enumerate(finding.related, start=1):
            loc = _location(r.path, _region(r.line, 0, snippet=r.excerpt))
            loc["id"] = i
            loc["message"] = {"text": r.excerpt or f"{r.path}:{r.line}"}
            related.append(loc)
            links.append(f"[{_escape_message(r.path)}:{r.line}]({i})")
        text = _escape_message(text) + " See " + ", ".join(links) + "."
    result: dict = {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [_location(finding.path, _region(finding.line, finding.column, finding.end_line, finding.end_column, finding.excerpt))],
    }
    if related:
        result["relatedLocations"] = related
    # A fingerprint that survives lines moving above the finding; the count keeps repeats apart.
    key = "\0".join((finding.rule, finding.path, finding.excerpt or str(finding.line), finding.message))
    seen[key] = seen.get(key, 0) + 1
    digest = hashlib.sha256(f"{key}\0{seen[key]}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
    result["partialFingerprints"] = {FINGERPRINT_KEY: digest}
    return result


def as_data(report) -> dict:
    config = config_of(report.root)
    site = site_of(report.root)
    ids = rule_ids(report)
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    seen: dict[str, int] = {}
    results = [_result(f, index, seen) for f in report.findings]
    for s in report.suppressed:
        result = _result(s.finding, index, seen)
        result["suppressions"] = [
            {
                "kind": "inSource",
                "justification": s.reason,
                "location": _location(s.finding.path, _region(s.line, 1)),
            }
        ]
        results.append(result)
    driver = {
        "name": TOOL_NAME,
        "version": tool_version(),
        "semanticVersion": tool_version() if re.fullmatch(r"\d+\.\d+\.\d+", tool_version()) else None,
        "informationUri": site.information_uri,
        "rules": [_rule_descriptor(rule_id, report.mode, config, site) for rule_id in ids],
    }
    driver = {k: v for k, v in driver.items() if v is not None}
    invocation = {
        "executionSuccessful": True,  # the check ran; findings are results, not a failed run
        "exitCode": report.exit_code,
        "exitCodeDescription": EXIT_MEANINGS[report.exit_code],
        "toolExecutionNotifications": [{"level": "note", "message": {"text": note}} for note in report.notes],
    }
    if not invocation["toolExecutionNotifications"]:
        del invocation["toolExecutionNotifications"]
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"uri": report.root.resolve().as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",  # our columns count characters, not UTF-16 units
        "invocations": [invocation],
        "results": results,
        "properties": {"mode": report.mode, "pages": [d.path for d in report.documents]},
    }
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render(report) -> str:
    return json.dumps(as_data(report), indent=2, ensure_ascii=False) + "\n"
