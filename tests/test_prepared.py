"""Prepared data (`linters.prepared`): built once per package version, read back, never trusted blindly."""

from __future__ import annotations


import pytest

from linters import cache, prepared


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """An empty folder and no values built in this process yet; restored afterwards."""
    monkeypatch.setattr(prepared, "_values", {})
    monkeypatch.setattr(prepared, "_folder", None)
    prepared.use_folder(tmp_path)
    return tmp_path


def _builder(log: list, value):
    def build():
        log.append("built")
        return value

    return build


def test_built_once_then_read_from_the_folder_by_a_new_process(fresh, monkeypatch):
    log: list[str] = []
    assert prepared.prepared("words", _builder(log, {"ketamine": 3})) == {"ketamine": 3}
    files = list((fresh / "prepared").glob("words-*.pickle"))
    assert len(files) == 1
    monkeypatch.setattr(prepared, "_values", {})  # as a new process starts
    assert prepared.prepared("words", _builder(log, {"other": 1})) == {"ketamine": 3}
    assert log == ["built"]


def test_a_corrupt_file_is_built_again_and_replaced(fresh, monkeypatch):
    log: list[str] = []
    prepared.prepared("units", _builder(log, [1, 2]))
    path = next((fresh / "prepared").glob("units-*.pickle"))
    path.write_bytes(b"\x80\x05not a pickle")
    monkeypatch.setattr(prepared, "_values", {})
    assert prepared.prepared("units", _builder(log, [1, 2])) == [1, 2]
    assert log == ["built", "built"]
    monkeypatch.setattr(prepared, "_values", {})
    assert prepared.prepared("units", _builder(log, "not read")) == [1, 2]  # the file was replaced
    assert log == ["built", "built"]


def test_another_package_version_does_not_read_the_old_value_and_removes_it(fresh, monkeypatch):
    log: list[str] = []
    prepared.prepared("vocab", _builder(log, "old"))
    old = next((fresh / "prepared").glob("vocab-*.pickle"))
    monkeypatch.setattr(prepared, "_values", {})
    monkeypatch.setattr("linters.cache.code_key", lambda: "f" * 64)  # the code or a data file changed
    assert prepared.prepared("vocab", _builder(log, "new")) == "new"
    assert log == ["built", "built"]
    assert not old.exists()
    assert [p.name for p in (fresh / "prepared").glob("vocab-*.pickle")] == [prepared._path("vocab").name]
    assert prepared._path("vocab") != old


def test_without_a_folder_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(prepared, "_values", {})
    prepared.use_folder(None)
    log: list[str] = []
    assert prepared.prepared("cold", _builder(log, 7)) == 7
    assert not any(tmp_path.iterdir())
    assert log == ["built"]


def test_an_unwritable_folder_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(prepared, "_values", {})
    prepared.use_folder(blocker)  # mkdir under a file fails
    assert prepared.prepared("kept", lambda: 5) == 5


def test_names_must_be_identifiers(fresh):
    with pytest.raises(ValueError):
        prepared.prepared("../escape", lambda: 1)
    with pytest.raises(ValueError):
        prepared.prepared("a-b", lambda: 1)  # `-` separates the name from the version in the file name


def test_a_cold_run_builds_everything_in_the_process(site):
    """`--no-cache` (how the benchmark's cold runs are made) leaves no prepared folder."""
    from linters.engine import open_project

    root = site({"index.md": "# Ketamine\n\nSome text.\n"})
    open_project(root=root, cache=False)
    assert prepared._folder is None
    open_project(root=root, cache=True)
    assert prepared._folder == root / ".linters-cache"
    prepared.use_folder(None)


def test_a_value_is_read_back_only_for_equal_inputs(fresh, monkeypatch):
    log: list[str] = []
    assert prepared.prepared("parsed", _builder(log, "from a"), inputs="text a") == "from a"
    monkeypatch.setattr(prepared, "_values", {})
    assert prepared.prepared("parsed", _builder(log, "not read"), inputs="text a") == "from a"
    assert prepared.prepared("parsed", _builder(log, "from b"), inputs="text b") == "from b"  # not the value in memory
    monkeypatch.setattr(prepared, "_values", {})
    assert prepared.prepared("parsed", _builder(log, "not read"), inputs="text b") == "from b"  # the file now holds b's
    assert prepared.prepared("parsed", _builder(log, "from a again"), inputs="text a") == "from a again"
    assert log == ["built", "built", "built"]


def test_another_version_of_a_library_builds_again(fresh, monkeypatch, tmp_path):
    log: list[str] = []
    prepared.prepared("hyphens", _builder(log, "old library"))
    monkeypatch.setattr(prepared, "_values", {})
    monkeypatch.setattr(cache, "libraries_key", lambda: "another version")
    cache.code_key.cache_clear()  # the key of the code includes the libraries'
    try:
        assert prepared.prepared("hyphens", _builder(log, "new library")) == "new library"
    finally:
        cache.code_key.cache_clear()
    assert log == ["built", "built"]


def test_the_code_key_changes_when_a_library_is_installed_again(tmp_path, monkeypatch):
    """Results and prepared values depend on the parser's and the pattern engine's versions too."""
    package = tmp_path / "libs" / "fakelib"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("VERSION = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path / "libs"))
    monkeypatch.setattr(cache, "LIBRARIES", ("fakelib", "not_installed_anywhere"))
    monkeypatch.setattr(cache, "libraries_key", cache.libraries_key.__wrapped__)
    before = cache.code_key.__wrapped__()
    assert cache.code_key.__wrapped__() == before
    (package / "__init__.py").write_text("VERSION = 22\n")  # another version: another size and time
    assert cache.code_key.__wrapped__() != before
