"""Rules: one module each (or one per family), discovered here.

A rule module defines `RULE` (or `RULES`), a `Rule` naming its id, default
severities and a check function, and a docstring in four parts: What it does,
Why is this bad?, Example, Use instead. `EXAMPLES` lists sentences or pages it
must flag and must not flag; the test suite runs them and the rule catalogue is
generated from them.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache
from types import ModuleType
from typing import Any, Callable, Iterable, Literal

from ..model import Severity

DOCS_BASE = "rules/"  # the rule catalogue page in the site: rules/<id>.md


@dataclass
class Example:
    text: str  # a Markdown page or a single sentence
    flagged: bool
    note: str = ""


@dataclass
class Rule:
    id: str
    summary: str
    check: Callable[..., Iterable[Any]]
    severity: Severity = "error"  # in preview mode
    publish_severity: Severity | None = None  # in publish mode; None = same as preview
    scope: Literal["page", "corpus"] = "page"
    collect: Callable[..., Any] | None = None  # corpus rules: per-page summary, cached with the page
    examples: list[Example] = field(default_factory=list)
    module: ModuleType | None = None
    version: str = "1"  # bump when behaviour changes, so cached results are dropped

    def severity_for(self, mode: str) -> Severity:
        if mode == "publish" and self.publish_severity:
            return self.publish_severity
        return self.severity

    @property
    def doc(self) -> str:
        return (self.module.__doc__ or "") if self.module else ""


@lru_cache(maxsize=1)
def all_rules() -> dict[str, Rule]:
    found: dict[str, Rule] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        rules = getattr(module, "RULES", None) or ([module.RULE] if hasattr(module, "RULE") else [])
        for rule in rules:
            rule.module = rule.module or module
            if rule.id in found:
                raise RuntimeError(f"rule id {rule.id} is defined twice")
            found[rule.id] = rule
    return found


# Rules the engine itself emits (not from a rule module), with their documentation.
ENGINE_RULES = {
    "invalid-registry": "The claims registry has a problem: YAML syntax, a missing field, a bad date, a duplicate id or an unknown reference.",
    "invalid-page": "A page cannot be read as Markdown text: not UTF-8, binary, broken front matter, or a link that leaves the project.",
    "invalid-suppression": "A suppression comment without a rule or without a reason.",
}
