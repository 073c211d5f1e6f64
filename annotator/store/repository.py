"""The :class:`~annotator.core.ports.Repository` over SQLAlchemy Core.

Rows are read and written with Core statements on the sqlmodel tables and
mapped to the core's dataclasses by hand: fast for 10,000-row documents and
free of ORM identity-map surprises across threads.
"""

from __future__ import annotations

import itertools
import json
import operator
import threading
import typing
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime
from enum import Enum

from sqlalchemy import Connection, Engine, String, bindparam, case, cast, func, select, type_coerce, update
from sqlalchemy.exc import DBAPIError

from ..core.errors import NotFound, StoreError
from ..core.model import (
    Annotation,
    AnnotationExtra,
    Claim,
    ClaimLink,
    ClaimSubject,
    Direction,
    Document,
    DocumentSummary,
    Entity,
    Label,
    LabelKind,
    SpanDetails,
    SpanRow,
    SpanTable,
)
from .tables import AnnotationExtraRow, AnnotationRow, ClaimLinkRow, ClaimRow, ClaimSubjectRow, DocumentRow, EntityRow, LabelRow

D = DocumentRow.__table__
L = LabelRow.__table__
E = EntityRow.__table__
A = AnnotationRow.__table__
C = ClaimRow.__table__
CS = ClaimSubjectRow.__table__
CL = ClaimLinkRow.__table__
AX = AnnotationExtraRow.__table__

_BATCH = 2000


def _names(cls) -> list[str]:
    return [f.name for f in fields(cls)]


_DOC_FIELDS = _names(Document)
_LABEL_FIELDS = _names(Label)
_ENTITY_FIELDS = _names(Entity)
_ANN_FIELDS = _names(Annotation)
_CLAIM_FIELDS = _names(Claim)
_SUBJECT_FIELDS = _names(ClaimSubject)
_LINK_FIELDS = _names(ClaimLink)
_EXTRA_FIELDS = _names(AnnotationExtra)


def _doc(row) -> Document:
    m = row._mapping
    d = {k: m[k] for k in _DOC_FIELDS}
    d["direction"] = Direction(d["direction"])
    return Document(**d)


def _label(row) -> Label:
    m = row._mapping
    d = {k: m[k] for k in _LABEL_FIELDS}
    d["kind"] = LabelKind(d["kind"])
    return Label(**d)


def _entity(row) -> Entity:
    m = row._mapping
    d = {k: m[k] for k in _ENTITY_FIELDS}
    d["kind"] = LabelKind(d["kind"])
    d["aliases"] = list(d["aliases"] or [])
    return Entity(**d)


def _annotation(row) -> Annotation:
    m = row._mapping
    return Annotation(**{k: m[k] for k in _ANN_FIELDS})


def _claim(row) -> Claim:
    m = row._mapping
    return Claim(**{k: m[k] for k in _CLAIM_FIELDS})


def _subject(row) -> ClaimSubject:
    m = row._mapping
    return ClaimSubject(**{k: m[k] for k in _SUBJECT_FIELDS})


def _link(row) -> ClaimLink:
    m = row._mapping
    return ClaimLink(**{k: m[k] for k in _LINK_FIELDS})


def _extra(row) -> AnnotationExtra:
    m = row._mapping
    d = {k: m[k] for k in _EXTRA_FIELDS}
    d["value"] = dict(d["value"] or {})
    return AnnotationExtra(**d)


_DOCUMENT_SPANS = select(
    func.count(),
    func.aggregate_strings(cast(A.c.id, String), " "),
    func.aggregate_strings(cast(A.c.label_id, String), " "),
    func.aggregate_strings(cast(A.c.start, String), " "),
    func.aggregate_strings(cast(A.c.end, String), " "),
    # JSON never holds a raw U+001E
    func.aggregate_strings(case((A.c.fragments.is_not(None), cast(A.c.id, String) + ":" + cast(A.c.fragments, String))), "\x1e"),
).where(
    A.c.document_id == bindparam("doc", type_=A.c.document_id.type), A.c.deleted.is_(False),
    A.c.start >= bindparam("lo"), A.c.start < bindparam("hi"),
)
_NO_END = 2**62  # beyond any offset
SPAN_PART_MIN = 100_000  # document_span_parts: code points of text per part, at least
_LAST_START = select(func.max(A.c.start)).where(A.c.document_id == bindparam("doc", type_=A.c.document_id.type))
_ID_TEXT = type_coerce(A.c.id, String)
# Built once: a view asks for a few dozen rows at a time as it shows them.
_SPAN_DETAILS = (
    select(_ID_TEXT, A.c.exact, type_coerce(A.c.entity_id, String), A.c.creator, A.c.note, C.c.reliability, C.c.credibility)
    .select_from(A.outerjoin(C, C.c.annotation_id == A.c.id))
    .where(_ID_TEXT.in_(bindparam("ids", expanding=True)))
)


def _to_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _values(obj) -> dict:
    """The row's column values. A shallow read, not ``dataclasses.asdict``:
    the values go straight to the database (lists and dicts as JSON), so the
    deep copy ``asdict`` makes is not needed, and it was most of the time of
    a large import."""
    names = _FIELD_NAMES.get(type(obj))
    if names is None:
        names = _FIELD_NAMES[type(obj)] = tuple(f.name for f in fields(obj))
    d = {k: getattr(obj, k) for k in names}
    for k, v in d.items():
        if isinstance(v, (Direction, LabelKind)):
            d[k] = v.value
    return d


class _InsertPlan:
    """How rows of one dataclass go into one table on one dialect, in bulk.

    The statement is SQLAlchemy's own ``insert()`` compiled for the dialect
    (portable: SQLAlchemy writes the SQL and its placeholders), run as one
    DBAPI ``executemany`` through :meth:`Connection.exec_driver_sql`. Bind
    values are made here with each column type's own bind processor (the
    one SQLAlchemy would apply), column by column: a column whose values
    repeat (the document, the label, a batch's shared timestamps, the
    tombstone flag) has each distinct value processed once, not once per row
    — that per-value processing was most of the time of a 10,000-row insert.
    Distinct means the same object, or, for UUIDs, times and flags (whose
    equal values are stored alike), an equal value; every row's own empty
    JSON list is one value too.
    """

    __slots__ = ("convert", "getter", "names", "positional", "sql")

    def __init__(self, table, cls, dialect):
        field_names = tuple(f.name for f in fields(cls))
        compiled = table.insert().compile(dialect=dialect, column_keys=list(field_names))
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        order = tuple(compiled.positiontup) if self.positional else field_names
        if set(order) != set(field_names):
            raise RuntimeError(f"cannot insert {cls.__name__} rows into {table.name}: the columns do not match its fields")
        self.names = order
        self.getter = operator.attrgetter(*order)
        hints = typing.get_type_hints(cls)
        self.convert = []  # (position, processor, each value | per object | per equal value)
        for i, name in enumerate(order):
            col = table.c[name]
            proc = col.type.dialect_impl(dialect).bind_processor(dialect)
            hint = hints.get(name)
            if any(isinstance(t, type) and issubclass(t, Enum) for t in (hint, *typing.get_args(hint))):
                proc = _enum_value if proc is None else (lambda v, p=proc: p(_enum_value(v)))
            if proc is not None:
                try:
                    by_value = col.type.python_type in (uuid.UUID, datetime, bool)
                except NotImplementedError:
                    by_value = False
                self.convert.append((i, proc, _EACH if col.primary_key else _BY_VALUE if by_value else _BY_OBJECT))

    def rows(self, objs: Sequence) -> list:
        cols = list(zip(*map(self.getter, objs))) if len(self.names) > 1 else [[self.getter(o) for o in objs]]
        for i, proc, how in self.convert:
            if how == _EACH:  # the primary key: every value differs
                cols[i] = list(map(proc, cols[i]))
                continue
            # Few distinct values: the document's and labels' ids, shared
            # times, flags, None. Found by object identity first (the rows of
            # a batch share those objects; hashing a UUID is Python code, a
            # JSON list cannot be hashed), each object kept alive by the
            # column while its id is in use.
            first = cols[i][0]
            if all(map(operator.is_, cols[i], itertools.repeat(first))):  # one object in every row
                cols[i] = [proc(first)] * len(cols[i])
                continue
            keys = list(map(id, cols[i]))
            objects = dict(zip(keys, cols[i]))
            if how == _BY_VALUE and len(objects) > 1:  # equal times parsed one by one: processed once
                done = {v: proc(v) for v in set(objects.values())}
                memo = {k: done[v] for k, v in objects.items()}
            elif len(objects) > 1:  # (every row's own empty list of aliases: one "[]")
                empty: dict = {}
                memo = {
                    k: (empty[type(v)] if type(v) in empty else empty.setdefault(type(v), proc(v)))
                    if (type(v) is list or type(v) is dict) and not v else proc(v)
                    for k, v in objects.items()
                }
            else:
                memo = {k: proc(v) for k, v in objects.items()}
            cols[i] = list(map(memo.__getitem__, keys))
        rows = list(zip(*cols))
        return rows if self.positional else [dict(zip(self.names, r)) for r in rows]


_EACH, _BY_OBJECT, _BY_VALUE = range(3)


def _enum_value(v):
    return v.value if isinstance(v, Enum) else v


_PLANS: dict[tuple, _InsertPlan] = {}
_IN_CHUNK = 500


class _IdLookup:
    """Which of a chunk of ids a table holds (:meth:`SqlRepository._existing`):
    SQLAlchemy's ``select(id).where(id.in_(…))`` with :data:`_IN_CHUNK`
    placeholders, compiled once for the dialect and run through
    :meth:`Connection.exec_driver_sql` (a short chunk repeats its last id),
    the ids bound and read with the column type's own processors. An
    expanding IN renders its list and processes each id anew on every run:
    most of the time of checking an import's 10,000 ids."""

    __slots__ = ("bind", "names", "read", "sql")

    def __init__(self, table, dialect):
        col = table.c.id
        places = [bindparam(f"id{k}", type_=col.type) for k in range(_IN_CHUNK)]
        compiled = select(col).where(col.in_(places)).compile(dialect=dialect)
        self.sql = compiled.string
        self.names = None if compiled.positional else [f"id{k}" for k in range(_IN_CHUNK)]
        impl = col.type.dialect_impl(dialect)
        self.bind = impl.bind_processor(dialect)
        self.read = impl.result_processor(dialect, None)

    def run(self, conn: Connection, ids: list) -> list:
        ids = ids + ids[-1:] * (_IN_CHUNK - len(ids))
        values = list(map(self.bind, ids)) if self.bind else ids
        params = tuple(values) if self.names is None else dict(zip(self.names, values))
        found = [row[0] for row in conn.exec_driver_sql(self.sql, params)]
        return list(map(self.read, found)) if self.read else found


_EXISTING: dict[tuple, _IdLookup] = {}


class SqlRepository:
    """One per open database; safe to share between threads (one connection
    per transaction, and each thread has its own transaction state)."""

    def __init__(self, engine: Engine, describe: Callable[[Exception], str] = str):
        """``describe``: the one line a database error becomes (naming the
        file, saying what to do); every SQLAlchemy error leaves the store as
        a :class:`~annotator.core.errors.StoreError` carrying it."""
        self.engine = engine
        self._describe = describe
        self._local = threading.local()

    # --- transactions ----------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if getattr(self._local, "conn", None) is not None:
            yield  # nested: part of the enclosing transaction
            return
        try:
            with self.engine.begin() as conn:
                self._local.conn = conn
                try:
                    yield
                finally:
                    self._local.conn = None
        except DBAPIError as exc:  # locked past the busy timeout, disk full, read-only file…
            raise StoreError(self._describe(exc)) from exc

    @contextmanager
    def _conn(self) -> Iterator[Connection]:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            yield conn
            return
        try:
            with self.engine.connect() as conn:
                # Reads only (writes need a transaction): no write lock is taken,
                # so a colleague's long import in another process never stalls them.
                conn.execution_options(annotator_reads_only=True)
                yield conn
                conn.rollback()
        except DBAPIError as exc:
            raise StoreError(self._describe(exc)) from exc

    def _write(self, stmt, params=None) -> None:
        with self._conn() as conn:
            if getattr(self._local, "conn", None) is None:
                raise RuntimeError("write outside a transaction")
            conn.execute(stmt, params) if params is not None else conn.execute(stmt)

    def _insert_many(self, table, objs: Sequence) -> None:
        """Insert dataclass rows (all of one class) in one executemany (see :class:`_InsertPlan`)."""
        if not objs:
            return
        with self._conn() as conn:
            if getattr(self._local, "conn", None) is None:
                raise RuntimeError("write outside a transaction")
            key = (table, type(objs[0]), conn.dialect.name, conn.dialect.paramstyle)
            plan = _PLANS.get(key)
            if plan is None:
                plan = _PLANS[key] = _InsertPlan(table, type(objs[0]), conn.dialect)
            conn.exec_driver_sql(plan.sql, plan.rows(objs))

    def _update(self, table, obj) -> None:
        values = _values(obj)
        self._write(update(table).where(table.c.id == obj.id).values(**values))

    def _put(self, table, obj) -> None:
        """Insert ``obj``, or update the row with its id."""
        with self._conn() as conn:
            exists = conn.execute(select(table.c.id).where(table.c.id == obj.id)).first() is not None
        if exists:
            self._update(table, obj)
        else:
            self._write(table.insert().values(**_values(obj)))

    # --- documents ---------------------------------------------------------------

    def add_document(self, doc: Document) -> None:
        self._write(D.insert().values(**_values(doc)))

    def get_document(self, doc_id: uuid.UUID) -> Document:
        with self._conn() as conn:
            row = conn.execute(select(D).where(D.c.id == doc_id, D.c.deleted.is_(False))).first()
        if row is None:
            raise NotFound(f"no document {doc_id}")
        return _doc(row)

    def document_by_sha256(self, sha: str) -> Document | None:
        with self._conn() as conn:
            row = conn.execute(select(D).where(D.c.sha256 == sha)).first()
        return _doc(row) if row is not None else None

    def update_document(self, doc: Document) -> None:
        """Write the document's metadata. Its canonical text and SHA-256 are
        never written again: offsets count into that text, so it is immutable
        after import (and a 1 MB text is not rewritten for a title change)."""
        values = _values(doc)
        del values["text"], values["sha256"]
        self._write(update(D).where(D.c.id == doc.id).values(**values))

    def document_ids(self) -> list[uuid.UUID]:
        with self._conn() as conn:
            return list(conn.execute(select(D.c.id).where(D.c.deleted.is_(False))).scalars())

    def document_summaries(self) -> list[DocumentSummary]:
        with self._conn() as conn:
            docs = conn.execute(
                select(D.c.id, D.c.title, D.c.source, D.c.published, D.c.direction, func.length(D.c.text).label("length"))
                .where(D.c.deleted.is_(False))
                .order_by(D.c.created)
            ).all()
            counts = conn.execute(
                select(A.c.document_id, L.c.kind, func.count())
                .join(L, L.c.id == A.c.label_id)
                .where(A.c.deleted.is_(False))
                .group_by(A.c.document_id, L.c.kind)
            ).all()
        per_doc: dict[uuid.UUID, dict[str, int]] = {}
        for doc_id, kind, n in counts:
            per_doc.setdefault(doc_id, {})[kind] = n
        return [
            DocumentSummary(
                id=r.id,
                title=r.title,
                source=r.source,
                published=r.published,
                length=r.length,
                direction=Direction(r.direction),
                counts={k.value: per_doc.get(r.id, {}).get(k.value, 0) for k in LabelKind},
            )
            for r in docs
        ]

    # --- labels --------------------------------------------------------------------

    def labels(self, include_deleted: bool = False) -> list[Label]:
        stmt = select(L).order_by(L.c.position, L.c.name)
        if not include_deleted:
            stmt = stmt.where(L.c.deleted.is_(False))
        with self._conn() as conn:
            return [_label(r) for r in conn.execute(stmt)]

    def add_label(self, label: Label) -> None:
        self._write(L.insert().values(**_values(label)))

    def add_labels(self, labels: Iterable[Label]) -> None:
        """Insert new labels in one executemany (an import's new labels, before their annotations)."""
        self._insert_many(L, list(labels))

    # --- entities ---------------------------------------------------------------------

    def add_entity(self, entity: Entity) -> None:
        self._write(E.insert().values(**_values(entity)))

    def add_entities(self, entities: Iterable[Entity]) -> None:
        """Insert new entities in one executemany (an import's new entities, before their mentions)."""
        self._insert_many(E, list(entities))

    def get_entity(self, entity_id: uuid.UUID) -> Entity:
        with self._conn() as conn:
            row = conn.execute(select(E).where(E.c.id == entity_id)).first()
        if row is None:
            raise NotFound(f"no entity {entity_id}")
        return _entity(row)

    def update_entity(self, entity: Entity) -> None:
        self._update(E, entity)

    def entities(self, kind: LabelKind | None = None) -> list[Entity]:
        stmt = select(E).where(E.c.deleted.is_(False)).order_by(E.c.name)
        if kind is not None:
            stmt = stmt.where(E.c.kind == kind.value)
        with self._conn() as conn:
            return [_entity(r) for r in conn.execute(stmt)]

    def entity_names(self) -> Iterator[tuple[uuid.UUID, LabelKind, list[str]]]:
        """Live entities' ids, kinds and names, aliases read as JSON text and
        decoded only when there are any (50,000 entities: ~10x faster than
        reading the rows)."""
        stmt = (
            select(type_coerce(E.c.id, String), E.c.kind, E.c.name, type_coerce(E.c.aliases, String))
            .where(E.c.deleted.is_(False))
            .order_by(E.c.name)
        )
        kinds = {k.value: k for k in LabelKind}
        with self._conn() as conn:
            rows = conn.execute(stmt).all()
        for hex_id, kind, name, aliases in rows:
            more = json.loads(aliases) if aliases and aliases != "[]" else []
            yield uuid.UUID(hex_id), kinds[kind], [name, *more]

    def existing_entity_ids(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Those of ``ids`` stored as entities (tombstoned ones included)."""
        return self._existing(E, ids)

    def entity_mention_counts(self) -> dict[uuid.UUID, int]:
        """Live annotations per entity, over all live documents (entities without any are absent)."""
        stmt = (
            select(A.c.entity_id, func.count())
            .join(D, D.c.id == A.c.document_id)
            .where(A.c.entity_id.is_not(None), A.c.deleted.is_(False), D.c.deleted.is_(False))
            .group_by(A.c.entity_id)
        )
        with self._conn() as conn:
            return {entity_id: n for entity_id, n in conn.execute(stmt)}

    def annotations_for_entity(self, entity_id: uuid.UUID, include_deleted: bool = False) -> list[Annotation]:
        """The entity's mentions, by document (oldest first) then position;
        with ``include_deleted``, every row that refers to it."""
        stmt = (
            select(A)
            .join(D, D.c.id == A.c.document_id)
            .where(A.c.entity_id == entity_id)
            .order_by(D.c.created, D.c.id, A.c.start, A.c.end)
        )
        if not include_deleted:
            stmt = stmt.where(A.c.deleted.is_(False), D.c.deleted.is_(False))
        with self._conn() as conn:
            return [_annotation(r) for r in conn.execute(stmt)]

    # --- annotations ------------------------------------------------------------------

    def add_annotations(self, annotations: Iterable[Annotation]) -> None:
        self._insert_many(A, list(annotations))

    def annotation_spans(self, doc_id: uuid.UUID) -> list[SpanRow]:
        """Live annotations of a document as light rows, in text order.

        The UUID columns are read as text and converted here with a memo:
        labels and entities repeat, and skipping the per-value type
        processing makes a 10,000-row document load several times faster.
        """
        cols = [type_coerce(A.c.id, String), type_coerce(A.c.label_id, String), A.c.start, A.c.end, A.c.exact,
                type_coerce(A.c.entity_id, String), A.c.creator, A.c.note]  # fmt: skip
        stmt = select(*cols).where(A.c.document_id == doc_id, A.c.deleted.is_(False)).order_by(A.c.start, A.c.end)
        with self._conn() as conn:
            raw = conn.execute(stmt).all()
        memo: dict = {None: None}

        def shared(value):
            found = memo.get(value)
            if found is None and value is not None:
                found = memo[value] = _to_uuid(value)
            return found

        return [SpanRow(_to_uuid(i), shared(lb), s, e, x, shared(en), c, n) for i, lb, s, e, x, en, c, n in raw]

    def document_spans(self, doc_id: uuid.UUID) -> tuple[SpanTable, dict[uuid.UUID, list[tuple[int, int]]]]:
        """What the reader draws of a document, in one pass over its live
        annotations in text order (by start; spans sharing a start in the
        order they were stored): their spans as columns (see
        :class:`SpanTable`: no row object or UUID per annotation; the quote,
        entity, creator, note and claim grading are read later through
        :meth:`span_details`, for the rows a view shows) and the fragments of
        the discontinuous ones (as :meth:`annotation_fragments`).

        Each column comes as one string (``aggregate_strings``: SQLite's
        ``group_concat``, PostgreSQL's ``string_agg``) split here: building
        a Python row per annotation is most of the cost of reading 10,000."""
        with self._conn() as conn:
            return self._span_columns(conn, doc_id, 0, _NO_END)

    def document_span_parts(
        self, doc_id: uuid.UUID, parts: int = 2, reading: Callable[[], None] | None = None
    ) -> Iterator[tuple[SpanTable, dict[uuid.UUID, list[tuple[int, int]]]]]:
        """:meth:`document_spans` in ``parts`` pieces by position, first to
        last, read in one transaction (one snapshot): a reader can draw a
        piece while the next is read (SQLite aggregates without holding the
        GIL). Joined with :meth:`SpanTable.extend` they make the whole.
        ``reading()`` is called just before the first piece is aggregated."""
        with self._conn() as conn:
            bounds = []
            if parts > 1:
                last = conn.execute(_LAST_START, {"doc": doc_id}).scalar() or 0
                parts = min(parts, 1 + last // SPAN_PART_MIN)  # a short document: no point
                bounds = [last * k // parts for k in range(1, parts)]
            for lo, hi in zip([0, *bounds], [*bounds, _NO_END]):
                if reading is not None and lo == 0:
                    reading()
                yield self._span_columns(conn, doc_id, lo, hi)

    def _span_columns(self, conn: Connection, doc_id: uuid.UUID, lo: int, hi: int):
        n, ids, labels, starts, ends, frags = conn.execute(_DOCUMENT_SPANS, {"doc": doc_id, "lo": lo, "hi": hi}).one()
        if not n:
            return SpanTable(load=self.span_details), {}
        ids, labels = ids.split(" "), labels.split(" ")
        starts, ends = list(map(int, starts.split(" "))), list(map(int, ends.split(" ")))
        if not len(ids) == len(labels) == len(starts) == len(ends) == n:
            raise RuntimeError("document_spans: the columns read do not line up")
        if starts != sorted(starts):  # rows come in the index's order; if not, sort them
            order = sorted(range(n), key=starts.__getitem__)
            ids, labels, starts, ends = ([col[i] for i in order] for col in (ids, labels, starts, ends))
        if len(ids[0]) != 32 or "-" in ids[0]:  # a backend that spells UUIDs otherwise
            ids = [uuid.UUID(i).hex for i in ids]
        distinct = list(dict.fromkeys(labels))  # the few labels used, each row's as a small number
        number = {h: i for i, h in enumerate(distinct)}
        label_numbers = list(map(number.__getitem__, labels))
        used = [_to_uuid(h) for h in distinct]
        table = SpanTable(ids, list(map(used.__getitem__, label_numbers)), starts, ends, load=self.span_details)
        table.labels_used = (used, label_numbers)
        fragments = {}
        for item in frags.split("\x1e") if frags else ():
            ann_id, _, f = item.partition(":")
            pieces = json.loads(f)
            if pieces:
                fragments[uuid.UUID(ann_id)] = [(int(s), int(e)) for s, e in pieces]
        return table, fragments

    def span_details(self, ids: Sequence[str]) -> dict[str, SpanDetails]:
        """The part of annotations a list shows, by id (32 hex digits, as in
        :class:`SpanTable`): ``(exact, entity id, creator, note, grading)``,
        the grading ``(reliability, credibility)`` of a claim's details (None
        without them)."""
        found: dict[str, SpanDetails] = {}
        memo: dict = {None: None}
        with self._conn() as conn:
            for i in range(0, len(ids), 500):
                for h, exact, entity, creator, note, rel, cred in conn.execute(_SPAN_DETAILS, {"ids": list(ids[i : i + 500])}):
                    if len(h) != 32 or "-" in h:
                        h = uuid.UUID(h).hex
                    ent = memo.get(entity)
                    if ent is None and entity is not None:
                        ent = memo[entity] = _to_uuid(entity)
                    found[h] = (exact, ent, creator, note, None if rel is None else (rel, cred))
        return found

    def get_annotation(self, ann_id: uuid.UUID) -> Annotation:
        with self._conn() as conn:
            row = conn.execute(select(A).where(A.c.id == ann_id)).first()
        if row is None:
            raise NotFound(f"no annotation {ann_id}")
        return _annotation(row)

    def existing_annotation_ids(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        return self._existing(A, ids)

    def _existing(self, table, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        wanted = list(ids)
        found: set[uuid.UUID] = set()
        if not wanted:
            return found
        with self._conn() as conn:
            key = (table, conn.dialect.name, conn.dialect.paramstyle)
            lookup = _EXISTING.get(key)
            if lookup is None:
                lookup = _EXISTING[key] = _IdLookup(table, conn.dialect)
            for i in range(0, len(wanted), _IN_CHUNK):
                found.update(lookup.run(conn, wanted[i : i + _IN_CHUNK]))
        return found

    def update_annotation(self, ann: Annotation) -> None:
        self._update(A, ann)

    def annotations(self, doc_id: uuid.UUID, include_deleted: bool = False) -> Iterator[Annotation]:
        stmt = select(A).where(A.c.document_id == doc_id).order_by(A.c.start, A.c.end)
        if not include_deleted:
            stmt = stmt.where(A.c.deleted.is_(False))
        with self._conn() as conn:
            rows = conn.execute(stmt).all()
        return iter([_annotation(r) for r in rows])

    def stream_annotations(self, doc_id: uuid.UUID) -> Iterator[Annotation]:
        """The live ones of :meth:`annotations`, in its order, fetched a batch at a time as the loop goes."""
        stmt = select(A).where(A.c.document_id == doc_id).order_by(A.c.start, A.c.end).where(A.c.deleted.is_(False))
        with self._conn() as conn:
            result = conn.execute(stmt)
            while rows := result.fetchmany(1000):
                yield from map(_annotation, rows)

    # --- claims ---------------------------------------------------------------------------

    def claim_for(self, ann_id: uuid.UUID) -> Claim | None:
        with self._conn() as conn:
            row = conn.execute(select(C).where(C.c.annotation_id == ann_id)).first()
        return _claim(row) if row is not None else None

    def claims_for_document(self, doc_id: uuid.UUID) -> dict[uuid.UUID, Claim]:
        stmt = select(C).join(A, A.c.id == C.c.annotation_id).where(A.c.document_id == doc_id)
        with self._conn() as conn:
            return {r.annotation_id: _claim(r) for r in conn.execute(stmt)}

    def put_claim(self, claim: Claim) -> None:
        self._put(C, claim)

    def existing_claim_ids(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        return self._existing(C, ids)

    def claims_by_source(self, entity_id: uuid.UUID) -> list[Claim]:
        with self._conn() as conn:
            return [_claim(r) for r in conn.execute(select(C).where(C.c.source_entity_id == entity_id))]

    # --- claim subjects and links ---------------------------------------------------------

    def claim_subjects(self, ann_id: uuid.UUID, include_deleted: bool = False) -> list[ClaimSubject]:
        """What the claim is about, in the order the subjects were added."""
        stmt = select(CS).where(CS.c.claim_annotation_id == ann_id).order_by(CS.c.created, CS.c.id)
        if not include_deleted:
            stmt = stmt.where(CS.c.deleted.is_(False))
        with self._conn() as conn:
            return [_subject(r) for r in conn.execute(stmt)]

    def subjects_for_entity(self, entity_id: uuid.UUID, include_deleted: bool = False) -> list[ClaimSubject]:
        stmt = select(CS).where(CS.c.entity_id == entity_id).order_by(CS.c.created, CS.c.id)
        if not include_deleted:
            stmt = stmt.where(CS.c.deleted.is_(False))
        with self._conn() as conn:
            return [_subject(r) for r in conn.execute(stmt)]

    def claim_subjects_for_document(self, doc_id: uuid.UUID) -> dict[uuid.UUID, list[ClaimSubject]]:
        """Live subjects of every claim annotation in the document, by annotation."""
        stmt = (
            select(CS)
            .join(A, A.c.id == CS.c.claim_annotation_id)
            .where(A.c.document_id == doc_id, CS.c.deleted.is_(False))
            .order_by(CS.c.created, CS.c.id)
        )
        out: dict[uuid.UUID, list[ClaimSubject]] = {}
        with self._conn() as conn:
            for r in conn.execute(stmt):
                out.setdefault(r.claim_annotation_id, []).append(_subject(r))
        return out

    def put_claim_subject(self, subject: ClaimSubject) -> None:
        self._put(CS, subject)

    def claim_links(self, ann_id: uuid.UUID, include_deleted: bool = False) -> list[ClaimLink]:
        """Links from or to the annotation, oldest first."""
        stmt = (
            select(CL)
            .where((CL.c.from_annotation_id == ann_id) | (CL.c.to_annotation_id == ann_id))
            .order_by(CL.c.created, CL.c.id)
        )
        if not include_deleted:
            stmt = stmt.where(CL.c.deleted.is_(False))
        with self._conn() as conn:
            return [_link(r) for r in conn.execute(stmt)]

    def claim_links_for_document(self, doc_id: uuid.UUID) -> list[ClaimLink]:
        """Live links from the document's annotations (to any document), oldest first."""
        stmt = (
            select(CL)
            .join(A, A.c.id == CL.c.from_annotation_id)
            .where(A.c.document_id == doc_id, CL.c.deleted.is_(False))
            .order_by(CL.c.created, CL.c.id)
        )
        with self._conn() as conn:
            return [_link(r) for r in conn.execute(stmt)]

    def get_claim_link(self, link_id: uuid.UUID) -> ClaimLink:
        with self._conn() as conn:
            row = conn.execute(select(CL).where(CL.c.id == link_id)).first()
        if row is None:
            raise NotFound(f"no claim link {link_id}")
        return _link(row)

    def existing_claim_link_ids(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        return self._existing(CL, ids)

    def put_claim_link(self, link: ClaimLink) -> None:
        self._put(CL, link)

    # --- discontinuous spans and import extras (schema 4) ------------------------------

    def annotation_fragments(self, doc_id: uuid.UUID) -> dict[uuid.UUID, list[tuple[int, int]]]:
        """The fragments of the document's live discontinuous annotations, by
        annotation (plain spans are absent): a small query a view makes
        beside :meth:`annotation_spans` to draw the gaps."""
        stmt = select(A.c.id, A.c.fragments).where(
            A.c.document_id == doc_id, A.c.deleted.is_(False), A.c.fragments.is_not(None)
        )
        with self._conn() as conn:
            return {i: [(int(s), int(e)) for s, e in f] for i, f in conn.execute(stmt) if f}

    def add_annotation_extras(self, extras: Iterable[AnnotationExtra]) -> None:
        rows = [_values(x) for x in extras]
        for i in range(0, len(rows), _BATCH):
            self._write(AX.insert(), rows[i : i + _BATCH])

    def annotation_extras(self, doc_id: uuid.UUID, include_deleted: bool = False) -> list[AnnotationExtra]:
        """Extras of the document's annotations (live ones, unless asked), oldest first."""
        stmt = select(AX).join(A, A.c.id == AX.c.annotation_id).where(A.c.document_id == doc_id)
        if not include_deleted:
            stmt = stmt.where(AX.c.deleted.is_(False), A.c.deleted.is_(False))
        with self._conn() as conn:
            return [_extra(r) for r in conn.execute(stmt.order_by(AX.c.created, AX.c.id))]
