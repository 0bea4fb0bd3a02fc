"""The rule catalogue, generated from the code: one page per rule at `rules/<id>/`, an index, and `rules/vale/`.

Each rule page is the rule module's docstring (What it does, Why is this bad?,
Example, Use instead) plus its severities and the examples the test suite runs.
SARIF and other reports link here (`rules/<id>/`), so the ids in the URLs are
the rule ids.
"""

from __future__ import annotations

import inspect
import re
from html import escape
from pathlib import Path
from typing import Any

from ..rules import ENGINE_RULES, Rule

SCOPES = {"page": "each page on its own", "corpus": "all pages together (cross-page)"}


def _fence(text: str, lang: str = "markdown") -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def _cell(text: str) -> str:
    """Text for a Markdown table cell: HTML escaped, pipes and line breaks neutralised."""
    return escape(" ".join(str(text).split()), quote=False).replace("|", "&#124;")


def _body(rule: Rule) -> str:
    """The module docstring without its first line (`id: summary`), which the page shows as its title."""
    doc = inspect.cleandoc(rule.doc or "")
    lines = doc.splitlines()
    if lines and lines[0].split(":", 1)[0].strip() == rule.id:
        lines = lines[1:]
    return "\n".join(lines).strip()


def rule_markdown(rule: Rule) -> str:
    publish = rule.publish_severity or rule.severity
    parts = [
        f"---\ntitle: {rule.id}\n---",
        f"# `{rule.id}`",
        escape(rule.summary),
        "| | |\n| --- | --- |\n"
        f"| Severity when previewing (`--mode preview`, `mkdocs serve`) | {rule.severity} |\n"
        f"| Severity when publishing (`--mode publish`, `mkdocs build`) | {publish} |\n"
        f"| Looks at | {SCOPES.get(rule.scope, rule.scope)} |\n"
        f"| Turn off or change | `rules: {{{rule.id}: {{enabled: false}}}}` or `{{severity: warning}}` in the `medical-claims` plugin block of `mkdocs.yml`; for one sentence: `<!-- linters: disable-next {rule.id} reason=\"...\" -->` |",
        _body(rule) or "_This rule has no description yet._",
    ]
    flagged = [e for e in rule.examples if e.flagged]
    passed = [e for e in rule.examples if not e.flagged]
    if flagged or passed:
        parts.append("## Tested examples\n\nThe test suite runs each of these through the rule.")
    for title, examples in (("Flagged", flagged), ("Not flagged", passed)):
        if not examples:
            continue
        parts.append(f"### {title}")
        for example in examples:
            parts.append(_fence(example.text))
            if example.note:
                parts.append(f"<p class=\"rule-example-note\">{escape(example.note)}</p>")
    return "\n\n".join(parts) + "\n"


def engine_rule_markdown(rule_id: str, description: str) -> str:
    return (
        f"---\ntitle: {rule_id}\n---\n\n# `{rule_id}`\n\n{escape(description)}\n\n"
        "Reported by the engine itself, always as an error: the input cannot be checked as it is. "
        "The message names the file and line and says what to change.\n"
    )


def index_markdown(rules: dict[str, Rule], vale_rules: list[dict[str, Any]]) -> str:
    rows = []
    for rule in sorted(rules.values(), key=lambda r: r.id):
        rows.append(f"| [`{rule.id}`]({rule.id}.md) | {_cell(rule.summary)} | {rule.severity} | {rule.publish_severity or rule.severity} |")
    for rule_id, description in sorted(ENGINE_RULES.items()):
        rows.append(f"| [`{rule_id}`]({rule_id}.md) | {_cell(description)} | error | error |")
    parts = [
        "---\ntitle: Rules\n---",
        "# Rules",
        "Every check the toolkit runs, generated from the rules' own documentation. "
        "The same rules run in `python -m linters check`, in `mkdocs serve` (preview) and in `mkdocs build` (publish).",
        "| Rule | What it reports | Preview | Publish |\n| --- | --- | --- | --- |\n" + "\n".join(rows),
    ]
    if vale_rules and "vale" not in rules:
        parts.append(f"[Vale rules](vale.md): {len(vale_rules)} rules of our own Vale style, reported as `vale.<Style>.<Rule>`.")
    return "\n\n".join(parts) + "\n"


def read_vale_rules(root: Path, vale_config: str) -> list[dict[str, Any]]:
    """The rules of the Vale styles named in the Vale config: [{id, name, style, level, extends, message}]."""
    from ruamel.yaml import YAML

    ini = root / vale_config
    try:
        text = ini.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    styles_path = re.search(r"^\s*StylesPath\s*=\s*(.+?)\s*$", text, re.M)
    based_on = re.findall(r"^\s*BasedOnStyles\s*=\s*(.+?)\s*$", text, re.M)
    if not styles_path:
        return []
    folder = (ini.parent / styles_path.group(1)).resolve()
    styles = dict.fromkeys(s.strip() for line in based_on for s in line.split(",") if s.strip() and s.strip() != "Vale")
    yaml = YAML(typ="safe", pure=True)
    found = []
    for style in styles:
        for path in sorted((folder / style).glob("*.yml")):
            try:
                source = path.read_text("utf-8")
                data = yaml.load(source) or {}
            except Exception:  # a broken style file is Vale's to report, not the catalogue's
                continue
            if not isinstance(data, dict):
                continue
            found.append(
                {
                    "id": f"vale.{style}.{path.stem}",
                    "name": path.stem,
                    "style": style,
                    "level": str(data.get("level", "suggestion")),
                    "extends": str(data.get("extends", "")),
                    "message": str(data.get("message", "")),
                }
            )
    return found


def vale_section(vale_rules: list[dict[str, Any]], vale_config: str) -> str:
    """The Vale rules as the style files define them today (read from `styles/`, never typed by hand)."""
    if not vale_rules:
        return f"## Rules in the Vale style\n\nNo Vale styles were found through `{escape(vale_config)}`.\n"
    rows = "\n".join(f"| `{r['id']}` | {_cell(r['level'])} | {_cell(r['extends'])} | {_cell(r['message'])} |" for r in vale_rules)
    return (
        "## Rules in the Vale style\n\n"
        f"Read from the style files named in `{escape(vale_config)}` when the site was built. "
        'Silence one for a block with `<!-- linters: disable-next vale.<Style>.<Rule> reason="..." -->`.\n\n'
        "| Finding id | Vale level | Vale check | Message |\n| --- | --- | --- | --- |\n" + rows + "\n"
    )


def vale_markdown(vale_rules: list[dict[str, Any]], vale_config: str) -> str:
    """`rules/vale/` when no rule module documents Vale: the style's rules alone."""
    return (
        "---\ntitle: Vale rules\n---\n\n# Vale rules\n\n"
        "Rules of our own Vale style, run by the real `vale` binary and reported with the id `vale.<Style>.<Rule>`.\n\n"
        + vale_section(vale_rules, vale_config)
    )


def catalogue(rules: dict[str, Rule], root: Path, vale_config: str) -> dict[str, str]:
    """src_uri -> Markdown, for every page of the catalogue."""
    vale_rules = read_vale_rules(root, vale_config)
    pages = {"rules/index.md": index_markdown(rules, vale_rules)}
    for rule in rules.values():
        pages[f"rules/{rule.id}.md"] = rule_markdown(rule)
    for rule_id, description in ENGINE_RULES.items():
        pages.setdefault(f"rules/{rule_id}.md", engine_rule_markdown(rule_id, description))
    if "vale" in rules:  # the `vale` rule's own page documents the style; add the rules as the files say
        pages["rules/vale.md"] += "\n" + vale_section(vale_rules, vale_config)
    else:
        pages["rules/vale.md"] = vale_markdown(vale_rules, vale_config)
    return pages
