"""The one engine: load → parse → check → suppress → report. The CLI and the MkDocs plugin call it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from .config import Config, find_root, load_config
from .context import Context
from .errors import UsageError
from .model import SEVERITY_ORDER, Document, Finding
from .pages import discover, read_page
from .registry.load import Registry, load_registry
from .rules import Rule, all_rules


@dataclass
class Suppressed:
    finding: Finding
    reason: str
    line: int  # where the suppression comment is


@dataclass
class Report:
    root: Path
    mode: str
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one-line remarks for people (e.g. Vale not installed)

    @property
    def pages(self) -> list[dict[str, Any]]:
        return [{"path": d.path, "metrics": d.metrics.get("reading", {})} for d in self.documents]

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity == "error" for f in self.findings) else 0

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for f in self.findings:
            out.setdefault(f.rule, {}).setdefault(f.severity, 0)
            out[f.rule][f.severity] += 1
        return out


@dataclass
class Project:
    """Where a run happens: its root folder, config and registry."""

    root: Path
    config: Config
    registry: Registry
    mkdocs: dict = field(default_factory=dict)

    @property
    def docs_dir(self) -> Path:
        return self.root / str(self.mkdocs.get("docs_dir", "docs"))


def open_project(paths: list[Path] | None = None, root: Path | None = None) -> Project:
    paths = paths or []
    if root is None:
        root = find_root(paths[0] if paths else Path.cwd())
    if root is None:
        cwd = Path.cwd().resolve()
        first = paths[0].resolve() if paths else cwd
        if first == cwd or cwd in first.parents:
            root = cwd
        else:
            root = first if first.is_dir() else first.parent
    config, mkdocs = load_config(root)
    registry = load_registry(root, config.claims_dir)
    return Project(root=root, config=config, registry=registry, mkdocs=mkdocs)


def enabled_rules(config: Config, only: Iterable[str] | None = None) -> list[Rule]:
    rules = []
    known = all_rules()
    for rule_id in config.rules:
        if rule_id not in known and not rule_id.startswith("vale."):
            raise UsageError(f"mkdocs.yml: unknown rule `{rule_id}` in the `rules` option")
    for rule in known.values():
        settings = config.rules.get(rule.id)
        if settings is not None and not settings.enabled:
            continue
        if only is not None and rule.id not in only:
            continue
        rules.append(rule)
    return rules


def check_documents(
    docs: list[Document],
    project: Project,
    mode: str = "preview",
    today: date | None = None,
    rules: list[Rule] | None = None,
    page_filter: set[str] | None = None,
) -> Report:
    """Run every enabled rule over parsed documents.

    `page_filter` (paths): page rules run only on those pages; corpus rules still read every page.
    """
    if mode not in ("preview", "publish"):
        raise UsageError(f"unknown mode {mode!r}: use preview or publish")
    ctx = Context(registry=project.registry, config=project.config, mode=mode, today=today or date.today(), root=project.root)
    rules = enabled_rules(project.config) if rules is None else rules
    report = Report(root=project.root, mode=mode, documents=docs)
    raw: list[Finding] = list(project.registry.problems)
    for doc in docs:
        raw.extend(doc.problems)
        for rule in rules:
            if rule.scope == "page" and (page_filter is None or doc.path in page_filter):
                raw.extend(rule.check(doc, ctx))
    for rule in rules:
        if rule.scope == "corpus":
            collected = {doc.path: (rule.collect(doc, ctx) if rule.collect else doc) for doc in docs}
            raw.extend(rule.check(collected, ctx))
    report.notes.extend(ctx.extra.get("notes", []))
    by_path = {doc.path: doc for doc in docs}
    for finding in raw:
        sup = _suppression_for(by_path.get(finding.path), finding)
        if sup is not None:
            sup.used = True
            report.suppressed.append(Suppressed(finding=finding, reason=sup.reason, line=sup.line))
        else:
            report.findings.append(finding)
    report.findings.sort(key=lambda f: (f.sort_key(), SEVERITY_ORDER[f.severity]))
    return report


def _suppression_for(doc: Document | None, finding: Finding):
    if doc is None or finding.rule in ("invalid-suppression", "invalid-page"):
        return None
    for sup in doc.suppressions:
        if sup.applies_from <= finding.line <= sup.applies_to and any(
            finding.rule == r or finding.rule.startswith(r + ".") for r in sup.rules
        ):
            return sup
    return None


def check_paths(
    paths: list[Path], mode: str = "preview", today: date | None = None, project: Project | None = None, page_filter: set[str] | None = None
) -> Report:
    """The whole run for the command line: find pages, parse each once, check."""
    project = project or open_project(paths)
    if not paths:
        paths = [project.docs_dir]
    files = discover(paths, project.root, project.config.exclude)
    docs = [read_page(p, project.root) for p in files]
    return check_documents(docs, project, mode=mode, today=today, page_filter=page_filter)
