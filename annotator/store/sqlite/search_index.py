"""The corpus search index in SQLite: FTS5 over the store's own rows.

``search_entry`` holds one row per searchable thing: a paragraph of a
document's text (``text``: ``start``/``stop`` its code points, no copy of
it), a document's details (``meta``), an annotation's quote, note and claim
rationale (``annotation``) and an entity's name, aliases and note
(``entity``); the small ones keep their fields as JSON (``fields``).
``search_fts`` is a contentless FTS5 table over :func:`~annotator.core.search.fold`-ed
text, its rowids those of ``search_entry``: contentless, so a corpus's text
is not stored a second time. Deleting from it takes the folded text that was
indexed, which is rebuilt from the document (immutable) or ``fields``.

The index is written in the transaction that writes the rows
(:func:`refresh`, called by the repository before it commits, with what the
transaction touched), so it is exact through every edit, import, merge and
undo; :func:`rebuild` makes it anew (a migration, a new :data:`FORMAT`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, Text, column, select, table, text, type_coerce

from ...core.intervals import paragraph_starts
from ...core.search import Term, clitic_forms, fold
from ..tables import AnnotationRow, ClaimRow, DocumentRow, EntityRow, SchemaInfo

FORMAT = "1"  # bump when fold() or the entries change: the index is rebuilt on open
FORMAT_KEY = "search_format"
_META = MetaData()
ENTRY = Table(
    "search_entry", _META,
    Column("id", Integer, primary_key=True),
    Column("kind", String, nullable=False),  # text, meta, annotation, entity
    Column("ref", String(32), nullable=False, index=True),  # the row's id (a document's for text and meta)
    Column("document", String(32), index=True),  # the document it belongs to (none for an entity)
    Column("start", Integer, nullable=False),
    Column("stop", Integer, nullable=False),
    Column("fields", Text),  # JSON [[field, value], …]; NULL for text
)  # fmt: skip
FTS_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='', "
    "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* M* Co'\")"
)
_FTS = table("search_fts", column("rowid", Integer))  # FTS drives the join, in rowid order: a LIMIT stops it early
_D, _A, _C, _E = DocumentRow.__table__, AnnotationRow.__table__, ClaimRow.__table__, EntityRow.__table__
_CHUNK = 500
_DOC_FIELDS = ("title", "source", "published", "description", "filename")


def create(conn: Connection) -> None:
    _META.create_all(conn)
    conn.exec_driver_sql(FTS_DDL)


# --- what an entry indexes ---------------------------------------------------------------------


def _body(fields: list[list[str]]) -> str:
    return fold("\n".join(value for _name, value in fields))


def _pairs(*pairs: tuple[str, str]) -> list[list[str]]:
    return [[name, value] for name, value in pairs if value and value.strip()]


# --- writing -------------------------------------------------------------------------------------


class _Writer:
    """Entries added and removed in one transaction, written in batches."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.raw = conn.connection.driver_connection
        self.next_id = (self.raw.execute("SELECT max(id) FROM search_entry").fetchone()[0] or 0) + 1
        self.rows: list[tuple] = []
        self.fts: list[tuple] = []

    def add(self, kind: str, ref: str, document: str | None, start: int, stop: int, fields, body: str) -> None:
        self.rows.append((self.next_id, kind, ref, document, start, stop, json.dumps(fields, ensure_ascii=False) if fields is not None else None))
        self.fts.append((self.next_id, body))
        self.next_id += 1

    def remove(self, where: str, params: Sequence) -> None:
        """Drop the entries ``where`` selects (text entries need their document's text, read once)."""
        found = self.raw.execute(f"SELECT id, kind, document, start, stop, fields FROM search_entry WHERE {where}", params).fetchall()
        if not found:
            return
        texts: dict[str, str] = {}
        gone: list[tuple] = []
        for entry_id, kind, document, start, stop, fields in found:
            if kind == "text":
                if document not in texts:
                    row = self.raw.execute("SELECT text FROM document WHERE id = ?", (document,)).fetchone()
                    texts[document] = row[0] if row else ""
                body = fold(texts[document][start:stop])
            else:
                body = _body(json.loads(fields))
            gone.append((entry_id, body))
        self.raw.executemany("INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', ?, ?)", gone)
        self.raw.executemany("DELETE FROM search_entry WHERE id = ?", [(i,) for i, _b in gone])

    def flush(self) -> None:
        if self.rows:
            self.raw.executemany("INSERT INTO search_entry VALUES (?, ?, ?, ?, ?, ?, ?)", self.rows)
            self.raw.executemany("INSERT INTO search_fts(rowid, body) VALUES (?, ?)", self.fts)
            self.rows, self.fts = [], []


def _chunks(ids: Iterable[uuid.UUID]) -> Iterable[list[uuid.UUID]]:
    pending = sorted({i for i in ids if i is not None})
    for i in range(0, len(pending), _CHUNK):
        yield pending[i : i + _CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _index_documents(w: _Writer, conn: Connection, ids: list[uuid.UUID]) -> None:
    hexes = [i.hex for i in ids]
    w.remove(f"kind = 'meta' AND ref IN ({_marks(len(hexes))})", hexes)
    rows = conn.execute(select(_D.c.id, _D.c.deleted, *(_D.c[f] for f in _DOC_FIELDS)).where(_D.c.id.in_(ids))).all()
    dead = [r.id.hex for r in rows if r.deleted]
    if dead:  # a document's tombstone takes everything of it out of the search
        w.remove(f"document IN ({_marks(len(dead))})", dead)
    live = [r for r in rows if not r.deleted]
    if not live:
        return
    indexed = {d for (d,) in w.raw.execute(
        f"SELECT DISTINCT ref FROM search_entry WHERE kind = 'text' AND ref IN ({_marks(len(live))})", [r.id.hex for r in live])}  # fmt: skip
    for r in live:
        doc = r.id.hex
        fields = _pairs(*((f, getattr(r, f)) for f in _DOC_FIELDS))
        if fields:
            w.add("meta", doc, doc, 0, 0, fields, _body(fields))
        if doc not in indexed:  # the text never changes: indexed once
            text = conn.execute(select(_D.c.text).where(_D.c.id == r.id)).scalar_one()
            starts = paragraph_starts(text)
            for start, nxt in zip(starts, [*starts[1:], len(text) + 1], strict=True):
                stop = nxt - 1 if nxt <= len(text) else len(text)
                body = fold(text[start:stop])
                if body.strip():
                    w.add("text", doc, doc, start, stop, None, body)


def _index_annotations(w: _Writer, conn: Connection, ids: list[uuid.UUID]) -> None:
    hexes = [i.hex for i in ids]
    w.remove(f"kind = 'annotation' AND ref IN ({_marks(len(hexes))})", hexes)
    stmt = (
        select(_A.c.id, _A.c.document_id, _A.c.start, _A.c.end, _A.c.exact, _A.c.note, _C.c.likelihood_note)
        .select_from(_A.outerjoin(_C, (_C.c.annotation_id == _A.c.id) & _C.c.deleted.is_(False)))
        .where(_A.c.id.in_(ids), _A.c.deleted.is_(False))
    )
    for r in conn.execute(stmt):
        fields = _pairs(("quote", r.exact), ("note", r.note), ("rationale", r.likelihood_note or ""))
        if fields:
            w.add("annotation", r.id.hex, r.document_id.hex, r.start, r.end, fields, _body(fields))


def _index_entities(w: _Writer, conn: Connection, ids: list[uuid.UUID]) -> None:
    hexes = [i.hex for i in ids]
    w.remove(f"kind = 'entity' AND ref IN ({_marks(len(hexes))})", hexes)
    stmt = select(_E.c.id, _E.c.name, _E.c.aliases, _E.c.note).where(_E.c.id.in_(ids), _E.c.deleted.is_(False))
    for r in conn.execute(stmt):
        fields = _pairs(("name", r.name), *(("alias", a) for a in (r.aliases or []) if isinstance(a, str)), ("note", r.note))
        if fields:
            w.add("entity", r.id.hex, None, 0, 0, fields, _body(fields))


def refresh(conn: Connection, documents: Iterable[uuid.UUID], annotations: Iterable[uuid.UUID], entities: Iterable[uuid.UUID]) -> None:
    """Index anew the rows with these ids, as they now are in ``conn``'s transaction."""
    w = _Writer(conn)
    for ids in _chunks(documents):
        _index_documents(w, conn, ids)
        w.flush()
    for ids in _chunks(annotations):
        _index_annotations(w, conn, ids)
        w.flush()
    for ids in _chunks(entities):
        _index_entities(w, conn, ids)
        w.flush()


def is_current(conn: Connection) -> bool:
    """Whether the index was built by this :data:`FORMAT` (else :func:`rebuild` it)."""
    info = SchemaInfo.__table__
    return conn.execute(select(info.c.value).where(info.c.key == FORMAT_KEY)).scalar() == FORMAT


def mark_current(conn: Connection) -> None:
    info = SchemaInfo.__table__
    conn.execute(info.delete().where(info.c.key == FORMAT_KEY))
    conn.execute(info.insert().values(key=FORMAT_KEY, value=FORMAT))


def rebuild(conn: Connection) -> None:
    """Drop the index's contents and index every live row again."""
    raw = conn.connection.driver_connection
    raw.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
    raw.execute("DELETE FROM search_entry")
    docs = list(conn.execute(select(_D.c.id).where(_D.c.deleted.is_(False))).scalars())
    anns = list(conn.execute(select(_A.c.id).where(_A.c.deleted.is_(False))).scalars())
    ents = list(conn.execute(select(_E.c.id).where(_E.c.deleted.is_(False))).scalars())
    refresh(conn, docs, anns, ents)


# --- asking ---------------------------------------------------------------------------------------


def _phrase(words: Sequence[str]) -> str:
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def match_expression(terms: Sequence[Term]) -> str:
    """The FTS5 query for ``terms`` (see :mod:`annotator.core.search`): each
    term a phrase (``*`` for a prefix), an Arabic one in each of its written
    forms with proclitics; all of them required."""
    parts = []
    for term in terms:
        star = " *" if term.prefix else ""
        if term.arabic:
            forms = [_phrase((form, *term.words[1:])) + star for form in clitic_forms(term.words[0])]
            parts.append("(" + " OR ".join(forms) + ")")
        else:
            parts.append(_phrase(term.words) + star)
    return " AND ".join(parts)


def _as_hex(ids):
    """A select of UUIDs as the hex text SQLite stores them in (and the entries hold)."""
    sub = ids.subquery()
    return select(type_coerce(sub.c[0], String))


def candidates(conn: Connection, terms: Sequence[Term], *, after: int, limit: int, kinds: Sequence[str] = (),
               documents=None, annotations=None) -> list[tuple]:  # fmt: skip
    """Entries whose folded text has every term, in index order after the
    entry ``after``: ``(id, kind, ref, document, start, stop, fields)``.
    ``documents``/``annotations``: selects of the document / annotation ids
    allowed (None: any); an entity passes only when no document filter is given."""
    e = ENTRY.c
    stmt = (
        select(e.id, e.kind, e.ref, e.document, e.start, e.stop, e.fields)
        .select_from(_FTS.join(ENTRY, e.id == _FTS.c.rowid))
        .where(text("search_fts MATCH :q").bindparams(q=match_expression(terms)), _FTS.c.rowid > after)
    )
    if kinds:
        stmt = stmt.where(e.kind.in_(kinds))
    if documents is not None:
        stmt = stmt.where(e.document.in_(_as_hex(documents)))
    if annotations is not None:
        stmt = stmt.where(e.kind == "annotation", e.ref.in_(_as_hex(annotations)))
    return list(conn.execute(stmt.order_by(_FTS.c.rowid).limit(limit)))


class SqliteSearchIndex:
    """The :class:`~annotator.store.search.SearchIndex` of an SQLite store."""

    def refresh(self, conn: Connection, searched: dict[str, set[uuid.UUID]]) -> None:
        if any(searched.values()):
            refresh(conn, searched["document"], searched["annotation"], searched["entity"])

    def candidates(self, conn: Connection, terms: Sequence[Term], **kw) -> list[tuple]:
        return candidates(conn, terms, **kw)
