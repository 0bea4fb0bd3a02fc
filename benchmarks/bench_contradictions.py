"""Benchmark: the contradiction rule's cross-page check on 1,000 vs 10,000 synthetic pages.

    .venv/bin/python benchmarks/bench_contradictions.py [--sizes 1000 10000] [--seed 7]

Each synthetic page has prose with numbers (infusion length, course, monitoring
time, response rate, dose, ...), approval statements and filler, drawn from
templates with values that mostly agree and occasionally do not, for several
subjects (IV ketamine, Spravato, pain). Pages are parsed once; then the rule's
per-page `collect` and its cross-page `check` are timed separately (CPU time,
best of --repeat runs).

The cross-page check indexes facts by facet and subject and finds
disagreements by sorting each group, so its time should grow about 10x from
1,000 to 10,000 pages (n log n within a group), not 100x as comparing every
pair would. The check is also timed with Python's cyclic garbage collector
paused: the synthetic site has thousands of findings, and the collector's
rescans of them (not the rule) are what push the ratio above 10x. The script
prints the times and ratios, and exits 1 if the ratio exceeds 25.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linters.config import Config  # noqa: E402
from linters.context import Context  # noqa: E402
from linters.parse.page import parse_page  # noqa: E402
from linters.quantities import page_facts  # noqa: E402  (what `collect` returns, without the per-Document memo)
from linters.registry.load import Registry  # noqa: E402
from linters.rules.contradiction import RULE  # noqa: E402

MAX_RATIO = 25.0  # 10x more pages: allow for n log n, the garbage collector and noise; all pairs would be 100x

NUMBER_WORDS = ["four", "five", "six", "seven", "eight"]
TEMPLATES = [
    lambda r: f"Each infusion lasts about {r.choice([40, 40, 45, 50])} minutes.",
    lambda r: f"The drip itself runs for {r.choice(['40 to 60', '45 to 60', '40-50'])} minutes.",
    lambda r: f"Pain infusions can last up to {r.choice([3, 4])} hours.",
    lambda r: f"The first series is {r.choice(NUMBER_WORDS[1:4])} infusions over {r.choice(['2 to 3', 'two to three', 'three'])} weeks.",
    lambda r: f"After the infusion you are monitored for {r.choice(['30 minutes', '30 to 60 minutes', 'about an hour'])}.",
    lambda r: "After each Spravato dose, staff must watch you for at least 2 hours.",
    lambda r: f"About {r.choice([50, 55, 60, 65, 70])}% of patients respond to a series of infusions.",
    lambda r: f"The usual dose for depression is {r.choice(['0.5', '0.5', '0.5 to 0.75'])} mg/kg.",
    lambda r: f"Side effects usually fade within {r.choice(['an hour', '1 to 2 hours', 'a few hours'])}.",
    lambda r: "IV ketamine is not FDA approved for depression.",
    lambda r: "Spravato is FDA approved for treatment-resistant depression.",
    lambda r: "Ketamine is FDA approved as an anesthetic.",
    lambda r: "Ketamine works by blocking NMDA receptors, which respond to glutamate.",
    lambda r: "Do not drive until the next day.",
]
OUTLIERS = [
    lambda r: "Each infusion lasts 1.5 to 2 hours.",
    lambda r: "About 20% of patients respond to a series of infusions.",
    lambda r: "Ketamine infusions are FDA approved for depression.",
    lambda r: "The first series is twelve infusions over six weeks.",
]
FILLER = [
    "Ask your clinic what the plan is for you.",
    "Bring a friend who can take you home.",
    "Wear loose, comfortable clothes on the day.",
    "Tell staff if you feel unwell or scared at any time.",
    "Keep a short diary of how you feel each day.",
    "Your own doctor should know about the treatment.",
]


def make_page(rng: random.Random, i: int) -> str:
    lines = [f"# Page {i}", ""]
    for _ in range(8):
        if rng.random() < 0.01:
            lines.append(rng.choice(OUTLIERS)(rng))
        elif rng.random() < 0.6:
            lines.append(rng.choice(TEMPLATES)(rng))
        else:
            lines.append(rng.choice(FILLER))
        lines.append("")
    return "\n".join(lines)


def run(n: int, seed: int, repeat: int) -> dict:
    rng = random.Random(seed)
    docs = [parse_page(f"docs/p{i:05d}.md", make_page(rng, i)) for i in range(n)]
    ctx = Context(registry=Registry(present=True), config=Config(vale="off"))
    RULE.collect(parse_page("docs/warm.md", make_page(random.Random(0), 0)), ctx)  # load data files and pint first
    # The parsed pages stay alive; keep the collector from rescanning them so the
    # times measure the rule, not Python's garbage collector.
    gc.collect()
    gc.freeze()
    collect_s = check_s = check_nogc_s = float("inf")
    for _ in range(repeat):  # the best of a few runs: a shared machine is noisy
        t = time.process_time()
        collected = {d.path: page_facts(d) for d in docs}
        collect_s = min(collect_s, time.process_time() - t)
        t = time.process_time()
        findings = list(RULE.check(collected, ctx))
        check_s = min(check_s, time.process_time() - t)
        del findings
        # The same with the cyclic garbage collector paused: the rule's own work,
        # without the collector rescanning the findings as they pile up.
        gc.disable()
        t = time.process_time()
        findings = list(RULE.check(collected, ctx))
        check_nogc_s = min(check_nogc_s, time.process_time() - t)
        gc.enable()
        del findings
    findings = list(RULE.check(collected, ctx))
    gc.unfreeze()
    facts = sum(len(c.numbers) + len(c.categories) + len(c.statuses) for c in collected.values())
    return {"pages": n, "facts": facts, "findings": len(findings), "collect": collect_s, "check": check_s, "check_nogc": check_nogc_s}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[1000, 10000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="time each phase this many times and keep the best")
    args = parser.parse_args(argv)
    results = [run(n, args.seed, args.repeat) for n in args.sizes]
    for r in results:
        print(
            f"{r['pages']:6} pages  {r['facts']:7} facts  {r['findings']:6} findings  "
            f"collect {r['collect']:6.2f} s ({r['collect'] / r['pages'] * 1000:.3f} ms/page, {r['pages'] / r['collect']:.0f} pages/s)  "
            f"cross-page check {r['check']:6.3f} s ({r['check_nogc']:.3f} s with the garbage collector paused)"
        )
    small, large = results
    size_ratio = large["pages"] / small["pages"]
    ratio = large["check"] / small["check"] if small["check"] else float("inf")
    ratio_nogc = large["check_nogc"] / small["check_nogc"] if small["check_nogc"] else float("inf")
    print(
        f"pages x{size_ratio:.0f}: cross-page check time x{ratio:.1f} (x{ratio_nogc:.1f} with the garbage collector paused; "
        f"comparing all pairs would be x{size_ratio ** 2:.0f})"
    )
    return 0 if ratio <= MAX_RATIO * size_ratio / 10 else 1


if __name__ == "__main__":
    sys.exit(main())
