"""The JSON report is written in pieces (orjson, findings a chunk at a time) yet is exactly `json.dumps(indent=2)`."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from linters.engine import Report
from linters.model import Finding, Related
from linters.report import json_report


@dataclass(frozen=True)
class _Value:  # rules put dataclasses in `data` (a contradiction's quantities)
    amount: float
    unit: str


def _finding(i: int, **extra) -> Finding:
    return Finding(
        rule="prohibited-claim" if i % 2 else "unapproved-claim",
        severity="error" if i % 3 == 0 else "warning",
        path=f"docs/p{i:03d}.md",
        line=i + 1,
        column=1 + i % 7,
        message=f"Finding {i}: “quoted”, é, 日本, a tab\there and a newline\nthere.",
        excerpt="Ketamine — 0.5 mg/kg over 40 minutes",
        **extra,
    )


def _report(findings: list[Finding]) -> Report:
    return Report(root=Path("/site"), mode="preview", findings=findings, notes=["Vale is not installed."])


def _standard(report: Report) -> str:
    return json.dumps(json_report.as_data(report), indent=2, ensure_ascii=False, default=str) + "\n"


@pytest.mark.parametrize("count", [0, 1, 3, json_report._CHUNK, json_report._CHUNK + 1, 2 * json_report._CHUNK + 5])
def test_streamed_report_is_byte_for_byte_the_standard_library_one(count):
    findings = [_finding(i) for i in range(count)]
    if count:
        findings[0].related = [Related(path="docs/other.md", line=4, excerpt="45 minutes")]
        findings[0].end_line, findings[0].end_column = 2, 9
        findings[-1].data = {"values": [_Value(0.5, "mg/kg"), _Value(1.0, "mg/kg")], "ids": ("a", "b"), 3: None, "nested": {"x": [1, 2.5]}}
    report = _report(findings)
    assert json_report.render(report) == _standard(report)
    out = io.BytesIO()
    json_report.write_bytes(report, out)
    assert out.getvalue().decode("utf-8") == _standard(report)
    assert len(json.loads(out.getvalue())["findings"]) == count


def test_a_string_that_looks_like_the_placeholder_is_left_alone():
    """The findings list is spliced in at a marker; text on the page cannot collide with it."""
    finding = _finding(1)
    finding.excerpt = '"@@findings-0123@@"'
    report = _report([finding])
    report.notes.append("@@findings-@@")
    assert json_report.render(report) == _standard(report)


@pytest.mark.parametrize(
    "data",
    [
        {"claim": "ketamine-dose", "status": "pending"},  # the common case: atoms only, copied whole
        {"approved": False, "rate": 0.5, "n": 3, "none": None},
        {"values": [_Value(0.5, "mg/kg")], "ids": ("a", "b"), "nested": {"x": [1, 2.5], "v": _Value(1.0, "h")}},
        {"list": [1, "two", None], "deep": [[1, 2], {"a": [_Value(2.0, "min")]}]},
        {},
    ],
)
def test_a_findings_data_is_copied_as_dataclasses_asdict_copies_it(data):
    from dataclasses import asdict

    finding = _finding(1, data=data)
    out = finding.to_dict()
    assert out.get("data", {}) == asdict(finding)["data"]
    if data:
        assert out["data"] is not data  # a copy: changing the report's dict leaves the finding as it was
        out["data"]["added"] = 1
        assert "added" not in finding.data
