"""Merging a colleague's database into ours: exact, safe and explainable.

The file is read through :mod:`annotator.store.sqlite.untrusted` (a checked private
copy; a too large, damaged, foreign, altered or newer file is refused before
any of it is used, and so is a document larger than an import may be). :func:`plan_merge` says what a merge would do; :func:`apply_merge`
does it in ONE transaction on our side — if anything fails, our database is
exactly as it was.

How rows match
  documents by the SHA-256 of their canonical text (the same article
  imported by two analysts is one document; ours keeps its id and their
  annotations are re-pointed to it); labels by name (case and spacing
  ignored) and kind; claims by their annotation (a claim is one per
  annotation); entities, annotations, annotation extras (what an import
  carried beyond our columns), claim subjects and claim links by UUID.
  Two annotations of the same span and label with different UUIDs are two
  rows: both are kept (the agreement report shows them as agreeing).

The rules, for a row on both sides whose versions differ
  * The version with the later ``modified`` wins (on an exact tie: the one
    with more fields filled in, then a fixed order of the two versions'
    JSON), whole — creator and timestamps are never rewritten. A tombstone
    is a version like any other, so a later deletion propagates and a later
    edit brings a row back.
  * A document or label that two analysts created separately (different
    ids) and that reads the same — only creator and times differ — is the
    one created first, so it stays credited to whoever imported it first.
  * We have no common ancestor, so "changed on both sides" cannot be told
    from "changed on one side". The rule is therefore conservative: when
    the two versions differ in content (anything but ``modified`` and the
    tombstone flag), the losing version is recorded in ``merge_conflict``,
    whichever side it came from, so nothing is ever lost silently; the
    analyst can review it and swap it back (:func:`reverse_conflict`). A
    difference only in time or only in the tombstone flag is a plain update
    or deletion, not a conflict.

Because the winner is a function of the two versions alone, merging A into
B and B into A give the same content; and because after a merge our row is
the winner (or an already-recorded loser is not recorded twice), merging the
same file again changes nothing. Conflict records are local review state:
they are neither merged nor shared.

Where it lives: the rules for two versions in :mod:`.merge_versions`, the
plan and report in :mod:`.merge_plan`, working the plan out in
:mod:`.merge_planner`, recorded conflicts in :mod:`.merge_conflicts`; this
module reads their file, plans, and writes the plan in one transaction
(the public names of all of them are importable from here).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import Connection, bindparam, update

from ..core.entity_life import EntityLife
from ..core.errors import InputError
from ..core.model import now
from ..core.user import current_user
from .change_log import Touched
from .database import Database
from .merge_conflicts import MC, Conflict, conflicts, get_conflict, resolve_conflict, reverse_conflict
from .merge_plan import ConflictDraft, MergePlan, MergeReport, TableCounts, TablePlan, report_lines
from .merge_planner import plan_against
from .merge_versions import TABLES, columns_of, label_key, table_of, version_json
from .sqlite.untrusted import read_untrusted


def plan_merge(mine: Database, theirs_path: Path | str) -> MergePlan:
    """What merging the file at ``theirs_path`` into ``mine`` would do. Reads
    and checks their file (raises :class:`StoreError` if it is refused);
    writes nothing anywhere."""
    theirs = read_untrusted(theirs_path)
    with mine.repo.read_connection() as conn:
        return plan_against(conn, mine, theirs)


def _write(conn: Connection, name: str, tp: TablePlan, touched: Touched) -> None:
    """Insert the table's new rows and update the rows whose version changed (a document's text never)."""
    table = table_of(name)
    inserts = tp.added + tp.tombstones
    if inserts:
        conn.execute(table.insert(), inserts)
        touched.rows(name, inserts, fresh=True)
    rows = [after for _before, after in tp.updated + tp.deleted]
    if rows:
        touched.rows(name, [before for before, _after in tp.updated + tp.deleted] + rows)
        cols = [c for c in columns_of(name) if c != "id" and not (name == "document" and c in ("text", "sha256"))]
        stmt = (
            update(table)
            .where(table.c.id == bindparam("m_id", type_=table.c.id.type))
            .values({c: bindparam("m_" + c, type_=table.c[c].type) for c in cols})
        )
        conn.execute(stmt, [{"m_id": r["id"], **{"m_" + c: r[c] for c in cols}} for r in rows])


def _record_conflicts(conn: Connection, plan: MergePlan, user: str) -> list[uuid.UUID]:
    """One merge_conflict row per conflict of the plan; their ids."""
    stamp = now()
    rows = []
    for c in plan.conflicts:
        rows.append(
            {
                "id": uuid.uuid4(),
                "creator": user,
                "created": stamp,
                "modified": stamp,
                "deleted": False,
                "table_name": c.table,
                "row_id": c.row_id,
                "document_id": c.document_id,
                "kept": version_json(c.table, c.kept),
                "other": version_json(c.table, c.other),
                "kept_side": c.kept_side,
                "other_side": c.other_side,
                "other_creator": c.other.get("creator", ""),
                "source": plan.source.name,
                "resolved": False,
                "swapped": False,
            }
        )
    if rows:
        conn.execute(MC.insert(), rows)
    return [r["id"] for r in rows]


def apply_merge(mine: Database, plan_or_path: MergePlan | Path | str, *, user: str | None = None) -> MergeReport:
    """Merge their file into ``mine`` in one transaction and say what changed.

    Given a :class:`MergePlan` (the preview), their rows read for it are used
    and the plan is worked out again against our rows inside the
    transaction, so edits made since the preview are respected; the report
    says what was actually done. Any failure rolls everything back."""
    if isinstance(plan_or_path, MergePlan):
        if plan_or_path.target.resolve() != mine.path.resolve():
            raise InputError(f"this merge preview was made for {plan_or_path.target}, not {mine.path}")
        theirs = plan_or_path.theirs
    else:
        theirs = read_untrusted(plan_or_path)
    user = user or current_user()
    with mine.repo.write_connection() as (conn, touched):
        plan = plan_against(conn, mine, theirs)
        for name in TABLES:
            _write(conn, name, plan.tables[name], touched)
        conflict_ids = _record_conflicts(conn, plan, user)
        if conflict_ids:
            touched.tables.add("merge_conflict")
        settled = EntityLife(mine.repo).reconcile(_entities_referred(plan), now())
    counts = plan.counts
    return MergeReport(
        source=theirs.source,
        counts=counts,
        conflict_ids=conflict_ids,
        document_ids=plan.affected_documents(),
        labels_changed=counts["label"].changes() > 0,
        entities_changed=counts["entity"].changes() > 0 or bool(settled),
    )


_ENTITY_COLUMNS = {"entity": "id", "annotation": "entity_id", "claim": "source_entity_id", "claim_subject": "entity_id"}


def _entities_referred(plan: MergePlan) -> set[uuid.UUID]:
    """Every entity the merge wrote, or whose references it wrote (either
    version): the ones whose life it may have changed (:mod:`annotator.core.entity_life`)."""
    ids = {row[column] for name, column in _ENTITY_COLUMNS.items() for row in plan.tables[name].versions()}
    ids.discard(None)
    return ids


__all__ = [
    "Conflict",
    "ConflictDraft",
    "MergePlan",
    "MergeReport",
    "TableCounts",
    "TablePlan",
    "apply_merge",
    "conflicts",
    "get_conflict",
    "label_key",
    "plan_merge",
    "report_lines",
    "resolve_conflict",
    "reverse_conflict",
    "version_json",
]
