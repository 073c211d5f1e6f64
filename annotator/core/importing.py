"""Storing what an imported file says about labels, entities and claims;
used by ``Desk.import_annotations`` inside its one transaction.

Labels are matched by name, ignoring case and spacing; a name the tagset
lacks becomes a new label (see :class:`LabelFinder`).

Entities are matched by UUID. One found in the database is reused as it is
(one that was merged stands for the entity it was merged into); one missing
is created with that UUID and the file's record of it, or from its name
alone (a claim's source is then an actor). Claim rows, subjects and links
keep their UUIDs; a link or source mention pointing at an annotation that is
neither in the file nor in the database is reported as a problem, never
dropped silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from .matching import name_key
from .model import Annotation, Claim, ClaimLink, ClaimSubject, Entity, Label, LabelKind, now
from .ports import Repository
from .tagset import colour_for_new_label, kind_for_label_name

if TYPE_CHECKING:
    from .services import AnnotationDraft, EntityRef


label_key = name_key
"""What two label names must share to be the same label: case and spacing do not count."""


class LabelFinder:
    """The label a file names, or a new one (coloured and placed after the
    last), which :meth:`store` stores with the others in one batch. The
    tagset is indexed by :func:`label_key` once: scanning it for every name,
    and an INSERT per new label, made a file of 50,000 new labels take minutes."""

    def __init__(self, repo: Repository, user: str, labels: list[Label], added: list[str]):
        self.repo = repo
        self.user = user
        self.count = len(labels)
        self.added = added  # the names of the labels made, in order
        self.pending: list[Label] = []
        self.by_key: dict[str, Label] = {}
        for label in labels:
            self.by_key.setdefault(label_key(label.name), label)  # the first of the tagset's order wins

    def __call__(self, name: str) -> Label:
        key = label_key(name)
        found = self.by_key.get(key)
        if found is not None:
            return found
        label = Label(
            name=name.strip(),
            kind=kind_for_label_name(name),
            color=colour_for_new_label(self.count),
            position=self.count,
            creator=self.user,
        )
        self.pending.append(label)
        self.by_key[key] = label
        self.count += 1
        self.added.append(label.name)
        return label

    def store(self) -> None:
        """Store the labels made so far (before any annotation that uses them)."""
        self.repo.add_labels(self.pending)
        self.pending = []


def entity_records(drafts: Iterable[AnnotationDraft]) -> dict[uuid.UUID, Entity]:
    """Every full entity record the drafts carry, by UUID (the first one wins)."""
    records: dict[uuid.UUID, Entity] = {}
    for draft in drafts:
        found = [draft.entity]
        if draft.claim is not None:
            found += [draft.claim.source.record if draft.claim.source else None]
            found += [ref.record for ref in draft.claim.about]
        for record in found:
            if record is not None:
                records.setdefault(record.id, record)
    return records


def entity_ids(drafts: Iterable[AnnotationDraft]) -> set[uuid.UUID]:
    """Every entity UUID the drafts refer to (identified entities, claims' sources and subjects)."""
    ids: set[uuid.UUID] = set()
    for draft in drafts:
        if draft.entity_id is not None:
            ids.add(draft.entity_id)
        if draft.entity is not None:
            ids.add(draft.entity.id)
        if draft.claim is not None:
            refs = [draft.claim.source, *draft.claim.about]
            ids.update(ref.id for ref in refs if ref is not None and ref.id is not None)
    return ids


class EntityResolver:
    """Finds or creates the entity a file refers to, once per UUID."""

    def __init__(
        self,
        repo: Repository,
        user: str,
        records: dict[uuid.UUID, Entity],
        by_name: Callable[[LabelKind, str], Entity],
        add: Callable[[Entity], None] | None = None,
        known: set[uuid.UUID] | None = None,
    ):
        self.repo = repo
        self.user = user
        self.records = records
        self.by_name = by_name  # the desk's name lookup (creates an entity when none has the name)
        self.add = add or repo.add_entity  # how a new entity is stored (the desk may batch them)
        self.known = known  # the referred-to UUIDs already stored, asked once (None: asked one by one)
        self.resolved: dict[uuid.UUID, uuid.UUID] = {}
        self.added: list[uuid.UUID] = []

    def resolve(self, ref: EntityRef, kind: LabelKind, creator: str, when: datetime | None) -> uuid.UUID:
        """The id to store for ``ref``; ``kind`` applies when the file says nothing of it."""
        if ref.id is None:
            return self.by_name(kind, ref.name or "Unnamed").id
        if ref.id in self.resolved:
            return self.resolved[ref.id]
        stored = ref.id in self.known if self.known is not None else bool(self.repo.existing_entity_ids([ref.id]))
        if stored:
            found = self._follow_merges(self.repo.get_entity(ref.id))
        else:
            record = self.records.get(ref.id) or Entity(
                id=ref.id, kind=kind, name=" ".join(ref.name.split()) or "Unnamed", created=when or now()
            )
            if record.modified < record.created:
                record = replace(record, modified=record.created)
            found = replace(record, creator=record.creator or creator or self.user)
            self.add(found)
            self.added.append(found.id)
        self.resolved[ref.id] = found.id
        return found.id

    def _follow_merges(self, entity: Entity) -> Entity:
        seen = {entity.id}
        while entity.deleted and entity.merged_into is not None and entity.merged_into not in seen:
            seen.add(entity.merged_into)
            entity = self.repo.get_entity(entity.merged_into)
        return entity


def store_claim(
    repo: Repository,
    ann: Annotation,
    draft: AnnotationDraft,
    resolver: EntityResolver,
    annotations_known: set[uuid.UUID],
    problems: list[str],
) -> None:
    """Store the draft's claim details for the stored annotation ``ann``."""
    c = draft.claim
    assert c is not None
    creator = c.creator or ann.creator
    created = c.created or ann.created
    modified = c.modified or max(created, ann.modified)
    where = draft.source_line or f"annotation {ann.id}"

    def known(ann_id: uuid.UUID) -> bool:
        if ann_id not in annotations_known and repo.existing_annotation_ids([ann_id]):
            annotations_known.add(ann_id)
        return ann_id in annotations_known

    if c.stored:
        source_id = resolver.resolve(c.source, LabelKind.ACTOR, creator, created) if c.source else None
        mention = c.source_annotation_id
        if mention is not None and not known(mention):
            problems.append(f"{where}: the claim's source mention {mention} is not in the file or the database; left out")
            mention = None
        claim_id = c.id or uuid.uuid4()
        if c.id is not None and repo.existing_claim_ids([c.id]):
            problems.append(f"{where}: claim id {c.id} is already used by another claim; given a new one")
            claim_id = uuid.uuid4()
        repo.put_claim(
            Claim(
                id=claim_id,
                annotation_id=ann.id,
                source_entity_id=source_id,
                source_annotation_id=mention,
                reliability=c.reliability,
                credibility=c.credibility,
                likelihood=c.likelihood,
                stance=c.stance,
                likelihood_note=c.likelihood_note,
                creator=creator,
                created=created,
                modified=modified,
            )
        )
    subjects: list[uuid.UUID] = []
    for ref in c.about:
        kind = ref.record.kind if ref.record is not None else LabelKind.ACTOR
        entity_id = resolver.resolve(ref, kind, creator, created)
        if entity_id not in subjects:
            subjects.append(entity_id)
            repo.put_claim_subject(
                ClaimSubject(
                    claim_annotation_id=ann.id, entity_id=entity_id, creator=creator, created=created, modified=modified
                )
            )
    store_links(repo, ann.id, draft, annotations_known, problems)


def store_links(
    repo: Repository, from_id: uuid.UUID, draft: AnnotationDraft, annotations_known: set[uuid.UUID], problems: list[str]
) -> None:
    """Store the draft claim's links that are not stored yet.

    Also run for a draft whose annotation was already stored, so a link that
    an earlier import could not make (its target was not imported yet) is
    made once the target is there; a link already stored is left alone.
    """
    c = draft.claim
    assert c is not None
    creator = c.creator or draft.creator
    created = c.created or draft.created or now()
    modified = c.modified or created
    where = draft.source_line or f"annotation {from_id}"
    for link in c.links:
        if link.id is not None and repo.existing_claim_link_ids([link.id]):
            continue
        if link.id is None and any(
            (x.from_annotation_id, x.to_annotation_id, x.relation) == (from_id, link.target, link.relation)
            for x in repo.claim_links(from_id)
        ):
            continue
        if link.target not in annotations_known and repo.existing_annotation_ids([link.target]):
            annotations_known.add(link.target)
        if link.target not in annotations_known:
            problems.append(
                f"{where}: the link ({link.relation}) to annotation {link.target} was not imported: "
                "that annotation is not in the file or the database"
            )
            continue
        repo.put_claim_link(
            ClaimLink(
                id=link.id or uuid.uuid4(),
                from_annotation_id=from_id,
                to_annotation_id=link.target,
                relation=link.relation,
                creator=creator or repo.get_annotation(from_id).creator,
                created=created,
                modified=max(modified, created),
            )
        )
