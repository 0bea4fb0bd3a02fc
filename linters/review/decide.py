"""Approve or reject one claim: validate the request, edit its review block, append to the audit log.

Every refusal is a UsageError (one line, exit 2) raised before anything is
written, so a bad request leaves the registry byte-identical.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pydantic import ValidationError

from ..config import load_config
from ..errors import UsageError
from ..registry.fingerprint import fingerprint
from ..registry.load import _plain, load_registry
from ..registry.schema import Claim
from . import audit
from .edit import claim_index, claim_lines, edit_review, read_snapshot, registry_lock, remove_stale_temp_files, write_atomic

# Not a person: a reviewer field that says one of these is a placeholder.
PLACEHOLDER_NAMES = {"pending", "none", "null", "tbd", "todo", "n/a", "na", "unknown", "reviewer", "name"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: str, option: str) -> date:
    """A strict YYYY-MM-DD date, or a one-line error naming the option."""
    text = (value or "").strip()
    try:
        if not _DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{option} {value!r}: not a valid date; write it as YYYY-MM-DD, e.g. 2027-03-31") from None


def clean_reviewer(value: str | None) -> str:
    """The reviewer as written ("Name, credentials"), whitespace tidied; refuse a blank or placeholder name."""
    text = " ".join((value or "").split())
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise UsageError("--reviewer: the name contains control characters")
    name = text.split(",", 1)[0].strip()
    if not name or not re.search(r"[^\W\d_]", name):
        raise UsageError('--reviewer: give the reviewer\'s name and credentials, e.g. --reviewer "Jane Roe, MD"')
    if name.lower() in PLACEHOLDER_NAMES:
        raise UsageError(f"--reviewer {text!r}: that is a placeholder, not a reviewer's name")
    if len(text) > 200:
        raise UsageError("--reviewer: the name is longer than 200 characters")
    return text


@dataclass
class Outcome:
    claim: str
    decision: str
    reviewer: str
    fingerprint: str
    path: str
    line: int
    next_review: date | None
    audit_path: str


def decide(
    root: Path,
    claim_id: str,
    decision: str,
    reviewer: str,
    today: date,
    next_review: date | None = None,
    reason: str | None = None,
) -> Outcome:
    """Record `decision` ("approved" or "rejected") for `claim_id` in the registry under `root`."""
    config, _ = load_config(root)
    reviewer = clean_reviewer(reviewer)
    if decision == "approved":
        next_review = next_review or _one_year_after(today)
        if next_review <= today:
            raise UsageError(f"--next-review {next_review.isoformat()}: the next review must be after today ({today.isoformat()})")
    else:
        reason = " ".join((reason or "").split())
        if not reason:
            raise UsageError('--reason: say why the claim is rejected, e.g. --reason "the quote does not support the number"')
    folder = root / config.claims_dir
    rel_folder = config.claims_dir.rstrip("/")
    if not folder.is_dir():
        raise UsageError(f"{rel_folder}: the claims registry folder does not exist (run from the project root)")

    with registry_lock(folder, rel_folder):
        remove_stale_temp_files(folder)
        registry = load_registry(root, config.claims_dir, required=True)
        entry = registry.claims.get(claim_id)
        snap_path = _locate(root, registry, claim_id)
        snap = read_snapshot(snap_path, _rel(root, snap_path))
        index = claim_index(snap, claim_id)
        if index is None:  # the file changed between the registry load and this read
            raise UsageError(f"{snap.rel}: claim `{claim_id}` is no longer in this file; run the command again")
        first, end = claim_lines(snap, index)
        own = [p for p in registry.problems if (p.path == snap.rel and first < p.line <= end) or p.excerpt == claim_id]
        if entry is None or own:
            problem = own[0] if own else None
            where = f"{snap.rel}:{problem.line}" if problem else f"{snap.rel}:{first + 1}"
            what = problem.message if problem else "it does not pass the registry checks"
            raise UsageError(f"{where}: claim `{claim_id}` cannot be reviewed until the registry problem is fixed: {what}")
        try:  # fingerprint what is in the bytes being edited, not an earlier read
            claim = Claim.model_validate(_plain(snap.data["claims"][index]))
        except ValidationError as exc:
            raise UsageError(f"{snap.rel}:{first + 1}: claim `{claim_id}` is not valid: {exc.errors()[0]['msg']}") from None
        status = claim.review.status
        if status == "retired":
            raise UsageError(f"{snap.rel}:{first + 1}: claim `{claim_id}` is retired; set its status to pending first if it should come back")
        if decision == "approved" and not claim.sources:
            raise UsageError(f"{snap.rel}:{first + 1}: claim `{claim_id}` has no sources; a claim is approved against its sources and quotes")
        print_ = fingerprint(claim)
        if decision == "approved":
            values = {"status": "approved", "reviewer": reviewer, "approved_on": today, "next_review": next_review, "fingerprint": print_}
            clear = ("rejected_on", "reason")
        else:
            values = {"status": "rejected", "reviewer": reviewer, "rejected_on": today, "reason": reason}
            clear = ("approved_on", "next_review", "fingerprint")
        new_bytes = render_edit(snap, index, values, clear)
        write_atomic(snap, new_bytes)
        # After the registry write: the registry is what is published, the log records it. A crash between the
        # two leaves an approval without a log line, which `review list` flags as `unaudited`.
        audit.append(
            folder,
            audit.entry(
                claim_id,
                decision,
                reviewer,
                print_,
                claim.statement,
                reason=reason if decision == "rejected" else None,
                next_review=next_review.isoformat() if decision == "approved" and next_review else None,
            ),
        )
    review_line = snap.data["claims"][index].lc.key("review")[0] + 1
    return Outcome(claim_id, decision, reviewer, print_, snap.rel, review_line, next_review if decision == "approved" else None, f"{rel_folder}/{audit.AUDIT_FILE}")


def render_edit(snap, index, values, clear) -> bytes:
    """The edited bytes (a seam: a test swaps it to simulate a person editing the file meanwhile)."""
    return edit_review(snap, index, values, clear)


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + timedelta(days=365)


def _rel(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _locate(root: Path, registry, claim_id: str) -> Path:
    """The claims file that defines `claim_id`, valid or not; a one-line error with suggestions if none does."""
    entry = registry.claims.get(claim_id)
    if entry is not None:
        return root / entry.path
    for path in registry.files:
        try:
            snap = read_snapshot(path, _rel(root, path))
        except UsageError:
            continue
        index = claim_index(snap, claim_id)
        if index is not None:
            return path
    known = sorted(registry.claims)
    close = difflib.get_close_matches(claim_id, known, n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(f'`{c}`' for c in close)}?" if close else " Run `python -m linters review list` to see the claims."
    files = ", ".join(_rel(root, p) for p in registry.files) or "the registry"
    raise UsageError(f"{files}: no claim with id `{claim_id}`.{hint}")
