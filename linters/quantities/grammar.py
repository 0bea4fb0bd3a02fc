"""Numbers, units and ranges in one sentence, normalised with pint.

Our own grammar, because general-purpose extractors collapse ranges ("45
minutes to an hour" becomes one number) and misread units ("45 minutes" as
an angle). A `Mention` is one quantity as written: a value, a range ("2 to 3
weeks", "between forty and sixty minutes", "45 minutes to an hour"), a set
("56 mg or 84 mg"), or a bound ("up to 4 hours", "at least 2 hours", "16 and
older"), with its approximator ("about") and its span in the sentence.

Values are converted to one base unit per kind (time in minutes, doses in
mg/kg, ...) with conversion factors that pint computes once. Patterns here are
fixed grammar, compiled once with the standard `re` module (they are ours and
linear); the unit spellings come from `linters/data/facets.yml` and, like every
data pattern, are matched with the `regex` module under a time limit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

import regex

from ..errors import UsageError
from ..patterns import SEARCH_TIMEOUT, PatternTimeout, load_data
from ..prepared import prepared
from .needles import fold, leading_needles

try:  # the standard library's reading of a pattern, to measure one (never used to match)
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # Python 3.10
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

DATA = "facets.yml"
I = re.IGNORECASE

# The base unit each kind is compared in (pint names). Kinds without one are unitless.
BASE_UNITS = {
    "time": "minute",
    "dose": "milligram / kilogram",
    "mass": "milligram",
    "age": "year",
    "percent": "percent",
    "pressure": "millimeter_Hg",
    "currency": "USD",
    "count": "treatment",
}
# How a base unit is shown in messages.
BASE_LABELS = {
    "time": "min",
    "dose": "mg/kg",
    "mass": "mg",
    "age": "years",
    "percent": "%",
    "pressure": "mmHg",
    "currency": "$",
    "count": "",
    "rate": "per week",
    "calendar-year": "",
}
# Kinds whose values cannot be negative.
NON_NEGATIVE = {"time", "dose", "mass", "age", "percent", "currency", "count", "rate"}

APPROX_POINT_TOLERANCE = 0.2  # "about two weeks" still fits 12 days
APPROX_RANGE_TOLERANCE = 0.1  # a range already states its spread; "about" adds a little

_registry = None


def unit_registry():
    """The one pint UnitRegistry (slow to build: created on first use, then kept)."""
    global _registry
    if _registry is None:
        import pint

        reg = pint.UnitRegistry()
        reg.define("treatment = [treatment]")
        reg.define("USD = [currency] = dollar")
        _registry = reg
    return _registry


@dataclass(frozen=True)
class UnitForm:
    unit: str  # pint expression
    kind: str
    factor: float  # multiply a value in `unit` by this to get the kind's base unit


@lru_cache(maxsize=1)
def _units() -> tuple[list[UnitForm], regex.Pattern]:
    data = load_data(DATA)
    # pint takes half a second to import and build its registry: the factors it gives for this
    # version of the data are kept in the project's prepared store (see linters/prepared.py).
    factors = prepared("quantity_unit_factors", lambda: _checked_factors(data))
    forms: list[UnitForm] = []
    groups: list[str] = []
    for entry, factor in zip(data.get("units") or [], factors):
        forms.append(UnitForm(entry["unit"], entry["kind"], factor))
        groups.append(f"(?P<u{len(forms) - 1}>" + "|".join(entry["written"]) + ")")
    # A unit follows the number, maybe after a hyphen ("40-minute") and up to two
    # adjectives ("3 to 5 consecutive daily infusions").
    # The spellings come from a data file, so (like every data pattern) they are matched
    # with the `regex` module under a time limit.
    pattern = regex.compile(r"\s*(?:-\s*)?(?:(?:" + _ADJECTIVES + r")\s+){0,2}(?:" + "|".join(groups) + r")(?![\w/])", regex.IGNORECASE)
    return forms, pattern


def _checked_factors(data: dict) -> list[float]:
    """Each unit's factor to its kind's base unit, from pint; a unit pint cannot convert is an error."""
    reg = unit_registry()
    factors: list[float] = []
    for i, entry in enumerate(data.get("units") or []):
        where = f"linters/data/{DATA}: units[{i}]"
        try:
            unit, kind, written = entry["unit"], entry["kind"], entry["written"]
        except (KeyError, TypeError):
            raise UsageError(f"{where}: a unit needs `unit`, `kind` and `written`") from None
        base = BASE_UNITS.get(kind)
        if base is None:
            raise UsageError(f"{where}: unknown kind {kind!r} (one of {', '.join(sorted(BASE_UNITS))})")
        try:
            factors.append(float(reg.Quantity(1, unit).to(base).magnitude))
        except Exception as exc:  # pint raises several error types for a bad unit
            raise UsageError(f"{where}: pint cannot convert {unit!r} to {base!r}: {exc}") from None
        for w in written:
            try:
                regex.compile(w)
            except regex.error as exc:
                raise UsageError(f"{where}: invalid pattern {w!r}: {exc}") from None
    return factors


# Words that may stand between a number and its unit.
_ADJECTIVES = (
    r"more|additional|extra|consecutive|daily|weekly|separate|IV|intravenous|ketamine|booster|initial|"
    r"maintenance|total|low-dose|individual|further|full|weekly"
)


@lru_cache(maxsize=1)
def _unit_beginnings() -> tuple[tuple[str, ...], int] | None:
    """How the word after a number can begin when a unit follows (an adjective or a unit), and the longest.

    None when the data does not tell (then the unit pattern is always tried).
    """
    data = load_data(DATA)
    sources = [_ADJECTIVES] + [w for entry in data.get("units") or [] for w in entry["written"]]
    starts = leading_needles("|".join(f"(?:{s})" for s in sources), regex.IGNORECASE, ascii_only=True)
    if not starts or any(not w[0].isalnum() and w[0] not in "%$" for w in starts):
        return None  # a spelling that starts with a space or a hyphen: the quick test would not be exact
    return tuple(sorted(starts)), max(map(len, starts))


_ASCII_SPACE = " \t\n\r\f\v"


def _may_be_unit(text: str, pos: int) -> bool:
    """False when no unit can follow `pos`: the next word (after spaces and a hyphen) begins no adjective or unit.

    Most words after a number ("of", "to", "patients") begin none, and this test
    is much cheaper than the unit pattern with its time limit.
    """
    beginnings = _unit_beginnings()
    if beginnings is None:
        return True
    starts, longest = beginnings
    n = len(text)
    j = pos
    while j < n and text[j] in _ASCII_SPACE:
        j += 1
    at = [j]
    if j < n and text[j] == "-":
        k = j + 1
        while k < n and text[k] in _ASCII_SPACE:
            k += 1
        at.append(k)
    for k in at:
        if k >= n:
            continue  # nothing left for a unit
        c = text[k]
        if not (c.isascii() and c.isprintable()):
            return True  # another kind of space, or a letter outside ASCII: let the pattern decide
        if fold(text[k : k + longest]).startswith(starts):
            return True
    return False


_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip
_FRACTIONS = {"half": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25, "quarters": 0.25, "fifth": 0.2, "fifths": 0.2}
# Vague amounts: the range each stands for, in the unit that follows.
_VAGUE = {"a few": (2, 4), "few": (2, 4), "a couple of": (2, 2), "a couple": (2, 2), "couple of": (2, 2), "several": (3, 7), "many": (3, 12)}
# A unit with no number ("within hours", "for months or years"): what it stands for.
_BARE = {"minutes": (2, 59, "minute"), "hours": (2, 23, "hour"), "days": (2, 13, "day"), "weeks": (2, 8, "week"),
         "months": (2, 11, "month"), "years": (2, 50, "year"), "decades": (20, 100, "year")}  # fmt: skip
# Phrases that name a time ("until the next day").
_PHRASES = [
    (r"the\s+(?:next|following)\s+(?:day|morning)|the\s+day\s+after|tomorrow|overnight", (12, 24, "hour")),
    (r"the\s+(?:rest|remainder)\s+of\s+the\s+day", (4, 16, "hour")),
]

_WORD = (
    r"(?:twenty|thirty|forty|fourty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine)\b)?"
    r"|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
)
_NUMBER = re.compile(
    r"(?P<frac>\b(?:(?:one|a|two|three)[- ](?:half|thirds?|quarters?|fifths?))\b|\bhalf\b)"
    r"|(?P<phrase>\b(?:" + "|".join(p for p, _ in _PHRASES) + r")\b)"
    r"|(?P<ordinal>\bthe\s+(?:first\s+)?(?P<ord>" + "|".join(_ORDINALS) + r"|\d{1,2}(?:st|nd|rd|th))\s+(?P<ordunit>day|week|month|year)\b)"
    r"|(?P<decade>\b(?:(?P<dmod>early|mid|late)[- ](?:the\s+)?)?(?P<dec>1[89]\d0|20\d0)'?s\b)"
    r"|(?P<num>(?<![\w.,/:])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d/:]|[.,]\d)|(?<![\w.])\.\d+)"
    r"|(?P<word>\b(?:" + _WORD + r")\b)"
    r"|(?P<vague>\b(?:a\s+few|a\s+couple(?:\s+of)?|couple\s+of|several|few|many)\b)"
    r"|(?P<article>\b(?:a\s+single|an?|single)\b)"
    r"|(?P<adverb>\b(?:once|twice|thrice)\b)"
    r"|(?P<bare>\b(?:" + "|".join(_BARE) + r")\b)",
    I,
)
_AND_A_HALF = re.compile(r"\s+and\s+(?:a|one)[- ]half\b", I)
_HALF_AN = re.compile(r"\s+an?\b", I)
_RATE = re.compile(r"\s*(?:a|an|per|each|every|/)\s*(?P<per>day|week|month|year)\b|\s+(?P<adj>daily|weekly|monthly)\b", I)
_PER_WEEK = {"day": 7.0, "week": 1.0, "month": 7 / 30.4375, "year": 7 / 365.25}
_IN_FRACTION = re.compile(r"\s+(?:in|out\s+of)\s+(?P<d>\d+|" + _WORD + r")\b", I)
_OF_PEOPLE = re.compile(
    r"\s+(?:of\s+(?:the\s+|all\s+|our\s+|those\s+)?(?:[\w-]+\s+){0,3}?)?(?:patients|people|participants|subjects|adults|individuals|persons|"
    r"users|respondents|those|them|cases|men|women|children|adolescents|veterans|volunteers)\b",
    I,
)
_BARE_CONTEXT = re.compile(
    r"(?:\bwithin|\bfor|\bin|\bover|\bafter|\btakes?|\btaking|\btook|\blasts?|\blasted|\bor|\bto|\buntil|\band|\bthan)\s+$", I
)
_APPROX = r"about|approximately|approx\.|roughly|around|nearly|almost|some|~|circa|ca\.|close\s+to|an\s+estimated|estimated|on\s+average|an\s+average\s+of|average\s+of"
_UPPER = (
    r"up\s+to|at\s+(?:the\s+)?most|no\s+more\s+than|not\s+more\s+than|no\s+longer\s+than|less\s+than|fewer\s+than|shorter\s+than|"
    r"under|below|within|as\s+(?:long|many|much|high|few|little|short)\s+as|a\s+maximum\s+of|maximum\s+of|max\.?|<=?|≤|no\s+later\s+than"
)
_LOWER = (
    r"at\s+least|more\s+than|greater\s+than|longer\s+than|no\s+less\s+than|no\s+fewer\s+than|not\s+less\s+than|a\s+minimum\s+of|"
    r"minimum\s+of|upwards\s+of|in\s+excess\s+of|well\s+over|just\s+over|for\s+over|beyond|>=?|≥|not\s+until|until\s+after|until|till|not\s+before"
)
_BEFORE = re.compile(r"(?:(?P<approx>" + _APPROX + r")|(?P<upper>" + _UPPER + r")|(?P<lower>" + _LOWER + r"))(?:\s+(?:an?|the))?\s*$", I)
_AFTER = re.compile(
    r"\s*(?:(?P<lower>or\s+(?:more|longer|greater|above|over|older|later)|and\s+(?:older|over|above|up|longer|more|later)|\+(?!/)|plus)"
    r"|(?P<upper>or\s+(?:less|fewer|shorter|under|younger|below|sooner|earlier)|and\s+(?:under|younger|below))"
    r"|(?P<approx>or\s+so|give\s+or\s+take))(?![\w])",
    I,
)
_CONNECT = re.compile(r"\s*(?:(?P<to>to|through|thru|until|till)|(?P<dash>-|–|—|‐|−)|(?P<and>and)|(?P<or>,?\s*or))\s*$", I)
_BETWEEN = re.compile(r"\bbetween\s*$", I)
_FROM = re.compile(r"\bfrom\s*$", I)
_CHANGE_VERB = re.compile(
    r"\b(?:rose|rise[sn]?|rising|increas\w*|fell|falls?|falling|dropp?\w*|decreas\w*|declin\w*|reduc\w*|went|go(?:es)?|chang\w*|"
    r"improv\w*|grew|grow\w*|jump\w*|climb\w*|lower\w*|rais\w*|cut|boost\w*|shr[au]nk)\s+(?:[\w-]+\s+){0,3}?$",
    I,
)
_BY = re.compile(r"\bby\s*$", I)
_CHANGE_AFTER = re.compile(
    r"\s*(?:increase|decrease|rise|drop|reduction|improvement|higher|lower|greater|change|gain|fall|decline|jump|boost)\b", I
)
_STATISTIC = re.compile(r"(?:\b[pn]\s*[<=>≤≥]\s*|\+/-\s*|±\s*)$", I)
_INDEX_BEFORE = re.compile(
    r"\b(?:phase|stage|step|figure|fig\.|table|page|pages|p\.|pp\.|chapter|section|part|type|grade|level|schedule|version|no\.|"
    r"number|question|item|day|week|month|visit|covid|dsm|icd|call|text|dial|ext\.?)\s*[-#]?\s*$",
    I,
)
_AGE_BEFORE = re.compile(r"(?:\baged?|\bages|\bage\s+of|\bbe\s+at\s+least|\bbe\s+over|\bbe\s+under|\bolder\s+than|\byounger\s+than)\s+(?:between\s+)?$", I)
_AGE_AFTER = re.compile(r"\s*(?:(?:and|or)\s+(?:older|over|above|up|younger|under)|\+)(?![\w])|\s+to\s+(?:receive|get|have|start|qualify|be\s+treated)\b", I)
_MONTH_BEFORE = re.compile(r"\b(?:in|since|from|by|until|of|during|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*),?\s*$", I)


def _solid_width(items) -> int | None:
    """The most non-space characters a match of these parsed pattern items can hold (None: no limit)."""
    total = 0
    for op, av in items:
        if op is _sre.LITERAL:
            total += 0 if chr(av).isspace() else 1
        elif op is _sre.IN:
            total += 0 if av == [(_sre.CATEGORY, _sre.CATEGORY_SPACE)] else 1
        elif op in (_sre.ANY, _sre.NOT_LITERAL):
            total += 1
        elif op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue  # matches no character
        elif op is _sre.BRANCH:
            widths = [_solid_width(alt) for alt in av[1]]
            if None in widths:
                return None
            total += max(widths)
        elif op is _sre.SUBPATTERN:
            width = _solid_width(av[-1])
            if width is None:
                return None
            total += width
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            low, high, item = av
            width = _solid_width(item)
            if width is None or (width and high == _sre.MAXREPEAT):
                return None
            total += high * width
        else:
            return None
    return total


def _end_width(pattern: re.Pattern) -> int | None:
    """For a pattern whose every match ends at the end of the text (`...$`): the most non-space characters a match holds."""
    if pattern.flags & re.MULTILINE:
        return None
    try:
        items = list(_sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # a reading the standard parser does not offer: search the whole text
        return None
    if not items or items[-1] != (_sre.AT, _sre.AT_END):
        return None
    return _solid_width(items)


_BEFORE_WIDTH = _end_width(_BEFORE)


def _search_end(pattern: re.Pattern, width: int | None, text: str) -> re.Match | None:
    """`pattern.search(text)` for a pattern anchored at the end, started where a match can begin.

    A match ends at the end of the text (or before a final newline) and holds at
    most `width` non-space characters, so it cannot start before the last
    `width` of them: the search skips the positions before, which it would
    only have tried in vain (a big alternation costs a microsecond per position).
    """
    if width is None:
        return pattern.search(text)
    seen = 0
    start = 0
    for i in range(len(text) - 1, -1, -1):
        if not text[i].isspace():
            seen += 1
            if seen > width:
                start = i + 1
                break
    return pattern.search(text, start)

# A quick filter: a sentence is parsed only if it has a digit or one of these words.
_SPLIT = str.maketrans({c: " " for c in "!\"#$%&()*+,./:;<=>?@[\\]^_`{|}~“”‘’'-–—‐−"})
# The same for ASCII text, as a byte table: several times faster than a str table.
_ASCII_SPLIT = bytes(ord(_SPLIT[b]) if b in _SPLIT else b for b in range(256))
_DIGIT = re.compile(r"\d")
# "an hour" is a quantity; "an infusion" is one item, never a fact worth comparing.
_UNIT_WORDS = {"minute", "hour", "day", "week", "month", "year"}
PREFILTER_WORDS = frozenset(
    set(_ONES) | set(_TENS) | set(_BARE) | _UNIT_WORDS
    | {"half", "third", "thirds", "quarter", "few", "several", "couple", "dozen", "many", "once", "twice", "thrice",
       "next", "rest", "remainder", "tomorrow", "overnight"}
)  # fmt: skip
# Words an atom can start with; the number pattern is tried only where a digit or one of these starts.
_START_WORDS = PREFILTER_WORDS | {"a", "an", "single", "the", "early", "mid", "late", "fourty"}
_TOKEN = re.compile(r"\d[\d,.]*|\.\d+|[a-z]+", re.IGNORECASE)
_ASCII_TOKEN = re.compile(r"\d[\d,.]*|\.\d+|[a-z]+")  # the same tokens, in lowercased ASCII text
_YEAR = re.compile(r"\d{4}")


def word_set(text: str) -> frozenset[str]:
    """The lowercase words of a sentence (hyphens split), for quick filters."""
    if text.isascii():
        return frozenset(text.lower().encode("ascii").translate(_ASCII_SPLIT).decode("ascii").split())
    return frozenset(text.lower().translate(_SPLIT).split())


def has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


def might_have_quantities(text: str, words: frozenset[str] | None = None) -> bool:
    if _DIGIT.search(text):
        return True
    return not (words if words is not None else word_set(text)).isdisjoint(PREFILTER_WORDS)


@dataclass(frozen=True)
class Mention:
    """One quantity as written in a sentence, normalised to its kind's base unit."""

    start: int
    end: int
    text: str
    kind: str | None  # time, dose, mass, age, percent, pressure, currency, count, rate, calendar-year; None = no unit
    unit: str | None  # pint unit of the last stated unit ("hour"), for facets that accept only some units
    low: float | None  # base unit; None = unbounded below (only for `up to`-style bounds: then 0 is implied)
    high: float | None  # base unit; None = unbounded above
    written_low: float | None  # the first value as written, in the base unit (for inverted-range checks)
    written_high: float | None
    approx: bool = False
    shape: str = "value"  # value | range | set | upper | lower
    vague: bool = False  # "a few", "several", "within hours"
    singular: bool = False  # "a single infusion", "one session": an item, not a count
    change: bool = False  # an amount of change ("rose by 10-20 mmHg", "a 120% increase")
    transition: bool = False  # "fell from 30 to 12": two states, not a range
    negative: bool = False  # a value below zero was written
    step: float = 0.0  # base-unit size of the last written digit: "55%" may stand for 55.4%

    @property
    def tolerance(self) -> float:
        if not self.approx:
            return 0.0
        return APPROX_RANGE_TOLERANCE if self.shape in ("range", "set") else APPROX_POINT_TOLERANCE

    @property
    def inverted(self) -> bool:
        """A range whose first value is larger than its second after conversion ("1.5 hours to 1.25 hours")."""
        if self.shape != "range" or self.transition or self.written_low is None or self.written_high is None:
            return False
        return self.written_low > self.written_high * (1 + 1e-9) + 1e-12

    def interval(self) -> tuple[float, float]:
        """(low, high) in base units, ordered, with 0 and infinity for open ends."""
        lo = self.low if self.low is not None else 0.0
        hi = self.high if self.high is not None else math.inf
        return (min(lo, hi), max(lo, hi))


@dataclass
class _Atom:
    start: int
    end: int
    lo: float
    hi: float
    kind: str | None = None
    unit: str | None = None
    factor: float = 1.0
    vague: bool = False
    singular: bool = False
    percent_share: bool = False
    negative: bool = False
    year: bool = False
    is_digit: bool = False
    source: str = ""  # which alternative produced it
    step: float = 1.0  # size of the last written digit, in the written unit ("1.25" -> 0.01)


def _word_value(word: str) -> float | None:
    w = word.lower().replace("-", " ").split()
    if len(w) == 1:
        return _ONES.get(w[0], _TENS.get(w[0]))
    if len(w) == 2 and w[0] in _TENS and w[1] in _ONES:
        return _TENS[w[0]] + _ONES[w[1]]
    return None


def _parse_number(token: str) -> float | None:
    t = token.replace(",", "")
    try:
        return float(t)
    except ValueError:
        return _word_value(token)


def _unit_at(text: str, pos: int) -> tuple[int, UnitForm] | None:
    if not _may_be_unit(text, pos):
        return None
    forms, pattern = _units()
    try:
        m = pattern.match(text, pos, timeout=SEARCH_TIMEOUT)
    except TimeoutError:
        raise PatternTimeout(f"{DATA}: units") from None
    if not m:
        return None
    for name, value in m.groupdict().items():
        if value is not None:
            return m.end(), forms[int(name[1:])]
    return None


def _atoms(text: str) -> list[_Atom]:
    # Try the number pattern only where a token that can start a quantity begins:
    # anchored matches at a few places are much cheaper than scanning every position.
    atoms: list[_Atom] = []
    pos = 0
    # In ASCII text, lowercase once and match the tokens case-sensitively: the same tokens, faster.
    tokens = _ASCII_TOKEN.finditer(text.lower()) if text.isascii() else _TOKEN.finditer(text)
    for t in tokens:
        start = t.start()
        if start < pos:
            continue
        token = t.group()
        if not (token[0].isdigit() or token[0] == "." or token.lower() in _START_WORDS):
            continue
        m = _NUMBER.match(text, start)
        if m is None:
            continue
        atom = _atom(text, m)
        if atom is not None:
            atoms.append(atom)
            pos = atom.end
    return atoms


def _atom(text: str, m: re.Match) -> _Atom | None:
    g = m.lastgroup
    start, end = m.start(), m.end()
    before = text[max(0, start - 24) : start]
    if g == "num":
        if _STATISTIC.search(before) or _INDEX_BEFORE.search(before):
            return None
        if end < len(text) and text[end] in ":/" or (start > 0 and text[start - 1] == "/"):
            return None
        value = _parse_number(m.group())
        negative = False
        if start > 0 and text[start - 1] in "-−":
            prev = text[start - 2] if start > 1 else " "
            if prev.isalpha():
                return None  # an identifier such as COVID-19 or ICD-10
            if not prev.isdigit() and not (prev == " " and re.search(r"\d\s*$", text[: start - 1])):
                negative = True
                value = -value
                start -= 1
        digits = m.group()
        step = 10.0 ** -len(digits.split(".")[1]) if "." in digits else 1.0
        atom = _Atom(start, end, value, value, negative=negative, is_digit=True, source="num", step=step)
        if start > 0 and text[start - 1] == "$":
            atom.start -= 1
            _set_unit(atom, _currency())
            return _finish(text, atom)
        # Years: a four-digit number with no unit ("in 2019", "since 1970").
        if _YEAR.fullmatch(m.group()) and 1800 <= value <= 2100 and _unit_at(text, end) is None:
            if _MONTH_BEFORE.search(before) or not re.match(r"\s*(?:[-–]|to\b)", text[end:]):
                atom.kind, atom.year = "calendar-year", True
                return atom
        return _finish(text, atom)
    if g == "word":
        value = _word_value(m.group())
        if value is None:
            return None
        return _finish(text, _Atom(start, end, value, value, source="word"))
    if g == "frac":
        word = m.group().lower().replace("-", " ")
        parts = word.split()
        if parts == ["half"]:
            h = _HALF_AN.match(text, end)  # "half an hour"
            if h:
                unit = _unit_at(text, h.end())
                if unit:
                    atom = _Atom(start, unit[0], 0.5, 0.5, source="frac")
                    _set_unit(atom, unit[1])
                    return _rate(text, atom)
            value = 0.5
        else:
            num = {"one": 1, "a": 1, "two": 2, "three": 3}[parts[0]]
            value = num * _FRACTIONS[parts[1]]
        atom = _Atom(start, end, value, value, source="frac")
        people = _OF_PEOPLE.match(text, end)
        if people:
            atom.lo = atom.hi = value * 100
            atom.kind, atom.unit, atom.percent_share = "percent", "percent", True
        return atom
    if g == "decade":
        dec = int(m.group("dec"))
        lo, hi = dec, dec + 9
        mod = (m.group("dmod") or "").lower()
        if mod == "early":
            hi = dec + 4
        elif mod == "late":
            lo = dec + 5
        elif mod == "mid":
            lo, hi = dec + 3, dec + 7
        return _Atom(start, end, lo, hi, kind="calendar-year", year=True, vague=True, source="decade")
    if g == "ordinal":
        ordinal = m.group("ord").lower()
        n = _ORDINALS.get(ordinal) or int(re.match(r"\d+", ordinal).group())
        unit = _unit_at(text, m.start("ordunit"))
        atom = _Atom(start, end, n, n, source="ordinal")
        if unit:
            _set_unit(atom, unit[1])
        return atom
    if g == "phrase":
        phrase = m.group().lower()
        for pattern, (lo, hi, unit_name) in _PHRASES:
            if re.fullmatch(pattern, phrase, I):
                atom = _Atom(start, end, lo, hi, vague=True, source="phrase")
                _set_unit(atom, _form(unit_name, "time"))
                return atom
        return None
    if g == "vague":
        key = re.sub(r"\s+", " ", m.group().lower())
        lo, hi = _VAGUE[key]
        unit = _unit_at(text, end)
        if not unit or (key in ("many", "few") and unit[1].kind != "time"):
            return None  # "many sessions" is not a number of sessions; "many months" is a long time
        atom = _Atom(start, unit[0], lo, hi, vague=True, source="vague")
        _set_unit(atom, unit[1])
        return _rate(text, atom)
    if g == "article":
        unit = _unit_at(text, end)
        if not unit or re.match(r"\s*-", text[end:]):  # "a 40-minute" is handled by the number
            return None
        atom = _Atom(start, unit[0], 1, 1, singular=True, source="article")
        _set_unit(atom, unit[1])
        h = _AND_A_HALF.match(text, atom.end)
        if h:
            atom.lo = atom.hi = 1.5
            atom.end = h.end()
            atom.singular = False
        return _rate(text, atom)
    if g == "adverb":
        if not _RATE.match(text, end):
            return None  # "Once you are ready" is not a count; "once a week" is a rate
        value = {"once": 1, "twice": 2, "thrice": 3}[m.group().lower()]
        atom = _Atom(start, end, value, value, source="adverb")
        _set_unit(atom, _form("treatment", "count"))
        return _rate(text, atom)
    if g == "bare":
        if not _BARE_CONTEXT.search(before):
            return None
        lo, hi, unit_name = _BARE[m.group().lower()]
        atom = _Atom(start, end, lo, hi, vague=True, source="bare")
        _set_unit(atom, _form(unit_name, "time"))
        return atom
    return None


@lru_cache(maxsize=None)
def _form(unit: str, kind: str) -> UnitForm:
    forms, _ = _units()
    for f in forms:
        if f.unit == unit and f.kind == kind:
            return f
    reg = unit_registry()
    return UnitForm(unit, kind, float(reg.Quantity(1, unit).to(BASE_UNITS[kind]).magnitude))


def _currency() -> UnitForm:
    return _form("USD", "currency")


def _set_unit(atom: _Atom, form: UnitForm) -> None:
    atom.kind, atom.unit, atom.factor = form.kind, form.unit, form.factor


def _finish(text: str, atom: _Atom) -> _Atom:
    """After a number: "and a half", its unit, "in three" fractions, rates."""
    end = atom.end
    h = _AND_A_HALF.match(text, end)
    if h and float(atom.lo).is_integer():
        atom.lo = atom.hi = atom.lo + 0.5
        end = atom.end = h.end()
    fr = _IN_FRACTION.match(text, end)
    if fr and atom.kind is None:
        denom = _parse_number(fr.group("d"))
        if denom and _unit_at(text, fr.end()) is None and atom.lo <= denom:
            atom.lo = atom.hi = 100.0 * atom.lo / denom
            atom.end = fr.end()
            atom.kind, atom.unit, atom.percent_share = "percent", "percent", True
            return atom
    unit = _unit_at(text, end)
    if unit and atom.kind is None:
        atom.end = unit[0]
        _set_unit(atom, unit[1])
        h = _AND_A_HALF.match(text, atom.end)  # "an hour and a half", "2 hours and a half"
        if h:
            atom.lo = atom.hi = atom.lo + 0.5
            atom.end = h.end()
    return _rate(text, atom)


def _rate(text: str, atom: _Atom) -> _Atom:
    """ "twice a week", "two or three drips a week", "4 booster infusions per year": a count per time."""
    if atom.kind not in (None, "count"):
        return atom
    m = _RATE.match(text, atom.end)
    if not m:
        return atom
    per = (m.group("per") or {"daily": "day", "weekly": "week", "monthly": "month"}[m.group("adj").lower()]).lower()
    atom.kind, atom.unit, atom.factor = "rate", f"treatment / {per}", _PER_WEEK[per]
    atom.end = m.end()
    return atom


def _value(atom: _Atom, lo: bool = True) -> float:
    return (atom.lo if lo else atom.hi) * atom.factor


def _compatible(a: _Atom, b: _Atom) -> bool:
    if a.year != b.year:
        return False
    return a.kind is None or b.kind is None or a.kind == b.kind


def _inherit(a: _Atom, b: _Atom) -> None:
    """ "45–70%", "one and a half to two hours": the first value takes the unit of the second."""
    if a.kind is None and b.kind is not None:
        a.kind, a.unit, a.factor = b.kind, b.unit, b.factor
    elif b.kind is None and a.kind is not None:
        b.kind, b.unit, b.factor = a.kind, a.unit, a.factor


def find_mentions(text: str, words: frozenset[str] | None = None) -> list[Mention]:
    """Every quantity in one sentence, in order."""
    if not might_have_quantities(text, words):
        return []
    atoms = _atoms(text)
    out: list[Mention] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        group = [a]
        shape = "value"
        transition = False
        if i + 1 < len(atoms):
            b = atoms[i + 1]
            between = text[a.end : b.start]
            c = _CONNECT.fullmatch(between) if len(between) <= 8 else None
            if c and _compatible(a, b) and not (a.year and b.year and c.group("dash") is None and c.group("to") is None):
                prefix = text[max(0, a.start - 40) : a.start]
                if c.group("and"):
                    if _BETWEEN.search(prefix):
                        shape = "range"
                elif c.group("or"):
                    shape = "set"
                elif c.group("dash"):
                    # "6-12 infusions", not a phone number or an identifier chain.
                    chain = re.match(r"\s*[-–]\s*\d", text[b.end :]) or re.search(r"\d\s*[-–]\s*$", text[: a.start])
                    if a.is_digit and b.is_digit and not chain and not a.negative:
                        shape = "range"
                else:
                    shape = "range"
                    f = _FROM.search(prefix)
                    if f and _CHANGE_VERB.search(prefix[: f.start()]):
                        transition = True  # "fell from 30 to 12": two states, not a range
                if shape != "value":
                    _inherit(a, b)
                    group = [a, b]
                    i += 1
        out.append(_mention(text, group, shape, transition))
        i += 1
    return [m for m in out if m is not None]


# The last word before a quantity when an approximator or bound may end there ("about", "at least", "up to a").
_BOUND_TAILS = frozenset(
    "about approximately approx. roughly around nearly almost some ~ circa ca. to estimated average of most than under below "
    "within as max max. < <= ≤ =< least over beyond > >= ≥ until till before after a an the".split()
)


def _tail(prefix: str) -> str:
    words = prefix.rsplit(None, 1)
    return words[-1].lstrip("([{\"'“‘").lower() if words else ""


def _without_bound(prefix: str) -> str:
    """`_BEFORE.sub("", prefix)`: the bound ends the prefix, so there is at most one."""
    b = _search_end(_BEFORE, _BEFORE_WIDTH, prefix)
    return prefix if b is None else prefix[: b.start()] + prefix[b.end() :]


def _mention(text: str, group: list[_Atom], shape: str, transition: bool) -> Mention | None:
    first, last = group[0], group[-1]
    kind = last.kind
    start, end = first.start, last.end
    if kind is None:
        # Ages: "aged 18 to 65", "16 and older", "must be at least 18 to receive".
        prefix = text[max(0, start - 30) : start]
        bounds_stripped = _without_bound(prefix) if _tail(prefix) in _BOUND_TAILS else prefix
        if _AGE_BEFORE.search(prefix) or _AGE_BEFORE.search(bounds_stripped) or _AGE_AFTER.match(text, end):
            form = _form("year", "age")
            for atom in group:
                _set_unit(atom, form)
            kind = "age"
    lo_vals = [_value(a, True) for a in group]
    hi_vals = [_value(a, False) for a in group]
    written_low, written_high = lo_vals[0], (hi_vals[-1] if shape == "range" else hi_vals[0])
    if shape == "range":
        low, high = lo_vals[0], hi_vals[-1]
        if low > high:  # an inverted range still states the two ends
            low, high = min(lo_vals + hi_vals), max(lo_vals + hi_vals)
    elif shape == "set":
        low, high = min(lo_vals), max(hi_vals)
    else:
        low, high = lo_vals[0], hi_vals[0]
    approx = any(a.vague for a in group)
    bound = None
    prefix = text[max(0, start - 40) : start]
    for _ in range(3):
        if _tail(prefix) not in _BOUND_TAILS:
            break  # most quantities have none: skip the search
        b = _search_end(_BEFORE, _BEFORE_WIDTH, prefix)
        if not b:
            break
        if b.group("approx"):
            approx = True
        elif bound is None:
            bound = "upper" if b.group("upper") else "lower"
        prefix = prefix[: b.start()]
    after = _AFTER.match(text, end)
    if after:
        if after.group("approx"):
            approx = True
        elif bound is None:
            bound = "upper" if after.group("upper") else "lower"
        end = after.end()
        if kind is None and bound == "lower" and re.match(r"\s*(?:and|or)\s+(?:older|over)", after.group()):
            kind = "age"
    before = text[max(0, start - 40) : start]
    change = bool((_tail(before) == "by" and _BY.search(before)) or _CHANGE_AFTER.match(text, end))
    if kind == "percent" and not change and re.search(r"\b(?:increase|rise|rose|higher|more|reduction|drop)\w*\s+(?:of\s+)?$", before, I):
        change = True
    if bound == "upper":
        if shape == "value" or shape == "range":
            low = 0.0 if kind in NON_NEGATIVE else None
        shape = "upper"
    elif bound == "lower":
        high = None
        shape = "lower"
    mention_shape = shape if shape in ("range", "set", "upper", "lower") else "value"
    # "up to 6 to 8 hours" keeps "upper"; an inverted range inside a bound is still reported.
    if bound and len(group) == 2 and shape in ("upper", "lower"):
        inverted_range = lo_vals[0] > hi_vals[-1]
        if inverted_range:
            mention_shape = "range"
    return Mention(
        start=start,
        end=end,
        text=text[start:end],
        kind=kind,
        unit=last.unit,
        low=low,
        high=high,
        written_low=written_low,
        written_high=written_high,
        approx=approx,
        shape=mention_shape,
        vague=any(a.vague for a in group),
        singular=all(a.singular or (a.lo == 1 and a.hi == 1) for a in group),
        change=change,
        transition=transition,
        negative=any(a.negative for a in group),
        step=max(a.step * a.factor for a in group),
    )


def percent_share(text: str, mention: Mention) -> bool:
    """Is this percentage a share of people ("120% of patients"), which cannot exceed 100%?"""
    if mention.kind != "percent" or mention.change:
        return False
    if _OF_PEOPLE.match(text, mention.end) or re.match(r"\s*of\s+(?:the\s+)?(?:group|sample|cohort|participants)", text[mention.end :], I):
        return True
    before = text[max(0, mention.start - 40) : mention.start]
    if re.search(r"\b(?:in|of)\s+(?:about\s+|roughly\s+|only\s+)?$", before, I) and re.search(
        r"\b(?:remission|respon\w*|improv\w*|recover\w*)", text, I
    ):
        return True
    return bool(re.search(r"\b(?:response|remission|success)\s+rates?\b", text, I)) and not re.search(
        r"\b(?:increase|rise|rose|higher|more|fell|drop|reduc)\w*", text, I
    )


def format_value(value: float) -> str:
    if value is None or math.isinf(value):
        return "∞"
    if abs(value - round(value)) < 1e-9:
        return f"{int(round(value)):,}" if abs(value) >= 10000 else str(int(round(value)))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def describe_each(kind: str | None, values: list[float]) -> list[str]:
    """Several values of one kind in the same unit, for a message: ["2 h", "1.5 h"]."""
    top = max(values)
    return [describe(kind, v, v, "value", scale_from=top) for v in values]


def describe(kind: str | None, low: float | None, high: float | None, shape: str = "range", scale_from: float | None = None) -> str:
    """A normalised interval for a message: "75–90 min", "≥ 120 min", "6"."""
    label = BASE_LABELS.get(kind or "", "")
    if kind == "time":
        finite = [v for v in (low, high, scale_from) if v is not None and not math.isinf(v)]
        top = max(finite) if finite else 0.0
        label, scale = ("days", 1440.0) if top >= 2880 else ("h", 60.0) if top >= 120 else ("min", 1.0)
        low = None if low is None else low / scale
        high = None if high is None or math.isinf(high) else high / scale
    pre = "$" if kind == "currency" else ""
    post = "" if kind == "currency" or not label else ("%" if label == "%" else f" {label}")

    def f(v):
        return f"{pre}{format_value(v)}{post}"

    if high is None or (isinstance(high, float) and math.isinf(high)):
        return f"at least {f(low or 0)}"
    if shape == "upper" or (low in (None, 0.0) and shape not in ("value", "range", "set")):
        return f"at most {f(high)}"
    if low is None or abs(low - high) < 1e-9:
        return f(high)
    return f"{f(low)}–{f(high)}"
