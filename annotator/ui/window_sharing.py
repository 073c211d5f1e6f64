"""The main window's sharing: merging a colleague's database (preview, then
apply), reviewing merge conflicts, sharing documents as a new database, and
agreement between analysts. A mixin of
:class:`~annotator.ui.main_window.MainWindow`."""

from __future__ import annotations

from pathlib import Path


from ..core.errors import AnnotatorError
from .sharing import AgreementDialog, ConflictsDialog, MergePreviewDialog
from .window_files import DB_FILTER
from .workers import BackgroundTask


class WindowSharing:
    """Merge, share, conflicts and agreement for the main window."""

    # --- sharing ------------------------------------------------------------------------------------

    def merge_database(self, path: Path | None = None, *, wait: bool = False) -> None:
        """Plan the merge in the background, preview it, then apply it."""
        if self.ctl.db is None:
            return
        if path is None:
            path = self.prompter.open_path(self, "Merge a colleague's database", Path.home(), DB_FILTER)
            if path is None:
                return

        def planned(plan) -> None:
            dialog = MergePreviewDialog(plan, self)
            if dialog.exec():
                task = BackgroundTask(self, "Merging", lambda _p: self.ctl.apply_merge(plan), merged, self.show_error)
                task.start()
                if wait:
                    task.wait()

        def merged(report) -> None:
            self.ctl.after_merge()
            self.reload()
            total = report.total
            self.statusBar().showMessage(
                f"Merged {report.source.name}: {total.added} added, {total.updated} updated, {total.deleted} deleted, "
                f"{total.conflicts} conflict(s) to review; earlier edits can no longer be undone", 15000,
            )  # fmt: skip (after_merge cleared the undo history: see DeskController.after_merge)
            self.merged.emit(report)
            if total.conflicts and self.prompter.confirm(
                self, "Merge conflicts", f"{total.conflicts} conflict(s) to review: the two analysts changed the same thing. Review them now?"
            ):
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
        dialog.exec()

    def share_documents(self) -> None:
        if self.ctl.document is None:
            return
        saving = self.prompter.save_path(self, "Share the open document as a new database", Path.home() / "shared.db", DB_FILTER)
        if saving is None:
            return
        path = saving.path
        try:
            self.ctl.share([self.ctl.document.id], path)
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
        dialog.exec()
