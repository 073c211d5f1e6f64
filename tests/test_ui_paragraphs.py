"""The reader sets paragraphs apart: a Word or web import (one line per
paragraph) gets space between its paragraphs; a hard-wrapped text file keeps
its lines together and shows its blank lines; positions stay exact."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import QApplication

from annotator.core.intervals import paragraph_starts, reads_as_wrapped_lines
from tests.ui_helpers import select_and_tag, window_on_text

ONE_LINE_EACH = "\n".join(
    f"Paragraph {n}: the Syrian army said on Monday that units had reached the border crossing near Al Bukamal." for n in range(1, 6)
)
WRAPPED = "\n\n".join(
    "The Syrian army said on Monday that units had\nreached the border crossing near Al Bukamal,\nan official said." for _ in range(4)
)


def _gaps(reader) -> list[float]:
    """Space between each block's last line and the next block's top, in pixels."""
    out, block = [], reader.document().firstBlock()
    while block.isValid() and block.next().isValid():
        geo = reader.blockBoundingGeometry(block)
        layout = block.layout()
        last = layout.lineAt(layout.lineCount() - 1)
        bottom_of_text = geo.top() + layout.position().y() + last.y() + last.height()
        out.append(reader.blockBoundingGeometry(block.next()).top() - bottom_of_text)
        block = block.next()
    return out


def test_wrapped_lines_are_told_from_one_line_paragraphs():
    assert not reads_as_wrapped_lines(paragraph_starts(ONE_LINE_EACH), len(ONE_LINE_EACH))
    assert reads_as_wrapped_lines(paragraph_starts(WRAPPED), len(WRAPPED))
    assert not reads_as_wrapped_lines(paragraph_starts(""), 0)
    assert not reads_as_wrapped_lines(paragraph_starts("one line"), 8)
    blank_lines_long_paragraphs = ("word " * 60 + "\n\n") * 3
    assert not reads_as_wrapped_lines(paragraph_starts(blank_lines_long_paragraphs), len(blank_lines_long_paragraphs))


def test_paragraphs_of_an_import_are_set_apart_and_positions_stay_exact(qtbot, tmp_path):
    win = window_on_text(qtbot, tmp_path, ONE_LINE_EACH)
    reader = win.reader
    gaps = _gaps(reader)
    line = reader.fontMetrics().lineSpacing()
    assert len(gaps) == 4 and all(line * 0.3 <= g <= line for g in gaps), gaps
    # A click on the second paragraph's first word lands on it, below the gap.
    second = reader.document().findBlockByNumber(1)
    top = reader.blockBoundingGeometry(second).translated(reader.contentOffset()).top()
    start = ONE_LINE_EACH.index("Paragraph 2")
    x = reader.cursorRect(reader.textCursor()).x()
    at = reader.cp_at(QPoint(int(x) + 4, int(top) + 4))
    assert start <= at <= start + len("Paragraph")
    # Tagging across the gap keeps code-point positions.
    end = ONE_LINE_EACH.index("Paragraph 3") + len("Paragraph")
    select_and_tag(qtbot, win, start, end, Qt.Key.Key_A)
    assert reader.selected_span() in (None, (start, end))
    assert any(s.start == start and s.end == end for s in reader.highlighter.spans_at(start))


def test_a_hard_wrapped_text_keeps_its_lines_together(qtbot, tmp_path):
    win = window_on_text(qtbot, tmp_path, WRAPPED)
    assert not win.reader.paragraphs.spaced
    assert set(_gaps(win.reader)) == {0.0}


def test_the_space_follows_the_zoom(qtbot, tmp_path):
    win = window_on_text(qtbot, tmp_path, ONE_LINE_EACH)
    win.zoom(0)  # the reading size (an earlier test may have changed the application's font)
    before = _gaps(win.reader)[0]
    for _ in range(4):
        win.zoom(+1)
    qtbot.waitUntil(lambda: _gaps(win.reader)[0] > before)
    win.zoom(0)
    qtbot.waitUntil(lambda: _gaps(win.reader)[0] == before)


class _PaintLog(QObject):
    """The rectangles the reader's viewport repaints."""

    def __init__(self, viewport):
        super().__init__()
        self.rects: list = []
        viewport.installEventFilter(self)

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if ev.type() == QEvent.Type.Paint:
            self.rects.append(ev.rect())
        return False


def test_a_tag_repaints_its_paragraph_not_the_page(qtbot, tmp_path):
    """Qt reports a paragraph's new formats as its length removed and added;
    taken for a text change, that repainted the whole page on every tag."""
    win = window_on_text(qtbot, tmp_path, ONE_LINE_EACH)
    reader, app = win.reader, QApplication.instance()
    start = ONE_LINE_EACH.index("Paragraph 2")
    reader.select_span(start, start + len("Paragraph"))
    app.processEvents()
    log = _PaintLog(reader.viewport())
    select_and_tag(qtbot, win, start, start + len("Paragraph"), Qt.Key.Key_A)
    app.processEvents()
    assert any(s.start == start for s in reader.highlighter.spans_at(start))
    block = reader.blockBoundingGeometry(reader.document().findBlockByNumber(1)).translated(reader.contentOffset())
    assert log.rects, "the tag was not drawn"
    painted = log.rects[0]
    for rect in log.rects[1:]:
        painted = painted.united(rect)
    assert painted.contains(block.toAlignedRect().adjusted(1, 1, -1, -1)), (painted, block)
    assert painted.height() < reader.viewport().height() / 2, (painted, reader.viewport().rect())
