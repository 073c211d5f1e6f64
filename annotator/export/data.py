"""What a brief shows, read from the database in one pass.

Everything the brief prints comes from here: documents, the labels chosen,
their annotations, claims with their grading, source, subjects and links,
and the entities mentioned. Nothing is typed twice: numbers (Doc 1; claim 1,
claim 2…) are given here and used by every part of the brief. Claims are
numbered plainly, never "C1": C1–C6 are Admiralty gradings.
"""

from __future__ import annotations

import bisect
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from ..core import grading
from ..core.errors import InputError, NotFound
from ..core.model import Claim, Document, Entity, Label, LabelKind, SpanRow
from ..core.ports import Repository
from ..core.sample import is_sample
from ..core.sources import SourceRecord


@dataclass
class DocInfo:
    number: int  # 1-based; shown as Doc 1, Doc 2…
    doc: Document
    spans: list[SpanRow]  # the annotations shown (labels chosen), in text order
    line_starts: list[int]
    fragments: dict[uuid.UUID, list[tuple[int, int]]] = field(default_factory=dict)  # discontinuous ones
    alone: bool = True  # the only document in the brief: places need no document number

    @property
    def ref(self) -> str:
        return f"Doc {self.number}"  # never "D1", which reads as an Admiralty grading

    def place(self, offset: int) -> str:
        """Where an offset is, as a reader finds it: "¶3", or "D2 ¶3" when the brief has several documents."""
        para = f"¶{self.paragraph_of(offset)}"
        return para if self.alone else f"{self.ref} {para}"

    def paragraph_of(self, offset: int) -> int:
        """1-based line (paragraph) number of a code point offset."""
        return bisect.bisect_right(self.line_starts, offset)


@dataclass
class LinkInfo:
    relation: str  # "corroborates", "contradicts"
    outgoing: bool  # this claim → the other
    other_id: uuid.UUID
    other_exact: str
    other: ClaimInfo | None = None  # when the other claim is in the brief


@dataclass
class ClaimInfo:
    number: int  # 1, 2… in document and text order: "Claim 1", "claim 1" (never "C1", an Admiralty code)
    span: SpanRow
    doc: DocInfo
    label: Label
    claim: Claim | None  # None: not graded yet
    source: str = ""  # who made the claim, as the brief prints it
    source_where: str = ""  # where the source is mentioned (¶3, Doc 1 ¶3), if tagged
    subjects: list[Entity] = field(default_factory=list)
    links: list[LinkInfo] = field(default_factory=list)

    @property
    def name(self) -> str:
        """How a heading or a sentence start names the claim: "Claim 4"."""
        return f"Claim {self.number}"

    @property
    def ref(self) -> str:
        """How a sentence refers to the claim: "claim 4"."""
        return f"claim {self.number}"

    @property
    def bookmark(self) -> str:
        """The bookmark on the claim in the annotated text."""
        return f"claim_{self.number}"

    @property
    def entry_bookmark(self) -> str:
        """The bookmark on the claim's key-claims entry."""
        return f"key_claim_{self.number}"

    @property
    def paragraph(self) -> int:
        return self.doc.paragraph_of(self.span.start)

    @property
    def where(self) -> str:
        return self.doc.place(self.span.start)

    @property
    def code(self) -> str:
        if self.claim is None:
            return ""
        return grading.grading_code(self.claim.reliability, self.claim.credibility)


@dataclass
class EntityInfo:
    entity: Entity
    mentions: int = 0
    first: tuple[DocInfo, SpanRow] | None = None

    @property
    def first_quote(self) -> str:
        """The text of the first mention, on one line ("" when unmentioned)."""
        return one_line(self.first[1].exact) if self.first is not None else ""

    @property
    def first_place(self) -> str:
        """Where the first mention is: "¶2", "Doc 1 ¶2" ("" when unmentioned)."""
        return self.first[0].place(self.first[1].start) if self.first is not None else ""


@dataclass
class BriefData:
    docs: list[DocInfo]
    labels: list[Label]  # the labels shown, in tagset order
    all_labels: dict[uuid.UUID, Label]
    claims: list[ClaimInfo]  # in document and text order (claim 1, claim 2…)
    claim_by_ann: dict[uuid.UUID, ClaimInfo]
    actors: list[EntityInfo]
    locations: list[EntityInfo]
    entities: dict[uuid.UUID, Entity]
    sources: list[SourceRecord] = field(default_factory=list)  # the register of the brief's claims' sources

    def kinds(self) -> set[LabelKind]:
        return {lb.kind for lb in self.labels}

    @property
    def annotation_count(self) -> int:
        return sum(len(d.spans) for d in self.docs)


def one_line(text: str) -> str:
    return " ".join(text.split())


def choose_labels(labels: Sequence[Label], wanted: Collection[str] | None) -> list[Label]:
    """The labels named in ``wanted`` by kind ("actor"), name ("Actor") or id; all when None."""
    if wanted is None:
        return list(labels)
    keys = {w.strip().casefold() for w in wanted if w.strip()}
    if not keys:
        raise InputError("no labels chosen (give label kinds or names, e.g. actor,claim)")
    chosen = [lb for lb in labels if {lb.kind.value, lb.name.casefold(), str(lb.id)} & keys]
    matched = {k for k in keys if any(k in (lb.kind.value, lb.name.casefold(), str(lb.id)) for lb in labels)}
    unknown = sorted(keys - matched)
    if unknown:
        names = ", ".join(sorted({lb.kind.value for lb in labels} | {lb.name for lb in labels}))
        raise InputError(f"unknown label {unknown[0]!r} (labels: {names})")
    return chosen


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


@dataclass
class _RawLink:
    relation: str
    outgoing: bool
    other_id: uuid.UUID


def _claim_links(repo: Repository, doc_ids: list[uuid.UUID], claim_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[_RawLink]]:
    """Live links of the brief's claims, both ways: from the brief's documents
    (one query each) and from other documents into them."""
    out: dict[uuid.UUID, list[_RawLink]] = {}
    seen: set[uuid.UUID] = set()
    inside = set(doc_ids)
    for doc_id in [*doc_ids, *(d for d in repo.document_ids() if d not in inside)]:
        for link in repo.claim_links_for_document(doc_id):
            if link.id in seen:
                continue
            seen.add(link.id)
            if link.from_annotation_id in claim_ids:
                out.setdefault(link.from_annotation_id, []).append(_RawLink(link.relation, True, link.to_annotation_id))
            if link.to_annotation_id in claim_ids:
                out.setdefault(link.to_annotation_id, []).append(_RawLink(link.relation, False, link.from_annotation_id))
    return out


def gather(
    repo: Repository, document_ids: Sequence[uuid.UUID], labels: Collection[str] | None = None, *, include_sample: bool = False
) -> BriefData:
    """What the brief prints; the sample's annotations (core.sample) only with ``include_sample``."""
    if not document_ids:
        raise InputError("no documents chosen for the brief")
    all_labels = repo.labels(include_deleted=True)
    live = [lb for lb in all_labels if not lb.deleted]
    shown = choose_labels(live, labels)
    shown_ids = {lb.id for lb in shown}
    label_by_id = {lb.id: lb for lb in all_labels}
    entities = {e.id: e for e in repo.entities()}

    docs: list[DocInfo] = []
    every_span: dict[uuid.UUID, tuple[DocInfo, SpanRow]] = {}
    seen: set[uuid.UUID] = set()
    for doc_id in document_ids:
        if doc_id in seen:
            continue
        seen.add(doc_id)
        doc = repo.get_document(doc_id)
        spans = [s for s in repo.annotation_spans(doc_id) if include_sample or not is_sample(s)]
        info = DocInfo(len(docs) + 1, doc, [s for s in spans if s.label_id in shown_ids], _line_starts(doc.text))
        info.fragments = repo.annotation_fragments(doc_id)
        docs.append(info)
        for s in spans:
            every_span[s.id] = (info, s)

    for info in docs:
        info.alone = len(docs) == 1

    # claims, numbered in document and text order
    claims: list[ClaimInfo] = []
    for info in docs:
        graded = repo.claims_for_document(info.doc.id)
        for s in sorted(info.spans, key=lambda s: (s.start, -s.end)):  # a claim before the claims inside it
            label = label_by_id[s.label_id]
            if label.kind is LabelKind.CLAIM:
                claims.append(ClaimInfo(len(claims) + 1, s, info, label, graded.get(s.id)))
    claim_by_ann = {c.span.id: c for c in claims}

    def entity(entity_id: uuid.UUID | None) -> Entity | None:
        """A live entity, following merges (a merged entity is a tombstone pointing at the survivor)."""
        for _ in range(8):
            if entity_id is None:
                return None
            found = entities.get(entity_id)
            if found is not None:
                return found
            try:
                gone = repo.get_entity(entity_id)
            except NotFound:
                return None
            entity_id = gone.merged_into
        return None

    def annotation_exact(ann_id: uuid.UUID) -> str | None:
        """The text of a live annotation anywhere (None: deleted or missing)."""
        if ann_id in every_span:
            return every_span[ann_id][1].exact
        try:
            ann = repo.get_annotation(ann_id)
        except NotFound:
            return None
        return None if ann.deleted else ann.exact

    subjects = {}
    for info in docs:
        subjects.update(repo.claim_subjects_for_document(info.doc.id))
    links = _claim_links(repo, [d.doc.id for d in docs], set(claim_by_ann))
    for c in claims:
        if c.claim is not None:
            source = entity(c.claim.source_entity_id)
            mention = every_span.get(c.claim.source_annotation_id) if c.claim.source_annotation_id else None
            if source is not None:
                c.source = source.name
            elif mention is not None:
                c.source = one_line(mention[1].exact)
            if mention is not None:
                c.source_where = mention[0].place(mention[1].start)
        for subject in subjects.get(c.span.id, []):
            e = entity(subject.entity_id)
            if e is not None and e not in c.subjects:
                c.subjects.append(e)
        c.subjects.sort(key=lambda e: (e.name.casefold(), str(e.id)))  # the same brief from every copy of the data
        for link in links.get(c.span.id, []):
            other_exact = annotation_exact(link.other_id)
            if other_exact is not None:
                c.links.append(LinkInfo(link.relation, link.outgoing, link.other_id, other_exact, claim_by_ann.get(link.other_id)))

    # entities mentioned (and claim sources and subjects, even unmentioned)
    infos: dict[uuid.UUID, EntityInfo] = {}
    for info in docs:
        for s in info.spans:
            if s.entity_id is None or not label_by_id[s.label_id].kind.has_entity:
                continue
            e = entity(s.entity_id)
            if e is None:
                continue
            ei = infos.get(e.id)
            if ei is None:
                ei = infos[e.id] = EntityInfo(e)
            ei.mentions += 1
            if ei.first is None:
                ei.first = (info, s)
    for c in claims:
        source = entity(c.claim.source_entity_id) if c.claim is not None else None
        for e in [source] if source is not None else []:
            infos.setdefault(e.id, EntityInfo(e))
        for e in c.subjects:
            infos.setdefault(e.id, EntityInfo(e))

    def table(kind: LabelKind) -> list[EntityInfo]:
        rows = [ei for ei in infos.values() if ei.entity.kind is kind]
        return sorted(rows, key=lambda ei: (-ei.mentions, ei.entity.name.casefold()))

    kinds = {lb.kind for lb in shown}
    return BriefData(
        docs=docs,
        labels=shown,
        all_labels=label_by_id,
        claims=claims,
        claim_by_ann=claim_by_ann,
        actors=table(LabelKind.ACTOR) if LabelKind.ACTOR in kinds else [],
        locations=table(LabelKind.LOCATION) if LabelKind.LOCATION in kinds else [],
        entities=entities,
        sources=repo.source_register(only=claim_by_ann.keys()) if claims else [],
    )


def sort_by_grading(claims: list[ClaimInfo]) -> list[ClaimInfo]:
    """Most reliable source and most credible information first; then the
    stronger likelihood; ungraded claims last; ties in text order."""
    rel = {code: i for i, code in enumerate(grading.RELIABILITY)}
    cred = {code: i for i, code in enumerate(grading.CREDIBILITY)}
    terms = [term for term, _rng in grading.LIKELIHOOD]
    likely = {term: len(terms) - i for i, term in enumerate(terms)}

    def key(c: ClaimInfo):
        if c.claim is None:
            return (1, 0, 0, 0, c.number)
        return (
            0,
            rel.get(c.claim.reliability, len(rel)),
            cred.get(c.claim.credibility, len(cred)),
            likely.get(c.claim.likelihood, len(terms) + 1),
            c.number,
        )

    return sorted(claims, key=key)
