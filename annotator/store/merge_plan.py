"""What a merge would do, or did: per table, the rows added, updated,
deleted and set aside as conflicts, and the counts the CLI and the GUI show.
Nothing here reads or writes a database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .merge_versions import differences, version_json
from .sqlite.untrusted import TheirRows
from .tables import ANNOTATION_COLUMNS, DOCUMENT_COLUMNS


@dataclass
class TableCounts:
    added: int = 0  # live rows new to us
    tombstones: int = 0  # rows new to us that they had already deleted (kept so the deletion propagates)
    updated: int = 0  # our row replaced by their newer version (a restore counts here)
    deleted: int = 0  # our live row replaced by their newer tombstone
    conflicts: int = 0  # versions that differ in content: the loser recorded for review
    unchanged: int = 0  # the same on both sides, or ours is the newer

    def __iadd__(self, other: TableCounts) -> TableCounts:
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        return self

    def changes(self) -> int:
        return self.added + self.tombstones + self.updated + self.deleted + self.conflicts


@dataclass
class ConflictDraft:
    """A conflict a merge would record: the two versions of one row."""

    table: str
    row_id: uuid.UUID  # our id for the row
    kept: dict  # the version the merge keeps (column values)
    other: dict  # the version set aside
    kept_side: str  # "ours" or "theirs"
    document_id: uuid.UUID | None = None

    @property
    def other_side(self) -> str:
        return "theirs" if self.kept_side == "ours" else "ours"

    def differences(self) -> list[tuple[str, Any, Any]]:
        """(column, kept value, other value) for each column that differs, time aside."""
        return differences(self.table, version_json(self.table, self.kept), version_json(self.table, self.other))


@dataclass
class TablePlan:
    """What a merge does to one table. Rows are dicts of the table's columns
    (ids as UUID, times aware UTC); ids of documents and labels are ours."""

    table: str
    added: list[dict] = field(default_factory=list)
    tombstones: list[dict] = field(default_factory=list)
    updated: list[tuple[dict, dict]] = field(default_factory=list)  # (ours before, version written)
    deleted: list[tuple[dict, dict]] = field(default_factory=list)  # (ours before, their tombstone written)
    conflicts: list[ConflictDraft] = field(default_factory=list)
    unchanged: int = 0

    def versions(self) -> list[dict]:
        """Every version of a row the plan writes or replaces: the new rows,
        and both sides of each update and deletion."""
        return [*self.added, *self.tombstones, *(v for pair in self.updated + self.deleted for v in pair)]

    @property
    def counts(self) -> TableCounts:
        return TableCounts(
            len(self.added), len(self.tombstones), len(self.updated), len(self.deleted), len(self.conflicts), self.unchanged
        )


@dataclass
class MergePlan:
    """What merging ``source`` into ``target`` would do (nothing is written).
    Pass it to :func:`~.merge.apply_merge` to do it."""

    source: Path
    target: Path
    tables: dict[str, TablePlan]
    document_ids: dict[uuid.UUID, uuid.UUID]  # their document id -> ours
    label_ids: dict[uuid.UUID, uuid.UUID]  # their label id -> ours
    theirs: TheirRows = field(repr=False)
    annotation_documents: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict, repr=False)

    @property
    def counts(self) -> dict[str, TableCounts]:
        return {name: tp.counts for name, tp in self.tables.items()}

    @property
    def total(self) -> TableCounts:
        return total_of(self.counts)

    @property
    def is_noop(self) -> bool:
        return self.total.changes() == 0

    @property
    def conflicts(self) -> list[ConflictDraft]:
        return [c for tp in self.tables.values() for c in tp.conflicts]

    def affected_documents(self) -> list[uuid.UUID]:
        """Our ids of the documents whose text, annotations or claims the merge touches."""
        return documents_touched(self)

    def lines(self) -> list[str]:
        return report_lines(self.counts)


@dataclass
class MergeReport:
    """What :func:`~.merge.apply_merge` did."""

    source: Path
    counts: dict[str, TableCounts]
    conflict_ids: list[uuid.UUID]  # the merge_conflict rows recorded
    document_ids: list[uuid.UUID]  # our documents whose rows changed (reload them)
    labels_changed: bool
    entities_changed: bool

    @property
    def total(self) -> TableCounts:
        return total_of(self.counts)

    @property
    def is_noop(self) -> bool:
        return self.total.changes() == 0

    def lines(self) -> list[str]:
        return report_lines(self.counts)


def total_of(counts: dict[str, TableCounts]) -> TableCounts:
    total = TableCounts()
    for c in counts.values():
        total += c
    return total


def report_lines(counts: dict[str, TableCounts]) -> list[str]:
    """The per-table table the CLI prints (the GUI may show the same)."""
    head = ("TABLE", "ADDED", "UPDATED", "DELETED", "CONFLICTS", "TOMBSTONES", "UNCHANGED")
    rows = [head]
    for name, c in [*counts.items(), ("total", total_of(counts))]:
        rows.append((name, *(str(getattr(c, k)) for k in ("added", "updated", "deleted", "conflicts", "tombstones", "unchanged"))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return ["  ".join([r[0].ljust(widths[0]), *(v.rjust(w) for v, w in zip(r[1:], widths[1:], strict=True))]) for r in rows]


def documents_touched(plan: MergePlan) -> list[uuid.UUID]:
    docs: set[uuid.UUID] = set()
    for name, key in {"document": "id", **DOCUMENT_COLUMNS}.items():
        docs.update(row[key] for row in plan.tables[name].versions())
    for name, columns in ANNOTATION_COLUMNS.items():
        tp = plan.tables[name]
        rows = [r for r in tp.added + tp.tombstones] + [after for _b, after in tp.updated + tp.deleted]
        for row in rows:
            docs.update(plan.annotation_documents[a] for a in map(row.get, columns) if a in plan.annotation_documents)
    for tp in plan.tables.values():
        docs.update(c.document_id for c in tp.conflicts if c.document_id is not None)
    return sorted(docs, key=str)
