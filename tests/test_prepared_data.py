"""The rules' prepared data (linters/prepared.py) read back from the store is the data built in the process.

A warm run that re-checks one page reads the parsed data files, the plain-language vocabulary,
the rules' patterns with their prefilters, the facets knowledge, the syllable table and the
hyphenation patterns back from `.linters-cache/prepared/` instead of building them. Read back,
each must give the same answers; the patterns must be compiled only when first searched and
keep their time limit; and a warm run must build none of them again.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import time

import pytest

from conftest import REPO, run_cli
from linters import patterns, prepared, readability
from linters.errors import UsageError
from linters.pages import parse_bytes
from linters.patterns import ANYTHING, Pattern, PatternTimeout, compile_pattern
from linters.quantities import facts, grammar
from linters.rules import plain_language, prohibited_claim, unsupported_claim
from linters.yamlio import load_safe

_LOADERS = (patterns, plain_language, prohibited_claim, unsupported_claim, facts, grammar, readability)


def _forget_built_values() -> None:
    """What a new process starts with: no loader has run (the store's files stay)."""
    prepared._values.clear()
    for module in _LOADERS:
        for value in vars(module).values():
            if hasattr(value, "cache_clear") and value is not readability.offline_textstat:
                value.cache_clear()
    readability._COUNTED.clear()


@pytest.fixture
def store(tmp_path, monkeypatch):
    """An empty prepared store in use; afterwards every loader builds its value afresh."""
    monkeypatch.setattr(prepared, "_values", {})
    monkeypatch.setattr(prepared, "_folder", None)
    _forget_built_values()
    prepared.use_folder(tmp_path)
    yield tmp_path / "prepared"
    prepared.use_folder(None)
    _forget_built_values()


def _sentences() -> list[str]:
    """Labelled test sentences and the sentences of the shipped site and the planted examples."""
    texts = []
    for path in sorted((REPO / "tests/data").glob("*.yml")):
        for item in load_safe(path.read_text("utf-8")) or []:
            texts += [item[k] for k in ("text", "a", "b") if isinstance(item, dict) and isinstance(item.get(k), str)]
    for path in [*sorted((REPO / "docs").rglob("*.md")), *sorted((REPO / "examples/noncompliant").glob("*.md"))]:
        rel = path.relative_to(REPO).as_posix()
        texts += [s.text for s in parse_bytes(rel, path.read_bytes()).sentences]
    return sorted(set(texts))


SENTENCES = _sentences()


def _answers() -> dict:
    """What the rules built on prepared data say of every sentence."""
    vocab = plain_language.vocabulary()
    return {
        "unsupported": [unsupported_claim.classify(t) for t in SENTENCES],
        "prohibited": [[(s, e, entry["id"]) for s, e, entry in prohibited_claim.prohibited_spans(t)] for t in SENTENCES],
        "plain": [(list(vocab.words.finditer(t)), list(vocab.explain.finditer(t))) for t in SENTENCES],
        "syllables": [readability.count(t) for t in SENTENCES],
        "mentions": [[(m.text, m.kind, m.low, m.high, m.unit) for m in grammar.find_mentions(t)] for t in SENTENCES],
    }


def _page_facts() -> list:
    found = []
    for path in sorted((REPO / "docs").rglob("*.md")):
        doc = parse_bytes(path.relative_to(REPO).as_posix(), path.read_bytes())
        page = facts.page_facts(doc)
        found.append((page.numbers, page.categories, page.statuses, page.problems))
    return found


def _all_patterns(value) -> list[Pattern]:
    """Every Pattern inside a loader's value (dataclasses, named tuples, dicts, lists, tuples)."""
    found, seen, todo = [], set(), [value]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (str, bytes, int, float, bool, type(None))):
            continue
        seen.add(id(obj))
        if isinstance(obj, Pattern):
            found.append(obj)
        elif isinstance(obj, dict):
            todo.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            todo.extend(obj)
        elif hasattr(obj, "__dict__"):
            todo.extend(vars(obj).values())
    return found


def test_every_value_is_read_back_from_the_store_and_gives_the_same_answers(store):
    built, built_facts = _answers(), _page_facts()
    names = {p.name.rsplit("-", 1)[0] for p in store.glob("*.pickle")}
    assert names >= {
        "data_claim_cues_yml",
        "data_facets_yml",
        "data_prohibited_yml",
        "plain_language_vocabulary",
        "prohibited_claim_patterns",
        "unsupported_claim_patterns",
        "quantity_knowledge",
        "quantity_unit_factors",
        "cmu_syllables",
        "pyphen_en_US",
    }
    _forget_built_values()
    assert _answers() == built
    assert _page_facts() == built_facts
    assert not prepared._values.keys() - {p.name.rsplit("-", 1)[0] for p in store.glob("*.pickle")}  # nothing new was built


def test_a_warm_process_builds_nothing_again(store, monkeypatch):
    _answers(), _page_facts()
    _forget_built_values()

    def not_again(*args, **kwargs):
        raise AssertionError("built again")

    for module, name in [
        (patterns, "_parse_data"),
        (plain_language, "parse_vocabulary"),
        (prohibited_claim, "_compile"),
        (unsupported_claim, "_compile"),
        (facts, "_knowledge"),
        (grammar, "_checked_factors"),
        (readability, "_cmu_phones"),
        (readability, "_new_pyphen"),
    ]:
        monkeypatch.setattr(module, name, not_again)
    _answers()
    _page_facts()


def test_patterns_read_back_are_compiled_only_when_first_searched(store):
    unsupported_claim._compiled(), prohibited_claim._compiled(), facts.knowledge()
    _forget_built_values()
    values = [unsupported_claim._compiled(), prohibited_claim._compiled(), facts.knowledge()]
    read_back = [p for value in values for p in _all_patterns(value)]
    assert len(read_back) > 100
    assert not any("compiled" in vars(p) for p in read_back)
    # The prefilters came with them: building the scanners compiled nothing.
    assert all("prefilter" in vars(p) for p in _all_patterns(values[0]) if id(p) in values[0]["scanner"].filtered)
    unsupported_claim.classify("Ketamine helps about 70% of people with severe depression.")
    compiled = [p for p in read_back if "compiled" in vars(p)]
    assert 0 < len(compiled) < len(read_back) / 4  # one sentence compiles only what its needles call for


def test_a_scanner_is_pickled_as_its_patterns_and_rules_out_the_same_texts():
    scanner = unsupported_claim._compiled()["scanner"]
    copy = pickle.loads(pickle.dumps(scanner))
    assert len(copy._patterns) == len(scanner._patterns)
    for text in SENTENCES[::7]:
        scan, copy_scan = scanner.scan(text), copy.scan(text)
        assert [scan.may_match(p) for p in scanner._patterns] == [copy_scan.may_match(p) for p in copy._patterns]


def test_a_pattern_read_back_matches_the_same_and_keeps_its_time_limit():
    pattern = compile_pattern(r"(?<![\w-])(?:no\s+(?:known\s+)?side[- ]effects?)(?![\w-])", "test: phrase")
    pattern.prefilter  # worked out before pickling, as the scanners do
    copy = pickle.loads(pickle.dumps(pattern))
    assert "compiled" not in vars(copy) and copy.prefilter == pattern.prefilter != ANYTHING
    assert copy == pattern
    for text in ["There are no known side effects.", "No side-effect at all", "Side effects are rare."]:
        assert [m.span() for m in copy.finditer(text)] == [m.span() for m in pattern.finditer(text)]
    evil = pickle.loads(pickle.dumps(compile_pattern(r"(a|aa)+$", "test: evil")))
    started = time.perf_counter()
    with pytest.raises(PatternTimeout):
        evil.search("a" * 60 + "!")
    assert time.perf_counter() - started < 5


def test_a_bad_pattern_is_still_reported_when_its_data_is_loaded():
    with pytest.raises(UsageError, match="test: broken: invalid pattern"):
        compile_pattern("(unclosed", "test: broken")


def test_the_packed_syllable_table_counts_every_word_as_the_dictionary_does():
    built = readability.CmuSyllables(readability._cmu_phones())
    packed = pickle.loads(pickle.dumps(built))
    assert packed._phones is None
    table = readability.cmu_syllables()
    assert all(packed.get(word) == count == built.get(word) for word, count in table.items())
    words = sorted(table)
    for unknown in ["", "a" * 40, words[0][:-1] + "\x00", words[-1] + "z", "esketaminex", "zzzzzz", "ketamin"]:
        if unknown not in table:
            assert packed.get(unknown) is None and built.get(unknown) is None


def test_pyphen_read_back_hyphenates_as_a_new_one():
    built = readability._new_pyphen()
    copy = pickle.loads(pickle.dumps(built))
    for word in ["esketamine", "dissociation", "treatmentresistant", "psychotherapeutic", "a", "xylophonically"]:
        assert copy.positions(word) == built.positions(word)


def test_a_value_built_for_other_inputs_is_not_read_back(store):
    data = patterns.load_data(prohibited_claim.DATA)
    real = prohibited_claim._compiled()
    extra = {"id": "test-extra", "pattern": "miracle\\s+cure", "message": "m", "category": "cure", "source": "test"}
    other = dict(data, phrases=[*data["phrases"], extra])
    changed = prepared.prepared("prohibited_claim_patterns", lambda: prohibited_claim._compile(other), inputs=other)
    assert changed is not real and len(changed.phrases) == len(real.phrases) + 1
    _forget_built_values()
    read = prohibited_claim._compiled()  # the store holds the other data's value: built again for the real data
    assert [e["id"] for e, _ in read.phrases] == [e["id"] for e, _ in real.phrases]


def test_a_one_page_edit_in_a_warm_run_gives_the_report_of_a_cold_run(site):
    """End to end, through the CLI: the edited page is checked with every value read back, none built."""
    root = site(
        {
            "index.md": "# Ketamine\n\nKetamine helps about 70% of people. Sessions last 40 minutes.\n",
            "other.md": "# Other\n\nPlease utilize the parking lot. Esketamine infusions are completely safe.\n",
        }
    )
    first = run_cli("check", "--format", "json", cwd=root)
    assert first.returncode in (0, 1), first.stderr
    page = root / "docs" / "index.md"
    page.write_text(
        page.read_text("utf-8")
        + "\nEsketamine (a nasal spray) is FDA approved for depression; six infusions over 2 to 3 weeks cost $400 to $800."
        + " Please utilize the dissociation protocol. There are no side effects.\n",
        "utf-8",
    )
    not_again = (
        "import sys\n"
        "def not_again(*a, **k):\n"
        "    raise AssertionError('a prepared value was built again')\n"
        "import linters.patterns, linters.readability\n"
        "import linters.rules.plain_language, linters.rules.prohibited_claim, linters.rules.unsupported_claim\n"
        "import linters.quantities.facts, linters.quantities.grammar\n"
        "linters.patterns._parse_data = not_again\n"
        "linters.rules.plain_language.parse_vocabulary = not_again\n"
        "linters.rules.prohibited_claim._compile = not_again\n"
        "linters.rules.unsupported_claim._compile = not_again\n"
        "linters.quantities.facts._knowledge = not_again\n"
        "linters.quantities.grammar._checked_factors = not_again\n"
        "linters.readability._cmu_phones = not_again\n"
        "linters.readability._new_pyphen = not_again\n"
        "from linters.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    warm = subprocess.run(
        [sys.executable, "-c", not_again, "check", "--format", "json"], cwd=root, capture_output=True, text=True, timeout=600
    )
    cold = run_cli("check", "--format", "json", "--no-cache", cwd=root)
    assert warm.returncode == cold.returncode, warm.stderr
    assert json.loads(warm.stdout) == json.loads(cold.stdout)
    rules = {f["rule"] for f in json.loads(warm.stdout)["findings"] if f["path"] == "docs/index.md"}
    assert {"prohibited-claim", "unsupported-claim", "plain-language"} <= rules
