"""Front matter: YAML between `---` lines, loaded safely (no object construction)."""

from __future__ import annotations

from markdown_it.token import Token

from ..model import Document, Finding
from ..yamlio import YamlError, load_fast

# Front matter is a page's metadata: a few hundred characters. The limits keep a hostile
# page from making the YAML parser, or a rule that reads the values, run for minutes.
MAX_FRONT_MATTER_CHARS = 32_000
# Values after alias expansion: `&a [x, x]`, `&b [*a, *a]`, ... (a "billion laughs") loads
# as shared lists, but anything that walks or prints them would go through 10**9 items.
MAX_FRONT_MATTER_VALUES = 10_000


def parse_front_matter(doc: Document, token: Token) -> None:
    first_line = (token.map[0] + 1) if token.map else 1
    doc.front_matter_line = first_line

    def problem(line: int, column: int, message: str, excerpt: str) -> None:
        doc.problems.append(
            Finding(rule="invalid-page", severity="error", path=doc.path, line=line, column=column, message=message, excerpt=excerpt[:200])
        )

    if len(token.content) > MAX_FRONT_MATTER_CHARS:
        problem(
            first_line, 1,
            f"The front matter is {len(token.content):,} characters long; the limit is {MAX_FRONT_MATTER_CHARS:,}. "
            "Keep only the page's metadata there; the page text below was still checked.",
            doc.line_text(first_line),
        )
        return
    try:
        data = load_fast(token.content)
    except YamlError as exc:
        problem(
            first_line + exc.line,  # +1 for the opening `---`, exc.line is 0-based
            exc.column + 1,
            f"The front matter is not valid YAML ({exc.problem}). Fix it so the page's title, author and review dates can be read.",
            doc.line_text(first_line + exc.line),
        )
        return
    except (LookupError, ArithmeticError) as exc:  # PyYAML lets a few bad scalars through, e.g. `!!bool maybe`
        problem(
            first_line, 1,
            f"The front matter is not valid YAML (cannot read the value {exc}). Fix it so the page's title, author and review dates can be read.",
            doc.line_text(first_line),
        )
        return
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problem(first_line, 1, "The front matter must be a set of `key: value` lines, not a list or a single value.", token.content)
        return
    if _too_many_values(data):
        problem(
            first_line, 1,
            f"The front matter expands to more than {MAX_FRONT_MATTER_VALUES:,} values (YAML aliases that repeat aliases?). "
            "Write the metadata out plainly; it was ignored.",
            doc.line_text(first_line),
        )
        return
    doc.front_matter = data


def _too_many_values(data: object) -> bool:
    """Count values as a reader of the data would see them (aliases expanded), stopping at the limit."""
    todo = [data]
    seen = 0
    while todo:
        item = todo.pop()
        seen += 1
        if seen > MAX_FRONT_MATTER_VALUES:
            return True
        if isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            todo.extend(item)
    return False
