"""Reading W3C Web Annotation JSON into drafts: the file's collections and
pages, then each annotation's bodies, entities and claims (see :mod:`.w3c`
for the model and the terms Annotator adds). The checks against the Web
Annotation Data Model are in :mod:`.w3c_checks`, the anchoring selectors in
:mod:`.w3c_selections`. ``parse_w3c`` and ``read_w3c_file`` are re-exported
by :mod:`.w3c`."""

from __future__ import annotations

import json
import sys
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core.bulk import paused_gc
from ..core.canonical import canonical_from_string, decode
from ..core.entities import check_place
from ..core.errors import InputError
from ..core.grading import RELATIONS, validate_claim_fields
from ..core.label_names import control_problem
from ..core.model import Entity, LabelKind
from ..core.services import AnnotationDraft, ClaimDraft, EntityRef, LinkDraft
from .limits import read_text_limited
from .w3c_checks import AnnotationChecks, parse_time, parse_time_text
from .w3c_plain import ONE_TAG, PLAIN_KEYS, plain_body, plain_target
from .w3c_rules import (
    ANNO_CONTEXTS,
    ANNOTATION_TYPES,
    MAX_PAGES,
    SETS,
    SURROGATE_ESCAPE,
    check_context,
    context_ok,
    show,
    types_of,
)
from .w3c_selections import TargetSelections
from .w3c_terms import ANNO_CONTEXT, CLAIM_KEY, ENTITY_KEY, MOTIVATIONS, UNTAGGED
from .w3c_terms import NOT_IRI as _NOT_IRI
from .w3c_terms import URN_UUID as _URN

# --- reading ------------------------------------------------------------------------
#
# Refused (InputError, the whole file, nothing written): what the Web
# Annotation Data Model forbids — a wrong @context, a missing or wrong type,
# an id that is not one IRI, the same id twice, a target or body of the wrong
# kind, a TextualBody without one text value, a bad motivation or purpose,
# dates that are not one ISO 8601 date-time, negative or reversed positions, a
# FragmentSelector without one value, selectors refined more than 16 deep —
# half a UTF-16 surrogate pair in any text but a quote, a control character in
# a label (a tagging body's value: core.label_names), and a file in which
# nothing targets text (images, whole pages, CSS, XPath or SVG selections only;
# a collection or page that links to pages it does not include).
# An orphan (reported, the rest imported): what Annotator can read but not
# anchor — no target, a whole resource, no text selector, a position counted
# inside a fragment plain text cannot resolve, a position past the end, a
# quote not in the text, a quote with half a surrogate pair inside it.
# Tolerated, as real tools write it (and named when the annotation is refused
# for something else): no @context on an annotation that targets text, both
# body and bodyValue, a bare word as a body (kept as the note), a creator
# given as a bare name, half a surrogate pair at the outer edge of a quote's
# prefix or suffix (a context cut by a tool counting UTF-16 units: dropped).
# A refinement (refinedBy) selects within what it refines; see _Reader.selector.


def read_w3c_file(path: Path | str) -> list[AnnotationDraft]:
    path = Path(path)
    return parse_w3c(read_text_limited(path), str(path))


def parse_w3c(data: bytes | str, name: str) -> list[AnnotationDraft]:
    """Drafts for every annotation in ``data``; raises :class:`InputError` naming ``name``."""
    with paused_gc():  # a large file is a great many small objects and no cycles (see core.bulk)
        return _parse_w3c(data, name)


def _parse_w3c(data: bytes | str, name: str) -> list[AnnotationDraft]:
    text = decode(data, name) if isinstance(data, bytes) else canonical_from_string(data)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: not valid JSON ({_json_problem(exc)})") from None
    except RecursionError:
        raise InputError(f"{name}: the JSON is nested too deeply") from None
    except ValueError:  # an integer longer than Python reads (sys.get_int_max_str_digits)
        raise InputError(
            f"{name}: not usable JSON: a number in it has more than {sys.get_int_max_str_digits()} digits"
        ) from None
    surrogates = bool(SURROGATE_ESCAPE.search(text))  # only a \u escape can make half a pair
    drafts: list[AnnotationDraft] = []
    texty = False
    any_context = False
    ids: dict[Any, int] = {}
    plain = _Reader(name, 0)  # reads the plain ones, one after another (its state is set when it reads one)
    for i, (item, inherited) in enumerate(_annotations(doc, name), 1):
        if not isinstance(item, dict):
            raise InputError(f"{name}: item {i} is not an annotation (a JSON object)")
        draft = None
        if not surrogates:
            plain.index, plain.has_context = i, inherited
            try:
                draft = plain.plain(item)
            except InputError:  # the full reader says why, as it always has
                draft = None
        if draft is None:
            reader = _Reader(name, i, inherited, surrogates)
            draft = reader.draft(item)
        else:
            reader = plain
        key = draft.id if draft.id is not None else reader.raw_id
        if key is not None and ids.setdefault(key, i) != i:
            raise InputError(f"{name}: item {i} has the same id as item {ids[key]} ({reader.raw_id})")
        if bad_label := control_problem(draft.label):
            raise InputError(f"{name}: {draft.source_line}: {bad_label}")
        texty = texty or reader.texty
        any_context = any_context or reader.has_context
        drafts.append(draft)
    if drafts and not texty:
        raise InputError(_nothing_textual(name, drafts, any_context))
    return drafts


def _json_problem(exc: json.JSONDecodeError) -> str:
    """Where and what: ``line 3, column 5: …``; a trailing comma is named as such."""
    doc, pos = exc.doc, exc.pos
    before = pos - 1
    while before >= 0 and doc[before] in " \t\n\r":
        before -= 1
    closing = "}" if exc.msg.startswith("Expecting property name") else "]" if exc.msg == "Expecting value" else ""
    if 0 <= before and doc[before] == "," and pos < len(doc) and closing and doc[pos] == closing:
        line = doc.count("\n", 0, before) + 1
        column = before - (doc.rfind("\n", 0, before) + 1) + 1
        return f"line {line}, column {column}: a comma before the closing {doc[pos]!r}; JSON allows no trailing comma"
    return f"line {exc.lineno}, column {exc.colno}: {exc.msg}"


def _nothing_textual(name: str, drafts: list[AnnotationDraft], any_context: bool) -> str:
    first = drafts[0]
    what = "its annotation does not" if len(drafts) == 1 else f"none of its {len(drafts)} annotations does"
    lead = f"{name}: nothing to import: {what} target text"
    if not any_context:
        lead = f'{name}: no @context (W3C annotations declare "@context": "{ANNO_CONTEXT}") and {what} target text'
    return f"{lead} — {first.source_line}: {first.problem}"


def _annotations(doc: Any, name: str) -> list[tuple[Any, bool]]:
    """The annotations of a file, each with whether its container declared the @context."""
    if isinstance(doc, list):
        return [(item, False) for item in doc]
    if isinstance(doc, dict):
        types = types_of(doc)
        if "items" in doc or "AnnotationPage" in types:
            return _page_items(doc, name, check_context(doc, "", name))
        if "AnnotationCollection" in types or "first" in doc:
            ctx = check_context(doc, "", name)
            first = doc.get("first")
            if first is None and doc.get("total") == 0:
                return []
            if not isinstance(first, dict):
                raise InputError(
                    f"{name}: the AnnotationCollection does not include its pages (only a link to them); "
                    "save it with its annotations embedded"
                )
            return _page_items(first, name, ctx)
        if "Annotation" in types or "target" in doc:
            return [(doc, False)]
        if not doc:
            raise InputError(f"{name}: an empty JSON object, not an annotation (it has no type and no target)")
    raise InputError(
        f"{name}: not W3C annotations (expected an annotation, a JSON array of them, "
        "an AnnotationCollection or an AnnotationPage)"
    )


def _page_items(page: dict, name: str, context: bool) -> list[tuple[Any, bool]]:
    """Items of a page and of any embedded ``next`` pages."""
    items: list[tuple[Any, bool]] = []
    for n in range(1, MAX_PAGES + 1):
        ctx = check_context(page, f"page {n}: ", name) or context
        got = page.get("items", [])
        if not isinstance(got, list):
            raise InputError(f"{name}: the AnnotationPage's 'items' is not a list")
        items.extend((item, ctx) for item in got)
        nxt = page.get("next")
        if nxt is None:
            return items
        if not isinstance(nxt, dict):
            raise InputError(
                f"{name}: page {n} links to the next page ({show(nxt)}) without including it; "
                "save the collection with all its pages embedded"
            )
        page = nxt
    raise InputError(f"{name}: more than {MAX_PAGES} annotation pages")


class _Reader(AnnotationChecks, TargetSelections):
    """Turns one annotation object into a draft; errors name the file and item."""

    def __init__(self, name: str, index: int, inherited_context: bool = False, surrogates: bool = False):
        self.name = name
        self.index = index
        self.has_context = inherited_context
        self.surrogates = surrogates  # the file has \\uD800-\\uDFFF escapes: look for half pairs
        self.raw_id: str | None = None
        self.texty = False  # the annotation has a text selector (anchorable or not)
        self.problems: list[str] = []

    def fail(self, what: str) -> InputError:
        return InputError(f"{self.name}: item {self.index}: {what}")

    def draft(self, item: dict) -> AnnotationDraft:
        self.check(item)
        raw_id = item.get("id", item.get("@id"))
        self.raw_id = raw_id if isinstance(raw_id, str) else None
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

    # the plain shape, read directly -------------------------------------------------

    def plain(self, item: dict) -> AnnotationDraft | None:
        """The draft of an annotation of the plain shape nearly every file is
        made of, or None for anything else, which :meth:`draft` reads.

        Plain: only the keys of :data:`.w3c_plain.PLAIN_KEYS`, each of one simple kind —
        one ``type`` string, one motivation, a creator given as a name or an
        object, times, TextualBody bodies (or identifying SpecificResources)
        with one text value, and one target object (optionally a
        SpecificResource with an IRI source) whose selectors are
        TextPositionSelectors and TextQuoteSelectors without refinements.
        For such an annotation every rule :meth:`check` applies is checked
        here, in the same terms, and the draft is the one :meth:`draft` makes
        (``tests/test_w3c_plain.py`` compares the two); at the first thing
        that is not plain or not allowed, None: :meth:`draft` then reads the
        annotation and names every problem as it always has. Nothing of the
        reader's state changes unless a draft is returned. The file must have
        no surrogate escapes (the caller checks; see :meth:`check_surrogates`).
        """
        if not item.keys() <= PLAIN_KEYS:
            return None
        get = item.get
        if "@context" in item:
            ctx = item["@context"]
            if not (ctx in ANNO_CONTEXTS if type(ctx) is str else context_ok(ctx)):
                return None
        raw_id = get("id")
        if raw_id is not None and not (type(raw_id) is str and raw_id and not _NOT_IRI.search(raw_id)):
            return None
        kind = get("type")
        if type(kind) is not str or kind not in ANNOTATION_TYPES:
            return None
        motivation = get("motivation")
        if motivation is not None and not (type(motivation) is str and (motivation in MOTIVATIONS or ":" in motivation)):
            return None
        creator = get("creator")
        if "creator" in item and type(creator) is not str and type(creator) is not dict:
            return None
        created = modified = None  # present, even as null, they must be date-times
        if "created" in item:
            created = parse_time_text(item["created"]) if type(item["created"]) is str else ""
            if type(created) is str:
                return None
        if "modified" in item:
            modified = parse_time_text(item["modified"]) if type(item["modified"]) is str else ""
            if type(modified) is str:
                return None
        target = get("target")
        selection = plain_target(target) if type(target) is dict else None
        if selection is None:
            return None
        start, end, quote = selection
        uid = None
        if raw_id is not None and raw_id.lower().startswith(_URN):  # (as uuid() reads it)
            try:
                uid = uuid.UUID(raw_id[len(_URN) :])
            except ValueError:
                return None  # (draft() says so)
        if type(creator) is dict:  # (as creator() reads it)
            creator = creator.get("name") or creator.get("nickname") or creator.get("id") or ""
        draft = AnnotationDraft(
            label=UNTAGGED,
            start=start,
            end=end,
            quote=quote,
            id=uid,
            creator=creator.strip() if type(creator) is str else "",
            created=created,
            modified=modified,
            source_line=f"item {self.index} ({raw_id})" if raw_id else f"item {self.index}",
        )
        if "body" in item:
            body = item["body"]
            if type(body) is list and len(body) == 1 and type(body[0]) is dict and body[0].keys() == ONE_TAG:
                body = body[0]  # the commonest of all: one tag (checked and read as plain_bodies does)
                value = body["value"]
                if body["type"] != "TextualBody" or body["purpose"] != "tagging" or type(value) is not str:
                    return None
                tag = value.strip()
                if tag:
                    draft.label = tag
            elif not self.plain_bodies(body if type(body) is list else [body], motivation, draft):
                return None
        claim = get(CLAIM_KEY)
        if claim is not None:
            draft.claim = self.claim(claim)
        self.raw_id = raw_id
        self.texty = True
        self.has_context = self.has_context or "@context" in item
        return draft

    def plain_bodies(self, bodies: list, motivation: str | None, draft: AnnotationDraft) -> bool:
        """:meth:`bodies` for bodies of the plain shape, each one checked as
        :meth:`check_body` would (see :func:`.w3c_plain.plain_body`); False at the first
        that is not plain (the draft is then thrown away)."""
        texts: list[tuple[str, str | None]] = []
        for body in bodies:
            if not plain_body(body):
                return False
            if body["type"] != "TextualBody":  # an identifying SpecificResource
                self.identifying(body, motivation, draft)  # (any other purpose: not text, nothing to read)
                continue
            texts.append((body["value"], body.get("purpose", motivation)))
        _take_texts(draft, texts)
        return True

    def uuid(self, raw: Any) -> uuid.UUID | None:
        if not isinstance(raw, str) or not raw.lower().startswith(_URN):
            return None  # other ids (http://…, #…) are not ours to keep; a new UUID is made
        try:
            return uuid.UUID(raw[len(_URN) :])
        except ValueError:
            raise self.fail(f"id {show(raw)} is not a valid urn:uuid") from None

    def required_uuid(self, raw: Any, what: str) -> uuid.UUID:
        found = self.uuid(raw)
        if found is None:
            raise self.fail(f"{what} must be a urn:uuid (got {show(raw)})")
        return found

    def text_field(self, obj: dict, key: str, default: str = "", where: str = "") -> str:
        value = obj.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(f"{where}{key} must be text (got {show(value)})")
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
        found = parse_time(raw)
        if isinstance(found, str):
            raise self.fail(f"{key} {show(raw)} {found}")
        return found

    # bodies -----------------------------------------------------------------

    def bodies(self, item: dict, draft: AnnotationDraft) -> None:
        motivation = item.get("motivation")
        motivation = motivation[0] if isinstance(motivation, list) and motivation else motivation
        motivation = motivation if isinstance(motivation, str) else None
        raw = item.get("body", [])
        bodies = list(raw) if isinstance(raw, list) else [raw]
        if isinstance(item.get("bodyValue"), str):
            bodies.append({"type": "TextualBody", "value": item["bodyValue"]})
        texts: list[tuple[str, str | None]] = []
        for body in _flat_bodies(bodies):
            if self.identifying(body, motivation, draft):
                continue
            value, purpose = self.textual(body, motivation)
            if value is not None:
                texts.append((value, purpose))
        _take_texts(draft, texts)

    @staticmethod
    def purpose(body: dict, motivation: str | None) -> str | None:
        purpose = body.get("purpose")
        if isinstance(purpose, list):
            purpose = purpose[0] if purpose else None
        return purpose if isinstance(purpose, str) else motivation

    def identifying(self, body: Any, motivation: str | None, draft: AnnotationDraft) -> bool:
        """Read an identifying resource body (the entity); False for any other body."""
        if not isinstance(body, dict) or "TextualBody" in types_of(body) or "value" in body:
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
                raise self.fail(f"an identifying body with {ENTITY_KEY} needs a urn:uuid source (got {show(source)})")
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
            raise self.fail(f"{where}kind must be actor or location (got {show(raw.get('kind'))})")
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
        kept = raw.get("kept", False)
        if not isinstance(kept, bool):
            raise self.fail(f"{where}kept must be true or false")
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
            kept=kept,
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
                raise self.fail(f"{where}link relation must be one of {', '.join(RELATIONS)} (got {show(relation)})")
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
        if not isinstance(body, dict) or ("TextualBody" not in types_of(body) and "value" not in body):
            return None, None
        value = body.get("value", "")
        if not isinstance(value, str):
            raise self.fail("a TextualBody's value must be text")
        return value, self.purpose(body, motivation)

def _take_texts(draft: AnnotationDraft, texts: list[tuple[str, str | None]]) -> None:
    """What the textual bodies say, as (value, purpose): the first tagging
    value is the label (further ones are kept in the note, never dropped), an
    identifying value names the entity, any other value is part of the note."""
    tags: list[str] = []
    notes: list[str] = []
    for value, purpose in texts:
        if purpose == "tagging":
            if value.strip():
                tags.append(value.strip())
        elif purpose == "identifying":
            draft.entity_name = draft.entity_name or value.strip()
        elif value:
            notes.append(value)
    if tags:
        draft.label = tags[0]
    if len(tags) > 1:
        notes.append("Also tagged: " + ", ".join(tags[1:]))
    draft.note = "\n\n".join(notes)


def _flat_bodies(bodies: list) -> list:
    """Bodies in order with sets opened: a Choice gives its first item (the
    default), a List, Composite or Independents all of its items (depth checked)."""
    out: list = []
    stack = list(reversed(bodies))
    while stack:
        body = stack.pop()
        types = types_of(body) if isinstance(body, dict) else set()
        items = body.get("items") if isinstance(body, dict) else None
        if "Choice" in types and isinstance(items, list):
            stack.extend(items[:1])
        elif types & set(SETS) and isinstance(items, list):
            stack.extend(reversed(items))
        else:
            out.append(body)
    return out

