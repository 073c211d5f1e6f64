"""The Entities view: every actor and location with its mention count across
all documents; the selected entity's mentions in context, a click away.

Mentions are grouped by document (its title once, as a header row) and each
is one line: the text around it, the mention itself in bold, trimmed at both
ends to fit so the mention always shows."""

from __future__ import annotations

import unicodedata
import uuid
from itertools import groupby

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QFontMetrics, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ..core.grading import ACTOR_TYPES, LOCATION_TYPES
from ..core.model import Entity, LabelKind
from .models import ID_ROLE, SORT_ROLE, RowTableModel, TextFilterProxy
from .occurrences_dialog import one_line as _one_line
from .panels import _table

_Index = QModelIndex | QPersistentModelIndex
TYPE_LABELS = dict(ACTOR_TYPES + LOCATION_TYPES)
CONTEXT_ROLE = Qt.ItemDataRole.UserRole + 7  # (before, mention, after) of a mention row
HEADER_ROLE = Qt.ItemDataRole.UserRole + 8  # True on a document's header row


def is_rtl(text: str) -> bool:
    """True when the first strong character of ``text`` is right-to-left."""
    for ch in text:
        bidi = unicodedata.bidirectional(ch)
        if bidi in ("R", "AL"):
            return True
        if bidi == "L":
            return False
    return False


class MentionDelegate(QStyledItemDelegate):
    """Paints a mention row on one line: context, **mention**, context. The
    mention keeps its width (up to most of the row); the context on each side
    is trimmed with "…" away from it. Right-to-left text is drawn mirrored."""

    PAD = 6

    def paint(self, painter, option, index) -> None:
        parts = index.data(CONTEXT_ROLE)
        if not parts:
            super().paint(painter, option, index)
            return
        before, exact, after = parts
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        bold = QFont(opt.font)
        bold.setBold(True)
        plain_fm, bold_fm = QFontMetrics(opt.font), QFontMetrics(bold)
        rect = opt.rect.adjusted(self.PAD, 0, -self.PAD, 0)
        width = max(0, rect.width())
        exact_text = bold_fm.elidedText(exact, Qt.TextElideMode.ElideMiddle, int(width * 0.7))
        we = bold_fm.horizontalAdvance(exact_text)
        rest = max(0, width - we)
        wb_full, wa_full = plain_fm.horizontalAdvance(before), plain_fm.horizontalAdvance(after)
        if wb_full <= rest // 2:
            wb, wa = wb_full, rest - wb_full
        elif wa_full <= rest // 2:
            wa, wb = wa_full, rest - wa_full
        else:
            wb = rest // 2
            wa = rest - wb
        before_text = plain_fm.elidedText(before, Qt.TextElideMode.ElideLeft, wb)
        after_text = plain_fm.elidedText(after, Qt.TextElideMode.ElideRight, wa)
        wb, wa = plain_fm.horizontalAdvance(before_text), plain_fm.horizontalAdvance(after_text)
        rtl = is_rtl(exact) or (not exact.strip() and is_rtl(before + after))
        painter.save()
        painter.setPen(opt.palette.color(role))
        if rtl:
            painter.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        centre = Qt.AlignmentFlag.AlignVCenter
        x = rect.left()
        pieces = [(after_text, wa, opt.font), (exact_text, we, bold), (before_text, wb, opt.font)] if rtl else [
            (before_text, wb, opt.font), (exact_text, we, bold), (after_text, wa, opt.font)]  # fmt: skip
        for text, w, font in pieces:
            painter.setFont(font)
            painter.drawText(QRect(x, rect.top(), w + 1, rect.height()), int(centre | Qt.AlignmentFlag.AlignLeft), text)
            x += w
        painter.restore()

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        if index.data(CONTEXT_ROLE):
            size = QSize(0, QFontMetrics(option.font).height() + 6)  # as wide as the view: trimmed to fit
        return size


class EntityTableModel(RowTableModel):
    HEADERS = ["Name", "Kind", "Type", "Mentions", "Aliases"]

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Entity] = []
        self._counts: dict[uuid.UUID, int] = {}

    def set_entities(self, entities: list[Entity], counts: dict[uuid.UUID, int]) -> None:
        self.beginResetModel()
        self._rows = list(entities)
        self._counts = dict(counts)
        self.endResetModel()

    def row_of(self, entity_id: uuid.UUID) -> int:
        return next((i for i, e in enumerate(self._rows) if e.id == entity_id), -1)

    def entity(self, row: int) -> Entity:
        return self._rows[row]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        e: Entity | None = self._row(index)
        if e is None:
            return None
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            values = [
                e.name,
                "Actor" if e.kind is LabelKind.ACTOR else "Location",
                TYPE_LABELS.get(e.type, e.type),
                self._counts.get(e.id, 0),
                ", ".join(e.aliases),
            ]
            value = values[col]
            return value.casefold() if role == SORT_ROLE and isinstance(value, str) else value
        if role == ID_ROLE:
            return e.id
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [e.name]
            if e.aliases:
                lines.append("Also: " + ", ".join(e.aliases))
            if e.latitude is not None:
                lines.append(f"{e.latitude:.4f}, {e.longitude:.4f} {e.country_code}")
            if e.note:
                lines.append(e.note)
            return "\n".join(lines)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class EntitiesPanel(QWidget):
    mentionActivated = Signal(object, object)  # document id, annotation id
    editRequested = Signal(object)  # entity id
    mergeRequested = Signal(list)  # entity ids, the first is kept
    tagAllRequested = Signal(object)  # entity id
    entityChosen = Signal(object)  # entity id | None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = EntityTableModel(self)
        self.proxy = TextFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit(placeholderText="Filter entities (name, alias, type)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = _table(self.proxy)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 64), (2, 110), (3, 70), (4, 120)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.view.sortByColumn(3, Qt.SortOrder.DescendingOrder)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.doubleClicked.connect(lambda idx: self.editRequested.emit(idx.data(ID_ROLE)))
        self.edit_button = QPushButton("Edit…")
        self.merge_button = QPushButton("Merge…")
        self.merge_button.setToolTip("Merge the selected entities: choose the one kept and what it takes from the others (undoable)")
        self.tag_all_button = QPushButton("Tag all occurrences…")
        buttons = QHBoxLayout()
        for b in (self.edit_button, self.merge_button, self.tag_all_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.edit_button.clicked.connect(lambda: self._emit_current(self.editRequested))
        self.tag_all_button.clicked.connect(lambda: self._emit_current(self.tagAllRequested))
        self.merge_button.clicked.connect(lambda: self.mergeRequested.emit(self.selected_ids()))
        self.mentions = QListWidget()
        self.mentions.setWordWrap(False)
        self.mentions.setUniformItemSizes(False)
        self.mentions.setItemDelegate(MentionDelegate(self.mentions))
        self.mentions.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.mentions.itemActivated.connect(self._mention_activated)
        self.mentions.itemClicked.connect(self._mention_activated)
        self.mentions_title = QLabel("<b>Mentions</b>")

        top = QWidget()
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(0, 0, 0, 0)
        top_lay.addWidget(self.filter)
        top_lay.addWidget(self.view)
        top_lay.addLayout(buttons)
        bottom = QWidget()
        bottom_lay = QVBoxLayout(bottom)
        bottom_lay.setContentsMargins(0, 0, 0, 0)
        bottom_lay.addWidget(self.mentions_title)
        bottom_lay.addWidget(self.mentions)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([360, 240])
        self.split = split
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(split)
        self._update_buttons()

    def set_entities(self, entities: list[Entity], counts: dict[uuid.UUID, int]) -> None:
        keep = self.selected_ids()
        self.model.set_entities(entities, counts)
        for entity_id in keep:
            self.select(entity_id, add=True)
        self._update_buttons()

    def selected_ids(self) -> list[uuid.UUID]:
        rows = sorted(self.view.selectionModel().selectedRows(), key=lambda i: i.row())
        current = self.view.currentIndex()
        ids = [r.data(ID_ROLE) for r in rows]
        if current.isValid() and current.data(ID_ROLE) in ids:  # the current row is the merge target
            ids.remove(current.data(ID_ROLE))
            ids.insert(0, current.data(ID_ROLE))
        return ids

    def select(self, entity_id: uuid.UUID, add: bool = False) -> None:
        row = self.model.row_of(entity_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        flags = QItemSelectionModel.SelectionFlag.Rows | (
            QItemSelectionModel.SelectionFlag.Select if add else QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.view.scrollTo(index)

    def show_mentions(self, title: str, mentions) -> None:
        """The mentions (core.entities.Mention, by document then position):
        a header row per document, then one line per mention."""
        self.mentions.clear()
        docs = len({m.document_id for m in mentions})
        where = f" in {docs} documents" if docs > 1 else ""
        self.mentions_title.setText(
            f"<b>Mentions of {_html(title)}</b> ({len(mentions)}{where})" if title else "<b>Mentions</b>"
        )
        header_font = QFont(self.mentions.font())
        header_font.setBold(True)
        shade = QBrush(self.mentions.palette().color(QPalette.ColorRole.AlternateBase))
        for (_doc_id, doc_title), group in groupby(mentions, key=lambda m: (m.document_id, m.document_title)):
            group = list(group)
            header = QListWidgetItem(f"{doc_title} ({len(group)})")
            header.setFont(header_font)
            header.setBackground(shade)
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            header.setData(HEADER_ROLE, True)
            self.mentions.addItem(header)
            for m in group:
                before, exact, after = _one_line(m.before), " ".join(m.exact.split()), _one_line(m.after)
                item = QListWidgetItem(f"…{before}«{exact}»{after}…")
                cut = "…" if m.start > len(m.before) else ""  # nothing cut at the start of the text
                item.setData(CONTEXT_ROLE, (f"{cut}{before}", exact, f"{after}…"))
                item.setData(ID_ROLE, (m.document_id, m.annotation_id))
                item.setToolTip(f"{doc_title}, characters {m.start}–{m.end}\n…{before}«{exact}»{after}…")
                self.mentions.addItem(item)

    def mention_items(self) -> list[QListWidgetItem]:
        """The mention rows (not the document headers)."""
        items = [self.mentions.item(i) for i in range(self.mentions.count())]
        return [it for it in items if it.data(ID_ROLE) is not None]

    def _emit_current(self, signal) -> None:
        ids = self.selected_ids()
        if ids:
            signal.emit(ids[0])

    def _mention_activated(self, item: QListWidgetItem) -> None:
        if item.data(ID_ROLE) is None:  # a document's header
            return
        doc_id, ann_id = item.data(ID_ROLE)
        self.mentionActivated.emit(doc_id, ann_id)

    def _selection_changed(self, *_args) -> None:
        self._update_buttons()
        ids = self.selected_ids()
        self.entityChosen.emit(ids[0] if ids else None)

    def _update_buttons(self) -> None:
        n = len(self.selected_ids())
        self.edit_button.setEnabled(n == 1)
        self.tag_all_button.setEnabled(n == 1)
        self.merge_button.setEnabled(n >= 2)


def _html(text: str) -> str:
    import html

    return html.escape(text)
