"""YAML loading for the whole package: always safe (no object construction), errors with a place."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError


@dataclass
class YamlError(Exception):
    problem: str
    line: int  # 0-based, in the text that was loaded
    column: int  # 0-based

    def __str__(self) -> str:
        return f"{self.problem} (line {self.line + 1}, column {self.column + 1})"


def _safe() -> YAML:
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = False
    return yaml


def load_fast(text: str) -> Any:
    """Safe YAML through libyaml (PyYAML's C loader), for front matter on every page: ~10x faster."""
    try:
        import yaml as pyyaml

        loader = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
    except ImportError:  # PyYAML comes with MkDocs; fall back to ruamel if it is missing
        return load_safe(text)
    try:
        return pyyaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except pyyaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise YamlError(problem, mark.line if mark else 0, mark.column if mark else 0) from None
    except pyyaml.YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0] if str(exc) else "invalid YAML", 0, 0) from None
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. a date like 2026-13-45
        raise YamlError(str(exc), 0, 0) from None


def load_safe(text: str) -> Any:
    try:
        return _safe().load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        return_line = mark.line if mark is not None else 0
        return_col = mark.column if mark is not None else 0
        raise YamlError(problem, return_line, return_col) from None
    except YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0] if str(exc) else "invalid YAML", 0, 0) from None


class _DatesAsText(RoundTripConstructor):
    """Round-trip loading that leaves dates as text, so schema validation reports a bad date
    ("2026-13-45") at its line instead of the YAML library failing on the whole file."""


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def load_round_trip(text: str) -> Any:
    """Load keeping line numbers (`.lc`) and comments, for the registry and review edits."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _DatesAsText
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise YamlError(problem, mark.line if mark else 0, mark.column if mark else 0) from None
    except YAMLError as exc:
        raise YamlError(str(exc).splitlines()[0] if str(exc) else "invalid YAML", 0, 0) from None
