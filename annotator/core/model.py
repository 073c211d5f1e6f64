"""Domain types. Plain dataclasses: no Qt, no SQL.

Every stored row carries a UUID, its creator, created and modified times
(UTC) and a tombstone flag: deletions are kept as ``deleted=True`` so that
merging two analysts' databases can propagate them exactly.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple

from .offsets import quote_parts


def now() -> datetime:
    """The current UTC time (aware); every timestamp in the app comes from here."""
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class LabelKind(StrEnum):
    ACTOR = "actor"
    CLAIM = "claim"
    LOCATION = "location"
    OTHER = "other"

    @property
    def has_entity(self) -> bool:
        """Actor and location mentions refer to an entity."""
        return self in (LabelKind.ACTOR, LabelKind.LOCATION)


class Direction(StrEnum):
    LTR = "ltr"
    RTL = "rtl"


@dataclass(kw_only=True)
class Row:
    id: uuid.UUID = field(default_factory=new_id)
    creator: str = ""
    created: datetime = field(default_factory=now)
    modified: datetime = field(default_factory=now)
    deleted: bool = False


@dataclass(kw_only=True)
class Document(Row):
    title: str
    text: str
    sha256: str
    source: str = ""
    url: str = ""
    published: str = ""  # ISO date as given by the source, may be partial ("2025-06")
    language: str = ""
    direction: Direction = Direction.LTR
    filename: str = ""
    description: str = ""


@dataclass(kw_only=True)
class DocumentSummary:
    id: uuid.UUID
    title: str
    source: str
    published: str
    length: int
    direction: Direction
    counts: dict[str, int]  # label kind -> live annotations


@dataclass(kw_only=True)
class Label(Row):
    name: str
    kind: LabelKind
    color: str  # "#rrggbb"
    description: str = ""
    shortcut: str = ""
    position: int = 0


@dataclass(kw_only=True)
class Entity(Row):
    kind: LabelKind  # ACTOR or LOCATION
    name: str
    type: str = ""
    aliases: list[str] = field(default_factory=list)
    note: str = ""
    latitude: float | None = None
    longitude: float | None = None
    country_code: str = ""
    merged_into: uuid.UUID | None = None  # set on a tombstoned entity merged into another
    kept: bool = False  # the analyst keeps it when nothing refers to it (see core.entity_life)

    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass(kw_only=True)
class Annotation(Row):
    document_id: uuid.UUID
    label_id: uuid.UUID
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""
    entity_id: uuid.UUID | None = None
    note: str = ""
    fragments: list[tuple[int, int]] | None = None
    """A discontinuous span: its pieces as ``(start, end)`` code point pairs,
    in text order, not overlapping, at least two; ``start``/``end`` (and
    ``exact``, ``prefix``, ``suffix``) then cover the whole extent, gaps
    included. None for a plain span (nearly every annotation)."""

    def __post_init__(self) -> None:
        if self.fragments is not None:  # JSON gives lists; keep tuples
            self.fragments = [(int(s), int(e)) for s, e in self.fragments]

    @classmethod
    def quoting(cls, text: str, start: int, end: int, **fields) -> Annotation:
        """An annotation of ``text[start:end]`` (code points) with the quote it
        keeps for re-anchoring: the exact text, its prefix and suffix."""
        exact, prefix, suffix = quote_parts(text, start, end)
        return cls(start=start, end=end, exact=exact, prefix=prefix, suffix=suffix, **fields)

    def pieces(self) -> list[tuple[int, int]]:
        """The spans to draw: the fragments, or ``[(start, end)]``."""
        return list(self.fragments) if self.fragments else [(self.start, self.end)]


@dataclass(kw_only=True)
class AnnotationExtra(Row):
    """What an imported annotation carries beyond our columns, kept so that
    exporting to the same format gives it back (brat attributes,
    normalisations, relations and the file's own ids; see
    :mod:`annotator.io.brat`).

    ``kind`` is one of :data:`EXTRA_KINDS`; ``name`` the attribute name,
    normalisation type, relation type or id scheme; ``value`` the rest
    (JSON-ready: str, int, float, bool, None, lists and dicts).
    """

    annotation_id: uuid.UUID
    kind: str
    name: str = ""
    value: dict = field(default_factory=dict)


EXTRA_KINDS = ("attribute", "normalisation", "relation", "source_id")


@dataclass(kw_only=True)
class Claim(Row):
    """Tradecraft details of a claim annotation (one per annotation)."""

    annotation_id: uuid.UUID
    source_entity_id: uuid.UUID | None = None
    source_annotation_id: uuid.UUID | None = None
    reliability: str = "F"  # Admiralty source reliability A..F
    credibility: str = "6"  # Admiralty information credibility 1..6
    likelihood: str = ""  # ICD 203 term, empty when not judged
    stance: str = "asserted"
    likelihood_note: str = ""

    @property
    def grading(self) -> str:
        return f"{self.reliability}{self.credibility}"


@dataclass(kw_only=True)
class ClaimSubject(Row):
    """An actor or location a claim is about."""

    claim_annotation_id: uuid.UUID
    entity_id: uuid.UUID


@dataclass(kw_only=True)
class ClaimLink(Row):
    """One claim annotation corroborates or contradicts another."""

    from_annotation_id: uuid.UUID
    to_annotation_id: uuid.UUID
    relation: str  # "corroborates" or "contradicts" (core.grading.RELATIONS)


@dataclass(kw_only=True)
class RejectedSuggestion(Row):
    """The analyst said no to a suggestion (:mod:`.suggest`): this span with
    this label is not proposed again. A row like the rest (merged, shared);
    undoing the rejection tombstones it."""

    document_id: uuid.UUID
    label_id: uuid.UUID
    start: int  # code points, as an annotation's
    end: int
    exact: str  # the text at start..end (checked on merge, as a quote)
    entity_id: uuid.UUID | None = None  # the entity it would have been linked to, if known


class SpanRow(NamedTuple):
    """The part of an annotation that views draw and list; cheap to load by
    the ten thousand (``Annotation`` has the rest, loaded one at a time)."""

    id: uuid.UUID
    label_id: uuid.UUID
    start: int
    end: int
    exact: str
    entity_id: uuid.UUID | None
    creator: str
    note: str


SpanDetails = tuple[str, "uuid.UUID | None", str, str, "tuple[str, str, uuid.UUID | None] | None"]
"""exact, entity id, creator, note, and (reliability, credibility, source entity id) of a claim's details or None"""


class SpanTable:
    """A document's live spans as columns, in text order (by start): what the
    reader loads by the ten thousand without building a :class:`SpanRow` and
    a UUID per annotation; :meth:`row` builds one when a view needs it.

    ``ids`` are the annotation ids as 32 lowercase hex digits
    (``uuid.UUID(ids[i])``, ``ann_id.hex``); label and entity ids are
    ``uuid.UUID`` objects (one object per distinct id).

    Drawing needs only the ids, labels and positions. The rest of a row (its
    quote, entity, creator, note and claim grading) is either given or, with
    ``load``, read when first needed, a batch of rows around the one asked
    for at a time: ``load(hex ids)`` returns ``{hex id: SpanDetails}``.
    """

    __slots__ = ("ids", "label_ids", "starts", "ends", "exacts", "entity_ids", "creators", "notes", "gradings",
                 "sources", "labels_used", "_load", "_missing")  # fmt: skip

    BATCH = 64

    def __init__(
        self, ids: Sequence[str] = (), label_ids: Sequence[uuid.UUID] = (), starts: Sequence[int] = (),
        ends: Sequence[int] = (), exacts: Sequence[str] | None = None, entity_ids: Sequence[uuid.UUID | None] | None = None,
        creators: Sequence[str] | None = None, notes: Sequence[str] | None = None,
        load: Callable[[list[str]], dict[str, SpanDetails]] | None = None,
    ) -> None:  # fmt: skip
        self.ids = ids
        self.label_ids = label_ids
        self.starts = starts
        self.ends = ends
        self._load = load
        self.gradings: dict[str, tuple[str, str]] = {}  # hex id -> (reliability, credibility), as rows are read
        self.sources: dict[str, uuid.UUID] = {}  # hex id -> a claim's source entity, as rows are read
        # Optionally (the distinct label ids, each row's label as an index into them): lets a view code
        # the labels per label rather than per row.
        self.labels_used: tuple[list[uuid.UUID], list[int]] | None = None
        if load is None:
            n = 0
            self.exacts = exacts if exacts is not None else ()
            self.entity_ids = entity_ids if entity_ids is not None else ()
            self.creators = creators if creators is not None else ()
            self.notes = notes if notes is not None else ()
        else:
            n = len(ids)
            self.exacts: list = [None] * n
            self.entity_ids: list = [None] * n
            self.creators: list = [None] * n
            self.notes: list = [None] * n
        self._missing = n  # rows whose details are still to be read

    @property
    def lazy(self) -> bool:
        """The details are read from the store as rows are shown (gradings included)."""
        return self._load is not None

    @classmethod
    def of(cls, rows: Iterable[SpanRow]) -> SpanTable:
        rows = sorted(rows, key=lambda r: (r.start, r.end))
        if not rows:
            return cls()
        ids, labels, starts, ends, exacts, entities, creators, notes = zip(*rows)
        return cls(tuple(i.hex for i in ids), labels, starts, ends, exacts, entities, creators, notes)

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, i: int) -> SpanRow:
        if self._missing and self.exacts[i] is None:
            self._read(range(max(0, i - self.BATCH // 4), min(len(self.ids), i + self.BATCH * 3 // 4)))
        return SpanRow(
            uuid.UUID(self.ids[i]), self.label_ids[i], self.starts[i], self.ends[i], self.exacts[i],
            self.entity_ids[i], self.creators[i], self.notes[i],
        )  # fmt: skip

    def _read(self, rows: Iterable[int]) -> None:
        exacts = self.exacts
        want = [i for i in rows if exacts[i] is None]
        if not want:
            return
        ids = self.ids
        found = self._load([ids[i] for i in want])
        entities, creators, notes, gradings, sources = self.entity_ids, self.creators, self.notes, self.gradings, self.sources
        for i in want:
            # A row gone meanwhile (another writer) shows empty until the next reload.
            exacts[i], entities[i], creators[i], notes[i], claim = found.get(ids[i]) or ("", None, "", "", None)
            if claim is not None:
                gradings[ids[i]] = claim[:2]
                if claim[2] is not None:
                    sources[ids[i]] = claim[2]
        self._missing -= len(want)

    def rows(self) -> list[SpanRow]:
        n = len(self.ids)
        for lo in range(0, n if self._missing else 0, 4 * self.BATCH):
            self._read(range(lo, min(n, lo + 4 * self.BATCH)))
        return [self.row(i) for i in range(n)]
