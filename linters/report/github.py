"""`--format github`: GitHub Actions workflow commands, shown as annotations on the changed lines.

One line per finding, `::error file=P,line=L,col=C,endLine=..,endColumn=..,title=RULE::MESSAGE`
(`::warning` and `::notice` for the other severities), escaped the way
GitHub's toolkit escapes them so a `%`, a newline, a `:` or a `,` in a path or
message cannot end the command early.
"""

from __future__ import annotations

NAME = "github"
COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding) -> str:
    props = [("file", finding.path), ("line", finding.line), ("col", finding.column)]
    if finding.end_line is not None and finding.end_line >= finding.line:
        props.append(("endLine", finding.end_line))
        if finding.end_column is not None:
            props.append(("endColumn", finding.end_column))
    props.append(("title", finding.rule))
    message = finding.message
    if finding.related:
        message += "\n" + "\n".join(f"See {r.path}:{r.line}: {r.excerpt}" for r in finding.related)
    head = ",".join(f"{key}={escape_property(value)}" for key, value in props if value not in (None, "", 0))
    return f"::{COMMANDS[finding.severity]} {head}::{escape_data(message)}"


def render(report) -> str:
    return "".join(annotation(f) + "\n" for f in report.findings)
