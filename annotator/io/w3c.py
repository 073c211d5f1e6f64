"""W3C Web Annotation JSON (https://www.w3.org/TR/annotation-model/).

Reading accepts one annotation, a JSON array of them, or an
AnnotationCollection / AnnotationPage with embedded ``items``. A target is
anchored by its TextPositionSelector (code points, as here) and/or its
TextQuoteSelector; the label is the first ``tagging`` TextualBody, the note
the ``commenting`` ones, the entity an ``identifying`` one. Writing produces
a JSON array of annotations with both selectors, which reading accepts back
unchanged (same UUIDs, spans, labels, notes, creators and times).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.canonical import canonical_from_string, decode, normalise_newlines, read_text_file
from ..core.errors import InputError
from ..core.model import Document
from ..core.offsets import Quote
from ..core.ports import Repository
from ..core.services import AnnotationDraft

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
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
        return draft

    def uuid(self, raw: Any) -> uuid.UUID | None:
        if not isinstance(raw, str) or not raw.lower().startswith(_URN):
            return None  # other ids (http://…, #…) are not ours to keep; a new UUID is made
        try:
            return uuid.UUID(raw[len(_URN) :])
        except ValueError:
            raise self.fail(f"id {raw!r} is not a valid urn:uuid") from None

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
        purpose = body.get("purpose")
        if isinstance(purpose, list):
            purpose = purpose[0] if purpose else None
        return value, purpose if isinstance(purpose, str) else motivation

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


def export_w3c(repo: Repository, doc: Document) -> list[dict]:
    """The document's live annotations as W3C annotations (a JSON-ready list)."""
    labels = {lb.id: lb for lb in repo.labels(include_deleted=True)}
    entity_names: dict[uuid.UUID, str] = {}
    out = []
    for ann in repo.annotations(doc.id):
        body = [_textual("tagging", labels[ann.label_id].name)]
        if ann.entity_id is not None:
            if ann.entity_id not in entity_names:
                entity_names[ann.entity_id] = repo.get_entity(ann.entity_id).name
            body.append(_textual("identifying", entity_names[ann.entity_id]))
        if ann.note:
            body.append(_textual("commenting", ann.note))
        quote = {"type": "TextQuoteSelector", "exact": ann.exact}
        if ann.prefix:
            quote["prefix"] = ann.prefix
        if ann.suffix:
            quote["suffix"] = ann.suffix
        anno: dict[str, Any] = {
            "@context": CONTEXT,
            "id": f"{_URN}{ann.id}",
            "type": "Annotation",
            "motivation": "tagging",
        }
        if ann.creator:
            anno["creator"] = {"type": "Person", "name": ann.creator}
        anno |= {
            "created": iso(ann.created),
            "modified": iso(ann.modified),
            "body": body,
            "target": {
                "source": f"{_URN}{doc.id}",
                "selector": [{"type": "TextPositionSelector", "start": ann.start, "end": ann.end}, quote],
            },
        }
        out.append(anno)
    return out


def w3c_json(repo: Repository, doc: Document) -> str:
    """:func:`export_w3c` as UTF-8-ready JSON text (non-ASCII kept as is)."""
    return json.dumps(export_w3c(repo, doc), ensure_ascii=False, indent=2) + "\n"
