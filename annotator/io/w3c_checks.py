"""The Web Annotation Data Model's rules, checked on one annotation before
it is read (:class:`AnnotationChecks`, a part of the reader): each broken
rule is named, and the annotation refused with all of them at once."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from .w3c_rules import (
    ANNOTATION_TYPES,
    DIRECTIONS,
    MAX_DEPTH,
    MAX_PROBLEMS,
    SETS,
    SURROGATE,
    bad_context,
    context_ok,
    is_iri,
    show,
    types_of,
)
from .w3c_terms import MOTIVATIONS


class AnnotationChecks:
    """The checks of :class:`~.w3c_reader._Reader` (which holds ``name``, ``index``, ``problems``)."""


    def problem(self, what: str) -> None:
        self.problems.append(what)

    def check(self, item: dict) -> None:
        """Raise one :class:`InputError` naming every rule ``item`` breaks (up to a few)."""
        if "@context" in item:
            if context_ok(item["@context"]):
                self.has_context = True
            else:
                self.problem(bad_context(item["@context"]))
        raw_id = item.get("id", item.get("@id"))
        if raw_id is not None:
            self.check_iri(raw_id, "id")
        if "type" not in item and "@type" not in item:
            self.problem('no type (an annotation has "type": "Annotation")')
        elif not types_of(item) & ANNOTATION_TYPES:
            self.problem(f'type must be "Annotation" (got {show(item.get("type", item.get("@type")))})')
        self.check_purposes(item.get("motivation"), "motivation")
        if "bodyValue" in item and not isinstance(item["bodyValue"], str):
            self.problem(f"bodyValue must be one text (got {show(item['bodyValue'])})")
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
            shown = self.problems[:MAX_PROBLEMS]
            more = len(self.problems) - len(shown)
            raise self.fail("; ".join(shown) + (f"; and {more} more" if more else ""))

    def check_iri(self, value: Any, what: str, many: bool = False) -> None:
        values = value if many and isinstance(value, list) else [value]
        if isinstance(value, list) and not many:
            self.problem(f"{what} must be one IRI (got {show(value)})")
            return
        for v in values:
            if not isinstance(v, str):
                self.problem(f"{what} must be an IRI (got {show(v)})")
            elif not is_iri(v):
                self.problem(f"{what} {show(v)} is not an IRI")

    def check_time(self, value: Any, key: str) -> None:
        if isinstance(value, list):
            self.problem(f"{key} must be one date-time (got {show(value)})")
        else:
            found = parse_time(value)
            if isinstance(found, str):
                self.problem(f"{key} {show(value)} {found}")

    def check_agent(self, value: Any, key: str) -> None:
        for v in value if isinstance(value, list) else [value]:
            if not isinstance(v, (str, dict)):
                self.problem(f"{key} must be an IRI, a name or an object (got {show(v)})")

    def check_purposes(self, value: Any, key: str) -> None:
        if value is None:
            return
        for v in value if isinstance(value, list) else [value]:
            if not isinstance(v, str):
                self.problem(f"{key} must be text (got {show(v)})")
            elif v not in MOTIVATIONS and ":" not in v:
                self.problem(f"{key} {show(v)} is not a W3C motivation ({', '.join(sorted(MOTIVATIONS))}) nor an IRI")

    def check_resource(self, obj: dict, what: str, depth: int) -> set[str]:
        """Rules shared by bodies and targets; returns the object's types."""
        if "id" in obj:
            self.check_iri(obj["id"], f"{what}'s id")
        types = types_of(obj)
        sets = [t for t in SETS if t in types]
        if len(sets) > 1:
            self.problem(f"{what} is both {' and '.join(sets)} (one kind of set only)")
        elif sets or "items" in obj:
            items = obj.get("items")
            if not sets:
                self.problem(f"{what} has items but no type ({', '.join(SETS)})")
            elif not isinstance(items, list) or not items:
                self.problem(f"{what} ({sets[0]}) needs a non-empty list of items")
            elif depth >= MAX_DEPTH:
                self.problem(f"{what} nests sets more than {MAX_DEPTH} deep")
            else:
                return types | {"#items"}
        if "SpecificResource" in types and "source" not in obj:
            self.problem(f"{what} is a SpecificResource without a source")
        if "source" in obj and not isinstance(obj["source"], (str, dict)):
            self.problem(f"{what}'s source must be an IRI or an object (got {show(obj['source'])})")
        elif isinstance(obj.get("source"), str):
            self.check_iri(obj["source"], f"{what}'s source")
        for key in ("format", "language"):
            if key in obj:
                for v in obj[key] if isinstance(obj[key], list) else [obj[key]]:
                    if not isinstance(v, str) or not v.strip():
                        example = "a media type like text/plain" if key == "format" else "a language tag like en"
                        self.problem(f"{what}'s {key} must be {example} (got {show(v)})")
        if "processingLanguage" in obj and not isinstance(obj["processingLanguage"], str):
            self.problem(f"{what}'s processingLanguage must be one language tag (got {show(obj['processingLanguage'])})")
        if "textDirection" in obj and obj["textDirection"] not in DIRECTIONS:
            self.problem(f"{what}'s textDirection must be ltr, rtl or auto (got {show(obj['textDirection'])})")
        return types

    def check_body(self, body: Any, what: str, depth: int = 0) -> None:
        if isinstance(body, str):
            if not is_iri(body):  # a bare word (no space) is read as text, as older tools write it
                self.problem(
                    f'{what} {show(body)} is not an IRI (text goes in "bodyValue" or a TextualBody\'s "value")'
                )
            return
        if not isinstance(body, dict):
            self.problem(f"{what} must be an IRI or an object (got {show(body)})")
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
                self.problem(f"{what}'s value must be one text (got {show(value)})")
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
            self.problem(f"{what} must be an IRI or an object (got {show(target)})")
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
                self.problem(f"a selector must be an object or an IRI (got {show(sel)})")
            else:
                self.check_selector(sel, depth)

    def check_selector(self, sel: dict, depth: int) -> None:
        types = types_of(sel)
        if depth >= MAX_DEPTH:
            self.problem(f"selectors are refined (refinedBy) more than {MAX_DEPTH} deep")
            return
        if "TextPositionSelector" in types or "DataPositionSelector" in types:
            kind = "TextPositionSelector" if "TextPositionSelector" in types else "DataPositionSelector"
            start, end = sel.get("start"), sel.get("end")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
                self.problem(f"{kind} start and end must be whole numbers (got {show(start)}, {show(end)})")
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
                self.problem(f"a FragmentSelector's value must be one text (got {show(value)})")
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
                if not in_quote and SURROGATE.search(value):
                    half = SURROGATE.search(value).group()  # type: ignore[union-attr]
                    self.problem(
                        f"{key or 'a key'} holds half of a UTF-16 surrogate pair (\\u{ord(half):04x}), not a character: "
                        "the tool that wrote it split an emoji or other character beyond U+FFFF"
                    )
                    return
            elif isinstance(value, dict):
                quote = "TextQuoteSelector" in types_of(value)
                for k, v in value.items():
                    if SURROGATE.search(k):
                        stack.append((k, "a key", False))
                    stack.append((v, k, quote and k in ("exact", "prefix", "suffix")))
            elif isinstance(value, list):
                stack.extend((v, key, False) for v in value)



def parse_time(raw: Any) -> datetime | str:
    """The time in UTC (no offset: taken as UTC), or why ``raw`` is not one."""
    if not isinstance(raw, str):
        return "is not an ISO 8601 date-time"
    return parse_time_text(raw)


@lru_cache(maxsize=256)
def parse_time_text(raw: str) -> datetime | str:
    """:func:`parse_time` of a text, once per text: a file's annotations
    share a few times, and the same (immutable) datetime for each lets the
    store convert it once."""
    try:
        dt = datetime.fromisoformat(raw)
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except ValueError:
        return "is not an ISO 8601 date-time"
    except OverflowError:  # 0001-01-01T00:00+01:00: before year 1 in UTC
        return "is out of range (years 1 to 9999 in UTC)"
