"""The interval index against a brute-force search, built at once or span by span."""

from __future__ import annotations

import random

import pytest

from annotator.core.intervals import IntervalIndex, paragraph_starts


def test_paragraph_starts_are_where_qt_starts_blocks():
    assert paragraph_starts("") == [0]
    assert paragraph_starts("a\nbc\n") == [0, 2, 5]
    assert paragraph_starts("a\u2029b\u2028c\nd") == [0, 2, 6]  # U+2028 is a line break inside a block


@pytest.mark.parametrize("seed", range(30))
def test_overlapping_finds_exactly_the_spans_that_overlap(seed):
    rnd = random.Random(seed)
    starts = [0]
    for _ in range(rnd.randint(0, 60)):
        starts.append(starts[-1] + rnd.randint(1, 50))
    length = starts[-1] + 30
    items = []
    for key in range(rnd.randint(0, 80)):
        s = rnd.randint(0, length)
        items.append((key, s, s + rnd.choice([0, 1, 2, 10, 60, 200]), key % 3))
    if seed % 2:
        items.sort(key=lambda x: x[1])  # as spans are read
    built = IntervalIndex.build(starts, items)
    added = IntervalIndex(starts)
    for key, s, e, v in items:
        added.add(key, s, e, v)
    live = list(items)
    for round_ in range(3):
        for _ in range(40):
            a = rnd.randint(0, length + 5)
            b = a + rnd.randint(0, 60)
            want = sorted(k for k, s, e, _v in live if s < max(b, a + 1) and e > a)
            assert sorted(built.overlapping(a, b)) == want
            assert sorted(added.overlapping(a, b)) == want
        for i in range(len(starts)):
            assert sorted(e[3] for e in built.bucket(i)) == sorted(e[3] for e in added.bucket(i))
        for key, *_rest in live[:5]:  # then remove a few and look again
            assert built.remove(key) == added.remove(key)
        live = live[5:]
    assert len(built) == len(added) == len(live)


def test_a_repeated_key_keeps_its_last_span():
    index = IntervalIndex.build([0, 10, 20], [("a", 1, 3, 0), ("b", 5, 15, 0), ("a", 12, 25, 1)])
    assert index.entry("a") == (12, 25, 1)
    assert sorted(index.overlapping(0, 30)) == ["a", "b"]
    assert index.overlapping(1, 2) == []
