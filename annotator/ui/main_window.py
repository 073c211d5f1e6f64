"""The main window: documents on the left, the reader in the middle,
annotations and details on the right."""

from __future__ import annotations

import gc
import html
import uuid
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import AnnotatorError
from ..core.model import Direction, LabelKind
from ..core.offsets import grapheme_bounds, word_bounds
from ..core.services import Change
from ..io.documents import LOADERS
from .brief_dialog import BriefDialog
from .controller import DeskController
from .document_dialog import DocumentDialog
from .legend import LegendDialog
from .entities_panel import EntitiesPanel
from .entity_dialog import EntityDialog
from .occurrences_dialog import OccurrencesDialog
from .panels import AnnotationPanel, DetailsPane, DocumentPanel
from .place_suggestions import PlaceSuggestions
from .reader import ReaderPane
from .sharing import AgreementDialog, ConflictsDialog, MergePreviewDialog
from .workers import BackgroundTask

IMPORT_FILTER = "Documents ({});;All files (*)".format(" ".join(f"*{suffix}" for suffix in LOADERS))
DB_FILTER = "Annotator databases (*.db *.sqlite);;All files (*)"
QDPX_FILTER = "REFI-QDA projects (*.qdpx);;All files (*)"
ANNOTATIONS_IN_FILTER = "Annotations (*.json *.jsonld *.ann);;W3C Web Annotation (*.json *.jsonld);;brat standoff (*.ann);;All files (*)"
ANNOTATIONS_OUT_FILTER = "W3C Web Annotation (*.json);;CSV (*.csv);;brat standoff (*.ann)"
MAX_RECENT = 8
SK = QKeySequence.StandardKey


@contextmanager
def bulk_load():
    """No cyclic GC while tens of thousands of rows are built (they hold no
    cycles); a collection mid-load would scan them all for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def app_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Annotator", "Annotator")


class MainWindow(QMainWindow):
    def __init__(self, controller: DeskController | None = None):
        super().__init__()
        self.ctl = controller or DeskController(self)
        self.settings = app_settings()
        self.setAcceptDrops(True)
        self.setMinimumSize(720, 480)

        self.documents = DocumentPanel()
        self.pane = ReaderPane()
        self.reader = self.pane.reader
        self.reader.setAcceptDrops(False)
        self.annotations = AnnotationPanel()
        self.details = DetailsPane()

        self.entities = EntitiesPanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.annotations, "Annotations")
        self.tabs.addTab(self.entities, "Entities")
        details_scroll = QScrollArea()
        details_scroll.setWidgetResizable(True)
        details_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        details_scroll.setWidget(self.details)
        self.place_strip = PlaceSuggestions(self.reader)  # gazetteer matches for a location just created
        details_box = QWidget()
        details_lay = QVBoxLayout(details_box)
        details_lay.setContentsMargins(0, 0, 0, 0)
        details_lay.setSpacing(2)
        details_lay.addWidget(self.place_strip)
        details_lay.addWidget(details_scroll, 1)
        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.addWidget(self.tabs)
        self.right.addWidget(details_box)
        self.right.setSizes([310, 490])  # the details hold the claim editor's common fields without scrolling
        self._entities_dirty = True
        self._right_sizes: dict[bool, list[int]] = {}  # the right column's sizes per tab (True: Entities)
        self._marker: tuple | None = None
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.documents)
        self.splitter.addWidget(self.pane)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([310, 560, 530])
        self.setCentralWidget(self.splitter)

        self.tag_actions: dict[uuid.UUID, QAction] = {}
        self._build_actions()
        self._connect()
        self.statusBar().showMessage("Ready")
        self.reader.describe = self._describe
        self.reader.context_actions = self._reader_context_actions
        self._restore_window()

    # --- actions and menus ------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, list):
                act.setShortcuts(shortcut)
            else:
                act.setShortcut(shortcut)
        if tip:
            act.setStatusTip(tip)
            act.setToolTip(f"{tip} ({act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})" if shortcut else tip)
        act.triggered.connect(slot)
        return act

    def _build_actions(self) -> None:
        a = self._action
        self.act_new_db = a("&New database…", self.new_database, SK.New, "Create a new, empty database")
        self.act_open_db = a("&Open database…", self.choose_database, SK.Open, "Open another database")
        self.act_import = a("&Import documents…", self.choose_imports, QKeySequence("Ctrl+I"), "Import text, Markdown, Word or HTML files")
        self.act_import_anns = a("Import &annotations…", self.choose_annotation_import, QKeySequence("Ctrl+Shift+I"),
                                 "Import W3C Web Annotation (.json) or brat (.ann) annotations into the open document")  # fmt: skip
        self.act_export_anns = a("E&xport annotations…", self.choose_annotation_export, None,
                                 "Export the open document's annotations as W3C JSON, CSV or brat standoff")  # fmt: skip
        self.act_brief = a("Export &brief…", self.export_brief, QKeySequence("Ctrl+Shift+E"), "Write a Word brief of the annotated documents")
        self.act_qdpx = a("Export REFI-QDA &project (.qdpx)…", self.export_qdpx, None, "Write every document and its coding as a REFI-QDA project for QDA tools")
        self.act_merge = a("&Merge database…", self.merge_database, QKeySequence("Ctrl+Shift+M"), "Merge a colleague's database into this one, with a preview")
        self.act_share = a("&Share documents…", self.share_documents, None, "Write a new database with only the chosen documents (need-to-know)")
        self.act_conflicts = a("Merge &conflicts…", self.show_conflicts, None, "Review rows changed on both sides by a merge")
        self.act_agreement = a("A&greement between analysts…", self.show_agreement, None, "Span F1 and Cohen's kappa between two analysts on this document")
        self.act_reload = a("&Reload", self.reload, SK.Refresh, "Reload from the database (shows a colleague's or the CLI's changes)")
        self.act_quit = a("&Quit", self.close, SK.Quit)
        self.act_undo = self.ctl.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(SK.Undo)
        self.act_redo = self.ctl.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcut(SK.Redo)
        self.act_delete = a("&Delete annotation", self.delete_selected, SK.Delete, "Delete the selected annotation")
        self.act_find = a("&Find in document…", self.pane.find_bar.open_bar, SK.Find, "Find in document")
        self.act_find_next = a("Find &next", self.pane.find_bar.step_forward, SK.FindNext)
        self.act_find_prev = a("Find &previous", self.pane.find_bar.step_back, SK.FindPrevious)
        self.act_zoom_in = a("Zoom &in", lambda: self.zoom(+1), SK.ZoomIn, "Larger reader text")
        self.act_zoom_out = a("Zoom &out", lambda: self.zoom(-1), SK.ZoomOut, "Smaller reader text")
        self.act_zoom_reset = a("&Actual size", lambda: self.zoom(0), QKeySequence("Ctrl+0"))
        self.act_doc_props = a("Document &properties…", self.edit_document_properties, QKeySequence("Alt+Return"),
                               "Correct the open document's title, source, date, address, language and description")  # fmt: skip
        self.act_rtl = a("&Right-to-left document", self.toggle_direction, QKeySequence("Ctrl+Shift+R"))
        self.act_rtl.setCheckable(True)
        self.act_snap = a("&Snap selections to whole words", self._snap_toggled)
        self.act_snap.setCheckable(True)
        self.act_snap.setChecked(self.settings.value("snap_words", True, type=bool))
        self.act_legend = a("&Legend…", self.show_legend, QKeySequence("F1"), "Label colours and keys")
        self.act_edit_entity = a(
            "&Edit entity…", lambda: self._with_entity(self.edit_entity), QKeySequence("Ctrl+E"),
            "Edit the selected mention's entity: name, type, aliases, coordinates",
        )  # fmt: skip
        self.act_tag_all = a(
            "Tag &all occurrences…", lambda: self._with_entity(self.tag_all_occurrences), QKeySequence("Ctrl+Shift+A"),
            "Find and tag the other mentions of the selected entity's name and aliases",
        )  # fmt: skip
        self.act_show_annotations = a("&Annotations", lambda: self.tabs.setCurrentWidget(self.annotations), QKeySequence("Ctrl+1"))
        self.act_show_entities = a("&Entities", lambda: self.tabs.setCurrentWidget(self.entities), QKeySequence("Ctrl+2"))
        self.act_about = a("&About Annotator", self.about)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for act in (self.act_new_db, self.act_open_db):
            file_menu.addAction(act)
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addSeparator()
        file_menu.addAction(self.act_import)
        file_menu.addAction(self.act_import_anns)
        file_menu.addAction(self.act_export_anns)
        file_menu.addAction(self.act_brief)
        file_menu.addAction(self.act_qdpx)
        file_menu.addSeparator()
        file_menu.addAction(self.act_merge)
        file_menu.addAction(self.act_share)
        file_menu.addSeparator()
        file_menu.addAction(self.act_reload)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit_menu = bar.addMenu("&Edit")
        for act in (self.act_undo, self.act_redo, None, self.act_delete, None, self.act_find, self.act_find_next,
                    self.act_find_prev, None, self.act_doc_props, self.act_conflicts, None, self.act_snap):  # fmt: skip
            edit_menu.addSeparator() if act is None else edit_menu.addAction(act)
        self.tag_menu = bar.addMenu("&Tag")
        view_menu = bar.addMenu("&View")
        for act in (self.act_show_annotations, self.act_show_entities, None, self.act_zoom_in, self.act_zoom_out,
                    self.act_zoom_reset, None, self.act_rtl, None, self.act_agreement, self.act_legend):  # fmt: skip
            view_menu.addSeparator() if act is None else view_menu.addAction(act)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.act_legend)
        help_menu.addAction(self.act_about)

        self.toolbar = QToolBar("Main")
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(self.toolbar)
        for act in (self.act_import, None, self.act_undo, self.act_redo, None):
            self.toolbar.addSeparator() if act is None else self.toolbar.addAction(act)
        self._tag_anchor = self.toolbar.addSeparator()  # tag actions go before it
        for act in (self.act_delete, self.act_find, None, self.act_zoom_out, self.act_zoom_in, None, self.act_legend):
            self.toolbar.addSeparator() if act is None else self.toolbar.addAction(act)

    def _rebuild_tag_actions(self) -> None:
        """One action per label: A/C/L for the three kinds, 1–9 for the others.
        Alt with the key tags the exact selection without snapping to words."""
        for act in self.tag_actions.values():
            self.reader.removeAction(act)
            self.toolbar.removeAction(act)
            act.deleteLater()
        self.tag_actions = {}
        self.tag_menu.clear()
        number = 1
        for label in self.ctl.labels():
            key = label.shortcut if label.kind is not LabelKind.OTHER and label.shortcut else ""
            if not key and number <= 9:
                key, number = str(number), number + 1
            act = QAction(f"Tag as {label.name}", self)
            act.setData(label.id)
            if key:
                act.setShortcuts([QKeySequence(key), QKeySequence(f"Alt+{key}")])
                act.setToolTip(f"Tag the selection as {label.name} ({key})")
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            act.triggered.connect(lambda _checked=False, lid=label.id: self.tag_selection(lid))
            self.reader.addAction(act)
            self.tag_menu.addAction(act)
            self.tag_actions[label.id] = act
        self.tag_menu.addSeparator()
        self.tag_menu.addAction(self.act_edit_entity)
        self.tag_menu.addAction(self.act_tag_all)
        self.toolbar.insertActions(self._tag_anchor, list(self.tag_actions.values()))

    def _reader_context_actions(self) -> list:
        return [*self.tag_actions.values(), None, self.act_edit_entity, self.act_tag_all, self.act_delete]

    def _with_entity(self, action) -> None:
        """Run ``action(entity_id)`` for the selected annotation's entity."""
        ann = self.details.ann
        if ann is None or ann.entity_id is None:
            self.statusBar().showMessage("Select an actor or location mention first.", 4000)
            return
        action(ann.entity_id)

    # --- wiring -----------------------------------------------------------------------

    def _connect(self) -> None:
        c = self.ctl
        c.databaseOpened.connect(self._database_opened)
        c.documentsChanged.connect(self._refresh_documents)
        c.documentOpened.connect(self._document_opened)
        c.changed.connect(self._changed)
        c.labelsChanged.connect(self._labels_changed)
        c.error.connect(self.show_error)
        self.documents.documentChosen.connect(self.open_document)
        self.annotations.annotationChosen.connect(self._annotation_chosen)
        self.reader.spansClicked.connect(self._spans_clicked)
        self.details.labelChosen.connect(lambda ann_id, label_id: self.ctl.set_label(ann_id, label_id))
        self.details.noteEdited.connect(lambda ann_id, note: self.ctl.set_note(ann_id, note))
        self.details.editEntity.connect(self.edit_entity)
        self.details.tagAllOccurrences.connect(self.tag_all_occurrences)
        claim = self.details.claim
        claim.sourceNamed.connect(lambda name: self._claim_edit(self.ctl.set_claim_source, name))
        claim.fieldsEdited.connect(lambda fields: self._claim_edit(self.ctl.set_claim_fields, fields))
        claim.subjectsChosen.connect(lambda ids: self._claim_edit(self.ctl.set_claim_subjects, ids))
        claim.linkRequested.connect(lambda rel, other: self._claim_edit(lambda a, o: self.ctl.link_claims(a, o, rel), other))
        claim.unlinkRequested.connect(self.ctl.unlink_claims)
        c.entitiesChanged.connect(self._entities_changed)
        self.tabs.currentChanged.connect(lambda _i: self._refresh_entities())
        ent = self.entities
        ent.editRequested.connect(self.edit_entity)
        ent.tagAllRequested.connect(self.tag_all_occurrences)
        ent.mergeRequested.connect(self.merge_entities)
        ent.entityChosen.connect(self._entity_chosen)
        ent.mentionActivated.connect(self.go_to_annotation)
        self.tabs.currentChanged.connect(self._tab_sizes)
        self.place_strip.applyRequested.connect(self._apply_place)
        self.place_strip.editRequested.connect(self.edit_entity)
        c.documentOpened.connect(lambda _doc: self.place_strip.dismiss())

    # --- database -----------------------------------------------------------------------

    def open_database(self, path: Path | None) -> bool:
        try:
            self.ctl.open_database(path)
        except AnnotatorError as exc:
            self.show_error(str(exc))
            return False
        return True

    def _database_opened(self, path: Path) -> None:
        recent = [p for p in self.settings.value("recent_dbs", [], type=list) if p != str(path)]
        self.settings.setValue("recent_dbs", [str(path), *recent][:MAX_RECENT])
        self.settings.setValue("last_db", str(path))
        self._rebuild_recent()
        self.statusBar().showMessage(f"Database {path}", 5000)

    def _rebuild_recent(self) -> None:
        self.recent_menu.clear()
        paths = self.settings.value("recent_dbs", [], type=list)
        for p in paths:
            act = self.recent_menu.addAction(p)
            act.triggered.connect(lambda _c=False, p=p: self.open_database(Path(p)))
        self.recent_menu.setEnabled(bool(paths))

    def new_database(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New database", str(Path.home() / "annotations.db"), DB_FILTER)
        if path:
            self.open_database(Path(path))

    def choose_database(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open database", str(Path.home()), DB_FILTER)
        if path:
            self.open_database(Path(path))

    def reload(self) -> None:
        """Re-read the database: shows edits made by another window or the CLI."""
        if self.ctl.db is None:
            return
        doc = self.ctl.document
        selected = self.details.ann.id if self.details.ann is not None else None
        self.ctl.refresh()
        self._refresh_documents()
        if doc is not None:
            self.ctl.document = None
            self.open_document(doc.id, keep_scroll=True)
            if selected is not None and self.annotations.model.row_of(selected) >= 0:
                self.select_annotation(selected)
        self._marker = self.ctl.db.change_marker()

    def changeEvent(self, ev) -> None:  # noqa: N802
        """On leaving the window remember the file's state; on coming back,
        reload if another window or the CLI changed it meanwhile."""
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.ActivationChange and self.ctl.db is not None:
            if self.isActiveWindow():
                self.check_external_changes()
            else:
                self._marker = self.ctl.db.change_marker()

    def check_external_changes(self) -> bool:
        marker = self.ctl.db.change_marker()
        changed = self._marker is not None and marker != self._marker
        self._marker = marker
        if changed:
            self.reload()
            self.statusBar().showMessage("Updated with changes made elsewhere (another window, the command line or a merge)", 6000)
        return changed

    # --- documents ------------------------------------------------------------------------

    def choose_imports(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import documents", str(Path.home()), IMPORT_FILTER)
        if paths:
            self.import_files([Path(p) for p in paths])

    def import_files(self, paths: list[Path], *, wait: bool = False) -> None:
        """Import in the background with progress; open the first new document."""

        def work(progress):
            progress(0, len(paths), "Importing…")
            return self.ctl.import_paths(paths)

        def done(results):
            self._refresh_documents()
            if results:
                self.open_document(results[0].document.id)
                new = sum(r.created for r in results)
                self.statusBar().showMessage(f"Imported {new} new document(s), {len(results) - new} already present", 6000)

        task = BackgroundTask(self, "Importing documents", work, done, self.show_error)
        task.start()
        if wait:  # scripts and tests
            task.wait()

    def _refresh_documents(self) -> None:
        current = self.ctl.document.id if self.ctl.document else None
        self.documents.set_documents(self.ctl.document_summaries(), current)

    def open_document(self, doc_id: uuid.UUID | None, keep_scroll: bool = False) -> None:
        scroll = self.reader.first_visible_cp() if keep_scroll else None
        try:
            self.ctl.open_document(doc_id)
        except AnnotatorError as exc:
            self.show_error(str(exc))
            return
        if scroll is not None:
            self.reader.scroll_to_cp(scroll, top=True)

    def _document_opened(self, doc) -> None:
        self.pane.show_header(doc)
        with bulk_load():
            loaded = self.reader.show_document(doc, self.ctl.load_spans, self.ctl.labels())
            self.annotations.model.set_annotations(loaded.rows)
        self.annotations.model.set_gradings(loaded.gradings)
        self.details.show_annotation(None, [], "")
        self.act_rtl.setChecked(bool(doc and doc.direction == Direction.RTL))
        self.documents.select(doc.id if doc else None)
        if self.pane.find_bar.isVisible():
            self.pane.find_bar.search(self.pane.find_bar.edit.text())
        self._update_title()

    def _update_title(self) -> None:
        parts = []
        if self.ctl.document is not None:
            parts.append(self.ctl.document.title)
        if self.ctl.db is not None:
            parts.append(self.ctl.db.path.name)
        parts.append("Annotator")
        self.setWindowTitle(" — ".join(parts))

    # --- labels ---------------------------------------------------------------------------

    def _labels_changed(self) -> None:
        labels = self.ctl.labels()
        self.reader.set_labels(labels)
        self.details.set_labels(labels)
        self.annotations.model.set_lookups(labels, self._entity_name)
        self._rebuild_tag_actions()

    def _entity_name(self, entity_id) -> str:
        entity = self.ctl.entity(entity_id)
        return entity.name if entity else ""

    def _describe(self, ann_id: uuid.UUID) -> str:
        ann = self.ctl.annotation(ann_id)
        label = self.ctl.label(ann.label_id)
        lines = [f"{label.name if label else '?'}: {' '.join(ann.exact.split())[:120]}"]
        entity = self.ctl.entity(ann.entity_id)
        if entity:
            lines.append(f"Entity: {entity.name}")
        if ann.note:
            lines.append(f"Note: {ann.note}")
        lines.append(f"By {ann.creator}")
        return "\n".join(lines)

    def show_legend(self) -> None:
        LegendDialog(self.ctl.labels(), self).exec()

    # --- tagging and editing -------------------------------------------------------------------

    def tag_selection(self, label_id: uuid.UUID) -> uuid.UUID | None:
        """Tag the reader's selection. Snaps to whole words unless Alt is held
        or snapping is off; never splits a grapheme cluster."""
        span = self.reader.selected_span()
        if span is None:
            self.statusBar().showMessage("Select some text first, then press the label's key.", 4000)
            return None
        exact = bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.AltModifier) or not self.act_snap.isChecked()
        text = self.reader.text
        start, end = grapheme_bounds(text, *span) if exact else word_bounds(text, *span)
        if start >= end:
            self.statusBar().showMessage("The selection holds no text to tag.", 4000)
            return None
        ann_id = self.ctl.tag(label_id, start, end)
        if ann_id is not None:
            cur = self.reader.textCursor()
            cur.clearSelection()
            self.reader.setTextCursor(cur)
            self.annotations.select(ann_id)
            self._show_details(ann_id)
        return ann_id

    def delete_selected(self) -> None:
        ids = self.annotations.selected_ids()
        if not ids and self.details.ann is not None:
            ids = [self.details.ann.id]
        if not ids:
            self.statusBar().showMessage("Select an annotation to delete.", 4000)
            return
        self.ctl.delete(ids)

    def toggle_direction(self) -> None:
        if self.ctl.document is None:
            return
        self.ctl.set_direction(Direction.RTL if self.act_rtl.isChecked() else Direction.LTR)

    def _changed(self, change: Change) -> None:
        self._entities_dirty = True
        self._offer_places(change)
        if self.tabs.currentWidget() is self.entities:
            self._refresh_entities()
        doc = self.ctl.document
        if doc is None or change.document_id not in (doc.id, None):
            return
        for ann_id in change.removed:
            self.reader.highlighter.drop(ann_id)
            self.annotations.model.drop(ann_id)
            if self.details.ann is not None and self.details.ann.id == ann_id:
                self.details.show_annotation(None, [], "")
        for ann_id in [*change.added, *change.updated]:
            ann = self.ctl.annotation(ann_id)
            if ann.document_id != doc.id:  # a change spanning documents
                continue
            self.reader.highlighter.put(ann)
            self.annotations.model.put(ann)
            if self.details.ann is not None and self.details.ann.id == ann_id:
                self._show_details(ann_id)
        if change.updated:
            self.annotations.model.set_gradings(self.ctl.claim_codes())
        if change.document_id is not None and not (change.added or change.removed or change.updated):
            self.reader.apply_direction(doc.direction)  # a document-level change
            self.reader.highlighter.rehighlight()
            self.pane.show_header(doc)
            self.act_rtl.setChecked(doc.direction == Direction.RTL)
        self._update_title()

    # --- entities and claims ----------------------------------------------------------------------

    def _entities_changed(self) -> None:
        offered = self.ctl.entity(self.place_strip.entity_id)
        if self.place_strip.is_offering() and (offered is None or offered.latitude is not None):
            self.place_strip.dismiss()  # deleted, merged or located meanwhile
        self.annotations.model.set_lookups(self.ctl.labels(), self._entity_name)
        self._entities_dirty = True
        if self.tabs.currentWidget() is self.entities:
            self._refresh_entities()

    def _refresh_entities(self) -> None:
        if not self._entities_dirty or self.tabs.currentWidget() is not self.entities or self.ctl.db is None:
            return
        self._entities_dirty = False
        self.entities.set_entities(self.ctl.entity_list(), self.ctl.entities.mention_counts())
        ids = self.entities.selected_ids()
        self._entity_chosen(ids[0] if ids else None)

    def _tab_sizes(self, _index: int) -> None:
        """The Entities view takes most of the right column (its list and the
        mentions need the room); back on Annotations the details get theirs
        again. Each tab keeps the sizes the analyst last gave it."""
        on_entities = self.tabs.currentWidget() is self.entities
        sizes = self.right.sizes()
        self._right_sizes[not on_entities] = sizes
        total = sum(sizes)
        wanted = self._right_sizes.get(on_entities)
        if wanted is None and on_entities and total > 0:
            wanted = [round(total * 0.75), total - round(total * 0.75)]
        if wanted:
            self.right.setSizes(wanted)

    def _entity_chosen(self, entity_id) -> None:
        entity = self.ctl.entity(entity_id)
        if entity is None:
            self.entities.show_mentions("", [])
            return
        self.entities.show_mentions(entity.name, self.ctl.entities.mentions(entity.id))

    def go_to_annotation(self, doc_id: uuid.UUID, ann_id: uuid.UUID) -> None:
        self.open_document(doc_id)
        self.annotations.select(ann_id)
        self._annotation_chosen(ann_id)

    def edit_entity(self, entity_id: uuid.UUID) -> None:
        entity = self.ctl.entity(entity_id)
        if entity is None:
            return
        dialog = EntityDialog(entity, suggest=self._suggest_places, parent=self)
        self._dialog = dialog  # tests reach it here
        if dialog.exec():
            self.ctl.edit_entity(entity_id, dialog.fields())

    def _suggest_places(self, names: list[str], location_type: str = "", limit: int = 6) -> list:
        """Gazetteer matches for a location's names, places in the countries
        already located in this database first (see ``gazetteer.suggest_names``)."""
        from ..core import gazetteer  # loads GeoNames data on first use

        return gazetteer.suggest_names(names, limit, countries=self._located_countries(), location_type=location_type)

    def _located_countries(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for e in self.ctl.entity_list():
            if e.kind is LabelKind.LOCATION and e.country_code and e.latitude is not None:
                counts[e.country_code] = counts.get(e.country_code, 0) + 1
        return counts

    def _offer_places(self, change: Change) -> None:
        """A location this edit created (tagging, a label change): offer its
        gazetteer matches in the strip, without stopping the analyst. The
        search runs on a thread; undoing the tag withdraws the offer."""
        strip = self.place_strip
        if strip.annotation_id is not None and strip.annotation_id in change.removed:
            strip.dismiss()
        entity = next(
            (e for e in map(self.ctl.entity, change.entities_added) if e is not None and e.kind is LabelKind.LOCATION), None
        )
        if entity is None:
            return
        from ..core import gazetteer  # the module only; its index is built on first use, off this thread

        names, etype, countries = entity.names(), entity.type, self._located_countries()
        ann_id = next(iter(change.added or change.updated), None)
        strip.offer(entity.id, entity.name, lambda: gazetteer.suggest_names(names, strip.MAX, countries=countries, location_type=etype), ann_id)

    def _apply_place(self, entity_id, place) -> None:
        """Coordinates and country from a gazetteer place, as one undoable edit
        (and the type, city or country, when the location has none)."""
        entity = self.ctl.entity(entity_id)
        if entity is None:
            return
        fields = {"latitude": place.latitude, "longitude": place.longitude, "country_code": place.country_code}
        if not entity.type and place.feature in ("city", "country"):
            fields["type"] = place.feature
        fields = {k: v for k, v in fields.items() if getattr(entity, k) != v}
        if self.ctl.edit_entity(entity_id, fields):
            self.statusBar().showMessage(
                f"{entity.name}: {place.latitude:.4f}, {place.longitude:.4f} {place.country_code} from GeoNames "
                f"({place.name}) — Ctrl+Z undoes", 8000,
            )  # fmt: skip

    def merge_entities(self, entity_ids: list) -> None:
        entities = [self.ctl.entity(i) for i in entity_ids]
        if len(entities) < 2 or any(e is None for e in entities):
            return
        if len({e.kind for e in entities}) > 1:
            self.show_error("Only entities of the same kind can be merged (actors with actors, locations with locations).")
            return
        target, *sources = entities
        names = ", ".join(e.name for e in sources)
        if QApplication.platformName() != "offscreen":
            answer = QMessageBox.question(
                self, "Merge entities", f"Merge {names} into {target.name}? All their mentions move to {target.name}."
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.ctl.merge_entities([e.id for e in entities])

    def tag_all_occurrences(self, entity_id: uuid.UUID) -> None:
        entity = self.ctl.entity(entity_id)
        if entity is None:
            return
        doc = self.ctl.document

        def find(all_documents: bool) -> list:
            scope = None if all_documents or doc is None else [doc.id]
            return self.ctl.entities.find_occurrences(entity_id, scope)

        dialog = OccurrencesDialog(entity.name, find, self)
        self._dialog = dialog
        if dialog.exec():
            self.ctl.tag_occurrences(entity_id, dialog.chosen())

    def _claim_edit(self, edit, value) -> None:
        if self.details.ann is not None:
            edit(self.details.ann.id, value)

    # --- selection ------------------------------------------------------------------------------

    def _annotation_chosen(self, ann_id: uuid.UUID | None) -> None:
        if ann_id is None:
            return
        self._show_details(ann_id)
        span = self.reader.highlighter.span(ann_id)
        if span is not None:
            self.reader.flash(span.start, span.end)

    def _show_details(self, ann_id: uuid.UUID) -> None:
        ann = self.ctl.annotation(ann_id)
        self.details.show_annotation(ann, [], self._entity_name(ann.entity_id))
        label = self.ctl.label(ann.label_id)
        is_claim = label is not None and label.kind is LabelKind.CLAIM
        if is_claim:
            details = self.ctl.claims.details(ann_id)
            source = self.ctl.entity(details.claim.source_entity_id)
            ctx = self.ctl.claim_context(self.reader.highlighter.all_spans(), ann_id)
            self.details.claim.show_claim(details, source.name if source else "", ctx)
        self.details.claim.setVisible(is_claim)

    def _spans_clicked(self, ann_ids: list, global_pos) -> None:
        if len(ann_ids) == 1:
            self.select_annotation(ann_ids[0])
            return
        menu = QMenu(self)
        for ann_id in ann_ids:
            ann = self.ctl.annotation(ann_id)
            label = self.ctl.label(ann.label_id)
            quote = " ".join(ann.exact.split())
            act = menu.addAction(f"{label.name if label else '?'}: {quote[:60]}{'…' if len(quote) > 60 else ''}")
            act.triggered.connect(lambda _c=False, a=ann_id: self.select_annotation(a))
        menu.popup(global_pos)
        self._span_menu = menu  # tests reach it here

    def select_annotation(self, ann_id: uuid.UUID) -> None:
        self.annotations.select(ann_id)
        self._show_details(ann_id)

    # --- view -------------------------------------------------------------------------------------

    def zoom(self, step: int) -> None:
        font = self.reader.font()
        size = font.pointSizeF()
        if step == 0:
            size = self.reader.default_point_size
        else:
            size = max(6.0, min(48.0, size + step))
        font.setPointSizeF(size)
        self.reader.setFont(font)
        self.settings.setValue("reader_font_size", size)

    def _snap_toggled(self, on: bool) -> None:
        self.settings.setValue("snap_words", on)

    def about(self) -> None:
        QMessageBox.about(
            self,
            "About Annotator",
            "<b>Annotator</b><br>An offline annotation desk for analysts: tag actors, claims and "
            "locations; every edit is saved at once in a local SQLite file.<br><br>"
            f"Database: {html.escape(str(self.ctl.db.path)) if self.ctl.db else '—'}",
        )

    def show_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)
        if QApplication.platformName() != "offscreen":
            QMessageBox.warning(self, "Annotator", message)
        self.last_error = message

    # --- the brief -----------------------------------------------------------------------------------

    def export_brief(self) -> None:
        if self.ctl.db is None:
            return
        from ..export.brief import suggested_title  # python-docx loads on first use

        folder = Path(self.settings.value("brief/folder", str(Path.home())))
        if not folder.is_dir():
            folder = Path.home()
        dialog = BriefDialog(
            self.ctl.document_summaries(), self.ctl.document.id if self.ctl.document else None, self.ctl.labels(),
            lambda ids: suggested_title(self.ctl.repo, ids), folder, self.settings, self, user=self.ctl.user,
        )  # fmt: skip
        self._dialog = dialog
        if not dialog.exec():
            return
        self.write_brief(dialog.options(), dialog.output_path())

    def write_brief(self, options, path: Path, *, wait: bool = False) -> None:
        """Write the brief in the background with progress; offer to open it."""
        from ..export.brief import write_brief

        self.settings.setValue("brief/folder", str(path.parent))
        repo = self.ctl.repo

        def done(written) -> None:
            self.last_brief = Path(written)
            self.statusBar().showMessage(f"Brief written to {written}", 10000)
            if QApplication.platformName() == "offscreen":
                return
            box = QMessageBox(QMessageBox.Icon.Information, "Brief written", f"The brief was written to\n{written}", parent=self)
            open_button = box.addButton("Open the brief", QMessageBox.ButtonRole.AcceptRole)
            box.addButton(QMessageBox.StandardButton.Close)
            box.exec()
            if box.clickedButton() is open_button:
                QDesktopServices.openUrl(QUrl.fromLocalFile(str(written)))

        def cancelled() -> None:
            self.statusBar().showMessage(f"Brief cancelled: {path.name} was not written", 10000)

        task = BackgroundTask(
            self, "Writing the brief", lambda progress: write_brief(repo, options, path, progress), done, self.show_error, cancelled
        )  # a cancelled brief raises in write_brief's progress call: no file is written, an old one is kept
        self._brief_task = task
        task.start()
        if wait:
            task.wait()

    # --- document properties --------------------------------------------------------------------

    def edit_document_properties(self) -> None:
        doc = self.ctl.document
        if doc is None:
            self.show_error("Open a document first.")
            return
        dialog = DocumentDialog(doc, self)
        self._dialog = dialog
        if dialog.exec():
            self.ctl.edit_document(doc.id, dialog.fields())

    # --- annotation files -----------------------------------------------------------------------

    def choose_annotation_import(self) -> None:
        if self.ctl.document is None:
            self.show_error("Open a document first: annotations are imported into the open document.")
            return
        folder = self.settings.value("annotations/folder", str(Path.home()))
        path, _ = QFileDialog.getOpenFileName(self, "Import annotations into this document", folder, ANNOTATIONS_IN_FILTER)
        if path:
            self.import_annotation_file(Path(path))

    def import_annotation_file(self, path: Path, fmt: str | None = None) -> bool:
        """Import an annotation file into the open document as one undoable
        edit; orphans and lines left out are shown, never dropped silently."""
        doc = self.ctl.document
        if doc is None:
            return False
        self.settings.setValue("annotations/folder", str(path.parent))
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = self.ctl.import_annotation_file(doc.id, path, fmt)
        finally:
            QApplication.restoreOverrideCursor()
        if result is None:
            return False
        self.ctl.refresh()  # labels the file brought, entities it linked
        self.open_document(doc.id, keep_scroll=True)
        self.statusBar().showMessage(f"{path.name}: {result.summary()}" + (" — Ctrl+Z undoes" if result.report.added else ""), 10000)
        trouble = [f"orphan: {o.draft.source_line}: {o.reason}" for o in result.report.orphans]
        trouble += [f"left out: {p}" for p in result.problems] + [f"problem: {p}" for p in result.report.problems]
        if trouble:
            self.show_report(f"Imported from {path.name}", result.summary(), trouble)
        return True

    def choose_annotation_export(self) -> None:
        doc = self.ctl.document
        if doc is None:
            self.show_error("Open a document first: its annotations are exported.")
            return
        folder = Path(self.settings.value("annotations/folder", str(Path.home())))
        if not folder.is_dir():
            folder = Path.home()
        path, chosen = QFileDialog.getSaveFileName(self, "Export this document's annotations", str(folder / f"{doc.title[:60]}.json"),
                                                   ANNOTATIONS_OUT_FILTER)  # fmt: skip
        if not path:
            return
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix({"CSV": ".csv", "brat": ".ann"}.get(chosen.split(" ")[0], ".json"))
        self.export_annotation_file(path)

    def export_annotation_file(self, path: Path, *, wait: bool = False) -> None:
        """Write the open document's annotations (by the file's suffix) in the background."""
        from ..io.interchange import export_annotation_file

        self.settings.setValue("annotations/folder", str(path.parent))
        repo, doc = self.ctl.repo, self.ctl.document

        def done(result) -> None:
            written, problems = result
            self.last_export = written
            self.statusBar().showMessage(f"Annotations written to {', '.join(str(p) for p in written)}", 10000)
            if problems:
                self.show_report("Exported with omissions", f"{len(problems)} item(s) could not be written", problems)

        task = BackgroundTask(self, "Exporting annotations", lambda progress: export_annotation_file(repo, doc, path), done, self.show_error)
        task.start()
        if wait:
            task.wait()

    def show_report(self, title: str, summary: str, lines: list[str]) -> None:
        """A message with the full list behind "Show Details…" (offscreen: the status bar only)."""
        self.last_report = lines
        if QApplication.platformName() == "offscreen":
            return
        box = QMessageBox(QMessageBox.Icon.Warning, title, summary, parent=self)
        box.setDetailedText("\n".join(lines))
        box.exec()

    # --- REFI-QDA project --------------------------------------------------------------------------

    def export_qdpx(self) -> None:
        """Ask where, then write every document as a REFI-QDA project."""
        if self.ctl.db is None:
            return
        ids = [d.id for d in self.ctl.document_summaries()]
        if not ids:
            self.show_error("There are no documents to export.")
            return
        folder = Path(self.settings.value("qdpx/folder", str(Path.home())))
        if not folder.is_dir():
            folder = Path.home()
        chosen, _ = QFileDialog.getSaveFileName(self, "Export a REFI-QDA project", str(folder / f"{self.ctl.db.path.stem}.qdpx"), QDPX_FILTER)
        if not chosen:
            return
        path = Path(chosen)
        self.write_qdpx(ids, path if path.suffix else path.with_suffix(".qdpx"))

    def write_qdpx(self, doc_ids: list, path: Path, *, wait: bool = False) -> None:
        """Write the project in the background (replaced atomically: a failure leaves the old file)."""
        from ..io.qdpx import write_qdpx

        self.settings.setValue("qdpx/folder", str(path.parent))
        repo, user = self.ctl.repo, self.ctl.user

        def done(written) -> None:
            self.last_qdpx = Path(written)
            self.statusBar().showMessage(f"REFI-QDA project of {len(doc_ids)} document(s) written to {written}", 10000)

        def work(progress):
            return write_qdpx(repo, doc_ids, path, user=user, progress=progress)

        task = BackgroundTask(self, "Writing the REFI-QDA project", work, done, self.show_error)
        task.start()
        if wait:
            task.wait()

    # --- sharing ------------------------------------------------------------------------------------

    def merge_database(self, path: Path | None = None, *, wait: bool = False) -> None:
        """Plan the merge in the background, preview it, then apply it."""
        if self.ctl.db is None:
            return
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self, "Merge a colleague's database", str(Path.home()), DB_FILTER)
            if not chosen:
                return
            path = Path(chosen)

        def planned(plan) -> None:
            dialog = MergePreviewDialog(plan, self)
            self._dialog = dialog
            if dialog.exec():
                task = BackgroundTask(self, "Merging", lambda _p: self.ctl.apply_merge(plan), merged, self.show_error)
                task.start()
                if wait:
                    task.wait()

        def merged(report) -> None:
            self.last_merge = report
            self.ctl.after_merge()
            self.reload()
            total = report.total
            self.statusBar().showMessage(
                f"Merged {report.source.name}: {total.added} added, {total.updated} updated, {total.deleted} deleted, "
                f"{total.conflicts} conflict(s) to review", 10000,
            )  # fmt: skip
            if total.conflicts and QApplication.platformName() != "offscreen":
                self.show_conflicts()

        task = BackgroundTask(self, "Reading the other database", lambda _p: self.ctl.plan_merge(path), planned, self.show_error)
        task.start()
        if wait:
            task.wait()

    def show_conflicts(self) -> None:
        if self.ctl.db is None:
            return
        dialog = ConflictsDialog(self.ctl.conflicts, self)
        dialog.reverseRequested.connect(lambda cid: (self.ctl.reverse_conflict(cid), dialog.refresh()))
        dialog.reviewedRequested.connect(lambda cid, on: (self.ctl.set_conflict_reviewed(cid, on), dialog.refresh()))
        self._dialog = dialog
        dialog.exec()

    def share_documents(self) -> None:
        if self.ctl.document is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Share the open document as a new database", str(Path.home() / "shared.db"), DB_FILTER)
        if not path:
            return
        try:
            self.ctl.share([self.ctl.document.id], Path(path))
        except (AnnotatorError, OSError) as exc:
            self.show_error(str(exc))
            return
        self.statusBar().showMessage(f"Wrote {path} with this document only", 8000)

    def show_agreement(self) -> None:
        if self.ctl.document is None:
            return
        analysts = self.ctl.analysts()
        if len(analysts) < 2:
            self.show_error("Only one analyst has annotated this document: merge a colleague's database first.")
            return
        dialog = AgreementDialog(analysts, self.ctl.agreement, self)
        dialog.disagreementChosen.connect(lambda s, e: self.reader.flash(s, e))
        self._dialog = dialog
        dialog.exec()

    # --- drag and drop ------------------------------------------------------------------------------

    def dragEnterEvent(self, ev) -> None:  # noqa: N802
        if ev.mimeData().hasUrls() and all(u.isLocalFile() for u in ev.mimeData().urls()):
            ev.acceptProposedAction()

    def dropEvent(self, ev) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in ev.mimeData().urls() if u.isLocalFile()]
        if paths:
            ev.acceptProposedAction()
            self.import_files(paths)

    # --- state ----------------------------------------------------------------------------------------

    def _restore_window(self) -> None:
        s = self.settings
        geometry = s.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        state = s.value("window_state")
        if state is not None:
            self.restoreState(state)
        for key, splitter in (("splitter_main", self.splitter), ("splitter_right", self.right)):
            value = s.value(key)
            if value is not None:
                splitter.restoreState(value)
        size = s.value("reader_font_size", type=float)
        if size:
            font = self.reader.font()
            font.setPointSizeF(size)
            self.reader.setFont(font)
        self._rebuild_recent()

    def restore_document(self) -> None:
        """Open the last document at its scroll position, else the first one."""
        last = self.settings.value("last_doc", "")
        ids = {str(d.id): d.id for d in self.ctl.document_summaries()}
        doc_id = ids.get(last) or next(iter(ids.values()), None)
        if doc_id is None:
            return
        self.open_document(doc_id)
        if str(doc_id) == last:
            cp = self.settings.value("last_scroll_cp", 0, type=int)
            QTimer.singleShot(0, lambda: self.reader.scroll_to_cp(cp, top=True))

    def save_state(self) -> None:
        s = self.settings
        self.details.commit_note()
        self.details.claim.commit_pending()
        s.setValue("geometry", self.saveGeometry())
        s.setValue("window_state", self.saveState())
        s.setValue("splitter_main", self.splitter.saveState())
        if self.tabs.currentWidget() is self.entities and self._right_sizes.get(False):
            self.right.setSizes(self._right_sizes[False])  # restored next time with the Annotations tab
        s.setValue("splitter_right", self.right.saveState())
        if self.ctl.document is not None:
            s.setValue("last_doc", str(self.ctl.document.id))
            s.setValue("last_scroll_cp", self.reader.first_visible_cp())
        s.sync()

    def closeEvent(self, ev: QCloseEvent) -> None:  # noqa: N802
        self.save_state()
        self.ctl.close()
        super().closeEvent(ev)

