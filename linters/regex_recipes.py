"""Compiled `regex` patterns made again without parsing them: what the prepared store keeps of a pattern.

`regex.compile` parses a pattern and works out its opcodes in Python, then hands them to
the module's C core, which builds the pattern object in microseconds. For the rules' larger
patterns the Python part costs a millisecond or more each, and a run that checks one page
compiles dozens of them: a tenth of a second spent making what the last run made.

So when one of our patterns is compiled, the arguments regex hands its core (the "recipe":
flags, opcodes, group names, required string) are kept with it in the prepared store, and a
later run makes the pattern from them directly. The prepared store is keyed by the installed
regex version (`cache.LIBRARIES`), so a recipe is only ever given to the core that made it.
The core's entry point is regex's own, not a documented API; so a recipe is used only for
the source and flags it was recorded from, and anything unexpected (another regex layout, a
core that refuses the recipe) falls back to `regex.compile`.
"""

from __future__ import annotations

import threading
from typing import Any

import regex

try:
    from regex import _main as _regex_main
except ImportError:  # a regex without the layout this module knows: recipes are never made
    _regex_main = None  # type: ignore[assignment]

Recipe = tuple  # the flags asked for, then the core's arguments: source, flags, opcodes, groups, named lists, required string

_LOCK = threading.Lock()


class _Recorder:
    """Stands in for regex's core while a pattern is compiled, to see what regex hands it."""

    def __init__(self, core: Any) -> None:
        self.core = core
        self.made: list[tuple[tuple, Any]] = []

    def compile(self, *args):
        made = self.core.compile(*args)
        self.made.append((args, made))
        return made

    def __getattr__(self, name: str) -> Any:
        return getattr(self.core, name)


def compile_recording(source: str, flags: int) -> tuple[Any, Recipe | None]:
    """`regex.compile(source, flags)`, and the recipe to make it again (None where there is none to keep).

    Raises what `regex.compile` raises for a bad pattern.
    """
    core = getattr(_regex_main, "_regex", None)
    if core is None or not callable(getattr(core, "compile", None)):
        return regex.compile(source, flags), None
    recorder = _Recorder(core)
    with _LOCK:
        _regex_main._regex = recorder
        try:
            compiled = regex.compile(source, flags, cache_pattern=False)
        finally:
            _regex_main._regex = core
    for args, made in recorder.made:
        if made is compiled and len(args) > 5 and args[0] == source and not args[5]:
            return compiled, (flags, *args)
    return compiled, None  # named lists (args[5]) or another core: nothing kept


def make(source: str, flags: int, recipe: Recipe) -> Any | None:
    """The pattern `recipe` makes, or None when it is not the recipe of `source` with `flags` (use `regex.compile`).

    The core takes the source only as a label, so the recipe must have been made from it.
    """
    core = getattr(_regex_main, "_regex", None)
    if core is None or len(recipe) < 3 or recipe[0] != flags or recipe[1] != source:
        return None
    try:
        made = core.compile(*recipe[1:])
    except Exception:  # a recipe the core does not take: another regex build
        return None
    return made if isinstance(made, regex.Pattern) else None
