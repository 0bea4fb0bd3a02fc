"""Precision and recall of unsupported-claim and prohibited-claim on the labelled sentences.

    .venv/bin/python scripts/measure_claims.py [--split dev|test|all] [--errors]

The labels in tests/data/ were written by someone who did not see the rules.
Tune on `dev`; `test` is the held-out number the README reports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linters.parse.sentences import sentence_spans  # noqa: E402
from linters.rules.prohibited_claim import prohibited_spans  # noqa: E402


def prohibited(text: str) -> bool:
    """As the rule sees a labelled item: sentence by sentence, questions skipped."""
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    for i, sentence in enumerate(sentences):
        is_question = sentence.rstrip("\"'”’)").endswith("?")
        if is_question and not sentence.lower().startswith(("did you know", "isn't it")):
            continue
        previous = sentences[i - 1] if i else ""
        short = len(sentence.split()) <= 2
        question = previous if (previous.rstrip("\"'”’)").endswith("?") or short) else ""
        neighbours = " ".join(sentences[max(i - 1, 0) : i] + sentences[i + 1 : i + 2])
        if prohibited_spans(sentence, question, neighbours):
            return True
    return False
from linters.rules.unsupported_claim import classify  # noqa: E402


def load(name: str, folder: str = "data") -> list[dict]:
    return YAML(typ="safe").load((ROOT / "tests" / folder / name).read_text("utf-8"))


def score(pairs: list[tuple[bool, bool]]) -> dict:
    tp = sum(1 for want, got in pairs if want and got)
    fp = sum(1 for want, got in pairs if not want and got)
    fn = sum(1 for want, got in pairs if want and not got)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"n": len(pairs), "tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall}


def measure(split: str = "all") -> dict[str, dict]:
    results = {}
    items = [i for i in load("unsupported_labelled.yml") if split == "all" or i.get("split") == split]
    results["unsupported-claim"] = score([(i["claim"], classify(i["text"], heading=bool(i.get("heading"))).claim) for i in items])
    items = [i for i in load("prohibited_labelled.yml") if split == "all" or i.get("split") == split]
    results["prohibited-claim"] = score([(i["prohibited"], prohibited(i["text"])) for i in items])
    return results


def measure_heldout() -> dict[str, dict]:
    """The second blind set (tests/heldout/), written after the rules were tuned."""
    items = load("unsupported_heldout.yml", "heldout")
    results = {"unsupported-claim": score([(i["claim"], classify(i["text"], heading=bool(i.get("heading"))).claim) for i in items])}
    for path in sorted((ROOT / "tests" / "heldout").glob("prohibited_heldout*.yml")):
        name = path.name
        items = load(name, "heldout")
        results[f"prohibited-claim ({name.split('_')[1].split('.')[0]})"] = score([(i["prohibited"], prohibited(i["text"])) for i in items])
    return results


def errors(split: str) -> None:
    for i in load("unsupported_labelled.yml"):
        if split != "all" and i.get("split") != split:
            continue
        v = classify(i["text"], heading=bool(i.get("heading")))
        if v.claim != i["claim"]:
            print(f"unsupported {'FN' if i['claim'] else 'FP'} [{i['kind']}→{v.kind}] {i['text']}")
    for i in load("prohibited_labelled.yml"):
        if split != "all" and i.get("split") != split:
            continue
        if prohibited(i["text"]) != i["prohibited"]:
            print(f"prohibited {'FN' if i['prohibited'] else 'FP'} [{i['category']}] {i['text']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default=None, choices=["dev", "test", "all", "heldout"])
    parser.add_argument("--errors", action="store_true", help="list every misclassified sentence")
    args = parser.parse_args()
    splits = [args.split] if args.split else ["dev", "test", "all", "heldout"]
    print(f"{'rule':<20} {'split':<7} {'n':>4} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}")
    for split in splits:
        if split == "heldout" and not (ROOT / "tests" / "heldout").exists():
            continue
        for rule, s in (measure_heldout() if split == "heldout" else measure(split)).items():
            print(f"{rule:<20} {split:<7} {s['n']:>4} {s['tp']:>4} {s['fp']:>4} {s['fn']:>4} {s['precision']:>9.3f} {s['recall']:>7.3f}")
    if args.errors:
        errors(args.split or "all")


if __name__ == "__main__":
    main()
