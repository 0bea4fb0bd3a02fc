"""`python -m linters check [PATH ...]`: check pages, print a report, exit 0/1/2."""

from __future__ import annotations

import importlib
import os
import sys
import time
from datetime import date
from pathlib import Path

from .. import report as report_package
from ..changes import changed_since
from ..engine import check_paths, open_project
from ..errors import UsageError
from ..report import _summary, formats

# Set by the check server (`linters.check_server`) for its runs: results it keeps in memory between them.
memory = None

# A progress bar when a run is long enough to wonder about: many pages to parse, or seconds gone.
PROGRESS_MIN_PAGES = 200
PROGRESS_AFTER_SECONDS = 2.0


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
    p.add_argument("--no-cache", action="store_true", help="check every page again instead of reusing results for unchanged pages (.linters-cache/)")
    p.add_argument("--jobs", "-j", type=_jobs, metavar="N", help="worker processes for large sites (default: one per CPU; 1 = no workers)")
    p.add_argument("--verbose", "-v", action="store_true", help="say on stderr how many pages were parsed, taken from the cache, and how long it took")
    p.set_defaults(run=run)


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise UsageError(f"--jobs {value!r}: give a whole number of processes, 1 or more")
    return n


class _ProgressBar:
    """A rich progress bar on stderr for long runs; nothing in CI, in machine formats, or when the output is not a terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.started = time.monotonic()
        self.done = 0
        self.bar = None
        self.task = None

    def __call__(self, advance: int, total: int) -> None:
        self.done += advance
        if not self.enabled:
            return
        if self.bar is None:
            if total < PROGRESS_MIN_PAGES and time.monotonic() - self.started < PROGRESS_AFTER_SECONDS:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            # auto_refresh=False: no drawing thread, so forking the worker processes stays safe
            self.bar = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=Console(stderr=True), transient=True, auto_refresh=False)
            self.bar.start()
            self.task = self.bar.add_task("pages", total=total, completed=self.done)
        else:
            self.bar.update(self.task, completed=self.done)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _show_progress(args) -> bool:
    # not in a check server's run: its client prints the output when the run is over
    return args.format == "text" and not os.environ.get("CI") and memory is None and sys.stdout.isatty() and sys.stderr.isatty()


def _format(name: str):
    """The report format called `name`, importing only its module when it is named after it (`json` is json_report)."""
    for module_name in (name, f"{name}_report"):
        if not module_name.isidentifier():
            break
        try:
            module = importlib.import_module(f"{report_package.__name__}.{module_name}")
        except ModuleNotFoundError:
            continue
        if getattr(module, "NAME", None) == name and hasattr(module, "render"):
            return module
    fmts = formats()
    if name not in fmts:
        raise UsageError(f"unknown format {name!r}: use one of {', '.join(sorted(fmts))}")
    return fmts[name]


def run(args) -> int:
    module = _format(args.format)
    if args.mode not in ("preview", "publish"):
        raise UsageError(f"unknown mode {args.mode!r}: use preview or publish")
    today = _date(args.today) if args.today else None
    options = {"cache": False if args.no_cache else None, "jobs": args.jobs}
    progress = _ProgressBar(_show_progress(args))
    try:
        if args.changed_since is not None:
            project = open_project(list(args.paths), cache=options["cache"], memory=memory)
            changes = changed_since(project.root, args.changed_since, project.config.claims_dir)
            report = check_paths(list(args.paths), mode=args.mode, today=today, project=project, page_filter=changes.page_filter, progress=progress, memory=memory, **options)
            changes.restrict(report, project.registry)
        else:
            report = check_paths(list(args.paths), mode=args.mode, today=today, progress=progress, memory=memory, **options)
    finally:
        progress.close()
    if args.verbose:
        st = report.stats
        workers = f" by {st['jobs']} processes" if st.get("jobs", 1) > 1 else ""
        print(f"checked {st.get('pages', 0)} pages in {st.get('seconds', 0):.2f} s: {st.get('parsed', 0)} parsed{workers}, {st.get('cached', 0)} from the cache", file=sys.stderr)
    streams = hasattr(module, "write_bytes")  # a large report written piece by piece, never whole in memory
    if args.output:
        try:
            if streams:
                with open(args.output, "wb") as handle:
                    module.write_bytes(report, handle)
            else:
                args.output.write_text(module.render(report), "utf-8")
        except OSError as exc:
            raise UsageError(f"{args.output}: cannot write the report: {exc.strerror or exc}") from None
    elif args.format == "text":
        module.write(report, sys.stdout)
    elif streams and hasattr(sys.stdout, "buffer"):
        sys.stdout.flush()
        module.write_bytes(report, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(module.render(report))
    if args.summary:
        # The text report ends with the same summary; other formats are for machines, so it goes to stderr.
        if args.format != "text" or args.output:
            print("\n".join(_summary.lines(report)), file=sys.stderr)
        _summary.write_step_summary(report)
    return report.exit_code
