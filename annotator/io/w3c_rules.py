"""What a W3C Web Annotation file must be, in the terms the reader checks:
the limits it keeps to and the small tests of types, contexts and IRIs
shared by :mod:`.w3c_reader`, :mod:`.w3c_checks` and :mod:`.w3c_selections`."""

from __future__ import annotations

import json
import re
from typing import Any

from ..core.errors import InputError
from .w3c_terms import ANNO_CONTEXT
from .w3c_terms import NOT_IRI as _NOT_IRI


MAX_PAGES = 10_000
MAX_DEPTH = 16
"""Deepest nesting of refinedBy selectors and of Choice/List/Composite sets read."""
MAX_PROBLEMS = 4
"""Problems named in one message about one annotation (the rest are summed up)."""

ANNO_CONTEXTS = frozenset({ANNO_CONTEXT, "https://www.w3.org/ns/anno.jsonld"})
SETS = ("Choice", "Composite", "List", "Independents")
TEXT_OR_CHOICE = frozenset({"TextPositionSelector", "TextQuoteSelector", "Choice"})
DIRECTIONS = ("ltr", "rtl", "auto")
ANNOTATION_TYPES = frozenset({"Annotation", "oa:Annotation", "http://www.w3.org/ns/oa#Annotation"})
SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")



def types_of(obj: dict) -> set[str]:
    """The ``type`` of a JSON-LD object as a set (it may be a string or a list)."""
    t = obj.get("type", obj.get("@type"))
    if isinstance(t, str):
        return {t}
    return {x for x in t if isinstance(x, str)} if isinstance(t, list) else set()


def context_ok(ctx: Any) -> bool:
    """Whether an ``@context`` is (or includes) the Web Annotation context."""
    if isinstance(ctx, str):
        return ctx in ANNO_CONTEXTS
    return isinstance(ctx, list) and any(isinstance(c, str) and c in ANNO_CONTEXTS for c in ctx)


def check_context(obj: dict, where: str, name: str) -> bool:
    """True if ``obj`` declares the Web Annotation context, False if it declares none."""
    if "@context" not in obj:
        return False
    if not context_ok(obj["@context"]):
        raise InputError(f"{name}: {where}{bad_context(obj['@context'])}")
    return True


def bad_context(ctx: Any) -> str:
    if isinstance(ctx, list):
        shown = ", ".join(show(c, 40) for c in ctx[:3]) + (", …" if len(ctx) > 3 else "")
        return f"the @context ({shown or 'an empty list'}) does not include the Web Annotation context ({ANNO_CONTEXT})"
    return f"the @context {show(ctx)} is not the Web Annotation context ({ANNO_CONTEXT})"


def is_iri(value: Any) -> bool:
    """An IRI or a relative reference to one (``#a1``): text with no spaces or ``<>"{}|\\^```."""
    return isinstance(value, str) and bool(value) and not _NOT_IRI.search(value)


def show(value: Any, limit: int = 60) -> str:
    """A value as it reads in the file, cut short: ``'fish'``, ``a list of 2``, ``6``."""
    if isinstance(value, list):
        return f"a list of {len(value)}" if value else "an empty list"
    if isinstance(value, dict):
        return "an object"
    shown = repr(value) if isinstance(value, str) else json.dumps(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
