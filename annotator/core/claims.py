"""Claims: who made them, how they are graded, what they are about and how
they bear on each other (corroborate, contradict).

Every edit is one transaction and returns a :class:`~annotator.core.services.Change`
naming the claim annotation(s), so the GUI can redraw them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from .errors import InputError, NotFound
from .grading import RELATIONS, grading_code, validate_claim_fields
from .model import Annotation, Claim, ClaimLink, ClaimSubject, Entity, LabelKind, now
from .ports import Repository
from .change import Change, Op
from .entity_index import EntityIndex
from .entity_life import EntityLife, ids_of

FIELDS = ("source_entity_id", "source_annotation_id", "reliability", "credibility", "likelihood", "stance", "likelihood_note")


@dataclass(frozen=True)
class LinkView:
    link_id: uuid.UUID
    relation: str  # "corroborates" or "contradicts"
    other_annotation_id: uuid.UUID
    other_exact: str
    direction: str  # "out": this claim → the other; "in": the other → this claim
    other_grading: str = ""  # the other claim's Admiralty code ("B2"); "" when it has no claim row


@dataclass
class ClaimDetails:
    claim: Claim  # a default (F6, not stored) until something is set
    subjects: list[Entity]
    links: list[LinkView]


class Claims:
    def __init__(self, repo: Repository, user: str, index: EntityIndex | None = None):
        self.repo = repo
        self.user = user
        self.index = index or EntityIndex(repo)
        self.life = EntityLife(repo, self.index)

    # --- checks ----------------------------------------------------------------------------

    def _claim_annotation(self, ann_id: uuid.UUID) -> Annotation:
        ann = self.repo.get_annotation(ann_id)
        if ann.deleted:
            raise NotFound(f"annotation {ann_id} was deleted")
        kind = next((lb.kind for lb in self.repo.labels(include_deleted=True) if lb.id == ann.label_id), None)
        if kind is not LabelKind.CLAIM:
            raise InputError(f"“{_short(ann.exact)}” is not tagged as a claim")
        return ann

    def _entity(self, entity_id: uuid.UUID, kinds: tuple[LabelKind, ...], what: str) -> Entity:
        entity = self.repo.get_entity(entity_id)
        if entity.deleted:
            raise NotFound(f"entity {entity.name} was merged or deleted")
        if entity.kind not in kinds:
            wanted = " or ".join(("an " if k.value[0] in "aeiou" else "a ") + k.value for k in kinds)
            raise InputError(f"{what} must be {wanted}, not the {entity.kind.value} {entity.name}")
        return entity

    # --- reading ----------------------------------------------------------------------------

    def details(self, ann_id: uuid.UUID) -> ClaimDetails:
        self.repo.get_annotation(ann_id)  # NotFound for an unknown id
        claim = self.repo.claim_for(ann_id) or Claim(annotation_id=ann_id, creator=self.user)
        subjects = [self.repo.get_entity(row.entity_id) for row in self.repo.claim_subjects(ann_id)]
        links = []
        for link in self.repo.claim_links(ann_id):
            out = link.from_annotation_id == ann_id
            other = self.repo.get_annotation(link.to_annotation_id if out else link.from_annotation_id)
            if not other.deleted:  # a link to a deleted claim comes back with it
                row = self.repo.claim_for(other.id)
                code = grading_code(row.reliability, row.credibility) if row else ""
                links.append(LinkView(link.id, link.relation, other.id, other.exact, "out" if out else "in", code))
        return ClaimDetails(claim, subjects, links)

    def claim_rows(self, doc_id: uuid.UUID) -> dict[uuid.UUID, Claim]:
        """Stored claim details of the document's annotations, by annotation."""
        return self.repo.claims_for_document(doc_id)

    # --- editing ----------------------------------------------------------------------------

    def set_details(self, ann_id: uuid.UUID, *, revive: Sequence[uuid.UUID] = (), **fields) -> Change:
        """Set any of :data:`FIELDS`; the claim row is created on the first
        call. A source no longer referred to goes (:mod:`.entity_life`);
        ``revive``: entities to restore first (undo of an edit that took them along)."""
        unknown = sorted(set(fields) - set(FIELDS))
        if unknown:
            raise TypeError(f"not a claim field: {', '.join(unknown)}")
        for key in ("reliability", "credibility", "stance"):
            if key in fields and fields[key] is None:
                raise InputError(f"a claim's {key} cannot be empty")
        validate_claim_fields(
            fields.get("reliability"), fields.get("credibility"), fields.get("likelihood"), fields.get("stance")
        )
        stamp = now()
        with self.repo.transaction():
            revived = self.life.revive(revive, stamp)
            ann, old, new = self._put_details(ann_id, fields)
            settled = self._settle_source(old, new, stamp)
        self.life.learned([*revived, *settled])
        undo = Op("set_claim_fields", {"ann_id": ann_id, "fields": {k: getattr(old, k) for k in fields}, "revive": ids_of(settled)})
        return Change(document_id=ann.document_id, updated=[ann_id], spans=[(ann.start, ann.end)], rows=[new, *revived, *settled],
                      entities_changed=bool(revived or settled), inverse=undo)  # fmt: skip

    def _settle_source(self, old: Claim, new: Claim, stamp) -> list[Entity]:
        """The source a claim had before, tombstoned if nothing refers to it now."""
        return self.life.settle([old.source_entity_id], stamp) if old.source_entity_id != new.source_entity_id else []

    def _put_details(self, ann_id: uuid.UUID, fields: dict) -> tuple[Annotation, Claim, Claim]:
        """:meth:`set_details` inside the caller's transaction (fields
        validated): the claim annotation, the claim before, the claim written."""
        ann = self._claim_annotation(ann_id)
        if fields.get("source_entity_id") is not None:
            self._entity(fields["source_entity_id"], (LabelKind.ACTOR,), "the source")
        if fields.get("source_annotation_id") is not None:
            mention = self.repo.get_annotation(fields["source_annotation_id"])
            if mention.deleted:
                raise NotFound(f"the source mention “{_short(mention.exact)}” was deleted")
        old = self.repo.claim_for(ann_id)
        if old is None:
            old = Claim(annotation_id=ann_id, creator=self.user)
        if "likelihood_note" in fields and fields["likelihood_note"] is None:
            fields["likelihood_note"] = ""
        if "likelihood" in fields and fields["likelihood"] is None:
            fields["likelihood"] = ""
        new = replace(old, **fields, modified=now())
        self.repo.put_claim(new)
        return ann, old, new

    def set_subjects(self, ann_id: uuid.UUID, entity_ids: Sequence[uuid.UUID], *, revive: Sequence[uuid.UUID] = ()) -> Change:
        """Make the claim about exactly these actors and locations: new ones
        are added, dropped ones tombstoned, and ones dropped before restored.
        An entity dropped that nothing else refers to goes (:mod:`.entity_life`);
        ``revive``: entities to restore first (undo)."""
        wanted = list(dict.fromkeys(entity_ids))
        stamp = now()
        with self.repo.transaction():
            revived = self.life.revive(revive, stamp)
            ann = self._claim_annotation(ann_id)
            for entity_id in wanted:
                self._entity(entity_id, (LabelKind.ACTOR, LabelKind.LOCATION), "what a claim is about")
            rows = self.repo.claim_subjects(ann_id, include_deleted=True)
            live = {r.entity_id for r in rows if not r.deleted}
            before = [r.entity_id for r in rows if not r.deleted]
            for row in rows:
                if not row.deleted and row.entity_id not in wanted:
                    self.repo.put_claim_subject(replace(row, deleted=True, modified=stamp))
            for entity_id in wanted:
                if entity_id in live:
                    continue
                dead = next((r for r in rows if r.deleted and r.entity_id == entity_id), None)
                if dead is not None:
                    self.repo.put_claim_subject(replace(dead, deleted=False, modified=stamp))
                else:
                    self.repo.put_claim_subject(
                        ClaimSubject(claim_annotation_id=ann_id, entity_id=entity_id, creator=self.user)
                    )
            settled = self.life.settle([e for e in before if e not in wanted], stamp)
        self.life.learned([*revived, *settled])
        undo = Op("set_claim_subjects", {"ann_id": ann_id, "entity_ids": before, "revive": ids_of(settled)})
        return Change(document_id=ann.document_id, updated=[ann_id], spans=[(ann.start, ann.end)], rows=[*revived, *settled],
                      entities_changed=bool(revived or settled), inverse=undo)  # fmt: skip

    def link(self, from_ann: uuid.UUID, to_ann: uuid.UUID, relation: str) -> tuple[uuid.UUID, Change]:
        """Record that one claim corroborates or contradicts another.

        Both relations are mutual, so a link between the same two claims in
        either direction already says it; a second one is refused.
        """
        if relation not in RELATIONS:
            raise InputError(f"a claim link is one of {', '.join(RELATIONS)} (got {relation!r})")
        if from_ann == to_ann:
            raise InputError("a claim cannot corroborate or contradict itself")
        with self.repo.transaction():
            first = self._claim_annotation(from_ann)
            second = self._claim_annotation(to_ann)
            for existing in self.repo.claim_links(from_ann):
                if {existing.from_annotation_id, existing.to_annotation_id} == {from_ann, to_ann}:
                    if existing.relation == relation:
                        raise InputError(f"these claims are already linked: one {relation} the other")
                    raise InputError(f"these claims are already linked ({existing.relation}); remove that link first")
            link = ClaimLink(from_annotation_id=from_ann, to_annotation_id=to_ann, relation=relation, creator=self.user)
            self.repo.put_claim_link(link)
        change = _two(first, second)
        change.rows.append(link)
        change.inverse = Op("unlink_claims", {"link_id": link.id})
        return link.id, change

    def _set_link_deleted(self, link_id: uuid.UUID, deleted: bool) -> Change:
        with self.repo.transaction():
            link = replace(self.repo.get_claim_link(link_id), deleted=deleted, modified=now())
            self.repo.put_claim_link(link)
            first = self.repo.get_annotation(link.from_annotation_id)
            second = self.repo.get_annotation(link.to_annotation_id)
        change = _two(first, second)
        change.rows.append(link)
        change.inverse = Op("relink_claims" if deleted else "unlink_claims", {"link_id": link_id})
        return change

    def unlink(self, link_id: uuid.UUID) -> Change:
        """Tombstone the link (:meth:`relink` restores it)."""
        return self._set_link_deleted(link_id, True)

    def relink(self, link_id: uuid.UUID) -> Change:
        return self._set_link_deleted(link_id, False)

    def source_entity(self, name: str) -> tuple[Entity, bool]:
        """The actor called ``name`` (or with that alias), ignoring case,
        spacing and hyphens (:func:`.matching.match_key`); created when there
        is none. The bool says it was created."""
        with self.repo.transaction():
            entity, created = self._source_entity(name)
        if created:
            self.index.put(entity)
        return entity, created

    def _source_entity(self, name: str) -> tuple[Entity, bool]:
        """Inside the caller's transaction; the caller tells the index of a
        created one once committed."""
        if not isinstance(name, str) or not name.split():
            raise InputError("a claim's source needs a name")
        found = self.index.find(LabelKind.ACTOR, name)
        if found is not None:
            return found, False
        entity = Entity(kind=LabelKind.ACTOR, name=" ".join(name.split()), creator=self.user)
        self.repo.add_entity(entity)
        return entity, True

    def set_source(self, ann_id: uuid.UUID, name: str) -> tuple[Entity, Change]:
        """Make the actor called ``name`` the claim's source, in one
        transaction: found by name or alias (:meth:`source_entity`), else
        created (named in ``Change.entities_added``). The source it had
        before goes if nothing else refers to it; undo brings it back and
        takes a created actor away again (:mod:`.entity_life`)."""
        stamp = now()
        with self.repo.transaction():
            entity, created = self._source_entity(name)
            ann, old, new = self._put_details(ann_id, {"source_entity_id": entity.id})
            settled = self._settle_source(old, new, stamp)
        change = Change(document_id=ann.document_id, updated=[ann_id], spans=[(ann.start, ann.end)], rows=[new, *settled],
                        entities_changed=created or bool(settled))  # fmt: skip
        self.life.learned(settled)
        if created:
            self.index.put(entity)
            change.rows.append(entity)
            change.entities_added.append(entity.id)
        change.inverse = Op("set_claim_fields", {"ann_id": ann_id, "fields": {"source_entity_id": old.source_entity_id},
                                                 "revive": ids_of(settled)})  # fmt: skip
        return entity, change


def _short(text: str, n: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _two(first: Annotation, second: Annotation) -> Change:
    """A change naming both ends of a link (the first one's document, if they differ)."""
    change = Change(document_id=first.document_id, updated=[first.id, second.id], spans=[(first.start, first.end)])
    if second.document_id == first.document_id:
        change.spans.append((second.start, second.end))
    return change
