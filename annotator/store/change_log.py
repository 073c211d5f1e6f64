"""The change log: how a window knows exactly what other writers committed.

Every write transaction that changes a row appends one ``change_log`` row in
the same transaction: its writer (``origin``, one per opened database: a
window, a CLI run, a merge run from either), the tables it wrote and the
documents its rows belong to. A window remembers the highest ``seq`` it has
seen; :func:`changes_since` then returns what *others* committed after it,
and nothing else: a read-only command writes no row, and the window's own
edits carry its own origin. The numbers are the database's own (an integer
primary key: SQLite's rowid, PostgreSQL's identity), so the log can later
serve sync.

Why not SQLite's ``data_version`` pragma: it changes when any *other connection*
commits, and the store's own pool holds several connections (the window's
edits, its background loaders, a merge), so it cannot tell the desk's own
commits from another process's; and it is SQLite-only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Connection, delete, func, select

from ..core.model import now
from .search import spans_paragraphs
from .tables import ANNOTATION_COLUMNS, DOCUMENT_COLUMNS, AnnotationRow, ChangeLogRow

CL = ChangeLogRow.__table__
_A = AnnotationRow.__table__
KEPT_FOR = timedelta(days=30)
_BATCH = 500


@dataclass
class Touched:
    """What one write transaction has written so far."""

    tables: set[str] = field(default_factory=set)
    documents: set[uuid.UUID] = field(default_factory=set)
    annotations: set[uuid.UUID] = field(default_factory=set)  # resolved to their documents at commit
    # The rows the search index must read again (see annotator.store.sqlite.search_index).
    searched: dict[str, set[uuid.UUID]] = field(default_factory=lambda: {"document": set(), "annotation": set(), "entity": set()})

    def rows(self, table: str, objs: Iterable, fresh: bool = False) -> None:
        """Rows of ``table`` (domain objects or column dicts) were written;
        ``fresh``: inserted, so the search index holds nothing of them yet."""
        self.tables.add(table)
        objs = objs if isinstance(objs, (list, tuple)) else list(objs)
        if table == "document":
            self.documents.update(_get(o, "id") for o in objs)
        elif table in DOCUMENT_COLUMNS:
            self.documents.update(_get(o, DOCUMENT_COLUMNS[table]) for o in objs)
        elif table in ANNOTATION_COLUMNS:
            for name in ANNOTATION_COLUMNS[table]:
                self.annotations.update(_get(o, name) for o in objs)
        if fresh and table in _SEARCHED_IF:  # an import's thousands of plain tags: nothing to index
            objs = [o for o in objs if _SEARCHED_IF[table](o)]
        if table in self.searched:
            self.searched[table].update(_get(o, "id") for o in objs)
        elif table == "claim":  # its rationale is searched with its annotation
            self.searched["annotation"].update(_get(o, "annotation_id") for o in objs)

    def __bool__(self) -> bool:
        return bool(self.tables)


# What of a new row the search index holds (see annotator.store.search): an
# annotation's note or a quote over paragraphs, a claim's rationale.
_SEARCHED_IF = {
    "annotation": lambda o: bool(_get(o, "note")) or spans_paragraphs(_get(o, "exact")),
    "claim": lambda o: bool(_get(o, "likelihood_note")),
}


def _get(obj, name: str):
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


@dataclass(frozen=True)
class Changes:
    """What other writers committed after a position in the log."""

    seq: int  # the log's position now: pass it to the next call
    tables: frozenset[str] = frozenset()
    documents: frozenset[uuid.UUID] | None = frozenset()  # None: any document may have changed

    def __bool__(self) -> bool:
        return bool(self.tables)

    def touches(self, doc_id: uuid.UUID | None) -> bool:
        """Whether the document ``doc_id`` (its text, annotations or claims) may have changed."""
        if doc_id is None or not self:
            return False
        return self.documents is None or doc_id in self.documents


def record(conn: Connection, origin: uuid.UUID, touched: Touched) -> None:
    """Append the log row of the transaction on ``conn`` (call just before it commits)."""
    docs = set(touched.documents)
    pending = [a for a in touched.annotations if a is not None]
    for i in range(0, len(pending), _BATCH):
        ids = pending[i : i + _BATCH]
        docs.update(conn.execute(select(_A.c.document_id).where(_A.c.id.in_(ids)).distinct()).scalars())
    documents = sorted(d.hex for d in docs if d is not None)
    conn.execute(CL.insert().values(origin=origin, committed=now(), tables=sorted(touched.tables), documents=documents))


def latest(conn: Connection) -> int:
    """The last number in the log (0 for an empty log)."""
    return conn.execute(select(func.max(CL.c.seq))).scalar() or 0


def changes_since(conn: Connection, seq: int, origin: uuid.UUID) -> Changes:
    """What writers other than ``origin`` committed after ``seq``. If the log
    no longer reaches back to ``seq`` (pruned), everything may have changed."""
    last = latest(conn)
    if last <= seq:
        return Changes(max(seq, last))
    first = conn.execute(select(func.min(CL.c.seq))).scalar()
    if first > seq + 1:  # rows after seq were pruned: what they said is lost
        return Changes(last, frozenset({"*"}), None)
    tables: set[str] = set()
    documents: set[uuid.UUID] | None = set()
    rows = conn.execute(select(CL.c.tables, CL.c.documents).where(CL.c.seq > seq, CL.c.seq <= last, CL.c.origin != origin))
    for names, docs in rows:
        tables.update(names or ())
        if docs is None:
            documents = None
        elif documents is not None:
            documents.update(uuid.UUID(d) for d in docs)
    return Changes(last, frozenset(tables), None if documents is None else frozenset(documents))


def prune(conn: Connection) -> None:
    """Drop log rows older than :data:`KEPT_FOR`, always keeping the last (so
    numbers are never reused). Writes only when there is something to drop."""
    cutoff = now() - KEPT_FOR
    oldest = conn.execute(select(func.min(CL.c.committed))).scalar()
    if oldest is None or oldest >= cutoff:
        return
    conn.execute(delete(CL).where(CL.c.committed < cutoff, CL.c.seq < latest(conn)))
