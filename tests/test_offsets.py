"""Suggested tests (for tests/test_parse.py or tests/test_speed.py): `Offsets` reads exactly like the list it replaces."""

import pickle

from hypothesis import given
from hypothesis import strategies as st

from linters.parse.offsets import Offsets, cut, keep

steps = st.lists(st.sampled_from([0, 1, 1, 1, 2, 7]), max_size=30)


def _values(start, deltas):
    out, v = [], start
    for d in deltas:
        v += d
        out.append(v)
    return out


@given(st.integers(0, 50), steps, st.integers(-35, 35), st.integers(-35, 35))
def test_offsets_index_slice_and_compare_like_a_list(start, deltas, a, b):
    values = _values(start, deltas)
    offsets = Offsets(values)
    assert len(offsets) == len(values) and bool(offsets) == bool(values)
    assert offsets == values and values == offsets and list(offsets) == values
    assert offsets[a:b] == values[a:b] and offsets[a:] == values[a:] and offsets[::2] == values[::2]
    for i in (a, b, 0, -1):
        if -len(values) <= i < len(values):
            assert offsets[i] == values[i]
    assert pickle.loads(pickle.dumps(offsets)) == offsets
    assert repr(offsets) == repr(values)


@given(st.integers(0, 50), steps, st.lists(st.integers(0, 30), max_size=6))
def test_cutting_and_keeping_spans_match_the_list(start, deltas, marks):
    values = _values(start, deltas)
    marks = sorted({m for m in marks if m <= len(values)})
    spans = list(zip(marks[::2], marks[1::2]))
    assert keep(Offsets(values), spans) == [v for x, y in spans for v in values[x:y]]
    assert cut(Offsets(values), spans) == [v for i, v in enumerate(values) if not any(x <= i < y for x, y in spans)]
