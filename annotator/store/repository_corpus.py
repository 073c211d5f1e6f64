"""The repository's reads across the whole corpus: search, the register
of sources and what suggestions are scored by (a mixin of :class:`~annotator.store.repository.SqlRepository`)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from ..core.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from ..core.search import SearchFilters, SearchResult
    from ..core.sources import SourceRecord
    from .search import SearchIndex


class CorpusReads:
    index: SearchIndex | None

    def read_connection(self) -> AbstractContextManager[Connection]: ...  # SqlRepository's

    def search(self, query: str, filters: SearchFilters | None = None, limit: int = 200) -> SearchResult:
        """The corpus search (see :mod:`annotator.store.search`)."""
        from ..core.search import SearchFilters
        from .search import search

        if self.index is None:
            raise StoreError("this database has no search index")
        with self.read_connection() as conn:
            return search(conn, self.index, query, filters or SearchFilters(), limit)

    def source_register(self, only: Collection[uuid.UUID] | None = None) -> list[SourceRecord]:
        """The register of sources (:func:`annotator.core.sources.build_register`);
        ``only``: of these claims (a brief's)."""
        from ..core.sources import build_register
        from .sources import register_rows

        with self.read_connection() as conn:
            claims, links = register_rows(conn)
        return build_register(claims, links, only)

    def entity_label_counts(self) -> dict[uuid.UUID, dict[uuid.UUID, int]]:
        """How often each entity was tagged with each label (live annotations):
        the suggestions' scores (:mod:`annotator.core.suggest`). One grouped
        read over the annotations' index, not a scan per entity."""
        from sqlalchemy import func, select

        from .tables import AnnotationRow

        A = AnnotationRow.__table__
        stmt = (
            select(A.c.entity_id, A.c.label_id, func.count())
            .where(A.c.entity_id.is_not(None), A.c.deleted.is_(False))
            .group_by(A.c.entity_id, A.c.label_id)
        )
        counts: dict[uuid.UUID, dict[uuid.UUID, int]] = {}
        with self.read_connection() as conn:
            for entity_id, label_id, n in conn.execute(stmt):
                counts.setdefault(entity_id, {})[label_id] = n
        return counts
