"""Item models for the document list and the annotation panel."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from ..core.model import Annotation, DocumentSummary, Label, LabelKind, SpanRow

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
KIND_ROLE = Qt.ItemDataRole.UserRole + 3

_Index = QModelIndex | QPersistentModelIndex


def combo_index(combo, value) -> int:
    """Index of the item whose data equals ``value`` (0 if none). Unlike
    ``QComboBox.findData`` this compares Python values, so UUIDs match."""
    return next((i for i in range(combo.count()) if combo.itemData(i) == value), 0)


class RowTableModel(QAbstractTableModel):
    """A flat table over ``self._rows``, with ``HEADERS`` (and optional ``TIPS``)."""

    HEADERS: list[str] = []
    TIPS: list[str] = []

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole and self.TIPS:
                return self.TIPS[section] or self.HEADERS[section]
        return None

    def _row(self, index: _Index):
        """The row object behind ``index``, or None for an invalid index."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._rows[index.row()]


class DocumentListModel(RowTableModel):
    HEADERS = ["Title", "Source", "Date", "A", "C", "L"]
    TIPS = ["", "", "Published", "Actors", "Claims", "Locations"]

    def set_documents(self, docs: list[DocumentSummary]) -> None:
        self.beginResetModel()
        self._rows = list(docs)
        self.endResetModel()

    def row_of(self, doc_id: uuid.UUID) -> int:
        return next((i for i, d in enumerate(self._rows) if d.id == doc_id), -1)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        d: DocumentSummary | None = self._row(index)
        if d is None:
            return None
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            values = [d.title, d.source, d.published, d.counts.get("actor", 0), d.counts.get("claim", 0), d.counts.get("location", 0)]
            return values[col]
        if role == ID_ROLE:
            return d.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{d.title}\n{d.source} {d.published}\n{d.length:,} characters"
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class AnnotationTableModel(RowTableModel):
    """The current document's annotations; updated row by row on each edit."""

    HEADERS = ["Quote", "Label", "Entity", "Grading", "Creator", "Note", "Position"]

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[SpanRow | Annotation] = []
        self._pos: dict[uuid.UUID, int] = {}
        self._labels: dict[uuid.UUID, Label] = {}
        self._entity_name = lambda _id: ""
        self._grading: dict[uuid.UUID, str] = {}

    def set_lookups(self, labels: list[Label], entity_name) -> None:
        self._labels = {lb.id: lb for lb in labels}
        self._entity_name = entity_name
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.HEADERS) - 1))

    def set_gradings(self, codes: dict[uuid.UUID, str]) -> None:
        """Admiralty codes of the claims (e.g. ``B2``), shown in the Grading column."""
        changed = {k for k in codes.keys() | self._grading.keys() if codes.get(k) != self._grading.get(k)}
        self._grading = dict(codes)
        col = self.HEADERS.index("Grading")
        for ann_id in changed:
            row = self._pos.get(ann_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, col), self.index(row, col))

    def set_annotations(self, anns: list[SpanRow]) -> None:
        self.beginResetModel()
        self._rows = list(anns)
        self._reindex()
        self.endResetModel()

    def _reindex(self) -> None:
        self._pos = {a.id: i for i, a in enumerate(self._rows)}

    def annotation(self, row: int) -> SpanRow | Annotation:
        return self._rows[row]

    def row_of(self, ann_id: uuid.UUID) -> int:
        return self._pos.get(ann_id, -1)

    def put(self, ann: SpanRow | Annotation) -> None:
        row = self._pos.get(ann.id)
        if row is None:
            row = len(self._rows)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.append(ann)
            self._pos[ann.id] = row
            self.endInsertRows()
        else:
            self._rows[row] = ann
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def drop(self, ann_id: uuid.UUID) -> None:
        row = self._pos.get(ann_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._reindex()
        self.endRemoveRows()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        a = self._row(index)
        if a is None:
            return None
        col = index.column()
        label = self._labels.get(a.label_id)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return " ".join(a.exact.split())
            if col == 1:
                return label.name if label else "?"
            if col == 2:
                return self._entity_name(a.entity_id)
            if col == 3:
                return self._grading.get(a.id, "")
            if col == 4:
                return a.creator
            if col == 5:
                return a.note.splitlines()[0] if a.note else ""
            return a.start
        if role == SORT_ROLE:
            if col == 6:
                return a.start
            return (self.data(index) or "").casefold()
        if role == ID_ROLE:
            return a.id
        if role == KIND_ROLE:
            return label.kind.value if label else LabelKind.OTHER.value
        if role == Qt.ItemDataRole.DecorationRole and col == 1 and label:
            return QColor(label.color)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = a.exact if len(a.exact) < 400 else a.exact[:400] + "…"
            return tip + (f"\n\nNote: {a.note}" if a.note else "")
        return None


class KindFilterProxy(QSortFilterProxyModel):
    """Keeps one label kind (the Actors/Claims/Locations tabs). No Python
    override: with no kind set, Qt accepts every row without calling us."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFilterRole(KIND_ROLE)
        self.setFilterKeyColumn(0)

    def set_kind(self, kind: str | None) -> None:
        self.setFilterRegularExpression(f"^{kind}$" if kind else "")


class TextFilterProxy(QSortFilterProxyModel):
    """Sorts on click and filters on any column's text, case-insensitively."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)


