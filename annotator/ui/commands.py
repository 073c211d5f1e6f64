"""The one undoable edit: a ``QUndoCommand`` over core operations.

Its redo runs an operation (:class:`~annotator.core.change.Op`, one
transaction) and keeps the inverse the returned change carries; its undo
runs that inverse and keeps *its* inverse for the next redo (core's
``History`` does the same without Qt). A failure is caught, reported by the
controller, and the command made obsolete so it never sits on the undo stack
half-done. Commands whose operations share a ``merge_key`` (typing in one
field, grading one claim key by key) merge into one undo step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from ..core.change import Change, Op
from ..core.errors import AnnotatorError, StoreError

if TYPE_CHECKING:
    from .controller import DeskController

_MERGING_ID = 1001  # Qt merges only commands with the same id() >= 0; the merge key decides the rest


class OperationCommand(QUndoCommand):
    """``op`` is run on the first redo; or, given ``done``, the edit was
    already made (a file import, read and stored in one go) and ``done`` is
    its change."""

    def __init__(self, controller: DeskController, text: str, op: Op | None = None, *, done: Change | None = None):
        super().__init__(text)
        self.ctl = controller
        self.failure = ""
        self.change: Change | None = None  # what the last redo or undo did
        self._forward = op
        self._backward: Op | None = None
        self._done = done
        self.merge_key = op.merge_key if op is not None else None

    def _run(self, op: Op | None) -> Change | None:
        if op is None:
            self.setObsolete(True)
            return None
        try:
            change = self.ctl.operations.run(op)
        except StoreError as exc:  # the database said no: locked, full, read-only…
            self.failure = f"the edit could not be saved: {exc}"
        except (AnnotatorError, OSError, ValueError) as exc:
            self.failure = str(exc)
        else:
            return change
        self.setObsolete(True)
        return None

    def redo(self) -> None:
        if self._done is not None:
            change, self._done = self._done, None
        else:
            change = self._run(self._forward)
        if change is None:
            return
        self.change, self._backward = change, change.inverse
        if change.inverse is None:
            self.setObsolete(True)  # nothing to undo: kept off the stack
        self.ctl.apply(change)

    def undo(self) -> None:
        change = self._run(self._backward)
        if change is None:
            return
        self.change, self._forward = change, change.inverse
        self.ctl.apply(change)

    def id(self) -> int:  # noqa: A003 (Qt API)
        return _MERGING_ID if self.merge_key is not None else -1

    def mergeWith(self, other) -> bool:  # noqa: N802 (Qt API)
        """Fold ``other`` (just done) into this step: redo sets both's fields,
        undo puts back the values from before this one."""
        if not isinstance(other, OperationCommand) or other.merge_key != self.merge_key or other.failure:
            return False
        if self._forward is None or other._forward is None or self._backward is None or other._backward is None:
            return False
        self._forward = self._forward.merged(other._forward)
        self._backward = other._backward.merged(self._backward)
        return True
