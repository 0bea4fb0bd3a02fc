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
MAX_FRONT_MATTER_DEPTH = 20  # rules and the site read values recursively


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
        try:
            data = load_fast(token.content)
        except (LookupError, ArithmeticError) as exc:  # PyYAML lets a few bad scalars through, e.g. `!!bool maybe`
            raise YamlError(f"cannot read the value {exc}", 0, 0) from None
    except YamlError as exc:
        line, column = exc.line, exc.column
        if (line, column) == (0, 0):  # a value the loader could not convert (a date like 2026-02-30): find it
            line, column = _bad_value_position(token.content) or (0, 0)
        line += first_line + 1  # the YAML starts on the line after the opening `---`; its lines are 0-based
        problem(
            line,
            column + 1,
            f"The front matter is not valid YAML ({exc.problem}). Fix it so the page's title, author and review dates can be read.",
            doc.line_text(line),
        )
        return
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problem(first_line, 1, "The front matter must be a set of `key: value` lines, not a list or a single value.", token.content)
        return
    too_much = _too_complex(data)
    if too_much:
        problem(first_line, 1, f"The front matter {too_much}. Write the metadata out plainly; it was ignored.", doc.line_text(first_line))
        return
    doc.front_matter = data


def _bad_value_position(text: str) -> tuple[int, int] | None:
    """0-based (line, column) of the first scalar the safe loader cannot convert, if the YAML parses."""
    try:
        import yaml as pyyaml

        root = pyyaml.compose(text, Loader=getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader))
    except Exception:  # noqa: BLE001 - only a better position is at stake; the error is reported anyway
        return None
    constructor = pyyaml.SafeLoader("")
    todo, seen = [root], set()
    while todo:
        node = todo.pop()
        if node is None or id(node) in seen:  # aliases share nodes: visit each once
            continue
        seen.add(id(node))
        if isinstance(node, pyyaml.ScalarNode):
            try:
                constructor.construct_object(node)
            except Exception:  # noqa: BLE001 - any failure is the answer
                return node.start_mark.line, node.start_mark.column
        elif isinstance(node, pyyaml.SequenceNode):
            todo.extend(reversed(node.value))
        elif isinstance(node, pyyaml.MappingNode):
            todo.extend(item for pair in reversed(node.value) for item in reversed(pair))
    return None


def _too_complex(data: object) -> str | None:
    """What is wrong when the data is too big or too deep to hand to rules, counting values as a
    reader sees them (aliases expanded) and stopping at the limit; None when it is fine."""
    todo = [(data, 0)]
    seen = 0
    while todo:
        item, depth = todo.pop()
        seen += 1
        if seen > MAX_FRONT_MATTER_VALUES:
            return f"expands to more than {MAX_FRONT_MATTER_VALUES:,} values (YAML aliases that repeat aliases?)"
        if depth > MAX_FRONT_MATTER_DEPTH:
            return f"nests values more than {MAX_FRONT_MATTER_DEPTH} levels deep"
        if isinstance(item, dict):
            todo.extend((x, depth + 1) for pair in item.items() for x in pair)
        elif isinstance(item, (list, tuple, set, frozenset)):
            todo.extend((x, depth + 1) for x in item)
    return None
