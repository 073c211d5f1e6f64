"""Domain types. Plain dataclasses: no Qt, no SQL.

Every stored row carries a UUID, its creator, created and modified times
(UTC) and a tombstone flag: deletions are kept as ``deleted=True`` so that
merging two analysts' databases can propagate them exactly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple


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
