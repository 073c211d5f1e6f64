"""What the reader's highlighter draws from, in pure Python (no Qt object).

A :class:`SpanLayer` holds the text's shape, the spans (and, once needed, an
interval index of them) and, per paragraph, its format runs, already in
UTF-16 offsets, so the highlight pass on the GUI thread only hands ready
runs to Qt. Opening a document computes every paragraph in one sweep over
the spans in text order, without the index; an edit recomputes the
paragraphs its span touches from the index. Both turn a paragraph's spans
into runs with the one painter of :class:`~annotator.ui.format_runs.FormatRuns`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import NamedTuple

from ..core.intervals import IntervalIndex, paragraph_starts
from ..core.model import SpanRow, SpanTable
from ..core.offsets import TextMap
from .format_runs import FormatKey, FormatRuns, Run

__all__ = ["FormatKey", "Run", "SpanLayer", "TextShape"]


class TextShape(NamedTuple):
    """What drawing needs of the text itself: its map, where each paragraph
    (Qt block) starts in code points and in UTF-16, and whether it holds no
    character beyond U+FFFF (then both counts agree inside it)."""

    map: TextMap
    paragraphs: list[int]
    para_u16: list[int]
    para_plain: list[bool]

    @classmethod
    def of(cls, text: str, text_map: TextMap | None = None) -> TextShape:
        tm = text_map if text_map is not None else TextMap(text)
        starts = paragraph_starts(text)
        if not tm.has_astral:  # both counts agree everywhere
            return cls(tm, starts, starts, [True] * len(starts))
        to_u16 = tm.to_utf16
        u16 = [to_u16(p) for p in starts]
        u16.append(tm.length_u16 + 1)
        ends = [*starts[1:], tm.length + 1]
        plain = [u16[i + 1] - u16[i] == ends[i] - p for i, p in enumerate(starts)]
        del u16[-1]
        return cls(tm, starts, u16, plain)


class SpanLayer:
    """The text's shape, its spans and each paragraph's format runs.

    :meth:`SpanHighlighter.preparer` makes one on another thread while Qt
    takes the text; once the highlighter installs it, only the GUI thread
    touches it. ``runs[n]`` is ``None`` while paragraph ``n`` must be
    (re)computed; an edit clears the paragraphs its span touches.

    Spans live in slots, the index's keys: slot ``i < len(table)`` starts as
    row ``i`` of the loaded :class:`SpanTable` (its :class:`SpanRow` is built
    when asked for); an added span takes a new slot; a dropped one leaves
    ``None``. Ids map to slots through ``ann_id.hex``, built on first use.
    """

    __slots__ = ("map", "paragraphs", "para_u16", "para_plain", "table", "_rows", "_slots", "count", "fragments",
                 "_codes", "_index", "painter", "runs")  # fmt: skip

    def __init__(
        self, text: str = "", table: SpanTable | None = None, fragments: dict[uuid.UUID, list[tuple[int, int]]] | None = None,
        codes: dict[uuid.UUID, int] | None = None, claims: frozenset[int] = frozenset(), shape: TextShape | None = None,
    ) -> None:  # fmt: skip
        """Every paragraph's runs are computed here; ``fragments`` holds the
        pieces of discontinuous annotations, each drawn on its own (the gaps
        between pieces stay plain)."""
        shape = shape if shape is not None else TextShape.of(text)
        self.map, self.paragraphs, self.para_u16, self.para_plain = shape
        table = self.table = table if table is not None else SpanTable()
        n = self.count = len(table)
        self._rows: list[SpanRow | int | None] = list(range(n))  # slot -> table row, its SpanRow, or None
        self._slots: dict[str, int] | None = None  # ann_id.hex -> slot
        self.fragments: dict[int, int] = {}  # slot -> number of pieces indexed as (slot, i)
        self._codes = self._codes_of(table, codes or {})
        self._index: IntervalIndex | None = None  # built on first use (see index)
        self.painter = FormatRuns(self.map, claims)
        self.runs: list[list[Run] | tuple | None] = [None] * len(self.paragraphs)
        slots = self.slots() if fragments and n else {}
        pieces = {slots[a.hex]: list(p) for a, p in fragments.items() if a.hex in slots} if slots else {}
        if pieces:  # the sweep does not cut spans into pieces: the index does
            self._build_index(pieces)
            self.compute_all()
        elif n:
            self._sweep()

    @staticmethod
    def _codes_of(table: SpanTable, codes: dict[uuid.UUID, int]) -> list[int]:
        """Each row's label code, found per distinct label, not per row (UUID hashing is slow)."""
        if table.labels_used is not None:
            used, numbers = table.labels_used
            return list(map([codes.get(lb, -1) for lb in used].__getitem__, numbers))
        distinct = {id(lb): lb for lb in table.label_ids}  # per object: a loaded table has one per label
        code_of = {k: codes.get(lb, -1) for k, lb in distinct.items()}
        return list(map(code_of.__getitem__, map(id, table.label_ids)))

    @property
    def keys(self) -> list[FormatKey]:
        """The format keys the runs refer to, by number."""
        return self.painter.keys

    @property
    def index(self) -> IntervalIndex:
        """The spans by paragraph: what hit tests and edits use. Opening a
        document draws without it (:meth:`_sweep`); it is built when first
        needed, before any span is put or dropped."""
        if self._index is None:
            self._build_index({})
        return self._index

    def _build_index(self, pieces: dict[int, list[tuple[int, int]]]) -> None:
        table, codes = self.table, self._codes
        items = zip(range(len(table)), table.starts, table.ends, codes)
        if pieces:
            items = (item for item in items if item[0] not in pieces)
        self._index = IntervalIndex.build(self.paragraphs, items)
        for slot, p in pieces.items():
            self.add_pieces(slot, p, codes[slot])

    def _sweep(self) -> None:
        """Runs of every paragraph in one pass over the loaded spans, which
        come in text order (by start): each paragraph's spans, cut to it, go
        to the painter; a span reaching past its paragraph is carried into
        the next ones. No index is needed (see :attr:`index`)."""
        paragraphs, plain, runs = self.paragraphs, self.para_plain, self.runs
        starts, ends, codes = self.table.starts, self.table.ends, self._codes
        count, length, n = len(paragraphs), self.map.length, len(starts)
        paint = self.painter.paint
        carry: list[tuple[int, int]] = []  # (end, code) of spans reaching into the paragraph from earlier ones
        i = 0
        for p in range(count):
            nxt = paragraphs[p + 1] if p + 1 < count else length + 1
            if not carry and (i >= n or starts[i] >= nxt):
                runs[p] = ()
                continue
            cp_start = paragraphs[p]
            cp_end = nxt - 1 if p + 1 < count else length
            items = [(cp_start, -(e if e < cp_end else cp_end), c) for e, c in carry]  # (start, -end, code)
            carry = [x for x in carry if x[0] > nxt]
            while i < n and starts[i] < nxt:
                e, c = ends[i], codes[i]
                if c >= 0:
                    items.append((starts[i], -(e if e < cp_end else cp_end), c))
                    if e > nxt:
                        carry.append((e, c))
                i += 1
            if items and cp_end > cp_start:
                items.sort()  # outer spans before the spans nested in them (mostly sorted already)
                runs[p] = paint(items, cp_start, plain[p])
            else:  # an empty paragraph: nothing to draw, spans pass through
                runs[p] = ()

    # --- spans by id --------------------------------------------------------------

    def slots(self) -> dict[str, int]:
        """Slot of each live span, by ``ann_id.hex``."""
        if self._slots is None:
            table_ids = self.table.ids
            self._slots = {
                (table_ids[r] if type(r) is int else r.id.hex): slot for slot, r in enumerate(self._rows) if r is not None
            }  # fmt: skip
        return self._slots

    def row(self, slot: int) -> SpanRow | None:
        r = self._rows[slot]
        if type(r) is int:
            r = self._rows[slot] = self.table.row(r)
        return r

    def get(self, ann_id: uuid.UUID) -> SpanRow | None:
        slot = self.slots().get(ann_id.hex)
        return None if slot is None else self.row(slot)

    def all_rows(self) -> list[SpanRow]:
        row = self.row
        return [row(slot) for slot, r in enumerate(self._rows) if r is not None]

    def put(self, span: SpanRow, pieces: list[tuple[int, int]] | None, code: int) -> SpanRow | None:
        """Add or replace a span; returns the one it replaced."""
        index = self.index  # built from the loaded spans before any changes
        slots = self.slots()
        key = span.id.hex
        slot = slots.get(key)
        old = None
        if slot is None:
            slot = slots[key] = len(self._rows)
            self._rows.append(span)
            self.count += 1
        else:
            old = self.row(slot)
            self._unindex(slot)
            self._rows[slot] = span
        if pieces:
            self.add_pieces(slot, pieces, code)
        else:
            index.add(slot, span.start, span.end, code)
        return old

    def drop(self, ann_id: uuid.UUID) -> SpanRow | None:
        """Remove a span; returns it (None if it was not there)."""
        slot = self.slots().pop(ann_id.hex, None)
        if slot is None:
            return None
        span = self.row(slot)
        self._unindex(slot)
        self._rows[slot] = None
        self.count -= 1
        return span

    def _unindex(self, slot: int) -> None:
        self.index.remove(slot)
        for i in range(self.fragments.pop(slot, 0)):
            self.index.remove((slot, i))

    def rows_of(self, keys: Iterable) -> list[SpanRow]:
        """The spans behind index keys (a fragment's key is ``(slot, i)``), once each."""
        slots = dict.fromkeys(k if type(k) is int else k[0] for k in keys)
        row = self.row
        return [row(slot) for slot in slots]

    def add_pieces(self, slot: int, pieces: list[tuple[int, int]], code: int) -> None:
        """Index each piece of a discontinuous annotation on its own, keyed
        ``(slot, i)``; the gaps between pieces stay plain."""
        index = self.index
        for i, (s, e) in enumerate(pieces):
            index.add((slot, i), s, e, code)
        self.fragments[slot] = len(pieces)

    # --- runs -----------------------------------------------------------------------

    def set_claims(self, claims: frozenset[int]) -> None:
        """The label codes drawn as claims; a change recomputes every paragraph."""
        if claims != self.painter.claims:
            self.painter = FormatRuns(self.map, claims)
            self.runs = [None] * len(self.paragraphs)

    def invalidate(self, start: int, end: int) -> None:
        """The paragraphs touching code points ``[start, end)`` must be recomputed."""
        runs = self.runs
        for i in self.index.bucket_range(start, end):
            if i < len(runs):
                runs[i] = None

    def compute_all(self) -> None:
        runs = self.runs
        bucket = self.index.bucket
        compute = self._paragraph_runs
        for number in range(len(runs)):
            if runs[number] is None:
                runs[number] = compute(number) if bucket(number) else ()

    def paragraph_runs(self, number: int) -> list[Run] | tuple:
        """Format runs of paragraph ``number`` (computed once, then cached)."""
        runs = self.runs
        if not 0 <= number < len(runs):
            return ()
        found = runs[number]
        if found is None:
            found = runs[number] = self._paragraph_runs(number)
        return found

    def _paragraph_runs(self, number: int) -> list[Run] | tuple:
        starts = self.paragraphs
        end = starts[number + 1] - 1 if number + 1 < len(starts) else self.map.length
        return self.runs_for(number, starts[number], end, self.para_plain[number])

    def runs_for(self, bucket: int, cp_start: int, cp_end: int, plain: bool) -> list[Run] | tuple:
        """Runs for the text ``[cp_start, cp_end)`` from the spans of index bucket
        ``bucket``, in UTF-16 units from ``cp_start``. ``plain``: the range holds
        no astral character (both counts agree)."""
        found = self.index.bucket(bucket)
        if not found or cp_end <= cp_start:
            return ()
        # Outer spans before the spans nested in them: by start, then longest first.
        items = [
            (s if s > cp_start else cp_start, -(e if e < cp_end else cp_end), c)
            for s, e, c, _k in found
            if s < cp_end and e > cp_start and c >= 0
        ]
        if not items:
            return ()
        items.sort()
        return self.painter.paint(items, cp_start, plain)
