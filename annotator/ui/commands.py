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

    def do(self) -> Change:
        return self.ctl.desk.delete_annotations(self.ann_ids)

    def undo_change(self) -> Change:
        return self.ctl.desk.restore_annotations(self.ann_ids)


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


class EditDocument(DeskCommand):
    """Changes a document's metadata (title, source, date…); undo puts the old values back."""

    def __init__(self, ctl, doc_id: uuid.UUID, fields: dict[str, str]):
        super().__init__(ctl, "Edit document properties")
        doc = ctl.repo.get_document(doc_id)
        self.doc_id, self.new = doc_id, dict(fields)
        self.old = {k: getattr(doc, k) for k in fields}

    def do(self) -> Change:
        return self.ctl.desk.update_document(self.doc_id, self.new)

    def undo_change(self) -> Change:
        return self.ctl.desk.update_document(self.doc_id, self.old)


# --- entities -----------------------------------------------------------------------


class UpdateEntity(DeskCommand):
    def __init__(self, ctl, entity_id: uuid.UUID, fields: dict):
        entity = ctl.entity(entity_id)
        super().__init__(ctl, f"Edit {entity.name if entity else 'entity'}")
        self.entity_id = entity_id
        self.new = dict(fields)
        self.old = {k: getattr(entity, k) for k in fields}

    def do(self) -> Change:
        return self.ctl.entities.update(self.entity_id, **self.new)

    def undo_change(self) -> Change:
        return self.ctl.entities.update(self.entity_id, **self.old)


class MergeEntities(DeskCommand):
    def __init__(self, ctl, target_id: uuid.UUID, source_ids: list[uuid.UUID]):
        target = ctl.entity(target_id)
        super().__init__(ctl, f"Merge {len(source_ids)} into {target.name if target else 'entity'}")
        self.target_id = target_id
        self.source_ids = list(source_ids)
        self.merge = None

    def do(self) -> Change:
        self.merge = self.ctl.entities.merge(self.target_id, self.source_ids)
        return self.merge.change

    def undo_change(self) -> Change:
        return self.ctl.entities.unmerge(self.merge)


class TagOccurrences(DeskCommand):
    """Tags many mentions at once; undo tombstones them all in one transaction."""

    def __init__(self, ctl, entity_id: uuid.UUID, label_id: uuid.UUID, occurrences: list):
        super().__init__(ctl, f"Tag {len(occurrences)} occurrence(s)")
        self.entity_id, self.label_id, self.occurrences = entity_id, label_id, list(occurrences)
        self.ann_ids: list[uuid.UUID] = []

    def first_redo(self) -> Change:
        self.ann_ids, change = self.ctl.entities.tag_occurrences(self.entity_id, self.label_id, self.occurrences)
        return change

    def do(self) -> Change:
        return self.ctl.desk.restore_annotations(self.ann_ids)

    def undo_change(self) -> Change:
        return self.ctl.desk.delete_annotations(self.ann_ids)



class ImportAnnotationFile(DeskCommand):
    """Anchors an annotation file (W3C or brat) in a document, in one
    transaction; undo tombstones what it added, redo brings the same rows back.
    ``result`` says what the import did (added, unchanged, orphans, lines left out)."""

    def __init__(self, ctl, doc_id: uuid.UUID, path, fmt: str | None = None):
        from pathlib import Path

        super().__init__(ctl, f"Import annotations from {Path(path).name}")
        self.doc_id, self.path, self.fmt = doc_id, path, fmt
        self.result = None

    def first_redo(self) -> Change:
        from ..io.interchange import import_annotation_file

        self.result = import_annotation_file(self.ctl.desk, self.doc_id, self.path, self.fmt)
        report = self.result.report
        if not report.added:
            self.setObsolete(True)  # nothing to undo: kept off the stack
        return Change(document_id=self.doc_id, added=list(report.added), labels_changed=bool(report.labels_added),
                      entities_changed=True)  # fmt: skip

    def do(self) -> Change:
        return self.ctl.desk.restore_annotations(self.result.report.added)

    def undo_change(self) -> Change:
        return self.ctl.desk.delete_annotations(self.result.report.added)

# --- claims ------------------------------------------------------------------------------

CLAIM_FIELDS = ("source_entity_id", "source_annotation_id", "reliability", "credibility", "likelihood", "stance", "likelihood_note")


class SetClaimFields(DeskCommand):
    GRADING = {"reliability", "credibility"}
    GRADING_ID = 1001  # consecutive grading keys on one claim undo as one step

    def __init__(self, ctl, ann_id: uuid.UUID, fields: dict, text: str = "Edit claim"):
        super().__init__(ctl, "Grade claim" if set(fields) <= self.GRADING else text)
        claim = ctl.claims.details(ann_id).claim
        self.ann_id = ann_id
        self.new = dict(fields)
        self.old = {k: getattr(claim, k) for k in fields}

    def id(self) -> int:  # noqa: A003 (Qt API)
        return self.GRADING_ID if set(self.new) <= self.GRADING else -1

    def mergeWith(self, other) -> bool:  # noqa: N802 (Qt API)
        if not isinstance(other, SetClaimFields) or other.ann_id != self.ann_id or other.failure:
            return False
        for key, value in other.old.items():
            self.old.setdefault(key, value)
        self.new.update(other.new)
        return True

    def do(self) -> Change:
        return self.ctl.claims.set_details(self.ann_id, **self.new)

    def undo_change(self) -> Change:
        return self.ctl.claims.set_details(self.ann_id, **self.old)


class SetClaimSource(DeskCommand):
    """Source by name: an existing actor entity (name or alias), else a new
    one, in one transaction. Undo puts the old source back and tombstones an
    actor this edit created; redo brings the same actor back."""

    def __init__(self, ctl, ann_id: uuid.UUID, name: str):
        super().__init__(ctl, f"Source: {name}")
        self.ann_id = ann_id
        self.name = name
        self.old = ctl.claims.details(ann_id).claim.source_entity_id
        self.source_id: uuid.UUID | None = None
        self.created: uuid.UUID | None = None

    def first_redo(self) -> Change:
        entity, change = self.ctl.claims.set_source(self.ann_id, self.name)
        self.source_id = entity.id
        self.created = change.entities_added[0] if change.entities_added else None
        return change

    def do(self) -> Change:
        return self.ctl.claims.reset_source(self.ann_id, self.source_id, revive=self.created)

    def undo_change(self) -> Change:
        return self.ctl.claims.reset_source(self.ann_id, self.old, drop=self.created)


class SetClaimSubjects(DeskCommand):
    def __init__(self, ctl, ann_id: uuid.UUID, entity_ids: list[uuid.UUID]):
        super().__init__(ctl, "Change what the claim is about")
        self.ann_id = ann_id
        self.new = list(entity_ids)
        self.old = [e.id for e in ctl.claims.details(ann_id).subjects]

    def do(self) -> Change:
        return self.ctl.claims.set_subjects(self.ann_id, self.new)

    def undo_change(self) -> Change:
        return self.ctl.claims.set_subjects(self.ann_id, self.old)


class LinkClaims(DeskCommand):
    def __init__(self, ctl, from_id: uuid.UUID, to_id: uuid.UUID, relation: str):
        super().__init__(ctl, f"Link claims ({relation})")
        self.from_id, self.to_id, self.relation = from_id, to_id, relation
        self.link_id: uuid.UUID | None = None

    def first_redo(self) -> Change:
        self.link_id, change = self.ctl.claims.link(self.from_id, self.to_id, self.relation)
        return change

    def do(self) -> Change:
        return self.ctl.claims.relink(self.link_id)

    def undo_change(self) -> Change:
        return self.ctl.claims.unlink(self.link_id)


class UnlinkClaims(DeskCommand):
    def __init__(self, ctl, link_id: uuid.UUID):
        super().__init__(ctl, "Remove claim link")
        self.link_id = link_id

    def do(self) -> Change:
        return self.ctl.claims.unlink(self.link_id)

    def undo_change(self) -> Change:
        return self.ctl.claims.relink(self.link_id)


# --- merge conflicts -----------------------------------------------------------------------


class ReverseConflict(DeskCommand):
    """Keep the version a merge set aside; undo swaps back."""

    def __init__(self, ctl, conflict_id: uuid.UUID):
        super().__init__(ctl, "Keep the other version")
        self.conflict_id = conflict_id

    def do(self) -> Change:
        return self.ctl.reverse_conflict_now(self.conflict_id)

    def undo_change(self) -> Change:
        return self.ctl.reverse_conflict_now(self.conflict_id)


class SetConflictReviewed(DeskCommand):
    """Mark a merge conflict reviewed (or not); undo puts the old mark back.
    Only the conflicts list changes, never a data row."""

    def __init__(self, ctl, conflict_id: uuid.UUID, reviewed: bool):
        super().__init__(ctl, "Mark conflict reviewed" if reviewed else "Mark conflict not reviewed")
        self.conflict_id = conflict_id
        self.new = reviewed
        self.old = ctl.conflict(conflict_id).resolved

    def do(self) -> Change:
        self.ctl.mark_conflict_now(self.conflict_id, self.new)
        return Change()

    def undo_change(self) -> Change:
        self.ctl.mark_conflict_now(self.conflict_id, self.old)
        return Change()
