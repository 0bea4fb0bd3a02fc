"""The audit trail: `claims/audit.jsonl`, one JSON object per decision (contract, the site shows it).

Each line: {"time": ISO-8601 UTC, "claim", "decision": "approved"|"rejected",
"reviewer", "reason", "fingerprint", "statement", "next_review"}. Lines are only
ever appended, with O_APPEND and fsync, so concurrent writers cannot interleave
within a line and a finished decision survives a crash.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

AUDIT_FILE = "audit.jsonl"


def now_utc() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def entry(claim: str, decision: str, reviewer: str, fingerprint: str, statement: str, reason: str | None = None, next_review: str | None = None) -> dict[str, Any]:
    return {
        "time": now_utc(),
        "claim": claim,
        "decision": decision,
        "reviewer": reviewer,
        "reason": reason,
        "fingerprint": fingerprint,
        "statement": statement,
        "next_review": next_review,
    }


def append(folder: Path, record: dict[str, Any]) -> None:
    """Append one record as one line, durably. A single write() of an O_APPEND file is not interleaved."""
    line = (json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    path = folder / AUDIT_FILE
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        # A crash after an earlier partial line would glue this record onto it: start on a fresh line.
        size = os.fstat(fd).st_size
        if size and _last_byte(path, size) != b"\n":
            line = b"\n" + line
        view = memoryview(line)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def _last_byte(path: Path, size: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(size - 1)
        return f.read(1)


@dataclass
class AuditLog:
    records: list[dict[str, Any]]
    problems: list[str]  # "claims/audit.jsonl:12: not JSON" — shown, never fatal

    def approvals(self) -> set[tuple[str, str]]:
        """(claim id, fingerprint) pairs that a recorded approval covers."""
        return {(r.get("claim"), r.get("fingerprint")) for r in self.records if r.get("decision") == "approved"}

    def for_claim(self, claim_id: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r.get("claim") == claim_id]


def read(folder: Path, rel_folder: str = "claims") -> AuditLog:
    """All records; a damaged line (e.g. cut short by a crash) is reported and skipped."""
    path = folder / AUDIT_FILE
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return AuditLog(records, problems)
    except OSError as exc:
        return AuditLog(records, [f"{rel_folder}/{AUDIT_FILE}: cannot read the audit log ({exc.strerror or exc})"])
    for n, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            problems.append(f"{rel_folder}/{AUDIT_FILE}:{n}: this line is not a JSON object; it was skipped")
            continue
        if not isinstance(record, dict) or "claim" not in record or "decision" not in record:
            problems.append(f"{rel_folder}/{AUDIT_FILE}:{n}: this line has no `claim` and `decision`; it was skipped")
            continue
        records.append(record)
    return AuditLog(records, problems)
