"""vale: findings from Vale, the prose linter, run by the real binary with the style in `styles/Medical/`.

## What it does
Runs one Vale process over every checked page and reports each alert as a
finding `vale.<Style>.<Rule>` at its place in the source. Vale levels map to
ours: error → error, warning → warning, suggestion → info. Admonition and tab
bodies (`!!!`, `???`, `===`) are linted like any paragraph, and so are the
page's front-matter `title` and `description`; code and claim tags are not.
`.vale.ini` at the project root says which styles run (the `vale_config`
option names another file). The `vale` option decides what a missing Vale
means: `required` (default) makes a publish run fail with a `vale` finding,
`optional` only prints a note, `off` skips Vale.

Our own style, one rule per file in `styles/Medical/`:

### Hype
Marketing words that oversell a treatment: "miracle", "game-changer",
"revolutionary", "breakthrough", "transformative", "cutting-edge",
"life-changing", "state-of-the-art". Level: warning.

### Absolutes
Absolute words: "always", "never", "everyone", "every patient", "all patients",
"forever", "undoubtedly". Level: suggestion (info). Common safety
instructions ("Never drive after an infusion") are not flagged, nor is honest
uncertainty ("No one can tell you how you will respond").

### Weasel
Vague attribution: "studies show", "research has shown", "experts agree",
"doctors recommend", "it is well known that". Level: warning. Vale cannot see
claim tags, so this checker drops the alert when the sentence carries one:
the tag renders as a citation that names the source. Questions ("What do
studies show?") are not flagged.

Which list lives where: Vale's style holds words that are wrong wherever they
stand. Statements whose meaning depends on the sentence (negation, reporting,
claim tags, the registry), such as "completely safe", "cure" or "guaranteed",
live in `linters/data/prohibited.yml` (rule prohibited-claim) and are not
repeated in Vale; neither are the claim cues of `linters/data/claim_cues.yml`.
Reading level is rule reading-level's, so Vale's Readability metrics are off.

Silence one block with `<!-- linters: disable-next vale.Medical.Hype reason="why" -->`
(or `vale.Medical` for the whole style), or a passage with Vale's own
`<!-- vale off -->` … `<!-- vale on -->`. In `mkdocs.yml`, `rules:` accepts
`vale` (every Vale finding), `vale.Medical` or `vale.Medical.Hype` with
`enabled` and `severity`.

## Why is this bad?
Hype, absolutes and unnamed authorities make a patient page read like an
advert. Regulators treat them as overstated efficacy, and readers deciding on
a treatment cannot check an "experts agree".

## Example
```markdown
This revolutionary treatment is a game-changer. Studies show it works.
```

## Use instead
```markdown
In one small study, about half of the people had less depression a day after
an infusion [[claim:rapid-effect-trd]].
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config import CONFIG_FILE
from ..model import Finding
from ..vale import INSTALL_HINT, PageView, build_view, find_vale, run_vale
from . import Example, Rule

LEVELS = {"error": "error", "warning": "warning", "suggestion": "info"}
# Alerts Vale cannot judge alone: a claim tag on the sentence names the source.
DROPPED_WHEN_TAGGED = {"Medical.Weasel"}


@dataclass
class PageSummary:
    """What the Vale check needs of one page (small and picklable)."""

    view: PageView
    tagged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # (start, end) of tagged sentences

    def is_tagged(self, line: int, column: int) -> bool:
        return any(start <= (line, column) <= end for start, end in self.tagged)


def collect(doc, ctx) -> PageSummary | None:
    if ctx.config.vale == "off":  # the view costs a block parse per page; a result cache must key on the config
        return None
    tagged = [(doc.position(s.offsets[0]), doc.position(s.offsets[-1])) for s in doc.sentences if s.tags and s.offsets]
    return PageSummary(view=build_view(doc), tagged=tagged)


def _settings(config, rule_id: str):
    """The most specific `rules:` entry for a Vale rule id: vale.Style.Rule, then vale.Style, then vale."""
    parts = rule_id.split(".")
    for n in range(len(parts), 0, -1):
        settings = config.rules.get(".".join(parts[:n]))
        if settings is not None:
            return settings
    return None


def check(collected: dict, ctx):
    if ctx.config.vale == "off":
        return
    pages = {path: page for path, page in collected.items() if isinstance(page, PageSummary) and page.view.text.strip()}
    if not pages:
        return
    binary = find_vale(ctx.root)
    config = ctx.root / ctx.config.vale_config
    problem = binary.problem
    if binary.path is not None and not config.is_file():
        problem = f"Vale config {ctx.config.vale_config} not found in {ctx.root}"
    if problem:
        yield from _unavailable(problem, ctx)
        return
    try:
        alerts = run_vale(binary.path, config, {path: page.view.text for path, page in pages.items()}, ctx.root)
    except OSError as exc:  # not an executable after all (wrong architecture, permissions)
        yield from _unavailable(f"Vale at {binary.path} could not be run ({exc.strerror or exc})", ctx)
        return
    for path, page_alerts in alerts.items():
        page = pages[path]
        for alert in page_alerts:
            column = page.view.source_column(alert.line, alert.start)
            if alert.check in DROPPED_WHEN_TAGGED and page.is_tagged(alert.line, column):
                continue
            rule_id = f"vale.{alert.check}"
            settings = _settings(ctx.config, rule_id)
            if settings is not None and not settings.enabled:
                continue
            severity = (settings.severity if settings and settings.severity else None) or LEVELS.get(alert.severity, "warning")
            yield Finding(
                rule=rule_id,
                severity=severity,
                path=path,
                line=alert.line,
                column=column,
                end_line=alert.line,
                end_column=page.view.source_column(alert.line, alert.end) + 1,
                message=alert.message,
                excerpt=alert.match,
                data={"link": alert.link} if alert.link else {},
            )


def _unavailable(problem: str, ctx):
    """A missing Vale: one note; in a publish run that requires Vale, also an error."""
    notes = ctx.extra.setdefault("notes", [])
    notes.append(f"{problem}: {INSTALL_HINT} (the vale.* style checks did not run).")
    if ctx.mode == "publish" and ctx.config.vale == "required":
        line = _option_line(ctx.root / CONFIG_FILE)
        yield ctx.at_line(
            RULE,
            CONFIG_FILE,
            line,
            1,
            f"{problem}, and a publish run requires Vale: {INSTALL_HINT}, or set `vale: optional` in the medical-claims plugin block.",
            excerpt=problem,
        )


_VALE_OPTION = re.compile(r"^\s*vale\s*:")
_PLUGIN = re.compile(r"^\s*-?\s*medical-claims\b")


def _option_line(mkdocs: Path) -> int:
    """The line of the `vale:` option in mkdocs.yml, else of the plugin entry, else 1."""
    try:
        lines = mkdocs.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    for pattern in (_VALE_OPTION, _PLUGIN):
        for number, text in enumerate(lines, 1):
            if pattern.match(text):
                return number
    return 1


RULE = Rule(
    id="vale",
    summary="Vale's prose checks with our medical style: hype, absolutes and vague attribution (findings vale.<Style>.<Rule>).",
    check=check,
    severity="warning",  # a missing Vale in preview is a note, never a finding
    publish_severity="error",  # a missing Vale in a publish run that requires it
    scope="corpus",
    collect=collect,
    version="1",
)

# Run against the real binary by tests/test_vale.py (the generic example test
# runs with Vale off, so these are not attached to RULE). note = expected rule.
EXAMPLES = [
    Example("This revolutionary treatment is a game-changer.", True, "vale.Medical.Hype"),
    Example("Ketamine is a miracle for depression.", True, "vale.Medical.Hype"),
    Example("Esketamine received Breakthrough Therapy designation.", False, "vale.Medical.Hype"),
    Example("Studies show that ketamine lifts mood.", True, "vale.Medical.Weasel"),
    Example("Experts agree it is the best option.", True, "vale.Medical.Weasel"),
    Example("Studies show that ketamine lifts mood for a few days [[claim:rapid-effect-trd]].", False, "vale.Medical.Weasel"),
    Example("What do studies show?", False, "vale.Medical.Weasel"),
    Example("Everyone feels drowsy after the first infusion.", True, "vale.Medical.Absolutes"),
    Example("The effect always lasts for weeks.", True, "vale.Medical.Absolutes"),
    Example("Never drive after an infusion.", False, "vale.Medical.Absolutes"),
    Example("Tell the clinic about all your medicines.", False, "vale.Medical.Absolutes"),
    Example("No one can tell you ahead of time how you will respond.", False, "vale.Medical.Absolutes"),
]
