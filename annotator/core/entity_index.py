"""Entities by name, for linking a new mention without reading every entity.

A tag links its mention to the live entity of its kind whose name or an alias
has the same :func:`.matching.match_key` (case, spacing, hyphens and Arabic
harakat do not count), never to one of the sample's (:mod:`.sample`).
Reading all entities for that, per key press, made a tag's cost grow with
the corpus; the index reads them once, on the first
lookup, and is then kept current by the operations that write entities
(:meth:`put` after their transaction commits). Anything else that writes
entities (an import, a merge, another process) makes its owner call
:meth:`forget`, and the next lookup reads them again.
"""

from __future__ import annotations

import threading
import uuid

from .matching import match_key
from .model import Entity, LabelKind
from .ports import Repository
from .sample import SAMPLE_CREATOR, is_sample


class EntityIndex:
    """Thread-safe: :meth:`warm` may build it on a worker thread while the
    first lookup waits for it."""

    def __init__(self, repo: Repository):
        self.repo = repo
        self._lock = threading.Lock()
        self._by_key: dict[tuple[LabelKind, str], uuid.UUID] | None = None
        self._keys: dict[uuid.UUID, list[tuple[LabelKind, str]]] = {}
        self._shadowed: set[tuple[LabelKind, str]] = set()  # keys more than one live entity has

    def warm(self) -> None:
        """Read the entities now (at open, off the GUI thread), not at the first tag."""
        with self._lock:
            if self._by_key is None:
                self._build()

    def find_id(self, kind: LabelKind, name: str) -> uuid.UUID | None:
        """The live entity of ``kind`` named (or aliased) ``name``; the first
        by name order when several share a key, as a scan would find."""
        key = (kind, match_key(name))
        with self._lock:
            if self._by_key is None:
                self._build()
            return self._by_key.get(key)  # type: ignore[union-attr]

    def find(self, kind: LabelKind, name: str) -> Entity | None:
        found = self.find_id(kind, name)
        return self.repo.get_entity(found) if found is not None else None

    def _build(self) -> None:
        self._by_key, self._keys, self._shadowed = {}, {}, set()
        for entity_id, kind, names in self.repo.entity_names(except_creator=SAMPLE_CREATOR):  # live ones, by name
            self._index(entity_id, kind, names)

    def _index(self, entity_id: uuid.UUID, kind: LabelKind, names) -> None:
        mine = self._keys[entity_id] = []
        for name in names:
            key = (kind, match_key(name))
            if self._by_key.setdefault(key, entity_id) == entity_id:  # type: ignore[union-attr]
                mine.append(key)
            else:
                self._shadowed.add(key)

    def put(self, entity: Entity) -> None:
        """``entity`` as just committed. A new (or restored) one is added; a
        tombstoned one (an undone tag, a last mention deleted: everyday
        edits) gives up its names; a changed one, or a tombstoned one whose
        name another entity shares, makes the index read everything again
        at the next lookup (rare)."""
        with self._lock:
            if self._by_key is None or is_sample(entity):
                return  # not read yet: the first lookup reads it with the rest; the sample's: never
            if entity.deleted:
                mine = self._keys.pop(entity.id, None)
                if mine is not None and self._shadowed.isdisjoint(mine):
                    for key in mine:
                        del self._by_key[key]
                elif mine is not None:
                    self._by_key = None
            elif entity.id in self._keys:
                self._by_key = None
            else:
                self._index(entity.id, entity.kind, entity.names())

    def forget(self) -> None:
        """Read everything again at the next lookup."""
        with self._lock:
            self._by_key = None
