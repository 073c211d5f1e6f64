"""Edits, as operations. Each public method is one transaction and returns
a :class:`~.change.Change`: the rows it wrote and its inverse operation
(delete ↔ restore keeps the same UUID, so an undone and redone annotation is
the same row, which keeps merges exact). See :mod:`.operations`.

An edit's cost does not grow with the corpus: a document's text is
immutable, so it is read once and kept (:data:`TEXTS_KEPT` of them); labels
are looked up by id from a kept copy; entities by name through an
:class:`~.entity_index.EntityIndex`, never by reading them all.

What importers hand over is in :mod:`.drafts` (re-exported here, as are
:func:`~.anchoring.anchor_draft` and :func:`~.anchoring.anchor_fragments`);
importing a file's annotations is :mod:`.annotation_import`.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from . import importing, offsets
from .anchoring import anchor_draft, anchor_fragments
from .annotation_import import import_annotations
from .canonical import canonical_from_string, detect_direction, sha256
from .change import Change, Op
from .drafts import AnnotationDraft, AnnotationImport, ClaimDraft, EntityRef, LinkDraft, Orphan
from .entity_index import EntityIndex
from .entity_life import EntityLife, ids_of
from .errors import InputError, NotFound
from .model import Annotation, Claim, Direction, Document, Entity, Label, LabelKind, now
from .ports import Repository
from .sample import SAMPLE_CREATOR
from .tagset import default_labels

__all__ = [
    "DOCUMENT_FIELDS",
    "AnnotationDraft",
    "AnnotationImport",
    "ClaimDraft",
    "Desk",
    "DocumentImport",
    "EntityRef",
    "LinkDraft",
    "Orphan",
    "anchor_draft",
    "anchor_fragments",
]

DOCUMENT_FIELDS = ("title", "source", "published", "url", "language", "description")
"""A document's metadata an analyst may edit (its text is immutable)."""


@dataclass
class DocumentImport:
    document: Document
    created: bool  # False: an identical text was already in the database


_key = importing.label_key
TEXTS_KEPT = 4  # documents whose canonical text is kept in memory (they never change)


class Desk:
    """The operations an analyst performs, over a :class:`Repository`.
    ``index``: the entity index shared with the other services of the same
    database (see :func:`.operations.services_for`)."""

    def __init__(self, repo: Repository, user: str, index: EntityIndex | None = None):
        self.repo = repo
        self.user = user
        self.index = index or EntityIndex(repo)
        self.life = EntityLife(repo, self.index)
        self._texts: OrderedDict[uuid.UUID, str] = OrderedDict()
        self._labels: dict[uuid.UUID, Label] = {}

    def text(self, doc_id: uuid.UUID) -> str:
        """The document's canonical text, read once (it is immutable)."""
        text = self._texts.get(doc_id)
        if text is None:
            text = self._texts[doc_id] = self.repo.get_document(doc_id).text
            while len(self._texts) > TEXTS_KEPT:
                self._texts.popitem(last=False)
        else:
            self._texts.move_to_end(doc_id)
        return text

    # --- setup ------------------------------------------------------------------

    def ensure_tagset(self) -> list[Label]:
        labels = self.repo.labels()
        if not labels:
            with self.repo.transaction():
                for label in default_labels(self.user):
                    self.repo.add_label(label)
            labels = self.repo.labels()
        return labels

    # --- documents ----------------------------------------------------------------

    def import_document(
        self,
        text: str,
        title: str,
        *,
        source: str = "",
        url: str = "",
        published: str = "",
        language: str = "",
        filename: str = "",
        description: str = "",
        doc_id: uuid.UUID | None = None,
    ) -> DocumentImport:
        """Store a document (``doc_id``: a fixed UUID, as seeds use, else a new one)."""
        text = canonical_from_string(text)
        if not text.strip():
            raise InputError(f"{filename or title}: the document has no text")
        digest = sha256(text)
        existing = self.repo.document_by_sha256(digest)
        if existing is not None:
            return DocumentImport(existing, created=False)
        doc = Document(
            id=doc_id or uuid.uuid4(),
            title=title.strip() or "Untitled",
            text=text,
            sha256=digest,
            source=source,
            url=url,
            published=published,
            language=language,
            direction=Direction(detect_direction(text)),
            filename=filename,
            description=description,
            creator=self.user,
        )
        with self.repo.transaction():
            self.repo.add_document(doc)
        return DocumentImport(doc, created=True)

    def set_direction(self, doc_id: uuid.UUID, direction: Direction) -> Change:
        doc = self.repo.get_document(doc_id)
        new = replace(doc, direction=Direction(direction), modified=now())
        with self.repo.transaction():
            self.repo.update_document(new)
        inverse = Op("set_direction", {"doc_id": doc_id, "direction": doc.direction})
        return Change(document_id=doc_id, spans=[(0, len(doc.text))], rows=[new], inverse=inverse)

    def set_title(self, doc_id: uuid.UUID, title: str) -> Change:
        return self.update_document(doc_id, {"title": title})

    def update_document(self, doc_id: uuid.UUID, fields: dict[str, str]) -> Change:
        """Change a document's metadata (:data:`DOCUMENT_FIELDS`) in one
        transaction. Values are trimmed; a blank title keeps the old one. The
        canonical text never changes."""
        unknown = set(fields) - set(DOCUMENT_FIELDS)
        if unknown:
            raise InputError(f"a document has no field {', '.join(sorted(unknown))}")
        doc = self.repo.get_document(doc_id)
        values = {k: " ".join(str(v).split()) if k != "description" else str(v).strip() for k, v in fields.items()}
        if "title" in values and not values["title"]:
            values["title"] = doc.title
        new = replace(doc, **values, modified=now())
        with self.repo.transaction():
            self.repo.update_document(new)
        inverse = Op("update_document", {"doc_id": doc_id, "fields": {k: getattr(doc, k) for k in values}})
        return Change(document_id=doc_id, rows=[new], inverse=inverse)

    # --- labels and entities ----------------------------------------------------------

    def sample_annotation_ids(self) -> list[uuid.UUID]:
        """The sample's live annotations (:mod:`.sample`): what removing the
        sample deletes, as one undoable edit (their entities go with them)."""
        return self.repo.annotation_ids_by(SAMPLE_CREATOR)

    def label_named(self, name: str) -> Label | None:
        key = _key(name)
        return next((lb for lb in self.repo.labels() if _key(lb.name) == key), None)

    def find_entity(self, kind: LabelKind, name: str) -> Entity | None:
        """The entity of ``kind`` whose name or an alias is ``name`` (ignoring
        case, spacing, hyphens and Arabic harakat: :func:`.matching.match_key`)."""
        return self.index.find(kind, name)

    # --- annotations ----------------------------------------------------------------------

    def add_annotation(
        self,
        doc_id: uuid.UUID,
        label_id: uuid.UUID,
        start: int,
        end: int,
        *,
        note: str = "",
        entity_id: uuid.UUID | None = None,
        ann_id: uuid.UUID | None = None,
    ) -> tuple[Annotation, Change]:
        """Tag ``[start, end)`` (code points). Actor and location mentions are
        linked to the entity of that name or alias, created if there is none."""
        text = self.text(doc_id)
        offsets.check_span(len(text), start, end)
        label = self._label(label_id)
        ann = Annotation.quoting(text, start, end, id=ann_id or uuid.uuid4(), document_id=doc_id, label_id=label.id, note=note,
                                 creator=self.user)  # fmt: skip
        created: Entity | None = None
        with self.repo.transaction():
            if entity_id is None and label.kind.has_entity:
                entity_id = self.index.find_id(label.kind, ann.exact)
                if entity_id is None:
                    created = Entity(kind=label.kind, name=" ".join(ann.exact.split()), creator=self.user)
                    self.repo.add_entity(created)
                    entity_id = created.id
            ann.entity_id = entity_id
            self.repo.add_annotations([ann])
        change = Change(document_id=doc_id, spans=[(start, end)], added=[ann.id], rows=[ann],
                        inverse=Op("delete_annotations", {"ann_ids": [ann.id]}))  # fmt: skip
        if created is not None:  # the index learns of it once it is committed; undo takes it away again
            self.index.put(created)
            change.rows.append(created)
            change.entities_added.append(created.id)
            change.entities_changed = True
        return ann, change

    def _label(self, label_id: uuid.UUID) -> Label:
        """The label (its id and kind never change, so a kept copy serves)."""
        label = self._labels.get(label_id)
        if label is None:
            self._labels = {lb.id: lb for lb in self.repo.labels(include_deleted=True)}
            label = self._labels.get(label_id)
            if label is None:
                raise NotFound(f"no label {label_id}")
        return label

    def delete_annotation(self, ann_id: uuid.UUID) -> Change:
        """Tombstone the annotation (kept for merging; undo restores it)."""
        return self._set_many_deleted([ann_id], True)

    def restore_annotation(self, ann_id: uuid.UUID) -> Change:
        return self._set_many_deleted([ann_id], False)

    def _set_many_deleted(self, ann_ids: Sequence[uuid.UUID], deleted: bool) -> Change:
        """One transaction for all. When they lie in one document the change
        names it and its spans; across documents ``document_id`` is None and
        ``spans`` is empty (a view showing any of them reloads).

        Deleting settles the entities the annotations refer to (their own, a
        claim's source and subjects): those nothing else refers to go with
        them (:mod:`.entity_life`); restoring revives them."""
        ann_ids = list(ann_ids)
        stamp = now()
        change = Change()
        referred: list[uuid.UUID | None] = []
        with self.repo.transaction():
            anns = [replace(a, deleted=deleted, modified=stamp) for a in self.repo.get_annotations(ann_ids)]
            self.repo.set_annotations_deleted(anns)
            for ann in anns:
                change.rows.append(ann)
                (change.removed if deleted else change.added).append(ann.id)
                referred += self._referred_by(ann)
            touched = self.life.settle(referred, stamp) if deleted else self.life.revive(referred, stamp)
        self.life.learned(touched)
        if touched:
            change.rows.extend(touched)
            change.entities_changed = True
        change.inverse = Op("restore_annotations" if deleted else "delete_annotations", {"ann_ids": ann_ids})
        return change.locate(anns)

    def _referred_by(self, ann: Annotation) -> list[uuid.UUID | None]:
        """The entities an annotation refers to: its own, and a claim's source and subjects."""
        referred = [ann.entity_id]
        if self._label(ann.label_id).kind is LabelKind.CLAIM:
            claim = self.repo.claim_for(ann.id)
            if claim is not None:
                referred.append(claim.source_entity_id)
            referred += [row.entity_id for row in self.repo.claim_subjects(ann.id)]
        return referred

    def delete_annotations(self, ann_ids: Sequence[uuid.UUID]) -> Change:
        """Tombstone several annotations in one transaction (see :meth:`_set_many_deleted`)."""
        return self._set_many_deleted(ann_ids, True)

    def restore_annotations(self, ann_ids: Sequence[uuid.UUID]) -> Change:
        """Restore them, with the entities they refer to."""
        return self._set_many_deleted(ann_ids, False)

    def update_annotation(
        self,
        ann_id: uuid.UUID,
        *,
        label_id: uuid.UUID | None = None,
        note: str | None = None,
        entity_id: uuid.UUID | None | type[Ellipsis] = ...,
        revive: Sequence[uuid.UUID] = (),
    ) -> Change:
        """Change the label, note or entity; an entity it no longer refers to
        goes if nothing else does (:mod:`.entity_life`). ``revive``: entities
        to restore first (undo of an edit that took them along)."""
        ann = self.repo.get_annotation(ann_id)
        stamp = now()
        fields: dict = {"modified": stamp}
        change = Change(document_id=ann.document_id, updated=[ann_id], spans=[(ann.start, ann.end)])
        created: Entity | None = None
        with self.repo.transaction():
            revived = self.life.revive(revive, stamp)
            if label_id is not None and label_id != ann.label_id:
                label = self._label(label_id)
                fields["label_id"] = label.id
                if entity_id is ... and label.kind.has_entity:
                    old = self.repo.get_entity(ann.entity_id) if ann.entity_id else None
                    if old is None or old.kind != label.kind:
                        found = self.index.find_id(label.kind, ann.exact)
                        if found is None:
                            created = Entity(kind=label.kind, name=" ".join(ann.exact.split()), creator=self.user)
                            self.repo.add_entity(created)
                            found = created.id
                        fields["entity_id"] = found
            if note is not None:
                fields["note"] = note
            if entity_id is not ...:
                fields["entity_id"] = entity_id
            new = replace(ann, **fields)
            self.repo.update_annotation(new)
            settled = self.life.settle([ann.entity_id], stamp) if new.entity_id != ann.entity_id else []
        if created is not None:
            self.index.put(created)
            change.rows.append(created)
            change.entities_added.append(created.id)
        self.life.learned([*revived, *settled])
        change.rows += [*revived, *settled, new]
        change.entities_changed = bool(created or revived or settled)
        undo = {k: getattr(ann, k) for k in ("label_id", "note", "entity_id") if k in fields}
        change.inverse = Op("update_annotation", {"ann_id": ann_id, "fields": undo, "revive": ids_of(settled)})
        return change

    def import_annotations(self, doc_id: uuid.UUID, drafts: Sequence[AnnotationDraft]) -> AnnotationImport:
        """Anchor and store annotations read from a file, with their entities
        and claim details, in one transaction (see
        :func:`.annotation_import.import_annotations`)."""
        return import_annotations(self.repo, self.user, self.index, doc_id, drafts)

    # --- claims -----------------------------------------------------------------------------

    def set_claim(self, claim: Claim) -> Change:
        ann = self.repo.get_annotation(claim.annotation_id)
        old = self.repo.claim_for(ann.id)
        claim = replace(claim, id=old.id if old else claim.id, creator=old.creator if old else self.user, modified=now())
        with self.repo.transaction():
            self.repo.put_claim(claim)
        return Change(document_id=ann.document_id, updated=[ann.id], spans=[(ann.start, ann.end)], rows=[claim])
