"""Working out a merge: their rows matched against ours, table by table,
into a :class:`~.merge_plan.MergePlan` (in our ids). Rows match by UUID,
except documents (by the SHA-256 of their text), labels (by name and kind)
and claims (by their annotation); see :mod:`annotator.store.merge`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

from sqlalchemy import Connection, String, Uuid, select, type_coerce

from .database import Database
from .merge_conflicts import MC
from .merge_plan import ConflictDraft, MergePlan, TablePlan
from .merge_versions import TABLES, body, canonical, label_key, table_of, winner
from .sqlite.untrusted import TheirRows, uuid_from_hex
from .tables import DOCUMENT_COLUMNS

_ID_NAMESPACE = uuid.UUID("5d0b7a8e-4f5c-4c1e-9a63-2f0c1a9b7e41")
"""For an id needed when theirs is already taken by an unrelated row of ours (uuid5)."""


class Planner:
    """Matches their rows to ours, table by table in :data:`~.merge_versions.TABLES` order
    (references point backwards), and collects the plan of each table."""

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
        if table in DOCUMENT_COLUMNS:
            return row[DOCUMENT_COLUMNS[table]]
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
        side = winner(table, ours, theirs)
        kept, other = (ours, theirs) if side == "ours" else (theirs, ours)
        if table == "document":
            kept = {**kept, "text": ours["text"]}
        if side == "theirs":
            (tp.deleted if theirs["deleted"] and not ours["deleted"] else tp.updated).append((ours, kept))
        key = (table, ours["id"], canonical(table, other)) if body(table, ours) != body(table, theirs) else None
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
        rejections = [
            {**r, "document_id": self.doc_map[r["document_id"]], "label_id": self.label_map[r["label_id"]]}
            for r in theirs["rejected_suggestion"]
        ]
        self._by_id("rejected_suggestion", rejections)

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


def read_ours(conn: Connection) -> dict[str, list[dict]]:
    """Every row of our data tables. UUID columns are read as their stored
    hex and converted here (with a memo for references, which repeat): the
    per-value type processing would double the time of a large merge."""
    out = {}
    for name in TABLES:
        table = table_of(name)
        cols = [type_coerce(c, String) if isinstance(c.type, Uuid) else c for c in table.columns]
        convert = []
        for c in table.columns:
            if not isinstance(c.type, Uuid):
                convert.append(None)
            elif c.name == "id":
                convert.append(uuid_from_hex)
            else:
                convert.append(memo_uuid())
        keys = [c.name for c in table.columns]
        rows = []
        for raw in conn.execute(select(*cols)):
            values = [v if f is None or v is None else f(v) for f, v in zip(convert, raw, strict=True)]
            rows.append(dict(zip(keys, values, strict=True)))
        out[name] = rows
    return out


def memo_uuid():
    seen: dict[str, uuid.UUID] = {}

    def convert(h: str) -> uuid.UUID:
        got = seen.get(h)
        if got is None:
            got = seen[h] = uuid_from_hex(h)
        return got

    return convert


def seen_conflicts(conn: Connection) -> set[tuple[str, uuid.UUID, str]]:
    seen = set()
    for table, row_id, other in conn.execute(select(MC.c.table_name, MC.c.row_id, MC.c.other)):
        seen.add((table, row_id, json.dumps(other, sort_keys=True, ensure_ascii=False)))
    return seen


def plan_against(conn: Connection, mine: Database, theirs: TheirRows) -> MergePlan:
    """The plan of merging ``theirs`` into ``mine``, our rows read on ``conn``
    (inside the merge's own transaction when it is applied)."""
    planner = Planner(read_ours(conn), seen_conflicts(conn))
    planner.plan(theirs.rows)
    return MergePlan(theirs.source, mine.path, planner.tables, planner.doc_map, planner.label_map, theirs, planner.ann_doc)
