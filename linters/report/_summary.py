"""The run at a glance for CI logs: counts by rule and severity, suppressions with reasons, the exit code.

`--summary` prints it on standard error (the report itself stays on standard
output or in `-o FILE`), and when `$GITHUB_STEP_SUMMARY` is set it is also
appended there as Markdown, which GitHub shows on the run's page.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError
from . import EXIT_MEANINGS

SEVERITIES = ("error", "warning", "info")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def totals(report) -> dict[str, int]:
    out = {sev: 0 for sev in SEVERITIES}
    for f in report.findings:
        out[f.severity] += 1
    return out


def lines(report) -> list[str]:
    """Plain text, one fact a line, for a CI log."""
    t = totals(report)
    out = [
        f"medical-claims check ({report.mode} mode): {_plural(t['error'], 'error')}, {_plural(t['warning'], 'warning')}, "
        f"{_plural(t['info'], 'info')} in {_plural(len(report.documents), 'page')}; {len(report.suppressed)} suppressed"
    ]
    counts = report.counts()
    if counts:
        out.append("by rule:")
        width = max(len(r) for r in counts)
        for rule in sorted(counts):
            parts = ", ".join(f"{counts[rule][sev]} {sev}" for sev in SEVERITIES if sev in counts[rule])
            out.append(f"  {rule:<{width}}  {parts}")
    if report.suppressed:
        out.append("suppressed:")
        for s in report.suppressed:
            out.append(f"  {s.finding.path}:{s.finding.line}  {s.finding.rule}  reason: {s.reason}")
    for note in report.notes:
        out.append(f"note: {note}")
    out.append(f"exit {report.exit_code}: {EXIT_MEANINGS[report.exit_code]}")
    return out


def _cell(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def markdown(report) -> str:
    """The same facts as a Markdown section for GitHub's job summary."""
    t = totals(report)
    icon = "❌" if report.exit_code else "✅"
    out = [
        f"## {icon} Medical claims check ({report.mode} mode)",
        "",
        f"{_plural(t['error'], 'error')}, {_plural(t['warning'], 'warning')}, {_plural(t['info'], 'info')} "
        f"in {_plural(len(report.documents), 'page')}; {len(report.suppressed)} suppressed.",
        "",
        f"**Exit {report.exit_code}**: {EXIT_MEANINGS[report.exit_code]}.",
        "",
    ]
    counts = report.counts()
    if counts:
        out += ["| Rule | Errors | Warnings | Infos |", "| --- | ---: | ---: | ---: |"]
        for rule in sorted(counts):
            c = counts[rule]
            out.append(f"| `{_cell(rule)}` | {c.get('error', 0)} | {c.get('warning', 0)} | {c.get('info', 0)} |")
        out.append("")
    if report.suppressed:
        out += ["### Suppressions", "", "| Where | Rule | Reason |", "| --- | --- | --- |"]
        for s in report.suppressed:
            out.append(f"| `{_cell(s.finding.path)}:{s.finding.line}` | `{_cell(s.finding.rule)}` | {_cell(s.reason)} |")
        out.append("")
    for note in report.notes:
        out.append(f"> {_cell(note)}")
    return "\n".join(out).rstrip("\n") + "\n\n"


def write_step_summary(report, environ=os.environ) -> bool:
    """Append the Markdown summary to `$GITHUB_STEP_SUMMARY`; False when not on GitHub Actions."""
    target = environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    try:
        with Path(target).open("a", encoding="utf-8") as fh:
            fh.write(markdown(report))
    except OSError as exc:
        raise UsageError(f"$GITHUB_STEP_SUMMARY ({target}): cannot write the summary: {exc.strerror or exc}") from None
    return True
