"""Front matter: YAML between `---` lines, loaded safely (no object construction)."""

from __future__ import annotations

from markdown_it.token import Token

from ..model import Document, Finding
from ..yamlio import YamlError, load_fast


def parse_front_matter(doc: Document, token: Token) -> None:
    first_line = (token.map[0] + 1) if token.map else 1
    doc.front_matter_line = first_line
    try:
        data = load_fast(token.content)
    except YamlError as exc:
        doc.problems.append(
            Finding(
                rule="invalid-page",
                severity="error",
                path=doc.path,
                line=first_line + exc.line,  # +1 for the opening `---`, exc.line is 0-based
                column=exc.column + 1,
                message=f"The front matter is not valid YAML ({exc.problem}). Fix it so the page's title, author and review dates can be read.",
                excerpt=doc.line_text(first_line + exc.line)[:200],
            )
        )
        return
    if data is None:
        data = {}
    if not isinstance(data, dict):
        doc.problems.append(
            Finding(
                rule="invalid-page",
                severity="error",
                path=doc.path,
                line=first_line,
                column=1,
                message="The front matter must be a set of `key: value` lines, not a list or a single value.",
                excerpt=token.content[:200],
            )
        )
        return
    doc.front_matter = data
