"""Patterns made again from their recipes (linters/regex_recipes.py) are the patterns regex.compile makes.

A warm run makes the rules' patterns from what regex handed its C core when they were
first compiled, instead of parsing them again. Made that way, every pattern must match
exactly as a freshly compiled one; a recipe that does not fit must never be used.
"""

from __future__ import annotations

import pickle
import threading

import pytest
import regex
from test_prepared_data import SENTENCES, _all_patterns

from linters import regex_recipes
from linters.patterns import Pattern, compile_pattern
from linters.quantities import facts
from linters.rules import prohibited_claim, unsupported_claim


def _data_patterns() -> list[Pattern]:
    values = [unsupported_claim._compiled(), prohibited_claim._compiled(), facts.knowledge()]
    found = {(p.source, p.flags): p for value in values for p in _all_patterns(value)}
    return list(found.values())


def _read_back(pattern: Pattern) -> Pattern:
    pattern.compiled  # compiled here: its recipe is kept
    return pickle.loads(pickle.dumps(pattern))


def test_every_rule_pattern_made_from_its_recipe_matches_as_regex_compile_does(monkeypatch):
    patterns = _data_patterns()
    assert len(patterns) > 100
    copies = [_read_back(compile_pattern(p.source, p.where, p.flags)) for p in patterns]
    assert all("recipe" in vars(c) and "compiled" not in vars(c) for c in copies)
    # Made from the recipe, not parsed: regex's parser is not reached.
    monkeypatch.setattr(regex._main, "_parse_pattern", lambda *a: pytest.fail("parsed again"))
    made = [c.compiled for c in copies]
    monkeypatch.undo()
    texts = SENTENCES + ["NO SIDE EFFECTS", "ﬁ ß İstanbul ſide effects", "a" * 300]
    for pattern, compiled in zip(patterns, made):
        fresh = regex.compile(pattern.source, pattern.flags)
        assert (compiled.pattern, compiled.flags, compiled.groupindex, compiled.groups) == (fresh.pattern, fresh.flags, fresh.groupindex, fresh.groups)
        for text in texts:
            assert [m.span() + m.groups() for m in compiled.finditer(text)] == [m.span() + m.groups() for m in fresh.finditer(text)], (pattern.where, text)


def test_a_recipe_that_does_not_make_the_pattern_is_not_used():
    wanted = _read_back(compile_pattern(r"\bno\s+risks?\b", "test: wanted"))
    other = _read_back(compile_pattern(r"\bguaranteed\b", "test: other"))
    assert regex_recipes.make(wanted.source, wanted.flags, other.__dict__["recipe"]) is None  # it makes another pattern
    assert regex_recipes.make(wanted.source, wanted.flags, ("not", "a", "recipe")) is None  # the core refuses it
    assert regex_recipes.make(wanted.source, wanted.flags | regex.VERBOSE, wanted.__dict__["recipe"]) is None  # other flags
    assert regex_recipes.make(wanted.source, 0, wanted.__dict__["recipe"]) is None  # case-sensitive asked, case-insensitive kept
    wanted.__dict__["recipe"] = other.__dict__["recipe"]
    assert wanted.search("There are no risks.") and not wanted.search("It is guaranteed.")  # compiled from its source instead


def test_recording_leaves_regex_as_it_was_and_reports_a_bad_pattern():
    core = regex._main._regex
    with pytest.raises(regex.error):
        regex_recipes.compile_recording("(unclosed", regex.IGNORECASE)
    assert regex._main._regex is core
    compiled, recipe = regex_recipes.compile_recording(r"side[- ]effects?", regex.IGNORECASE)
    assert regex._main._regex is core and recipe is not None
    assert regex_recipes.make(r"side[- ]effects?", regex.IGNORECASE, recipe).search("Side-effects") is not None


def test_without_the_regex_layout_it_knows_patterns_are_compiled_as_usual(monkeypatch):
    monkeypatch.setattr(regex_recipes, "_regex_main", None)
    compiled, recipe = regex_recipes.compile_recording(r"\bcure[sd]?\b", regex.IGNORECASE)
    assert recipe is None and compiled.search("It CURES depression")
    assert regex_recipes.make(r"\bcure[sd]?\b", regex.IGNORECASE, ("anything",)) is None


def test_patterns_compiled_in_threads_at_once_each_keep_their_own_recipe():
    sources = [rf"\b(?:word{i}|other{i})s?\b" for i in range(40)]
    results: dict[str, tuple] = {}

    def work(chunk: list[str]) -> None:
        for source in chunk:
            results[source] = regex_recipes.compile_recording(source, regex.IGNORECASE)

    threads = [threading.Thread(target=work, args=(sources[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, source in enumerate(sources):
        compiled, recipe = results[source]
        made = regex_recipes.make(source, regex.IGNORECASE, recipe)
        assert made is not None and made.search(f"the OTHER{i}s here") and not made.search(f"the other{i + 1} here")
