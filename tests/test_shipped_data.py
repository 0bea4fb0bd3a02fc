"""The shipped YAML data files read the same with libyaml as with ruamel's YAML 1.2 reader.

The rules read `linters/data/*.yml` with libyaml (PyYAML's C loader), ten times faster than
ruamel's pure-Python reader; a cold run reads them all. libyaml follows YAML 1.1 (`no` and
`on` are booleans, duplicate keys are allowed), so every shipped file is held here to the
values the stricter YAML 1.2 reading gives, and a plain-language file with a problem is
still reported at its line.
"""

from __future__ import annotations

from importlib import resources

import pytest

from linters.errors import UsageError
from linters.rules import plain_language as pl
from linters.yamlio import YamlError, load_fast, load_round_trip, load_safe

SHIPPED = sorted(p.name for p in resources.files("linters.data").iterdir() if p.name.endswith(".yml"))


def test_the_data_files_are_all_here():
    assert {"claim_cues.yml", "facets.yml", "person_names.yml", "plain_language.yml", "prohibited.yml"} <= set(SHIPPED)


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_file_reads_the_same_with_libyaml_as_with_yaml_1_2(name):
    text = resources.files("linters.data").joinpath(name).read_text("utf-8")
    strict = load_safe(text)  # ruamel, YAML 1.2, duplicate keys refused
    assert strict, name
    assert load_fast(text) == strict


def test_the_two_readings_differ_where_yaml_versions_do():
    """What the test above guards against: libyaml alone would read these differently."""
    assert load_fast("safe_fix: no") == {"safe_fix": False} != load_safe("safe_fix: no")
    with pytest.raises(YamlError):
        load_safe("word: a\nword: b\n")
    assert load_fast("word: a\nword: b\n") == {"word": "b"}


def test_the_vocabulary_read_fast_is_the_vocabulary_read_with_lines():
    text = resources.files("linters.data").joinpath(pl.DATA).read_text("utf-8")
    fast = pl.parse_vocabulary(text)
    slow = pl._checked(load_round_trip(text))
    assert fast.entries == slow.entries and fast.terms == slow.terms and fast.sources == slow.sources


def test_a_problem_in_the_vocabulary_is_still_reported_at_its_line():
    text = "sources:\n  nhs: {title: NHS}\nwords:\n  - word: utilise\n    plain: use\n    safe_fix: true\n    source: nhs\n  - word: Commence\n    plain: start\n    safe_fix: false\n    source: nhs\n"
    with pytest.raises(UsageError, match=r"plain_language\.yml:8: `word: Commence` must be lowercase"):
        pl.parse_vocabulary(text)
