"""How the brief words and sets values: dates, coordinates, initials,
shortened quotes, link verbs, and the direction isolate that keeps a quote's
right-to-left letters from pulling the brief's own punctuation into them."""

from __future__ import annotations

import datetime as dt

from ..core import grading
from .data import one_line
from .runs import has_rtl

FSI, PDI = "\u2068", "\u2069"  # FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE


def isolate(text: str) -> str:
    """``text`` between FSI and PDI when it holds right-to-left letters: set
    inside a left-to-right line it then takes its own direction and pulls no
    neighbouring punctuation or number into it."""
    return f"{FSI}{text}{PDI}" if has_rtl(text) else text


def or_undated(value: str) -> str:
    return value or "undated"


def long_date(d: dt.date) -> str:
    """'3 June 2025'."""
    return f"{d.day} {d.strftime('%B %Y')}"


def coords(lat: float | None, lon: float | None) -> str:
    if lat is None or lon is None:
        return ""
    return f"{abs(lat):.4f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.4f}° {'E' if lon >= 0 else 'W'}"


def likelihood_ranges() -> dict[str, str]:
    return {term: rng for term, rng in grading.LIKELIHOOD}


def type_names() -> dict[str, str]:
    return dict(list(grading.ACTOR_TYPES) + list(grading.LOCATION_TYPES))


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def initials(name: str) -> str:
    parts = [p for p in name.replace(".", " ").replace("_", " ").split() if p]
    return "".join(p[0].upper() for p in parts[:3]) or "A"


def shorten(text: str, limit: int) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def passive(relation: str) -> str:
    """How a link reads from the claim it points to."""
    return {"corroborates": "corroborated by", "contradicts": "contradicted by"}.get(relation, f"{relation} (from)")
