"""The Entities view: every actor and location with its mention count across
all documents; the selected entity's mentions in context, a click away."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..core.grading import ACTOR_TYPES, LOCATION_TYPES
from ..core.model import Entity, LabelKind
from .models import ID_ROLE, SORT_ROLE, RowTableModel, TextFilterProxy
from .panels import _table

_Index = QModelIndex | QPersistentModelIndex
TYPE_LABELS = dict(ACTOR_TYPES + LOCATION_TYPES)


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
        self.merge_button.setToolTip("Merge the selected entities into the first one; all mentions move (undoable)")
        self.tag_all_button = QPushButton("Tag all occurrences…")
        buttons = QHBoxLayout()
        for b in (self.edit_button, self.merge_button, self.tag_all_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.edit_button.clicked.connect(lambda: self._emit_current(self.editRequested))
        self.tag_all_button.clicked.connect(lambda: self._emit_current(self.tagAllRequested))
        self.merge_button.clicked.connect(lambda: self.mergeRequested.emit(self.selected_ids()))
        self.mentions = QListWidget()
        self.mentions.setWordWrap(True)
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
        split.setSizes([400, 220])
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
        self.mentions.clear()
        self.mentions_title.setText(f"<b>Mentions of {title}</b> ({len(mentions)})" if title else "<b>Mentions</b>")
        for m in mentions:
            before = " ".join(m.before.split())
            after = " ".join(m.after.split())
            item = QListWidgetItem(f"{m.document_title}\n…{before} «{m.exact}» {after}…")
            item.setData(ID_ROLE, (m.document_id, m.annotation_id))
            self.mentions.addItem(item)

    def _emit_current(self, signal) -> None:
        ids = self.selected_ids()
        if ids:
            signal.emit(ids[0])

    def _mention_activated(self, item: QListWidgetItem) -> None:
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
