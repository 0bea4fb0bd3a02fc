"""The floor of any check of these pages that parses them with markdown-it-py: reading and parsing, nothing else.

    .venv/bin/python benchmarks/parse_floor.py DOCS_FOLDER [--jobs N]

The check parses each page with markdown-it-py (with plugins for front matter,
admonitions, tabs, footnotes and claim tags) and then runs its rules. This script does
only the reading and a parse with the fewest features (the CommonMark preset, no
plugins), in N processes as the check's workers are, and prints how many tokens it made so
the work cannot be skipped. `benchmarks/run.py` times it beside the check: no check that
parses with this library on this machine can be faster than it.
"""

from __future__ import annotations

import argparse
import os
from multiprocessing import get_context
from pathlib import Path

from markdown_it import MarkdownIt


def parse_all(paths: list[str]) -> int:
    md = MarkdownIt("commonmark")
    return sum(len(md.parse(Path(path).read_text("utf-8"))) for path in paths)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", type=Path)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args(argv)
    paths = sorted(str(p) for p in args.docs.rglob("*.md"))
    if not paths:
        parser.error(f"{args.docs}: no Markdown pages")
    jobs = max(1, min(args.jobs, len(paths)))
    if jobs == 1:
        tokens = parse_all(paths)
    else:
        with get_context("fork").Pool(jobs) as pool:
            tokens = sum(pool.map(parse_all, [paths[i::jobs] for i in range(jobs)]))
    print(f"{len(paths)} pages, {tokens} tokens, {jobs} processes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
