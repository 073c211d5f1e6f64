"""Searching the corpus: the query against the store's full-text index, its
filters as portable SQL, and every candidate checked on the original text
(the rules are in :mod:`annotator.core.search`).

What is indexed: each paragraph of each document's text; each document's
details; each entity's name, aliases and note; and, of annotations, only
what the text does not already hold: notes, rationales, and the quotes that
run over more than one paragraph. A quote inside one paragraph is found
through its paragraph: the annotations starting in a paragraph that has the
words are read (an index range on ``(document_id, start)``) and checked. So
an import indexes a few entries per paragraph, not one per annotation.

A hit is one field (a paragraph, a title, a quote, a note, a name…) that
holds every term. Without annotation filters the hits are the text's,
the documents' details, the entities' and the annotations' notes,
rationales and long quotes; with one, only annotations that pass it, by
quote, note or rationale.

The index itself is the backend's (:mod:`.sqlite.search_index` for SQLite;
PostgreSQL's text search later, behind the same :class:`SearchIndex`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import Connection, and_, func, literal, select, type_coerce

from ..core.matching import match_key
from ..core.search import Query, SearchFilters, SearchHit, SearchResult, context, parse_query
from .tables import AnnotationRow, ClaimRow, DocumentRow, EntityRow, LabelRow

_A, _C, _D, _E, _L = (t.__table__ for t in (AnnotationRow, ClaimRow, DocumentRow, EntityRow, LabelRow))
_R = _C.alias("rationale")  # a claim's rationale, beside any claim condition
FEW = 3000  # fewer annotations than this pass the filter: each is checked, no index asked
FIRST_PAGE, LAST_PAGE = 50, 800  # candidates read at a time: few first (common words fill the hits at once), doubling
MAX_CANDIDATES = 20_000  # a query whose words are everywhere but never together stops here
DEFAULT_LIMIT = 200
READ_AT_ONCE = 25  # candidates whose documents are read together

_FIELD, _VALUE = "\x1f", "\x1e"  # between fields, between a field's name and value
_CONTROL = str.maketrans({_FIELD: " ", _VALUE: " "})


def field_value(value: str) -> str:
    """A value as an entry keeps it: the two separators below, were it to hold
    them, become spaces (they separate words either way)."""
    return value.translate(_CONTROL) if _FIELD in value or _VALUE in value else value


def pack_fields(pairs: Sequence[tuple[str, str]]) -> str:
    """An entry's fields (values from :func:`field_value`) as the index keeps
    them: cheaper than JSON to write."""
    return _FIELD.join(f"{name}{_VALUE}{value}" for name, value in pairs)


def unpack_fields(packed: str) -> list[tuple[str, str]]:
    return [tuple(part.split(_VALUE, 1)) for part in packed.split(_FIELD)]  # type: ignore[misc]


def fields_text(pairs: Sequence[tuple[str, str]]) -> str:
    """What an entry's fields are indexed as: their values, a line each."""
    return "\n".join(value for _name, value in pairs)


def spans_paragraphs(exact: str) -> bool:
    """Whether a quote runs over a paragraph break (then it is indexed itself)."""
    return "\n" in exact or "\u2029" in exact


@dataclass
class AnnotationFilter:
    """The annotation filters as conditions on ``annotation``, ``label`` and,
    when a claim's fields are asked about, ``claim`` (see :meth:`join`)."""

    conds: list = field(default_factory=list)
    claims: bool = False
    by_id: list = field(default_factory=list)  # the same conditions, for a lookup by id (see :meth:`passing`)

    def join(self, onto, on):
        """``onto`` joined to the annotations (``on``: the join condition) and what the conditions need."""
        return self._needed(onto.join(_A, on))

    def tables(self):
        """The annotations and what the conditions need of other tables."""
        return self._needed(_A)

    def few(self, conn: Connection, most: int) -> list | None:
        """Every annotation that passes, when fewer than ``most`` do (None
        otherwise): ``(id, document_id, start, end, exact, note, rationale,
        label)``. Then checking each is cheaper than the paragraphs' way."""
        probe = select(_A.c.id).select_from(self.tables()).where(*self.conds).limit(most).subquery()
        if conn.execute(select(func.count()).select_from(probe)).scalar_one() >= most:
            return None  # counted in the database: no row of them is read
        joined = self.tables().outerjoin(_R, and_(_R.c.annotation_id == _A.c.id, _R.c.deleted.is_(False)))
        stmt = (
            select(_A.c.id, _A.c.document_id, _A.c.start, _A.c.end, _A.c.exact, _A.c.note, _R.c.likelihood_note, _L.c.name)
            .select_from(joined).where(*self.conds).limit(most)
        )  # fmt: skip
        return list(conn.execute(stmt))

    def passing(self, conn: Connection, ids: Sequence[str]) -> dict[str, str]:
        """Of the annotations ``ids`` (as the index holds them), those that pass, with their labels' names.
        Asked of a page's few candidates by id: a join with the index would
        let the database start from the filter's side."""
        if not ids:
            return {}
        wanted = [uuid.UUID(i) for i in ids]
        stmt = select(_A.c.id, _L.c.name).select_from(self.tables()).where(_A.c.id.in_(wanted), *self.by_id)
        return {r.id.hex: r.name for r in conn.execute(stmt)}

    def _needed(self, joined):
        joined = joined.join(_L, _L.c.id == _A.c.label_id)
        if self.claims:
            joined = joined.join(_C, and_(_C.c.annotation_id == _A.c.id, _C.c.deleted.is_(False)))
        return joined


class SearchIndex(Protocol):
    def refresh(self, conn: Connection, searched: dict[str, set[uuid.UUID]]) -> None:
        """Index anew the rows (``document``, ``annotation``, ``entity`` ids) a transaction wrote."""

    def entries(self, conn: Connection, query: Query, *, after: int, limit: int,
                documents: list[uuid.UUID] | None = None, annotations_only: bool = False) -> list[tuple]:  # fmt: skip
        """A page of the entries that may hold every term, in index order after
        ``after``: ``(id, kind, ref, document, start, stop, fields)``; ``documents``:
        only theirs (None: any)."""

    def paragraphs(self, conn: Connection, query: Query, *, after: int, limit: int,
                   documents: list[uuid.UUID] | None = None) -> list[tuple]:
        """A page of the paragraph entries that may hold every term: ``(id, document, start, stop)``."""

    def annotations_in(self, conn: Connection, paragraphs: Sequence[tuple]) -> list[tuple]:
        """The live annotations starting in these paragraphs: ``(id, document, start, end, exact)``."""


# --- filters ------------------------------------------------------------------------------------


def _entity_ids(conn: Connection, name: str) -> list[uuid.UUID]:
    """Ids of the live entities with this name or alias (case, spacing and harakat aside)."""
    key = match_key(name)
    stmt = select(_E.c.id, _E.c.name, _E.c.aliases).where(_E.c.deleted.is_(False))
    return [r.id for r in conn.execute(stmt) if any(match_key(n) == key for n in [r.name, *(r.aliases or [])] if isinstance(n, str))]


def _unindexed(column):
    """``column`` as a value no index answers (``coalesce(c, c)``, portable):
    looking a few ids up, the database must not prefer an index on a filtered
    column (it guesses ten rows per value without statistics)."""
    return type_coerce(func.coalesce(column, column), column.type)


def _conditions(conn: Connection, f: SearchFilters, column) -> list:
    """The annotation filters as conditions; ``column(name)`` gives the annotation's column."""
    conds = [column("deleted").is_(False)]
    if f.labels:
        conds.append(func.lower(_L.c.name).in_([n.lower() for n in f.labels]))
    if f.kinds:
        conds.append(_L.c.kind.in_(list(f.kinds)))
    if f.entity:
        conds.append(column("entity_id").in_(_entity_ids(conn, f.entity)))
    if f.source:
        conds.append(_C.c.source_entity_id.in_(_entity_ids(conn, f.source)))
    for name, allowed in (("reliability", f.reliability.upper()), ("credibility", f.credibility),
                          ("stance", f.stances), ("likelihood", f.likelihoods)):  # fmt: skip
        if allowed:
            conds.append(_C.c[name].in_(list(allowed)))
    if f.analysts:
        conds.append(column("creator").in_(list(f.analysts)))
    docs = allowed_documents(f)
    if docs is not None:
        conds.append(column("document_id").in_(docs))
    return conds


def annotation_filter(conn: Connection, f: SearchFilters) -> AnnotationFilter | None:
    """The annotation filters of ``f`` (None: it has none)."""
    if not f.on_annotations:
        return None
    claims = bool(f.source or f.reliability or f.credibility or f.stances or f.likelihoods)
    return AnnotationFilter(_conditions(conn, f, lambda n: _A.c[n]), claims, _conditions(conn, f, lambda n: _unindexed(_A.c[n])))


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


# --- what the hits show -----------------------------------------------------------------------


class _Reader:
    """Read once per search: documents' texts and titles, annotations' labels."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.texts: dict[str, str] = {}
        self.titles: dict[str, str] = {}
        self.labels: dict[str, str] = {}

    def need(self, documents: set[str], texts: set[str] = frozenset(), annotations: set[str] = frozenset()) -> None:
        docs = [uuid.UUID(d) for d in documents if d and d not in self.titles]
        if docs:
            for r in self.conn.execute(select(_D.c.id, _D.c.title).where(_D.c.id.in_(docs))):
                self.titles[r.id.hex] = r.title
        wanted = [uuid.UUID(d) for d in texts if d not in self.texts]
        if wanted:
            for r in self.conn.execute(select(_D.c.id, _D.c.text).where(_D.c.id.in_(wanted))):
                self.texts[r.id.hex] = r.text
        anns = [uuid.UUID(a) for a in annotations if a not in self.labels]
        if anns:
            stmt = select(_A.c.id, _L.c.name).select_from(_A.join(_L, _L.c.id == _A.c.label_id)).where(_A.c.id.in_(anns))
            for r in self.conn.execute(stmt):
                self.labels[r.id.hex] = r.name


def _field_hit(fields: list[tuple[str, str]], query: Query) -> tuple[str, str, str, str] | None:
    """The first field holding every term: its name and the context of its first match."""
    for name, value in fields:
        spans = query.find(value, limit=1)
        if spans:
            return (name, *context(value, *spans[0]))
    return None


def _entry_hits(entry, query: Query, reader: _Reader) -> list[SearchHit]:
    doc = uuid.UUID(entry.document) if entry.document else None
    title = reader.titles.get(entry.document or "", "")
    if entry.kind == "text":
        para = reader.texts.get(entry.document, "")[entry.start : entry.stop]
        spans = query.hits(para)
        return [
            SearchHit("text", *context(para, a, b), document_id=doc, document_title=title, start=entry.start + a, end=entry.start + b)
            for a, b in spans
        ]
    fields = unpack_fields(entry.fields)
    found = _field_hit(fields, query)
    if found is None:
        return []
    ref = uuid.UUID(entry.ref)
    if entry.kind == "annotation":
        return [SearchHit(*found, document_id=doc, document_title=title, start=entry.start, end=entry.stop, annotation_id=ref,
                          label=reader.labels.get(entry.ref, ""))]  # fmt: skip
    if entry.kind == "entity":
        return [SearchHit(*found, entity_id=ref, name=fields[0][1] if fields[0][0] == "name" else "")]
    return [SearchHit(*found, document_id=doc, document_title=title)]


# --- the search ---------------------------------------------------------------------------------


class _Collector:
    def __init__(self, result: SearchResult, limit: int):
        self.result, self.limit = result, limit
        self.seen: set[uuid.UUID] = set()  # annotations already hit

    def add(self, hit: SearchHit) -> bool:
        """Take ``hit``; False once the limit is reached (the result is then truncated)."""
        if hit.annotation_id is not None:
            if hit.annotation_id in self.seen:
                return True
            self.seen.add(hit.annotation_id)
        if len(self.result.hits) == self.limit:
            self.result.truncated = True
            return False
        self.result.hits.append(hit)
        return True


def search(conn: Connection, index: SearchIndex, text: str, filters: SearchFilters = SearchFilters(),
           limit: int = DEFAULT_LIMIT) -> SearchResult:  # fmt: skip
    """The hits of the query ``text`` under ``filters``, at most ``limit``, in index order
    (documents as imported, each one's paragraphs in text order)."""
    query = parse_query(text)
    result = SearchResult(query)
    take = _Collector(result, limit)
    annotations = annotation_filter(conn, filters)
    if not query:
        if annotations is not None:
            _filtered_only(conn, annotations, take)
        return result
    allowed = allowed_documents(filters)  # asked once, not once per page of candidates
    documents = None if allowed is None else list(conn.execute(allowed).scalars())
    reader = _Reader(conn)
    if annotations is not None:
        few = annotations.few(conn, FEW)
        if few is not None:
            _check_each(few, query, reader, take)
            return result
        if not _quotes(conn, index, query, documents, annotations, reader, take):
            return result
    after, scanned, size = 0, 0, FIRST_PAGE
    while scanned < MAX_CANDIDATES:
        size = min(LAST_PAGE, size * 2) if scanned else size
        page = index.entries(conn, query, after=after, limit=size, documents=documents, annotations_only=annotations is not None)
        if not page:
            return result
        rows = page
        if annotations is not None:
            allowed = annotations.passing(conn, [r.ref for r in page])
            reader.labels.update(allowed)
            rows = [r for r in page if r.ref in allowed]
        for i in range(0, len(rows), READ_AT_ONCE):  # texts read as the hits need them, not a page's worth
            chunk = rows[i : i + READ_AT_ONCE]
            reader.need({r.document for r in chunk}, {r.document for r in chunk if r.kind == "text"},
                        {r.ref for r in chunk if r.kind == "annotation"})  # fmt: skip
            for row in chunk:
                for hit in _entry_hits(row, query, reader):
                    if not take.add(hit):
                        return result
        after, scanned = page[-1].id, scanned + len(page)
    result.truncated = True
    return result


def _quotes(conn, index: SearchIndex, query: Query, documents, annotations: AnnotationFilter, reader: _Reader, take: _Collector) -> bool:
    """The filtered annotations whose quote has every term, found through the
    paragraphs they start in; False once the limit is reached."""
    after, scanned, size = 0, 0, FIRST_PAGE
    while scanned < MAX_CANDIDATES:
        size = min(LAST_PAGE, size * 2) if scanned else size
        paragraphs = index.paragraphs(conn, query, after=after, limit=size, documents=documents)
        if not paragraphs:
            return True
        matched = {}
        for ann_id, doc, start, end, exact in index.annotations_in(conn, paragraphs):
            spans = query.find(exact, limit=1)
            if spans:
                matched[ann_id] = (doc, start, end, exact, spans[0])
        allowed = annotations.passing(conn, list(matched))
        reader.need({matched[a][0] for a in allowed})
        for ann_id, (doc, start, end, exact, span) in matched.items():
            if ann_id in allowed:
                hit = SearchHit("quote", *context(exact, *span), document_id=uuid.UUID(doc), document_title=reader.titles.get(doc, ""),
                                start=start, end=end, annotation_id=uuid.UUID(ann_id), label=allowed[ann_id])  # fmt: skip
                if not take.add(hit):
                    return False
        after, scanned = paragraphs[-1].id, scanned + len(paragraphs)
    take.result.truncated = True
    return False


def _check_each(rows: list, query: Query, reader: _Reader, take: _Collector) -> None:
    """The hits among a few annotations: quote, note or rationale (document order)."""
    reader.need({r.document_id.hex for r in rows})
    for r in sorted(rows, key=lambda r: (reader.titles.get(r.document_id.hex, ""), r.document_id, r.start)):
        found = _field_hit([("quote", r.exact), ("note", r.note or ""), ("rationale", r.likelihood_note or "")], query)
        if found is not None:
            hit = SearchHit(*found, document_id=r.document_id, document_title=reader.titles.get(r.document_id.hex, ""),
                            start=r.start, end=r.end, annotation_id=r.id, label=r.name)  # fmt: skip
            if not take.add(hit):
                return


def _filtered_only(conn: Connection, annotations: AnnotationFilter, take: _Collector) -> None:
    """No words, only annotation filters: every annotation they allow, by document title and position."""
    joined = annotations.join(_D, _D.c.id == _A.c.document_id)
    stmt = (
        select(_A.c.id, _A.c.document_id, _A.c.start, _A.c.end, _A.c.exact, _A.c.prefix, _A.c.suffix, _L.c.name, _D.c.title)
        .select_from(joined)
        .where(*annotations.conds)
        .order_by(_D.c.title, _A.c.document_id, _A.c.start)
        .limit(take.limit + 1)
    )
    for r in conn.execute(stmt):
        prefix, suffix = r.prefix or "", r.suffix or ""  # kept for re-anchoring: they may start and end mid-word
        prefix = prefix.partition(" ")[2] if " " in prefix else prefix
        suffix = suffix.rpartition(" ")[0] + " " if " " in suffix.strip() else suffix
        before, match, after = context(prefix + r.exact + suffix, len(prefix), len(prefix) + len(r.exact), side=50)
        hit = SearchHit("quote", before, match, after, document_id=r.document_id, document_title=r.title, start=r.start,
                        end=r.end, annotation_id=r.id, label=r.name)  # fmt: skip
        if not take.add(hit):
            return
