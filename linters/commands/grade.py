"""`python -m linters grade FILE ...`: each page's reading grade and its hardest sentences.

Markdown files are read as the check reads them. A `.txt` file is plain text
with one paragraph per non-empty line (as the seed pages are): each line is
parsed as a Markdown paragraph of its own, and lines are reported as in the
file. The numbers are the `reading-level` rule's, from the same code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

from ..config import find_root, load_config
from ..errors import UsageError
from ..model import Document
from ..pages import parse_bytes
from ..parse.page import parse_page
from ..rules.reading_level import HARDEST, assess, page_target


def register(sub) -> None:
    p = sub.add_parser("grade", help="print each page's reading grade (SMOG) and its hardest sentences")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="Markdown (.md) or plain-text (.txt, one paragraph a line) files")
    p.add_argument("--top", type=int, default=HARDEST, help=f"how many hardest sentences to show (default {HARDEST})")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def read_text_page(name: str, text: str) -> tuple[Document, Callable[[int], int]]:
    """A plain-text page as Markdown, one paragraph per line; and a map from parsed line to file line."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    # A blank line between every two lines makes each a paragraph; parsed line 2k+1 is file line k+1.
    doc = parse_page(name, "\n\n".join(lines))
    return doc, lambda line: (line + 1) // 2


def load(path: Path) -> tuple[Document, Callable[[int], int]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if path.suffix.lower() == ".txt":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise UsageError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x})") from None
        return read_text_page(str(path), text)
    doc = parse_bytes(str(path), data)
    if doc.problems and not doc.source:
        p = doc.problems[0]
        raise UsageError(f"{path}:{p.line}: {p.message}")
    return doc, lambda line: line


def run(args) -> int:
    if args.top < 0:
        raise UsageError(f"--top {args.top}: give a number of sentences, 0 or more")
    root = find_root(args.files[0])
    config, _ = load_config(root)
    results = []
    for path in args.files:
        doc, file_line = load(path)
        result = assess(doc, top=args.top)
        target, _problem = page_target(doc, config.reading_level)
        results.append(
            {
                "path": str(path),
                "metrics": result.metrics.as_dict(),
                "target": target,
                "hardest": [{**h.as_dict(), "line": file_line(h.sentence.line)} for h in result.hardest],
            }
        )
    if args.format == "json":
        sys.stdout.write(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        return 0
    for r in results:
        m = r["metrics"]
        over = "above" if round(m["smog"], 1) > r["target"] else "within"
        print(
            f"{r['path']}: grade {m['smog']:.1f} (SMOG), {over} target {r['target']:g}; "
            f"Flesch-Kincaid {m['flesch_kincaid_grade']:.1f}, reading ease {m['flesch_reading_ease']:.0f}; "
            f"{m['words']} words, {m['sentences']} sentences"
        )
        for h in r["hardest"]:
            print(f"  line {h['line']}: {h['words']} words, {h['long_words']} of 3+ syllables: {h['text']}")
    return 0
