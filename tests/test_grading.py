"""Grading vocabularies and their validation."""

import pytest

from annotator.core import grading
from annotator.core.errors import InputError
from annotator.core.model import LabelKind


def test_scales_are_complete_and_ordered():
    assert list(grading.RELIABILITY) == list("ABCDEF")
    assert list(grading.CREDIBILITY) == list("123456")
    assert grading.RELIABILITY["F"] == "Reliability cannot be judged"
    assert grading.CREDIBILITY["1"] == "Confirmed by other sources"
    terms = [t for t, _ in grading.LIKELIHOOD]
    assert terms == [
        "almost no chance", "very unlikely", "unlikely", "roughly even chance", "likely", "very likely", "almost certain",
    ]  # fmt: skip
    assert grading.LIKELIHOOD[0][1] == "01–05%" and grading.LIKELIHOOD[-1][1] == "95–99%"
    assert grading.STANCES == ["asserted", "denied", "reported", "speculated"]
    assert grading.RELATIONS == ["corroborates", "contradicts"]


def test_entity_types_by_kind():
    assert ("armed_group", "Armed group") in grading.entity_types(LabelKind.ACTOR)
    assert ("border_crossing", "Border crossing") in grading.entity_types(LabelKind.LOCATION)
    assert grading.entity_types(LabelKind.CLAIM) == []
    assert len(grading.ACTOR_TYPES) == 8 and len(grading.LOCATION_TYPES) == 6


def test_grading_code_keeps_the_two_judgements_apart():
    assert grading.grading_code("B", "2") == "B2"
    assert grading.grading_code("A", "5") == "A5"  # a reliable source passing on improbable news
    assert grading.grading_code("F", "1") == "F1"


def test_valid_fields_pass():
    grading.validate_claim_fields("A", "1", "almost certain", "asserted")
    grading.validate_claim_fields("F", "6", "", "speculated")  # likelihood not judged
    grading.validate_claim_fields()  # nothing given, nothing to check


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"reliability": "G"}, "source reliability must be one of A, B, C, D, E, F (got 'G')"),
        ({"reliability": "b"}, "source reliability"),
        ({"reliability": "B2"}, "source reliability"),
        ({"credibility": "7"}, "information credibility must be one of 1, 2, 3, 4, 5, 6 (got '7')"),
        ({"credibility": 2}, "information credibility"),
        ({"likelihood": "probable"}, "likelihood must be an ICD 203 term"),
        ({"likelihood": "Likely"}, "likelihood must be an ICD 203 term"),
        ({"stance": "claimed"}, "stance must be one of asserted, denied, reported, speculated"),
    ],
)
def test_invalid_fields_are_one_clear_line(kwargs, message):
    with pytest.raises(InputError) as exc:
        grading.validate_claim_fields(**kwargs)
    assert message in str(exc.value) and "\n" not in str(exc.value)
