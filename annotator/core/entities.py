"""Actors and locations: creating, editing and merging them, listing their
mentions, and tagging the occurrences of their names not yet tagged.

Like :class:`~annotator.core.services.Desk`, every edit is one transaction
and returns a :class:`~annotator.core.services.Change`; entity edits set
``entities_changed`` and name no document (an entity spans documents).
"""

from __future__ import annotations

import math
import uuid
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from . import offsets
from .errors import InputError, NotFound
from .grading import entity_types
from .matching import NameFinder, name_key
from .model import Annotation, Document, Entity, LabelKind, now
from .ports import Repository
from .change import Change, Op
from .entity_index import EntityIndex
from .entity_life import EntityLife

CONTEXT = 40
"""Code points of text shown before and after a mention or an occurrence."""

EDITABLE = ("name", "type", "aliases", "note", "latitude", "longitude", "country_code", "kept")
MERGE_FIELDS = ("name", "type", "note", "latitude", "longitude", "country_code")
"""What a merged entity may take from the entities merged into it."""


@dataclass(frozen=True)
class Mention:
    annotation_id: uuid.UUID
    document_id: uuid.UUID
    document_title: str
    start: int
    end: int
    exact: str
    before: str  # up to CONTEXT code points of text before the mention
    after: str


@dataclass(frozen=True)
class Overlap:
    """An annotation of the entity's kind that an occurrence overlaps."""

    annotation_id: uuid.UUID
    label: str  # its label's name ("Actor")
    exact: str
    entity_name: str  # "" when it has none
    contains: bool  # True: the occurrence lies inside it ("US" in "US troops")


@dataclass(frozen=True)
class Occurrence:
    """A place where one of the entity's names appears, not yet tagged."""

    document_id: uuid.UUID
    document_title: str
    start: int
    end: int
    exact: str
    before: str
    after: str
    name: str  # the name or alias that matched
    overlaps: tuple[Overlap, ...] = ()  # tagged spans of the same kind it overlaps: most likely not a mention


@dataclass
class EntityMerge:
    """What :meth:`Entities.merge` did, so :meth:`Entities.unmerge` can undo it exactly."""

    target_id: uuid.UUID
    sources: list[uuid.UUID]
    moved: dict[uuid.UUID, list[uuid.UUID]]  # source -> annotations whose entity was the source
    moved_claim_sources: dict[uuid.UUID, list[uuid.UUID]]  # source -> claim annotations it was the source of
    moved_subjects: dict[uuid.UUID, list[uuid.UUID]]  # source -> claim subject rows moved to the target
    old_target: Entity  # the target as it was: unmerge writes it back
    change: Change
    # source -> subject rows tombstoned because the claim already had the target as a subject
    dropped_subjects: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)
    fields: dict = field(default_factory=dict)  # what the merged entity took from the others (redo takes it again)


# --- validation ----------------------------------------------------------------------------


def clean_name(name: str) -> str:
    if not isinstance(name, str) or not name.split():
        raise InputError("an entity needs a name")
    return " ".join(name.split())


def clean_aliases(name: str, aliases: Iterable[str]) -> list[str]:
    """Aliases in the order given, each once (ignoring case), never the name itself."""
    if isinstance(aliases, str):
        raise InputError("aliases must be a list of names, not one string")
    seen = {name_key(name)}
    out: list[str] = []
    for alias in aliases:
        if not isinstance(alias, str):
            raise InputError(f"an alias must be text (got {alias!r})")
        alias = " ".join(alias.split())
        key = name_key(alias)
        if alias and key not in seen:
            seen.add(key)
            out.append(alias)
    return out


def _coordinate(value, what: str, limit: float) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise InputError(f"{what} must be a number (got {value!r})")
    if not -limit <= value <= limit:
        raise InputError(f"{what} must be between -{limit:g} and {limit:g} (got {value:g})")
    return float(value)


def check_place(latitude, longitude, country_code: str) -> tuple[float | None, float | None, str]:
    """Validated coordinates (both or neither) and an upper-case two-letter country code (or "")."""
    lat = _coordinate(latitude, "latitude", 90)
    lon = _coordinate(longitude, "longitude", 180)
    if (lat is None) != (lon is None):
        raise InputError("give both latitude and longitude, or neither")
    if not isinstance(country_code, str):
        raise InputError(f"the country code must be text (got {country_code!r})")
    code = country_code.strip().upper()
    if code and not (len(code) == 2 and all("A" <= c <= "Z" for c in code)):
        raise InputError(f"the country code must be two letters A–Z, like SY (got {country_code.strip()!r})")
    return lat, lon, code


def check_type(kind: LabelKind, etype: str) -> str:
    allowed = [value for value, _label in entity_types(kind)]
    if etype and etype not in allowed:
        raise InputError(f"{kind.value} type must be one of {', '.join(allowed)} or empty (got {etype!r})")
    return etype


def context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]


def _checked(entity: Entity, stamp) -> Entity:
    """An entity as an edit or a merge leaves it: its fields checked and
    cleaned as a whole (the name is never among its aliases)."""
    name = clean_name(entity.name)
    lat, lon, code = check_place(entity.latitude, entity.longitude, entity.country_code)
    return replace(
        entity,
        name=name,
        type=check_type(entity.kind, entity.type or ""),
        aliases=clean_aliases(name, entity.aliases or ()),
        note=entity.note or "",
        latitude=lat,
        longitude=lon,
        country_code=code,
        kept=bool(entity.kept),
        modified=stamp,
    )


# --- the service ------------------------------------------------------------------------------


class Entities:
    def __init__(self, repo: Repository, user: str, index: EntityIndex | None = None):
        self.repo = repo
        self.user = user
        self.index = index or EntityIndex(repo)
        self.life = EntityLife(repo, self.index)

    def _live(self, entity_id: uuid.UUID) -> Entity:
        entity = self.repo.get_entity(entity_id)
        if entity.deleted:
            how = "merged into another" if entity.merged_into else "deleted"
            raise NotFound(f"entity {entity.name} was {how}")
        return entity

    # --- editing ---------------------------------------------------------------------------

    def create(
        self,
        kind: LabelKind,
        name: str,
        *,
        type: str = "",  # noqa: A002 - the field's name
        aliases: Iterable[str] = (),
        note: str = "",
        latitude: float | None = None,
        longitude: float | None = None,
        country_code: str = "",
    ) -> tuple[Entity, Change]:
        kind = LabelKind(kind)
        if not kind.has_entity:
            raise InputError(f"only actors and locations are entities (not {kind.value})")
        name = clean_name(name)
        lat, lon, code = check_place(latitude, longitude, country_code)
        entity = Entity(
            kind=kind,
            name=name,
            type=check_type(kind, type),
            aliases=clean_aliases(name, aliases),
            note=note,
            latitude=lat,
            longitude=lon,
            country_code=code,
            kept=True,  # made by the analyst, before anything refers to it
            creator=self.user,
        )
        with self.repo.transaction():
            self.repo.add_entity(entity)
        self.index.put(entity)
        return entity, Change(entities_changed=True, entities_added=[entity.id], rows=[entity])

    def update(self, entity_id: uuid.UUID, *, revive: bool = False, **fields) -> Change:
        """Change any of :data:`EDITABLE`; the result is validated as a whole
        (so latitude and longitude may be set in one call or two). An entity
        no longer kept that nothing refers to goes (:mod:`.entity_life`);
        ``revive``: restore it first (undo of that)."""
        unknown = sorted(set(fields) - set(EDITABLE))
        if unknown:
            raise TypeError(f"not an editable entity field: {', '.join(unknown)}")
        stamp = now()
        with self.repo.transaction():
            revived = self.life.revive([entity_id], stamp) if revive else []
            entity = self._live(entity_id)
            new = _checked(replace(entity, **fields), stamp)
            self.repo.update_entity(new)
            settled = self.life.settle([entity_id], stamp) if entity.kept and not new.kept else []
        self.life.learned([*revived, new, *settled])
        fields_before = {k: getattr(entity, k) for k in fields}
        undo = Op("update_entity", {"entity_id": entity_id, "fields": fields_before, "revive": bool(settled)})
        return Change(entities_changed=True, rows=[*settled] or [new], inverse=undo)

    def merge(self, target_id: uuid.UUID, source_ids: Sequence[uuid.UUID], fields: dict | None = None) -> EntityMerge:
        """Fold the sources into the target, in one transaction: their mentions,
        claim sources and claim subjects move to it, their names become its
        aliases, and they are tombstoned with ``merged_into`` set. ``fields``:
        what the merged entity takes from the others where they differ
        (:data:`MERGE_FIELDS`, checked as an edit is); every name it had or
        they had stays a name or an alias."""
        chosen = dict(fields or {})
        unknown = sorted(set(chosen) - set(MERGE_FIELDS))
        if unknown:
            raise TypeError(f"not a field a merge can choose: {', '.join(unknown)}")
        with self.repo.transaction():
            target = self._live(target_id)
            sources = [self._live(i) for i in dict.fromkeys(source_ids)]
            if not sources:
                raise InputError("choose at least one entity to merge into " + target.name)
            if any(s.id == target.id for s in sources):
                raise InputError(f"cannot merge {target.name} into itself")
            other = next((s for s in sources if s.kind != target.kind), None)
            if other is not None:
                raise InputError(f"cannot merge the {other.kind.value} {other.name} into the {target.kind.value} {target.name}")
            stamp = now()
            m = EntityMerge(target.id, [s.id for s in sources], {}, {}, {}, target, Change(entities_changed=True), fields=chosen)
            target_claims = {row.claim_annotation_id for row in self.repo.subjects_for_entity(target.id)}
            names = list(target.aliases)
            for source in sources:
                moved = m.moved[source.id] = []
                for ann in self.repo.annotations_for_entity(source.id, include_deleted=True):
                    self.repo.update_annotation(replace(ann, entity_id=target.id, modified=stamp))
                    moved.append(ann.id)
                m.moved_claim_sources[source.id] = []
                for claim in self.repo.claims_by_source(source.id):
                    self.repo.put_claim(replace(claim, source_entity_id=target.id, modified=stamp))
                    m.moved_claim_sources[source.id].append(claim.annotation_id)
                m.moved_subjects[source.id], m.dropped_subjects[source.id] = [], []
                for row in self.repo.subjects_for_entity(source.id, include_deleted=True):
                    if not row.deleted and row.claim_annotation_id in target_claims:
                        self.repo.put_claim_subject(replace(row, deleted=True, modified=stamp))
                        m.dropped_subjects[source.id].append(row.id)
                        continue
                    self.repo.put_claim_subject(replace(row, entity_id=target.id, modified=stamp))
                    m.moved_subjects[source.id].append(row.id)
                    if not row.deleted:
                        target_claims.add(row.claim_annotation_id)
                names += [source.name, *source.aliases]
                self.repo.update_entity(replace(source, deleted=True, merged_into=target.id, modified=stamp))
            self.repo.update_entity(_checked(replace(target, **chosen, aliases=[target.name, *names]), stamp))
        self.index.forget()
        m.change.updated = [a for ids in m.moved.values() for a in ids]
        m.change.inverse = Op("unmerge_entities", {"merge": m})
        return m

    def unmerge(self, m: EntityMerge) -> Change:
        """Undo :meth:`merge`: every row it moved goes back, the sources live again."""
        stamp = now()
        with self.repo.transaction():
            target = self.repo.get_entity(m.target_id)
            subjects = {
                row.id: row
                for entity_id in (m.target_id, *m.sources)
                for row in self.repo.subjects_for_entity(entity_id, include_deleted=True)
            }
            for source_id in m.sources:
                source = self.repo.get_entity(source_id)
                self.repo.update_entity(replace(source, deleted=False, merged_into=None, modified=stamp))
                for ann_id in m.moved[source_id]:
                    ann = self.repo.get_annotation(ann_id)
                    self.repo.update_annotation(replace(ann, entity_id=source_id, modified=stamp))
                for ann_id in m.moved_claim_sources[source_id]:
                    claim = self.repo.claim_for(ann_id)
                    if claim is not None:
                        self.repo.put_claim(replace(claim, source_entity_id=source_id, modified=stamp))
                for row_id in m.moved_subjects[source_id]:
                    self.repo.put_claim_subject(replace(subjects[row_id], entity_id=source_id, modified=stamp))
                for row_id in m.dropped_subjects.get(source_id, []):
                    self.repo.put_claim_subject(replace(subjects[row_id], deleted=False, modified=stamp))
            self.repo.update_entity(replace(m.old_target, deleted=target.deleted, modified=stamp))
        self.index.forget()
        undo = Op("merge_entities", {"target_id": m.target_id, "source_ids": list(m.sources), "fields": m.fields})
        return Change(updated=[a for ids in m.moved.values() for a in ids], entities_changed=True, inverse=undo)

    # --- reading ---------------------------------------------------------------------------

    def mention_counts(self) -> dict[uuid.UUID, int]:
        """Live mentions per entity across all documents (absent: none)."""
        return self.repo.entity_mention_counts()

    def mentions(self, entity_id: uuid.UUID) -> list[Mention]:
        """Every live mention, with context, by document then position."""
        docs: dict[uuid.UUID, Document] = {}
        out = []
        for ann in self.repo.annotations_for_entity(entity_id):
            doc = docs.get(ann.document_id) or docs.setdefault(ann.document_id, self.repo.get_document(ann.document_id))
            before, after = context(doc.text, ann.start, ann.end)
            out.append(Mention(ann.id, doc.id, doc.title, ann.start, ann.end, ann.exact, before, after))
        return out

    # --- tagging all occurrences ------------------------------------------------------------------

    def _tagged_spans(self, doc_id: uuid.UUID, kind: LabelKind) -> set[tuple[int, int]]:
        kinds = {lb.id: lb.kind for lb in self.repo.labels(include_deleted=True)}
        return {(s.start, s.end) for s in self.repo.annotation_spans(doc_id) if kinds.get(s.label_id) is kind}

    def _kind_spans(self, doc_id: uuid.UUID, kind: LabelKind) -> list:
        """Live spans (``SpanRow``) of the document whose label is of ``kind``, by start."""
        kinds = {lb.id: lb.kind for lb in self.repo.labels(include_deleted=True)}
        return [s for s in self.repo.annotation_spans(doc_id) if kinds.get(s.label_id) is kind]

    def find_occurrences(self, entity_id: uuid.UUID, document_ids: Sequence[uuid.UUID] | None = None) -> list[Occurrence]:
        """Where the entity's name or aliases appear (see :mod:`.matching`) and
        no annotation of the entity's kind has that exact span yet. ``None``
        searches every document.

        An occurrence that overlaps an annotation of the entity's kind ("US"
        inside the tagged "US troops") carries it in ``overlaps``: it is most
        likely part of another mention, and the dialog offers it unticked."""
        entity = self._live(entity_id)
        finder = NameFinder(entity.names())
        labels = {lb.id: lb.name for lb in self.repo.labels(include_deleted=True)}
        names: dict[uuid.UUID | None, str] = {None: ""}
        out: list[Occurrence] = []
        for doc_id in self.repo.document_ids() if document_ids is None else document_ids:
            doc = self.repo.get_document(doc_id)
            matches = finder.find(doc.text)
            if not matches:
                continue
            spans = self._kind_spans(doc.id, entity.kind)
            tagged = {(s.start, s.end) for s in spans}
            starts = [s.start for s in spans]
            longest = max((s.end - s.start for s in spans), default=0)
            for m in matches:
                if (m.start, m.end) in tagged:
                    continue
                overlaps = []
                for sp in spans[bisect_left(starts, m.start - longest) : bisect_left(starts, m.end)]:
                    if sp.end > m.start:
                        if sp.entity_id not in names:
                            try:
                                names[sp.entity_id] = self.repo.get_entity(sp.entity_id).name
                            except NotFound:
                                names[sp.entity_id] = ""
                        contains = sp.start <= m.start and m.end <= sp.end
                        overlaps.append(Overlap(sp.id, labels.get(sp.label_id, "?"), sp.exact, names[sp.entity_id], contains))
                before, after = context(doc.text, m.start, m.end)
                out.append(
                    Occurrence(
                        doc.id, doc.title, m.start, m.end, doc.text[m.start : m.end], before, after, m.name, tuple(overlaps)
                    )
                )
        return out

    def tag_occurrences(
        self, entity_id: uuid.UUID, label_id: uuid.UUID, occurrences: Iterable[Occurrence]
    ) -> tuple[list[uuid.UUID], Change]:
        """Tag each occurrence with ``label_id``, linked to the entity, in one transaction.

        Returns the new annotation ids (undo with ``Desk.delete_annotations``,
        redo with ``Desk.restore_annotations``) and one change: when all lie
        in one document it names that document and the spans; across
        documents ``document_id`` is None and ``spans`` empty. An occurrence
        tagged meanwhile is skipped, so nothing is tagged twice.
        """
        with self.repo.transaction():
            entity = self._live(entity_id)
            label = next((lb for lb in self.repo.labels() if lb.id == label_id), None)
            if label is None:
                raise NotFound(f"no label {label_id}")
            if label.kind is not entity.kind:
                raise InputError(f"the label {label.name} is not for {entity.kind.value}s")
            docs: dict[uuid.UUID, tuple[Document, set[tuple[int, int]]]] = {}
            rows: list[Annotation] = []
            for occ in occurrences:
                if occ.document_id not in docs:
                    doc = self.repo.get_document(occ.document_id)
                    docs[doc.id] = (doc, self._tagged_spans(doc.id, entity.kind))
                doc, tagged = docs[occ.document_id]
                offsets.check_span(len(doc.text), occ.start, occ.end)
                if (occ.start, occ.end) in tagged:
                    continue
                tagged.add((occ.start, occ.end))
                rows.append(Annotation.quoting(doc.text, occ.start, occ.end, document_id=doc.id, label_id=label.id,
                                               entity_id=entity.id, creator=self.user))  # fmt: skip
            self.repo.add_annotations(rows)
        ids = [a.id for a in rows]
        return ids, Change(added=ids, rows=rows, inverse=Op("delete_annotations", {"ann_ids": ids})).locate(rows)
