"""What the services need from storage. ``annotator.store`` implements it.

Keeping this a Protocol lets the core stay free of SQL while the store is
free to batch, index and later run on PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from .model import (
    Annotation,
    AnnotationExtra,
    Claim,
    ClaimLink,
    ClaimSubject,
    Document,
    DocumentSummary,
    Entity,
    Label,
    LabelKind,
    RejectedSuggestion,
    SpanDetails,
    SpanRow,
    SpanTable,
)
from .sources import SourceRecord


class Repository(Protocol):
    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside happen in one database transaction, or none do."""

    # documents
    def add_document(self, doc: Document) -> None: ...
    def get_document(self, doc_id: uuid.UUID) -> Document: ...
    def document_by_sha256(self, sha: str) -> Document | None: ...
    def update_document(self, doc: Document) -> None: ...
    def document_summaries(self) -> list[DocumentSummary]: ...
    def document_ids(self) -> list[uuid.UUID]: ...

    # labels
    def labels(self, include_deleted: bool = False) -> list[Label]: ...
    def add_label(self, label: Label) -> None: ...
    def add_labels(self, labels: Iterable[Label]) -> None:
        """Several new labels in one batch."""

    # entities
    def add_entity(self, entity: Entity) -> None: ...
    def add_entities(self, entities: Iterable[Entity]) -> None:
        """Several new entities in one batch."""
    def get_entity(self, entity_id: uuid.UUID) -> Entity: ...
    def update_entity(self, entity: Entity) -> None: ...
    def entities(self, kind: LabelKind | None = None) -> list[Entity]: ...
    def entity_names(self, except_creator: str | None = None) -> Iterator[tuple[uuid.UUID, LabelKind, list[str]]]:
        """Every live entity's id, kind, and name followed by its aliases, by name (light: no full rows)."""
    def existing_entity_ids(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]: ...
    def entity_mention_counts(self) -> dict[uuid.UUID, int]:
        """Live annotations per entity over all live documents, in one grouped query."""
    def annotation_ids_by(self, creator: str) -> list[uuid.UUID]:
        """The live annotations ``creator`` wrote, in live documents."""
    def entity_in_use(self, entity_id: uuid.UUID) -> bool:
        """Whether a live mention, or a live claim's source or subject, refers to the entity."""
    def annotations_for_entity(self, entity_id: uuid.UUID, include_deleted: bool = False) -> list[Annotation]:
        """The entity's mentions, by document (oldest first) then position."""

    # annotations
    def add_annotations(self, annotations: Iterable[Annotation]) -> None: ...
    def annotation_spans(self, doc_id: uuid.UUID) -> list[SpanRow]: ...
    def document_spans(self, doc_id: uuid.UUID) -> tuple[SpanTable, dict[uuid.UUID, list[tuple[int, int]]]]:
        """Live spans as columns in text order (the rest of each row read
        later through :meth:`span_details`) and the fragments of the
        discontinuous ones, in one read."""
    def span_details(self, ids: Sequence[str]) -> dict[str, SpanDetails]:
        """(exact, entity id, creator, note, (reliability, credibility) or None) by annotation id in 32 hex digits."""
    def get_annotation(self, ann_id: uuid.UUID) -> Annotation: ...
    def existing_annotation_ids(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]: ...
    def update_annotation(self, ann: Annotation) -> None: ...
    def get_annotations(self, ann_ids: Sequence[uuid.UUID]) -> list[Annotation]:
        """Deleted ones too, in the order asked; NotFound if one is missing."""
    def set_annotations_deleted(self, anns: Sequence[Annotation]) -> None:
        """Write each one's ``deleted`` and ``modified``, in one statement."""
    def annotations(self, doc_id: uuid.UUID, include_deleted: bool = False) -> Iterator[Annotation]: ...
    def stream_annotations(self, doc_id: uuid.UUID) -> Iterator[Annotation]:
        """The live :meth:`annotations`, read as the loop goes (an export of 400,000 holds a
        batch, not them all); one read stays open until the loop ends."""

    # claims
    def claim_for(self, ann_id: uuid.UUID) -> Claim | None: ...
    def claims_for_document(self, doc_id: uuid.UUID) -> dict[uuid.UUID, Claim]: ...
    def put_claim(self, claim: Claim) -> None: ...
    def existing_claim_ids(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]: ...
    def claims_by_source(self, entity_id: uuid.UUID) -> list[Claim]: ...

    # what claims are about, and how they relate (tombstoned rows only when asked)
    def claim_subjects(self, ann_id: uuid.UUID, include_deleted: bool = False) -> list[ClaimSubject]: ...
    def subjects_for_entity(self, entity_id: uuid.UUID, include_deleted: bool = False) -> list[ClaimSubject]: ...
    def claim_subjects_for_document(self, doc_id: uuid.UUID) -> dict[uuid.UUID, list[ClaimSubject]]: ...
    def put_claim_subject(self, subject: ClaimSubject) -> None:
        """Insert, or update the row with the same id."""
    def claim_links(self, ann_id: uuid.UUID, include_deleted: bool = False) -> list[ClaimLink]:
        """Links from or to the annotation."""
    def claim_links_for_document(self, doc_id: uuid.UUID) -> list[ClaimLink]:
        """Live links from the document's annotations."""
    def get_claim_link(self, link_id: uuid.UUID) -> ClaimLink: ...
    def existing_claim_link_ids(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]: ...
    def put_claim_link(self, link: ClaimLink) -> None:
        """Insert, or update the row with the same id."""

    # discontinuous spans and what imports carry beyond our columns (schema 4)
    def annotation_fragments(self, doc_id: uuid.UUID) -> dict[uuid.UUID, list[tuple[int, int]]]:
        """Fragments of the document's live discontinuous annotations, by annotation."""
    def add_annotation_extras(self, extras: Iterable[AnnotationExtra]) -> None: ...
    def annotation_extras(self, doc_id: uuid.UUID, include_deleted: bool = False) -> list[AnnotationExtra]: ...

    # --- across the corpus ---------------------------------------------------
    def source_register(self, only: Collection[uuid.UUID] | None = None) -> list[SourceRecord]:
        """The register of sources (:mod:`annotator.core.sources`); ``only``: of these claims."""
        ...

    # --- suggestions ---------------------------------------------------------
    def entity_label_counts(self) -> dict[uuid.UUID, dict[uuid.UUID, int]]:
        """Live annotations per entity and label."""
    def put_rejections(self, rows: Iterable[RejectedSuggestion]) -> None:
        """Insert each rejected suggestion, or update the row with its id (a tombstone undoes a rejection)."""
    def rejections(self, doc_id: uuid.UUID, include_deleted: bool = False) -> list[RejectedSuggestion]:
        """The document's rejected suggestions (live ones, unless asked), in text order."""
    def all_rejections(self) -> list[RejectedSuggestion]:
        """Every live rejected suggestion, by document."""
