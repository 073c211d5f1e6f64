"""The repository's rows of rejected suggestions (schema 8; a mixin of
:class:`~annotator.store.repository.SqlRepository`): written by the
thousand when the analyst rejects a run of suggestions, read per document
when suggestions are made."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update

from ..core.model import RejectedSuggestion
from .bulk import existing_ids, insert_many
from .rows import column_values, rejection_of
from .tables import RejectedSuggestionRow

if TYPE_CHECKING:
    from sqlalchemy import Connection

RS = RejectedSuggestionRow.__table__
_UPDATE = (
    update(RS)
    .where(RS.c.id == bindparam("r_id", type_=RS.c.id.type))
    .values({c.name: bindparam("r_" + c.name, type_=c.type) for c in RS.columns if c.name != "id"})
)  # built once; the bind names are not the columns' (SQLAlchemy reserves those)


class SuggestionRows:
    _local: threading.local

    def transaction(self) -> AbstractContextManager[None]: ...  # SqlRepository's

    def _conn(self) -> AbstractContextManager[Connection]: ...  # SqlRepository's

    def put_rejections(self, rows: Iterable[RejectedSuggestion]) -> None:
        """Insert each row, or update the row with its id (the last given of
        an id wins), in one transaction: the new rows in one executemany
        (:func:`~.bulk.insert_many`), the others in another."""
        by_id = {r.id: r for r in rows}
        if not by_id:
            return
        with self.transaction(), self._conn() as conn:
            known = existing_ids(conn, RS, list(by_id))
            fresh = [r for i, r in by_id.items() if i not in known]
            if fresh:
                insert_many(conn, RS, fresh)
            if known:
                conn.execute(_UPDATE, [{"r_" + k: v for k, v in column_values(by_id[i]).items()} for i in known])
            self._local.touched.rows(RS.name, list(by_id.values()))

    def rejections(self, doc_id: uuid.UUID, include_deleted: bool = False) -> list[RejectedSuggestion]:
        """The document's rejected suggestions (live ones, unless asked), in text order."""
        stmt = select(RS).where(RS.c.document_id == doc_id)
        if not include_deleted:
            stmt = stmt.where(RS.c.deleted.is_(False))
        return list(self._read(stmt.order_by(RS.c.start, RS.c.end, RS.c.created, RS.c.id)))

    def all_rejections(self) -> list[RejectedSuggestion]:
        """Every live rejected suggestion, by document then in text order."""
        stmt = select(RS).where(RS.c.deleted.is_(False)).order_by(RS.c.document_id, RS.c.start, RS.c.end, RS.c.id)
        return list(self._read(stmt))

    def _read(self, stmt) -> Iterator[RejectedSuggestion]:
        with self._conn() as conn:
            rows = conn.execute(stmt).all()
        return map(rejection_of, rows)
