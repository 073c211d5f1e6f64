"""The main window's files: databases (open, new, recent, reload, changes made
elsewhere), importing documents, annotation files in and out, the Word brief
and the REFI-QDA project, drag and drop, and the last document of each
database. A mixin of :class:`~annotator.ui.main_window.MainWindow`: it uses
the window's controller (``self.ctl``), settings and widgets."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QApplication

from ..core.errors import AnnotatorError
from ..io.documents import LOADERS
from ..store.paths import default_db_path
from ..store.sqlite.first_look import first_look
from .controller import ALL_TABLES, LABEL_TABLES, LIST_TABLES, ready_spans
from .brief_dialog import BriefDialog
from .workers import BackgroundTask

if TYPE_CHECKING:
    from ..store.change_log import Changes

IMPORT_FILTER = "Documents ({});;All files (*)".format(" ".join(f"*{suffix}" for suffix in LOADERS))
DB_FILTER = "Annotator databases (*.db *.sqlite);;All files (*)"
QDPX_FILTER = "REFI-QDA projects (*.qdpx);;All files (*)"
ANNOTATIONS_IN_FILTER = "Annotations (*.json *.jsonld *.ann);;W3C Web Annotation (*.json *.jsonld);;brat standoff (*.ann);;All files (*)"
ANNOTATIONS_OUT_FILTER = "W3C Web Annotation (*.json);;CSV (*.csv);;brat standoff (*.ann)"
MAX_RECENT = 8


class WindowFiles:
    """Databases and files for the main window (see the module's doc)."""

    # --- database -----------------------------------------------------------------------

    def open_database(self, path: Path | None) -> bool:
        """Open (or create) a database and show its last document here, else
        its first (a new database shows the seed article)."""
        self.remember_document()  # of the database being left
        try:
            seeded = self.ctl.open_database(path)
        except AnnotatorError as exc:
            self.show_error(str(exc))
            return False
        self.restore_document()
        if seeded:
            self.statusBar().showMessage(f"New database {self.ctl.db.path}, with the seed article to start from", 8000)
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

    def new_database(self, path: Path | None = None) -> bool:
        """Create a database (asking where, without ``path``) and open it.
        An existing file is never replaced."""
        if path is None:
            saving = self.prompter.save_path(self, "New database", Path.home() / "annotations.db", DB_FILTER)
            if saving is None:
                return False
            path = saving.path
        path = Path(path)
        if path.exists():
            self.show_error(f"{path} already exists: File ▸ Open database… opens it (a new database is never written over a file)")
            return False
        return self.open_database(path)

    def choose_database(self, path: Path | None = None) -> bool:
        """Open a database (asking which, without ``path``)."""
        if path is None:
            path = self.prompter.open_path(self, "Open database", Path.home(), DB_FILTER)
            if path is None:
                return False
        return self.open_database(Path(path))

    def reload(self, changes: Changes | None = None) -> None:
        """Re-read what another window, the CLI or a merge changed: only what
        ``changes`` names (the document list, labels, entities; the open
        document if its rows changed), or everything when it is None."""
        if self.ctl.db is None:
            return
        doc = self.ctl.document
        selected = self.details.ann.id if self.details.ann is not None else None
        self.ctl.refresh(changes)
        tables = changes.tables if changes is not None else ALL_TABLES
        if tables & LIST_TABLES:
            self._refresh_documents()
        if doc is not None and (changes is None or changes.touches(doc.id) or tables & LABEL_TABLES):
            self.ctl.document = None
            self.open_document(doc.id, keep_scroll=True)
            if selected is not None and self.annotations.model.row_of(selected) >= 0:
                self.select_annotation(selected)

    def changeEvent(self, ev) -> None:  # noqa: N802
        """Coming back to the window, show what others committed meanwhile."""
        super().changeEvent(ev)
        if ev.type() == QEvent.Type.ActivationChange and self.ctl.db is not None and self.isActiveWindow():
            self.check_external_changes()

    def check_external_changes(self) -> bool:
        """Refresh what other writers committed since the last look (the
        change log says exactly: see :mod:`annotator.store.change_log`)."""
        changes = self.ctl.external_changes()
        if changes:
            self.reload(changes)
            self.statusBar().showMessage("Updated with changes made elsewhere (another window, the command line or a merge)", 6000)
        return bool(changes)


    # --- documents ------------------------------------------------------------------------

    def choose_imports(self) -> None:
        paths = self.prompter.open_paths(self, "Import documents", Path.home(), IMPORT_FILTER)
        if paths:
            self.import_files(paths)

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
        if not dialog.exec():
            return
        self.write_brief(dialog.options(), dialog.output_path())

    def write_brief(self, options, path: Path, *, wait: bool = False) -> None:
        """Write the brief in the background with progress; offer to open it."""
        from ..export.brief import write_brief

        self.settings.setValue("brief/folder", str(path.parent))
        repo = self.ctl.repo

        def done(written) -> None:
            self.statusBar().showMessage(f"Brief written to {written}", 10000)
            self.written.emit([Path(written)])
            self.prompter.written(self, "Brief written", f"The brief was written to\n{written}", Path(written), "Open the brief")

        def cancelled() -> None:
            self.statusBar().showMessage(f"Brief cancelled: {path.name} was not written", 10000)

        task = BackgroundTask(
            self, "Writing the brief", lambda progress: write_brief(repo, options, path, progress), done, self.show_error, cancelled
        )  # a cancelled brief raises in write_brief's progress call: no file is written, an old one is kept
        self._brief_task = task
        task.start()
        if wait:
            task.wait()

    # --- annotation files -----------------------------------------------------------------------

    def choose_annotation_import(self) -> None:
        if self.ctl.document is None:
            self.show_error("Open a document first: annotations are imported into the open document.")
            return
        folder = Path(self.settings.value("annotations/folder", str(Path.home())))
        path = self.prompter.open_path(self, "Import annotations into this document", folder, ANNOTATIONS_IN_FILTER)
        if path is not None:
            self.import_annotation_file(path)

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
        saving = self.prompter.save_path(self, "Export this document's annotations", folder / f"{doc.title[:60]}.json",
                                         ANNOTATIONS_OUT_FILTER)  # fmt: skip
        if saving is None:
            return
        path = saving.path
        if not path.suffix:
            path = path.with_suffix({"CSV": ".csv", "brat": ".ann"}.get(saving.chosen_filter.split(" ")[0], ".json"))
        self.export_annotation_file(path)

    def export_annotation_file(self, path: Path, *, wait: bool = False) -> None:
        """Write the open document's annotations (by the file's suffix) in the background."""
        from ..io.interchange import export_annotation_file

        self.settings.setValue("annotations/folder", str(path.parent))
        repo, doc = self.ctl.repo, self.ctl.document

        def done(result) -> None:
            written, problems = result
            self.statusBar().showMessage(f"Annotations written to {', '.join(str(p) for p in written)}", 10000)
            if problems:
                self.show_report("Exported with omissions", f"{len(problems)} item(s) could not be written", problems)
            self.written.emit(list(written))

        task = BackgroundTask(self, "Exporting annotations", lambda progress: export_annotation_file(repo, doc, path), done, self.show_error)
        task.start()
        if wait:
            task.wait()

    def show_report(self, title: str, summary: str, lines: list[str]) -> None:
        """A message with the full list behind "Show Details…"."""
        self.prompter.report(self, title, summary, lines)

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
        saving = self.prompter.save_path(self, "Export a REFI-QDA project", folder / f"{self.ctl.db.path.stem}.qdpx", QDPX_FILTER)
        if saving is None:
            return
        path = saving.path
        self.write_qdpx(ids, path if path.suffix else path.with_suffix(".qdpx"))

    def write_qdpx(self, doc_ids: list, path: Path, *, wait: bool = False) -> None:
        """Write the project in the background (replaced atomically: a failure leaves the old file)."""
        from ..io.qdpx import write_qdpx

        self.settings.setValue("qdpx/folder", str(path.parent))
        repo, user = self.ctl.repo, self.ctl.user

        def done(written) -> None:
            self.statusBar().showMessage(f"REFI-QDA project of {len(doc_ids)} document(s) written to {written}", 10000)
            self.written.emit([Path(written)])

        def work(progress):
            return write_qdpx(repo, doc_ids, path, user=user, progress=progress)

        task = BackgroundTask(self, "Writing the REFI-QDA project", work, done, self.show_error)
        task.start()
        if wait:
            task.wait()

    # --- drag and drop ------------------------------------------------------------------------------

    def dragEnterEvent(self, ev) -> None:  # noqa: N802
        if ev.mimeData().hasUrls() and all(u.isLocalFile() for u in ev.mimeData().urls()):
            ev.acceptProposedAction()

    def dropEvent(self, ev) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in ev.mimeData().urls() if u.isLocalFile()]
        if paths:
            ev.acceptProposedAction()
            self.import_files(paths)

    # --- the last document of each database ---------------------------------------------------

    def _db_key(self, path: Path | None = None) -> str | None:
        """The settings group of a database: its resolved path, hashed (a path is no key)."""
        path = path if path is not None else (self.ctl.db.path if self.ctl.db is not None else None)
        if path is None:
            return None
        return "databases/" + hashlib.sha1(str(Path(path).resolve()).encode("utf-8")).hexdigest()[:20]

    def remember_document(self, *, scroll: bool = True) -> None:
        """Note the open document (and where the reader is) for this database."""
        key = self._db_key()
        if key is None or self.ctl.document is None:
            return
        s = self.settings
        s.setValue(f"{key}/path", str(self.ctl.db.path))
        s.setValue(f"{key}/last_doc", str(self.ctl.document.id))
        s.setValue("last_doc", str(self.ctl.document.id))
        if scroll:
            cp = self.reader.first_visible_cp()
            s.setValue(f"{key}/last_scroll_cp", cp)
            s.setValue("last_scroll_cp", cp)

    def _remembered(self, key: str | None) -> tuple[str, str]:
        """The last document of the database ``key`` (its id as text, or ""),
        and the setting holding where the reader was in it."""
        s = self.settings
        last = s.value(f"{key}/last_doc", "") if key else ""
        if not last:  # remembered before documents were remembered per database
            return s.value("last_doc", ""), "last_scroll_cp"
        return last, f"{key}/last_scroll_cp"

    def restore_document(self) -> None:
        """Open this database's last document at its scroll position, else its first one."""
        last, scroll_key = self._remembered(self._db_key())
        ids = {str(d.id): d.id for d in self.ctl.document_summaries()}
        doc_id = ids.get(last) or next(iter(ids.values()), None)
        if doc_id is None:
            return
        self.open_document(doc_id)
        if str(doc_id) == last:
            cp = self.settings.value(scroll_key, 0, type=int)
            QTimer.singleShot(0, self, lambda: self.reader.scroll_to_cp(cp, top=True))

    def show_first_look(self, path: Path | None) -> bool:
        """Draw the document the database at ``path`` (None: the default one)
        showed last, else its first, before the store is loaded (see
        :mod:`annotator.store.sqlite.first_look`); the window takes no edit
        until :meth:`open_database` has opened it properly. Whether one was drawn."""
        path = Path(path).expanduser() if path else default_db_path()
        last, scroll_key = self._remembered(self._db_key(path))
        look = first_look(path, last or None)
        if look is None:
            return False
        doc = look.document
        self.pane.show_header(doc)
        self.reader.show_document(doc, ready_spans(look.spans, look.fragments), look.labels)
        if str(doc.id) == last:
            self.reader.scroll_to_cp(self.settings.value(scroll_key, 0, type=int), top=True)
        self.setWindowTitle(f"{doc.title} — {path.name} — Annotator")
        self.statusBar().showMessage(f"Opening {path}…")
        return True
