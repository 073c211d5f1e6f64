"""An interval index for annotation spans (code point offsets), bucketed by
paragraph.

The reader highlights one paragraph (Qt block) at a time, so the buckets are
the paragraphs themselves: each span is registered in every paragraph it
touches, and a paragraph's spans are one list index away. Buckets are plain
lists of ``(start, end, value, key)`` entries (a paragraph holds a handful of
spans, so scanning one beats hashing keys into a dict per paragraph, and
building the index for 10,000 spans stays a few milliseconds). Adding or
removing a span is O(paragraphs it covers × spans in them); a query for any
range visits only the paragraphs in it. Each span may carry a small value
(the reader keeps the label's code there, so drawing needs no further
lookups).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Iterator
from typing import Any

# Qt starts a new block at LF and at U+2029 PARAGRAPH SEPARATOR (not at U+2028).
_BREAK = re.compile("[\n\u2029]")

Entry = tuple[int, int, Any, Hashable]  # start, end, value, key
_END = float("inf")


def paragraph_starts(text: str) -> list[int]:
    """Code point offset where each paragraph (Qt block) starts."""
    if "\u2029" in text:
        return [0, *(m.end() for m in _BREAK.finditer(text))]
    starts = [0]
    add = starts.append
    find = text.find
    i = find("\n")
    while i >= 0:  # str.find is a C scan; far faster than a regex over a megabyte
        i += 1
        add(i)
        i = find("\n", i)
    return starts


class IntervalIndex:
    __slots__ = ("_starts", "_spans", "_buckets")

    def __init__(self, starts: list[int] | None = None, items: Iterable[tuple[Hashable, int, int]] = ()):
        """``starts``: sorted bucket start offsets (default: one bucket)."""
        self._starts = starts or [0]
        self._spans: dict[Hashable, Entry] = {}
        self._buckets: list[list[Entry] | None] = [None] * len(self._starts)
        for key, start, end in items:
            self.add(key, start, end)

    @classmethod
    def build(cls, starts: list[int], items: Iterable[tuple[Hashable, int, int, Any]]) -> IntervalIndex:
        """Index many ``(key, start, end, value)`` at once (faster than ``add``,
        fastest when the items come sorted by start, as spans are read)."""
        index = cls(starts)
        starts = index._starts
        keyed = index._spans
        buckets = index._buckets
        n = len(starts)
        count = 0
        b, lo, hi = 0, starts[0], (starts[1] if n > 1 else _END)  # the bucket of the previous item
        for key, start, end, value in items:
            entry = (start, end, value, key)
            keyed[key] = entry
            count += 1
            if not lo <= start < hi:  # sorted input moves on a bucket at a time: rarely a search
                b = max(bisect_right(starts, start) - 1, 0)
                lo, hi = starts[b], (starts[b + 1] if b + 1 < n else _END)
            bucket = buckets[b]
            if bucket is None:
                buckets[b] = [entry]
            else:
                bucket.append(entry)
            if end - 1 >= hi and end - start > 1:  # reaches into the next paragraphs
                for i in range(b + 1, bisect_right(starts, end - 1)):
                    bucket = buckets[i]
                    if bucket is None:
                        buckets[i] = [entry]
                    else:
                        bucket.append(entry)
        if count != len(keyed):  # a repeated key: the last span wins, as with add()
            for i, bucket in enumerate(buckets):
                if bucket:
                    buckets[i] = [e for e in bucket if keyed[e[3]] is e] or None
        return index

    def __len__(self) -> int:
        return len(self._spans)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._spans

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._spans)

    def bucket_of(self, offset: int) -> int:
        return max(bisect_right(self._starts, offset) - 1, 0)

    def bucket_range(self, start: int, end: int) -> range:
        """The buckets that ``[start, end)`` touches (at least the one holding ``start``)."""
        return range(self.bucket_of(start), self.bucket_of(max(start, end - 1)) + 1)

    def add(self, key: Hashable, start: int, end: int, value: Any = None) -> None:
        if key in self._spans:
            self.remove(key)
        entry = (start, end, value, key)
        self._spans[key] = entry
        buckets = self._buckets
        for i in self.bucket_range(start, end):
            bucket = buckets[i]
            if bucket is None:
                buckets[i] = [entry]
            else:
                bucket.append(entry)

    def remove(self, key: Hashable) -> tuple[int, int, Any] | None:
        """Remove a span; returns its ``(start, end, value)`` (None if absent)."""
        entry = self._spans.pop(key, None)
        if entry is None:
            return None
        buckets = self._buckets
        for i in self.bucket_range(entry[0], entry[1]):
            bucket = buckets[i]
            if bucket:
                for j, other in enumerate(bucket):
                    if other is entry:
                        del bucket[j]
                        break
                if not bucket:
                    buckets[i] = None
        return entry[:3]

    def entry(self, key: Hashable) -> tuple[int, int, Any]:
        return self._spans[key][:3]

    def bucket(self, i: int) -> list[Entry] | tuple[()]:
        """Every span touching bucket ``i`` as ``(start, end, value, key)``; do not modify."""
        if 0 <= i < len(self._buckets):
            return self._buckets[i] or ()
        return ()

    def overlapping(self, start: int, end: int) -> list[Hashable]:
        """Keys of spans with ``s < end and e > start``; for ``start == end``,
        the spans containing that point (``s <= start < e``)."""
        if end <= start:
            end = start + 1
        found: dict[Hashable, None] = {}
        buckets = self._buckets
        for i in self.bucket_range(start, end):
            for s, e, _v, k in buckets[i] or ():
                if s < end and e > start:
                    found[k] = None
        return list(found)


def reads_as_wrapped_lines(starts: list[int], length: int, short: int = 100) -> bool:
    """Whether a text whose paragraphs start at ``starts`` is hard-wrapped
    (plain text broken into short lines, paragraphs set apart by blank lines):
    then its line breaks are not paragraph breaks, and a reader that sets
    paragraphs apart must not space its lines. A text with blank lines already
    shows its paragraphs; one without them (a Word or web import: one line per
    paragraph) needs the space drawn."""
    ends = [*starts[1:], length + 1]
    lines = sorted(e - s - 1 for s, e in zip(starts, ends, strict=True))
    blank = bisect_right(lines, 0)
    if blank == 0 or blank == len(lines):
        return False
    filled = lines[blank:]
    return filled[len(filled) // 2] <= short
