"""Markdown page → Document: front matter, prose sentences with source positions, claim tags.

markdown-it-py does the parsing. Block tokens give line ranges; for inline
positions we wrap the parser's own inline rules so each one records the span of
source it consumed. That is how we know, with the parser's own judgement, which
characters are code, HTML, link targets, markup or claim tags.
"""

from __future__ import annotations

import html
import re
import time
import types
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

try:  # the whitespace markdown-it trims (CommonMark's, not str.strip()'s); older versions used str.strip
    from markdown_it.common.utils import mdTrim as _md_trim
except ImportError:  # pragma: no cover - markdown-it-py < 4
    _md_trim = str.strip
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.admon import index as admon_index
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from ..model import ClaimTag, Document, Finding, Sentence, Suppression
from . import tags as tagsyntax
from .frontmatter import parse_front_matter
from .offsets import Offsets, OffsetsBuilder, keep, single_run
from .sentences import normalise, sentence_spans
from .suppressions import parse_directive

SPANS_KEY = "_linters_spans"
SRC_KEY = "_linters_src"  # the text the spans are offsets into
BUDGET_KEY = "_linters_budget"
LAST_CLOSE_KEY = "_linters_last_close"

# A page that takes longer than this to parse (CPU seconds, so a busy machine does not turn
# a good page into a finding) becomes an `invalid-page` finding, not a hang. Ordinary pages
# take milliseconds; a 200 KB line of `[` takes markdown-it many seconds.
PARSE_TIME_LIMIT = 3.0

# markdown-it's own nesting limit (20 in the CommonMark preset) drops the rest of a container
# silently, so text under 25 nested list markers was never checked. We raise the limit to the
# library's default preset and stop opening containers below it: deeper markers stay text.
MAX_NESTING = 100
_CONTAINERS = ("blockquote", "list", "admonition", "tabbed", "deflist")


class ParseTimeout(Exception):
    """Parsing a page ran past its time limit."""


class _Budget:
    """CPU time left for one page. Reading the CPU clock costs ~0.6 µs, so look every 64 steps."""

    __slots__ = ("limit", "steps")

    def __init__(self, seconds: float | None):
        self.limit = None if seconds is None else time.process_time() + seconds
        self.steps = 0

    def spend(self) -> None:
        self.steps += 1
        if self.limit is not None and not self.steps & 63 and time.process_time() > self.limit:
            raise ParseTimeout


# Kinds of inline source that are not prose.
_DROP = {"backticks", "html_inline", "image", "autolink", "emphasis", "strikethrough", "claim_tag"}


def _claim_tag_rule(state: StateInline, silent: bool) -> bool:
    found = tagsyntax.match_tag(state.src, state.pos)
    if found is None:
        return False
    end, inner = found
    if not silent:
        token = state.push("claim_tag", "", 0)
        token.meta = {"ids": tagsyntax.split_ids(inner), "raw": state.src[state.pos : end]}
    state.pos = end
    return True


def _recording(name: str, fn):
    def rule(state: StateInline, silent: bool) -> bool:
        budget = state.env.get(BUDGET_KEY)
        if budget is not None:
            budget.spend()
        start = state.pos
        label_end = -1
        if name in ("link", "image") and not _closes_later(state, start):
            return False  # no `]` ahead: a line of `[` would otherwise cost O(n²) label scans
        ok = fn(state, silent)
        if ok and not silent and name == "link" and state.src[start] == "[":
            # Only for a link that parsed: labelling every failed `[` too doubled the
            # (already quadratic) cost of a line of brackets.
            end = state.pos
            label_end = state.md.helpers.parseLinkLabel(state, start, True)
            state.pos = end
        if ok and not silent:
            spans = state.env.get(SPANS_KEY) if state.src is state.env.get(SRC_KEY) else None
            if spans is not None:
                spans.append((name, start, state.pos, label_end))
        return ok

    return rule


def _closes_later(state: StateInline, start: int) -> bool:
    last = state.env.get(LAST_CLOSE_KEY)
    if last is None or last[0] is not state.src:
        last = (state.src, state.src.rfind("]"))
        state.env[LAST_CLOSE_KEY] = last
    return last[1] > start


def _tabbed_rule():
    """pymdownx.tabbed (`=== "Tab"` + indented body) parsed by the admonition rule itself."""
    fn = admon_index.admonition
    g = dict(fn.__globals__)
    g.update(MARKERS=("===", "===+"), MARKER_CHARS={"="}, MAX_MARKER_LEN=4)
    return types.FunctionType(fn.__code__, g, "tabbed", fn.__defaults__, fn.__closure__)


def _shallow(fn):
    """A container rule that declines below the nesting limit, so the text there stays a paragraph."""

    def rule(state, start_line: int, end_line: int, silent: bool) -> bool:
        if state.level >= MAX_NESTING - 4:  # a list opens two levels, then its paragraph one more
            return False
        return fn(state, start_line, end_line, silent)

    return rule


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    md = (
        MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .enable("strikethrough")
        .use(front_matter_plugin)
        .use(admon_plugin)
        .use(deflist_plugin)
    )
    md.block.ruler.before("admonition", "tabbed", _tabbed_rule(), {"alt": ["paragraph"]})
    md.options["maxNesting"] = MAX_NESTING
    for block_rule in md.block.ruler.__rules__:
        if block_rule.name in _CONTAINERS:
            block_rule.fn = _shallow(block_rule.fn)
    md.block.ruler.__cache__ = None  # the ruler caches its rule functions: recompile
    md.inline.ruler.before("link", "claim_tag", _claim_tag_rule)
    for rule in md.inline.ruler.__rules__:
        if rule.name != "text":  # plain text is kept by default; recording it would only cost time
            rule.fn = _recording(rule.name, rule.fn)
    md.inline.ruler.__cache__ = None
    md.core.ruler.disable("inline")  # we run the inline parser per block, recording spans
    md.core.ruler.disable("text_join")  # it joins the text children of inline tokens: there are none now
    return md


def _inline_offsets(doc: Document, content: str, first_line: int, end_line: int | None = None) -> Offsets:
    """Source offset of every character of an inline token's content (the lines of a block)."""
    lines = content.split("\n")
    # markdown-it strips a paragraph with str.strip(), so a leading line of only Unicode
    # spaces (U+00A0, U+2028, ...) vanishes from the content: start at the line that holds it.
    head = lines[0].strip()
    src = None
    span = range(max((end_line or first_line + 1) - first_line, 1))
    second = lines[1].strip() if len(lines) > 1 else ""

    def ends_and_goes_on(skip: int, line: str) -> bool:
        return line.rstrip().endswith(head) and second in doc.line_text(first_line + skip + 2)

    # The line that ends with the content's first line and is followed by its second (a list
    # marker's own text, "1. " and a no-break space, vanished, and "1." may also be the content),
    # else the line that ends with it, else the first that holds it (a heading's closing #s).
    for holds in (ends_and_goes_on, lambda _skip, line: line.rstrip().endswith(head), lambda _skip, line: head in line):
        for skip in span:
            line = doc.line_text(first_line + skip + 1)
            if holds(skip, line):
                first_line += skip
                src = line
                break
        if src is not None:
            break
    anchor, base = _line_anchor(doc, lines[0], first_line + 1, src)
    limit = len(doc.source)
    unclamped = base <= anchor and anchor + len(content) <= limit
    if unclamped and (len(lines) == 1 or head and _verbatim(doc.source, content, anchor)):
        return single_run(anchor, len(content))  # what the loop below finds, line by line, for such content
    out = OffsetsBuilder()
    last = len(lines) - 1
    for i, cline in enumerate(lines):
        if i:
            anchor, base = _line_anchor(doc, cline, first_line + i + 1)
        _add_clamped_run(out, anchor, len(cline) + (i < last), base, limit)  # +1: the newline, but after the last line
    return out.build()


def _line_anchor(doc: Document, cline: str, line_no: int, src: str | None = None) -> tuple[int, int]:
    """(source offset where `cline`, a content line on source line `line_no` (its text: `src`), starts; that line's offset)."""
    if src is None:
        src = doc.line_text(line_no)
    base = doc.line_offset(line_no)
    want = cline.strip()
    if not want:
        return base + len(src), base
    # Anchor the first visible character: markdown-it may have turned the line's leading
    # tab into spaces (a list item's continuation line), so the indentation does not map 1:1.
    lead = len(cline) - len(cline.lstrip())
    stripped = src.rstrip()
    if stripped.endswith(want):
        col = len(stripped) - len(want)
    else:
        found = src.find(want)
        col = found if found >= 0 else lead
    return base + col - lead, base


_BLANK_LINE = re.compile(r"\n[^\S\n]*(?=\n|\Z)")


def _verbatim(source: str, content: str, at: int) -> bool:
    """Is `content` (several lines) the source from `at` on, whole lines after its first, none of them blank?

    Then each line after the first starts where its source line does and ends where the line's
    text ends, which is where `_line_anchor` puts it: the content maps to one run of the source.
    """
    if not source.startswith(content, at) or _BLANK_LINE.search(content):
        return False
    end = at + len(content)
    newline = source.find("\n", end)
    return not source[end : newline if newline >= 0 else len(source)].strip()


def _clamped_run(start: int, count: int, lo: int, hi: int) -> Offsets:
    """[min(max(start + j, lo), hi) for j in range(count)]."""
    out = OffsetsBuilder()
    _add_clamped_run(out, start, count, lo, hi)
    return out.build()


def _add_clamped_run(out: OffsetsBuilder, start: int, count: int, lo: int, hi: int) -> None:
    """Add `_clamped_run(start, count, lo, hi)` to `out`, as (at most three) runs rather than one number at a time."""
    if count <= 0:
        return
    if lo > hi:
        out.repeat(hi, count)
        return
    end = start + count  # exclusive
    if start >= lo and end - 1 <= hi:
        out.run(start, count)
        return
    below = min(max(lo - start, 0), count)
    above = min(max(end - (hi + 1), 0), count - below)
    out.repeat(lo, below)
    out.run(max(start, lo), min(end, hi + 1) - max(start, lo))
    out.repeat(hi, above)


_ALNUM = re.compile(r"[^\W_]")  # a letter or digit (str.isalnum)

# Characters that start inline markup other than a claim tag: without them, inline
# parsing cannot change the text, so we skip it (most sentences on a page).
_MARKUP_CHARS = r"[`*_<>&\\!~\[\]]"
# A markup character, or a whole claim tag when the character is a tag's first `[` (group 1 is then
# its inner text): one scan that stops only at markup characters.
_MARKUP_OR_TAG = re.compile(_MARKUP_CHARS + r"(?:(?<=\[)" + tagsyntax.TAG_AFTER_FIRST_BRACKET + ")?")


def _plain_spans(content: str) -> list | None:
    """Spans of claim tags when the content has no other inline markup; None otherwise."""
    tags = []
    for m in _MARKUP_OR_TAG.finditer(content):
        if m.lastindex is None:
            return None  # markup outside a tag
        tags.append(("claim_tag", m.start(), m.end(), -1))
    return tags


def _content_offsets(content: str, starts: list[int], limit: int) -> Offsets:
    """Source offset of every character of an inline token's content."""
    out = OffsetsBuilder()
    lines = content.split("\n")
    last = len(lines) - 1 if content else len(lines)  # each line's newline counts, but the last one's
    for row, line in enumerate(lines):
        base = starts[min(row, len(starts) - 1)]
        _add_clamped_run(out, base, len(line) + (row < last), base, limit)
    return out.build()


def _kept(content: str, offsets_of: Offsets, dropped: list[tuple[int, int]], subst: dict[int, str]) -> tuple[str, Offsets]:
    """The content without its dropped spans, with substitutions in place, and each character's source offset.

    Character i of `content` becomes `subst[i]` (every character of it at offset i) when
    there is one, else is kept unless a dropped span covers it. Built from slices.
    """
    n = len(content)
    cuts = sorted([(max(a, 0), min(b, n)) for a, b in dropped if min(b, n) > max(a, 0)] + [(i, i + 1) for i in subst if 0 <= i < n])
    if not cuts:
        return content, offsets_of if len(offsets_of) == n else offsets_of[:n]
    if not subst:  # only cuts, the usual case (claim tags): keep what is between them
        spans = []
        pos = 0
        for a, b in cuts:
            if a > pos:
                spans.append((pos, a))
            if b > pos:
                pos = b
        spans.append((pos, n))
        return "".join([content[a:b] for a, b in spans]), keep(offsets_of, spans)
    text: list[str] = []
    offsets = OffsetsBuilder()
    pos = 0
    # a substitution sorts before the cut that removes its own character (kind 0 before 1)
    events = sorted([(a, 1, b) for a, b in cuts] + [(i, 0, i) for i in subst if 0 <= i < n])
    for at, kind, b in events:
        if at > pos:
            text.append(content[pos:at])
            offsets.take(offsets_of, pos, at)
            pos = at
        if kind == 0:
            text.append(subst[at])
            offsets.repeat(offsets_of[at], len(subst[at]))
        else:
            pos = max(pos, b)
    text.append(content[pos:])
    offsets.take(offsets_of, pos, n)
    return "".join(text), offsets.build()


class _Builder:
    def __init__(self, doc: Document, budget: _Budget | None = None):
        self.doc = doc
        self.heading = ""
        self.pending_suppressions: list[Suppression] = []
        self.budget = budget or _Budget(None)

    def inline(self, token: Token, block: str, source_starts: list[int] | None = None, offsets: Offsets | None = None) -> None:
        content = token.content
        if not content or content.isspace():
            return
        if offsets is not None:
            offsets_of = offsets
        elif source_starts is not None:
            offsets_of = _content_offsets(content, source_starts, len(self.doc.source))
        else:
            first_line = token.map[0] if token.map else 0
            offsets_of = _inline_offsets(self.doc, content, first_line, token.map[1] if token.map else first_line + 1)
        spans = _plain_spans(content)
        if spans == []:  # plain prose, the most common case
            text, text_offsets = normalise(content, offsets_of)
            self._emit(block, text, text_offsets, ())
            return
        if spans is None:
            # An image's alt text is parsed as a text of its own, sharing `env`: only spans of
            # `content` itself are recorded (a tag in alt text is part of the image, not a tag).
            env: dict[str, Any] = {SPANS_KEY: [], SRC_KEY: content, BUDGET_KEY: self.budget}
            md = markdown_parser()
            md.inline.parse(content, md, env, [])
            spans = env[SPANS_KEY]
        dropped: list[tuple[int, int]] = []
        subst: dict[int, str] = {}
        tags: list[tuple[int, int, tuple[str, ...], str]] = []
        for name, start, end, label_end in spans:
            if name in _DROP:
                dropped.append((start, end))
                if name == "claim_tag":
                    raw = content[start:end]
                    tags.append((start, end, tagsyntax.split_ids(raw[len(tagsyntax.TAG_OPEN) : -len(tagsyntax.TAG_CLOSE)]), raw))
                elif name == "html_inline":
                    self._inline_html(content[start:end], offsets_of[start])
            elif name == "link":
                dropped.append((start, start + 1))
                dropped.append((max(label_end, start), end))
            elif name == "newline":
                dropped.append((start, end))
                subst[start] = " "
            elif name == "escape":
                dropped.append((start, start + 1))
            elif name == "entity":
                dropped.append((start, end))
                subst[start] = html.unescape(content[start:end])
        text, text_offsets = normalise(*_kept(content, offsets_of, dropped, subst))
        claim_tags = []
        for start, end, ids, raw in tags:
            off = offsets_of[start]
            line, col = self.doc.position(off)
            raw = self.doc.source[off : offsets_of[end - 1] + 1]  # as written: in a table cell `\|` is `|` to the parser
            tag = ClaimTag(ids=tuple(ids), raw=raw, offset=off, line=line, column=col)
            claim_tags.append((start, tag))
            self.doc.tags.append(tag)
        self._emit(block, text, text_offsets, claim_tags)

    def _inline_html(self, raw: str, offset: int) -> None:
        directive = parse_directive(raw)
        if directive is None:
            return
        line, col = self.doc.position(offset)
        self._directive(directive, line, col, line)

    def _directive(self, directive: dict, line: int, col: int, next_line: int) -> None:
        kind = directive["kind"]
        if kind == "error":
            self.doc.problems.append(
                Finding(
                    rule="invalid-suppression",
                    severity="error",
                    path=self.doc.path,
                    line=line,
                    column=col,
                    message=directive["message"],
                    excerpt=directive["raw"][:200],
                )
            )
        elif kind == "disable-next":
            sup = Suppression(
                rules=tuple(directive["rules"]),
                reason=directive["reason"],
                line=line,
                column=col,
                applies_from=next_line,
                applies_to=next_line,
            )
            self.doc.suppressions.append(sup)
            self.pending_suppressions.append(sup)
        elif kind == "vale":
            self.doc.vale_off.append((line, 1 if directive["off"] else 0))

    def block_started(self, token: Token) -> None:
        """A new block begins: pending `disable-next` suppressions now cover it."""
        if token.map and self.pending_suppressions:
            for sup in self.pending_suppressions:
                sup.applies_from = token.map[0] + 1
                sup.applies_to = max(token.map[1], token.map[0] + 1)
            self.pending_suppressions = []

    def _emit(self, block, text, offsets, claim_tags) -> None:
        if not text:
            return
        spans = sentence_spans(text) if block != "heading" else [(0, len(text))]
        made: list[tuple[Sentence, int]] = []
        sentences = self.doc.sentences
        position = self.doc.position
        for s, e in spans:
            if not _ALNUM.search(text, s, e):
                continue
            part = offsets.span(s, e)
            first = part.first()
            line, col = position(first)
            sentence = Sentence(
                text=text[s:e],
                offsets=part,
                line=line,
                column=col,
                block=block,
                heading=self.heading,
                index=len(sentences),
            )
            sentences.append(sentence)
            made.append((sentence, first))
        for _start, tag in claim_tags:
            owner = None
            for sentence, first in made:
                if first <= tag.offset:
                    owner = sentence
            if owner is None and made:
                owner = made[0][0]
            if owner is not None:
                owner.tags.append(tag)
        if block == "heading" and made:
            self.heading = made[0][0].text


_CONTAINER_BLOCKS = {
    "blockquote_open": "blockquote",
    "list_item_open": "list_item",
    "admonition_open": "admonition",
    "dd_open": "definition",
}


def parse_page(path: str, source: str, time_limit: float | None = PARSE_TIME_LIMIT) -> Document:
    """Parse one page. Never raises on odd Markdown: problems become findings on the page."""
    if source.startswith("\ufeff"):
        source = source[1:]
    # markdown-it reads CR, CRLF and LF alike and NUL as U+FFFD; doing it first keeps our offsets on its text.
    source = source.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    doc = Document(path=path, source=source)
    md = markdown_parser()
    tokens = md.parse(source, {})
    builder = _Builder(doc, _Budget(time_limit))
    current: list[Token | None] = [None]  # the token being read, for the message if time runs out
    try:
        _build(doc, tokens, builder, current)
    except ParseTimeout:
        line = current[0].map[0] + 1 if current[0] is not None and current[0].map else 1
        doc.problems.append(
            Finding(
                rule="invalid-page",
                severity="error",
                path=path,
                line=line,
                column=1,
                message=f"Reading this page took longer than {time_limit:g} s, stuck at this block (a very long line or thousands of "
                "brackets or emphasis marks?). Split it or remove the stray markup; the page from here on was not checked.",
                excerpt=doc.line_text(line)[:200],
            )
        )
    _unclosed_front_matter(doc, tokens)
    _unclosed_fences(doc, tokens)
    _malformed_tags(doc)
    return doc


def _build(doc: Document, tokens: list[Token], builder: _Builder, current: list[Token | None]) -> None:
    stack: list[str] = []
    cell = 0  # which cell of its table row an inline token is
    pipes: dict[int, list[int]] = {}  # a row's cell borders, found once per row
    spend = builder.budget.spend
    for i, tok in enumerate(tokens):
        current[0] = tok
        spend()
        kind = tok.type
        if kind == "tr_open":
            cell = 0
        elif kind == "th_open" or kind == "td_open":
            cell += 1
        if kind == "front_matter":
            parse_front_matter(doc, tok)
            continue
        if tok.nesting == 1 and tok.map and tok.level == 0 or kind in ("html_block", "fence", "code_block"):
            builder.block_started(tok) if kind != "html_block" else None
        if kind == "html_block":
            directive = parse_directive(tok.content.strip())
            if directive is not None and tok.map:
                line = tok.map[0] + 1
                builder._directive(directive, line, 1, tok.map[1] + 1)
            continue
        if kind == "inline":
            _build_inline(doc, tokens, i, tok, builder, stack, cell, pipes)
        elif tok.nesting == 1 and kind in _CONTAINER_BLOCKS:
            container = _CONTAINER_BLOCKS[kind]
            if kind == "admonition_open" and tok.markup.startswith("="):
                container = "tab"
            stack.append(container)
        elif tok.nesting == -1 and kind.replace("_close", "_open") in _CONTAINER_BLOCKS:
            if stack:
                stack.pop()


def _build_inline(doc: Document, tokens: list[Token], i: int, tok: Token, builder: _Builder, stack: list[str], cell: int, pipes: dict[int, list[int]]) -> None:
    """Read an inline token as the block it belongs to (the token before it) makes it."""
    prev = tokens[i - 1].type if i else ""
    if prev == "heading_open":
        builder.inline(tok, "heading")
    elif prev in ("th_open", "td_open"):
        builder.inline(tok, "table_cell", offsets=_cell_offsets(doc, tok, cell, pipes))
    elif prev == "admonition_title_open":
        if stack and stack[-1] == "tab":
            tok = tok.copy(content=_tab_title(tok, tokens, i))
        starts = _title_starts(doc, tok)
        if starts is not None:  # None: the title is made up from the type (`!!! note` shows "Note")
            builder.inline(tok, "heading", starts)
    elif prev == "dt_open":
        builder.inline(tok, "definition")
    else:
        builder.inline(tok, stack[-1] if stack else "paragraph")


def _problem(doc: Document, line: int, column: int, message: str) -> None:
    doc.problems.append(
        Finding(rule="invalid-page", severity="error", path=doc.path, line=line, column=column, message=message, excerpt=doc.line_text(line)[:200])
    )


_FRONT_MATTER_OPEN = re.compile(r"---[ \t]*\n[ \t]*[A-Za-z_][\w -]*:(?:[ \t]|$)", re.M)


def _unclosed_front_matter(doc: Document, tokens: list[Token]) -> None:
    # markdown-it (and MkDocs) read an unclosed front matter as page text: say why the metadata is missing.
    if not doc.front_matter_line and _FRONT_MATTER_OPEN.match(doc.source):
        _problem(doc, 1, 1, "The front matter that starts here is never closed: add a `---` line after it. Until then its lines are read as page text.")


def _unclosed_fences(doc: Document, tokens: list[Token]) -> None:
    # CommonMark runs an unclosed fence to the end of its container, so the rest of the page is
    # code and never checked. A closed fence spans its content lines plus two marker lines.
    for tok in tokens:
        if tok.type == "fence" and tok.map and tok.map[1] - tok.map[0] < tok.content.count("\n") + 2:
            line = tok.map[0] + 1
            _problem(
                doc, line, doc.line_text(line).find(tok.markup[0]) + 1,
                f"This code block is never closed, so everything after line {line} is read as code and not checked. "
                f"Close it with a line of {tok.markup}.",
            )


def _malformed_tags(doc: Document) -> None:
    # A `[[claim:` left in prose is a tag the writer meant and the parser could not read.
    for sentence in doc.sentences:
        at = sentence.text.find(tagsyntax.TAG_OPEN)
        while at >= 0:
            offset = sentence.offsets[at]
            why = tagsyntax.malformed_tag(doc.source, offset) if doc.source[offset - 1 : offset] != "\\" else None
            if why:
                line, column = doc.position(offset)
                _problem(doc, line, column, f"This claim tag {why}. It was read as text, so the sentence cites nothing.")
                break  # one per sentence: a line of stray `[[claim:` is one problem
            at = sentence.text.find(tagsyntax.TAG_OPEN, at + 1)


def _cell_offsets(doc: Document, tok: Token, cell: int, pipes_by_row: dict[int, list[int]]) -> Offsets:
    """Source offset of each character of the `cell`-th cell (1-based) of a table row."""
    # markdown-it gives the row's lines, not the cell's column: find this cell in its row.
    row_line = tok.map[0] + 1 if tok.map else 1
    src = doc.line_text(row_line)
    if row_line not in pipes_by_row:
        pipes_by_row[row_line] = [m.start() for m in re.finditer(r"(?<!\\)\|", src)]
    pipes = pipes_by_row[row_line]
    lead = 1 if _md_trim(src).startswith("|") else 0
    idx = cell - 2 + lead
    cell_start = pipes[idx] + 1 if 0 <= idx < len(pipes) else 0
    # The cell's text is its source with `\|` read as `|`: walk both, skipping those backslashes.
    base = doc.line_offset(row_line)
    j = cell_start
    # Skip the spaces markdown-it trimmed off the cell (its set: U+00A0 yes, U+001D no).
    first = tok.content[:1]
    while j < len(src) and src[j] != first and src[j].isspace():
        j += 1
    # A character's offset is base + min(j, len(src)), j going up by one a character and by two at
    # a `|` written `\|`: added as runs from one `|` to the next.
    content = tok.content
    out = OffsetsBuilder()
    hi = base + len(src)
    done = 0
    bar = content.find("|")
    while bar >= 0:
        _add_clamped_run(out, base + j, bar - done, base, hi)
        j += bar - done
        if src.startswith("\\|", j):
            j += 1
        done = bar
        bar = content.find("|", bar + 1)
    _add_clamped_run(out, base + j, len(content) - done, base, hi)
    return out.build()


def _title_starts(doc: Document, tok: Token) -> list[int] | None:
    line = tok.map[0] + 1 if tok.map else 1
    src = doc.line_text(line)
    found = src.find(tok.content)
    return [doc.line_offset(line) + found] if found >= 0 else None


def _tab_title(tok: Token, tokens: list[Token], i: int) -> str:
    # the admonition rule reads `=== "Tab A"` as tag `"Tab` and title `A"`; a tab has only a title
    for j in range(i - 1, -1, -1):
        if tokens[j].type == "admonition_open":
            return tokens[j].info.strip().strip('"').strip("'")
    return tok.content
