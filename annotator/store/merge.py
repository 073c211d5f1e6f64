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
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, String, Uuid, bindparam, select, type_coerce, update
from sqlmodel import SQLModel

from ..core.errors import InputError, NotFound
from ..core.model import now
from ..core.change import Change
from ..core.user import current_user
from .database import Database
from .tables import MergeConflictRow, UTCDateTime
from .sqlite.untrusted import DATA_TABLE_NAMES, TheirRows, read_untrusted, uuid_from_hex

TABLES = DATA_TABLE_NAMES
"""The tables merged, in the order they are written (references point backwards)."""
NATURAL_KEY_TABLES = ("document", "label")
"""Tables whose rows match by content, not UUID (the same row may have two ids)."""
_UNCOMPARED = {"id", "modified", "deleted"}
_UNCOMPARED_NATURAL = _UNCOMPARED | {"creator", "created"}
_ID_NAMESPACE = uuid.UUID("5d0b7a8e-4f5c-4c1e-9a63-2f0c1a9b7e41")
"""For an id needed when theirs is already taken by an unrelated row of ours (uuid5)."""
MC = MergeConflictRow.__table__


def _table(name: str):
    return SQLModel.metadata.tables[name]


def _columns(name: str) -> list[str]:
    return [c.name for c in _table(name).columns]


def label_key(name: str, kind: str) -> tuple[str, str]:
    """How labels match: name ignoring case and spacing, and kind."""
    return " ".join(name.casefold().split()), str(kind)


# --- versions as JSON ------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(getattr(value, "value"), str):  # StrEnum
        return value.value
    return value


def version_json(table: str, row: dict) -> dict:
    """A row as JSON-ready values (a document's text is left out)."""
    return {k: _jsonable(v) for k, v in row.items() if not (table == "document" and k == "text")}


def _canonical(table: str, row: dict) -> str:
    return json.dumps(version_json(table, row), sort_keys=True, ensure_ascii=False)


def _from_json(table: str, data: dict) -> dict:
    """Back from :func:`version_json` to column values (unknown keys dropped)."""

    out = {}
    for column in _table(table).columns:
        if column.name not in data:
            continue
        value = data[column.name]
        if value is not None and isinstance(column.type, Uuid):
            value = uuid.UUID(value)
        elif value is not None and isinstance(column.type, UTCDateTime):
            value = datetime.fromisoformat(value)
        out[column.name] = value
    return out


def _body(table: str, row: dict) -> dict:
    skip = _UNCOMPARED_NATURAL if table in NATURAL_KEY_TABLES else _UNCOMPARED
    return {k: v for k, v in row.items() if k not in skip and not (table == "document" and k == "text")}


def _filled(table: str, row: dict) -> int:
    return sum(1 for v in _body(table, row).values() if v not in (None, "", []))


def _winner(table: str, ours: dict, theirs: dict) -> str:
    """'ours' or 'theirs': which version a merge keeps (a function of the two
    versions only, so both merge directions agree)."""
    if table in NATURAL_KEY_TABLES and ours["deleted"] == theirs["deleted"] and _body(table, ours) == _body(table, theirs):
        if ours["created"] != theirs["created"]:
            return "ours" if ours["created"] < theirs["created"] else "theirs"
        return "ours" if _canonical(table, ours) <= _canonical(table, theirs) else "theirs"
    if ours["modified"] != theirs["modified"]:
        return "ours" if ours["modified"] > theirs["modified"] else "theirs"
    a = (_filled(table, ours), _canonical(table, ours))  # an exact tie in time: rare, so the slow path
    b = (_filled(table, theirs), _canonical(table, theirs))
    return "ours" if a >= b else "theirs"


# --- the plan ------------------------------------------------------------------------------


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
        return _differences(self.table, version_json(self.table, self.kept), version_json(self.table, self.other))


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

    @property
    def counts(self) -> TableCounts:
        return TableCounts(
            len(self.added), len(self.tombstones), len(self.updated), len(self.deleted), len(self.conflicts), self.unchanged
        )


@dataclass
class MergePlan:
    """What merging ``source`` into ``target`` would do (nothing is written).
    Pass it to :func:`apply_merge` to do it."""

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
        return _total(self.counts)

    @property
    def is_noop(self) -> bool:
        return self.total.changes() == 0

    @property
    def conflicts(self) -> list[ConflictDraft]:
        return [c for tp in self.tables.values() for c in tp.conflicts]

    def affected_documents(self) -> list[uuid.UUID]:
        """Our ids of the documents whose text, annotations or claims the merge touches."""
        return _affected(self)

    def lines(self) -> list[str]:
        return report_lines(self.counts)


@dataclass
class MergeReport:
    """What :func:`apply_merge` did."""

    source: Path
    counts: dict[str, TableCounts]
    conflict_ids: list[uuid.UUID]  # the merge_conflict rows recorded
    document_ids: list[uuid.UUID]  # our documents whose rows changed (reload them)
    labels_changed: bool
    entities_changed: bool

    @property
    def total(self) -> TableCounts:
        return _total(self.counts)

    @property
    def is_noop(self) -> bool:
        return self.total.changes() == 0

    def lines(self) -> list[str]:
        return report_lines(self.counts)


def _total(counts: dict[str, TableCounts]) -> TableCounts:
    total = TableCounts()
    for c in counts.values():
        total += c
    return total


def report_lines(counts: dict[str, TableCounts]) -> list[str]:
    """The per-table table the CLI prints (the GUI may show the same)."""
    head = ("TABLE", "ADDED", "UPDATED", "DELETED", "CONFLICTS", "TOMBSTONES", "UNCHANGED")
    rows = [head]
    for name, c in [*counts.items(), ("total", _total(counts))]:
        rows.append((name, *(str(getattr(c, k)) for k in ("added", "updated", "deleted", "conflicts", "tombstones", "unchanged"))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return ["  ".join([r[0].ljust(widths[0]), *(v.rjust(w) for v, w in zip(r[1:], widths[1:], strict=True))]) for r in rows]


class _Planner:
    def __init__(self, ours: dict[str, list[dict]], seen: set[tuple[str, uuid.UUID, str]]):
        self.ours = ours
        self.seen = seen  # (table, row id, canonical other version) of conflicts already recorded
        self.tables = {t: TablePlan(t) for t in TABLES}
        self.doc_map: dict[uuid.UUID, uuid.UUID] = {}
        self.label_map: dict[uuid.UUID, uuid.UUID] = {}
        self.ann_doc: dict[uuid.UUID, uuid.UUID] = {}

    def _doc_of(self, table: str, row: dict) -> uuid.UUID | None:
        if table == "document":
            return row["id"]
        if table == "annotation":
            return row["document_id"]
        for key in ("annotation_id", "claim_annotation_id", "from_annotation_id"):
            if key in row:
                return self.ann_doc.get(row[key])
        return None

    def match(self, table: str, ours: dict, theirs: dict) -> dict:
        """Compare the two versions of one row (theirs already in our ids); returns the version kept."""
        tp = self.tables[table]
        if ours == theirs:
            tp.unchanged += 1
            return ours
        side = _winner(table, ours, theirs)
        kept, other = (ours, theirs) if side == "ours" else (theirs, ours)
        if table == "document":
            kept = {**kept, "text": ours["text"]}
        if side == "theirs":
            (tp.deleted if theirs["deleted"] and not ours["deleted"] else tp.updated).append((ours, kept))
        key = (table, ours["id"], _canonical(table, other)) if _body(table, ours) != _body(table, theirs) else None
        if key is not None and key not in self.seen:
            self.seen.add(key)
            tp.conflicts.append(ConflictDraft(table, ours["id"], kept, other, side, self._doc_of(table, kept)))
        elif side == "ours":
            tp.unchanged += 1  # ours is newer (or their version is already recorded as a conflict)
        return kept

    def add(self, table: str, row: dict) -> None:
        tp = self.tables[table]
        (tp.tombstones if row["deleted"] else tp.added).append(row)

    def plan(self, theirs: dict[str, list[dict]]) -> None:
        self._documents(theirs["document"])
        self._labels(theirs["label"])
        self._by_id("entity", theirs["entity"])
        for a in self.ours["annotation"]:
            self.ann_doc[a["id"]] = a["document_id"]
        mapped = []
        for a in theirs["annotation"]:
            a = {**a, "document_id": self.doc_map[a["document_id"]], "label_id": self.label_map[a["label_id"]]}
            self.ann_doc.setdefault(a["id"], a["document_id"])
            mapped.append(a)
        self._by_id("annotation", mapped)
        self._by_id("annotation_extra", theirs["annotation_extra"])
        self._claims(theirs["claim"])
        self._by_id("claim_subject", theirs["claim_subject"])
        self._by_id("claim_link", theirs["claim_link"])

    def _free_id(self, wanted: uuid.UUID, taken: set[uuid.UUID], seed: str) -> uuid.UUID:
        new = wanted if wanted not in taken else uuid.uuid5(_ID_NAMESPACE, seed)
        taken.add(new)
        return new

    def _documents(self, rows: list[dict]) -> None:
        by_sha = {d["sha256"]: d for d in self.ours["document"]}
        taken = {d["id"] for d in self.ours["document"]}
        for t in rows:
            o = by_sha.get(t["sha256"])
            if o is None:
                row = {**t, "id": self._free_id(t["id"], taken, "document:" + t["sha256"])}
                self.add("document", row)
                by_sha[t["sha256"]] = row
            else:
                by_sha[t["sha256"]] = self.match("document", o, {**t, "id": o["id"]})
            self.doc_map[t["id"]] = by_sha[t["sha256"]]["id"]

    def _labels(self, rows: list[dict]) -> None:
        index: dict[tuple[str, str], dict] = {}
        for o in sorted(self.ours["label"], key=lambda r: (r["deleted"], r["position"], r["name"], str(r["id"]))):
            index.setdefault(label_key(o["name"], o["kind"]), o)
        taken = {r["id"] for r in self.ours["label"]}
        for t in rows:
            key = label_key(t["name"], t["kind"])
            o = index.get(key)
            if o is None:
                row = {**t, "id": self._free_id(t["id"], taken, f"label:{key[1]}:{key[0]}")}
                self.add("label", row)
                index[key] = row
            else:
                index[key] = self.match("label", o, {**t, "id": o["id"]})
            self.label_map[t["id"]] = index[key]["id"]

    def _by_id(self, table: str, rows: Iterable[dict]) -> None:
        ours = {r["id"]: r for r in self.ours[table]}
        for t in rows:
            o = ours.get(t["id"])
            if o is None:
                self.add(table, t)
                ours[t["id"]] = t
            else:
                ours[t["id"]] = self.match(table, o, t)

    def _claims(self, rows: list[dict]) -> None:
        by_ann = {c["annotation_id"]: c for c in self.ours["claim"]}
        taken = {c["id"] for c in self.ours["claim"]}
        for t in rows:
            o = by_ann.get(t["annotation_id"])
            if o is None:
                row = {**t, "id": self._free_id(t["id"], taken, f"claim:{t['annotation_id']}")}
                self.add("claim", row)
                by_ann[t["annotation_id"]] = row
            else:
                by_ann[t["annotation_id"]] = self.match("claim", o, {**t, "id": o["id"]})


def _read_ours(conn: Connection) -> dict[str, list[dict]]:
    """Every row of our data tables. UUID columns are read as their stored
    hex and converted here (with a memo for references, which repeat): the
    per-value type processing would double the time of a large merge."""
    out = {}
    for name in TABLES:
        table = _table(name)
        cols = [type_coerce(c, String) if isinstance(c.type, Uuid) else c for c in table.columns]
        convert = []
        for c in table.columns:
            if not isinstance(c.type, Uuid):
                convert.append(None)
            elif c.name == "id":
                convert.append(uuid_from_hex)
            else:
                convert.append(_memo_uuid())
        keys = [c.name for c in table.columns]
        rows = []
        for raw in conn.execute(select(*cols)):
            values = [v if f is None or v is None else f(v) for f, v in zip(convert, raw, strict=True)]
            rows.append(dict(zip(keys, values, strict=True)))
        out[name] = rows
    return out


def _memo_uuid():
    seen: dict[str, uuid.UUID] = {}

    def convert(h: str) -> uuid.UUID:
        got = seen.get(h)
        if got is None:
            got = seen[h] = uuid_from_hex(h)
        return got

    return convert


def _seen_conflicts(conn: Connection) -> set[tuple[str, uuid.UUID, str]]:
    seen = set()
    for table, row_id, other in conn.execute(select(MC.c.table_name, MC.c.row_id, MC.c.other)):
        seen.add((table, row_id, json.dumps(other, sort_keys=True, ensure_ascii=False)))
    return seen


def _plan(conn: Connection, mine: Database, theirs: TheirRows) -> MergePlan:
    planner = _Planner(_read_ours(conn), _seen_conflicts(conn))
    planner.plan(theirs.rows)
    return MergePlan(theirs.source, mine.path, planner.tables, planner.doc_map, planner.label_map, theirs, planner.ann_doc)


def plan_merge(mine: Database, theirs_path: Path | str) -> MergePlan:
    """What merging the file at ``theirs_path`` into ``mine`` would do. Reads
    and checks their file (raises :class:`StoreError` if it is refused);
    writes nothing anywhere."""
    theirs = read_untrusted(theirs_path)
    with mine.engine.connect() as conn:
        try:
            return _plan(conn, mine, theirs)
        finally:
            conn.rollback()


def _affected(plan: MergePlan) -> list[uuid.UUID]:
    docs: set[uuid.UUID] = set()
    for name in ("document", "annotation"):
        tp = plan.tables[name]
        key = "id" if name == "document" else "document_id"
        for row in tp.added + tp.tombstones:
            docs.add(row[key])
        for before, after in tp.updated + tp.deleted:
            docs.update((before[key], after[key]))
    for name in ("annotation_extra", "claim", "claim_subject", "claim_link"):
        tp = plan.tables[name]
        rows = [r for r in tp.added + tp.tombstones] + [after for _b, after in tp.updated + tp.deleted]
        for row in rows:
            ann = row.get("annotation_id") or row.get("claim_annotation_id") or row.get("from_annotation_id")
            if ann in plan.annotation_documents:
                docs.add(plan.annotation_documents[ann])
    for tp in plan.tables.values():
        docs.update(c.document_id for c in tp.conflicts if c.document_id is not None)
    return sorted(docs, key=str)


def _write(conn: Connection, name: str, tp: TablePlan) -> None:
    table = _table(name)
    inserts = tp.added + tp.tombstones
    if inserts:
        conn.execute(table.insert(), inserts)
    rows = [after for _before, after in tp.updated + tp.deleted]
    if rows:
        cols = [c for c in _columns(name) if c != "id" and not (name == "document" and c in ("text", "sha256"))]
        stmt = (
            update(table)
            .where(table.c.id == bindparam("m_id", type_=table.c.id.type))
            .values({c: bindparam("m_" + c, type_=table.c[c].type) for c in cols})
        )
        conn.execute(stmt, [{"m_id": r["id"], **{"m_" + c: r[c] for c in cols}} for r in rows])


def _record_conflicts(conn: Connection, plan: MergePlan, user: str) -> list[uuid.UUID]:
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
    with mine.engine.begin() as conn:
        plan = _plan(conn, mine, theirs)
        for name in TABLES:
            _write(conn, name, plan.tables[name])
        conflict_ids = _record_conflicts(conn, plan, user)
    counts = plan.counts
    return MergeReport(
        source=theirs.source,
        counts=counts,
        conflict_ids=conflict_ids,
        document_ids=plan.affected_documents(),
        labels_changed=counts["label"].changes() > 0,
        entities_changed=counts["entity"].changes() > 0,
    )


# --- conflicts: review and reverse -----------------------------------------------------------


def _differences(table: str, kept: dict, other: dict) -> list[tuple[str, Any, Any]]:
    out = []
    for column in _columns(table):
        if column in ("id", "modified") or (table == "document" and column == "text"):
            continue
        if kept.get(column) != other.get(column):
            out.append((column, kept.get(column), other.get(column)))
    return out


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
        return _differences(self.table, self.kept, self.other)


def _conflict(r) -> Conflict:
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
    with mine.engine.connect() as conn:
        rows = [_conflict(r) for r in conn.execute(stmt)]
    order = {t: i for i, t in enumerate(TABLES)}
    rows.sort(key=lambda c: (-c.merged_at.timestamp(), order.get(c.table, 99), str(c.row_id)))
    return rows


def get_conflict(mine: Database, conflict_id: uuid.UUID) -> Conflict:
    with mine.engine.connect() as conn:
        row = conn.execute(select(MC).where(MC.c.id == conflict_id)).first()
    if row is None:
        raise NotFound(f"no conflict {conflict_id}")
    return _conflict(row)


def resolve_conflict(mine: Database, conflict_id: uuid.UUID, resolved: bool = True) -> None:
    """Mark a conflict reviewed (or not); the data rows are untouched."""
    get_conflict(mine, conflict_id)
    with mine.engine.begin() as conn:
        conn.execute(update(MC).where(MC.c.id == conflict_id).values(resolved=resolved, modified=now()))


def reverse_conflict(mine: Database, conflict_id: uuid.UUID) -> Change:
    """Swap the kept version of the row with the one set aside.

    The version brought back is written as a new edit (``modified`` = now),
    so the analyst's choice wins later merges and reaches colleagues; its
    creator and every other column are as recorded. The conflict record is
    swapped too (``kept`` is what the table now holds, ``other`` what it
    held, ``swapped`` toggles), so calling this again reverses the reversal
    (the GUI's undo). Returns what to redraw."""
    stamp = now()
    with mine.engine.begin() as conn:
        rec = conn.execute(select(MC).where(MC.c.id == conflict_id)).first()
        if rec is None:
            raise NotFound(f"no conflict {conflict_id}")
        name = rec.table_name
        if name not in TABLES:
            raise InputError(f"conflict {conflict_id}: unknown table {name!r}")
        table = _table(name)
        current = conn.execute(select(*table.columns).where(table.c.id == rec.row_id)).mappings().first()
        if current is None:
            raise NotFound(f"the {name} row {rec.row_id} of this conflict no longer exists")
        current = dict(current)
        restored = _from_json(name, rec.other)
        restored.update(id=current["id"], modified=stamp)
        if name == "document":
            restored.update(text=current["text"], sha256=current["sha256"])
        new = {**current, **restored}
        cols = [c for c in _columns(name) if c != "id"]
        conn.execute(update(table).where(table.c.id == current["id"]).values({c: new[c] for c in cols}))
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
    ann_id = after.get("annotation_id") or after.get("claim_annotation_id") or after.get("from_annotation_id")
    A = _table("annotation")
    ann = conn.execute(select(A.c.id, A.c.document_id, A.c.start, A.c.end).where(A.c.id == ann_id)).first()
    if ann is None:
        return Change()
    return Change(document_id=ann.document_id, updated=[ann.id], spans=[(ann.start, ann.end)])


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
