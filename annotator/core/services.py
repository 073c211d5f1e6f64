"""Edits, as operations. Each public method is one transaction and returns
a :class:`~.change.Change`: the rows it wrote and its inverse operation
(delete ↔ restore keeps the same UUID, so an undone and redone annotation is
the same row, which keeps merges exact). See :mod:`.operations`.

An edit's cost does not grow with the corpus: a document's text is
immutable, so it is read once and kept (:data:`TEXTS_KEPT` of them); labels
are looked up by id from a kept copy; entities by name through an
:class:`~.entity_index.EntityIndex`, never by reading them all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from collections import OrderedDict

from . import importing, offsets
from .bulk import paused_gc
from .canonical import canonical_from_string, detect_direction, sha256
from .change import Change, Op
from .entity_index import EntityIndex
from .errors import InputError, NotFound
from .matching import match_key
from .model import Annotation, Claim, Direction, Document, Entity, Label, LabelKind, now
from .ports import Repository
from .tagset import default_labels


DOCUMENT_FIELDS = ("title", "source", "published", "url", "language", "description")
"""A document's metadata an analyst may edit (its text is immutable)."""


@dataclass
class DocumentImport:
    document: Document
    created: bool  # False: an identical text was already in the database


@dataclass
class EntityRef:
    """An entity a file refers to: its UUID and/or name, and its full record
    when the file carries one (``record.id == id``)."""

    id: uuid.UUID | None = None
    name: str = ""
    record: Entity | None = None


@dataclass
class LinkDraft:
    """A link from the draft's claim to another claim annotation."""

    target: uuid.UUID
    relation: str  # core.grading.RELATIONS
    id: uuid.UUID | None = None


@dataclass
class ClaimDraft:
    """Claim details read from a file, validated by the reader."""

    stored: bool = True  # False: the file gives only subjects and links, no claim row
    id: uuid.UUID | None = None
    source: EntityRef | None = None
    source_annotation_id: uuid.UUID | None = None
    reliability: str = "F"
    credibility: str = "6"
    likelihood: str = ""
    likelihood_note: str = ""
    stance: str = "asserted"
    about: list[EntityRef] = field(default_factory=list)
    links: list[LinkDraft] = field(default_factory=list)
    creator: str = ""
    created: datetime | None = None
    modified: datetime | None = None


@dataclass
class AnnotationDraft:
    """An annotation read from a file, before it is anchored in a document."""

    label: str
    start: int | None = None
    end: int | None = None
    quote: offsets.Quote | None = None
    id: uuid.UUID | None = None
    note: str = ""
    creator: str = ""
    created: datetime | None = None
    modified: datetime | None = None
    entity_id: uuid.UUID | None = None
    entity_name: str = ""
    entity_type: str = ""
    source_line: str = ""  # where it came from, for error reports
    problem: str = ""  # why the reader found no position or quote (the orphan reason)
    entity: Entity | None = None  # the file's full record of the entity (id == entity_id)
    claim: ClaimDraft | None = None
    fragments: list[tuple[int, int]] | None = None
    """A discontinuous span: the pieces' positions (code points), anchored one
    by one; ``start``/``end`` are then ignored. One piece is a plain span."""
    fragment_quotes: list[offsets.Quote | None] | None = None
    """Each piece's quote where the file gives one (same order as ``fragments``)."""


@dataclass
class Orphan:
    draft: AnnotationDraft
    reason: str


@dataclass
class AnnotationImport:
    added: list[uuid.UUID] = field(default_factory=list)
    unchanged: list[uuid.UUID] = field(default_factory=list)  # same UUID already stored
    orphans: list[Orphan] = field(default_factory=list)
    labels_added: list[str] = field(default_factory=list)
    entities_added: list[uuid.UUID] = field(default_factory=list)  # created with a UUID the file gave
    problems: list[str] = field(default_factory=list)  # one line each: what was left out and why


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

    def label_named(self, name: str) -> Label | None:
        key = _key(name)
        return next((lb for lb in self.repo.labels() if _key(lb.name) == key), None)

    def find_entity(self, kind: LabelKind, name: str) -> Entity | None:
        """The entity of ``kind`` whose name or an alias is ``name`` (ignoring
        case, spacing, hyphens and Arabic harakat: :func:`.matching.match_key`)."""
        return self.index.find(kind, name)

    def _entity_index(self) -> dict[tuple[LabelKind, str], Entity]:
        index: dict[tuple[LabelKind, str], Entity] = {}
        for entity in self.repo.entities():
            for n in entity.names():
                index.setdefault((entity.kind, match_key(n)), entity)
        return index

    def _link_entity(
        self, kind: LabelKind, name: str, index: dict[tuple[LabelKind, str], Entity], etype: str = "",
        created: list[uuid.UUID] | None = None, pending: list[Entity] | None = None, when: datetime | None = None,
    ) -> Entity:
        """The entity of ``kind`` with that name or alias (see
        :func:`.matching.match_key`: case, harakat, hyphens do not count),
        else a new one (made ``when``, else now), whose id is appended to
        ``created``. The new one is stored at once, or, given ``pending``,
        appended to it for the caller to store (in one batch, before anything
        that refers to it)."""
        key = (kind, match_key(name))
        found = index.get(key)
        if found is not None:
            return found
        entity = Entity(kind=kind, name=" ".join(name.split()), type=etype, creator=self.user)
        if when is not None:
            entity.created = entity.modified = when
        if pending is not None:
            pending.append(entity)
        else:
            self.repo.add_entity(entity)
        index[key] = entity
        if created is not None:
            created.append(entity.id)
        return entity

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
        quote = offsets.make_quote(text, start, end)
        created: Entity | None = None
        with self.repo.transaction():
            if entity_id is None and label.kind.has_entity:
                entity_id = self.index.find_id(label.kind, quote.exact)
                if entity_id is None:
                    created = Entity(kind=label.kind, name=" ".join(quote.exact.split()), creator=self.user)
                    self.repo.add_entity(created)
                    entity_id = created.id
            ann = Annotation(
                id=ann_id or uuid.uuid4(),
                document_id=doc_id,
                label_id=label.id,
                start=start,
                end=end,
                exact=quote.exact,
                prefix=quote.prefix,
                suffix=quote.suffix,
                entity_id=entity_id,
                note=note,
                creator=self.user,
            )
            self.repo.add_annotations([ann])
        change = Change(document_id=doc_id, spans=[(start, end)], added=[ann.id], rows=[ann],
                        inverse=Op("delete_annotations", {"ann_ids": [ann.id]}))  # fmt: skip
        if created is not None:  # the index learns of it once it is committed; undo takes it away again
            self.index.put(created)
            change.rows.append(created)
            change.entities_added.append(created.id)
            change.entities_changed = True
            change.inverse = Op("delete_annotations", {"ann_ids": [ann.id], "entities": [created.id]})
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

    def _set_many_deleted(
        self, ann_ids: Sequence[uuid.UUID], deleted: bool, entities: Sequence[uuid.UUID] = ()
    ) -> Change:
        """One transaction for all. When they lie in one document the change
        names it and its spans; across documents ``document_id`` is None and
        ``spans`` is empty (a view showing any of them reloads).

        ``entities``: entities the tags made (undo of a tag): tombstoned with
        them unless something else refers to them by then, restored with them
        (redo)."""
        ann_ids, entities = list(ann_ids), list(entities)
        undo = {"ann_ids": ann_ids, "entities": entities} if entities else {"ann_ids": ann_ids}
        change = Change(inverse=Op("restore_annotations" if deleted else "delete_annotations", undo))
        docs: set[uuid.UUID] = set()
        spans: list[tuple[int, int]] = []
        stamp = now()
        touched: list[Entity] = []
        with self.repo.transaction():
            for ann_id in ann_ids:
                ann = replace(self.repo.get_annotation(ann_id), deleted=deleted, modified=stamp)
                self.repo.update_annotation(ann)
                change.rows.append(ann)
                docs.add(ann.document_id)
                spans.append((ann.start, ann.end))
                (change.removed if deleted else change.added).append(ann_id)
            for entity_id in entities:
                entity = self.repo.get_entity(entity_id)
                if entity.deleted != deleted and entity.merged_into is None and not (deleted and entity_referenced(self.repo, entity_id)):
                    touched.append(replace(entity, deleted=deleted, modified=stamp))
                    self.repo.update_entity(touched[-1])
        for entity in touched:
            self.index.put(entity)
        if touched:
            change.rows.extend(touched)
            change.entities_changed = True
        if len(docs) == 1:
            change.document_id = docs.pop()
            change.spans = spans
        return change

    def delete_annotations(self, ann_ids: Sequence[uuid.UUID], entities: Sequence[uuid.UUID] = ()) -> Change:
        """Tombstone several annotations in one transaction (see :meth:`_set_many_deleted`)."""
        return self._set_many_deleted(ann_ids, True, entities)

    def restore_annotations(self, ann_ids: Sequence[uuid.UUID], entities: Sequence[uuid.UUID] = ()) -> Change:
        return self._set_many_deleted(ann_ids, False, entities)

    def update_annotation(
        self,
        ann_id: uuid.UUID,
        *,
        label_id: uuid.UUID | None = None,
        note: str | None = None,
        entity_id: uuid.UUID | None | type[Ellipsis] = ...,
    ) -> Change:
        ann = self.repo.get_annotation(ann_id)
        fields: dict = {"modified": now()}
        change = Change(document_id=ann.document_id, updated=[ann_id], spans=[(ann.start, ann.end)])
        created: Entity | None = None
        with self.repo.transaction():
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
        if created is not None:
            self.index.put(created)
            change.rows.append(created)
            change.entities_added.append(created.id)
            change.entities_changed = True
        change.rows.append(new)
        undo = {k: getattr(ann, k) for k in ("label_id", "note", "entity_id") if k in fields}
        change.inverse = Op("update_annotation", {"ann_id": ann_id, "fields": undo})
        return change

    def import_annotations(self, doc_id: uuid.UUID, drafts: Sequence[AnnotationDraft]) -> AnnotationImport:
        """Anchor and store annotations read from a file, with their entities
        and claim details (see :mod:`.importing`), in one transaction.

        A draft whose UUID is already stored is left as it is (importing the
        same file twice changes nothing). Where position and quote disagree,
        the quote wins. Drafts that cannot be anchored are returned as
        orphans; the rest are stored.
        """
        doc = self.repo.get_document(doc_id)
        text = doc.text
        report = AnnotationImport()
        imported_at = now()  # the time of rows the file gives none (one import, one moment)
        with paused_gc(), self.repo.transaction():  # thousands of rows, no cycles (see .bulk)
            stored = self.repo.existing_annotation_ids(d.id for d in drafts if d.id is not None)
            labels = importing.LabelFinder(self.repo, self.user, self.repo.labels(), report.labels_added)
            label_for: dict[str, tuple[Label, bool]] = {}  # by the name as the file spells it; whether it names entities
            entities = self._entity_index()
            # New entities wait here and are stored in one batch before the
            # annotations that refer to them; once those are stored (claims
            # come after), new ones are stored at once.
            pending: list[Entity] | None = []
            linked: dict[tuple[LabelKind, str], Entity] = {}  # by name as written: the index's key is costlier

            def link(kind: LabelKind, name: str, etype: str = "") -> Entity:
                found = linked.get((kind, name))
                if found is None:  # (a name found once is found again, whatever the type)
                    found = linked[(kind, name)] = self._link_entity(
                        kind, name, entities, etype, pending=pending, when=imported_at
                    )
                return found

            def add_entity(entity: Entity) -> None:
                if pending is not None:
                    pending.append(entity)
                else:
                    self.repo.add_entity(entity)

            records = importing.entity_records(drafts)
            resolver = importing.EntityResolver(
                self.repo, self.user, records, link, add=add_entity,
                known=self.repo.existing_entity_ids(importing.entity_ids(drafts)),
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
                exact, prefix, suffix = offsets.quote_parts(text, start, end)
                stamp = draft.created or imported_at
                entity_id = None
                if draft.entity is not None or (draft.entity_id is not None and has_entity):
                    ref = EntityRef(draft.entity_id or draft.entity.id, draft.entity_name, draft.entity)  # type: ignore[union-attr]
                    entity_id = resolver.resolve(ref, label.kind, draft.creator, stamp)
                elif has_entity:
                    entity_id = link(label.kind, draft.entity_name or exact, draft.entity_type).id
                ann = Annotation(
                    id=draft.id or uuid.uuid4(),
                    document_id=doc_id,
                    label_id=label.id,
                    start=start,
                    end=end,
                    exact=exact,
                    prefix=prefix,
                    suffix=suffix,
                    entity_id=entity_id,
                    note=draft.note,
                    creator=draft.creator or self.user,
                    created=stamp,
                    modified=draft.modified or stamp,
                    fragments=fragments,
                )
                seen.add(ann.id)
                rows.append(ann)
                if draft.claim is not None:
                    with_claims.append((ann, draft))
            self.repo.add_entities(pending)
            pending = None
            labels.store()
            self.repo.add_annotations(rows)
            for ann, draft in with_claims:
                importing.store_claim(self.repo, ann, draft, resolver, seen, report.problems)
            for draft in relinked:
                importing.store_links(self.repo, draft.id, draft, seen, report.problems)  # type: ignore[arg-type]
        report.added = [a.id for a in rows]
        report.entities_added = list(resolver.added)
        self.index.forget()  # new entities, merged records: read again when next needed
        return report

    # --- claims -----------------------------------------------------------------------------

    def set_claim(self, claim: Claim) -> Change:
        ann = self.repo.get_annotation(claim.annotation_id)
        old = self.repo.claim_for(ann.id)
        claim = replace(claim, id=old.id if old else claim.id, creator=old.creator if old else self.user, modified=now())
        with self.repo.transaction():
            self.repo.put_claim(claim)
        return Change(document_id=ann.document_id, updated=[ann.id], spans=[(ann.start, ann.end)], rows=[claim])


def entity_referenced(repo: Repository, entity_id: uuid.UUID) -> bool:
    """Whether a live mention, claim source or claim subject refers to the
    entity (an entity an undone edit made is tombstoned only when none does)."""
    return bool(
        repo.annotations_for_entity(entity_id) or repo.claims_by_source(entity_id) or repo.subjects_for_entity(entity_id)
    )


def anchor_draft(text: str, draft: AnnotationDraft) -> tuple[int, int] | str:
    """Code point span for a draft, or the reason it cannot be anchored."""
    n = len(text)
    has_pos = draft.start is not None and draft.end is not None
    if has_pos and not (0 <= draft.start < draft.end <= n):  # type: ignore[operator]
        if draft.quote is None:
            return f"position {draft.start}..{draft.end} is outside the text (0..{n}) or empty"
        has_pos = False
    if draft.quote is not None and draft.quote.exact:
        q = draft.quote
        if has_pos and text[draft.start : draft.end] == q.exact:  # type: ignore[misc]
            return draft.start, draft.end  # type: ignore[return-value]
        if draft.start is not None and draft.end is not None:  # a tool counting UTF-16 units?
            span = offsets.utf16_reading(text, draft.start, draft.end, q.exact)
            if span is not None:
                return span
        anchor = offsets.resolve_quote(text, q, draft.start if has_pos else None)
        if not anchor.found:
            return f"quote {q.exact[:40]!r} is not in the document"
        return anchor.start, anchor.end
    if has_pos:
        start, end = draft.start, draft.end
        if not offsets.is_grapheme_aligned(text, start, end):  # type: ignore[arg-type]
            return f"position {start}..{end} splits a character"
        return start, end  # type: ignore[return-value]
    return draft.problem or "neither a position nor a quote"


def anchor_fragments(text: str, draft: AnnotationDraft) -> list[tuple[int, int]] | str:
    """Code point spans of a discontinuous draft's pieces, in text order, or
    the reason it cannot be anchored (a piece that cannot, or two that overlap)."""
    assert draft.fragments
    quotes = draft.fragment_quotes or []
    pieces: list[tuple[int, int]] = []
    for i, (start, end) in enumerate(draft.fragments):
        quote = quotes[i] if i < len(quotes) else None
        span = anchor_draft(text, AnnotationDraft(label=draft.label, start=start, end=end, quote=quote))
        if isinstance(span, str):
            return f"fragment {i + 1} of {len(draft.fragments)}: {span}"
        pieces.append(span)
    pieces.sort()
    for (s1, e1), (s2, e2) in zip(pieces, pieces[1:], strict=False):
        if s2 < e1:
            return f"fragments {s1}..{e1} and {s2}..{e2} overlap"
    return pieces


def drafts_labels(drafts: Iterable[AnnotationDraft]) -> set[str]:
    return {d.label for d in drafts}
