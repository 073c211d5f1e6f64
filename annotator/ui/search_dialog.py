"""Search the corpus (Ctrl+Shift+F): one query over every document's text and
details, every annotation's quote, note and rationale, every entity's names,
with the analyst's filters; hits grouped by document, each opening the
document at the hit with the span flashed.

The search itself is the store's (:meth:`annotator.store.repository.SqlRepository.search`),
reached through an injected function; this module only asks and shows.
"""

from __future__ import annotations

import html
import time
import uuid
from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from ..core.errors import AnnotatorError
from ..core.search import WHERE, SearchFilters, SearchHit, SearchResult
from .colours import muted_text
from .entities_panel import is_rtl

TYPING_PAUSE_MS = 300  # after the last key, the search runs
HIT_ROLE = Qt.ItemDataRole.UserRole + 1
KINDS = (("Any kind", ""), ("Actors", "actor"), ("Claims", "claim"), ("Locations", "location"))
RELIABILITY = (("Any reliability", ""), ("A", "A"), ("A–B", "AB"), ("A–C", "ABC"), ("A–D", "ABCD"))
CREDIBILITY = (("Any credibility", ""), ("1", "1"), ("1–2", "12"), ("1–3", "123"), ("1–4", "1234"))


class HitDelegate(QStyledItemDelegate):
    """A hit's context on one line with the match in bold (a document's row: its title)."""

    def paint(self, painter, option, index) -> None:
        hit: SearchHit | None = index.data(HIT_ROLE)
        if hit is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        colour = opt.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        doc = QTextDocument()
        doc.setDefaultFont(opt.font)
        doc.setDocumentMargin(0)
        rtl = is_rtl(hit.before + hit.match + hit.after)
        if rtl:  # set right to left, from the right edge
            option = doc.defaultTextOption()
            option.setTextDirection(Qt.LayoutDirection.RightToLeft)
            option.setAlignment(Qt.AlignmentFlag.AlignRight)
            doc.setDefaultTextOption(option)
            doc.setTextWidth(rect.width())
        direction = 'dir="rtl" align="right"' if rtl else 'dir="ltr"'
        doc.setHtml(f'<div {direction} style="color:{colour.name()}">{hit_html(hit)}</div>')
        painter.save()
        painter.translate(rect.left(), rect.top() + max(0, (rect.height() - doc.size().height()) / 2))
        painter.setClipRect(0, 0, rect.width(), rect.height())
        doc.drawContents(painter)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        return QSize(size.width(), max(size.height(), option.fontMetrics.lineSpacing() + 6))


def hit_html(hit: SearchHit) -> str:
    who = f"{html.escape(hit.name)}: " if hit.name else ""
    return f"{who}…{html.escape(hit.before)}<b>{html.escape(hit.match)}</b>{html.escape(hit.after)}…"


def hit_where(hit: SearchHit) -> str:
    where = WHERE.get(hit.where, hit.where)
    return f"{where} · {hit.label}" if hit.label else where


class SearchDialog(QDialog):
    """Non-modal: the analyst reads a hit in the desk and comes back to the list."""

    def __init__(self, parent, search: Callable[[str, SearchFilters], SearchResult], open_hit: Callable[[SearchHit], None],
                 current_document: Callable[[], uuid.UUID | None]):  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle("Search the corpus")
        self._search, self._open_hit, self._current_document = search, open_hit, current_document
        self.query = QLineEdit(placeholderText='Words (all must match), "a phrase", milit* for a prefix, OR between alternatives')
        self.query.setClearButtonEnabled(True)
        self.kind, self.reliability, self.credibility = (self._combo(c) for c in (KINDS, RELIABILITY, CREDIBILITY))
        self.source = QLineEdit(placeholderText="Claim source")
        self.analyst = QLineEdit(placeholderText="Analyst")
        self.date_from = QLineEdit(placeholderText="From (2025-06)")
        self.date_to = QLineEdit(placeholderText="To")
        self.this_document = QCheckBox("This document only")
        for w in (self.source, self.analyst, self.date_from, self.date_to):
            w.setClearButtonEnabled(True)
            w.textChanged.connect(self._typed)
        for w in (self.date_from, self.date_to):
            w.setMaximumWidth(130)
        self.this_document.toggled.connect(self.run)
        self.results = QTreeWidget()
        self.results.setHeaderLabels(["Hit", "In"])
        self.results.setItemDelegateForColumn(0, HitDelegate(self.results))
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setUniformRowHeights(True)
        self.results.itemActivated.connect(self._activated)
        self.status = QLabel(" ")
        self.status.setStyleSheet(f"color: {muted_text(self.palette()).name()}")
        filters = QHBoxLayout()
        for w in (self.kind, self.reliability, self.credibility, self.source, self.analyst, self.date_from, self.date_to, self.this_document):
            filters.addWidget(w)
        lay = QVBoxLayout(self)
        lay.addWidget(self.query)
        lay.addLayout(filters)
        lay.addWidget(self.results, 1)
        lay.addWidget(self.status)
        self._timer = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS, timeout=self.run)
        self.query.textChanged.connect(self._typed)
        self.query.returnPressed.connect(self._enter)
        self.query.installEventFilter(self)
        self.result: SearchResult | None = None
        self.resize(900, 560)

    def _combo(self, choices) -> QComboBox:
        combo = QComboBox()
        for text, value in choices:
            combo.addItem(text, value)
        combo.currentIndexChanged.connect(self.run)
        return combo

    # --- asking ------------------------------------------------------------------------------

    def filters(self) -> SearchFilters:
        doc = self._current_document() if self.this_document.isChecked() else None
        return SearchFilters(
            kinds=(self.kind.currentData(),) if self.kind.currentData() else (),
            reliability=self.reliability.currentData(), credibility=self.credibility.currentData(),
            source=self.source.text().strip(), analysts=(self.analyst.text().strip(),) if self.analyst.text().strip() else (),
            date_from=self.date_from.text().strip(), date_to=self.date_to.text().strip(),
            documents=(doc,) if doc else (),
        )  # fmt: skip

    def _typed(self, _text: str = "") -> None:
        self._timer.start()

    def _enter(self) -> None:
        if self._timer.isActive() or self.result is None:
            self.run()
        self._first_hit()

    def run(self) -> None:
        """Search now with what is typed and chosen, and show the hits."""
        self._timer.stop()
        filters = self.filters()
        if not self.query.text().strip() and not filters.on_annotations:
            self.results.clear()
            self.result = None
            self.status.setText("Type words to search every document, annotation and entity; or choose a filter.")
            return
        started = time.perf_counter()
        try:
            self.result = self._search(self.query.text(), filters)
        except AnnotatorError as exc:
            self.status.setText(str(exc))
            return
        self._show(self.result, (time.perf_counter() - started) * 1000)

    def _show(self, result: SearchResult, ms: float) -> None:
        self.results.clear()
        groups = result.by_document()
        for _doc, title, hits in groups:
            top = QTreeWidgetItem([f"{title}  ({len(hits)})", ""])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setFlags(top.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            for hit in hits:
                item = QTreeWidgetItem(["", hit_where(hit)])
                item.setData(0, HIT_ROLE, hit)
                item.setToolTip(0, f"{hit.before}{hit.match}{hit.after}")
                top.addChild(item)
            self.results.addTopLevelItem(top)
            top.setExpanded(True)
        self.results.resizeColumnToContents(1)
        self.results.setColumnWidth(0, max(300, self.results.viewport().width() - self.results.columnWidth(1) - 8))
        n, docs = len(result.hits), sum(1 for d, _t, _h in groups if d is not None)
        if not n:
            self.status.setText("No hits.")
            return
        more = " — more hits than shown: narrow the search" if result.truncated else ""
        self.status.setText(f"{n} hit{'s' * (n != 1)} in {docs} document{'s' * (docs != 1)} ({ms:.0f} ms){more}. Enter opens a hit.")

    # --- going to a hit --------------------------------------------------------------------------

    def _first_hit(self) -> None:
        top = self.results.topLevelItem(0)
        if top is not None and top.childCount():
            self.results.setCurrentItem(top.child(0))
            self.results.setFocus()

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        hit = item.data(0, HIT_ROLE)
        if hit is not None:
            self._open_hit(hit)

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if obj is self.query and ev.type() == QEvent.Type.KeyPress and ev.key() == Qt.Key.Key_Down:
            self._first_hit()
            return True
        return super().eventFilter(obj, ev)

    def keyPressEvent(self, ev) -> None:  # noqa: N802
        if ev.matches(QKeySequence.StandardKey.Find) or (ev.key() == Qt.Key.Key_F and ev.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.query.setFocus()
            self.query.selectAll()
            return
        super().keyPressEvent(ev)

    def open_search(self, text: str = "") -> None:
        """Show the dialog with the query selected (``text``: start from it)."""
        if text:
            self.query.setText(text)
        self.show()
        self.raise_()
        self.activateWindow()
        self.query.setFocus()
        self.query.selectAll()
