"""The main window's files: importing documents, annotation files in and
out, the Word brief and the REFI-QDA project, each written in the
background: a part of the main window (see :mod:`.window_context`)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from ..io.documents import LOADERS
from .brief_dialog import BriefDialog
from .window_context import WindowContext
from .workers import BackgroundTask

IMPORT_FILTER = "Documents ({});;All files (*)".format(" ".join(f"*{suffix}" for suffix in LOADERS))
QDPX_FILTER = "REFI-QDA projects (*.qdpx);;All files (*)"
ANNOTATIONS_IN_FILTER = "Annotations (*.json *.jsonld *.ann);;W3C Web Annotation (*.json *.jsonld);;brat standoff (*.ann);;All files (*)"
ANNOTATIONS_OUT_FILTER = "W3C Web Annotation (*.json);;CSV (*.csv);;brat standoff (*.ann)"
WRITTEN_MS = 10000


class Files:
    """Files in and out. A new document is shown with ``open_document``, the
    list re-read with ``refresh_documents``; ``written(paths)`` hears of
    every file written."""

    def __init__(self, ctx: WindowContext, *, open_document: Callable[[uuid.UUID], None], refresh_documents: Callable[[], None],
                 written: Callable[[list[Path]], None]) -> None:  # fmt: skip
        self.ctx, self.ctl, self.settings = ctx, ctx.ctl, ctx.settings
        self._open_document, self._refresh_documents = open_document, refresh_documents
        self._written = written
        self.brief_task: BackgroundTask | None = None  # the brief being written, which can be cancelled

    # --- documents ------------------------------------------------------------------------

    def choose_imports(self) -> None:
        paths = self.ctx.prompter.open_paths(self.ctx.window, "Import documents", Path.home(), IMPORT_FILTER)
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
                self._open_document(results[0].document.id)
                new = sum(r.created for r in results)
                self.ctx.status(f"Imported {new} new document(s), {len(results) - new} already present", 6000)

        task = BackgroundTask(self.ctx.window, "Importing documents", work, done, self.ctx.error)
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
            lambda ids: suggested_title(self.ctl.repo, ids), folder, self.settings, self.ctx.window, user=self.ctl.user,
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
            self.ctx.status(f"Brief written to {written}", WRITTEN_MS)
            self._written([Path(written)])
            self.ctx.prompter.written(self.ctx.window, "Brief written", f"The brief was written to\n{written}", Path(written), "Open the brief")

        def cancelled() -> None:
            self.ctx.status(f"Brief cancelled: {path.name} was not written", WRITTEN_MS)

        task = BackgroundTask(
            self.ctx.window, "Writing the brief", lambda progress: write_brief(repo, options, path, progress), done, self.ctx.error, cancelled
        )  # a cancelled brief raises in write_brief's progress call: no file is written, an old one is kept
        self.brief_task = task
        task.start()
        if wait:
            task.wait()

    # --- annotation files -----------------------------------------------------------------------

    def choose_annotation_import(self) -> None:
        if self.ctl.document is None:
            self.ctx.error("Open a document first: annotations are imported into the open document.")
            return
        folder = Path(self.settings.value("annotations/folder", str(Path.home())))
        path = self.ctx.prompter.open_path(self.ctx.window, "Import annotations into this document", folder, ANNOTATIONS_IN_FILTER)
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
        self.ctl.refresh()  # labels the file brought, entities it linked (its rows came with its Change)
        self.ctx.status(f"{path.name}: {result.summary()}" + (" — Ctrl+Z undoes" if result.report.added else ""), WRITTEN_MS)
        trouble = [f"orphan: {o.draft.source_line}: {o.reason}" for o in result.report.orphans]
        trouble += [f"left out: {p}" for p in result.problems] + [f"problem: {p}" for p in result.report.problems]
        if trouble:
            self.ctx.report(f"Imported from {path.name}", result.summary(), trouble)
        return True

    def choose_annotation_export(self) -> None:
        doc = self.ctl.document
        if doc is None:
            self.ctx.error("Open a document first: its annotations are exported.")
            return
        folder = Path(self.settings.value("annotations/folder", str(Path.home())))
        if not folder.is_dir():
            folder = Path.home()
        saving = self.ctx.prompter.save_path(self.ctx.window, "Export this document's annotations", folder / f"{doc.title[:60]}.json",
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
            self.ctx.status(f"Annotations written to {', '.join(str(p) for p in written)}", WRITTEN_MS)
            if problems:
                self.ctx.report("Exported with omissions", f"{len(problems)} item(s) could not be written", problems)
            self._written(list(written))

        task = BackgroundTask(self.ctx.window, "Exporting annotations", lambda progress: export_annotation_file(repo, doc, path), done, self.ctx.error)
        task.start()
        if wait:
            task.wait()

    # --- REFI-QDA project --------------------------------------------------------------------------

    def export_qdpx(self) -> None:
        """Ask where, then write every document as a REFI-QDA project."""
        if self.ctl.db is None:
            return
        ids = [d.id for d in self.ctl.document_summaries()]
        if not ids:
            self.ctx.error("There are no documents to export.")
            return
        folder = Path(self.settings.value("qdpx/folder", str(Path.home())))
        if not folder.is_dir():
            folder = Path.home()
        saving = self.ctx.prompter.save_path(self.ctx.window, "Export a REFI-QDA project", folder / f"{self.ctl.db.path.stem}.qdpx", QDPX_FILTER)
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
            self.ctx.status(f"REFI-QDA project of {len(doc_ids)} document(s) written to {written}", WRITTEN_MS)
            self._written([Path(written)])

        def work(progress):
            return write_qdpx(repo, doc_ids, path, user=user, progress=progress)

        task = BackgroundTask(self.ctx.window, "Writing the REFI-QDA project", work, done, self.ctx.error)
        task.start()
        if wait:
            task.wait()
