"""The corpus search index in SQLite: FTS5 over the store's own rows.

``search_entry`` holds one row per searchable thing: a paragraph of a
document's text (``text``: ``start``/``stop`` its code points, no copy of
it), a document's details (``meta``), an annotation's quote, note and claim
rationale (``annotation``) and an entity's name, aliases and note
(``entity``); the small ones keep their fields (``fields``, see
:func:`annotator.store.search.pack_fields`).
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

from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, Text, column, select, table, text

from ...core.intervals import paragraph_starts
from ...core.search import Query, clitic_forms, fold
from ..search import field_value, fields_text, pack_fields, spans_paragraphs, unpack_fields
from ..tables import AnnotationRow, DocumentRow, EntityRow, LabelRow, SchemaInfo

FORMAT = "1"  # bump when fold() or the entries change: the index is rebuilt on open
FORMAT_KEY = "search_format"
_META = MetaData()
ENTRY = Table(
    "search_entry", _META,
    Column("id", Integer, primary_key=True),
    Column("kind", String, nullable=False),  # text, meta, annotation, entity
    Column("ref", String(32), nullable=False, index=True),  # the row's id (a document's for text and meta)
    Column("document", String(32)),  # the document it belongs to (none for an entity); unindexed: asked only of entries found
    Column("start", Integer, nullable=False),
    Column("stop", Integer, nullable=False),
    Column("fields", Text),  # see store.search.pack_fields; NULL for text
)  # fmt: skip
FTS_DDL = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(body, content='', "
    "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* M* Co'\")"
)
_FTS = table("search_fts", column("rowid", Integer))  # FTS drives the join, in rowid order: a LIMIT stops it early
_D, _A, _E, _L = (t.__table__ for t in (DocumentRow, AnnotationRow, EntityRow, LabelRow))
_CHUNK = 500
_DOC_FIELDS = ("title", "source", "published", "description", "filename")


def create(conn: Connection) -> None:
    _META.create_all(conn)
    conn.exec_driver_sql(FTS_DDL)


# --- what an entry indexes ---------------------------------------------------------------------


def _body(fields: list[tuple[str, str]]) -> str:
    return fold(fields_text(fields))


def _pairs(*pairs: tuple[str, str]) -> list[tuple[str, str]]:
    """The fields worth indexing, their values as kept (:func:`.search.field_value`)."""
    return [(name, field_value(value)) for name, value in pairs if value and value.strip()]


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
        self.rows.append((self.next_id, kind, ref, document, start, stop, pack_fields(fields) if fields is not None else None))
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
                body = _body(unpack_fields(fields))
            gone.append((entry_id, body))
        self.raw.executemany("INSERT INTO search_fts(search_fts, rowid, body) VALUES ('delete', ?, ?)", gone)
        self.raw.executemany("DELETE FROM search_entry WHERE id = ?", [(i,) for i, _b in gone])

    def flush(self) -> None:
        if self.rows:
            self.raw.executemany("INSERT INTO search_entry VALUES (?, ?, ?, ?, ?, ?, ?)", self.rows)
            self.raw.executemany("INSERT INTO search_fts(rowid, body) VALUES (?, ?)", self.fts)
            self.rows, self.fts = [], []


def _chunks(ids: Iterable[uuid.UUID]) -> Iterable[list[str]]:
    """The ids as SQLite holds them (32 hex digits), in batches."""
    pending = sorted({i.hex for i in ids if i is not None})
    for i in range(0, len(pending), _CHUNK):
        yield pending[i : i + _CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _index_documents(w: _Writer, hexes: list[str]) -> None:
    marks = _marks(len(hexes))
    w.remove(f"kind = 'meta' AND ref IN ({marks})", hexes)
    rows = w.raw.execute(f"SELECT id, deleted, {', '.join(_DOC_FIELDS)} FROM document WHERE id IN ({marks})", hexes).fetchall()
    dead = [r[0] for r in rows if r[1]]
    if dead:  # a document's tombstone takes everything of it out of the search (rare: a scan)
        w.remove(f"document IN ({_marks(len(dead))})", dead)
    live = [r for r in rows if not r[1]]
    if not live:
        return
    indexed = {d for (d,) in w.raw.execute(
        f"SELECT DISTINCT ref FROM search_entry WHERE kind = 'text' AND ref IN ({_marks(len(live))})", [r[0] for r in live])}  # fmt: skip
    for doc, _deleted, *details in live:
        fields = _pairs(*zip(_DOC_FIELDS, details, strict=True))
        if fields:
            w.add("meta", doc, doc, 0, 0, fields, _body(fields))
        if doc not in indexed:  # the text never changes: indexed once
            (text,) = w.raw.execute("SELECT text FROM document WHERE id = ?", (doc,)).fetchone()
            starts = paragraph_starts(text)
            for start, nxt in zip(starts, [*starts[1:], len(text) + 1], strict=True):
                stop = min(nxt - 1, len(text))
                body = fold(text[start:stop])
                if body.strip():
                    w.add("text", doc, doc, start, stop, None, body)


_ANNOTATIONS = (
    'SELECT a.id, a.document_id, a.start, a."end", a.exact, a.note, c.likelihood_note FROM annotation a'
    " LEFT JOIN claim c ON c.annotation_id = a.id AND c.deleted = 0 WHERE a.deleted = 0 AND a.id IN ({})"
)


def _index_annotations(w: _Writer, hexes: list[str]) -> None:
    """An annotation's note and rationale, and its quote only where it runs
    over paragraphs (a quote in one paragraph is found through it: see
    :mod:`annotator.store.search`)."""
    w.remove(f"kind = 'annotation' AND ref IN ({_marks(len(hexes))})", hexes)
    for ann, doc, start, end, exact, note, rationale in w.raw.execute(_ANNOTATIONS.format(_marks(len(hexes))), hexes):
        fields = _pairs(("quote", exact if spans_paragraphs(exact) else ""), ("note", note), ("rationale", rationale or ""))
        if fields:
            w.add("annotation", ann, doc, start, end, fields, _body(fields))


def _index_entities(w: _Writer, hexes: list[str]) -> None:
    marks = _marks(len(hexes))
    w.remove(f"kind = 'entity' AND ref IN ({marks})", hexes)
    for ent, name, aliases, note in w.raw.execute(f"SELECT id, name, aliases, note FROM entity WHERE deleted = 0 AND id IN ({marks})", hexes):
        try:
            names = [a for a in json.loads(aliases or "[]") if isinstance(a, str)]
        except ValueError:
            names = []
        fields = _pairs(("name", name), *(("alias", a) for a in names), ("note", note))
        if fields:
            w.add("entity", ent, None, 0, 0, fields, _body(fields))


def refresh(conn: Connection, documents: Iterable[uuid.UUID], annotations: Iterable[uuid.UUID], entities: Iterable[uuid.UUID]) -> None:
    """Index anew the rows with these ids, as they now are in ``conn``'s transaction."""
    w = _Writer(conn)
    for index, ids in ((_index_documents, documents), (_index_annotations, annotations), (_index_entities, entities)):
        for chunk in _chunks(ids):
            index(w, chunk)
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


def match_expression(query: Query) -> str:
    """The FTS5 query for ``query`` (see :mod:`annotator.core.search`): each
    term a phrase (``*`` for a prefix), an Arabic one in each of its written
    forms with proclitics; an alternative's terms all required, any alternative."""
    alternatives = []
    for terms in query.alternatives:
        parts = []
        for term in terms:
            star = " *" if term.prefix else ""
            if term.arabic:
                forms = [_phrase((form, *term.words[1:])) + star for form in clitic_forms(term.words[0])]
                parts.append("(" + " OR ".join(forms) + ")")
            else:
                parts.append(_phrase(term.words) + star)
        alternatives.append("(" + " AND ".join(parts) + ")")
    return " OR ".join(alternatives)


def _matching(query: Query, after: int):
    return text("search_fts MATCH :q").bindparams(q=match_expression(query)), _FTS.c.rowid > after


def entries(conn: Connection, query: Query, *, after: int, limit: int, documents=None,
            annotations_only: bool = False) -> list[tuple]:  # fmt: skip
    """See :meth:`annotator.store.search.SearchIndex.entries`: the full-text
    index drives, a page of its matches in rowid order."""
    e = ENTRY.c
    conds = list(_matching(query, after))
    if annotations_only:
        conds.append(e.kind == "annotation")
    if documents is not None:
        conds.append(e.document.in_([d.hex for d in documents]))
    stmt = select(e.id, e.kind, e.ref, e.document, e.start, e.stop, e.fields).select_from(_FTS.join(ENTRY, e.id == _FTS.c.rowid))
    return list(conn.execute(stmt.where(*conds).order_by(_FTS.c.rowid).limit(limit)))


def paragraphs(conn: Connection, query: Query, *, after: int, limit: int, documents=None) -> list[tuple]:
    e = ENTRY.c
    conds = [*_matching(query, after), e.kind == "text"]
    if documents is not None:
        conds.append(e.document.in_([d.hex for d in documents]))
    stmt = select(e.id, e.document, e.start, e.stop).select_from(_FTS.join(ENTRY, e.id == _FTS.c.rowid)).where(*conds)
    return list(conn.execute(stmt.order_by(_FTS.c.rowid).limit(limit)))


# The paragraphs go in as one JSON parameter (json_each), so the statement is
# one for every page; CROSS JOIN keeps them the outer loop (SQLite would
# otherwise start from an index on annotation that looks selective and ask
# every paragraph of the page per annotation).
_IN_PARAGRAPHS = (
    "SELECT a.id, a.document_id, a.start, a.\"end\", a.exact FROM json_each(?) AS p CROSS JOIN annotation AS a"
    " ON a.document_id = json_extract(p.value, '$[0]') AND a.start >= json_extract(p.value, '$[1]')"
    " AND a.start <= json_extract(p.value, '$[2]') WHERE a.deleted = 0"
)


def annotations_in(conn: Connection, found: Sequence[tuple]) -> list[tuple]:
    """The live annotations that start in the paragraphs ``found`` (``(id,
    document, start, stop)``): ``(id, document, start, end, exact)``, read by
    the ``(document_id, start)`` index."""
    raw = conn.connection.driver_connection
    return raw.execute(_IN_PARAGRAPHS, (json.dumps([[p.document, p.start, p.stop] for p in found]),)).fetchall()


class SqliteSearchIndex:
    """The :class:`~annotator.store.search.SearchIndex` of an SQLite store."""

    def refresh(self, conn: Connection, searched: dict[str, set[uuid.UUID]]) -> None:
        if any(searched.values()):
            refresh(conn, searched["document"], searched["annotation"], searched["entity"])

    def entries(self, conn: Connection, query: Query, **kw) -> list[tuple]:
        return entries(conn, query, **kw)

    def paragraphs(self, conn: Connection, query: Query, **kw) -> list[tuple]:
        return paragraphs(conn, query, **kw)

    def annotations_in(self, conn: Connection, found: Sequence[tuple]) -> list[tuple]:
        return annotations_in(conn, found)
