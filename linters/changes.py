"""`--changed-since REF`: check what a change touched, judged against the whole site.

Changed files are those that differ between REF and HEAD (`git diff
REF...HEAD`, the change as a pull request shows it) plus what is not committed
yet: staged, unstaged and untracked files that git does not ignore. Page rules
run only on changed pages; cross-page rules and claim status still read every
page, and a finding is kept when it is on a changed file or involves one: a
contradiction whose other side is a changed page, a registry problem with a
claim a changed page cites, or any registry problem once `claims/` changed.
A change to `mkdocs.yml` changes what every page is checked against, so it
checks every page.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .config import CONFIG_FILE
from .errors import UsageError

GIT_TIMEOUT = 60


@dataclass
class Changes:
    ref: str
    paths: set[str] = field(default_factory=set)  # relative to the project root, with forward slashes
    claims_dir: str = "claims"

    @property
    def config_changed(self) -> bool:
        return CONFIG_FILE in self.paths

    @property
    def claims_changed(self) -> bool:
        return any(_under(p, self.claims_dir) for p in self.paths)

    @property
    def page_filter(self) -> set[str] | None:
        """Pages the page rules run on; None (every page) when the config changed."""
        return None if self.config_changed else set(self.paths)

    def restrict(self, report, registry) -> None:
        """Keep the findings on changed files or involving them; list only changed pages as checked."""
        if self.config_changed:
            report.notes.append(f"--changed-since {self.ref}: {CONFIG_FILE} changed, so every page was checked.")
            return
        all_pages = len(report.documents)
        changed_docs = [d for d in report.documents if d.path in self.paths]
        cited = {cid for d in changed_docs for tag in d.tags for cid in tag.ids}
        claim_at = _claim_locator(registry)

        def involved(finding) -> bool:
            if finding.path in self.paths or any(r.path in self.paths for r in finding.related):
                return True
            if _under(finding.path, self.claims_dir):
                claim = finding.data.get("claim") if isinstance(finding.data, dict) else None
                return self.claims_changed or (claim or claim_at(finding.path, finding.line)) in cited
            return False

        report.findings = [f for f in report.findings if involved(f)]
        report.suppressed = [s for s in report.suppressed if involved(s.finding)]
        report.documents = changed_docs
        report.notes.append(
            f"--changed-since {self.ref}: {len(changed_docs)} of {all_pages} page{'s' if all_pages != 1 else ''} changed; "
            "page rules ran on those, cross-page rules and claim status on every page."
        )


def _under(path: str, folder: str) -> bool:
    folder = folder.strip("/")
    return path == folder or path.startswith(folder + "/")


def _claim_locator(registry):
    """(file, line) → id of the registry claim whose entry starts at or above that line."""
    starts: dict[str, list[tuple[int, str]]] = {}
    for cid, entry in getattr(registry, "claims", {}).items():
        starts.setdefault(entry.path, []).append((entry.line, cid))
    for entries in starts.values():
        entries.sort()

    def locate(path: str, line: int) -> str | None:
        found = None
        for start, cid in starts.get(path, []):
            if start > line:
                break
            found = cid
        return found

    return locate


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=GIT_TIMEOUT, encoding="utf-8", errors="surrogateescape")
    except subprocess.TimeoutExpired:
        raise UsageError(f"--changed-since: `git {' '.join(args)}` took longer than {GIT_TIMEOUT} s") from None


def _names(root: Path, *args: str) -> set[str]:
    proc = _git(root, *args)
    if proc.returncode != 0:
        message = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        raise UsageError(f"--changed-since: `git {' '.join(a for a in args if a != '-z')}`: {message}")
    return {name for name in proc.stdout.split("\0") if name}


def changed_since(root: Path, ref: str, claims_dir: str = "claims") -> Changes:
    """Files under `root` that changed since `ref`, committed or not. Exit-2 errors for no git, no repo, unknown ref."""
    if not ref or ref.startswith("-"):
        raise UsageError(f"--changed-since {ref!r}: give a git commit, branch or tag, e.g. --changed-since origin/main")
    if shutil.which("git") is None:
        raise UsageError("--changed-since needs git, which is not installed (apt-get install git)")
    inside = _git(root, "rev-parse", "--is-inside-work-tree")
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise UsageError(f"--changed-since {ref}: {root} is not in a git work tree")
    has_head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").returncode == 0
    paths: set[str] = set()
    if has_head:
        if _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").returncode != 0:
            raise UsageError(
                f"--changed-since {ref}: no such commit, branch or tag in this repository "
                "(a shallow CI checkout needs it fetched: `git fetch origin main`, or fetch-depth: 0)"
            )
        paths |= _names(root, "diff", "--name-only", "-z", "--relative", "--no-renames", f"{ref}...HEAD", "--")
        paths |= _names(root, "diff", "--name-only", "-z", "--relative", "--no-renames", "HEAD", "--")
    elif ref != "HEAD":  # nothing is committed yet, so only HEAD (= everything) makes sense
        raise UsageError(f"--changed-since {ref}: this repository has no commits yet")
    else:
        paths |= _names(root, "ls-files", "-z", "--cached")
    paths |= _names(root, "ls-files", "-z", "--others", "--exclude-standard")
    return Changes(ref=ref, paths={p.replace("\\", "/") for p in paths}, claims_dir=claims_dir)
