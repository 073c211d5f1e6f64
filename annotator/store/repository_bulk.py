"""The repository's writes of many annotations at once (a mixin of
:class:`~annotator.store.repository.SqlRepository`): an undo of 10,000
accepted suggestions is one read and one executemany, not 10,000 of each."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, update

from ..core.errors import NotFound
from ..core.model import Annotation
from .rows import annotation_of
from .tables import AnnotationRow

if TYPE_CHECKING:
    from sqlalchemy import Connection

A = AnnotationRow.__table__
_CHUNK = 500  # ids per IN (…): well under every engine's limit on bound parameters
_SET_DELETED = (
    update(A)
    .where(A.c.id == bindparam("a_id", type_=A.c.id.type))
    .values(deleted=bindparam("a_deleted", type_=A.c.deleted.type), modified=bindparam("a_modified", type_=A.c.modified.type))
)  # built once


class BulkAnnotations:
    _local: threading.local

    def _conn(self) -> AbstractContextManager[Connection]: ...  # SqlRepository's

    def get_annotations(self, ann_ids: Sequence[uuid.UUID]) -> list[Annotation]:
        """The annotations (deleted ones too), in the order of ``ann_ids``."""
        found: dict[uuid.UUID, Annotation] = {}
        with self._conn() as conn:
            for i in range(0, len(ann_ids), _CHUNK):
                for row in conn.execute(select(A).where(A.c.id.in_(ann_ids[i : i + _CHUNK]))):
                    ann = annotation_of(row)
                    found[ann.id] = ann
        missing = [i for i in ann_ids if i not in found]
        if missing:
            raise NotFound(f"no annotation {missing[0]}")
        return [found[i] for i in ann_ids]

    def set_annotations_deleted(self, anns: Sequence[Annotation]) -> None:
        """Write each annotation's ``deleted`` and ``modified`` (nothing else of it changed)."""
        if not anns:
            return
        with self._conn() as conn:
            touched = getattr(self._local, "touched", None)
            if touched is None:
                raise RuntimeError("write outside a transaction")
            conn.execute(_SET_DELETED, [{"a_id": a.id, "a_deleted": a.deleted, "a_modified": a.modified} for a in anns])
            touched.rows(A.name, list(anns))
