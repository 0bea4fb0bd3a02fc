"""Measure the `contradiction` rule on the labelled data in tests/data/.

    .venv/bin/python scripts/measure_contradictions.py [--split dev|test|all] [--errors]

- tests/data/contradiction_pairs.yml: each pair is put on two pages; a pair is
  predicted contradictory when the rule reports a finding on one page whose
  `related` names the other. Precision and recall are printed per split
  (tune on dev; test is the held-out check).
- tests/data/range_formats.yml: each sentence is one page; it is predicted
  invalid when the rule reports an inverted or impossible range in it.

Exit status 0 when the targets are met (pairs: precision >= 0.95 and recall
>= 0.85 on every split shown; ranges: no miss and no false alarm), else 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linters.config import Config  # noqa: E402
from linters.context import Context  # noqa: E402
from linters.parse.page import parse_page  # noqa: E402
from linters.registry.load import Registry  # noqa: E402
from linters.rules.contradiction import RULE  # noqa: E402
from linters.yamlio import load_safe  # noqa: E402

PAIRS = ROOT / "tests" / "data" / "contradiction_pairs.yml"
RANGES = ROOT / "tests" / "data" / "range_formats.yml"
RANGE_CHECKS = {"inverted", "over-100-percent", "negative"}
TARGET_PRECISION, TARGET_RECALL = 0.95, 0.85


def _context() -> Context:
    return Context(registry=Registry(present=True), config=Config(vale="off"))


def findings(pages: dict[str, str]):
    ctx = _context()
    docs = [parse_page(path, text + "\n") for path, text in pages.items()]
    return list(RULE.check({d.path: RULE.collect(d, ctx) for d in docs}, ctx))


def pair_predicted(a: str, b: str) -> bool:
    for f in findings({"docs/a.md": a, "docs/b.md": b}):
        other = "docs/b.md" if f.path == "docs/a.md" else "docs/a.md"
        if any(r.path == other for r in f.related):
            return True
    return False


def range_predicted(text: str) -> bool:
    return any(f.data.get("check") in RANGE_CHECKS for f in findings({"docs/a.md": text}))


def load(path: Path) -> list[dict]:
    return load_safe(path.read_text("utf-8"))


def score(rows: list[tuple[bool, bool]]) -> dict:
    tp = sum(1 for gold, pred in rows if gold and pred)
    fp = sum(1 for gold, pred in rows if not gold and pred)
    fn = sum(1 for gold, pred in rows if gold and not pred)
    tn = sum(1 for gold, pred in rows if not gold and not pred)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"n": len(rows), "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision, "recall": recall}


def measure_pairs(splits: list[str], show_errors: bool) -> bool:
    items = load(PAIRS)
    ok = True
    print(f"Statement pairs ({PAIRS.relative_to(ROOT)}): {len(items)} pairs, {sum(1 for i in items if not i['contradiction'])} consistent")
    for split in splits:
        chosen = [i for i in items if split == "all" or i.get("split") == split]
        rows = []
        for item in chosen:
            pred = pair_predicted(item["a"], item["b"])
            rows.append((bool(item["contradiction"]), pred))
            if show_errors and pred != bool(item["contradiction"]):
                kind = "false alarm" if pred else "miss"
                print(f"  [{split}] {kind}: {item['a']!r} / {item['b']!r} ({item.get('note', '')})")
        s = score(rows)
        met = s["precision"] >= TARGET_PRECISION and s["recall"] >= TARGET_RECALL
        ok &= met
        print(
            f"  {split:5} n={s['n']:3}  TP={s['tp']:2} FP={s['fp']:2} FN={s['fn']:2} TN={s['tn']:2}  "
            f"precision={s['precision']:.3f} recall={s['recall']:.3f}  {'target met' if met else 'BELOW TARGET'}"
        )
    return ok


def measure_ranges(splits: list[str], show_errors: bool) -> bool:
    items = load(RANGES)
    ok = True
    print(f"Range formats ({RANGES.relative_to(ROOT)}): {len(items)} sentences, {sum(1 for i in items if i['invalid'])} invalid")
    for split in splits:
        chosen = [i for i in items if split == "all" or i.get("split") == split]
        misses = false_alarms = 0
        for item in chosen:
            pred = range_predicted(item["text"])
            if pred and not item["invalid"]:
                false_alarms += 1
            elif item["invalid"] and not pred:
                misses += 1
            if show_errors and pred != bool(item["invalid"]):
                print(f"  [{split}] {'false alarm' if pred else 'miss'}: {item['text']!r} ({item.get('reason', '')})")
        ok &= misses == 0 and false_alarms == 0
        print(f"  {split:5} n={len(chosen):3}  misses={misses} false alarms={false_alarms}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "test", "all", "both"], default="both", help="both = dev and test separately")
    parser.add_argument("--errors", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args(argv)
    splits = ["dev", "test"] if args.split == "both" else [args.split]
    ok = measure_pairs(splits, args.errors)
    ok &= measure_ranges(splits, args.errors)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
