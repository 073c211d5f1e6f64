"""Span highlighting with a QSyntaxHighlighter over an interval index.

Why a syntax highlighter: its formats live in each block's layout, not in the
document, so they neither enter the document's undo stack (as
``mergeCharFormat`` would) nor cost a selection object per span (as
``setExtraSelections`` does, ~10× slower at 20k spans). One annotation edit
re-highlights only the blocks its span touches.

Opening a document: the spans are read on another thread (see
:meth:`DeskController.load_spans`) and a :class:`~.span_layer.SpanLayer`
turns them, in one sweep in text order, into every paragraph's format runs,
already in UTF-16 offsets; the highlight pass on the GUI thread then only
hands ready runs to ``setFormat``, with one cached ``QTextCharFormat`` per
combination of labels. The interval index (hit tests, edits) is built when
first needed.

Look: actor, location and other labels are translucent background fills,
blended where they overlap so nested spans stay visible, against the
palette's base (re-derived when the palette changes, see :meth:`set_palette`)
and kept readable under its text; claims are an underline in the claim
colour (a wave where two claims overlap), and the reader draws a bar in the
margin beside their lines from the same runs (:meth:`claim_extents`).
"""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from collections.abc import Callable

from PySide6.QtGui import QColor, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from ..core.model import Annotation, Label, LabelKind, SpanRow, SpanTable
from ..core.offsets import TextMap
from .colours import readable_fill
from .format_runs import FormatKey, Run
from .paragraph_layout import ParagraphLayout
from .span_layer import SpanLayer, TextShape

__all__ = ["FILL_ALPHA", "FormatKey", "Run", "SpanHighlighter", "SpanLayer", "TextShape", "blend"]

FILL_ALPHA = 0.38


def blend(base: QColor, over: QColor, alpha: float) -> QColor:
    return QColor(
        round(base.red() * (1 - alpha) + over.red() * alpha),
        round(base.green() * (1 - alpha) + over.green() * alpha),
        round(base.blue() * (1 - alpha) + over.blue() * alpha),
    )


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

    def preparer(self, text: str, shape: TextShape | None = None) -> Callable[[SpanTable, dict], SpanLayer]:
        """A function that makes the layer for ``text`` (whose shape may be
        given) from its spans and fragments, as read. It holds a copy of the
        label codes, so it may run on another thread while this one lays the
        text out; :meth:`install` then draws from the layer."""
        codes = dict(self._code)
        claims = self._claim_codes

        def prepare(table: SpanTable, fragments: dict[uuid.UUID, list[tuple[int, int]]]) -> SpanLayer:
            return SpanLayer(text, table, fragments, codes, claims, shape=shape)

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
        layout = doc.documentLayout()
        while block.isValid():
            with layout.formats_changing() if isinstance(layout, ParagraphLayout) else nullcontext():
                self.rehighlightBlock(block)  # that paragraph repainted, not the page
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
