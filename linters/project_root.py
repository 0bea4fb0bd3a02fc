"""Where a project starts: the nearest folder holding a mkdocs.yml.

Standard library only: `linters.check_client` finds the project before anything heavy is
imported, and `linters.config` (which the engine reads) gives the same answer from here.
"""

from __future__ import annotations

import os

CONFIG_FILE = "mkdocs.yml"


def find_root(start: str | os.PathLike) -> str | None:
    """The nearest folder at or above `start` (a folder, or a file's folder) with a mkdocs.yml."""
    folder = os.path.realpath(start)
    if not os.path.isdir(folder):
        folder = os.path.dirname(folder)
    while True:
        if os.path.isfile(os.path.join(folder, CONFIG_FILE)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
