"""An interval index for annotation spans (code point offsets).

Spans are registered in fixed-size buckets of the text; a query looks only
at the buckets it touches. Adding or removing one span is O(buckets it
covers), which keeps a single edit cheap in a 10,000-span document, and a
query for one paragraph costs a few set lookups.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator

BUCKET = 1024


class IntervalIndex:
    def __init__(self, items: Iterable[tuple[Hashable, int, int]] = (), bucket: int = BUCKET):
        self._bucket = bucket
        self._spans: dict[Hashable, tuple[int, int]] = {}
        self._buckets: dict[int, set[Hashable]] = {}
        for key, start, end in items:
            self.add(key, start, end)

    def __len__(self) -> int:
        return len(self._spans)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._spans

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._spans)

    def _range(self, start: int, end: int) -> range:
        b = self._bucket
        return range(start // b, max(start, end - 1) // b + 1)

    def add(self, key: Hashable, start: int, end: int) -> None:
        if key in self._spans:
            self.remove(key)
        self._spans[key] = (start, end)
        buckets = self._buckets
        for i in self._range(start, end):
            bucket = buckets.get(i)
            if bucket is None:
                buckets[i] = {key}
            else:
                bucket.add(key)

    def remove(self, key: Hashable) -> tuple[int, int] | None:
        span = self._spans.pop(key, None)
        if span is not None:
            for i in self._range(*span):
                bucket = self._buckets.get(i)
                if bucket is not None:
                    bucket.discard(key)
                    if not bucket:
                        del self._buckets[i]
        return span

    def span(self, key: Hashable) -> tuple[int, int]:
        return self._spans[key]

    def overlapping(self, start: int, end: int) -> list[Hashable]:
        """Keys of spans with ``s < end and e > start``; for ``start == end``,
        the spans containing that point (``s <= start < e``)."""
        if end <= start:
            end = start + 1
        spans = self._spans
        found: set[Hashable] = set()
        for i in self._range(start, end):
            bucket = self._buckets.get(i)
            if bucket:
                found.update(bucket)
        return [k for k in found if spans[k][0] < end and spans[k][1] > start]
