"""CSV export: one row per live annotation, for spreadsheets and scripts.

The caller opens the file with ``newline=""`` (as the csv module requires)
so that line breaks inside the exact text survive inside quoted fields.
"""

from __future__ import annotations

import csv
import uuid
from typing import TextIO

from ..core.model import Document
from ..core.ports import Repository
from .w3c import iso

COLUMNS = ("id", "document", "label", "kind", "start", "end", "exact", "entity", "note", "creator", "created", "modified")


def export_csv(repo: Repository, doc: Document, fh: TextIO) -> int:
    """Write the header and one row per annotation of ``doc``; returns the row count."""
    labels = {lb.id: lb for lb in repo.labels(include_deleted=True)}
    entity_names: dict[uuid.UUID, str] = {}
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rows = 0
    for ann in repo.annotations(doc.id):
        label = labels[ann.label_id]
        entity = ""
        if ann.entity_id is not None:
            if ann.entity_id not in entity_names:
                entity_names[ann.entity_id] = repo.get_entity(ann.entity_id).name
            entity = entity_names[ann.entity_id]
        writer.writerow(
            [
                str(ann.id),
                str(doc.id),
                label.name,
                label.kind.value,
                ann.start,
                ann.end,
                ann.exact,
                entity,
                ann.note,
                ann.creator,
                iso(ann.created),
                iso(ann.modified),
            ]
        )
        rows += 1
    return rows
