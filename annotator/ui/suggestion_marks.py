"""Where the reader draws a suggestion: a dashed outline around each line
piece of its span, in its label's colour, never a fill (a fill is an
annotation; a suggestion is only a proposal until the analyst accepts it)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from PySide6.QtCore import QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

OUTLINE_WIDTH = 1.4
CURRENT_WIDTH = 2.4  # the suggestion the cursor is in


def visible_range(reader, clip: QRect) -> tuple[int, int]:
    """The code points from the first line ``clip`` (viewport coordinates) touches to its last."""
    if not reader.text:
        return 0, 0
    return reader.cp_at(QPoint(0, clip.top())), reader.cp_at(QPoint(reader.viewport().width(), clip.bottom()))


def line_rects(reader, start: int, end: int, tops: dict[int, QRectF] | None = None) -> list[QRectF]:
    """The rectangles (viewport coordinates) a span takes on the lines it covers;
    ``tops``: the blocks' geometry by block number, kept between the calls of one paint."""
    a, b = reader.text_map.span_to_utf16(start, end)
    rects: list[QRectF] = []
    offset = reader.contentOffset()
    tops = {} if tops is None else tops
    block = reader.document().findBlock(a)
    while block.isValid() and block.position() < b:
        layout = block.layout()
        if block.isVisible() and layout is not None and layout.lineCount():
            geo = tops.get(block.blockNumber())
            if geo is None:  # (the reader's layout computes it in Python: once a block per paint)
                geo = tops[block.blockNumber()] = reader.blockBoundingGeometry(block).translated(offset)
            x0, y0 = geo.left() + layout.position().x(), geo.top() + layout.position().y()
            lo, hi = max(a - block.position(), 0), min(b - block.position(), block.length() - 1)
            first, last = layout.lineForTextPosition(lo), layout.lineForTextPosition(max(lo, hi - 1))
            if first.isValid() and last.isValid():
                for n in range(first.lineNumber(), last.lineNumber() + 1):
                    line = layout.lineAt(n)
                    x1 = line.cursorToX(max(lo, line.textStart()))[0]
                    x2 = line.cursorToX(min(hi, line.textStart() + line.textLength()))[0]
                    left, right = min(x1, x2), max(x1, x2)
                    rects.append(QRectF(x0 + left, y0 + line.y(), max(2.0, right - left), line.height()))
        block = block.next()
    return rects


def visible(starts: Sequence[int], reader, clip: QRect) -> range:
    """The indexes of the suggestions (sorted by start) that may show within ``clip``."""
    first, last = visible_range(reader, clip)
    lo = max(0, bisect_left(starts, first) - 1)  # one starting above may reach into view
    return range(lo, bisect_left(starts, last + 1))


def paint_outlines(reader, pieces: list[tuple[QRectF, QColor, bool]]) -> None:
    """Draw each (rectangle, colour, is-current) onto the reader's viewport."""
    if not pieces:
        return
    painter = QPainter(reader.viewport())
    painter.setBrush(Qt.BrushStyle.NoBrush)
    pens: dict[tuple[str, bool], QPen] = {}
    for rect, colour, current in pieces:
        pen = pens.get((colour.name(), current))
        if pen is None:
            pen = pens[colour.name(), current] = QPen(colour, CURRENT_WIDTH if current else OUTLINE_WIDTH, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRect(rect.adjusted(0.5, 0.5, -1, -1))  # square corners, no antialiasing: dozens a paint, cheaply
    painter.end()
