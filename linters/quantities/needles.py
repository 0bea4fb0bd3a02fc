"""What a data pattern cannot match without: quick, exact filters in front of the `regex` search.

A search of a data pattern costs tens of microseconds per sentence: its
alternatives start with look-behinds and case-insensitive letters, so the
engine tries them at every position. Most sentences contain none of the words
a pattern is about, and a substring test tells that in a microsecond. So each
pattern gets, derived from its source (an editor never keeps a second list in
step):

- `needles`: lowercase strings, one of which every match contains. A text with
  none of them is not searched.
- `leading`: lowercase strings every match starts with. For a pattern that
  can only match at the start of a word (`(?<![\\w-])...` or `\\b...`, as every
  facet, category and dimension pattern does), the engine is asked to match
  only where a word starts with one of them, instead of searching the whole
  text.

Texts are compared lowercased, with the few characters outside ASCII that
`regex` matches with an ASCII letter when ignoring case mapped to that letter.
The derivation only claims what the pattern guarantees: a run of literal
characters that no quantifier makes optional, or a required group all of
whose alternatives have one. Anything it does not fully understand
(back-references, conditionals, verbose mode, unusual escapes, nested sets,
full case-folding) gives None, and the pattern is searched as before. The
time limit stays: the matches tried at the candidate places share one
SEARCH_TIMEOUT.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any, Iterator, NamedTuple

import regex

from ..patterns import SEARCH_TIMEOUT, Pattern, PatternTimeout, fold  # fold: texts as needles are looked for in them

# The only characters outside ASCII that `regex` matches with an ASCII letter when ignoring case
# (checked over every code point): capital I with dot, long s, the Kelvin sign; and the dotless i,
# which the standard `re` module matches with i.
_ASCII_PARTNERS = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}
# Pattern characters that match only themselves (or, letters, their other case).
_PLAIN = re.compile(r"[A-Za-z0-9 !\"#%&',\-/:;<=>@_`~\]}]+")
# Escapes that stand for a class of characters, or for a position; never for a letter.
_CLASS_ESCAPES = frozenset("sSwWdDntrfv")
_POSITION_ESCAPES = frozenset("bBmMAZ")
_QUANTIFIER = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")
_NAMED = re.compile(r"\?P?<\w+>")
# Scoped and inline flags that keep one pattern letter to one text letter (full case-folding,
# fuzzy matching, verbose mode and version 1 sets do not, so they are not modelled).
_FLAGS = re.compile(r"\?([aiLmsuw-]*)([:)])")
_UNMODELLED_FLAGS = regex.VERBOSE | regex.V1 | regex.FULLCASE | regex.BESTMATCH | regex.ENHANCEMATCH | regex.REVERSE
_MAX_PREFIXES = 16  # how many spellings of a word's beginning are worth telling apart
# The start of a word as the data patterns write it.
WORD_START = r"(?<![\w-])"


# ---------------------------------------------------------------- reading a pattern


class _Unknown(Exception):
    """The pattern uses syntax the derivation does not model."""


class _Item(NamedTuple):
    kind: str  # chars | wide (one character outside ASCII) | group | zero (look-around, anchor, flag) | other
    text: str = ""  # chars: lowercase; wide: the character; zero: the escape ("\\b"), if one
    alts: tuple = ()  # group: its alternatives, each a list of items
    required: bool = True  # not made optional by a quantifier
    repeated: bool = False  # may occur more than once


def _parse(src: str) -> list[list[_Item]]:
    alts, end = _alternatives(src, 0, 0)
    if end != len(src):
        raise _Unknown
    return alts


def _alternatives(src: str, i: int, depth: int) -> tuple[list[list[_Item]], int]:
    """The alternatives up to the `)` that closes this depth (or the end of the pattern)."""
    alts: list[list[_Item]] = [[]]
    n = len(src)
    while i < n:
        c = src[i]
        if c == "|":
            alts.append([])
            i += 1
            continue
        if c == ")":
            if depth == 0:
                raise _Unknown
            return alts, i
        plain = _PLAIN.match(src, i)
        if plain:
            end = plain.end()
            if end < n and src[end] in "?*+{":
                end -= 1  # the quantifier applies to the last character alone
                if end > i:
                    alts[-1].append(_Item("chars", src[i:end].lower()))
                item, i = _Item("chars", src[end].lower()), end + 1
            else:
                alts[-1].append(_Item("chars", src[i:end].lower()))
                i = end
                continue
        elif c == "(":
            item, i = _group(src, i, depth)
        elif c == "[":
            item, i = _Item("other"), _class_end(src, i)
        elif c == "\\":
            nxt = src[i + 1]
            if nxt in _POSITION_ESCAPES:
                item = _Item("zero", "\\" + nxt)
            elif nxt in _CLASS_ESCAPES:
                item = _Item("other")
            elif not nxt.isalnum():
                item = _Item("chars", nxt) if nxt.isascii() and nxt.isprintable() else _Item("wide", nxt)
            else:
                raise _Unknown  # \x41, \N{...}, \p{...}, back-references: may stand for a letter
            i += 2
        elif c in "*+?{":
            raise _Unknown
        elif c in "^$":
            item, i = _Item("zero"), i + 1
        elif c == "." or c.isascii():
            item, i = _Item("other"), i + 1  # any character; or a control character written as is
        else:
            item, i = _Item("wide", c), i + 1
        required, repeated, i = _quantifier(src, i)
        alts[-1].append(item._replace(required=required, repeated=repeated))
    if depth:
        raise _Unknown
    return alts, i


def _group(src: str, i: int, depth: int) -> tuple[_Item, int]:
    i += 1
    consumes = True
    if src.startswith("?", i):
        if src.startswith(("?:", "?>"), i):
            i += 2
        elif src.startswith(("?=", "?!"), i):
            i, consumes = i + 2, False
        elif src.startswith(("?<=", "?<!"), i):
            i, consumes = i + 3, False
        elif m := _NAMED.match(src, i):
            i = m.end()
        elif m := _FLAGS.match(src, i):
            if m.group(2) == ")":
                return _Item("zero"), m.end()  # a flag for what follows: matches nothing itself
            i = m.end()
        else:
            raise _Unknown  # comments, conditionals, recursion, branch reset, ...
    alts, i = _alternatives(src, i, depth + 1)
    return (_Item("group", alts=tuple(alts)) if consumes else _Item("zero")), i + 1


def _class_end(src: str, i: int) -> int:
    i += 1
    if src.startswith("^", i):
        i += 1
    if src.startswith("]", i):
        i += 1  # a `]` first in a set is a literal
    while src[i] != "]":
        if src[i] == "[":
            raise _Unknown  # nested sets or POSIX classes: not modelled
        i += 2 if src[i] == "\\" else 1
    return i + 1


def _quantifier(src: str, i: int) -> tuple[bool, bool, int]:
    """(required at least once, may repeat, index after the quantifier)."""
    if i < len(src) and src[i] in "?*+":
        required, repeated = src[i] == "+", src[i] != "?"
        i += 1
    elif i < len(src) and src[i] == "{":
        m = _QUANTIFIER.match(src, i)
        if not m or (not m.group(1) and not m.group(2)):
            raise _Unknown  # a literal brace or fuzzy matching
        required, repeated = int(m.group(1) or 0) >= 1, True
        i = m.end()
    else:
        return True, False, i
    if i < len(src) and src[i] in "?+":
        i += 1  # lazy or possessive
    return required, repeated, i


# ---------------------------------------------------------------- what every match holds


def _best(alt: list[_Item]) -> frozenset[str] | None:
    """The most selective needles of one alternative: a run of characters, or a required group's needles."""
    candidates: list[frozenset[str]] = []
    run = ""
    for item in alt:
        if item.kind == "zero":
            continue  # matches no character: the characters on either side are still adjacent
        if item.kind == "chars" and item.required:
            run += item.text
            if not item.repeated:
                continue
        if run:
            candidates.append(frozenset([run]))
            run = ""
        if item.kind == "group" and item.required:
            needles = _union(item.alts, _best)
            if needles:
                candidates.append(needles)
    if run:
        candidates.append(frozenset([run]))
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(map(len, c)), -len(c)))


def _first(alt: list[_Item], ascii_only: bool = False) -> frozenset[str] | None:
    """The beginnings every match of one alternative starts with ("I\\.?V" starts with "iv" or "i.v").

    With `ascii_only`, only of the matches that start with an ASCII character:
    an alternative that starts with a character outside ASCII adds none.
    """
    items = [item for item in alt if item.kind != "zero"]  # they match no character
    if items and items[0].kind == "group":
        return _union(items[0].alts, lambda a: _first(a, ascii_only)) if items[0].required else None
    if items and items[0].kind == "wide":
        # Ignoring case, `regex` matches no ASCII character with one outside it but the partners.
        return frozenset() if ascii_only and items[0].required and items[0].text not in _ASCII_PARTNERS else None
    prefixes = {""}
    for item in items:
        if item.kind != "chars" or len(prefixes) > _MAX_PREFIXES:
            break
        if item.required:
            prefixes = {p + item.text for p in prefixes}
        elif not item.repeated:
            prefixes |= {p + item.text for p in prefixes}  # "s?": with it and without it
        else:
            break  # "s*": the next character is not known
        if item.repeated:
            break  # "s+": one s is certain, what follows it is not
    if "" in prefixes:
        return None
    return _shortest(prefixes)


def _shortest(prefixes) -> frozenset[str]:
    """Drop a beginning that starts with another: where "clinics" begins, "clinic" does."""
    return frozenset(p for p in prefixes if not any(q != p and p.startswith(q) for q in prefixes))


def _union(alts, pick) -> frozenset[str] | None:
    out: set[str] = set()
    for alt in alts:
        found = pick(alt)
        if found is None:
            return None
        out |= found
    return frozenset(out)


def _read(src: str, flags: int) -> list[list[_Item]] | None:
    if flags & _UNMODELLED_FLAGS or regex.DEFAULT_VERSION == regex.VERSION1:
        return None
    try:
        return _parse(src)
    except (_Unknown, IndexError, RecursionError):
        return None


def required_needles(src: str, flags: int = 0) -> frozenset[str] | None:
    """Lowercase strings, one of which every match of `src` contains (None: cannot tell)."""
    alts = _read(src, flags)
    return (_union(alts, _best) or None) if alts is not None else None


def leading_needles(src: str, flags: int = 0, ascii_only: bool = False) -> frozenset[str] | None:
    """Lowercase beginnings, one of which every match of `src` starts with (None: cannot tell).

    With `ascii_only`, of the matches that start with an ASCII character (the set may then be empty).
    """
    alts = _read(src, flags)
    if alts is None:
        return None
    found = _union(alts, lambda alt: _first(alt, ascii_only))
    return found if found or ascii_only else None


# ---------------------------------------------------------------- the filtered pattern


# Characters that, just before a place, mean no word starts there: for `(?<![\w-])`, and for `\b`
# before a letter or digit. In folded text; a character outside ASCII is never ruled out.
_NOT_AFTER_WORD_START = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
_NOT_AFTER_BOUNDARY = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass(frozen=True)
class Sieved:
    """A data pattern with its quick filters: the same interface as `Pattern`, the same matches, the same time limit."""

    pattern: Pattern
    needles: tuple[str, ...] | None = None
    # Word-start patterns only: how every match begins, and the characters that rule a place
    # out when they come just before it.
    leading: tuple[str, ...] | None = None
    not_after: frozenset[str] = frozenset()

    @property
    def source(self) -> str:
        return self.pattern.source

    @property
    def where(self) -> str:
        return self.pattern.where

    @property
    def compiled(self) -> Any:
        return self.pattern.compiled

    def may_match(self, text: str) -> bool:
        """False when `text` cannot match: it contains none of the needles."""
        return self.needles is None or self._has_needle(fold(text))

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        folded = fold(text)
        if self.needles is not None and not self._has_needle(folded):
            return None
        if self.leading is None or pos or endpos is not None:
            return self.pattern.search(text, pos, endpos)
        return next(self._at_starts(text, folded), None)

    def search_sifted(self, text: str):
        """`search` for a text that `may_match` has already let through."""
        if self.leading is None:
            return self.pattern.search(text)
        return next(self._at_starts(text, fold(text)), None)

    def finditer(self, text: str, pos: int = 0) -> Iterator[Any]:
        folded = fold(text)
        if self.needles is not None and not self._has_needle(folded):
            return iter(())
        if self.leading is None or pos:
            return self.pattern.finditer(text, pos)
        return self._at_starts(text, folded)

    def match(self, text: str, pos: int = 0):
        if not self.may_match(text):
            return None
        return self.pattern.match(text, pos)

    def _has_needle(self, folded: str) -> bool:
        for n in self.needles:
            if n in folded:
                return True
        return False

    def _starts(self, folded: str) -> list[int]:
        """The places, in order, where a word begins with one of the leading strings: the only places a match can start."""
        not_after = self.not_after
        found = []
        for lead in self.leading:
            at = folded.find(lead)
            while at >= 0:
                if at == 0 or folded[at - 1] not in not_after:
                    found.append(at)
                at = folded.find(lead, at + 1)
        found.sort()  # no two leading strings begin at one place: none is the beginning of another
        return found

    def _at_starts(self, text: str, folded: str) -> Iterator[Any]:
        """The matches `finditer` finds, trying only the places a match can start.

        Trying those places in order, each after the last match, gives the same
        matches (none is empty: each has its leading characters). The tries share
        one SEARCH_TIMEOUT, as a search does.
        """
        compiled = self.pattern.compiled
        deadline = None
        end = 0
        for at in self._starts(folded):
            if at < end:
                continue
            if deadline is None:
                deadline = time.monotonic() + SEARCH_TIMEOUT
                left = SEARCH_TIMEOUT
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise PatternTimeout(self.where)
            try:
                m = compiled.match(text, at, timeout=left)
            except TimeoutError:
                raise PatternTimeout(self.where) from None
            if m is not None:
                end = m.end()
                yield m


def sieve(pattern: Pattern, flags: int = 0) -> Sieved:
    """`pattern` with the quick filters its source allows."""
    alts = _read(pattern.source, flags)
    if alts is None:
        return Sieved(pattern)
    needles = _union(alts, _best)
    ordered = None
    if needles and min(map(len, needles)) >= 2:  # a one-letter needle is in nearly every sentence
        # A needle that contains another adds nothing. Longest first: a rare long word is the
        # likelier hit, and the order never changes the answer.
        kept = [n for n in needles if not any(m != n and m in n for m in needles)]
        ordered = tuple(sorted(kept, key=lambda n: (-len(n), n)))
    leading, not_after = _word_start(pattern.source, alts)
    return Sieved(pattern, ordered, leading, not_after)


def _word_start(src: str, alts: list[list[_Item]]) -> tuple[tuple[str, ...] | None, frozenset[str]]:
    """For a pattern whose every match starts a word (`(?<![\\w-])` before it all, or `\\b` before each
    alternative): how its matches begin, and what rules a place out when it comes just before it."""
    if src.startswith(WORD_START) and len(alts) == 1:
        not_after = _NOT_AFTER_WORD_START
    elif all(alt and alt[0].kind == "zero" and alt[0].text == "\\b" for alt in alts):
        not_after = _NOT_AFTER_BOUNDARY
    else:
        return None, frozenset()
    leading = _union(alts, _first)
    if not leading:
        return None, frozenset()
    if not_after is _NOT_AFTER_BOUNDARY and any(not (w[0].isascii() and (w[0].isalnum() or w[0] == "_")) for w in leading):
        return None, frozenset()  # `\b` before a sign means the opposite: a word character before it
    # Longest first only to find the rarer first; the places are sorted anyway.
    return tuple(sorted(_shortest(leading), key=lambda w: (-len(w), w))), not_after
