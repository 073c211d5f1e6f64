"""Undoable edits. Each command's redo/undo is one core service call (one
transaction); a failure is caught, reported by the controller and the
command made obsolete so it never sits on the undo stack half-done."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from ..core.errors import AnnotatorError
from ..core.model import Direction
from ..core.services import Change

if TYPE_CHECKING:
    from .controller import DeskController


class DeskCommand(QUndoCommand):
    def __init__(self, controller: DeskController, text: str):
        super().__init__(text)
        self.ctl = controller
        self.failure = ""
        self._done_once = False

    def _run(self, fn) -> None:
        try:
            change: Change = fn()
        except (AnnotatorError, OSError, ValueError) as exc:
            self.failure = str(exc)
            self.setObsolete(True)
            return
        except Exception as exc:  # the database said no (locked, full, read-only…)
            self.failure = f"the edit could not be saved: {getattr(exc, 'orig', exc)}"
            self.setObsolete(True)
            return
        self.ctl.apply(change)

    def redo(self) -> None:
        first = not self._done_once
        self._done_once = True
        self._run(self.first_redo if first else self.do)

    def undo(self) -> None:
        self._run(self.undo_change)

    # subclasses
    def first_redo(self) -> Change:
        return self.do()

    def do(self) -> Change:
        raise NotImplementedError

    def undo_change(self) -> Change:
        raise NotImplementedError


class AddAnnotation(DeskCommand):
    def __init__(self, ctl, doc_id: uuid.UUID, label_id: uuid.UUID, start: int, end: int):
        label = ctl.label(label_id)
        super().__init__(ctl, f"Tag {label.name if label else 'span'}")
        self.doc_id, self.label_id, self.start, self.end = doc_id, label_id, start, end
        self.ann_id = uuid.uuid4()

    def first_redo(self) -> Change:
        _ann, change = self.ctl.desk.add_annotation(self.doc_id, self.label_id, self.start, self.end, ann_id=self.ann_id)
        return change

    def do(self) -> Change:  # redo after undo: the same row comes back
        return self.ctl.desk.restore_annotation(self.ann_id)

    def undo_change(self) -> Change:
        return self.ctl.desk.delete_annotation(self.ann_id)


class DeleteAnnotations(DeskCommand):
    def __init__(self, ctl, ann_ids: list[uuid.UUID]):
        n = len(ann_ids)
        super().__init__(ctl, "Delete annotation" if n == 1 else f"Delete {n} annotations")
        self.ann_ids = list(ann_ids)

    def _each(self, op) -> Change:
        merged = Change()
        for ann_id in self.ann_ids:
            ch = op(ann_id)
            merged.document_id = ch.document_id
            merged.added += ch.added
            merged.removed += ch.removed
            merged.spans += ch.spans
        return merged

    def do(self) -> Change:
        return self._each(self.ctl.desk.delete_annotation)

    def undo_change(self) -> Change:
        return self._each(self.ctl.desk.restore_annotation)



class UpdateAnnotation(DeskCommand):
    def __init__(self, ctl, ann_id: uuid.UUID, *, label_id=None, note=None):
        ann = ctl.annotation(ann_id)
        super().__init__(ctl, "Change label" if label_id is not None else "Edit note")
        self.ann_id = ann_id
        self.new = {"label_id": label_id, "note": note}
        self.old = {
            "label_id": ann.label_id if label_id is not None else None,
            "note": ann.note if note is not None else None,
            "entity_id": ann.entity_id,
        }

    def do(self) -> Change:
        return self.ctl.desk.update_annotation(self.ann_id, **self.new)

    def undo_change(self) -> Change:
        return self.ctl.desk.update_annotation(self.ann_id, **self.old)


class SetDirection(DeskCommand):
    def __init__(self, ctl, doc_id: uuid.UUID, direction: Direction):
        super().__init__(ctl, "Right-to-left" if direction == Direction.RTL else "Left-to-right")
        self.doc_id = doc_id
        self.new = direction
        self.old = Direction.LTR if direction == Direction.RTL else Direction.RTL

    def do(self) -> Change:
        return self.ctl.desk.set_direction(self.doc_id, self.new)

    def undo_change(self) -> Change:
        return self.ctl.desk.set_direction(self.doc_id, self.old)
