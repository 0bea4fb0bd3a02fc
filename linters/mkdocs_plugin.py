"""The `medical-claims` MkDocs plugin: an adapter between MkDocs and the engine.

It checks nothing itself. Once per build, after MkDocs has listed the files,
it parses every page and runs the engine's page and cross-page rules (the same
calls as `python -m linters check`: `check_sources`, then `finish`), then:

- logs each finding through MkDocs' plugin logger: errors as warnings, so
  `mkdocs build --strict` fails on them; warnings and infos as info lines (a
  `serve` rebuild logs only the pages whose findings changed, and counts the rest);
- renders claim tags as citations with a reference list (`linters.markdown_ext`);
- adds an "About this page" box from the front matter (`linters.site.metadata`);
- generates the registry page (`registry.md`) and the rule catalogue (`rules/`);
- in preview only, highlights flagged sentences with the message on hover.

Mode: `mkdocs serve` checks as `preview` (writers), `mkdocs build` and
`mkdocs gh-deploy` as `publish` (the gate). The environment variable
`MEDICAL_CLAIMS_MODE=preview|publish` overrides that, e.g. to build a preview
copy of the site for review: `MEDICAL_CLAIMS_MODE=preview mkdocs build`.

Speed: a publish build's pages show no findings, so `mkdocs build` checks in a
child process (`linters.background`) while MkDocs renders the pages on its own
core; the registry page waits for the parsed pages, and the findings are logged
at the end of the build. In `mkdocs serve` a rebuild re-parses and re-checks only the pages whose
bytes changed (the cross-page rules run again only when what they collect
from a page changed), and each page hook gives an unchanged page what it gave it last time
(its inputs compared, never assumed); large sites are checked by worker
processes; with the `cache` option results are shared with the command line
through `.linters-cache/`.

Options are those of `linters.config.Config` (the one config source, shared
with the command line); the typed MkDocs config below is generated from it.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
import time
import types
import typing
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import get_relative_url

from . import prepared
from .background import Background, BackgroundError, can_fork
from .cache import MemoryCache, ResultCache, files_key
from .config import Config, config_from_options
from .assembly import by_path, sort_findings
from .engine import Project, Report, check_sources, enabled_rules, finish, gc_paused, make_context, project_registry, registry_files
from .errors import UsageError
from .markdown_ext import REFERENCE_LIST_TAG, REFERENCES_SECTION_TAG, ClaimTagExtension
from .model import SEVERITY_ORDER, Document, Finding
from .pages import discover, parse_bytes, read_source, relative
from .registry.load import Registry
from .review import audit as audit_log
from .review.status import classify
from .rules import all_rules
from .site import highlights
from .site.metadata import after_title, box_key, metadata_html
from .site.registry_page import RegistryPage, registry_page
from .site.rules_page import catalogue

log = get_plugin_logger(__name__)

MODE_ENV = "MEDICAL_CLAIMS_MODE"
REGISTRY_PAGE = "registry.md"
ASSETS = ("medical-claims.css", "medical-claims.js")
ASSET_DIR = "assets/medical-claims"
EXTENSION_NAME = "claimtags"
# Where each of a page's citations and its reference list wait while the search plugin indexes the page (`_set_aside`).
ASIDE_SLOT = '<span data-medical-claims="aside"></span>'
# A citation as the extension renders it: its title attributes are escaped, and it holds no <sup>.
CITATION = re.compile(r'<sup class="claim-cite"[^>]*>.*?</sup>', re.S)


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
        # MkDocs keeps this instance across `serve` rebuilds: what did not change is not read or checked again.
        self._results = MemoryCache()  # page results and cross-page findings, in front of the disk cache
        self._tallies: dict[str, tuple[list[Finding], tuple[int, int, int]]] = {}  # path -> (its findings, how many errors, warnings, infos)
        self.stats: dict[str, int] = {}  # the last build's: pages, parsed (checked again), cached
        self._parsed: dict[str, tuple[bytes, Document]] = {}  # path -> (its bytes, the page parsed from them)
        self._registry: tuple[str, Registry] | None = None  # (key of the registry files, the registry read from them)
        self._disk: tuple[tuple[Path, int, int], ResultCache] | None = None  # ((folder, day, thread), the disk cache): open through a `serve` session
        self._paths: dict[str, Path] = {}  # a page's abs_src_path -> it as a Path
        self._discovered: tuple[tuple, list[Path]] | None = None  # (the pages MkDocs listed, root, exclude; the pages to check of them)
        self._rels: dict[tuple[Path, str], str] = {}  # (project root, a page's path) -> its path relative to the root
        # MkDocs renders every page again on each rebuild. Each hook keeps what it made of a page with what
        # it made it from, and gives the same answer while those inputs are the same (compared, never assumed).
        self._markdown_memo: dict[str, tuple] = {}  # path -> (page, Markdown in, sentences marked, Markdown out)
        self._content_memo: dict[str, _Rendered] = {}  # src_uri -> what on_page_content read and returned
        self._placed_memo: dict[str, tuple] = {}  # path -> (page, its findings, highlights.place's answer)
        self._catalogue: tuple[str, dict[str, str]] | None = None  # (key of the Vale style files, the catalogue pages)
        self._registry_page: tuple[tuple, RegistryPage] | None = None  # (what the registry page was made from, the page)
        self._registry_blocks = False  # this build's registry page went to Markdown with its blocks as placeholders
        self._citations_memo: dict[str, tuple[Document, tuple]] = {}  # path -> (page, what the registry page shows of it)
        self._page_links: dict[tuple[str, str], str] = {}  # (URL, from URL) -> get_relative_url of the two: pages and the registry page, both ways
        self._registry_url: str | None = None  # the registry page's URL
        # this build's
        self._highlight = False  # preview highlights on: read once per build (the mode reads the environment)
        self._doc_by_uri: dict[str, tuple[str, Document | None]] = {}  # a page's src_uri -> (its abs_src_path, its parsed page)
        self._marked_pages: set[str] = set()  # src_uris whose content or contents list may hold highlight markers
        self._marked_titles = False  # a page title holds a marker: every page's navigation shows it
        self._aside: dict[str, list[str]] = {}  # src_uri -> its citations and reference list, out of the page while search indexes it
        self._aside_memo: dict[str, tuple[str, str | None, list[str], str, str]] = {}  # src_uri -> (page HTML, its list, what was set aside, the HTML without it, its findings' list)
        self._background: Background | None = None  # a publish build's check, running beside MkDocs (`_check_in_background`)
        self._staged: list = []  # what it sent so far: the registry page, then the report
        self._dirty = False  # `mkdocs serve --dirty`: MkDocs renders only the pages whose source is newer than their output
        self._generated_dir: Path | None = None  # there, the generated pages' sources (`_generated_source`)
        self._written: dict[str, tuple] = {}  # src_uri -> (the text last written there, its blocks)

    # -- set-up ------------------------------------------------------------

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command
        self._dirty = dirty

    @property
    def mode(self) -> str:
        forced = os.environ.get(MODE_ENV, "").strip()
        if forced:
            if forced not in ("preview", "publish"):
                raise PluginError(f"{MODE_ENV}={forced!r}: use preview or publish")
            return forced
        return "preview" if self.command == "serve" else "publish"

    @property
    def _rebuilds(self) -> bool:
        """`mkdocs serve`: this instance builds the site again and again."""
        return self.command == "serve"

    @property
    def highlighting(self) -> bool:
        return self.mode == "preview" and bool(self.project and self.project.config.highlight_in_preview)

    def on_config(self, config):
        root = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
        options = {name: self.config[name] for name in Config.model_fields}
        try:
            engine_config = config_from_options(options, root / "mkdocs.yml")
            key = f"{root}:{engine_config.claims_dir}:{files_key(registry_files(root, engine_config))}"
            # with the cache on, prepared rule data and the read registry are kept where the command line keeps them
            prepared.use_folder(root / engine_config.cache_dir if engine_config.cache else None)
            if self._registry is not None and self._registry[0] == key:
                registry = self._registry[1]  # unchanged since the last rebuild
            else:
                registry = project_registry(root, engine_config, engine_config.cache)
                self._registry = (key, registry)
        except UsageError as exc:
            raise PluginError(str(exc)) from None
        docs_dir = relative(root, Path(config.docs_dir))
        self.project = Project(root=root, config=engine_config, registry=registry, mkdocs={"docs_dir": docs_dir})
        # one extension instance, holding the registry; replace a `claimtags` listed by name in mkdocs.yml
        config.markdown_extensions[:] = [e for e in config.markdown_extensions if e != EXTENSION_NAME and not isinstance(e, ClaimTagExtension)]
        (config.mdx_configs or {}).pop(EXTENSION_NAME, None)
        if self.extension is None or self.extension.registry() is not registry:  # kept while the registry is: it keeps formatted citations
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
        # MkDocs' own objects make a large heap: with the cyclic collector on, its rescans
        # while the pages' results are put together cost more than the work itself.
        with gc_paused():
            return self._on_files(files, config)

    def _on_files(self, files: Files, config) -> Files:
        project = self.project
        assert project is not None
        self.today = date.today()
        self._highlight = self.highlighting
        self._marked_pages, self._marked_titles, self._registry_blocks = set(), False, False
        self._aside.clear()
        self._close_background()
        pages = [f for f in files.documentation_pages() if f.abs_src_path and not f.generated_by]
        try:
            self._paths = {f.abs_src_path: self._paths.get(f.abs_src_path) or Path(f.abs_src_path) for f in pages}
            page_paths = [self._paths[f.abs_src_path] for f in pages]
            listed = (page_paths, project.root, project.config.exclude)
            if self._discovered is None or self._discovered[0] != listed:  # MkDocs lists the same pages on most rebuilds
                self._discovered = (listed, discover(page_paths, project.root, project.config.exclude))
            paths = self._discovered[1]
        except UsageError as exc:
            raise PluginError(str(exc)) from None
        # each checked page's File, by the path the engine gives it (working it out again is slow on a large site)
        file_of = {str(path): f for path, f in zip(page_paths, pages)}
        # each page's path relative to the project root, worked out once per page: MkDocs lists every page on every rebuild
        known, self._rels, rels = self._rels, {}, []
        for path in paths:
            key = (project.root, os.fspath(path))
            rels.append(known.get(key) or relative(project.root, path))
            self._rels[key] = rels[-1]
        by_path = {rel: file_of[str(path)] for path, rel in zip(paths, rels) if str(path) in file_of}
        self._registry_url = File.generated(config, REGISTRY_PAGE, content="").url
        self.generated = set()
        self._generate_catalogue(files, config)
        if self._in_background():
            self._check_in_background(paths, rels, by_path)
            self._doc_by_uri = {f.src_uri: (f.abs_src_path, None) for f in by_path.values()}  # pages need no parsed page here
            self._put(files, config, REGISTRY_PAGE, content="")  # its Markdown comes from the check: `on_page_read_source`
        else:
            try:
                docs, report = self._check(paths, rels)
            except UsageError as exc:
                raise PluginError(str(exc)) from None
            self._take_report(report, len(docs), self._results.assembly.by_path)
            self.docs = {d.path: d for d in docs}
            self._doc_by_uri = {f.src_uri: (f.abs_src_path, self.docs.get(rel)) for rel, f in by_path.items()}
            self.placed = {path: self._place(doc, self.findings.get(path, [])) for path, doc in self.docs.items()} if self._highlight else {}
            self._placed_memo = {path: kept for path, kept in self._placed_memo.items() if path in self.docs}
            self._markdown_memo = {path: kept for path, kept in self._markdown_memo.items() if path in self.placed}
            self._citations_memo = {path: kept for path, kept in self._citations_memo.items() if path in self.docs}
            made, notes = self._made_registry(docs, by_path)
            self._log_notes(notes)
            self._put(files, config, REGISTRY_PAGE, content=made.markdown, blocks=made.blocks)
        self._add_assets(files, config)
        current = {f.src_uri for f in pages} | self.generated
        self._content_memo = {uri: kept for uri, kept in self._content_memo.items() if uri in current}
        self._aside_memo = {uri: kept for uri, kept in self._aside_memo.items() if uri in current}
        return files

    def _take_report(self, report: Report, pages: int, by_page: dict[str, list[Finding]] | None = None) -> None:
        """The check's findings, by page (`by_page`: as the assembly put them together), and logged."""
        before = self.findings
        self.findings = self._by_page(report.findings, by_page)
        # a rebuild repeats no page's findings that were logged before and did not change
        unchanged = {path for path, found in self.findings.items() if before.get(path) is found} if self._rebuilds else set()
        self._log(report, unchanged, pages)

    # -- a publish build: the check runs in a child process while MkDocs renders the pages

    def _in_background(self) -> bool:
        """A one-shot build whose pages show no findings: nothing MkDocs renders waits for the check but the registry page.

        MkDocs renders on one core, and more slowly per page than the check runs, so the
        check (one process: the child may not start workers) ends before MkDocs needs its findings.
        """
        return not self._rebuilds and not self._highlight and can_fork()

    def _check_in_background(self, paths: list[Path], rels: list[str], by_path: dict[str, File]) -> None:
        assert self.project is not None
        root = self.project.root

        def work():
            # first what the registry page needs, the parsed pages; the rules' findings are needed only at the end of the build
            sources = [read_source(path, root, rel) for path, rel in zip(paths, rels)]
            self._parsed = {rel: (data, parse_bytes(rel, data)) for rel, data in sources if isinstance(data, bytes)}
            yield self._made_registry([self._parsed[rel][1] if isinstance(data, bytes) else data for rel, data in sources], by_path)
            docs, report = self._check(paths, rels, jobs=1, sources=sources)  # the bytes the registry page was made from
            yield replace(report, documents=[]), len(docs), self.stats

        self._staged = []
        self._background = Background(work)
        log.debug(f"checking {len(paths)} pages in a child process while MkDocs renders them")

    def _from_background(self, stage: int):
        """The check's `stage`th result (0: the registry page, 1: the report), waited for."""
        assert self._background is not None
        try:
            while len(self._staged) <= stage:
                self._staged.append(self._background.next())
                if len(self._staged) == 1:  # the registry page: what the audit log said is said once
                    made, notes = self._staged[0]
                    self._registry_page = (None, made)
                    self._log_notes(notes)
        except BackgroundError as exc:
            self._close_background()
            raise PluginError(str(exc) if exc.usage else f"the medical-claims check failed: {exc}") from None
        return self._staged[stage]

    def on_page_read_source(self, *, page, config) -> str | None:
        if self._background is None or page.file.src_uri != REGISTRY_PAGE or REGISTRY_PAGE not in self.generated:
            return None
        made, _notes = self._from_background(0)
        page.file.content_string = made.markdown  # for any plugin that reads the file after this
        return made.markdown

    def on_post_build(self, *, config) -> None:
        if self._background is None:
            return
        report, pages, self.stats = self._from_background(1)
        self._close_background()
        self._take_report(report, pages)  # before MkDocs counts the warnings: `--strict` fails on the errors

    def on_build_error(self, *, error: Exception) -> None:
        self._close_background()

    def _close_background(self) -> None:
        if self._background is not None:
            self._background.close()
            self._background = None

    def _check(
        self, paths: list[Path], rels: list[str], jobs: int | None = None, sources: list[tuple[str, bytes | Document]] | None = None
    ) -> tuple[list[Document], Report]:
        """Every page parsed and checked (`rels`: their page paths; `sources`: their bytes, when already read), the same engine calls as the command line's.

        Pages whose bytes did not change since the last rebuild are neither parsed nor
        checked again; the cross-page rules run again only when a page changed. With the
        `cache` option, results also come from the disk cache the command line fills.
        """
        project = self.project
        assert project is not None
        ctx = make_context(project, self.mode, self.today)
        rules = enabled_rules(project.config)
        if sources is None:
            kept = self._results.pages if self._rebuilds else None  # `serve`: an unchanged file is not read again
            sources = [read_source(path, project.root, rel, kept) for path, rel in zip(paths, rels)]
        documents: dict[str, Document] = {}
        for rel, data in sources:
            kept = self._parsed.get(rel)
            if kept is not None and kept[0] == data:
                documents[rel] = kept[1]
        self._results.backing = self._disk_cache()
        try:
            results, corpus_key, self.stats = check_sources(sources, project, rules, ctx, store=self._results, jobs=jobs, documents=documents)
            docs = [documents[rel] for rel in results]
            report = finish(
                list(results.values()), project, ctx, rules, documents=docs, docs=docs, store=self._results, corpus_key=corpus_key, assembly=self._results.assembly
            )
        finally:
            if self._rebuilds:  # the memory cache forgets what this build did not use; the disk cache stays open
                self._results.backing = None
            self._results.close()
        self._parsed = {rel: (data, documents[rel]) for rel, data in sources if isinstance(data, bytes)}
        return docs, report

    def _by_page(self, findings: list[Finding], by_page: dict[str, list[Finding]] | None = None) -> dict[str, list[Finding]]:
        """Each page's findings (`by_page`, when already grouped), as last build's list where they are all equal to it.

        A page's own findings come from the result cache as the same objects, but cross-page
        findings are made again whenever a page changed. Keeping the old equal ones lets every
        later comparison with what the last build rendered stop at `is`.
        """
        if by_page is None:
            by_page = by_path(findings)
        pages: dict[str, list[Finding]] = {}
        for path, found in by_page.items():
            old = self.findings.get(path)
            pages[path] = old if old is not None and (old is found or old == found) else found
        return pages

    def _disk_cache(self) -> ResultCache | None:
        """The disk cache (the `cache` option); in `serve`, one for the whole session, closed at its end.

        Opening it and pruning old runs from it on every rebuild took longer than the
        rest of a one-page rebuild's check. Another folder, option, day or thread opens it again.
        """
        project = self.project
        assert project is not None
        wanted = (project.root / project.config.cache_dir, int(time.time() // 86400), threading.get_ident()) if project.config.cache else None
        if self._disk is not None and self._disk[0] != wanted:
            self._drop_disk()
        if wanted is None:
            return None
        if not self._rebuilds:
            return ResultCache(wanted[0])  # closed with the memory cache at the end of the build
        if self._disk is None:
            self._disk = (wanted, ResultCache(wanted[0]))
        return self._disk[1]

    def on_shutdown(self) -> None:
        self._close_background()
        if self._generated_dir is not None:
            shutil.rmtree(self._generated_dir, ignore_errors=True)
            self._generated_dir, self._written = None, {}
        if self._disk is not None:
            self._drop_disk()

    def _drop_disk(self) -> None:
        assert self._disk is not None
        if self._disk[0][2] == threading.get_ident():  # SQLite refuses a connection from another thread
            self._disk[1].close()
        self._disk = None

    def _place(self, doc: Document, findings: list[Finding]) -> dict[int, list[Finding]]:
        """`highlights.place`, reused for a page that was not parsed again and whose findings are the same."""
        kept = self._placed_memo.get(doc.path)
        if kept is not None and kept[0] is doc and kept[1] is findings:
            return kept[2]
        placed = highlights.place(doc, findings)
        self._placed_memo[doc.path] = (doc, findings, placed)
        return placed

    def _log(self, report: Report, unchanged: set[str], pages: int) -> None:
        """A line per finding, except on `unchanged` pages (a `serve` rebuild: logged when they last changed).

        Lines are formatted only for the levels the logger shows: a large site has tens of
        thousands. The unchanged pages' errors still make one warning, so `--strict` fails
        on a rebuild exactly when it fails on a fresh build.
        """
        levels = {"error": logging.WARNING, "warning": logging.INFO}
        shown = {level: log.isEnabledFor(level) for level in (logging.WARNING, logging.INFO, logging.DEBUG)}
        counts = [0, 0, 0]  # errors, warnings, infos
        quiet = [0, 0, 0]
        tallies: dict[str, tuple[list[Finding], tuple[int, int, int]]] = {}
        for path, found in self.findings.items():  # in report order: the report's findings are sorted by page first
            tallied = self._tallies.get(path)
            if tallied is None or tallied[0] is not found:
                tallied = (found, _tally(found))
            tallies[path] = tallied
            logged = path in unchanged  # when its findings last changed
            for i, n in enumerate(tallied[1]):
                counts[i] += n
                quiet[i] += n if logged else 0
            if logged:
                continue
            for finding in found:
                level = levels.get(finding.severity, logging.DEBUG)
                if shown[level]:
                    log.log(level, f"{finding.path}:{finding.line}:{finding.column}: {finding.rule}: {finding.message}")
        self._tallies = tallies
        if any(quiet):
            log.log(
                logging.WARNING if quiet[0] else logging.INFO,
                f"not repeated: {quiet[0]} errors, {quiet[1]} warnings and {quiet[2]} infos on pages whose findings did not change since they were last logged",
            )
        for note in report.notes:
            log.info(note)
        log.info(
            f"{self.mode} check of {pages} page{'s' if pages != 1 else ''}: {counts[0]} errors, {counts[1]} warnings, "
            f"{counts[2]} infos, {len(report.suppressed)} suppressed"
            + (" (errors fail `mkdocs build --strict`)" if counts[0] else "")
        )

    def _put(
        self,
        files: Files,
        config,
        src_uri: str,
        content: str | None = None,
        abs_src_path: str | None = None,
        inclusion: InclusionLevel = InclusionLevel.UNDEFINED,
        blocks: dict[str, str] | None = None,
    ) -> File:
        """`blocks`: what the page's placeholders stand for (`RegistryPage`): the page changes when they do."""
        existing = files.get_file_from_path(src_uri)
        if existing is not None and not existing.generated_by:
            raise PluginError(f"{config.docs_dir}/{src_uri}: this name is reserved for the page the medical-claims plugin generates; rename the file")
        if existing is not None:
            files.remove(existing)
        if content is not None and self._dirty and self._rebuilds and "\r" not in content:
            content, abs_src_path = None, self._generated_source(src_uri, content, blocks)
        if content is not None:
            made = File.generated(config, src_uri, content=content, inclusion=inclusion)
        else:
            made = File.generated(config, src_uri, abs_src_path=abs_src_path, inclusion=inclusion)
        files.append(made)
        self.generated.add(src_uri)
        return made

    def _generated_source(self, src_uri: str, content: str, blocks: dict[str, str] | None = None) -> str:
        """A generated page's source as a file, written only when its text changes.

        A page given as text is always "modified" to MkDocs, so `serve --dirty` rendered the registry page and
        every rule page again on each rebuild, which took longer than the edited page and the check together.
        As a file that keeps its time while its text is the same, a page is rendered again only when it changed.
        (Text with a carriage return stays text: reading it back from a file would make it a line break.)
        A page with `blocks` is written again, the same text with a new time, when they change.
        """
        if self._generated_dir is None:
            self._generated_dir = Path(tempfile.mkdtemp(prefix="medical-claims-pages-"))
        path = self._generated_dir / src_uri
        made_from = (content, blocks)
        if self._written.get(src_uri) != made_from:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8"))
            self._written[src_uri] = made_from
        return str(path)

    def _generate_catalogue(self, files: Files, config) -> None:
        assert self.project is not None
        key = _vale_style_key(self.project.root, self.project.config.vale_config)
        if self._catalogue is None or self._catalogue[0] != key:  # the rules do not change while MkDocs runs; the Vale style may
            self._catalogue = (key, catalogue(all_rules(), self.project.root, self.project.config.vale_config))
        for src_uri, text in self._catalogue[1].items():
            # the index belongs in the nav; the rule pages are reached from it and from report links
            inclusion = InclusionLevel.UNDEFINED if src_uri == "rules/index.md" else InclusionLevel.NOT_IN_NAV
            self._put(files, config, src_uri, content=text, inclusion=inclusion)

    def _made_registry(self, docs: list[Document], by_path: dict[str, File]) -> tuple[RegistryPage, list[str]]:
        """The registry page, and what the audit log's reading found wrong (to be logged)."""
        project = self.project
        assert project is not None and self._registry_url is not None
        registry_url = self._registry_url
        titles = {d.path: self._citations(d)[1] for d in docs}
        links = self._page_links  # URLs change only when pages come and go: kept across rebuilds
        if len(links) > 4 * len(by_path) + 100:
            links.clear()

        def page_link(path: str):
            file = by_path.get(path)
            if file is None:
                return None
            url = file.url
            link = links.get((url, registry_url))
            if link is None:
                link = links[(url, registry_url)] = get_relative_url(url, registry_url)
            return link, titles.get(path, file.src_uri)

        audit = audit_log.read(project.root / project.config.claims_dir, project.config.claims_dir)
        problems = sort_findings(project.registry.problems)  # the report's invalid-registry findings: a claims file holds no suppression
        # What the page is made of: the registry, the audit log, the date, each page's title, link and citations.
        key = (
            self._registry[0] if self._registry else None,
            id(project.registry),
            repr(audit),
            self.today,
            project.config.expiring_days,
            project.config.claims_dir,
            [f.to_dict() for f in problems],
            [(self._citations(d), page_link(d.path)) for d in docs],
        )
        if self._registry_page is not None and self._registry_page[0] == key:
            made = self._registry_page[1]  # a rebuild that changed no citation, title or claim
        else:
            states = classify(project.registry, docs, self.today, project.config.expiring_days, audit)
            made = registry_page(states, project.registry, audit, page_link, self.today, project.config.claims_dir, problems)
            self._registry_page = (key, made)
        return made, list(audit.problems)

    def _log_notes(self, notes: list[str]) -> None:
        for note in notes:
            log.info(note)

    def _citations(self, doc: Document) -> tuple:
        """What the registry page shows of a page: its title, and each claim tag with its place and sentence."""
        kept = self._citations_memo.get(doc.path)
        if kept is not None and kept[0] is doc:
            return kept[1]
        tagged = tuple((s.index, s.text) for s in doc.sentences if s.tags)
        found = (doc.path, _title(doc), tuple((tag.ids, tag.line, tag.column, tag.offset, doc.line_text(tag.line)) for tag in doc.tags), tagged)
        self._citations_memo[doc.path] = (doc, found)
        return found

    def _add_assets(self, files: Files, config) -> None:
        folder = resources.files("linters") / "assets"
        for name in ASSETS:
            with resources.as_file(folder / name) as path:
                self._put(files, config, f"{ASSET_DIR}/{name}", abs_src_path=str(path))

    # -- each page -----------------------------------------------------------

    def _doc_for(self, page) -> Document | None:
        file = page.file
        known = self._doc_by_uri.get(file.src_uri)
        if known is not None and known[0] == file.abs_src_path:
            return known[1]
        if self.project is None or not file.abs_src_path or file.src_uri in self.generated:
            return None
        doc = self.docs.get(relative(self.project.root, Path(file.abs_src_path)))  # a file another plugin added after on_files
        self._doc_by_uri[file.src_uri] = (file.abs_src_path, doc)
        return doc

    def on_page_markdown(self, markdown: str, *, page, config, files) -> str:
        if self.extension is not None:
            self.extension.page_uri = page.file.src_uri
            self.extension.registry_url = self._registry_link(page.file.url)
        if page.file.src_uri == REGISTRY_PAGE and REGISTRY_PAGE in self.generated:
            return self._registry_markdown(markdown)
        doc = self._doc_for(page)
        placed = self.placed.get(doc.path) if doc is not None else None
        if not placed:
            return markdown
        if not doc.source.endswith(markdown):
            log.debug(f"{doc.path}: another plugin changed the Markdown; no highlights on this page")
            return markdown
        # the markers depend on the page, its Markdown and which of its sentences are flagged, nothing else
        kept = self._markdown_memo.get(doc.path)
        if kept is not None and kept[0] is doc and kept[1] == markdown and kept[2] == placed.keys():
            return kept[3]
        marked = highlights.insert_markers(markdown, len(doc.source) - len(markdown), doc, placed)
        if self._rebuilds:
            self._markdown_memo[doc.path] = (doc, markdown, set(placed), marked)
        return marked

    def _registry_link(self, page_url: str) -> str | None:
        """The registry page's URL relative to a page's, as MkDocs writes the links it converts."""
        if self._registry_url is None:
            return None
        link = self._page_links.get((self._registry_url, page_url))
        if link is None:
            link = self._page_links[(self._registry_url, page_url)] = get_relative_url(self._registry_url, page_url)
        return link

    def _registry_markdown(self, markdown: str) -> str:
        """The registry page with its large HTML blocks as placeholders (`RegistryPage`), unless another plugin changed it."""
        made = self._registry_page[1] if self._registry_page else None
        self._registry_blocks = made is not None and all(markdown.count(placeholder) == 1 for placeholder in made.blocks)
        if made is None or self._registry_blocks:
            return markdown
        log.debug(f"{REGISTRY_PAGE}: another plugin changed the page; it is rendered whole")
        return made.put_back(markdown)

    def on_page_content(self, html: str, *, page, config, files) -> str:
        uri = page.file.src_uri
        kept = self._content_memo.get(uri)
        if uri == REGISTRY_PAGE and self._registry_blocks:
            rendered = self._registry_content(html, page, kept)
        elif uri in self.generated:
            same = kept is not None and kept.html == html and kept.generated and kept.made_from is None and kept.highlight == self._highlight
            rendered = kept if same else _Rendered(html=html, out=html, marked=self._has_markers(html), highlight=self._highlight, generated=True)
        else:
            rendered = self._content(html, page, kept)
        if self._rebuilds:  # a page's HTML twice over: kept only where a rebuild can use it
            self._content_memo[uri] = rendered
        if self._highlight:
            if rendered.marked or _toc_has_markers(page.toc):
                self._marked_pages.add(uri)
            if not self._marked_titles and highlights.has_markers(page.title or ""):
                self._marked_titles = True
        return self._set_aside(uri, rendered.out, rendered.summary)

    def _set_aside(self, uri: str, html: str, summary: str = "") -> str:
        """The page with its citations, reference list and preview list of findings (`summary`) each replaced by a slot until `on_page_context` puts them back.

        Search plugins index `page.content` in `on_page_context`. The reference list is most of
        a page's HTML, and its words are the sources', not the page's: indexed, it made Material's
        search plugin parse ~4 times the HTML, and a search for a source's words found every
        page that cites it. Each citation's tooltip holds a quote: parsing those took Material's
        search twice as long as the rest of the page, to index "[1, 2]". Only the list the
        extension made for this page is set aside, and only where it is found once, as it was made.
        In preview, the list of the page's findings is most of its words: the checks' messages, not the page's.
        """
        made = self.extension.references if self.extension is not None else None
        listed = made[1] if made is not None and made[0] == uri else None
        kept = self._aside_memo.get(uri)
        if kept is not None and kept[0] is html and kept[1] == listed and kept[4] is summary:  # a serve rebuild, nothing changed: the same answer
            self._aside[uri] = kept[2]
            return kept[3]
        if ASIDE_SLOT in html:
            return html
        pieces: list[str] = []

        def aside(m: re.Match) -> str:
            pieces.append(m.group(0))
            return ASIDE_SLOT

        first, rest = "", html  # the page up to its list of findings with that list (when it is there once), and the rest
        if summary and html.count(summary) == 1:
            at = html.index(summary)
            first = CITATION.sub(aside, html[:at]) + ASIDE_SLOT
            pieces.append(summary)
            rest = html[at + len(summary) :]
        head, tail, section = rest, None, ""
        if listed is not None:
            at = rest.rfind(listed)  # the list ends the page: found from the end, it is found at once
            # Once: every copy of the list starts with its <ol> tag, which it holds only there (its text is escaped).
            if at >= 0 and html.count(REFERENCE_LIST_TAG) == 1:
                head, tail = rest[:at], rest[at + len(listed) :]
                # with its heading: indexed alone, "References" was a search result on every page that cites
                start = head.rfind(REFERENCES_SECTION_TAG)
                if start >= 0 and html.count(REFERENCES_SECTION_TAG) == 1:
                    head, section = head[:start], head[start:]
        out = first + CITATION.sub(aside, head)
        if tail is not None:
            pieces.append(section + listed)
            out += ASIDE_SLOT + CITATION.sub(aside, tail)
        if not pieces:
            return html
        self._aside[uri] = pieces
        if self._rebuilds:
            self._aside_memo[uri] = (html, listed, pieces, out, summary)
        return out

    @event_priority(-100)  # after the search plugin and anything else that reads the page's content
    def on_page_context(self, context, *, page, config, nav):
        pieces = self._aside.pop(page.file.src_uri, None)
        if pieces is not None:
            parts = page.content.split(ASIDE_SLOT) if page.content is not None else []
            if len(parts) == len(pieces) + 1:
                whole = [parts[0]]
                for piece, part in zip(pieces, parts[1:]):
                    whole += (piece, part)
                page.content = "".join(whole)
            else:
                log.warning(f"{page.file.src_uri}: another plugin removed or copied the places of this page's citations and reference list; they are missing")
        return context

    def _registry_content(self, html: str, page, kept: _Rendered | None) -> _Rendered:
        """The registry page with its blocks put back, and their ids made known to MkDocs' check of links to anchors."""
        assert self._registry_page is not None
        made = self._registry_page[1]
        page.present_anchor_ids = (page.present_anchor_ids or set()) | made.anchor_ids
        if kept is not None and kept.html == html and kept.made_from is made and kept.highlight == self._highlight:
            return kept
        full = made.html(html)
        if full is None:
            log.warning(f"{REGISTRY_PAGE}: another plugin removed the registry page's placeholders; its tables are missing")
            full = html
        return _Rendered(html=html, out=full, marked=self._has_markers(full), highlight=self._highlight, generated=True, made_from=made)

    def _content(self, html: str, page, kept: _Rendered | None) -> _Rendered:
        """The page's HTML with its "About this page" box and, in preview, its highlights and their list.

        A `serve` rebuild renders every page again; a page whose HTML, box fields, parsed
        page and findings are the same gets the same result, reused instead of made again.
        """
        doc = self._doc_for(page)
        highlight = self._highlight and doc is not None
        findings = self.findings.get(doc.path, []) if highlight else []
        box = box_key(page.meta or {}) if self._rebuilds else ()
        if kept is not None and kept.html == html and kept.box == box and kept.highlight == self._highlight and kept.doc is doc and kept.findings == findings:
            return kept
        block = metadata_html(page.meta or {})
        summary = ""
        if highlight:
            placed = self.placed.get(doc.path, {})
            html_out = highlights.render_marks(html, placed)
            summary = highlights.summary_html(doc, findings, placed)
        else:
            html_out = html
        out = after_title(html_out, summary + block)
        return _Rendered(html=html, box=box, highlight=self._highlight, doc=doc, findings=findings, out=out, marked=self._has_markers(out), summary=summary)

    def _has_markers(self, html: str) -> bool:
        """Whether on_post_page must look for markers in this page (only where they are stripped: preview highlights)."""
        return self._highlight and highlights.has_markers(html)

    def on_post_page(self, output: str, *, page, config) -> str:
        # Markers in a flagged heading also reach the table of contents and the <title>, and a page
        # title reaches every page's navigation. A search of a whole page for them costs more than
        # all the rest of this plugin's work on an unchanged page, so only pages that may hold one are searched.
        if not self._highlight or not (self._marked_titles or page.file.src_uri in self._marked_pages):
            return output
        if highlights.has_markers(output):
            return highlights.strip_markers(output)
        return output


@dataclass(frozen=True, slots=True)
class _Rendered:
    """What on_page_content made of a page, and what it made it from."""

    html: str
    out: str
    marked: bool  # `out` holds a highlight marker (looked for only when highlighting)
    box: tuple = ()
    highlight: bool = False  # the build's: with `doc`, whether this page was highlighted and `marked` looked for
    doc: Document | None = None
    findings: list = field(default_factory=list)
    generated: bool = False  # a page this plugin made
    made_from: RegistryPage | None = None  # the registry page's blocks
    summary: str = ""  # the preview's list of the page's findings, in `out` once


def _vale_style_key(root: Path, vale_config: str) -> str:
    """What the Vale part of the rule catalogue is read from: the Vale config and the files of its StylesPath."""
    ini = root / vale_config
    try:
        text = ini.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return f"{ini}: unreadable"
    parts = [str(ini), text]
    styles = re.search(r"^\s*StylesPath\s*=\s*(.+?)\s*$", text, re.M)
    if styles:
        for path in sorted((ini.parent / styles.group(1)).rglob("*")):
            try:
                st = path.stat()
            except OSError:
                continue
            parts.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


def _tally(findings: list[Finding]) -> tuple[int, int, int]:
    """How many errors, warnings and infos."""
    counts = [0, 0, 0]
    for finding in findings:
        if finding.severity in SEVERITY_ORDER:
            counts[SEVERITY_ORDER[finding.severity]] += 1
    return counts[0], counts[1], counts[2]


def _toc_has_markers(toc) -> bool:
    """A flagged heading's markers are also in the page's table of contents."""
    items = list(toc or ())
    while items:
        item = items.pop()
        if highlights.has_markers(item.title or ""):
            return True
        items.extend(item.children or ())
    return False


def _title(doc: Document) -> str:
    title = doc.front_matter.get("title") if isinstance(doc.front_matter, dict) else None
    if isinstance(title, str) and title.strip():
        return title.strip()
    for sentence in doc.sentences:
        if sentence.is_heading:
            return sentence.text
    return doc.path
