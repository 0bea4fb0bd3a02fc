"""The prefilter of linters/patterns.py never rules out a text that a pattern matches, and still rules out most.

A filter that wrongly says "cannot match" loses findings without a trace, so every pattern the
rules use is tried on every labelled and shipped sentence, on generated text full of the patterns'
own needles and Unicode case traps, and on patterns generated from a small regex grammar.
"""

from __future__ import annotations

import re

import pytest
import regex
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from conftest import REPO, SEEDS
from linters.errors import UsageError
from linters.pages import parse_bytes
from linters.patterns import ANYTHING, Needles, Pattern, PatternTimeout, Scanner, compile_pattern, fold
from linters.rules import plain_language, prohibited_claim, unsupported_claim
from linters.yamlio import load_safe

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _walk(obj):
    """Every Pattern inside a loader's result (dicts, lists, tuples, named tuples)."""
    if isinstance(obj, Pattern):
        yield obj
    elif isinstance(obj, (dict, list, tuple)):
        for value in obj.values() if isinstance(obj, dict) else obj:
            yield from _walk(value)


# Each rule's scanner, and every pattern its module compiles (through its loader, or at import).
SCANNERS = {
    "unsupported_claim": unsupported_claim._compiled()["scanner"],
    "prohibited_claim": prohibited_claim._compiled().scanner,
    "plain_language": plain_language._EXPLANATIONS,
}
_FOUND = [*_walk(unsupported_claim._compiled()), *_walk(tuple(prohibited_claim._compiled()))]
_FOUND += [v for m in (unsupported_claim, prohibited_claim, plain_language) for v in vars(m).values() if isinstance(v, Pattern)]
PATTERNS = list({id(p): p for p in _FOUND}.values())
MEMBERS = {name: [p for p in PATTERNS if id(p) in s.filtered] for name, s in SCANNERS.items()}
COMBINED = Scanner(PATTERNS)  # one scanner of all of them: many needle sets sharing strings and bits


def _labelled() -> list[str]:
    texts = []
    for path in sorted([*(REPO / "tests/data").glob("*.yml"), *(REPO / "tests/heldout").glob("*.yml")]):
        for item in load_safe(path.read_text("utf-8")) or []:
            texts += [item[k] for k in ("text", "a", "b") if isinstance(item, dict) and isinstance(item.get(k), str)]
    return sorted(set(texts))


def _pages() -> list[str]:
    """Sentences of the docs, the planted examples and the seeds (none if ../shared/seeds is absent)."""
    texts = []
    for path in [*sorted((REPO / "docs").rglob("*.md")), *sorted((REPO / "examples/noncompliant").glob("*.md")), *sorted(SEEDS.glob("*.txt"))]:
        sentences = [s.text for s in parse_bytes(path.name, path.read_bytes()).sentences]
        texts += sentences + [a + " " + b for a, b in zip(sentences, sentences[1:])]  # a question and its answer
    return sorted(set(texts))


LABELLED = _labelled()
PAGES = _pages()
CORPUS = sorted({v for t in LABELLED + PAGES for v in (t, t.strip(), t.upper())})


def check(scanner: Scanner, patterns, texts) -> tuple[int, int, list]:
    """(pairs checked, pairs ruled out, unsound pairs): where a pattern matches, the scan must search it, same span."""
    checked = ruled_out = 0
    wrong = []
    for text in texts:
        scan = scanner.scan(text)
        for p in patterns:
            checked += 1
            ruled_out += not scan.may_match(p)
            try:
                m = p.search(text)
            except PatternTimeout:  # the rule reports a timeout, it does not lose the finding silently
                continue
            found = scan.search(p) if m and scan.may_match(p) else None
            if m and (found is None or found.span() != m.span() or [x.span() for x in scan.finditer(p)] != [x.span() for x in p.finditer(text)]):
                wrong.append((p.where, p.source, text))
    return checked, ruled_out, wrong


def _around_words(text: str):
    """What plain_language scans: the text after a word, and the text before it."""
    for m in regex.finditer(r"\w+", text):
        yield text[m.end() :]
        yield text[: m.start()]


PIECES = sorted({p for t in LABELLED + PAGES for p in _around_words(t)})


def test_sound_on_real_text():
    checked, _, wrong = check(COMBINED, PATTERNS, LABELLED + PAGES)
    for name, scanner in SCANNERS.items():
        texts = CORPUS if name != "plain_language" else CORPUS + PIECES
        c, _, w = check(scanner, MEMBERS[name], texts)
        checked, wrong = checked + c, wrong + w
    assert not wrong, f"{len(wrong)} of {checked} pairs ruled out although the pattern matches, e.g. {wrong[:3]}"
    assert checked > 300_000, checked
    # The walk found every pattern each scanner filters, so no scanned pattern escapes the check.
    assert len(PATTERNS) >= 40 and all(len(MEMBERS[k]) == len(s.filtered) > 0 for k, s in SCANNERS.items())


def test_filter_rules_out_most_pairs():
    """The optimisation must not silently become a no-op: on labelled sentences most pairs are skipped.

    Measured: unsupported_claim 0.91, prohibited_claim 0.96, plain_language (on the text
    around each word, as it scans) 0.71, all patterns in one scanner 0.85.
    """
    floors = {"unsupported_claim": 0.8, "prohibited_claim": 0.85, "plain_language": 0.55, "all": 0.7}
    for name, scanner in [*SCANNERS.items(), ("all", COMBINED)]:
        texts = PIECES[::3] if name == "plain_language" else LABELLED
        checked, ruled_out, _ = check(scanner, MEMBERS.get(name, PATTERNS), texts)
        assert ruled_out / checked > floors[name], f"{name}: {ruled_out}/{checked} ruled out"


def test_a_pattern_without_literals_is_always_searched():
    for source in (r"\w+", r"\d{2,}", r"[a-z]+\s", r".", r"(?:a|\w)b?", r"\p{L}+", r"(?:side)?\s"):
        p = compile_pattern(source, "test")
        assert p.prefilter == ANYTHING, source
        scanner = Scanner([p, compile_pattern("side effects", "test")])
        for text in ("", "xyz", "no side effects"):
            assert scanner.scan(text).may_match(p), (source, text)


def _broken(p: Pattern, text: str) -> Pattern:
    """A copy of `p` whose filter lost every needle found in `text`: what a bug in read_prefilter looks like."""
    copy = compile_pattern(p.source, p.where, p.compiled.flags)
    folded = fold(text)
    copy.__dict__["prefilter"] = frozenset(
        frozenset(Needles(frozenset(s for s in n.strings if s not in folded), n.at_start) for n in term) for term in p.prefilter
    )
    return copy


def test_the_checks_catch_a_broken_filter():
    pairs = [(p, t) for p in PATTERNS if p.prefilter != ANYTHING for t in LABELLED[:400] if p.search(t)][::50]
    assert len(pairs) >= 5
    for p, text in pairs:
        broken = _broken(p, text)
        assert check(Scanner([broken, *PATTERNS]), [broken], [text])[2], (p.where, text)


# --- generated text and generated patterns ------------------------------------------------

NEEDLES = sorted({s for p in PATTERNS for term in p.prefilter for n in term for s in n.strings})
PUNCT = [" ", "  ", "\n", "\t", "\u00a0", "-", "\u2014", "'", "\u2019", ",", ".", "(", ")", '"', "\u201c", ":", "?"]
TRAPS = {"i": "\u0130\u0131", "s": "\u017f\u1e9e", "k": "\u212a"}  # İ ı, ſ ẞ, Kelvin sign
FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}  # letters no ASCII letter matches
PIECE = st.one_of(st.sampled_from(NEEDLES), st.sampled_from(PUNCT), st.sampled_from(LABELLED).map(lambda t: t[:40]))


def _from_regex(p: Pattern):
    try:
        return st.from_regex(re.compile(p.source, p.compiled.flags & (re.I | re.M | re.S | re.X)))
    except (re.error, ValueError):
        return None


MATCHING = st.one_of([s for s in map(_from_regex, PATTERNS) if s is not None])  # texts that match a rule's pattern


def disguise(rnd, text: str) -> str:
    """Random case changes, with letters a case-insensitive search takes for ASCII ones and some it does not."""
    rate = rnd.choice([0.0, 0.1, 0.5])

    def change(c: str) -> str:
        return rnd.choice([c.swapcase(), c.upper(), c.lower(), *TRAPS.get(c.lower(), ""), *FULLWIDTH.get(c, "")])

    text = "".join(change(c) if rnd.random() < rate else c for c in text)
    return text.replace("ss", "\u00df") if rnd.random() < 0.1 else text


@settings(SETTINGS, max_examples=150)
@given(st.lists(PIECE, max_size=10), st.one_of(st.just(""), MATCHING), st.lists(PIECE, max_size=4), st.randoms(use_true_random=False))
def test_sound_on_needle_text(before, matching, after, rnd):
    text = disguise(rnd, "".join(before) + matching + "".join(after))
    for scanner, patterns in [(COMBINED, PATTERNS), *((SCANNERS[k], MEMBERS[k]) for k in SCANNERS)]:
        _, _, wrong = check(scanner, patterns, [text, text[len("".join(before)) :]])
        assert not wrong, wrong


WORDS = ["side effect", "safe", "no", "cure", "ab", "a", "i", "s", "k", "ss", "fda", "100%", "-", "'", "\u2019", " ", "\u00e9", "\u00df", "\u0130", "\u017f", "\u212a", "\uff2b"]
CLASSES = [("[- ]", "- "), ("[sz]", "sz"), ("[a-c]", "abc"), (r"\w", "a_9\u00e9"), (r"\s", " \n\u00a0"), (r"\d", "7"), (".", "x-"), ("[^x]", "y "), ("[\u017fk]", "sk"), ("[\u2019']", "'\u2019"), (r"\W", " -"), ("[a-c-]", "b"), (r"[\w']", "x"), ("[^-]", "a "), (r"[\s,]", " ")]
ANCHORS = [r"\b", r"\B", "^", "$", r"\A", r"\Z", "(?!x)", "(?<!-)", r"(?<![\w-])", r"(?![\w-])"]
REPEATS = [("{0,2}", 0, 2), ("{1,3}", 1, 3), ("*", 0, 3), ("+", 1, 3), ("+?", 1, 2), ("*?", 0, 2), ("{2}", 2, 2), ("++", 1, 2), ("?", 0, 1)]
LITERAL = st.sampled_from(WORDS).map(lambda w: (regex.escape(w), w))
CLASS = st.sampled_from(CLASSES).flatmap(lambda c: st.sampled_from(c[1]).map(lambda ch: (c[0], ch)))
BASE = st.one_of(LITERAL, CLASS, LITERAL, CLASS, st.sampled_from(ANCHORS).map(lambda a: (a, "")))
WRAPS = ["({})", "(?={0}){0}", "(?>{})", "(?i:{})", "(?-i:{})", "(?s:{})", "(?m:{})", "(?x:{})", "(?!xyz){}"]


def _extend(child):
    """Groups of nodes; each node is (regex source, a text it may match)."""
    nodes = st.lists(child, min_size=2, max_size=4)
    sequence = nodes.map(lambda ns: ("".join(s for s, _ in ns), "".join(t for _, t in ns)))
    branch = st.tuples(nodes, st.integers(0, 3)).map(lambda a: ("(?:" + "|".join(s for s, _ in a[0]) + ")", a[0][a[1] % len(a[0])][1]))
    repeat = st.tuples(child, st.sampled_from(REPEATS), st.integers(0, 3)).map(lambda a: (f"(?:{a[0][0]}){a[1][0]}", a[0][1] * min(max(a[2], a[1][1]), a[1][2])))
    wrap = st.tuples(st.sampled_from(WRAPS), child).map(lambda a: (a[0].format(a[1][0]), a[1][1]))
    return st.one_of(sequence, branch, sequence, branch, repeat, wrap, LITERAL.map(lambda c: (f"{c[0]}(?<={c[0]})", c[1])))


NODE = st.recursive(BASE, _extend, max_leaves=8)
PATTERN = st.tuples(st.sampled_from(["", "", "^", r"\A", "^(?:a|b)?"]), st.lists(NODE, min_size=1, max_size=5)).map(
    lambda a: (a[0] + "".join(s for s, _ in a[1]), ("a" if "(?:a|b)" in a[0] else "") + "".join(t for _, t in a[1]))
)
FLAGS = st.sampled_from([regex.I, 0, regex.I | regex.M, regex.I | regex.X, regex.I | regex.S])


@SETTINGS
@given(PATTERN, PATTERN, st.sampled_from(["", "(?i)", "(?m)", "(?s)", "(?x)"]), FLAGS, st.lists(PIECE, max_size=3), st.randoms(use_true_random=False))
def test_sound_on_generated_patterns(node, other, inline, flags, noise, rnd):
    try:
        p, q = (compile_pattern(inline + n[0], "generated", flags) for n in (node, other))
    except UsageError:
        reject()
    texts = [disguise(rnd, node[1]), disguise(rnd, "".join(noise) + node[1] + other[1]), node[1] + "".join(noise), other[1] + "\n" + node[1]]
    _, _, wrong = check(Scanner([p, q, *PATTERNS[:5]]), [p, q], texts)
    assert not wrong, (wrong, p.prefilter)


TRAP_CASES = [  # (source, flags, a text it matches): Unicode case, anchors, MULTILINE, optional parts, VERBOSE
    ("side effects", regex.I, "\u017fide effects"), ("kills", regex.I, "\u212aills"), ("risk", regex.I, "R\u0130SK"),
    ("(?m)^cure", 0, "no\ncure"), ("^cure", regex.I | regex.M, "no\ncure"), ("(?m:^cure)", regex.I, "no\ncure"),
    (r"\Acure", regex.I, "CURE"), ("^(?:a|b)?cure", regex.I, "bcure"), ("(?:^no|yes)cure", regex.I, "yescure"),
    ("(?:cure){0,2}risk", regex.I, "risk"), ("side[- ]?effect", regex.I, "sideeffect"), (r"side[\w-]effect", regex.I, "sidexeffect"),
    (r"no(?=\s)\s+risk", regex.I, "no \t risk"), (r"(?x) side \  effect", 0, "side effect"), (r"(?i)100\s?%", 0, "100 %"),
    ("(?<=no )risk", regex.I, "no risk"), ("caf\u00e9", regex.I, "CAF\u00c9"), ("stra\u00dfe", regex.I, "STRA\u1e9eE"),
    ("\u2014 risk", regex.I, "\u2014 RISK"), (r"(?:\bno\b)+ risk", regex.I, "no no risk"), ("(?:ab){,2}cure", regex.I, "ababcure"),
]


@pytest.mark.parametrize("source, flags, text", TRAP_CASES)
def test_sound_on_known_traps(source, flags, text):
    p = compile_pattern(source, "trap", flags)
    assert p.search(text), "the case must match for the check to mean anything"
    assert not check(Scanner([p, *PATTERNS]), [p], [text, text + "\n" + text])[2], p.prefilter


def test_unicode_folding_keeps_positions_and_case_insensitive_matches():
    """Every character a case-insensitive search takes for a needle's character folds to it, and folding keeps offsets."""
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert len(fold(everything)) == len(everything)
    for c in sorted({c for s in NEEDLES for c in s} | set("abcdefghijklmnopqrstuvwxyz")):
        wrong = [m.group() for m in regex.finditer(regex.escape(c), everything, regex.I) if fold(m.group()) != c]
        assert not wrong, (c, wrong)


def test_hostile_line_keeps_the_filter_sound():
    filler = ("side-sidesi " + "\u0130\u017f\u212a\u00df " + "ab" * 20 + "(" * 10) * 3000  # about 200 KB
    assert len(filler) > 190_000
    cases = [(", which means " + filler, plain_language._EXPLAINED_AFTER), (filler + " is called ", plain_language._EXPLAINED_BEFORE)]
    for p in MEMBERS["unsupported_claim"][:4] + MEMBERS["prohibited_claim"][:4]:
        sentence = next((t for t in CORPUS if p.search(t)), "")
        cases += [(filler + " " + sentence, p), (sentence + " " + filler, p)] if sentence else []
    for text, p in cases:
        assert not check(COMBINED, [p], [text])[2], p.where
    assert sum(bool(p.search(text)) for text, p in cases) >= len(cases) // 2, "most cases must match to mean anything"
    assert not any(COMBINED.scan(filler).may_match(p) for p in MEMBERS["prohibited_claim"][:6])
