"""`python -m linters check [PATH ...]`: check pages, print a report, exit 0/1/2."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from ..changes import changed_since
from ..engine import check_paths, open_project
from ..errors import UsageError
from ..report import _summary, formats


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today {value!r}: write the date as YYYY-MM-DD") from None


def register(sub) -> None:
    p = sub.add_parser("check", help="check Markdown pages (default: the site's docs folder)")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders of Markdown")
    p.add_argument("--format", default="text", help="text, json, sarif, junit or github")
    p.add_argument("--mode", default="preview", help="preview (writers: unapproved claims warn) or publish (the CI gate)")
    p.add_argument("--output", "-o", type=Path, help="write the report to this file instead of standard output")
    p.add_argument("--today", help="check as if today were this date (YYYY-MM-DD)")
    p.add_argument(
        "--changed-since",
        metavar="REF",
        help="report only on files changed since this git ref (and uncommitted ones); cross-page rules still read the whole site",
    )
    p.add_argument(
        "--summary",
        action="store_true",
        help="also print counts by rule, suppressions and the exit code's meaning on stderr (and to $GITHUB_STEP_SUMMARY when set)",
    )
    p.set_defaults(run=run)


def run(args) -> int:
    fmts = formats()
    if args.format not in fmts:
        raise UsageError(f"unknown format {args.format!r}: use one of {', '.join(sorted(fmts))}")
    if args.mode not in ("preview", "publish"):
        raise UsageError(f"unknown mode {args.mode!r}: use preview or publish")
    today = _date(args.today) if args.today else None
    if args.changed_since is not None:
        project = open_project(list(args.paths))
        changes = changed_since(project.root, args.changed_since, project.config.claims_dir)
        report = check_paths(list(args.paths), mode=args.mode, today=today, project=project, page_filter=changes.page_filter)
        changes.restrict(report, project.registry)
    else:
        report = check_paths(list(args.paths), mode=args.mode, today=today)
    module = fmts[args.format]
    if args.output:
        try:
            args.output.write_text(module.render(report), "utf-8")
        except OSError as exc:
            raise UsageError(f"{args.output}: cannot write the report: {exc.strerror or exc}") from None
    elif args.format == "text":
        module.write(report, sys.stdout)
    else:
        sys.stdout.write(module.render(report))
    if args.summary:
        # The text report ends with the same summary; other formats are for machines, so it goes to stderr.
        if args.format != "text" or args.output:
            print("\n".join(_summary.lines(report)), file=sys.stderr)
        _summary.write_step_summary(report)
    return report.exit_code
