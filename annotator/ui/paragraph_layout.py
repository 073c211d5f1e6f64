"""Space between paragraphs in a plain-text view.

``QPlainTextDocumentLayout`` stacks blocks line on line and ignores block
margins; ``QTextEdit``'s full layout honours them but costs far more on a
megabyte document. This layout keeps the plain one and adds a gap below each
paragraph that another paragraph follows (blank lines already make their own
space). The gap is inside the block's bounding rect, so painting, hit-testing
and scrolling, which all go through ``blockBoundingRect``, agree on it; it
adds nothing to the text, so positions are untouched.
"""

from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtGui import QFont, QFontMetricsF, QTextBlock, QTextDocument
from PySide6.QtWidgets import QPlainTextDocumentLayout

GAP_LINES = 0.5  # of the font's line spacing


class ParagraphLayout(QPlainTextDocumentLayout):
    """A plain-text layout that sets paragraphs apart (when :attr:`spaced`)."""

    def __init__(self, document: QTextDocument):
        super().__init__(document)
        self.spaced = True
        self.formats_only = False  # see documentChanged
        self.gap = 0.0
        self.set_font(document.defaultFont())

    def set_font(self, font: QFont) -> None:
        self.gap = round(QFontMetricsF(font).lineSpacing() * GAP_LINES)

    def gap_after(self, block: QTextBlock) -> float:
        if not self.spaced or block.length() <= 1:
            return 0.0
        nxt = block.next()
        return self.gap if nxt.isValid() and nxt.length() > 1 else 0.0

    def documentChanged(self, position: int, removed: int, added: int) -> None:  # noqa: N802
        """While :attr:`formats_only` (the highlighter redrawing a tag), a change
        inside one paragraph redraws that paragraph only. Qt reports new formats
        as the paragraph's length removed and added, and the plain layout's
        one-block test adds the two, so the range reaches into the next
        paragraph and every tag repainted the whole page."""
        if self.formats_only and removed == added:
            removed = 0
        super().documentChanged(position, removed, added)

    @contextmanager
    def formats_changing(self):
        """Around a paragraph's re-highlighting (see :meth:`documentChanged`)."""
        self.formats_only = True
        try:
            yield
        finally:
            self.formats_only = False

    def blockBoundingRect(self, block: QTextBlock):  # noqa: N802
        rect = super().blockBoundingRect(block)
        gap = self.gap_after(block) if block.isVisible() else 0.0
        if gap:
            rect.setHeight(rect.height() + gap)
        return rect
