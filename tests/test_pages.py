"""Paths relative to the project: the string fast path gives exactly what pathlib gives."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from linters.pages import _quick_relative, relative

PARTS = st.sampled_from(["a", "docs", "b.md", ".", "..", "", "x y", "é", ".hidden", "site"])


def _pathlib(root: str, path: str) -> str | None:
    try:
        return PurePosixPath(path).relative_to(PurePosixPath(root)).as_posix()
    except ValueError:
        return None


@settings(max_examples=3000, deadline=None)
@given(st.lists(PARTS, max_size=4), st.lists(PARTS, max_size=4), st.booleans())
def test_quick_relative_agrees_with_pathlib(root_parts, extra, trailing):
    root = "/" + "/".join(root_parts)
    path = root + "/" + "/".join(extra) + ("/" if trailing else "")
    quick = _quick_relative(root, path)
    if quick is not None:  # None sends the pair to pathlib: never a different answer
        assert quick == _pathlib(root, path)


def test_quick_relative_takes_the_common_case():
    assert _quick_relative("/work/site", "/work/site/docs/a.md") == "docs/a.md"
    assert _quick_relative("/", "/docs/a.md") == "docs/a.md"
    # not under the root, or in a form pathlib would normalise: left to pathlib
    assert _quick_relative("/work/site", "/work/sites/a.md") is None
    assert _quick_relative("/work/site", "/work/site//a.md") is None
    assert _quick_relative("/work/site", "/work/site") is None


def test_relative_outside_and_inside(tmp_path: Path):
    assert relative(tmp_path, tmp_path / "docs" / "a.md") == "docs/a.md"
    assert relative(tmp_path / "docs", tmp_path / "other.md") == (tmp_path / "other.md").as_posix()
    assert relative(tmp_path, tmp_path / "docs" / "." / "a.md") == "docs/a.md"
