"""The core's dataclasses to and from table rows: each field read from the
row by name (enums and lists restored), and a row's column values for an
insert or update."""

from __future__ import annotations

import uuid
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
