"""The W3C reader's plain path (``_Reader.plain``) against its full path
(``_Reader.draft``).

Nearly every annotation a file holds has one plain shape (a tagging
TextualBody, a target with a TextPositionSelector and a TextQuoteSelector);
the plain path reads that shape directly, with the same checks, and leaves
anything else to the full path. The rule it must keep: whenever it reads an
annotation, the full path reads the same annotation to an equal draft, with
the same reader state; whenever the full path refuses one, it does not read
it. Checked on the W3C samples, on Annotator's own export, on the hostile
fuzzing strategies, and on plain annotations broken in one place each.
"""

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.core.errors import InputError
from annotator.core.services import Desk
from annotator.io.w3c import export_w3c, parse_w3c
from annotator.io.w3c_reader import _Reader
from annotator.store.database import open_database
from tests.test_w3c_hostile import annotations as hostile_annotations
from tests.test_w3c_hostile import friendly

DATA = Path(__file__).parent / "data"
CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def _norm(draft):
    """A draft with the times an entity record gets when the file gives none
    (now(), a different instant in each read) taken out."""

    def entity(e):
        return None if e is None else dataclasses.replace(e, created=None, modified=None)

    def ref(r):
        return None if r is None else dataclasses.replace(r, record=entity(r.record))

    claim = draft.claim
    if claim is not None:
        claim = dataclasses.replace(claim, source=ref(claim.source), about=[ref(r) for r in claim.about])
    return dataclasses.replace(draft, entity=entity(draft.entity), claim=claim)


def both(item, index=1, inherited=False):
    """Read ``item`` both ways and check they agree; the plain draft or None."""
    fast = _Reader("f.json", index, inherited)
    try:
        got = fast.plain(item)
    except InputError:
        got = None  # (parse_w3c then asks the full path, which says why)
    full = _Reader("f.json", index, inherited)
    try:
        want = full.draft(item)
    except InputError as exc:
        assert got is None, f"the plain path read what the full path refuses ({exc}): {item!r}"
        return None
    if got is not None:
        assert _norm(got) == _norm(want), item
        assert (fast.raw_id, fast.texty, fast.has_context) == (full.raw_id, full.texty, full.has_context), item
    return got


def items_of(doc):
    if isinstance(doc, list):
        return doc
    if isinstance(doc, dict) and isinstance(doc.get("items"), list):
        return doc["items"]
    if isinstance(doc, dict) and isinstance(doc.get("first"), dict):
        return doc["first"].get("items", [])
    return [doc]


def _json_samples():
    """The samples that are JSON (the rest, e.g. with trailing commas, never
    reach a reader: the corpus tests check their message)."""
    out = []
    for path in sorted((DATA / "w3c-examples").glob("*.json")) + sorted(DATA.glob("*.w3c.json")):
        try:
            json.loads(path.read_text("utf-8"))
        except json.JSONDecodeError:
            continue
        out.append(path)
    return out


@pytest.mark.parametrize("path", _json_samples(), ids=lambda p: p.name)
def test_the_samples_read_alike(path):
    doc = json.loads(path.read_text("utf-8"))
    for i, item in enumerate(items_of(doc), 1):
        if isinstance(item, dict):
            both(item, i)


def plain_item(**extra):
    item = {
        "@context": CONTEXT,
        "id": "urn:uuid:3f1c6a52-8d0e-4b8a-9c1e-0a1b2c3d4e01",
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "Actor"}],
        "target": {
            "selector": [
                {"type": "TextPositionSelector", "start": 15, "end": 20},
                {"type": "TextQuoteSelector", "exact": "Syria", "prefix": "Officials said ", "suffix": " moved"},
            ]
        },
        "creator": {"type": "Person", "name": "bench"},
        "created": "2026-01-01T00:00:00Z",
        "modified": "2026-01-01T00:00:00Z",
    }
    return item | extra


def test_the_common_shapes_take_the_plain_path(tmp_path):
    assert both(plain_item()) is not None
    assert both(plain_item(motivation="tagging", body={"type": "TextualBody", "value": "Actor"})) is not None
    # Annotator's own export: an entity body, claim details, a source, several bodies
    db = open_database(tmp_path / "x.db")
    desk = Desk(db.repo, "rana")
    labels = {lb.name: lb for lb in desk.ensure_tagset()}
    doc = desk.import_document("Officials said Syria moved troops to Palmyra.\n", "t").document
    a, _ = desk.add_annotation(doc.id, labels["Actor"].id, 15, 20, note="a note\r\nline two")
    desk.add_annotation(doc.id, labels["Location"].id, 37, 44)
    claim, _ = desk.add_annotation(doc.id, labels["Claim"].id, 0, 45)
    from annotator.core.model import Claim

    desk.set_claim(Claim(annotation_id=claim.id, source_entity_id=a.entity_id, reliability="B", credibility="2"))
    exported = export_w3c(db.repo, doc)
    db.close()
    assert len(exported) == 3
    for i, item in enumerate(json.loads(json.dumps(exported)), 1):
        assert both(item, i) is not None, item
    assert [d.label for d in parse_w3c(json.dumps(exported), "x.json")] == ["Claim", "Actor", "Location"]


WEIRD = [None, True, 0, 5, -1, 1.5, "", " ", "x", "not an iri", "tagging", "urn:uuid:nope", [], [1], {}, {"a": 1},
         "2026-01-01T00:00:00Z", "yesterday", "TextualBody", "SpecificResource", "Annotation", "\r\n"]  # fmt: skip


def _paths(value, path=()):
    """Every place in a JSON value: (path to it, whether it is a dict)."""
    yield path, isinstance(value, dict)
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


def _set(value, path, new):
    if not path:
        return new
    value = json.loads(json.dumps(value))
    here = value
    for step in path[:-1]:
        here = here[step]
    here[path[-1]] = new
    return value


def _broken():
    """A plain annotation (one tag; and one with a motivation, a note and an
    identifying body too) changed in one place: every value replaced by each
    of :data:`WEIRD`, each key of :data:`KEYS` added to every object with
    each of them, every key dropped."""
    richer = plain_item(motivation="tagging")
    richer["body"] += [{"type": "TextualBody", "value": "a note", "purpose": "commenting", "format": "text/plain"},
                       {"type": "SpecificResource", "purpose": "identifying",
                        "source": "urn:uuid:9b2e0f00-0000-4000-8000-000000000001", "name": "Syria"}]  # fmt: skip
    for base in (plain_item(), richer):
        places = list(_paths(base))
        for path, _ in places:
            for weird in WEIRD:
                yield _set(base, path, weird)
        for path, is_dict in places:
            if is_dict:
                for key in KEYS:
                    for weird in WEIRD:
                        yield _set(base, (*path, key), weird)
        for path, _ in places:
            if path:
                yield _drop(base, path)


KEYS = ["type", "id", "@id", "@type", "@context", "value", "purpose", "source", "selector", "start", "end", "exact",
        "prefix", "suffix", "format", "language", "processingLanguage", "textDirection", "refinedBy", "items",
        "bodyValue", "name", "generator", "rights", "via", "canonical", "motivation", "creator", "created",
        "modified", "generated", "annotator:claim", "annotator:entity", "startSelector", "endSelector"]  # fmt: skip


def _get(value, path):
    for step in path:
        value = value[step]
    return value


def _drop(value, path):
    value = json.loads(json.dumps(value))
    here = _get(value, path[:-1])
    del here[path[-1]]
    return value


def test_a_plain_annotation_broken_in_one_place_reads_alike():
    read = refused = 0
    for item in _broken():
        if isinstance(item, dict):
            got = both(item)
            read += got is not None
            refused += got is None
    assert read > 500 and refused > 2000  # both paths are exercised


AGREE = settings(max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@AGREE
@given(hostile_annotations | friendly, st.booleans())
def test_the_hostile_annotations_read_alike(item, inherited):
    both(item, 1, inherited)
