"""`--format json`: the machine-readable contract (see ARCHITECTURE.md)."""

from __future__ import annotations

import json

from . import EXIT_MEANINGS

NAME = "json"
SCHEMA_VERSION = 1


def as_data(report) -> dict:
    return {
        "version": SCHEMA_VERSION,
        "mode": report.mode,
        "root": str(report.root),
        "exit_code": report.exit_code,
        "exit_meaning": EXIT_MEANINGS[report.exit_code],
        "summary": {
            "pages": len(report.documents),
            "errors": sum(1 for f in report.findings if f.severity == "error"),
            "warnings": sum(1 for f in report.findings if f.severity == "warning"),
            "infos": sum(1 for f in report.findings if f.severity == "info"),
            "by_rule": report.counts(),
            "suppressed": len(report.suppressed),
        },
        "findings": [f.to_dict() for f in report.findings],
        "suppressed": [
            {"rule": s.finding.rule, "path": s.finding.path, "line": s.finding.line, "reason": s.reason, "suppression_line": s.line, "excerpt": s.finding.excerpt}
            for s in report.suppressed
        ],
        "pages": report.pages,
        "notes": report.notes,
    }


def render(report) -> str:
    return json.dumps(as_data(report), indent=2, ensure_ascii=False, default=str) + "\n"
