"""Entities by name, for linking a new mention without reading every entity.

A tag links its mention to the live entity of its kind whose name or an alias
has the same :func:`.matching.match_key` (case, spacing, hyphens and Arabic
harakat do not count). Reading all entities for that, per key press, made a
tag's cost grow with the corpus; the index reads them once, on the first
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


class EntityIndex:
    """Thread-safe: :meth:`warm` may build it on a worker thread while the
    first lookup waits for it."""

    def __init__(self, repo: Repository):
        self.repo = repo
        self._lock = threading.Lock()
        self._by_key: dict[tuple[LabelKind, str], uuid.UUID] | None = None
        self._keys: dict[uuid.UUID, list[tuple[LabelKind, str]]] = {}

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
        by_key: dict[tuple[LabelKind, str], uuid.UUID] = {}
        keys: dict[uuid.UUID, list[tuple[LabelKind, str]]] = {}
        for entity_id, kind, names in self.repo.entity_names():  # live ones, by name
            self._index(by_key, keys, entity_id, kind, names)
        self._by_key, self._keys = by_key, keys

    @staticmethod
    def _index(by_key, keys, entity_id: uuid.UUID, kind: LabelKind, names) -> None:
        mine = keys[entity_id] = []
        for name in names:
            key = (kind, match_key(name))
            if by_key.setdefault(key, entity_id) == entity_id:
                mine.append(key)

    def put(self, entity: Entity) -> None:
        """``entity`` as just committed. A new one is added; a changed or
        tombstoned one makes the index read everything again at the next
        lookup (rare, and a name it gave up may be another entity's too)."""
        with self._lock:
            if self._by_key is None:
                return  # not read yet: the first lookup reads it with the rest
            if entity.id in self._keys:
                self._by_key, self._keys = None, {}
            elif not entity.deleted:
                self._index(self._by_key, self._keys, entity.id, entity.kind, entity.names())

    def forget(self) -> None:
        """Read everything again at the next lookup."""
        with self._lock:
            self._by_key, self._keys = None, {}
