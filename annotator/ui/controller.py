"""The GUI's single door to the database: a QObject over the core services.

Widgets never touch the store. They call the controller, which pushes a
``QUndoCommand`` (see :mod:`.commands`) whose redo/undo calls a core service
(one transaction each) and then announces the :class:`Change` through
signals, so every view redraws only what changed.
"""

from __future__ import annotations

import dataclasses
import os
import queue
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ..core.errors import AnnotatorError
from ..core import gazetteer
from ..core.claims import Claims
from ..core.entities import Entities
from ..core.operations import Operations, services_for
from ..core.suggestions import Suggestions, default_gazetteer
from ..core.grading import grading_code
from ..core.model import Annotation, Direction, Document, DocumentSummary, Entity, Label, LabelKind, SpanRow, SpanTable
from ..core.change import Change, Op
from ..core.sample import is_sample
from ..core.services import Desk, DocumentImport
from ..core.user import current_user
from ..io.documents import import_files
from ..store.sqlite.place_index import open_place_index
from . import commands
from .claim_choices import actor_named, claim_choices, near_actor_names, offered_actors
from .entity_cache import EntityCache
from .claim_editor import ClaimContext
from .controller_sharing import SharingMixin

if TYPE_CHECKING:
    from ..store.change_log import Changes
    from ..store.database import Database

# The store (SQLModel: SQLAlchemy and pydantic) is imported when a database is
# opened, not with the window: the desk draws the last document first (see
# annotator.store.sqlite.first_look and app.start_window).


def _warm(index) -> None:
    """Read the entity index ahead of the first tag. A failure here (the
    database closed meanwhile) costs nothing: the first lookup reads it."""
    try:
        index.warm()
    except Exception:  # noqa: BLE001, S110
        pass


def _typed(fields: dict) -> bool:
    """Fields an analyst types into (a note-like text), whose saves merge."""
    return set(fields) <= {"likelihood_note"}


# What another writer's commit to each table makes stale here (see DeskController.refresh);
# "*": the change log no longer says (pruned), so everything is.
ALL_TABLES = frozenset({"*"})
LIST_TABLES = frozenset({"*", "document", "annotation"})  # the document list: titles, counts
LABEL_TABLES = frozenset({"*", "label"})
ENTITY_TABLES = frozenset({"*", "entity", "annotation", "claim", "claim_subject"})  # names, mentions, sources
NAME_TABLES = frozenset({"*", "entity"})  # the suggestions' names


class SpanLoad(NamedTuple):
    """An open document's spans as :meth:`DeskController.load_spans` reads them."""

    rows: SpanTable  # live annotations, in text order
    fragments: dict[uuid.UUID, list[tuple[int, int]]]  # pieces of the discontinuous ones
    gradings: dict[uuid.UUID, str] | None  # Admiralty codes of the claims; None: read with the rows (SpanTable)
    prepared: object  # what the caller's ``prepare`` made of them (the reader: its highlight layer)


def ready_spans(rows: SpanTable, fragments: dict) -> Callable[..., Callable[[], SpanLoad]]:
    """A ``load_spans`` for spans already read (an empty document, the first look)."""

    def load(prepare: Callable[[SpanTable, dict], object] | None = None) -> Callable[[], SpanLoad]:
        loaded = SpanLoad(rows, fragments, None, prepare(rows, fragments) if prepare else None)
        return lambda: loaded

    return load


class DeskController(SharingMixin, QObject):
    databaseOpened = Signal(object)  # Path
    documentsChanged = Signal()
    documentOpened = Signal(object)  # Document | None
    changed = Signal(object)  # Change
    labelsChanged = Signal()
    entitiesChanged = Signal()
    _entitiesRead = Signal()  # from the entity cache's thread: queued to this one
    error = Signal(str)

    def __init__(self, parent: QObject | None = None, user: str | None = None, places=default_gazetteer):
        """``places``: the gazetteer places suggestions propose besides the known entities (None: none)."""
        super().__init__(parent)
        self.user = user or current_user()
        self._places = places
        self.suggestions: Suggestions | None = None
        self.db: Database | None = None
        self.desk: Desk | None = None
        self.entities: Entities | None = None
        self.claims: Claims | None = None
        self.operations: Operations | None = None
        self.undo_stack = QUndoStack(self)
        self.document: Document | None = None
        self._labels: list[Label] = []
        self._entities = EntityCache(self._entitiesRead.emit)
        self._entitiesRead.connect(self._entities_read)
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="annotator-load")
        self._builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="annotator-draw")
        self._pending: tuple[uuid.UUID, queue.SimpleQueue] | None = None  # the spans' read open_document started
        self._summaries: list[DocumentSummary] | None = None  # see document_summaries
        self._written: dict[uuid.UUID, Annotation] = {}  # the annotations the last change wrote, as written
        self._seen = 0  # the change log's position: where external_changes starts
        gazetteer.use_index(open_place_index)  # the place suggestions' names: a file in the user's cache

    # --- database ---------------------------------------------------------------

    def open_database(self, path: Path | None, checked: Callable[[], list[str] | None] | None = None) -> list[DocumentImport]:
        """Open (or create) a database; a new empty one receives the seed article.
        ``checked``: its quick check, started earlier (see the store's ``open_database``)."""
        from ..io.seeds import seed_if_empty
        from ..store.database import open_database

        db = open_database(path, checked=checked)
        if self.db is not None:
            self.db.close()
        self.db = db
        services = services_for(db.repo, self.user, self._places)
        self.desk, self.entities, self.claims = services.desk, services.entities, services.claims
        self.suggestions = services.suggestions
        self.operations = Operations(services, extra=self._conflict_operations())
        self.undo_stack.clear()
        self._seen = db.repo.change_position()
        self.document = None
        self._pending = None
        self._summaries = None
        self._labels = self.desk.ensure_tagset()
        # ANNOTATOR_NO_SEED=1 starts an empty database empty (tests, trainers).
        seeded = [] if os.environ.get("ANNOTATOR_NO_SEED") == "1" else seed_if_empty(self.desk)
        self.databaseOpened.emit(db.path)
        self.documentsChanged.emit()  # the list first, read while no other thread holds the interpreter
        # The entities and their index are read now, each on its own thread
        # (not the span loader's: the first document must not wait), so the
        # first tag does not.
        self._reload_entities()
        threading.Thread(target=_warm, args=(services.entities.index,), name="annotator-entities", daemon=True).start()
        self.labelsChanged.emit()
        self.entitiesChanged.emit()
        self.documentOpened.emit(None)
        return seeded

    def external_changes(self) -> Changes:
        """What other writers (another window, the CLI, their merges)
        committed since the last call or the opening: the desk's own edits
        and read-only commands never show here."""
        changes = self.repo.changes_since(self._seen)
        self._seen = changes.seq
        return changes

    def refresh(self, changes: Changes | None = None) -> None:
        """Re-read what another writer changed (everything, when ``changes``
        is None): labels, entities, the documents' counts."""
        tables = changes.tables if changes is not None else ALL_TABLES
        self._written = {}
        if tables & LIST_TABLES:
            self._summaries = None
        if tables & LABEL_TABLES:
            self._labels = self.repo.labels()
            self.labelsChanged.emit()
        if tables & ENTITY_TABLES:
            # The suggestions' scores count annotations; their names are the entities'.
            self.suggestions.forget(names=bool(tables & NAME_TABLES))
            self.entities.index.forget()
            self._reload_entities()
            self.entitiesChanged.emit()

    def close(self) -> None:
        self._loader.shutdown(wait=True)
        self._builder.shutdown(wait=True)
        if self.db is not None:
            self.db.close()
            self.db = None
            self.desk = self.entities = self.claims = self.operations = self.suggestions = None

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
        self._entities.load(self.repo)

    def entity_list(self, wait: bool = True) -> list[Entity]:
        """Every live entity; without ``wait``, none while being read (``entitiesChanged`` follows)."""
        return list(self._entities.all().values()) if wait or self._entities.ready() else []

    def _entities_read(self) -> None:
        if self.db is not None:
            self.entitiesChanged.emit()

    def label_for_kind(self, kind: LabelKind) -> Label | None:
        return next((lb for lb in self._labels if lb.kind is kind), None)

    def claim_columns(self) -> tuple[dict[uuid.UUID, str], dict[uuid.UUID, uuid.UUID]]:
        """The Admiralty code (e.g. ``B2``) of each graded claim in the open
        document, and the source entity of each claim that has one."""
        if self.document is None:
            return {}, {}
        rows = self.claims.claim_rows(self.document.id)
        codes = {ann_id: grading_code(c.reliability, c.credibility) for ann_id, c in rows.items()}
        return codes, {ann_id: c.source_entity_id for ann_id, c in rows.items() if c.source_entity_id is not None}

    def claim_context(self, spans: list[SpanRow], ann_id: uuid.UUID, source_id: uuid.UUID | None = None) -> ClaimContext:
        """Choices for the claim editor, from the open document's annotations
        (``source_id``: the claim's source, whose mentions are offered)."""
        text = self.document.text if self.document is not None else ""
        return claim_choices(self._actors_for(ann_id), self._entities.all(), self._labels, text, spans, ann_id, source_id)

    def _actors_for(self, ann_id: uuid.UUID) -> list[Entity]:
        """The actors a claim's source may be (the sample's only for the sample's claims)."""
        return offered_actors(self._entities.all().values(), is_sample(self.annotation(ann_id)))

    def _actor_named(self, ann_id: uuid.UUID, name: str) -> Entity | None:
        """The actor a claim's source named ``name`` is: looked up in the
        entity index (the analyst's actors), and for the sample's own claims
        among the sample's few actors too."""
        found = self.entities.index.find(LabelKind.ACTOR, name)
        if found is None and is_sample(self.annotation(ann_id)):
            found = actor_named((e for e in self._entities.all().values() if e.kind is LabelKind.ACTOR and is_sample(e)), name)
        return found

    def near_actor_names(self, ann_id: uuid.UUID, name: str) -> list[str]:
        return near_actor_names(self._actors_for(ann_id), name)

    def document_summaries(self) -> list[DocumentSummary]:
        """Every document with its counts per label kind. Kept between calls:
        an edit that adds or removes annotations adjusts the counts (see
        :meth:`apply`) instead of re-counting the whole database on each key
        press; anything else reads them again."""
        if self.db is None:
            return []
        if self._summaries is None:
            self._summaries = self.repo.document_summaries()
        return list(self._summaries)

    def _count_change(self, change: Change) -> bool:
        """Adjust the kept summaries for ``change``; False if they must be read again."""
        if self._summaries is None:
            return True
        if not (change.added or change.removed or change.updated or change.labels_changed or change.rows_of(Document)):
            return True  # nothing counted changed (a claim's grading, a conflict's mark)
        if change.updated or change.labels_changed or not (change.added or change.removed):
            return False  # a label or a document changed: count again
        if len(change.added) + len(change.removed) > 50:
            return False  # a bulk edit: one grouped count is cheaper
        kinds = {lb.id: lb.kind.value for lb in self._labels}
        summaries = {d.id: d for d in self._summaries}
        steps: dict[uuid.UUID, dict[str, int]] = {}
        written = {a.id: a for a in change.rows_of(Annotation)}
        for ann_ids, step in ((change.added, 1), (change.removed, -1)):
            for ann_id in ann_ids:
                ann = written.get(ann_id) or self.repo.get_annotation(ann_id)
                kind = kinds.get(ann.label_id)
                if kind is None or ann.document_id not in summaries or ann.deleted != (step < 0):
                    return False
                counts = steps.setdefault(ann.document_id, {})
                counts[kind] = counts.get(kind, 0) + step
        for doc_id, counts in steps.items():
            old = summaries[doc_id]
            new = dataclasses.replace(old, counts={k: old.counts.get(k, 0) + counts.get(k, 0) for k in old.counts.keys() | counts.keys()})
            self._summaries[self._summaries.index(old)] = new
        return True

    def annotations(self) -> list[SpanRow]:
        """The open document's live annotations, as light rows in text order."""
        if self.document is None:
            return []
        return self.repo.annotation_spans(self.document.id)

    def preload_gazetteer(self) -> None:
        """Open the offline gazetteer's index (built the first time ever, in
        seconds) on a thread, so the first location dialog shows suggestions at once."""
        if self.db is None:  # the window closed before the timer fired
            return
        # Its own daemon thread, not the span loader: a document opened meanwhile must not wait.
        threading.Thread(target=gazetteer.preload, name="annotator-gazetteer", daemon=True).start()

    def _read_spans(self, doc_id: uuid.UUID) -> Future:
        """Start reading the document's spans on the loader's thread; the
        future holds :meth:`~annotator.core.ports.Repository.document_spans`."""
        repo, reading = self.repo, threading.Event()

        def read():
            try:
                return repo.document_spans(doc_id, reading.set)
            finally:
                reading.set()

        future = self._loader.submit(read)
        # Let that thread reach SQLite before this one takes the GIL for long
        # stretches (PySide holds it through each Qt call): otherwise it gets
        # each of its few Python steps only when Python forces a switch.
        reading.wait(0.01)
        return future

    def load_spans(self, prepare: Callable[[SpanTable, dict], object] | None = None) -> Callable[[], SpanLoad]:
        """The open document's spans (and the pieces of its discontinuous
        ones); the returned function waits for them. They are read on the
        loader's thread from the moment the document is opened (see
        :meth:`open_document`): SQLite aggregates them without holding the
        GIL, beside the reading of the text and Qt taking it. ``prepare(rows,
        fragments)``, when given, runs on the builder's thread as soon as
        they are read (the reader makes its highlight layer there)."""
        if self.document is None:
            return ready_spans(SpanTable(), {})(prepare)
        doc_id = self.document.id
        pending, self._pending = self._pending, None
        read = pending[1] if pending is not None and pending[0] == doc_id else self._read_spans(doc_id)

        def build() -> SpanLoad:
            table, fragments = read.result()
            return SpanLoad(table, fragments, None, prepare(table, fragments) if prepare else None)  # gradings: read with the rows shown

        return self._builder.submit(build).result

    def annotation(self, ann_id: uuid.UUID) -> Annotation:
        """The annotation: as the last change wrote it, else from the database."""
        written = self._written.get(ann_id)
        return written if written is not None else self.repo.get_annotation(ann_id)

    # --- documents ---------------------------------------------------------------------

    def open_document(self, doc_id: uuid.UUID | None) -> None:
        self._pending = None
        if doc_id is None:
            self.document = None
        elif self.document is None or self.document.id != doc_id:
            self.document = self.repo.get_document(doc_id)
            # Its spans are read while the reader takes the text (not beside the read
            # of the text itself: every transaction holds the write lock, see store.sqlite).
            self._pending = (doc_id, self._read_spans(doc_id))
        else:
            return
        self.documentOpened.emit(self.document)

    def import_paths(self, paths: list[Path]) -> list[DocumentImport]:
        """Read every file first (a bad one stops all), then import them in one transaction."""
        results = import_files(self.desk, paths)
        self._summaries = None
        self.documentsChanged.emit()
        return results

    # --- edits (all undoable) ------------------------------------------------------------

    def _push(self, command: commands.OperationCommand) -> bool:
        self.undo_stack.push(command)
        if command.failure:
            self.error.emit(command.failure)
            return False
        return True

    def _do(self, text: str, operation: str, merge_key: tuple | None = None, /, **args) -> bool:
        return self._push(commands.OperationCommand(self, text, Op(operation, args, merge_key)))

    def tag(self, label_id: uuid.UUID, start: int, end: int) -> uuid.UUID | None:
        if self.document is None:
            return None
        label = self.label(label_id)
        ann_id = uuid.uuid4()
        done = self._do(f"Tag {label.name if label else 'span'}", "add_annotation",
                        doc_id=self.document.id, label_id=label_id, start=start, end=end, ann_id=ann_id)  # fmt: skip
        return ann_id if done else None

    def sample_annotation_ids(self) -> list[uuid.UUID]:
        return self.desk.sample_annotation_ids() if self.desk is not None else []

    def remove_sample(self, ann_ids: list[uuid.UUID]) -> bool:
        """Delete the sample's annotations (``sample_annotation_ids``) as one
        undoable edit; their entities go with them."""
        return bool(ann_ids) and self._do("Remove the sample", "delete_annotations", ann_ids=list(ann_ids))

    def delete(self, ann_ids: list[uuid.UUID]) -> bool:
        if not ann_ids:
            return False
        n = len(ann_ids)
        return self._do("Delete annotation" if n == 1 else f"Delete {n} annotations", "delete_annotations",
                        ann_ids=list(ann_ids))  # fmt: skip

    def set_label(self, ann_id: uuid.UUID, label_id: uuid.UUID) -> bool:
        return self._do("Change label", "update_annotation", ann_id=ann_id, fields={"label_id": label_id})

    def set_note(self, ann_id: uuid.UUID, note: str, session: int | None = None) -> bool:
        """One undo step per note and editing session: the saves made while
        typing carry the field's ``session`` number and merge; without one,
        each save is its own step."""
        key = ("note", ann_id, session) if session is not None else None
        return self._do("Edit note", "update_annotation", key, ann_id=ann_id, fields={"note": note})

    def set_direction(self, direction: Direction) -> bool:
        if self.document is None or self.document.direction == direction:
            return False
        text = "Right-to-left" if direction == Direction.RTL else "Left-to-right"
        return self._do(text, "set_direction", doc_id=self.document.id, direction=direction)

    # --- entities and claims (all undoable) ---------------------------------------------

    def edit_entity(self, entity_id: uuid.UUID, fields: dict) -> bool:
        entity = self.entity(entity_id)
        text = f"Edit {entity.name if entity else 'entity'}"
        return bool(fields) and self._do(text, "update_entity", entity_id=entity_id, fields=dict(fields))

    def merge_entities(self, entity_ids: list[uuid.UUID], fields: dict | None = None) -> bool:
        """Merge the others into the first; ``fields``: what it takes from them."""
        if len(entity_ids) < 2:
            return False
        target = self.entity(entity_ids[0])
        text = f"Merge {len(entity_ids) - 1} into {target.name if target else 'entity'}"
        return self._do(text, "merge_entities", target_id=entity_ids[0], source_ids=list(entity_ids[1:]), fields=fields or {})

    def edit_document(self, doc_id: uuid.UUID, fields: dict[str, str]) -> bool:
        """Change a document's metadata as one undoable edit (only fields that differ)."""
        doc = self.repo.get_document(doc_id)
        fields = {k: v for k, v in fields.items() if getattr(doc, k) != v}
        return bool(fields) and self._do("Edit document properties", "update_document", doc_id=doc_id, fields=fields)

    def import_annotation_file(self, doc_id: uuid.UUID, path: Path, fmt: str | None = None):
        """Import an annotation file into a document as one undoable edit;
        returns what the import did (None if it failed: the error was emitted)."""
        from ..io.interchange import import_annotation_file

        try:
            result = import_annotation_file(self.desk, doc_id, path, fmt)
        except (AnnotatorError, OSError, ValueError) as exc:
            self.error.emit(str(exc))
            return None
        report = result.report
        added = list(report.added)
        change = Change(document_id=doc_id, added=added, labels_changed=bool(report.labels_added),
                        entities_changed=bool(report.entities_added) or bool(added),
                        inverse=Op("delete_annotations", {"ann_ids": added}) if added else None)  # fmt: skip
        if report.labels_added:
            self._labels = self.repo.labels()
            self.labelsChanged.emit()
        self._push(commands.OperationCommand(self, f"Import annotations from {Path(path).name}", done=change))
        return result

    def tag_occurrences(self, entity_id: uuid.UUID, occurrences: list) -> bool:
        entity = self.entity(entity_id)
        label = self.label_for_kind(entity.kind) if entity else None
        if label is None or not occurrences:
            return False
        return self._do(f"Tag {len(occurrences)} occurrence(s)", "tag_occurrences",
                        entity_id=entity_id, label_id=label.id, occurrences=list(occurrences))  # fmt: skip

    GRADING = frozenset({"reliability", "credibility"})

    def set_claim_fields(self, ann_id: uuid.UUID, fields: dict, session: int | None = None) -> bool:
        """Consecutive grading keys on one claim undo as one step, and so do
        the saves of one editing ``session`` of its rationale (see set_note)."""
        if not fields:
            return False
        grading = set(fields) <= self.GRADING
        typed = _typed(fields) and session is not None
        key = ("grading", ann_id) if grading else ("claim", ann_id, tuple(sorted(fields)), session) if typed else None
        return self._do("Grade claim" if grading else "Edit claim", "set_claim_fields", key,
                        ann_id=ann_id, fields=dict(fields))  # fmt: skip

    def set_claim_source(self, ann_id: uuid.UUID, name: str, new: bool = False) -> bool:
        """The actor called ``name`` becomes the claim's source; ``new``: a new
        actor by that name is made (the analyst chose it)."""
        found = None if new else self._actor_named(ann_id, name)
        if found is not None:
            return self._do(f"Source: {found.name}", "set_claim_fields", ann_id=ann_id, fields={"source_entity_id": found.id})
        return self._do(f"Source: {name}", "set_claim_source", ann_id=ann_id, name=name)

    def set_claim_subjects(self, ann_id: uuid.UUID, entity_ids: list[uuid.UUID]) -> bool:
        return self._do("Change what the claim is about", "set_claim_subjects", ann_id=ann_id, entity_ids=list(entity_ids))

    def link_claims(self, from_id: uuid.UUID, to_id: uuid.UUID, relation: str) -> bool:
        return self._do(f"Link claims ({relation})", "link_claims", from_id=from_id, to_id=to_id, relation=relation)

    def unlink_claims(self, link_id: uuid.UUID) -> bool:
        return self._do("Remove claim link", "unlink_claims", link_id=link_id)

    def accept_suggestions(self, suggestions: list) -> bool:
        """Tag every suggestion (one edit, one undo)."""
        n = len(suggestions)
        return self._do(f"Accept {n} suggestion{'s' if n != 1 else ''}", "accept_suggestions", suggestions=list(suggestions))

    def reject_suggestions(self, suggestions: list) -> bool:
        """Never propose these again (one edit, one undo)."""
        n = len(suggestions)
        return self._do(f"Reject {n} suggestion{'s' if n != 1 else ''}", "reject_suggestions", suggestions=list(suggestions))

    # --- called by commands ------------------------------------------------------------------

    def apply(self, change: Change) -> None:
        """Announce a change, from the rows it carries (nothing just written
        is read again); bring its document to the front first (undo of an
        edit made in another document shows that document)."""
        self._written = {a.id: a for a in change.rows_of(Annotation)}
        if change.entities_changed:
            entities = change.rows_of(Entity)
            if entities:  # an edit that carries the entities it wrote: those rows are all that changed
                for entity in entities:
                    self._entities.put(entity)
            else:  # a merge, an import: they carry no entity rows; many moved
                self._reload_entities()
            self.entitiesChanged.emit()
        if change.document_id is not None and (self.document is None or self.document.id != change.document_id):
            self.open_document(change.document_id)
        elif self.document is not None and change.document_id == self.document.id:
            doc = next((d for d in change.rows_of(Document) if d.id == self.document.id), None)
            if doc is not None:
                self.document = doc
        counted = self._count_change(change)
        if not counted:
            self._summaries = None
        self.changed.emit(change)
        if not counted or change.rows_of(Document) or change.added or change.removed:
            self.documentsChanged.emit()
