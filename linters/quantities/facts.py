"""What a page states: numbers assigned to facets and subjects, categories, regulatory status.

`page_facts(doc)` reads every sentence once and returns a small picklable
`PageFacts`: the contradiction rule collects one per page and compares them
across the site; the claim-drift rule compares a tagged sentence's facts with
its claim. Which facet a number is about, and whose fact it is (entity,
indication, phase, ...), comes from `linters/data/facets.yml`.
"""

from __future__ import annotations

import math
import re
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

import regex

from ..errors import UsageError
from ..model import Document, Sentence, span_position
from ..patterns import PatternTimeout, load_data
from ..patterns import compile_pattern as _compile_pattern
from ..prepared import prepared
from .grammar import DATA, NON_NEGATIVE, Mention, describe, describe_each, find_mentions, has_digit, percent_share, word_set
from .needles import Sieved, sieve

# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Facet:
    id: str
    label: str
    kinds: tuple[str, ...]
    units: tuple[str, ...]
    cues: tuple[Sieved, ...]
    not_: Sieved | None
    subject: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    threshold: bool = False
    skip_single: bool = False
    cue_stems: tuple[frozenset[str] | None, ...] = ()  # quick filters for `cues`, derived from them


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    cues: tuple[Sieved, ...]
    values: tuple[tuple[str, Sieved], ...]
    any_value: Sieved
    subject: tuple[str, ...]
    stems: frozenset[str] | None = None  # quick filter derived from the values


@dataclass(frozen=True)
class Dimension:
    id: str
    default: str
    values: tuple[tuple[str, Sieved], ...]
    clause_only: bool = False
    refines: tuple[tuple[str, str], ...] = ()  # (value, the value it is a form of)
    combined: Sieved | None = None  # every value in one pattern, a named group each


@dataclass(frozen=True)
class Knowledge:
    facets: tuple[Facet, ...]
    by_id: dict
    categories: tuple[Category, ...]
    category_prefilter: Sieved
    category_stems: frozenset[str] | None
    dimensions: dict
    study: Sieved
    named_study: Sieved
    clinic: Sieved
    existential: Sieved
    existential_stems: frozenset[str] | None
    contrast: Sieved
    contrast_stems: frozenset[str] | None
    value_negators: Sieved
    reg: dict


def compile_pattern(src: str, where: str, flags: int = regex.IGNORECASE) -> Sieved:
    """A data-file pattern, compiled once; every search of it is bounded by a timeout (see linters/patterns.py).

    A text that lacks every word the pattern needs is not searched at all (see needles.py).
    """
    return sieve(_compile_pattern(src, where, flags), flags)


def literal_stems(src: str) -> frozenset[str] | None:
    """Word beginnings (2 to 4 letters) that every match of `src` starts with, or None if that cannot be told.

    A sentence none of whose words begins with one of these cannot match, so
    the pattern is not searched there: a cheap filter derived from the data, so
    an editor who adds a value never has to keep a second list in step.
    """
    stems: set[str] = set()
    for alt in _top_level(src):
        found = _leading(alt)
        if found is None:
            return None
        stems |= found
    return frozenset(stems)


def _top_level(src: str) -> list[str]:
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(src[start:i])
            start = i + 1
        i += 1
    parts.append(src[start:])
    return parts


def _group_end(src: str, i: int) -> int:
    depth = 0
    while i < len(src):
        c = src[i]
        if c == "\\":
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _leading(alt: str) -> set[str] | None:
    i = 0
    while True:
        if alt.startswith("\\b", i):
            i += 2
        elif alt.startswith(("(?<", "(?=", "(?!"), i):
            end = _group_end(alt, i)
            if end < 0:
                return None
            i = end + 1
        else:
            break
    if alt.startswith("(", i):
        end = _group_end(alt, i)
        if end < 0 or alt[end + 1 : end + 2] in ("?", "*") or alt.startswith("{0", end + 1):
            return None  # an optional first group: the match may start later
        inner = re.sub(r"^\?(?:[:]|-?[a-zA-Z]+:|P<\w+>)", "", alt[i + 1 : end])
        return set(literal_stems(inner) or ()) or None
    m = re.match(r"[A-Za-z]+", alt[i:])  # sentences are split into words at hyphens and apostrophes too
    if not m:
        return None
    run = m.group()
    if alt[i + len(run) : i + len(run) + 1] in ("?", "*") or alt.startswith("{0", i + len(run)):
        run = run[:-1]  # the last letter is optional
    return {run[:4].lower()} if len(run) >= 2 else None


def has_stem(words: frozenset[str], stems: frozenset[str] | None) -> bool:
    """Does a word of the sentence begin with one of `stems` (None: cannot tell, so yes)?"""
    if stems is None:
        return True
    for w in words:
        if w[:2] in stems or w[:3] in stems or w[:4] in stems:
            return True
    return False


@lru_cache(maxsize=4096)
def word_starts(text: str) -> frozenset[str]:
    """The first 2, 3 and 4 letters of every word of `text`, to test many stem sets at once."""
    words = word_set(text)
    return frozenset({w[:2] for w in words} | {w[:3] for w in words} | {w[:4] for w in words})


def _words(src: str, where: str, flags: int = regex.IGNORECASE) -> Sieved:
    return compile_pattern(r"(?<![\w-])(?:" + src + r")(?![\w])", where, flags)


@lru_cache(maxsize=1)
def knowledge() -> Knowledge:
    """The facets data file, compiled and checked; kept in the prepared store with each pattern's
    needles (see linters/prepared.py), its patterns compiled again only when first searched."""
    data = load_data(DATA)
    return prepared("quantity_knowledge", lambda: _knowledge(data), inputs=data)


def _knowledge(data: dict) -> Knowledge:
    where = f"linters/data/{DATA}"
    try:
        facets = []
        for i, f in enumerate(data["facets"]):
            fid = f["id"]
            facets.append(
                Facet(
                    id=fid,
                    label=f.get("label", fid),
                    kinds=tuple(f["kinds"]),
                    units=tuple(f.get("units") or ()),
                    cues=tuple(_words(c, f"{where}: facets.{fid}.cues") for c in f.get("cues") or ()),
                    not_=_words(f["not"], f"{where}: facets.{fid}.not") if f.get("not") else None,
                    subject=tuple(f.get("subject") or ()),
                    aliases=tuple(f.get("aliases") or ()),
                    threshold=bool(f.get("threshold")),
                    skip_single=bool(f.get("skip_single")),
                    cue_stems=tuple(literal_stems(c) for c in f.get("cues") or ()),
                )
            )
        by_id = {}
        for f in facets:
            for name in (f.id, *f.aliases):
                if name in by_id:
                    raise UsageError(f"{where}: facet {name!r} is defined twice")
                by_id[name] = f
        categories = []
        all_values = []
        for c in data.get("categories") or []:
            cid = c["id"]
            flags = 0 if c.get("case_sensitive_values") else regex.IGNORECASE
            values = tuple((vid, _words(src, f"{where}: categories.{cid}.values.{vid}", flags)) for vid, src in c["values"].items())
            all_values.extend(src for src in c["values"].values())
            categories.append(
                Category(
                    id=cid,
                    label=c.get("label", cid),
                    cues=tuple(_words(p, f"{where}: categories.{cid}.cues") for p in c.get("cues") or ()),
                    values=values,
                    any_value=_words("|".join(c["values"].values()), f"{where}: categories.{cid}.values"),
                    stems=literal_stems("|".join(c["values"].values())),
                    subject=tuple(c.get("subject") or ()),
                )
            )
        dims = {}
        for did, d in data["dimensions"].items():
            dims[did] = Dimension(
                id=did,
                default=d["default"],
                values=tuple((v["id"], _words(v["pattern"], f"{where}: dimensions.{did}.{v['id']}")) for v in d.get("values") or ()),
                clause_only=bool(d.get("clause_only")),
                refines=tuple((v["id"], v["refines"]) for v in d.get("values") or () if v.get("refines")),
                # The word-start test is written once, before the alternatives, not once in each:
                # the same matches, and more than twice as fast to search.
                combined=compile_pattern(
                    "(?<![\\w-])(?:" + "|".join(f"(?P<v{i}>(?:{v['pattern']})(?![\\w]))" for i, v in enumerate(d.get("values") or ())) + ")"
                    if d.get("values")
                    else "(?!)",
                    f"{where}: dimensions.{did}",
                ),
            )
        scope = data["scope"]
        reg = data["regulatory"]
        regulatory = {
            "approval": _words(reg["approval"], f"{where}: regulatory.approval"),
            "off_label": _words(reg["off_label"], f"{where}: regulatory.off_label"),
            "negation": _words(reg["negation"], f"{where}: regulatory.negation"),
            "regulators": tuple((name, _words(p, f"{where}: regulatory.regulators.{name}")) for name, p in reg["regulators"].items()),
            "default_regulator": reg["default_regulator"],
            "other_approvers": compile_pattern(reg["other_approvers"], f"{where}: regulatory.other_approvers"),
            "reporting": _words(reg["reporting"], f"{where}: regulatory.reporting"),
            "drug_mention": _words(reg["drug_mention"], f"{where}: regulatory.drug_mention"),
            "racemic_marker": _words(reg["racemic_marker"], f"{where}: regulatory.racemic_marker"),
            "umbrella": {k: tuple(v) for k, v in (reg.get("umbrella") or {}).items()},
            "prefilter": _words(reg["approval"] + "|" + reg["off_label"], f"{where}: regulatory"),
            "stems": literal_stems(reg["approval"] + "|" + reg["off_label"]),
        }
        return Knowledge(
            facets=tuple(facets),
            by_id=by_id,
            categories=tuple(categories),
            category_prefilter=_words("|".join(all_values) or "(?!)", f"{where}: categories"),
            category_stems=literal_stems("|".join(all_values)) if all_values else frozenset(),
            dimensions=dims,
            study=compile_pattern(scope["study"], f"{where}: scope.study"),
            named_study=compile_pattern(scope["named_study"], f"{where}: scope.named_study"),
            clinic=compile_pattern(scope["clinic"], f"{where}: scope.clinic"),
            existential=compile_pattern(scope["existential"], f"{where}: scope.existential"),
            existential_stems=literal_stems(scope["existential"]),
            contrast=compile_pattern(data["contrast"], f"{where}: contrast"),
            contrast_stems=literal_stems(data["contrast"]),
            value_negators=compile_pattern(r"\b(?:" + data["value_negators"] + r")\b[^,;:.]*$", f"{where}: value_negators"),
            reg=regulatory,
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"{where}: missing or malformed entry ({exc})") from None


# ---------------------------------------------------------------- facts


@dataclass(frozen=True)
class Place:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    sentence: int  # index of the sentence in its page
    excerpt: str  # the whole sentence
    claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class NumberFact:
    """A number that a sentence states about a facet and subject."""

    facet: str | None  # None: no cue; a tagged sentence's claim may still say which facet
    kind: str
    unit: str | None
    low: float
    high: float  # math.inf when unbounded
    tolerance: float
    shape: str
    text: str  # the quantity as written
    subject: tuple[tuple[str, str], ...]  # every dimension's value
    explicit: tuple[str, ...]  # dimensions the text named (not defaults)
    study: str | None  # a single study's result: compared only with the same study
    clinic: bool
    existential: bool
    place: Place
    step: float = 0.0
    stated: tuple[float, ...] = ()  # the numbers as written, in base units (for claim-drift)

    def describe(self) -> str:
        return describe(self.kind, self.low, None if math.isinf(self.high) else self.high, self.shape)


@dataclass(frozen=True)
class CategoryFact:
    facet: str
    values: tuple[str, ...]
    text: str
    subject: tuple[tuple[str, str], ...]
    study: str | None
    place: Place


@dataclass(frozen=True)
class StatusFact:
    """ "X is (not) approved by REGULATOR for INDICATION"."""

    entity: str
    regulator: str
    indication: str | None  # None: the sentence names no indication
    approved: bool
    text: str
    place: Place


@dataclass(frozen=True)
class RangeProblem:
    """An inverted or impossible range inside one sentence."""

    kind: str  # inverted | over-100-percent | negative
    text: str
    message: str
    place: Place


@dataclass
class PageFacts:
    path: str
    numbers: list[NumberFact] = field(default_factory=list)
    categories: list[CategoryFact] = field(default_factory=list)
    statuses: list[StatusFact] = field(default_factory=list)
    problems: list[RangeProblem] = field(default_factory=list)
    timeouts: list[tuple[int, int, str]] = field(default_factory=list)  # (line, column, pattern) of sentences not checked


# ---------------------------------------------------------------- clauses

_CLAUSE_BREAK = re.compile(
    r"\s*;\s*|\s+—\s+|—|(?-i::\s+(?=[A-Z]))|,\s*(?=(?:and|but|while|whereas|although|though|so|yet|then|which|who|not|followed)\b)|"
    r"\s+(?=(?:but|while|whereas|although|though|however|whereas|followed\s+by)\b)",
    re.IGNORECASE,
)
_LEADING_SUBORDINATE = re.compile(r"^\s*(?:although|though|while|whereas|unlike|if|when|after|before|since|because|once)\b[^,]*(?=,)", re.IGNORECASE)
_RELATIVE = re.compile(r"\s*,?\s*(?:which|who)\b", re.IGNORECASE)
_CONTINUATION = re.compile(r"^\s*,?\s*(?:and|or|but|not)\b", re.IGNORECASE)


_BREAK_HINT = re.compile(r"[,;:—]|\b(?:but|while|whereas|although|though|however|followed)\b", re.IGNORECASE)


def clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans of a sentence: split at ';', dashes, ', and', 'but', 'while', ', which ...,', ..."""
    if not _BREAK_HINT.search(text):
        return [(0, len(text))]
    cuts = {0}
    lead = _LEADING_SUBORDINATE.match(text)
    if lead:
        cuts.add(lead.end())
    for m in _CLAUSE_BREAK.finditer(text):
        if m.start() > 0:
            cuts.add(m.start())
            if _RELATIVE.match(text, m.start()):
                # ", which can take weeks to work," ends at the next comma.
                comma = text.find(",", m.start() + 1)
                if comma > 0:
                    cuts.add(comma)
    ordered = sorted(cuts)
    spans = []
    for i, start in enumerate(ordered):
        end = ordered[i + 1] if i + 1 < len(ordered) else len(text)
        if text[start:end].strip(" ,;:—"):
            spans.append((start, end))
        elif spans:
            spans[-1] = (spans[-1][0], end)
    return spans or [(0, len(text))]


def _clause_of(spans: list[tuple[int, int]], pos: int) -> int:
    for i, (s, e) in enumerate(spans):
        if s <= pos < e:
            return i
    return len(spans) - 1


def _without_contrast(k: Knowledge, text: str) -> str:
    """The text with compared-with phrases blanked ("Unlike SSRIs, ketamine ..." -> "       , ketamine ...")."""
    if not k.contrast.may_match(text):
        return text
    if k.contrast_stems is not None and word_starts(text).isdisjoint(k.contrast_stems):
        return text
    out = text
    for m in k.contrast.finditer(text):
        out = out[: m.start()] + " " * (m.end() - m.start()) + out[m.end() :]
    return out


# ---------------------------------------------------------------- subjects


def _dimension_values(k: Knowledge, dim: Dimension, text: str) -> set[str]:
    return set(_values_in(dim.id, text)) if text else set()


@lru_cache(maxsize=8192)
def _values_in(dim_id: str, text: str) -> frozenset[str]:
    # Several numbers of a sentence look in the same clause: remember the answer.
    dim = knowledge().dimensions[dim_id]
    return frozenset(dim.values[int(m.lastgroup[1:])][0] for m in dim.combined.finditer(text))


@lru_cache(maxsize=8192)
def _picked_in(dim_id: str, text: str) -> str | None:
    """The value `text` names for a dimension, if any (see `_pick`)."""
    return _pick(knowledge().dimensions[dim_id], set(_values_in(dim_id, text)))


def _pick(dim: Dimension, found: set[str]) -> str | None:
    """One value for a dimension; a form named with its parent wins ("ketamine-based nasal spray" is esketamine)."""
    if not found:
        return None
    for value, parent in dim.refines:
        if value in found:
            found = found - {parent}
    if len(found) == 1:
        return next(iter(found))
    return "+".join(sorted(found))


@dataclass
class _Context:
    """Text around a sentence that can name its subject: its table row and its heading."""

    row: str = ""
    heading: str = ""


def subject_of(k: Knowledge, layers: list[str], context: _Context) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """Each dimension's value: from the first layer (clause, sentence) that names one, then row and heading."""
    values = []
    explicit = []
    for dim in k.dimensions.values():
        picked = None
        for text in layers[:1] if dim.clause_only else layers:
            if text and (picked := _picked_in(dim.id, text)):
                break
        if not picked and dim.id in ("entity", "indication"):
            for text in (context.row, context.heading):
                if text and (picked := _picked_in(dim.id, text)):
                    break
        if picked:
            explicit.append(dim.id)
        values.append((dim.id, picked or dim.default))
    return tuple(values), tuple(explicit)


def _study(k: Knowledge, text: str, place_key: str) -> str | None:
    if not k.study.search(text):
        return None
    named = k.named_study.search(text)
    if named:
        return "study:" + (named.group(1) or named.group(2) or "").lower()
    return "study@" + place_key  # an unnamed study: never compared


# ---------------------------------------------------------------- extraction


def _assign_facet(k: Knowledge, m: Mention, clause: str, sentence: str, asked: _Asked | None = None) -> Facet | None:
    """The first facet (in file order) the number fits whose cues are in its clause, or else in its sentence."""
    asked = asked or _Asked(k)
    possible = asked.possible
    candidates = []
    for f in k.facets:
        if m.kind not in f.kinds or (f.units and m.unit not in f.units) or (f.skip_single and m.singular):
            continue
        if f.id not in possible:
            possible[f.id] = _cues_possible(f, sentence)
        if possible[f.id]:
            candidates.append(f)
    # The clause first, then the whole sentence (when it is more than the clause).
    for text in (clause, sentence) if clause != sentence else (clause,):
        for facet in candidates:
            if not all(asked.found(c, text) for c in facet.cues):
                continue
            if facet.not_ is not None and asked.found(facet.not_, text):
                continue
            return facet
    return None


def _cues_possible(facet: Facet, sentence: str) -> bool:
    """False when a cue word of the facet is missing from the whole sentence (then neither the clause nor the sentence matches)."""
    if not all(c.may_match(sentence) for c in facet.cues):
        return False
    if any(stems is not None for stems in facet.cue_stems):
        starts = word_starts(sentence)
        return not any(stems is not None and starts.isdisjoint(stems) for stems in facet.cue_stems)
    return True


def _stated(m: Mention) -> tuple[float, ...]:
    if m.shape in ("range", "set"):
        return tuple(v for v in (m.written_low, m.written_high) if v is not None)
    if m.shape == "upper":
        return (m.high,) if m.high is not None else ()
    if m.shape == "lower":
        return (m.low,) if m.low is not None else ()
    return (m.low,) if m.low is not None else ()


def _place(doc: Document, s: Sentence, start: int, end: int) -> Place:
    line, col, end_line, end_col = span_position(doc, s, start, end)
    return Place(doc.path, line, col, end_line, end_col, s.index, s.text, tuple(s.claim_ids))


def _rows(doc: Document) -> dict[int, str]:
    rows: dict[int, list[str]] = {}
    for s in doc.sentences:
        if s.block == "table_cell":
            rows.setdefault(s.line, []).append(s.text)
    return {line: " | ".join(texts) for line, texts in rows.items()}


MAX_SENTENCE_CHARS = 2000
_SHARED: dict[int, tuple[Any, PageFacts]] = {}


def shared_page_facts(doc: Document) -> PageFacts:
    """`page_facts(doc)`, computed once per Document object and shared by the rules that need it."""
    key = id(doc)
    hit = _SHARED.get(key)
    if hit is not None and hit[0]() is doc:
        return hit[1]
    facts = page_facts(doc)
    _SHARED[key] = (weakref.ref(doc), facts)
    weakref.finalize(doc, _SHARED.pop, key, None)
    return facts


def page_facts(doc: Document, only: Callable[[Sentence], bool] | None = None) -> PageFacts:
    """Every number, category and regulatory status the page states, and its in-sentence range problems."""
    k = knowledge()
    out = PageFacts(doc.path)
    rows = None
    for s in doc.sentences:
        if s.is_question or (only is not None and not only(s)):
            continue
        text = s.text
        if len(text) > MAX_SENTENCE_CHARS:
            continue  # not prose (a pasted table or data dump); keeps the work per page bounded
        # The words are needed only to rule quantities out in a sentence without a digit, and
        # by the stem filters of the sentences that pass the needle tests.
        words = None if has_digit(text) else word_set(text)
        try:
            mentions = find_mentions(text, words)
            has_category = has_status = False
            if not s.is_heading:
                has_category = k.category_prefilter.may_match(text)
                has_status = k.reg["prefilter"].may_match(text)
                if has_category or has_status:
                    words = word_set(text) if words is None else words
                    has_category = has_category and _quick_search(k.category_prefilter, k.category_stems, text, words)
                    has_status = has_status and _quick_search(k.reg["prefilter"], k.reg["stems"], text, words)
            if not (mentions or has_category or has_status):
                continue
            if rows is None:
                rows = _rows(doc)
            ctx = _Context(row=rows.get(s.line, "") if s.block == "table_cell" else "", heading=s.heading)
            _sentence_facts(k, doc, s, text, mentions, has_category, has_status, ctx, out)
        except PatternTimeout as exc:
            out.timeouts.append((s.line, s.column, str(exc)))
    return out


def _quick_search(pattern: Sieved, stems: frozenset[str] | None, text: str, words: frozenset[str]) -> bool:
    """Does `pattern` match a text that its needles let through? The stem filter first, the search last."""
    return has_stem(words, stems) and bool(pattern.search_sifted(text))


def _states_a_number(m: Mention) -> bool:
    """Is this mention a value that can be a fact (not unitless, not a change, not an impossible share)?"""
    return not (m.kind is None or m.transition or m.change or (m.kind == "percent" and m.high is not None and m.high > 100))


def _sentence_facts(k, doc, s, text, mentions, has_category, has_status, ctx, out: PageFacts) -> None:
    for m in mentions:
        if m.inverted or m.negative or (m.kind == "percent" and m.high is not None and m.high > 100):
            _range_problems(doc, s, text, m, out)
    numbers = [m for m in mentions if _states_a_number(m)]
    if not (numbers or has_category or has_status):
        return  # only range problems: the clauses, contrast and study of the sentence are not needed
    asked = _Asked(k)
    spans = clauses(text)
    plain = asked.plain(text)
    place_key = f"{doc.path}:{s.line}:{s.index}"
    study = _study(k, text, place_key) or (_study(k, ctx.row, place_key) if ctx.row else None)
    for m in numbers:
        ci = _clause_of(spans, m.start)
        cs, ce = spans[ci]
        clause = text[cs:ce]
        facet = _assign_facet(k, m, clause, text, asked)
        if facet is None and not s.tags:
            continue  # only a tagged sentence's claim can still say what this number is about
        layers = [asked.plain(clause)]
        if _RELATIVE.match(clause) and ci > 0:
            layers.append(text[spans[ci - 1][0] : spans[ci - 1][1]])  # "which" is about the clause before
        # Then the sentence up to this clause: a later clause ("and 41.2% with ECT") is about something else.
        layers.append(plain[:ce])
        subject, explicit = subject_of(k, layers, ctx)
        low, high = m.interval()
        tolerance = m.tolerance
        if m.kind == "calendar-year":
            # A year is a date, not an amount: "about 1970" means a year or two either side, never 20%.
            if m.approx and not m.vague:
                low, high = low - 2, high + 2
            tolerance = 0.0
        if facet is not None and facet.threshold:
            limit = m.low if m.shape == "lower" else m.high if m.shape == "upper" else None
            if limit is not None:
                low = high = limit
        out.numbers.append(
            NumberFact(
                facet=facet.id if facet else None,
                kind=m.kind,
                unit=m.unit,
                low=low,
                high=high,
                tolerance=tolerance,
                shape=m.shape,
                text=m.text,
                subject=subject,
                explicit=explicit,
                study=study,
                clinic=asked.found(k.clinic, text),
                existential=asked.existential(clause),
                place=_place(doc, s, m.start, m.end),
                step=m.step,
                stated=_stated(m),
            )
        )
    if s.is_heading:
        return  # a heading names a topic ("Is it approved? Rules and the law"); it states no status
    if has_category:
        _category_facts(k, doc, s, text, spans, plain, study, ctx, out, asked)
    if has_status:
        out.statuses.extend(status_facts(k, doc, s, text, spans, ctx, asked))


class _Asked:
    """What was found in the texts of one sentence, remembered: its numbers and clauses ask again.

    Each answer depends only on the pattern and the text, so remembering it changes nothing.
    """

    def __init__(self, k: Knowledge):
        self.k = k
        self.possible: dict[str, bool] = {}  # facet id: are its cue words in the sentence at all
        self._found: dict[tuple[int, str], bool] = {}
        self._plain: dict[str, str] = {}
        self._existential: dict[str, bool] = {}
        self._entities: dict[str, set[str]] = {}

    def found(self, pattern, text: str) -> bool:
        """Does `pattern` match in `text`?"""
        key = (id(pattern), text)  # the patterns live as long as the knowledge
        hit = self._found.get(key)
        if hit is None:
            hit = self._found[key] = bool(pattern.search(text))
        return hit

    def plain(self, text: str) -> str:
        """`_without_contrast(text)`."""
        hit = self._plain.get(text)
        if hit is None:
            hit = self._plain[text] = _without_contrast(self.k, text)
        return hit

    def existential(self, clause: str) -> bool:
        hit = self._existential.get(clause)
        if hit is None:
            hit = self._existential[clause] = _existential(self.k, clause)
        return hit

    def entities(self, text: str) -> set[str]:
        """`_status_entities(text)` (a copy: callers may add to it)."""
        hit = self._entities.get(text)
        if hit is None:
            hit = self._entities[text] = _status_entities(self.k, text)
        return set(hit)


def _existential(k: Knowledge, clause: str) -> bool:
    """ "Some patients ...": a clause that says what can happen, not what usually happens."""
    if not k.existential.may_match(clause):
        return False
    if k.existential_stems is not None and word_starts(clause).isdisjoint(k.existential_stems):
        return False
    return bool(k.existential.search_sifted(clause))


def _range_problems(doc: Document, s: Sentence, text: str, m: Mention, out: PageFacts) -> None:
    place = None
    if m.inverted:
        place = _place(doc, s, m.start, m.end)
        lo, hi = describe_each(m.kind, [m.written_low, m.written_high])
        same = f" ({lo} to {hi})" if m.kind not in (None, "count", "rate") else ""
        out.problems.append(
            RangeProblem(
                "inverted",
                m.text,
                f"Inverted range: \u201c{m.text}\u201d goes from the larger value down to the smaller{same}. "
                f"Write the smaller value first, or fix the number that is wrong.",
                place,
            )
        )
    if m.negative and (m.kind in NON_NEGATIVE or m.kind is None):
        place = place or _place(doc, s, m.start, m.end)
        what = {"time": "A duration", "percent": "A share of people", "count": "A count", "currency": "A price", "dose": "A dose"}.get(
            m.kind or "", "This quantity"
        )
        out.problems.append(
            RangeProblem("negative", m.text, f"Impossible value: \u201c{m.text}\u201d is negative. {what} cannot be below zero.", place)
        )
    if m.kind == "percent" and m.high is not None and m.high > 100 and percent_share(text, m):
        place = place or _place(doc, s, m.start, m.end)
        out.problems.append(
            RangeProblem(
                "over-100-percent",
                m.text,
                f"Impossible value: \u201c{m.text}\u201d of people is more than 100%. A share of patients cannot exceed 100%; "
                f"if this is an increase, say so (\u201ca 120% increase\u201d).",
                place,
            )
        )


def _category_facts(k, doc, s, text, spans, plain, study, ctx, out: PageFacts, asked: _Asked | None = None) -> None:
    asked = asked or _Asked(k)
    starts = word_starts(text)
    for cat in k.categories:
        if cat.stems is not None and starts.isdisjoint(cat.stems):
            continue
        for ci, (cs, ce) in enumerate(spans):
            clause = text[cs:ce]
            if not asked.found(cat.any_value, clause):
                continue
            if not any(asked.found(c, clause) or asked.found(c, text) for c in cat.cues) and cat.cues:
                continue
            values = []
            first = None
            for vid, pattern in cat.values:
                for vm in pattern.finditer(clause):
                    if k.value_negators.search(clause[max(0, vm.start() - 80) : vm.start()]):
                        continue  # "rather than serotonin", "You will not ... take home"
                    values.append(vid)
                    first = vm if first is None or vm.start() < first.start() else first
                    break
            if not values:
                continue
            subject, _ = subject_of(k, [asked.plain(clause), plain[:ce]], ctx)
            if asked.found(k.existential, clause):
                continue
            out.categories.append(
                CategoryFact(
                    facet=cat.id,
                    values=tuple(sorted(set(values))),
                    text=clause.strip(),
                    subject=subject,
                    study=study,
                    place=_place(doc, s, cs + first.start(), cs + first.end()),
                )
            )


def status_facts(k: Knowledge, doc, s: Sentence, text: str, spans, ctx: _Context, asked: _Asked | None = None) -> list[StatusFact]:
    asked = asked or _Asked(k)
    reg = k.reg
    if asked.found(reg["reporting"], text):
        return []  # "Be wary of clinics that claim ..." reports someone else's statement
    found: list[StatusFact] = []
    polarity: bool | None = None
    regulator: str | None = None
    indication_dim = k.dimensions["indication"]
    previous: set[str] = set()  # the indications of the sentence's last status clause
    for ci, (cs, ce) in enumerate(spans):
        clause = text[cs:ce]
        approval = None
        for am in reg["approval"].finditer(clause):
            other = reg["other_approvers"].search(clause[am.start() :])
            if other is not None and other.start() == 0:
                continue  # "approved by your doctor"
            approval = am
            break
        off_label = reg["off_label"].search(clause)
        if approval is not None:
            polarity = not reg["negation"].search(clause[: approval.start()])
        elif off_label is not None:
            polarity = False
        elif polarity is not None and _CONTINUATION.match(clause):
            # ", and Spravato for depression" keeps the status; ", not for depression" negates it.
            if re.match(r"^\s*,?\s*not\b", clause, re.IGNORECASE):
                polarity = False
        else:
            polarity = None
            continue
        anchor = approval or off_label
        for name, pattern in reg["regulators"]:
            if asked.found(pattern, clause) or asked.found(pattern, text):
                regulator = name
                break
        clause_plain = asked.plain(clause)
        entities = asked.entities(clause_plain) or asked.entities(asked.plain(text))
        if not entities and ctx.row:
            entities = asked.entities(ctx.row)
        if not entities and ctx.heading:
            entities = asked.entities(ctx.heading)
        if not entities:
            continue
        indications = _dimension_values(k, indication_dim, clause_plain)
        if anchor is None and not indications:
            continue  # a continuation clause says something new only if it names an indication
        if not indications and previous:
            indications = previous  # "Not approved for low mood, so this use is off-label"
        if not indications:
            # "X is a treatment for depression - but is used off-label": the use is named in a
            # clause that states no status itself, or in the other cells of a table row.
            free = " ".join(text[a:b] for a, b in spans if not _states_status(k, text[a:b]))
            indications = _dimension_values(k, indication_dim, _without_contrast(k, free))
            if not indications and ctx.row:
                others = " ".join(cell for cell in ctx.row.split(" | ") if cell != text)
                indications = _dimension_values(k, indication_dim, others)
        previous = set(indications)
        start = cs + (anchor.start() if anchor else 0)
        end = cs + (anchor.end() if anchor else len(clause))
        for entity in sorted(entities):
            for indication in sorted(indications) or [None]:
                if any((f.entity, f.indication, f.approved) == (entity, indication, bool(polarity)) for f in found):
                    continue  # said twice in one sentence ("Not approved for X, so this use is off-label")
                found.append(
                    StatusFact(
                        entity=entity,
                        regulator=regulator or reg["default_regulator"],
                        indication=indication,
                        approved=bool(polarity),
                        text=clause.strip(),
                        place=_place(doc, s, start, end),
                    )
                )
    return found


def _states_status(k: Knowledge, clause: str) -> bool:
    reg = k.reg
    return bool(reg["prefilter"].search(clause) or re.match(r"\s*,?\s*not\b", clause, re.IGNORECASE))


def _status_entities(k: Knowledge, text: str) -> set[str]:
    reg = k.reg
    dim = k.dimensions["entity"]
    found = _dimension_values(k, dim, text) & {"esketamine", "oral-ketamine"}
    mentions_drug = reg["drug_mention"].search(text)
    if "esketamine" in found:
        # "a ketamine-based nasal spray (esketamine)" is esketamine only;
        # "a nasal spray and an I.V. infusion" names racemic ketamine too.
        if reg["racemic_marker"].search(text):
            found.add(dim.default)
        return found
    if found:
        return found
    return {dim.default} if mentions_drug else set()


def normalise_claim_subject(text: str | None) -> tuple[dict[str, str], str | None]:
    """A claim fact's free-text subject ("esketamine", "depression-ketamine-arm-elektd-trial") as dimension values."""
    if not text:
        return {}, None
    k = knowledge()
    words = text.replace("-", " ")
    values = {}
    for dim in k.dimensions.values():
        picked = _pick(dim, _dimension_values(k, dim, words))
        if picked:
            values[dim.id] = picked
    study = None
    if re.search(r"\b(?:study|trial|arm)\b", words, re.IGNORECASE):
        study = "claim:" + text
    return values, study


def entity_of(text: str | None) -> str:
    k = knowledge()
    dim = k.dimensions["entity"]
    if not text:
        return dim.default
    return _pick(dim, _dimension_values(k, dim, text.replace("-", " "))) or dim.default


def indication_of(text: str | None) -> str | None:
    if not text:
        return None
    k = knowledge()
    dim = k.dimensions["indication"]
    return _pick(dim, _dimension_values(k, dim, text.replace("-", " ")))


def umbrella_children(indication: str | None) -> tuple[str, ...]:
    if indication is None:
        return ()
    return knowledge().reg["umbrella"].get(indication, ())


def related_indications(a: str | None, b: str | None) -> bool:
    """Same indication, or one is an umbrella that covers the other ("any psychiatric disorder" and depression)."""
    if a == b:
        return True
    if a is None or b is None:
        return False
    return b in umbrella_children(a) or a in umbrella_children(b)


def facet_by_name(name: str) -> Facet | None:
    return knowledge().by_id.get(name)


def unit_form(unit: str) -> Any:
    """The kind and base-unit factor of a unit as claims/*.yml writes it ("minute", "mg/kg", "infusion")."""
    from .grammar import _units

    forms, pattern = _units()
    m = pattern.fullmatch(" " + unit.strip()) or pattern.fullmatch(unit.strip())
    if m:
        for name, value in m.groupdict().items():
            if value is not None:
                return forms[int(name[1:])]
    return None
