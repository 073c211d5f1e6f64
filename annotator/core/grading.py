"""The analyst's vocabularies: Admiralty grading, ICD 203 likelihood, claim
stances and links, entity types.

Admiralty (NATO AJP-2.1 / STANAG 2511): source reliability A–F and
information credibility 1–6 are judged independently, so a reliable source
can pass on improbable information (A5) and an unknown one confirmed news
(F1). ICD 203 gives the words for likelihood and the range each stands for.
"""

from __future__ import annotations

from .errors import InputError
from .model import LabelKind

RELIABILITY: dict[str, str] = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}

CREDIBILITY: dict[str, str] = {
    "1": "Confirmed by other sources",
    "2": "Probably true",
    "3": "Possibly true",
    "4": "Doubtful",
    "5": "Improbable",
    "6": "Truth cannot be judged",
}

LIKELIHOOD: list[tuple[str, str]] = [
    ("almost no chance", "01–05%"),
    ("very unlikely", "05–20%"),
    ("unlikely", "20–45%"),
    ("roughly even chance", "45–55%"),
    ("likely", "55–80%"),
    ("very likely", "80–95%"),
    ("almost certain", "95–99%"),
]
"""ICD 203 terms, least to most likely, with the probability each expresses."""

STANCES = ["asserted", "denied", "reported", "speculated"]
"""How the source puts the claim: as fact, as a denial, as hearsay, as a guess."""

RELATIONS = ["corroborates", "contradicts"]

ACTOR_TYPES: list[tuple[str, str]] = [
    ("person", "Person"),
    ("official", "Official / role"),
    ("government_body", "Government body"),
    ("state", "State"),
    ("armed_group", "Armed group"),
    ("organisation", "Organisation"),
    ("media", "Media"),
    ("population_group", "Population group"),
]

LOCATION_TYPES: list[tuple[str, str]] = [
    ("country", "Country"),
    ("region", "Region / province"),
    ("city", "City / town"),
    ("site", "Site / facility"),
    ("border_crossing", "Border crossing"),
    ("terrain", "River / terrain feature"),
]


def entity_types(kind: LabelKind) -> list[tuple[str, str]]:
    """The types an entity of ``kind`` may have (none for other kinds)."""
    if kind is LabelKind.ACTOR:
        return ACTOR_TYPES
    if kind is LabelKind.LOCATION:
        return LOCATION_TYPES
    return []


def grading_code(reliability: str, credibility: str) -> str:
    """``("B", "2")`` -> ``"B2"``."""
    return f"{reliability}{credibility}"


def _choices(values) -> str:
    return ", ".join(values)


def validate_claim_fields(
    reliability: str | None = None,
    credibility: str | None = None,
    likelihood: str | None = None,
    stance: str | None = None,
) -> None:
    """Raise :class:`InputError` for a value outside its scale (None: not given).

    Codes are exact (``"B"``, ``"2"``); the likelihood is an ICD 203 term or
    empty (not judged).
    """
    if reliability is not None and reliability not in RELIABILITY:
        raise InputError(f"source reliability must be one of {_choices(RELIABILITY)} (got {reliability!r})")
    if credibility is not None and credibility not in CREDIBILITY:
        raise InputError(f"information credibility must be one of {_choices(CREDIBILITY)} (got {credibility!r})")
    if likelihood is not None and likelihood != "" and likelihood not in dict(LIKELIHOOD):
        terms = _choices(term for term, _ in LIKELIHOOD)
        raise InputError(f"likelihood must be an ICD 203 term ({terms}) or empty (got {likelihood!r})")
    if stance is not None and stance not in STANCES:
        raise InputError(f"stance must be one of {_choices(STANCES)} (got {stance!r})")
