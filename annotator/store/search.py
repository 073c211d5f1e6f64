"""Searching the corpus: the query against the store's full-text index, its
filters as portable SQL, and every candidate checked on the original text
(the rules are in :mod:`annotator.core.search`).

The index itself is the backend's (:mod:`.sqlite.search_index` for SQLite;
PostgreSQL's text search later, behind the same :class:`SearchIndex`). Here:
which annotations and documents the filters allow, reading the candidates in
index order, page by page, until enough hits are confirmed, and what each hit
shows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import Connection, and_, func, literal, select

from ..core.matching import match_key
from ..core.search import SearchFilters, SearchHit, SearchResult, Term, context, find_terms, parse_query
from .tables import AnnotationRow, ClaimRow, DocumentRow, EntityRow, LabelRow

_A, _C, _D, _E, _L = (t.__table__ for t in (AnnotationRow, ClaimRow, DocumentRow, EntityRow, LabelRow))
PAGE = 400  # candidates read at a time
MAX_CANDIDATES = 20_000  # a query whose words are everywhere but never together stops here
DEFAULT_LIMIT = 200


class SearchIndex(Protocol):
    def refresh(self, conn: Connection, searched: dict[str, set[uuid.UUID]]) -> None:
        """Index anew the rows (``document``, ``annotation``, ``entity`` ids) a transaction wrote."""

    def candidates(self, conn: Connection, terms: Sequence[Term], *, after: int, limit: int, kinds: Sequence[str] = (),
                   documents=None, annotations=None) -> list[tuple]:  # fmt: skip
        """Entries that may hold every term: ``(id, kind, ref, document, start, stop, fields)``."""


# --- filters ------------------------------------------------------------------------------------


def _entity_ids(conn: Connection, name: str) -> list[uuid.UUID]:
    """Ids of the live entities with this name or alias (case, spacing and harakat aside)."""
    key = match_key(name)
    stmt = select(_E.c.id, _E.c.name, _E.c.aliases).where(_E.c.deleted.is_(False))
    return [r.id for r in conn.execute(stmt) if any(match_key(n) == key for n in [r.name, *(r.aliases or [])] if isinstance(n, str))]


def allowed_annotations(conn: Connection, f: SearchFilters):
    """A select of the ids of the live annotations the annotation filters allow (None: no such filter)."""
    if not f.on_annotations:
        return None
    conds = [_A.c.deleted.is_(False)]
    claims = f.source or f.reliability or f.credibility or f.stances or f.likelihoods
    joined = _A.join(_L, _L.c.id == _A.c.label_id)
    if claims:
        joined = joined.join(_C, and_(_C.c.annotation_id == _A.c.id, _C.c.deleted.is_(False)))
    stmt = select(_A.c.id).select_from(joined)
    if f.labels:
        conds.append(func.lower(_L.c.name).in_([n.lower() for n in f.labels]))
    if f.kinds:
        conds.append(_L.c.kind.in_(list(f.kinds)))
    if f.entity:
        conds.append(_A.c.entity_id.in_(_entity_ids(conn, f.entity)))
    if f.source:
        conds.append(_C.c.source_entity_id.in_(_entity_ids(conn, f.source)))
    if f.reliability:
        conds.append(_C.c.reliability.in_(list(f.reliability.upper())))
    if f.credibility:
        conds.append(_C.c.credibility.in_(list(f.credibility)))
    if f.stances:
        conds.append(_C.c.stance.in_(list(f.stances)))
    if f.likelihoods:
        conds.append(_C.c.likelihood.in_(list(f.likelihoods)))
    if f.analysts:
        conds.append(_A.c.creator.in_(list(f.analysts)))
    docs = allowed_documents(f)
    if docs is not None:
        conds.append(_A.c.document_id.in_(docs))
    return stmt.where(*conds)


def allowed_documents(f: SearchFilters):
    """A select of the ids of the live documents the document filters allow (None: no such filter)."""
    if not (f.documents or f.date_from or f.date_to):
        return None
    conds = [_D.c.deleted.is_(False)]
    if f.documents:
        conds.append(_D.c.id.in_(list(f.documents)))
    # A partial date ("2025-06") is a range: it passes if any of it is in the asked range.
    if f.date_from:
        conds.append(and_(_D.c.published != "", _D.c.published + literal("~") >= f.date_from))
    if f.date_to:
        conds.append(and_(_D.c.published != "", _D.c.published <= f.date_to + "~"))
    return select(_D.c.id).where(*conds)


# --- the search ---------------------------------------------------------------------------------


class _Reader:
    """What the hits show, read once per search: documents' texts and titles, annotations' labels."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.texts: dict[str, str] = {}
        self.titles: dict[str, str] = {}
        self.labels: dict[str, str] = {}

    def need(self, rows: list[tuple]) -> None:
        docs = {r.document for r in rows if r.document and r.document not in self.titles}
        text_docs = sorted({r.document for r in rows if r.kind == "text" and r.document not in self.texts})
        if docs:
            ids = [uuid.UUID(d) for d in docs]
            for r in self.conn.execute(select(_D.c.id, _D.c.title).where(_D.c.id.in_(ids))):
                self.titles[r.id.hex] = r.title
        if text_docs:
            for r in self.conn.execute(select(_D.c.id, _D.c.text).where(_D.c.id.in_([uuid.UUID(d) for d in text_docs]))):
                self.texts[r.id.hex] = r.text
        anns = [uuid.UUID(r.ref) for r in rows if r.kind == "annotation" and r.ref not in self.labels]
        if anns:
            stmt = select(_A.c.id, _L.c.name).select_from(_A.join(_L, _L.c.id == _A.c.label_id)).where(_A.c.id.in_(anns))
            for r in self.conn.execute(stmt):
                self.labels[r.id.hex] = r.name


def _hits(entry, terms: list[Term], reader: _Reader) -> list[SearchHit]:
    doc = uuid.UUID(entry.document) if entry.document else None
    title = reader.titles.get(entry.document or "", "")
    if entry.kind == "text":
        para = reader.texts.get(entry.document, "")[entry.start : entry.stop]
        spans = find_terms(para, terms[:1]) if find_terms(para, terms, limit=1) else []
        return [
            SearchHit("text", *context(para, a, b), document_id=doc, document_title=title, start=entry.start + a, end=entry.start + b)
            for a, b in spans
        ]
    fields = json.loads(entry.fields)
    joined = "\n".join(value for _name, value in fields)
    spans = find_terms(joined, terms, limit=1)
    if not spans:
        return []
    a, b = spans[0]
    offset = 0
    for name, value in fields:  # the field the first match is in
        if a <= offset + len(value):
            break
        offset += len(value) + 1
    before, match, after = context(value, a - offset, min(b - offset, len(value)))
    ref = uuid.UUID(entry.ref)
    if entry.kind == "annotation":
        return [SearchHit(name, before, match, after, document_id=doc, document_title=title, start=entry.start, end=entry.stop,
                          annotation_id=ref, label=reader.labels.get(entry.ref, ""))]  # fmt: skip
    if entry.kind == "entity":
        return [SearchHit(name, before, match, after, entity_id=ref, name=fields[0][1] if fields[0][0] == "name" else "")]
    return [SearchHit(name, before, match, after, document_id=doc, document_title=title)]


def search(conn: Connection, index: SearchIndex, query: str, filters: SearchFilters = SearchFilters(),
           limit: int = DEFAULT_LIMIT) -> SearchResult:  # fmt: skip
    """The hits of ``query`` under ``filters``, at most ``limit``, in index order
    (documents as imported, each one's paragraphs in text order)."""
    terms = parse_query(query)
    result = SearchResult(terms)
    annotations = allowed_annotations(conn, filters)
    if not terms:
        if annotations is not None:
            _filtered_only(conn, annotations, result, limit)
        return result
    documents = allowed_documents(filters)
    kinds = ("annotation",) if annotations is not None else ()
    reader = _Reader(conn)
    after, scanned = 0, 0
    while scanned < MAX_CANDIDATES:
        rows = index.candidates(conn, terms, after=after, limit=PAGE, kinds=kinds, documents=documents, annotations=annotations)
        if not rows:
            return result
        reader.need(rows)
        for row in rows:
            for hit in _hits(row, terms, reader):
                if len(result.hits) == limit:
                    result.truncated = True
                    return result
                result.hits.append(hit)
        after, scanned = rows[-1].id, scanned + len(rows)
    result.truncated = True
    return result


def _filtered_only(conn: Connection, annotations, result: SearchResult, limit: int) -> None:
    """No words, only annotation filters: every annotation they allow, in document order."""
    ids = annotations.subquery()
    stmt = (
        select(_A.c.id, _A.c.document_id, _A.c.start, _A.c.end, _A.c.exact, _A.c.prefix, _A.c.suffix, _L.c.name, _D.c.title)
        .select_from(_A.join(_L, _L.c.id == _A.c.label_id).join(_D, _D.c.id == _A.c.document_id))
        .where(_A.c.id.in_(select(ids.c[0])))
        .order_by(_D.c.title, _A.c.document_id, _A.c.start)
        .limit(limit + 1)
    )
    for r in conn.execute(stmt):
        if len(result.hits) == limit:
            result.truncated = True
            return
        prefix, suffix = r.prefix or "", r.suffix or ""  # kept for re-anchoring: they may start and end mid-word
        prefix = prefix.partition(" ")[2] if " " in prefix else prefix
        suffix = suffix.rpartition(" ")[0] + " " if " " in suffix.strip() else suffix
        before, match, after = context(prefix + r.exact + suffix, len(prefix), len(prefix) + len(r.exact), side=50)
        result.hits.append(SearchHit("quote", before, match, after, document_id=r.document_id, document_title=r.title,
                                     start=r.start, end=r.end, annotation_id=r.id, label=r.name))  # fmt: skip

