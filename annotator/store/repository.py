"""The :class:`~annotator.core.ports.Repository` over SQLAlchemy Core.

Rows are read and written with Core statements on the sqlmodel tables and
mapped to the core's dataclasses by hand: fast for 10,000-row documents and
free of ORM identity-map surprises across threads.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, String, bindparam, case, cast, func, or_, select, type_coerce, update
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
from . import change_log
from .bulk import existing_ids, insert_many
from .change_log import Changes, Touched
from .repository_bulk import BulkAnnotations
from .repository_corpus import CorpusReads
from .repository_suggestions import SuggestionRows
from .rows import annotation_of, as_uuid, claim_of, column_values, document_of, entity_of, extra_of, label_of, link_of, span_columns, subject_of
from .tables import AnnotationExtraRow, AnnotationRow, ClaimLinkRow, ClaimRow, ClaimSubjectRow, DocumentRow, EntityRow, LabelRow

if TYPE_CHECKING:
    from .search import SearchIndex

D = DocumentRow.__table__
L = LabelRow.__table__
E = EntityRow.__table__
A = AnnotationRow.__table__
C = ClaimRow.__table__
CS = ClaimSubjectRow.__table__
CL = ClaimLinkRow.__table__
AX = AnnotationExtraRow.__table__

_BATCH = 2000


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
)
_ID_TEXT = type_coerce(A.c.id, String)
# Built once: a view asks for a few dozen rows at a time as it shows them.
_SPAN_DETAILS = (
    select(_ID_TEXT, A.c.exact, type_coerce(A.c.entity_id, String), A.c.creator, A.c.note, C.c.reliability, C.c.credibility,
           type_coerce(C.c.source_entity_id, String))  # fmt: skip
    .select_from(A.outerjoin(C, C.c.annotation_id == A.c.id))
    .where(_ID_TEXT.in_(bindparam("ids", expanding=True)))
)


class SqlRepository(CorpusReads, SuggestionRows, BulkAnnotations):
    """One per open database; safe to share between threads (one connection
    per transaction, and each thread has its own transaction state)."""

    def __init__(self, engine: Engine, describe: Callable[[Exception], str] = str, index: SearchIndex | None = None):
        """``describe``: the one line a database error becomes (naming the
        file, saying what to do); every SQLAlchemy error leaves the store as
        a :class:`~annotator.core.errors.StoreError` carrying it."""
        self.engine = engine
        self.origin = uuid.uuid4()  # this writer, in the change log
        self._describe = describe
        self._local = threading.local()
        self.index = index  # the search index, written in each write transaction before it commits

    # --- transactions ----------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if getattr(self._local, "conn", None) is not None:
            yield  # nested: part of the enclosing transaction
            return
        try:
            with self.engine.begin() as conn:
                self._local.conn, self._local.touched = conn, Touched()
                try:
                    yield
                    touched = self._local.touched
                    if touched:  # a read-only transaction leaves no trace
                        if self.index is not None:
                            self.index.refresh(conn, touched.searched)
                        change_log.record(conn, self.origin, touched)
                finally:
                    self._local.conn = self._local.touched = None
        except DBAPIError as exc:  # locked past the busy timeout, disk full, read-only file…
            raise StoreError(self._describe(exc)) from exc

    @contextmanager
    def write_connection(self) -> Iterator[tuple[Connection, Touched]]:
        """A transaction's bare connection, for the store's bulk writers
        (merge, conflict reversal): they say what they wrote in the
        :class:`Touched` given, and the log records it like any other edit."""
        with self.transaction():
            yield self._local.conn, self._local.touched

    def changes_since(self, seq: int) -> Changes:
        """What other writers (another window, the CLI, their merges) committed after ``seq``."""
        with self._conn() as conn:
            return change_log.changes_since(conn, seq, self.origin)

    def change_position(self) -> int:
        """The change log's last number: where :meth:`changes_since` starts."""
        with self._conn() as conn:
            return change_log.latest(conn)

    def read_connection(self) -> AbstractContextManager[Connection]:
        """A connection to read from, for the store's bulk readers (merge
        planning, conflicts): the current transaction's, else one that only
        reads; database errors become :class:`StoreError`."""
        return self._conn()

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

    def _write(self, stmt, params=None, rows: Iterable = ()) -> None:
        """Run a write; ``rows``: the objects (or column dicts) it writes, for the change log."""
        with self._conn() as conn:
            touched = getattr(self._local, "touched", None)
            if touched is None:
                raise RuntimeError("write outside a transaction")
            conn.execute(stmt, params) if params is not None else conn.execute(stmt)
            touched.rows(stmt.table.name, rows)

    def _insert_many(self, table, objs: Sequence) -> None:
        """Insert dataclass rows (all of one class) in one executemany (see :class:`~.bulk.InsertPlan`)."""
        if not objs:
            return
        with self._conn() as conn:
            touched = getattr(self._local, "touched", None)
            if touched is None:
                raise RuntimeError("write outside a transaction")
            insert_many(conn, table, objs)
            touched.rows(table.name, objs, fresh=True)

    def _update(self, table, obj) -> None:
        values = column_values(obj)
        self._write(update(table).where(table.c.id == obj.id).values(**values), rows=(obj,))

    def _put(self, table, obj) -> None:
        """Insert ``obj``, or update the row with its id."""
        with self._conn() as conn:
            exists = conn.execute(select(table.c.id).where(table.c.id == obj.id)).first() is not None
        if exists:
            self._update(table, obj)
        else:
            self._write(table.insert().values(**column_values(obj)), rows=(obj,))

    # --- documents ---------------------------------------------------------------

    def add_document(self, doc: Document) -> None:
        self._write(D.insert().values(**column_values(doc)), rows=(doc,))

    def get_document(self, doc_id: uuid.UUID) -> Document:
        with self._conn() as conn:
            row = conn.execute(select(D).where(D.c.id == doc_id, D.c.deleted.is_(False))).first()
        if row is None:
            raise NotFound(f"no document {doc_id}")
        return document_of(row)

    def document_by_sha256(self, sha: str) -> Document | None:
        with self._conn() as conn:
            row = conn.execute(select(D).where(D.c.sha256 == sha)).first()
        return document_of(row) if row is not None else None

    def update_document(self, doc: Document) -> None:
        """Write the document's metadata. Its canonical text and SHA-256 are
        never written again: offsets count into that text, so it is immutable
        after import (and a 1 MB text is not rewritten for a title change)."""
        values = column_values(doc)
        del values["text"], values["sha256"]
        self._write(update(D).where(D.c.id == doc.id).values(**values), rows=(doc,))

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
            kinds = {r.id: r.kind for r in conn.execute(select(L.c.id, L.c.kind))}
            # By label, from the (label_id, document_id, deleted) index alone: by kind through a join, it sorts every row.
            counts = conn.execute(
                select(A.c.document_id, A.c.label_id, func.count()).where(A.c.deleted.is_(False)).group_by(A.c.label_id, A.c.document_id)
            ).all()
        per_doc: dict[uuid.UUID, dict[str, int]] = {}
        for doc_id, label_id, n in counts:
            kind = kinds.get(label_id)
            if kind is not None:
                mine = per_doc.setdefault(doc_id, {})
                mine[kind] = mine.get(kind, 0) + n
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
            return [label_of(r) for r in conn.execute(stmt)]

    def add_label(self, label: Label) -> None:
        self._write(L.insert().values(**column_values(label)))

    def add_labels(self, labels: Iterable[Label]) -> None:
        """Insert new labels in one executemany (an import's new labels, before their annotations)."""
        self._insert_many(L, list(labels))

    # --- entities ---------------------------------------------------------------------

    def add_entity(self, entity: Entity) -> None:
        self._write(E.insert().values(**column_values(entity)), rows=(entity,))

    def add_entities(self, entities: Iterable[Entity]) -> None:
        """Insert new entities in one executemany (an import's new entities, before their mentions)."""
        self._insert_many(E, list(entities))

    def get_entity(self, entity_id: uuid.UUID) -> Entity:
        with self._conn() as conn:
            row = conn.execute(select(E).where(E.c.id == entity_id)).first()
        if row is None:
            raise NotFound(f"no entity {entity_id}")
        return entity_of(row)

    def update_entity(self, entity: Entity) -> None:
        self._update(E, entity)

    def entities(self, kind: LabelKind | None = None) -> list[Entity]:
        stmt = select(E).where(E.c.deleted.is_(False)).order_by(E.c.name)
        if kind is not None:
            stmt = stmt.where(E.c.kind == kind.value)
        with self._conn() as conn:
            return [entity_of(r) for r in conn.execute(stmt)]

    def entity_names(self, except_creator: str | None = None) -> Iterator[tuple[uuid.UUID, LabelKind, list[str]]]:
        """Live entities' ids, kinds and names (those ``except_creator``
        wrote left out), aliases read as JSON text and decoded only when
        there are any (50,000 entities: ~10x faster than reading the rows)."""
        stmt = (
            select(type_coerce(E.c.id, String), E.c.kind, E.c.name, type_coerce(E.c.aliases, String))
            .where(E.c.deleted.is_(False))
            .order_by(E.c.name)
        )
        if except_creator is not None:
            stmt = stmt.where(E.c.creator != except_creator)
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

    def annotation_ids_by(self, creator: str) -> list[uuid.UUID]:
        """The live annotations ``creator`` wrote, in live documents."""
        stmt = (
            select(A.c.id).join(D, D.c.id == A.c.document_id)
            .where(A.c.creator == creator, A.c.deleted.is_(False), D.c.deleted.is_(False))
            .order_by(A.c.document_id, A.c.start)
        )  # fmt: skip
        with self._conn() as conn:
            return [as_uuid(i) for (i,) in conn.execute(stmt)]

    def entity_in_use(self, entity_id: uuid.UUID) -> bool:
        """Whether a live mention, or a live claim's source or subject, refers
        to the entity (three indexed lookups; see core.entity_life)."""
        live = (A.c.deleted.is_(False), D.c.deleted.is_(False))
        mention = select(A.c.id).join(D, D.c.id == A.c.document_id).where(A.c.entity_id == entity_id, *live)
        source = (
            select(C.c.id).join(A, A.c.id == C.c.annotation_id).join(D, D.c.id == A.c.document_id)
            .where(C.c.source_entity_id == entity_id, C.c.deleted.is_(False), *live)
        )  # fmt: skip
        subject = (
            select(CS.c.id).join(A, A.c.id == CS.c.claim_annotation_id).join(D, D.c.id == A.c.document_id)
            .where(CS.c.entity_id == entity_id, CS.c.deleted.is_(False), *live)
        )  # fmt: skip
        with self._conn() as conn:
            return bool(conn.execute(select(or_(mention.exists(), source.exists(), subject.exists()))).scalar())

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
            return [annotation_of(r) for r in conn.execute(stmt)]

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
                found = memo[value] = as_uuid(value)
            return found

        return [SpanRow(as_uuid(i), shared(lb), s, e, x, shared(en), c, n) for i, lb, s, e, x, en, c, n in raw]

    def document_spans(
        self, doc_id: uuid.UUID, reading: Callable[[], None] | None = None
    ) -> tuple[SpanTable, dict[uuid.UUID, list[tuple[int, int]]]]:
        """What the reader draws of a document, in one pass over its live
        annotations in text order (by start; spans sharing a start in the
        order they were stored): their spans as columns (see
        :class:`SpanTable`: no row object or UUID per annotation; the quote,
        entity, creator, note and claim grading are read later through
        :meth:`span_details`, for the rows a view shows) and the fragments of
        the discontinuous ones (as :meth:`annotation_fragments`).

        Each column comes as one string (``aggregate_strings``: SQLite's
        ``group_concat``, PostgreSQL's ``string_agg``) split here: building
        a Python row per annotation is most of the cost of reading 10,000.
        ``reading()`` is called just before SQLite aggregates them (which it
        does without holding the GIL: the caller's thread may go on)."""
        with self._conn() as conn:
            if reading is not None:
                reading()
            return self._span_columns(conn, doc_id)

    def _span_columns(self, conn: Connection, doc_id: uuid.UUID):
        return span_columns(conn.execute(_DOCUMENT_SPANS, {"doc": doc_id}).one(), self.span_details)

    def span_details(self, ids: Sequence[str]) -> dict[str, SpanDetails]:
        """The part of annotations a list shows, by id (32 hex digits, as in
        :class:`SpanTable`): ``(exact, entity id, creator, note, claim)``,
        the claim ``(reliability, credibility, source entity id)`` of a claim's
        details (None without them)."""
        found: dict[str, SpanDetails] = {}
        memo: dict = {None: None}
        with self._conn() as conn:
            for i in range(0, len(ids), 500):
                for h, exact, entity, creator, note, rel, cred, source in conn.execute(_SPAN_DETAILS, {"ids": list(ids[i : i + 500])}):
                    if len(h) != 32 or "-" in h:
                        h = uuid.UUID(h).hex
                    ent = memo.get(entity)
                    if ent is None and entity is not None:
                        ent = memo[entity] = as_uuid(entity)
                    src = memo.get(source)
                    if src is None and source is not None:
                        src = memo[source] = as_uuid(source)
                    found[h] = (exact, ent, creator, note, None if rel is None else (rel, cred, src))
        return found

    def get_annotation(self, ann_id: uuid.UUID) -> Annotation:
        with self._conn() as conn:
            row = conn.execute(select(A).where(A.c.id == ann_id)).first()
        if row is None:
            raise NotFound(f"no annotation {ann_id}")
        return annotation_of(row)

    def existing_annotation_ids(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        return self._existing(A, ids)

    def _existing(self, table, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        wanted = list(ids)
        if not wanted:
            return set()
        with self._conn() as conn:
            return existing_ids(conn, table, wanted)

    def update_annotation(self, ann: Annotation) -> None:
        self._update(A, ann)

    def annotations(self, doc_id: uuid.UUID, include_deleted: bool = False) -> Iterator[Annotation]:
        stmt = select(A).where(A.c.document_id == doc_id).order_by(A.c.start, A.c.end)
        if not include_deleted:
            stmt = stmt.where(A.c.deleted.is_(False))
        with self._conn() as conn:
            rows = conn.execute(stmt).all()
        return iter([annotation_of(r) for r in rows])

    def stream_annotations(self, doc_id: uuid.UUID) -> Iterator[Annotation]:
        """The live ones of :meth:`annotations`, in its order, fetched a batch at a time as the loop goes."""
        stmt = select(A).where(A.c.document_id == doc_id).order_by(A.c.start, A.c.end).where(A.c.deleted.is_(False))
        with self._conn() as conn:
            result = conn.execute(stmt)
            while rows := result.fetchmany(1000):
                yield from map(annotation_of, rows)

    # --- claims ---------------------------------------------------------------------------

    def claim_for(self, ann_id: uuid.UUID) -> Claim | None:
        with self._conn() as conn:
            row = conn.execute(select(C).where(C.c.annotation_id == ann_id)).first()
        return claim_of(row) if row is not None else None

    def claims_for_document(self, doc_id: uuid.UUID) -> dict[uuid.UUID, Claim]:
        stmt = select(C).join(A, A.c.id == C.c.annotation_id).where(A.c.document_id == doc_id)
        with self._conn() as conn:
            return {r.annotation_id: claim_of(r) for r in conn.execute(stmt)}

    def put_claim(self, claim: Claim) -> None:
        self._put(C, claim)

    def existing_claim_ids(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        return self._existing(C, ids)

    def claims_by_source(self, entity_id: uuid.UUID) -> list[Claim]:
        with self._conn() as conn:
            return [claim_of(r) for r in conn.execute(select(C).where(C.c.source_entity_id == entity_id))]

    # --- claim subjects and links ---------------------------------------------------------

    def claim_subjects(self, ann_id: uuid.UUID, include_deleted: bool = False) -> list[ClaimSubject]:
        """What the claim is about, in the order the subjects were added."""
        stmt = select(CS).where(CS.c.claim_annotation_id == ann_id).order_by(CS.c.created, CS.c.id)
        if not include_deleted:
            stmt = stmt.where(CS.c.deleted.is_(False))
        with self._conn() as conn:
            return [subject_of(r) for r in conn.execute(stmt)]

    def subjects_for_entity(self, entity_id: uuid.UUID, include_deleted: bool = False) -> list[ClaimSubject]:
        stmt = select(CS).where(CS.c.entity_id == entity_id).order_by(CS.c.created, CS.c.id)
        if not include_deleted:
            stmt = stmt.where(CS.c.deleted.is_(False))
        with self._conn() as conn:
            return [subject_of(r) for r in conn.execute(stmt)]

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
                out.setdefault(r.claim_annotation_id, []).append(subject_of(r))
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
            return [link_of(r) for r in conn.execute(stmt)]

    def claim_links_for_document(self, doc_id: uuid.UUID) -> list[ClaimLink]:
        """Live links from the document's annotations (to any document), oldest first."""
        stmt = (
            select(CL)
            .join(A, A.c.id == CL.c.from_annotation_id)
            .where(A.c.document_id == doc_id, CL.c.deleted.is_(False))
            .order_by(CL.c.created, CL.c.id)
        )
        with self._conn() as conn:
            return [link_of(r) for r in conn.execute(stmt)]

    def get_claim_link(self, link_id: uuid.UUID) -> ClaimLink:
        with self._conn() as conn:
            row = conn.execute(select(CL).where(CL.c.id == link_id)).first()
        if row is None:
            raise NotFound(f"no claim link {link_id}")
        return link_of(row)

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
        rows = [column_values(x) for x in extras]
        for i in range(0, len(rows), _BATCH):
            self._write(AX.insert(), rows[i : i + _BATCH], rows=rows[i : i + _BATCH])

    def annotation_extras(self, doc_id: uuid.UUID, include_deleted: bool = False) -> list[AnnotationExtra]:
        """Extras of the document's annotations (live ones, unless asked), oldest first."""
        stmt = select(AX).join(A, A.c.id == AX.c.annotation_id).where(A.c.document_id == doc_id)
        if not include_deleted:
            stmt = stmt.where(AX.c.deleted.is_(False), A.c.deleted.is_(False))
        with self._conn() as conn:
            return [extra_of(r) for r in conn.execute(stmt.order_by(AX.c.created, AX.c.id))]
