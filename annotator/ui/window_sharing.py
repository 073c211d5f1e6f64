"""The main window's sharing: merging a colleague's database (preview, then
apply), reviewing merge conflicts, sharing documents as a new database, and
agreement between analysts: a part of the main window (see
:mod:`.window_context`)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ..core.errors import AnnotatorError
from .window_context import WindowContext
from .sharing import AgreementDialog, ConflictsDialog, MergePreviewDialog
from .window_databases import DB_FILTER
from .workers import BackgroundTask


class Sharing:
    """Merge, share, conflicts and agreement. After a merge it calls
    ``reload`` (re-read everything) and ``merged`` (with the report);
    agreement's disagreements are shown with ``flash(start, end)``."""

    def __init__(self, ctx: WindowContext, *, reload: Callable[[], None], merged: Callable[[object], None],
                 flash: Callable[[int, int], None]) -> None:  # fmt: skip
        self.ctx, self.ctl = ctx, ctx.ctl
        self._reload, self._merged, self._flash = reload, merged, flash

    def merge_database(self, path: Path | None = None, *, wait: bool = False) -> None:
        """Plan the merge in the background, preview it, then apply it."""
        if self.ctl.db is None:
            return
        if path is None:
            path = self.ctx.prompter.open_path(self.ctx.window, "Merge a colleague's database", Path.home(), DB_FILTER)
            if path is None:
                return

        def planned(plan) -> None:
            dialog = MergePreviewDialog(plan, self.ctx.window)
            if dialog.exec():
                task = BackgroundTask(self.ctx.window, "Merging", lambda _p: self.ctl.apply_merge(plan), merged, self.ctx.error)
                task.start()
                if wait:
                    task.wait()

        def merged(report) -> None:
            self.ctl.after_merge()
            self._reload()
            total = report.total
            self.ctx.status(
                f"Merged {report.source.name}: {total.added} added, {total.updated} updated, {total.deleted} deleted, "
                f"{total.conflicts} conflict(s) to review; earlier edits can no longer be undone", 15000,
            )  # fmt: skip (after_merge cleared the undo history: see DeskController.after_merge)
            self._merged(report)
            if total.conflicts and self.ctx.prompter.confirm(
                self.ctx.window, "Merge conflicts", f"{total.conflicts} conflict(s) to review: the two analysts changed the same thing. Review them now?"
            ):
                self.show_conflicts()

        task = BackgroundTask(self.ctx.window, "Reading the other database", lambda _p: self.ctl.plan_merge(path), planned, self.ctx.error)
        task.start()
        if wait:
            task.wait()

    def show_conflicts(self) -> None:
        if self.ctl.db is None:
            return
        dialog = ConflictsDialog(self.ctl.conflicts, self.ctx.window)
        dialog.reverseRequested.connect(lambda cid: (self.ctl.reverse_conflict(cid), dialog.refresh()))
        dialog.reviewedRequested.connect(lambda cid, on: (self.ctl.set_conflict_reviewed(cid, on), dialog.refresh()))
        dialog.exec()

    def share_documents(self) -> None:
        if self.ctl.document is None:
            return
        saving = self.ctx.prompter.save_path(self.ctx.window, "Share the open document as a new database", Path.home() / "shared.db", DB_FILTER)
        if saving is None:
            return
        path = saving.path
        try:
            self.ctl.share([self.ctl.document.id], path)
        except (AnnotatorError, OSError) as exc:
            self.ctx.error(str(exc))
            return
        self.ctx.status(f"Wrote {path} with this document only", 8000)

    def show_agreement(self) -> None:
        if self.ctl.document is None:
            return
        analysts = self.ctl.analysts()
        if len(analysts) < 2:
            self.ctx.error("Only one analyst has annotated this document: merge a colleague's database first.")
            return
        dialog = AgreementDialog(analysts, self.ctl.agreement, self.ctx.window)
        dialog.disagreementChosen.connect(self._flash)
        dialog.exec()
