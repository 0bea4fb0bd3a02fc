"""The one engine: load → parse → check → suppress → report. The CLI and the MkDocs plugin call it."""

from __future__ import annotations

import gc
import os
import pickle
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from . import prepared
from .config import CONFIG_FILE, Config, find_root, load_config
from .context import Context
from .errors import UsageError
from .assembly import Assembly
from .model import ClaimTag, Document, Finding, Suppressed, Suppression
from .pages import discover, parse_bytes, read_source
from .rules import Rule, all_rules

if TYPE_CHECKING:
    from .cache import MemoryCache
    from .registry.load import Registry


@dataclass
class Report:
    root: Path
    mode: str
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # one-line remarks for people (e.g. Vale not installed)
    stats: dict[str, Any] = field(default_factory=dict)  # how the run went: pages parsed, from the cache, workers, seconds

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


def open_project(paths: list[Path] | None = None, root: Path | None = None, cache: bool | None = None, memory: MemoryCache | None = None) -> Project:
    """The project at `root` (default: found from `paths`). `cache`: reuse the loaded registry (None: the `cache` option);
    `memory`: a resident process's results (the check server), consulted before the disk."""
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
    use_cache = config.cache if cache is None else cache
    prepared.use_folder(root / config.cache_dir if use_cache else None)
    registry = project_registry(root, config, use_cache, memory)
    return Project(root=root, config=config, registry=registry, mkdocs=mkdocs)


def registry_files(root: Path, config: Config) -> list[Path]:
    """The files the registry is read from (see `linters.registry.load`)."""
    folder = root / config.claims_dir
    found = [folder / "references.json"]
    if folder.is_dir():
        found += sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml"))
    return found


def project_registry(root: Path, config: Config, cache: bool, memory: MemoryCache | None = None) -> Registry:
    """The loaded registry; with the cache on, reused while its files and the code are unchanged."""
    from .registry.load import load_registry

    if not cache:
        return load_registry(root, config.claims_dir)
    from .cache import ResultCache, code_key, digest, files_key

    key = digest("registry", code_key(), str(root.resolve()), config.claims_dir, files_key(registry_files(root, config)))
    found = memory.get(key, "registry") if memory is not None else None
    if type(found).__name__ == "Registry":
        return found
    store = ResultCache(root / config.cache_dir)
    try:
        found = store.get(key, "registry")
        if type(found).__name__ != "Registry":
            found = load_registry(root, config.claims_dir)
            store.put(key, found, "registry")
    finally:
        store.close()
    if memory is not None:
        memory.put(key, found, "registry")
    return found


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


@dataclass
class PageResult:
    """What checking one page produced: everything the engine needs of it afterwards.

    Small and picklable: workers send it back, the cache stores it, and the
    cross-page rules run on its summaries, so an unchanged page is never parsed again.
    """

    path: str
    problems: list[Finding]  # the page itself is malformed (invalid-page, invalid-suppression)
    findings: list[Finding]  # from the page rules, before suppressions
    suppressions: list[Suppression]
    metrics: dict[str, Any]
    tags: list[ClaimTag]  # its claim tags, in order
    summaries: dict[str, Any]  # cross-page rule id -> what its `collect` returned for this page
    summaries_key: str = ""  # a digest of `summaries`, pickled (`_summaries_key`)
    notes: list[str] = field(default_factory=list)
    complete: bool = True  # False: the page rules did not run (outside `page_filter`); never cached

    @property
    def claim_ids(self) -> list[str]:
        return [cid for tag in self.tags for cid in tag.ids]

    def summary(self, rule_id: str) -> Any:
        """What cross-page rule `rule_id` collected from this page; read back alone while the others stay packed."""
        if "summaries" not in self.__dict__:
            packed = (self.__dict__.get("_packed") or {}).get("summaries")
            if packed is not None:
                blob = packed.get(rule_id)
                return None if blob is None else pickle.loads(blob)
        return self.summaries.get(rule_id)

    # Pickled apart and read back on first use: a warm run whose pages' facts did not change
    # (the cross-page findings are reused, see `finish`) needs neither, and they are half of a
    # cached result's unpickling time. Summaries are packed rule by rule (`summary`): Vale's
    # findings are never cached, and it should not unpack the others. `analyse` packs them
    # when it makes the result, for its key; that packing is the one pickled.
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        packed = dict(state.pop("_packed", None) or {})
        if "summaries" in state:
            summaries = state.pop("summaries")
            if "summaries" not in packed:
                packed["summaries"] = {rule: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) for rule, value in summaries.items()}
        if "tags" in state:
            packed["tags"] = pickle.dumps(state.pop("tags"), protocol=pickle.HIGHEST_PROTOCOL)
        state["_packed"] = packed
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __getattr__(self, name: str) -> Any:
        """Only for an attribute not set: a packed one, unpickled now."""
        packed = self.__dict__.get("_packed")
        if packed and name in packed:
            blob = packed.pop(name)
            value = {rule: pickle.loads(b) for rule, b in blob.items()} if name == "summaries" else pickle.loads(blob)
            self.__dict__[name] = value
            return value
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


def make_context(project: Project, mode: str, today: date | None = None) -> Context:
    if mode not in ("preview", "publish"):
        raise UsageError(f"unknown mode {mode!r}: use preview or publish")
    return Context(registry=project.registry, config=project.config, mode=mode, today=today or date.today(), root=project.root)


def analyse(doc: Document, rules: list[Rule], ctx: Context, page_rules: bool = True) -> PageResult:
    """Run the page rules on one parsed page and collect what the cross-page rules need of it."""
    notes = ctx.extra.setdefault("notes", [])
    before = len(notes)
    findings: list[Finding] = []
    if page_rules:
        for rule in rules:
            if rule.scope == "page":
                findings.extend(rule.check(doc, ctx))
    summaries = {rule.id: rule.collect(doc, ctx) for rule in rules if rule.scope == "corpus" and rule.collect is not None}
    packed = {rule_id: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) for rule_id, value in summaries.items()}
    new_notes = notes[before:]
    del notes[before:]
    result = PageResult(
        path=doc.path,
        problems=list(doc.problems),
        findings=findings,
        suppressions=list(doc.suppressions),
        metrics=dict(doc.metrics) if page_rules else {},
        tags=list(doc.tags),
        summaries=summaries,
        summaries_key=_summaries_key(packed),
        notes=new_notes,
        complete=page_rules,
    )
    result.__dict__["_packed"] = {"summaries": packed}  # pickled once: the key's digest and the cache's copy
    return result


def _summaries_key(packed: dict[str, bytes]) -> str:
    """A digest of what the cross-page rules collected from a page (each rule's summary pickled): the
    cross-page findings' key is made of these.

    Equal pickles mean equal summaries, so equal keys never hide a change; a summary that
    pickles differently while equal (shared objects, say) only costs a re-run of the rules.
    """
    from .cache import digest

    return digest(*(part for rule_id, blob in packed.items() for part in (rule_id, blob)))


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
    ctx = make_context(project, mode, today)
    rules = enabled_rules(project.config) if rules is None else rules
    results = [analyse(doc, rules, ctx, page_filter is None or doc.path in page_filter) for doc in docs]
    return finish(results, project, ctx, rules, documents=docs, docs=docs)


# Cross-page rules whose result depends on more than the pages' summaries and the run key
# (Vale reads its own config, styles and binary), so their output is never cached.
UNCACHED_CORPUS_RULES = frozenset({"vale"})


def finish(
    results: list[PageResult],
    project: Project,
    ctx: Context,
    rules: list[Rule],
    documents: list | None = None,
    docs: list[Document] | None = None,
    store=None,
    corpus_key: tuple[str, str] | None = None,
    assembly: Assembly | None = None,
) -> Report:
    """The cross-page rules over the pages' results, then suppressions: the report.

    `docs` are needed only by a cross-page rule without `collect` (it reads whole pages).
    With a `store` and a `corpus_key` (from `check_sources`: a key made of the run key and
    what the rules collected from every page, and the run key), the cross-page rules'
    findings are reused when no page's summaries changed. `assembly`: the one that put the
    last report together, kept by a process that checks again (`linters.assembly`).
    """
    report = Report(root=project.root, mode=ctx.mode, documents=list(results) if documents is None else documents)
    after: list[Finding] = []  # the cross-page rules' findings, in rule order
    by_doc = {doc.path: doc for doc in docs or []}
    corpus = [r for r in rules if r.scope == "corpus"]
    cacheable = [r for r in corpus if r.collect is not None and r.id not in UNCACHED_CORPUS_RULES] if store is not None and corpus_key else []
    key, group = corpus_key or ("", "")
    reused = store.get(key, group) if cacheable else None
    if not (isinstance(reused, dict) and all(r.id in reused for r in cacheable)):
        reused = None
    kept: dict[str, tuple[list[Finding], list[str]]] = {}
    notes = ctx.extra.setdefault("notes", [])
    for rule in corpus:  # in rule order, reused or not, so the report is the same either way
        if reused is not None and rule in cacheable:
            found, added = reused[rule.id]
            notes.extend(added)
        else:
            if rule.collect is not None:
                collected = {r.path: r.summary(rule.id) for r in results}
            else:
                collected = {r.path: by_doc[r.path] for r in results}
            noted = len(notes)
            found = list(rule.check(collected, ctx))
            kept[rule.id] = (found, notes[noted:])
        after.extend(found)
    if cacheable and reused is None:
        store.put(key, {r.id: kept[r.id] for r in cacheable}, group)
    for note in [n for r in results for n in r.notes] + list(ctx.extra.get("notes", [])):
        if note not in report.notes:
            report.notes.append(note)
    report.findings, report.suppressed = (assembly or Assembly()).assemble(list(project.registry.problems), results, after)
    return report


# Below this many pages to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_PAGES = 200
WARM_UP_PAGES = 8  # checked before the workers start, so they inherit what the rules load on first use


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


Progress = Callable[[int, int], None]  # (pages just done, pages to do)


def check_paths(
    paths: list[Path],
    mode: str = "preview",
    today: date | None = None,
    project: Project | None = None,
    page_filter: set[str] | None = None,
    *,
    cache: bool | None = None,
    jobs: int | None = None,
    progress: Progress | None = None,
    memory: MemoryCache | None = None,
) -> Report:
    """The whole run for the command line: find pages, reuse cached results, parse and check the rest.

    `cache`: None follows the `cache` option. `jobs`: worker processes for many pages
    (default: the CPUs this process may use). `progress(done, total)` is told as pages are checked.
    `memory`: results kept in a resident process (the check server), in front of the disk cache.
    """
    started = time.perf_counter()
    project = project or open_project(paths, cache=cache, memory=memory)
    if not paths:
        paths = [project.docs_dir]
    ctx = make_context(project, mode, today)
    rules = enabled_rules(project.config)
    files = discover(paths, project.root, project.config.exclude)
    whole_pages = any(r.scope == "corpus" and r.collect is None for r in rules)  # such a rule reads Documents: no cache, no workers
    docs: dict[str, Document] | None = {} if whole_pages else None
    store = None
    if (project.config.cache if cache is None else cache) and not whole_pages:
        from .cache import ResultCache

        store = ResultCache(project.root / project.config.cache_dir)
        if memory is not None:
            memory.backing, store = store, memory
    kept = memory.pages if memory is not None and store is memory else None  # the check server: an unchanged file is not read again
    sources = [read_source(p, project.root, kept=kept) for p in files]
    try:
        results, corpus_key, stats = check_sources(
            sources, project, rules, ctx, store=store, jobs=1 if whole_pages else jobs, progress=progress, page_filter=page_filter, documents=docs
        )
        with gc_paused():
            report = finish(
                list(results.values()),
                project,
                ctx,
                rules,
                docs=list(docs.values()) if docs else None,
                store=store,
                corpus_key=corpus_key,
                assembly=memory.assembly if memory is not None else None,
            )
    finally:
        if store is not None:
            store.close()  # a MemoryCache closes its disk cache and forgets what this run did not use
        if memory is not None:
            memory.backing = None
    report.stats = {**stats, "seconds": round(time.perf_counter() - started, 3)}
    return report


def check_sources(
    sources: list[tuple[str, bytes | Document]],
    project: Project,
    rules: list[Rule],
    ctx: Context,
    *,
    store=None,
    jobs: int | None = None,
    progress: Progress | None = None,
    page_filter: set[str] | None = None,
    documents: dict[str, Document] | None = None,
) -> tuple[dict[str, PageResult], tuple[str, str] | None, dict[str, int]]:
    """A PageResult for each page, given as (path, its bytes, or a Document for a page that could not be read).

    Unchanged pages come from `store` (a `linters.cache` store); the rest are parsed and
    checked, by worker processes when there are many. `documents`, when given, is filled
    with every page's parsed Document (the ones already in it are used, not parsed again);
    this process parses them while the workers check. Returns (results by path, in the
    given order; where the cross-page rules' output is kept, for `finish`, or None
    without a store; stats).
    """

    def wanted(rel: str) -> bool:
        return page_filter is None or rel in page_filter

    results: dict[str, PageResult] = {}
    todo: list[tuple[str, bytes]] = []
    for rel, data in sources:
        if isinstance(data, Document):  # unreadable: its one finding is all there is
            results[rel] = analyse(data, rules, ctx, wanted(rel))
            if documents is not None:
                documents[rel] = data
        else:
            todo.append((rel, data))
    keys: dict[str, str] = {}
    unreadable = len(results)
    if store is not None:
        run = run_key(project, rules, ctx)
        keys = {rel: store.page_key(run, rel, data) for rel, data in todo}
        with gc_paused():
            found = store.get_many(list(keys.values()), run)
        for rel, _data in todo:
            hit = found.get(keys[rel])
            if isinstance(hit, PageResult) and hit.path == rel and hit.complete:
                results[rel] = hit if wanted(rel) else _outside(hit)
    hits = len(results) - unreadable
    checking = [(rel, data) for rel, data in todo if rel not in results]

    def parse_the_rest() -> None:
        if documents is not None:
            for rel, data in todo:
                if rel not in documents:
                    documents[rel] = parse_bytes(rel, data)

    pickled: dict[str, bytes] = {}  # results as the workers sent them: stored in the cache as they are
    jobs = max(1, default_jobs() if jobs is None else jobs)
    if jobs == 1 or len(checking) < PARALLEL_MIN_PAGES:
        jobs = 1
        fresh = _check_serial(checking, rules, ctx, wanted, progress, documents)
    else:
        fresh = _check_parallel(checking, project, rules, ctx, wanted, jobs, progress, parse_the_rest, documents, pickled)
    parse_the_rest()  # the pages that came from the cache
    results.update(fresh)
    ordered = {rel: results[rel] for rel, _ in sources}
    corpus_key = None
    if store is not None:
        from .cache import digest

        as_sent = pickled if getattr(store, "takes_pickled", False) else {}
        store.put_many({keys[rel]: as_sent.get(rel, r) for rel, r in fresh.items() if r.complete}, run)
        # The cross-page rules' output depends on the run and on what they collected from each page, in order:
        # an edit that leaves a page's summaries as they were (most edits) leaves it as it was.
        corpus_key = (digest(run, "corpus", *(f"{rel}\0{result.summaries_key}" for rel, result in ordered.items())), run)
    return ordered, corpus_key, {"pages": len(ordered), "parsed": len(fresh), "cached": hits, "jobs": jobs}


@contextmanager
def gc_paused():
    """No cyclic garbage collection while many long-lived objects are made (cached results, findings).

    Each collection rescans every object made so far, so loading tens of thousands of
    cached findings took three times longer with it on. Parsing runs with it on.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _outside(result: PageResult) -> PageResult:
    """A cached result for a page outside `page_filter`: only what a filtered run would have."""
    return replace(result, findings=[], metrics={}, complete=False)


def run_key(project: Project, rules: list[Rule], ctx: Context) -> str:
    """Everything a page's result depends on besides the page: code and data, registry, config, mode, date."""
    from .cache import code_key, digest, files_key

    return digest(
        code_key(),
        ";".join(f"{r.id}@{r.version}" for r in rules),
        files_key([project.root / CONFIG_FILE, *registry_files(project.root, project.config)]),
        project.config.model_dump_json(),
        str(project.root.resolve()),
        ctx.mode,
        ctx.today.isoformat(),
    )


def _check_serial(todo, rules, ctx, wanted, progress, documents: dict | None) -> dict[str, PageResult]:
    out: dict[str, PageResult] = {}
    for rel, data in todo:
        doc = documents.get(rel) if documents is not None else None
        if doc is None:
            doc = parse_bytes(rel, data)
            if documents is not None:
                documents[rel] = doc
        out[rel] = analyse(doc, rules, ctx, wanted(rel))
        if progress is not None:
            progress(1, len(todo))
    return out


# -- worker processes: each gets the project once, then chunks of (path, bytes); it sends back PageResults.

_WORKER: dict[str, Any] = {}


def _worker_init(project: Project, rule_ids: list[str], mode: str, today: date, page_filter: set[str] | None) -> None:
    _WORKER["ctx"] = make_context(project, mode, today)
    known = all_rules()
    _WORKER["rules"] = [known[r] for r in rule_ids]
    _WORKER["filter"] = page_filter


def _worker_check(chunk: list[tuple[str, bytes]]) -> list[bytes]:
    """Each page's result, pickled here: the parent unpickles it once and stores the same bytes in the cache."""
    ctx, rules, page_filter = _WORKER["ctx"], _WORKER["rules"], _WORKER["filter"]
    return [
        pickle.dumps(analyse(parse_bytes(rel, data), rules, ctx, page_filter is None or rel in page_filter), protocol=pickle.HIGHEST_PROTOCOL)
        for rel, data in chunk
    ]


def _check_parallel(
    todo, project, rules, ctx, wanted, jobs: int, progress, meanwhile=None, documents: dict | None = None, pickled: dict[str, bytes] | None = None
) -> dict[str, PageResult]:
    """The pages checked by `jobs` worker processes; `pickled`, when given, gets each result as the worker pickled it."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # Check a few pages here before starting the workers: it loads what the rules load once
    # (unit registry, dictionaries, compiled patterns), and forked workers inherit it.
    size = max(4, min(64, len(todo) // (jobs * 8)))
    first, rest = todo[:WARM_UP_PAGES], todo[WARM_UP_PAGES:]
    out = _check_serial(first, rules, ctx, wanted, None, documents)
    if progress is not None:
        progress(len(first), len(todo))
    page_filter = None
    if any(not wanted(rel) for rel, _ in todo):
        page_filter = {rel for rel, _ in todo if wanted(rel)}
    # fork on Linux: workers start at once, with the rules' loaded state; elsewhere the platform's
    # default (spawn), where each worker loads it again.
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    chunks = [rest[i : i + size] for i in range(0, len(rest), size)]
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init, initargs=(project, [r.id for r in rules], ctx.mode, ctx.today, page_filter)) as pool:
        pending = {pool.submit(_worker_check, chunk) for chunk in chunks}
        try:
            if meanwhile is not None:
                meanwhile()
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    page_results = future.result()
                    for blob in page_results:
                        result = pickle.loads(blob)
                        out[result.path] = result
                        if pickled is not None:
                            pickled[result.path] = blob
                    if progress is not None:
                        progress(len(page_results), len(todo))
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return {rel: out[rel] for rel, _ in todo}
