"""Data the rules derive from the package's own files, built once and kept beside the result cache.

Some of what the rules need costs more to build than checking a page: the syllable
counts of the pronunciation dictionary (135,000 words), each unit's conversion factor
(pint takes half a second to import and build its registry), the plain-language
vocabulary, the data files parsed and their patterns read. A warm run that re-checks one
edited page would spend most of its time building them again. `prepared(name, build)`
returns `build()`'s value, kept in the project's cache folder (`.linters-cache/prepared/`)
under a key made of the package's code and data files and of the installed libraries
the values come from (`linters.cache.code_key`), so a new version of the tool,
of a data file or of one of those libraries builds it afresh, and nothing is shared
between projects or versions.

A value made from something the caller passes in (a data file's text, the data a rule
compiles its patterns from) names it as `inputs`: the value is read back only for equal
inputs, and built again for others (a test that swaps a data file, say).

The folder is set by the engine when it opens a project with the cache on
(`use_folder`); with the cache off (`--no-cache`, a cold run) every value is built in
the process, as before. A value that cannot be read is built again; one that cannot be
written is simply not kept. Values are pickled: like the result cache, the folder is read
only by this tool.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")

_folder: Path | None = None
_values: dict[str, tuple[Any, Any]] = {}  # name → (inputs, value), built or read in this process


def use_folder(folder: Path | None) -> None:
    """Keep prepared values in `folder` (None: build them in every process)."""
    global _folder
    _folder = folder


def prepared(name: str, build: Callable[[], T], inputs: Any = None) -> T:
    """`build()`, read from the folder when this version of the package built it before from equal `inputs`.

    `name` is a plain identifier (letters, digits, `_`): it names the file.
    """
    if not name.replace("_", "").isalnum():
        raise ValueError(f"prepared value name must be an identifier: {name!r}")
    kept = _values.get(name)
    if kept is not None and _same(kept[0], inputs):
        return kept[1]
    path = _path(name)
    value: Any = _MISSING
    if path is not None:
        value = _read(path, inputs)
    if value is _MISSING:
        value = build()
        if path is not None:
            _write(path, (inputs, value))
    _values[name] = (inputs, value)
    return value


_MISSING = object()


def _same(a: Any, b: Any) -> bool:
    return a is b or a == b


def _path(name: str) -> Path | None:
    if _folder is None:
        return None
    from .cache import code_key

    return _folder / "prepared" / f"{name}-{code_key()[:16]}.pickle"


def _read(path: Path, inputs: Any) -> Any:
    """The value kept at `path` if it was built from equal inputs, else _MISSING."""
    try:
        with open(path, "rb") as handle:
            kept_inputs, value = pickle.load(handle)
    except Exception:  # missing, truncated, from another Python: build it again
        return _MISSING
    return value if _same(kept_inputs, inputs) else _MISSING


def _write(path: Path, value: Any) -> None:
    """Atomically: a run reading at the same time sees the whole file or none."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(path.name.rsplit("-", 1)[0] + "-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)  # an older version's: never read again
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except Exception:  # read-only checkout, full disk, a value that cannot be pickled: not kept
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except Exception:
            pass
