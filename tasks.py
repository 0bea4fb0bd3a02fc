"""invoke tasks: the writers' and CI's entry points (`invoke --list`)."""

from __future__ import annotations

import sys

from invoke import Exit, task

PY = sys.executable
QUIET_MKDOCS = {"NO_MKDOCS_2_WARNING": "1"}  # we pin mkdocs<2; its banner about 2.0 is noise in every build


@task(help={"mode": "preview (default) or publish", "fmt": "text, json, sarif, junit or github"})
def check(c, mode="preview", fmt="text"):
    """Check the site's pages and claims registry."""
    c.run(f"{PY} -m linters check --mode {mode} --format {fmt}", pty=False)


@task(help={"fmt": "text (default) or json", "window": "days ahead that count as expiring (default: expiring_days in mkdocs.yml)", "all": "also list approved claims that need nothing"})
def review(c, fmt="text", window=None, all=False):
    """List the claims a medical reviewer needs to look at: pending, stale, expiring, expired, rejected, unused."""
    extra = (f" --window {int(window)}" if window is not None else "") + (" --all" if all else "")
    c.run(f"{PY} -m linters review list --format {fmt}{extra}", pty=False)


@task(help={"addr": "where to serve (default 127.0.0.1:8000)"})
def serve(c, addr="127.0.0.1:8000"):
    """Preview the site as you write: checks in preview mode, flagged sentences highlighted, rebuilt on every save (pages and claims/)."""
    c.run(f"{PY} -m mkdocs serve --dev-addr {addr}", env=QUIET_MKDOCS, pty=False)


@task(help={"preview": "build a preview copy (highlights and problem lists on each page) instead of the publish build", "strict": "fail on any error finding, as the CI gate does", "out": "output folder (default site/)"})
def build(c, preview=False, strict=False, out="site"):
    """Build the site into site/. Checks run in publish mode (errors are logged); --preview builds what `serve` shows."""
    env = {**QUIET_MKDOCS, **({"MEDICAL_CLAIMS_MODE": "preview"} if preview else {})}
    c.run(f"{PY} -m mkdocs build --site-dir {out}" + (" --strict" if strict else ""), env=env, pty=False)


@task
def publish(c):
    """The CI gate: the publish-mode check (report also in linters.sarif) and a strict build. Fails if either fails."""
    failed = []
    # Both steps run even when the first fails, so one run shows everything that blocks publishing.
    text = c.run(f"{PY} -m linters check --mode publish", warn=True, pty=False)
    sarif = c.run(f"{PY} -m linters check --mode publish --format sarif --output linters.sarif --summary", warn=True, pty=False)
    if text.exited != 0 or sarif.exited not in (0, 1):
        failed.append(f"check --mode publish (exit {text.exited})")
    site = c.run(f"{PY} -m mkdocs build --strict --site-dir site", warn=True, pty=False, env={**QUIET_MKDOCS, "MEDICAL_CLAIMS_MODE": "publish"})
    if site.exited != 0:
        failed.append(f"mkdocs build --strict (exit {site.exited})")
    if failed:
        raise Exit(f"publish: not ready: {'; '.join(failed)}. The SARIF report is in linters.sarif.", code=1)
    print("publish: the check and the strict build passed; the site is in site/")


@task
def test(c):
    """Run the test suite."""
    c.run(f"{PY} -m pytest -q")
