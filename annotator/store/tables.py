"""sqlmodel tables. Portable SQLAlchemy types only (Uuid, DateTime, JSON),
so the same schema runs on SQLite today and PostgreSQL later.

Every table has the row columns of :class:`RowColumns`: a UUID primary key,
the creator, created/modified times in UTC, and a tombstone flag.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, Index, TypeDecorator, UniqueConstraint, false
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: exact, sortable, portable."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use annotator.core.model.now()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


class RowColumns(SQLModel):
    id: uuid.UUID = Field(primary_key=True)
    creator: str = Field(default="", index=True)
    created: datetime = Field(sa_type=UTCDateTime)
    modified: datetime = Field(sa_type=UTCDateTime)
    deleted: bool = Field(default=False)


class SchemaInfo(SQLModel, table=True):
    __tablename__ = "schema_info"
    key: str = Field(primary_key=True)
    value: str


class DocumentRow(RowColumns, table=True):
    __tablename__ = "document"
    # The date with the id: a date range is answered from the index, never by
    # reading past each document's text to the columns after it (schema 7).
    __table_args__ = (Index("ix_document_published", "published", "id"),)
    title: str
    text: str
    sha256: str = Field(unique=True, index=True)
    source: str = ""
    url: str = ""
    published: str = ""
    language: str = ""
    direction: str = "ltr"
    filename: str = ""
    description: str = ""


class LabelRow(RowColumns, table=True):
    __tablename__ = "label"
    name: str
    kind: str
    color: str
    description: str = ""
    shortcut: str = ""
    position: int = 0


class EntityRow(RowColumns, table=True):
    __tablename__ = "entity"
    kind: str = Field(index=True)
    name: str
    type: str = ""
    aliases: list[str] = Field(default_factory=list, sa_type=JSON)
    note: str = ""
    latitude: float | None = None
    longitude: float | None = None
    country_code: str = ""
    # Added in schema 2 (migrations._v2_tradecraft); no foreign key, since a
    # column added by ALTER TABLE cannot carry one portably.
    merged_into: uuid.UUID | None = None
    # Added in schema 6: the analyst keeps the entity when nothing refers to it.
    kept: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class AnnotationRow(RowColumns, table=True):
    __tablename__ = "annotation"
    __table_args__ = (
        Index("ix_annotation_document_start", "document_id", "start"),
        # The document list's counts, read from this index alone (schema 7). Not
        # led by document_id: a document's span read keeps the (document_id, start) order.
        Index("ix_annotation_counts", "label_id", "document_id", "deleted"),
    )
    document_id: uuid.UUID = Field(foreign_key="document.id")
    label_id: uuid.UUID = Field(foreign_key="label.id")
    start: int
    end: int
    exact: str
    prefix: str = ""
    suffix: str = ""
    entity_id: uuid.UUID | None = Field(default=None, foreign_key="entity.id", index=True)
    note: str = ""
    # Added in schema 4 (migrations._v4_fragments_extras): a discontinuous span
    # as a JSON list of [start, end] code point pairs, in text order; NULL for
    # a plain span. start/end then cover the whole extent.
    fragments: list | None = Field(default=None, sa_type=JSON(none_as_null=True), nullable=True)


class ClaimRow(RowColumns, table=True):
    __tablename__ = "claim"
    __table_args__ = (UniqueConstraint("annotation_id"), Index("ix_claim_grading", "reliability", "credibility"))  # index: schema 7
    annotation_id: uuid.UUID = Field(foreign_key="annotation.id")
    source_entity_id: uuid.UUID | None = Field(default=None, foreign_key="entity.id", index=True)  # index: schema 6
    source_annotation_id: uuid.UUID | None = Field(default=None, foreign_key="annotation.id")
    reliability: str = "F"
    credibility: str = "6"
    likelihood: str = ""
    stance: str = "asserted"
    likelihood_note: str = ""


class ClaimSubjectRow(RowColumns, table=True):
    __tablename__ = "claim_subject"
    claim_annotation_id: uuid.UUID = Field(foreign_key="annotation.id", index=True)
    entity_id: uuid.UUID = Field(foreign_key="entity.id", index=True)


class ClaimLinkRow(RowColumns, table=True):
    __tablename__ = "claim_link"
    from_annotation_id: uuid.UUID = Field(foreign_key="annotation.id", index=True)
    to_annotation_id: uuid.UUID = Field(foreign_key="annotation.id", index=True)
    relation: str


class AnnotationExtraRow(RowColumns, table=True):
    """What an imported annotation carries that Annotator has no column for
    (schema 4): brat attributes, normalisations, relations and the file's own
    ids, kept so that exporting gives them back (see :mod:`annotator.io.brat`).

    ``kind`` is ``"attribute"``, ``"normalisation"``, ``"relation"`` or
    ``"source_id"``; ``name`` the attribute name, normalisation type,
    relation type or id scheme (``"brat"``); ``value`` the rest as JSON.
    """

    __tablename__ = "annotation_extra"
    annotation_id: uuid.UUID = Field(foreign_key="annotation.id", index=True)
    kind: str
    name: str = ""
    value: dict = Field(default_factory=dict, sa_type=JSON)


class RejectedSuggestionRow(RowColumns, table=True):
    """A suggestion the analyst rejected, so it is not proposed again (schema 8;
    see :class:`annotator.core.model.RejectedSuggestion`). Merged and shared
    like the rows above; undoing the rejection tombstones it."""

    __tablename__ = "rejected_suggestion"
    __table_args__ = (Index("ix_rejected_suggestion_document", "document_id", "deleted"),)
    document_id: uuid.UUID = Field(foreign_key="document.id")
    label_id: uuid.UUID = Field(foreign_key="label.id")
    start: int
    end: int
    exact: str
    entity_id: uuid.UUID | None = Field(default=None, foreign_key="entity.id")


class MergeConflictRow(RowColumns, table=True):
    """A version of a row that lost a merge, kept so the analyst can review
    it and swap it back (schema 3; see :mod:`annotator.store.merge`).

    Local review state: never merged or shared. ``creator``/``created`` say
    who ran the merge and when; ``kept``/``other`` are the two versions as
    JSON (ids and times as strings; a document's text is left out, being
    the same on both sides).
    """

    __tablename__ = "merge_conflict"
    table_name: str = Field(index=True)
    row_id: uuid.UUID = Field(index=True)
    document_id: uuid.UUID | None = None  # the document the row belongs to, if any
    kept: dict = Field(default_factory=dict, sa_type=JSON)
    other: dict = Field(default_factory=dict, sa_type=JSON)
    kept_side: str = ""  # "ours" or "theirs": where the version now in the table came from
    other_side: str = ""
    other_creator: str = ""
    source: str = ""  # the file merged
    resolved: bool = False
    swapped: bool = False  # the analyst reversed the merge's choice (odd number of reversals)


class ChangeLogRow(SQLModel, table=True):
    """One row per committed write transaction, numbered in commit order
    (schema 5; see :mod:`annotator.store.change_log`). Local plumbing like
    ``schema_info``, not analysts' data: no UUID or tombstone, never merged
    or shared, pruned after a month."""

    __tablename__ = "change_log"
    seq: int | None = Field(default=None, primary_key=True)
    origin: uuid.UUID  # the writer: one per opened database (a window, a CLI run)
    committed: datetime = Field(sa_type=UTCDateTime)
    tables: list = Field(default_factory=list, sa_type=JSON)  # names of the tables written
    documents: list | None = Field(default=None, sa_type=JSON)  # hex ids of the documents touched; None: any


DATA_TABLES = (
    DocumentRow, LabelRow, EntityRow, AnnotationRow, ClaimRow, ClaimSubjectRow, ClaimLinkRow, AnnotationExtraRow,
    RejectedSuggestionRow,
)  # fmt: skip

# The column by which a row of these tables belongs to a document directly.
DOCUMENT_COLUMNS = {"annotation": "document_id", "rejected_suggestion": "document_id"}

# The columns by which a row of these tables belongs to annotations (a claim
# link to two): what a write of one touches, for the change log and merges.
ANNOTATION_COLUMNS = {
    "claim": ("annotation_id",),
    "claim_subject": ("claim_annotation_id",),
    "claim_link": ("from_annotation_id", "to_annotation_id"),
    "annotation_extra": ("annotation_id",),
}
