"""The bare Qt baseline the reader is measured against: QPlainTextEdit plus
the least a highlighter can do, handing pre-bucketed UTF-16 spans to
``setFormat`` (less than any annotation tool must do)."""

from __future__ import annotations

import bisect


def block_spans(text: str, spans) -> dict[int, list[tuple[int, int]]]:
    """``(start, end)`` code-point spans as UTF-16 ranges, bucketed by paragraph."""
    from annotator.core.offsets import TextMap

    tm = TextMap(text)
    starts, pos = [], 0
    for line in text.split("\n"):
        starts.append(pos)
        pos += len(line) + 1
    per_block: dict[int, list[tuple[int, int]]] = {}
    for s, e in spans:
        first = bisect.bisect_right(starts, s) - 1
        last = bisect.bisect_right(starts, max(s, e - 1)) - 1
        for blk in range(first, last + 1):
            per_block.setdefault(blk, []).append((tm.to_utf16(s), tm.to_utf16(e)))
    return per_block


def bare_highlighter(document, per_block: dict[int, list[tuple[int, int]]]):
    """A QSyntaxHighlighter on ``document`` painting ``per_block`` in yellow."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QSyntaxHighlighter, QTextCharFormat

    fmt = QTextCharFormat()
    fmt.setBackground(Qt.GlobalColor.yellow)

    class Bare(QSyntaxHighlighter):
        def highlightBlock(self, block_text):  # noqa: N802 (Qt override)
            block = self.currentBlock()
            p = block.position()
            for s, e in per_block.get(block.blockNumber(), ()):
                a, b = max(s - p, 0), min(e - p, block.length() - 1)
                if b > a:
                    self.setFormat(a, b - a, fmt)

    return Bare(document)
