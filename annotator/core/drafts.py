"""What importers hand to the core: annotations, claims, links and entity
references read from a file (validated by the reader, not yet anchored in a
document), and what importing them reports."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from . import offsets
from .model import Entity


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
