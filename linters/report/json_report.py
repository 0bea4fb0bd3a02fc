"""`--format json`: the machine-readable contract (see ARCHITECTURE.md)."""

from __future__ import annotations

import uuid
from typing import Iterator

import orjson

from . import EXIT_MEANINGS

NAME = "json"
SCHEMA_VERSION = 1


def as_data(report, findings: bool = True) -> dict:
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
        "findings": [f.to_dict() for f in report.findings] if findings else [],
        "suppressed": [
            {"rule": s.finding.rule, "path": s.finding.path, "line": s.finding.line, "reason": s.reason, "suppression_line": s.line, "excerpt": s.finding.excerpt}
            for s in report.suppressed
        ],
        "pages": report.pages,
        "notes": report.notes,
    }


_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
_CHUNK = 2000  # findings encoded at a time: a 10,000-page site has hundreds of thousands


def _dumps(value) -> bytes:
    # orjson writes what `json.dumps(indent=2, ensure_ascii=False)` writes, in C: the standard
    # library falls back to its pure-Python encoder whenever it indents.
    return orjson.dumps(value, default=str, option=_OPTIONS)


def chunks(report) -> Iterator[bytes]:
    """The report as UTF-8 JSON, in pieces: the findings are turned into dicts a few thousand at a time.

    The bytes are those of `json.dumps(as_data(report), indent=2, ensure_ascii=False)`,
    but the whole list of findings never exists as dicts or as one string, which halves
    the peak memory of a large site's run.
    """
    data = as_data(report, findings=False)
    marker = "@@findings-" + uuid.uuid4().hex + "@@"
    data["findings"] = marker
    head, tail = _dumps(data).split(b'"' + marker.encode() + b'"')
    yield head
    findings = report.findings
    if not findings:
        yield b"[]"
    else:
        yield b"["
        for i in range(0, len(findings), _CHUNK):
            if i:
                yield b","
            # A chunk encoded as one list ("[\n  {...},\n  {...}\n]"), indented one level deeper to sit
            # inside the report (JSON strings never hold a raw newline), without its brackets.
            chunk = _dumps([f.to_dict() for f in findings[i : i + _CHUNK]]).replace(b"\n", b"\n  ")
            yield chunk[1 : -len(b"\n  ]")]
        yield b"\n  ]"
    yield tail
    yield b"\n"


def render(report) -> str:
    return b"".join(chunks(report)).decode("utf-8")


def write_bytes(report, stream) -> None:
    """Write the report to a binary stream piece by piece."""
    for piece in chunks(report):
        stream.write(piece)
