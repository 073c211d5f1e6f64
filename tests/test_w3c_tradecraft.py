"""Entities and claims through W3C JSON and CSV: nothing is lost on a round trip."""

import csv
import io
import json
import sqlite3
import uuid
from dataclasses import asdict

import pytest

from annotator.core.claims import Claims
from annotator.core.entities import Entities
from annotator.core.errors import InputError
from annotator.core.model import LabelKind
from annotator.core.services import Desk
from annotator.io.csv_io import export_csv
from annotator.io.w3c import export_w3c, parse_w3c, w3c_json
from annotator.store.database import open_database

TEXT = (
    "Syria has sent 3,000 troops to the border with Iraq to deter infiltration by pro-Iran Iraqi militias, "
    "two security officials in Damascus have told The National.\n"
    "An Iraqi source dismissed any likelihood of militia movements between Iraq and Syria.\n"
    "US troops have fired on Iranian drones, regional sources said.\n"
)
DOC_ID = uuid.UUID("6d1f0a52-0000-4000-8000-00000000d0c1")
TABLES = ("document", "label", "entity", "annotation", "claim", "claim_subject", "claim_link")


class Db:
    def __init__(self, path, user="tester"):
        self.db = open_database(path)
        self.repo = self.db.repo
        self.desk = Desk(self.repo, user)
        self.desk.ensure_tagset()
        self.entities = Entities(self.repo, user)
        self.claims = Claims(self.repo, user)
        self.doc = self.desk.import_document(TEXT, "Report", doc_id=DOC_ID).document

    def tag(self, label, exact, **kw):
        i = TEXT.index(exact)
        ann, _ = self.desk.add_annotation(self.doc.id, self.desk.label_named(label).id, i, i + len(exact), **kw)
        return ann

    def dump(self):
        con = sqlite3.connect(self.db.path)
        try:
            return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}
        finally:
            con.close()


@pytest.fixture
def first(tmp_path):
    db = Db(tmp_path / "one.db", "ana")
    yield db
    db.db.close()


@pytest.fixture
def second(tmp_path):
    db = Db(tmp_path / "two.db")
    yield db
    db.db.close()


def annotate(s: Db) -> dict:
    """Every kind of entity and claim detail, on the test text."""
    officials = s.tag("Actor", "two security officials in Damascus", note="Anonymous; speaking to a Gulf outlet")
    s.entities.update(officials.entity_id, type="official", aliases=["Syrian officials", "مسؤولون سوريون"], note="Unnamed")
    syria = s.tag("Actor", "Syria")
    s.entities.update(syria.entity_id, type="state", country_code="sy")
    iraq = s.tag("Location", "Iraq")
    s.entities.update(iraq.entity_id, type="country", latitude=33.0, longitude=44.0, country_code="IQ")
    regional, _ = s.entities.create(LabelKind.ACTOR, "regional sources", type="official", note="never tagged")
    mideast, _ = s.entities.create(LabelKind.LOCATION, "Middle East", type="region", latitude=29.0, longitude=41.0)
    troops = s.tag("Claim", "Syria has sent 3,000 troops to the border with Iraq to deter infiltration by pro-Iran Iraqi militias")
    s.claims.set_details(
        troops.id,
        source_entity_id=officials.entity_id,
        source_annotation_id=officials.id,
        reliability="C",
        credibility="3",
        likelihood="likely",
        stance="reported",
        likelihood_note="Anonymous officials; the deployment is visible.",
    )
    s.claims.set_subjects(troops.id, [syria.entity_id, iraq.entity_id, mideast.id])
    dismissed = s.tag("Claim", "An Iraqi source dismissed any likelihood of militia movements between Iraq and Syria")
    s.claims.set_details(dismissed.id, reliability="F", credibility="4", stance="denied")
    contradicts, _ = s.claims.link(dismissed.id, troops.id, "contradicts")
    drones = s.tag("Claim", "US troops have fired on Iranian drones")
    s.claims.set_details(drones.id, source_entity_id=regional.id, reliability="F", credibility="3")
    ungraded = s.tag("Claim", "Iranian drones")  # subjects and a link, no grading: no claim row
    s.claims.set_subjects(ungraded.id, [regional.id])
    s.claims.link(ungraded.id, drones.id, "corroborates")
    return {"troops": troops, "dismissed": dismissed, "drones": drones, "ungraded": ungraded, "contradicts": contradicts,
            "officials": officials, "regional": regional, "mideast": mideast}  # fmt: skip


def test_export_carries_entities_and_claims(first):
    a = annotate(first)
    out = {anno["id"]: anno for anno in export_w3c(first.repo, first.doc)}
    officials = out[f"urn:uuid:{a['officials'].id}"]
    [ident] = [b for b in officials["body"] if b.get("purpose") == "identifying"]
    assert ident["type"] == "SpecificResource" and ident["source"] == f"urn:uuid:{a['officials'].entity_id}"
    assert ident["name"] == "two security officials in Damascus"
    record = ident["annotator:entity"]
    assert record["kind"] == "actor" and record["type"] == "official" and record["note"] == "Unnamed"
    assert record["aliases"] == ["Syrian officials", "مسؤولون سوريون"]
    assert record["creator"] == {"type": "Person", "name": "ana"} and record["created"].endswith("Z")
    assert [b["value"] for b in officials["body"] if b.get("purpose") == "commenting"] == ["Anonymous; speaking to a Gulf outlet"]

    troops = out[f"urn:uuid:{a['troops'].id}"]["annotator:claim"]
    assert troops["source"] == {"id": f"urn:uuid:{a['officials'].entity_id}", "name": "two security officials in Damascus"}
    assert troops["sourceMention"] == f"urn:uuid:{a['officials'].id}"
    assert (troops["reliability"], troops["credibility"], troops["grading"]) == ("C", "3", "C3")
    assert (troops["likelihood"], troops["stance"]) == ("likely", "reported")
    assert troops["likelihoodNote"] == "Anonymous officials; the deployment is visible."
    assert [x["name"] for x in troops["about"]] == ["Iraq", "Middle East", "Syria"]
    middle_east = troops["about"][1]
    assert middle_east["annotator:entity"]["latitude"] == 29.0  # never tagged: its record travels here
    assert "annotator:entity" not in troops["about"][0]  # Iraq's record is on its identifying body
    assert troops["links"] == []
    dismissed = out[f"urn:uuid:{a['dismissed'].id}"]["annotator:claim"]
    assert dismissed["links"] == [
        {"id": f"urn:uuid:{a['contradicts']}", "relation": "contradicts", "target": f"urn:uuid:{a['troops'].id}"}
    ]
    assert dismissed["source"] is None and dismissed["sourceMention"] is None
    drones = out[f"urn:uuid:{a['drones'].id}"]["annotator:claim"]
    assert drones["source"]["annotator:entity"]["note"] == "never tagged"
    ungraded = out[f"urn:uuid:{a['ungraded'].id}"]["annotator:claim"]
    assert set(ungraded) == {"about", "links"}  # no claim row: no grading invented
    assert all(anno["@context"][1] == {"annotator": "https://annotator.invalid/ns#"} for anno in out.values())


def test_round_trip_loses_nothing(first, second):
    a = annotate(first)
    exported = w3c_json(first.repo, first.doc)
    report = second.desk.import_annotations(second.doc.id, parse_w3c(exported, "export.json"))
    assert not report.orphans and not report.problems and len(report.added) == 7
    assert len(report.entities_added) == 5
    assert w3c_json(second.repo, second.doc) == exported  # the same JSON, byte for byte

    for e in first.repo.entities():
        assert asdict(second.repo.get_entity(e.id)) == asdict(e)
    assert len(second.repo.entities()) == len(first.repo.entities())
    for ann in first.repo.annotations(first.doc.id):
        got = asdict(second.repo.get_annotation(ann.id))
        assert second.desk._label(got.pop("label_id")).name == first.desk._label(ann.label_id).name  # each desk has its tagset
        assert got == {k: v for k, v in asdict(ann).items() if k != "label_id"}
        assert second.repo.claim_for(ann.id) == first.repo.claim_for(ann.id)
        subjects = lambda db: sorted(s.entity_id for s in db.repo.claim_subjects(ann.id))  # noqa: E731
        assert subjects(second) == subjects(first)
        links = lambda db: sorted((x.id, x.from_annotation_id, x.to_annotation_id, x.relation) for x in db.repo.claim_links(ann.id))  # noqa: E731
        assert links(second) == links(first)
    details = second.claims.details(a["dismissed"].id)
    assert [(v.relation, v.other_annotation_id, v.direction) for v in details.links] == [("contradicts", a["troops"].id, "out")]

    before = second.dump()
    again = second.desk.import_annotations(second.doc.id, parse_w3c(exported, "export.json"))
    assert again.added == [] and len(again.unchanged) == 7 and again.entities_added == [] and not again.problems
    assert second.dump() == before  # importing the same file twice changes nothing


def test_links_to_unknown_annotations_are_reported(first, second):
    a = annotate(first)
    other = first.desk.import_document("Elsewhere, regional sources denied everything.", "Other").document
    i = other.text.index("regional sources denied everything")
    far, _ = first.desk.add_annotation(other.id, first.desk.label_named("Claim").id, i, i + 34)
    first.claims.link(a["drones"].id, far.id, "contradicts")
    drafts = parse_w3c(w3c_json(first.repo, first.doc), "export.json")
    missing = next(d for d in drafts if d.id == a["troops"].id)
    drafts.remove(missing)  # the claim the contradiction points at, and the officials' mention, stay behind
    drafts = [d for d in drafts if d.id != a["officials"].id]
    report = second.desk.import_annotations(second.doc.id, drafts)
    assert len(report.added) == 5 and len(report.problems) == 2
    assert "the link (contradicts) to annotation " + str(a["troops"].id) in report.problems[0]
    assert "not in the file or the database" in report.problems[0]
    assert str(far.id) in report.problems[1]
    assert report.problems[0].startswith("item ")
    assert all("\n" not in p for p in report.problems)
    assert second.claims.details(a["dismissed"].id).links == []
    late = second.desk.import_annotations(second.doc.id, [missing])
    assert late.added == [missing.id] and len(late.problems) == 1 and "source mention" in late.problems[0]
    assert second.claims.details(a["troops"].id).claim.source_annotation_id is None  # its mention is still missing
    # Importing the first file again makes the link whose target is there now; the other is still reported.
    before = second.dump()
    again = second.desk.import_annotations(second.doc.id, drafts)
    assert again.added == [] and len(again.problems) == 1 and str(far.id) in again.problems[0]
    links = second.claims.details(a["dismissed"].id).links
    assert [(v.link_id, v.relation, v.other_annotation_id) for v in links] == [(a["contradicts"], "contradicts", a["troops"].id)]
    after = second.dump()
    assert after["claim_link"] != before["claim_link"] and {t: after[t] for t in after if t != "claim_link"} == {
        t: before[t] for t in before if t != "claim_link"
    }
    assert second.desk.import_annotations(second.doc.id, drafts).problems == again.problems
    assert second.dump() == after


def test_a_merged_entity_in_the_file_means_its_target(first, second):
    a = annotate(first)
    exported = w3c_json(first.repo, first.doc)
    regional = first.repo.get_entity(a["regional"].id)
    # The second desk already knew "regional sources" by the same UUID and merged it into another actor.
    with second.repo.transaction():
        second.repo.add_entity(regional)
    target, _ = second.entities.create(LabelKind.ACTOR, "Regional sources (unnamed)")
    second.entities.merge(target.id, [regional.id])
    second.desk.import_annotations(second.doc.id, parse_w3c(exported, "export.json"))
    assert second.claims.details(a["drones"].id).claim.source_entity_id == target.id
    assert [e.id for e in second.claims.details(a["ungraded"].id).subjects] == [target.id]


def test_reading_identifying_bodies_of_other_tools():
    anno = {
        "type": "Annotation",
        "body": [
            {"type": "TextualBody", "purpose": "tagging", "value": "Location"},
            {"type": "SpecificResource", "purpose": "identifying", "source": "http://sws.geonames.org/163808/", "name": "Tadmur"},
        ],
        "target": {"selector": {"type": "TextQuoteSelector", "exact": "Palmyra"}},
    }
    [d] = parse_w3c(json.dumps(anno), "x.json")
    assert (d.entity_id, d.entity_name, d.entity) == (None, "Tadmur", None)  # linked by name, not by a foreign IRI
    anno["body"][1]["source"] = "urn:uuid:9b2e0f00-0000-4000-8000-000000000001"
    [d] = parse_w3c(json.dumps(anno), "x.json")
    assert d.entity_id == uuid.UUID("9b2e0f00-0000-4000-8000-000000000001") and d.entity is None


def test_entity_from_uuid_and_name_only(second):
    anno = {
        "id": "urn:uuid:9b2e0f00-0000-4000-8000-0000000000a1",
        "type": "Annotation",
        "body": [
            {"type": "TextualBody", "purpose": "tagging", "value": "Actor"},
            {"type": "SpecificResource", "purpose": "identifying", "source": "urn:uuid:9b2e0f00-0000-4000-8000-0000000000e1", "name": "Syria"},
        ],
        "target": {"selector": {"type": "TextQuoteSelector", "exact": "Syria", "suffix": " has sent"}},
        "annotator:claim": None,
    }
    report = second.desk.import_annotations(second.doc.id, parse_w3c(json.dumps(anno), "x.json"))
    entity = second.repo.get_entity(uuid.UUID("9b2e0f00-0000-4000-8000-0000000000e1"))
    assert (entity.name, entity.kind, entity.creator) == ("Syria", LabelKind.ACTOR, "tester")
    assert report.entities_added == [entity.id]


@pytest.mark.parametrize(
    "claim, message",
    [
        ({"reliability": "G"}, "annotator:claim source reliability must be one of"),
        ({"credibility": 2}, "annotator:claim credibility must be text"),
        ({"likelihood": "probable"}, "ICD 203"),
        ({"links": [{"relation": "supports", "target": "urn:uuid:9b2e0f00-0000-4000-8000-000000000001"}]}, "link relation"),
        ({"links": [{"relation": "contradicts", "target": "#other"}]}, "a link's target must be a urn:uuid"),
        ({"about": [{"name": ""}]}, "needs a urn:uuid id or a name"),
        ({"about": "Syria"}, "about and links must be lists"),
        ({"source": {"id": "urn:uuid:9b2e0f00-0000-4000-8000-000000000001", "name": "X", "annotator:entity": {"kind": "claim"}}},
         "kind must be actor or location"),
        ({"about": [{"id": "urn:uuid:9b2e0f00-0000-4000-8000-000000000001", "name": "X",
                     "annotator:entity": {"kind": "location", "latitude": 95, "longitude": 0}}]}, "latitude must be between"),
    ],  # fmt: skip
)
def test_bad_claim_details_are_one_clear_line(claim, message):
    anno = {"type": "Annotation", "target": {"selector": {"type": "TextQuoteSelector", "exact": "x"}}, "annotator:claim": claim}
    with pytest.raises(InputError) as exc:
        parse_w3c(json.dumps(anno), "x.json")
    assert str(exc.value).startswith("x.json: item 1: ") and message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_csv_has_entity_and_claim_columns(first):
    a = annotate(first)
    out = io.StringIO(newline="")
    export_csv(first.repo, first.doc, out)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out.getvalue(), newline=""))}
    assert list(next(iter(rows.values())))[-6:] == ["entity_type", "source", "reliability", "credibility", "likelihood", "stance"]
    troops = rows[str(a["troops"].id)]
    assert (troops["source"], troops["reliability"], troops["credibility"], troops["likelihood"], troops["stance"]) == (
        "two security officials in Damascus", "C", "3", "likely", "reported",
    )  # fmt: skip
    assert troops["entity"] == "" and troops["entity_type"] == ""
    officials = rows[str(a["officials"].id)]
    assert (officials["entity"], officials["entity_type"], officials["source"], officials["reliability"]) == (
        "two security officials in Damascus", "official", "", "",
    )  # fmt: skip
    assert rows[str(a["ungraded"].id)]["reliability"] == ""  # no claim row, no grading


def test_import_with_claims_is_one_transaction(first, second, monkeypatch):
    annotate(first)
    drafts = parse_w3c(w3c_json(first.repo, first.doc), "export.json")
    before = second.dump()
    real = second.repo.put_claim_link

    def write_then_fail(link):
        real(link)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(second.repo, "put_claim_link", write_then_fail)
    with pytest.raises(RuntimeError):
        second.desk.import_annotations(second.doc.id, drafts)
    assert second.dump() == before  # no annotation, entity, claim, subject or link


def test_cli_import_reports_what_was_left_out(first, tmp_path, capsys):
    from annotator import cli

    a = annotate(first)
    drafts_file = tmp_path / "part.json"
    exported = [x for x in json.loads(w3c_json(first.repo, first.doc)) if x["id"] != f"urn:uuid:{a['troops'].id}"]
    drafts_file.write_text(json.dumps(exported, ensure_ascii=False), "utf-8")
    db = tmp_path / "cli.db"
    target = Db(db)
    target.db.close()
    code = cli.main(["--db", str(db), "annotations", "import", str(DOC_ID), str(drafts_file)])
    out, err = capsys.readouterr()
    assert code == 0 and out == "imported 6, unchanged 0, orphans 0\n"
    assert err.startswith("problem: item ") and err.count("\n") == 1
    assert f"the link (contradicts) to annotation {a['troops'].id} was not imported" in err
