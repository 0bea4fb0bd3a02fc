"""No network at check or build time: the whole check of docs/ and a `mkdocs build` run with sockets blocked.

Each run is a child process. A `sitecustomize` module on its PYTHONPATH replaces the socket
calls that open connections or look up names, so any Python code in the child (ours, MkDocs,
its theme and plugins) that reaches for the network fails and is logged, even when the code
catches the error and carries on. Where `unshare --net` works (Linux, as root) the child also
runs in an empty network namespace, so Vale and any other program it starts are offline too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import REPO

SITECUSTOMIZE = textwrap.dedent(
    """
    import os
    import socket

    _LOG = os.environ["NO_NETWORK_LOG"]


    def _refuse(what):
        def blocked(*args, **kwargs):
            with open(_LOG, "a", encoding="utf-8") as log:
                log.write(f"{os.getpid()} {what} {args!r}\\n")
            raise OSError(f"network access is blocked in this test ({what})")

        return blocked


    socket.socket.connect = _refuse("socket.connect")
    socket.socket.connect_ex = _refuse("socket.connect_ex")
    socket.create_connection = _refuse("socket.create_connection")
    socket.getaddrinfo = _refuse("socket.getaddrinfo")
    socket.gethostbyname = _refuse("socket.gethostbyname")
    """
)


def _namespace_prefix() -> list[str]:
    try:
        ok = subprocess.run(["unshare", "--net", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        ok = False
    return ["unshare", "--net"] if ok else []


@pytest.fixture
def offline(tmp_path):
    """Run a command offline; returns (completed process, network attempts logged)."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, "utf-8")
    log = tmp_path / "network.log"
    prefix = _namespace_prefix()

    def run(args: list[str], **env_extra: str):
        env = dict(os.environ, NO_NETWORK_LOG=str(log), **env_extra)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(hook), env.get("PYTHONPATH", "")) if p)
        proc = subprocess.run([*prefix, sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
        attempts = log.read_text("utf-8").splitlines() if log.exists() else []
        return proc, attempts

    return run


def test_the_hook_really_blocks_and_logs_network_access(offline):
    proc, attempts = offline(["-c", "import urllib.request; urllib.request.urlopen('http://example.org', timeout=5)"])
    assert proc.returncode != 0 and "network access is blocked" in proc.stderr
    assert attempts and "example.org" in attempts[0]


def test_checking_the_whole_site_needs_no_network(offline):
    proc, attempts = offline(["-m", "linters", "check", "--format", "json"])
    assert attempts == [], attempts
    assert proc.returncode in (0, 1), proc.stderr  # 2 would mean the run could not be done
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    report = json.loads(proc.stdout)
    pages = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "docs").rglob("*.md"))
    assert sorted(p["path"] for p in report["pages"]) == pages


def test_building_the_site_needs_no_network(offline, tmp_path):
    out = tmp_path / "site"
    # Preview mode: this test is about the network, not about whether today's pages may be published.
    proc, attempts = offline(["-m", "mkdocs", "build", "--site-dir", str(out)], MEDICAL_CLAIMS_MODE="preview")
    assert attempts == [], attempts
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert (out / "index.html").is_file() and (out / "registry" / "index.html").is_file()
