"""The check server (`python -m linters server`): `check` through it prints what a new process prints.

Every comparison runs the same command twice as a user would, in a new interpreter: once
handed to the running server, once with `LINTERS_NO_SERVER=1`; standard output, standard
error and the exit code must be equal byte for byte, and the server's count of runs says
the first one really went through it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from conftest import MINIMAL_CLAIMS

from linters import check_client, check_server

FRONT = "---\ntitle: {title}\nauthor: Team\nmedical_reviewer: pending\nlast_reviewed: 2026-01-05\nnext_review: 2026-12-01\n---\n\n"
PAGES = {
    "index.md": FRONT.format(title="Home") + "# Home\n\nThis guide is about ketamine drips.\n",
    "visit.md": FRONT.format(title="A visit") + "# A visit\n\nEach infusion takes 40 minutes [[claim:six-infusions]].\n",
    "risks.md": FRONT.format(title="Risks") + "# Risks\n\nThere are no known long-term side effects.\n\nMost people feel well after a drip.\n",
}


def _env(sockets: Path, **more: str) -> dict[str, str]:
    env = {**os.environ, "XDG_RUNTIME_DIR": str(sockets), **more}
    env.pop(check_client.NO_SERVER_ENV, None)
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "linters", *args], cwd=cwd, env=env, capture_output=True, timeout=300)


def _runs(root: Path, env: dict[str, str]) -> int:
    status = _run(["server", "--status"], root, env)
    assert status.returncode == 0, status.stderr
    return int(status.stderr.decode().split("pid ")[1].split(", ")[1].split(" ")[0])


@pytest.fixture
def served(site):
    """A small site with a check server running for it: (root, the environment its clients run in)."""
    root = site(PAGES, claims=MINIMAL_CLAIMS)
    sockets = Path(tempfile.mkdtemp(prefix="lsrv", dir="/tmp"))  # a Unix socket's path must stay short
    env = _env(sockets)
    proc = subprocess.Popen([sys.executable, "-m", "linters", "server", "--idle", "10"], cwd=root, env=env, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stderr.readline()
        assert "listening" in first, first + proc.stderr.read()
        yield root, env
    finally:
        _run(["server", "--stop"], root, env)
        try:
            proc.wait(timeout=60)
        finally:
            proc.kill()
            shutil.rmtree(sockets, ignore_errors=True)


def _same(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`python -m linters ARGS` through the server and in a process of its own: the same bytes and exit code."""
    served = _run(args, cwd, env)
    alone = _run(args, cwd, {**env, check_client.NO_SERVER_ENV: "1"})
    assert served.returncode == alone.returncode, (args, served.stderr, alone.stderr)
    assert served.stdout == alone.stdout, args
    assert served.stderr == alone.stderr, args
    return served


def test_check_through_the_server_prints_what_a_check_on_its_own_prints(served):
    root, env = served
    cases = [
        ["check"],
        ["check", "--format", "json"],
        ["check", "--format", "github", "--mode", "publish"],
        ["check", "--format", "json", "docs/risks.md"],
        ["check", "--summary", "--today", "2027-06-01"],
        ["check", "--format", "sarif", "--no-cache"],
        ["check", "--format", "json", "-v"],  # the stats line differs in its time: compared apart below
    ]
    for args in cases[:-1]:
        done = _same(args, root, env)
        assert done.returncode in (0, 1)
    report = json.loads(_same(["check", "--format", "json"], root, env).stdout)
    assert {f["rule"] for f in report["findings"]} >= {"prohibited-claim"}, "the site's planted mistake was not found"
    verbose = _run(cases[-1], root, env)
    assert verbose.stdout == _run(cases[-1], root, {**env, check_client.NO_SERVER_ENV: "1"}).stdout
    assert b"1 parsed" not in verbose.stderr and b"from the cache" in verbose.stderr  # the server reused every page
    assert _runs(root, env) == len(cases) + 1


def test_edits_between_checks_are_seen_as_by_a_new_process(served):
    root, env = served
    page = root / "docs" / "visit.md"
    original = page.read_text("utf-8")
    _same(["check", "--format", "json"], root, env)
    for text in (
        original.replace("40 minutes", "2 hours"),  # a new number: the cross-page rules run again
        original.replace("Each infusion", "Every drip"),  # reworded, same facts
        original + "\nThis drip cures depression.\n",  # a new finding on the page
        original,  # and back
    ):
        page.write_text(text, "utf-8")
        report = json.loads(_same(["check", "--format", "json"], root, env).stdout)
        assert any(f["path"] == "docs/visit.md" for f in report["findings"]) or text == original
    (root / "docs" / "new.md").write_text(FRONT.format(title="New") + "# New\n\nA new page.\n", "utf-8")
    assert "docs/new.md" in _same(["check", "--format", "json"], root, env).stdout.decode()
    (root / "claims" / "claims.yml").write_text(MINIMAL_CLAIMS.replace("six", "seven", 1), "utf-8")  # the registry changed
    _same(["check", "--format", "json"], root, env)
    assert _runs(root, env) == 7


def test_folder_paths_output_file_and_environment_are_the_clients(served, tmp_path):
    root, env = served
    docs = root / "docs"
    _same(["check", "--format", "json", "visit.md"], docs, env)  # a path relative to the client's folder
    _same(["check", "--format", "json", "missing.md"], docs, env)  # exit 2, one line
    _same(["check", "--jobs", "zero"], root, env)
    for where, extra in (("server", {}), ("alone", {check_client.NO_SERVER_ENV: "1"})):
        summary = tmp_path / f"summary-{where}.md"
        done = _run(["check", "--format", "json", "--output", str(tmp_path / f"report-{where}.json"), "--summary"], docs, {**env, **extra, "GITHUB_STEP_SUMMARY": str(summary)})
        assert done.returncode == 1 and done.stdout == b""
    assert (tmp_path / "report-server.json").read_bytes() == (tmp_path / "report-alone.json").read_bytes()
    assert (tmp_path / "summary-server.md").read_text("utf-8") == (tmp_path / "summary-alone.md").read_text("utf-8") != ""
    assert _runs(root, env) == 4


def test_a_second_server_for_the_project_is_refused(served):
    root, env = served
    second = _run(["server"], root, env)
    assert second.returncode == 2 and b"already running" in second.stderr and b"Traceback" not in second.stderr


def test_without_a_server_check_runs_on_its_own(site, tmp_path):
    root = site(PAGES, claims=MINIMAL_CLAIMS)
    sockets = Path(tempfile.mkdtemp(prefix="lsrv", dir="/tmp"))
    try:
        env = _env(sockets)
        stopped = _run(["server", "--stop"], root, env)
        assert stopped.returncode == 1 and b"no check server is running" in stopped.stderr
        # the socket of a server that was killed: nothing answers there
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
            dead.bind(check_client.socket_path(str(root.resolve())))
        done = _same(["check", "--format", "json"], root, env)
        assert done.returncode == 1 and json.loads(done.stdout)["findings"]
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


def test_a_server_whose_code_changed_on_disk_stops_and_the_check_runs_on_its_own(site, monkeypatch):
    root = site(PAGES, claims=MINIMAL_CLAIMS).resolve()
    sockets = Path(tempfile.mkdtemp(prefix="lsrv", dir="/tmp"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(sockets))
    monkeypatch.delenv(check_client.NO_SERVER_ENV, raising=False)
    monkeypatch.chdir(root)
    server = check_server.CheckServer(root, idle_minutes=1)
    monkeypatch.setattr(check_server, "code_stamp", lambda: ("a package file was edited", "libraries"))
    ready, stopped = threading.Event(), []
    thread = threading.Thread(target=lambda: stopped.append(server.serve(ready=lambda path: ready.set())), daemon=True)
    thread.start()
    try:
        assert ready.wait(30)
        assert check_client.try_server(["check", "--format", "json"]) is None  # so __main__ runs the check itself
        thread.join(30)
        assert stopped == ["its code or libraries changed on disk"] and server.runs == 0
        assert not os.path.exists(server.path), "the socket was left behind"
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


@pytest.fixture
def sockets():
    """A folder for the tests' sockets: short, as a Unix socket's path must be."""
    folder = Path(tempfile.mkdtemp(prefix="lsrv", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _listener(tmp_path: Path, sockets: Path, monkeypatch) -> socket.socket:
    """A socket listening where the project's check server would, that never answers."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mkdocs.yml").write_text("site_name: T\n", "utf-8")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(sockets))
    monkeypatch.delenv(check_client.NO_SERVER_ENV, raising=False)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(check_client.socket_path(str(tmp_path.resolve())))
    listener.listen(4)
    listener.settimeout(0.2)
    return listener


def _knocked(listener: socket.socket) -> bool:
    try:
        listener.accept()[0].close()
    except socket.timeout:
        return False
    return True


def test_the_client_leaves_every_other_command_alone(monkeypatch, tmp_path, sockets):
    with _listener(tmp_path, sockets, monkeypatch) as listener:
        for argv in (["review", "list"], ["grade", "a.md"], [], ["--help"]):
            assert check_client.try_server(argv) is None
        assert not _knocked(listener)
        threading.Thread(target=lambda: check_client.try_server(["check"]), daemon=True).start()
        assert _knocked(listener), "`check` did not go to the socket: the test above proves nothing"


@pytest.mark.skipif(os.getuid() != 0, reason="giving a socket to another user needs root")
def test_the_client_sends_nothing_to_another_users_socket(monkeypatch, tmp_path, sockets):
    """The request carries the environment: a socket another user put at the path (in a shared /tmp) gets nothing."""
    with _listener(tmp_path, sockets, monkeypatch) as listener:
        os.chown(listener.getsockname(), 4242, -1)
        assert check_client.try_server(["check"]) is None
        assert not _knocked(listener)
