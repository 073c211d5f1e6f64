"""An interval index for annotation spans (code point offsets), bucketed by
paragraph.

The reader highlights one paragraph (Qt block) at a time, so the buckets are
the paragraphs themselves: each span is registered in every paragraph it
touches, and a paragraph's spans are one dict lookup away. Adding or
removing a span is O(paragraphs it covers); a query for any range visits
only the paragraphs in it. Each span may carry a small value (the reader
keeps the label's code there, so drawing needs no further lookups).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Iterator
from typing import Any

# Qt starts a new block at LF and at U+2029 PARAGRAPH SEPARATOR (not at U+2028).
_BREAK = re.compile("[\n\u2029]")

Entry = tuple[int, int, Any]  # start, end, value


def paragraph_starts(text: str) -> list[int]:
    """Code point offset where each paragraph (Qt block) starts."""
    return [0, *(m.end() for m in _BREAK.finditer(text))]


class IntervalIndex:
    def __init__(self, starts: list[int] | None = None, items: Iterable[tuple[Hashable, int, int]] = ()):
        """``starts``: sorted bucket start offsets (default: one bucket)."""
        self._starts = starts or [0]
        self._spans: dict[Hashable, Entry] = {}
        self._buckets: dict[int, dict[Hashable, Entry]] = {}
        for key, start, end in items:
            self.add(key, start, end)

    @classmethod
    def build(cls, starts: list[int], items: Iterable[tuple[Hashable, int, int, Any]]) -> IntervalIndex:
        """Index many ``(key, start, end, value)`` at once (faster than ``add``)."""
        index = cls(starts)
        keyed = index._spans
        buckets = index._buckets
        bucket_of = index.bucket_of
        for key, start, end, value in items:
            entry = (start, end, value)
            keyed[key] = entry
            first = bucket_of(start)
            last = first if end - start <= 1 else bucket_of(end - 1)
            for i in range(first, last + 1):
                bucket = buckets.get(i)
                if bucket is None:
                    buckets[i] = {key: entry}
                else:
                    bucket[key] = entry
        return index

    def __len__(self) -> int:
        return len(self._spans)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._spans

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._spans)

    def bucket_of(self, offset: int) -> int:
        return bisect_right(self._starts, offset) - 1

    def _range(self, start: int, end: int) -> range:
        return range(self.bucket_of(start), self.bucket_of(max(start, end - 1)) + 1)

    def add(self, key: Hashable, start: int, end: int, value: Any = None) -> None:
        if key in self._spans:
            self.remove(key)
        entry = (start, end, value)
        self._spans[key] = entry
        buckets = self._buckets
        for i in self._range(start, end):
            bucket = buckets.get(i)
            if bucket is None:
                buckets[i] = {key: entry}
            else:
                bucket[key] = entry

    def remove(self, key: Hashable) -> Entry | None:
        entry = self._spans.pop(key, None)
        if entry is not None:
            for i in self._range(entry[0], entry[1]):
                bucket = self._buckets.get(i)
                if bucket is not None:
                    bucket.pop(key, None)
                    if not bucket:
                        del self._buckets[i]
        return entry

    def entry(self, key: Hashable) -> Entry:
        return self._spans[key]

    def bucket(self, i: int) -> dict[Hashable, Entry]:
        """Every span touching bucket ``i`` (key -> (start, end, value)); do not modify."""
        return self._buckets.get(i, {})

    def overlapping(self, start: int, end: int) -> list[Hashable]:
        """Keys of spans with ``s < end and e > start``; for ``start == end``,
        the spans containing that point (``s <= start < e``)."""
        if end <= start:
            end = start + 1
        found: dict[Hashable, Entry] = {}
        for i in self._range(start, end):
            found.update(self._buckets.get(i, {}))
        return [k for k, (s, e, _v) in found.items() if s < end and e > start]
