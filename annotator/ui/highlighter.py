"""Span highlighting with a QSyntaxHighlighter over an interval index.

Why a syntax highlighter: its formats live in each block's layout, not in the
document, so they neither enter the document's undo stack (as
``mergeCharFormat`` would) nor cost a selection object per span (as
``setExtraSelections`` does, ~10× slower at 20k spans). One annotation edit
re-highlights only the blocks its span touches.

Look: actor, location and other labels are translucent background fills,
blended where they overlap so nested spans stay visible; claims are an
underline in the claim colour (a wave where two claims overlap).
"""

from __future__ import annotations

import uuid

from PySide6.QtGui import QColor, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from ..core.intervals import IntervalIndex, paragraph_starts
from ..core.model import Annotation, Label, LabelKind, SpanRow
from ..core.offsets import TextMap

FILL_ALPHA = 0.38


def blend(base: QColor, over: QColor, alpha: float) -> QColor:
    return QColor(
        round(base.red() * (1 - alpha) + over.red() * alpha),
        round(base.green() * (1 - alpha) + over.green() * alpha),
        round(base.blue() * (1 - alpha) + over.blue() * alpha),
    )


class SpanHighlighter(QSyntaxHighlighter):
    """Draws annotation spans; call :meth:`set_spans` then edit incrementally.

    Labels are coded as small ints while drawing (UUID hashing is slow in a
    loop run for every paragraph of a megabyte document).
    """

    def __init__(self, document: QTextDocument, palette: QPalette):
        super().__init__(document)
        self._palette = palette
        self._labels: dict[uuid.UUID, Label] = {}
        self._code: dict[uuid.UUID, int] = {}  # label id -> code
        self._by_code: list[Label] = []
        self._claim_codes: frozenset[int] = frozenset()
        self._spans: dict[uuid.UUID, SpanRow] = {}
        self._fragments: dict[uuid.UUID, list[tuple[int, int]]] = {}
        self._index = IntervalIndex()
        self._map = TextMap("")
        self._formats: dict[tuple, QTextCharFormat] = {}
        self._paragraphs: list[int] = [0]
        self._para_u16: list[int] = [0]
        self._para_plain: list[bool] = [True]
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
        self._formats.clear()

    def set_palette(self, palette: QPalette) -> None:
        self._palette = palette
        self._formats.clear()
        self.rehighlight()

    def _label_code(self, label_id: uuid.UUID) -> int:
        code = self._code.get(label_id)
        return -1 if code is None else code

    def set_spans(
        self, text: str, annotations: list[SpanRow], block_count: int | None = None,
        fragments: dict[uuid.UUID, list[tuple[int, int]]] | None = None,
    ) -> None:  # fmt: skip
        """Replace the text's map and every span. Does not redraw: the caller
        sets the text (which highlights each block once) or calls ``rehighlight()``.

        ``fragments`` holds the pieces of discontinuous annotations: each
        piece is indexed (and drawn) on its own, keyed ``(annotation id, i)``;
        the gaps between pieces stay plain."""
        tm = self._map = TextMap(text)
        self._spans = {a.id: a for a in annotations}
        self._fragments = dict(fragments or {})
        starts = self._paragraphs = paragraph_starts(text)
        code = self._label_code
        frags = self._fragments
        plain = ((a.id, a.start, a.end, code(a.label_id)) for a in annotations if a.id not in frags)
        self._index = IntervalIndex.build(starts, plain)
        for ann_id, pieces in frags.items():
            if ann_id in self._spans:
                self._add_pieces(ann_id, pieces, code(self._spans[ann_id].label_id))
        u16 = [tm.to_utf16(p) for p in starts] + [tm.length_u16 + 1]
        self._para_u16 = u16[:-1]
        ends = [*starts[1:], tm.length + 1]
        self._para_plain = [u16[i + 1] - u16[i] == ends[i] - starts[i] for i in range(len(starts))]
        if block_count is None:
            doc = self.document()
            block_count = doc.blockCount() if doc is not None else len(starts)
        # Qt makes a block per paragraph; if it ever did not, map by position.
        self._blocks_are_paragraphs = block_count == len(starts)

    @property
    def text_map(self) -> TextMap:
        return self._map

    def span(self, ann_id: uuid.UUID) -> SpanRow | None:
        return self._spans.get(ann_id)

    def _rows(self, keys) -> list[SpanRow]:
        """Annotations behind index keys (a fragment's key is ``(id, i)``), once each."""
        ids = dict.fromkeys(k if isinstance(k, uuid.UUID) else k[0] for k in keys)
        return [self._spans[i] for i in ids]

    def spans_at(self, cp: int) -> list[SpanRow]:
        """Spans covering code point ``cp``, innermost (shortest) first."""
        found = self._rows(self._index.overlapping(cp, cp))
        return sorted(found, key=lambda s: (s.end - s.start, s.start))

    def all_spans(self) -> list[SpanRow]:
        return list(self._spans.values())

    def spans_in(self, start: int, end: int) -> list[SpanRow]:
        return self._rows(self._index.overlapping(start, end))

    def _add_pieces(self, ann_id: uuid.UUID, pieces: list[tuple[int, int]], code: int) -> None:
        for i, (s, e) in enumerate(pieces):
            self._index.add((ann_id, i), s, e, code)

    def _unindex(self, ann_id: uuid.UUID) -> None:
        self._index.remove(ann_id)
        for i in range(len(self._fragments.pop(ann_id, ()))):
            self._index.remove((ann_id, i))

    def put(self, ann: SpanRow | Annotation) -> None:
        """Add or update one span and redraw the blocks it touches (old and new)."""
        span = SpanRow(ann.id, ann.label_id, ann.start, ann.end, ann.exact, ann.entity_id, ann.creator, ann.note)
        old = self._spans.get(ann.id)
        self._unindex(ann.id)
        self._spans[ann.id] = span
        code = self._label_code(ann.label_id)
        pieces = getattr(ann, "fragments", None)
        if pieces:
            self._fragments[ann.id] = list(pieces)
            self._add_pieces(ann.id, pieces, code)
        else:
            self._index.add(ann.id, ann.start, ann.end, code)
        if old is not None and (old.start, old.end) != (span.start, span.end):
            self.redraw(old.start, old.end)
        self.redraw(span.start, span.end)

    def drop(self, ann_id: uuid.UUID) -> None:
        span = self._spans.pop(ann_id, None)
        if span is not None:
            self._unindex(ann_id)
            self.redraw(span.start, span.end)

    def redraw(self, start: int, end: int) -> None:
        """Re-highlight only the blocks that ``[start, end)`` touches."""
        doc = self.document()
        if doc is None or self._map.length == 0:
            return
        u_start = self._map.to_utf16(min(start, self._map.length))
        u_end = self._map.to_utf16(min(end, self._map.length))
        block = doc.findBlock(u_start)
        last = doc.findBlock(max(u_start, u_end - 1))
        while block.isValid():
            self.rehighlightBlock(block)
            if block == last:
                break
            block = block.next()

    # --- drawing ------------------------------------------------------------------

    def _format(self, key: tuple[tuple[int, ...], int, int]) -> QTextCharFormat:
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
                fmt.setBackground(colour)
            if claims:
                style = QTextCharFormat.UnderlineStyle
                fmt.setUnderlineStyle(style.WaveUnderline if claims > 1 else style.SingleUnderline)
                fmt.setUnderlineColor(QColor(self._by_code[claim_code].color))
                fmt.setFontUnderline(True)
            self._formats[key] = fmt
        return fmt

    def _block_extent(self) -> tuple[int, int, int] | None:
        """(paragraph number, first code point, end code point) of the current block."""
        block = self.currentBlock()
        starts = self._paragraphs
        number = block.blockNumber()
        tm = self._map
        if self._blocks_are_paragraphs and number < len(starts):
            end = starts[number + 1] - 1 if number + 1 < len(starts) else tm.length
            return number, starts[number], end
        # The layout's blocks differ from our paragraphs: map by position.
        # (PySide passes the block text as code points; its extent in Qt
        # units is block.length() - 1.)
        u_pos = block.position()
        if u_pos >= tm.length_u16:
            return None
        cp_start = tm.from_utf16(u_pos)
        cp_end = tm.from_utf16(min(u_pos + block.length() - 1, tm.length_u16))
        return self._index.bucket_of(cp_start), cp_start, cp_end

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt override)
        if not self._spans:
            return
        extent = self._block_extent()
        if extent is None:
            return
        number, cp_start, cp_end = extent
        found = self._index.bucket(number)
        if not found or cp_end <= cp_start:
            return
        # Outer spans before the spans nested in them: by start, then longest first.
        items = sorted(
            (s if s > cp_start else cp_start, -(e if e < cp_end else cp_end), c)
            for s, e, c in found.values()
            if s < cp_end and e > cp_start and c >= 0
        )
        # Painter's algorithm: each span is painted over its ancestors with the
        # blend of its chain of enclosing spans. Exact while spans nest; a
        # crossing pair (partial overlap) falls back to cutting into pieces.
        chain: list[tuple[int, int]] = []  # (end, label code) of open ancestors
        paints = []
        for a, neg_b, c in items:
            b = -neg_b
            while chain and chain[-1][0] <= a:
                chain.pop()
            if chain and chain[-1][0] < b:
                self._paint_pieces(items, cp_start, number)
                return
            chain.append((b, c))
            paints.append((a, b, tuple(x for _e, x in chain) if len(chain) > 1 else (c,)))
        claims = self._claim_codes
        keys: dict[tuple[int, ...], tuple] = {}
        for a, b, lineage in paints:
            key = keys.get(lineage)
            if key is None:
                inner = [x for x in lineage if x in claims]
                key = keys[lineage] = (tuple(x for x in lineage if x not in claims), len(inner), inner[-1] if inner else -1)
            self._set(a, b, cp_start, number, self._format(key))

    def _set(self, a: int, b: int, cp_start: int, number: int, fmt: QTextCharFormat) -> None:
        """setFormat for code points [a, b) of the block starting at ``cp_start``."""
        if self._blocks_are_paragraphs and self._para_plain[number]:
            self.setFormat(a - cp_start, b - a, fmt)  # no astral characters here
        else:
            to_u16 = self._map.to_utf16
            u_pos = to_u16(cp_start)
            ua = to_u16(a) - u_pos
            self.setFormat(ua, to_u16(b) - u_pos - ua, fmt)

    def _paint_pieces(self, items: list[tuple[int, int, int]], cp_start: int, number: int) -> None:
        """Cut the block at every span boundary and give each piece the blend
        of the spans covering it (outer spans first, so inner ones show)."""
        claims = self._claim_codes
        spans = sorted((a + neg_b, a, -neg_b, c) for a, neg_b, c in items)
        cuts = sorted({p for _n, a, b, _c in spans for p in (a, b)})
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
                    self._set(run_start, a, cp_start, number, self._format(run_key))
                run_start, run_key = a, key
        if run_key is not None:
            self._set(run_start, cuts[-1], cp_start, number, self._format(run_key))
