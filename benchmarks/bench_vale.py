"""How much time Vale adds to a full check.

Copies the site's pages (docs/) into a temporary corpus of N pages (default
1,000), then times the whole check (read, parse, every rule) with `vale: off`
and with `vale: required`, best of R runs each, in this process through the
same engine the CLI uses. Result caching is off, so every page is checked.

    .venv/bin/python benchmarks/bench_vale.py [--pages 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from linters.engine import check_paths, open_project  # noqa: E402
from linters.vale import find_vale  # noqa: E402

MKDOCS = "site_name: Bench\nplugins:\n  - medical-claims:\n      vale: {vale}\n      cache: false\n"


def make_corpus(root: Path, pages: int, docs: Path) -> int:
    sources = sorted(docs.rglob("*.md"))
    if not sources:
        raise SystemExit(f"{docs}: no Markdown pages to copy")
    shutil.copytree(REPO / "claims", root / "claims")
    shutil.copy(REPO / ".vale.ini", root / ".vale.ini")
    shutil.copytree(REPO / "styles", root / "styles")
    for i in range(pages):
        src = sources[i % len(sources)]
        target = root / "docs" / f"copy-{i // len(sources):03d}" / src.relative_to(docs)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(src.read_bytes())
    return len(sources)


def cpu_seconds() -> float:
    """CPU time of this process and of the child processes it has waited for (Vale)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def best_time(root: Path, vale: str, repeat: int) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, pages checked, Vale findings) of the fastest of `repeat` full checks."""
    (root / "mkdocs.yml").write_text(MKDOCS.format(vale=vale), "utf-8")
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        project = open_project(root=root)
        start, start_cpu = time.perf_counter(), cpu_seconds()
        report = check_paths([root / "docs"], mode="preview", project=project)
        best, best_cpu = min(best, time.perf_counter() - start), min(best_cpu, cpu_seconds() - start_cpu)
    if vale != "off" and any("Vale" in note or "VALE_BIN" in note for note in report.notes):
        raise SystemExit(f"Vale did not run: {report.notes}")
    return best, best_cpu, len(report.documents), sum(1 for f in report.findings if f.rule.startswith("vale."))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--docs", type=Path, default=REPO / "docs", help="pages to multiply (default: the site's docs/)")
    args = parser.parse_args()
    binary = find_vale(REPO)
    if binary.path is None:
        raise SystemExit(f"{binary.problem}: run scripts/install-vale.sh or set VALE_BIN")
    with tempfile.TemporaryDirectory(prefix="bench-vale-") as tmp:
        root = Path(tmp)
        originals = make_corpus(root, args.pages, args.docs)
        # find_vale looks in <root>/.tools/bin as a last resort; point it at the one found here
        os.environ.setdefault("VALE_BIN", binary.path)
        without, without_cpu, pages, _ = best_time(root, "off", args.repeat)
        with_vale, with_cpu, _, alerts = best_time(root, "required", args.repeat)
    added = with_vale - without
    print(f"corpus: {pages} pages ({originals} pages of {args.docs.name}/ copied), best of {args.repeat}, {os.cpu_count()} CPUs, Vale at {binary.path}")
    print(f"without Vale: {without:6.2f} s  {pages / without:7.1f} pages/s  (CPU {without_cpu:.2f} s)")
    print(f"with Vale:    {with_vale:6.2f} s  {pages / with_vale:7.1f} pages/s  (CPU {with_cpu:.2f} s, Vale and our mapping included; {alerts} Vale findings)")
    print(f"Vale adds {added:.2f} s wall, {with_cpu - without_cpu:.2f} s CPU to a full check of {pages} pages ({1000 * added / pages:.2f} ms per page, +{100 * added / without:.0f}%)")


if __name__ == "__main__":
    main()
