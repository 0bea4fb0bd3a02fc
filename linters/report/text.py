"""`--format text`: for people. Grouped by file, coloured on a terminal, a summary line last."""

from __future__ import annotations

import io
import os
import sys

from rich.console import Console
from rich.markup import escape

from . import EXIT_MEANINGS

NAME = "text"
_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _console(file, color: bool | None) -> Console:
    if color is None:
        color = file.isatty() and "NO_COLOR" not in os.environ
    return Console(file=file, force_terminal=color, no_color=not color, highlight=False, soft_wrap=True, width=120)


def render(report, color: bool | None = False) -> str:
    buf = io.StringIO()
    write(report, buf, color=color)
    return buf.getvalue()


def write(report, file=None, color: bool | None = None) -> None:
    file = file or sys.stdout
    out = _console(file, color)
    current = None
    for f in report.findings:
        if f.path != current:
            if current is not None:
                out.print()
            out.print(f"[bold underline]{escape(f.path)}[/]")
            current = f.path
        out.print(f"  {f.line}:{f.column}  [{_STYLE[f.severity]}]{f.severity}[/]  {escape(f.message)}  [dim]{escape(f.rule)}[/]")
        if f.excerpt:
            excerpt = f.excerpt if len(f.excerpt) <= 160 else f.excerpt[:157] + "..."
            out.print(f"      [dim]> {escape(excerpt)}[/]")
        for r in f.related:
            out.print(f"      [dim]see {escape(r.path)}:{r.line}: {escape(r.excerpt[:120])}[/]")
    if report.findings:
        out.print()
    if report.suppressed:
        out.print(f"[bold]Suppressed ({len(report.suppressed)})[/]")
        for s in report.suppressed:
            out.print(f"  {escape(s.finding.path)}:{s.finding.line}  {escape(s.finding.rule)}  reason: {escape(s.reason)}")
        out.print()
    for note in report.notes:
        out.print(f"[yellow]note:[/] {escape(note)}")
    counts = report.counts()
    if counts:
        out.print("[bold]By rule[/]")
        for rule in sorted(counts):
            parts = ", ".join(f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in sorted(counts[rule].items()))
            out.print(f"  {rule:<28} {parts}")
    errors = sum(1 for f in report.findings if f.severity == "error")
    warnings = sum(1 for f in report.findings if f.severity == "warning")
    pages = len(report.documents)
    style = "bold red" if errors else ("yellow" if warnings else "bold green")
    out.print(
        f"[{style}]{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}[/] "
        f"in {pages} page{'s' if pages != 1 else ''} ({report.mode} mode). "
        f"Exit {report.exit_code}: {EXIT_MEANINGS[report.exit_code]}."
    )
