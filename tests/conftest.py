"""Shared fixtures: build a small site in a temp folder and run the real CLI on it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")


MINIMAL_REFERENCES = [
    {
        "id": "murrough2013rapid",
        "type": "article-journal",
        "title": "Rapid and longer-term antidepressant effects of repeated ketamine infusions in treatment-resistant major depression",
        "author": [{"family": "Murrough", "given": "James W."}],
        "container-title": "Biological Psychiatry",
        "issued": {"date-parts": [[2013]]},
        "DOI": "10.1016/j.biopsych.2012.06.022",
        "PMID": "22840761",
    }
]

MINIMAL_CLAIMS = """\
# test registry
claims:
  - id: six-infusions
    statement: "In one study, people had six infusions over 12 days."
    category: procedure
    sources:
      - ref: murrough2013rapid
        locator: Abstract
        quote: "six IV infusions of ketamine"
    facts:
      - facet: course-infusions
        value: 6
        unit: infusion
    review:
      status: pending
"""


@pytest.fixture
def site(tmp_path: Path):
    """A callable that writes a small project (mkdocs.yml, claims/, docs/) and returns its root."""

    def make(pages: dict[str, str], claims: str | None = MINIMAL_CLAIMS, references=MINIMAL_REFERENCES, mkdocs: str | None = None) -> Path:
        root = tmp_path / "site"
        root.mkdir(exist_ok=True)
        (root / "mkdocs.yml").write_text(mkdocs or "site_name: Test\nplugins:\n  - medical-claims:\n      vale: off\n", "utf-8")
        if claims is not None:
            (root / "claims").mkdir(exist_ok=True)
            (root / "claims" / "claims.yml").write_text(claims, "utf-8")
            (root / "claims" / "references.json").write_text(json.dumps(references, indent=2), "utf-8")
        write(root / "docs", pages)
        return root

    return make


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m linters ARGS` as a user would."""
    return subprocess.run([sys.executable, "-m", "linters", *args], cwd=cwd or REPO, capture_output=True, text=True, env=env, timeout=600)


def run_json(*args: str, cwd: Path | None = None) -> tuple[int, dict]:
    proc = run_cli(*args, "--format", "json", cwd=cwd)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def run_main(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`python -m linters ARGS` in this process: the same `main`, without paying for a new interpreter."""
    import contextlib
    import io
    import os

    from linters.cli import main

    out, err = io.StringIO(), io.StringIO()
    before = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(["linters", *args], code, out.getvalue(), err.getvalue())
