"""invoke tasks: the writers' and CI's entry points (`invoke --list`)."""

from __future__ import annotations

import sys

from invoke import task

PY = sys.executable


@task(help={"mode": "preview (default) or publish", "fmt": "text, json, sarif, junit or github"})
def check(c, mode="preview", fmt="text"):
    """Check the site's pages and claims registry."""
    c.run(f"{PY} -m linters check --mode {mode} --format {fmt}", pty=False)


@task
def test(c):
    """Run the test suite."""
    c.run(f"{PY} -m pytest -q")
