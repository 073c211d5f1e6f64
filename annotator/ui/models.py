"""Item models for the document list and the annotation panel."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor

from ..core.grading import grading_code
from ..core.model import Annotation, DocumentSummary, Label, LabelKind, SpanRow, SpanTable

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
KIND_ROLE = Qt.ItemDataRole.UserRole + 3
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 4  # a document's source and date, under its title

# Roles as plain ints for the annotation table's data(), which views call for
# every role of every visible cell (an enum member lookup costs more than the answer).
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_ANSWERED = frozenset({_DISPLAY, _DECORATION, _TOOLTIP, int(ID_ROLE), int(SORT_ROLE), int(KIND_ROLE)})

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
        """The list; when it holds the same documents in the same order (an
        edit changed some counts), only the rows that changed are redrawn."""
        docs = list(docs)
        if [d.id for d in docs] != [d.id for d in self._rows]:
            self.beginResetModel()
            self._rows = docs
            self.endResetModel()
            return
        old, self._rows = self._rows, docs
        last = len(self.HEADERS) - 1
        for row, (before, after) in enumerate(zip(old, docs)):
            if before != after:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

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
        if role == SUBTITLE_ROLE:
            return " · ".join(m for m in (d.source, d.published) if m) if col == 0 else None
        if role == Qt.ItemDataRole.ToolTipRole:
            counts = f"{d.counts.get('actor', 0)} actors, {d.counts.get('claim', 0)} claims, {d.counts.get('location', 0)} locations"
            source = " · ".join(m for m in (d.source, d.published) if m)
            return "\n".join(x for x in (d.title, source, f"{d.length:,} characters; {counts}") if x)
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


_READ = object()  # AnnotationTableModel._light: the answer needs the row's other columns


class AnnotationTableModel(RowTableModel):
    """The current document's annotations; updated row by row on each edit.

    Filled from a :class:`SpanTable` without building a row object per
    annotation: ``_rows[i]`` holds the table's row number until a view asks
    for row ``i`` (then its :class:`SpanRow`), or the annotation an edit put
    there. Ids map to rows through ``ann_id.hex``, built on first use."""

    HEADERS = ["Quote", "Label", "Entity", "Grading", "Creator", "Note", "Position"]
    TIPS = ["", "", "The actor or location a mention refers to; for a claim, its source", "", "", "", ""]

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[SpanRow | Annotation | int] = []
        self._table = SpanTable()
        self._pos: dict[str, int] | None = {}
        self._labels: dict[uuid.UUID, Label] = {}
        self._entity_name = lambda _id: ""
        self._grading: dict[uuid.UUID, str] = {}
        self._sources: dict[uuid.UUID, uuid.UUID] = {}  # a claim's source entity, shown in the Entity column
        self._table_gradings = False  # gradings and sources come from the table's rows (see set_gradings)

    def set_lookups(self, labels: list[Label], entity_name) -> None:
        self._labels = {lb.id: lb for lb in labels}
        self._entity_name = entity_name
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(self.HEADERS) - 1))

    def set_gradings(self, codes: dict[uuid.UUID, str] | None, sources: dict[uuid.UUID, uuid.UUID] | None = None) -> None:
        """Admiralty codes of the claims (e.g. ``B2``), shown in the Grading
        column, and their sources' entities, shown in the Entity column (a
        claim has no entity of its own); None: those the loaded table reads
        with its rows (until codes are given, after an edit)."""
        if codes is None:
            self._grading, self._sources, self._table_gradings = {}, {}, self._table.lazy
            return
        sources = sources or {}
        if self._table_gradings:  # from now on the codes given are the truth
            self._table_gradings = False
            old = {uuid.UUID(h): grading_code(*g) for h, g in self._table.gradings.items()}
            old_sources = {uuid.UUID(h): s for h, s in self._table.sources.items()}
        else:
            old, old_sources = self._grading, self._sources
        changed = {k for k in codes.keys() | old.keys() if codes.get(k) != old.get(k)}
        changed |= {k for k in sources.keys() | old_sources.keys() if sources.get(k) != old_sources.get(k)}
        self._grading, self._sources = dict(codes), dict(sources)
        first, last = self.HEADERS.index("Entity"), self.HEADERS.index("Grading")
        positions = self._positions if changed else {}
        for ann_id in changed:
            row = positions.get(ann_id.hex)
            if row is not None:
                self.dataChanged.emit(self.index(row, first), self.index(row, last))

    def set_annotations(self, anns: SpanTable | list[SpanRow]) -> None:
        self.beginResetModel()
        if isinstance(anns, SpanTable):
            self._table = anns
            self._rows = list(range(len(anns)))
        else:
            self._table = SpanTable()
            self._rows = list(anns)
        self._table_gradings = self._table.lazy
        self._grading = {}
        self._pos = None  # built on first use: showing the rows needs no id lookup
        self.endResetModel()

    def _reindex(self) -> None:
        self._pos = None

    @property
    def _positions(self) -> dict[str, int]:
        """Row of each annotation, by ``ann_id.hex``."""
        if self._pos is None:
            ids = self._table.ids
            self._pos = {(ids[a] if type(a) is int else a.id.hex): i for i, a in enumerate(self._rows)}
        return self._pos

    def _row(self, index: _Index):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self.annotation(index.row())

    def annotation(self, row: int) -> SpanRow | Annotation:
        a = self._rows[row]
        if type(a) is int:
            a = self._rows[row] = self._table.row(a)
        return a

    def row_of(self, ann_id: uuid.UUID) -> int:
        return self._positions.get(ann_id.hex, -1)

    def put(self, ann: SpanRow | Annotation) -> None:
        key = ann.id.hex
        row = self._positions.get(key)
        if row is None:
            row = len(self._rows)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.append(ann)
            self._positions[key] = row
            self.endInsertRows()
        else:
            self._rows[row] = ann
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.HEADERS) - 1))

    def drop(self, ann_id: uuid.UUID) -> None:
        row = self._positions.get(ann_id.hex)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._reindex()
        self.endRemoveRows()

    def _light(self, i: int, col: int, role: int):
        """``data`` for row ``i`` of the table from its drawn columns, or ``_READ``."""
        t = self._table
        if role == ID_ROLE:
            return uuid.UUID(t.ids[i])
        if role == KIND_ROLE:
            label = self._labels.get(t.label_ids[i])
            return label.kind.value if label else LabelKind.OTHER.value
        if col == 6 and (role == _DISPLAY or role == SORT_ROLE):
            return t.starts[i]
        if col == 1 and (role == _DISPLAY or role == SORT_ROLE or role == _DECORATION):
            label = self._labels.get(t.label_ids[i])
            if role == _DECORATION:
                return QColor(label.color) if label else None
            name = label.name if label else "?"
            return name if role == _DISPLAY else name.casefold()
        if role == _DECORATION:
            return None
        return _READ

    def data(self, index: _Index, role: int = _DISPLAY):
        if role not in _ANSWERED or not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self._rows):
            return None
        col = index.column()
        a = self._rows[row]
        if type(a) is int:  # a loaded row: its id, label and position need no read of the rest
            light = self._light(a, col, role)
            if light is not _READ:
                return light
            a = self.annotation(row)
        if role == _DISPLAY:
            if col == 0:
                return " ".join(a.exact.split())
            if col == 1:
                label = self._labels.get(a.label_id)
                return label.name if label else "?"
            if col == 2:
                label = self._labels.get(a.label_id)
                if label is not None and label.kind is LabelKind.CLAIM:
                    source = self._table.sources.get(a.id.hex) if self._table_gradings else self._sources.get(a.id)
                    return self._entity_name(source) if source is not None else ""
                return self._entity_name(a.entity_id)
            if col == 3:
                if self._table_gradings:
                    graded = self._table.gradings.get(a.id.hex)
                    return grading_code(*graded) if graded else ""
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
            label = self._labels.get(a.label_id)
            return label.kind.value if label else LabelKind.OTHER.value
        if role == _DECORATION:
            label = self._labels.get(a.label_id) if col == 1 else None
            return QColor(label.color) if label else None
        if role == _TOOLTIP:
            tip = a.exact if len(a.exact) < 400 else a.exact[:400] + "…"
            return tip + (f"\n\nNote: {a.note}" if a.note else "")
        return None


ENTITY_COLUMN = AnnotationTableModel.HEADERS.index("Entity")


class KindFilterProxy(QSortFilterProxyModel):
    """Keeps one label kind (the Actors/Claims/Locations tabs). No Python
    override: with no kind set, Qt accepts every row without calling us."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFilterRole(KIND_ROLE)
        self.setFilterKeyColumn(0)
        self._kind: str | None = None

    def set_kind(self, kind: str | None) -> None:
        self._kind = kind
        self.setFilterRegularExpression(f"^{kind}$" if kind else "")
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, ENTITY_COLUMN, ENTITY_COLUMN)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        """On the Claims tab the Entity column says what it shows there: the source."""
        if section == ENTITY_COLUMN and orientation == Qt.Orientation.Horizontal and self._kind == "claim" \
                and role == Qt.ItemDataRole.DisplayRole:  # fmt: skip
            return "Source"
        return super().headerData(section, orientation, role)


class TextFilterProxy(QSortFilterProxyModel):
    """Sorts on click and filters on any column's text, case-insensitively."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)


