"""The `medical-claims` MkDocs plugin: an adapter between MkDocs and the engine.

It checks nothing itself. Once per build, after MkDocs has listed the files,
it parses every page and runs `linters.engine.check_documents` (page rules and
cross-page rules, the same call as `python -m linters check`), then:

- logs each finding through MkDocs' plugin logger: errors as warnings, so
  `mkdocs build --strict` fails on them; warnings and infos as info lines;
- renders claim tags as citations with a reference list (`linters.markdown_ext`);
- adds an "About this page" box from the front matter (`linters.site.metadata`);
- generates the registry page (`registry.md`) and the rule catalogue (`rules/`);
- in preview only, highlights flagged sentences with the message on hover.

Mode: `mkdocs serve` checks as `preview` (writers), `mkdocs build` and
`mkdocs gh-deploy` as `publish` (the gate). The environment variable
`MEDICAL_CLAIMS_MODE=preview|publish` overrides that, e.g. to build a preview
copy of the site for review: `MEDICAL_CLAIMS_MODE=preview mkdocs build`.

Options are those of `linters.config.Config` (the one config source, shared
with the command line); the typed MkDocs config below is generated from it.
"""

from __future__ import annotations

import os
import types
import typing
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import get_relative_url

from .config import Config, config_from_options
from .engine import Project, Report, check_documents
from .errors import UsageError
from .markdown_ext import ClaimTagExtension
from .model import Document, Finding
from .pages import discover, read_page, relative
from .registry.load import load_registry
from .review import audit as audit_log
from .review.status import classify
from .rules import all_rules
from .site import highlights
from .site.metadata import after_title, metadata_html
from .site.registry_page import registry_markdown
from .site.rules_page import catalogue

log = get_plugin_logger(__name__)

MODE_ENV = "MEDICAL_CLAIMS_MODE"
REGISTRY_PAGE = "registry.md"
ASSETS = ("medical-claims.css", "medical-claims.js")
ASSET_DIR = "assets/medical-claims"
EXTENSION_NAME = "claimtags"


class _Choice(c.Choice):
    """A choice that also reads YAML 1.1 booleans: MkDocs' YAML turns `vale: off` into False,
    while the command line's YAML 1.2 reader keeps "off". Both must mean the same."""

    def run_validation(self, value: object):
        if isinstance(value, bool):
            spellings = ("on", "yes", "true") if value else ("off", "no", "false")
            value = next((s for s in spellings if s in self.choices), value)
        return super().run_validation(value)


def _option(annotation: Any, default: Any) -> c.BaseConfigOption:
    """A MkDocs config option for one field of `Config`. Pydantic validates again when the engine config is built."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return _Choice(typing.get_args(annotation), default=default)
    if origin in (list, tuple):
        (item,) = typing.get_args(annotation)[:1] or (str,)
        return c.ListOfItems(c.Type(item if isinstance(item, type) else object), default=list(default))
    if origin is dict or annotation is dict:
        return c.Type(dict, default=dict(default))
    if origin in (typing.Union, types.UnionType):
        return c.Optional(c.Type(object))
    if annotation is float:
        return c.Type((int, float), default=default)
    if isinstance(annotation, type):
        return c.Type(annotation, default=default)
    return c.Type(object, default=default)


def _config_class() -> type[base.Config]:
    fields = {}
    for name, field in Config.model_fields.items():
        default = field.get_default(call_default_factory=True)
        fields[name] = _option(field.annotation, default)
    return type("Cfg", (base.Config,), {"__doc__": "The plugin's options: the fields of linters.config.Config.", **fields})


Cfg = _config_class()


class MedicalClaimsPlugin(BasePlugin[Cfg]):  # type: ignore[valid-type]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command: str | None = None
        self.project: Project | None = None
        self.extension: ClaimTagExtension | None = None
        self.docs: dict[str, Document] = {}  # page path (relative to the project root) -> parsed page
        self.findings: dict[str, list[Finding]] = {}
        self.placed: dict[str, dict[int, list[Finding]]] = {}
        self.generated: set[str] = set()  # src_uris of the pages this plugin made
        self.today = date.today()

    # -- set-up ------------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command

    @property
    def mode(self) -> str:
        forced = os.environ.get(MODE_ENV, "").strip()
        if forced:
            if forced not in ("preview", "publish"):
                raise PluginError(f"{MODE_ENV}={forced!r}: use preview or publish")
            return forced
        return "preview" if self.command == "serve" else "publish"

    @property
    def highlighting(self) -> bool:
        return self.mode == "preview" and bool(self.project and self.project.config.highlight_in_preview)

    def on_config(self, config):
        root = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
        options = {name: self.config[name] for name in Config.model_fields}
        try:
            engine_config = config_from_options(options, root / "mkdocs.yml")
            registry = load_registry(root, engine_config.claims_dir)
        except UsageError as exc:
            raise PluginError(str(exc)) from None
        docs_dir = relative(root, Path(config.docs_dir))
        self.project = Project(root=root, config=engine_config, registry=registry, mkdocs={"docs_dir": docs_dir})
        # one extension instance, holding the registry; replace a `claimtags` listed by name in mkdocs.yml
        config.markdown_extensions[:] = [e for e in config.markdown_extensions if e != EXTENSION_NAME and not isinstance(e, ClaimTagExtension)]
        (config.mdx_configs or {}).pop(EXTENSION_NAME, None)
        self.extension = ClaimTagExtension(registry=registry, registry_page=REGISTRY_PAGE)
        config.markdown_extensions.append(self.extension)
        for name in ASSETS:
            url = f"{ASSET_DIR}/{name}"
            target = config.extra_css if name.endswith(".css") else config.extra_javascript
            if url not in [str(x) for x in target]:
                target.append(url)
        return config

    def on_serve(self, server, *, config, builder):
        # a reviewer's approval or a new source changes every page that cites the claim
        assert self.project is not None
        for path in (self.project.root / self.project.config.claims_dir, self.project.root / self.project.config.vale_config):
            if path.exists():
                server.watch(str(path))
        return server

    # -- once per build: check every page, generate the registry and the catalogue

    def on_files(self, files: Files, *, config) -> Files:
        project = self.project
        assert project is not None
        self.today = date.today()
        pages = [f for f in files.documentation_pages() if f.abs_src_path and not f.generated_by]
        by_path = {relative(project.root, Path(f.abs_src_path)): f for f in pages}
        try:
            paths = discover([Path(f.abs_src_path) for f in pages], project.root, project.config.exclude)
            docs = [read_page(p, project.root) for p in paths]
            report = check_documents(docs, project, mode=self.mode, today=self.today)
        except UsageError as exc:
            raise PluginError(str(exc)) from None
        self._log(report)
        self.docs = {d.path: d for d in docs}
        self.findings = {}
        for finding in report.findings:
            self.findings.setdefault(finding.path, []).append(finding)
        self.placed = {path: highlights.place(doc, self.findings.get(path, [])) for path, doc in self.docs.items()} if self.highlighting else {}
        self.generated = set()
        self._generate_catalogue(files, config)
        self._generate_registry(files, config, docs, by_path, report)
        self._add_assets(files, config)
        return files

    def _log(self, report: Report) -> None:
        for finding in report.findings:
            text = f"{finding.path}:{finding.line}:{finding.column}: {finding.rule}: {finding.message}"
            if finding.severity == "error":
                log.warning(text)
            elif finding.severity == "warning":
                log.info(text)
            else:
                log.debug(text)
        for note in report.notes:
            log.info(note)
        counts = {sev: sum(1 for f in report.findings if f.severity == sev) for sev in ("error", "warning", "info")}
        log.info(
            f"{self.mode} check of {len(report.documents)} page{'s' if len(report.documents) != 1 else ''}: {counts['error']} errors, {counts['warning']} warnings, "
            f"{counts['info']} infos, {len(report.suppressed)} suppressed"
            + (" (errors fail `mkdocs build --strict`)" if counts["error"] else "")
        )

    def _put(
        self, files: Files, config, src_uri: str, content: str | None = None, abs_src_path: str | None = None, inclusion: InclusionLevel = InclusionLevel.UNDEFINED
    ) -> File:
        existing = files.get_file_from_path(src_uri)
        if existing is not None and not existing.generated_by:
            raise PluginError(f"{config.docs_dir}/{src_uri}: this name is reserved for the page the medical-claims plugin generates; rename the file")
        if existing is not None:
            files.remove(existing)
        if content is not None:
            made = File.generated(config, src_uri, content=content, inclusion=inclusion)
        else:
            made = File.generated(config, src_uri, abs_src_path=abs_src_path, inclusion=inclusion)
        files.append(made)
        self.generated.add(src_uri)
        return made

    def _generate_catalogue(self, files: Files, config) -> None:
        assert self.project is not None
        for src_uri, text in catalogue(all_rules(), self.project.root, self.project.config.vale_config).items():
            # the index belongs in the nav; the rule pages are reached from it and from report links
            inclusion = InclusionLevel.UNDEFINED if src_uri == "rules/index.md" else InclusionLevel.NOT_IN_NAV
            self._put(files, config, src_uri, content=text, inclusion=inclusion)

    def _generate_registry(self, files: Files, config, docs: list[Document], by_path: dict[str, File], report: Report) -> None:
        project = self.project
        assert project is not None
        registry_url = File.generated(config, REGISTRY_PAGE, content="").url
        titles = {d.path: _title(d) for d in docs}

        def page_link(path: str):
            file = by_path.get(path)
            if file is None:
                return None
            return get_relative_url(file.url, registry_url), titles.get(path, file.src_uri)

        audit = audit_log.read(project.root / project.config.claims_dir, project.config.claims_dir)
        for problem in audit.problems:
            log.info(problem)
        states = classify(project.registry, docs, self.today, project.config.expiring_days, audit)
        problems = [f for f in report.findings if f.rule == "invalid-registry"]
        text = registry_markdown(states, project.registry, audit, page_link, self.today, project.config.claims_dir, problems)
        self._put(files, config, REGISTRY_PAGE, content=text)

    def _add_assets(self, files: Files, config) -> None:
        folder = resources.files("linters") / "assets"
        for name in ASSETS:
            with resources.as_file(folder / name) as path:
                self._put(files, config, f"{ASSET_DIR}/{name}", abs_src_path=str(path))

    # -- each page -----------------------------------------------------------

    def _doc_for(self, page) -> Document | None:
        if self.project is None or not page.file.abs_src_path or page.file.src_uri in self.generated:
            return None
        return self.docs.get(relative(self.project.root, Path(page.file.abs_src_path)))

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        if self.extension is not None:
            self.extension.page_uri = page.file.src_uri
        doc = self._doc_for(page)
        placed = self.placed.get(doc.path) if doc is not None else None
        if not placed:
            return markdown
        if not doc.source.endswith(markdown):
            log.debug(f"{doc.path}: another plugin changed the Markdown; no highlights on this page")
            return markdown
        return highlights.insert_markers(markdown, len(doc.source) - len(markdown), doc, placed)

    def on_page_content(self, html: str, *, page, config, files) -> str:
        if page.file.src_uri in self.generated:
            return html
        block = metadata_html(page.meta or {})
        doc = self._doc_for(page)
        if self.highlighting and doc is not None:
            placed = self.placed.get(doc.path, {})
            html = highlights.render_marks(html, placed)
            block = highlights.summary_html(doc, self.findings.get(doc.path, []), placed) + block
        return after_title(html, block)

    def on_post_page(self, output: str, *, page, config) -> str:
        # markers in a flagged heading also reach the table of contents and the <title>
        return highlights.strip_markers(output) if self.highlighting else output


def _title(doc: Document) -> str:
    title = doc.front_matter.get("title") if isinstance(doc.front_matter, dict) else None
    if isinstance(title, str) and title.strip():
        return title.strip()
    for sentence in doc.sentences:
        if sentence.is_heading:
            return sentence.text
    return doc.path
