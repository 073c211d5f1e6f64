"""The desk's entities by id, read on a worker thread when a database opens.

With 20,000 entities the read takes a quarter of a second of Python (and
more beside the other loaders), and the window needs none of it to show its
document list. Until it is done, :meth:`EntityCache.get` reads the one
entity asked for (the annotation table's visible rows ask a few); anything
that wants them all, or changes them, waits for it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

from ..core.errors import NotFound
from ..core.model import Entity


class _Load:
    """One database's read: filled by its thread, then only read."""

    def __init__(self, repo, done: Callable[[], None]):
        self.repo, self.announce = repo, done
        self.done = threading.Event()
        self.entities: dict[uuid.UUID, Entity] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.entities = {e.id: e for e in self.repo.entities()}
        except BaseException as exc:  # noqa: BLE001 (given to whoever waits)
            self.error = exc
        finally:
            self.done.set()
            self.announce()


class EntityCache:
    def __init__(self, loaded: Callable[[], None] = lambda: None):
        """``loaded``: called on the reading thread once a read is done (a Qt signal's ``emit`` queues it to the window)."""
        self._load: _Load | None = None
        self._loaded = loaded

    def load(self, repo) -> None:
        """Read ``repo``'s live entities anew, on a thread (a new database, a merge, another writer's change)."""
        load = self._load = _Load(repo, self._loaded)
        threading.Thread(target=load.run, name="annotator-entity-cache", daemon=True).start()

    def clear(self) -> None:
        self._load = None

    def _ready(self) -> dict[uuid.UUID, Entity]:
        load = self._load
        if load is None:
            return {}
        load.done.wait()
        if load.error is not None:
            raise load.error
        return load.entities

    def get(self, entity_id: uuid.UUID) -> Entity | None:
        load = self._load
        if load is None:
            return None
        if load.done.is_set():
            return self._ready().get(entity_id)
        try:  # still reading: this one alone
            entity = load.repo.get_entity(entity_id)
        except NotFound:
            return None
        return None if entity.deleted else entity

    def all(self) -> dict[uuid.UUID, Entity]:
        """Every live entity by id (waits for the read)."""
        return self._ready()

    def ready(self) -> bool:
        return self._load is not None and self._load.done.is_set()

    def put(self, entity: Entity) -> None:
        """``entity`` as an edit just wrote it (a tombstone takes it out)."""
        entities = self._ready()
        if entity.deleted:
            entities.pop(entity.id, None)
        else:
            entities[entity.id] = entity
