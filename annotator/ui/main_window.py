"""The main window: documents on the left, the reader in the middle,
annotations and details on the right.

This module holds the layout, the actions and menus, and the wiring of the
reader and the panels; the rest is in parts, each given what it uses (see
:mod:`.window_context`): :mod:`.window_databases` (open, recent, reload,
changes made elsewhere, the first look), :mod:`.window_files` (imports,
exports, the brief), :mod:`.window_sharing` (merge, share, conflicts,
agreement), :mod:`.window_entities` (entities, place suggestions),
:mod:`.window_suggestions` (suggestions from what is already tagged) and
:mod:`.window_selection` (the selected annotation and its details)."""

from __future__ import annotations

import html
import uuid
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QScrollArea,
    QTabWidget,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from ..core.bulk import paused_gc
from ..core.errors import AnnotatorError
from ..core.model import Annotation, Claim, Direction, LabelKind
from ..core.offsets import grapheme_bounds, word_bounds
from ..core.change import Change
from .controller import DeskController
from .document_dialog import DocumentDialog
from .legend import LegendDialog
from .entities_panel import EntitiesPanel
from .history_actions import history_actions
from .panels import AnnotationPanel, DetailsPane, DocumentPanel
from .place_suggestions import PlaceSuggestions
from .prompter import Prompter
from .reader import ReaderPane
from .window_context import WindowContext
from .window_databases import Databases
from .window_entities import EntityTools
from .sources_dialog import SourceRegister
from .window_search import CorpusSearch
from .window_files import Files
from .window_selection import Selection
from .window_sharing import Sharing
from .window_suggestions import SuggestionTools

SK = QKeySequence.StandardKey
READER_MIN_WIDTH = 360  # px: a reader column never squeezed to a word a line
FRAME_ROOM = (16, 48)  # px a window frame may add around the first window (borders, title bar)


def app_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "Annotator", "Annotator")


class MainWindow(QMainWindow):
    written = Signal(object)  # the paths of a file the desk has just written in the background (brief, export, project)
    merged = Signal(object)  # the report of a merge just applied

    def __init__(self, controller: DeskController | None = None, prompter: Prompter | None = None):
        super().__init__()
        self.ctl = controller or DeskController(self)
        self.prompter = prompter or Prompter()  # every file chooser, question and message box
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
        self.right.setSizes([330, 470])  # the details hold the claim editor's common fields without scrolling
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.documents)
        self.splitter.addWidget(self.pane)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(1, 1)
        # On a screen narrower than the sizes (or a remembered layout), the
        # side columns give way: the reader keeps room for a line of text.
        self.pane.setMinimumWidth(READER_MIN_WIDTH)
        self.splitter.setSizes([310, 560, 530])
        self.setCentralWidget(self.splitter)

        ctx = WindowContext(self, self.ctl, self.prompter, self.settings)
        self.show_error = ctx.error
        self.databases = Databases(ctx, self.pane, open_document=self.open_document, reopen=self.reopen_document,
                                   refresh_documents=self._refresh_documents)  # fmt: skip
        self.files = Files(ctx, open_document=self.open_document, refresh_documents=self._refresh_documents, written=self.written.emit)
        self.sharing = Sharing(ctx, reload=self.databases.reload, merged=self.merged.emit, flash=self.reader.flash)
        self.entity_tools = EntityTools(ctx, self.tabs, self.entities, self.right, self.place_strip)
        self.selection = Selection(ctx, self.reader, self.annotations, self.details)
        self.corpus_search = CorpusSearch(ctx, self.reader, self.tabs, self.entities, open_document=self.open_document,
                                          go_to_annotation=self.go_to_annotation)  # fmt: skip
        self.sources = SourceRegister(ctx, self.tabs, self.entities, self.go_to_annotation)
        self.suggestion_tools = SuggestionTools(ctx, self.reader)
        self.tag_actions: dict[uuid.UUID, QAction] = {}
        self._build_actions()
        self._connect()
        self.statusBar().showMessage("Ready")
        self.reader.context_actions = self._reader_context_actions
        self._restore_window()

    # --- actions and menus ------------------------------------------------------

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        """An action; ``shortcut`` a key sequence, a list of them, or a
        standard key (every binding the platform has for it, not only the first)."""
        act = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, list):
                act.setShortcuts(shortcut)
            elif isinstance(shortcut, SK):
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
        db, files, sharing, ents = self.databases, self.files, self.sharing, self.entity_tools
        # Slots taking an optional path are called without arguments (triggered's
        # "checked" would arrive as the path).
        self.act_new_db = a("&New database…", lambda: db.new_database(), SK.New, "Create a new database (it starts with the seed article)")
        self.act_open_db = a("&Open database…", lambda: db.choose_database(), SK.Open, "Open another database")
        self.act_import = a("&Import documents…", files.choose_imports, QKeySequence("Ctrl+I"), "Import text, Markdown, Word or HTML files")
        self.act_import_anns = a("Import &annotations…", files.choose_annotation_import, QKeySequence("Ctrl+Shift+I"),
                                 "Import W3C Web Annotation (.json) or brat (.ann) annotations into the open document")  # fmt: skip
        self.act_export_anns = a("E&xport annotations…", files.choose_annotation_export, None,
                                 "Export the open document's annotations as W3C JSON, CSV or brat standoff")  # fmt: skip
        self.act_brief = a("Export &brief…", files.export_brief, QKeySequence("Ctrl+Shift+E"), "Write a Word brief of the annotated documents")
        self.act_qdpx = a("Export REFI-QDA &project (.qdpx)…", files.export_qdpx, None, "Write every document and its coding as a REFI-QDA project for QDA tools")
        self.act_merge = a("&Merge database…", lambda: sharing.merge_database(), QKeySequence("Ctrl+Shift+M"), "Merge a colleague's database into this one, with a preview")
        self.act_share = a("&Share documents…", sharing.share_documents, None, "Write a new database with only the chosen documents (need-to-know)")
        self.act_conflicts = a("Merge &conflicts…", sharing.show_conflicts, None, "Review rows changed on both sides by a merge")
        self.act_agreement = a("A&greement between analysts…", sharing.show_agreement, None, "Span F1 and Cohen's kappa between two analysts on this document")
        self.act_reload = a("&Reload", lambda: db.reload(), SK.Refresh, "Reload from the database (shows a colleague's or the CLI's changes)")
        self.act_quit = a("&Quit", self.close, SK.Quit)
        if not self.act_quit.shortcuts():  # the Windows key scheme has none (Alt+F4 closes the window)
            self.act_quit.setShortcut(QKeySequence("Ctrl+Q"))
        # Every binding (Ctrl+Z…; Ctrl+Shift+Z and Ctrl+Y); what is being typed is saved first.
        self.act_undo, self.act_redo = history_actions(self.ctl.undo_stack, self, self.details.commit_pending)
        self.act_delete = a("&Delete annotation", self.delete_selected, SK.Delete, "Delete the selected annotation")
        self.act_remove_sample = a("Remove the &sample annotations…", self.remove_sample, None,
                                   "Delete the demonstration annotations a new database starts with, and their entities")  # fmt: skip
        self.act_find = a("&Find in document…", self.pane.find_bar.open_bar, SK.Find, "Find in document")
        self.act_search = a("&Search the corpus…", self.corpus_search.open, QKeySequence("Ctrl+Shift+F"),
                            "Search every document, annotation and entity")  # fmt: skip
        self.act_sources = a("S&ources…", self.sources.open, QKeySequence("Ctrl+Shift+O"),
                             "The register of sources: each claim source's claims, gradings and corroboration, and what to check")  # fmt: skip
        self.act_find_next = a("Find &next", self.pane.find_bar.step_forward, SK.FindNext)
        self.act_find_prev = a("Find &previous", self.pane.find_bar.step_back, SK.FindPrevious)
        self.act_zoom_in = a("Zoom &in", lambda: self.zoom(+1), SK.ZoomIn, "Larger reader text")
        self.act_zoom_in.setShortcuts([*QKeySequence.keyBindings(SK.ZoomIn), QKeySequence("Ctrl+=")])  # + needs Shift on many keyboards
        self.act_zoom_out = a("Zoom &out", lambda: self.zoom(-1), SK.ZoomOut, "Smaller reader text")
        self.act_zoom_reset = a("&Actual size", lambda: self.zoom(0), QKeySequence("Ctrl+0"))
        self.act_doc_props = a("Document &properties…", self.edit_document_properties, QKeySequence("Alt+Return"),
                               "Correct the open document's title, source, date, address, language and description")  # fmt: skip
        self.act_rtl = a("&Right-to-left document", self.toggle_direction, QKeySequence("Ctrl+Shift+R"))
        self.act_rtl.setCheckable(True)
        self.act_snap = a("&Snap selections to whole words", self._snap_toggled)
        self.act_snap.setCheckable(True)
        self.act_snap.setChecked(self.settings.value("snap_words", True, type=bool))
        self.act_legend = a("&Legend…", self.show_legend, SK.HelpContents, "Label colours, how overlaps are drawn, and keys")
        self.act_edit_entity = a(
            "&Edit entity…", lambda: self.selection.with_entity(ents.edit_entity), QKeySequence("Ctrl+E"),
            "Edit the selected mention's entity: name, type, aliases, coordinates",
        )  # fmt: skip
        self.act_tag_all = a(
            "Tag &all occurrences…", lambda: self.selection.with_entity(ents.tag_all_occurrences), QKeySequence("Ctrl+Shift+A"),
            "Find and tag the other mentions of the selected entity's name and aliases",
        )  # fmt: skip
        self.act_show_annotations = a("&Annotations", lambda: self.tabs.setCurrentWidget(self.annotations), QKeySequence("Ctrl+1"))
        self.act_show_entities = a("&Entities", lambda: self.tabs.setCurrentWidget(self.entities), QKeySequence("Ctrl+2"))
        self.act_about = a("&About Annotator", self.about)

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for act in (self.act_new_db, self.act_open_db):
            file_menu.addAction(act)
        file_menu.addMenu(db.recent_menu)
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
                    self.act_find_prev, self.act_search, None, self.act_doc_props, self.act_conflicts, self.act_remove_sample, None,
                    self.act_snap):  # fmt: skip
            edit_menu.addSeparator() if act is None else edit_menu.addAction(act)
        self.tag_menu = bar.addMenu("&Tag")
        view_menu = bar.addMenu("&View")
        for act in (self.act_show_annotations, self.act_show_entities, self.act_sources, None, self.act_zoom_in, self.act_zoom_out,
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
        for act in (self.act_delete, self.act_find, self.act_search, None, self.act_zoom_out, self.act_zoom_in, None, self.act_legend):
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
        self.suggestion_tools.add_to_menu(self.tag_menu)
        self.toolbar.insertActions(self._tag_anchor, list(self.tag_actions.values()))

    def _reader_context_actions(self) -> list:
        return [*self.suggestion_tools.context_actions(), *self.tag_actions.values(), None, self.act_edit_entity,
                self.act_tag_all, self.act_delete]  # fmt: skip

    # --- wiring -----------------------------------------------------------------------

    def _connect(self) -> None:
        c = self.ctl
        c.documentsChanged.connect(self._refresh_documents)
        c.documentOpened.connect(self._document_opened)
        c.changed.connect(self._changed)
        c.labelsChanged.connect(self._labels_changed)
        c.error.connect(self.show_error)
        self.documents.documentChosen.connect(self.open_document)
        self.details.labelChosen.connect(lambda ann_id, label_id: self.ctl.set_label(ann_id, label_id))
        self.details.noteEdited.connect(lambda ann_id, note, session: self.ctl.set_note(ann_id, note, session))
        self.details.editEntity.connect(self.entity_tools.edit_entity)
        self.details.tagAllOccurrences.connect(self.entity_tools.tag_all_occurrences)
        claim = self.details.claim
        claim.sourceNamed.connect(self._claim_source)
        claim.fieldsEdited.connect(lambda fields: self._claim_edit(self.ctl.set_claim_fields, fields))
        claim.rationaleEdited.connect(lambda ann_id, note, session:
                                      self.ctl.set_claim_fields(ann_id, {"likelihood_note": note}, session))  # fmt: skip
        claim.subjectsChosen.connect(lambda ids: self._claim_edit(self.ctl.set_claim_subjects, ids))
        claim.linkRequested.connect(lambda rel, other: self._claim_edit(lambda a, o: self.ctl.link_claims(a, o, rel), other))
        claim.unlinkRequested.connect(self.ctl.unlink_claims)
        c.entitiesChanged.connect(self._entities_changed)
        self.entities.mentionActivated.connect(self.go_to_annotation)
        c.documentOpened.connect(lambda _doc: self.place_strip.dismiss())

    # --- documents ------------------------------------------------------------------------

    def _refresh_documents(self) -> None:
        current = self.ctl.document.id if self.ctl.document else None
        self.documents.set_documents(self.ctl.document_summaries(), current)

    def open_document(self, doc_id: uuid.UUID | None, keep_scroll: bool = False) -> None:
        self.details.commit_pending()  # what is being typed goes to its annotation, in its document
        scroll = self.reader.first_visible_cp() if keep_scroll else None
        try:
            self.ctl.open_document(doc_id)
        except AnnotatorError as exc:
            self.show_error(str(exc))
            return
        if scroll is not None:
            self.reader.scroll_to_cp(scroll, top=True)

    def reopen_document(self, doc_id: uuid.UUID) -> None:
        """Read the document again (its rows changed elsewhere), where the
        reader was, with the same annotation selected."""
        selected = self.details.ann.id if self.details.ann is not None else None
        self.ctl.document = None
        self.open_document(doc_id, keep_scroll=True)
        if selected is not None and self.annotations.model.row_of(selected) >= 0:
            self.selection.select(selected)

    def go_to_annotation(self, doc_id: uuid.UUID, ann_id: uuid.UUID) -> None:
        self.open_document(doc_id)
        self.annotations.select(ann_id)
        self.selection.chosen(ann_id)

    def _document_opened(self, doc) -> None:
        self.pane.show_header(doc)
        with paused_gc():  # tens of thousands of rows built, none in a cycle
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
        self.annotations.model.set_lookups(labels, self.selection.entity_name)
        self._fit_annotation_columns()
        self._rebuild_tag_actions()

    def _fit_annotation_columns(self, *, grow_only: bool = False) -> None:
        """The annotation table's label and entity columns fit the names in use (capped)."""
        entities = [e.name for e in self.ctl.entity_list(wait=False)] if self.ctl.db is not None else []
        self.annotations.fit_columns([lb.name for lb in self.ctl.labels()], entities, [self.ctl.user], grow_only=grow_only)

    def _entities_changed(self) -> None:
        self.annotations.model.set_lookups(self.ctl.labels(), self.selection.entity_name)
        self._fit_annotation_columns(grow_only=True)
        self.entity_tools.entities_changed()

    def _claim_source(self, name: str, new: bool) -> None:
        """The analyst chose the claim's source; a new actor whose name is
        close to an existing one's is pointed out before it is made."""
        ann = self.details.ann
        if ann is None:
            return
        near = self.ctl.near_actor_names(ann.id, name) if new else []
        if near and not self.prompter.confirm(
            self, "New actor", f"Make a new actor “{name}”? It is close to " + ", ".join(f"“{n}”" for n in near)
            + f", already an actor. No: make “{near[0]}” the source instead.",
        ):  # fmt: skip
            name, new = near[0], False
        self.ctl.set_claim_source(ann.id, name, new)

    def _claim_edit(self, edit, value) -> None:
        if self.details.ann is not None:
            edit(self.details.ann.id, value)

    def show_legend(self) -> None:
        keys = {lid: act.shortcut().toString(QKeySequence.SequenceFormat.NativeText) for lid, act in self.tag_actions.items()}
        dialog = LegendDialog(self.ctl.labels(), self, keys)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # a new one each time, with the labels of the day
        dialog.exec()

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
            self.selection.select(ann_id)
        return ann_id

    def delete_selected(self) -> None:
        ids = self.annotations.selected_ids()
        if not ids and self.details.ann is not None:
            ids = [self.details.ann.id]
        if not ids:
            self.statusBar().showMessage("Select an annotation to delete.", 4000)
            return
        self.ctl.delete(ids)

    def remove_sample(self) -> None:
        """Remove the sample whole (core.sample), after asking; Ctrl+Z brings it back."""
        if self.ctl.db is None:
            return
        ids = self.ctl.sample_annotation_ids()
        if not ids:
            self.statusBar().showMessage("There is no sample here to remove.", 5000)
            return
        question = ("Remove the sample's demonstration annotations, with their claims and the entities only they refer to? "
                    "Your own annotations stay. Ctrl+Z brings the sample back.")  # fmt: skip
        if self.prompter.confirm(self, "Remove the sample", question):
            if self.ctl.remove_sample(ids):
                self.statusBar().showMessage(f"Removed the sample's {len(ids)} annotations — Ctrl+Z brings them back", 10000)

    def toggle_direction(self) -> None:
        if self.ctl.document is None:
            return
        self.ctl.set_direction(Direction.RTL if self.act_rtl.isChecked() else Direction.LTR)

    def _changed(self, change: Change) -> None:
        """Redraw what ``change`` names, from the rows it carries."""
        # An entity change was announced already (entitiesChanged, before this):
        # the Entities view is re-read once per edit, not twice.
        if not change.entities_changed and (any(a.entity_id for a in change.rows_of(Annotation)) or not change.rows):
            self.entity_tools.mark_stale()  # the mention counts changed
        self.entity_tools.offer_places(change)
        doc = self.ctl.document
        if doc is None or change.document_id not in (doc.id, None):
            return
        for ann_id in change.removed:
            self.reader.highlighter.drop(ann_id)
            self.annotations.model.drop(ann_id)
            self.selection.clear_if_shown(ann_id)
        for ann_id in [*change.added, *change.updated]:
            ann = self.ctl.annotation(ann_id)  # the row the change carries, when it does
            if ann.document_id != doc.id:  # a change spanning documents
                continue
            self.reader.highlighter.put(ann)
            self.annotations.model.put(ann)
            if self.details.ann is not None and self.details.ann.id == ann_id:
                self.selection.show_details(ann_id)
        if change.updated and (change.rows_of(Claim) or not change.rows):
            self.annotations.model.set_gradings(*self.ctl.claim_columns())
        if change.document_id is not None and not (change.added or change.removed or change.updated):
            self.reader.apply_direction(doc.direction)  # a document-level change
            self.reader.highlighter.rehighlight()
            self.pane.show_header(doc)
            self.act_rtl.setChecked(doc.direction == Direction.RTL)
        self._update_title()

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
        self.prompter.about(
            self,
            "About Annotator",
            "<b>Annotator</b><br>An offline annotation desk for analysts: tag actors, claims and "
            "locations; every edit is saved at once in a local SQLite file.<br><br>"
            f"Database: {html.escape(str(self.ctl.db.path)) if self.ctl.db else '—'}",
        )

    # --- document properties --------------------------------------------------------------------

    def edit_document_properties(self) -> None:
        doc = self.ctl.document
        if doc is None:
            self.show_error("Open a document first.")
            return
        dialog = DocumentDialog(doc, self)
        if dialog.exec():
            self.ctl.edit_document(doc.id, dialog.fields())

    # --- state ----------------------------------------------------------------------------------------

    def _restore_window(self) -> None:
        s = self.settings
        geometry = s.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:  # the first start: 1400×860, or what the screen has room for with a frame (a 1366×768 laptop)
            room = self.screen().availableGeometry() if self.screen() is not None else None
            if room is None:
                self.resize(1400, 860)
            else:
                self.resize(min(1400, room.width() - FRAME_ROOM[0]), min(860, room.height() - FRAME_ROOM[1]))
                self.move(room.topLeft())
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
        self.databases.rebuild_recent()
        self.annotations.columns.restore(s)
        self.documents.columns.restore(s)

    def save_state(self) -> None:
        s = self.settings
        self.details.commit_pending()  # what is being typed is saved before the window goes
        s.setValue("geometry", self.saveGeometry())
        s.setValue("window_state", self.saveState())
        s.setValue("splitter_main", self.splitter.saveState())
        annotations_sizes = self.entity_tools.annotations_tab_sizes()
        if annotations_sizes:
            self.right.setSizes(annotations_sizes)  # restored next time with the Annotations tab
        s.setValue("splitter_right", self.right.saveState())
        self.databases.remember_document()
        s.sync()

    def changeEvent(self, ev) -> None:  # noqa: N802
        """Coming back to the window, show what others committed meanwhile."""
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.ActivationChange and self.ctl.db is not None and self.isActiveWindow():
            self.databases.check_external_changes()

    def dragEnterEvent(self, ev) -> None:  # noqa: N802
        if ev.mimeData().hasUrls() and all(u.isLocalFile() for u in ev.mimeData().urls()):
            ev.acceptProposedAction()

    def dropEvent(self, ev) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in ev.mimeData().urls() if u.isLocalFile()]
        if paths:
            ev.acceptProposedAction()
            self.files.import_files(paths)

    def closeEvent(self, ev: QCloseEvent) -> None:  # noqa: N802
        self.save_state()
        self.suggestion_tools.close()
        self.ctl.close()
        super().closeEvent(ev)

