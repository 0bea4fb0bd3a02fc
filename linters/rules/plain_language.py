"""plain-language: a word patients stumble on, where a plainer word says the same.

## What it does
Flags words and phrases from `linters/data/plain_language.yml` ("utilize",
"approximately", "intravenous", "contraindicated", ...) and suggests the
plainer word, with its source (CDC's "Everyday Words for Public Health
Communication", plainlanguage.gov, NALA, PRISM). Where the swap keeps the
grammar of every sentence the word can be in, the entry is marked
`safe_fix: true` and `python -m linters fix` makes the change.

Medical terms the site must use (ketamine, esketamine, dissociation,
infusion, ...) are listed under `explain`. They are not replaced: the first
time a page uses one, the same sentence must explain it, and the page may
then use it freely. One finding per term per page, on its first use.

A term counts as explained when the sentence, right after it, says what it
is: a parenthesis of two words or more ("esketamine (a nasal spray)"), ",
which means", "means", "refers to", "is a/an/the/when/what ...", an
apposition (", a medicine ...", ", or ..."), a dash ("— feeling cut off") or
a colon ("Dissociation: feeling cut off"); or, right before it, "called",
"known as" ("feeling cut off, called dissociation"). In a definition list or
a table, a term that is itself the label of a definition is explained there,
and glossary entries may use any term the page defines.

Not flagged: headings (for `explain` terms: a heading cannot explain),
block quotes (someone else's words), words inside quotation marks (a word
being mentioned, not used), bare web addresses, and a listed word explained
where it is used ("intravenous (through a vein)").

## Why is this bad?
Readers with limited health literacy skip or misread words like
"contraindicated" and "efficacy", and a medical term used before it is
explained loses them for the rest of the page.

## Example
```markdown
Please utilize the parking lot prior to your infusion.
```

## Use instead
```markdown
Please use the parking lot before your drip.
```
"""

from __future__ import annotations

from dataclasses import dataclass
import operator
import re
from functools import lru_cache
from importlib import resources
from typing import Iterator

import regex

from ..errors import UsageError
from ..model import Document, Sentence
from ..patterns import PatternTimeout, Scanner, compile_pattern
from ..prepared import prepared
from ..readability import ADDRESS
from ..yamlio import YamlError, load_fast, load_round_trip
from . import Example, Rule

DATA = "plain_language.yml"
WHERE = f"linters/data/{DATA}"
SKIP_BLOCKS = {"blockquote"}  # someone else's words: quote them as they are
LABEL_BLOCKS = {"definition", "table_cell"}  # a glossary's terms and their meanings

_EXPLAINED_AFTER = compile_pattern(
    r"""^[*_"'\u201d\u2019]*(?:
        \s*\((?=[^()]*\w\s+\w)[^()]+\)                             # (two words or more)
      | ,?\s+(?:which|that)\s+(?:means?|is|are|refers?\s+to)\b
      | ,?\s+(?:means|meaning|refers\s+to)\b
      | \s+(?:is|are|was)\s+(?:a|an|the|one|something|when|what|how|where|feeling|being)\b
      | ,\s+(?:a|an|the|or|which|meaning|also\s+called)\s
      | \s*[\u2014\u2013]\s*\w
      | \s+-\s+\w
      | \s*:\s+\w
    )""",
    f"{WHERE}: explanation after a term",
    flags=regex.IGNORECASE | regex.VERBOSE,
)
_EXPLAINED_BEFORE = compile_pattern(
    r"\b(?:(?:is|are|was|were)\s+)?(?:called|known\s+as|named|termed|(?:doctors\s+|we\s+|people\s+)?call\s+(?:this|it|that|these))\s+(?:(?:an?|the)\s+)?[*_\"'\u201c\u2018]*$",
    f"{WHERE}: explanation before a term",
)
_ARTICLE_BEFORE = compile_pattern(r"(?<![\w-])(an?)\s+$", f"{WHERE}: article")
_QUOTES = {"\u201c": "\u201d", '"': '"'}


@dataclass(frozen=True)
class Entry:
    word: str
    plain: str
    safe_fix: bool
    after_article: bool
    source: str
    why: str
    fixes: dict[str, str]  # form → plain form, only for safe_fix entries
    forms: tuple[str, ...]  # every form flagged, the word first


@dataclass(frozen=True)
class Term:
    term: str
    forms: tuple[str, ...]
    hint: str
    source: str


@dataclass(frozen=True)
class Vocabulary:
    entries: dict[str, Entry]  # by lowercase form
    terms: dict[str, Term]  # by lowercase form
    sources: dict[str, dict]
    words: "PhraseIndex"  # every entry form
    explain: "PhraseIndex"  # every explain form


@dataclass(frozen=True)
class Fix:
    """Replace page source [start, end) (offsets as parsed: no BOM, newlines as \\n) with `text`."""

    start: int
    end: int
    text: str
    original: str


@dataclass
class Use:
    sentence: Sentence
    start: int
    end: int
    entry: Entry
    fix: Fix | None = None


@dataclass
class Unexplained:
    sentence: Sentence
    start: int
    end: int
    term: Term
    explained_at: Sentence | None = None


def _key(text: str) -> str:
    return " ".join(text.lower().split())


_TOKEN = re.compile(r"[^\W\d_](?:[\w'\u2019-]*\w)?")  # a word; hyphens and apostrophes inside it


class PhraseIndex:
    """Finds listed words and phrases as whole words, by looking each word of a sentence up once.

    A single regular expression with a hundred alternatives costs ten times
    more per sentence. "well-utilized" is one word, not "utilized"; a possessive
    "physician's" is "physician"; the words of a phrase may be apart by
    whitespace only.
    """

    def __init__(self, forms):
        self._by_first: dict[str, list[tuple[str, ...]]] = {}
        # Every form has one word that must be in a sentence for it to match: its longest
        # ("prior" for "prior to"), so "a", "the" and "in" do not send every sentence the slow way.
        self._anchors: set[str] = set()
        for form in forms:
            words = tuple(form.split())
            self._by_first.setdefault(words[0], []).append(words)
            self._anchors.add(max(words, key=len))
        for options in self._by_first.values():
            options.sort(key=len, reverse=True)  # "adverse effects" before "adverse"

    def finditer(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, form) of each match, left to right, not overlapping."""
        # Most sentences hold no listed word: one set operation says so.
        if self._anchors.isdisjoint(_word_set(text)):
            return iter(())
        return self._find(text)

    def _find(self, text: str) -> Iterator[tuple[int, int, str]]:
        tokens = _tokens(text)
        by_first = self._by_first
        after = 0  # the end of the last match, in tokens: matches do not overlap
        for i in [i for i, token in enumerate(tokens) if token[2] in by_first]:
            if i < after:
                continue
            for words in by_first[tokens[i][2]]:
                n = len(words)
                if i + n > len(tokens):
                    continue
                if n == 1 or (
                    all(tokens[i + k][2] == words[k] for k in range(1, n))
                    and all(text[tokens[i + k][1] : tokens[i + k + 1][0]].isspace() for k in range(n - 1))
                ):
                    yield tokens[i][0], tokens[i + n - 1][1], " ".join(words)
                    after = i + n
                    break


_POSSESSIVE = ("'s", "\u2019s")
_span = operator.methodcaller("span")


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, lowercase word) of each word of a sentence, a possessive without its 's; shared by both indexes."""
    if text.isascii():  # lowercased once: the same letters as each word lowercased alone
        lowered = text.lower()
        tokens = [(s, e, lowered[s:e]) for s, e in map(_span, _TOKEN.finditer(text))]
    else:
        tokens = [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]
    if "'" in text or "\u2019" in text:
        tokens = [(s, e - 2, w[:-2]) if w.endswith(_POSSESSIVE) and len(w) > 2 else (s, e, w) for s, e, w in tokens]
    return tuple(tokens)


@lru_cache(maxsize=4096)
def _word_set(text: str) -> frozenset[str]:
    """The lowercase words of a sentence, a possessive also without its 's; shared by both indexes."""
    lowered = text.lower()
    words = _TOKEN.findall(lowered)
    if "'s" not in lowered and "\u2019s" not in lowered:
        return frozenset(words)
    return frozenset(words).union(w[:-2] for w in words if w.endswith(_POSSESSIVE))


def _line(node, key=None) -> int:
    try:
        if key is not None:
            return node.lc.key(key)[0] + 1
        return node.lc.line + 1
    except Exception:  # plain data without positions
        return 0


def _fail(line: int, message: str):
    raise UsageError(f"{WHERE}:{line}: {message}" if line else f"{WHERE}: {message}")


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The shipped data file, checked and compiled once per version of its text (see linters/prepared.py).

    Reading it keeps line numbers for its error messages, which takes longer than checking a page.
    """
    try:
        text = resources.files("linters.data").joinpath(DATA).read_text("utf-8")
    except FileNotFoundError:
        raise UsageError(f"{WHERE}: data file is missing (reinstall the package)") from None
    return prepared("plain_language_vocabulary", lambda: parse_vocabulary(text), inputs=text)


def parse_vocabulary(text: str) -> Vocabulary:
    """The data file's text, checked: every problem is one line naming the file and line.

    Read with libyaml first, which is ten times faster; only a file with a problem is read
    again keeping line numbers, to say where it is. (tests/test_shipped_data.py holds the
    shipped file to the same values either way.)
    """
    try:
        return _checked(load_fast(text))
    except (UsageError, YamlError):
        pass  # reported below, with its line
    try:
        data = load_round_trip(text)
    except YamlError as exc:
        _fail(exc.line + 1, exc.problem)
    return _checked(data)


def _checked(data) -> Vocabulary:
    if not isinstance(data, dict) or not isinstance(data.get("words"), list) or not isinstance(data.get("sources"), dict):
        _fail(1, "needs `sources:` (a map) and `words:` (a list)")
    sources = {str(k): dict(v or {}) for k, v in data["sources"].items()}
    entries: dict[str, Entry] = {}
    for item in data["words"]:
        line = _line(item)
        if not isinstance(item, dict):
            _fail(line, "each entry of `words` is a map with word, plain, safe_fix and source")
        unknown = set(item) - {"word", "plain", "forms", "safe_fix", "after_article", "source", "why"}
        if unknown:
            _fail(line, f"unknown key `{sorted(unknown)[0]}` (use word, plain, forms, safe_fix, after_article, source, why)")
        for key in ("word", "plain", "source"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                _fail(line, f"entry needs `{key}:` as text")
        word = _key(item["word"])
        if word != item["word"]:
            _fail(line, f"`word: {item['word']}` must be lowercase, single-spaced")
        if not isinstance(item.get("safe_fix"), bool):
            _fail(line, f"`{word}`: `safe_fix:` must be true or false")
        if item["source"] not in sources:
            _fail(_line(item, "source"), f"`{word}`: unknown source `{item['source']}` (add it under `sources:`)")
        forms = item.get("forms") or {}
        if item["safe_fix"]:
            if not isinstance(forms, dict):
                _fail(_line(item, "forms"), f"`{word}`: with safe_fix: true, `forms:` maps each form to its plain form")
            fixes = {word: str(item["plain"])} | {_key(str(k)): str(v) for k, v in forms.items()}
        else:
            if isinstance(forms, dict):
                forms = list(forms)
            if not isinstance(forms, list):
                _fail(_line(item, "forms"), f"`{word}`: `forms:` is a list of other forms")
            fixes = {}
        all_forms = (word, *(_key(str(f)) for f in forms))
        after_article = item.get("after_article", True)
        if not isinstance(after_article, bool):
            _fail(_line(item, "after_article"), f"`{word}`: `after_article:` must be true or false")
        entry = Entry(word, str(item["plain"]), item["safe_fix"], after_article, str(item["source"]), str(item.get("why") or ""), fixes, all_forms)
        for form in all_forms:
            if form in entries:
                _fail(line, f"`{form}` is listed twice (also under `{entries[form].word}`)")
            entries[form] = entry
    terms: dict[str, Term] = {}
    for item in data.get("explain") or []:
        line = _line(item)
        if not isinstance(item, dict) or not isinstance(item.get("term"), str) or not isinstance(item.get("hint"), str):
            _fail(line, "each entry of `explain` is a map with term, hint and source")
        unknown = set(item) - {"term", "forms", "hint", "source"}
        if unknown:
            _fail(line, f"unknown key `{sorted(unknown)[0]}` (use term, forms, hint, source)")
        if item.get("source") not in sources:
            _fail(line, f"`{item['term']}`: unknown source `{item.get('source')}` (add it under `sources:`)")
        term = Term(_key(item["term"]), tuple(_key(str(f)) for f in (item.get("forms") or [])), item["hint"], item["source"])
        for form in (term.term, *term.forms):
            if form in terms or form in entries:
                _fail(line, f"`{form}` is listed twice")
            terms[form] = term
    return Vocabulary(
        entries=entries,
        terms=terms,
        sources=sources,
        words=PhraseIndex(entries),
        explain=PhraseIndex(terms),
    )


# --- helpers -----------------------------------------------------------------------------


def match_case(original: str, replacement: str) -> str:
    """"Utilize" → "Use", "UTILIZE" → "USE", "utilize" → "use"."""
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def article_for(word: str) -> str | None:
    """"a" or "an" before `word`, by its first letter; None where the letter does not tell ("a use", "an upset")."""
    first = word[:1].lower()
    if first == "u":
        return None
    return "an" if first in "aeio" else "a"


def _inside_quotes(text: str, pos: int) -> bool:
    for open_q, close_q in _QUOTES.items():
        if open_q == close_q:
            if text.count(open_q, 0, pos) % 2 == 1:
                return True
        elif text.rfind(open_q, 0, pos) > text.rfind(close_q, 0, pos):
            return True
    return False


def _in_address(text: str, start: int, end: int) -> bool:
    if "://" not in text and "www." not in text and "@" not in text:
        return False
    return any(m.start() < end and start < m.end() for m in ADDRESS.finditer(text))


_EXPLANATIONS = Scanner([_EXPLAINED_AFTER, _EXPLAINED_BEFORE])  # skips the searches that cannot match


def explained_here(text: str, start: int, end: int) -> bool:
    """Does the sentence explain the word at text[start:end] right where it uses it?"""
    return bool(_EXPLANATIONS.scan(text[end:]).search(_EXPLAINED_AFTER) or _EXPLANATIONS.scan(text[:start]).search(_EXPLAINED_BEFORE))


def _is_label(sentence: Sentence, start: int, end: int) -> bool:
    if sentence.block not in LABEL_BLOCKS:
        return False
    rest = (sentence.text[:start] + sentence.text[end:]).strip(" *_:.\"'\u201c\u201d")
    return not rest


def _fix_for(doc: Document, sentence: Sentence, start: int, end: int, entry: Entry) -> Fix | None:
    text = sentence.text
    matched = text[start:end]
    plain = entry.fixes.get(_key(matched)) if entry.safe_fix else None
    if plain is None:
        return None
    replacement = match_case(matched, plain)
    article = _ARTICLE_BEFORE.search(text, 0, start)
    if article is not None:
        if not entry.after_article:
            return None
        needed = article_for(plain)
        if needed is None:
            return None
        have = article.group(1)
        if have.lower() != needed:
            replacement = match_case(have, needed) + text[article.end(1) : start] + replacement
            start = article.start(1)
    src_start = sentence.offsets[start]
    src_end = sentence.offsets[end - 1] + 1
    original = doc.source[src_start:src_end]
    # Only where the sentence's characters are the source's, one for one: no markup,
    # escape, entity or line break inside the span, so nothing but prose is touched.
    if original != text[start:end] or sentence.offsets[start:end] != list(range(src_start, src_end)):
        return None
    return Fix(src_start, src_end, replacement, original)


# --- what the rule and the fix command share ---------------------------------------------


def substitutions(doc: Document) -> Iterator[Use]:
    """Every listed word used in the page's prose, with its fix where the fix is safe."""
    vocab = vocabulary()
    for sentence in doc.sentences:
        if sentence.block in SKIP_BLOCKS:
            continue
        text = sentence.text
        for start, end, form in vocab.words.finditer(text):
            if _inside_quotes(text, start) or _in_address(text, start, end) or explained_here(text, start, end):
                continue
            entry = vocab.entries[form]
            yield Use(sentence, start, end, entry, _fix_for(doc, sentence, start, end, entry))


def unexplained_terms(doc: Document) -> Iterator[Unexplained]:
    """The first use of each `explain` term that comes before any explanation of it on the page."""
    vocab = vocabulary()
    uses: list[tuple[Sentence, int, int, Term]] = []
    defined: set[str] = set()  # labels of a glossary's definitions
    for sentence in doc.sentences:
        if sentence.is_heading or sentence.block in SKIP_BLOCKS:
            continue
        for start, end, form in vocab.explain.finditer(sentence.text):
            if _in_address(sentence.text, start, end):
                continue
            term = vocab.terms[form]
            uses.append((sentence, start, end, term))
            if _is_label(sentence, start, end):
                defined.add(term.term)
    explained: dict[str, Sentence] = {}
    first: dict[str, Unexplained] = {}
    for sentence, start, end, term in uses:
        if term.term in explained:
            continue
        if _is_label(sentence, start, end) or explained_here(sentence.text, start, end):
            explained[term.term] = sentence
            continue
        if sentence.block in LABEL_BLOCKS and term.term in defined:
            continue  # a glossary entry using a term the glossary defines
        first.setdefault(term.term, Unexplained(sentence, start, end, term))
    for key, use in first.items():
        use.explained_at = explained.get(key)
        yield use


def _source_title(key: str) -> str:
    src = vocabulary().sources.get(key, {})
    return str(src.get("title") or key)


def check(doc, ctx):
    try:
        for use in substitutions(doc):
            entry = use.entry
            word = use.sentence.text[use.start : use.end]
            how = " `python -m linters fix` can make this change." if use.fix else ""
            why = f"; {entry.why}" if entry.why and not use.fix else ""
            data = {"word": entry.word, "plain": entry.plain, "source": _source_title(entry.source)}
            if use.fix:
                data["fix"] = {"start": use.fix.start, "end": use.fix.end, "text": use.fix.text}
            yield ctx.at_sentence(
                RULE, doc, use.sentence, f"Write “{entry.plain}” instead of “{word}”{why}.{how}", use.start, use.end, data=data
            )
        for miss in unexplained_terms(doc):
            word = miss.sentence.text[miss.start : miss.end]
            later = (
                f" The page explains it on line {miss.explained_at.line}; move the explanation to its first use."
                if miss.explained_at is not None
                else ""
            )
            yield ctx.at_sentence(
                RULE,
                doc,
                miss.sentence,
                f"Explain “{word}” the first time this page uses it, e.g. “{word} ({miss.term.hint})”.{later}",
                miss.start,
                miss.end,
                data={"term": miss.term.term, "hint": miss.term.hint, "source": _source_title(miss.term.source)},
            )
    except PatternTimeout as exc:
        yield ctx.at_line(RULE, doc.path, 1, 1, f"This page could not be checked for plain language in time ({exc}).")


RULE = Rule(
    id="plain-language",
    summary="A word patients stumble on where a plainer word says the same, or a medical term used before it is explained.",
    check=check,
    severity="warning",
    examples=[
        Example("Please utilize the parking lot.", True, "utilize → use"),
        Example("The drip takes approximately 40 minutes.", True, "approximately → about"),
        Example("Ketamine is contraindicated in pregnancy.", True, "contraindicated → not safe for"),
        Example("The drip takes about 40 minutes.", False),
        Example("Ketamine is a medicine used for surgery. Ketamine can also ease low mood.", False, "explained at first use"),
        Example("You may feel cut off from your body, called dissociation.", False, "explained before the term"),
        Example("Medicine given slowly through a vein is called an infusion.", False, "explained before the term, with an article"),
        Example("Some depression does not get better with usual medicines. Doctors call this treatment-resistant depression.", False, "call this"),
        Example("Ketamine can ease low mood for a short time.", True, "ketamine used without an explanation"),
        Example("> The label says to utilize caution.", False, "a block quote is someone else's words"),
        Example("Clinics say they “utilize” the latest methods.", False, "a quoted word is mentioned, not used"),
    ],
)
