"""Reading level works with no network and no NLTK data, and never asks NLTK to download.

Each case runs in a fresh interpreter (nothing imported or cached from the
test session) with sockets blocked, NLTK_DATA and HOME pointing at empty
folders, NLTK's search path emptied and `nltk.download` replaced by a recorder.
A control case runs textstat without our dictionary in the same conditions and
shows that it does try to download: the trap is real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO

PAGE = """\
---
title: What to expect
---

# What to expect

You sit in a soft chair while a nurse places a small tube in a vein in your arm.
The medicine drips in slowly over about forty minutes [[claim:drip-duration]].
Many people feel unusual, dreamy or disconnected from their surroundings.
These feelings usually fade within an hour after the infusion finishes.
"""

PRELUDE = textwrap.dedent("""
    import contextlib, io, json, os, socket, sys

    class BlockedSocket(socket.socket):
        def __init__(self, *args, **kwargs):
            raise OSError("network blocked by the test")

    def blocked(*args, **kwargs):
        raise OSError("network blocked by the test")

    socket.socket = BlockedSocket
    socket.create_connection = blocked
    socket.getaddrinfo = blocked

    import nltk
    downloads = []
    def recording_download(*args, **kwargs):
        downloads.append([str(a) for a in args])
        return False
    nltk.download = recording_download
    nltk.data.path[:] = [os.environ["NLTK_DATA"]]
    try:
        nltk.data.find("corpora/cmudict")
        print(json.dumps({"error": "cmudict is on NLTK's path: the test would prove nothing"}))
        sys.exit(0)
    except LookupError:
        pass
""")

OURS = PRELUDE + textwrap.dedent("""
    page = sys.argv[1]
    text = open(page, encoding="utf-8").read()
    from linters.readability import offline_textstat
    textstat = offline_textstat()
    smog = textstat.smog_index("You sit in a soft chair while a nurse places a small tube in a vein in your arm. "
                               "Many people feel unusual, dreamy or disconnected from their surroundings.")
    from linters.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        grade_rc = main(["grade", "--format", "json", page])
    grade = json.loads(out.getvalue())[0]["metrics"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check_rc = main(["check", "--format", "json", page])
    check = json.loads(out.getvalue())
    print(json.dumps({"textstat_smog": smog, "grade_rc": grade_rc, "grade": grade,
                      "check_rc": check_rc, "pages": check["pages"], "downloads": downloads}))
""")

CONTROL = PRELUDE + textwrap.dedent("""
    import textstat
    try:
        textstat.smog_index("Many people feel unusual, dreamy or disconnected from their surroundings.")
        outcome = "counted"
    except LookupError:
        outcome = "no dictionary"
    print(json.dumps({"outcome": outcome, "downloads": downloads}))
""")


def _run_isolated(code: str, tmp_path: Path, *args: str) -> dict:
    empty = tmp_path / "empty-nltk-data"
    empty.mkdir(exist_ok=True)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NLTK", "HTTP", "HTTPS", "http", "https"))}
    env.update(NLTK_DATA=str(empty), HOME=str(home), PYTHONPATH=str(REPO), NO_PROXY="*")
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "error" not in result, result["error"]
    return result


@pytest.fixture
def site_page(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: Offline\nplugins:\n  - medical-claims:\n      vale: off\n", "utf-8")
    page = root / "docs" / "page.md"
    page.write_text(PAGE, "utf-8")
    return page


def test_grade_is_computed_with_no_network_and_no_nltk_data(tmp_path, site_page):
    result = _run_isolated(OURS, tmp_path, str(site_page))
    assert result["downloads"] == []
    assert result["textstat_smog"] > 3.1291  # textstat counted polysyllables with the offline dictionary
    assert result["grade_rc"] == 0
    assert result["grade"]["words"] > 40 and result["grade"]["sentences"] == 4
    assert result["grade"]["smog"] > 3.1291
    (page,) = result["pages"]
    assert page["path"] == "docs/page.md"
    assert page["metrics"]["smog"] == result["grade"]["smog"]


def test_textstat_alone_would_try_to_download_in_the_same_conditions(tmp_path):
    # The control: without linters.readability, textstat asks NLTK to download its dictionary.
    result = _run_isolated(CONTROL, tmp_path)
    assert result["downloads"] == [["cmudict"]]
    assert result["outcome"] == "no dictionary"
