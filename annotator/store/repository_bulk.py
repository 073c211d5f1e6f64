"""The repository's writes of many annotations at once (a mixin of
:class:`~annotator.store.repository.SqlRepository`): an undo of 10,000
accepted suggestions is one read and one executemany, not 10,000 of each."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update

from ..core.errors import NotFound
from ..core.model import Annotation
from .bulk import IN_CHUNK
from .rows import annotation_of
from .tables import AnnotationRow

if TYPE_CHECKING:
    from sqlalchemy import Connection

A = AnnotationRow.__table__
_SET_DELETED = (
    update(A)
    .where(A.c.id == bindparam("a_id", type_=A.c.id.type))
    .values(deleted=bindparam("a_deleted", type_=A.c.deleted.type), modified=bindparam("a_modified", type_=A.c.modified.type))
)  # built once


class BulkAnnotations:
    def _conn(self) -> AbstractContextManager[Connection]: ...  # SqlRepository's

    def _write(self, stmt, params=None, rows: Iterable = ()) -> None: ...  # SqlRepository's

    def get_annotations(self, ann_ids: Sequence[uuid.UUID]) -> list[Annotation]:
        """The annotations (deleted ones too), in the order of ``ann_ids``."""
        found: dict[uuid.UUID, Annotation] = {}
        with self._conn() as conn:
            for i in range(0, len(ann_ids), IN_CHUNK):
                for row in conn.execute(select(A).where(A.c.id.in_(ann_ids[i : i + IN_CHUNK]))):
                    ann = annotation_of(row)
                    found[ann.id] = ann
        missing = [i for i in ann_ids if i not in found]
        if missing:
            raise NotFound(f"no annotation {missing[0]}")
        return [found[i] for i in ann_ids]

    def set_annotations_deleted(self, anns: Sequence[Annotation]) -> None:
        """Write each annotation's ``deleted`` and ``modified`` (nothing else of it changed)."""
        if anns:
            self._write(_SET_DELETED, [{"a_id": a.id, "a_deleted": a.deleted, "a_modified": a.modified} for a in anns], rows=list(anns))
