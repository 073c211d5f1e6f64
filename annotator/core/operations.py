"""Every edit by name, and undo/redo over them, without Qt.

:class:`Operations` runs an :class:`~.change.Op` against the services of one
database; the :class:`~.change.Change` it returns carries the inverse
operation. :class:`History` is undo and redo as core logic: run an edit,
keep its inverse; undo runs that inverse and keeps *its* inverse for redo.
The desk's one ``QUndoCommand`` (``ui/commands.py``) does the same over
Qt's undo stack; the command line and the tests use :class:`History`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .change import Change, Op
from .claims import Claims
from .entities import Entities
from .entity_index import EntityIndex
from .ports import Repository
from .services import Desk
from .suggest import Known
from .suggestions import Suggestions, default_gazetteer


@dataclass
class Services:
    """The services of one database, sharing one entity index."""

    desk: Desk
    entities: Entities
    claims: Claims
    suggestions: Suggestions


def services_for(repo: Repository, user: str, gazetteer: Callable[[], Sequence[Known]] | None = default_gazetteer) -> Services:
    """``gazetteer``: the places suggestions propose (None: none; tests give a few)."""
    index = EntityIndex(repo)
    return Services(Desk(repo, user, index), Entities(repo, user, index), Claims(repo, user, index),
                    Suggestions(repo, user, index, gazetteer))  # fmt: skip


class Operations:
    """Runs operations by name. ``extra``: more operations, from layers core
    cannot import (the store's merge conflicts), each returning a Change
    with its inverse set."""

    def __init__(self, services: Services, extra: Mapping[str, Callable[..., Change]] | None = None):
        desk, entities, claims, suggestions = services.desk, services.entities, services.claims, services.suggestions
        self.services = services
        self._run: dict[str, Callable[..., Change]] = {
            "add_annotation": lambda doc_id, label_id, start, end, ann_id=None, note="": desk.add_annotation(
                doc_id, label_id, start, end, ann_id=ann_id, note=note
            )[1],
            "delete_annotations": desk.delete_annotations,
            "restore_annotations": desk.restore_annotations,
            "update_annotation": lambda ann_id, fields, revive=(): desk.update_annotation(ann_id, revive=revive, **fields),
            "set_direction": lambda doc_id, direction: desk.set_direction(doc_id, direction),
            "update_document": lambda doc_id, fields: desk.update_document(doc_id, fields),
            "update_entity": lambda entity_id, fields, revive=False: entities.update(entity_id, revive=revive, **fields),
            "merge_entities": lambda target_id, source_ids, fields=None: entities.merge(target_id, source_ids, fields).change,
            "unmerge_entities": lambda merge: entities.unmerge(merge),
            "tag_occurrences": lambda entity_id, label_id, occurrences: entities.tag_occurrences(
                entity_id, label_id, occurrences
            )[1],
            "set_claim_fields": lambda ann_id, fields, revive=(): claims.set_details(ann_id, revive=revive, **fields),
            "set_claim_source": lambda ann_id, name: claims.set_source(ann_id, name)[1],
            "set_claim_subjects": lambda ann_id, entity_ids, revive=(): claims.set_subjects(ann_id, entity_ids, revive=revive),
            "link_claims": lambda from_id, to_id, relation: claims.link(from_id, to_id, relation)[1],
            "unlink_claims": lambda link_id: claims.unlink(link_id),
            "relink_claims": lambda link_id: claims.relink(link_id),
            "accept_suggestions": suggestions.accept,
            "reject_suggestions": suggestions.reject,
            "set_rejections": suggestions.set_rejections,
            **(extra or {}),
        }

    def names(self) -> list[str]:
        return sorted(self._run)

    def run(self, op: Op) -> Change:
        """Run ``op`` (one transaction); raises what the operation raises."""
        try:
            fn = self._run[op.name]
        except KeyError:
            raise ValueError(f"no operation {op.name!r}") from None
        change = fn(**op.args)
        if op.name != "accept_suggestions":  # (it keeps the suggestions current itself)
            self.services.suggestions.learned(change)
        return change


class History:
    """Undo and redo as a list of inverse operations. An operation that
    fails leaves both lists as they were."""

    def __init__(self, operations: Operations):
        self.operations = operations
        self._undo: list[Op] = []
        self._redo: list[Op] = []

    def do(self, op: Op) -> Change:
        change = self.operations.run(op)
        if change.inverse is not None:
            self._undo.append(change.inverse)
            self._redo.clear()
        return change

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> Change:
        return self._step(self._undo, self._redo)

    def redo(self) -> Change:
        return self._step(self._redo, self._undo)

    def _step(self, source: list[Op], target: list[Op]) -> Change:
        """Run the last of ``source``; its change's inverse goes to ``target``."""
        change = self.operations.run(source[-1])
        source.pop()
        if change.inverse is not None:
            target.append(change.inverse)
        return change

    def clear(self) -> None:
        """Forget both lists (after a merge: their values predate it)."""
        self._undo.clear()
        self._redo.clear()
