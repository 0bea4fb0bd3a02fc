"""A sentence's map from its characters to the page source, stored as runs.

Almost every character of a sentence sits one place after the one before it in
the source, so the map is a few runs of consecutive offsets ("from text index 12,
source offset 340 onwards"), not one number per character. A list of offsets
cost ~36 bytes a character (a pointer and an int object): more than the page
itself, for every page kept for the cross-page checks. `Offsets` reads like the
list it replaces (`len`, indexing, slicing, iteration, equality with a list), so
callers need not know.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import chain
from operator import index as _as_index


class Offsets(Sequence):
    """An immutable sequence of source offsets, stored as maximal runs of consecutive numbers.

    Run k starts at text index `_pos[k]` with source offset `_src[k]` and goes up by one a
    character until the next run starts. A character repeated (an entity decoded to two
    characters, a position clamped to the end of a line) is a run of length one.
    """

    __slots__ = ("_pos", "_src", "_len")

    def __init__(self, values: Sequence[int] = ()):
        builder = OffsetsBuilder()
        for value in values:
            builder.run(_as_index(value), 1)
        self._pos, self._src, self._len = builder.parts()

    def __len__(self) -> int:
        return self._len

    def __bool__(self) -> bool:
        return self._len > 0

    def __getitem__(self, i):
        if type(i) is not int:
            if isinstance(i, slice):
                start, stop, step = i.indices(self._len)
                if step == 1:
                    return self.span(start, stop)
                return list(self)[i]
            i = _as_index(i)
        n = self._len
        if i < 0:
            i += n
        if i < 0 or i >= n:
            raise IndexError("offset index out of range")
        pos = self._pos
        if len(pos) == 1:
            return self._src[0] + i
        k = bisect_right(pos, i) - 1
        return self._src[k] + i - pos[k]

    def span(self, a: int, b: int) -> Offsets:
        """offsets[a:b] for 0 <= a, b <= len(offsets), without the checks of slicing."""
        if b <= a:
            return _EMPTY
        pos, src = self._pos, self._src
        if len(pos) == 1:
            return _offsets((0,), (src[0] + a,), b - a)
        first = bisect_right(pos, a) - 1
        last = bisect_right(pos, b - 1)  # runs first..last-1 overlap [a, b)
        new_pos = (0,) + tuple(p - a for p in pos[first + 1 : last])
        new_src = (src[first] + a - pos[first],) + src[first + 1 : last]
        return _offsets(new_pos, new_src, b - a)

    def first(self) -> int:
        """offsets[0] of a non-empty map."""
        return self._src[0]

    def runs(self) -> Iterator[tuple[int, int, int]]:
        """(text index, source offset, length) of each run, in order."""
        pos, src, n = self._pos, self._src, self._len
        ends = pos[1:] + (n,) if n else ()
        return zip(pos, src, (e - p for p, e in zip(pos, ends)))

    def __iter__(self) -> Iterator[int]:
        return chain.from_iterable(range(s, s + length) for _, s, length in self.runs())

    def __reversed__(self) -> Iterator[int]:
        return reversed(list(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Offsets):  # both are maximal runs: equal maps have equal runs
            return self._len == other._len and self._pos == other._pos and self._src == other._src
        if isinstance(other, list):
            return len(other) == self._len and list(self) == other
        return NotImplemented

    __hash__ = None  # like a list

    def __repr__(self) -> str:
        return repr(list(self))

    def __reduce__(self):
        return (_offsets, (self._pos, self._src, self._len))


class OffsetsBuilder:
    """Builds an `Offsets` a run at a time, joining a run that continues the previous one."""

    __slots__ = ("pos", "src", "n")

    def __init__(self) -> None:
        self.pos: list[int] = []
        self.src: list[int] = []
        self.n = 0

    def run(self, start: int, count: int) -> None:
        """Add `count` characters at source offsets start, start + 1, ..."""
        if count <= 0:
            return
        pos, src = self.pos, self.src
        if not pos or src[-1] + self.n - pos[-1] != start:
            pos.append(self.n)
            src.append(start)
        self.n += count

    def repeat(self, value: int, count: int) -> None:
        """Add `count` characters all at source offset `value`."""
        for _ in range(count):
            self.run(value, 1)

    def take(self, offsets: Offsets, a: int, b: int) -> None:
        """Add offsets[a:b]."""
        b = min(b, offsets._len)
        if b <= a:
            return
        pos, src = offsets._pos, offsets._src
        k = bisect_right(pos, a) - 1 if len(pos) > 1 else 0
        last = len(pos) - 1
        while a < b:
            end = pos[k + 1] if k < last else offsets._len
            if end > b:
                end = b
            self.run(src[k] + a - pos[k], end - a)
            a = end
            k += 1

    def parts(self) -> tuple[tuple[int, ...], tuple[int, ...], int]:
        return tuple(self.pos), tuple(self.src), self.n

    def build(self) -> Offsets:
        if not self.n:
            return _EMPTY
        return _offsets(tuple(self.pos), tuple(self.src), self.n)


def _offsets(pos: tuple[int, ...], src: tuple[int, ...], length: int) -> Offsets:
    """An `Offsets` from its runs (maximal ones, or equality with another `Offsets` fails)."""
    new = object.__new__(Offsets)
    new._pos, new._src, new._len = pos, src, length
    return new


def single_run(start: int, length: int) -> Offsets:
    """start, start + 1, ..., start + length - 1."""
    return _offsets((0,), (start,), length) if length > 0 else _EMPTY


_EMPTY = _offsets((), (), 0)


def cut(offsets: Offsets, cuts: list[tuple[int, int]]) -> Offsets:
    """`offsets` without the characters in `cuts` (sorted, disjoint [start, end) pairs)."""
    if not cuts:
        return offsets
    spans = []
    pos = 0
    for a, b in cuts:
        spans.append((pos, a))
        pos = b
    spans.append((pos, len(offsets)))
    return keep(offsets, spans)


def keep(offsets: Offsets, spans: list[tuple[int, int]]) -> Offsets:
    """offsets[a:b] for each (a, b) of `spans` (sorted, disjoint), one after the other."""
    if len(offsets._pos) != 1:
        builder = OffsetsBuilder()
        for a, b in spans:
            builder.take(offsets, a, b)
        return builder.build()
    # One run, as most blocks are: each span is a run of its own, unless it continues the last.
    first, length = offsets._src[0], offsets._len
    pos: list[int] = []
    src: list[int] = []
    n = 0
    for a, b in spans:
        if b > length:
            b = length
        if b > a:
            if not pos or src[-1] + n - pos[-1] != first + a:
                pos.append(n)
                src.append(first + a)
            n += b - a
    return _offsets(tuple(pos), tuple(src), n) if n else _EMPTY
