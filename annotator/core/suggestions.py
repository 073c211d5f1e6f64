"""The suggestions service: what :mod:`.suggest` proposes for a document,
from the database's entities, their tags and the analyst's rejections, and
the two edits over them, each one transaction with its inverse:

- ``accept_suggestions``: the suggestions become annotations linked to
  their entity (a gazetteer place first becomes a location entity, or the
  one of that name already known); undone by ``delete_annotations``, which
  lets such a new place go with its last tag (:mod:`.entity_life`).
- ``reject_suggestions``: each becomes a :class:`~.model.RejectedSuggestion`
  row, never proposed again; undone by ``set_rejections`` (a tombstone),
  redone by the same (revived).

The name automaton is built once (at the first suggestion, on the caller's
thread: the desk's worker) and kept current from the rows each edit's
:class:`~.change.Change` carries (:meth:`Suggestions.learned`).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import cache

from .change import Change, Op
from .entity_index import EntityIndex
from .errors import NotFound
from .model import Annotation, Document, Entity, LabelKind, RejectedSuggestion, now
from .ports import Repository
from .sample import SAMPLE_CREATOR
from .suggest import GAZETTEER_MIN_POPULATION, Known, NameAutomaton, Suggestion, SuggestionContext, gazetteer_names, suggest


@cache
def default_gazetteer() -> tuple[Known, ...]:
    """The gazetteer's places worth proposing, read once per process from the
    place index (:func:`.gazetteer.use_index`: a file built once, so the
    gazetteer's 180 MB of JSON is not read again); without one, from the
    gazetteer itself (1–2 s, and its memory)."""
    from . import gazetteer

    try:
        places = gazetteer.preload().prominent(GAZETTEER_MIN_POPULATION)
    except RuntimeError:  # no index in use (a script)
        places = gazetteer.searchable_places()
    return tuple(gazetteer_names(places))


class Suggestions:
    """``gazetteer``: the places proposed besides the entities (None: none)."""

    def __init__(self, repo: Repository, user: str, index: EntityIndex,
                 gazetteer: Callable[[], Sequence[Known]] | None = default_gazetteer):  # fmt: skip
        self.repo = repo
        self.user = user
        self.index = index
        self.gazetteer = gazetteer
        self._lock = threading.RLock()
        self._automaton: NameAutomaton | None = None
        self._counts: dict[uuid.UUID, dict[uuid.UUID, int]] | None = None

    # --- reading ------------------------------------------------------------------
    def automaton(self) -> NameAutomaton:
        with self._lock:
            if self._automaton is None:
                automaton = NameAutomaton()
                for place in self.gazetteer() if self.gazetteer is not None else ():
                    automaton.add(place)
                for entity_id, kind, names in self.repo.entity_names(except_creator=SAMPLE_CREATOR):
                    automaton.add_entity(entity_id, kind, names)
                self._automaton = automaton
            return self._automaton

    def context(self, doc_id: uuid.UUID) -> SuggestionContext:
        labels = sorted(self.repo.labels(), key=lambda lb: (lb.position, lb.name))
        by_kind: dict[LabelKind, uuid.UUID] = {}
        for lb in labels:
            if lb.kind.has_entity:
                by_kind.setdefault(lb.kind, lb.id)
        kinds = {lb.id: lb.kind for lb in self.repo.labels(include_deleted=True)}
        taken: dict[LabelKind, list[tuple[int, int]]] = {}
        for span in self.repo.annotation_spans(doc_id):
            kind = kinds.get(span.label_id)
            if kind is not None:
                taken.setdefault(kind, []).append((span.start, span.end))
        with self._lock:
            if self._counts is None:
                self._counts = self.repo.entity_label_counts()
            counts = self._counts
        rejected = {(r.start, r.end, r.label_id) for r in self.repo.rejections(doc_id)}
        return SuggestionContext(by_kind, {lb.id: lb.name for lb in labels if lb.kind.has_entity}, counts, taken, rejected)

    def for_document(self, doc_id: uuid.UUID, text: str) -> list[Suggestion]:
        """The document's suggestions, in text order (``text``: its canonical text)."""
        automaton = self.automaton()
        ctx = self.context(doc_id)
        with self._lock:
            return suggest(automaton, doc_id, text, ctx)

    def for_documents(self, ids: Sequence[uuid.UUID],
                      progress: Callable[[int, int, str], None] | None = None) -> Iterator[tuple[Document, list[Suggestion]]]:  # fmt: skip
        """Each document with its suggestions (its text read once); ``progress(done, total, title)``."""
        for i, doc_id in enumerate(ids):
            doc = self.repo.get_document(doc_id)
            if progress is not None:
                progress(i, len(ids), doc.title)
            yield doc, self.for_document(doc_id, doc.text)
        if progress is not None:
            progress(len(ids), len(ids), "")

    def for_corpus(self, progress: Callable[[int, int, str], None] | None = None) -> list[Suggestion]:
        """Every document's suggestions."""
        return [s for _doc, found in self.for_documents(self.repo.document_ids(), progress) for s in found]

    # --- keeping current ------------------------------------------------------------
    def learned(self, change: Change) -> None:
        """Keep the automaton and the scores current after an edit: new tags
        are counted in (no re-count of the corpus per tag); anything else
        that touched annotations has them counted again at the next suggestion."""
        annotations = change.rows_of(Annotation)
        with self._lock:
            if change.added and not (change.removed or change.updated) and self._counts is not None \
                    and {a.id for a in annotations} == set(change.added):  # fmt: skip
                for a in annotations:
                    if a.entity_id is not None and not a.deleted:
                        by_label = self._counts.setdefault(a.entity_id, {})
                        by_label[a.label_id] = by_label.get(a.label_id, 0) + 1
            elif annotations or change.added or change.removed or change.updated:
                self._counts = None
        with self._lock:
            if self._automaton is None:
                return
            entities = change.rows_of(Entity)
            if change.entities_changed and not entities:
                self._automaton = None  # a merge of databases: entities changed, rows not carried
                return
            for e in entities:
                if e.deleted or e.merged_into is not None or e.creator == SAMPLE_CREATOR:
                    self._automaton.remove_entity(e.id)
                else:
                    self._automaton.add_entity(e.id, e.kind, e.names())

    def forget(self, names: bool = True) -> None:
        """Read again at the next suggestion what changed elsewhere: the scores
        (another writer's tags), and with ``names`` the names too (its entities).
        Labels and rejections are read at every suggestion: nothing to forget."""
        with self._lock:
            if names:
                self._automaton = None
            self._counts = None

    # --- the edits --------------------------------------------------------------------
    def accept(self, suggestions: Sequence[Suggestion]) -> Change:
        """Tag every suggestion, in one transaction. One already tagged meanwhile
        (the same span and kind), of a label or entity gone meanwhile, is skipped."""
        labels = {lb.id: lb for lb in self.repo.labels()}
        kinds = {lb.id: lb.kind for lb in self.repo.labels(include_deleted=True)}
        stamp = now()
        rows: list[Annotation] = []
        new_places: list[Entity] = []
        with self.repo.transaction():
            tagged: dict[uuid.UUID, set[tuple[int, int, LabelKind]]] = {}
            live: dict[uuid.UUID, bool] = {}
            places: dict[str, uuid.UUID] = {}
            for sg in suggestions:
                label = labels.get(sg.label_id)
                if label is None or label.kind is not sg.kind:
                    continue
                spans = tagged.get(sg.document_id)
                if spans is None:
                    spans = tagged[sg.document_id] = {
                        (s.start, s.end, kinds.get(s.label_id)) for s in self.repo.annotation_spans(sg.document_id)
                    }  # type: ignore[misc]
                if (sg.start, sg.end, sg.kind) in spans:
                    continue
                entity_id = sg.known.entity_id
                if entity_id is None:
                    entity_id = self._place(sg.known, places, new_places, stamp)
                elif entity_id not in live:
                    live[entity_id] = self._is_live(entity_id)
                if entity_id is not None and not live.get(entity_id, True):
                    continue
                spans.add((sg.start, sg.end, sg.kind))
                rows.append(Annotation(document_id=sg.document_id, label_id=sg.label_id, start=sg.start, end=sg.end,
                                       exact=sg.exact, prefix=sg.prefix, suffix=sg.suffix, entity_id=entity_id,
                                       creator=self.user, created=stamp, modified=stamp))  # fmt: skip
            if new_places:
                self.repo.add_entities(new_places)
            self.repo.add_annotations(rows)
        for e in new_places:
            self.index.put(e)
        ids = [a.id for a in rows]
        change = Change(added=ids, rows=[*new_places, *rows], entities_changed=bool(new_places),
                        entities_added=[e.id for e in new_places], inverse=Op("delete_annotations", {"ann_ids": ids}))  # fmt: skip
        change.locate(rows)
        self.learned(change)
        return change

    def _is_live(self, entity_id: uuid.UUID) -> bool:
        try:
            e = self.repo.get_entity(entity_id)
        except NotFound:
            return False
        return not e.deleted

    def _place(self, known: Known, places: dict[str, uuid.UUID], new: list[Entity], stamp) -> uuid.UUID:
        """The location entity of a gazetteer place: the one of its name, or a new one."""
        found = places.get(known.entity_name) or self.index.find_id(LabelKind.LOCATION, known.entity_name)
        if found is None and known.name != known.entity_name:
            found = self.index.find_id(LabelKind.LOCATION, known.name)
        if found is None:
            entity = Entity(kind=LabelKind.LOCATION, name=known.entity_name,
                            aliases=[known.name] if known.name != known.entity_name else [],
                            latitude=known.latitude, longitude=known.longitude, country_code=known.country_code,
                            creator=self.user, created=stamp, modified=stamp)  # fmt: skip
            new.append(entity)
            found = entity.id
        places[known.entity_name] = found
        return found

    def reject(self, suggestions: Sequence[Suggestion]) -> Change:
        """Remember that the analyst said no to each: never proposed again."""
        stamp = now()
        rows = [
            RejectedSuggestion(document_id=sg.document_id, label_id=sg.label_id, start=sg.start, end=sg.end,
                               exact=sg.exact, entity_id=sg.known.entity_id, creator=self.user, created=stamp,
                               modified=stamp)  # fmt: skip
            for sg in suggestions
        ]
        return self._put(rows, deleted=False)

    def set_rejections(self, rows: Sequence[RejectedSuggestion], deleted: bool) -> Change:
        """Tombstone (undo) or revive (redo) rejections."""
        stamp = now()
        return self._put([replace(r, deleted=deleted, modified=stamp) for r in rows], deleted)

    def _put(self, rows: list[RejectedSuggestion], deleted: bool) -> Change:
        with self.repo.transaction():
            self.repo.put_rejections(rows)
        return Change(rows=list(rows), inverse=Op("set_rejections", {"rows": rows, "deleted": not deleted})).locate(rows)
