"""plain-language: hard words with plainer ones, and medical terms explained at first use."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from linters.config import Config
from linters.context import Context
from linters.errors import UsageError
from linters.parse.page import parse_page
from linters.registry.load import Registry
from linters.rules import plain_language as pl

DATA = Path(pl.__file__).resolve().parent.parent / "data" / pl.DATA


def _ctx(mode="preview"):
    return Context(registry=Registry(), config=Config(), mode=mode, today=date(2026, 1, 1))


def findings(page: str):
    return list(pl.check(parse_page("docs/page.md", page), _ctx()))


def flagged_words(page: str) -> list[str]:
    return [f.excerpt for f in findings(page)]


# --- the data file ---------------------------------------------------------------------------

REQUIRED_PAIRS = {
    "utilize": "use",
    "approximately": "about",
    "intravenous": "through a vein (IV)",
    "contraindicated": "not safe for",
    "administer": "give",
    "commence": "start",
    "adverse": "harmful",
    "efficacy": "how well it works",
}


def test_the_list_has_the_issue_pairs_and_at_least_forty_entries():
    vocab = pl.vocabulary()
    entries = {e.word: e for e in vocab.entries.values()}
    assert len(entries) >= 40
    for word, plain in REQUIRED_PAIRS.items():
        assert entries[word].plain == plain, word


def test_every_entry_names_a_source_with_a_title():
    vocab = pl.vocabulary()
    used = {e.source for e in vocab.entries.values()} | {t.source for t in vocab.terms.values()}
    assert used <= set(vocab.sources)
    assert all(vocab.sources[s].get("title") for s in used)
    assert "cdc-everyday-words" in used and "plainlanguage-gov" in used


def test_safe_entries_have_a_plain_form_for_every_form_they_flag():
    for entry in {e.word: e for e in pl.vocabulary().entries.values()}.values():
        if entry.safe_fix:
            assert set(entry.fixes) == set(entry.forms), entry.word
            assert all(v.strip() for v in entry.fixes.values()), entry.word
        else:
            assert entry.fixes == {}, entry.word


def test_the_site_terms_are_listed_for_explanation():
    terms = pl.vocabulary().terms
    for term in ("ketamine", "esketamine", "dissociation", "infusion"):
        assert terms[term].hint


@pytest.mark.parametrize(
    "text, message",
    [
        ("sources: {}\nwords:\n  - word: utilize\n    plain: use\n    safe_fix: true\n    source: nowhere\n", ":6: `utilize`: unknown source `nowhere`"),
        ("sources: {s: {title: T}}\nwords:\n  - word: Utilize\n    plain: use\n    safe_fix: true\n    source: s\n", ":3: `word: Utilize` must be lowercase"),
        ("sources: {s: {title: T}}\nwords:\n  - word: utilize\n    plain: use\n    safe_fix: maybe\n    source: s\n", ":3: `utilize`: `safe_fix:` must be true or false"),
        ("sources: {s: {title: T}}\nwords:\n  - word: utilize\n    plain: use\n    safe_fix: true\n    forms: [utilizes]\n    source: s\n", ":6: `utilize`: with safe_fix: true"),
        ("sources: {s: {title: T}}\nwords:\n  - word: use\n    plain: use\n    safe_fix: false\n    source: s\n  - word: use\n    plain: u\n    safe_fix: false\n    source: s\n", ":7: `use` is listed twice"),
        ("sources: {s: {title: T}}\nwords:\n  - word: use\n    plain: use\n    safe_fix: false\n    source: s\n    colour: red\n", ":3: unknown key `colour`"),
        ("sources: {s: {title: T}}\nwords:\n  - word: use\n    plain: [use\n", ":5: "),
    ],
)
def test_a_broken_data_file_is_one_line_with_file_and_line(text, message):
    with pytest.raises(UsageError) as exc:
        pl.parse_vocabulary(text)
    assert str(exc.value).startswith("linters/data/plain_language.yml")
    assert message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_the_shipped_data_file_parses_from_its_text():
    assert len(pl.parse_vocabulary(DATA.read_text("utf-8")).entries) == len(pl.vocabulary().entries)


# --- substitutions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page, expected",
    [
        ("Please utilize the parking lot.", ["utilize"]),
        ("The drip takes approximately 40 minutes.", ["approximately"]),
        ("Ketamine is a medicine. It is contraindicated in pregnancy.", ["contraindicated"]),
        ("Stop eating six hours prior to your visit.", ["prior to"]),
        ("Tell us about any adverse effects.", ["adverse effects"]),
        ("Physicians administer the drug.", ["Physicians", "administer"]),
        ("UTILIZE THE LOT.", ["UTILIZE"]),
        ("Stop eating six hours prior\nto your visit.", ["prior to"]),
        ("The drip takes about 40 minutes.", []),
        ("The code `utilize()` is shown.", []),
        ("See [the map](https://example.org/utilize-parking).", []),
        ("See https://example.org/utilize-parking for the map.", []),
        ("<!-- utilize -->\n\nNothing here.", []),
        ("> The label says to utilize caution.", []),
        ("Clinics say they “utilize” the latest methods.", []),
        ('Clinics say they "utilize" the latest methods.', []),
        ("It is given intravenous (through a vein).", []),
        ("# Prior to your visit", ["Prior to"]),
        ("A well-utilized clinic.", []),
    ],
)
def test_hard_words_are_flagged_in_prose_only(page, expected):
    assert flagged_words(page) == expected


def test_the_message_names_the_plain_word_and_the_fix():
    (f,) = findings("Please utilize the parking lot.")
    assert f.rule == "plain-language" and f.severity == "warning"
    assert "“use”" in f.message and "“utilize”" in f.message and "linters fix" in f.message
    assert (f.line, f.column, f.end_column) == (1, 8, 15)
    assert f.data["fix"]["text"] == "use"
    assert f.data["source"].startswith("Use simple words")


def test_an_unsafe_word_says_why_and_offers_no_fix():
    (f,) = findings("Ketamine is a medicine. Its efficacy is unclear.")
    assert "fix" not in f.data
    assert "linters fix" not in f.message
    assert "how well ketamine works" in f.message


@pytest.mark.parametrize(
    "page, fix",
    [
        ("Please utilize the lot.", "use"),
        ("Utilize the lot.", "Use"),
        ("UTILIZE THE LOT.", "USE"),
        ("We commenced the drip.", "started"),
        ("Prior to the drip, eat lightly.", "Before"),
        ("An adverse effect is rare.", "A side effect"),
        ("It was an adverse reaction.", "a bad reaction"),
        ("Expect a chronic cough.", "long-lasting"),
        ("It is an intranasal spray.", "a nasal"),
        ("The drip takes an approximately 40-minute slot.", None),
        ("Get a sufficient rest.", None),
        ("Get sufficient rest.", "enough"),
        ("Its efficacy is unclear.", None),
        ("Please **utilize** the lot.", "use"),
        ("Please utilize&nbsp;the lot.", "use"),
    ],
)
def test_fixes_keep_case_grammar_and_articles(page, fix):
    fixes = [f.data.get("fix") for f in findings(page) if "term" not in f.data]
    assert fixes, page
    got = fixes[0]["text"] if fixes[0] else None
    assert got == fix


def test_a_fix_spans_exactly_the_source_characters_it_replaces():
    page = "Intro.\n\nPlease utilize the lot prior to noon.\n"
    doc = parse_page("docs/page.md", page)
    spans = [(f.data["fix"]["start"], f.data["fix"]["end"]) for f in pl.check(doc, _ctx())]
    assert [doc.source[s:e] for s, e in spans] == ["utilize", "prior to"]


def test_a_phrase_broken_over_two_lines_is_flagged_but_not_fixed():
    (f,) = findings("Stop eating six hours prior\nto your visit.")
    assert "fix" not in f.data


# --- medical terms explained once per page ----------------------------------------------------


@pytest.mark.parametrize(
    "page, unexplained",
    [
        ("Ketamine can ease low mood.", ["Ketamine"]),
        ("Ketamine is a medicine used for surgery. Ketamine can ease low mood.", []),
        ("Ketamine, a medicine used for surgery, can ease low mood.", []),
        ("Ketamine (a medicine used for surgery) can ease low mood.", []),
        ("Esketamine (Spravato) is sold as a spray.", ["Esketamine"]),
        ("Esketamine (a nasal spray) is sold in clinics.", []),
        ("You may feel cut off from your body, called dissociation.", []),
        ("You may feel dissociation, which means feeling cut off from your body.", []),
        ("Dissociation means feeling cut off from your body.", []),
        ("Dissociation — feeling cut off from your body — is common.", []),
        ("**Dissociation:** feeling cut off from your body.", []),
        ("“Dissociation” means feeling cut off.", []),
        ("Dissociation\n: Feeling cut off from your body.", []),
        ("# What is ketamine?\n\nKetamine is a medicine used for surgery.", []),
        ("Ketamine can ease low mood. Ketamine drips take forty minutes.", ["Ketamine"]),
        ("Ketamine can ease low mood. Ketamine is a medicine used for surgery.", ["Ketamine"]),
        ("Ketamine helps some people. Dissociation is common.", ["Ketamine", "Dissociation"]),
        ("> Ketamine should be used only by experienced doctors.", []),
    ],
)
def test_a_term_must_be_explained_at_its_first_use(page, unexplained):
    got = [f.excerpt for f in findings(page) if "term" in f.data]
    assert got == unexplained


def test_an_explanation_later_on_the_page_is_pointed_to():
    (f,) = [f for f in findings("Ketamine can ease low mood.\n\nKetamine is a medicine used for surgery.\n") if "term" in f.data]
    assert f.line == 1
    assert "line 3" in f.message and "move the explanation" in f.message


def test_glossary_entries_may_use_terms_the_glossary_defines():
    page = (
        "Anesthetic\n: A drug, such as ketamine, that puts you to sleep for surgery.\n\n"
        "Ketamine\n: A drug used as an anesthetic.\n"
    )
    assert [f for f in findings(page) if "term" in f.data] == []


def test_each_term_is_reported_once_per_page():
    page = "Ketamine helps. Ketamine works fast. Ketamine is used in clinics.\n"
    assert [f.excerpt for f in findings(page)] == ["Ketamine"]
