"""W3C Web Annotation JSON (https://www.w3.org/TR/annotation-model/).

Reading accepts one annotation, a JSON array of them, or an
AnnotationCollection / AnnotationPage with embedded ``items``. A target is
anchored by its TextPositionSelector (code points, as here) and/or its
TextQuoteSelector, also inside a SpecificResource, a refinedBy chain, a list
or Choice of selectors and a Choice/List/Composite/Independents of targets
(the first that selects text); the label is the first ``tagging``
TextualBody, the note the ``commenting`` ones, the entity an ``identifying``
one. What is refused and what becomes an orphan is listed under "reading". Writing produces
a JSON array of annotations with both selectors, which reading accepts back
unchanged (same UUIDs, spans, labels, notes, creators and times).

Entities and claims travel in the W3C model where it has a place for them,
and in Annotator's own terms, prefixed ``annotator:``, where it does not:

* the entity is an ``identifying`` body, ``{"type": "SpecificResource",
  "source": "urn:uuid:<entity>", "name": …}``, carrying the full record in
  ``"annotator:entity"`` (kind, type, aliases, note, coordinates, country);
* the claim's details are ``"annotator:claim"`` on the annotation: its row id,
  source entity and source mention, Admiralty reliability and credibility
  (``grading`` repeats them as one code for readers; it is not read back),
  ICD 203 likelihood and note, stance, what it is ``about`` and its ``links``
  (corroborates / contradicts) to other claim annotations. A source or
  subject that no annotation of the file identifies carries its own
  ``"annotator:entity"`` record, so nothing about it is lost.

The ``annotator`` prefix is declared in the ``@context`` as
``https://annotator.invalid/ns#``: an IRI under the ``.invalid`` top-level
domain, reserved never to resolve (RFC 2606), so it names the vocabulary
without pointing anywhere. Nothing here uses the network.
"""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TextIO

from ..core.grading import grading_code
from ..core.model import Claim, ClaimLink, ClaimSubject, Document, Entity
from ..core.ports import Repository
from .w3c_reader import parse_w3c, read_w3c_file  # noqa: F401  (the reading half, re-exported)
from .w3c_terms import ANNO_CONTEXT, CLAIM_KEY, ENTITY_KEY, NAMESPACE, UNTAGGED  # noqa: F401  (re-exported)
from .w3c_terms import URN_UUID as _URN


# --- writing ------------------------------------------------------------------------


def iso(dt: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``: ``2025-06-01T09:30:00.123456Z``."""
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _textual(purpose: str, value: str) -> dict:
    return {"type": "TextualBody", "purpose": purpose, "value": value}


def context() -> list:
    """The ``@context`` of every annotation written: the W3C one plus Annotator's prefix."""
    return [ANNO_CONTEXT, {"annotator": NAMESPACE}]


def _person(name: str) -> dict:
    return {"type": "Person", "name": name}


def _stamps(row) -> dict:
    out: dict[str, Any] = {"creator": _person(row.creator)} if row.creator else {}
    return out | {"created": iso(row.created), "modified": iso(row.modified)}


def entity_json(e: Entity) -> dict:
    """The ``annotator:entity`` record (the id and name sit beside it)."""
    return {
        "kind": e.kind.value,
        "type": e.type,
        "aliases": list(e.aliases),
        "note": e.note,
        "latitude": e.latitude,
        "longitude": e.longitude,
        "countryCode": e.country_code,
    } | ({"kept": True} if e.kept else {}) | _stamps(e)  # kept: without mentions, by the analyst's choice


class _Writer:
    """Reads what one document's export needs, a query per kind of row; the
    annotations themselves are read as they are written (:meth:`rows`)."""

    ENTITY_CACHE = 4096  # entities kept at once, the most recently used (a mention repeats nearby)

    def __init__(self, repo: Repository, doc: Document):
        self.repo = repo
        self.doc = doc
        self.labels = {lb.id: lb for lb in repo.labels(include_deleted=True)}
        self.claims = repo.claims_for_document(doc.id)
        self.subjects = repo.claim_subjects_for_document(doc.id)
        self.links: dict[uuid.UUID, list[ClaimLink]] = {}
        for link in repo.claim_links_for_document(doc.id):
            self.links.setdefault(link.from_annotation_id, []).append(link)
        self._entities: OrderedDict[uuid.UUID, Entity] = OrderedDict()
        # Of the entities the claims name, those an annotation here identifies (the
        # others carry their record), and which link targets are live annotations
        # here: one pass over the annotations, keeping none of them.
        named = {c.source_entity_id for c in self.claims.values() if c.source_entity_id is not None}
        named.update(s.entity_id for subjects in self.subjects.values() for s in subjects)
        targets = {ln.to_annotation_id for links in self.links.values() for ln in links}
        self.identified: set[uuid.UUID] = set()
        self._live: dict[uuid.UUID, bool] = {}
        if named or targets:
            for a in self.rows():
                if a.entity_id in named:
                    self.identified.add(a.entity_id)
                if a.id in targets:
                    self._live[a.id] = True

    def rows(self) -> Iterator:
        """The document's live annotations in text order, read a batch at a time."""
        return self.repo.stream_annotations(self.doc.id)

    def entity(self, entity_id: uuid.UUID) -> Entity:
        cache = self._entities
        found = cache.get(entity_id)
        if found is None:
            found = cache[entity_id] = self.repo.get_entity(entity_id)
            if len(cache) > self.ENTITY_CACHE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(entity_id)
        return found

    def live(self, ann_id: uuid.UUID) -> bool:
        if ann_id not in self._live:
            self._live[ann_id] = not self.repo.get_annotation(ann_id).deleted
        return self._live[ann_id]

    def entity_ref(self, entity_id: uuid.UUID) -> dict:
        e = self.entity(entity_id)
        ref: dict[str, Any] = {"id": f"{_URN}{e.id}", "name": e.name}
        if e.id not in self.identified:  # no identifying body carries its record
            ref[ENTITY_KEY] = entity_json(e)
        return ref

    def claim_json(self, ann_id: uuid.UUID) -> dict | None:
        claim: Claim | None = self.claims.get(ann_id)
        subjects: list[ClaimSubject] = self.subjects.get(ann_id, [])
        links = [ln for ln in self.links.get(ann_id, []) if self.live(ln.to_annotation_id)]
        if claim is None and not subjects and not links:
            return None
        out: dict[str, Any] = {}
        if claim is not None:
            out = {
                "id": f"{_URN}{claim.id}",
                "source": self.entity_ref(claim.source_entity_id) if claim.source_entity_id else None,
                "sourceMention": f"{_URN}{claim.source_annotation_id}" if claim.source_annotation_id else None,
                "reliability": claim.reliability,
                "credibility": claim.credibility,
                "grading": grading_code(claim.reliability, claim.credibility),
                "likelihood": claim.likelihood,
                "likelihoodNote": claim.likelihood_note,
                "stance": claim.stance,
            }
        about = sorted({s.entity_id for s in subjects}, key=lambda i: (self.entity(i).name.casefold(), str(i)))
        out["about"] = [self.entity_ref(i) for i in about]
        out["links"] = [
            {"id": f"{_URN}{ln.id}", "relation": ln.relation, "target": f"{_URN}{ln.to_annotation_id}"}
            for ln in sorted(links, key=lambda ln: (ln.relation, str(ln.to_annotation_id), str(ln.id)))
        ]
        if claim is not None:
            out |= _stamps(claim)
        return out

    def annotation_json(self, ann) -> dict:
        body: list[dict] = [_textual("tagging", self.labels[ann.label_id].name)]
        if ann.entity_id is not None:
            e = self.entity(ann.entity_id)
            body.append(
                {
                    "type": "SpecificResource",
                    "purpose": "identifying",
                    "source": f"{_URN}{e.id}",
                    "name": e.name,
                    ENTITY_KEY: entity_json(e),
                }
            )
        if ann.note:
            body.append(_textual("commenting", ann.note))
        quote = {"type": "TextQuoteSelector", "exact": ann.exact}
        if ann.prefix:
            quote["prefix"] = ann.prefix
        if ann.suffix:
            quote["suffix"] = ann.suffix
        anno: dict[str, Any] = {
            "@context": context(),
            "id": f"{_URN}{ann.id}",
            "type": "Annotation",
            "motivation": "tagging",
        }
        if ann.creator:
            anno["creator"] = _person(ann.creator)
        anno |= {
            "created": iso(ann.created),
            "modified": iso(ann.modified),
            "body": body,
            "target": {
                "source": f"{_URN}{self.doc.id}",
                "selector": [{"type": "TextPositionSelector", "start": ann.start, "end": ann.end}, quote],
            },
        }
        claim = self.claim_json(ann.id)
        if claim is not None:
            anno[CLAIM_KEY] = claim
        return anno


def export_w3c(repo: Repository, doc: Document) -> list[dict]:
    """The document's live annotations as W3C annotations (a JSON-ready list)."""
    writer = _Writer(repo, doc)
    return [writer.annotation_json(ann) for ann in writer.rows()]


def w3c_json(repo: Repository, doc: Document) -> str:
    """:func:`export_w3c` as UTF-8-ready JSON text (non-ASCII kept as is)."""
    return json.dumps(export_w3c(repo, doc), ensure_ascii=False, indent=2) + "\n"


def write_w3c(repo: Repository, doc: Document, fh: TextIO) -> None:
    """Write :func:`w3c_json`'s text to ``fh``, one annotation at a time.

    The same characters, without the annotations, the list and its JSON in
    memory at once (400,000 annotations make a 600 MB file). ``json.dumps``
    indents an array's items two spaces deeper than an item alone, and JSON
    text has no line break but the indentation's (a string's is ``\\n``), so
    each item is dumped alone and its lines shifted."""
    writer = _Writer(repo, doc)
    encode = json.JSONEncoder(ensure_ascii=False, indent=2).encode  # what json.dumps makes per call
    separator = "[\n  "
    for ann in writer.rows():
        fh.write(separator)
        fh.write(encode(writer.annotation_json(ann)).replace("\n", "\n  "))
        separator = ",\n  "
    fh.write("[]\n" if separator.startswith("[") else "\n]\n")
