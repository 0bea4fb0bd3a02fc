"""Generate a realistic benchmark site of N pages from this repo's own pages.

    .venv/bin/python benchmarks/make_corpus.py --pages 1000 [--out benchmarks/corpus/1000] [--seed 7]

The site is a publisher hosting the patient guide for many clinics: each
folder `docs/clinic-NNNN/` is one clinic's copy of the 11 pages in `docs/`
(so the links between them still resolve in `mkdocs build`), and about one
clinic in twelve also has a page from `examples/noncompliant/` (hype, cure
and safety promises, uncited numbers), as real sites do.

No two pages are the same, and most sentences differ from page to page, so
per-sentence memo caches in the rules (prohibited-claim, facts, syllables)
get no more help than on a real site:

- each clinic has its own name, town, people, phone, opening hours and
  review dates, woven into the front matter and into 2-4 local sentences per
  page (some of which are uncited claims, as on real clinic pages);
- about half of the sentences open with the clinic's brand or town ("At Maple
  Health, ", "Here in Salem, ");
- words are rotated per sentence between synonyms that keep the meaning and the
  facts (drip / infusion / IV drip, doctor / physician / clinician, studies /
  trials, staff / nurses / the care team, about / around / roughly);
- numbers are written differently per clinic (six / 6, 2 to 3 weeks / two to
  three weeks / 2-3 weeks, 40 / 45 minutes), and about one clinic in fifty
  states a wrong infusion length, so cross-page contradictions and
  claim-drift findings exist, but are as rare as on a real site.

The corpus folder gets `mkdocs.yml` (this repo's, without the `nav`, with
`vale: off` so the main timings exclude Vale), `mkdocs-noplugin.yml` (the
same without the `medical-claims` plugin), a copy of `claims/`, `.vale.ini`
and `styles/`. It prints how many pages and how many distinct sentences it
made.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NONCOMPLIANT_SHARE = 1 / 12  # clinics with one extra page from examples/noncompliant/
WRONG_NUMBER_SHARE = 1 / 50  # clinics that state a wrong infusion length

FIRST = (
    "Amal Ana Ben Carla Chen Dana Eli Emma Femi Grace Hana Ivan Jade Jon Kai "
    "Lena Luis Maya Mia Nia Omar Priya Raj Rosa Sam Sara Tom Uma Vera Zoe"
).split()
LAST = (
    "Abbott Adeyemi Baker Bauer Chavez Cohen Diaz Evans Fischer Garcia Haddad Ito Jensen Kim Kowalski "
    "Lopez Mensah Moreau Nakamura Novak Okafor Patel Quinn Rossi Silva Singh Tanaka Ward Weber Young"
).split()
PLACE = "Maple Cedar Harbor Lakeside Riverside Summit Willow Oak Pine Bay Meadow Granite Brook Valley Hill Elm Aspen Birch Canyon Prairie".split()
KIND = "Wellness Clinic|Infusion Center|Health Clinic|Family Clinic|Health Partners|Medical Center|Care Center|Medical Group".split("|")
TOWN = "Springfield Riverton Fairview Greenville Madison Clinton Georgetown Salem Franklin Bristol Dover Ashland Oxford Burlington Milford Newport Hudson Jackson Lexington Marion".split()
STREET = "Main Street|Oak Avenue|Park Road|Church Street|Mill Lane|High Street|Elm Street|Lake Drive|Hill Road|River Road|Station Road|Market Street".split("|")
LANDMARK = "library|town hall|train station|post office|market|stadium|museum|high school".split("|")
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday".split()
LANGS = "Spanish|French|Arabic|Mandarin|Vietnamese|Portuguese|Polish|Hindi|Korean|Tagalog".split("|")

# Local sentences: none is a medical claim unless marked.
LOCAL = [
    "{clinic} is on {street} in {town}, a short walk from the {landmark}.",
    "Our front desk is open {day1} to {day2}, from {h1} am to {h2} pm.",
    "Call {person} on {phone} to book a first talk with one of our {doctors}.",
    "You can park for free in the {street2} garage, on level {level}.",
    "We speak {lang1} and {lang2} at the {town} clinic.",
    "If you use a wheelchair, tell {person} when you book so we can get a room ready.",
    "Bring a list of your medicines and the name of your own {doctor} to your first visit.",
    "{person2} leads the nursing team at {clinic}.",
    "Our {town} team answers questions by phone on {day1}s and {day2}s.",
    "The {clinic} waiting room has a quiet corner if you would like to rest before your visit.",
]
LOCAL_CLAIM_SHARE = 0.05
LOCAL_CLAIMS = [  # uncited claims a clinic adds to its copy (flagged, as they should be)
    "{person2}, one of our nurses, says most people feel calm within {minutes} minutes of starting.",
    "At {clinic}, {pct}% of our patients say they feel better after the first course.",
]

# Openers that keep the meaning of a sentence and make it the clinic's own.
OPENERS = ["At {brand}, ", "Here in {town}, ", "At {brand} in {town}, ", "For {brand} patients, ", "In our {town} practice, "]
OPENER_SHARE = 0.55
BRAND = "Health|Wellbeing|Family Care|Partners|Associates|Medical|Group|Care|Practice|Health Team".split("|")  # no indication words: "Mental Health" would name one

# Synonyms that keep the meaning and the facts: (pattern, choices); chosen per sentence.
SYNONYMS = [
    (r"\bdrips\b", ["drips", "infusions", "IV drips"]),
    (r"\bdrip\b", ["drip", "infusion", "IV drip"]),
    (r"\bdoctors\b", ["doctors", "physicians", "clinicians"]),
    (r"\bdoctor\b", ["doctor", "physician", "clinician"]),
    (r"\bstudies\b", ["studies", "trials", "research studies"]),
    (r"(?<![Tt]he )\b[Ss]taff\b", ["staff", "the nurses", "the care team"]),
    (r"\bpeople\b", ["people", "patients", "adults"]),
    (r"\blow mood\b", ["low mood", "depression", "low mood"]),
    (r"\busually\b", ["usually", "typically", "normally"]),
    (r"\boften\b", ["often", "frequently", "commonly"]),
    (r"\bmay\b", ["may", "might"]),
    (r"\bclinics\b", ["clinics", "clinics", "practices"]),
    (r"\bsome\b", ["some", "certain"]),
    (r"\bbefore\b", ["before", "before", "before", "prior to"]),  # now and then a writer slips into jargon
    (r"\bhelp\b", ["help", "help", "assist"]),
    (r"\babout(?= (?:\d|one|two|three|four|five|six|half))", ["about", "around", "roughly"]),
    (r"\bright away\b", ["right away", "at once", "straight away"]),
]
# Numbers a clinic writes its own way (consistently on all its pages).
NUMBERS = [
    (r"\b2 to 3 weeks\b", ["2 to 3 weeks", "two to three weeks", "2-3 weeks"]),
    (r"\bsix (drips|infusions|sessions)\b", ["six {0}", "6 {0}"]),
    (r"\bat least 2 hours\b", ["at least 2 hours", "at least two hours", "2 hours or more"]),
    (r"\b40 minutes\b", ["40 minutes", "40 minutes", "45 minutes", "forty minutes"]),
]
WRONG_DURATION = ["90 minutes", "2 hours", "15 minutes"]


def _cap(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _article(text: str) -> str:
    """`a infusion` → `an infusion` after a synonym changed the noun."""
    return re.sub(r"\b([Aa]) (?=[aeiouAEIOU]|IV\b)", lambda m: m.group(1) + "n ", text)


class Clinic:
    """One folder of the site: a clinic with its own people, numbers and wording."""

    def __init__(self, index: int, rng: random.Random, today: date):
        self.index = index
        self.rng = rng
        self.name = f"{rng.choice(PLACE)} {rng.choice(KIND)}"
        self.brand = f"{rng.choice(PLACE)} {rng.choice(BRAND)}"
        self.town = rng.choice(TOWN)
        self.people = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(3)]
        self.phone = f"555-{rng.randrange(100, 1000)}-{rng.randrange(1000, 10000)}"
        self.reviewed = today - timedelta(days=rng.randrange(5, 170))
        self.numbers = [(pattern, rng.choice(choices)) for pattern, choices in NUMBERS]
        if rng.random() < WRONG_NUMBER_SHARE:
            self.numbers[-1] = (NUMBERS[-1][0], rng.choice(WRONG_DURATION))
        self.noncompliant = rng.random() < NONCOMPLIANT_SHARE
        self.calm_minutes = rng.choice([10, 15, 20])
        self.pct = rng.randrange(55, 95)  # a clinic's own success rate: uncited, and not the same everywhere
        doctor = f"Dr. {rng.choice(LAST)}"
        nurse = rng.choice(FIRST)
        # Clinic pages name their own people and place; each mention is named now and then.
        self.own_words = [
            (r"\byour (?:own )?doctor\b", ["your doctor", "your doctor", doctor]),
            (r"\b[Tt]he clinic\b", ["the clinic", f"{self.brand}", f"the {self.town} clinic"]),
            (r"\b[Aa] nurse\b", ["a nurse", f"{nurse}, one of our nurses,", "a nurse"]),
            (r"\b[Tt]he drug\b", ["the drug", "ketamine", "the medicine"]),
            (r"\b(?:a|the) trained team\b", ["a trained team", f"the {self.brand} team"]),
        ]

    def slots(self, rng: random.Random) -> dict:
        d1, d2 = sorted(rng.sample(range(len(DAYS)), 2))
        l1, l2 = rng.sample(LANGS, 2)
        return {
            "clinic": self.name,
            "town": self.town,
            "street": rng.choice(STREET),
            "street2": rng.choice(STREET),
            "landmark": rng.choice(LANDMARK),
            "day1": DAYS[d1],
            "day2": DAYS[d2],
            "h1": rng.randrange(7, 10),
            "h2": rng.randrange(4, 8),
            "person": self.people[0],
            "person2": rng.choice(self.people[1:]),
            "phone": self.phone,
            "doctor": rng.choice(["doctor", "physician", "GP"]),
            "doctors": rng.choice(["doctors", "physicians", "psychiatrists"]),
            "level": rng.randrange(1, 6),
            "lang1": l1,
            "lang2": l2,
            "minutes": self.calm_minutes,
            "pct": self.pct,
        }


def vary_page(text: str, clinic: Clinic, rng: random.Random) -> str:
    """One clinic's copy of a page: its front matter, wording, numbers and local sentences."""
    front, body = _split_front_matter(text)
    if front is not None:
        front = _vary_front_matter(front, clinic, rng)
    for pattern, choice in clinic.numbers:
        body = re.sub(pattern, lambda m, c=choice: c.format(*m.groups()), body)
    body = "\n".join(_vary_line(line, clinic, rng) for line in body.split("\n"))
    slots = clinic.slots(rng)
    local = rng.sample(LOCAL, rng.randrange(2, 5))
    if rng.random() < LOCAL_CLAIM_SHARE:
        local.append(rng.choice(LOCAL_CLAIMS))
    paragraph = " ".join(s.format(**slots) for s in local)
    body = _insert_after_first_paragraph(body, paragraph)
    return (f"---\n{front}---\n" if front is not None else "") + body


_PROSE_LINE = re.compile(r"^(\s*(?:[-*] |\d+\. |> |: )?)([\"“]?[A-Z].*)$")
_SENTENCE_END = re.compile(r"(?<=[a-z0-9\]][.?!]) (?=[A-Z])")
PROPER = {"Spravato", "Ketalar", "Murrough", "Anand", "Ekstrand", "Then", "But", "So", "Or", "And", "Also", "Others", "Even"}


_PROTECTED = re.compile(r"(\[\[claim:[^\]]*\]\]|\]\([^)]*\)|`[^`]*`)")  # claim tags, link targets, code


def _vary_line(line: str, clinic: Clinic, rng: random.Random) -> str:
    """Rotate synonyms in each sentence of a prose line, name the clinic's own people, and open some sentences with its name or town."""
    if line.startswith("|") and not set(line) <= set("|-: "):  # a table row: each cell, without openers
        return "|".join(_vary_text(cell, clinic, rng, openers=False) for cell in line.split("|"))
    m = _PROSE_LINE.match(line)
    if m is None or line.lstrip().startswith(("#", "|", "!!!", "???", "===")):
        return line
    marker, text = m.groups()
    return marker + _vary_text(text, clinic, rng)


def _vary_text(text: str, clinic: Clinic, rng: random.Random, openers: bool = True) -> str:
    out = []
    for sentence in _SENTENCE_END.split(text):
        parts = _PROTECTED.split(sentence)
        for i in range(0, len(parts), 2):  # odd indices are tags, link targets and code: left alone
            part = parts[i]
            for pattern, choices in SYNONYMS:
                part = re.sub(pattern, lambda m, c=choices: _cap(rng.choice(c), m.group(0)), part)
            for pattern, choices in clinic.own_words:
                part = re.sub(pattern, lambda m, c=choices: _cap(rng.choice(c), m.group(0)), part)
            parts[i] = _article(part)
        sentence = "".join(parts)
        first = sentence.split(" ", 1)[0]
        if openers and len(sentence.split()) >= 5 and rng.random() < OPENER_SHARE and first.isalpha() and first not in PROPER:
            opener = rng.choice(OPENERS).format(brand=clinic.brand, town=clinic.town)
            keep_case = len(first) > 1 and first[1].isupper()  # IV, FDA, ECT
            sentence = opener + (sentence if keep_case else sentence[0].lower() + sentence[1:])
        out.append(sentence)
    return " ".join(out)


def _split_front_matter(text: str) -> tuple[str | None, str]:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end > 0:
            return text[4 : end + 1], text[end + 5 :]
    return None, text


def _vary_front_matter(front: str, clinic: Clinic, rng: random.Random) -> str:
    reviewed = clinic.reviewed - timedelta(days=rng.randrange(0, 5))
    out = []
    for line in front.splitlines():
        key = line.split(":", 1)[0]
        if key == "author":
            line = f"author: {clinic.name} editorial team" if rng.random() < 0.6 else f"author: {clinic.people[1]}"
        elif key == "last_reviewed":
            line = f"last_reviewed: {reviewed.isoformat()}"
        elif key == "next_review":
            line = f"next_review: {(reviewed + timedelta(days=180)).isoformat()}"
        elif key == "title" and rng.random() < 0.5:
            value = line.split(":", 1)[1].strip().strip('"')
            line = f'title: "{value} ({clinic.town})"'
        out.append(line)
    return "\n".join(out) + "\n"


def _insert_after_first_paragraph(body: str, paragraph: str) -> str:
    """After the first top-level paragraph (not a heading, list, table or admonition body), else at the end."""
    blocks = body.split("\n\n")
    for i, block in enumerate(blocks):
        first = block.lstrip("\n")
        if first and first[0].isalpha() and not block.startswith(" ") and "\n:" not in block:
            blocks.insert(i + 1, paragraph)
            return "\n\n".join(blocks)
    return body.rstrip("\n") + "\n\n" + paragraph + "\n"


def mkdocs_configs(vale: str) -> tuple[str, str]:
    """(with the plugin, without it): this repo's mkdocs.yml without `nav`, Vale set as asked."""
    lines = (REPO / "mkdocs.yml").read_text("utf-8").splitlines()
    kept: list[str] = []
    skipping = False
    for line in lines:
        if re.match(r"^nav:", line):
            skipping = True
            continue
        if skipping and (line.startswith(" ") or not line.strip()):
            continue
        skipping = False
        kept.append(line)
    with_plugin: list[str] = []
    without: list[str] = []
    in_plugin = False
    for line in kept:
        if re.match(r"^\s*- medical-claims:", line):
            in_plugin = True
            with_plugin += [line, f"      vale: {vale}"]
            continue
        if in_plugin and re.match(r"^\s{6,}\S", line):
            with_plugin.append(line)
            continue
        in_plugin = False
        with_plugin.append(line)
        without.append(line)
    return "\n".join(with_plugin) + "\n", "\n".join(without) + "\n"


def make_corpus(pages: int, out: Path, seed: int = 7, vale: str = "off", today: date | None = None) -> list[Path]:
    today = today or date.today()
    if out.exists():
        shutil.rmtree(out)
    (out / "docs").mkdir(parents=True)
    shutil.copytree(REPO / "claims", out / "claims", ignore=shutil.ignore_patterns(".lock", "*.tmp*"))
    if (REPO / ".vale.ini").is_file():
        shutil.copy2(REPO / ".vale.ini", out / ".vale.ini")
    if (REPO / "styles").is_dir():
        shutil.copytree(REPO / "styles", out / "styles")
    with_plugin, without = mkdocs_configs(vale)
    (out / "mkdocs.yml").write_text(with_plugin, "utf-8")
    (out / "mkdocs-noplugin.yml").write_text(without, "utf-8")

    bases = {p.name: p.read_text("utf-8") for p in sorted((REPO / "docs").glob("*.md"))}
    bad = {p.name: p.read_text("utf-8") for p in sorted((REPO / "examples" / "noncompliant").glob("*.md"))}
    written: list[Path] = []
    seen: set[str] = set()
    folder = 0
    while len(written) < pages:
        clinic = Clinic(folder, random.Random(seed * 1_000_003 + folder), today)
        names = list(bases.items())
        if clinic.noncompliant:  # under its own name: examples/noncompliant/what-to-expect.md would replace the guide's page
            name, text = clinic.rng.choice(list(bad.items()))
            names.append((f"news-{name}", text))
        for name, text in names:
            if len(written) >= pages:
                break
            rng = random.Random(f"{seed}/{folder}/{name}")
            page = vary_page(text, clinic, rng)
            digest = hashlib.sha256(page.encode()).hexdigest()
            if digest in seen:  # cannot happen with these slots; a duplicate would flatter any cache
                raise SystemExit(f"make_corpus: duplicate page {folder}/{name}")
            seen.add(digest)
            path = out / "docs" / f"clinic-{folder:04d}" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page, "utf-8")
            written.append(path)
        folder += 1
    return written


def sentence_stats(paths: list[Path], root: Path) -> tuple[int, int]:
    """(sentences, distinct sentences) as the linters' own parser splits them."""
    sys.path.insert(0, str(REPO))
    from linters.pages import read_page

    total = 0
    distinct: set[str] = set()
    for path in paths:
        for s in read_page(path, root).sentences:
            total += 1
            distinct.add(s.text)
    return total, len(distinct)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--out", type=Path, help="default: benchmarks/corpus/<pages>")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--vale", default="off", choices=["off", "optional", "required"], help="the `vale` option in the corpus mkdocs.yml")
    ap.add_argument("--stats", action="store_true", help="also count distinct sentences (parses every page)")
    args = ap.parse_args(argv)
    out = args.out or REPO / "benchmarks" / "corpus" / str(args.pages)
    paths = make_corpus(args.pages, out, args.seed, args.vale)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} pages ({size / 1e6:.1f} MB) in {out}")
    if args.stats:
        total, distinct = sentence_stats(paths, out)
        print(f"{total} sentences, {distinct} distinct ({distinct / max(total, 1):.0%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
