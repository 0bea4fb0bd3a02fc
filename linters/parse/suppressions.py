"""Inline directives in HTML comments.

`<!-- linters: disable-next RULE[,RULE] reason="why" -->` silences RULE for the
next block (or, inside a paragraph, the rest of that paragraph). The reason is
mandatory: suppressions are listed in every report so a reviewer can audit them.
Vale's own `<!-- vale off -->` / `<!-- vale on -->` are recognised too.
"""

from __future__ import annotations

import re

_OURS = re.compile(r"<!--\s*linters:\s*(?P<body>.*?)\s*-->\s*$", re.S)
_VALE = re.compile(r"<!--\s*vale\s+(?P<state>off|on)\s*-->\s*$", re.I)
_REASON = re.compile(r"""reason\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""")
_RULE_ID = re.compile(r"^(?:[a-z][a-z0-9-]*|vale\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$")


def parse_directive(raw: str) -> dict | None:
    """None when `raw` is an ordinary comment; else a dict with `kind`."""
    vale = _VALE.match(raw.strip())
    if vale:
        return {"kind": "vale", "off": vale["state"].lower() == "off", "raw": raw}
    m = _OURS.match(raw.strip())
    if not m:
        return None
    body = m["body"]
    reason_m = _REASON.search(body)
    head = body[: reason_m.start()] if reason_m else body
    words = head.split(None, 1)
    if not words or words[0] != "disable-next":
        return {"kind": "error", "raw": raw, "message": 'Unknown directive: write `<!-- linters: disable-next RULE reason="why" -->`.'}
    rules = [r.strip() for r in (words[1] if len(words) > 1 else "").replace(",", " ").split()]
    if not rules:
        return {"kind": "error", "raw": raw, "message": 'The suppression names no rule: write `<!-- linters: disable-next RULE reason="why" -->`.'}
    bad = [r for r in rules if not _RULE_ID.match(r)]
    if bad:
        return {"kind": "error", "raw": raw, "message": f"The suppression names an invalid rule id: {bad[0]!r}."}
    reason = (reason_m["dq"] if reason_m and reason_m["dq"] is not None else (reason_m["sq"] if reason_m else "")) or ""
    if not reason.strip():
        return {"kind": "error", "raw": raw, "message": 'A suppression must say why: add reason="..." so reviewers can audit it.'}
    return {"kind": "disable-next", "rules": rules, "reason": reason.strip(), "raw": raw}
