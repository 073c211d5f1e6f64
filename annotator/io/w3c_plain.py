"""The plain shape nearly every W3C file is made of, recognised without the
full reader: the keys and kinds of values :meth:`.w3c_reader._Reader.plain`
reads directly, and the checks of its bodies and target, each made in the
terms of the full reader's rules (``tests/test_w3c_plain.py`` compares the two)."""

from __future__ import annotations

from typing import Any

from ..core.canonical import normalise_newlines
from ..core.offsets import Quote
from .w3c_terms import CLAIM_KEY, ENTITY_KEY, MOTIVATIONS, NOT_IRI

PLAIN_KEYS = frozenset({"@context", "id", "type", "motivation", "creator", "created", "modified", "body", "target", CLAIM_KEY})
"""The keys of an annotation :meth:`_Reader.plain` reads (any other: the full reader)."""
_PLAIN_TEXTUAL = frozenset({"type", "value", "purpose", "format", "language"})
_PLAIN_IDENTIFYING = frozenset({"type", "purpose", "source", "name", ENTITY_KEY})
_PLAIN_TARGET = frozenset({"type", "source", "selector"})
ONE_TAG = frozenset({"type", "purpose", "value"})
_PLAIN_POSITION = frozenset({"type", "start", "end"})
_PLAIN_QUOTE = frozenset({"type", "exact", "prefix", "suffix"})


def _purpose(value: Any) -> bool:
    """A purpose :meth:`_Reader.check_purposes` accepts, given as one text."""
    return type(value) is str and (value in MOTIVATIONS or ":" in value)


def plain_body(body: Any) -> bool:
    """A body of the plain shape that breaks no rule of :meth:`_Reader.check_body`:
    a TextualBody with one text value (a format and language as texts), or an
    identifying-style SpecificResource whose source is an IRI."""
    if type(body) is not dict:
        return False
    kind = body.get("type")
    if kind == "TextualBody":
        if not body.keys() <= _PLAIN_TEXTUAL or type(body.get("value")) is not str:
            return False
        for key in ("format", "language"):
            if key in body and not (type(body[key]) is str and body[key].strip()):
                return False
    elif kind == "SpecificResource":
        source = body.get("source")
        if not body.keys() <= _PLAIN_IDENTIFYING or type(source) is not str or not source or NOT_IRI.search(source):
            return False
    else:
        return False
    return "purpose" not in body or _purpose(body["purpose"])


def plain_target(target: dict) -> tuple[int | None, int | None, Quote | None] | None:
    """(start, end, quote) of a target of the plain shape that breaks no rule
    of :meth:`_Reader.check_target` — one object, a SpecificResource or
    untyped, with an IRI source or none, whose selectors (at least one) are
    TextPositionSelectors and TextQuoteSelectors without refinements — as
    :meth:`_Reader.first_selection` reads it: the first position and the
    first quote. None for any other target."""
    if not target.keys() <= _PLAIN_TARGET:
        return None
    if "type" in target and (target["type"] != "SpecificResource" or "source" not in target):
        return None
    if "source" in target:
        source = target["source"]
        if type(source) is not str or not source or NOT_IRI.search(source):
            return None
    selectors = target.get("selector")
    if type(selectors) is dict:
        selectors = [selectors]
    elif type(selectors) is not list or not selectors:
        return None
    start = end = quote = None
    for sel in selectors:
        if type(sel) is not dict:
            return None
        kind = sel.get("type")
        if kind == "TextPositionSelector":
            s, e = sel.get("start"), sel.get("end")
            if not sel.keys() <= _PLAIN_POSITION or type(s) is not int or type(e) is not int or not 0 <= s <= e:
                return None
            if start is None:
                start, end = s, e
        elif kind == "TextQuoteSelector":
            exact, prefix, suffix = sel.get("exact"), sel.get("prefix", ""), sel.get("suffix", "")
            if not sel.keys() <= _PLAIN_QUOTE or type(exact) is not str or not exact or type(prefix) is not str or type(suffix) is not str:
                return None
            if quote is None:
                if "\r" in exact or "\r" in prefix or "\r" in suffix:
                    exact, prefix, suffix = normalise_newlines(exact), normalise_newlines(prefix), normalise_newlines(suffix)
                quote = Quote(exact, prefix, suffix)
        else:
            return None
    return start, end, quote
