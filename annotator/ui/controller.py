"""The GUI's single door to the database: a QObject over the core services.

Widgets never touch the store. They call the controller, which pushes a
``QUndoCommand`` (see :mod:`.commands`) whose redo/undo calls a core service
(one transaction each) and then announces the :class:`Change` through
signals, so every view redraws only what changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ..core.errors import AnnotatorError
from ..core.model import Annotation, Direction, Document, DocumentSummary, Entity, Label, SpanRow
from ..core.services import Change, Desk, DocumentImport
from ..core.user import current_user
from ..io.documents import load_document_file
from ..io.seeds import seed_if_empty
from ..store.database import Database, open_database
from . import commands


class DeskController(QObject):
    databaseOpened = Signal(object)  # Path
    documentsChanged = Signal()
    documentOpened = Signal(object)  # Document | None
    changed = Signal(object)  # Change
    labelsChanged = Signal()
    error = Signal(str)

    def __init__(self, parent: QObject | None = None, user: str | None = None):
        super().__init__(parent)
        self.user = user or current_user()
        self.db: Database | None = None
        self.desk: Desk | None = None
        self.undo_stack = QUndoStack(self)
        self.document: Document | None = None
        self._labels: list[Label] = []
        self._entities: dict[uuid.UUID, Entity] = {}
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="annotator-load")

    # --- database ---------------------------------------------------------------

    def open_database(self, path: Path | None) -> list[DocumentImport]:
        """Open (or create) a database; a new empty one receives the seed article."""
        db = open_database(path)
        if self.db is not None:
            self.db.close()
        self.db = db
        self.desk = Desk(db.repo, self.user)
        self.undo_stack.clear()
        self.document = None
        self._labels = self.desk.ensure_tagset()
        seeded = seed_if_empty(self.desk)
        self._reload_entities()
        self.databaseOpened.emit(db.path)
        self.labelsChanged.emit()
        self.documentsChanged.emit()
        self.documentOpened.emit(None)
        return seeded

    def close(self) -> None:
        self._loader.shutdown(wait=True)
        if self.db is not None:
            self.db.close()
            self.db = None
            self.desk = None

    @property
    def repo(self):
        if self.db is None:
            raise AnnotatorError("no database is open")
        return self.db.repo

    # --- reads (for views) ------------------------------------------------------------

    def labels(self) -> list[Label]:
        return self._labels

    def label(self, label_id: uuid.UUID) -> Label | None:
        return next((lb for lb in self._labels if lb.id == label_id), None)

    def entity(self, entity_id: uuid.UUID | None) -> Entity | None:
        return self._entities.get(entity_id) if entity_id else None

    def _reload_entities(self) -> None:
        self._entities = {e.id: e for e in self.repo.entities()}

    def document_summaries(self) -> list[DocumentSummary]:
        return self.repo.document_summaries() if self.db else []

    def annotations(self) -> list[SpanRow]:
        """The open document's live annotations, as light rows in text order."""
        if self.document is None:
            return []
        return self.repo.annotation_spans(self.document.id)

    def load_spans(self) -> Callable[[], list[SpanRow]]:
        """Start loading the open document's spans on a worker thread; the
        returned function waits for them. SQLite and the row building run
        while Qt lays out the text (PySide releases the GIL in C++ calls)."""
        if self.document is None:
            return list
        future = self._loader.submit(self.repo.annotation_spans, self.document.id)
        return future.result

    def annotation(self, ann_id: uuid.UUID) -> Annotation:
        return self.repo.get_annotation(ann_id)

    # --- documents ---------------------------------------------------------------------

    def open_document(self, doc_id: uuid.UUID | None) -> None:
        if doc_id is None:
            self.document = None
        elif self.document is None or self.document.id != doc_id:
            self.document = self.repo.get_document(doc_id)
        else:
            return
        self.documentOpened.emit(self.document)

    def import_paths(self, paths: list[Path]) -> list[DocumentImport]:
        """Load every file first (so a bad one stops all), then import them."""
        loaded = [load_document_file(p) for p in paths]
        results = [
            self.desk.import_document(
                ld.text,
                ld.title,
                source=ld.source,
                url=ld.url,
                published=ld.published,
                language=ld.language,
                filename=ld.filename,
                description=ld.description,
            )
            for ld in loaded
        ]
        self.documentsChanged.emit()
        return results

    # --- edits (all undoable) ------------------------------------------------------------

    def _push(self, command: commands.DeskCommand) -> bool:
        self.undo_stack.push(command)
        if command.failure:
            self.error.emit(command.failure)
            return False
        return True

    def tag(self, label_id: uuid.UUID, start: int, end: int) -> uuid.UUID | None:
        if self.document is None:
            return None
        cmd = commands.AddAnnotation(self, self.document.id, label_id, start, end)
        return cmd.ann_id if self._push(cmd) else None

    def delete(self, ann_ids: list[uuid.UUID]) -> bool:
        if not ann_ids:
            return False
        return self._push(commands.DeleteAnnotations(self, ann_ids))

    def set_label(self, ann_id: uuid.UUID, label_id: uuid.UUID) -> bool:
        return self._push(commands.UpdateAnnotation(self, ann_id, label_id=label_id))

    def set_note(self, ann_id: uuid.UUID, note: str) -> bool:
        return self._push(commands.UpdateAnnotation(self, ann_id, note=note))

    def set_direction(self, direction: Direction) -> bool:
        if self.document is None or self.document.direction == direction:
            return False
        return self._push(commands.SetDirection(self, self.document.id, direction))

    # --- called by commands ------------------------------------------------------------------

    def apply(self, change: Change) -> None:
        """Announce a change; bring its document to the front first (undo of an
        edit made in another document shows that document)."""
        if change.entities_changed:
            self._reload_entities()
        if change.document_id is not None and (self.document is None or self.document.id != change.document_id):
            self.open_document(change.document_id)
        elif self.document is not None and change.document_id == self.document.id and not (
            change.added or change.removed or change.updated
        ):
            self.document = self.repo.get_document(self.document.id)
        self.changed.emit(change)
        self.documentsChanged.emit()
