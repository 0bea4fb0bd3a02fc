"""Report formats. Each module here defines `NAME` and `render(report) -> str`."""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from types import ModuleType


@lru_cache(maxsize=1)
def formats() -> dict[str, ModuleType]:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "NAME") and hasattr(module, "render"):
            found[module.NAME] = module
    return found


EXIT_MEANINGS = {
    0: "no error-level finding",
    1: "at least one error-level finding: do not publish",
    2: "the check could not run (bad arguments, config or registry)",
}
