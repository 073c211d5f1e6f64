"""The reader: a read-only text view of a document's canonical text with its
annotations highlighted, plus the title header and the find bar.

Qt positions are UTF-16; every conversion goes through the document's
:class:`~annotator.core.offsets.TextMap`.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import regex
from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeySequence,
    QPainter,
    QPalette,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..core.intervals import reads_as_wrapped_lines
from ..core.model import Direction, Document, Label, SpanRow
from ..core.offsets import TextMap, utf16_units
from .colours import muted_text
from .highlighter import SpanHighlighter, TextShape
from .paragraph_layout import ParagraphLayout

if TYPE_CHECKING:
    from .controller import SpanLoad

MAX_FIND_MARKS = 5000
CLAIM_BAR_WIDTH = 4
CLAIM_BAR_INSET = 6  # from the viewport's edge, inside the document margin


class ReaderView(QPlainTextEdit):
    """Shows one document; emits what the user clicked or asked for."""

    spansClicked = Signal(list, QPoint)  # annotation ids under the click, global position
    paletteApplied = Signal()  # the fills were re-derived for a new palette (a switch to or from dark mode)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setUndoRedoEnabled(False)
        self.setCenterOnScroll(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        document = QTextDocument(self)
        self.paragraphs = ParagraphLayout(document)
        document.setDocumentLayout(self.paragraphs)
        self.setDocument(document)
        self.document().setDocumentMargin(18)
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF(), 10.5) + 1)  # reading size, not UI size
        self.setFont(font)
        self.default_point_size = font.pointSizeF()
        self.highlighter = SpanHighlighter(self.document(), self.palette())
        self.describe: Callable[[uuid.UUID], str] = lambda _id: ""
        self.context_actions: Callable[[], list] = lambda: []
        self.overlays: list[Callable[[QRect], None]] = []  # painted over the text, within the rect repainted (suggestions' outlines)
        self._text = ""
        self._find: list[QTextEdit.ExtraSelection] = []
        self._flash: list[QTextEdit.ExtraSelection] = []
        self._flash_timer = QTimer(self, singleShot=True, interval=900, timeout=self._end_flash)
        self._press_pos: QPoint | None = None
        # An OS switch between light and dark: Qt updates the palette (a
        # PaletteChange follows); re-read it once the switch has settled.
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._color_scheme_changed)

    # --- content ---------------------------------------------------------------

    @property
    def text_map(self) -> TextMap:
        return self.highlighter.text_map

    @property
    def text(self) -> str:
        return self._text

    def show_document(self, doc: Document | None, load: Callable[..., Callable[[], SpanLoad]], labels: list[Label]) -> SpanLoad:
        """Show ``doc`` with every highlight drawn; returns what was loaded.

        ``load(prepare)`` (see :meth:`DeskController.load_spans`) returns a
        function that waits for the spans, which are being read on another
        thread since the document was opened; a third thread builds the
        highlight layer from them (per-paragraph format runs, see
        :class:`~annotator.ui.span_layer.SpanLayer`) as soon as they are read. Meanwhile Qt takes
        the text here with the highlighter detached; then one highlight pass
        hands the ready runs to Qt, block by block. Every block has its
        formats when this returns.
        """
        self._find = []
        self._flash = []
        self.setExtraSelections([])
        text = self._text = doc.text if doc else ""
        hl = self.highlighter
        hl.set_labels(labels)
        shape = TextShape.of(text)  # meanwhile the loader's thread is in SQLite
        pending = load(hl.preparer(text, shape))
        hl.setDocument(None)
        self.apply_direction(doc.direction if doc else Direction.LTR)
        self.paragraphs.spaced = not reads_as_wrapped_lines(shape.paragraphs, len(text))
        # The same text in UTF-16 units: PySide copies it into Qt instead of
        # converting a megabyte with emoji character by character.
        self.setPlainText(utf16_units(text, shape.map))
        loaded = pending()
        hl.install(loaded.prepared, self.document().blockCount())
        hl.setDocument(self.document())
        hl.rehighlight()  # synchronous; also cancels the pass Qt queues on attach
        return loaded

    def apply_direction(self, direction: Direction) -> None:
        rtl = direction == Direction.RTL
        option = self.document().defaultTextOption()
        option.setTextDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
        option.setAlignment(Qt.AlignmentFlag.AlignRight if rtl else Qt.AlignmentFlag.AlignLeft)
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.document().setDefaultTextOption(option)
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)

    def set_labels(self, labels: list[Label]) -> None:
        self.highlighter.set_labels(labels)
        self.highlighter.rehighlight()

    def show_sample(self, text: str, spans: list[SpanRow], labels: list[Label]) -> None:
        """Show a short text with the given spans drawn (the legend's example)."""
        self._text = text
        hl = self.highlighter
        hl.set_labels(labels)
        hl.set_spans(text, spans)
        self.paragraphs.spaced = True
        self.setPlainText(text)
        hl.rehighlight()

    # --- palette ------------------------------------------------------------------------

    def _color_scheme_changed(self, _scheme=None) -> None:
        QTimer.singleShot(0, self, self.apply_palette)

    def apply_palette(self) -> bool:
        """Blend the fills against the current palette and redraw, if its base
        or text colour changed (a switch to or from dark mode)."""
        if self.highlighter.set_palette(self.palette()):
            self.viewport().update()
            self.paletteApplied.emit()
            return True
        return False

    def changeEvent(self, ev) -> None:  # noqa: N802
        if ev.type() == QEvent.Type.FontChange and hasattr(self, "paragraphs"):
            self.paragraphs.set_font(self.font())  # before Qt lays the text out again in the new font
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.PaletteChange and hasattr(self, "highlighter"):
            self.apply_palette()

    # --- positions -------------------------------------------------------------------

    def selected_span(self) -> tuple[int, int] | None:
        """The selection in code points, or None when nothing is selected."""
        cur = self.textCursor()
        if not cur.hasSelection() or not self._text:
            return None
        return self.text_map.span_from_utf16(cur.selectionStart(), cur.selectionEnd())

    def select_span(self, start: int, end: int) -> None:
        a, b = self.text_map.span_to_utf16(start, end)
        cur = self.textCursor()
        cur.setPosition(a)
        cur.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cur)

    def cp_at(self, viewport_pos: QPoint) -> int:
        u16 = self.cursorForPosition(viewport_pos).position()
        return self.text_map.from_utf16(min(u16, self.text_map.length_u16))

    def first_visible_cp(self) -> int:
        return self.cp_at(QPoint(1, 1)) if self._text else 0

    def scroll_to_cp(self, cp: int, *, top: bool = False) -> None:
        if not self._text:
            return
        u16 = self.text_map.to_utf16(max(0, min(cp, self.text_map.length)))
        block = self.document().findBlock(u16)
        cur = self.textCursor()
        cur.setPosition(u16)
        self.setTextCursor(cur)
        if top:
            line = block.layout().lineForTextPosition(u16 - block.position()) if block.layout() else None
            offset = line.lineNumber() if line is not None and line.isValid() else 0
            self.verticalScrollBar().setValue(block.firstLineNumber() + offset)
        else:
            self.centerCursor()

    # --- marks: flash and find ----------------------------------------------------------

    def _selection(self, start: int, end: int, fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        cur = QTextCursor(self.document())
        a, b = self.text_map.span_to_utf16(start, end)
        cur.setPosition(a)
        cur.setPosition(b, QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cur
        sel.format = fmt
        return sel

    def flash(self, start: int, end: int) -> None:
        """Scroll to a span and outline it briefly so the eye finds it."""
        self.scroll_to_cp(start)
        cur = self.textCursor()
        cur.clearSelection()
        self.setTextCursor(cur)
        fmt = QTextCharFormat()
        hl = self.palette().color(QPalette.ColorRole.Highlight)
        fmt.setBackground(hl)
        fmt.setForeground(self.palette().color(QPalette.ColorRole.HighlightedText))
        self._flash = [self._selection(start, end, fmt)]
        self._refresh_marks()
        self._flash_timer.start()

    def _end_flash(self) -> None:
        self._flash = []
        self._refresh_marks()

    def set_find_marks(self, spans: list[tuple[int, int]], current: int) -> None:
        every = QTextCharFormat()
        every.setBackground(QColor(255, 230, 0, 110))
        now = QTextCharFormat()
        now.setBackground(QColor(255, 150, 0, 200))
        now.setForeground(QColor(0, 0, 0))  # strong orange: dark text reads on it in either palette
        marks = [self._selection(s, e, every) for i, (s, e) in enumerate(spans[:MAX_FIND_MARKS]) if i != current]
        if 0 <= current < len(spans):
            marks.append(self._selection(*spans[current], now))
        self._find = marks
        self._refresh_marks()

    def _refresh_marks(self) -> None:
        self.setExtraSelections(self._find + self._flash)

    # --- events ------------------------------------------------------------------------------

    def paintEvent(self, ev) -> None:  # noqa: N802
        super().paintEvent(ev)
        self._paint_claim_bars(ev.rect())
        for paint in self.overlays:
            paint(ev.rect())

    def claim_bars(self, clip=None) -> list[tuple[QRectF, QColor]]:
        """The margin bars beside every line holding a claim, in viewport
        coordinates (on the left; on the right in a right-to-left document),
        for the blocks that are visible (within ``clip``, when given)."""
        if not self._text:
            return []
        hl = self.highlighter
        offset = self.contentOffset()
        bottom = clip.bottom() if clip is not None else self.viewport().height()
        top = clip.top() if clip is not None else 0
        rtl = self.document().defaultTextOption().textDirection() == Qt.LayoutDirection.RightToLeft
        x = self.viewport().width() - CLAIM_BAR_INSET - CLAIM_BAR_WIDTH if rtl else offset.x() + CLAIM_BAR_INSET
        bars: list[tuple[QRectF, QColor]] = []
        block = self.firstVisibleBlock()
        while block.isValid():
            geo = self.blockBoundingGeometry(block).translated(offset)
            if geo.top() > bottom:
                break
            if block.isVisible() and geo.bottom() >= top:
                extents = hl.claim_extents(block.blockNumber())
                layout = block.layout() if extents else None
                if layout is not None and layout.lineCount():
                    y0 = geo.top() + layout.position().y()
                    for a, b, colour in extents:
                        first = layout.lineForTextPosition(a)
                        last = layout.lineForTextPosition(max(a, b - 1))
                        if not first.isValid() or not last.isValid():
                            continue
                        y1 = y0 + first.y() + 1
                        y2 = y0 + last.y() + last.height() - 1
                        bars.append((QRectF(x, y1, CLAIM_BAR_WIDTH, max(1.0, y2 - y1)), colour))
            block = block.next()
        return bars

    def _paint_claim_bars(self, clip) -> None:
        bars = self.claim_bars(clip)
        if not bars:
            return
        painter = QPainter(self.viewport())
        for rect, colour in bars:
            painter.fillRect(rect, colour)
        painter.end()

    def event(self, ev: QEvent) -> bool:
        if ev.type() == QEvent.Type.ApplicationPaletteChange and hasattr(self, "highlighter"):
            result = super().event(ev)
            self.apply_palette()
            return result
        if ev.type() == QEvent.Type.ToolTip and self._text:
            pos = self.viewport().mapFromGlobal(ev.globalPos())
            spans = self.highlighter.spans_at(self.cp_at(pos))
            if spans:
                QToolTip.showText(ev.globalPos(), "\n\n".join(self.describe(s.id) for s in spans), self)
            else:
                QToolTip.hideText()
                ev.ignore()
            return True
        return super().event(ev)

    def mousePressEvent(self, ev) -> None:  # noqa: N802
        self._press_pos = ev.position().toPoint()
        super().mousePressEvent(ev)

    def mouseReleaseEvent(self, ev) -> None:  # noqa: N802
        super().mouseReleaseEvent(ev)
        pos = ev.position().toPoint()
        is_click = self._press_pos is not None and (pos - self._press_pos).manhattanLength() < 4
        if is_click and ev.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection() and self._text:
            spans = self.highlighter.spans_at(self.cp_at(pos))
            if spans:
                self.spansClicked.emit([s.id for s in spans], ev.globalPosition().toPoint())

    def contextMenuEvent(self, ev) -> None:  # noqa: N802
        menu = self.createStandardContextMenu(ev.pos())
        actions = self.context_actions()
        if actions:
            first = menu.actions()[0] if menu.actions() else None
            for act in actions:
                menu.insertAction(first, act) if act is not None else menu.insertSeparator(first)
            menu.insertSeparator(first)
        menu.exec(ev.globalPos())
        menu.deleteLater()


class FindBar(QWidget):
    """Find in document: every match marked, Enter / Shift+Enter to step."""

    def __init__(self, reader: ReaderView, parent=None):
        super().__init__(parent)
        self.reader = reader
        self.matches: list[tuple[int, int]] = []
        self.current = -1
        self.edit = QLineEdit(placeholderText="Find in document")
        self.edit.setClearButtonEnabled(True)
        self.count = QLabel()
        prev_btn = QToolButton(text="▲", toolTip="Previous match (Shift+Enter)", autoRaise=True)
        next_btn = QToolButton(text="▼", toolTip="Next match (Enter)", autoRaise=True)
        close_btn = QToolButton(text="✕", toolTip="Close (Esc)", autoRaise=True)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        for w in (self.edit, self.count, prev_btn, next_btn, close_btn):
            lay.addWidget(w)
        self.edit.textChanged.connect(self.search)
        self.edit.returnPressed.connect(self.step_forward)
        # The context is set afterwards: PySide6 6.11 ignores QShortcut's
        # context= keyword, which left these window-wide (Esc anywhere closed
        # the bar and took the focus to the reader).
        self.shortcuts = []
        for key, widget, slot, context in (
            ("Shift+Return", self.edit, self.step_back, Qt.ShortcutContext.WidgetShortcut),
            ("Shift+Enter", self.edit, self.step_back, Qt.ShortcutContext.WidgetShortcut),
            ("Esc", self, self.close_bar, Qt.ShortcutContext.WidgetWithChildrenShortcut),
        ):
            shortcut = QShortcut(QKeySequence(key), widget, slot)
            shortcut.setContext(context)
            self.shortcuts.append(shortcut)
        prev_btn.clicked.connect(self.step_back)
        next_btn.clicked.connect(self.step_forward)
        close_btn.clicked.connect(self.close_bar)
        self.hide()

    def open_bar(self) -> None:
        self.show()
        sel = self.reader.selected_span()
        if sel and sel[1] - sel[0] < 100:
            self.edit.setText(self.reader.text[sel[0] : sel[1]])
        self.edit.setFocus()
        self.edit.selectAll()
        self.search(self.edit.text())

    def close_bar(self) -> None:
        self.matches = []
        self.current = -1
        self.reader.set_find_marks([], -1)
        self.hide()
        self.reader.setFocus()

    def search(self, query: str) -> None:
        text = self.reader.text
        if query:
            pattern = regex.compile(regex.escape(query), regex.IGNORECASE | regex.V1)
            self.matches = [m.span() for m in pattern.finditer(text)]
        else:
            self.matches = []
        start = self.reader.first_visible_cp()
        self.current = next((i for i, (s, _e) in enumerate(self.matches) if s >= start), 0 if self.matches else -1)
        self._show()

    def step_forward(self) -> None:
        self._step(+1)

    def step_back(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        if not self.matches:
            return
        self.current = (self.current + delta) % len(self.matches)
        self._show()

    def _show(self) -> None:
        n = len(self.matches)
        self.count.setText(f"{self.current + 1} of {n}" if n else ("No matches" if self.edit.text() else ""))
        self.reader.set_find_marks(self.matches, self.current)
        if n:
            self.reader.scroll_to_cp(self.matches[self.current][0])


class ReaderPane(QWidget):
    """Header (title and metadata) above the reader, find bar below."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.header = QLabel()
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.header.setContentsMargins(12, 8, 12, 4)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reader = ReaderView()
        self.find_bar = FindBar(self.reader)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.header)
        lay.addWidget(self.reader, 1)
        lay.addWidget(self.find_bar)
        self._doc: Document | None = None

    def changeEvent(self, ev) -> None:  # noqa: N802
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.PaletteChange and hasattr(self, "_doc"):
            self.show_header(self._doc)  # the description's colour follows the palette

    def description_colour(self) -> QColor:
        """The description's colour: secondary, yet 4.5:1 against the window."""
        return muted_text(self.palette())  # the pane's: its children take the new palette after it

    def show_header(self, doc: Document | None) -> None:
        self._doc = doc
        if doc is None:
            self.header.setText("<i>No document open — import one with File ▸ Import documents… or drop files here.</i>")
            return
        meta = [m for m in (doc.source, doc.published) if m]
        meta.append(f"{len(doc.text):,} characters")
        if doc.direction == Direction.RTL:
            meta.append("right-to-left")
        colour = self.description_colour().name()
        desc = f"<br><span style='color:{colour}'>{html.escape(doc.description)}</span>" if doc.description else ""
        self.header.setText(
            f"<span style='font-size:15pt; font-weight:600'>{html.escape(doc.title)}</span><br>"
            f"<span>{html.escape(' · '.join(meta))}</span>{desc}"
        )
