"""`linters.background`: a forked child's results, in stages; its errors said; it never waits for the parent to read."""

from __future__ import annotations

import os
import sys
import time

import pytest

from linters.background import Background, BackgroundError
from linters.errors import UsageError

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the plugin checks in a child process only on Linux")


def _run(work):
    background = Background(work)
    try:
        return [background.next() for _ in range(2)]
    finally:
        background.close()


def test_stages_come_back_in_order_and_made_by_another_process():
    def work():
        yield os.getpid()
        yield {"findings": [1, 2, 3]}

    pid, report = _run(work)
    assert pid != os.getpid() and report == {"findings": [1, 2, 3]}


def test_the_child_makes_its_next_stage_while_the_parent_has_not_read_a_large_one(tmp_path):
    marker = tmp_path / "second-stage-started"

    def work():
        yield b"x" * (8 << 20)  # far more than a pipe holds
        marker.write_text("started")
        yield "done"

    background = Background(work)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert marker.exists(), "the child waited for the parent to read its first stage"
        assert len(background.next()) == 8 << 20 and background.next() == "done"
    finally:
        background.close()


@pytest.mark.parametrize(
    "fail, usage, said",
    [
        (UsageError("docs/a.md: cannot read the page"), True, "docs/a.md: cannot read the page"),
        (ValueError("a bug"), False, "ValueError: a bug"),
    ],
)
def test_an_error_in_the_child_reaches_the_parent_after_the_stages_before_it(fail, usage, said):
    def work():
        yield "registry page"
        raise fail

    background = Background(work)
    try:
        assert background.next() == "registry page"
        with pytest.raises(BackgroundError) as caught:
            background.next()
    finally:
        background.close()
    assert caught.value.usage is usage and said in str(caught.value)
    if not usage:
        assert "Traceback" in str(caught.value) and "test_background.py" in str(caught.value)  # a bug shows where it is


def test_a_child_that_dies_is_said_with_its_exit_code():
    def work():
        os._exit(3)
        yield "never"

    background = Background(work)
    try:
        with pytest.raises(BackgroundError, match=r"stopped without its results \(exit code 3\)"):
            background.next()
    finally:
        background.close()


def test_closing_stops_a_child_that_still_works():
    def work():
        yield "started"
        time.sleep(600)
        yield "never"

    background = Background(work)
    assert background.next() == "started"
    started = time.monotonic()
    background.close()
    assert not background._process.is_alive() and background._process.exitcode is not None
    assert time.monotonic() - started < 30  # a hang guard, not a benchmark: closing does not wait for the work


@pytest.mark.parametrize(
    "fail, said",
    [(UsageError("docs/a.md: cannot read the page"), r"^docs/a\.md: cannot read the page$"), (KeyError("x"), r"(?s)^the medical-claims check failed: Traceback .*KeyError: 'x'")],
)
def test_a_failed_check_in_the_child_fails_the_build_and_the_child_is_gone(fail, said):
    from mkdocs.exceptions import PluginError

    from linters.mkdocs_plugin import MedicalClaimsPlugin

    def work():
        raise fail
        yield

    plugin = MedicalClaimsPlugin()
    plugin._background = Background(work)
    child = plugin._background._process
    with pytest.raises(PluginError, match=said) as caught:
        plugin.on_post_build(config=None)
    assert plugin._background is None and not child.is_alive()
    if isinstance(fail, UsageError):
        assert "\n" not in str(caught.value)  # a user's error is one line
