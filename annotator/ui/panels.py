"""Side panels: the document list, the annotation table and the details pane."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.model import Annotation, Label
from .claim_editor import ClaimEditor
from .models import ID_ROLE, combo_index, AnnotationTableModel, DocumentListModel, KindFilterProxy, TextFilterProxy


def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.horizontalHeader().setStretchLastSection(False)
    view.setWordWrap(False)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return view


class DocumentPanel(QWidget):
    documentChosen = Signal(object)  # uuid

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = DocumentListModel(self)
        self.proxy = TextFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit(placeholderText="Filter documents")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = _table(self.proxy)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(24)
        for col, width in ((1, 72), (2, 58), (3, 28), (4, 28), (5, 28)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(QLabel("<b>Documents</b>"))
        lay.addWidget(self.filter)
        lay.addWidget(self.view)
        self._quiet = False

    def set_documents(self, docs, current: uuid.UUID | None) -> None:
        self._quiet = True
        try:
            self.model.set_documents(docs)
            self.select(current)
        finally:
            self._quiet = False

    def select(self, doc_id: uuid.UUID | None) -> None:
        row = self.model.row_of(doc_id) if doc_id else -1
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self._quiet = True
            try:
                self.view.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                )
            finally:
                self._quiet = False

    def _current_changed(self, current, _previous) -> None:
        if not self._quiet and current.isValid():
            self.documentChosen.emit(current.data(ID_ROLE))


class AnnotationPanel(QWidget):
    """Tabs All / Actors / Claims / Locations over one sortable, filterable table."""

    annotationChosen = Signal(object)  # uuid | None

    TABS = [("All", None), ("Actors", "actor"), ("Claims", "claim"), ("Locations", "location")]

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = AnnotationTableModel(self)
        self.kind_proxy = KindFilterProxy(self)
        self.kind_proxy.setSourceModel(self.model)
        self.proxy = TextFilterProxy(self)
        self.proxy.setSourceModel(self.kind_proxy)
        self.tabs = QTabBar()
        for name, _kind in self.TABS:
            self.tabs.addTab(name)
        self.tabs.currentChanged.connect(lambda i: self.kind_proxy.set_kind(self.TABS[i][1]))
        self.filter = QLineEdit(placeholderText="Filter annotations (quote, label, entity, analyst, note)")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = _table(self.proxy)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        for col, width in ((0, 190), (1, 70), (2, 120), (3, 54), (4, 80), (5, 80), (6, 56)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        # Rows arrive in text order; sorting waits until a header is clicked,
        # so opening a 10,000-annotation document does not sort 10,000 rows.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.clicked.connect(lambda idx: self.annotationChosen.emit(idx.data(ID_ROLE)))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(QLabel("<b>Annotations</b>"))
        lay.addWidget(self.tabs)
        lay.addWidget(self.filter)
        lay.addWidget(self.view)
        self._quiet = False

    def selected_ids(self) -> list[uuid.UUID]:
        rows = self.view.selectionModel().selectedRows()
        return [r.data(ID_ROLE) for r in rows]

    def select(self, ann_id: uuid.UUID | None) -> None:
        row = self.model.row_of(ann_id) if ann_id else -1
        if row < 0:
            self.view.clearSelection()
            return
        index = self._view_index(row)
        if not index.isValid():  # hidden by the tab or the filter: show all
            self.tabs.setCurrentIndex(0)
            self.filter.clear()
            index = self._view_index(row)
        self._quiet = True
        try:
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            )
            self.view.scrollTo(index)
        finally:
            self._quiet = False

    def _view_index(self, row: int):
        return self.proxy.mapFromSource(self.kind_proxy.mapFromSource(self.model.index(row, 0)))

    def _current_changed(self, current, _previous) -> None:
        if not self._quiet:
            self.annotationChosen.emit(current.data(ID_ROLE) if current.isValid() else None)


class DetailsPane(QWidget):
    """The selected annotation: label (changeable), entity, note (edited in place)."""

    labelChosen = Signal(object, object)  # annotation id, label id
    noteEdited = Signal(object, str)  # annotation id, note
    editEntity = Signal(object)  # entity id
    tagAllOccurrences = Signal(object)  # entity id

    def __init__(self, parent=None):
        super().__init__(parent)
        self.ann: Annotation | None = None
        self.quote = QLabel(wordWrap=True)
        self.quote.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label = QComboBox()
        self.entity = QLabel()
        self.entity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.entity_edit = QPushButton("Edit…")
        self.entity_edit.setToolTip("Edit the entity: name, type, aliases, note, coordinates")
        self.tag_all = QPushButton("Tag all…")
        self.tag_all.setToolTip("Find the other mentions of this entity's name and aliases and tag them")
        entity_row = QHBoxLayout()
        entity_row.addWidget(self.entity, 1)
        entity_row.addWidget(self.entity_edit)
        entity_row.addWidget(self.tag_all)
        self.claim = ClaimEditor()
        self.claim.hide()
        self.note = QPlainTextEdit(placeholderText="Note (Ctrl+Enter to save)")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(110)
        self.save_note = QPushButton("Save note")
        self.save_note.setEnabled(False)
        self.meta = QLabel(wordWrap=True)
        self.meta.setStyleSheet("color: palette(mid)")
        form = QFormLayout()
        form.addRow("Quote", self.quote)
        form.addRow("Label", self.label)
        form.addRow("Entity", entity_row)
        self._entity_row = (form, entity_row)  # hidden where there is no entity (a claim)
        form.addRow("Note", self.note)
        form.addRow("", self.save_note)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(QLabel("<b>Details</b>"))
        lay.addLayout(form)
        lay.addWidget(self.meta)
        lay.addWidget(self.claim)
        lay.addStretch(1)
        self.label.activated.connect(self._label_activated)
        self.note.textChanged.connect(self._note_changed)
        self.save_note.clicked.connect(self.commit_note)
        self.entity_edit.clicked.connect(lambda: self.ann and self.ann.entity_id and self.editEntity.emit(self.ann.entity_id))
        self.tag_all.clicked.connect(lambda: self.ann and self.ann.entity_id and self.tagAllOccurrences.emit(self.ann.entity_id))
        self.note.installEventFilter(self)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self.note, self.commit_note, context=Qt.ShortcutContext.WidgetShortcut)
        self.show_annotation(None, [], "")

    def set_labels(self, labels: list[Label]) -> None:
        self.label.clear()
        for lb in labels:
            self.label.addItem(lb.name, lb.id)

    def show_annotation(self, ann: Annotation | None, labels: list[Label], entity: str) -> None:
        if self.ann is not None and ann is not None and self.ann.id != ann.id:
            self.commit_note()  # leaving an annotation keeps what was typed
            self.claim.commit_pending()
        self.ann = ann
        enabled = ann is not None
        for w in (self.label, self.note):
            w.setEnabled(enabled)
        has_entity = bool(ann is not None and ann.entity_id)
        self.entity_edit.setVisible(has_entity)
        self.tag_all.setVisible(has_entity)
        self._entity_row[0].setRowVisible(self._entity_row[1], has_entity)
        if labels:
            self.set_labels(labels)
        if ann is None:
            self.quote.setText("<i>Select an annotation in the text or the table.</i>")
            self.entity.setText("")
            self.note.blockSignals(True)
            self.note.setPlainText("")
            self.note.blockSignals(False)
            self.meta.setText("")
            self.save_note.setEnabled(False)
            return
        quote = ann.exact if len(ann.exact) <= 300 else ann.exact[:300] + "…"
        self.quote.setText(quote)
        self.label.setCurrentIndex(combo_index(self.label, ann.label_id))
        self.entity.setText(entity or "—")
        if self.note.toPlainText() != ann.note:
            self.note.blockSignals(True)
            self.note.setPlainText(ann.note)
            self.note.blockSignals(False)
        self.save_note.setEnabled(False)
        self.meta.setText(
            f"By {ann.creator or 'unknown'} · created {ann.created:%Y-%m-%d %H:%M} UTC · "
            f"modified {ann.modified:%Y-%m-%d %H:%M} UTC · characters {ann.start}–{ann.end}"
        )

    def _label_activated(self, index: int) -> None:
        if self.ann is not None and self.label.itemData(index) != self.ann.label_id:
            self.labelChosen.emit(self.ann.id, self.label.itemData(index))

    def _note_changed(self) -> None:
        self.save_note.setEnabled(self.ann is not None and self.note.toPlainText() != self.ann.note)

    def commit_note(self) -> None:
        if self.ann is not None and self.note.toPlainText() != self.ann.note:
            self.noteEdited.emit(self.ann.id, self.note.toPlainText())

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if obj is self.note and ev.type() == QEvent.Type.FocusOut:
            self.commit_note()
        return super().eventFilter(obj, ev)
