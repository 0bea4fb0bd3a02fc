"""invoke tasks: the writers' and CI's entry points (`invoke --list`)."""

from __future__ import annotations

import sys

from invoke import task

PY = sys.executable


@task(help={"mode": "preview (default) or publish", "fmt": "text, json, sarif, junit or github"})
def check(c, mode="preview", fmt="text"):
    """Check the site's pages and claims registry."""
    c.run(f"{PY} -m linters check --mode {mode} --format {fmt}", pty=False)


@task(help={"fmt": "text (default) or json", "window": "days ahead that count as expiring (default: expiring_days in mkdocs.yml)", "all": "also list approved claims that need nothing"})
def review(c, fmt="text", window=None, all=False):
    """List the claims a medical reviewer needs to look at: pending, stale, expiring, expired, rejected, unused."""
    extra = (f" --window {int(window)}" if window is not None else "") + (" --all" if all else "")
    c.run(f"{PY} -m linters review list --format {fmt}{extra}", pty=False)


@task
def test(c):
    """Run the test suite."""
    c.run(f"{PY} -m pytest -q")
