"""The fingerprint of what a reviewer approved: statement, facts, sources and quotes."""

from __future__ import annotations

import hashlib
import json

from .schema import Claim


def fingerprint(claim: Claim) -> str:
    payload = {
        "statement": " ".join(claim.statement.split()),
        "facts": [f.model_dump(exclude_none=True, mode="json") for f in claim.facts],
        "sources": [{"ref": s.ref, "locator": s.locator, "quote": " ".join(s.quote.split())} for s in claim.sources],
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
