"""CSV export: one row per live annotation, for spreadsheets and scripts.

The caller opens the file with ``newline=""`` (as the csv module requires)
so that line breaks inside the exact text survive inside quoted fields.

Entity and claim columns are empty where they do not apply: ``entity_type``
is the linked entity's type, ``source`` the name of a claim's source actor,
and the grading columns hold a stored claim's values.
"""

from __future__ import annotations

import csv
import uuid
from typing import TextIO

from ..core.model import Document, Entity
from ..core.ports import Repository
from .w3c import iso

COLUMNS = (
    "id", "document", "label", "kind", "start", "end", "exact", "entity", "note", "creator", "created", "modified",
    "entity_type", "source", "reliability", "credibility", "likelihood", "stance",
)  # fmt: skip


def export_csv(repo: Repository, doc: Document, fh: TextIO) -> int:
    """Write the header and one row per annotation of ``doc``; returns the row count."""
    labels = {lb.id: lb for lb in repo.labels(include_deleted=True)}
    claims = repo.claims_for_document(doc.id)
    entities: dict[uuid.UUID, Entity] = {}

    def entity(entity_id: uuid.UUID | None) -> Entity | None:
        if entity_id is None:
            return None
        if entity_id not in entities:
            entities[entity_id] = repo.get_entity(entity_id)
        return entities[entity_id]

    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rows = 0
    for ann in repo.annotations(doc.id):
        label = labels[ann.label_id]
        linked = entity(ann.entity_id)
        claim = claims.get(ann.id)
        source = entity(claim.source_entity_id) if claim is not None else None
        writer.writerow(
            [
                str(ann.id),
                str(doc.id),
                label.name,
                label.kind.value,
                ann.start,
                ann.end,
                ann.exact,
                linked.name if linked else "",
                ann.note,
                ann.creator,
                iso(ann.created),
                iso(ann.modified),
                linked.type if linked else "",
                source.name if source else "",
                *((claim.reliability, claim.credibility, claim.likelihood, claim.stance) if claim else ("", "", "", "")),
            ]
        )
        rows += 1
    return rows
