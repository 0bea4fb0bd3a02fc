"""Killing `review approve` mid-write leaves the registry old or new, never truncated, and always parseable.

The writer is slowed down (os.write writes a few bytes at a time and sleeps) so
that SIGKILL lands inside the write, then the registry file is compared byte
for byte with the old and the expected new version.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import MINIMAL_REFERENCES, REPO

from linters import cli
from linters.registry.load import load_registry
from linters.review.audit import AUDIT_FILE
from linters.review.decide import decide

TODAY = date(2026, 11, 21)
REVIEWER = "Jane Roe, MD"
MKDOCS = "site_name: Test\nplugins:\n  - medical-claims:\n      vale: off\n"

# Run the real command line with a slow os.write (and a pause after os.replace), so a kill can land mid-write.
HARNESS = """
import os, sys, time
chunk, pause, after_replace = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
real_write, real_replace = os.write, os.replace
def slow_write(fd, data):
    n = real_write(fd, bytes(data[:chunk]))
    time.sleep(pause)
    return n
def slow_replace(src, dst):
    real_replace(src, dst)
    time.sleep(after_replace)
os.write, os.replace = slow_write, slow_replace
from linters.cli import main
sys.exit(main(sys.argv[4:]))
"""


def registry_site(root: Path) -> Path:
    """A project whose registry is this repo's (when it exists) or a generated one of similar size."""
    root.mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS, "utf-8")
    claims = root / "claims"
    if (REPO / "claims" / "claims.yml").is_file() and (REPO / "claims" / "references.json").is_file():
        shutil.copytree(REPO / "claims", claims, ignore=shutil.ignore_patterns(AUDIT_FILE, ".lock", "*.tmp"))
    else:
        claims.mkdir()
        (claims / "references.json").write_text(json.dumps(MINIMAL_REFERENCES), "utf-8")
        (claims / "claims.yml").write_text(generated_claims(40), "utf-8")
    return root


def generated_claims(n: int) -> str:
    items = "".join(
        f"""
  # claim {i}
  - id: claim-{i}
    statement: "Claim number {i}: in one study, people had six infusions over 12 days."
    category: procedure
    sources:
      - ref: murrough2013rapid
        locator: Abstract
        quote: "a series of up to six IV infusions of ketamine (.5 mg/kg) administered open-label three times weekly over a 12-day period"
    review: {{status: pending, reviewer: null, approved_on: null, next_review: null, fingerprint: null}}
"""
        for i in range(n)
    )
    return "# generated registry\nclaims:" + items


def small_site(root: Path, n: int) -> Path:
    root.mkdir(parents=True)
    (root / "mkdocs.yml").write_text(MKDOCS, "utf-8")
    (root / "claims").mkdir()
    (root / "claims" / "references.json").write_text(json.dumps(MINIMAL_REFERENCES), "utf-8")
    (root / "claims" / "claims.yml").write_text(generated_claims(n), "utf-8")
    return root


def first_pending(root: Path) -> str:
    return next(cid for cid, e in load_registry(root).claims.items() if e.claim.review.status == "pending")


def expected_after_approval(root: Path, cid: str, scratch: Path) -> bytes:
    """The bytes an uninterrupted approval writes, computed on a copy."""
    shutil.copytree(root, scratch)
    decide(scratch, cid, "approved", REVIEWER, TODAY)
    return (scratch / "claims" / "claims.yml").read_bytes()


def temp_files(root: Path) -> list[Path]:
    return sorted((root / "claims").glob(".*.tmp"))


def start_slow_approve(root: Path, cid: str, chunk: int, pause: float, after_replace: float) -> subprocess.Popen:
    argv = ["review", "approve", cid, "--reviewer", REVIEWER, "--today", TODAY.isoformat()]
    return subprocess.Popen(
        [sys.executable, "-c", HARNESS, str(chunk), str(pause), str(after_replace), *argv], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the writer never reached the point to kill it"
        time.sleep(0.005)


def test_kill_while_the_temp_file_is_half_written_leaves_the_old_registry(tmp_path: Path):
    root = registry_site(tmp_path / "site")
    path = root / "claims" / "claims.yml"
    old = path.read_bytes()
    cid = first_pending(root)
    new = expected_after_approval(root, cid, tmp_path / "scratch")

    proc = start_slow_approve(root, cid, chunk=512, pause=0.01, after_replace=0)
    wait_for(lambda: any(0 < p.stat().st_size < len(new) // 2 for p in temp_files(root) if p.exists()))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == old, "the registry is untouched while the new version is being written"
    assert not load_registry(root).problems
    assert len(temp_files(root)) == 1 and temp_files(root)[0].stat().st_size < len(new), "a partial temp file is all that is left"
    assert not (root / "claims" / AUDIT_FILE).exists()

    # The next approval is not blocked by the dead writer's lock (the kernel released it) and clears its leftovers.
    decide(root, cid, "approved", REVIEWER, TODAY)
    assert path.read_bytes() == new and temp_files(root) == []


def test_kill_after_the_replace_but_before_the_audit_line_shows_as_unaudited(tmp_path: Path, monkeypatch, capsys):
    root = small_site(tmp_path / "site", 4)
    path = root / "claims" / "claims.yml"
    cid = first_pending(root)
    new = expected_after_approval(root, cid, tmp_path / "scratch")

    proc = start_slow_approve(root, cid, chunk=1 << 20, pause=0, after_replace=30)
    wait_for(lambda: path.read_bytes() == new)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    assert path.read_bytes() == new and not (root / "claims" / AUDIT_FILE).exists()
    monkeypatch.chdir(root)
    assert cli.main(["review", "list", "--format", "json", "--today", TODAY.isoformat()]) == 0
    flags = {c["id"]: c["flags"] for c in json.loads(capsys.readouterr().out)["claims"]}
    assert "unaudited" in flags[cid]


def _child_approve(root: Path, cid: str, started_w: int) -> None:
    """In a forked child: the real CLI with a slow os.write that reports when writing starts. Never returns."""
    code = 70
    try:
        os.chdir(root)
        real_write = os.write
        told = False

        def slow_write(fd, data):
            nonlocal told
            if not told and fd != started_w:
                real_write(started_w, b"w")
                told = True
            n = real_write(fd, bytes(data[:64]))
            time.sleep(0.001)
            return n

        os.write = slow_write
        devnull = open(os.devnull, "w")
        sys.stdout = sys.stderr = devnull
        code = cli.main(["review", "approve", cid, "--reviewer", REVIEWER, "--today", TODAY.isoformat()])
    finally:
        os._exit(code)


def _run_child(root: Path, cid: str, kill_after: float | None) -> tuple[int, float]:
    """Fork an approve; SIGKILL it `kill_after` seconds after it starts writing. (exit status, seconds written)."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child_approve(root, cid, write_fd)
    os.close(write_fd)
    assert os.read(read_fd, 1) == b"w", "the child did not reach the write"
    started = time.monotonic()
    if kill_after is not None:
        time.sleep(kill_after)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, status = os.waitpid(pid, 0)
    os.close(read_fd)
    return status, time.monotonic() - started


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_at_30_points_of_an_approval_never_leaves_a_broken_registry(tmp_path: Path):
    root = small_site(tmp_path / "site", 4)
    path = root / "claims" / "claims.yml"
    old = path.read_bytes()
    new = expected_after_approval(root, "claim-2", tmp_path / "scratch")
    audit = root / "claims" / AUDIT_FILE

    status, window = _run_child(root, "claim-2", None)  # how long writing takes, unkilled
    assert os.WEXITSTATUS(status) == 0 and path.read_bytes() == new

    rng = random.Random(7)
    outcomes = []
    mid_write = 0  # kills that left a partial temp file: they landed inside the write
    for k in range(30):
        path.write_bytes(old)
        audit.unlink(missing_ok=True)
        kill_after = window * (k + rng.random()) / 30 * 1.2  # spread over the whole write, and a little after
        status, _ = _run_child(root, "claim-2", kill_after)
        data = path.read_bytes()
        state = "old" if data == old else "new" if data == new else "broken"
        assert state != "broken", f"kill at {kill_after:.3f}s left {len(data)} bytes (old {len(old)}, new {len(new)})"
        assert not load_registry(root).problems
        logged = audit.read_text("utf-8").splitlines() if audit.exists() else []
        if state == "old":
            assert logged == [], "no audit entry for a change that was not written"
            mid_write += any(0 < p.stat().st_size < len(new) for p in temp_files(root))
        else:
            assert len(logged) <= 1
        outcomes.append(state)
    assert {"old", "new"} <= set(outcomes), outcomes
    assert mid_write >= 3, f"only {mid_write} kills landed mid-write"
    assert len(temp_files(root)) <= 1, "leftover temp files are cleaned by the next writer"
