"""Merge conflicts, recorded: review them, mark them reviewed, and reverse
one (swap the version kept with the one set aside, as a new edit).
Conflict records are local review state: they are neither merged nor shared.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from ..core.change import Change
from ..core.errors import InputError, NotFound
from ..core.model import now
from .database import Database
from .merge_versions import TABLES, columns_of, differences, from_json, table_of, version_json
from .tables import ANNOTATION_COLUMNS, MergeConflictRow

MC = MergeConflictRow.__table__


@dataclass(frozen=True)
class Conflict:
    """A recorded conflict: the version of a row now kept and the one set
    aside (both JSON-ready dicts: ids and times as strings)."""

    id: uuid.UUID
    table: str
    row_id: uuid.UUID
    document_id: uuid.UUID | None
    kept: dict
    other: dict
    kept_side: str  # "ours" or "theirs"
    other_side: str
    other_creator: str
    source: str  # file name merged
    merged_at: datetime
    merged_by: str
    modified: datetime
    resolved: bool
    swapped: bool  # reversed an odd number of times: the kept version is the one the merge set aside

    def differences(self) -> list[tuple[str, Any, Any]]:
        """(column, kept value, other value) for each column that differs, time aside."""
        return differences(self.table, self.kept, self.other)


def conflict_from_row(r) -> Conflict:
    return Conflict(
        id=r.id,
        table=r.table_name,
        row_id=r.row_id,
        document_id=r.document_id,
        kept=dict(r.kept),
        other=dict(r.other),
        kept_side=r.kept_side,
        other_side=r.other_side,
        other_creator=r.other_creator,
        source=r.source,
        merged_at=r.created,
        merged_by=r.creator,
        modified=r.modified,
        resolved=r.resolved,
        swapped=r.swapped,
    )


def conflicts(mine: Database, *, include_resolved: bool = True, document_id: uuid.UUID | None = None) -> list[Conflict]:
    """Recorded conflicts, newest merge first (then by table and row)."""
    stmt = select(MC).where(MC.c.deleted.is_(False))
    if not include_resolved:
        stmt = stmt.where(MC.c.resolved.is_(False))
    if document_id is not None:
        stmt = stmt.where(MC.c.document_id == document_id)
    with mine.repo.read_connection() as conn:
        rows = [conflict_from_row(r) for r in conn.execute(stmt)]
    order = {t: i for i, t in enumerate(TABLES)}
    rows.sort(key=lambda c: (-c.merged_at.timestamp(), order.get(c.table, 99), str(c.row_id)))
    return rows


def get_conflict(mine: Database, conflict_id: uuid.UUID) -> Conflict:
    with mine.repo.read_connection() as conn:
        row = conn.execute(select(MC).where(MC.c.id == conflict_id)).first()
    if row is None:
        raise NotFound(f"no conflict {conflict_id}")
    return conflict_from_row(row)


def resolve_conflict(mine: Database, conflict_id: uuid.UUID, resolved: bool = True) -> None:
    """Mark a conflict reviewed (or not); the data rows are untouched."""
    get_conflict(mine, conflict_id)
    with mine.repo.write_connection() as (conn, touched):
        conn.execute(update(MC).where(MC.c.id == conflict_id).values(resolved=resolved, modified=now()))
        touched.tables.add("merge_conflict")


def reverse_conflict(mine: Database, conflict_id: uuid.UUID) -> Change:
    """Swap the kept version of the row with the one set aside.

    The version brought back is written as a new edit (``modified`` = now),
    so the analyst's choice wins later merges and reaches colleagues; its
    creator and every other column are as recorded. The conflict record is
    swapped too (``kept`` is what the table now holds, ``other`` what it
    held, ``swapped`` toggles), so calling this again reverses the reversal
    (the GUI's undo). Returns what to redraw."""
    stamp = now()
    with mine.repo.write_connection() as (conn, touched):
        rec = conn.execute(select(MC).where(MC.c.id == conflict_id)).first()
        if rec is None:
            raise NotFound(f"no conflict {conflict_id}")
        name = rec.table_name
        if name not in TABLES:
            raise InputError(f"conflict {conflict_id}: unknown table {name!r}")
        table = table_of(name)
        current = conn.execute(select(*table.columns).where(table.c.id == rec.row_id)).mappings().first()
        if current is None:
            raise NotFound(f"the {name} row {rec.row_id} of this conflict no longer exists")
        current = dict(current)
        restored = from_json(name, rec.other)
        restored.update(id=current["id"], modified=stamp)
        if name == "document":
            restored.update(text=current["text"], sha256=current["sha256"])
        new = {**current, **restored}
        cols = [c for c in columns_of(name) if c != "id"]
        conn.execute(update(table).where(table.c.id == current["id"]).values({c: new[c] for c in cols}))
        touched.rows(name, [current, new])
        touched.tables.add("merge_conflict")
        conn.execute(
            update(MC)
            .where(MC.c.id == conflict_id)
            .values(
                kept=version_json(name, new),
                other=version_json(name, current),
                kept_side=rec.other_side,
                other_side=rec.kept_side,
                other_creator=current.get("creator", ""),
                swapped=not rec.swapped,
                modified=stamp,
            )
        )
        change = _change_for(conn, name, current, new)
    return change


def _change_for(conn: Connection, name: str, before: dict, after: dict) -> Change:
    if name == "document":
        return Change(document_id=after["id"], spans=[(0, len(after["text"]))])
    if name == "label":
        return Change(labels_changed=True)
    if name == "entity":
        return Change(entities_changed=True)
    if name == "annotation":
        change = Change(document_id=after["document_id"], spans=[(before["start"], before["end"]), (after["start"], after["end"])])
        if after["deleted"] and not before["deleted"]:
            change.removed.append(after["id"])
        elif before["deleted"] and not after["deleted"]:
            change.added.append(after["id"])
        else:
            change.updated.append(after["id"])
        if before["entity_id"] != after["entity_id"]:
            change.entities_changed = True
        return change
    if name == "rejected_suggestion":  # no annotation of its own: it names its document and span
        return Change(document_id=after["document_id"], spans=[(after["start"], after["end"])])
    ann_id = after.get(ANNOTATION_COLUMNS[name][0])  # the row's own annotation (a claim link's: where it is drawn from)
    A = table_of("annotation")
    ann = conn.execute(select(A.c.id, A.c.document_id, A.c.start, A.c.end).where(A.c.id == ann_id)).first()
    if ann is None:
        return Change()
    return Change(document_id=ann.document_id, updated=[ann.id], spans=[(ann.start, ann.end)])
