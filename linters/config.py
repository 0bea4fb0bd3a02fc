"""Configuration: one source, the `medical-claims` plugin block of `mkdocs.yml`.

The command line reads the same block the MkDocs plugin receives, so a writer's
preview and the CI gate never disagree about what is checked.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import YAMLError

from . import project_root
from .errors import UsageError

PLUGIN_NAME = "medical-claims"
CONFIG_FILE = project_root.CONFIG_FILE


class RuleSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    severity: Literal["error", "warning", "info"] | None = None


class Config(BaseModel):
    """Every option, with its default. The MkDocs plugin's typed config mirrors these names."""

    model_config = ConfigDict(extra="forbid")
    claims_dir: str = "claims"
    reading_level: float = Field(8.0, description="target grade (SMOG); a page may override with `reading_level:` in its front matter")
    vale: Literal["required", "optional", "off"] = "required"
    vale_config: str = ".vale.ini"
    cache: bool = True
    cache_dir: str = ".linters-cache"
    exclude: list[str] = Field(default_factory=list)
    rules: dict[str, RuleSettings] = Field(default_factory=dict)
    expiring_days: int = 60
    highlight_in_preview: bool = True


class _TolerantConstructor(SafeConstructor):
    """Safe YAML that reads mkdocs.yml's `!!python/name:` and `!ENV` tags as plain values."""


def _ignore_tag(loader, suffix, node):
    if hasattr(node, "value") and isinstance(node.value, str):
        return node.value
    if hasattr(node, "value") and isinstance(node.value, list) and node.value and isinstance(node.value[0], tuple):
        return loader.construct_mapping(node)
    return loader.construct_sequence(node) if isinstance(getattr(node, "value", None), list) else None


_TolerantConstructor.add_multi_constructor("", _ignore_tag)
_TolerantConstructor.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


def _load_mkdocs_yaml(path: Path) -> Any:
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _TolerantConstructor
    try:
        return yaml.load(io.StringIO(path.read_text("utf-8")))
    except (YAMLError, UnicodeDecodeError, OSError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(f"{path}{where}: cannot read the config: {problem}") from None


def plugin_block(data: Any) -> dict | None:
    """The options of our plugin in a loaded mkdocs.yml, or None if it is not listed."""
    if not isinstance(data, dict):
        return None
    for entry in data.get("plugins") or []:
        if entry == PLUGIN_NAME:
            return {}
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            return entry[PLUGIN_NAME] or {}
    if isinstance(data.get("plugins"), dict) and PLUGIN_NAME in data["plugins"]:
        return data["plugins"][PLUGIN_NAME] or {}
    return None


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` with a mkdocs.yml."""
    found = project_root.find_root(start)
    return None if found is None else Path(found)


def load_config(root: Path | None) -> tuple[Config, dict]:
    """(config, the whole mkdocs.yml as data); defaults when there is no mkdocs.yml."""
    if root is None or not (root / CONFIG_FILE).is_file():
        return Config(), {}
    data = _load_mkdocs_yaml(root / CONFIG_FILE)
    block = plugin_block(data)
    return config_from_options(block or {}, root / CONFIG_FILE), data if isinstance(data, dict) else {}


def config_from_options(options: dict, where: Path | str = CONFIG_FILE) -> Config:
    try:
        return Config.model_validate(options)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise UsageError(f"{where}: plugin `{PLUGIN_NAME}` option `{key}`: {err['msg']}") from None
