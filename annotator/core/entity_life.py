"""When an entity lives: while something refers to it.

An entity (an actor or a location) lives while a live mention, a live
claim's source or a live claim's subject refers to it, or while the analyst
keeps it (``Entity.kept``: made in the entity editor, or kept there). Every
operation that may take an entity's last reference away settles the
entities it touched in its own transaction (:meth:`EntityLife.settle`
tombstones the ones nothing refers to any more) and names them in its
inverse, which revives them first (:meth:`EntityLife.revive`): undo brings
back the entity with the tag. Merges settle the entities they touched the
same way, so a merged database holds no orphans either.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime

from .entity_index import EntityIndex
from .errors import NotFound
from .model import Entity
from .ports import Repository


class EntityLife:
    """Settles and revives entities inside the caller's transaction; the
    caller tells the index of the rows written (:meth:`learned`) once committed."""

    def __init__(self, repo: Repository, index: EntityIndex | None = None):
        self.repo = repo
        self.index = index

    def settle(self, entity_ids: Iterable[uuid.UUID | None], stamp: datetime) -> list[Entity]:
        """Tombstone each of these entities that is live, not kept and no
        longer referred to; returns the rows written."""
        return self._turn(entity_ids, stamp, lambda e: not e.deleted and not e.kept and not self.repo.entity_in_use(e.id))

    def revive(self, entity_ids: Iterable[uuid.UUID | None], stamp: datetime) -> list[Entity]:
        """Restore each of these entities that is tombstoned (and was not
        merged into another); returns the rows written."""
        return self._turn(entity_ids, stamp, lambda e: e.deleted and e.merged_into is None)

    def reconcile(self, entity_ids: Iterable[uuid.UUID | None], stamp: datetime) -> list[Entity]:
        """Each of these entities to the state its references say: a
        tombstoned one something refers to is restored, a live one nothing
        refers to is tombstoned (after a merge, which writes both sides'
        rows as they are); returns the rows written. Ids of no entity are skipped."""

        def wrong(e: Entity) -> bool:
            if e.merged_into is not None or e.kept and not e.deleted:
                return False
            return e.deleted == self.repo.entity_in_use(e.id)

        return self._turn(entity_ids, stamp, wrong, skip_missing=True)

    def _turn(self, entity_ids: Iterable[uuid.UUID | None], stamp: datetime, should: Callable[[Entity], bool],
              skip_missing: bool = False) -> list[Entity]:  # fmt: skip
        """Flip the tombstone of each distinct entity ``should`` says to; the rows written."""
        written = []
        for entity_id in dict.fromkeys(e for e in entity_ids if e is not None):
            try:
                entity = self.repo.get_entity(entity_id)
            except NotFound:
                if skip_missing:
                    continue
                raise
            if should(entity):
                written.append(replace(entity, deleted=not entity.deleted, modified=stamp))
                self.repo.update_entity(written[-1])
        return written

    def learned(self, rows: Iterable[Entity]) -> None:
        """After the commit: the index learns what was settled or revived."""
        if self.index is not None:
            for entity in rows:
                self.index.put(entity)


def ids_of(rows: Iterable[Entity]) -> list[uuid.UUID]:
    return [e.id for e in rows]
