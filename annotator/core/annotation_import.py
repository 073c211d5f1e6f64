"""Importing annotations read from a file into one document, in one
transaction: anchor each draft, find or make its label and entity, store
the annotations in batches, then their claims and links (see
:mod:`.importing`). Thousands of rows at a time, so labels and entities are
indexed once per import rather than looked up row by row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from . import importing
from .anchoring import anchor_draft, anchor_fragments
from .bulk import paused_gc
from .drafts import AnnotationDraft, AnnotationImport, EntityRef, Orphan
from .entity_index import EntityIndex
from .matching import match_key
from .model import Annotation, Entity, Label, LabelKind, now
from .ports import Repository


def import_annotations(
    repo: Repository, user: str, index: EntityIndex, doc_id: uuid.UUID, drafts: Sequence[AnnotationDraft]
) -> AnnotationImport:
    """Anchor and store annotations read from a file, with their entities
    and claim details (see :mod:`.importing`), in one transaction.

    A draft whose UUID is already stored is left as it is (importing the
    same file twice changes nothing). Where position and quote disagree,
    the quote wins. Drafts that cannot be anchored are returned as
    orphans; the rest are stored.
    """
    doc = repo.get_document(doc_id)
    text = doc.text
    report = AnnotationImport()
    imported_at = now()  # the time of rows the file gives none (one import, one moment)
    with paused_gc(), repo.transaction():  # thousands of rows, no cycles (see .bulk)
        stored = repo.existing_annotation_ids(d.id for d in drafts if d.id is not None)
        labels = importing.LabelFinder(repo, user, repo.labels(), report.labels_added)
        label_for: dict[str, tuple[Label, bool]] = {}  # by the name as the file spells it; whether it names entities
        created: dict[tuple[LabelKind, str], Entity] = {}  # made by this import, by kind and match key
        # New entities wait here and are stored in one batch before the
        # annotations that refer to them; once those are stored (claims
        # come after), new ones are stored at once.
        pending: list[Entity] | None = []
        linked: dict[tuple[LabelKind, str], Entity] = {}  # by name as written: the index's key is costlier

        def link(kind: LabelKind, name: str, etype: str = "") -> Entity:
            found = linked.get((kind, name))
            if found is None:  # (a name found once is found again, whatever the type)
                found = linked[(kind, name)] = _link_entity(
                    repo, user, kind, name, index, created, etype, pending=pending, when=imported_at
                )
            return found

        made: list[Entity] = []  # by the resolver (the file's own entity records)

        def add_entity(entity: Entity) -> None:
            made.append(entity)
            if pending is not None:
                pending.append(entity)
            else:
                repo.add_entity(entity)

        records = importing.entity_records(drafts)
        resolver = importing.EntityResolver(
            repo, user, records, link, add=add_entity,
            known=repo.existing_entity_ids(importing.entity_ids(drafts)),
        )
        rows: list[Annotation] = []
        with_claims: list[tuple[Annotation, AnnotationDraft]] = []
        relinked: list[AnnotationDraft] = []  # stored before: only links still missing are made
        seen: set[uuid.UUID] = set()
        for draft in drafts:
            if draft.id is not None and ((stored and draft.id in stored) or draft.id in seen):
                report.unchanged.append(draft.id)
                if draft.id in stored and draft.claim is not None and draft.claim.links:
                    relinked.append(draft)
                continue
            pieces = anchor_fragments(text, draft) if draft.fragments else anchor_draft(text, draft)
            if isinstance(pieces, str):
                report.orphans.append(Orphan(draft, pieces))
                continue
            fragments = pieces if isinstance(pieces, list) and len(pieces) > 1 else None
            start, end = (pieces[0][0], pieces[-1][1]) if isinstance(pieces, list) else pieces
            found = label_for.get(draft.label)
            if found is None:
                label = labels(draft.label)
                found = label_for[draft.label] = (label, label.kind.has_entity)
            label, has_entity = found
            stamp = draft.created or imported_at
            ann = Annotation.quoting(
                text, start, end, id=draft.id or uuid.uuid4(), document_id=doc_id, label_id=label.id, note=draft.note,
                creator=draft.creator or user, created=stamp, modified=draft.modified or stamp, fragments=fragments,
            )  # fmt: skip
            if draft.entity is not None or (draft.entity_id is not None and has_entity):
                ref = EntityRef(draft.entity_id or draft.entity.id, draft.entity_name, draft.entity)  # type: ignore[union-attr]
                ann.entity_id = resolver.resolve(ref, label.kind, draft.creator, stamp)
            elif has_entity:
                ann.entity_id = link(label.kind, draft.entity_name or ann.exact, draft.entity_type).id
            seen.add(ann.id)
            rows.append(ann)
            if draft.claim is not None:
                with_claims.append((ann, draft))
        repo.add_entities(pending)
        pending = None
        labels.store()
        repo.add_annotations(rows)
        for ann, draft in with_claims:
            importing.store_claim(repo, ann, draft, resolver, seen, report.problems)
        for draft in relinked:
            importing.store_links(repo, draft.id, draft, seen, report.problems)  # type: ignore[arg-type]
    report.added = [a.id for a in rows]
    report.entities_added = list(resolver.added)
    for entity in [*created.values(), *made]:  # committed: the desk's index learns them (an import never changes a stored entity)
        index.put(entity)
    return report


def _link_entity(
    repo: Repository, user: str, kind: LabelKind, name: str, index: EntityIndex, created: dict[tuple[LabelKind, str], Entity],
    etype: str, *, pending: list[Entity] | None, when: datetime,
) -> Entity:
    """The entity of ``kind`` with that name or alias (see
    :func:`.matching.match_key`: case, harakat, hyphens do not count): one
    this import made, else the desk's (:class:`.EntityIndex`: the analyst's,
    never the sample's, found without reading every entity), else a new one
    (made ``when``). The new one is stored at once, or, given ``pending``,
    appended to it for the caller to store (in one batch, before anything
    that refers to it)."""
    key = (kind, match_key(name))
    found = created.get(key) or index.find(kind, name)
    if found is not None:
        return found
    entity = Entity(kind=kind, name=" ".join(name.split()), type=etype, creator=user)
    entity.created = entity.modified = when
    if pending is not None:
        pending.append(entity)
    else:
        repo.add_entity(entity)
    created[key] = entity
    return entity
