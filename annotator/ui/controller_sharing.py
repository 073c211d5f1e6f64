"""The controller's sharing: merging another analyst's database, its
conflicts, sharing documents, and agreement between analysts. A mixin of
:class:`~.controller.DeskController` (it uses its database, document,
undo stack and ``_do``)."""

from __future__ import annotations

import uuid
from pathlib import Path

from ..core import agreement
from ..core.change import Change, Op


class SharingMixin:
    def plan_merge(self, path: Path):
        """What merging ``path`` would do (reads it as untrusted input)."""
        from ..store import merge

        return merge.plan_merge(self.db, path)

    def apply_merge(self, plan):
        """Apply a planned merge in one transaction, then re-read everything."""
        from ..store import merge

        report = merge.apply_merge(self.db, plan, user=self.user)
        return report

    def after_merge(self) -> None:
        """Re-read everything after a merge, and forget the undo history: its
        commands hold the values rows had before the merge, and undoing one
        would write them back over the rows the merge just brought in (a
        colleague's newer edit lost without a trace). The merge itself is
        not undone from here either: its report and the conflicts list (each
        conflict reversible) are the way back."""
        self.undo_stack.clear()
        self.refresh()
        self.documentsChanged.emit()

    def conflicts(self):
        from ..store import merge

        return merge.conflicts(self.db)

    def reverse_conflict(self, conflict_id: uuid.UUID) -> bool:
        """Keep the version a merge set aside; undo swaps back."""
        return self._do("Keep the other version", "reverse_conflict", conflict_id=conflict_id)

    def _conflict_operations(self) -> dict:
        """The merge conflicts' two edits, as operations with their inverses
        (they live in the store, which core does not import)."""
        from ..store import merge

        def reverse(conflict_id: uuid.UUID) -> Change:
            change = merge.reverse_conflict(self.db, conflict_id)
            change.inverse = Op("reverse_conflict", {"conflict_id": conflict_id})
            return change

        def mark(conflict_id: uuid.UUID, reviewed: bool) -> Change:
            old = merge.get_conflict(self.db, conflict_id).resolved
            merge.resolve_conflict(self.db, conflict_id, reviewed)
            return Change(inverse=Op("mark_conflict", {"conflict_id": conflict_id, "reviewed": old}))

        return {"reverse_conflict": reverse, "mark_conflict": mark}

    def conflict(self, conflict_id: uuid.UUID):
        from ..store import merge

        return merge.get_conflict(self.db, conflict_id)

    def set_conflict_reviewed(self, conflict_id: uuid.UUID, reviewed: bool) -> bool:
        """Mark a conflict reviewed (or not), undoably. Only the conflicts
        list changes, never a data row."""
        text = "Mark conflict reviewed" if reviewed else "Mark conflict not reviewed"
        return self._do(text, "mark_conflict", conflict_id=conflict_id, reviewed=reviewed)

    def share(self, doc_ids: list[uuid.UUID], path: Path):
        from ..store.share import share

        return share(self.db, doc_ids, path, overwrite=path.exists())

    def analysts(self) -> list[tuple[str, int]]:
        return agreement.analysts(self.repo, self.document.id) if self.document else []

    def agreement(self, a: str, b: str):
        return agreement.document_agreement(self.repo, self.document.id, (a, b))
