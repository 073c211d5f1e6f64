"""Side panels: the document list, the annotation table and the details pane."""

from __future__ import annotations

import heapq
import uuid

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, QRect, QSettings, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeySequence, QPalette, QShortcut, QTextLayout
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.model import Annotation, Label
from .claim_editor import ClaimEditor
from .colours import MutedLabel, muted_text
from .editing_session import EditingSession
from .models import ID_ROLE, SUBTITLE_ROLE, combo_index, AnnotationTableModel, DocumentListModel, KindFilterProxy, TextFilterProxy


def _table(model, lines: int = 1) -> QTableView:
    """A read-only, sortable table of rows ``lines`` text lines high (more
    than one: the text wraps, the last line cut with "…")."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().lineSpacing() * lines + 6)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.horizontalHeader().setStretchLastSection(False)
    view.horizontalHeader().setHighlightSections(False)
    view.setWordWrap(lines > 1)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    return view


class ColumnChooser(QObject):
    """Show or hide a table's columns from its header's context menu; the
    hidden ones are remembered in the settings (``key``) once :meth:`restore` gave them."""

    changed = Signal()

    def __init__(self, view: QTableView, key: str, default_hidden: tuple[str, ...] = (), fixed: tuple[int, ...] = (0,)):
        super().__init__(view)
        self.view, self.key, self.fixed = view, key, set(fixed)
        self.settings: QSettings | None = None
        header = view.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(lambda pos: self.menu().exec(header.mapToGlobal(pos)))
        self._apply(set(default_hidden))

    def names(self) -> list[str]:
        model = self.view.model()
        return [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]

    def hidden(self) -> list[str]:
        header = self.view.horizontalHeader()
        return [name for c, name in enumerate(self.names()) if header.isSectionHidden(c)]

    def _apply(self, hidden: set[str]) -> None:
        header = self.view.horizontalHeader()
        for c, name in enumerate(self.names()):
            header.setSectionHidden(c, name in hidden and c not in self.fixed)

    def restore(self, settings: QSettings) -> None:
        self.settings = settings
        if settings.contains(self.key):
            self._apply(set(settings.value(self.key, [], type=list)))

    def set_visible(self, name: str, visible: bool) -> None:
        names = self.names()
        if name not in names or names.index(name) in self.fixed:
            return
        self.view.horizontalHeader().setSectionHidden(names.index(name), not visible)
        if self.settings is not None:
            self.settings.setValue(self.key, self.hidden())
        self.changed.emit()

    def menu(self) -> QMenu:
        """One checkable entry per column (the first column always shows)."""
        menu = QMenu(self.view)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        header = self.view.horizontalHeader()
        for c, name in enumerate(self.names()):
            act = menu.addAction(name)
            tip = self.view.model().headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
            if tip and tip != name:
                act.setText(f"{name} — {tip}")
            act.setCheckable(True)
            act.setChecked(not header.isSectionHidden(c))
            act.setEnabled(c not in self.fixed)
            act.toggled.connect(lambda on, n=name: self.set_visible(n, on))
        return menu


def _fit(view: QTableView, texts, cap: int, extra: int = 0) -> int:
    """Width for a column showing ``texts``: the widest, plus padding, at most
    ``cap``. Only the longest few are measured (thousands of entity names on
    each edit would cost a key press milliseconds)."""
    fm = view.fontMetrics()
    texts = [t for t in texts if t]
    if len(texts) > 24:
        texts = heapq.nlargest(24, texts, key=len)
    widest = max((fm.horizontalAdvance(t) for t in texts), default=0)
    return min(cap, widest + 18 + extra)


def wrapped_lines(text: str, fm: QFontMetrics, width: int, most: int) -> list[str]:
    """``text`` broken into lines of ``width`` pixels at word boundaries,
    at most ``most`` of them, the last cut with "…" if the text goes on."""
    layout = QTextLayout(text, fm.font() if hasattr(fm, "font") else QApplication.font())
    layout.beginLayout()
    lines: list[str] = []
    try:
        while len(lines) < most:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(1, width))
            start = line.textStart()
            if len(lines) == most - 1:
                lines.append(fm.elidedText(" ".join(text[start:].split()), Qt.TextElideMode.ElideRight, width))
                break
            lines.append(text[start : start + line.textLength()].rstrip())
    finally:
        layout.endLayout()
    return lines


class DocumentDelegate(QStyledItemDelegate):
    """A document's title on up to two lines (cut with "…"), its source and
    date under it in the secondary colour; right-to-left titles set right to left."""

    TITLE_LINES = 2

    def paint(self, painter, option, index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title, opt.text = opt.text, ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget).adjusted(2, 2, -2, -2)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        text_colour = opt.palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        sub_colour = text_colour if selected else muted_text(opt.palette, QPalette.ColorRole.Base)
        fm = QFontMetrics(opt.font)
        from .entities_panel import is_rtl  # (entities_panel imports this module)

        align = Qt.AlignmentFlag.AlignVCenter | (Qt.AlignmentFlag.AlignRight if is_rtl(title) else Qt.AlignmentFlag.AlignLeft)
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(text_colour)
        y = rect.top()
        for line in wrapped_lines(title, fm, rect.width(), self.TITLE_LINES):
            painter.drawText(QRect(rect.left(), y, rect.width(), fm.lineSpacing()), int(align), line)
            y += fm.lineSpacing()
        subtitle = index.data(SUBTITLE_ROLE)
        if subtitle:
            painter.setPen(sub_colour)
            painter.drawText(QRect(rect.left(), y, rect.width(), fm.lineSpacing()), int(align),
                             fm.elidedText(subtitle, Qt.TextElideMode.ElideRight, rect.width()))  # fmt: skip
        painter.restore()


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
        # The title takes the width the narrow counts leave: up to two lines
        # (the tooltip has it all), its source and date under it, so the
        # Source and Date columns are hidden until the header's menu shows them.
        self.view = _table(self.proxy, lines=DocumentDelegate.TITLE_LINES + 1)
        self.view.setItemDelegateForColumn(0, DocumentDelegate(self.view))
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.view.horizontalHeader()
        header.setMinimumSectionSize(20)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        digits = _fit(self.view, ["888"], 60, -8)
        for col, width in ((1, _fit(self.view, ["The National"], 110)), (2, _fit(self.view, ["2025-06-23"], 90)),
                           (3, digits), (4, digits), (5, digits)):  # fmt: skip
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(col, width)
        self.columns = ColumnChooser(self.view, "columns/documents_hidden", ("Source", "Date"))
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
        # The quote takes what the other columns leave; they fit their
        # contents up to a cap (fit_columns), cut with "…" beyond it. Creator,
        # note and position are hidden until the header's menu shows them.
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, len(AnnotationTableModel.HEADERS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(3, _fit(self.view, ["Grading"], 80))
        header.resizeSection(5, 140)
        header.resizeSection(6, _fit(self.view, ["Position", "88888"], 80))
        self.fit_columns([], [], [])
        self.columns = ColumnChooser(self.view, "columns/annotations_hidden", ("Creator", "Note", "Position"))
        # Rows arrive in text order; sorting waits until a header is clicked,
        # so opening a 10,000-annotation document does not sort 10,000 rows.
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.clicked.connect(lambda idx: self.annotationChosen.emit(idx.data(ID_ROLE)))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(3)
        lay.addWidget(self.tabs)  # the tab above already says "Annotations"
        lay.addWidget(self.filter)
        lay.addWidget(self.view)
        self._quiet = False

    def fit_columns(self, labels: list[str], entities: list[str], creators: list[str], *, grow_only: bool = False) -> None:
        """Label, entity and creator columns as wide as their longest value
        (the label with its colour swatch), within a cap; ``grow_only``:
        never narrower than now (a width the analyst chose stays)."""
        header = self.view.horizontalHeader()
        swatch = self.view.iconSize().width() if self.view.iconSize().width() > 0 else 16
        for col, texts, cap, extra in ((1, labels, 130, swatch + 4), (2, entities, 160, 0), (4, creators, 130, 0)):
            name = AnnotationTableModel.HEADERS[col]
            width = max(_fit(self.view, [name], cap), _fit(self.view, texts, cap, extra))
            if not grow_only or width > header.sectionSize(col):
                header.resizeSection(col, width)

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
    """The selected annotation: label (changeable), entity, note (edited in
    place, saved as it is typed: see :mod:`.editing_session`)."""

    labelChosen = Signal(object, object)  # annotation id, label id
    noteEdited = Signal(object, str, int)  # annotation id, note, editing session (one undo step)
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
        self.note = QPlainTextEdit(placeholderText="Note (saved as you type)")
        self.note.setTabChangesFocus(True)
        self.note.setMaximumHeight(84)  # four lines
        self.save_note = QPushButton("Save note")
        self.save_note.setEnabled(False)
        self._typing = EditingSession(self._save_note, self)
        self.meta = MutedLabel(wordWrap=True)  # readable in light and dark palettes (palette(mid) was not)
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Nothing selected: a line saying what to do, not disabled fields with old values.
        self.empty = MutedLabel(
            "Select an annotation in the text or the table to see and change its label, entity and note here; "
            "select text and press A, C or L to tag it.",
            wordWrap=True,
        )
        self.empty.setContentsMargins(4, 8, 4, 8)
        self.body = QWidget()
        form = QFormLayout(self.body)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Quote", self.quote)
        form.addRow("Label", self.label)
        form.addRow("Entity", entity_row)
        self._entity_row = (form, entity_row)  # hidden where there is no entity (a claim)
        # The claim editor comes right after the label: the fields used on every
        # claim are in view at 1366x768, and in the same place for each claim.
        self.notes = QWidget()
        notes = QFormLayout(self.notes)
        notes.setContentsMargins(0, 0, 0, 0)
        notes.addRow("Note", self.note)
        notes.addRow("", self.save_note)
        notes.addRow(self.meta)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(QLabel("<b>Details</b>"))
        lay.addWidget(self.empty)
        lay.addWidget(self.body)
        lay.addWidget(self.claim)
        lay.addWidget(self.notes)
        lay.addStretch(1)
        self.label.activated.connect(self._label_activated)
        self.note.textChanged.connect(self._note_changed)
        self.save_note.clicked.connect(self.commit_note)
        self.entity_edit.clicked.connect(lambda: self.ann and self.ann.entity_id and self.editEntity.emit(self.ann.entity_id))
        self.tag_all.clicked.connect(lambda: self.ann and self.ann.entity_id and self.tagAllOccurrences.emit(self.ann.entity_id))
        self.note.installEventFilter(self)
        # The context is set afterwards: PySide6 6.11 ignores QShortcut's
        # context= keyword, which made Ctrl+Enter save the note from anywhere
        # in the window (and made it ambiguous with the reader's own Ctrl+Enter).
        self.shortcuts = []
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.note, self.commit_note)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            self.shortcuts.append(shortcut)
        self.show_annotation(None, [], "")

    def set_labels(self, labels: list[Label]) -> None:
        self.label.clear()
        for lb in labels:
            self.label.addItem(lb.name, lb.id)

    def show_annotation(self, ann: Annotation | None, labels: list[Label], entity: str) -> None:
        if self.ann is not None and ann is not None and self.ann.id != ann.id:
            self.commit_pending()  # leaving an annotation keeps what was typed
        elif ann is None:
            # Cleared: its document was left (the window saved the typing
            # before opening another) or it was deleted (nothing to save to).
            self._typing.drop()
            self.claim.drop_pending()
        self.ann = ann
        self.empty.setVisible(ann is None)
        self.body.setVisible(ann is not None)
        self.notes.setVisible(ann is not None)
        if ann is None:
            self.claim.hide()
        has_entity = bool(ann is not None and ann.entity_id)
        self.entity_edit.setVisible(has_entity)
        self.tag_all.setVisible(has_entity)
        self._entity_row[0].setRowVisible(self._entity_row[1], has_entity)
        if labels:
            self.set_labels(labels)
        if ann is None:
            self.quote.setText("")
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
        if self.note.toPlainText() != ann.note and not self._typing.pending:  # typed text stays
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
        if self.ann is not None:
            self._typing.typed()

    def _save_note(self, session: int) -> None:
        if self.ann is not None and self.note.toPlainText() != self.ann.note:
            self.noteEdited.emit(self.ann.id, self.note.toPlainText(), session)

    def commit_note(self) -> None:
        """Save the note now and end its editing session (Ctrl+Enter, Save, focus out)."""
        self._typing.end()

    def commit_pending(self) -> None:
        """Save whatever is being typed here, note or rationale, ending its
        session: before another annotation or document is shown, an undo, closing."""
        self.commit_note()
        self.claim.commit_pending()

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if obj is self.note and ev.type() == QEvent.Type.FocusOut:
            self.commit_note()
        return super().eventFilter(obj, ev)
