"""Patterns from data files and config, compiled once and searched with a time limit.

The `regex` module's `timeout` bounds every search, so a pathological pattern
or a hostile 200 KB line cannot hang a run: the search gives up and the caller
reports that instead of matching.

Most sentences match none of a rule's patterns, and a regular expression with
dozens of alternatives costs tens of microseconds to rule out. So each pattern
also knows which literal pieces of text ("needles") a text must hold for it to
match, worked out from the pattern itself ("side effects" or "side-effect",
and "no" or "zero" before it), and a `Scanner` finds the needles of many
patterns in a sentence in one Aho-Corasick pass. A pattern whose needles are
not in a sentence is not searched there: it cannot match. Where a pattern is
searched, it is searched as before, time limit included.
"""

from __future__ import annotations

import unicodedata
import warnings
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any, Collection, Iterable, Iterator

import ahocorasick
import regex

from . import regex_recipes
from .errors import UsageError
from .prepared import prepared
from .yamlio import YamlError, load_fast

try:  # the standard library's regular-expression parser: read, never used to match
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

SEARCH_TIMEOUT = 0.5  # seconds, per search of one sentence


class PatternTimeout(Exception):
    """A search ran past SEARCH_TIMEOUT."""


@dataclass(frozen=True)
class Pattern:
    """A pattern from a data file or config: its source, where it comes from, and its flags.

    `compile_pattern` compiles it at once, so that a bad pattern is reported when its
    data is loaded. A pattern read back from the prepared store (linters/prepared.py),
    where a rule's data is kept compiled and checked, is made again only when it is
    first searched, and from its recipe (`regex_recipes`), not by parsing it again.
    """

    source: str
    where: str  # "data file: entry" for error messages
    flags: int = regex.IGNORECASE

    @cached_property
    def compiled(self) -> Any:
        recipe = self.__dict__.get("recipe")
        if recipe is not None:
            made = regex_recipes.make(self.source, self.flags, recipe)
            if made is not None:
                return made
        made, recipe = regex_recipes.compile_recording(self.source, self.flags)
        if recipe is not None:
            self.__dict__["recipe"] = recipe  # kept in the prepared store with the pattern (see `regex_recipes`)
        return made

    @cached_property
    def prefilter(self) -> "Filter":
        """What a text must hold for this pattern to match in it (see `read_prefilter`)."""
        return read_prefilter(self.source, self.compiled.flags)

    def __getstate__(self) -> dict:
        """Pickled without the compiled form: its recipe and prefilter, once worked out, are kept."""
        return {k: v for k, v in self.__dict__.items() if k != "compiled"}

    def finditer(self, text: str, pos: int = 0) -> Iterator[Any]:
        try:
            yield from self.compiled.finditer(text, pos, timeout=SEARCH_TIMEOUT)
        except TimeoutError:
            raise PatternTimeout(self.where) from None

    def match(self, text: str, pos: int = 0):
        try:
            return self.compiled.match(text, pos, timeout=SEARCH_TIMEOUT)
        except TimeoutError:
            raise PatternTimeout(self.where) from None

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        try:
            return self.compiled.search(text, pos, len(text) if endpos is None else endpos, timeout=SEARCH_TIMEOUT)
        except TimeoutError:
            raise PatternTimeout(self.where) from None


def compile_pattern(source: str, where: str, flags: int = regex.IGNORECASE) -> Pattern:
    if not isinstance(source, str) or not source:
        raise UsageError(f"{where}: pattern must be a non-empty string")
    pattern = Pattern(source, where, flags)
    try:
        pattern.compiled  # now, so that a bad pattern is reported where its data is loaded
    except regex.error as exc:
        raise UsageError(f"{where}: invalid pattern {source!r}: {exc}") from None
    return pattern


def words_pattern(words: list[str], where: str) -> Pattern:
    """A pattern matching any of `words` (each a regex fragment) as whole words."""
    return compile_pattern(r"\b(?:" + "|".join(words) + r")\b", where)


# --- prefilters: what a text must hold for a pattern to match --------------------------

# Characters a case-insensitive `regex` search matches with an ASCII letter although their
# lowercase is not that letter (Turkish dotted and dotless i, the long s). Mapped before
# lowering, so that a needle found in the original is found in the folded text.
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def fold(text: str) -> str:
    """`text` as needles are looked for in it: lowercase, with the letters above folded (same length)."""
    return text.lower() if text.isascii() else text.translate(_FOLD).lower()


@dataclass(frozen=True)
class Needles:
    """Lowercase strings of which a text must hold one (at its very start, if `at_start`)."""

    strings: frozenset[str]
    at_start: bool = False


# A prefilter in disjunctive normal form: a pattern can match a text only if, for some
# term, the text holds every `Needles` of the term. `ANYTHING` (one empty term) rules
# nothing out.
Term = frozenset[Needles]
Filter = frozenset[Term]
ANYTHING: Filter = frozenset({frozenset()})

# Flags under which the parse below means what `regex` means (no full case folding, no fuzzy matching).
_KNOWN_FLAGS = regex.IGNORECASE | regex.MULTILINE | regex.DOTALL | regex.VERBOSE | regex.UNICODE | regex.ASCII | regex.VERSION0
_MAX_SPELLED = 256  # strings kept when spelling out a run of literals ("side" + "[- ]" + "effect")
_MAX_TERMS = 64  # terms a filter keeps; past that, conditions are dropped (the filter lets more through)
_CHAR_CLASS = 8  # a set of up to this many plain characters ([- ], [sz]) is spelled out
_BRACES = (ord("{"), ord("}"))
_STARTS = (_sre.AT_BEGINNING, _sre.AT_BEGINNING_STRING)

# What the analysis knows of a node: (spelled, filter). `spelled` is every string the node
# can match, when they are few and of plain characters (see `_plain`), else None.
_Info = tuple[frozenset[str] | None, Filter]
_ANY: _Info = (None, ANYTHING)
_NOTHING = frozenset({""})
_EMPTY: _Info = (_NOTHING, ANYTHING)


def read_prefilter(source: str, flags: int) -> Filter:
    """What a text must hold for `source` to match in it (searched from its start), read from its syntax tree.

    The standard library's parser reads the pattern. It parses the common syntax
    the way `regex` does (version 0); anything it does not know (`\\p{..}`, fuzzy
    matching, POSIX classes, which it warns about) gives `ANYTHING`, and then the
    pattern is always searched. Every step may only weaken what is required,
    never invent a requirement, so a text the filter rules out cannot match.
    """
    if flags & ~_KNOWN_FLAGS:
        return ANYTHING
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tree = _sre_parse.parse(source, _sre.SRE_FLAG_VERBOSE if flags & regex.VERBOSE else 0)
        multiline = (flags & regex.MULTILINE) or (tree.state.flags & _sre.SRE_FLAG_MULTILINE)
        spelled, found = _Reader(anchors=not multiline).sequence(tree)
    except Exception:  # anything the standard parser does not read as `regex` does
        return ANYTHING
    return _absorb(frozenset(_prune(term) for term in _and(found, _require(spelled))))


class _Unsure(Exception):
    """The pattern uses syntax whose meaning the analysis does not vouch for."""


def _useful(strings: frozenset[str], at_start: bool = False) -> bool:
    """Worth requiring: no empty string, and (anywhere in a text) no lone letter or space."""
    if at_start:
        return "" not in strings
    return all(s and not (len(s) == 1 and (s.isalpha() or s.isspace())) for s in strings)


def _minimal(strings: frozenset[str]) -> frozenset[str]:
    """Drop strings that contain a shorter one of the set: "cures" is found wherever "cure" is."""
    if len(strings) > 1024:
        return strings  # not worth the time: the set is right as it is, only longer
    kept: list[str] = []
    for s in sorted(strings, key=len):
        if not any(k in s for k in kept):
            kept.append(s)
    return frozenset(kept)


def _require(strings: frozenset[str] | None, at_start: bool = False) -> Filter:
    """The filter "the text holds one of `strings`", or ANYTHING if that is not worth asking."""
    if strings is None or not _useful(strings, at_start):
        return ANYTHING
    if at_start:
        return frozenset({frozenset({Needles(frozenset(strings), True)})})
    return frozenset({frozenset({Needles(_minimal(strings))})})


def _likelihood(f: Filter) -> float:
    """A rough chance that a sentence passes `f`: each letter makes a string ten times rarer, a space three."""

    def one(n: Needles) -> float:
        chance = sum(0.1 ** sum(c.isalnum() for c in s) * 0.3 ** sum(not c.isalnum() for c in s) for s in n.strings)
        return chance * (0.1 if n.at_start else 1)

    total = 0.0
    for term in f:
        chance = 1.0
        for n in term:
            chance *= one(n)
        total += chance
    return total


def _and(a: Filter, b: Filter) -> Filter:
    if a == ANYTHING:
        return b
    if b == ANYTHING:
        return a
    terms = frozenset(x | y for x in a for y in b)
    if len(terms) > _MAX_TERMS:
        return min(a, b, key=_likelihood)  # requiring less is always safe
    return _absorb(terms)


def _or(filters: list[Filter]) -> Filter:
    if any(frozenset() in f for f in filters):
        return ANYTHING
    terms = frozenset().union(*filters)
    if len(terms) > 16 * _MAX_TERMS:
        return _weakened(terms)
    terms = _absorb(terms)
    # Terms of one needle set each merge into one set: "holds one of A, or one of B".
    for at_start in (False, True):
        single = [t for t in terms if len(t) == 1 and next(iter(t)).at_start == at_start]
        if len(single) > 1:
            merged = frozenset().union(*(next(iter(t)).strings for t in single))
            strings = merged if at_start else _minimal(merged)
            terms = (terms - frozenset(single)) | {frozenset({Needles(strings, at_start)})}
    if len(terms) > _MAX_TERMS:
        return _weakened(terms)
    return terms


def _weakened(terms: frozenset[Term]) -> Filter:
    """One needle set that each of `terms` implies: the union of each term's least likely set, found anywhere."""
    best = [min(term, key=lambda n: _likelihood(frozenset({frozenset({n})}))) for term in terms]
    return _require(frozenset().union(*(n.strings for n in best)))


def _implies(b: Needles, a: Needles) -> bool:
    """Does every text that holds `b` hold `a`?"""
    if len(a.strings) * len(b.strings) > 4096 or (a.at_start and not b.at_start):
        return False  # not worth working out
    if a.at_start:
        return all(any(s.startswith(x) for x in a.strings) for s in b.strings)
    return all(any(x in s for x in a.strings) for s in b.strings)


def _prune(term: Term) -> Term:
    """Drop the needle sets of a term that another of its sets implies: fewer, longer needles to look for."""
    kept = set(term)
    for a in term:
        if any(b is not a and b in kept and _implies(b, a) for b in term):
            kept.discard(a)
    return frozenset(kept)


def _absorb(terms: frozenset[Term]) -> frozenset[Term]:
    """Drop a term that asks for more than another ("A, or A and B" is "A")."""
    return frozenset(t for t in terms if not any(o < t for o in terms))


class _Reader:
    """Reads a parsed pattern into (spelled, filter), node by node."""

    def __init__(self, anchors: bool):
        self.anchors = anchors  # `^` means the start of the text (no MULTILINE)

    def sequence(self, items, at_start: bool = False) -> _Info:
        """Nodes one after the other: literal runs are spelled out; every part's filter is required.

        `at_start`: the nodes begin at the start of the text (they follow a `^`).
        """
        found = ANYTHING
        run: frozenset[str] | None = frozenset({""})
        tail = ""  # plain letters after `run`, not yet added to it
        exact = True
        for op, av in items:
            if op is _sre.LITERAL and _plain(av):
                if run is None:
                    run = frozenset({""})
                tail += chr(av).lower()
                continue
            if tail:
                run = frozenset(a + tail for a in run)
                tail = ""
            if op is _sre.AT and av in _STARTS and self.anchors:
                # `^`: what follows begins the text.
                found = _and(found, _require(run, at_start))
                run, at_start, exact = frozenset({""}), True, False
                continue
            spelled, more = self.node(op, av, at_start and run == _NOTHING)
            found = _and(found, more)
            if spelled is not None and run is not None and len(run) * len(spelled) <= _MAX_SPELLED:
                run = frozenset(a + b for a in run for b in spelled)
                continue
            exact = False
            found = _and(found, _require(run, at_start))
            run = spelled if spelled is not None and len(spelled) <= _MAX_SPELLED else None
            at_start = False
        if tail:
            run = frozenset(a + tail for a in run)
        if exact:
            return run, found
        return None, _and(found, _require(run, at_start))

    def branch(self, alternatives, at_start: bool) -> _Info:
        infos = [self.sequence(alt, at_start) for alt in alternatives]
        spelled = None
        if all(s is not None for s, _ in infos):
            spelled = frozenset().union(*(s for s, _ in infos))
            if len(spelled) > _MAX_SPELLED:
                spelled = None
        return spelled, _or([_and(f, _require(s, at_start)) for s, f in infos])

    def node(self, op, av, at_start: bool = False) -> _Info:
        """One node; `at_start`: it begins at the start of the text."""
        if op is _sre.LITERAL:
            if av in _BRACES:
                raise _Unsure("a literal brace: `regex` may read it as fuzzy matching")
            return _ANY  # a letter outside ASCII: its case variants are not worked out here
        if op is _sre.IN:
            return _char_class(av)
        if op is _sre.BRANCH:
            return self.branch(av[1], at_start)
        if op is _sre.SUBPATTERN:
            if av[1] & _sre.SRE_FLAG_MULTILINE:
                raise _Unsure("a group with its own MULTILINE flag")
            return self.sequence(av[-1], at_start)
        if op is getattr(_sre, "ATOMIC_GROUP", None):
            return self.sequence(av, at_start)
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
            low, high, item = av
            spelled, found = _Reader(anchors=False).sequence(item)  # a `^` inside a loop: not worked out
            if low == 0:
                return (spelled | {""}, ANYTHING) if high == 1 and spelled is not None else _ANY
            if low == high == 1:
                return spelled, found
            return None, _and(found, _require(spelled))
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            return _EMPTY  # zero-width: matches no text of its own
        return _ANY  # any character, a negated literal, a back-reference, a conditional


def _plain(code: int) -> bool:
    """A character the analysis spells out: ASCII (folded as `fold` does), or punctuation and spaces,
    which have no case, so a case-insensitive search matches them only with themselves."""
    if code <= 0x7F:
        return code not in _BRACES
    return unicodedata.category(chr(code))[0] in "PZ"


def _char_class(items) -> _Info:
    chars = set()
    for op, av in items:
        if op is not _sre.LITERAL or not _plain(av):
            return _ANY  # a range, a category (\w, \d), a negation or a letter outside ASCII
        chars.add(chr(av).lower())
    return (frozenset(chars), ANYTHING) if len(chars) <= _CHAR_CLASS else _ANY


class Scanner:
    """Tells, in one pass over a text, which of a group of patterns can match it.

    `scan(text)` gives a `Scan`, whose `search` and `finditer` skip at once a
    pattern that cannot match and otherwise search it with its time limit.
    Aho-Corasick is linear in the text, so hostile input cannot slow it down.
    Each needle set of every filter is one bit; a text's bits are those of the
    needle sets it holds, and a term holds when all its bits are set.
    """

    def __init__(self, patterns: Iterable[Pattern]):
        self._patterns = list(patterns)  # kept alive: they are known by id
        bits: dict[Needles, int] = {}
        users: dict[Needles, set[int]] = {}  # needle set → the patterns whose filter has it
        self._terms: dict[int, tuple[int, ...]] = {}  # pattern id → the bits of each term of its filter
        self._single: set[int] = set()  # patterns whose filter is one needle set: held, it may match
        for p in self._patterns:
            if p.prefilter == ANYTHING:
                continue
            terms = []
            for term in p.prefilter:
                mask = 0
                for needles in term:
                    mask |= 1 << bits.setdefault(needles, len(bits))
                    users.setdefault(needles, set()).add(id(p))
                terms.append(mask)
            self._terms[id(p)] = tuple(terms)
            if len(p.prefilter) == 1 and len(next(iter(p.prefilter))) == 1:
                self._single.add(id(p))
        self.filtered = frozenset(self._terms)
        # needle → (its bits, the patterns it concerns), found anywhere or found at the start of a text
        anywhere: dict[str, tuple[int, frozenset[int]]] = {}
        at_start: dict[str, tuple[int, frozenset[int]]] = {}
        for needles, bit in bits.items():
            table = at_start if needles.at_start else anywhere
            for s in needles.strings:
                old_bits, old_users = table.get(s, (0, frozenset()))
                table[s] = (old_bits | 1 << bit, old_users | users[needles])
        self._anywhere = _automaton(anywhere)
        self._at_start = _automaton({s: (b, u, len(s)) for s, (b, u) in at_start.items()})
        self._start_length = max(map(len, at_start), default=0)

    def __reduce__(self):
        """Pickled as its patterns: the automaton and the bits know them by `id`, which a new process changes."""
        return Scanner, (self._patterns,)

    def scan(self, text: str) -> "Scan":
        held = 0
        touched: set[int] = set()
        if text and (self._anywhere is not None or self._at_start is not None):
            folded = fold(text)
            if self._anywhere is not None:
                for _, (bits, users) in self._anywhere.iter(folded):
                    held |= bits
                    touched |= users
            if self._at_start is not None:
                for end, (bits, users, length) in self._at_start.iter(folded, 0, self._start_length):
                    if end < length:  # the needle begins the text
                        held |= bits
                        touched |= users
        possible = touched & self._single
        for pid in touched - self._single:
            for mask in self._terms[pid]:
                if held & mask == mask:
                    possible.add(pid)
                    break
        return Scan(self, text, possible)


def _automaton(needles: dict[str, Any]):
    """An Aho-Corasick automaton of needle → value."""
    if not needles:
        return None
    automaton = ahocorasick.Automaton()
    for needle, value in needles.items():
        automaton.add_word(needle, value)
    automaton.make_automaton()
    return automaton


class Scan:
    """One text, and which of a Scanner's patterns may match it."""

    __slots__ = ("scanner", "text", "_possible", "_filtered")

    def __init__(self, scanner: Scanner, text: str, possible: set[int]):
        self.scanner = scanner  # keeps the patterns known by id alive
        self.text = text
        self._possible = possible
        self._filtered = scanner.filtered

    def may_match(self, pattern: Pattern) -> bool:
        """False only when the pattern cannot match this text (a pattern the scanner was not built with: True)."""
        pid = id(pattern)
        return pid in self._possible or pid not in self._filtered

    def may_match_any(self, patterns: Collection[Pattern]) -> bool:
        return not self._possible.isdisjoint(map(id, patterns)) or not self._filtered.issuperset(map(id, patterns))

    def search(self, pattern: Pattern):
        pid = id(pattern)
        if pid in self._possible or pid not in self._filtered:
            return pattern.search(self.text)
        return None

    def finditer(self, pattern: Pattern) -> Iterator[Any]:
        return pattern.finditer(self.text) if self.may_match(pattern) else iter(())


@lru_cache(maxsize=None)
def load_data(name: str) -> Any:
    """A YAML data file shipped in `linters/data/`, parsed once per version of its text (see linters/prepared.py)."""
    try:
        text = resources.files("linters.data").joinpath(name).read_text("utf-8")
    except FileNotFoundError:
        raise UsageError(f"linters/data/{name}: data file is missing (reinstall the package)") from None
    return prepared("data_" + name.replace(".", "_").replace("-", "_"), lambda: _parse_data(name, text), inputs=text)


def _parse_data(name: str, text: str) -> Any:
    """Read with libyaml, ten times faster than ruamel's pure-Python reader; tests/test_shipped_data.py
    holds every shipped file to the values ruamel's YAML 1.2 reading gives (and to no duplicate keys)."""
    try:
        return load_fast(text)
    except YamlError as exc:
        raise UsageError(f"linters/data/{name}:{exc.line + 1}: {exc.problem}") from None
