"""Reading W3C Web Annotation JSON into drafts: the checks against the Web
Annotation Data Model and the anchoring selectors (see :mod:`.w3c` for the
model and the terms Annotator adds). ``parse_w3c`` and ``read_w3c_file``
are re-exported there."""

from __future__ import annotations

import json
import re
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core.bulk import paused_gc
from ..core.canonical import canonical_from_string, decode, normalise_newlines
from ..core.entities import check_place
from ..core.errors import InputError
from ..core.grading import RELATIONS, validate_claim_fields
from ..core.label_names import control_problem
from ..core.model import Entity, LabelKind
from ..core.offsets import CONTEXT, Quote
from ..core.services import AnnotationDraft, ClaimDraft, EntityRef, LinkDraft
from .limits import read_text_limited
from .w3c_plain import ONE_TAG, PLAIN_KEYS, plain_body, plain_target
from .w3c_terms import ANNO_CONTEXT, CLAIM_KEY, ENTITY_KEY, MOTIVATIONS, UNTAGGED
from .w3c_terms import NOT_IRI as _NOT_IRI
from .w3c_terms import URN_UUID as _URN

_MAX_PAGES = 10_000
_MAX_DEPTH = 16
"""Deepest nesting of refinedBy selectors and of Choice/List/Composite sets read."""
_MAX_PROBLEMS = 4
"""Problems named in one message about one annotation (the rest are summed up)."""

ANNO_CONTEXTS = frozenset({ANNO_CONTEXT, "https://www.w3.org/ns/anno.jsonld"})
_SETS = ("Choice", "Composite", "List", "Independents")
_TEXT_OR_CHOICE = frozenset({"TextPositionSelector", "TextQuoteSelector", "Choice"})
_DIRECTIONS = ("ltr", "rtl", "auto")
_ANNOTATION_TYPES = frozenset({"Annotation", "oa:Annotation", "http://www.w3.org/ns/oa#Annotation"})
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")



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
    surrogates = bool(_SURROGATE_ESCAPE.search(text))  # only a \u escape can make half a pair
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


def _types(obj: dict) -> set[str]:
    """The ``type`` of a JSON-LD object as a set (it may be a string or a list)."""
    t = obj.get("type", obj.get("@type"))
    if isinstance(t, str):
        return {t}
    return {x for x in t if isinstance(x, str)} if isinstance(t, list) else set()


def _context_ok(ctx: Any) -> bool:
    """Whether an ``@context`` is (or includes) the Web Annotation context."""
    if isinstance(ctx, str):
        return ctx in ANNO_CONTEXTS
    return isinstance(ctx, list) and any(isinstance(c, str) and c in ANNO_CONTEXTS for c in ctx)


def _check_context(obj: dict, where: str, name: str) -> bool:
    """True if ``obj`` declares the Web Annotation context, False if it declares none."""
    if "@context" not in obj:
        return False
    if not _context_ok(obj["@context"]):
        raise InputError(f"{name}: {where}{_bad_context(obj['@context'])}")
    return True


def _bad_context(ctx: Any) -> str:
    if isinstance(ctx, list):
        shown = ", ".join(_show(c, 40) for c in ctx[:3]) + (", …" if len(ctx) > 3 else "")
        return f"the @context ({shown or 'an empty list'}) does not include the Web Annotation context ({ANNO_CONTEXT})"
    return f"the @context {_show(ctx)} is not the Web Annotation context ({ANNO_CONTEXT})"


def _is_iri(value: Any) -> bool:
    """An IRI or a relative reference to one (``#a1``): text with no spaces or ``<>"{}|\\^```."""
    return isinstance(value, str) and bool(value) and not _NOT_IRI.search(value)


def _show(value: Any, limit: int = 60) -> str:
    """A value as it reads in the file, cut short: ``'fish'``, ``a list of 2``, ``6``."""
    if isinstance(value, list):
        return f"a list of {len(value)}" if value else "an empty list"
    if isinstance(value, dict):
        return "an object"
    shown = repr(value) if isinstance(value, str) else json.dumps(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _annotations(doc: Any, name: str) -> list[tuple[Any, bool]]:
    """The annotations of a file, each with whether its container declared the @context."""
    if isinstance(doc, list):
        return [(item, False) for item in doc]
    if isinstance(doc, dict):
        types = _types(doc)
        if "items" in doc or "AnnotationPage" in types:
            return _page_items(doc, name, _check_context(doc, "", name))
        if "AnnotationCollection" in types or "first" in doc:
            ctx = _check_context(doc, "", name)
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
    for n in range(1, _MAX_PAGES + 1):
        ctx = _check_context(page, f"page {n}: ", name) or context
        got = page.get("items", [])
        if not isinstance(got, list):
            raise InputError(f"{name}: the AnnotationPage's 'items' is not a list")
        items.extend((item, ctx) for item in got)
        nxt = page.get("next")
        if nxt is None:
            return items
        if not isinstance(nxt, dict):
            raise InputError(
                f"{name}: page {n} links to the next page ({_show(nxt)}) without including it; "
                "save the collection with all its pages embedded"
            )
        page = nxt
    raise InputError(f"{name}: more than {_MAX_PAGES} annotation pages")


class _Reader:
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
            if not (ctx in ANNO_CONTEXTS if type(ctx) is str else _context_ok(ctx)):
                return None
        raw_id = get("id")
        if raw_id is not None and not (type(raw_id) is str and raw_id and not _NOT_IRI.search(raw_id)):
            return None
        kind = get("type")
        if type(kind) is not str or kind not in _ANNOTATION_TYPES:
            return None
        motivation = get("motivation")
        if motivation is not None and not (type(motivation) is str and (motivation in MOTIVATIONS or ":" in motivation)):
            return None
        creator = get("creator")
        if "creator" in item and type(creator) is not str and type(creator) is not dict:
            return None
        created = modified = None  # present, even as null, they must be date-times
        if "created" in item:
            created = _parse_time_text(item["created"]) if type(item["created"]) is str else ""
            if type(created) is str:
                return None
        if "modified" in item:
            modified = _parse_time_text(item["modified"]) if type(item["modified"]) is str else ""
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

    # checks: what the Web Annotation Data Model forbids ----------------------------------

    def problem(self, what: str) -> None:
        self.problems.append(what)

    def check(self, item: dict) -> None:
        """Raise one :class:`InputError` naming every rule ``item`` breaks (up to a few)."""
        if "@context" in item:
            if _context_ok(item["@context"]):
                self.has_context = True
            else:
                self.problem(_bad_context(item["@context"]))
        raw_id = item.get("id", item.get("@id"))
        if raw_id is not None:
            self.check_iri(raw_id, "id")
        if "type" not in item and "@type" not in item:
            self.problem('no type (an annotation has "type": "Annotation")')
        elif not _types(item) & _ANNOTATION_TYPES:
            self.problem(f'type must be "Annotation" (got {_show(item.get("type", item.get("@type")))})')
        self.check_purposes(item.get("motivation"), "motivation")
        if "bodyValue" in item and not isinstance(item["bodyValue"], str):
            self.problem(f"bodyValue must be one text (got {_show(item['bodyValue'])})")
        if "body" in item:
            body = item["body"]
            for b in body if isinstance(body, list) else [body]:
                self.check_body(b, "the body")
        if "target" in item:
            self.check_target(item["target"])
        for key in ("creator", "generator"):
            if key in item:
                self.check_agent(item[key], key)
        for key in ("created", "modified", "generated"):
            if key in item:
                self.check_time(item[key], key)
        for key, many in (("rights", True), ("via", True), ("canonical", False)):
            if key in item:
                self.check_iri(item[key], key, many=many)
        if self.surrogates:
            self.check_surrogates(item)
        if self.problems:  # what is tolerated on its own is named too when the annotation is refused
            if "target" not in item:
                self.problem("no target")
            if "body" in item and "bodyValue" in item:
                self.problem("both body and bodyValue (one or the other)")
            if not self.has_context and "@context" not in item:
                self.problem("no @context")
            shown = self.problems[:_MAX_PROBLEMS]
            more = len(self.problems) - len(shown)
            raise self.fail("; ".join(shown) + (f"; and {more} more" if more else ""))

    def check_iri(self, value: Any, what: str, many: bool = False) -> None:
        values = value if many and isinstance(value, list) else [value]
        if isinstance(value, list) and not many:
            self.problem(f"{what} must be one IRI (got {_show(value)})")
            return
        for v in values:
            if not isinstance(v, str):
                self.problem(f"{what} must be an IRI (got {_show(v)})")
            elif not _is_iri(v):
                self.problem(f"{what} {_show(v)} is not an IRI")

    def check_time(self, value: Any, key: str) -> None:
        if isinstance(value, list):
            self.problem(f"{key} must be one date-time (got {_show(value)})")
        else:
            found = _parse_time(value)
            if isinstance(found, str):
                self.problem(f"{key} {_show(value)} {found}")

    def check_agent(self, value: Any, key: str) -> None:
        for v in value if isinstance(value, list) else [value]:
            if not isinstance(v, (str, dict)):
                self.problem(f"{key} must be an IRI, a name or an object (got {_show(v)})")

    def check_purposes(self, value: Any, key: str) -> None:
        if value is None:
            return
        for v in value if isinstance(value, list) else [value]:
            if not isinstance(v, str):
                self.problem(f"{key} must be text (got {_show(v)})")
            elif v not in MOTIVATIONS and ":" not in v:
                self.problem(f"{key} {_show(v)} is not a W3C motivation ({', '.join(sorted(MOTIVATIONS))}) nor an IRI")

    def check_resource(self, obj: dict, what: str, depth: int) -> set[str]:
        """Rules shared by bodies and targets; returns the object's types."""
        if "id" in obj:
            self.check_iri(obj["id"], f"{what}'s id")
        types = _types(obj)
        sets = [t for t in _SETS if t in types]
        if len(sets) > 1:
            self.problem(f"{what} is both {' and '.join(sets)} (one kind of set only)")
        elif sets or "items" in obj:
            items = obj.get("items")
            if not sets:
                self.problem(f"{what} has items but no type ({', '.join(_SETS)})")
            elif not isinstance(items, list) or not items:
                self.problem(f"{what} ({sets[0]}) needs a non-empty list of items")
            elif depth >= _MAX_DEPTH:
                self.problem(f"{what} nests sets more than {_MAX_DEPTH} deep")
            else:
                return types | {"#items"}
        if "SpecificResource" in types and "source" not in obj:
            self.problem(f"{what} is a SpecificResource without a source")
        if "source" in obj and not isinstance(obj["source"], (str, dict)):
            self.problem(f"{what}'s source must be an IRI or an object (got {_show(obj['source'])})")
        elif isinstance(obj.get("source"), str):
            self.check_iri(obj["source"], f"{what}'s source")
        for key in ("format", "language"):
            if key in obj:
                for v in obj[key] if isinstance(obj[key], list) else [obj[key]]:
                    if not isinstance(v, str) or not v.strip():
                        example = "a media type like text/plain" if key == "format" else "a language tag like en"
                        self.problem(f"{what}'s {key} must be {example} (got {_show(v)})")
        if "processingLanguage" in obj and not isinstance(obj["processingLanguage"], str):
            self.problem(f"{what}'s processingLanguage must be one language tag (got {_show(obj['processingLanguage'])})")
        if "textDirection" in obj and obj["textDirection"] not in _DIRECTIONS:
            self.problem(f"{what}'s textDirection must be ltr, rtl or auto (got {_show(obj['textDirection'])})")
        return types

    def check_body(self, body: Any, what: str, depth: int = 0) -> None:
        if isinstance(body, str):
            if not _is_iri(body):  # a bare word (no space) is read as text, as older tools write it
                self.problem(
                    f'{what} {_show(body)} is not an IRI (text goes in "bodyValue" or a TextualBody\'s "value")'
                )
            return
        if not isinstance(body, dict):
            self.problem(f"{what} must be an IRI or an object (got {_show(body)})")
            return
        types = self.check_resource(body, what, depth)
        if "#items" in types:
            for sub in body["items"]:
                self.check_body(sub, f"an item of {what}", depth + 1)
            return
        if "TextualBody" in types or "value" in body:
            value = body.get("value")
            if value is None:
                self.problem(f"{what} is a TextualBody without a value")
            elif not isinstance(value, str):
                self.problem(f"{what}'s value must be one text (got {_show(value)})")
        if "purpose" in body:
            self.check_purposes(body["purpose"], f"{what}'s purpose")

    def check_target(self, target: Any, what: str = "the target", depth: int = 0) -> None:
        if isinstance(target, list):
            if not target:
                self.problem(f"{what} is an empty list (an annotation has at least one target)")
            for t in target:
                if isinstance(t, list):
                    self.problem(f"{what} holds a list inside a list")
                else:
                    self.check_target(t, what, depth)
            return
        if isinstance(target, str):
            self.check_iri(target, what)
            return
        if not isinstance(target, dict):
            self.problem(f"{what} must be an IRI or an object (got {_show(target)})")
            return
        types = self.check_resource(target, what, depth)
        if "#items" in types:
            for sub in target["items"]:
                self.check_target(sub, f"an item of {what}", depth + 1)
            return
        if "selector" in target:
            self.check_selectors(target["selector"], 0)

    def check_selectors(self, raw: Any, depth: int) -> None:
        for sel in raw if isinstance(raw, list) else [raw]:
            if isinstance(sel, str):
                self.check_iri(sel, "a selector")
            elif not isinstance(sel, dict):
                self.problem(f"a selector must be an object or an IRI (got {_show(sel)})")
            else:
                self.check_selector(sel, depth)

    def check_selector(self, sel: dict, depth: int) -> None:
        types = _types(sel)
        if depth >= _MAX_DEPTH:
            self.problem(f"selectors are refined (refinedBy) more than {_MAX_DEPTH} deep")
            return
        if "TextPositionSelector" in types or "DataPositionSelector" in types:
            kind = "TextPositionSelector" if "TextPositionSelector" in types else "DataPositionSelector"
            start, end = sel.get("start"), sel.get("end")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
                self.problem(f"{kind} start and end must be whole numbers (got {_show(start)}, {_show(end)})")
            elif start < 0 or end < 0:
                self.problem(f"{kind} {start}..{end} is negative (positions count from 0)")
            elif start > end:
                self.problem(f"{kind} {start}..{end} is reversed (its start is after its end)")
        elif "TextQuoteSelector" in types:
            parts = [sel.get(k, "") for k in ("exact", "prefix", "suffix")]
            if not all(isinstance(v, str) for v in parts) or not parts[0]:
                self.problem("TextQuoteSelector needs a non-empty 'exact' and text prefix/suffix")
        elif "FragmentSelector" in types:
            value = sel.get("value")
            if value is None:
                self.problem("a FragmentSelector needs a value")
            elif not isinstance(value, str):
                self.problem(f"a FragmentSelector's value must be one text (got {_show(value)})")
        elif "Choice" in types:
            items = sel.get("items")
            if not isinstance(items, list) or not items:
                self.problem("a Choice of selectors needs a non-empty list of items")
            else:
                self.check_selectors(items, depth + 1)
        for key in ("startSelector", "endSelector"):
            if isinstance(sel.get(key), dict):
                self.check_selector(sel[key], depth + 1)
        if "refinedBy" in sel:
            self.check_selectors(sel["refinedBy"], depth + 1)

    def check_surrogates(self, item: dict) -> None:
        """Half a UTF-16 surrogate pair in any text is refused, naming its key;
        in a quote it is read by :meth:`quote` (an orphan, or context trimmed)."""
        stack: list[tuple[Any, str, bool]] = [(item, "", False)]
        while stack:
            value, key, in_quote = stack.pop()
            if isinstance(value, str):
                if not in_quote and _SURROGATE.search(value):
                    half = _SURROGATE.search(value).group()  # type: ignore[union-attr]
                    self.problem(
                        f"{key or 'a key'} holds half of a UTF-16 surrogate pair (\\u{ord(half):04x}), not a character: "
                        "the tool that wrote it split an emoji or other character beyond U+FFFF"
                    )
                    return
            elif isinstance(value, dict):
                quote = "TextQuoteSelector" in _types(value)
                for k, v in value.items():
                    if _SURROGATE.search(k):
                        stack.append((k, "a key", False))
                    stack.append((v, k, quote and k in ("exact", "prefix", "suffix")))
            elif isinstance(value, list):
                stack.extend((v, key, False) for v in value)

    def uuid(self, raw: Any) -> uuid.UUID | None:
        if not isinstance(raw, str) or not raw.lower().startswith(_URN):
            return None  # other ids (http://…, #…) are not ours to keep; a new UUID is made
        try:
            return uuid.UUID(raw[len(_URN) :])
        except ValueError:
            raise self.fail(f"id {_show(raw)} is not a valid urn:uuid") from None

    def required_uuid(self, raw: Any, what: str) -> uuid.UUID:
        found = self.uuid(raw)
        if found is None:
            raise self.fail(f"{what} must be a urn:uuid (got {_show(raw)})")
        return found

    def text_field(self, obj: dict, key: str, default: str = "", where: str = "") -> str:
        value = obj.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(f"{where}{key} must be text (got {_show(value)})")
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
        found = _parse_time(raw)
        if isinstance(found, str):
            raise self.fail(f"{key} {_show(raw)} {found}")
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
                raise self.fail(f"an identifying body with {ENTITY_KEY} needs a urn:uuid source (got {_show(source)})")
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
            raise self.fail(f"{where}kind must be actor or location (got {_show(raw.get('kind'))})")
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
                raise self.fail(f"{where}link relation must be one of {', '.join(RELATIONS)} (got {_show(relation)})")
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
        """Anchor on the first target that selects text; otherwise say why not (the orphan reason)."""
        if raw is None:
            draft.problem = "the annotation has no target"
            return
        found = self.first_selection(raw)
        if isinstance(found, str):
            draft.problem = found
        elif found.problem:  # half a surrogate pair in the quote: neither it nor the position can be trusted
            draft.problem = found.problem
        else:
            draft.start, draft.end, draft.quote = found.start, found.end, found.quote

    def first_selection(self, target: Any) -> _Selection | str:
        """The first text selection among targets (a list, or a Choice/List/Composite/
        Independents set, opened in order; their depth is checked), or why there is none."""
        if isinstance(target, list):
            reasons = []
            for t in target:
                found = self.first_selection(t)
                if isinstance(found, _Selection):
                    return found
                reasons.append(found)
            return reasons[0] if reasons else "the target is an empty list"
        if isinstance(target, str):
            return f"the target {target} is a whole resource, not a selection of its text (no selector)"
        assert isinstance(target, dict)
        types = _types(target)
        kind = next((t for t in _SETS if t in types), None)
        if kind is not None:
            found = self.first_selection(target["items"])
            if isinstance(found, _Selection) or not found.endswith("(no selector)"):
                return found
            return f"the target is a set ({kind}) of {len(target['items'])} whole resources, not a selection of text (no selector)"
        selectors = target.get("selector")
        if selectors is None:
            source = target.get("source", target.get("id"))
            source = source.get("id") if isinstance(source, dict) else source
            shown = f" {source}" if isinstance(source, str) else ""
            what = "/".join(sorted(types - {"SpecificResource"}))
            shown += f" ({what})" if what else ""
            return f"the target{shown} is a whole resource, not a selection of its text (no selector)"
        selectors = selectors if isinstance(selectors, list) else [selectors]
        if not selectors:
            return "its selector is an empty list"
        return self.selection(selectors, 0)

    def selection(self, selectors: list, depth: int) -> _Selection | str:
        """Combine alternative selectors of one segment: a position and a quote (the quote wins later)."""
        position: _Selection | None = None
        quote: _Selection | None = None
        reasons: list[str] = []
        others: set[str] = set()  # selectors that do not select text, with nothing refining them
        for sel in selectors:
            if isinstance(sel, dict) and not sel.get("refinedBy") and not _types(sel) & _TEXT_OR_CHOICE:
                others |= _types(sel) or {"an untyped selector"}
                continue
            if isinstance(sel, str):
                reasons.append(f"its selector {sel} is a link to a selector elsewhere, which Annotator does not follow")
                continue
            found = self.selector(sel, depth)
            if isinstance(found, str):
                reasons.append(found)
            elif found.quote is not None and quote is None:
                quote = found
                if found.start is not None and position is None:
                    position = found
            elif found.start is not None and position is None:
                position = found
        if position is None and quote is None:
            if reasons:
                return reasons[0]
            return f"no TextPositionSelector or TextQuoteSelector (only {', '.join(sorted(others))})"
        self.texty = True
        start = position.start if position else None
        end = position.end if position else None
        return _Selection(start, end, quote.quote if quote else None, (quote.problem if quote else "") or "")

    def selector(self, sel: dict, depth: int) -> _Selection | str:
        """One selector (and what refines it) as a selection, or why it is not one.

        A refinement selects within the selection it refines: a position
        inside a position adds up; a position or quote inside a quote becomes
        a narrower quote with the outer text as its context; a quote inside a
        position keeps the position as the place to look. A position inside a
        selector plain text cannot resolve (a FragmentSelector, an XPath) has
        nothing to count from; a quote inside one is looked for in the whole text.
        """
        types = _types(sel)
        refined = sel.get("refinedBy")
        inner_list = (refined if isinstance(refined, list) else [refined]) if refined is not None else []
        if "TextPositionSelector" in types:
            self.texty = True
            outer: _Selection | str = _Selection(sel["start"], sel["end"], None)
        elif "TextQuoteSelector" in types:
            self.texty = True
            outer = self.quote(sel)
        elif "Choice" in types:
            return self.selection(sel["items"], depth + 1)
        else:
            if not inner_list:  # (selection() sets these aside before asking)
                return f"no TextPositionSelector or TextQuoteSelector (only {', '.join(sorted(types)) or 'an untyped selector'})"
            inner = self.selection(inner_list, depth + 1)
            if isinstance(inner, str):
                return inner
            if inner.quote is not None:
                return _Selection(None, None, inner.quote, inner.problem)
            what = "/".join(sorted(types)) or "an untyped selector"
            value = sel.get("value")
            shown = f" {_show(value)}" if isinstance(value, str) else ""
            return (
                f"its TextPositionSelector {inner.start}..{inner.end} counts from the start of the {what}{shown}, "
                "which plain text cannot resolve"
            )
        if isinstance(outer, str) or not inner_list:
            return outer
        inner = self.selection(inner_list, depth + 1)
        if isinstance(inner, str):
            return f"its refinement cannot be applied to text: {inner}"
        return _refine(outer, inner)

    def quote(self, sel: dict) -> _Selection:
        exact, prefix, suffix = (normalise_newlines(sel.get(k, "")) for k in ("exact", "prefix", "suffix"))
        problem = ""
        if self.surrogates:
            # A tool counting UTF-16 units may cut the context in the middle of
            # an emoji: the half character at the outer edge is dropped. Half a
            # character anywhere else cannot match any text: an orphan.
            prefix = prefix[1:] if prefix[:1] and _SURROGATE.match(prefix[0]) else prefix
            suffix = suffix[:-1] if suffix[-1:] and _SURROGATE.match(suffix[-1]) else suffix
            for part, text in (("exact text", exact), ("prefix", prefix), ("suffix", suffix)):
                half = _SURROGATE.search(text)
                if half:
                    problem = (
                        f"the quote's {part} holds half of a UTF-16 surrogate pair (\\u{ord(half.group()):04x}): "
                        "the tool that wrote it split a character beyond U+FFFF, so neither quote nor position can be trusted"
                    )
                    break
        return _Selection(None, None, Quote(exact, prefix, suffix), problem)


@dataclass(frozen=True, slots=True)
class _Selection:
    """What a target selects: a position and/or a quote; ``problem`` makes it an orphan."""

    start: int | None
    end: int | None
    quote: Quote | None
    problem: str = ""


def _refine(outer: _Selection, inner: _Selection) -> _Selection | str:
    """``inner`` taken within ``outer`` (see :meth:`_Reader.selector`)."""
    problem = outer.problem or inner.problem
    if outer.quote is None:  # a position
        assert outer.start is not None and outer.end is not None
        if inner.start is not None and inner.end is not None:
            start, end = outer.start + inner.start, outer.start + inner.end
            if end > outer.end:
                return (
                    f"its refining TextPositionSelector {inner.start}..{inner.end} runs past the end of the "
                    f"TextPositionSelector {outer.start}..{outer.end} it refines"
                )
            return _Selection(start, end, inner.quote, problem)
        return _Selection(outer.start, outer.end, inner.quote, problem)  # look for the quote there first
    q = outer.quote
    full = q.prefix + q.exact + q.suffix
    lo = len(q.prefix)
    if inner.start is not None and inner.end is not None:
        if inner.end > len(q.exact):
            return (
                f"its refining TextPositionSelector {inner.start}..{inner.end} runs past the end of the "
                f"quote it refines ({len(q.exact)} characters)"
            )
        at, n = lo + inner.start, inner.end - inner.start
    else:
        assert inner.quote is not None
        sub = inner.quote
        n = len(sub.exact)
        hits = [i for i in _find_all(full, sub.exact) if lo <= i and i + n <= lo + len(q.exact)]
        if not hits:
            return f"its refining quote {sub.exact[:40]!r} is not inside the quote it refines ({q.exact[:40]!r})"
        agreeing = [i for i in hits if full[:i].endswith(sub.prefix) and full[i + n :].startswith(sub.suffix)]
        at = (agreeing or hits)[0]
    if n == 0:
        return "its refinement selects nothing (an empty span)"
    return _Selection(None, None, Quote(full[at : at + n], full[max(0, at - CONTEXT * 2) : at], full[at + n : at + n + CONTEXT * 2]), problem)


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
        types = _types(body) if isinstance(body, dict) else set()
        items = body.get("items") if isinstance(body, dict) else None
        if "Choice" in types and isinstance(items, list):
            stack.extend(items[:1])
        elif types & set(_SETS) and isinstance(items, list):
            stack.extend(reversed(items))
        else:
            out.append(body)
    return out


def _find_all(text: str, sub: str) -> list[int]:
    hits: list[int] = []
    i = text.find(sub)
    while i != -1:
        hits.append(i)
        i = text.find(sub, i + 1)
    return hits


def _parse_time(raw: Any) -> datetime | str:
    """The time in UTC (no offset: taken as UTC), or why ``raw`` is not one."""
    if not isinstance(raw, str):
        return "is not an ISO 8601 date-time"
    return _parse_time_text(raw)


@lru_cache(maxsize=256)
def _parse_time_text(raw: str) -> datetime | str:
    """:func:`_parse_time` of a text, once per text: a file's annotations
    share a few times, and the same (immutable) datetime for each lets the
    store convert it once."""
    try:
        dt = datetime.fromisoformat(raw)
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except ValueError:
        return "is not an ISO 8601 date-time"
    except OverflowError:  # 0001-01-01T00:00+01:00: before year 1 in UTC
        return "is out of range (years 1 to 9999 in UTC)"


