"""`python -m linters review list|approve|reject`: the medical reviewer's commands.

    review list [--format text|json] [--window DAYS] [--today DATE] [--all]
    review approve ID --reviewer "Name, credentials" [--next-review DATE] [--today DATE]
    review reject ID --reviewer "Name, credentials" --reason TEXT [--today DATE]
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from ..config import find_root
from ..engine import open_project
from ..errors import UsageError
from ..pages import discover, read_page
from ..review import audit
from ..review.decide import decide, parse_date
from ..review.status import FLAG_MEANINGS, FLAGS, classify


def register(sub) -> None:
    p = sub.add_parser("review", help="list claims that need a medical reviewer; approve or reject a claim")
    actions = p.add_subparsers(dest="action", required=True, metavar="{list,approve,reject}")

    ls = actions.add_parser("list", help="pending, stale, expiring, expired, rejected and unused claims, with sources, quotes and pages")
    ls.add_argument("--format", default="text", choices=("text", "json"))
    ls.add_argument("--window", type=int, default=None, metavar="DAYS", help="a claim is expiring when its next review is this close (default: expiring_days in mkdocs.yml, 60)")
    ls.add_argument("--today", metavar="DATE", help="as if today were this date (YYYY-MM-DD)")
    ls.add_argument("--all", action="store_true", help="also list approved claims that need nothing")
    ls.set_defaults(run=run_list)

    ap = actions.add_parser("approve", help="approve a claim: records reviewer, date, next review and the fingerprint of what was approved")
    ap.add_argument("claim", metavar="ID")
    ap.add_argument("--reviewer", metavar="NAME", help='who approves, with credentials: "Jane Roe, MD"')
    ap.add_argument("--next-review", dest="next_review", metavar="DATE", help="date of the next periodic review (default: one year from today)")
    ap.add_argument("--today", metavar="DATE", help="record the approval as made on this date (YYYY-MM-DD)")
    ap.set_defaults(run=run_decide, decision="approved")

    rj = actions.add_parser("reject", help="reject a claim, with the reason")
    rj.add_argument("claim", metavar="ID")
    rj.add_argument("--reviewer", metavar="NAME", help='who rejects, with credentials: "Jane Roe, MD"')
    rj.add_argument("--reason", metavar="TEXT", help="why, in a sentence the writer can act on")
    rj.add_argument("--today", metavar="DATE", help="record the decision as made on this date (YYYY-MM-DD)")
    rj.set_defaults(run=run_decide, decision="rejected")


def _root() -> Path:
    return find_root(Path.cwd()) or Path.cwd().resolve()


def run_decide(args) -> int:
    today = parse_date(args.today, "--today") if args.today else date.today()
    next_review = parse_date(args.next_review, "--next-review") if getattr(args, "next_review", None) else None
    outcome = decide(_root(), args.claim, args.decision, args.reviewer, today, next_review=next_review, reason=getattr(args, "reason", None))
    if outcome.decision == "approved":
        print(f"Approved `{outcome.claim}` as {outcome.reviewer}; next review {outcome.next_review.isoformat()}. Fingerprint {outcome.fingerprint}.")
    else:
        print(f"Rejected `{outcome.claim}` as {outcome.reviewer}. Fingerprint {outcome.fingerprint}.")
    print(f"  {outcome.path}:{outcome.line}: review updated; decision logged in {outcome.audit_path}")
    return 0


def run_list(args) -> int:
    today = parse_date(args.today, "--today") if args.today else date.today()
    project = open_project(root=_root())
    window = project.config.expiring_days if args.window is None else args.window
    if window < 0:
        raise UsageError(f"--window {window}: give a number of days, 0 or more")
    docs = []
    if project.docs_dir.is_dir():
        docs = [read_page(p, project.root) for p in discover([project.docs_dir], project.root, project.config.exclude)]
    log = audit.read(project.root / project.config.claims_dir, project.config.claims_dir.rstrip("/"))
    states = classify(project.registry, docs, today, window, log)
    shown = states if args.all else [s for s in states if s.flags]
    counts = {flag: sum(1 for s in states if flag in s.flags) for flag in FLAGS}
    problems = [f"{p.path}:{p.line}: {p.message}" for p in project.registry.problems] + log.problems
    if args.format == "json":
        data = {
            "today": today.isoformat(),
            "window_days": window,
            "counts": counts,
            "claims": [s.to_dict() for s in shown],
            "problems": problems,
            "pages": len(docs),
        }
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return 0
    _write_text(shown, counts, problems, today, window, len(states), len(docs))
    return 0


def _write_text(states, counts, problems, today: date, window: int, total: int, pages: int) -> None:
    out = sys.stdout.write
    out(f"Claims for review on {today.isoformat()} (expiring = next review within {window} days); {total} claims, {pages} pages read.\n")
    for problem in problems:
        out(f"registry problem: {problem}\n")
    for s in states:
        out("\n")
        flags = ", ".join(s.flags) or "ok"
        out(f"{s.id}  [{flags}]  {s.category}  {s.path}:{s.line}\n")
        out(f"  statement: {s.statement}\n")
        if s.status in ("approved", "rejected") and s.reviewer:
            when = f"approved {s.approved_on}, next review {s.next_review}" if s.status == "approved" else "rejected"
            if s.days_left is not None:
                when += f" ({s.days_left} days left)" if s.days_left >= 0 else f" ({-s.days_left} days overdue)"
            out(f"  review: {when} by {s.reviewer}\n")
        if s.reason:
            out(f"  reason: {s.reason}\n")
        if "stale" in s.flags:
            out(f"  changed since approval: approved {s.approved_fingerprint}, now {s.fingerprint}\n")
        for src in s.sources:
            link = f"doi:{src['doi']}" if src["doi"] else f"PMID {src['pmid']}" if src["pmid"] else src["url"] or "no link"
            out(f"  source: {src['ref']} ({link}), {src['locator']}\n")
            out(f"    \"{src['quote']}\"\n")
        if s.pages:
            for use in s.pages:
                out(f"  used on {use.path}:{use.line}: {use.excerpt[:160]}\n")
        else:
            out("  used on: no page\n")
    out("\n")
    summary = ", ".join(f"{n} {flag}" for flag, n in counts.items() if n)
    out(f"Summary: {summary or 'nothing needs review'}.\n")
    for flag, n in counts.items():
        if n:
            out(f"  {flag}: {FLAG_MEANINGS[flag]}\n")
    out('Approve: python -m linters review approve ID --reviewer "Name, credentials" [--next-review YYYY-MM-DD]\n')
    out('Reject:  python -m linters review reject ID --reviewer "Name, credentials" --reason "why"\n')
