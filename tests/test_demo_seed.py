"""The demonstration set: the seed article, fully annotated, loaded on first start."""

import json
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest

from annotator.core.claims import Claims
from annotator.core.entities import Entities
from annotator.core.model import LabelKind
from annotator.core.services import Desk
from annotator.io.seeds import seed_if_empty
from annotator.io.w3c import export_w3c
from annotator.store.database import open_database

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
DEMO = SEEDS / "syria-troops-iraq-border.w3c.json"
MANIFEST = json.loads((SEEDS / "manifest.json").read_text("utf-8"))
DOC_ID = uuid.UUID(MANIFEST["documents"][0]["id"])


@pytest.fixture(scope="module")
def demo():
    return json.loads(DEMO.read_text("utf-8"))


@pytest.fixture
def seeded(tmp_path):
    db = open_database(tmp_path / "new.db")
    desk = Desk(db.repo, "tester")
    desk.ensure_tagset()
    [imp] = seed_if_empty(desk)
    assert imp.created and imp.document.id == DOC_ID
    yield desk, imp.document
    db.close()


def test_a_new_database_gets_the_demonstration_set(seeded, demo):
    desk, doc = seeded
    repo = desk.repo
    annotations = list(repo.annotations(doc.id))
    assert len(annotations) == len(demo) > 100
    labels = {lb.id: lb.kind.value for lb in repo.labels()}
    counts = Counter(labels[a.label_id] for a in annotations)
    in_file = Counter(next(b["value"] for b in a["body"] if b["purpose"] == "tagging").lower() for a in demo)
    assert counts == in_file
    claims = repo.claims_for_document(doc.id)
    assert len(claims) == counts["claim"] == sum("annotator:claim" in a for a in demo)
    assert all(a.creator == "Annotator demo" for a in annotations)
    assert seed_if_empty(desk) == []  # only once


def test_entities_have_types_aliases_and_coordinates(seeded):
    desk, _doc = seeded
    repo = desk.repo
    actors = {e.name: e for e in repo.entities(LabelKind.ACTOR)}
    places = {e.name: e for e in repo.entities(LabelKind.LOCATION)}
    pmf = actors["Popular Mobilisation Forces"]
    assert pmf.type == "armed_group" and {"Hashd Al Shaabi", "PMF", "الحشد الشعبي"} <= set(pmf.aliases)
    assert "SDF" in actors["Syrian Democratic Forces"].aliases and "HTS" in actors["Hayat Tahrir Al Sham"].aliases
    assert actors["The National"].type == "media" and actors["Bashar Al Assad"].type == "person"
    assert {actors[n].type for n in ("Syria", "Iraq", "Iran", "Israel", "United States")} == {"state"}
    bukamal = places["Al Bukamal border crossing"]
    assert bukamal.type == "border_crossing" and bukamal.country_code == "SY"
    assert abs(bukamal.latitude - 34.45) < 0.05 and abs(bukamal.longitude - 40.93) < 0.05
    assert places["Euphrates River Valley"].type == "terrain"
    assert (places["Middle East"].type, places["Middle East"].country_code) == ("region", "")
    assert places["east Syria"].type == "region"
    for name in ("Syria", "Iraq", "Damascus", "Palmyra", "Baghdad"):
        assert places[name].latitude is not None and len(places[name].country_code) == 2, name
    assert all(p.latitude is not None for p in places.values())
    counts = Entities(repo, "tester").mention_counts()
    assert counts[places["Syria"].id] >= 14 and counts[pmf.id] == 2


def test_claims_have_sources_gradings_stances_and_the_contradiction(seeded):
    desk, doc = seeded
    repo = desk.repo
    claims = Claims(repo, "tester")
    spans = {s.id: s for s in repo.annotation_spans(doc.id)}
    by_text = {spans[ann_id].exact: c for ann_id, c in repo.claims_for_document(doc.id).items()}
    troops = by_text["Syria has sent 3,000 troops to the border with Iraq to deter infiltration by pro-Iran Iraqi militias"]
    dismissed = by_text["An Iraqi source dismissed any likelihood of militia movements between Iraq and Syria"]
    assert repo.get_entity(troops.source_entity_id).name == "two security officials in Damascus"
    assert spans[troops.source_annotation_id].exact == "two security officials in Damascus"
    assert (troops.grading, troops.stance, troops.likelihood) == ("C2", "asserted", "likely")
    assert troops.likelihood_note
    assert (dismissed.stance, repo.get_entity(dismissed.source_entity_id).name) == ("denied", "Iraqi security source")
    links = claims.details(dismissed.annotation_id).links
    assert ("contradicts", troops.annotation_id, "out") in [(v.relation, v.other_annotation_id, v.direction) for v in links]
    foothold = next(c for t, c in by_text.items() if t.startswith("militias have no foothold"))
    assert ("corroborates", dismissed.annotation_id) in [(v.relation, v.other_annotation_id) for v in claims.details(foothold.annotation_id).links]
    assert {c.stance for c in by_text.values()} == {"asserted", "denied", "reported", "speculated"}
    assert {c.reliability for c in by_text.values()} >= {"B", "C", "D", "F"}
    for c in by_text.values():
        assert c.source_entity_id is not None and c.likelihood and c.likelihood_note
        assert claims.details(c.annotation_id).subjects, spans[c.annotation_id].exact


def test_export_of_the_seeded_database_is_the_file(seeded, demo):
    desk, doc = seeded
    assert export_w3c(desk.repo, doc) == demo


def test_the_generator_is_deterministic(tmp_path):
    """Running seeds/build_demo.py gives the committed file byte for byte."""
    out = tmp_path / "demo.json"
    r = subprocess.run([sys.executable, str(SEEDS / "build_demo.py"), str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == DEMO.read_bytes()
