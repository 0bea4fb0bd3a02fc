"""Helpers for the site tests: a small fixture site (approved, pending and hostile claims) and the real `mkdocs build`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

from conftest import MINIMAL_REFERENCES, write

from linters.registry.fingerprint import fingerprint
from linters.registry.schema import Claim
from linters.review import audit

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"

APPROVED_STATEMENT = "In one study, people had six drips over 12 days."
FRONT_MATTER = """\
---
title: {title}
description: {title}, in plain words.
author: Editorial team
medical_reviewer: Jane Roe, MD
last_reviewed: 2026-01-05
next_review: 2099-01-01
---
"""

MKDOCS_YML = """\
site_name: Test site
theme:
  name: material
  features:
    - content.tooltips
plugins:
  - search
  - medical-claims:
      vale: "off"
markdown_extensions:
  - admonition
  - toc:
      permalink: true
"""


def _approved(claim_id: str, statement: str) -> dict:
    claim = {
        "id": claim_id,
        "statement": statement,
        "category": "procedure",
        "sources": [{"ref": "murrough2013rapid", "locator": "Abstract", "quote": "a series of up to six IV infusions of ketamine"}],
        "review": {"status": "approved", "reviewer": "Jane Roe, MD", "approved_on": "2026-01-05", "next_review": "2099-01-01", "fingerprint": "to-be-computed"},
    }
    claim["review"]["fingerprint"] = fingerprint(Claim.model_validate(claim))
    return claim


def write_site(root: Path, pages: dict[str, str], extra_claims: list[dict] = (), mkdocs: str = MKDOCS_YML) -> Path:
    """A project whose claim `six-infusions` is approved (with its audit record), plus `extra_claims`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(mkdocs, "utf-8")
    claims_dir = root / "claims"
    claims_dir.mkdir(exist_ok=True)
    approved = _approved("six-infusions", APPROVED_STATEMENT)
    claims = [approved, *extra_claims]
    (claims_dir / "claims.yml").write_text(json.dumps({"claims": claims}, indent=2), "utf-8")  # JSON is YAML
    (claims_dir / "references.json").write_text(json.dumps(MINIMAL_REFERENCES, indent=2), "utf-8")
    if not (claims_dir / audit.AUDIT_FILE).exists():
        audit.append(claims_dir, audit.entry("six-infusions", "approved", "Jane Roe, MD", approved["review"]["fingerprint"], APPROVED_STATEMENT, None, "2099-01-01"))
    write(root / "docs", pages)
    return root


def clean_page(title: str, body: str) -> str:
    return FRONT_MATTER.format(title=title) + textwrap.dedent(body).lstrip("\n")


HOSTILE_CLAIMS = [
    {
        "id": "hostile",
        "statement": f"Sessions last an hour {SCRIPT}.",
        "category": "procedure",
        "sources": [{"ref": "murrough2013rapid", "locator": "<b>Methods</b>", "quote": f"infusions {IMG} and {SCRIPT}"}],
        "review": {"status": "pending"},
    },
    {"id": "draft-not-cited", "statement": "Nobody cites this claim yet.", "category": "procedure", "sources": [], "review": {"status": "draft"}},
]

FIXTURE_PAGES = {
    "index.md": clean_page(
        "How many drips",
        """
        # How many drips

        In one study, people had six drips over 12 days [[claim:six-infusions]].

        A tag in code is text: `[[claim:six-infusions]]`.
        """,
    ),
    "hostile.md": clean_page(
        "Hostile",
        """
        # Hostile

        Sessions last an hour [[claim:hostile]].
        """,
    ),
    "flagged.md": clean_page(
        "Flagged",
        """
        # Flagged

        In one study, people had six drips over 12 days [[claim:six-infusions]]. Ketamine is a guaranteed cure for depression.
        """,
    ),
}


# `mkdocs build` with the plugin's check in the build's own process, as where no child process can be forked
INLINE_CHECK = "import linters.mkdocs_plugin as p; p.can_fork = lambda: False; from mkdocs.__main__ import cli; cli(prog_name='mkdocs')"


def _command(root: Path, out: Path, mode: str | None, strict: bool, verbose: bool = False, inline: bool = False) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("MEDICAL_CLAIMS_MODE", None)
    if mode:
        env["MEDICAL_CLAIMS_MODE"] = mode
    cmd = [sys.executable, *(["-c", INLINE_CHECK] if inline else ["-m", "mkdocs"]), "build", "-f", str(root / "mkdocs.yml"), "-d", str(out)]
    if strict:
        cmd.append("--strict")
    if verbose:
        cmd.append("--verbose")
    return cmd, env


def build(root: Path, out: Path, mode: str | None = None, strict: bool = False) -> subprocess.CompletedProcess:
    """The real `mkdocs build`, as a writer or CI runs it."""
    cmd, env = _command(root, out, mode, strict)
    return subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env, timeout=300)


def build_all(jobs: dict[str, dict]) -> dict[str, subprocess.CompletedProcess]:
    """Several builds at once (each is its own process), to keep the test suite's wall time down.
    `jobs`: name -> keyword arguments of `build`."""
    running = {}
    for name, kw in jobs.items():
        cmd, env = _command(kw["root"], kw["out"], kw.get("mode"), kw.get("strict", False), kw.get("verbose", False), kw.get("inline", False))
        running[name] = (cmd, subprocess.Popen(cmd, cwd=kw["root"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
    done = {}
    for name, (cmd, proc) in running.items():
        try:
            out, err = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        done[name] = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    return done


def page_html(out: Path, src: str) -> str:
    """The built HTML of docs/`src` (directory URLs: foo.md -> foo/index.html)."""
    rel = Path(src).with_suffix("")
    folder = rel.parent if rel.name == "index" else rel
    return (out / folder / "index.html").read_text("utf-8")


def article(html: str) -> str:
    """The page content (Material wraps it in <article>), without the theme's chrome."""
    m = re.search(r'<article class="md-content__inner[^"]*">(.*)</article>', html, re.S)
    return m.group(1) if m else html


class TextOutsideCode(HTMLParser):
    """The text of a document, leaving out <code>, <pre>, <script> and <style>."""

    SKIP = {"code", "pre", "script", "style"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def text_outside_code(html: str) -> str:
    parser = TextOutsideCode()
    parser.feed(html)
    return "".join(parser.parts)
