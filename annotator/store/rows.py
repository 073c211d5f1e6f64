"""The core's dataclasses to and from table rows: each field read from the
row by name (enums and lists restored), and a row's column values for an
insert or update."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import fields

from ..core.model import (
    Annotation,
    AnnotationExtra,
    Claim,
    ClaimLink,
    ClaimSubject,
    Direction,
    Document,
    Entity,
    Label,
    LabelKind,
    RejectedSuggestion,
    SpanTable,
)

def _names(cls) -> list[str]:
    return [f.name for f in fields(cls)]


_DOC_FIELDS = _names(Document)
_LABEL_FIELDS = _names(Label)
_ENTITY_FIELDS = _names(Entity)
_ANN_FIELDS = _names(Annotation)
_CLAIM_FIELDS = _names(Claim)
_SUBJECT_FIELDS = _names(ClaimSubject)
_LINK_FIELDS = _names(ClaimLink)
_EXTRA_FIELDS = _names(AnnotationExtra)
_REJECTION_FIELDS = _names(RejectedSuggestion)


def document_of(row) -> Document:
    m = row._mapping
    d = {k: m[k] for k in _DOC_FIELDS}
    d["direction"] = Direction(d["direction"])
    return Document(**d)


def label_of(row) -> Label:
    m = row._mapping
    d = {k: m[k] for k in _LABEL_FIELDS}
    d["kind"] = LabelKind(d["kind"])
    return Label(**d)


def entity_of(row) -> Entity:
    m = row._mapping
    d = {k: m[k] for k in _ENTITY_FIELDS}
    d["kind"] = LabelKind(d["kind"])
    d["aliases"] = list(d["aliases"] or [])
    return Entity(**d)


def annotation_of(row) -> Annotation:
    m = row._mapping
    return Annotation(**{k: m[k] for k in _ANN_FIELDS})


def claim_of(row) -> Claim:
    m = row._mapping
    return Claim(**{k: m[k] for k in _CLAIM_FIELDS})


def subject_of(row) -> ClaimSubject:
    m = row._mapping
    return ClaimSubject(**{k: m[k] for k in _SUBJECT_FIELDS})


def link_of(row) -> ClaimLink:
    m = row._mapping
    return ClaimLink(**{k: m[k] for k in _LINK_FIELDS})


def extra_of(row) -> AnnotationExtra:
    m = row._mapping
    d = {k: m[k] for k in _EXTRA_FIELDS}
    d["value"] = dict(d["value"] or {})
    return AnnotationExtra(**d)


def rejection_of(row) -> RejectedSuggestion:
    m = row._mapping
    return RejectedSuggestion(**{k: m[k] for k in _REJECTION_FIELDS})


def as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def column_values(obj) -> dict:
    """The row's column values. A shallow read, not ``dataclasses.asdict``:
    the values go straight to the database (lists and dicts as JSON), so the
    deep copy ``asdict`` makes is not needed, and it was most of the time of
    a large import."""
    names = _FIELD_NAMES.get(type(obj))
    if names is None:
        names = _FIELD_NAMES[type(obj)] = tuple(f.name for f in fields(obj))
    d = {k: getattr(obj, k) for k in names}
    for k, v in d.items():
        if isinstance(v, (Direction, LabelKind)):
            d[k] = v.value
    return d


def span_columns(columns: tuple, load: Callable | None = None) -> tuple[SpanTable, dict[uuid.UUID, list[tuple[int, int]]]]:
    """A document's spans from the one row that aggregates them (count, then
    ids, label ids, starts and ends each joined by spaces, then the
    fragments as ``id:json`` joined by U+001E; see
    ``SqlRepository.document_spans``), as the reader draws them."""
    n, ids, labels, starts, ends, frags = columns
    if not n:
        return SpanTable(load=load), {}
    ids, labels = ids.split(" "), labels.split(" ")
    starts, ends = list(map(int, starts.split(" "))), list(map(int, ends.split(" ")))
    if not len(ids) == len(labels) == len(starts) == len(ends) == n:
        raise RuntimeError("document_spans: the columns read do not line up")
    if starts != sorted(starts):  # rows come in the index's order; if not, sort them
        order = sorted(range(n), key=starts.__getitem__)
        ids, labels, starts, ends = ([col[i] for i in order] for col in (ids, labels, starts, ends))
    if len(ids[0]) != 32 or "-" in ids[0]:  # a backend that spells UUIDs otherwise
        ids = [uuid.UUID(i).hex for i in ids]
    distinct = list(dict.fromkeys(labels))  # the few labels used, each row's as a small number
    number = {h: i for i, h in enumerate(distinct)}
    label_numbers = list(map(number.__getitem__, labels))
    used = [as_uuid(h) for h in distinct]
    table = SpanTable(ids, list(map(used.__getitem__, label_numbers)), starts, ends, load=load)
    table.labels_used = (used, label_numbers)
    fragments = {}
    for item in frags.split("\x1e") if frags else ():
        ann_id, _, f = item.partition(":")
        pieces = json.loads(f)
        if pieces:
            fragments[uuid.UUID(ann_id)] = [(int(s), int(e)) for s, e in pieces]
    return table, fragments
