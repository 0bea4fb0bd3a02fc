"""Patterns from data files and config, compiled once and searched with a time limit.

The `regex` module's `timeout` bounds every search, so a pathological pattern
or a hostile 200 KB line cannot hang a run: the search gives up and the caller
reports that instead of matching.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator

import regex

from .errors import UsageError
from .yamlio import YamlError, load_safe

SEARCH_TIMEOUT = 0.5  # seconds, per search of one sentence


class PatternTimeout(Exception):
    """A search ran past SEARCH_TIMEOUT."""


@dataclass(frozen=True)
class Pattern:
    source: str
    where: str  # "data file: entry" for error messages
    compiled: Any

    def finditer(self, text: str, pos: int = 0) -> Iterator[Any]:
        try:
            yield from self.compiled.finditer(text, pos, timeout=SEARCH_TIMEOUT)
        except TimeoutError:
            raise PatternTimeout(self.where) from None

    def match(self, text: str, pos: int = 0):
        try:
            return self.compiled.match(text, pos, timeout=SEARCH_TIMEOUT)
        except TimeoutError:
            raise PatternTimeout(self.where) from None

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        try:
            return self.compiled.search(text, pos, len(text) if endpos is None else endpos, timeout=SEARCH_TIMEOUT)
        except TimeoutError:
            raise PatternTimeout(self.where) from None


def compile_pattern(source: str, where: str, flags: int = regex.IGNORECASE) -> Pattern:
    if not isinstance(source, str) or not source:
        raise UsageError(f"{where}: pattern must be a non-empty string")
    try:
        return Pattern(source, where, regex.compile(source, flags))
    except regex.error as exc:
        raise UsageError(f"{where}: invalid pattern {source!r}: {exc}") from None


def words_pattern(words: list[str], where: str) -> Pattern:
    """A pattern matching any of `words` (each a regex fragment) as whole words."""
    return compile_pattern(r"\b(?:" + "|".join(words) + r")\b", where)


@lru_cache(maxsize=None)
def load_data(name: str) -> Any:
    """A YAML data file shipped in `linters/data/`."""
    try:
        text = resources.files("linters.data").joinpath(name).read_text("utf-8")
    except FileNotFoundError:
        raise UsageError(f"linters/data/{name}: data file is missing (reinstall the package)") from None
    try:
        return load_safe(text)
    except YamlError as exc:
        raise UsageError(f"linters/data/{name}:{exc.line + 1}: {exc.problem}") from None
