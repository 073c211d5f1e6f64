"""W3C Web Annotation JSON (https://www.w3.org/TR/annotation-model/).

Reading accepts one annotation, a JSON array of them, or an
AnnotationCollection / AnnotationPage with embedded ``items``. A target is
anchored by its TextPositionSelector (code points, as here) and/or its
TextQuoteSelector; the label is the first ``tagging`` TextualBody, the note
the ``commenting`` ones, the entity an ``identifying`` one. Writing produces
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.canonical import canonical_from_string, decode, normalise_newlines, read_text_file
from ..core.entities import check_place
from ..core.errors import InputError
from ..core.grading import RELATIONS, grading_code, validate_claim_fields
from ..core.model import Claim, ClaimLink, ClaimSubject, Document, Entity, LabelKind
from ..core.offsets import Quote
from ..core.ports import Repository
from ..core.services import AnnotationDraft, ClaimDraft, EntityRef, LinkDraft

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
NAMESPACE = "https://annotator.invalid/ns#"
"""Annotator's own terms (``annotator:entity``, ``annotator:claim``); never fetched."""
ENTITY_KEY = "annotator:entity"
CLAIM_KEY = "annotator:claim"
UNTAGGED = "Untagged"
"""Label given to annotations that carry no tagging body."""

_URN = "urn:uuid:"
_MAX_PAGES = 10_000


# --- reading ------------------------------------------------------------------------


def read_w3c_file(path: Path | str) -> list[AnnotationDraft]:
    path = Path(path)
    return parse_w3c(read_text_file(path), str(path))


def parse_w3c(data: bytes | str, name: str) -> list[AnnotationDraft]:
    """Drafts for every annotation in ``data``; raises :class:`InputError` naming ``name``."""
    text = decode(data, name) if isinstance(data, bytes) else canonical_from_string(data)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise InputError(f"{name}: the JSON is nested too deeply") from None
    drafts = []
    for i, item in enumerate(_annotations(doc, name), 1):
        if not isinstance(item, dict):
            raise InputError(f"{name}: item {i} is not an annotation (a JSON object)")
        drafts.append(_Reader(name, i).draft(item))
    return drafts


def _types(obj: dict) -> set[str]:
    """The ``type`` of a JSON-LD object as a set (it may be a string or a list)."""
    t = obj.get("type", obj.get("@type"))
    if isinstance(t, str):
        return {t}
    return {x for x in t if isinstance(x, str)} if isinstance(t, list) else set()


def _annotations(doc: Any, name: str) -> list:
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict):
        types = _types(doc)
        if "items" in doc or "AnnotationPage" in types:
            return _page_items(doc, name)
        if "AnnotationCollection" in types or "first" in doc:
            first = doc.get("first")
            if first is None and doc.get("total") == 0:
                return []
            if not isinstance(first, dict):
                raise InputError(
                    f"{name}: the AnnotationCollection does not include its pages (only a link to them); "
                    "save it with its annotations embedded"
                )
            return _page_items(first, name)
        if "Annotation" in types or "target" in doc:
            return [doc]
    raise InputError(
        f"{name}: not W3C annotations (expected an annotation, a JSON array of them, "
        "an AnnotationCollection or an AnnotationPage)"
    )


def _page_items(page: dict, name: str) -> list:
    """Items of a page and of any embedded ``next`` pages."""
    items: list = []
    for _ in range(_MAX_PAGES):
        got = page.get("items", [])
        if not isinstance(got, list):
            raise InputError(f"{name}: the AnnotationPage's 'items' is not a list")
        items.extend(got)
        page = page.get("next")
        if not isinstance(page, dict):
            return items
    raise InputError(f"{name}: more than {_MAX_PAGES} annotation pages")


class _Reader:
    """Turns one annotation object into a draft; errors name the file and item."""

    def __init__(self, name: str, index: int):
        self.name = name
        self.index = index

    def fail(self, what: str) -> InputError:
        return InputError(f"{self.name}: item {self.index}: {what}")

    def draft(self, item: dict) -> AnnotationDraft:
        raw_id = item.get("id", item.get("@id"))
        where = f"item {self.index}" + (f" ({raw_id})" if isinstance(raw_id, str) and raw_id else "")
        draft = AnnotationDraft(
            label=UNTAGGED,
            id=self.uuid(raw_id),
            creator=self.creator(item.get("creator")),
            created=self.time(item, "created"),
            modified=self.time(item, "modified"),
            source_line=where,
        )
        self.bodies(item, draft)
        self.target(item.get("target"), draft)
        draft.claim = self.claim(item.get(CLAIM_KEY))
        return draft

    def uuid(self, raw: Any) -> uuid.UUID | None:
        if not isinstance(raw, str) or not raw.lower().startswith(_URN):
            return None  # other ids (http://…, #…) are not ours to keep; a new UUID is made
        try:
            return uuid.UUID(raw[len(_URN) :])
        except ValueError:
            raise self.fail(f"id {raw!r} is not a valid urn:uuid") from None

    def required_uuid(self, raw: Any, what: str) -> uuid.UUID:
        found = self.uuid(raw)
        if found is None:
            raise self.fail(f"{what} must be a urn:uuid (got {raw!r})")
        return found

    def text_field(self, obj: dict, key: str, default: str = "", where: str = "") -> str:
        value = obj.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(f"{where}{key} must be text (got {value!r})")
        return value

    @staticmethod
    def creator(raw: Any) -> str:
        if isinstance(raw, list):
            raw = raw[0] if raw else ""
        if isinstance(raw, dict):
            raw = raw.get("name") or raw.get("nickname") or raw.get("id") or ""
        return raw.strip() if isinstance(raw, str) else ""

    def time(self, item: dict, key: str) -> datetime | None:
        raw = item.get(key)
        if raw is None:
            return None
        try:
            dt = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            dt = None
        if dt is None:
            raise self.fail(f"{key} {raw!r} is not an ISO 8601 date-time")
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)

    # bodies -----------------------------------------------------------------

    def bodies(self, item: dict, draft: AnnotationDraft) -> None:
        motivation = item.get("motivation") if isinstance(item.get("motivation"), str) else None
        raw = item.get("body", [])
        bodies = list(raw) if isinstance(raw, list) else [raw]
        if isinstance(item.get("bodyValue"), str):
            bodies.append({"type": "TextualBody", "value": item["bodyValue"]})
        tags: list[str] = []
        notes: list[str] = []
        for body in bodies:
            if isinstance(body, dict) and "Choice" in _types(body):  # alternatives: the first is the default
                items = body.get("items")
                body = items[0] if isinstance(items, list) and items else None
            if self.identifying(body, motivation, draft):
                continue
            value, purpose = self.textual(body, motivation)
            if value is None:
                continue
            if purpose == "tagging":
                if value.strip():
                    tags.append(value.strip())
            elif purpose == "identifying":
                draft.entity_name = draft.entity_name or value.strip()
            elif value:
                notes.append(value)
        if tags:
            draft.label = tags[0]
        if len(tags) > 1:  # keep the extra tags visible rather than dropping them
            notes.append("Also tagged: " + ", ".join(tags[1:]))
        draft.note = "\n\n".join(notes)

    @staticmethod
    def purpose(body: dict, motivation: str | None) -> str | None:
        purpose = body.get("purpose")
        if isinstance(purpose, list):
            purpose = purpose[0] if purpose else None
        return purpose if isinstance(purpose, str) else motivation

    def identifying(self, body: Any, motivation: str | None, draft: AnnotationDraft) -> bool:
        """Read an identifying resource body (the entity); False for any other body."""
        if not isinstance(body, dict) or "TextualBody" in _types(body) or "value" in body:
            return False
        source = body.get("source", body.get("id"))
        if self.purpose(body, motivation) != "identifying" or not isinstance(source, str):
            return False
        if draft.entity_id is not None or draft.entity_name:
            return True  # the first identifying body names the entity
        name = self.text_field(body, "name", where="the identifying body's ").strip()
        draft.entity_id = self.uuid(source)  # another IRI (a gazetteer's, Wikidata's) links by name only
        draft.entity_name = name
        if ENTITY_KEY in body:
            if draft.entity_id is None:
                raise self.fail(f"an identifying body with {ENTITY_KEY} needs a urn:uuid source (got {source!r})")
            draft.entity = self.entity_record(body[ENTITY_KEY], draft.entity_id, name)
        return True

    def entity_record(self, raw: Any, entity_id: uuid.UUID, name: str) -> Entity:
        if not isinstance(raw, dict):
            raise self.fail(f"{ENTITY_KEY} must be an object")
        where = f"{ENTITY_KEY} "
        try:
            kind = LabelKind(raw.get("kind"))
        except ValueError:
            kind = None
        if kind is None or not kind.has_entity:
            raise self.fail(f"{where}kind must be actor or location (got {raw.get('kind')!r})")
        aliases = raw.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise self.fail(f"{where}aliases must be a list of names")
        if not name:
            raise self.fail(f"the entity {entity_id} has no name")
        lat, lon = raw.get("latitude"), raw.get("longitude")
        try:
            lat, lon, code = check_place(lat, lon, self.text_field(raw, "countryCode", where=where))
        except InputError as exc:
            raise self.fail(f"{where}{exc}") from None
        created = self.time(raw, "created")
        return Entity(
            id=entity_id,
            kind=kind,
            name=name,
            type=self.text_field(raw, "type", where=where),
            aliases=list(aliases),
            note=self.text_field(raw, "note", where=where),
            latitude=lat,
            longitude=lon,
            country_code=code,
            creator=self.creator(raw.get("creator")),
            **({"created": created, "modified": self.time(raw, "modified") or created} if created else {}),
        )

    def entity_ref(self, raw: Any, what: str) -> EntityRef:
        if isinstance(raw, str):
            found = self.uuid(raw)
            return EntityRef(found) if found else EntityRef(name=raw.strip())
        if not isinstance(raw, dict):
            raise self.fail(f"{what} must be an object with an id and a name")
        ref = EntityRef(self.uuid(raw.get("id")), self.text_field(raw, "name", where=f"{what}'s ").strip())
        if ref.id is None and not ref.name:
            raise self.fail(f"{what} needs a urn:uuid id or a name")
        if ENTITY_KEY in raw:
            if ref.id is None:
                raise self.fail(f"{what} with {ENTITY_KEY} needs a urn:uuid id")
            ref.record = self.entity_record(raw[ENTITY_KEY], ref.id, ref.name)
        return ref

    def claim(self, raw: Any) -> ClaimDraft | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise self.fail(f"{CLAIM_KEY} must be an object")
        where = f"{CLAIM_KEY} "
        row_keys = ("id", "source", "sourceMention", "reliability", "credibility", "likelihood", "likelihoodNote", "stance")
        c = ClaimDraft(stored=any(k in raw for k in row_keys))
        c.id = self.uuid(raw.get("id"))
        if raw.get("source") is not None:
            c.source = self.entity_ref(raw["source"], "the claim's source")
        if raw.get("sourceMention") is not None:
            c.source_annotation_id = self.required_uuid(raw["sourceMention"], "the claim's sourceMention")
        c.reliability = self.text_field(raw, "reliability", "F", where)
        c.credibility = self.text_field(raw, "credibility", "6", where)
        c.likelihood = self.text_field(raw, "likelihood", "", where)
        c.likelihood_note = self.text_field(raw, "likelihoodNote", "", where)
        c.stance = self.text_field(raw, "stance", "asserted", where)
        try:
            validate_claim_fields(c.reliability, c.credibility, c.likelihood, c.stance)
        except InputError as exc:
            raise self.fail(f"{where}{exc}") from None
        about = raw.get("about", [])
        links = raw.get("links", [])
        if not isinstance(about, list) or not isinstance(links, list):
            raise self.fail(f"{where}about and links must be lists")
        c.about = [self.entity_ref(a, "an entity the claim is about") for a in about]
        for link in links:
            if not isinstance(link, dict):
                raise self.fail(f"{where}each link must be an object")
            relation = link.get("relation")
            if relation not in RELATIONS:
                raise self.fail(f"{where}link relation must be one of {', '.join(RELATIONS)} (got {relation!r})")
            target = self.required_uuid(link.get("target"), "a link's target")
            c.links.append(LinkDraft(target, relation, self.uuid(link.get("id"))))
        c.creator = self.creator(raw.get("creator"))
        c.created = self.time(raw, "created")
        c.modified = self.time(raw, "modified")
        return c

    def textual(self, body: Any, motivation: str | None) -> tuple[str | None, str | None]:
        """(value, purpose) of a textual body; (None, None) for anything else."""
        if isinstance(body, str):
            if ":" in body and not any(c.isspace() for c in body):
                return None, None  # an IRI: an external resource, not text
            return body, motivation
        if not isinstance(body, dict) or ("TextualBody" not in _types(body) and "value" not in body):
            return None, None
        value = body.get("value", "")
        if not isinstance(value, str):
            raise self.fail("a TextualBody's value must be text")
        return value, self.purpose(body, motivation)

    # targets ----------------------------------------------------------------

    def target(self, raw: Any, draft: AnnotationDraft) -> None:
        if raw is None:
            draft.problem = "the annotation has no target"
            return
        seen: list[str] = []
        for target in raw if isinstance(raw, list) else [raw]:
            selectors = target.get("selector") if isinstance(target, dict) else None
            if selectors is None:
                continue
            for sel in selectors if isinstance(selectors, list) else [selectors]:
                if isinstance(sel, dict):
                    self.selector(sel, draft, seen)
            if draft.quote is not None or draft.start is not None:
                return  # the first target with a text selector is the one anchored
        if seen:
            draft.problem = f"no TextPositionSelector or TextQuoteSelector (only {', '.join(sorted(set(seen)))})"
        else:
            draft.problem = "the target has no selector (it refers to a whole resource, not to text)"

    def selector(self, sel: dict, draft: AnnotationDraft, seen: list[str], refined: bool = False) -> None:
        types = _types(sel)
        if "TextPositionSelector" in types:
            if refined:
                return  # counts inside the outer selection (a fragment), not in the whole text
            start, end = sel.get("start"), sel.get("end")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
                raise self.fail(f"TextPositionSelector start and end must be whole numbers (got {start!r}, {end!r})")
            draft.start, draft.end = start, end
        elif "TextQuoteSelector" in types:
            parts = [sel.get(k, "") for k in ("exact", "prefix", "suffix")]
            if not all(isinstance(v, str) for v in parts) or not parts[0]:
                raise self.fail("TextQuoteSelector needs a non-empty 'exact' and text prefix/suffix")
            draft.quote = Quote(*(normalise_newlines(v) for v in parts))
        else:
            seen.extend(types or {"an untyped selector"})
            inner = sel.get("refinedBy")
            for sub in inner if isinstance(inner, list) else [inner]:
                if isinstance(sub, dict):
                    self.selector(sub, draft, seen, refined=True)


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
    } | _stamps(e)


class _Writer:
    """Reads what one document's export needs, a query per kind of row."""

    def __init__(self, repo: Repository, doc: Document):
        self.repo = repo
        self.doc = doc
        self.labels = {lb.id: lb for lb in repo.labels(include_deleted=True)}
        self.annotations = list(repo.annotations(doc.id))
        self.identified = {a.entity_id for a in self.annotations if a.entity_id is not None}
        self.claims = repo.claims_for_document(doc.id)
        self.subjects = repo.claim_subjects_for_document(doc.id)
        self.links: dict[uuid.UUID, list[ClaimLink]] = {}
        for link in repo.claim_links_for_document(doc.id):
            self.links.setdefault(link.from_annotation_id, []).append(link)
        self._entities: dict[uuid.UUID, Entity] = {}
        self._live: dict[uuid.UUID, bool] = {a.id: True for a in self.annotations}

    def entity(self, entity_id: uuid.UUID) -> Entity:
        if entity_id not in self._entities:
            self._entities[entity_id] = self.repo.get_entity(entity_id)
        return self._entities[entity_id]

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
    return [writer.annotation_json(ann) for ann in writer.annotations]


def w3c_json(repo: Repository, doc: Document) -> str:
    """:func:`export_w3c` as UTF-8-ready JSON text (non-ASCII kept as is)."""
    return json.dumps(export_w3c(repo, doc), ensure_ascii=False, indent=2) + "\n"
