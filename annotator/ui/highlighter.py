"""Span highlighting with a QSyntaxHighlighter over an interval index.

Why a syntax highlighter: its formats live in each block's layout, not in the
document, so they neither enter the document's undo stack (as
``mergeCharFormat`` would) nor cost a selection object per span (as
``setExtraSelections`` does, ~10× slower at 20k spans). One annotation edit
re-highlights only the blocks its span touches.

Opening a document: the spans arrive in parts (read on another thread,
see :meth:`DeskController.load_spans`) and a :class:`SpanLayer` turns them,
in one sweep in text order, into every paragraph's format runs, already in
UTF-16 offsets; the highlight pass on the GUI thread then only hands ready
runs to ``setFormat``, with one cached ``QTextCharFormat`` per combination of
labels. The interval index (hit tests, edits) is built when first needed.

Look: actor, location and other labels are translucent background fills,
blended where they overlap so nested spans stay visible, against the
palette's base (re-derived when the palette changes, see :meth:`set_palette`)
and kept readable under its text; claims are an underline in the claim
colour (a wave where two claims overlap), and the reader draws a bar in the
margin beside their lines from the same runs (:meth:`claim_extents`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from PySide6.QtGui import QColor, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from ..core.intervals import IntervalIndex, paragraph_starts
from ..core.model import Annotation, Label, LabelKind, SpanRow, SpanTable
from ..core.offsets import TextMap
from .colours import readable_fill

FILL_ALPHA = 0.38


def blend(base: QColor, over: QColor, alpha: float) -> QColor:
    return QColor(
        round(base.red() * (1 - alpha) + over.red() * alpha),
        round(base.green() * (1 - alpha) + over.green() * alpha),
        round(base.blue() * (1 - alpha) + over.blue() * alpha),
    )


Run = tuple[int, int, int]  # UTF-16 offset in the block, UTF-16 length, format key number
FormatKey = tuple[tuple[int, ...], int, int]  # fill codes outermost first, number of claims, innermost claim code


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
    """What the highlighter draws from: the text's shape, the spans (and,
    once needed, an interval index of them) and, per paragraph, its format
    runs.

    Pure Python without a Qt object: :meth:`SpanHighlighter.preparer` makes
    one that another thread fills as the spans are read, while Qt takes the
    text. Once the highlighter installs it, only the GUI thread touches it.
    ``runs[n]`` is ``None`` while paragraph ``n`` must be (re)computed; an
    edit clears the paragraphs its span touches.

    Spans live in slots, the index's keys: slot ``i < len(table)`` starts as
    row ``i`` of the loaded :class:`SpanTable` (its :class:`SpanRow` is built
    when asked for); an added span takes a new slot; a dropped one leaves
    ``None``. Ids map to slots through ``ann_id.hex``, built on first use.
    """

    __slots__ = ("map", "paragraphs", "para_u16", "para_plain", "table", "_rows", "_slots", "count", "fragments",
                 "_codes", "_label_codes", "_pieces", "_index", "claims", "runs", "keys", "_key_number",
                 "_lineage_number", "_sweeping", "_complete")  # fmt: skip

    def __init__(
        self, text: str = "", table: SpanTable | None = None, fragments: dict[uuid.UUID, list[tuple[int, int]]] | None = None,
        codes: dict[uuid.UUID, int] | None = None, claims: frozenset[int] = frozenset(), precompute: bool = True,
        shape: TextShape | None = None,
    ) -> None:  # fmt: skip
        shape = shape if shape is not None else TextShape.of(text)
        self.map, self.paragraphs, self.para_u16, self.para_plain = shape
        starts = self.paragraphs
        table = self.table = table if table is not None else SpanTable()
        n = self.count = len(table)
        self._rows: list[SpanRow | int | None] = list(range(n))  # slot -> table row, its SpanRow, or None
        self._slots: dict[str, int] | None = None  # ann_id.hex -> slot
        self.fragments: dict[int, int] = {}  # slot -> number of pieces indexed as (slot, i)
        self.claims = claims
        self._label_codes = codes = codes or {}
        self._codes = self._codes_of(table, codes)
        self._pieces: dict[int, list[tuple[int, int]]] = {}  # slot -> fragments, until the index is built
        if fragments:
            slots = self.slots()
            self._pieces = {slots[a.hex]: list(p) for a, p in fragments.items() if a.hex in slots}
        self._index: IntervalIndex | None = None  # built on first use (see index)
        self.keys: list[FormatKey] = []
        self._key_number: dict[FormatKey, int] = {}
        self._lineage_number: dict[tuple[int, ...], int] = {}
        self.runs: list[list[Run] | tuple | None] = [None] * len(starts)
        self._sweeping: Iterator[None] | None = None  # an incremental sweep (begin, extend, complete)
        self._complete = True
        if precompute and n:
            self._draw_all()

    @staticmethod
    def _codes_of(table: SpanTable, codes: dict[uuid.UUID, int]) -> list[int]:
        """Each row's label code, found per distinct label, not per row (UUID hashing is slow)."""
        if table.labels_used is not None:
            used, numbers = table.labels_used
            return list(map([codes.get(lb, -1) for lb in used].__getitem__, numbers))
        distinct = {id(lb): lb for lb in table.label_ids}  # per object: a loaded table has one per label
        code_of = {k: codes.get(lb, -1) for k, lb in distinct.items()}
        return list(map(code_of.__getitem__, map(id, table.label_ids)))

    def _draw_all(self) -> None:
        if self._pieces:  # discontinuous spans: through the index
            self.runs = [None] * len(self.paragraphs)
            self.compute_all()
        else:
            for _ in self._sweep_steps():
                pass

    # --- built as the spans arrive --------------------------------------------------

    def begin(self) -> None:
        """Start drawing before every span is there: :meth:`extend` with each
        part as it is read (in text order), then :meth:`complete`."""
        self._complete = False
        self._sweeping = self._sweep_steps()
        next(self._sweeping, None)

    def extend(self, table: SpanTable, fragments: dict[uuid.UUID, list[tuple[int, int]]] | None = None) -> None:
        """Add the next part of the spans (all after the ones so far) and draw what it completes."""
        first = len(self.table)
        self.table.extend(table)
        k = len(table)
        self._rows.extend(range(first, first + k))
        self._slots = None
        self.count += k
        self._codes.extend(self._codes_of(table, self._label_codes))
        if fragments:
            where = {h: first + i for i, h in enumerate(table.ids)}
            self._pieces.update((where[a.hex], list(p)) for a, p in fragments.items() if a.hex in where)
            self._sweeping = None  # the sweep does not cut spans into pieces: the index draws at the end
        if self._sweeping is not None:
            next(self._sweeping, None)

    def complete(self) -> None:
        """Every span is there: finish drawing."""
        self._complete = True
        if self._sweeping is not None:
            for _ in self._sweeping:
                pass
            self._sweeping = None
        else:
            self._draw_all()

    @property
    def index(self) -> IntervalIndex:
        """The spans by paragraph: what hit tests and edits use. Opening a
        document draws without it (:meth:`_sweep`); it is built when first needed."""
        if self._index is None:
            table, codes, pieces = self.table, self._codes, self._pieces
            n = len(table)
            if pieces:
                items = ((i, s, e, c) for i, s, e, c in zip(range(n), table.starts, table.ends, codes) if i not in pieces)
            else:
                items = zip(range(n), table.starts, table.ends, codes)
            self._index = IntervalIndex.build(self.paragraphs, items)
            self._pieces = {}
            for slot, p in pieces.items():
                self.add_pieces(slot, p, codes[slot])
        return self._index

    def _sweep_steps(self) -> Iterator[None]:
        """Runs of every paragraph in one pass over the loaded spans, which come
        in text order (by start); a span reaching past its paragraph is carried
        into the next ones, cut to each. A paragraph with anything unusual
        (crossing spans, two spans sharing a start in the wrong order for the
        painter) is drawn by :meth:`_runs_from` from the same spans, sorted.
        No index is needed (it is built when first used, see :attr:`index`).

        A generator: until :meth:`complete`, it yields where it needs the
        spans that :meth:`extend` has not brought yet."""
        paragraphs, plain, runs = self.paragraphs, self.para_plain, self.runs
        table = self.table
        starts, ends, codes = table.starts, table.ends, self._codes
        count, length, n = len(paragraphs), self.map.length, len(starts)
        numbers, number_of, units = self._lineage_number, self._lineage_number_of, self._units
        carry: list[tuple[int, int]] = []  # (end, code) of spans reaching into the paragraph from earlier ones
        i = 0
        for p in range(count):
            nxt = paragraphs[p + 1] if p + 1 < count else length + 1
            while i >= n and not self._complete:  # wait for more before taking the paragraph as done
                yield
                starts, ends, codes, n = table.starts, table.ends, self._codes, len(table.starts)
            if not carry and (i >= n or starts[i] >= nxt):
                runs[p] = ()
                continue
            cp_start = paragraphs[p]
            cp_end = nxt - 1 if p + 1 < count else length
            out: list = []
            stack_e: list[int] = []  # ends and label codes of the open ancestors (see _paint)
            stack_c: list[int] = []
            ok, prev_s, prev_b, prev_c = True, -1, -1, -1
            reach: list[tuple[int, int]] = []
            if cp_end <= cp_start:  # an empty paragraph: nothing to draw, spans pass through
                reach = [(e, c) for e, c in carry if e > nxt]
                while True:
                    if i >= n:
                        if self._complete:
                            break
                        yield
                        starts, ends, codes, n = table.starts, table.ends, self._codes, len(table.starts)
                        continue
                    if starts[i] >= nxt:
                        break
                    if ends[i] > nxt and codes[i] >= 0:
                        reach.append((ends[i], codes[i]))
                    i += 1
                carry = reach
                runs[p] = ()
                continue
            if carry:  # pieces of spans from earlier paragraphs: all start here, longest (outermost) first
                pieces = sorted(((min(e, cp_end), c, e) for e, c in carry), key=lambda x: (-x[0], x[1]))
                for b, c, e in pieces:
                    if e > nxt:
                        reach.append((e, c))
                    stack_e.append(b)
                    stack_c.append(c)
                    lineage = tuple(stack_c) if len(stack_c) > 1 else c
                    k = numbers.get(lineage)
                    if k is None:
                        k = number_of(lineage)
                    out.append((0, b - cp_start, k))
                prev_s, prev_b, prev_c = cp_start, pieces[-1][0], pieces[-1][1]
            first = i
            while True:
                if i >= n:
                    if self._complete:
                        break
                    yield
                    starts, ends, codes, n = table.starts, table.ends, self._codes, len(table.starts)
                    continue
                if starts[i] >= nxt:
                    break
                s, e, c = starts[i], ends[i], codes[i]
                i += 1
                if c < 0:
                    continue
                if e > cp_end:  # reaches past the paragraph: drawn here up to its end
                    if e > nxt:
                        reach.append((e, c))
                    b = cp_end
                else:
                    b = e
                if not ok:
                    continue
                if s == prev_s and (b > prev_b or (b == prev_b and c < prev_c)):
                    ok = False  # the painter wants the longer (or lower code) of the two first
                    continue
                prev_s, prev_b, prev_c = s, b, c
                while stack_e and stack_e[-1] <= s:
                    del stack_e[-1], stack_c[-1]
                if stack_e:
                    if stack_e[-1] < b:  # crossing spans
                        ok = False
                        continue
                    stack_e.append(b)
                    stack_c.append(c)
                    lineage = tuple(stack_c)
                else:
                    stack_e.append(b)
                    stack_c.append(c)
                    lineage = c
                k = numbers.get(lineage)
                if k is None:
                    k = number_of(lineage)
                out.append((s - cp_start, b - s, k))
            if ok:
                runs[p] = out if plain[p] else units(out, cp_start)
            else:  # sort it out with the general painter (cutting crossings into pieces)
                found = [(cp_start, e, c) for e, c in carry]
                found.extend(zip(starts[first:i], ends[first:i], codes[first:i]))
                runs[p] = self._runs_from(found, cp_start, cp_end, plain[p])
            carry = reach

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
            self.index.add(slot, span.start, span.end, code)
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
        for i, (s, e) in enumerate(pieces):
            self.index.add((slot, i), s, e, code)
        self.fragments[slot] = len(pieces)

    def set_claims(self, claims: frozenset[int]) -> None:
        """The label codes drawn as claims; a change recomputes every paragraph."""
        if claims != self.claims:
            self.claims = claims
            self.keys, self._key_number, self._lineage_number = [], {}, {}
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
        if not self.index.bucket(number):
            return ()
        starts = self.paragraphs
        end = starts[number + 1] - 1 if number + 1 < len(starts) else self.map.length
        return self.runs_for(number, starts[number], end, self.para_plain[number])

    def _key(self, key: FormatKey) -> int:
        number = self._key_number.get(key)
        if number is None:
            number = self._key_number[key] = len(self.keys)
            self.keys.append(key)
        return number

    def runs_for(self, bucket: int, cp_start: int, cp_end: int, plain: bool) -> list[Run] | tuple:
        """Runs for the text ``[cp_start, cp_end)`` from the spans of index bucket
        ``bucket``, in UTF-16 units from ``cp_start``. ``plain``: the range holds
        no astral character (both counts agree)."""
        found = self.index.bucket(bucket)
        if not found:
            return ()
        return self._runs_from([(s, e, c) for s, e, c, _k in found], cp_start, cp_end, plain)

    def _runs_from(self, found: list[tuple[int, int, int]], cp_start: int, cp_end: int, plain: bool) -> list[Run] | tuple:
        """Runs for the text ``[cp_start, cp_end)`` from ``(start, end, label code)`` spans."""
        if cp_end <= cp_start:
            return ()
        # Outer spans before the spans nested in them: by start, then longest first.
        items = [
            (s if s > cp_start else cp_start, -(e if e < cp_end else cp_end), c)
            for s, e, c in found
            if s < cp_end and e > cp_start and c >= 0
        ]
        if not items:
            return ()
        items.sort()
        return self._paint(items, cp_start, plain)

    def _paint(self, items: list[tuple[int, int, int]], cp_start: int, plain: bool) -> list[Run]:
        """Runs from ``(start, -end, label code)`` sorted: outer spans before
        the spans nested in them (by start, then longest first)."""
        # Painter's algorithm: each span is painted over its ancestors with the
        # blend of its chain of enclosing spans. Exact while spans nest; a
        # crossing pair (partial overlap) falls back to cutting into pieces.
        ends: list[int] = []  # ends and label codes of the open ancestors
        codes: list[int] = []
        numbers = self._lineage_number
        out: list = []
        add = out.append
        for a, neg_b, c in items:
            b = -neg_b
            if ends:
                while ends and ends[-1] <= a:
                    del ends[-1], codes[-1]
                if ends:
                    if ends[-1] < b:
                        return self._piece_runs(items, cp_start, plain)
                    ends.append(b)
                    codes.append(c)
                    lineage = tuple(codes)
                else:
                    ends.append(b)
                    codes.append(c)
                    lineage = c
            else:
                ends.append(b)
                codes.append(c)
                lineage = c
            k = numbers.get(lineage)
            if k is None:
                k = self._lineage_number_of(lineage)
            add((a - cp_start, b - a, k))
        return out if plain else self._units(out, cp_start)

    def _lineage_number_of(self, lineage: int | tuple[int, ...]) -> int:
        """Format key number for a chain of label codes (an int: a span alone)."""
        chain = lineage if type(lineage) is tuple else (lineage,)
        k = self._lineage_number[lineage] = self._key(self._lineage_key(chain, self.claims))
        return k

    def _units(self, out: list[Run], cp_start: int) -> list[Run]:
        """Runs in code points from ``cp_start`` converted to UTF-16 units, through the text's map."""
        to_u16 = self.map.to_utf16
        u_start = to_u16(cp_start)
        converted = []
        for a, n, k in out:
            ua = to_u16(cp_start + a)
            converted.append((ua - u_start, to_u16(cp_start + a + n) - ua, k))
        return converted

    @staticmethod
    def _lineage_key(lineage: tuple[int, ...], claims: frozenset[int]) -> FormatKey:
        inner = [x for x in lineage if x in claims]
        return tuple(x for x in lineage if x not in claims), len(inner), inner[-1] if inner else -1

    def _piece_runs(self, items: list[tuple[int, int, int]], cp_start: int, plain: bool) -> list[Run]:
        """Cut the text at every span boundary and give each piece the blend
        of the spans covering it (outer spans first, so inner ones show)."""
        claims = self.claims
        spans = sorted((a + neg_b, a, -neg_b, c) for a, neg_b, c in items)
        cuts = sorted({p for _n, a, b, _c in spans for p in (a, b)})
        pieces: list[tuple[int, int, FormatKey]] = []
        run_start, run_key = -1, None
        for a, b in zip(cuts, cuts[1:]):
            fills = []
            n_claims = 0
            claim_code = -1
            for _n, s, e, c in spans:
                if s <= a and e >= b:
                    if c in claims:
                        n_claims += 1
                        claim_code = c
                    else:
                        fills.append(c)
            key = (tuple(fills), n_claims, claim_code) if (fills or n_claims) else None
            if key != run_key:  # flush the previous run of identical pieces
                if run_key is not None:
                    pieces.append((run_start, a, run_key))
                run_start, run_key = a, key
        if run_key is not None:
            pieces.append((run_start, cuts[-1], run_key))
        if plain:
            return [(a - cp_start, b - a, self._key(key)) for a, b, key in pieces]
        to_u16 = self.map.to_utf16
        u_start = to_u16(cp_start)
        return [(to_u16(a) - u_start, to_u16(b) - to_u16(a), self._key(key)) for a, b, key in pieces]


class SpanHighlighter(QSyntaxHighlighter):
    """Draws annotation spans; call :meth:`set_spans` (or :meth:`install` a
    layer made by :meth:`preparer`) then edit incrementally.

    Labels are coded as small ints while drawing (UUID hashing is slow in a
    loop run for every paragraph of a megabyte document).
    """

    def __init__(self, document: QTextDocument, palette: QPalette):
        super().__init__(document)
        self._palette = QPalette(palette)
        self._labels: dict[uuid.UUID, Label] = {}
        self._code: dict[uuid.UUID, int] = {}  # label id -> code
        self._by_code: list[Label] = []
        self._claim_codes: frozenset[int] = frozenset()
        self._layer = SpanLayer()
        self._formats: dict[FormatKey, QTextCharFormat] = {}
        self._fmts: list[QTextCharFormat] = []  # the layer's format keys, by number
        self._blocks_are_paragraphs = True

    # --- data -----------------------------------------------------------------

    def set_labels(self, labels: list[Label]) -> None:
        """Labels in use; codes are kept for known labels so spans stay valid."""
        for lb in labels:
            if lb.id not in self._code:
                self._code[lb.id] = len(self._by_code)
                self._by_code.append(lb)
            else:
                self._by_code[self._code[lb.id]] = lb
        self._labels = {lb.id: lb for lb in labels}
        self._claim_codes = frozenset(self._code[lb.id] for lb in labels if lb.kind is LabelKind.CLAIM)
        self._layer.set_claims(self._claim_codes)
        self._formats.clear()
        self._fmts = []

    def set_palette(self, palette: QPalette) -> bool:
        """Blend the fills against ``palette`` from now on and redraw (the
        reader calls it when the palette changes, e.g. an OS switch to dark
        mode). False, and nothing redrawn, if the colours drawn from are the same."""
        role = QPalette.ColorRole
        if all(palette.color(r) == self._palette.color(r) for r in (role.Base, role.Text)):
            self._palette = QPalette(palette)
            return False
        self._palette = QPalette(palette)
        self._formats.clear()
        self._fmts = []
        if self.document() is not None:
            self.rehighlight()
        return True

    @property
    def palette(self) -> QPalette:
        return self._palette

    def _label_code(self, label_id: uuid.UUID) -> int:
        code = self._code.get(label_id)
        return -1 if code is None else code

    def preparer(self, text: str, shape: TextShape | None = None) -> Callable[[], SpanLayer]:
        """A function that starts a layer for ``text`` (whose shape may be
        given), to be filled with :meth:`SpanLayer.extend` as the spans are
        read and finished with :meth:`SpanLayer.complete`. It holds a copy
        of the label codes, so it may run on another thread while this one
        lays the text out."""
        codes = dict(self._code)
        claims = self._claim_codes

        def prepare() -> SpanLayer:
            layer = SpanLayer(text, None, None, codes, claims, precompute=False, shape=shape)
            layer.begin()
            return layer

        return prepare

    def set_spans(
        self, text: str, annotations: SpanTable | list[SpanRow], block_count: int | None = None,
        fragments: dict[uuid.UUID, list[tuple[int, int]]] | None = None,
    ) -> None:  # fmt: skip
        """Replace the text's map and every span. Does not redraw: the caller
        sets the text (which highlights each block once) or calls ``rehighlight()``.

        ``fragments`` holds the pieces of discontinuous annotations: each
        piece is indexed (and drawn) on its own; the gaps between pieces stay plain."""
        table = annotations if isinstance(annotations, SpanTable) else SpanTable.of(annotations)
        self.install(SpanLayer(text, table, fragments, self._code, self._claim_codes), block_count)

    def install(self, layer: SpanLayer, block_count: int | None = None) -> None:
        """Draw from ``layer`` from now on (see :meth:`preparer`). Does not redraw."""
        layer.set_claims(self._claim_codes)  # labels changed while it was built: recompute
        self._layer = layer
        self._fmts = []
        if block_count is None:
            doc = self.document()
            block_count = doc.blockCount() if doc is not None else len(layer.paragraphs)
        # Qt makes a block per paragraph; if it ever did not, map by position.
        self._blocks_are_paragraphs = block_count == len(layer.paragraphs)

    @property
    def text_map(self) -> TextMap:
        return self._layer.map

    def span(self, ann_id: uuid.UUID) -> SpanRow | None:
        return self._layer.get(ann_id)

    def spans_at(self, cp: int) -> list[SpanRow]:
        """Spans covering code point ``cp``, innermost (shortest) first."""
        layer = self._layer
        found = layer.rows_of(layer.index.overlapping(cp, cp))
        return sorted(found, key=lambda s: (s.end - s.start, s.start))

    def all_spans(self) -> list[SpanRow]:
        return self._layer.all_rows()

    def spans_in(self, start: int, end: int) -> list[SpanRow]:
        layer = self._layer
        return layer.rows_of(layer.index.overlapping(start, end))

    def put(self, ann: SpanRow | Annotation) -> None:
        """Add or update one span and redraw the blocks it touches (old and new)."""
        span = SpanRow(ann.id, ann.label_id, ann.start, ann.end, ann.exact, ann.entity_id, ann.creator, ann.note)
        pieces = getattr(ann, "fragments", None)
        old = self._layer.put(span, list(pieces) if pieces else None, self._label_code(ann.label_id))
        if old is not None and (old.start, old.end) != (span.start, span.end):
            self.redraw(old.start, old.end)
        self.redraw(span.start, span.end)

    def drop(self, ann_id: uuid.UUID) -> None:
        span = self._layer.drop(ann_id)
        if span is not None:
            self.redraw(span.start, span.end)

    def redraw(self, start: int, end: int) -> None:
        """Re-highlight only the blocks that ``[start, end)`` touches."""
        layer = self._layer
        layer.invalidate(start, end)
        doc = self.document()
        if doc is None or layer.map.length == 0:
            return
        u_start = layer.map.to_utf16(min(start, layer.map.length))
        u_end = layer.map.to_utf16(min(end, layer.map.length))
        block = doc.findBlock(u_start)
        last = doc.findBlock(max(u_start, u_end - 1))
        while block.isValid():
            self.rehighlightBlock(block)
            if block == last:
                break
            block = block.next()

    def claim_extents(self, block_number: int) -> list[tuple[int, int, QColor]]:
        """Where claims lie in block ``block_number``: merged ``(start, end,
        colour)`` in UTF-16 units from the block's start, from the runs drawn
        (the reader marks them with a bar in the margin)."""
        layer = self._layer
        if not layer.count or not self._blocks_are_paragraphs:
            return []
        runs = layer.runs
        if not 0 <= block_number < len(runs):
            return []
        found = runs[block_number]
        if found is None:
            found = layer.paragraph_runs(block_number)
        if not found:
            return []
        keys = layer.keys
        spans = sorted((a, a + n, keys[k][2]) for a, n, k in found if keys[k][1])
        out: list[list] = []
        for a, b, code in spans:
            if out and a <= out[-1][1]:
                out[-1][1] = max(out[-1][1], b)
            else:
                out.append([a, b, code])
        by_code = self._by_code
        return [(a, b, QColor(by_code[c].color) if 0 <= c < len(by_code) else QColor()) for a, b, c in out]

    # --- drawing ------------------------------------------------------------------

    def _format(self, key: FormatKey) -> QTextCharFormat:
        """Format for (fill label codes outermost first, number of claims, innermost claim code)."""
        fmt = self._formats.get(key)
        if fmt is None:
            fills, claims, claim_code = key
            fmt = QTextCharFormat()
            if fills:
                colour = self._palette.color(QPalette.ColorRole.Base)
                for c in fills:
                    if c >= 0:
                        colour = blend(colour, QColor(self._by_code[c].color), FILL_ALPHA)
                # Deep nesting must not take the fill too close to the text
                # (light text on a dark palette): kept at 4.5:1 at least.
                fmt.setBackground(readable_fill(colour, self._palette.color(QPalette.ColorRole.Text)))
            if claims:
                style = QTextCharFormat.UnderlineStyle
                # The style alone (setFontUnderline(True) after it would turn a wave back into a single line).
                fmt.setUnderlineStyle(style.WaveUnderline if claims > 1 else style.SingleUnderline)
                fmt.setUnderlineColor(QColor(self._by_code[claim_code].color))
            self._formats[key] = fmt
        return fmt

    def _runs_by_position(self) -> list[Run] | tuple:
        """Runs of the current block when the layout's blocks differ from our
        paragraphs: mapped by position. (PySide passes the block text as code
        points; its extent in Qt units is block.length() - 1.)"""
        layer = self._layer
        tm = layer.map
        block = self.currentBlock()
        u_pos = block.position()
        if u_pos >= tm.length_u16:
            return ()
        cp_start = tm.from_utf16(u_pos)
        cp_end = tm.from_utf16(min(u_pos + block.length() - 1, tm.length_u16))
        return layer.runs_for(layer.index.bucket_of(cp_start), cp_start, cp_end, False)

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        layer = self._layer
        if not layer.count:
            return
        if self._blocks_are_paragraphs:
            runs = layer.runs
            number = self.currentBlock().blockNumber()
            found = runs[number] if number < len(runs) else ()
            if found is None:
                found = layer.paragraph_runs(number)
        else:
            found = self._runs_by_position()
        if not found:
            return
        fmts = self._fmts
        if len(fmts) < len(layer.keys):
            fmts.extend(self._format(k) for k in layer.keys[len(fmts) :])
        set_format = self.setFormat
        for a, n, k in found:
            set_format(a, n, fmts[k])
